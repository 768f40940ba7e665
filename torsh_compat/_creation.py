"""Tensor creation: tensor, as_tensor, from_numpy, zeros, ones, full, empty, arange, linspace, ...

dtype inference follows torch: Python floats take the default dtype, ints int64, bools bool,
and a list takes the promotion of its elements' dtypes; NumPy arrays and scalars keep theirs.
Python numbers converted to an explicit dtype get torch's overflow checks.
"""
import builtins
import math
import warnings
from itertools import chain

import numpy as np

from . import _dtype as D
from ._device import check_device, device as _device
from ._tensor import Tensor, Size, _new

_PY_NUMBERS = frozenset((builtins.bool, builtins.int, builtins.float, builtins.complex))
_SEQUENCES = frozenset((list, tuple))
_INT64_MAX = 2 ** 63 - 1


# ---- Python data -> ndarray, with torch's inference and checks -----------------------------------

def _default_complex():
    if D.get_default_dtype() is D.bfloat16:
        raise RuntimeError("invalid default scalar type for complex")
    return D.default_complex()


def _python_dtype(types):
    """torch's dtype for data made of Python numbers of these types (empty: the default float)."""
    if builtins.complex in types:
        return _default_complex()
    if builtins.float in types or not types:
        return D.get_default_dtype()
    if builtins.int in types:
        return D.int64
    return D.bool


def _leaf_types(seq):
    """Types of the leaves of nested lists/tuples, flattening a level at a time in C."""
    level = seq
    while True:
        types = set(map(type, level))
        if types and types <= _SEQUENCES:
            level = list(chain.from_iterable(level))
        else:
            return types


def _overflow(dt):
    return RuntimeError(f"value cannot be converted to type {D.FROM_NP[dt].name} without overflow")


def _checked_cast(nat, dt):
    """Python numbers, as the ndarray NumPy made of them, converted to dt as torch stores them:
    ints beyond int64 and out-of-range or NaN values for integer dtypes are errors."""
    k, tk = nat.dtype.kind, dt.kind
    if k in "uO":                                    # ints beyond int64
        if tk not in "fcV":
            raise ValueError("Overflow when unpacking long long")
        nat = nat.astype(np.float64)
        k = "f"
    if k == "c" and tk not in "cb":
        raise TypeError("must be real number, not complex")
    if tk in "iu" and k in "if":
        info = np.iinfo(dt)
        if k == "f":
            bad = not ((nat >= info.min) & (nat <= info.max)).all()     # NaN fails both
        else:                 # unsigned dtypes take negatives down to -max, wrapping around
            bad = ((nat < (-info.max if tk == "u" else info.min)) | (nat > info.max)).any()
        if bad:
            raise _overflow(dt)
    return D.astype(nat, dt)


def _supported(arr):
    """An ndarray torch could wrap; unsigned ints NumPy has and we have not widen to int64."""
    if not arr.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. "
                         "Conversion between byte orders is currently not supported.")
    if arr.dtype in D.FROM_NP:
        if any(s < 0 for s in arr.strides):
            raise ValueError("At least one stride in the given numpy array is negative, and tensors "
                             "with negative strides are not currently supported. (You can probably "
                             "work around this by making a copy of your array  with array.copy().)")
        return arr
    if arr.dtype.kind == "u":
        return arr.astype(np.int64)
    raise TypeError(f"can't convert np.ndarray of type numpy.{arr.dtype.type.__name__}. The only "
                    "supported types are: float64, float32, float16, complex64, complex128, int64, "
                    "int32, int16, int8, uint8, and bool.")


def _data_from(src, dtype=None):
    """An ndarray from what torch.tensor accepts. It may share memory with an ndarray/Tensor src."""
    cls = src.__class__
    if cls in _PY_NUMBERS:
        return _checked_cast(np.array(src), D.to_np(dtype if dtype is not None else _python_dtype({cls})))
    if cls in _SEQUENCES:
        types = _leaf_types(src)
        if types <= _PY_NUMBERS:
            try:
                nat = np.array(src)
            except ValueError:
                raise _shape_error(src) from None
            return _checked_cast(nat, D.to_np(dtype if dtype is not None else _python_dtype(types)))
        arr = _from_mixed(src, dtype)
    elif isinstance(src, Tensor):
        arr = src._data
    elif isinstance(src, np.ndarray):
        arr = _supported(src)
    elif isinstance(src, np.generic):
        arr = _supported(np.asarray(src))
    elif isinstance(src, str):
        raise TypeError("new(): invalid data type 'str'")
    elif isinstance(src, builtins.range):
        return _data_from(list(src), dtype)
    elif hasattr(src, "__array__"):
        arr = _supported(np.asarray(src))
    else:
        raise RuntimeError(f"Could not infer dtype of {cls.__name__}")
    return D.astype(arr, D.to_np(dtype)) if dtype is not None else arr


def _element_dtype(x):
    """infer_scalar_type of torch: the promotion of the dtypes of everything in x."""
    cls = x.__class__
    if cls in _PY_NUMBERS:
        return _python_dtype({cls})
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (np.ndarray, np.generic)):
        return D.FROM_NP[_supported(np.asarray(x)).dtype]
    if isinstance(x, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(x, (list, tuple, builtins.range)):
        d = None
        for e in x:
            e_dt = _element_dtype(e)
            d = e_dt if d is None else D.promote_types(d, e_dt)
        return d if d is not None else D.get_default_dtype()
    raise RuntimeError(f"Could not infer dtype of {cls.__name__}")


def _plain(x, integral):
    """Nested data with tensors read as numbers, as torch reads tensors inside lists."""
    if isinstance(x, Tensor):
        if x._data.size != 1:
            if integral:
                raise TypeError("only integer tensors of a single element can be converted to an index")
            raise ValueError("only one element tensors can be converted to Python scalars")
        return x._data.reshape(())[()]
    if x.__class__ in _SEQUENCES:
        return [_plain(e, integral) for e in x]
    return x


def _from_mixed(src, dtype):
    """Lists holding NumPy scalars, arrays or tensors: the slow, general path."""
    x = src
    while _is_seq(x) and len(x):           # torch sizes the data along its first elements
        x = x[0]
    if isinstance(x, str):
        raise ValueError("too many dimensions 'str'")
    dt = D.to_np(dtype if dtype is not None else _element_dtype(src))
    plain = _plain(src, dt.kind in "iub")
    try:
        return np.array(plain, dtype=dt)
    except ValueError:
        raise _shape_error(src) from None


def _is_seq(x):
    return isinstance(x, (list, tuple, builtins.range)) or (isinstance(x, np.ndarray) and x.ndim > 0)


def _shape_error(src):
    """The error torch gives for ragged data: shape from the first elements, then checked."""
    sizes, x = [], src
    while _is_seq(x):
        sizes.append(len(x))
        if not len(x):
            break
        x = x[0]

    def walk(x, dim):
        if dim == len(sizes):
            if _is_seq(x):
                return TypeError(f"expected a number at dim {dim}, got {type(x).__name__}")
            return None
        if not _is_seq(x):
            return TypeError("not a sequence")
        if len(x) != sizes[dim]:
            return ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(x)})")
        for e in x:
            err = walk(e, dim + 1)
            if err is not None:
                return err
        return None

    return walk(src, 0) or ValueError("the nested sequence is ragged")


def _fill(value, dt, name="fill_value"):
    """A Scalar argument as a 0-d ndarray of dt, with c10's checked conversion."""
    if isinstance(value, (Tensor, np.generic)):
        value = value.item()
    cls = value.__class__
    if cls not in _PY_NUMBERS:
        raise TypeError(f"argument '{name}' must be Number, not {cls.__name__}")
    if cls is builtins.int and not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise OverflowError("int too big to convert")
    if cls is builtins.complex and dt.kind not in "cb":
        if value.imag != 0:
            raise _overflow(dt)
        value = value.real
    if dt.kind in "fcV" and cls is not builtins.bool:
        big = _float_max(dt)
        for part in ((value.real, value.imag) if cls is builtins.complex else (value,)):
            if abs(part) > big and part != math.inf and part != -math.inf:
                raise _overflow(dt)
    return _checked_cast(np.array(value), dt)


_FLOAT_MAX = {}


def _float_max(dt):
    """Largest finite value of a float or complex NumPy dtype (of its parts)."""
    big = _FLOAT_MAX.get(dt)
    if big is None:
        big = _FLOAT_MAX[dt] = D.finfo(D.FROM_NP[dt]).max
    return big


def _number(v, name):
    """A Scalar argument as a Python number (Tensors and NumPy scalars are read as numbers)."""
    if isinstance(v, (Tensor, np.generic)):
        return v.item()
    if v.__class__ not in _PY_NUMBERS:
        raise TypeError(f"argument '{name}' must be Number, not {type(v).__name__}")
    return v


# ---- shared tails ---------------------------------------------------------------------------

def _finish(arr, requires_grad, out=None):
    if out is not None:
        return _into(out, arr)
    t = _new(Tensor)
    t._data, t._node, t._rg, t._vc = arr, None, False, [0]
    if requires_grad:
        t.requires_grad = True
    return t


def _into(out, arr):
    """out=: write the result into out, resizing it when the shape differs, as torch does."""
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if out._data.shape == arr.shape:
        np.copyto(out._data, arr, casting="unsafe")
    else:
        out._data = arr.astype(out._data.dtype)
    out._vc[0] += 1
    return out


def _dt(dtype, out=None):
    if dtype is not None:
        return D.to_np(dtype)
    if out is not None:
        return out._data.dtype
    return D.to_np(D._Defaults.float)


def _shape(name, args, size=None):
    """zeros(2, 3), zeros((2, 3)), zeros([2, 3]), zeros(torch.Size) and zeros(size=...)."""
    if size is not None:
        if args:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        args = (size,)
    elif not args:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if len(args) == 1 and args[0].__class__ in (tuple, list, Size):
        args = args[0]
    for s in args:
        if s.__class__ is not builtins.int:
            return _checked_shape(name, args)
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(args)}")
    return tuple(args)


def _checked_shape(name, args):
    shape = []
    for s in args:
        if isinstance(s, (builtins.bool, np.bool_)) or not hasattr(s, "__index__"):
            raise TypeError(f"{name}(): argument 'size' must be tuple of ints, but found element of "
                            f"type {type(s).__name__}")
        try:
            shape.append(s.__index__())
        except TypeError:
            raise TypeError(f"{name}(): argument 'size' must be tuple of ints, but found element of "
                            f"type {type(s).__name__}") from None
    return _shape(name, shape)


def _sequence_size(name, size):
    if not isinstance(size, (tuple, list, Size)):
        raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return _shape(name, (size,))


def _not_implemented(name, dt):
    return NotImplementedError(f'"{name}_cpu" not implemented for \'{D.legacy_name(D.FROM_NP[dt])}\'')


# ---- tensor / as_tensor / from_numpy ----------------------------------------------------------

def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone()."
                      "detach() or sourceTensor.clone().detach().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    return _finish(_fresh(data, _data_from(data, dtype)), requires_grad)


def _fresh(data, arr):
    """arr, copied unless it was built from Python data (torch.tensor always copies)."""
    if data.__class__ in _SEQUENCES or data.__class__ in _PY_NUMBERS:
        return arr
    return np.array(arr, copy=True)


def as_tensor(data, dtype=None, device=None):
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is D.as_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or D.to_np(dtype) == data.dtype) and \
            data.dtype in D.FROM_NP:
        return from_numpy(data)
    return _finish(_data_from(data, dtype), False)


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {_type_name(ndarray)})")
    if ndarray.dtype not in D.FROM_NP and ndarray.dtype.isnative:
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype.type.__name__}. The "
                        "only supported types are: float64, float32, float16, complex64, complex128, "
                        "int64, int32, int16, int8, uint8, and bool.")
    return _finish(_supported(ndarray), False)


def _type_name(x):
    t = type(x)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__.split('.')[0]}.{t.__name__}"


# ---- filled tensors ---------------------------------------------------------------------------

def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    check_device(device)
    return _finish(np.zeros(_shape("zeros", args, size), _dt(dtype, out)), requires_grad, out)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    check_device(device)
    return _finish(np.ones(_shape("ones", args, size), _dt(dtype, out)), requires_grad, out)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    check_device(device)
    return _finish(np.empty(_shape("empty", args, size), _dt(dtype, out)), requires_grad, out)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    check_device(device)
    shape = _sequence_size("full", size)
    if dtype is None and out is None:
        number = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
        dt = D.to_np(D.number_dtype(number))
    else:
        dt = _dt(dtype, out)
    return _finish(np.full(shape, _fill(fill_value, dt), dt), requires_grad, out)


def _like_input(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input._data


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    x = _like_input("zeros_like", input)
    return _finish(np.zeros_like(x, D.to_np(dtype) if dtype is not None else None), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    x = _like_input("ones_like", input)
    return _finish(np.ones_like(x, D.to_np(dtype) if dtype is not None else None), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    x = _like_input("empty_like", input)
    return _finish(np.empty_like(x, D.to_np(dtype) if dtype is not None else None), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    check_device(device)
    x = _like_input("full_like", input)
    dt = D.to_np(dtype) if dtype is not None else x.dtype
    return _finish(np.full_like(x, _fill(fill_value, dt), dt), requires_grad)


# ---- ranges -----------------------------------------------------------------------------------

def _trunc_div(a, b):
    """C++ integer division (towards zero) on Python ints."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = _number(start, "start"), _number(end, "end"), _number(step, "step")
    if dtype is None and out is None:
        floating = any(v.__class__ is builtins.float for v in (start, end, step))
        dtype = D.get_default_dtype() if floating else D.int64
    dt = _dt(dtype, out)
    if dt.kind in "bc":
        raise _not_implemented("arange", dt)
    fstart, fend, fstep = builtins.float(start), builtins.float(end), builtins.float(step)
    if fstep == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(fstart) and math.isfinite(fend)):
        raise RuntimeError(f"unsupported range: {fstart} -> {fend}")
    if not ((fstep > 0 and fend >= fstart) or (fstep < 0 and fend <= fstart)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt == np.int64:        # torch sizes int64 ranges in int64 arithmetic, on truncated bounds
        istart, iend, istep = builtins.int(start), builtins.int(end), builtins.int(step)
        if istep == 0:
            raise ValueError("step must be nonzero")
        n = _trunc_div(iend - istart + istep - (1 if istep > 0 else -1), istep)
    else:
        n = math.ceil((fend - fstart) / fstep)
    if not 0 <= n <= _INT64_MAX:
        raise RuntimeError("invalid size, possible overflow?")
    return _finish(_range_values(start, step, n, dt), requires_grad, out)


def _range_values(start, step, n, dt):
    """start + step * i as torch's kernel computes it: in int64 for integer dtypes (on truncated
    start and step), float32 for half types, float64 otherwise."""
    if dt.kind in "iu":
        return (builtins.int(start) + builtins.int(step) * np.arange(n, dtype=np.int64)).astype(dt)
    if dt.itemsize == 2:
        idx = np.arange(n, dtype=np.float32)
        with np.errstate(over="ignore"):          # out of float16's range is inf, as in torch
            return (np.float32(start) + np.float32(step) * idx).astype(dt)
    return (start + step * np.arange(n, dtype=np.float64)).astype(dt, copy=False)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
                  "which produces values in [start, end).", UserWarning, stacklevel=2)
    check_device(device)
    start, end, step = _number(start, "start"), _number(end, "end"), _number(step, "step")
    dt = _dt(dtype, out)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dt.kind in "iu":
        n = _trunc_div(builtins.int(end) - builtins.int(start), builtins.int(step)) + 1
    else:
        n = builtins.int(math.floor((builtins.float(end) - builtins.float(start)) / step)) + 1
    return _finish(_range_values(start, step, n, dt), requires_grad, out)


def _steps(name, steps):
    if isinstance(steps, (builtins.bool, np.bool_)) or not isinstance(steps, (builtins.int, np.integer)):
        raise TypeError(f"{name}(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return builtins.int(steps)


def _space_dtype(dtype, out, *values):
    if dtype is not None or out is not None:
        return _dt(dtype, out)
    if any(v.__class__ is builtins.complex for v in values):
        return D.to_np(_default_complex())
    return D.to_np(D.get_default_dtype())


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    check_device(device)
    start, end = _number(start, "start"), _number(end, "end")
    steps = _steps("linspace", steps)
    dt = _space_dtype(dtype, out, start, end)
    if dt.kind == "b":
        raise _not_implemented("linspace", dt)
    if steps <= 1:
        return _finish(np.full(steps, _fill(start, dt), dt), requires_grad, out)
    half = steps // 2
    i = np.arange(steps)
    if dt.kind in "iu":
        # integer dtypes: bounds converted to the dtype first, the step in double
        s, e = _fill(start, dt).astype(np.float64), _fill(end, dt).astype(np.float64)
        step = (e - s) / (steps - 1)
        vals = np.where(i < half, s + step * i, e - step * (steps - i - 1))
        return _finish(np.trunc(vals).astype(dt), requires_grad, out)
    # floating dtypes: everything in the dtype's own arithmetic, as torch's kernel
    s, e = _fill(start, dt), _fill(end, dt)
    step = (e - s) / np.array(steps - 1).astype(dt)
    idx = i.astype(dt)
    vals = np.where(i < half, s + step * idx, e - step * (steps - 1 - i).astype(dt))
    return _finish(vals.astype(dt, copy=False), requires_grad, out)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    check_device(device)
    start, end = _number(start, "start"), _number(end, "end")
    base = _number(base, "base")
    steps = _steps("logspace", steps)
    dt = _space_dtype(dtype, out, start, end)
    if dt.kind == "b":
        raise _not_implemented("logspace", dt)
    work = np.complex128 if dt.kind == "c" else np.float64
    if steps <= 1:
        vals = np.power(work(base), np.full(steps, start, work))
        return _finish(D.astype(vals, dt), requires_grad, out)
    # bounds in the dtype, step and powers in double (float32 base for integer dtypes)
    s, e = _fill(start, dt), _fill(end, dt)
    step = (e - s).astype(work) / (steps - 1)
    s, e = s.astype(work), e.astype(work)
    i = np.arange(steps)
    expo = np.where(i < steps // 2, s + step * i, e - step * (steps - i - 1))
    b = work(np.float32(base)) if dt.kind in "iu" else work(base)
    vals = np.power(b, expo)
    if dt.kind in "iu":
        vals = np.trunc(vals)
    return _finish(D.astype(vals, dt), requires_grad, out)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    check_device(device)
    for name, v in (("n", n), ("m", m)):
        if v is None:
            continue
        if isinstance(v, (builtins.bool, np.bool_)) or not isinstance(v, (builtins.int, np.integer)):
            raise TypeError(f"eye(): argument '{name}' must be int, not {type(v).__name__}")
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return _finish(np.eye(n, m if m is not None else n, dtype=_dt(dtype, out)), requires_grad, out)


def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    check_device(device)
    if isinstance(s, Tensor) or s.__class__ not in _PY_NUMBERS and not isinstance(s, np.generic):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    return _finish(_fill(s, _dt(dtype), "s"), requires_grad)


# ---- predicates -------------------------------------------------------------------------------

def _tensor_arg(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return _tensor_arg("is_floating_point", input).is_floating_point()


def is_complex(input):
    return _tensor_arg("is_complex", input).is_complex()


def numel(input):
    return _tensor_arg("numel", input)._data.size


# ---- legacy constructors: torch.Tensor(...), torch.FloatTensor(...), x.new(...) ---------------

def legacy_new(cls, dtype, args, kwargs, typed):
    """torch's legacy constructor. dtype None means the default dtype; `typed` (FloatTensor,
    x.new) refuses tensors of another dtype, where torch.Tensor(t) aliases any tensor."""
    dev = kwargs.pop("device", None)
    if kwargs:
        got = ", ".join([type(a).__name__ for a in args] + [f"{k}={type(v).__name__}"
                                                           for k, v in kwargs.items()])
        raise TypeError(f"new() received an invalid combination of arguments - got ({got})")
    if dev is not None:
        d = dev if isinstance(dev, _device) else _device(dev)
        if d.type != "cpu":
            raise RuntimeError(f"legacy constructor expects device type: cpu but device type: "
                               f"{d.type} was passed")
    dt = D.to_np(dtype if dtype is not None else D.get_default_dtype())
    if len(args) == 1:
        a = args[0]
        if isinstance(a, Tensor):
            if typed and a._data.dtype != dt:
                raise TypeError(f"expected {D.FROM_NP[dt]} (got {a.dtype})")
            return a.view_as(a) if cls is Tensor else cls._make_subclass(a)
        if isinstance(a, Size):
            return _legacy_make(cls, np.zeros(_shape("new", a), dt))
        if isinstance(a, (builtins.int, np.integer)) and not isinstance(a, (builtins.bool, np.bool_)):
            return _legacy_make(cls, np.zeros(_shape("new", args), dt))
        if a.__class__ in _PY_NUMBERS or isinstance(a, np.generic):
            raise TypeError(f"new(): data must be a sequence (got {_type_name(a)})")
        return _legacy_make(cls, np.array(_data_from(a, D.FROM_NP[dt]), copy=True))
    return _legacy_make(cls, np.zeros(_shape("new", args) if args else (0,), dt))


def _legacy_make(cls, arr):
    t = _new(cls)
    t._data, t._node, t._rg, t._vc = arr, None, False, [0]
    return t


def _legacy_type(name, dt):
    """torch.FloatTensor and friends: constructors and isinstance targets for one dtype."""
    class tensortype(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, Tensor) and obj.dtype is dt

    def __new__(cls, *args, **kwargs):
        return legacy_new(Tensor, dt, args, kwargs, True)

    return tensortype(name, (), {"__new__": __new__, "dtype": dt, "is_cuda": False,
                                 "is_sparse": False, "layout": Tensor.layout})


FloatTensor = _legacy_type("FloatTensor", D.float32)
DoubleTensor = _legacy_type("DoubleTensor", D.float64)
HalfTensor = _legacy_type("HalfTensor", D.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", D.bfloat16)
LongTensor = _legacy_type("LongTensor", D.int64)
IntTensor = _legacy_type("IntTensor", D.int32)
ShortTensor = _legacy_type("ShortTensor", D.int16)
CharTensor = _legacy_type("CharTensor", D.int8)
ByteTensor = _legacy_type("ByteTensor", D.uint8)
BoolTensor = _legacy_type("BoolTensor", D.bool)
LEGACY_TYPES = (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor,
                ShortTensor, CharTensor, ByteTensor, BoolTensor)


# ---- Tensor.new_* -----------------------------------------------------------------------------

def _new_dt(self, dtype):
    return D.to_np(dtype) if dtype is not None else self._data.dtype


def _new_zeros(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    check_device(device)
    return _finish(np.zeros(_shape("new_zeros", args, size), _new_dt(self, dtype)), requires_grad)


def _new_ones(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    check_device(device)
    return _finish(np.ones(_shape("new_ones", args, size), _new_dt(self, dtype)), requires_grad)


def _new_empty(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    check_device(device)
    return _finish(np.empty(_shape("new_empty", args, size), _new_dt(self, dtype)), requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    check_device(device)
    dt = _new_dt(self, dtype)
    return _finish(np.full(_sequence_size("new_full", size), _fill(fill_value, dt), dt), requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
                pin_memory=False):
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone()."
                      "detach() or sourceTensor.clone().detach().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
    return _finish(_fresh(data, _data_from(data, D.FROM_NP[_new_dt(self, dtype)])), requires_grad)


def _legacy_method_new(self, *args, **kwargs):
    """x.new(...): the legacy constructor in x's dtype."""
    return legacy_new(Tensor, self.dtype, args, kwargs, True)


Tensor.new_zeros = _new_zeros
Tensor.new_ones = _new_ones
Tensor.new_empty = _new_empty
Tensor.new_full = _new_full
Tensor.new_tensor = _new_tensor
Tensor.new = _legacy_method_new
