"""Pooling: max, average, adaptive, power-average pooling and max unpooling, as torch computes them.

Windows are read as strided slices of the (padded) input, one vectorised step per kernel offset,
so nothing loops over elements. Max pooling keeps torch's index rules: the first maximum of a
window in row-major kernel order wins, a NaN beats any number (the last NaN wins), and the flat
index is over the spatial plane of the unpadded input. 1-D pooling runs the 2-D kernels on an
unsqueezed input, as torch does.

Every backward here is a fixed linear map of the incoming gradient (a scatter to the argmax, an
even spread over each window, a matrix product), so each node records its gradient as another
linear op whose own backward is the transposed map: double backward costs nothing extra.
"""
import itertools
import numbers

import numpy as np

from ..._errors import shape_mismatch
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import samples as S
from ...ops.registry import record, register, NONE, INPUTS

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
           "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
           "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices", "lp_pool1d", "lp_pool2d",
           "lp_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d", "adaptive_max_pool3d",
           "adaptive_max_pool3d_with_indices", "fractional_max_pool2d", "fractional_max_pool3d",
           "fractional_max_pool2d_with_indices", "fractional_max_pool3d_with_indices"]

_WORDS = {1: "one", 2: "two", 3: "three"}


# ---- linear backward nodes -------------------------------------------------------------------

class _LinearMapNode(Node):
    """Backward that applies a fixed linear map to g. args = (adj, fwd, adj_name, fwd_name): adj
    maps g to the input gradient; fwd is adj's transpose, the backward of that gradient.

    Nodes of ops that torch saves the input for (pooling) declare save = INPUTS, so an in-place
    change of the input, or a second backward without retain_graph, raises as in torch."""
    __slots__ = ()
    save = NONE

    def apply(self, g, tensor_mode):
        if self.versions is not None:
            self.check_saved()
        adj, fwd, adj_name, fwd_name = self.args
        if tensor_mode:
            return (linear_map(g, adj, fwd, adj_name, fwd_name),)
        return (adj(g),)


_NODES = {}


def map_node(name, save=NONE):
    """The linear-map node class of a torch grad_fn name (one class per name)."""
    cls = _NODES.get((name, save))
    if cls is None:
        cls = _NODES[name, save] = type(name, (_LinearMapNode,), {"__slots__": (), "save": save})
    return cls


def linear_map(x, fn, adj, name, adj_name):
    """fn(x) for a linear fn, recorded with a node named `name` whose backward applies adj."""
    return record(fn(x._data), map_node(name), (x,), (adj, fn, adj_name, name))


def is_bf16(a):
    return a.dtype.kind == "V"      # ml_dtypes' bfloat16 is NumPy's only void-kind float here


def wide(fn):
    """fn for arrays of any float type: bfloat16 goes through float32 and is rounded once."""
    def f(a):
        if is_bf16(a):
            return fn(a.astype(np.float32)).astype(a.dtype)
        return fn(a)
    return f


# ---- argument handling -----------------------------------------------------------------------

def _check_tensor(x, fn):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _ints(v, n, fn, name, pos, what):
    """An int or a sequence of 1 or n ints as an n-tuple; `what` is torch's wording of the rule."""
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return (int(v),) * n
    if isinstance(v, (tuple, list)) and all(isinstance(e, numbers.Integral) for e in v):
        if len(v) == 1:
            return (int(v[0]),) * n
        if len(v) == n:
            return tuple(int(e) for e in v)
        tail = f" {_WORDS[n]} ints" if what.endswith(" of") else ""
        raise RuntimeError(f"{fn}: {name} {what}{tail}")
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of ints, "
                    f"not {type(v).__name__}")


def _stride(stride, k, n, fn):
    if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0):
        return k
    return _ints(stride, n, fn, "stride", 3, "must either be omitted, a single int, or a tuple of")


def _trunc_half(v):
    return int(v / 2)     # C's integer division, as torch's checks use


def _out_size(n, k, s, p, d, ceil):
    """torch's pooling output length, with its checks on stride and padding."""
    if s == 0:
        raise RuntimeError("stride should not be zero")
    if p < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
    if p > _trunc_half((k - 1) * d + 1):
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                           f"kernel_size={k} and dilation={d}")
    o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1      # the last window would start in the right padding
    return o


def _shape_check(x, nd, k, s, p, d, out):
    """torch's pool{2,3}d_shape_check, after the output sizes are known."""
    names = ("T", "H", "W") if nd == 3 else ("H", "W")
    if min(k) <= 0:
        raise RuntimeError("kernel size should be greater than zero, but got " +
                           " ".join(f"k{a}: {v}" for a, v in zip(names, k)))
    if min(s) <= 0:
        raise RuntimeError("stride should be greater than zero, but got " +
                           " ".join(f"d{a}: {v}" for a, v in zip(names, s)))
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero, but got " +
                           " ".join(f"dilation{a}: {v}" for a, v in zip(names, d)))
    shp = x.shape
    if x.ndim not in (nd + 1, nd + 2) or any(v == 0 for v in shp[-(nd + 1):]):
        raise shape_mismatch(
            RuntimeError, f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 dim batch "
                          f"size for input, but got:{list(shp)}")
    if any(pi > ki // 2 for pi, ki in zip(p, k)):
        if nd == 2:
            raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                               f"padW = {p[1]}, padH = {p[0]}, kW = {k[1]}, kH = {k[0]}")
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got "
                           f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}")
    if min(out) < 1:
        c = shp[-(nd + 1)]
        raise RuntimeError(f"Given input size: ({'x'.join(str(v) for v in (c,) + shp[-nd:])}). Calculated "
                           f"output size: ({'x'.join(str(v) for v in (c,) + tuple(out))}). Output size is "
                           f"too small")


def _dims_error(x, lo, fn):
    raise RuntimeError(f"Expected {lo} to {lo + 1} dimensions, but got {x.ndim}-dimensional tensor for "
                       f"argument #1 'self' (while checking arguments for {fn})")


_SCALAR = {"bool": "Bool", "float16": "Half", "float32": "Float", "float64": "Double", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte"}


def _type_error(fn, x):
    return NotImplementedError(f'"{fn}" not implemented for \'{_SCALAR.get(x.dtype.name, x.dtype.name)}\'')


# ---- window geometry -------------------------------------------------------------------------

def _tap_slices(nd, k, s, d, out):
    """(offsets, slices) of each kernel tap: the strided slice of the padded input it reads."""
    for t in itertools.product(*(range(ki) for ki in k)):
        yield t, (Ellipsis,) + tuple(slice(ti * di, ti * di + (oi - 1) * si + 1, si)
                                      for ti, di, oi, si in zip(t, d, out, s))


def _padded(a, nd, k, s, p, d, out, fill):
    """a padded with `fill` on the left by p and on the right as far as the last window reaches."""
    sp = a.shape[-nd:]
    right = [max(0, (o - 1) * si + (ki - 1) * di + 1 - n - pi)
             for n, o, ki, si, pi, di in zip(sp, out, k, s, p, d)]
    if not any(p) and not any(right):
        return a
    return np.pad(a, [(0, 0)] * (a.ndim - nd) + list(zip(p, right)), constant_values=fill)


# ---- max pooling -----------------------------------------------------------------------------

def _lowest(dt):
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _max_pool_arrays(a, nd, k, s, p, d, out):
    """(values, winning tap numbers) of max pooling over the last nd dims of a.

    One pass per kernel tap keeps the running max and the number of the winning tap (int16, in
    row-major kernel order); indices and gradients are derived from the tap numbers."""
    low = _lowest(a.dtype)
    ap = _padded(a, nd, k, s, p, d, out, low)
    shape = a.shape[:-nd] + tuple(out)
    # a NaN wins over numbers and the last NaN wins: only then is the comparison widened
    nan = a.dtype.kind == "f" and np.isnan(np.add.reduce(a, axis=None))
    upd = np.empty(shape, dtype=bool)
    taps = _tap_slices(nd, k, s, d, out)
    if ap is a:         # no padding: the first tap is every window's starting point
        _, sl = next(taps)
        best = ap[sl].copy()
        tap = np.zeros(shape, dtype=np.int16)
    else:
        best = np.full(shape, low, dtype=a.dtype)
        tap = np.full(shape, -1, dtype=np.int16)
    for n, (t, sl) in enumerate(taps, start=0 if ap is not a else 1):
        v = ap[sl]
        np.greater(v, best, out=upd)
        if nan:
            upd |= np.isnan(v)
        np.maximum(best, v, out=best)
        np.copyto(tap, n, where=upd)
    if ap is not a:
        missed = tap < 0         # no tap beat the padding value: torch keeps the first in-bounds one
        if missed.any():
            np.copyto(tap, _first_valid_tap(a.shape[-nd:], nd, k, s, p, d, out), where=missed)
    return best, tap


def _first_valid_tap(sp, nd, k, s, p, d, out):
    """Number of each window's first in-bounds tap, broadcast over the output grid."""
    num, mult = 0, 1
    for i in range(nd - 1, -1, -1):
        start = np.arange(out[i], dtype=np.int64) * s[i] - p[i]
        skip = np.minimum(np.maximum(0, -(start // d[i])), k[i] - 1)
        num = num + (skip * mult).reshape((-1,) + (1,) * (nd - 1 - i))
        mult *= k[i]
    return num.astype(np.int16)


def _tap_index(tap, sp, nd, k, s, p, d, out):
    """Flat plane index of each window's winning tap: window origin + the tap's offset."""
    ntaps = int(np.prod(k))
    offsets = np.zeros(ntaps, dtype=np.int64)
    origin, mult = 0, 1
    for i in range(nd - 1, -1, -1):
        offsets += (np.arange(ntaps, dtype=np.int64) // int(np.prod(k[i + 1:])) % k[i]) * d[i] * mult
        o = np.arange(out[i], dtype=np.int64) * s[i] - p[i]
        origin = origin + (o * mult).reshape((-1,) + (1,) * (nd - 1 - i))
        mult *= sp[i]
    idx = offsets.take(tap)
    idx += origin
    return idx


def _scatter_fn(idx, in_shape, nd, overlap):
    """g -> zeros of in_shape with g added at the flat plane indices idx (the max pool backward)."""
    plane = int(np.prod(in_shape[-nd:], dtype=np.int64))
    lead = int(np.prod(in_shape[:-nd], dtype=np.int64))
    per = int(np.prod(idx.shape[-nd:], dtype=np.int64))
    memo = []

    def global_index():     # built on the first backward only: forward-only calls never pay for it
        if not memo:
            memo.append((idx.reshape(lead, per) + (np.arange(lead, dtype=np.int64) * plane)[:, None]).ravel())
        return memo[0]

    def scatter(g):
        gidx = global_index()
        if overlap:
            r = np.bincount(gidx, weights=g.ravel(), minlength=lead * plane).astype(g.dtype, copy=False)
        else:       # each input position is in at most one window: a plain assignment suffices
            r = np.zeros(lead * plane, dtype=g.dtype)
            r[gidx] = g.ravel()
        return r.reshape(in_shape)

    def gather(gg):
        return gg.reshape(-1)[global_index()].reshape(idx.shape)

    return wide(scatter), wide(gather)


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, fn, want_index=True):
    _check_tensor(input, fn)
    x = input._data
    k = _ints(kernel_size, nd, fn, "kernel_size", 2, "must either be a single int, or a tuple of")
    s = _stride(stride, k, nd, fn)
    p = _ints(padding, nd, fn, "padding", 4, "must either be a single int, or a tuple of")
    d = _ints(dilation, nd, fn, "dilation", 5, "must be either a single int, or a tuple of")
    if x.ndim not in (nd + 1, nd + 2):
        raise shape_mismatch(
            RuntimeError, f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")
    out = [_out_size(n, ki, si, pi, di, ceil_mode) for n, ki, si, pi, di in zip(x.shape[-nd:], k, s, p, d)]
    _shape_check(x, nd, k, s, p, d, out)
    if x.dtype.kind == "b":
        raise _type_error(fn, x)
    vals, tap = _max_pool_arrays(x.astype(np.float32) if is_bf16(x) else x, nd, k, s, p, d, out)
    vals = vals.astype(x.dtype, copy=False)
    idx = _tap_index(tap, x.shape[-nd:], nd, k, s, p, d, out)
    overlap = any(si < (ki - 1) * di + 1 for ki, si, di in zip(k, s, d))
    scatter, gather = _scatter_fn(idx, x.shape, nd, overlap)
    name = f"MaxPool{nd}DWithIndicesBackward0"
    t = record(vals, map_node(name, INPUTS), (input,), (scatter, gather, f"MaxPool{nd}DWithIndicesBackwardBackward0",
                                                name))
    return t, (Tensor._make(idx) if want_index else None)


def _max_pool1d_checks(x, k, s, p, d):
    """torch's own max_pool1d checks (its 1-D kernel runs them before the 2-D one)."""
    if x.ndim not in (2, 3):
        raise shape_mismatch(
            RuntimeError, f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch "
                          f"size for input, but got:{list(x.shape)}")
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} "
                           f"and kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")


def _one(v, fn, name, pos):
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{fn}() {name} must be an int, list of ints or tuple of ints of size 1 but "
                               f"got size {len(v)}")
        v = v[0]
    if not isinstance(v, numbers.Integral) or isinstance(v, bool):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be tuple of ints, not "
                        f"{type(v).__name__}")
    return int(v)


def _max_pool1d_impl(input, kernel_size, stride, padding, dilation, ceil_mode, want_index=True):
    _check_tensor(input, "max_pool1d")
    x = input._data
    k = _one(kernel_size, "max_pool1d", "kernel_size", 2)
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        _one(stride, "max_pool1d", "stride", 3)
    p = _one(padding, "max_pool1d", "padding", 4)
    d = _one(dilation, "max_pool1d", "dilation", 5)
    _max_pool1d_checks(x, k, s, p, d)
    o = _out_size(x.shape[-1], k, s, p, d, ceil_mode)
    if o <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {o}")
    vals, idx = _max_pool(input.unsqueeze(-2), 2, (1, k), (1, s), (0, p), (1, d), ceil_mode, "max_pool2d",
                          want_index)
    if idx is not None:
        idx = Tensor._make(idx._data.reshape(idx.shape[:-2] + (idx.shape[-1],)))
    return vals.squeeze(-2), idx


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool1d_impl(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r = _max_pool1d_impl(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    return r if return_indices else r[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r = _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d", return_indices)
    return r if return_indices else r[0]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r = _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, "max_pool3d", return_indices)
    return r if return_indices else r[0]


# ---- average pooling -------------------------------------------------------------------------

def _avg_divisor(sp, nd, k, s, p, out, count_include_pad, divisor_override):
    """The divisor of each output position (broadcast over the out grid), or a scalar override."""
    if divisor_override is not None:
        return divisor_override
    div = 1
    for i in range(nd):
        start = np.arange(out[i], dtype=np.int64) * s[i] - p[i]
        end = np.minimum(start + k[i], sp[i] + p[i])
        if count_include_pad:
            cnt = end - start
        else:
            cnt = np.minimum(end, sp[i]) - np.maximum(start, 0)
        div = div * cnt.reshape((-1,) + (1,) * (nd - 1 - i))
    return div


def _divide(sm, div):
    if sm.dtype.kind in "iu":     # integer pooling truncates toward zero, as C does
        q = np.abs(sm) // np.abs(div)
        return np.where((sm < 0) != (np.asarray(div) < 0), -q, q).astype(sm.dtype)
    return sm / np.asarray(div, dtype=sm.dtype) if not np.isscalar(div) else sm / sm.dtype.type(div)


def _avg_fns(sp, nd, k, s, p, out, div):
    ones = (1,) * nd

    def fwd(a):
        ap = _padded(a, nd, k, s, p, ones, out, 0)
        sm = None
        for _, sl in _tap_slices(nd, k, s, ones, out):
            sm = ap[sl].copy() if sm is None else np.add(sm, ap[sl], out=sm)
        return _divide(sm, div)

    def adj(g):
        gd = _divide(g, div)
        lead = g.shape[:-nd]
        right = [max(0, (o - 1) * si + ki - n - pi) for n, o, ki, si, pi in zip(sp, out, k, s, p)]
        gp = np.zeros(lead + tuple(n + pi + ri for n, pi, ri in zip(sp, p, right)), dtype=g.dtype)
        for _, sl in _tap_slices(nd, k, s, ones, out):
            gp[sl] += gd
        return gp[(Ellipsis,) + tuple(slice(pi, pi + n) for pi, n in zip(p, sp))]

    return fwd, adj


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, fn):
    _check_tensor(input, fn)
    x = input._data
    k = _ints(kernel_size, nd, fn, "kernel_size", 2, "must either be a single int, or a tuple of")
    s = _stride(stride, k, nd, fn)
    p = _ints(padding, nd, fn, "padding", 4, "must either be a single int, or a tuple of")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if x.ndim < nd + 1:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got {-(nd + 1)})")
    ones = (1,) * nd
    out = [_out_size(n, ki, si, pi, 1, ceil_mode) for n, ki, si, pi in zip(x.shape[-nd:], k, s, p)]
    _shape_check(x, nd, k, s, p, ones, out)
    if x.dtype.kind == "b":
        raise _type_error(fn, x)
    div = _avg_divisor(x.shape[-nd:], nd, k, s, p, out, count_include_pad, divisor_override)
    fwd, adj = map(wide, _avg_fns(x.shape[-nd:], nd, k, s, p, out, div))
    name = f"AvgPool{nd}DBackward0"
    return record(fwd(x), map_node(name, INPUTS), (input,), (adj, fwd, f"AvgPool{nd}DBackwardBackward0", name))


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    _check_tensor(input, "avg_pool1d")
    k = _avg1d_arg(kernel_size, "kernel_size")
    s = None if stride is None else _avg1d_arg(stride, "stride")
    p = _avg1d_arg(padding, "padding")
    if input.ndim not in (2, 3):
        _dims_error(input, 2, "avg_pool1d")
    out = _avg_pool(input.unsqueeze(-2), 2, (1, k), None if s is None else (1, s), (0, p), ceil_mode,
                    count_include_pad, None, "avg_pool2d")
    return out.squeeze(-2)


def _avg1d_arg(v, name):
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"avg_pool1d() argument '{name}' should contain one int (got {len(v)})")
        v = v[0]
    return int(v)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override,
                     "avg_pool3d")


# ---- adaptive pooling ------------------------------------------------------------------------

def _check_adaptive_input(x, nd, fn):
    """The checks torch's adaptive pools share: a non-empty spatial plane and a float dtype."""
    for i in range(x.ndim - nd, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but "
                               f"input has sizes {list(x.shape)} with dimension {i} being empty")
    if x.dtype.kind not in "fcV":
        raise _type_error(fn, x)


def _adaptive_bounds(n, o):
    """torch's adaptive windows: start = floor(i*n/o), end = ceil((i+1)*n/o)."""
    i = np.arange(o, dtype=np.int64)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _output_size(output_size, nd, x, fn):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != nd:
            if nd == 1:
                raise RuntimeError(f"{fn}() argument 'output_size' should contain one int (got "
                                   f"{len(output_size)})")
            raise RuntimeError(f"{fn}(): internal error: output_size.size() must be {nd}")
        sizes = tuple(x.shape[x.ndim - nd + i] if v is None else int(v) for i, v in enumerate(output_size))
    else:
        sizes = (int(output_size),) * nd
    return sizes


class Band:
    """One axis of a separable linear map: out[j] = sum over taps t of w[t, j] * in[idx[t, j]].

    Taps are applied as gathers, so a NaN or inf reaches only the outputs that read it (a dense
    matrix would multiply it by zeros everywhere) and the cost stays a few passes whatever the
    sizes; `valid` (optional) drops taps past a window's end. The transpose is itself a Band (for
    each input position, the outputs that read it), built once on first use."""

    def __init__(self, idx, n_in, w=None, valid=None):
        self.idx, self.n_in, self.w, self.valid = idx, n_in, w, valid
        self._t = None

    def _factor(self, t, axis, ndim):
        shape = [1] * ndim
        shape[axis] = -1
        w = None if self.w is None else self.w[t].reshape(shape)
        ok = None if self.valid is None else self.valid[t].reshape(shape)
        return w, ok

    def apply(self, a, axis):
        out = None
        for t in range(len(self.idx)):
            v = np.take(a, self.idx[t], axis=axis)
            w, ok = self._factor(t, axis, a.ndim)
            with np.errstate(invalid="ignore", over="ignore"):     # inf * 0 is NaN in torch too, silently
                if w is not None:
                    v = v * w
                if ok is not None:
                    v = np.where(ok, v, v.dtype.type(0))
                if out is None:
                    out = v
                else:
                    out += v
        if out is None:     # no taps: an empty output axis
            shape = list(a.shape)
            shape[axis] = self.idx.shape[1]
            out = np.zeros(shape, dtype=a.dtype)
        return out

    @property
    def T(self):
        if self._t is None:
            taps, n_out = self.idx.shape
            keep = np.ones(taps * n_out, dtype=bool) if self.valid is None else self.valid.ravel()
            i = self.idx.ravel()[keep]
            j = np.broadcast_to(np.arange(n_out), (taps, n_out)).ravel()[keep]
            order = np.lexsort((j, i))          # by input position, then by output
            i, j = i[order], j[order]
            counts = np.bincount(i, minlength=self.n_in)
            width = int(counts.max()) if counts.size else 0
            slot = np.arange(len(i)) - (np.cumsum(counts) - counts)[i]
            tidx = np.zeros((width, self.n_in), dtype=np.int64)
            tidx[slot, i] = j
            tw = None
            if self.w is not None:
                tw = np.zeros((width, self.n_in), dtype=self.w.dtype)
                tw[slot, i] = self.w.ravel()[keep][order]
            tvalid = np.zeros((width, self.n_in), dtype=bool)
            tvalid[slot, i] = True
            self._t = Band(tidx, n_out, w=tw, valid=None if tvalid.all() else tvalid)
        return self._t

    def transpose(self, g, axis):
        return self.T.apply(g, axis)


def separable(bands, dtype):
    """fwd/adj over the last len(bands) dims (the last axis first), results in `dtype`."""
    nd = len(bands)

    def fwd(a):
        for i in range(nd - 1, -1, -1):
            a = bands[i].apply(a, a.ndim - nd + i)
        return np.ascontiguousarray(a, dtype=dtype)

    def adj(g):
        for i in range(nd - 1, -1, -1):
            g = bands[i].transpose(g, g.ndim - nd + i)
        return np.ascontiguousarray(g, dtype=dtype)

    return fwd, adj


def _adaptive_avg(input, nd, output_size, fn):
    _check_tensor(input, fn)
    x = input._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(x.shape)}")
    sizes = _output_size(output_size, nd, x, fn)
    if min(sizes) < 0:
        shown = ", ".join(str(v) for v in sizes) if nd == 2 else ",".join(str(v) for v in sizes)
        if nd == 3:
            shown = f"{sizes[0]}, {sizes[1]},{sizes[2]}"
        raise RuntimeError(f"{fn}: elements of output_size must be greater than or equal to 0 but received "
                           f"{{{shown}}}")
    _check_adaptive_input(x, nd, fn)
    if all(o == 1 for o in sizes) and not is_bf16(x):       # torch takes the mean over the plane here
        return input.mean(dim=tuple(range(-nd, 0)), keepdim=True)
    bands, div = [], 1
    dt = np.float32 if is_bf16(x) else x.dtype
    for i, (n, o) in enumerate(zip(x.shape[-nd:], sizes)):
        start, end = _adaptive_bounds(n, o)
        width = int((end - start).max()) if o else 0
        taps = start + np.arange(width)[:, None]
        bands.append(Band(np.minimum(taps, n - 1), n, valid=taps < end))
        div = div * (end - start).reshape((-1,) + (1,) * (nd - 1 - i))
    div = div.astype(dt)
    ones_fwd, ones_adj = separable(bands, dt)

    @wide
    def fwd(a):
        return ones_fwd(a) / div

    @wide
    def adj(g):
        return ones_adj(g / div)

    name = f"AdaptiveAvgPool{nd}DBackward0"
    return record(fwd(x), map_node(name, INPUTS), (input,), (adj, fwd, f"AdaptiveAvgPool{nd}DBackwardBackward0",
                                                               name))


def adaptive_avg_pool1d(input, output_size):
    _check_tensor(input, "adaptive_avg_pool1d")
    if input.ndim not in (2, 3):
        _dims_error(input, 2, "adaptive_avg_pool1d")
    o = _one_size(output_size, "adaptive_avg_pool1d")
    if o < 0:
        raise RuntimeError(f"adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 "
                           f"but received {{1, {o}}}")
    return _adaptive_avg(input.unsqueeze(-2), 2, (1, o), "adaptive_avg_pool2d").squeeze(-2)


def _one_size(v, fn):
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{fn}() argument 'output_size' should contain one int (got {len(v)})")
        v = v[0]
    return int(v)


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(input, 2, output_size, "adaptive_avg_pool2d")


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, 3, output_size, "adaptive_avg_pool3d")


def _adaptive_max(input, nd, output_size, fn):
    _check_tensor(input, fn)
    x = input._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(x.shape)}")
    sizes = _output_size(output_size, nd, x, fn)
    if min(sizes) < 0:
        bad = next(v for v in sizes if v < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: "
                           f"{list(x.shape[:-nd]) + list(sizes)}")
    _check_adaptive_input(x, nd, fn)
    dtype = x.dtype
    if is_bf16(x):
        x = x.astype(np.float32)
    sp = x.shape[-nd:]
    bounds = [_adaptive_bounds(n, o) for n, o in zip(sp, sizes)]
    widths = [int((e - b).max()) if len(b) else 0 for b, e in bounds]
    best = np.full(x.shape[:-nd] + sizes, -np.inf, dtype=x.dtype)
    idx = np.zeros(x.shape[:-nd] + sizes, dtype=np.int64)
    for t in itertools.product(*(range(w) for w in widths)):
        pos, valid, flat, mult = [], True, 0, 1
        for i in range(nd - 1, -1, -1):
            b, e = bounds[i]
            pi = b + t[i]
            ok = pi < e
            shape = (-1,) + (1,) * (nd - 1 - i)
            pos.insert(0, np.minimum(pi, sp[i] - 1).reshape(shape))
            valid = valid & ok.reshape(shape)
            flat = flat + (pi * mult).reshape(shape)
            mult *= sp[i]
        v = x[(Ellipsis,) + tuple(pos)]
        if any(t):
            upd = ((v > best) | np.isnan(v)) & valid
        else:
            upd = True      # the first tap is always in its window
        np.copyto(best, v, where=upd)
        np.copyto(idx, flat, where=upd)
    scatter, gather = _scatter_fn(idx, x.shape, nd, True)
    name = f"AdaptiveMaxPool{nd}DBackward0"
    t = record(best.astype(dtype, copy=False), map_node(name, INPUTS), (input,),
               (scatter, gather, f"AdaptiveMaxPool{nd}DBackwardBackward0",
                                                name))
    return t, Tensor._make(idx)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    _check_tensor(input, "adaptive_max_pool1d")
    if input.ndim not in (2, 3):
        _dims_error(input, 2, "adaptive_max_pool1d")
    o = _one_size(output_size, "adaptive_max_pool1d")
    vals, idx = _adaptive_max(input.unsqueeze(-2), 2, (1, o), "adaptive_max_pool2d")
    return vals.squeeze(-2), Tensor._make(idx._data.reshape(idx.shape[:-2] + (idx.shape[-1],)))


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, 2, output_size, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max(input, 3, output_size, "adaptive_max_pool3d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    r = adaptive_max_pool1d_with_indices(input, output_size)
    return r if return_indices else r[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    r = _adaptive_max(input, 2, output_size, "adaptive_max_pool2d")
    return r if return_indices else r[0]


def adaptive_max_pool3d(input, output_size, return_indices=False):
    r = _adaptive_max(input, 3, output_size, "adaptive_max_pool3d")
    return r if return_indices else r[0]


# ---- fractional max pooling ------------------------------------------------------------------

def _fractional_starts(u, n, o, k, dt):
    """torch's pseudo-random window starts for samples u (any shape): the last window ends at n."""
    starts = np.empty(u.shape + (o,), dtype=np.int64)
    if o > 1:
        alpha = dt.type(n - k) / dt.type(o - 1)
        i = np.arange(o - 1).astype(dt)
        u = u.astype(dt)[..., None]
        starts[..., :-1] = ((i + u) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)
    if o > 0:
        starts[..., -1] = n - k
    return starts


def _fractional(input, nd, kernel_size, output_size, output_ratio, samples):
    fn = f"fractional_max_pool{nd}d"
    _check_tensor(input, fn)
    x = input._data
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fn} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if len(output_ratio) > nd:
            raise ValueError(f"{fn} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = tuple(output_ratio) * (nd if len(output_ratio) == 1 else 1)
        output_size = [int(input.shape[i - nd] * ratio[i]) for i in range(nd)]
    if x.ndim < nd + 1:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got {-(nd + 1)})")
    if samples is None:
        from ... import random as _random
        samples = _random.rand(1 if x.ndim == nd + 1 else x.shape[0], x.shape[-(nd + 1)], nd,
                               dtype=input.dtype)
    k = _ints(kernel_size, nd, fn, "kernel_size", 2, "must either be a single Int or tuple of Ints")
    out = _ints(output_size, nd, fn, "output_size", 3, "must either be a single Int or tuple of Ints")
    u = samples._data
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fn}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(x.shape)}")
    batch = 1 if x.ndim == nd + 1 else x.shape[0]
    if u.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if u.shape[1] != x.shape[-(nd + 1)]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if u.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {u.shape[2]}.")
    sp = x.shape[-nd:]
    words = ("time", "height", "width")[3 - nd:]
    for n, o, ki, w in zip(sp, out, k, words):
        if o + ki - 1 > n:
            where = f"{fn}()" if nd == 2 else "fractional_max_pool3d_out()"
            raise RuntimeError(f"{where}: pool {w} {ki} too large relative to input {w} {n}")
    dtype = x.dtype
    xs = x.astype(np.float32) if is_bf16(x) else x
    xb = xs if x.ndim == nd + 2 else xs[None]
    dt = np.dtype(np.float32) if is_bf16(x) or dtype == np.float16 else dtype
    # 2-D samples are (w, h); 3-D samples are (t, h, w)
    order = (1, 0) if nd == 2 else (0, 1, 2)
    starts = [_fractional_starts(u[:batch, :, order[i]], sp[i], out[i], k[i], dt) for i in range(nd)]
    shape = xb.shape[:2] + tuple(out)
    best = np.full(shape, -np.inf, dtype=xb.dtype)
    idx = np.zeros(shape, dtype=np.int64)
    bidx = np.arange(xb.shape[0]).reshape((-1,) + (1,) * (nd + 1))
    cidx = np.arange(xb.shape[1]).reshape((1, -1) + (1,) * nd)
    first = True
    for t in itertools.product(*(range(ki) for ki in k)):
        pos, flat, mult = [], 0, 1
        for i in range(nd - 1, -1, -1):
            shp = starts[i].shape[:2] + tuple(out[i] if j == i else 1 for j in range(nd))
            pi = (starts[i] + t[i]).reshape(shp)
            pos.insert(0, pi)
            flat = flat + pi * mult
            mult *= sp[i]
        v = xb[(bidx, cidx) + tuple(pos)]
        upd = True if first else (v > best) | np.isnan(v)
        np.copyto(best, v, where=upd)
        np.copyto(idx, flat, where=upd)
        first = False
    if not k or min(k) <= 0:      # empty windows: torch's index is the window start
        flat, mult = 0, 1
        for i in range(nd - 1, -1, -1):
            shp = starts[i].shape[:2] + tuple(out[i] if j == i else 1 for j in range(nd))
            flat = flat + starts[i].reshape(shp) * mult
            mult *= sp[i]
        idx[...] = flat
    if x.ndim == nd + 1:
        best, idx = best[0], idx[0]
    scatter, gather = _scatter_fn(idx, x.shape, nd, True)
    name = f"FractionalMaxPool{nd}DBackward0"
    t = record(best.astype(dtype, copy=False), map_node(name, INPUTS), (input,),
               (scatter, gather, f"FractionalMaxPool{nd}DBackwardBackward0", name))
    return t, Tensor._make(idx)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r = _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r = _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]


# ---- power-average pooling (torch composes it from other ops; so do we, for the same graph) ----

def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, nd, max_pool, avg_pool):
    from .activation import relu
    import torsh_compat as torch
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    size = 1
    for v in ((kernel_size,) * nd if isinstance(kernel_size, numbers.Integral) else
              tuple(kernel_size) * (nd if len(kernel_size) == 1 else 1)):
        size *= v
    return (torch.sign(out) * relu(torch.abs(out))).mul(size).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, max_pool1d, avg_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, max_pool2d, avg_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, max_pool3d, avg_pool3d)


# ---- max unpooling ---------------------------------------------------------------------------

def _unpool_size(x, nd, k, s, p, output_size):
    default = [(x.shape[x.ndim - nd + i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(nd)]
    if output_size is None:
        return default
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for i in range(nd):
        lo, hi = default[i] - s[i], default[i] + s[i]
        if not lo < output_size[i] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {i} must be between {lo} and {hi})')
    return output_size


def _max_unpool(input, indices, nd, out_sp):
    x, ix = input._data, indices._data
    if ix.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{_SCALAR.get(ix.dtype.name, ix.dtype.name)}")
    if ix.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(x.shape)}) but got indices tensor with shape: {list(ix.shape)}")
    plane = int(np.prod(out_sp, dtype=np.int64))
    if ix.size and (ix.min() < 0 or ix.max() >= plane):
        bad = ix[(ix < 0) | (ix >= plane)].ravel()[0]
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(str(v) for v in out_sp)})")
    out_shape = x.shape[:-nd] + tuple(out_sp)
    # max pooling's scatter and gather with the roles swapped; a repeated index keeps the last
    # value going forward, while the gather's transpose (double backward) adds them up
    place, pick = _scatter_fn(ix, out_shape, nd, False)
    add_back, _ = _scatter_fn(ix, out_shape, nd, True)
    return record(place(x), map_node(f"MaxUnpool{nd}DBackward0"), (input,),
                  (pick, add_back, f"MaxPool{nd}DWithIndicesBackwardBackward0", f"MaxUnpool{nd}DBackward0"))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    k = _ints(kernel_size, 1, "max_unpool1d", "kernel_size", 3, "must be a single int, or a tuple of")
    s = k if stride is None else _ints(stride, 1, "max_unpool1d", "stride", 4, "must be a single int, or a tuple of")
    p = _ints(padding, 1, "max_unpool1d", "padding", 5, "must be a single int, or a tuple of")
    size = _unpool_size(input._data, 1, k, s, p, output_size)
    out = _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), 2, (size[0], 1))
    return out.squeeze(-1)


def _max_unpool_nd(input, indices, nd, kernel_size, stride, padding, output_size):
    fn = f"max_unpool{nd}d"
    k = _ints(kernel_size, nd, fn, "kernel_size", 3, "must be a single int, or a tuple of")
    s = k if stride is None else _ints(stride, nd, fn, "stride", 4, "must be a single int, or a tuple of")
    p = _ints(padding, nd, fn, "padding", 5, "must be a single int, or a tuple of")
    x = input._data
    size = _unpool_size(x, nd, k, s, p, output_size)
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a "
                           f"tensor with {x.ndim} dimensions.")
    return _max_unpool(input, indices, nd, tuple(size))


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool_nd(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool_nd(input, indices, 3, kernel_size, stride, padding, output_size)


# ---- top-level torch.* forms (torch's own signatures) ----------------------------------------

def _top_max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def _top_max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def _top_max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def _top_max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return max_pool1d_with_indices(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def _top_adaptive_max_pool1d(input, output_size):
    return adaptive_max_pool1d_with_indices(input, output_size)


def _pool_args(nd, with_dilation):
    def args(ndim):
        out = [(((2,) * nd,), {}), ((3, 2, 1), {}), ((3, 2, 1), {"ceil_mode": True}), ((2, 1), {})]
        if with_dilation:
            out.append(((2, 1, 1, 2), {}))
        return out
    return args


def _first(fn):
    return lambda mod, *a, **kw: getattr(mod, fn)(*a, **kw)[0]


for _name, _fn, _nd, _shapes, _extra in [
        ("max_pool1d", _top_max_pool1d, 1, [((2, 3, 7),), ((3, 6),)], {}),
        ("max_pool2d", _top_max_pool2d, 2, [((2, 3, 7, 6),), ((3, 5, 6),)], {}),
        ("max_pool3d", _top_max_pool3d, 3, [((2, 2, 5, 6, 5),), ((2, 5, 5, 6),)], {}),
        ("max_pool1d_with_indices", _top_max_pool1d_with_indices, 1, [((2, 3, 7),)],
         {"call": _first("max_pool1d_with_indices")})]:
    register(_fn, name=_name, node=map_node(f"MaxPool{max(_nd, 2)}DWithIndicesBackward0", INPUTS), method=False,
             samples=S.Spec(shapes=_shapes, distinct=True, args=_pool_args(_nd, True), **_extra))
register(avg_pool1d, node=map_node("AvgPool2DBackward0", INPUTS), method=False, samples=S.Spec(
    shapes=[((2, 3, 7),), ((3, 6),)], args=lambda nd: [
        ((2,), {}), ((3, 2, 1), {}), ((3, 2, 1, True, False), {}), ((2, 1), {})]))
register(adaptive_avg_pool1d, node=map_node("AdaptiveAvgPool2DBackward0", INPUTS), method=False, samples=S.Spec(
    shapes=[((2, 3, 7),), ((3, 6),)], args=lambda nd: [((3,), {}), ((1,), {}), ((5,), {})]))
register(_top_adaptive_max_pool1d, name="adaptive_max_pool1d", node=map_node("AdaptiveMaxPool2DBackward0", INPUTS),
         method=False, samples=S.Spec(shapes=[((2, 3, 7),), ((3, 6),)], distinct=True,
                                      call=_first("adaptive_max_pool1d"),
                                      args=lambda nd: [((3,), {}), ((1,), {}), ((5,), {})]))
