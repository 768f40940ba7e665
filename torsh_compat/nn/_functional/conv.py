"""Convolutions (F.conv1d/2d/3d, F.conv_transpose1d/2d/3d), as im2col over strided views plus
one batched GEMM per call.

Three bilinear kernels share one geometry (stride, padding, dilation, groups, input and kernel
sizes of the underlying convolution): conv(x, w), its adjoint in x, convT(g, w) (the transposed
convolution, i.e. the input gradient), and its adjoint in w, wgrad(x, g). Each one's gradients
are the other two, so the backward node calls these same ops on Tensors under create_graph and
every order of derivative comes from this one table:

    conv(x, w):   dx = convT(g, w)   dw = wgrad(x, g)
    convT(y, w):  dy = conv(g, w)    dw = wgrad(g, y)
    wgrad(x, y):  dx = convT(y, g)   dy = conv(x, g)
"""
import threading
import warnings

import numpy as np

from ..._errors import shape_mismatch
from ..._tensor import Tensor
from ...autograd.graph import Node, node_class
from ...ops import dual as B
from ...ops import samples as S
from ...ops.registry import record, record_view, register, INPUTS, NONE

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]

_as_strided = np.lib.stride_tricks.as_strided
_C_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}
_SCALAR = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
           "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


class Geom:
    """The underlying convolution: x (N, C, *size) -> y (N, O, *out) with kernel (O, C/groups, *ksize).
    A transposed convolution passes its input's size as `out`: with output_padding >= stride the
    last input rows are then left out of the windows, as in torch."""
    __slots__ = ("stride", "padding", "dilation", "groups", "size", "ksize", "out")

    def __init__(self, stride, padding, dilation, groups, size, ksize, out=None):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.size, self.ksize = tuple(size), tuple(ksize)
        self.out = tuple(out) if out is not None else tuple(
            (n + 2 * p - d * (k - 1) - 1) // s + 1 for n, p, d, k, s in zip(size, padding, dilation, ksize, stride))


# ---- ndarray kernels ------------------------------------------------------------------------

def _compute_dtype(a):
    """Half types multiply in float32 (torch's CPU kernels accumulate in float)."""
    return np.float32 if a.dtype.kind == "f" and a.dtype.itemsize < 4 else None


class _Workspace(threading.local):
    """Per-thread scratch arrays reused from call to call. Columns are large and short-lived, and
    a fresh allocation of that size costs page faults that can exceed the copy into it. Only
    intermediates live here: no returned array is ever a workspace view."""
    limit = 1 << 26     # larger requests are plain allocations, not kept

    def __init__(self):
        self.bufs = {}

    def get(self, name, shape, dtype, zero=False):
        dtype = np.dtype(dtype)
        nbytes = int(np.prod(shape)) * dtype.itemsize
        if nbytes > self.limit:
            return np.zeros(shape, dtype) if zero else np.empty(shape, dtype)
        buf = self.bufs.get(name)
        if buf is None or buf.nbytes < nbytes:
            buf = self.bufs[name] = np.empty(nbytes, np.uint8)
        a = buf[:nbytes].view(dtype).reshape(shape)
        if zero:
            a.fill(0)
        return a


_WS = _Workspace()


def _padded(x, padding):
    """x with `padding` zeros on both sides of each spatial dim (a workspace array)."""
    if not any(padding):
        return x
    shape = x.shape[:2] + tuple(n + 2 * p for n, p in zip(x.shape[2:], padding))
    xp = _WS.get("pad", shape, x.dtype)
    # zero only the borders: the interior is overwritten
    for d, p in enumerate(padding):
        if p:
            lo = (slice(None),) * (d + 2) + (slice(0, p),)
            hi = (slice(None),) * (d + 2) + (slice(shape[d + 2] - p, None),)
            xp[lo] = 0
            xp[hi] = 0
    xp[(slice(None), slice(None)) + tuple(slice(p, p + n) for n, p in zip(x.shape[2:], padding))] = x
    return xp


def _windows(x, geom):
    """The (N, C, *ksize, *out) strided window view of padded x."""
    xp = _padded(x, geom.padding)
    st = xp.strides
    return _as_strided(xp, shape=xp.shape[:2] + geom.ksize + geom.out,
                       strides=st[:2] + tuple(s * d for s, d in zip(st[2:], geom.dilation))
                       + tuple(s * k for s, k in zip(st[2:], geom.stride)), writeable=False)


def im2col(x, geom, scratch=False):
    """(N, C, *size) -> columns (N, C * prod(ksize), L): one copy out of a strided window view.
    scratch: into the workspace, for columns consumed before the next kernel call."""
    view = _windows(x, geom)
    cols = _WS.get("cols", view.shape, x.dtype) if scratch else np.empty(view.shape, x.dtype)
    np.copyto(cols, view)
    return cols.reshape(x.shape[0], x.shape[1] * int(np.prod(geom.ksize)), int(np.prod(geom.out)))


def col2im(cols, geom, scratch=False):
    """The adjoint of im2col: columns (N, C * prod(ksize), L) summed back into (N, C, *size).
    One strided slice-add per kernel offset. scratch: the result is a workspace view."""
    n = cols.shape[0]
    c = cols.shape[1] // int(np.prod(geom.ksize))
    cols = cols.reshape((n, c) + geom.ksize + geom.out)
    pad = geom.padding
    shape = (n, c) + tuple(s + 2 * p for s, p in zip(geom.size, pad))
    xp = _WS.get("flat", shape, cols.dtype, zero=True) if scratch else np.zeros(shape, cols.dtype)
    lead = (slice(None), slice(None))
    for k in np.ndindex(*geom.ksize):
        region = tuple(slice(ki * d, ki * d + s * (o - 1) + 1, s)
                       for ki, d, s, o in zip(k, geom.dilation, geom.stride, geom.out))
        xp[lead + region] += cols[lead + k]
    if not any(pad):
        return xp
    return xp[lead + tuple(slice(p, p + s) for s, p in zip(geom.size, pad))]


def _groups_view(w, groups):
    """(O, Cg, *k) -> (O, Cg*prod(k)), or (G, O/G, Cg*prod(k)) for grouped convolutions."""
    k = int(np.prod(w.shape[1:]))
    if groups == 1:
        return w.reshape(w.shape[0], k)
    return w.reshape(groups, w.shape[0] // groups, k)


def _split_groups(a, groups):
    """(N, C, ...) -> (N, C, L), or (N, G, C/G, L) for grouped convolutions."""
    n, c = a.shape[:2]
    m = int(np.prod(a.shape[2:]))
    return a.reshape(n, c, m) if groups == 1 else a.reshape(n, groups, c // groups, m)


_CHUNK_BYTES = 1 << 23     # columns are built a few samples at a time: bounded memory, warm caches
_EINSUM = {"fwd": "gok,ngkl->ngol", "T": "gok,ngol->ngkl", "w": "ngol,ngkl->gok"}


def _chunks(n, sample_bytes):
    step = max(1, _CHUNK_BYTES // max(sample_bytes, 1))
    return [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _small_groups(w, groups):
    """Grouped weights whose per-group matrices are too small for one BLAS call each to pay
    (depthwise and ResNeXt-like layers): those products go through einsum's loops instead."""
    return groups > 1 and int(np.prod(w.shape)) // groups <= 1024


def _product(kind, a, b, small, out=None):
    """The three column products: fwd w @ cols, T w^T @ y, w (y @ cols^T summed over the batch)."""
    if small:
        return np.einsum(_EINSUM[kind], a, b, out=out)
    if kind == "fwd":
        return np.matmul(a, b, out=out)
    if kind == "T":
        return np.matmul(np.ascontiguousarray(np.swapaxes(a, -1, -2)), b, out=out)
    return np.matmul(a, np.swapaxes(b, -1, -2)).sum(0)


def conv_data(x, w, geom):
    """y = conv(x, w): (N, C, *size) x (O, C/G, *k) -> (N, O, *out); im2col + one GEMM per sample."""
    cd = _compute_dtype(x)
    if cd is not None:
        return conv_data(x.astype(cd), w.astype(cd), geom).astype(x.dtype)
    n, g = x.shape[0], geom.groups
    wg, small = _groups_view(w, g), _small_groups(w, g)
    length = int(np.prod(geom.out))
    out = np.empty((n, w.shape[0], length), np.result_type(x, w))
    for sl in _chunks(n, x.shape[1] * int(np.prod(geom.ksize)) * length * x.itemsize):
        cols = _split_groups(im2col(x[sl], geom, scratch=True), g)
        _product("fwd", wg, cols, small, out[sl].reshape(cols.shape[:-2] + (-1, length)))
    return out.reshape((n, w.shape[0]) + geom.out)


def convT_data(y, w, geom):
    """The transposed convolution, adjoint of conv in x: (N, O, *out) x (O, C/G, *k) -> (N, C, *size)."""
    cd = _compute_dtype(y)
    if cd is not None:
        return convT_data(y.astype(cd), w.astype(cd), geom).astype(y.dtype)
    n, g = y.shape[0], geom.groups
    c = w.shape[1] * g
    wg, small = _groups_view(w, g), _small_groups(w, g)
    unit = all(s == 1 for s in geom.stride) and y.ndim > 3
    out = np.empty((n, c) + geom.size, np.result_type(y, w))
    length = int(np.prod(geom.size)) if unit else int(np.prod(geom.out))
    for sl in _chunks(n, c * int(np.prod(geom.ksize)) * length * y.itemsize):
        if unit:
            out[sl] = _convT_unit_stride(y[sl], wg, small, c, geom)
        else:
            ys = _split_groups(y[sl], g)
            cols = _product("T", wg, ys, small, _cols_T(ys, c // g, geom))
            out[sl] = col2im(cols.reshape(ys.shape[0], -1, ys.shape[-1]), geom, scratch=True)
    return out


def _cols_T(ys, cg, geom):
    """Workspace for w^T @ y: (b, [G,] Cg*prod(k), L) beside ys of (b, [G,] O/G, L)."""
    return _WS.get("colsT", ys.shape[:-2] + (cg * int(np.prod(geom.ksize)), ys.shape[-1]), ys.dtype)


def _convT_unit_stride(y, wg, small, c, geom):
    """convT for stride 1: y's spatial dims after the first are zero-widened to the padded input's,
    so that every kernel offset lands on one contiguous run of the flattened padded input, and
    col2im becomes prod(ksize) contiguous adds."""
    n, o = y.shape[:2]
    pad = geom.padding
    sp = tuple(s + 2 * p for s, p in zip(geom.size, pad))
    wide = _WS.get("wide", (n, o, geom.out[0]) + sp[1:], y.dtype, zero=True)
    wide[(slice(None), slice(None), slice(None)) + tuple(slice(0, m) for m in geom.out[1:])] = y
    ws = _split_groups(wide, geom.groups)
    cols = _product("T", wg, ws, small, _cols_T(ws, c // geom.groups, geom))
    cols = cols.reshape((n, c) + geom.ksize + (cols.shape[-1],))
    run = cols.shape[-1]
    pitch = np.cumprod((1,) + sp[:0:-1])[::-1]      # flat strides of the padded spatial dims
    tail = int(sum((k - 1) * d * p for k, d, p in zip(geom.ksize, geom.dilation, pitch)))
    flat = _WS.get("flat", (n, c, int(np.prod(sp)) + tail), y.dtype, zero=True)
    for k in np.ndindex(*geom.ksize):
        off = int(sum(ki * d * p for ki, d, p in zip(k, geom.dilation, pitch)))
        flat[:, :, off:off + run] += cols[(slice(None), slice(None)) + k]
    xp = flat[:, :, :int(np.prod(sp))].reshape((n, c) + sp)
    return xp[(slice(None), slice(None)) + tuple(slice(p, p + s) for s, p in zip(geom.size, pad))]


def wgrad_data(x, y, geom):
    """The adjoint of conv in w: (N, C, *size) x (N, O, *out) -> (O, C/G, *k)."""
    cd = _compute_dtype(x)
    if cd is not None:
        return wgrad_data(x.astype(cd), y.astype(cd), geom).astype(x.dtype)
    n, g = x.shape[0], geom.groups
    o = y.shape[1]
    shape = (o, x.shape[1] // g) + geom.ksize
    small = _small_groups(np.empty(shape, np.bool_), g)
    acc = None
    for sl in _chunks(n, x.shape[1] * int(np.prod(geom.ksize)) * int(np.prod(geom.out)) * x.itemsize):
        cols = _split_groups(im2col(x[sl], geom, scratch=True), g)
        part = _product("w", _split_groups(y[sl], g), cols, small)
        acc = part if acc is None else np.add(acc, part, out=acc)
    if acc is None:
        return np.zeros(shape, np.result_type(x, y))
    return acc.reshape(shape)


def _bias_grad(g):
    """g summed over spatial dims (pairwise), then over the batch in float64 for float32."""
    g3 = g.reshape(g.shape[0], g.shape[1], int(np.prod(g.shape[2:]))).sum(axis=2)
    if g.dtype == np.float32:
        return g3.sum(axis=0, dtype=np.float64).astype(np.float32)
    return g3.sum(axis=0)


_KERNELS = {"conv": conv_data, "convT": convT_data, "wgrad": wgrad_data}


# ---- autograd -------------------------------------------------------------------------------

class _ConvNode(Node):
    """inputs (a, b[, bias]); args (kind, geom). Gradients from the adjoint table above."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        inputs, _ = self.saved(tensor_mode)
        kind, geom = self.args
        a, b = inputs[0], inputs[1]
        nxt = self.next
        op = _conv_op if tensor_mode else _conv_kernel
        need_a, need_b = nxt[0] is not None, nxt[1] is not None
        if kind == "conv":
            ga = op("convT", g, b, geom) if need_a else None
            gb = op("wgrad", a, g, geom) if need_b else None
        elif kind == "convT":
            ga = op("conv", g, b, geom) if need_a else None
            gb = op("wgrad", g, a, geom) if need_b else None
        else:
            ga = op("convT", b, g, geom) if need_a else None
            gb = op("conv", a, g, geom) if need_b else None
        if len(nxt) == 2:
            return ga, gb
        gbias = None
        if nxt[2] is not None:
            gbias = _bias_grad(g) if not tensor_mode else g.sum(dim=[0] + list(range(2, g.ndim)))
        return ga, gb, gbias


ConvolutionBackward0 = type("ConvolutionBackward0", (_ConvNode,), {"__slots__": ()})
ConvolutionBackwardBackward0 = type("ConvolutionBackwardBackward0", (_ConvNode,), {"__slots__": ()})


def _conv_kernel(kind, a, b, geom):
    return _KERNELS[kind](a, b, geom)


def _conv_op(kind, a, b, geom, bias=None, node=ConvolutionBackwardBackward0, user=False):
    """One of the three kernels on Tensors, recorded in the graph. A user's call always has a
    bias slot (torch's ConvolutionBackward0 has three next_functions)."""
    out = _KERNELS[kind](a._data, b._data, geom)
    if bias is not None:
        out += bias._data.reshape((out.shape[1],) + (1,) * (out.ndim - 2))
    elif not user:
        return record(out, node, (a, b), (kind, geom))
    t = record(out, node, (a, b, bias), (kind, geom))
    if bias is not None and t._node is not None and t._node.versions:
        t._node.versions = t._node.versions[:4]     # the formulas never read the bias
    return t


# ---- argument handling ----------------------------------------------------------------------

def _ints(v, n, name):
    """An int or a sequence of ints, as the list torch shows in its messages."""
    if isinstance(v, (bool, float)) or not isinstance(v, (int, np.integer, tuple, list)):
        raise TypeError(f"argument '{name}' must be tuple of ints, not {type(v).__name__}")
    if isinstance(v, (int, np.integer)):
        return [int(v)] * n
    out = []
    for e in v:
        if isinstance(e, (bool, float)) or not isinstance(e, (int, np.integer)):
            raise TypeError(f"argument '{name}' must be tuple of ints, but found element of type "
                            f"{type(e).__name__} at pos {len(out)}")
        out.append(int(e))
    return out * n if len(out) == 1 else out


def _check_len(vals, name, k):
    if len(vals) != k:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {k} values to "
                           f"match the convolution dimensions, but got {name}={vals}")


def _dims(shape):
    return " x ".join(str(s) for s in shape)


def _check_dtypes(x, w, b):
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR.get(x.dtype.name, x.dtype.name)} but found "
                           f"{_SCALAR.get(w.dtype.name, w.dtype.name)}")
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_C_NAME.get(x.dtype.name)}) and bias type "
                           f"({_C_NAME.get(b.dtype.name)}) should be the same")
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"slow_conv2d_cpu\" not implemented for 'Bool'")


def _convolution(fn, nsp, input, weight, bias, stride, padding, dilation, groups, transposed,
                 output_padding=0):
    """Shared front end of the six functions: checks in torch's order, then one recorded op."""
    for name, v, pos in (("input", input, 1), ("weight", weight, 2)):
        if not isinstance(v, Tensor):
            raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(v).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{fn}(): argument 'bias' (position 3) must be Tensor, not {type(bias).__name__}")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'groups' must be int, not {type(groups).__name__}")
    x, w = input._data, weight._data
    if x.ndim not in (nsp + 1, nsp + 2):
        raise shape_mismatch(
            RuntimeError, f"Expected {nsp + 1}D (unbatched) or {nsp + 2}D (batched) input to {fn}, "
                          f"but got input of size: {list(x.shape)}")
    same = False
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")
        if padding not in ("same", "valid"):
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        same = padding == "same"
        padding = 0
    stride = _ints(stride, nsp, "stride")
    padding = _ints(padding, nsp, "padding")
    dilation = _ints(dilation, nsp, "dilation")
    output_padding = _ints(output_padding, nsp, "output_padding")
    k = w.ndim - 2
    _check_len(stride, "stride", k)
    _check_len(padding, "padding", k)
    _check_len(dilation, "dilation", k)
    if transposed:
        _check_len(output_padding, "output_padding", k)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if same and any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    batched = x.ndim == nsp + 2
    xs = x.shape if batched else (1,) + x.shape
    if w.shape[0] < 1:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least 1 at dimension 0, "
                           f"but got weight of size {list(w.shape)} instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at "
                           f"dimension 0, but got weight of size [{list(w.shape)}] instead")
    if transposed:
        if xs[1] != w.shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected "
                               f"input{list(xs)} to have {w.shape[0]} channels, but got {xs[1]} "
                               f"channels instead")
        out_ch = w.shape[1] * groups
    else:
        if xs[1] != w.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                               f"input{list(xs)} to have {w.shape[1] * groups} channels, but got "
                               f"{xs[1]} channels instead")
        out_ch = w.shape[0]
    if bias is not None:
        b = bias._data
        if b.dtype != x.dtype:
            _check_dtypes(x, x, b)
        if b.ndim != 1 or b.shape[0] != out_ch:
            raise RuntimeError(f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional "
                               f"with {out_ch} elements, but got bias of size {list(b.shape)} instead")
    _check_dtypes(x, w, bias._data if bias is not None else None)
    ksize = w.shape[2:]
    if transposed:
        if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
            names = ("depth", "height", "width")[-nsp:]
            msg = " ".join(f"output_padding_{n}: {v}" for n, v in zip(names, output_padding))
            msg += " " + " ".join(f"stride_{n}: {v}" for n, v in zip(names, stride))
            msg += " " + " ".join(f"dilation_{n}: {v}" for n, v in zip(names, dilation))
            raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got {msg}")
        size = tuple((n - 1) * s - 2 * p + d * (kk - 1) + op + 1 for n, s, p, d, kk, op in
                     zip(xs[2:], stride, padding, dilation, ksize, output_padding))
        if any(n < 0 for n in size):
            raise RuntimeError(f"Given input size per channel: ({_dims(xs[2:])}). Calculated output size "
                               f"per channel: ({_dims(size)}). Output size is too small")
    if not batched:
        input = input.unsqueeze(0)
    if same:
        total = [d * (kk - 1) for d, kk in zip(dilation, ksize)]
        padding = [t // 2 for t in total]
        if any(t % 2 for t in total):
            warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                          "zero-padded copy of the input be created", stacklevel=3)
            from .padding import pad
            extra = []
            for t in reversed(total):
                extra += [0, t % 2]
            input = pad(input, extra)
            xs = input._data.shape
    if transposed:
        geom = Geom(stride, padding, dilation, groups, size, ksize, xs[2:])
        out = _conv_op("convT", input, weight, geom, bias, ConvolutionBackward0, True)
    else:
        eff = [d * (kk - 1) + 1 for d, kk in zip(dilation, ksize)]
        padded = [n + 2 * p for n, p in zip(xs[2:], padding)]
        if any(e > n for e, n in zip(eff, padded)):
            raise RuntimeError(f"Calculated padded input size per channel: ({_dims(padded)}). Kernel size: "
                               f"({_dims(eff)}). Kernel size can't be greater than actual input size")
        geom = Geom(stride, padding, dilation, groups, xs[2:], ksize)
        out = _conv_op("conv", input, weight, geom, bias, ConvolutionBackward0, True)
    return out if batched else _squeeze0(out)


SqueezeBackward1 = node_class("SqueezeBackward1", lambda g, x, out: B.reshape(g, (1,) + tuple(g.shape)), NONE)


def _squeeze0(t):
    """t[0] of an unbatched call's (1, ...) result, as the view torch returns (SqueezeBackward1)."""
    shape = t._data.shape[1:]
    return record_view(t._data.reshape(shape), SqueezeBackward1, t, (), lambda a: a.reshape(shape))


# ---- the torch functions --------------------------------------------------------------------

def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over (N, C, L) or (C, L) input; padding an int, a tuple, 'valid' or 'same'."""
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups, False)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution over (N, C, H, W) or (C, H, W) input."""
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups, False)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution over (N, C, D, H, W) or (C, D, H, W) input."""
    return _convolution("conv3d", 3, input, weight, bias, stride, padding, dilation, groups, False)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """The gradient of conv1d with respect to its input, as a layer; weight is (C_in, C_out/groups, k)."""
    return _convolution("conv_transpose1d", 1, input, weight, bias, stride, padding, dilation, groups,
                        True, output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution; weight is (C_in, C_out/groups, kh, kw)."""
    return _convolution("conv_transpose2d", 2, input, weight, bias, stride, padding, dilation, groups,
                        True, output_padding)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution; weight is (C_in, C_out/groups, kd, kh, kw)."""
    return _convolution("conv_transpose3d", 3, input, weight, bias, stride, padding, dilation, groups,
                        True, output_padding)


# ---- registration (torch.conv2d & co) -------------------------------------------------------

def _conv_args(nd):
    """(stride, padding, dilation); groups follow from the sample's shapes."""
    return [((), {}), ((2, 1, 1), {}), ((1, "same", 2), {}), ((1, "same"), {}), (((2, 1, 2), 1, (1, 2, 1)), {})]


def _conv_t_args(nd):
    """(stride, padding, output_padding, dilation)."""
    return [((), {}), ((2, 1, 1), {}), ((2, 0, 1, 2), {}), (((2, 1, 1), (1, 0, 1), (1, 0, 0), 1), {})]


def _call(name, transposed):
    def call(mod, x, w, b, *args):
        nsp = w.ndim - 2
        args = tuple(a[:nsp] if isinstance(a, tuple) else a for a in args)
        groups = b.shape[0] // w.shape[1] if transposed else x.shape[-nsp - 1] // w.shape[1]
        fn = getattr(mod, name)
        if transposed:
            return fn(x, w, b, *args[:3], groups, *args[3:])
        return fn(x, w, b, *args, groups=groups)
    return call


_SAMPLE_SHAPES = {
    "conv1d": [((2, 4, 9), (6, 2, 3), (6,)), ((2, 4, 7), (4, 4, 2), (4,)), ((4, 6), (6, 2, 3), (6,))],
    "conv2d": [((2, 4, 7, 6), (6, 2, 3, 2), (6,)), ((2, 4, 5, 5), (4, 4, 1, 3), (4,)),
               ((4, 6, 5), (6, 2, 3, 2), (6,))],
    "conv3d": [((2, 2, 4, 5, 4), (4, 1, 2, 3, 2), (4,)), ((2, 4, 3, 4, 3), (2, 4, 1, 2, 2), (2,))],
    "conv_transpose1d": [((2, 4, 5), (4, 3, 3), (6,)), ((4, 6), (4, 2, 3), (4,))],
    "conv_transpose2d": [((2, 4, 4, 3), (4, 3, 3, 2), (6,)), ((4, 3, 5), (4, 2, 2, 3), (4,))],
    "conv_transpose3d": [((2, 4, 3, 2, 3), (4, 1, 2, 3, 2), (2,))],
}

for _fn in (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d):
    _name = _fn.__name__
    register(_fn, node=ConvolutionBackward0, method=False, samples=S.Spec(
        arity=3, call=_call(_name, "transpose" in _name), shapes=_SAMPLE_SHAPES[_name],
        args=_conv_t_args if "transpose" in _name else _conv_args))
