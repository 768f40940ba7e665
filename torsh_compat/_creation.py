"""Tensor creation: tensor, as_tensor, from_numpy, zeros, ones, full, empty, arange, linspace, ...

dtype inference follows torch: Python floats take the default dtype, ints int64, bools bool;
NumPy arrays keep their dtype.
"""
import builtins
import math
import warnings

import numpy as np

from . import _dtype as D
from ._device import check_device
from ._tensor import Tensor, Size

_PY_SCALARS = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def _first_leaf(x):
    while isinstance(x, (list, tuple)) and len(x):
        x = x[0]
    return x


def _data_from(src, dtype=None):
    """An ndarray from torch.tensor's accepted inputs, with torch's dtype inference."""
    if isinstance(src, Tensor):
        arr = src._data
    elif isinstance(src, np.ndarray):
        arr = src
    elif isinstance(src, _PY_SCALARS) or isinstance(src, np.generic):
        arr = np.asarray(src)
        if isinstance(src, _PY_SCALARS):
            arr = arr.astype(D.to_np(D.scalar_dtype(src)))
    elif isinstance(src, (list, tuple)):
        if any(isinstance(e, Tensor) for e in src):
            src = [_data_from(e) for e in src]
            arr = np.array(src)
        else:
            try:
                arr = np.array(src)
            except ValueError as e:
                raise ValueError(f"expected sequence of equal-length lists, got ragged input: {e}") from None
            if arr.dtype == object:
                raise TypeError(f"Could not infer dtype of {type(_first_leaf(src)).__name__}")
            leaf = _first_leaf(src)
            if isinstance(leaf, _PY_SCALARS) or len(src) == 0 or arr.size == 0:
                if arr.dtype.kind == "f" or (arr.size == 0 and arr.dtype == np.float64):
                    arr = arr.astype(D.to_np(D.get_default_dtype()))
                elif arr.dtype.kind == "c":
                    arr = arr.astype(D.to_np(D.default_complex()))
    elif hasattr(src, "__array__"):
        arr = np.asarray(src)
    elif isinstance(src, (range,)):
        arr = np.array(list(src), dtype=np.int64)
    else:
        raise TypeError(f"Could not infer dtype of {type(src).__name__}")
    if arr.dtype.kind in "iu" and arr.dtype not in D.FROM_NP:
        arr = arr.astype(np.int64)
    if arr.dtype.kind == "U" or arr.dtype.kind == "S" or arr.dtype == object:
        raise TypeError(f"new(): invalid data type '{arr.dtype}'")
    if dtype is not None:
        arr = arr.astype(D.to_np(dtype), copy=False)
    return arr


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.clone()."
                      "detach() or sourceTensor.clone().detach().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    arr = np.array(_data_from(data, dtype), copy=True)
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None, device=None):
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is D.as_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or D.to_np(dtype) == data.dtype):
        return from_numpy(data)
    return Tensor._make(np.array(_data_from(data, dtype)))


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype not in D.FROM_NP:
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype}. The only supported "
                        "types are: float64, float32, float16, complex64, complex128, int64, int32, "
                        "int16, int8, uint8, and bool.")
    return Tensor._make(ndarray)


def _shape(size):
    """zeros(2, 3), zeros((2, 3)), zeros([2, 3]) and zeros(torch.Size) all mean shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(f"empty(): argument 'size' must be tuple of ints, but found element of "
                            f"type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _make(arr, requires_grad):
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _dt(dtype):
    return D.to_np(dtype) if dtype is not None else D.to_np(D.get_default_dtype())


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    check_device(device)
    return _make(np.zeros(_shape(size), _dt(dtype)), requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    check_device(device)
    return _make(np.ones(_shape(size), _dt(dtype)), requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    check_device(device)
    return _make(np.empty(_shape(size), _dt(dtype)), requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    check_device(device)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dt = D.to_np(dtype) if dtype is not None else D.to_np(D.scalar_dtype(fill_value))
    return _make(np.full(_shape((size,)), fill_value, dt), requires_grad)


def _like(input, dtype):
    return input._data.shape, (D.to_np(dtype) if dtype is not None else input._data.dtype)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    shape, dt = _like(input, dtype)
    return _make(np.zeros(shape, dt), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    shape, dt = _like(input, dtype)
    return _make(np.ones(shape, dt), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    check_device(device)
    shape, dt = _like(input, dtype)
    return _make(np.empty(shape, dt), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    check_device(device)
    shape, dt = _like(input, dtype)
    return _make(np.full(shape, fill_value, dt), requires_grad)


def _num(v):
    return v.item() if isinstance(v, Tensor) else v


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    check_device(device)
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        floating = any(isinstance(v, (builtins.float, np.floating)) for v in (start, end, step))
        dtype = D.get_default_dtype() if floating else D.int64
    n = math.ceil((end - start) / step)
    dt = D.to_np(dtype)
    if dt.kind in "iub":
        arr = (start + np.arange(n, dtype=np.int64) * step).astype(dt) if isinstance(step, int) and \
            isinstance(start, int) else np.floor(start + np.arange(n) * step).astype(dt)
    else:
        arr = (start + np.arange(n, dtype=np.float64) * step).astype(dt)
    return _make(arr, requires_grad)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, **kw):
    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
                  "which produces values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    n = builtins.int(math.floor((end - start) / step)) + 1
    dt = D.to_np(dtype) if dtype is not None else D.to_np(D.get_default_dtype())
    return _make((start + np.arange(n, dtype=np.float64) * step).astype(dt), requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    check_device(device)
    start, end = _num(start), _num(end)
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise RuntimeError(f"linspace(): number of steps must be non-negative")
    dt = D.to_np(dtype) if dtype is not None else D.to_np(D.get_default_dtype())
    if steps == 1:
        arr = np.array([start], dtype=np.float64)
    else:
        # torch fills the first half forward from start and the second half backward from end
        step = (end - start) / (steps - 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - i - 1))
    if dt.kind in "iu":
        arr = np.trunc(arr)
    return _make(arr.astype(dt), requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    lin = linspace(start, end, steps, dtype=D.float64)._data
    dt = D.to_np(dtype) if dtype is not None else D.to_np(D.get_default_dtype())
    return _make(np.power(base, lin).astype(dt), requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    check_device(device)
    return _make(np.eye(n, m if m is not None else n, dtype=_dt(dtype)), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, **kw):
    return _make(np.asarray(s, dtype=_dt(dtype)), requires_grad)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def numel(input):
    return input._data.size


# ---- legacy Tensor.new_* ---------------------------------------------------------------------

def _new_like(self, dtype):
    return D.to_np(dtype) if dtype is not None else self._data.dtype


def _new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kw):
    return _make(np.zeros(_shape(size), _new_like(self, dtype)), requires_grad)


def _new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kw):
    return _make(np.ones(_shape(size), _new_like(self, dtype)), requires_grad)


def _new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kw):
    return _make(np.empty(_shape(size), _new_like(self, dtype)), requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, **kw):
    return _make(np.full(_shape((size,)), fill_value, _new_like(self, dtype)), requires_grad)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, **kw):
    arr = np.array(_data_from(data), dtype=_new_like(self, dtype), copy=True)
    return _make(arr, requires_grad)


def _legacy_new(self, *args, **kwargs):
    """Tensor.new(...): torch's legacy constructor in this tensor's dtype."""
    if len(args) == 1 and not isinstance(args[0], int):
        return _new_tensor(self, args[0])
    return _new_empty(self, *args, **kwargs)


Tensor.new_zeros = _new_zeros
Tensor.new_ones = _new_ones
Tensor.new_empty = _new_empty
Tensor.new_full = _new_full
Tensor.new_tensor = _new_tensor
Tensor.new = _legacy_new


def _legacy_type(name, dt):
    """torch.FloatTensor and friends: constructors and isinstance targets for one dtype."""
    class Meta(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, Tensor) and obj.dtype is dt

    def __new__(cls, *args, device=None):
        return Tensor(*args, dtype=dt, device=device)

    return Meta(name, (), {"__new__": __new__, "_legacy_dtype": dt})


FloatTensor = _legacy_type("FloatTensor", D.float32)
DoubleTensor = _legacy_type("DoubleTensor", D.float64)
HalfTensor = _legacy_type("HalfTensor", D.float16)
LongTensor = _legacy_type("LongTensor", D.int64)
IntTensor = _legacy_type("IntTensor", D.int32)
ShortTensor = _legacy_type("ShortTensor", D.int16)
CharTensor = _legacy_type("CharTensor", D.int8)
ByteTensor = _legacy_type("ByteTensor", D.uint8)
BoolTensor = _legacy_type("BoolTensor", D.bool)
BFloat16Tensor = _legacy_type("BFloat16Tensor", D.bfloat16)
