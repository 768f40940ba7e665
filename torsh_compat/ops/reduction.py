"""Reductions, scans, sorting and selection with torch's semantics: NumPy forward, the backward
formula beside it, parity samples for each op.

Conventions of the family:
- `dim` is None (every dim), an int, or a tuple/list; `_axes` turns it into NumPy axes once.
- float32/float16 sums accumulate in float64 and round once: torch's CPU summation is accurate
  enough that a float32 NumPy sum of a long tensor would not agree with it.
- Ops that select values (max/min/sort/topk/median/kthvalue/mode with a dim) send the gradient
  back to the selected indices; whole-tensor max/min/median split it evenly among ties.
"""
import builtins
import collections
import operator
import sys
import types
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from . import dual as B
from . import samples as S
from .registry import register, record, backward_node, as_float, make_inplace, NONE, INPUTS, BOTH
from .pointwise import maximum, minimum

_bmax, _bany = builtins.max, builtins.any
_F64, _F32, _F16 = np.dtype(np.float64), np.dtype(np.float32), np.dtype(np.float16)
_I64 = np.dtype(np.int64)
_INF = float("inf")

# torch's ScalarType names, as its messages print them
_C10 = {np.dtype(k): v for k, v in (
    (np.bool_, "Bool"), (np.uint8, "Byte"), (np.int8, "Char"), (np.int16, "Short"), (np.int32, "Int"),
    (np.int64, "Long"), (np.float16, "Half"), (np.float32, "Float"), (np.float64, "Double"),
    (np.complex64, "ComplexFloat"), (np.complex128, "ComplexDouble"))}


def _c10(dt):
    return _C10.get(dt, str(dt))


# ---- torch.return_types -------------------------------------------------------------------

return_types = sys.modules.get("torsh_compat.return_types")
if return_types is None:
    return_types = sys.modules["torsh_compat.return_types"] = types.ModuleType(
        "torsh_compat.return_types", "Named tuples returned by ops, as torch.return_types.")


def return_type(name, fields):
    """A tuple with named fields, printed as torch prints its structseq (torch.return_types.max(
    values=..., indices=...)). Built with type(), not collections.namedtuple, whose exec() would
    cost a millisecond of import time for each of the two dozen."""
    fields = tuple(fields)

    def __new__(cls, *values):
        if len(values) != len(fields):
            raise TypeError(f"torch.return_types.{name} takes {len(fields)} values, got {len(values)}")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return type(self), tuple(self)

    ns = {"__slots__": (), "_fields": fields, "__new__": __new__, "__repr__": __repr__,
          "__reduce__": __reduce__, "__module__": "torsh_compat.return_types"}
    ns.update((f, property(operator.itemgetter(i), doc=f)) for i, f in enumerate(fields))
    cls = type(name, (tuple,), ns)
    setattr(return_types, name, cls)
    return cls


_VI = ("values", "indices")
max_rt, min_rt = return_type("max", _VI), return_type("min", _VI)
sort_rt, topk_rt = return_type("sort", _VI), return_type("topk", _VI)
kthvalue_rt, mode_rt = return_type("kthvalue", _VI), return_type("mode", _VI)
median_rt, nanmedian_rt = return_type("median", _VI), return_type("nanmedian", _VI)
cummax_rt, cummin_rt = return_type("cummax", _VI), return_type("cummin", _VI)
aminmax_rt = return_type("aminmax", ("min", "max"))


# ---- argument handling ----------------------------------------------------------------------

def _axes(dim, ndim, name, empty_is_all=True):
    """torch's dim argument as NumPy axes: None for every dim, else a tuple of wrapped dims.

    An empty tuple means every dim for most reductions (all/any reduce nothing with it).
    A 0-d tensor accepts dim 0 and -1, which reduce nothing.
    """
    if dim is None:
        return None
    if dim.__class__ is int:
        d = _wrap_dim(dim, ndim)
        return (d,) if ndim else ()
    if isinstance(dim, (tuple, list)):
        if not dim and empty_is_all:
            return None
        axes = tuple(_wrap_dim(_index(d, name), ndim) for d in dim)
        if len(set(axes)) != len(axes):
            seen = set()
            for a in axes:
                if a in seen:
                    raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
                seen.add(a)
        return axes if ndim else ()
    d = _wrap_dim(_index(dim, name), ndim)
    return (d,) if ndim else ()


def _index(v, name, arg="dim"):
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{name}(): argument '{arg}' must be int or tuple of ints, "
                        f"not {type(v).__name__}") from None


def _dim1(dim, ndim, name):
    """A single dim argument, wrapped (0-d tensors take 0 and -1)."""
    if dim.__class__ is not int:
        dim = _index(dim, name)
    return _wrap_dim(dim, ndim)


def _check_keepdim(keepdim, name):
    if keepdim is not False and keepdim is not True and keepdim.__class__ is not np.bool_:
        raise TypeError(f"{name}(): argument 'keepdim' must be bool, not {type(keepdim).__name__}")


def _kshape(shape, axes):
    """The keepdim=True shape of a reduction of `shape` over `axes` (None: every axis)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _count(shape, axes):
    """How many elements each output of a reduction over `axes` combines."""
    if axes is None:
        return int(np.prod(shape, dtype=np.int64))
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _unreduce(g, shape, axes, keepdim):
    """A reduction's gradient (or output) broadcast back to the input shape."""
    if not keepdim and g.ndim != len(shape):
        g = B.reshape(g, _kshape(shape, axes))
    return B.expand_to(g, shape)


def _sum_np(x, axes, keepdim, int_dtype=_I64):
    """torch's sum: integers and bools give int64 (or the dtype= asked for), low-precision
    floats accumulate in float64."""
    k = x.dtype.kind
    if k in "biu":
        return np.add.reduce(x, axes, int_dtype, keepdims=keepdim)
    if x.dtype is _F32 or x.dtype is _F16 or x.dtype == _F32 or x.dtype == _F16:
        return np.add.reduce(x, axes, _F64, keepdims=keepdim).astype(x.dtype)
    return np.add.reduce(x, axes, keepdims=keepdim)


_ACC = {_F32: _F64, _F16: _F64}    # dtypes whose sums accumulate in float64


def _acc(x):
    """x in the dtype its statistics accumulate in (_ACC)."""
    acc = _ACC.get(x.dtype)
    return x if acc is None else x.astype(acc)


# ---- sum, nansum, mean, nanmean ------------------------------------------------------------

def _sum_backward(g, x, out, axes, keepdim):
    return _unreduce(g, x.shape, axes, keepdim)


SumBackward0 = backward_node("SumBackward0", _sum_backward, NONE)
SumBackward1 = backward_node("SumBackward1", _sum_backward, NONE)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    x = input._data
    if dtype is not None:
        x = x.astype(D.to_np(dtype), copy=False)
        if dim is None and keepdim is False:
            return record(_sum_np(x, None, False, x.dtype), SumBackward0, (input,), (None, False))
        axes = _axes(dim, x.ndim, "sum")
        _check_keepdim(keepdim, "sum")
        return record(_sum_np(x, axes, keepdim, x.dtype), SumBackward1, (input,), (axes, keepdim))
    if dim is None and keepdim is False:
        return record(_sum_np(x, None, False), SumBackward0, (input,), (None, False))
    axes = _axes(dim, x.ndim, "sum")
    _check_keepdim(keepdim, "sum")
    return record(_sum_np(x, axes, keepdim), SumBackward1, (input,), (axes, keepdim))


def _nan_to_zero(x):
    return np.where(np.isnan(x), x.dtype.type(0), x) if x.dtype.kind in "fc" else x


NansumBackward0 = backward_node(
    "NansumBackward0",
    lambda g, x, out, axes, keepdim: B.mask(~np.isnan(B.data(x)), _unreduce(g, x.shape, axes, keepdim)))


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    x = input._data
    int_dtype = _I64
    if dtype is not None:
        x = x.astype(D.to_np(dtype), copy=False)
        int_dtype = x.dtype
    axes = _axes(dim, x.ndim, "nansum")
    _check_keepdim(keepdim, "nansum")
    return record(_sum_np(_nan_to_zero(x), axes, keepdim, int_dtype), NansumBackward0, (input,),
                  (axes, keepdim))


def _mean_backward(g, x, out, axes, keepdim, n):
    return _unreduce(g / n if n else g, x.shape, axes, keepdim)


MeanBackward0 = backward_node("MeanBackward0", _mean_backward, NONE)
MeanBackward1 = backward_node("MeanBackward1", _mean_backward, NONE)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    x = input._data
    if dtype is not None:
        dt = D.to_np(dtype)
        if dt.kind not in "fc":
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be either "
                               f"a floating point or complex dtype. Got: {_c10(dt)}")
        x = x.astype(dt, copy=False)
    elif x.dtype.kind not in "fc":
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           f"floating point or complex dtype. Got: {_c10(x.dtype)}")
    axes = None if dim is None else _axes(dim, x.ndim, "mean")
    _check_keepdim(keepdim, "mean")
    n = _count(x.shape, axes)
    s = np.add.reduce(_acc(x), axes, keepdims=keepdim)
    r = s / n if n else np.full(np.shape(s), np.nan, s.dtype)
    return record(r.astype(x.dtype, copy=False), MeanBackward0 if dim is None and not keepdim else MeanBackward1,
                  (input,), (axes, keepdim, n))


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    # torch composes nansum / count of non-NaN (its grad_fn is DivBackward0); so do we
    x = input._data
    if dtype is None and x.dtype.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but "
                           f"got {_c10(x.dtype)}")
    axes = _axes(dim, x.ndim, "nanmean")
    count = np.add.reduce(~np.isnan(x), axes, _I64, keepdims=keepdim)
    total = nansum(input, dim, keepdim, dtype=dtype)
    if count.all():
        return total / Tensor._make(np.asarray(count))
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / Tensor._make(np.asarray(count))


# ---- prod -----------------------------------------------------------------------------------

def _others_product(x, axis):
    """For each element, the product of the other elements along `axis` (zeros handled exactly)."""
    n = x.shape[axis]
    before = [slice(None)] * x.ndim
    after = list(before)
    before[axis], after[axis] = slice(None, -1), slice(1, None)
    excl_fwd = np.ones_like(x)
    excl_fwd[tuple(after)] = np.cumprod(x[tuple(before)], axis)
    excl_bwd = np.ones_like(x)
    if n > 1:
        excl_bwd[tuple(before)] = np.flip(np.cumprod(np.flip(x[tuple(after)], axis), axis), axis)
    return excl_fwd * excl_bwd


def _prod_backward(g, x, out, axis, keepdim):
    if x.ndim == 0:
        return g
    if axis is not None and not keepdim:
        g = B.reshape(g, _kshape(x.shape, (axis,)))
        out = B.reshape(out, g.shape)
    xd = B.data(x)
    if not (xd == 0).any():
        return g * (out / x)
    # with zeros, torch multiplies the other factors (no division by zero)
    if axis is None:
        others = _others_product(xd.reshape(-1), 0).reshape(xd.shape)
    else:
        others = _others_product(xd, axis)
    return g * B.const(others, g)


ProdBackward0 = backward_node("ProdBackward0", _prod_backward, BOTH)
ProdBackward1 = backward_node("ProdBackward1", _prod_backward, BOTH)


def _prod_np(x, axis, keepdim, int_dtype=_I64):
    k = x.dtype.kind
    if k in "biu":
        return np.multiply.reduce(x, axis, int_dtype, keepdims=keepdim)
    return np.multiply.reduce(_acc(x), axis, keepdims=keepdim).astype(x.dtype, copy=False)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    x = input._data
    int_dtype = _I64
    if dtype is not None:
        x = x.astype(D.to_np(dtype), copy=False)
        int_dtype = x.dtype
    if dim is None:
        return record(_prod_np(x, None, False, int_dtype), ProdBackward0, (input,), (None, False))
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"prod() received an invalid combination of arguments - got "
                        f"({type(dim).__name__}), but expected one of: (*, torch.dtype dtype = None) "
                        f"or (int dim, bool keepdim = False, *, torch.dtype dtype = None)")
    _check_keepdim(keepdim, "prod")
    d = _dim1(dim, x.ndim, "prod")
    axis = d if x.ndim else None
    r = _prod_np(x, axis, keepdim, int_dtype) if x.ndim else _prod_np(x, None, False, int_dtype)
    return record(r, ProdBackward1, (input,), (axis, keepdim))


# ---- max, min, amax, amin, argmax, argmin ---------------------------------------------------

def _evenly(g, x, out):
    """torch's evenly_distribute_backward: g shared by the elements equal to the (0-d) result."""
    xd, od = B.data(x), B.data(out)
    hit = np.isnan(xd) if np.isnan(od) else xd == od
    w = hit / hit.sum(dtype=_I64)
    return g * B.const(w.astype(xd.dtype, copy=False), g)


def _scatter_to(g, idx, axis, shape, keepdim):
    """Zeros of `shape` holding g at `idx` along `axis` (value-selecting reductions)."""
    if not shape:
        return g
    if not keepdim:
        idx = np.expand_dims(idx, axis)
        g = B.reshape(g, idx.shape)
    if B.is_array(g):
        z = np.zeros(shape, g.dtype)
        np.put_along_axis(z, idx, g, axis)
        return z
    import torsh_compat as T
    return T.zeros(shape, dtype=g.dtype).scatter(axis, Tensor._make(idx), g)


def _scatter_add_to(g, idx, axis, shape):
    """Zeros of `shape` with g added at `idx` along `axis` (indices may repeat)."""
    if not shape:
        return g
    if B.is_array(g):
        z = np.zeros(shape, g.dtype)
        where = list(np.ix_(*[np.arange(n) for n in idx.shape]))
        where[axis] = idx
        np.add.at(z, tuple(where), g)
        return z
    import torsh_compat as T
    return T.zeros(shape, dtype=g.dtype).scatter_add(axis, Tensor._make(idx), g)


def _select_backward(g, x, out, idx, axis, keepdim):
    return _scatter_to(g, idx, axis, x.shape, keepdim)


def _evenly_backward(g, x, out):
    return _evenly(g, x, out)


MaxBackward0 = backward_node("MaxBackward0", _select_backward, NONE)
MaxBackward1 = backward_node("MaxBackward1", _evenly_backward, BOTH)
MinBackward0 = backward_node("MinBackward0", _select_backward, NONE)
MinBackward1 = backward_node("MinBackward1", _evenly_backward, BOTH)


def _nonempty_dim(x, d, name):
    if x.ndim and x.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _arg_along(x, d, argfn, keepdim):
    """(values, int64 indices) picked by argfn along dim d; 0-d tensors select themselves."""
    if x.ndim == 0:
        return x.copy(), np.zeros((), _I64)
    idx = argfn(x, axis=d, keepdims=True)
    vals = np.take_along_axis(x, idx, d)
    if not keepdim:
        idx, vals = idx.squeeze(d), vals.squeeze(d)
    return vals, idx.astype(_I64, copy=False)


def _minmax(name, reduce_np, argfn, pair, node_dim, node_all, rtype):
    def op(input, dim=None, keepdim=False, *, other=None, out=None):
        if dim is None:
            if other is not None:
                return pair(input, other)
            x = input._data
            if x.size == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                   f"input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
            return record(reduce_np(x, None), node_all, (input,))
        if isinstance(dim, Tensor):
            return pair(input, dim)
        x = input._data
        d = _dim1(dim, x.ndim, name)
        _check_keepdim(keepdim, name)
        _nonempty_dim(x, d, name)
        vals, idx = _arg_along(x, d, argfn, keepdim)
        return rtype(record(vals, node_dim, (input,), (idx, d, keepdim)),
                     record(idx, None, ()))
    op.__name__ = op.__qualname__ = name
    return op


max = _minmax("max", np.max, np.argmax, maximum, MaxBackward0, MaxBackward1, max_rt)
min = _minmax("min", np.min, np.argmin, minimum, MinBackward0, MinBackward1, min_rt)


def _amax_backward(g, x, out, axes, keepdim):
    out = out if keepdim else B.reshape(out, _kshape(x.shape, axes))
    hit = (B.data(x) == B.data(out))
    count = hit.sum(axis=axes, keepdims=True)
    return _unreduce(g, x.shape, axes, keepdim) * B.const((hit / count).astype(B.data(x).dtype), g)


AmaxBackward0 = backward_node("AmaxBackward0", _amax_backward, BOTH)
AminBackward0 = backward_node("AminBackward0", _amax_backward, BOTH)


def _amaxmin(name, ufunc, node):
    def op(input, dim=(), keepdim=False, *, out=None):
        x = input._data
        axes = _axes(dim, x.ndim, name)
        _check_keepdim(keepdim, name)
        if x.size == 0:
            _check_nonempty_axes(x, axes, name)
        return record(ufunc.reduce(x, axes, keepdims=keepdim), node, (input,), (axes, keepdim))
    op.__name__ = op.__qualname__ = name
    return op


def _check_nonempty_axes(x, axes, name):
    if axes is None:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                           f"Specify the reduction dim with the 'dim' argument.")
    for a in axes:
        if x.shape[a] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {a} to have non-zero size.")


amax = _amaxmin("amax", np.maximum, AmaxBackward0)
amin = _amaxmin("amin", np.minimum, AminBackward0)


def _argminmax(name, argfn):
    def op(input, dim=None, keepdim=False):
        x = input._data
        if x.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        _check_keepdim(keepdim, name)
        if dim is None:
            if x.size == 0:
                raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
            r = np.asarray(argfn(x), _I64)
            return record(r.reshape((1,) * x.ndim) if keepdim else r, None, ())
        d = _dim1(dim, x.ndim, name)
        _nonempty_dim(x, d, name)
        if x.ndim == 0:
            return record(np.zeros((), _I64), None, ())
        return record(argfn(x, axis=d, keepdims=keepdim).astype(_I64, copy=False), None, ())
    op.__name__ = op.__qualname__ = name
    return op


argmax = _argminmax("argmax", np.argmax)
argmin = _argminmax("argmin", np.argmin)


def aminmax(input, *, dim=None, keepdim=False):
    x = input._data
    if x.size == 0:
        if dim is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        d = _dim1(dim, x.ndim, "aminmax")
        if x.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    dims = () if dim is None else dim
    return aminmax_rt(amin(input, dims, keepdim), amax(input, dims, keepdim))


# ---- var, std, var_mean, std_mean -----------------------------------------------------------

def _correction(dim, unbiased, correction, name):
    """(dim, correction) from torch's overloads: (dim, unbiased, keepdim) and (dim, *, correction)."""
    if dim.__class__ is bool:          # var(x, True): the legacy (unbiased) overload
        dim, unbiased = None, dim
    if unbiased is not None:
        if correction is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                            f"'unbiased' and 'correction'")
        if unbiased.__class__ is not bool:
            raise TypeError(f"{name}(): argument 'unbiased' must be bool, not {type(unbiased).__name__}")
        return dim, 1 if unbiased else 0
    return dim, 1 if correction is None else correction


def _moments(input, dim, keepdim, correction, name):
    """Variance (float64 accumulation for float32) with torch's dof rule, and the axes and dof."""
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = _axes(dim, x.ndim, name)
    _check_keepdim(keepdim, name)
    n = _count(x.shape, axes)
    dof = _bmax(0, n - correction)
    acc = _ACC.get(x.dtype, x.dtype)
    dev = np.subtract(x, np.add.reduce(x, axes, acc, keepdims=True) / _bmax(n, 1), dtype=acc)
    ss = np.add.reduce(dev * dev, axes, keepdims=keepdim)
    if dof <= 0:
        warnings.warn(f"{name.split('_')[0]}(): degrees of freedom is <= 0. Correction should be "
                      f"strictly less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
        with np.errstate(divide="ignore", invalid="ignore"):
            return ss / dof, axes, dof
    return ss / dof, axes, dof


def _var_backward(g, x, out, axes, keepdim, dof):
    n = _count(x.shape, axes)
    centred = x - B.sum(x, axes, True) / _bmax(n, 1)
    scale = 2.0 / dof if dof else _INF
    with np.errstate(invalid="ignore"):
        return _unreduce(g, x.shape, axes, keepdim) * scale * centred


def _std_backward(g, x, out, axes, keepdim, dof):
    od = B.data(out)
    with np.errstate(divide="ignore", invalid="ignore"):
        gv = B.mask(od != 0, g / (out * 2))
    return _var_backward(gv, x, None, axes, keepdim, dof)


VarBackward0 = backward_node("VarBackward0", _var_backward, INPUTS)
StdBackward0 = backward_node("StdBackward0", _std_backward, BOTH)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    dim, c = _correction(dim, unbiased, correction, "var")
    v, axes, dof = _moments(input, dim, keepdim, c, "var")
    return record(v.astype(input._data.dtype, copy=False), VarBackward0, (input,), (axes, keepdim, dof))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    dim, c = _correction(dim, unbiased, correction, "std")
    v, axes, dof = _moments(input, dim, keepdim, c, "std")
    return record(np.sqrt(v).astype(input._data.dtype, copy=False), StdBackward0, (input,),
                  (axes, keepdim, dof))


def _with_mean(name, first):
    def op(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
        if input._data.dtype.kind not in "fc":
            raise RuntimeError(f"{name} only support floating point and complex dtypes")
        dim, c = _correction(dim, unbiased, correction, name)
        return first(input, dim, keepdim=keepdim, correction=c), mean(input, dim, keepdim)
    op.__name__ = op.__qualname__ = name
    return op


var_mean = _with_mean("var_mean", var)
std_mean = _with_mean("std_mean", std)


# ---- norms ----------------------------------------------------------------------------------

def _norm_dtype(x, dtype, name):
    """The dtype a norm computes in: float input only; dtype= may widen but never narrow."""
    if x.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {_c10(x.dtype)}")
    if dtype is None:
        return x
    dt = D.to_np(dtype)
    if dt.kind not in "fc" or np.promote_types(x.dtype, dt) != dt:
        raise RuntimeError(f"{name}: the dtype of the input ({_c10(x.dtype)}) should be convertible "
                           f"without narrowing to the specified dtype ({_c10(dt)})")
    return x.astype(dt, copy=False)


def _vector_norm_np(x, ord, axes, keepdim):
    if ord == 2 and x.dtype.kind == "f":    # the common case: no abs() pass, squares straight to float64
        r = np.sqrt(np.add.reduce(np.square(x, dtype=_ACC.get(x.dtype, x.dtype)), axes, keepdims=keepdim))
        return np.asarray(r).astype(x.dtype, copy=False)
    a = np.abs(x)
    if ord == 2:
        r = np.sqrt(np.add.reduce(np.square(_acc(a)), axes, keepdims=keepdim))
    elif ord == _INF:
        r = np.maximum.reduce(a, axes, keepdims=keepdim)
    elif ord == -_INF:
        r = np.minimum.reduce(a, axes, keepdims=keepdim)
    elif ord == 0:
        r = np.add.reduce(a != 0, axes, _F64, keepdims=keepdim)
    elif ord == 1:
        r = np.add.reduce(_acc(a), axes, keepdims=keepdim)
    else:
        with np.errstate(divide="ignore"):
            r = np.add.reduce(_acc(a) ** ord, axes, keepdims=keepdim) ** (1.0 / ord)
    return np.asarray(r).astype(a.dtype, copy=False)


def _vector_norm_backward(g, x, out, ord, axes, keepdim):
    """torch's norm_backward, term for term."""
    shape = x.shape
    if not keepdim:
        out = B.reshape(out, _kshape(shape, axes))
    g = _unreduce(g, shape, axes, keepdim)
    xd, nd = B.data(x), B.data(out)
    if ord == 0:
        return None     # torch leaves the gradient undefined
    if ord == 1:
        return g * B.sign(x)
    if ord == 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            return g * B.mask(np.broadcast_to(nd != 0, shape), x / out)
    if ord == _INF or ord == -_INF:
        ad = np.abs(xd)
        hit = (ad == nd) | np.isnan(ad)
        return B.sign(x) * (g / B.const(hit.sum(axis=axes, keepdims=True).astype(xd.dtype), g)) \
            * B.const(hit.astype(xd.dtype), g)
    with np.errstate(divide="ignore", invalid="ignore"):
        if ord < 1:
            scaled = B.sign(x) * B.mask(xd != 0, B.abs(x) ** (ord - 1))
            return scaled * g * out ** (1 - ord)
        scale = B.mask(np.broadcast_to(nd != 0, shape), g / out ** (ord - 1))
        if ord < 2:
            return B.sign(x) * B.abs(x) ** (ord - 1) * scale
        return x * B.abs(x) ** (ord - 2) * scale


LinalgVectorNormBackward0 = backward_node("LinalgVectorNormBackward0", _vector_norm_backward, BOTH)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.linalg.vector_norm."""
    a = x._data
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {type(ord).__name__}")
    a = _norm_dtype(a, dtype, "linalg.vector_norm")
    axes = _axes(dim, a.ndim, "linalg.vector_norm")
    _check_keepdim(keepdim, "linalg.vector_norm")
    if a.size == 0 and (ord < 0 or ord == _INF):
        if axes is None:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                               f"because the operation does not have an identity")
        for d in axes:
            if a.shape[d] == 0:
                # (sic: torch's message has no space before "because")
                raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on the dimension "
                                   f"{d}because this dimension is empty and the operation does not have "
                                   f"an identity")
    ord = float(ord)
    return record(_vector_norm_np(a, ord, axes, keepdim), LinalgVectorNormBackward0, (x,),
                  (ord, axes, keepdim))


def _svdvals(A, d0, d1):
    """Singular values of the matrices spanned by dims (d0, d1), batch dims first."""
    from .linalg import linalg_svdvals
    return linalg_svdvals(A.movedim((d0, d1), (-2, -1)))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """torch.linalg.matrix_norm, composed as torch composes it."""
    a = A._data
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(_wrap_dim(_index(d, "linalg.matrix_norm"), a.ndim) for d in dims)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    d0, d1 = dims
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    _norm_dtype(a, dtype, "linalg.matrix_norm")
    if isinstance(ord, str):
        if ord == "fro":
            return vector_norm(A, 2, dims, keepdim, dtype=dtype)
        if ord != "nuc":
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        return _keep(sum(_svdvals(_cast(A, dtype), d0, d1), -1), a.shape, dims, keepdim)
    if abs(ord) not in (1, 2, _INF):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    pick = amax if ord > 0 else amin
    if abs(ord) == 2:
        sv = _svdvals(_cast(A, dtype), d0, d1)
        r = _zeros_or(pick, sv, -1, ord)
        return _keep(r, a.shape, dims, keepdim)
    if abs(ord) == _INF:
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    return _zeros_or(pick, vector_norm(A, 1.0, d0, keepdim, dtype=dtype), d1, ord, keepdim)


def _cast(A, dtype):
    return A if dtype is None else A.to(dtype)


def _zeros_or(pick, t, d, ord, keepdim=False):
    """amax/amin over d; an empty d gives zeros for positive orders, as torch's composition does."""
    if t._data.shape[d] == 0 and ord > 0:
        shape = list(t._data.shape)
        if keepdim:
            shape[d] = 1
        else:
            del shape[d]
        return record(np.zeros(shape, t._data.dtype), None, ())
    return pick(t, d, keepdim)


def _keep(r, shape, dims, keepdim):
    return r.reshape(_kshape(shape, dims)) if keepdim else r


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm (deprecated in torch, still common): dispatches as torch/functional.py does."""
    dims = [dim] if isinstance(dim, int) else dim
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, dims, keepdim, dtype=dtype)
        if dims is None:
            dims = list(range(input._data.ndim))
        return matrix_norm(input, p, dims, keepdim, dtype=dtype)
    return vector_norm(input, 2.0 if p is None else p, dims, keepdim, dtype=dtype)


# ---- logsumexp ------------------------------------------------------------------------------

def _logsumexp_backward(g, x, out, axes, keepdim):
    if not keepdim:
        out = B.reshape(out, _kshape(x.shape, axes))
    return _unreduce(g, x.shape, axes, keepdim) * B.exp(x - out)


LogsumexpBackward0 = backward_node("LogsumexpBackward0", _logsumexp_backward, BOTH)


def logsumexp(input, dim, keepdim=False, *, out=None):
    x = as_float(input._data)
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 1) must be tuple of ints, not NoneType")
    axes = _axes(dim, x.ndim, "logsumexp")
    if axes is None and not keepdim and x.size:     # torch's own error for dim=()
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * x.ndim}")
    _check_keepdim(keepdim, "logsumexp")
    # shift by the max, except an infinite max (torch's rule: inf stays inf, all -inf stays -inf)
    m = np.maximum.reduce(x, axes, keepdims=True, initial=-np.inf) if x.size else np.zeros(
        _kshape(x.shape, axes), x.dtype)
    m = np.where(np.isinf(m), x.dtype.type(0), m)
    s = np.add.reduce(np.exp(_acc(x - m)), axes, keepdims=True)
    if s.all():
        r = np.log(s) + m
    else:
        with np.errstate(divide="ignore"):
            r = np.log(s) + m
    if not keepdim:
        r = r.reshape(np.add.reduce(s, axes, keepdims=False).shape) if axes != () else r
    return record(r.astype(x.dtype, copy=False), LogsumexpBackward0, (input,), (axes, keepdim))


# ---- scans: cumsum, cumprod, logcumsumexp, cummax, cummin -----------------------------------

def _scan(x, d, fn, *args):
    """fn(x, axis, *args) along dim d; a 0-d tensor scans as one element."""
    if x.ndim == 0:
        return fn(x.reshape(1), 0, *args).reshape(())
    return fn(x, d, *args)


def _cumsum_np(x, d, int_dtype=_I64):
    if x.dtype.kind in "biu":
        return np.cumsum(x, d, dtype=int_dtype)
    return np.cumsum(_acc(x), d).astype(x.dtype, copy=False)


def _reversed_cumsum(g, d):
    return B.flip(B.cumsum(B.flip(g, d), d), d)


def _cumsum_backward(g, x, out, d):
    if g.ndim == 0 or g.shape[d] <= 1:
        return g
    return _reversed_cumsum(g, d)


CumsumBackward0 = backward_node("CumsumBackward0", _cumsum_backward, NONE)


def cumsum(input, dim, *, dtype=None, out=None):
    x = input._data
    int_dtype = _I64
    if dtype is not None:
        x = x.astype(D.to_np(dtype), copy=False)
        int_dtype = x.dtype
    d = _dim1(dim, x.ndim, "cumsum")
    return record(_scan(x, d, _cumsum_np, int_dtype), CumsumBackward0, (input,), (d,))


def _cumprod_np(x, d, int_dtype=_I64):
    if x.dtype.kind in "biu":
        return np.cumprod(x, d, dtype=int_dtype)
    return np.cumprod(_acc(x), d).astype(x.dtype, copy=False)


def _cumprod_backward(g, x, out, d):
    if x.ndim == 0 or x.shape[d] <= 1:
        return g
    xd = B.data(x)
    zero = xd == 0
    if not zero.any():
        return _reversed_cumsum(out * g, d) / x
    return B.const(_cumprod_grad_with_zeros(B.data(g), xd, B.data(out), zero, d), g)


def _cumprod_grad_with_zeros(g, x, out, zero, d):
    """torch's O(n) cumprod gradient when the input has zeros (z1 = first zero of each slice):
    before z1 the usual reversed-cumsum / x; at z1 the sum over j in [z1, z2) of g_j times the
    product of x_0..x_j without x_z1; after z1 nothing."""
    zeros_seen = np.cumsum(zero, d)
    before = zeros_seen == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = np.where(before, _reversed_cumsum(np.where(before, out * g, 0), d) / np.where(before, x, 1), 0)
    first = zero & (zeros_seen == 1)
    upto_second = zeros_seen == 1
    partial = np.cumprod(np.where(first, 1, x), d)
    at_first = np.add.reduce(np.where(upto_second, g * partial, 0), d, keepdims=True)
    return np.where(first, at_first, grad).astype(x.dtype, copy=False)


CumprodBackward0 = backward_node("CumprodBackward0", _cumprod_backward, BOTH)


def cumprod(input, dim, *, dtype=None, out=None):
    x = input._data
    int_dtype = _I64
    if dtype is not None:
        x = x.astype(D.to_np(dtype), copy=False)
        int_dtype = x.dtype
    d = _dim1(dim, x.ndim, "cumprod")
    return record(_scan(x, d, _cumprod_np, int_dtype), CumprodBackward0, (input,), (d,))


def _logcumsumexp_np(x, d):
    return np.logaddexp.accumulate(_acc(x), d).astype(x.dtype, copy=False)


def _lcse(a, d):
    return _scan(a, d, _logcumsumexp_np) if B.is_array(a) else a.logcumsumexp(d)


def _logcumsumexp_backward(g, x, out, d):
    # torch's formula: split g by sign so that every log is of a positive number
    if g.ndim == 0 or g.shape[d] == 0:
        return g
    gd = B.data(g)
    lowest = np.finfo(gd.dtype).min
    with np.errstate(divide="ignore"):
        log_abs = B.log(B.abs(g))
    pos = B.where(gd > 0, log_abs, B.const(np.asarray(lowest, gd.dtype), g))
    neg = B.where(gd < 0, log_abs, B.const(np.asarray(lowest, gd.dtype), g))

    def rev(a):
        return B.flip(_lcse(B.flip(a, d), d), d)
    return B.exp(rev(pos - out) + x) - B.exp(rev(neg - out) + x)


LogcumsumexpBackward0 = backward_node("LogcumsumexpBackward0", _logcumsumexp_backward, BOTH)


def logcumsumexp(input, dim, *, out=None):
    x = input._data
    if x.dtype.kind not in "fc":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_c10(x.dtype)}'")
    d = _dim1(dim, x.ndim, "logcumsumexp")
    return record(_scan(x, d, _logcumsumexp_np), LogcumsumexpBackward0, (input,), (d,))


def _cum_extreme(name, ufunc, rtype, node):
    def op(input, dim):
        x = input._data
        d = _dim1(dim, x.ndim, name)
        if x.ndim == 0:
            return rtype(record(x.copy(), node, (input,), (np.zeros((), _I64), 0)),
                         record(np.zeros((), _I64), None, ()))
        vals = ufunc.accumulate(x, d)
        # each position points at the latest element equal to the running extreme (NaN: the latest NaN)
        hit = x == vals
        if x.dtype.kind == "f":
            hit |= np.isnan(x)
        pos = np.arange(x.shape[d], dtype=_I64).reshape((-1,) + (1,) * (x.ndim - 1 - d))
        idx = np.maximum.accumulate(np.where(hit, pos, 0), d)
        return rtype(record(vals, node, (input,), (idx, d)), record(idx, None, ()))
    op.__name__ = op.__qualname__ = name
    return op


def _cum_extreme_backward(g, x, out, idx, d):
    return _scatter_add_to(g, idx, d, x.shape)


CummaxBackward0 = backward_node("CummaxBackward0", _cum_extreme_backward, NONE)
CumminBackward0 = backward_node("CumminBackward0", _cum_extreme_backward, NONE)
cummax = _cum_extreme("cummax", np.maximum, cummax_rt, CummaxBackward0)
cummin = _cum_extreme("cummin", np.minimum, cummin_rt, CumminBackward0)


# ---- all, any, count_nonzero ----------------------------------------------------------------

def _logical(name, ufunc):
    def op(input, dim=None, keepdim=False, *, out=None):
        x = input._data
        axes = _axes(dim, x.ndim, name, empty_is_all=False)
        _check_keepdim(keepdim, name)
        r = ufunc.reduce(x != 0 if x.dtype != np.bool_ else x, axes, keepdims=keepdim)
        if x.dtype == np.uint8:      # torch keeps uint8 for all/any of uint8
            r = np.asarray(r).astype(np.uint8)
        return record(r, None, ())
    op.__name__ = op.__qualname__ = name
    return op


all = _logical("all", np.logical_and)
any = _logical("any", np.logical_or)


def count_nonzero(input, dim=None):
    x = input._data
    axes = _axes(dim, x.ndim, "count_nonzero")
    return record(np.add.reduce(x != 0, axes, _I64), None, ())


# ---- sorting and order statistics -----------------------------------------------------------

def _argsort(x, d, descending):
    """Stable argsort along d (NaN sorts as the largest value); descending keeps ties in order."""
    if not descending:
        return np.argsort(x, d, kind="stable")
    n = x.shape[d]
    return (n - 1) - np.flip(np.argsort(np.flip(x, d), d, kind="stable"), d)


def _sort_backward(g, x, out, idx, d):
    return _scatter_to(g, idx, d, x.shape, True)


SortBackward0 = backward_node("SortBackward0", _sort_backward, NONE)


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    # stable=False is stable too: torch's CPU sort is for rows of up to 16 elements, and any
    # valid tie order is torch's answer beyond that
    x = input._data
    d = _dim1(dim, x.ndim, "sort")
    if x.ndim == 0:
        return sort_rt(record(x.copy(), SortBackward0, (input,), (np.zeros((), _I64), 0)),
                       record(np.zeros((), _I64), None, ()))
    idx = _argsort(x, d, descending)
    return sort_rt(record(np.take_along_axis(x, idx, d), SortBackward0, (input,), (idx, d)),
                   record(idx, None, ()))


def argsort(input, dim=-1, descending=False, stable=False):
    x = input._data
    d = _dim1(dim, x.ndim, "argsort")
    if x.ndim == 0:
        return record(np.zeros((), _I64), None, ())
    return record(_argsort(x, d, descending), None, ())


def msort(input, *, out=None):
    return sort(input, 0).values


TopkBackward0 = backward_node("TopkBackward0", _sort_backward, NONE)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    d = _dim1(dim, x.ndim, "topk")
    n = x.shape[d] if x.ndim else 1
    k = _index(k, "topk", "k")
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if x.ndim == 0:
        return topk_rt(record(x.copy(), TopkBackward0, (input,), (np.zeros((), _I64), 0)),
                       record(np.zeros((), _I64), None, ()))
    if 0 < k and 4 * k < n:   # select the k first, then order only them
        part = np.argpartition(x, n - k if largest else k - 1, axis=d)
        chosen = np.sort(np.take(part, np.arange(n - k, n) if largest else np.arange(k), d), d)
        idx = np.take_along_axis(chosen, _argsort(np.take_along_axis(x, chosen, d), d, largest), d)
    else:
        idx = np.take(_argsort(x, d, largest), np.arange(k), d)
    return topk_rt(record(np.take_along_axis(x, idx, d), TopkBackward0, (input,), (idx, d)),
                   record(idx, None, ()))


def _order_stat(x, d, pick_position, keepdim):
    """(values, indices) at the sorted position pick_position(sorted_index, sorted_values) along d."""
    if x.ndim == 0:
        return x.copy(), np.zeros((), _I64)
    order = np.argsort(x, d, kind="stable")
    pos = pick_position(x, order)
    idx = np.take_along_axis(order, pos, d)
    vals = np.take_along_axis(x, idx, d)
    if not keepdim:
        idx, vals = idx.squeeze(d), vals.squeeze(d)
    return vals, idx


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    x = input._data
    if x.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    d = _dim1(dim, x.ndim, "kthvalue")
    _nonempty_dim(x, d, "kthvalue")
    k = _index(k, "kthvalue", "k")
    n = x.shape[d] if x.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    vals, idx = _order_stat(x, d, lambda a, order: np.full(
        _kshape(a.shape, (d,)), k - 1, _I64), keepdim)
    return kthvalue_rt(record(vals, KthvalueBackward0, (input,), (idx, d, keepdim)), record(idx, None, ()))


KthvalueBackward0 = backward_node("KthvalueBackward0", _select_backward, NONE)


def _median_pos(a, d, skip_nan):
    n = a.shape[d]
    if a.dtype.kind != "f":
        return np.full(_kshape(a.shape, (d,)), (n - 1) // 2, _I64)
    nans = np.add.reduce(np.isnan(a), d, _I64, keepdims=True)
    if skip_nan:
        return np.maximum((n - nans - 1) // 2, 0)
    return np.where(nans > 0, n - nans, (n - 1) // 2)


def _median_dim(name, input, dim, keepdim, skip_nan, rtype, node):
    x = input._data
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    d = _dim1(dim, x.ndim, name)
    _check_keepdim(keepdim, name)
    _nonempty_dim(x, d, name)
    vals, idx = _order_stat(x, d, lambda a, order: _median_pos(a, d, skip_nan), keepdim)
    return rtype(record(vals, node, (input,), (idx, d, keepdim)), record(idx, None, ()))


def _median_all(name, input, skip_nan, node):
    x = input._data
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    flat = x.reshape(-1)
    if x.dtype.kind == "f":
        nan = np.isnan(flat)
        if nan.any():
            if not skip_nan:
                return record(np.asarray(np.nan, x.dtype), node, (input,))
            flat = flat[~nan]
        if flat.size == 0:
            return record(np.asarray(np.nan, x.dtype), node, (input,))
    elif flat.size == 0:    # torch's value for an empty integer tensor
        return record(np.asarray(np.iinfo(x.dtype).min, x.dtype), None, ())
    k = (flat.size - 1) // 2
    return record(np.partition(flat, k)[k], node, (input,))


MedianBackward0 = backward_node("MedianBackward0", _evenly_backward, BOTH)
MedianBackward1 = backward_node("MedianBackward1", _select_backward, NONE)
NanmedianBackward0 = backward_node("NanmedianBackward0", _evenly_backward, BOTH)
NanmedianBackward1 = backward_node("NanmedianBackward1", _select_backward, NONE)


def median(input, dim=None, keepdim=False, *, out=None):
    if dim is None:
        return _median_all("median", input, False, MedianBackward0)
    return _median_dim("median", input, dim, keepdim, False, median_rt, MedianBackward1)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    if dim is None:
        return _median_all("nanmedian", input, True, NanmedianBackward0)
    return _median_dim("nanmedian", input, dim, keepdim, True, nanmedian_rt, NanmedianBackward1)


ModeBackward0 = backward_node("ModeBackward0", _select_backward, NONE)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along dim (the smallest of equally frequent ones) and the index of
    its last occurrence, as torch."""
    x = input._data
    d = _dim1(dim, x.ndim, "mode")
    _check_keepdim(keepdim, "mode")
    _nonempty_dim(x, d, "mode")
    if x.ndim == 0:
        return mode_rt(record(x.copy(), ModeBackward0, (input,), (np.zeros((), _I64), 0, keepdim)),
                       record(np.zeros((), _I64), None, ()))
    order = np.argsort(x, d, kind="stable")
    s = np.take_along_axis(x, order, d)
    n = x.shape[d]
    pos = np.arange(n, dtype=_I64).reshape((-1,) + (1,) * (x.ndim - 1 - d))
    new_run = np.ones(s.shape, bool)
    inner = [slice(None)] * x.ndim
    inner[d] = slice(1, None)
    prev = list(inner)
    prev[d] = slice(None, -1)
    new_run[tuple(inner)] = s[tuple(inner)] != s[tuple(prev)]
    run_start = np.maximum.accumulate(np.where(new_run, pos, 0), d)
    run_len = pos - run_start + 1
    # the end of the first longest run: the smallest most frequent value; stable order puts the
    # last occurrence of that value at the run's end
    end = np.argmax(run_len, d, keepdims=True)
    idx = np.take_along_axis(order, end, d)
    vals = np.take_along_axis(s, end, d)
    if not keepdim:
        idx, vals = idx.squeeze(d), vals.squeeze(d)
    return mode_rt(record(vals, ModeBackward0, (input,), (idx, d, keepdim)), record(idx, None, ()))


# ---- unique, unique_consecutive (no gradient, as in torch) ------------------------------------

def _not_implemented(name):
    def backward(g, *rest):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")
    return backward


Unique2Backward0 = backward_node("Unique2Backward0", _not_implemented("_unique2"), NONE)
UniqueDimBackward0 = backward_node("UniqueDimBackward0", _not_implemented("unique_dim"), NONE)
UniqueConsecutiveBackward0 = backward_node("UniqueConsecutiveBackward0",
                                           _not_implemented("unique_consecutive"), NONE)


def _unique_result(input, values, inverse, counts, return_inverse, return_counts, node):
    out = record(values, node, (input,))
    if not (return_inverse or return_counts):
        return out
    res = (out,)
    if return_inverse:
        res += (record(inverse.astype(_I64, copy=False), None, ()),)
    if return_counts:
        res += (record(counts.astype(_I64, copy=False), None, ()),)
    return res


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    x = input._data
    if dim is None:
        vals, inv, cnt = np.unique(x.reshape(-1), return_inverse=True, return_counts=True,
                                   equal_nan=False)
        return _unique_result(input, vals, inv.reshape(x.shape), cnt, return_inverse, return_counts,
                              Unique2Backward0)
    d = _dim1(dim, x.ndim, "unique")
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    vals, inv, cnt = np.unique(x, return_inverse=True, return_counts=True, axis=d)
    return _unique_result(input, vals, inv.reshape(-1), cnt, return_inverse, return_counts,
                          UniqueDimBackward0)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    x = input._data
    if dim is None:
        flat = x.reshape(-1)
        new = np.empty(flat.shape, bool)
        new[:1] = True
        np.not_equal(flat[1:], flat[:-1], out=new[1:])
        vals, shape_inv = flat[new], x.shape
    else:
        d = _dim1(dim, x.ndim, "unique_consecutive")
        if x.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        rows = np.moveaxis(x, d, 0).reshape(x.shape[d], x.size // x.shape[d] if x.shape[d] else 0)
        new = np.empty(x.shape[d], bool)
        new[:1] = True
        new[1:] = (rows[1:] != rows[:-1]).any(axis=1) if rows.shape[1] else False
        vals, shape_inv = np.compress(new, x, axis=d), (x.shape[d],)
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, new.size))
    inverse = (np.cumsum(new) - 1).reshape(shape_inv)
    return _unique_result(input, vals, inverse, counts, return_inverse, return_counts,
                          UniqueConsecutiveBackward0)


# ---- quantile, nanquantile --------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_backward(g, x, out, lo_idx, hi_idx, w_hi, moved_shape, d, q_dim):
    """g shared between the two sorted neighbours each quantile interpolates, scattered back
    through the sort and returned in the input's layout."""
    nq = lo_idx.shape[0]
    gm = B.reshape(g, (nq,) + moved_shape[:-1] + (1,))
    wh = B.const(w_hi, g)
    full = (nq,) + moved_shape
    grad = B.sum(_scatter_add_to(gm * (1 - wh), lo_idx, len(full) - 1, full)
                 + _scatter_add_to(gm * wh, hi_idx, len(full) - 1, full), 0)
    if d is None:
        return B.reshape(grad, x.shape)
    return np.moveaxis(grad, -1, d) if B.is_array(grad) else grad.movedim(-1, d)


QuantileBackward0 = backward_node("QuantileBackward0", _quantile_backward, NONE)


def _lerp(lo, hi, w):
    # torch's lerp: exact at both ends
    return np.where(w < 0.5, lo + w * (hi - lo), hi - (hi - lo) * (1 - w))


def _quantile_q(name, q, x):
    """q as a 1-D array in x's dtype, and whether the result has a q dim."""
    if isinstance(q, Tensor):
        qa = q._data
        if qa.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if qa.dtype != x.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if qa.size and not ((qa >= 0) & (qa <= 1)).all():
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        return qa.reshape(-1), qa.ndim == 1
    if not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    return np.asarray([q], x.dtype), False


def _quantile(name, input, q, dim, keepdim, interpolation, skip_nan):
    """torch's quantile_compute: sort, rank = q * (count - 1), interpolate between neighbours."""
    x = input._data
    if x.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if x.dtype != _F32 and x.dtype != _F64:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    qv, q_dim = _quantile_q(name, q, x)
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
                           f"nearest, but got {interpolation}")
    if dim is None or x.ndim == 0:
        if dim is not None:
            _dim1(dim, 0, name)
        d, moved = None, x.reshape(-1)
        out_shape = _kshape(x.shape, None) if keepdim else ()
    else:
        d = _dim1(dim, x.ndim, name)
        moved = np.moveaxis(x, d, -1)
        out_shape = _kshape(x.shape, (d,)) if keepdim else x.shape[:d] + x.shape[d + 1:]
    order = np.argsort(moved, -1, kind="stable")
    srt = np.take_along_axis(moved, order, -1)
    n = moved.shape[-1]
    nans = np.add.reduce(np.isnan(moved), -1, _I64, keepdims=True)
    qb = qv.reshape((-1,) + (1,) * moved.ndim)
    if skip_nan:     # ranks among the non-NaN values; an all-NaN slice reads its first (NaN)
        ranks = np.maximum(qb * (n - nans - 1).astype(x.dtype), 0)
    else:            # a slice with a NaN reads its last value (NaN)
        ranks = np.where(nans > 0, x.dtype.type(n - 1), qb * x.dtype.type(n - 1))
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)
    lo = ranks.astype(_I64)
    if interpolation == "linear" or interpolation == "midpoint":
        w = (ranks - lo).astype(x.dtype) if interpolation == "linear" else np.full(ranks.shape, 0.5, x.dtype)
        hi = np.ceil(ranks).astype(_I64)
    else:
        w, hi = np.zeros(ranks.shape, x.dtype), lo
    srt_q = np.broadcast_to(srt, lo.shape[:1] + srt.shape)
    r = _lerp(np.take_along_axis(srt_q, lo, -1), np.take_along_axis(srt_q, hi, -1), w)
    r = r.astype(x.dtype, copy=False).reshape(((qv.size,) if q_dim else ()) + out_shape)
    order_q = np.broadcast_to(order, srt_q.shape)
    return record(r, QuantileBackward0, (input,),
                  (np.take_along_axis(order_q, lo, -1), np.take_along_axis(order_q, hi, -1), w,
                   moved.shape, d, q_dim))


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# ---- Tensor.sum_to_size ------------------------------------------------------------------------

def sum_to_size(self, *size):
    """The sum of self over the dims that broadcasting `size` to self.shape would expand."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    x = self._data
    shape = x.shape
    if tuple(size) == shape:
        return self
    lead = len(shape) - len(size)
    if lead < 0 or _bany(s != 1 and s != n for s, n in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    r = _sum_np(x, axes, True).reshape(size)
    return record(r, SumBackward1, (self,), (axes, False))


# ---- registration and parity samples ----------------------------------------------------------

def _call(name, method=False, contiguous_expanded=False):
    """A Spec call that reads dtype="float64" as the library's own dtype object and q=[...] lists
    as a tensor of the input's dtype, so one sample serves torch and torsh_compat alike.
    contiguous_expanded: copy inputs with a zero stride first (torch's CPU median reads garbage
    from expanded tensors)."""
    def call(m, x, *args, **kwargs):
        if "dtype" in kwargs:
            kwargs = dict(kwargs, dtype=getattr(m, kwargs["dtype"]))
        if args and isinstance(args[0], list):
            args = (m.from_numpy(np.array(args[0], dtype=str(x.dtype).split(".")[-1])),) + args[1:]
        if contiguous_expanded and x.ndim and x.stride(0) == 0:
            x = x.contiguous()

        if method:
            return getattr(x, name)(*args, **kwargs)
        if name.startswith("linalg_"):
            ns = getattr(m, "linalg", None)
            fn = getattr(ns, name[7:], None) if ns is not None else None
            return (fn or _LINALG[name])(x, *args, **kwargs)
        return getattr(m, name)(x, *args, **kwargs)
    return call


def _reduce_dims(nd, extra=()):
    """dim samples valid for an nd-dim input: all dims, first, last (keepdim), tuples."""
    out = [((), {}), ((0,), {}), ((-1, True), {}), ((), {"dim": -1, "keepdim": False})]
    if nd >= 2:
        out += [(((0, -1),), {}), ((), {"dim": [1, 0], "keepdim": True})]
    if nd >= 3:
        out.append((((0, 2),), {"keepdim": False}))
    return out + list(extra)


def _one_dim(nd):
    return [((), {}), ((0,), {}), ((-1, True), {}), ((), {"dim": -1, "keepdim": False})]


def _scan_dims(nd, extra=()):
    return [((0,), {}), ((-1,), {}), ((), {"dim": 0})] + list(extra)


_NUM_B = S.NUMERIC + (S.B,)

register(sum, node=SumBackward1, samples=S.unary(dtypes=S.ALL, call=_call("sum"), args=lambda nd: _reduce_dims(
    nd, [((), {"dtype": "float64"}), ((0,), {"dtype": "float32"})])))
register(nansum, node=NansumBackward0, samples=S.unary(dtypes=S.ALL, args=_reduce_dims))
register(mean, node=MeanBackward1, samples=S.unary(dtypes=S.ALL, call=_call("mean"), args=lambda nd: _reduce_dims(
    nd, [((), {"dtype": "float64"}), ((), {"dtype": "int64"})])))
register(nanmean, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_reduce_dims))
register(prod, node=ProdBackward1, samples=S.unary(
    dtypes=S.ALL, domain=(0.5, 1.5), int_domain=(-3, 4), call=_call("prod"),
    args=lambda nd: _one_dim(nd) + [((), {"dtype": "float64"}), ((), {"dim": (0,)})]))
register(max, node=MaxBackward0, samples=S.unary(dtypes=_NUM_B, distinct=True, args=_one_dim))
register(min, node=MinBackward0, samples=S.unary(dtypes=_NUM_B, distinct=True, args=_one_dim))
register(amax, node=AmaxBackward0, samples=S.unary(dtypes=_NUM_B, distinct=True, args=_reduce_dims))
register(amin, node=AminBackward0, samples=S.unary(dtypes=_NUM_B, distinct=True, args=_reduce_dims))
register(argmax, differentiable=False, samples=S.unary(dtypes=_NUM_B, distinct=True, args=lambda nd: _one_dim(nd) + [
    ((), {"keepdim": True})]))
register(argmin, differentiable=False, samples=S.unary(dtypes=_NUM_B, distinct=True, args=lambda nd: _one_dim(nd) + [
    ((), {"keepdim": True})]))
register(aminmax, node=AminBackward0, samples=S.unary(dtypes=_NUM_B, distinct=True, args=lambda nd: [
    ((), {}), ((), {"dim": 0}), ((), {"dim": -1, "keepdim": True})]))


def _var_args(nd):
    out = [((), {}), ((0,), {}), ((-1, False, True), {}), ((True,), {}), ((), {"unbiased": False}),
           ((), {"dim": -1, "keepdim": True, "correction": 0}), ((), {"correction": 2})]
    if nd >= 2:
        out.append(((), {"dim": (0, -1), "correction": 0}))
    return out


register(var, node=VarBackward0, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_var_args))
register(std, node=StdBackward0, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_var_args))
register(var_mean, method=False, node=VarBackward0, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_var_args))
register(std_mean, method=False, node=StdBackward0, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_var_args))


def _norm_args(nd):
    out = [((), {}), ((1,), {}), ((_INF,), {}), ((-_INF,), {}), ((0,), {}), ((3,), {}), ((1.5,), {}),
           ((0.5,), {}), ((), {"p": 2, "dim": -1, "keepdim": True}), ((), {"dim": 0})]
    if nd >= 2:
        out += [((1,), {"dim": (0, -1)}), (("fro", (0, 1)), {}), ((), {"p": 1.5, "dim": (1, 0), "keepdim": True})]
    if nd == 2:
        out.append((("nuc",), {}))
    return out


def _vector_norm_args(nd):
    out = [((), {}), ((1,), {}), ((_INF,), {}), ((-_INF,), {}), ((0,), {}), ((3,), {}), ((0.5,), {}),
           ((-1,), {}), ((2, -1, True), {}), ((), {"dim": 0, "dtype": "float64"}), ((), {"ord": "fro"})]
    if nd >= 2:
        out += [((2, (0, -1)), {}), ((1.5, [1, 0], True), {})]
    return out


def _matrix_norm_args(nd):
    out = [((), {}), (("fro",), {}), (("nuc",), {}), ((2,), {}), ((-2,), {}), ((1,), {}), ((-1,), {}),
           ((_INF,), {}), ((-_INF,), {}), ((3,), {}), ((1,), {"keepdim": True}), (("nuc",), {"keepdim": True}),
           ((2,), {"dim": (1, 0)}), ((), {"dim": (0, 0)})]
    if nd >= 3:
        out += [((_INF, (0, 2)), {}), ((-2, (2, 0), True), {})]
    return out


register(norm, node=LinalgVectorNormBackward0, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_norm_args))
_LINALG = {"linalg_vector_norm": vector_norm, "linalg_matrix_norm": matrix_norm}
register(vector_norm, name="linalg_vector_norm", method=False, namespace=False, node=LinalgVectorNormBackward0,
         samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_vector_norm_args, call=_call("linalg_vector_norm")))
register(matrix_norm, name="linalg_matrix_norm", method=False, namespace=False, node=AmaxBackward0,
         samples=S.unary(min_ndim=2, args=_matrix_norm_args, call=_call("linalg_matrix_norm"),
                         atol=1e-5, rtol=1e-5, why="singular values come from LAPACK (gesdd) in both "
                         "libraries, whose float32 results agree to a few ulps of the largest value only"))
register(logsumexp, node=LogsumexpBackward0, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=lambda nd: [
    ((0,), {}), ((-1, True), {}), ((), {"dim": -1})] + ([(((0, -1),), {})] if nd >= 2 else [])))
register(cumsum, node=CumsumBackward0, samples=S.unary(dtypes=S.ALL, call=_call("cumsum"), args=lambda nd: _scan_dims(
    nd, [((0,), {"dtype": "float64"})])))
register(cumprod, node=CumprodBackward0, samples=S.unary(dtypes=S.ALL, domain=(0.5, 1.5), int_domain=(-3, 4),
                                                        call=_call("cumprod"), args=_scan_dims))
make_inplace("cumsum", cumsum)
make_inplace("cumprod", cumprod)
register(logcumsumexp, node=LogcumsumexpBackward0, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_scan_dims))
register(cummax, node=CummaxBackward0, samples=S.unary(dtypes=_NUM_B, distinct=True, args=_scan_dims))
register(cummin, node=CumminBackward0, samples=S.unary(dtypes=_NUM_B, distinct=True, args=_scan_dims))
_LOGICAL = S.unary(dtypes=S.ALL + (S.U8,), grad=False, args=lambda nd: _reduce_dims(nd, [((), {"dim": ()})]))
register(all, differentiable=False, samples=_LOGICAL)
register(any, differentiable=False, samples=_LOGICAL)
register(count_nonzero, differentiable=False, samples=S.unary(dtypes=S.ALL, int_domain=(-1, 2), args=lambda nd: [
    ((), {}), ((0,), {}), ((), {"dim": -1})] + ([(((0, -1),), {})] if nd >= 2 else [])))


def _sort_args(nd):
    return [((), {}), ((0,), {}), ((), {"descending": True}), ((-1, True), {}),
            ((), {"stable": True, "dim": 0}), ((), {"dim": -1, "descending": True, "stable": True})]


# Integer rows here are at most 5 long: torch's CPU sort is stable for rows of up to 16.
register(sort, node=SortBackward0, samples=S.unary(dtypes=S.ALL, distinct=True, int_domain=(0, 3), args=_sort_args))
register(argsort, differentiable=False, samples=S.unary(dtypes=S.ALL, distinct=True, int_domain=(0, 3), args=_sort_args))
register(msort, node=SortBackward0, samples=S.unary(dtypes=S.ALL, distinct=True, int_domain=(0, 3)))
# topk and kthvalue pick among ties in an order of torch's own (partial sort): floats only, distinct.
register(topk, node=TopkBackward0, samples=S.unary(distinct=True, args=lambda nd: [
    ((1,), {}), ((2,), {}), ((2,), {"dim": 0}), ((2,), {"largest": False}), ((1, -1, True, True), {}),
    ((0,), {})]))
register(kthvalue, node=KthvalueBackward0, samples=S.unary(distinct=True, args=lambda nd: [
    ((1,), {}), ((2, 0), {}), ((2,), {"dim": -1, "keepdim": True}), ((0,), {})]))
register(median, node=MedianBackward1, samples=S.unary(
    dtypes=S.NUMERIC, distinct=True, args=_one_dim, call=_call("median", contiguous_expanded=True)))
register(nanmedian, node=NanmedianBackward1, samples=S.unary(
    dtypes=S.NUMERIC, distinct=True, args=_one_dim, call=_call("nanmedian", contiguous_expanded=True)))
register(mode, node=ModeBackward0, samples=S.unary(dtypes=S.NUMERIC, distinct=True, int_domain=(0, 3), args=lambda nd: [
    ((), {}), ((0,), {}), ((-1, True), {})]))
_UNIQUE = S.unary(dtypes=S.ALL, grad=False, int_domain=(0, 3), args=lambda nd: [
    ((), {}), ((), {"return_inverse": True, "return_counts": True}), ((), {"dim": 0, "return_counts": True}),
    ((), {"dim": -1, "return_inverse": True})])
register(unique, differentiable=False, samples=_UNIQUE)
register(unique_consecutive, differentiable=False, samples=_UNIQUE)


def _quantile_args(nd):
    return [((0.3,), {}), ((0.5, 0), {}), ((0.25,), {"dim": -1, "keepdim": True}),
            (([0.1, 0.5, 0.9],), {}), (([0.2, 0.6], -1, True), {}),
            ((0.7,), {"interpolation": "lower"}), ((0.7,), {"interpolation": "higher"}),
            ((0.7, 0), {"interpolation": "nearest"}), ((0.4,), {"interpolation": "midpoint"}), ((1.5,), {})]


register(quantile, samples=S.unary(dtypes=S.FLOATS + (S.I64,), args=_quantile_args, call=_call("quantile")))
register(nanquantile, samples=S.unary(dtypes=S.FLOATS, args=_quantile_args, call=_call("nanquantile")))
register(sum_to_size, node=SumBackward1, namespace=False, samples=S.unary(
    dtypes=S.ALL, shapes=[((3, 4),), ((2, 3, 4),), ((),)], call=_call("sum_to_size", method=True),
    args=lambda nd: [((1, 4), {}), ((4,), {}), (((3, 1),), {}), ((1, 1, 1, 4), {}), ((2, 4), {})]))
