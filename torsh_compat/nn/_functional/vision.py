"""Resampling: interpolate (nearest, nearest-exact, linear family, bicubic, area, antialiased, lanczos),
pixel and channel shuffles, affine_grid and grid_sample.

Every interpolation mode except area is separable: along each spatial axis the output is a fixed
linear map of the input, built from torch's source-index rules (computed in torch's arithmetic:
float32 for nearest, the input's opmath type for the linear and cubic weights). Each axis is a
few weighted gathers (one for nearest, two for linear, four for cubic), so a NaN or inf stays
where torch leaves it and the cost does not grow with the image size. The backward applies the
transposed maps, and since each map is fixed, the gradient is recorded as a linear op too, so
double backward works. Area mode is adaptive average pooling.

grid_sample reads per-sample taps (2, 4 or 8 neighbours, 16 for bicubic) by fancy indexing and
sends gradients back with bincount. Its double backward uses the derivatives of the tap weights
(cross terms for the linear modes, also second derivatives for bicubic); a third derivative
raises.
"""
import itertools
import math
import numbers
import warnings

import numpy as np

from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import samples as S
from ...ops.registry import record, register, INPUTS, not_implemented_node
from .pooling import (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d, linear_map, map_node,
                      is_bf16, wide, Band, separable, _SCALAR)

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "affine_grid", "grid_sample", "channel_shuffle", "native_channel_shuffle"]

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NEEDS = {"linear": 3, "bilinear": 4, "trilinear": 5}
_KERNEL_NAME = {"nearest": "Nearest", "nearest-exact": "NearestExact", "linear": "Linear",
                "bilinear": "Bilinear", "trilinear": "Trilinear", "bicubic": "Bicubic", "lanczos": "Lanczos"}


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


def _linear_band(n_in, n_out, scale, align_corners, dt):
    src = _source_coords(n_in, n_out, scale, align_corners, False, dt)
    i0, lam = _guard(src, n_in, dt)
    i1 = i0 + (i0 < n_in - 1)
    return Band(np.stack([i0, i1]), n_in, w=np.stack([dt.type(1) - lam, lam]))


def _cubic_band(n_in, n_out, scale, align_corners, dt):
    a = dt.type(-0.75)
    src = _source_coords(n_in, n_out, scale, align_corners, True, dt)
    i0, t = _guard(src, n_in, dt)

    def near(x):        # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):         # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one, two = dt.type(1), dt.type(2)
    w = np.stack([far(t + one), near(t), near(one - t), far(two - t)])
    idx = np.stack([np.clip(i0 - 1 + k, 0, n_in - 1) for k in range(4)])
    return Band(idx, n_in, w=w)


def _aa_band(n_in, n_out, scale, align_corners, mode, dt):
    """torch's antialiased weights: the filter stretched by the downscale factor, each output's
    weights normalised to sum to one (bilinear: triangle; bicubic: cubic convolution, a = -0.5;
    lanczos: sinc(x) sinc(x/3) over |x| < 3)."""
    # all in the input's float type, as torch computes them: which taps a window includes can
    # turn on the last bit of center + support
    f = dt.type
    half, one = f(0.5), f(1)
    interp = {"bilinear": 2, "bicubic": 4, "lanczos": 6}[mode]
    sc = _align_scale(n_in, n_out, scale, align_corners, dt)
    support = f(interp) * half * sc if sc >= 1 else f(interp) * half
    inv = one / sc if sc >= 1 else one
    width = int(math.ceil(support)) * 2 + 1
    center = sc * (np.arange(n_out).astype(dt) + half)
    lo = np.maximum(np.trunc(center - support + half), 0).astype(np.int64)
    size = np.clip(np.minimum(np.trunc(center + support + half).astype(np.int64), n_in) - lo, 0, width)
    k = np.arange(width)[:, None]
    x = np.abs(((lo + k).astype(dt) - center + half) * inv)
    if mode == "lanczos":
        w = np.where(x < 3, np.sinc(x) * np.sinc(x / f(3)), f(0)).astype(dt)
    elif mode == "bicubic":
        a = f(-0.5)
        w = np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                     np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, f(0)))
    else:
        w = np.where(x < 1, one - x, f(0))
    valid = k < size
    w = np.where(valid, w, f(0)).astype(dt)
    total = w.sum(axis=0)
    w = np.where(total != 0, w / np.where(total != 0, total, one), w).astype(dt)
    return Band(np.minimum(lo + k, n_in - 1), n_in, w=w, valid=valid)


def _align_scale(n_in, n_out, scale, align_corners, dt):
    if align_corners:
        return dt.type(n_in - 1) / dt.type(n_out - 1) if n_out > 1 else dt.type(0)
    return _scale_value(scale, n_in, n_out, dt)


def _opmath(dtype):
    return np.dtype(np.float64) if dtype == np.float64 else np.dtype(np.float32)


def _resample(input, nd, out_sizes, scales, mode, align_corners, antialias=False):
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
    if x.dtype.kind not in "fV" and not (x.dtype == np.uint8 and mode.startswith("nearest")):
        raise NotImplementedError(f'"{kname}{nd}d_channels_last" not implemented for '
                                  f"'{_SCALAR.get(x.dtype.name, x.dtype.name)}'")
    scales = scales or (None,) * nd
    dt = _opmath(x.dtype)
    bands = []
    for n_in, n_out, sc in zip(sp, out_sizes, scales):
        if antialias:
            bands.append(_aa_band(n_in, n_out, sc, align_corners, mode, dt))
        elif mode in ("nearest", "nearest-exact"):
            bands.append(Band(_nearest_index(n_in, n_out, sc, mode == "nearest-exact", nd == 2)[None], n_in))
        elif mode == "bicubic":
            bands.append(_cubic_band(n_in, n_out, sc, align_corners, dt))
        else:
            bands.append(_linear_band(n_in, n_out, sc, align_corners, dt))
    fwd, adj = map(wide, separable(bands, np.float32 if is_bf16(x) else x.dtype))
    kind = f"Upsample{_KERNEL_NAME[mode]}{nd}D{'Aa' if antialias else ''}Backward"
    return linear_map(input, fwd, adj, kind + "0", kind + "Backward0")


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
    if mode == "lanczos" and input.ndim == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if input.ndim in (3, 4, 5) and (mode in ("nearest", "nearest-exact", "area") or _NEEDS.get(mode) == input.ndim
                                    or (mode in ("bicubic", "lanczos") and input.ndim == 4)):
        if output_size is None:     # torch's output size from a scale: truncated product
            output_size = [int(n * s) for n, s in zip(spatial, scale_factors)]
        if mode == "area":
            return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, output_size)
        return _resample(input, dim, output_size, scale_factors, mode, align_corners, antialias)
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


# ---- affine_grid and grid_sample -------------------------------------------------------------

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _linspace(n, align_corners, dt):
    """torch's base-grid coordinates: n points over [-1, 1], pulled in by (n-1)/n without align_corners."""
    if n <= 1:
        return np.zeros(max(n, 0), dtype=dt)
    r = np.linspace(-1, 1, n).astype(dt)
    return r if align_corners else r * dt.type((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, *spatial, nd) of the affine maps theta (N, nd, nd+1) over a grid of `size`."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.ndim != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.ndim != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    dt = theta._data.dtype
    axes = [_linspace(n, align_corners, dt) for n in spatial]      # (D,) H, W
    nd = len(spatial)
    # base[..., :] = (x, y[, z], 1): the coordinate order is reversed from the dims order
    spatial = [int(v) for v in spatial]
    base = np.ones(tuple(spatial) + (nd + 1,), dtype=dt)
    for k in range(nd):
        shape = [1] * nd
        shape[nd - 1 - k] = spatial[nd - 1 - k]
        base[..., k] = axes[nd - 1 - k].reshape(shape)
    base = base.reshape(-1, nd + 1)
    n = int(size[0])
    out_shape = (n,) + tuple(spatial) + (nd,)

    def fwd(th):
        return np.matmul(base, np.swapaxes(th, 1, 2)).reshape(out_shape)

    def adj(g):
        return np.matmul(np.swapaxes(g.reshape(n, -1, nd), 1, 2), base)

    return linear_map(theta, fwd, adj, "AffineGridGeneratorBackward0", "AffineGridGeneratorBackwardBackward0")


def _source_index(coord, size, padding_mode, align_corners):
    """torch's grid_sampler_compute_source_index (and its derivative) for one coordinate array."""
    if align_corners:
        x, d = (coord + 1) / 2 * (size - 1), coord.dtype.type((size - 1) / 2)
    else:
        x, d = ((coord + 1) * size - 1) / 2, coord.dtype.type(size / 2)
    d = np.full(coord.shape, d, dtype=coord.dtype)
    if padding_mode == "border":
        x, d = _clip(x, d, size)
    elif padding_mode == "reflection":
        if align_corners:
            x, d = _reflect(x, d, 0, 2 * (size - 1))
        else:
            x, d = _reflect(x, d, -1, 2 * size - 1)
        x, d = _clip(x, d, size)
    return x, d


def _clip(x, d, size):
    inside = (x > 0) & (x < size - 1)
    return np.clip(x, 0, size - 1), np.where(inside, d, 0).astype(d.dtype)


def _reflect(x, d, twice_low, twice_high):
    if twice_low == twice_high:
        return np.zeros_like(x), np.zeros_like(d)
    lo, span = twice_low / 2, (twice_high - twice_low) / 2
    t = x - x.dtype.type(lo)
    sign = np.where(t < 0, -1, 1).astype(x.dtype)
    t = np.abs(t)
    extra = np.fmod(t, x.dtype.type(span))
    even = np.floor(t / x.dtype.type(span)) % 2 == 0
    r = np.where(even, extra + x.dtype.type(lo), x.dtype.type(span) - extra + x.dtype.type(lo))
    return r.astype(x.dtype), d * np.where(even, sign, -sign)


def _pad_int(c, size, padding_mode, align_corners):
    """torch's compute_coordinates on integer tap coordinates (bicubic): border/reflection fold them in."""
    if padding_mode == "zeros":
        return c
    f = c.astype(np.float64)
    d = np.zeros_like(f)
    if padding_mode == "reflection":
        f, _ = _reflect(f, d, 0, 2 * (size - 1)) if align_corners else _reflect(f, d, -1, 2 * size - 1)
    return np.clip(f, 0, size - 1).astype(np.int64)


def _cubic_weights(t):
    """torch's cubic convolution coefficients (A = -0.75) of the 4 taps, their first and second
    derivatives in t."""
    a = t.dtype.type(-0.75)
    one, two = t.dtype.type(1), t.dtype.type(2)

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def dnear(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    def dfar(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    def d2near(x):
        return 6 * (a + 2) * x - 2 * (a + 3)

    def d2far(x):
        return 6 * a * x - 10 * a

    w = [far(t + one), near(t), near(one - t), far(two - t)]
    dw = [dfar(t + one), dnear(t), -dnear(one - t), -dfar(two - t)]
    d2w = [d2far(t + one), d2near(t), d2near(one - t), d2far(two - t)]
    return w, dw, d2w


class _GridSample:
    """The taps of one grid_sample call over nd = 2 or 3 spatial dims: per dim a list of (integer
    coordinate, weight, its first and second derivatives in the source coordinate), shared by the
    forward, both gradients and their derivatives (double backward)."""

    def __init__(self, x, grid, mode, padding_mode, align_corners):
        self.shape = x.shape
        nd = x.ndim - 2
        self.nd, self.mode = nd, mode
        sp = x.shape[2:]
        self.axes, self.mult = [], []
        for i in range(nd):             # grid's last axis lists (x, y[, z]): dims in reverse
            size = sp[nd - 1 - i]
            coord = grid[..., i]
            if mode == "bicubic":       # padding acts on the integer taps, not on the coordinate
                if align_corners:
                    src, dsrc = (coord + 1) / 2 * (size - 1), (size - 1) / 2
                else:
                    src, dsrc = ((coord + 1) * size - 1) / 2, size / 2
                base = np.floor(src)
                w, dw, d2w = _cubic_weights(src - base)
                base = base.astype(np.int64)
                taps = [(_pad_int(base - 1 + k, size, padding_mode, align_corners), w[k], dw[k], d2w[k])
                        for k in range(4)]
                mult = np.full(coord.shape, dsrc, dtype=coord.dtype)
            else:
                src, mult = _source_index(coord, size, padding_mode, align_corners)
                zero = np.zeros_like(src)
                if mode == "nearest":
                    taps = [(np.rint(src).astype(np.int64), np.ones_like(src), zero, zero)]
                else:
                    base = np.floor(src)
                    f = src - base
                    base = base.astype(np.int64)
                    one = src.dtype.type(1)
                    taps = [(base, one - f, np.full_like(f, -1), zero), (base + 1, f, np.ones_like(f), zero)]
            self.axes.insert(0, taps)   # stored in dims order (D,) H, W
            self.mult.insert(0, mult)
        self.batch = np.arange(x.shape[0]).reshape((-1,) + (1,) * nd)

    def _combos(self):
        """Each tap combination: (its per-dim taps, clipped indices, in-bounds mask, weight)."""
        sp = self.shape[2:]
        for combo in itertools.product(*self.axes):
            idx = tuple(np.clip(t[0], 0, n - 1) for t, n in zip(combo, sp))
            ok = np.logical_and.reduce([(t[0] >= 0) & (t[0] < n) for t, n in zip(combo, sp)])
            wt = combo[0][1]
            for t in combo[1:]:
                wt = wt * t[1]
            yield combo, idx, ok, wt

    @staticmethod
    def _dweight(combo, i, j=None):
        """d weight / d coord_i (and d coord_j when j is given) of one tap combination."""
        d = combo[i][2] if j is None else combo[i][3] if i == j else combo[i][2] * combo[j][2]
        for k, t in enumerate(combo):
            if k != i and k != j:
                d = d * t[1]
        return d

    def _values(self, x, idx, ok):
        v = x[(self.batch, slice(None)) + idx]          # (N, *out, C)
        return np.moveaxis(np.where(ok[..., None], v, 0), -1, 1)

    def forward(self, x):
        out = None
        for _, idx, ok, wt in self._combos():
            term = self._values(x, idx, ok) * wt[:, None]
            out = term if out is None else out + term
        return out.astype(x.dtype, copy=False)

    def grad_input(self, g, weight=None):
        """The transpose of the sampling: g at each output spread over its taps. weight(combo, wt)
        replaces the tap weights (the double backward spreads with their derivatives)."""
        n, c = self.shape[:2]
        sp = self.shape[2:]
        plane = int(np.prod(sp))
        base = (np.arange(n * c, dtype=np.int64) * plane).reshape((n, c) + (1,) * self.nd)
        total = np.zeros(n * c * plane, dtype=np.float64)
        for combo, idx, ok, wt in self._combos():
            if weight is not None:
                wt = weight(combo, wt)
            flat = np.ravel_multi_index(idx, sp)
            total += np.bincount((base + flat[:, None]).ravel(), weights=(g * (wt * ok)[:, None]).ravel(),
                                 minlength=total.size)
        return total.astype(g.dtype).reshape(self.shape)

    def grad_grid(self, x, g):
        nd = self.nd
        grads = [np.zeros(g.shape[:1] + g.shape[2:], dtype=g.dtype) for _ in range(nd)]
        if self.mode != "nearest":
            for combo, idx, ok, _ in self._combos():
                vg = (self._values(x, idx, ok) * g).sum(axis=1)
                for i in range(nd):
                    grads[i] += vg * self._dweight(combo, i)
        return self._to_grid(grads, g.dtype)

    def _to_grid(self, grads, dtype):
        """Per-dim coordinate gradients (dims order) as a grid gradient (x, y[, z] order)."""
        nd = self.nd
        return np.stack([grads[nd - 1 - k] * self.mult[nd - 1 - k] for k in range(nd)], axis=-1).astype(dtype)

    def _from_grid(self, u):
        """A grid-shaped upstream gradient as per-dim coefficients of d/d coord (dims order)."""
        nd = self.nd
        return [u[..., nd - 1 - i] * self.mult[i] for i in range(nd)]

    def second(self, x, g, ggx, ggrid):
        """Gradients (of g, x, grid) of <ggx, grad_input> + <ggrid, grad_grid>: the double backward."""
        nd = self.nd
        dg = self.forward(ggx) if ggx is not None else np.zeros_like(g)
        dx = None
        dgrid = self.grad_grid(ggx, g) if ggx is not None else np.zeros(g.shape[:1] + g.shape[2:] + (nd,), g.dtype)
        if ggrid is not None and self.mode != "nearest":
            a = self._from_grid(ggrid)

            def coef(combo, wt=None):
                return sum(a[i] * self._dweight(combo, i) for i in range(nd))

            extra = [np.zeros(g.shape[:1] + g.shape[2:], dtype=g.dtype) for _ in range(nd)]
            for combo, idx, ok, _ in self._combos():
                v = self._values(x, idx, ok)
                dg = dg + v * coef(combo)[:, None]
                vg = (v * g).sum(axis=1)
                for j in range(nd):
                    extra[j] += vg * sum(a[i] * self._dweight(combo, i, j) for i in range(nd))
            dx = self.grad_input(g, coef)
            dgrid = dgrid + self._to_grid(extra, g.dtype)
        return dg.astype(g.dtype, copy=False), dx, dgrid


class _GridSampleBase(Node):
    """inputs (input, grid); the taps are rebuilt from the saved grid."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        inputs, _ = self.saved(False)
        x, grid = inputs
        mode, padding_mode, align_corners = self.args
        gd = g._data if tensor_mode else g
        s = _GridSample(x, grid, mode, padding_mode, align_corners)
        gx = s.grad_input(gd) if self.next[0] is not None else None
        gg = s.grad_grid(x, gd) if self.next[1] is not None else None
        if tensor_mode:     # recorded with the double backward below
            inp = (g,) + tuple(self.inputs)
            return (None if gx is None else record(gx, _GridSampleGradInput, inp, self.args),
                    None if gg is None else record(gg, _GridSampleGradGrid, inp, self.args))
        return gx, gg


class _GridSampleSecond(Node):
    """One gradient of grid_sample as a function of (g, input, grid); its backward is the double
    backward (third derivatives are refused)."""
    __slots__ = ()
    save = INPUTS

    def apply(self, u, tensor_mode):
        inputs, _ = self.saved(False)
        g, x, grid = inputs
        ud = u._data if tensor_mode else u
        s = _GridSample(x, grid, *self.args)
        dg, dx, dgrid = s.second(x, g, ud if self.part == 0 else None, ud if self.part == 1 else None)
        out = (dg, dx, dgrid)
        if tensor_mode:
            return tuple(None if a is None else record(a, _GRID_SAMPLE_THIRD, (u,) + tuple(self.inputs)) for a in out)
        return out


_GridSampleNode = type("GridSampler2DBackward0", (_GridSampleBase,), {"__slots__": ()})
_GridSample3DNode = type("GridSampler3DBackward0", (_GridSampleBase,), {"__slots__": ()})
_GridSampleGradInput = type("GridSampler2DBackwardBackward0", (_GridSampleSecond,), {"__slots__": (), "part": 0})
_GridSampleGradGrid = type("GridSampler2DBackwardBackward0", (_GridSampleSecond,), {"__slots__": (), "part": 1})
_GRID_SAMPLE_THIRD = not_implemented_node("grid_sampler_2d_backward_backward")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples input (N, C, [D,] H, W) at the normalised (x, y[, z]) locations of grid (N, *out, nd)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    x, gr = input._data, grid._data
    if x.ndim != gr.ndim or x.ndim not in (4, 5):
        rank = f"{x.ndim}D" if x.ndim in (4, 5) else "4D or 5D"
        raise RuntimeError(f"grid_sampler(): expected {rank} input and grid with same number of dimensions, but "
                           f"got input with sizes {list(x.shape)} and grid with sizes {list(gr.shape)}")
    if x.shape[0] != gr.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(x.shape)} and grid with sizes {list(gr.shape)}")
    if gr.shape[-1] != x.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {x.ndim - 2} in last dimension, but got "
                           f"grid with sizes {list(gr.shape)}")
    if x.dtype != gr.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR.get(x.dtype.name, x.dtype.name)} but found "
                           f"{_SCALAR.get(gr.dtype.name, gr.dtype.name)}")
    if x.ndim == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    s = _GridSample(x, gr, mode, padding_mode, align_corners)
    node = _GridSampleNode if x.ndim == 4 else _GridSample3DNode
    return record(s.forward(x), node, (input, grid), (mode, padding_mode, align_corners))



# ---- channel shuffle -------------------------------------------------------------------------

def _channel_groups(a, g):
    """(N, g*k, *) -> (N, k*g, *): channel i*k + j moves to j*g + i."""
    n, c = a.shape[:2]
    b = a.reshape((n, g, c // g) + a.shape[2:]).swapaxes(1, 2)
    return np.ascontiguousarray(b).reshape(a.shape)


def _channel_shuffle_checks(input, groups):
    x = input._data
    if x.ndim <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(x.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    if x.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {x.shape[1]} channels and "
                           f"{groups} groups.")
    return x


def channel_shuffle(input, groups):
    """Splits the channels into `groups` groups and interleaves them."""
    x = _channel_shuffle_checks(input, groups)
    k = x.shape[1] // groups
    return linear_map(input, lambda a: _channel_groups(a, groups), lambda g: _channel_groups(g, k),
                      "ChannelShuffleBackward0", "ChannelShuffleBackwardBackward0")


_NATIVE_SHUFFLE = not_implemented_node("native_channel_shuffle")


def native_channel_shuffle(input, groups):
    """channel_shuffle without a derivative, as torch's native kernel."""
    x = _channel_shuffle_checks(input, groups)
    return record(_channel_groups(x, groups), _NATIVE_SHUFFLE, (input,))


# ---- top-level torch.grid_sampler / torch.affine_grid_generator ------------------------------

def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    return grid_sample(input, grid, ("bilinear", "nearest", "bicubic")[interpolation_mode],
                       ("zeros", "border", "reflection")[padding_mode], align_corners)


def _grid_sampler_nd(nd):
    def op(input, grid, interpolation_mode, padding_mode, align_corners):
        if input.ndim != nd + 2 or grid.ndim != nd + 2:
            raise RuntimeError(f"grid_sampler(): expected {nd + 2}D input and grid with same number of dimensions, "
                               f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
        return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)
    op.__name__ = op.__qualname__ = f"grid_sampler_{nd}d"
    return op


grid_sampler_2d, grid_sampler_3d = _grid_sampler_nd(2), _grid_sampler_nd(3)


def affine_grid_generator(theta, size, align_corners):
    return affine_grid(theta, size, align_corners)


register(channel_shuffle, node=map_node("ChannelShuffleBackward0"), method=False, samples=S.Spec(
    shapes=[((2, 6, 3),), ((2, 4, 3, 2),)], args=lambda nd: [((2,), {}), ((1,), {})]))
register(native_channel_shuffle, node=_NATIVE_SHUFFLE, method=False, samples=S.Spec(
    shapes=[((2, 6, 3),), ((2, 4, 3, 2),)], grad=False, args=lambda nd: [((2,), {})]))
register(grid_sampler, node=_GridSampleNode, method=False, samples=S.Spec(
    arity=2, shapes=[((2, 3, 5, 6), (2, 4, 7, 2)), ((1, 2, 3, 4, 5), (1, 2, 3, 2, 3))], domain=(-1.2, 1.2),
    args=lambda nd: [((0, 0, False), {}), ((1, 1, True), {}), ((0, 2, False), {})]))
register(grid_sampler_2d, node=_GridSampleNode, method=False, samples=S.Spec(
    arity=2, shapes=[((2, 3, 5, 6), (2, 4, 7, 2))], domain=(-1.2, 1.2),
    args=lambda nd: [((0, 0, False), {}), ((2, 1, True), {})]))
register(grid_sampler_3d, node=_GridSample3DNode, method=False, samples=S.Spec(
    arity=2, shapes=[((1, 2, 3, 4, 5), (1, 2, 3, 2, 3))], domain=(-1.2, 1.2),
    args=lambda nd: [((0, 0, False), {}), ((1, 2, True), {})]))
register(affine_grid_generator, node=map_node("AffineGridGeneratorBackward0"), method=False, samples=S.Spec(
    shapes=[((2, 2, 3),)],
    args=lambda nd: [(((2, 3, 5, 4), False), {}), (((2, 3, 5, 4), True), {}), (((2, 1, 1, 3), False), {})]))
