"""Indexing and rearranging ops: gather/scatter, index_*, masked_*, take/put, nonzero/where,
clamp, lerp/addcmul/addcdiv, nan_to_num, tril/triu/diag, flip/roll/repeat, joining (cat, stack,
...) and splitting (split/chunk/tensor_split, as narrow views), broadcasting helpers, and
searchsorted/bucketize/histc/bincount.

Backward formulas run on ndarrays (fast path) and on Tensors (create_graph). The `_d_*` helpers
send a formula's work to a NumPy kernel or, under create_graph, to the differentiable op itself,
so second derivatives come from the same ops. Index arrays and masks inside formulas are
constants: they are read as arrays (B.data) and wrapped by `_const` when a Tensor is needed.
"""
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import node_class
from . import dual as B
from . import samples as S
from .registry import (register, record, backward_node, make_inplace, not_implemented_node, NONE, INPUTS,
                       BOTH)

_I64, _I32, _BOOL = np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.bool_)
_SCALARS = (bool, int, float, complex, np.number, np.bool_)

# the C types torch names in value-conversion messages
_CONV_NAME = {np.dtype(k): v for k, v in ((np.uint8, "uint8_t"), (np.int8, "int8_t"),
                                          (np.int16, "int16_t"), (np.int32, "int"),
                                          (np.int64, "int64_t"), (np.float16, "c10::Half"),
                                          (np.float32, "float"), (np.float64, "double"))}


def _tname(dt):
    return D.legacy_name(np.dtype(dt))


# ---- shared helpers -------------------------------------------------------------------------

def _const(a):
    """A constant Tensor over an ndarray (indices and masks inside backward formulas)."""
    return Tensor._make(np.asarray(a))


def _rec(out, node, inputs, args=(), keep=None):
    """record(), checking in backward only the versions of `keep` (what torch's node saves)."""
    t = record(out, node, inputs, args)
    n = t._node
    if n is not None and keep is not None:
        n.versions = tuple(v for x in keep if isinstance(x, Tensor) for v in (x._vc, x._vc[0])) or None
    return t


def _plain(out):
    """A result without autograd history (integer outputs, non-differentiable ops)."""
    return Tensor._make(np.asarray(out))


def _nd1(a):
    """0-d arrays act as 1-element vectors in the scatter/gather family (torch's ensure_nonempty)."""
    return a.reshape(1) if a.ndim == 0 else a


def _shape1(shape):
    return tuple(shape) if len(shape) else (1,)


def _fill_scalar(value, dt):
    """A Python scalar as a NumPy scalar of dtype dt, with torch's overflow check."""
    if isinstance(value, Tensor):
        value = value.item()
    dt = np.dtype(dt)
    k = dt.kind
    if k == "b":
        return np.bool_(value)
    if k in "iu":
        info = np.iinfo(dt)
        if isinstance(value, (float, np.floating)):
            if value != value or value in (float("inf"), float("-inf")):
                raise RuntimeError(f"value cannot be converted to type {_CONV_NAME[dt]} without overflow")
            value = int(value)
        value = int(value)
        lo = info.min if k == "i" else -int(info.max)    # c10 lets unsigned types wrap negatives
        if not lo <= value <= info.max:
            raise RuntimeError(f"value cannot be converted to type {_CONV_NAME[dt]} without overflow")
        return np.array(value, np.int64).astype(dt)[()]
    if k == "f" and isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        v = float(value)
        if v == v and abs(v) != float("inf") and abs(v) > np.finfo(dt).max:
            raise RuntimeError(f"value cannot be converted to type {_CONV_NAME[dt]} without overflow")
    return dt.type(value)


def _broadcast_shape(*shapes):
    """Broadcast shape with torch's RuntimeError naming the first mismatching dimension."""
    out = ()
    for s in shapes:
        s = tuple(s)
        n = max(len(out), len(s))
        a, b = (1,) * (n - len(out)) + out, (1,) * (n - len(s)) + s
        res = []
        for i in range(n):
            if a[i] == b[i] or b[i] == 1:
                res.append(a[i])
            elif a[i] == 1:
                res.append(b[i])
            else:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b "
                                   f"({b[i]}) at non-singleton dimension {i}")
        out = tuple(res)
    return out


def _first_bad(idx, size):
    return int(idx[(idx < 0) | (idx >= size)][0])


def _check_range(idx, size, dim, exc=RuntimeError, prefix=""):
    """Indices must lie in [0, size): torch's message names the first bad one."""
    if idx.size and (idx.min() < 0 or idx.max() >= size):
        raise exc(f"{prefix}index {_first_bad(idx, size)} is out of bounds for dimension {dim} "
                  f"with size {size}")


def _wrap_index(idx, size, dim, exc=IndexError, prefix=""):
    """Indices in [-size, size), negative ones counted from the end."""
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = int(idx[(idx < -size) | (idx >= size)][0])
        raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")
    return np.where(idx < 0, idx + size, idx) if idx.size and idx.min() < 0 else idx


def _index_data(index, ok, message, exc=RuntimeError, name="index"):
    if not isinstance(index, Tensor):
        raise TypeError(f"argument '{name}' must be Tensor, not {type(index).__name__}")
    a = index._data
    if a.dtype not in ok:
        raise exc(message.format(_tname(a.dtype)))
    return a


_LONG = (_I64,)
_LONG_INT = (_I64, _I32)


# ---- gather / scatter kernels (NumPy) -------------------------------------------------------

def _flat(index, dim, shape):
    """Positions in a C-ordered array of `shape` that scatter/gather address: index[...] along dim,
    each element's own position along the other dims."""
    nd = index.ndim
    step = [1] * nd
    for d in range(nd - 2, -1, -1):
        step[d] = step[d + 1] * shape[d + 1]
    flat = index.astype(np.int64, copy=False) * step[dim] if step[dim] != 1 else \
        index.astype(np.int64, copy=True)
    for d in range(nd):
        if d != dim and index.shape[d] > 1:
            pos = [1] * nd
            pos[d] = index.shape[d]
            flat += (np.arange(index.shape[d]) * step[d]).reshape(pos)
    return flat


def _block(a, shape):
    """The leading block of `a` with the given shape (scatter reads only that part of src)."""
    if a.shape == tuple(shape):
        return a
    return a[tuple(slice(0, n) for n in shape)]


def _gather_np(x, d, idx):
    x1 = np.ascontiguousarray(_nd1(x))
    return np.take(x1.reshape(-1), _flat(_nd1(idx), d, x1.shape)).reshape(idx.shape)


_UFUNC_AT = {"add": np.add.at, "sum": np.add.at, "mean": np.add.at, "multiply": np.multiply.at,
             "prod": np.multiply.at, "amax": np.maximum.at, "amin": np.minimum.at}


def _scatter_into(out, d, idx, src, mode):
    """Write (mode None) or combine src into the C-ordered array `out` at idx along d."""
    flat = _flat(idx, d, out.shape).reshape(-1)
    if isinstance(src, np.ndarray):
        src = _block(_nd1(src), idx.shape).reshape(-1)
    target = out.reshape(-1)
    if mode is None:
        target[flat] = src
    else:
        _UFUNC_AT[mode](target, flat, src)


def _scatter_np(x, d, idx, src, mode=None):
    """x with src written (mode None) or combined by `mode` at idx along d; src an array or scalar."""
    out = np.array(_nd1(x), copy=True, order="C")
    _scatter_into(out, d, _nd1(idx), src, mode)
    return out.reshape(x.shape)


def _identity(reduce, dt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dt.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    if dt.kind == "b":
        return reduce == "amin"
    info = np.iinfo(dt)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce_np(x, d, idx, src, reduce, include_self):
    out = np.array(_nd1(x), copy=True, order="C")
    i1 = _nd1(idx)
    if not include_self:
        _scatter_into(out, d, i1, _identity(reduce, out.dtype), None)
    _scatter_into(out, d, i1, src, reduce)
    if reduce == "mean":
        count = np.full(out.shape, 1 if include_self else 0, np.int64)
        _scatter_into(count, d, i1, 1, "add")
        count[count == 0] = 1
        if out.dtype.kind in "iu":
            out = np.floor_divide(out, count).astype(out.dtype)
        else:
            out = (out / count).astype(out.dtype)
    return out.reshape(x.shape)


def _index_key(d, idx):
    return (slice(None),) * d + (idx,)


# ---- dual helpers: NumPy kernel on arrays, the differentiable op on Tensors ----------------------

def _d_gather(a, d, idx):
    return _gather_np(a, d, idx) if B.is_array(a) else gather(a, d, _const(idx))


def _d_scatter_add_new(shape, d, idx, g):
    """zeros(shape).scatter_add(d, idx, g)."""
    if B.is_array(g):
        return _scatter_np(np.zeros(shape, g.dtype), d, idx, g, "add")
    return scatter_add(g.new_zeros(tuple(shape)), d, _const(idx), g)


def _d_scatter_fill(g, d, idx, value):
    """g.scatter(d, idx, value) for a scalar value."""
    if B.is_array(g):
        return _scatter_np(g, d, idx, g.dtype.type(value))
    return scatter(g, d, _const(idx), value)


def _d_scatter_reduce(x, d, idx, src, reduce, include_self):
    if B.is_array(x) and B.is_array(src):
        return _scatter_reduce_np(x, d, idx, src, reduce, include_self)
    return scatter_reduce(x, d, _const(idx), src, reduce, include_self=include_self)


def _d_pad_to(a, shape):
    """a in the leading block of zeros(shape) (gradients of a src larger than its index)."""
    if tuple(a.shape) == tuple(shape):
        return a
    if B.is_array(a):
        z = np.zeros(shape, a.dtype)
        z[tuple(slice(0, n) for n in a.shape)] = a
        return z
    for k, n in enumerate(shape):
        if a.shape[k] != n:
            pad = list(a.shape)
            pad[k] = n - a.shape[k]
            a = cat([a, a.new_zeros(tuple(pad))], k)
    return a


def _d_index_select(g, d, idx):
    if B.is_array(g):
        return np.take(g, idx, axis=d) if g.ndim else g.reshape(idx.shape[:0])
    return index_select(g, d, _const(idx))


def _d_index_add_new(shape, d, idx, g):
    """zeros(shape).index_add(d, idx, g)."""
    if B.is_array(g):
        if not len(shape):
            return g.sum().reshape(())
        z = np.zeros(shape, g.dtype)
        np.add.at(z, _index_key(d, idx), g)
        return z
    return index_add(g.new_zeros(tuple(shape)), d, _const(idx), g)


def _d_index_fill(g, d, idx, value):
    if B.is_array(g):
        out = np.array(g, copy=True)
        if out.ndim:
            out[_index_key(d, idx)] = value
        else:
            out[...] = value
        return out
    return index_fill(g, d, _const(idx), value)


def _d_where(cond, a, b):
    """where(cond, a, b) for a constant mask; a or b may be a Python scalar."""
    t = a if not isinstance(a, _SCALARS) else b
    if B.is_array(t) and (B.is_array(a) or isinstance(a, _SCALARS)) and \
            (B.is_array(b) or isinstance(b, _SCALARS)):
        dt = t.dtype
        return np.where(cond, dt.type(a) if isinstance(a, _SCALARS) else a,
                        dt.type(b) if isinstance(b, _SCALARS) else b)
    return where(_const(cond), a, b)


def _d_masked_fill(g, mask, value):
    return B.where(mask, value, g) if not B.is_array(g) else np.where(mask, g.dtype.type(value), g)


def _d_take(g, idx):
    return g.reshape(-1)[idx] if B.is_array(g) else take(g, _const(idx))


def _d_put_new(shape, idx, g):
    """zeros(shape).put_(idx, g, accumulate=True)."""
    if B.is_array(g):
        z = np.zeros(int(np.prod(shape)), g.dtype)
        np.add.at(z, idx.reshape(-1), g.reshape(-1))
        return z.reshape(shape)
    return put(g.new_zeros(tuple(shape)), _const(idx), g, accumulate=True)


def _d_index(g, key):
    """g[key] for a key of index/mask arrays."""
    return g[key] if B.is_array(g) else g[tuple(_const(k) for k in key)]


def _d_index_put(g, key, value):
    if B.is_array(g):
        out = np.array(g, copy=True)
        out[key] = value
        return out
    return index_put(g, tuple(_const(k) for k in key), g.new_zeros(()) + value)


# ---- gather / scatter -------------------------------------------------------------------------

def _gather_bw(g, x, index, out, d):
    return _d_scatter_add_new(x.shape, d, B.data(index), g), None


GatherBackward = backward_node("Gather", _gather_bw, INPUTS)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    x = input._data
    idx = _index_data(index, _LONG_INT, "gather(): Expected dtype int32/int64 for index")
    d = _wrap_dim(dim, x.ndim)
    xs, ish = _shape1(x.shape), _shape1(idx.shape)
    if len(xs) != len(ish):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(len(xs)):
        if k != d and ish[k] > xs[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index {list(idx.shape)}"
                               f" to be no larger than self {list(x.shape)} apart from dimension {d}")
    _check_range(idx, xs[d], d)
    return _rec(_gather_np(x, d, idx), GatherBackward, (input, index), (d,), keep=(index,))


def _scatter_checks(op, x, d, idx, src):
    """torch's scatter_shape_check: index no larger than self (apart from dim) and than src."""
    xs, ish = _shape1(x.shape), _shape1(idx.shape)
    if idx.size == 0:
        return
    if len(xs) != len(ish):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    wrong = any(k != d and ish[k] > xs[k] for k in range(len(xs)))
    if src is not None and not wrong:
        ss = _shape1(src.shape)
        for k in range(len(xs)):
            if k >= len(ss):
                n = len(ss)
                raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                                 f"but got {k})")
            if ish[k] > ss[k]:
                wrong = True
                break
    if wrong:
        extra = f" and to be no larger size than src {list(src.shape)}" if src is not None else ""
        raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                           f"{list(x.shape)} apart from dimension {d}{extra}")
    _check_range(idx, xs[d], d)


def _scatter_src_bw(g, x, index, src, out, d):
    idx = B.data(index)
    return (_d_scatter_fill(g, d, idx, 0), None,
            _d_pad_to(_d_gather(g, d, idx), src.shape))


def _scatter_value_bw(g, x, index, out, d):
    return _d_scatter_fill(g, d, B.data(index), 0), None


ScatterBackward = backward_node("ScatterBackward0", _scatter_src_bw, INPUTS)
ScatterValueBackward = backward_node("ScatterBackward1", _scatter_value_bw, INPUTS)
ScatterReduceNotImplemented = not_implemented_node("scatter")


def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing required argument 'src' (a Tensor) or 'value' (a number)")
    x = input._data
    idx = _index_data(index, _LONG_INT, "scatter(): Expected dtype int32/int64 for index")
    d = _wrap_dim(dim, x.ndim)
    is_t = isinstance(src, Tensor)
    if is_t and src._data.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _scatter_checks("scatter", x, d, idx, src._data if is_t else None)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if is_t:
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will "
                          "be removed in a future PyTorch release. Use torch.scatter_reduce instead "
                          "for more reduction options.", UserWarning, stacklevel=2)
        s = src._data if is_t else _fill_scalar(src, x.dtype)
        res = _scatter_np(x, d, idx, s, reduce)
        return _rec(res, ScatterReduceNotImplemented, (input, src) if is_t else (input,), keep=())
    if is_t:
        res = _scatter_np(x, d, idx, src._data)
        return _rec(res, ScatterBackward, (input, index, src), (d,), keep=(index,))
    res = _scatter_np(x, d, idx, _fill_scalar(src, x.dtype))
    return _rec(res, ScatterValueBackward, (input, index), (d,), keep=(index,))


def _scatter_add_bw(g, x, index, src, out, d):
    return g, None, _d_pad_to(_d_gather(g, d, B.data(index)), src.shape)


ScatterAddBackward = backward_node("ScatterAdd", _scatter_add_bw, INPUTS)


def scatter_add(input, dim, index, src, *, out=None):
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add(): argument 'src' (position 4) must be Tensor, not "
                        f"{type(src).__name__}")
    x = input._data
    idx = _index_data(index, _LONG_INT, "scatter(): Expected dtype int32/int64 for index")
    d = _wrap_dim(dim, x.ndim)
    if src._data.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _scatter_checks("scatter_add", x, d, idx, src._data)
    res = _scatter_np(x, d, idx, src._data, "add")
    return _rec(res, ScatterAddBackward, (input, index, src), (d,), keep=(index,))


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_bw(g, x, index, src, out, d, reduce, include_self):
    """torch's scatter_reduce_backward, reduce by reduce (including its tie rule for amax/amin)."""
    idx = B.data(index)
    ish = _shape1(idx.shape)
    xd, sd = B.data(x), _block(_nd1(B.data(src)), ish).reshape(idx.shape)
    src_b = src if tuple(src.shape) == tuple(idx.shape) else \
        (sd if B.is_array(src) else src[tuple(slice(0, n) for n in idx.shape)])
    if reduce == "sum":
        gx, gs = g, _d_gather(g, d, idx)
    elif reduce == "mean":
        n = _scatter_np(np.full(xd.shape, 1 if include_self else 0, np.int64), d, idx,
                        np.ones(idx.shape, np.int64), "add")
        n[n == 0] = 1
        gx = g / B.const(n.astype(xd.dtype), g)
        gs = _d_gather(gx, d, idx)
    elif reduce == "prod":
        self_zero = xd == 0
        masked_self = _d_where(self_zero, 1, x)
        masked_self_result = _d_scatter_reduce(masked_self, d, idx, src_b, "prod", include_self)
        gx = g * masked_self_result / masked_self
        src_zero = sd == 0
        zeros_per_slot = _scatter_np(np.zeros(xd.shape, np.int64), d, idx, src_zero.astype(np.int64), "add")
        single_zero = src_zero & (_gather_np(zeros_per_slot, d, idx) == 1)
        masked_src = _d_where(single_zero, 1, src_b)
        masked_src_result = _d_scatter_reduce(x, d, idx, masked_src, "prod", include_self)
        gs = _d_where(single_zero, _d_gather(g * masked_src_result, d, idx),
                      _d_gather(g * out, d, idx) / _d_where(src_zero, 1, src_b))
    else:
        od = B.data(out)
        value = _gather_np(od, d, idx)
        self_is = (xd == od).astype(od.dtype)
        src_is = (sd == value).astype(od.dtype)
        n = _scatter_np(self_is, d, idx, src_is, "add")
        dist = g / B.const(n, g)
        gx = dist * B.const(self_is, g)
        gs = _d_gather(dist, d, idx) * B.const(src_is, g)
    if not include_self:
        gx = _d_scatter_fill(gx, d, idx, 0)
    return gx, None, _d_pad_to(gs, src.shape)


ScatterReduceBackward = backward_node("ScatterReduce", _scatter_reduce_bw, BOTH)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    x = input._data
    idx = _index_data(index, _LONG_INT, "scatter(): Expected dtype int32/int64 for index")
    d = _wrap_dim(dim, x.ndim)
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if src._data.dtype != x.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _scatter_checks("scatter_reduce", x, d, idx, src._data)
    res = _scatter_reduce_np(x, d, idx, src._data, reduce, include_self)
    return record(res, ScatterReduceBackward, (input, index, src), (d, reduce, include_self))


# ---- index_select / index_add / index_copy / index_fill -----------------------------------------

def _index_select_bw(g, x, index, out, d):
    return _d_index_add_new(x.shape, d, B.data(index).reshape(-1), g), None


IndexSelectBackward = backward_node("IndexSelect", _index_select_bw, INPUTS)


def index_select(input, dim, index, *, out=None):
    x = input._data
    idx = _index_data(index, _LONG_INT, "index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = _wrap_dim(dim, x.ndim)
    iv = idx.reshape(-1)
    if x.ndim == 0:
        if iv.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{iv.size} value(s)")
        _check_range(iv, 1, 0, IndexError)
        res = x.copy()
    else:
        n = x.shape[d]
        if iv.size and (iv.min() < 0 or iv.max() >= n):
            if x.ndim == 1:
                raise IndexError("index out of range in self")
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={_first_bad(iv, n)} "
                               f"axis_dim={n}")
        res = np.take(x, iv, axis=d)
    return _rec(res, IndexSelectBackward, (input, index), (d,), keep=(index,))


def _index_source_check(x, d, iv, src, count_error):
    if x.ndim == 0:
        if src.size != 1 or iv.size != 1:
            raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                               f"specified dimension. Got self.shape = {list(x.shape)} source.shape = "
                               f"{list(src.shape)}")
        return
    ss = _shape1(src.shape)
    if len(ss) <= d or iv.size != ss[d]:
        raise count_error
    if len(ss) != x.ndim or any(ss[k] != x.shape[k] for k in range(x.ndim) if k != d):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified "
                           f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(src.shape)}")


def _index_add_bw(g, x, index, src, out, d, alpha):
    gs = _d_index_select(g, d, B.data(index).reshape(-1)) if len(g.shape) else g
    if alpha != 1:
        gs = gs * alpha
    return g, None, gs


IndexAddBackward = backward_node("IndexAdd", _index_add_bw, INPUTS)


def index_add(input, dim, index, source, *, alpha=1, out=None):
    x = input._data
    idx = _index_data(index, _LONG_INT, "index_add_(): Expected dtype int32/int64 for index but got: {}")
    if idx.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with "
                         f"type: {_tname(idx.dtype)} and size: {list(idx.shape)}")
    d = _wrap_dim(dim, x.ndim)
    s = source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_add_(): self ({_tname(x.dtype)}) and source ({_tname(s.dtype)}) must "
                           f"have the same scalar type")
    iv = idx.reshape(-1)
    ss = _shape1(s.shape)
    _index_source_check(x, d, iv, s, RuntimeError(
        f"index_add_(): Number of indices ({iv.size}) should be equal to source.size(dim): "
        f"({ss[d] if len(ss) > d else 1}), for dim: {d}"))
    _check_range(iv, _shape1(x.shape)[d], d)
    a = _fill_scalar(alpha, x.dtype)
    src = s if alpha == 1 else s * a
    if x.ndim == 0:
        res = (x + src.reshape(())).astype(x.dtype) if x.dtype != _BOOL else x | src.reshape(())
    else:
        res = np.array(x, copy=True)
        np.add.at(res, _index_key(d, iv), src)
    return _rec(res, IndexAddBackward, (input, index, source), (d, alpha), keep=(index,))


def _index_copy_bw(g, x, index, src, out, d):
    iv = B.data(index).reshape(-1)
    gs = _d_index_select(g, d, iv) if len(g.shape) else g
    return _d_index_fill(g, d, iv, 0), None, gs


IndexCopyBackward = backward_node("IndexCopy", _index_copy_bw, INPUTS)


def index_copy(input, dim, index, source, *, out=None):
    x = input._data
    idx = _index_data(index, _LONG, "index_copy_(): Expected a long tensor for index, but got {}")
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    d = _wrap_dim(dim, x.ndim)
    s = source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got "
                           f"(self) {_tname(x.dtype)} and (source) {_tname(s.dtype)}")
    iv = idx.reshape(-1)
    ss = _shape1(s.shape)
    _index_source_check(x, d, iv, s, IndexError(
        f"index_copy_(): Number of indices ({iv.size}) should be equal to source.size(dim) "
        f"({ss[d] if len(ss) > d else 1})"))
    _check_range(iv, _shape1(x.shape)[d], d, IndexError, "index_copy_(): ")
    res = np.array(x, copy=True)
    if x.ndim == 0:
        res[...] = s.reshape(())
    else:
        res[_index_key(d, iv)] = s
    return _rec(res, IndexCopyBackward, (input, index, source), (d,), keep=(index,))


def _index_fill_bw(g, x, index, out, d):
    return _d_index_fill(g, d, B.data(index).reshape(-1), 0), None


def _index_fill_value_bw(g, x, index, value, out, d):
    iv = B.data(index).reshape(-1)
    # each filled position counts once, however often the index names it
    gv = _d_index_select(g, d, np.unique(iv % g.shape[d])) if len(g.shape) else g
    return _d_index_fill(g, d, iv, 0), None, gv.sum()


IndexFillBackward = backward_node("IndexFillBackward0", _index_fill_bw, INPUTS)
IndexFillValueBackward = backward_node("IndexFillBackward1", _index_fill_value_bw, INPUTS)


def index_fill(input, dim, index, value):
    x = input._data
    idx = _index_data(index, _LONG, "index_fill_(): Expected dtype int64 for index.", IndexError)
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    d = _wrap_dim(dim, x.ndim)
    is_t = isinstance(value, Tensor)
    if is_t and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor "
                           f"with {value._data.ndim} dimension(s).")
    iv = _wrap_index(idx.reshape(-1), _shape1(x.shape)[d], d)
    res = np.array(x, copy=True)
    v = value._data.astype(x.dtype) if is_t else _fill_scalar(value, x.dtype)
    if x.ndim == 0:
        if iv.size:
            res[...] = v
    else:
        res[_index_key(d, iv)] = v
    if is_t:
        return _rec(res, IndexFillValueBackward, (input, index, value), (d,), keep=(index,))
    return _rec(res, IndexFillBackward, (input, index), (d,), keep=(index,))


# ---- index_put (the engine of x[adv_index] = v) ----------------------------------------------------

def _put_key(x, indices):
    """NumPy key for index_put's indices, with torch's checks; and the indexed result's shape."""
    key, consumed, shapes = [], 0, []
    if len(indices) > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got {len(indices)})")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(t).__name__}")
        a = t._data
        if a.dtype == _BOOL:
            for j in range(a.ndim):
                if consumed + j >= x.ndim or a.shape[j] != x.shape[consumed + j]:
                    if consumed + j >= x.ndim:
                        break
                    raise IndexError(f"The shape of the mask {list(a.shape)} at index {j} does not match "
                                     f"the shape of the indexed tensor {list(x.shape)} at index "
                                     f"{consumed + j}")
            shapes.append((int(np.count_nonzero(a)),))
            consumed += a.ndim
        elif a.dtype == np.uint8:
            raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                               "unsigned char")
        elif a.dtype in _LONG_INT:
            shapes.append(a.shape)
            consumed += 1
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        key.append(a)
    if consumed > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim} (got {consumed})")
    try:
        lead = np.broadcast_shapes(*shapes) if shapes else ()
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(s)) for s in shapes)) from None
    return tuple(key), tuple(lead) + x.shape[consumed:]


def _index_put_np(out, key, values, accumulate):
    try:
        if accumulate:
            np.add.at(out, key, values)
        else:
            out[key] = values
    except IndexError as e:
        raise IndexError(str(e).replace("for axis", "for dimension")) from None


def _index_put_bw(g, x, values, out, key, accumulate):
    gx = g if accumulate else _d_index_put(g, key, 0)
    return gx, _d_index(g, key)


IndexPutBackward = backward_node("IndexPut", _index_put_bw, NONE)


def index_put(input, indices, values, accumulate=False):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' (position 2) must be tuple of Tensors, not "
                        f"{type(indices).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 3) must be Tensor, not "
                        f"{type(values).__name__}")
    x = input._data
    v = values._data
    if v.dtype != x.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_tname(x.dtype)} for the destination and {_tname(v.dtype)} for the source.")
    key, rshape = _put_key(x, indices)
    if v.ndim and (v.ndim > len(rshape) or
                   any(a != b and a != 1 for a, b in zip(v.shape[::-1], rshape[::-1]))):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(v.shape)} cannot be broadcast "
                           f"to indexing result of shape {list(rshape)}")
    res = np.array(x, copy=True)
    _index_put_np(res, key, v, accumulate)
    return _rec(res, IndexPutBackward, (input, values), (key, bool(accumulate)))


# ---- masks --------------------------------------------------------------------------------------

def _mask_data(mask, message):
    m = mask._data
    if m.dtype != _BOOL:
        raise RuntimeError(message.format(D.c_name(m.dtype), _tname(m.dtype)))
    return m


def _masked_fill_bw(g, x, mask, out):
    return _d_masked_fill(g, B.data(mask), 0), None


def _masked_fill_value_bw(g, x, mask, value, out):
    m = B.data(mask)
    return _d_masked_fill(g, m, 0), None, B.mask(B.const(m, g), g).sum()


MaskedFillBackward = backward_node("MaskedFillBackward0", _masked_fill_bw, INPUTS)
MaskedFillValueBackward = backward_node("MaskedFillBackward1", _masked_fill_value_bw, INPUTS)


def masked_fill(input, mask, value):
    x = input._data
    m = _mask_data(mask, "masked_fill_ only supports boolean masks, but got mask with dtype {}")
    is_t = isinstance(value, Tensor)
    if is_t and value._data.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    v = value._data.astype(x.dtype)[()] if is_t else _fill_scalar(value, x.dtype)
    _broadcast_shape(x.shape, m.shape)
    res = np.where(m, v, x)
    if is_t:
        return _rec(res, MaskedFillValueBackward, (input, mask, value), keep=(mask,))
    return _rec(res, MaskedFillBackward, (input, mask), keep=(mask,))


def _masked_scatter_bw(g, x, mask, source, out):
    m = np.broadcast_to(B.data(mask), tuple(g.shape))
    n = int(np.count_nonzero(m))
    total = int(np.prod(source.shape))
    if B.is_array(g):
        gs = np.zeros(total, g.dtype)
        gs[:n] = g[m]
        gs = gs.reshape(source.shape)
    else:
        gs = masked_select(g, _const(m))
        if total > n:
            gs = cat([gs, g.new_zeros((total - n,))])
        gs = gs.reshape(tuple(source.shape))
    return _d_masked_fill(g, m, 0), None, gs


MaskedScatterBackward = backward_node("MaskedScatter", _masked_scatter_bw, INPUTS)


def masked_scatter(input, mask, source):
    x = input._data
    m = _mask_data(mask, "masked_scatter_ only supports boolean masks, but got mask with dtype {1}")
    s = source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_tname(x.dtype)} and {_tname(s.dtype)}")
    shape = _broadcast_shape(x.shape, m.shape)
    mb = np.broadcast_to(m, shape)
    n = int(np.count_nonzero(mb))
    if s.size < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    res = np.array(np.broadcast_to(x, shape), copy=True)
    res[mb] = s.reshape(-1)[:n]
    return _rec(res, MaskedScatterBackward, (input, mask, source), keep=(mask,))


def _masked_select_bw(g, x, mask, out, shape):
    m = np.broadcast_to(B.data(mask), shape)
    if B.is_array(g):
        z = np.zeros(shape, g.dtype)
        z[m] = g
        return z, None
    return masked_scatter(g.new_zeros(shape), _const(m), g), None


MaskedSelectBackward = backward_node("MaskedSelect", _masked_select_bw, INPUTS)


def masked_select(input, mask, *, out=None):
    x = input._data
    m = _mask_data(mask, "masked_select: expected BoolTensor for mask")
    shape = _broadcast_shape(x.shape, m.shape)
    res = np.broadcast_to(x, shape)[np.broadcast_to(m, shape)]
    return _rec(res, MaskedSelectBackward, (input, mask), (shape,), keep=(mask,))


# ---- take / put / take_along_dim ------------------------------------------------------------------

def _flat_index(idx, n, prefix=""):
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx[(idx < -n) | (idx >= n)][0])
        raise IndexError(f"{prefix}out of range: tried to access index {bad} on a tensor of {n} elements.")


def _take_bw(g, x, index, out):
    return _d_put_new(x.shape, B.data(index), g), None


TakeBackward = backward_node("Take", _take_bw, INPUTS)


def take(input, index):
    x = input._data
    idx = _index_data(index, _LONG, "take(): Expected a long tensor for index, but got {}")
    _flat_index(idx, x.size)
    return _rec(x.reshape(-1)[idx], TakeBackward, (input, index), keep=(index,))


def _put_bw(g, x, index, source, out, accumulate):
    idx = B.data(index)
    if accumulate:
        gx = g
    elif B.is_array(g):
        gx = np.array(g, copy=True, order="C")
        gx.reshape(-1)[idx.reshape(-1)] = 0
    else:
        gx = put(g, _const(idx), g.new_zeros(tuple(idx.shape)))
    return gx, None, _d_take(g, idx).reshape(tuple(source.shape))


PutBackward = backward_node("Put", _put_bw, INPUTS)


def put(input, index, source, accumulate=False):
    x = input._data
    idx = _index_data(index, _LONG, "put_(): Expected a long tensor for index, but got {}")
    s = source._data
    if s.dtype != x.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_tname(x.dtype)} and source.dtype = {_tname(s.dtype)}")
    if s.size != idx.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but "
                         f"got source.numel() = {s.size}, index.numel() = {idx.size}")
    _flat_index(idx, x.size)
    res = np.array(x, copy=True, order="C")
    flat = res.reshape(-1)
    if accumulate:
        np.add.at(flat, idx.reshape(-1), s.reshape(-1))
    else:
        flat[idx.reshape(-1)] = s.reshape(-1)
    return _rec(res, PutBackward, (input, index, source), (bool(accumulate),), keep=(index,))


def take_along_dim(input, indices, dim=None, *, out=None):
    x = input._data
    idx = _index_data(indices, _LONG, "torch.take_along_dim(): dtype of indices should be Long but got {}")
    if dim is None:
        return gather(input.view(-1), 0, indices.view(-1))
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if x.ndim != idx.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of "
                           f"dimensions, but got {x.ndim} dimensions for input, and {idx.ndim} "
                           f"dimensions for indices")
    d = _wrap_dim(dim, x.ndim)
    n = _shape1(x.shape)[d]
    if n and idx.size and (idx.min() < 0 or idx.max() >= n):
        idx = np.mod(idx, n)       # torch wraps indices along dim
    if x.ndim:
        ishape = _broadcast_shape(x.shape[:d] + (idx.shape[d],) + x.shape[d + 1:], idx.shape)
        xshape = _broadcast_shape(idx.shape[:d] + (x.shape[d],) + idx.shape[d + 1:], x.shape)
        idx = np.broadcast_to(idx, ishape)
        if xshape != x.shape:
            input = input.expand(xshape)
    return gather(input, d, _const(np.ascontiguousarray(idx)))


# ---- nonzero / where ----------------------------------------------------------------------------

def nonzero(input, *, out=None, as_tuple=False):
    x = input._data
    if as_tuple:
        if x.ndim == 0:
            return (_plain(np.zeros(int(bool(x)), np.int64)),)
        return tuple(_plain(i.astype(np.int64, copy=False)) for i in np.nonzero(x))
    return _plain(np.argwhere(x).astype(np.int64, copy=False))


def argwhere(input):
    return nonzero(input)


def _where_bw(g, cond, a, b, out):
    c = B.data(cond).astype(bool, copy=False)
    ga = None if isinstance(a, _SCALARS) else B.mask(c, g)
    gb = None if isinstance(b, _SCALARS) else B.mask(~c, g)
    return None, ga, gb


WhereBackward = backward_node("Where", _where_bw, INPUTS)


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() missing required argument: both 'input' and 'other' are needed")
    c = condition._data
    if c.dtype != _BOOL:
        if c.dtype != np.uint8:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with "
                               f"dtype {_tname(c.dtype)}")
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be "
                      "removed in a future version of PyTorch. Use a boolean condition instead.",
                      UserWarning, stacklevel=2)
        c = c.astype(bool)
    for name, v in (("input", input), ("other", other)):
        if not isinstance(v, (Tensor,) + _SCALARS):
            raise TypeError(f"where(): argument '{name}' must be Tensor or Number, not {type(v).__name__}")
    dt = D.to_np(D.result_type(input, other))
    a = input._data.astype(dt, copy=False) if isinstance(input, Tensor) else _fill_scalar(input, dt)
    b = other._data.astype(dt, copy=False) if isinstance(other, Tensor) else _fill_scalar(other, dt)
    shape = _broadcast_shape(c.shape, np.shape(a), np.shape(b))
    res = np.where(c, a, b)
    if res.shape != shape:
        res = np.broadcast_to(res, shape).copy()
    return _rec(res, WhereBackward, (condition, input, other), keep=(condition,))


# ---- clamp ------------------------------------------------------------------------------------

def _bounds_mask(xd, lo, hi):
    if lo is None:
        return xd <= hi
    if hi is None:
        return xd >= lo
    return (xd >= lo) & (xd <= hi)


def _clamp_scalar_bw(g, x, out, lo, hi):
    m = _bounds_mask(B.data(x), lo, hi)
    return B.mask(m if B.is_array(g) else _const(m), g)


def _clamp_tensor_bw(g, x, lo, hi, out):
    xd = B.data(x)
    lod = None if lo is None else B.data(lo)
    hid = None if hi is None else B.data(hi)
    if lod is not None and hid is not None:
        masks = ((xd >= lod) & (xd <= hid), (xd < lod) & (lod < hid), (xd > hid) | (hid < lod))
    elif lod is not None:
        masks = (xd >= lod, xd < lod, None)
    else:
        masks = (xd <= hid, None, xd > hid)
    return tuple(None if m is None else B.mask(B.const(m, g), g) for m in masks)


ClampBackward1 = backward_node("ClampBackward1", _clamp_scalar_bw, INPUTS)
ClampMinBackward0 = backward_node("ClampMinBackward0", _clamp_scalar_bw, INPUTS)
ClampMaxBackward0 = backward_node("ClampMaxBackward0", _clamp_scalar_bw, INPUTS)
ClampBackward0 = backward_node("ClampBackward0", _clamp_tensor_bw, INPUTS)
ClampMinBackward1 = backward_node("ClampMinBackward1", _clamp_tensor_bw, INPUTS)
ClampMaxBackward1 = backward_node("ClampMaxBackward1", _clamp_tensor_bw, INPUTS)


def _clamp_scalars(input, lo, hi, node):
    dt = D.to_np(D.result_type(input, *(v for v in (lo, hi) if v is not None)))
    x = input._data.astype(dt, copy=False)
    res = x
    if lo is not None:
        lo = _fill_scalar(lo, dt)
        res = np.maximum(res, lo)
    if hi is not None:
        hi = _fill_scalar(hi, dt)
        res = np.minimum(res, hi)
    if res is x:
        res = x.copy()
    return record(res, node, (input,), (lo, hi))


def _clamp_tensors(input, lo, hi, node):
    dt = D.to_np(D.result_type(input, *(v for v in (lo, hi) if v is not None)))
    res = input._data.astype(dt, copy=False)
    shapes = [input._data.shape]
    if lo is not None:
        shapes.append(lo._data.shape)
        res = np.maximum(res, lo._data.astype(dt, copy=False))
    if hi is not None:
        shapes.append(hi._data.shape)
        res = np.minimum(res, hi._data.astype(dt, copy=False))
    _broadcast_shape(*shapes)
    if res is input._data:
        res = res.copy()
    return record(res, node, (input, lo, hi))


def _clamp_mixed(name, lo, hi):
    return TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, min="
                     f"{type(lo).__name__}, max={type(hi).__name__}), but expected one of:\n"
                     f" * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
                     f" * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)")


def clamp(input, min=None, max=None, *, out=None):
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    lo_t, hi_t = isinstance(min, Tensor), isinstance(max, Tensor)
    if lo_t or hi_t:
        if (min is not None and not lo_t) or (max is not None and not hi_t):
            raise _clamp_mixed("clamp", min, max)
        return _clamp_tensors(input, min, max, ClampBackward0)
    return _clamp_scalars(input, min, max, ClampBackward1)


def _one_bound(name, bound):
    if bound is None or not isinstance(bound, (Tensor,) + _SCALARS):
        raise TypeError(f"{name}() received an invalid combination of arguments - got (Tensor, "
                        f"{type(bound).__name__}), but expected one of:\n"
                        f" * (Tensor input, Tensor {name[-3:]}, *, Tensor out = None)\n"
                        f" * (Tensor input, Number {name[-3:]}, *, Tensor out = None)")


def clamp_min(input, min):
    _one_bound("clamp_min", min)
    if isinstance(min, Tensor):
        return _clamp_tensors(input, min, None, ClampMinBackward1)
    return _clamp_scalars(input, min, None, ClampMinBackward0)


def clamp_max(input, max):
    _one_bound("clamp_max", max)
    if isinstance(max, Tensor):
        return _clamp_tensors(input, None, max, ClampMaxBackward1)
    return _clamp_scalars(input, None, max, ClampMaxBackward0)


# ---- lerp / addcmul / addcdiv / nan_to_num ------------------------------------------------------

def _lerp_np(x, e, w):
    if isinstance(w, np.ndarray):
        return np.where(np.abs(w) < 0.5, x + w * (e - x), e - (e - x) * (1 - w))
    return x + w * (e - x) if abs(w) < 0.5 else e - (e - x) * (1 - w)


LerpBackward0 = backward_node("LerpBackward0",
                              lambda g, x, e, out, w: (g * (1 - w), g * w), NONE)
LerpBackward1 = backward_node("LerpBackward1",
                              lambda g, x, e, w, out: (g * (1 - w), g * w, g * (e - x)), INPUTS)


def lerp(input, end, weight, *, out=None):
    x, e = input._data, end._data
    if e.dtype != x.dtype:
        raise RuntimeError(f"expected dtype {D.c_name(x.dtype)} for `end` but got dtype "
                           f"{D.c_name(e.dtype)}")
    is_t = isinstance(weight, Tensor)
    if x.dtype.kind not in "fc":
        kernel = "lerp_kernel_tensor" if is_t else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_tname(x.dtype)}'")
    if is_t:
        w = weight._data
        if w.dtype != x.dtype:
            if w.ndim:
                raise RuntimeError(f"expected dtype {D.c_name(x.dtype)} for `weight` but got "
                                   f"dtype {D.c_name(w.dtype)}")
            w = w.astype(x.dtype)
        _broadcast_shape(x.shape, e.shape, w.shape)
        return _rec(_lerp_np(x, e, w), LerpBackward1, (input, end, weight), keep=(input, end, weight))
    _broadcast_shape(x.shape, e.shape)
    w = float(weight)
    return record(_lerp_np(x, e, w), LerpBackward0, (input, end), (w,))


def _addc_args(input, tensor1, tensor2, value):
    dt = D.to_np(D.result_type(input, tensor1, tensor2))
    arrays = tuple(t._data.astype(dt, copy=False) for t in (input, tensor1, tensor2))
    _broadcast_shape(*(a.shape for a in arrays))
    v = value if dt.kind in "fc" else int(value)
    return dt, arrays, v


AddcmulBackward = backward_node("Addcmul", lambda g, x, t1, t2, out, v: (
    g, g * (t2 * v), g * (t1 * v)), INPUTS)
AddcdivBackward = backward_node("Addcdiv", lambda g, x, t1, t2, out, v: (
    g, g * (v / t2), -g * (v * t1 / (t2 * t2))), INPUTS)


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    dt, (a, b, c), v = _addc_args(input, tensor1, tensor2, value)
    if dt == _BOOL:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    res = a + v * b * c
    return record(res.astype(dt, copy=False), AddcmulBackward, (input, tensor1, tensor2), (value,))


_ADDCDIV_INT = ("Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
                "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                "for all dtypes.")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError(_ADDCDIV_INT)
    dt, (a, b, c), v = _addc_args(input, tensor1, tensor2, value)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = a + v * b / c
    return record(res.astype(dt, copy=False), AddcdivBackward, (input, tensor1, tensor2), (value,))


def _nan_to_num_bw(g, x, out):
    m = np.isfinite(B.data(x))
    return B.mask(B.const(m, g), g)


NanToNumBackward = backward_node("NanToNum", _nan_to_num_bw, INPUTS)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    x = input._data
    if x.dtype.kind not in "fc":
        return _plain(x.copy())
    fi = np.finfo(x.dtype)
    res = np.nan_to_num(x, nan=nan, posinf=fi.max if posinf is None else posinf,
                        neginf=fi.min if neginf is None else neginf)
    return record(res, NanToNumBackward, (input,))


# ---- triangles and diagonals --------------------------------------------------------------------

def _tri(name, np_fn):
    node = backward_node(name.capitalize(), lambda g, x, out, k: _d_tri(g, k), NONE)

    def _d_tri(g, k):
        return np_fn(g, k) if B.is_array(g) else op(g, k)

    def op(input, diagonal=0, *, out=None):
        x = input._data
        if x.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return record(np_fn(x, diagonal), node, (input,), (diagonal,))

    op.__name__ = op.__qualname__ = name
    return op, node


tril, TrilBackward = _tri("tril", np.tril)
triu, TriuBackward = _tri("triu", np.triu)


def _set_diagonal(z, values, offset, d1, d2):
    """Write `values` (diagonal last, as np.diagonal lays it out) on z's offset diagonal of d1, d2."""
    zv = np.moveaxis(z, (d1, d2), (-2, -1))
    n = values.shape[-1]
    rows = np.arange(n) + max(-offset, 0)
    zv[..., rows, rows + offset] = values
    return z


def _d_diagonal(g, offset, d1, d2):
    return np.diagonal(g, offset, d1, d2).copy() if B.is_array(g) else g.diagonal(offset, d1, d2)


DiagEmbedBackward = backward_node("DiagEmbed", lambda g, x, out, o, d1, d2: _d_diagonal(g, o, d1, d2),
                                  NONE)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    x = input._data
    nd = x.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = abs(offset) + x.shape[_wrap_dim(-1, x.ndim)]
    shape = list(x.shape[:-1])
    shape.insert(min(d1, d2), m)
    shape.insert(max(d1, d2), m)
    z = _set_diagonal(np.zeros(shape, x.dtype), x, offset, d1, d2)
    return record(z, DiagEmbedBackward, (input,), (offset, d1, d2))


def _diagonal_copy_bw(g, x, out, offset, d1, d2):
    if B.is_array(g):
        return _set_diagonal(np.zeros(x.shape, g.dtype), g, offset, d1, d2)
    import torsh_compat as torch
    return torch.diagonal_scatter(g.new_zeros(tuple(x.shape)), g, offset, d1, d2)


DiagonalCopyBackward = node_class("DiagonalBackward0_copy", _diagonal_copy_bw, INPUTS)


def diagonal_copy(input, offset=0, dim1=0, dim2=1, *, out=None):
    x = input._data
    d1, d2 = _wrap_dim(dim1, x.ndim), _wrap_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return record(np.diagonal(x, offset, d1, d2).copy(), DiagonalCopyBackward, (input,), (offset, d1, d2))


def diag(input, diagonal=0, *, out=None):
    nd = input._data.ndim
    if nd == 1:
        return diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return diagonal_copy(input, diagonal)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


def diagflat(input, offset=0):
    return diag_embed(input.reshape(-1), offset, 0, 1)


# ---- flip / roll / repeat ---------------------------------------------------------------------------

def _dims(dims, nd):
    out = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(out)) != len(out):
        dup = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    return out


def _flip_np(x, dims):
    return np.flip(x, dims).copy() if dims and x.ndim else x.copy()


FlipBackward = backward_node("Flip", lambda g, x, out, dims: (
    _flip_np(g, dims) if B.is_array(g) else flip(g, dims)), NONE)


def flip(input, dims):
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    x = input._data
    ds = _dims(dims, x.ndim)
    return record(_flip_np(x, ds), FlipBackward, (input,), (ds,))


def _flip_method(self, *dims):
    return flip(self, dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims)


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _roll_np(x, shifts, dims):
    if x.size == 0:
        return x.copy()
    return np.roll(x, shifts, dims if dims else None)


RollBackward = backward_node("Roll", lambda g, x, out, shifts, dims: (
    _roll_np(g, tuple(-s for s in shifts), dims) if B.is_array(g)
    else roll(g, tuple(-s for s in shifts), dims or None)), NONE)


def roll(input, shifts, dims=None):
    x = input._data
    shifts = (int(shifts),) if isinstance(shifts, (int, np.integer)) else tuple(int(s) for s in shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims) and not (not dims and len(shifts) == 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    if dims and x.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    ds = tuple(_wrap_dim(d, x.ndim) for d in dims)
    return record(_roll_np(x, shifts if ds else shifts[0], ds), RollBackward, (input,), (shifts, ds))


def _repeat_bw(g, x, out, sizes, xs):
    inter = []
    for s, n in zip(sizes, xs):
        inter += [s, n]
    axes = tuple(range(0, 2 * len(sizes), 2))
    if B.is_array(g):
        return g.reshape(inter).sum(axis=axes)
    return g.reshape(tuple(inter)).sum(dim=axes)


RepeatBackward = backward_node("Repeat", _repeat_bw, NONE)


def _int_sizes(sizes, op, arg):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) or \
            len(sizes) == 1 and type(sizes[0]).__name__ == "Size":
        sizes = sizes[0]
    out = []
    for s in sizes:
        if isinstance(s, Tensor) and s._data.ndim == 0 and s._data.dtype.kind in "iu":
            s = int(s._data)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"{op}(): argument '{arg}' (position 1) must be tuple of ints, not "
                            f"{type(s).__name__}")
        out.append(int(s))
    return tuple(out)


def repeat(input, *sizes):
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    sizes = _int_sizes(sizes, "repeat", "repeats")
    x = input._data
    if len(sizes) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    xs = (1,) * (len(sizes) - x.ndim) + x.shape
    target = tuple(a * b for a, b in zip(sizes, xs))
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{next(t for t in target if t < 0)}: {list(target)}")
    return record(np.tile(x.reshape(xs), sizes), RepeatBackward, (input,), (sizes, xs))


def tile(input, dims):
    dims = _int_sizes((dims,), "tile", "dims")
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


def _tile_method(self, *dims):
    return tile(self, dims[0] if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)) else dims)


def _repeats_array(repeats):
    r = repeats._data
    if r.dtype.kind not in "iu":
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{_tname(r.dtype)}'")
    return r


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    if repeats is None:        # torch.repeat_interleave(repeats): the indices it would repeat
        r = _repeats_array(input)
        if r.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.size and r.min() < 0:
            raise RuntimeError("repeats can not be negative")
        res = np.repeat(np.arange(r.size, dtype=r.dtype), r)
        if output_size is not None and output_size != res.size:
            raise RuntimeError("allocated size does not match required size")
        return _plain(res)
    if isinstance(repeats, Tensor):
        r = _repeats_array(repeats)
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    else:
        r = np.asarray(int(repeats))
        if r < 0:
            raise RuntimeError("Repeats must be non-negative")
    if dim is None:
        src, d = input.reshape(-1), 0
    else:
        if input._data.ndim == 0:
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        src, d = input, _wrap_dim(dim, input._data.ndim)
    n = src._data.shape[d]
    if r.ndim == 1 and r.size != 1 and r.size != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {r.size} and input.size({d}) = {n}")
    if r.size and r.min() < 0:
        raise RuntimeError("repeats can not be negative")
    idx = np.repeat(np.arange(n), np.broadcast_to(r.reshape(-1), (n,)))
    if output_size is not None and output_size != idx.size:
        raise RuntimeError("allocated size does not match required size")
    return index_select(src, d, _const(idx))


# ---- joining ----------------------------------------------------------------------------------

def _tensor_list(tensors, op):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = tuple(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def _cat_bw(g, *rest):
    d, bounds = rest[-2], rest[-1]
    pre = (slice(None),) * d
    empty = None
    grads = []
    for b in bounds:
        if b is None:      # a skipped 1-d empty input still gets its (empty) gradient
            empty = (np.zeros((0,), g.dtype) if B.is_array(g) else g.new_zeros((0,))) if empty is None else empty
            grads.append(empty)
        else:
            grads.append(g[pre + (slice(b[0], b[1]),)])
    return tuple(grads)


CatBackward = backward_node("Cat", _cat_bw, NONE)


def cat(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    arrays = [t._data for t in tensors]
    for i, a in enumerate(arrays):
        if a.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    dt = D.to_np(D.result_type(*tensors))
    # torch's legacy rule: 1-d empty tensors take no part in the shape checks
    kept = [i for i, a in enumerate(arrays) if not (a.ndim == 1 and a.shape[0] == 0)]
    if not kept:
        return record(np.zeros((0,), dt), CatBackward, tensors, (0, [None] * len(arrays)))
    ref = arrays[kept[0]]
    d = _wrap_dim(dim, ref.ndim)
    for i in kept[1:]:
        a = arrays[i]
        if a.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
        for k in range(ref.ndim):
            if k != d and a.shape[k] != ref.shape[k]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref.shape[k]} but got size {a.shape[k]} for tensor number {i} in "
                                   f"the list.")
    bounds, start = [None] * len(arrays), 0
    for i in kept:
        bounds[i] = (start, start + arrays[i].shape[d])
        start += arrays[i].shape[d]
    res = np.concatenate([arrays[i] for i in kept], axis=d, dtype=dt, casting="unsafe")
    return record(res, CatBackward, tensors, (d, bounds))


def concatenate(tensors, axis=0, *, out=None):
    return cat(tensors, axis)


def _stack_bw(g, *rest):
    d, n = rest[-2], rest[-1]
    pre = (slice(None),) * d
    return tuple(g[pre + (i,)] for i in range(n))


StackBackward = backward_node("Stack", _stack_bw, NONE)


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    arrays = [t._data for t in tensors]
    ref = arrays[0]
    for i, a in enumerate(arrays[1:], 1):
        if a.shape != ref.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(ref.shape)} at "
                               f"entry 0 and {list(a.shape)} at entry {i}")
    d = _wrap_dim(dim, ref.ndim + 1)
    dt = D.to_np(D.result_type(*tensors))
    res = np.stack(arrays, axis=d, dtype=dt, casting="unsafe")
    return record(res, StackBackward, tensors, (d, len(arrays)))


def _nonempty(tensors, op):
    tensors = _tensor_list(tensors, op)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None):
    rep = atleast_1d(_nonempty(tensors, "hstack"))
    return cat(rep, 0 if rep[0]._data.ndim == 1 else 1)


def vstack(tensors, *, out=None):
    return cat(atleast_2d(_nonempty(tensors, "vstack")), 0)


def dstack(tensors, *, out=None):
    return cat(atleast_3d(_nonempty(tensors, "dstack")), 2)


def column_stack(tensors, *, out=None):
    tensors = _nonempty(tensors, "column_stack")
    return hstack([t.reshape(t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors])


def _atleast(fn):
    def op(*tensors):
        if len(tensors) == 1 and isinstance(tensors[0], Tensor):
            return fn(tensors[0])
        seq = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
        return tuple(fn(t) for t in seq)
    op.__name__ = op.__qualname__ = fn.__name__.strip("_")
    return op


def _atleast_1d(t):
    return t.reshape(1) if t._data.ndim == 0 else t


def _atleast_2d(t):
    nd = t._data.ndim
    return t.reshape(1, 1) if nd == 0 else t.unsqueeze(0) if nd == 1 else t


def _atleast_3d(t):
    nd = t._data.ndim
    if nd == 0:
        return t.reshape(1, 1, 1)
    if nd == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if nd == 2 else t


atleast_1d = _atleast(_atleast_1d)
atleast_2d = _atleast(_atleast_2d)
atleast_3d = _atleast(_atleast_3d)


def block_diag(*tensors):
    tensors = _tensor_list(tensors, "block_diag")
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                               f"has {t._data.ndim} dimensions")
    if not tensors:
        return _plain(np.zeros((1, 0), D.to_np(D.get_default_dtype())))
    dt = D.to_np(D.result_type(*tensors))
    mats = [t._data.reshape(_as_2d(t._data.shape)) for t in tensors]
    rows, cols = sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)
    res = np.zeros((rows, cols), dt)
    spans, r, c = [], 0, 0
    for m in mats:
        res[r:r + m.shape[0], c:c + m.shape[1]] = m
        spans.append((r, r + m.shape[0], c, c + m.shape[1]))
        r, c = r + m.shape[0], c + m.shape[1]
    return record(res, BlockDiagBackward, tensors, (spans,))


def _as_2d(shape):
    return (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape


def _block_diag_bw(g, *rest):
    inputs, spans = rest[:-2], rest[-1]
    return tuple(g[r0:r1, c0:c1].reshape(tuple(x.shape)) for x, (r0, r1, c0, c1) in zip(inputs, spans))


BlockDiagBackward = backward_node("BlockDiag", _block_diag_bw, NONE)


# ---- splitting: every piece a narrow view of the input ------------------------------------------------

def _pieces(input, d, sizes):
    out, start = [], 0
    for s in sizes:
        out.append(input.narrow(d, start, s))
        start += s
    return tuple(out)


def split(tensor, split_size_or_sections, dim=0):
    x = tensor._data
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                               f"size at dimension {d}), but got split_sizes={sizes}")
        return _pieces(tensor, d, sizes)
    s = int(split_size_or_sections)
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    count = max((n + s - 1) // s, 1) if s else 1
    return _pieces(tensor, d, [min(s, n - i * s) for i in range(count)])


def chunk(input, chunks, dim=0):
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    size = (n + chunks - 1) // chunks
    if size == 0 and n == 0:
        return _pieces(input, d, [0] * chunks)
    return split(input, size, d)


def tensor_split(input, indices_or_sections, dim=0):
    x = input._data
    if x.ndim == 0:
        raise RuntimeError(f"tensor_split expected at least a 1-dimensional tensor, but got a tensor with "
                           f"{x.ndim} dims")
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        a = ios._data
        if a.dtype != _I64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, "
                               f"but got {_tname(a.dtype)}")
        if a.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional "
                               f"or one-dimensional tensor, but got a tensor with {a.ndim} dims")
        ios = int(a) if a.ndim == 0 else [int(v) for v in a]
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(ios, (int, np.integer)):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(n, int(ios))
        return _pieces(input, d, [q + 1] * r + [q] * (int(ios) - r))
    ends = [int(i) for i in ios] + [n]
    out, start = [], 0
    for e in ends:
        s, stop, _ = slice(start, e).indices(n)
        out.append(input.narrow(d, s, max(stop - s, 0)))
        start = e
    return tuple(out)


def _split_along(name, dim_of, min_nd):
    def op(input, indices_or_sections):
        nd = input._data.ndim
        if nd < min_nd:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_nd} dimension, but got "
                               f"a tensor with {nd} dimensions!")
        d = dim_of(nd)
        if isinstance(indices_or_sections, (int, np.integer)):
            n = input._data.shape[d]
            if indices_or_sections == 0 or n % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of "
                                   f"the dimension {n} is not divisible by the split_size "
                                   f"{indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)
    op.__name__ = op.__qualname__ = name
    return op


hsplit = _split_along("hsplit", lambda nd: 0 if nd == 1 else 1, 1)
vsplit = _split_along("vsplit", lambda nd: 0, 2)
dsplit = _split_along("dsplit", lambda nd: 2, 3)


# ---- broadcasting -----------------------------------------------------------------------------------

def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = _broadcast_shape(*(t._data.shape for t in tensors))
    return tuple(t if t._data.shape == shape else t.expand(shape) for t in tensors)


def broadcast_to(input, size):
    return input.expand(tuple(size))


def meshgrid(*tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
                      "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    if any(t._data.dtype != tensors[0]._data.dtype for t in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    n = len(tensors)
    axes = list(range(n))
    if indexing == "xy" and n >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * n
    for t, ax in zip(tensors, axes):
        shape[ax] = t._data.size
    out = []
    for t, ax in zip(tensors, axes):
        view = [1] * n
        view[ax] = t._data.size
        out.append(t.reshape(view).expand(shape))
    return tuple(out)


def cartesian_prod(*tensors):
    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


# ---- searching and counting -------------------------------------------------------------------------

def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None,
                 out=None):
    seq = sorted_sequence._data
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side "
                               "of left while right was True")
        right = side == "right"
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but "
                           "got 0 dimension")
    if seq.dtype == _BOOL:
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")
    vals = input._data if isinstance(input, Tensor) else np.asarray(input)
    if sorter is not None:
        so = sorter._data
        if so.dtype != _I64:
            raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype, but got "
                               f"{_tname(so.dtype)}")
        if so.shape != seq.shape:
            raise RuntimeError(f"torch.searchsorted(): boundary and sorter must have the same size, but "
                               f"got boundary tensor {list(seq.shape)}and got sorter tensor "
                               f"{list(so.shape)}")
        seq = np.take_along_axis(seq, so, -1)
    how = "right" if right else "left"
    if seq.ndim == 1:
        res = np.searchsorted(seq, vals, how)
    else:
        if vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(f"torch.searchsorted(): boundaries tensor should be 1 dimension or the first "
                               f"N-1 dimensions of boundaries tensor and input value tensor must match, but "
                               f"we got boundaries tensor {list(seq.shape)} and input value tensor "
                               f"{list(vals.shape)}")
        s2 = seq.reshape(-1, seq.shape[-1])
        v2 = vals.reshape(s2.shape[0], -1)
        res = np.empty(v2.shape, np.int64)
        for i in range(s2.shape[0]):      # one search per row of boundaries
            res[i] = np.searchsorted(s2[i], v2[i], how)
        res = res.reshape(vals.shape)
    return _plain(np.asarray(res, np.int32 if out_int32 else np.int64))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def histc(input, bins=100, min=0, max=0, *, out=None):
    x = input._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_tname(x.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo:g}, {hi:g}] is not finite")
    dt = x.dtype.type
    left, right = dt(lo), dt(hi)
    flat = x.reshape(-1)
    inside = flat[(flat >= left) & (flat <= right)]
    # torch's linear bin selection, in the input's dtype: (x - left) * bins / (right - left)
    pos = ((inside - left) * dt(bins) / (right - left)).astype(np.int64)
    pos[pos >= bins] = bins - 1
    return _plain(np.bincount(pos, minlength=bins).astype(x.dtype))


def bincount(input, weights=None, minlength=0):
    x = input._data
    if x.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_tname(x.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if x.ndim != 1 or (x.size and x.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None or x.size == 0:     # torch: an empty input counts in int64 even with weights
        return _plain(np.bincount(x, minlength=minlength).astype(np.int64))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != x.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dt = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return _plain(np.bincount(x, w.astype(np.float64), minlength=minlength).astype(out_dt))


# ---- parity samples: index arguments built from the generated shapes (same in both libraries) -------

def _rng():
    return np.random.default_rng(7)


def _ix(m, a):
    return m.tensor(np.asarray(a, np.int64))


def _sh(t):
    return tuple(t.shape)


def _gather_index(xshape, d):
    """Random in-range index for gather along d: longer than x along d, shorter elsewhere."""
    xs = _shape1(xshape)
    ish = [max(n - 1, 1) if n > 1 else n for n in xs]
    ish[d] = xs[d] + 1 if xs[d] else 0
    idx = _rng().integers(0, max(xs[d], 1), ish)
    return idx.reshape(()) if not len(xshape) else idx


def _line_index(xshape, ishape, d, unique):
    """Index of shape ishape into x along d; unique along each line when asked (scatter, index_copy)."""
    xs, ish = _shape1(xshape), list(_shape1(ishape))
    rng = _rng()
    if unique:
        full = list(ish)
        full[d] = xs[d]
        idx = np.take(rng.random(full).argsort(axis=d), np.arange(ish[d]), axis=d)
    else:
        idx = rng.integers(0, max(xs[d], 1), ish)
    return idx.reshape(tuple(ishape))


def _vector_index(n, k, unique):
    rng = _rng()
    return rng.permutation(n)[:k] if unique else rng.integers(0, max(n, 1), k if n else 0)


def _mask(shape):
    return _rng().random(shape) > 0.5


def _dims_args(extra=()):
    return lambda nd: [((0,) + extra, {})] + ([((-1,) + extra, {})] if nd > 1 else [])


def _dim_of(t, d):
    return _wrap_dim(d, max(t.dim(), 1))


def _call_gather(m, x, d):
    return m.gather(x, d, _ix(m, _gather_index(_sh(x), _dim_of(x, d))))


def _call_scatter(m, x, s, d, kind):
    dd = _dim_of(x, d)
    idx = _ix(m, _line_index(_sh(x), _sh(s), dd, unique=kind != "add"))
    if kind == "src":
        return m.scatter(x, d, idx, s)
    if kind == "value":
        return m.scatter(x, d, idx, 1.5 if x.is_floating_point() else 2)
    return m.scatter_add(x, d, idx, s)


def _call_scatter_reduce(m, x, s, d, reduce, include_self):
    idx = _ix(m, _line_index(_sh(x), _sh(s), _dim_of(x, d), unique=False))
    return m.scatter_reduce(x, d, idx, s, reduce, include_self=include_self)


def _call_index_select(m, x, d):
    n = _shape1(_sh(x))[_dim_of(x, d)]
    return m.index_select(x, d, _ix(m, _vector_index(n, n + 2, unique=False)))


def _call_index_add(m, x, s, d, alpha):
    dd = _dim_of(x, d)
    k = _shape1(_sh(s))[dd] if s.dim() > dd else 1
    idx = _vector_index(_shape1(_sh(x))[dd], k, unique=False)
    return m.index_add(x, d, _ix(m, idx), s, alpha=alpha)


def _call_index_copy(m, x, s, d):
    dd = _dim_of(x, d)
    k = _shape1(_sh(s))[dd] if s.dim() > dd else 1
    return m.index_copy(x, d, _ix(m, _vector_index(_shape1(_sh(x))[dd], k, unique=True)), s)


def _call_index_fill(m, x, v, d, tensor_value):
    n = _shape1(_sh(x))[_dim_of(x, d)]
    idx = _ix(m, _vector_index(n, 2, unique=False) if n else np.zeros(0, np.int64))
    return m.index_fill(x, d, idx, v if tensor_value else -1)


def _put_indices(m, xshape, vshape, kind, accumulate):
    rng = _rng()
    if not len(xshape):
        return (m.tensor(True),)
    n0 = xshape[0]
    if kind == "rows":
        k = n0 + 2 if accumulate else n0
        return (_ix(m, rng.integers(0, n0, k) if accumulate else rng.permutation(n0)),)
    if kind == "mask":
        return (m.tensor(_mask(xshape if not len(vshape) else xshape[:1])),)
    # two index tensors for the first two dims, k pairs (distinct unless accumulating)
    k = vshape[0] if len(vshape) else 3
    if len(xshape) < 2:
        return (_ix(m, rng.integers(-n0, n0, k)),)
    flat = rng.integers(0, n0 * xshape[1], k) if accumulate else rng.permutation(n0 * xshape[1])[:k]
    i, j = np.unravel_index(flat, xshape[:2])
    return (_ix(m, i), _ix(m, j - xshape[1]))      # negative indices count from the end


def _call_index_put(m, x, v, kind, accumulate):
    return m.index_put(x, _put_indices(m, _sh(x), _sh(v), kind, accumulate), v, accumulate)


def _call_masked_fill(m, x, v, kind):
    shape = _sh(x)
    if kind == "tensor":
        return m.masked_fill(x, m.tensor(_mask(shape)), v)
    if kind == "broadcast":       # a mask with more dims than the input: the result is broadcast
        return m.masked_fill(x, m.tensor(_mask((2,) + shape)), 0.5 if x.is_floating_point() else 3)
    return m.masked_fill(x, m.tensor(_mask(shape[-1:])), 0.5 if x.is_floating_point() else 3)


def _call_masked_scatter(m, x, s, broadcast):
    shape = _sh(x)
    return m.masked_scatter(x, m.tensor(_mask(shape[-1:] if broadcast else shape)), s)


def _call_masked_select(m, x, kind):
    shape = _sh(x)
    mask = _mask((3,) + shape if kind == "wide" else shape[-1:] if kind == "last" else shape)
    return m.masked_select(x, m.tensor(mask))


def _call_take(m, x):
    n = x.numel()
    return m.take(x, _ix(m, _rng().integers(-n, n, (2, 3)) if n else np.zeros(0, np.int64)))


def _call_put(m, x, s, accumulate):
    n, k = x.numel(), s.numel()
    idx = _rng().integers(-n, n, k) if accumulate else _rng().permutation(n)[:k] - n // 2
    return m.put(x, _ix(m, idx), s, accumulate=accumulate)


def _call_take_along_dim(m, x, d, kind):
    shape = _sh(x)
    if d is None:
        return m.take_along_dim(x, _ix(m, _rng().integers(0, max(x.numel(), 1), (4,) if x.numel() else 0)))
    dd = _dim_of(x, d)
    idx = _gather_index(shape, dd) if kind == "gather" else _line_index(shape, shape, dd, False)
    if kind == "broadcast" and len(shape) > 1:
        idx = idx[(slice(None),) * (dd + 1) + (slice(0, 1),)] if dd + 1 < len(shape) else idx[:1]
    if kind == "gather" and len(shape):
        idx = _line_index(shape, shape[:dd] + (shape[dd] + 1,) + shape[dd + 1:], dd, False)
    return m.take_along_dim(x, _ix(m, idx), d)


def _call_where(m, x, y, kind):
    if kind == "scalar_input":
        return m.where(x > 0, 1.5, y)
    return m.where(x > 0, x, y)


def _call_lerp(m, x, e, w, kind):
    return m.lerp(x, e, w if kind == "tensor" else 0.3 if kind == "small" else 0.8)


def _call_nan_to_num(m, x, **kw):
    if x.is_floating_point():
        x = m.where(x > 1.2, m.tensor(float("inf"), dtype=x.dtype), x)
        x = m.where(x < -1.2, m.tensor(float("-inf"), dtype=x.dtype), x)
        x = m.where((x < 0.2) & (x > -0.2), m.tensor(float("nan"), dtype=x.dtype), x)
    return m.nan_to_num(x, **kw)


def _call_repeat_interleave(m, x, kind, dim):
    n = _shape1(_sh(x))[_dim_of(x, dim)] if dim is not None else x.numel()
    if kind == "tensor":
        return m.repeat_interleave(x, _ix(m, _rng().integers(0, 3, n)), dim)
    if kind == "scalar_tensor":
        return m.repeat_interleave(x, _ix(m, 2), dim)
    return m.repeat_interleave(x, 2, dim)


def _call_seq(m, x, **kw):
    seq = m.tensor(np.linspace(-1.5, 1.5, 7).astype(str(x.dtype).replace("torch.", "")))
    return m.searchsorted(seq, x, **kw)


def _call_bucketize(m, x, **kw):
    return m.bucketize(x, m.tensor(np.linspace(-1.5, 1.5, 7).astype(str(x.dtype).replace("torch.", ""))), **kw)


def _call_bincount(m, x, weighted):
    if weighted:
        return m.bincount(x, m.tensor(np.linspace(0, 1, x.numel()), dtype=m.float32), minlength=3)
    return m.bincount(x, minlength=3)


def _inplace_call(name):
    return lambda m, x, *a, **k: getattr(m, name)(x * 1 if x.requires_grad else x.clone(), *a, **k)


PAIRS = [((3, 4), (3, 4)), ((5,), (5,)), ((2, 3, 4), (2, 3, 4)), ((), ())]
SCATTER_PAIRS = PAIRS + [((4, 5), (3, 2))]
VALUE_PAIRS = [((3, 4), ()), ((5,), ()), ((2, 3, 4), ()), ((), ())]
ANY_ND = [(), (0,), (5,), (3, 4), (2, 3, 4)]
CLAMP_SCALARS = lambda nd: [((-0.5, 0.5), {}), ((), {"min": -1}), ((), {"max": 0.3}), ((0.5, -0.5), {}),
                            ((-2, 3), {})]

register(gather, node=GatherBackward, samples=S.unary(dtypes=S.ALL, call=_call_gather, args=_dims_args()))
register(scatter, node=ScatterBackward, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=SCATTER_PAIRS, call=_call_scatter,
    args=lambda nd: [(a[0] + (k,), {}) for a in _dims_args()(nd) for k in ("src", "value")]))
register(scatter_add, node=ScatterAddBackward, samples=S.Spec(
    arity=2, dtypes=S.NUMERIC, shapes=SCATTER_PAIRS, call=_call_scatter,
    args=lambda nd: [(a[0] + ("add",), {}) for a in _dims_args()(nd)]))
register(scatter_reduce, node=ScatterReduceBackward, samples=S.Spec(
    arity=2, dtypes=S.NUMERIC, shapes=SCATTER_PAIRS, call=_call_scatter_reduce, nonzero=True,
    args=lambda nd: [(a[0] + (r, inc), {}) for a in _dims_args()(nd) for r in _REDUCES
                     for inc in (True, False)]))
register(index_select, node=IndexSelectBackward, samples=S.unary(
    dtypes=S.ALL, call=_call_index_select, args=_dims_args()))
register(index_add, node=IndexAddBackward, samples=S.Spec(
    arity=2, dtypes=S.NUMERIC, shapes=PAIRS + [((4, 5), (2, 5))], call=_call_index_add,
    args=lambda nd: [(a[0] + (al,), {}) for a in _dims_args()(nd) for al in (1, 2)]))
register(index_copy, node=IndexCopyBackward, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=PAIRS + [((4, 5), (2, 5))], call=_call_index_copy, args=_dims_args()))
register(index_fill, node=IndexFillBackward, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=VALUE_PAIRS, call=_call_index_fill,
    args=lambda nd: [(a[0] + (tv,), {}) for a in _dims_args()(nd) for tv in (False, True)]))
register(index_put, node=IndexPutBackward, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=[((3, 4), (4,)), ((3, 4), ()), ((2, 3, 4), (3, 4)), ((5,), ()), ((), ())],
    call=_call_index_put,
    args=lambda nd: [((k, acc), {}) for k in ("rows", "mask", "pair") for acc in (False, True)]))
register(masked_fill, node=MaskedFillBackward, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=VALUE_PAIRS, call=_call_masked_fill,
    args=lambda nd: [(("tensor",), {}), (("broadcast",), {}), (("last",), {})]))
register(masked_scatter, node=MaskedScatterBackward, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=PAIRS + [((3, 4), (20,))], call=_call_masked_scatter,
    args=lambda nd: [((False,), {}), ((True,), {})]))
register(masked_select, node=MaskedSelectBackward, samples=S.unary(
    dtypes=S.ALL, call=_call_masked_select, args=lambda nd: [(("same",), {}), (("wide",), {}), (("last",), {})]))
register(take, node=TakeBackward, samples=S.unary(dtypes=S.ALL, call=_call_take))
register(put, node=PutBackward, samples=S.Spec(
    arity=2, dtypes=S.NUMERIC, shapes=[((3, 4), (5,)), ((5,), (3,)), ((2, 3, 4), (2, 3)), ((), (1,))],
    call=_call_put, args=lambda nd: [((False,), {}), ((True,), {})]))
register(take_along_dim, node=GatherBackward, samples=S.unary(
    dtypes=S.ALL, call=_call_take_along_dim,
    args=lambda nd: [((None, "flat"), {})] + [((d, k), {}) for d in ((0, -1) if nd > 1 else (0,))
                                               for k in ("gather", "broadcast")]))
register(nonzero, samples=S.unary(dtypes=S.ALL, grad=False, args=lambda nd: [((), {}), ((), {"as_tuple": True})]),
         differentiable=False)
register(argwhere, samples=S.unary(dtypes=S.ALL, grad=False), differentiable=False)
register(where, node=WhereBackward, method=False, samples=S.binary(
    dtypes=S.ALL, call=_call_where, args=lambda nd: [(("tensors",), {}), (("scalar_input",), {})]))
register(clamp, node=ClampBackward1, inplace=True, samples=S.unary(dtypes=S.NUMERIC, args=CLAMP_SCALARS))
register(clamp, name="clip", node=ClampBackward0, inplace=True, samples=S.Spec(
    arity=3, dtypes=S.NUMERIC, shapes=[((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ()), ((5,), (5,), (5,)),
                                       ((), (), ()), ((2, 3, 4), (3, 4), (1, 4))]))
register(clamp_min, node=ClampMinBackward1, inplace=True, samples=S.binary(dtypes=S.NUMERIC))
register(clamp_max, node=ClampMaxBackward1, inplace=True, samples=S.binary(dtypes=S.NUMERIC))
register(lerp, node=LerpBackward1, samples=S.Spec(
    arity=3, shapes=[((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ()), ((5,), (5,), (5,)), ((), (), ()),
                     ((2, 3, 4), (3, 4), (1, 4))], domain=(-1.0, 1.0), call=_call_lerp,
    args=lambda nd: [(("tensor",), {}), (("small",), {}), (("large",), {})]))
register(addcmul, node=AddcmulBackward, inplace=True, samples=S.Spec(
    arity=3, dtypes=S.NUMERIC, shapes=[((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ()), ((5,), (5,), (5,)),
                                       ((), (), ()), ((2, 3, 4), (3, 4), (1, 4))],
    args=lambda nd: [((), {}), ((), {"value": 0.5})]))
register(addcdiv, node=AddcdivBackward, inplace=True, samples=S.Spec(
    arity=3, dtypes=S.NUMERIC, nonzero=True, domain=(0.5, 2.0),
    shapes=[((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ()), ((5,), (5,), (5,)), ((), (), ()),
            ((2, 3, 4), (3, 4), (1, 4))], args=lambda nd: [((), {}), ((), {"value": -2})]))
register(nan_to_num, node=NanToNumBackward, samples=S.unary(
    dtypes=S.NUMERIC, call=_call_nan_to_num,
    args=lambda nd: [((), {}), ((), {"nan": 1.0, "posinf": 2.0}), ((), {"neginf": -3.0})]))
register(tril, node=TrilBackward, inplace=True, samples=S.unary(
    dtypes=S.ALL, min_ndim=2, args=lambda nd: [((), {}), ((1,), {}), ((), {"diagonal": -1})]))
register(triu, node=TriuBackward, inplace=True, samples=S.unary(
    dtypes=S.ALL, min_ndim=2, args=lambda nd: [((), {}), ((1,), {}), ((), {"diagonal": -1})]))
register(diag, node=DiagEmbedBackward, samples=S.unary(
    dtypes=S.ALL, shapes=[((5,),), ((3, 4),), ((4, 3),), ((0,),)], args=lambda nd: [((), {}), ((1,), {}), ((-2,), {})]))
register(diag_embed, node=DiagEmbedBackward, samples=S.unary(
    dtypes=S.ALL, min_ndim=1, args=lambda nd: [((), {}), ((1,), {}), ((-1, 0, 2), {}), ((0, -1, 0), {})]))
register(diagflat, node=DiagEmbedBackward, samples=S.unary(dtypes=S.ALL, args=lambda nd: [((), {}), ((1,), {})]))
register(diagonal_copy, node=DiagonalCopyBackward, method=False, samples=S.unary(
    min_ndim=2, args=lambda nd: [((), {}), ((1,), {}), ((-1, 0, -1), {})]))
register(flip, node=FlipBackward, samples=S.unary(dtypes=S.ALL, args=lambda nd: [
    (((0,),), {}), ((tuple(range(nd)),), {}), (((),), {})] + ([(((-1, 0),), {})] if nd > 1 else [])))
register(fliplr, node=FlipBackward, samples=S.unary(dtypes=S.ALL))
register(flipud, node=FlipBackward, samples=S.unary(dtypes=S.ALL))
register(roll, node=RollBackward, samples=S.unary(dtypes=S.ALL, args=lambda nd: [
    ((1,), {}), ((-7,), {})] + ([((2, 0), {}), (((1, -2), (0, -1)), {})] if nd > 1 else [])))
register(repeat, node=RepeatBackward, namespace=False, samples=S.unary(dtypes=S.ALL, args=lambda nd: [
    (tuple(range(2, nd + 3)), {}), ((1,) * nd, {})]))
register(tile, node=RepeatBackward, samples=S.unary(dtypes=S.ALL, args=lambda nd: [
    (((2,),), {}), (((2, 1, 3),), {})]))
register(repeat_interleave, node=IndexSelectBackward, samples=S.unary(
    dtypes=S.ALL, call=_call_repeat_interleave,
    args=lambda nd: [((k, d), {}) for k in ("int", "tensor", "scalar_tensor") for d in (None,) + ((0, -1) if nd else ())]))
register(cat, node=CatBackward, method=False, aliases=("concat",), samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=[((3, 4), (3, 4)), ((3, 4), (2, 4)), ((3, 4), (3, 2)), ((2, 3, 4), (2, 3, 1)),
                                   ((3, 4), (0,)), ((0,), (5,)), ((5,), (5,)), ((3, 4), (4,))],
    call=lambda m, x, y, d: m.cat([x, y], d), args=lambda nd: [((0,), {}), ((-1,), {})]))
register(concatenate, node=CatBackward, method=False, samples=S.Spec(
    arity=2, shapes=[((3, 4), (3, 2)), ((5,), (2,))], call=lambda m, x, y: m.concatenate((x, y), axis=-1)))
register(stack, node=StackBackward, method=False, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=[((3, 4), (3, 4)), ((5,), (5,)), ((), ()), ((3, 4), (4, 3))],
    call=lambda m, x, y, d: m.stack([x, y, x], d), args=lambda nd: [((0,), {}), ((-1,), {}), ((nd,), {})]))
_STACK_SHAPES = [((3, 4), (3, 4)), ((5,), (5,)), ((), ()), ((2, 3, 4), (2, 3, 4)), ((3, 4), (3, 2)), ((5,), (3,))]
for _fn in (hstack, vstack, dstack, column_stack):
    register(_fn, node=CatBackward, method=False, aliases=("row_stack",) if _fn is vstack else (),
             samples=S.Spec(arity=2, dtypes=S.ALL, shapes=_STACK_SHAPES,
                            call=lambda m, x, y, n=_fn.__name__: getattr(m, n)([x, y])))
for _fn in (atleast_1d, atleast_2d, atleast_3d):
    register(_fn, method=False, samples=S.unary(dtypes=S.ALL, shapes=[((),), ((5,),), ((3, 4),), ((2, 3, 4),)],
                                                call=lambda m, x, n=_fn.__name__: (getattr(m, n)(x), getattr(m, n)(x, x))))
register(block_diag, node=BlockDiagBackward, method=False, samples=S.Spec(
    arity=3, dtypes=S.NUMERIC, shapes=[((2, 3), (3,), ()), ((0, 2), (2, 2), (1,)), ((3,), (3,), (3,))],
    call=lambda m, x, y, z: m.block_diag(x, y, z)))
register(split, samples=S.unary(dtypes=S.ALL, min_ndim=1, args=lambda nd: [
    ((2,), {}), ((2, -1), {}), (([1, 4],), {}), (([2, 1],), {"dim": -1})]))
register(chunk, samples=S.unary(dtypes=S.ALL, min_ndim=1, args=lambda nd: [
    ((2,), {}), ((3, -1), {}), ((6,), {})]))
register(tensor_split, samples=S.unary(dtypes=S.ALL, min_ndim=1, args=lambda nd: [
    ((3,), {}), ((2, -1), {}), (([1, 3],), {}), (([3, 1, -1],), {"dim": -1})]))
register(hsplit, samples=S.unary(dtypes=S.ALL, min_ndim=1, args=lambda nd: [((2,), {}), (([1, 2],), {})]))
register(vsplit, samples=S.unary(dtypes=S.ALL, args=lambda nd: [((2,), {}), (([1, 2],), {})]))
register(dsplit, samples=S.unary(dtypes=S.ALL, args=lambda nd: [((2,), {}), (([1, 2],), {})]))
register(broadcast_tensors, method=False, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=[((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (3,)), ((3,), (4,)), ((5,), (5,))],
    call=lambda m, x, y: m.broadcast_tensors(x, y)))
register(broadcast_to, samples=S.unary(dtypes=S.ALL, shapes=[((3, 1),), ((1,),), ((),), ((4,),)],
                                       args=lambda nd: [(((2, 3, 4),), {}), (((2, -1, 4),), {})] if nd > 1
                                       else [(((3, 4),), {})]))
register(meshgrid, method=False, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=[((3,), (4,)), ((), (3,)), ((2,), (0,))],
    call=lambda m, x, y, indexing: m.meshgrid(x, y, indexing=indexing),
    args=lambda nd: [(("ij",), {}), (("xy",), {})]))
register(cartesian_prod, method=False, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=[((3,), (4,)), ((2,), (0,))], call=lambda m, x, y: m.cartesian_prod(x, y)))
register(searchsorted, method=False, differentiable=False, samples=S.unary(
    dtypes=S.NUMERIC, grad=False, call=_call_seq,
    args=lambda nd: [((), {}), ((), {"right": True}), ((), {"side": "right", "out_int32": True})]))
register(bucketize, method=False, differentiable=False, samples=S.unary(
    dtypes=S.NUMERIC, grad=False, call=_call_bucketize, args=lambda nd: [((), {}), ((), {"right": True})]))
register(histc, differentiable=False, samples=S.unary(
    grad=False, args=lambda nd: [((), {}), ((4,), {}), ((5, -1.0, 1.0), {}), ((3,), {"min": 0.5, "max": 0.5})]))
register(bincount, differentiable=False, samples=S.unary(
    dtypes=S.INTS, grad=False, int_domain=(0, 8), shapes=[((0,),), ((7,),), ((20,),)],
    call=lambda m, x, weighted: _call_bincount(m, x, weighted), args=lambda nd: [((False,), {}), ((True,), {})]))

# in-place forms, and torch's top-level in-place functions
for _name, _fn in (("scatter", scatter), ("scatter_add", scatter_add), ("scatter_reduce", scatter_reduce),
                   ("index_add", index_add), ("index_copy", index_copy), ("index_fill", index_fill),
                   ("masked_scatter", masked_scatter), ("put", put),
                   ("lerp", lerp), ("addcmul", addcmul), ("addcdiv", addcdiv), ("tril", tril), ("triu", triu)):
    make_inplace(_name, _fn)
for _name, _fn, _spec in (
        ("clamp", clamp, S.unary(dtypes=S.NUMERIC, args=CLAMP_SCALARS)),
        ("clamp_min", clamp_min, S.binary(dtypes=S.NUMERIC)),
        ("clamp_max", clamp_max, S.binary(dtypes=S.NUMERIC)),
        ("nan_to_num", nan_to_num, S.unary(args=lambda nd: [((), {"nan": 1.0})])),
        ("masked_fill", masked_fill, S.Spec(
            arity=2, dtypes=S.ALL, shapes=VALUE_PAIRS[:3],
            call=lambda m, x, v, last: m.Tensor.masked_fill_(x * 1 if x.requires_grad else x.clone(),
                                                             m.tensor(_mask(_sh(x)[-1:] if last else _sh(x))), v),
            args=lambda nd: [((False,), {}), ((True,), {})])),
        ("index_put", index_put, S.Spec(arity=2, dtypes=S.ALL, shapes=[((3, 4), (4,)), ((5,), ())],
                                        call=lambda m, x, v, kind, acc: m.index_put_(
                                            x * 1 if x.requires_grad else x.clone(),
                                            _put_indices(m, _sh(x), _sh(v), kind, acc), v, acc),
                                        args=lambda nd: [(("rows", False), {}), (("pair", True), {})]))):
    _op_ = make_inplace(_name, _fn)
    if _spec.call is None:
        _spec.call = _inplace_call(_name + "_")
    register(_op_, name=_name + "_", samples=_spec)
Tensor.clip_ = Tensor.clamp_
register(Tensor.clamp_, name="clip_", samples=S.unary(dtypes=S.NUMERIC, call=_inplace_call("clip_"),
                                                      args=lambda nd: [((-0.5, 0.5), {})]))
Tensor.where = lambda self, condition, other: where(condition, self, other)
Tensor.flip = _flip_method
Tensor.tile = _tile_method
Tensor.repeat = repeat
