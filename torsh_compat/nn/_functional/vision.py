"""Resampling: interpolate (nearest, nearest-exact, linear family, bicubic, area), pixel shuffle.

Every interpolation mode except area is separable: along each spatial axis the output is a fixed
linear map of the input, built from torch's source-index rules (computed in torch's arithmetic:
float32 for nearest, the input's opmath type for the linear and cubic weights). Nearest modes
gather along each axis (exact copies); the weighted modes apply a small (out, in) matrix per axis
as one GEMM. The backward applies the transposed maps, and since each map is fixed, the gradient
is recorded as a linear op too, so double backward works. Area mode is adaptive average pooling.
"""
import numbers
import warnings

import numpy as np

from ..._tensor import Tensor
from ...ops import samples as S
from ...ops.registry import register
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, linear_map, map_node,
                      _SCALAR)

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle"]

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}
_KERNEL_NAME = {"nearest": "Nearest", "nearest-exact": "NearestExact", "linear": "Linear",
                "bilinear": "Bilinear", "trilinear": "Trilinear", "bicubic": "Bicubic"}


# ---- per-axis source indices and weights -----------------------------------------------------

def _scale_value(scale, n_in, n_out, dt):
    """torch's compute_scales_value: 1/scale when a scale is given, else in/out, in dtype dt."""
    if scale is not None and scale > 0:
        return dt.type(1.0 / scale)
    return dt.type(n_in) / dt.type(n_out)


def _nearest_index(n_in, n_out, scale, exact, shortcuts):
    """Source index of each output position; torch's 2-D nearest kernel (shortcuts=True) copies
    equal sizes and halves indices at exactly twice the size, whatever the given scale."""
    f32 = np.dtype(np.float32)
    j = np.arange(n_out, dtype=np.int64)
    if not exact:
        if shortcuts and n_out == n_in:
            return j
        if shortcuts and n_out == 2 * n_in:
            return j >> 1
        src = np.floor(j.astype(np.float32) * _scale_value(scale, n_in, n_out, f32))
    else:
        src = np.floor((j.astype(np.float32) + np.float32(0.5)) * _scale_value(scale, n_in, n_out, f32))
    return np.minimum(src.astype(np.int64), n_in - 1)


def _source_coords(n_in, n_out, scale, align_corners, cubic, dt):
    """torch's area_pixel source coordinate of each output position, in dtype dt."""
    j = np.arange(n_out).astype(dt)
    if align_corners:
        s = dt.type(n_in - 1) / dt.type(n_out - 1) if n_out > 1 else dt.type(0)
        return s * j
    s = _scale_value(scale, n_in, n_out, dt)
    src = s * (j + dt.type(0.5)) - dt.type(0.5)
    return src if cubic else np.maximum(src, dt.type(0))


def _guard(src, n_in, dt):
    """torch's guard_index_and_lambda: the floor index (at most n_in - 1) and the clamped fraction."""
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.clip(src - i0.astype(dt), dt.type(0), dt.type(1))
    return i0, lam


def _linear_matrix(n_in, n_out, scale, align_corners, dt):
    src = _source_coords(n_in, n_out, scale, align_corners, False, dt)
    i0, lam = _guard(src, n_in, dt)
    i1 = i0 + (i0 < n_in - 1)
    m = np.zeros((n_out, n_in), dtype=dt)
    rows = np.arange(n_out)
    np.add.at(m, (rows, i0), dt.type(1) - lam)
    np.add.at(m, (rows, i1), lam)
    return m


def _cubic_matrix(n_in, n_out, scale, align_corners, dt):
    a = dt.type(-0.75)
    src = _source_coords(n_in, n_out, scale, align_corners, True, dt)
    i0, t = _guard(src, n_in, dt)

    def near(x):        # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):         # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one, two = dt.type(1), dt.type(2)
    coeffs = (far(t + one), near(t), near(one - t), far(two - t))
    m = np.zeros((n_out, n_in), dtype=dt)
    rows = np.arange(n_out)
    for k, c in enumerate(coeffs):
        np.add.at(m, (rows, np.clip(i0 - 1 + k, 0, n_in - 1)), c)
    return m


# ---- the separable resampler -----------------------------------------------------------------

def _along(a, axis, op):
    """op applied to a with `axis` moved last and flattened to 2-D; result moved back."""
    x = np.moveaxis(a, axis, -1)
    shp = x.shape
    y = op(x.reshape(-1, shp[-1]))
    return np.moveaxis(y.reshape(shp[:-1] + (y.shape[-1],)), -1, axis)


def _resampler(maps, nd, dtype):
    """fwd/adj over the last nd axes; each map is ('take', index) or ('mat', (out, in) matrix)."""
    mats = []
    for kind, m in maps:
        if kind == "take":
            n_in = m[1]
            onehot = np.zeros((len(m[0]), n_in), dtype=dtype)
            onehot[np.arange(len(m[0])), m[0]] = 1
            mats.append(onehot)
        else:
            mats.append(m.astype(dtype, copy=False))

    def fwd(a):
        for i in range(nd - 1, -1, -1):
            kind, m = maps[i]
            if kind == "take":
                a = np.take(a, m[0], axis=i - nd)
            else:
                a = _along(a, i - nd, lambda x, w=mats[i]: np.matmul(x, w.T))
        return np.ascontiguousarray(a)

    def adj(g):
        for i in range(nd - 1, -1, -1):
            g = _along(g, i - nd, lambda x, w=mats[i]: np.matmul(x, w))
        return np.ascontiguousarray(g)

    return fwd, adj


def _opmath(dtype):
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


def _resample(input, nd, out_sizes, scales, mode, align_corners):
    x = input._data
    sp = x.shape[-nd:]
    names = ("D", "H", "W")[3 - nd:]
    if min(sp) <= 0 or min(out_sizes) <= 0:
        ins = ", ".join(f"{n}: {v}" for n, v in zip(names, sp))
        outs = ", ".join(f"{n}: {v}" for n, v in zip(names, out_sizes))
        joiner = " and " if nd == 1 else " "
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}){joiner}"
                           f"output ({outs})")
    if x.size == 0 and int(np.prod(x.shape[1:])) == 0:
        raise RuntimeError(f"Non-empty {nd + 2}D data tensor expected but got a tensor with sizes {list(x.shape)}")
    kname = {"nearest": "upsample_nearest", "nearest-exact": "_upsample_nearest_exact"}.get(mode, f"upsample_{mode}")
    if x.dtype.kind != "f" and not (x.dtype == np.uint8 and mode.startswith("nearest")):
        raise NotImplementedError(f'"{kname}{nd}d_channels_last" not implemented for '
                                  f"'{_SCALAR.get(x.dtype.name, x.dtype.name)}'")
    scales = scales or (None,) * nd
    dt = _opmath(x.dtype)
    maps = []
    for n_in, n_out, sc in zip(sp, out_sizes, scales):
        if mode in ("nearest", "nearest-exact"):
            maps.append(("take", (_nearest_index(n_in, n_out, sc, mode == "nearest-exact", nd == 2), n_in)))
        elif mode == "bicubic":
            maps.append(("mat", _cubic_matrix(n_in, n_out, sc, align_corners, dt)))
        else:
            maps.append(("mat", _linear_matrix(n_in, n_out, sc, align_corners, dt)))
    fwd, adj = _resampler(maps, nd, x.dtype)
    name = f"Upsample{_KERNEL_NAME[mode]}{nd}DBackward0"
    return linear_map(input, fwd, adj, name, f"Upsample{_KERNEL_NAME[mode]}{nd}DBackwardBackward0")


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial dims of an (N, C, *spatial) input to `size` or by `scale_factor`."""
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate(): argument 'input' must be Tensor, not {type(input).__name__}")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scale_factors = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and output size of {size}. Please "
                                 f"provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, "
                                 f"o2, ...,oK) format.")
            if not all(_is_int(v) for v in size):
                raise TypeError(f"expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, "
                                f"int, int], but got size with types {[type(v) for v in size]}")
            output_size = [int(v) for v in size]
        else:
            output_size = [int(size)] * dim
    elif scale_factor is not None:
        output_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but "
                                 f"got input with spatial dimensions of {spatial} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                                 f"and scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(v) for v in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [int(n * s) for n, s in zip(spatial, scale_factors)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                         "a 4-D tensor as input")
    if antialias or mode == "lanczos":
        raise NotImplementedError(f"interpolate(): antialiased and lanczos resampling are not supported by "
                                  f"torsh_compat (mode={mode!r}, antialias={antialias})")
    if input.ndim in (3, 4, 5) and (mode in ("nearest", "nearest-exact", "area") or
                                    _NEEDS.get(mode) == input.ndim or (mode == "bicubic" and input.ndim == 4)):
        if output_size is None:     # torch's output size from a scale: truncated product
            output_size = [int(n * s) for n, s in zip(spatial, scale_factors)]
        if mode == "area":
            return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, output_size)
        return _resample(input, dim, output_size, scale_factors, mode, align_corners)
    if mode in _NEEDS and input.ndim in (3, 4, 5):
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {_NEEDS[mode]}D input")
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                              f"the modes: {_MODES} (got {mode})")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- pixel shuffle ---------------------------------------------------------------------------

def _shuffle(a, r):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    *lead, c, h, w = a.shape
    b = a.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    n = len(lead)
    b = b.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return np.ascontiguousarray(b).reshape(tuple(lead) + (c // (r * r), h * r, w * r))


def _unshuffle(a, r):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    *lead, c, h, w = a.shape
    b = a.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    n = len(lead)
    b = b.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return np.ascontiguousarray(b).reshape(tuple(lead) + (c * r * r, h // r, w // r))


def _factor(v, fn, name):
    if not isinstance(v, numbers.Integral) or isinstance(v, bool):
        raise TypeError(f"{fn}(): argument '{name}' (position 2) must be int, not {type(v).__name__}")
    return int(v)


def pixel_shuffle(input, upscale_factor):
    """Rearranges (*, C*r^2, H, W) to (*, C, H*r, W*r)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pixel_shuffle(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    r = _factor(upscale_factor, "pixel_shuffle", "upscale_factor")
    x = input._data
    if x.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if x.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                           f"of upscale_factor, but input.size(-3)={x.shape[-3]} is not divisible by {r * r}")
    return linear_map(input, lambda a: _shuffle(a, r), lambda g: _unshuffle(g, r), "PixelShuffleBackward0",
                      "PixelUnshuffleBackward0")


def pixel_unshuffle(input, downscale_factor):
    """Rearranges (*, C, H*r, W*r) to (*, C*r^2, H, W)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pixel_unshuffle(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    r = _factor(downscale_factor, "pixel_unshuffle", "downscale_factor")
    x = input._data
    if x.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{x.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    if x.shape[-2] % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                           f"input.size(-2)={x.shape[-2]} is not divisible by {r}")
    if x.shape[-1] % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                           f"input.size(-1)={x.shape[-1]} is not divisible by {r}")
    return linear_map(input, lambda a: _unshuffle(a, r), lambda g: _shuffle(g, r), "PixelUnshuffleBackward0",
                      "PixelShuffleBackward0")


register(pixel_shuffle, node=map_node("PixelShuffleBackward0"), method=False, samples=S.Spec(
    shapes=[((2, 8, 3, 4),), ((4, 2, 3),), ((2, 3, 4, 2, 2),)], args=lambda nd: [((2,), {}), ((1,), {})]))
register(pixel_unshuffle, node=map_node("PixelUnshuffleBackward0"), method=False, samples=S.Spec(
    shapes=[((2, 3, 4, 6),), ((1, 4, 2),), ((2, 3, 2, 6, 4),)], args=lambda nd: [((2,), {}), ((1,), {})]))
