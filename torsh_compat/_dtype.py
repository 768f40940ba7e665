"""torch.dtype objects and PyTorch's type-promotion rules.

Each dtype wraps one NumPy dtype. Promotion follows torch (c10/core/ScalarType.h and
ATen's ResultTypeState), not NumPy: int + float keeps the float's width, and 0-dim tensors
and Python scalars only promote across categories (bool < integer < floating < complex).
"""
import builtins

import numpy as np

BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    __slots__ = ("name", "np", "category", "itemsize", "is_signed", "_aliases")

    def __init__(self, name, np_dtype, category, is_signed):
        self.name = name
        self.np = np.dtype(np_dtype) if np_dtype is not None else None
        self.category = category
        self.itemsize = self.np.itemsize if self.np is not None else 2
        self.is_signed = is_signed

    @property
    def is_floating_point(self):
        return self.category == FLOAT

    @property
    def is_complex(self):
        return self.category == COMPLEX

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float32: complex64, float64: complex128, float16: complex64}.get(self, self)

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


bool = dtype("bool", np.bool_, BOOL, False)
uint8 = dtype("uint8", np.uint8, INT, False)
int8 = dtype("int8", np.int8, INT, True)
int16 = dtype("int16", np.int16, INT, True)
int32 = dtype("int32", np.int32, INT, True)
int64 = dtype("int64", np.int64, INT, True)
float16 = dtype("float16", np.float16, FLOAT, True)
float32 = dtype("float32", np.float32, FLOAT, True)
float64 = dtype("float64", np.float64, FLOAT, True)
complex64 = dtype("complex64", np.complex64, COMPLEX, True)
complex128 = dtype("complex128", np.complex128, COMPLEX, True)
# bfloat16 has no NumPy dtype; ml_dtypes provides one when installed (see _bfloat16_np).
bfloat16 = dtype("bfloat16", None, FLOAT, True)

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
       complex64, complex128)
FROM_NP = {d.np: d for d in ALL if d.np is not None}
_NAMES = {d.name: d for d in ALL}
_NAMES.update(float=float32, double=float64, half=float16, long=int64, int=int32, short=int16,
              cfloat=complex64, cdouble=complex128)


_LEGACY = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
           "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
           "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def legacy_name(d):
    """The scalar-type name torch's kernel errors use ('Float', 'Long', ...)."""
    return _LEGACY[d.name]


def _by_name(name):
    return _NAMES[name]


def _bfloat16_np():
    """NumPy dtype for bfloat16 from ml_dtypes, imported only when bfloat16 is used."""
    if bfloat16.np is None:
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("torch.bfloat16 needs the ml_dtypes package "
                            "(pip install ml_dtypes); it is not installed") from None
        bfloat16.np = np.dtype(ml_dtypes.bfloat16)
        FROM_NP[bfloat16.np] = bfloat16
    return bfloat16.np


def to_np(d):
    """NumPy dtype of a torch dtype (also accepts NumPy dtypes and Python types)."""
    if d.__class__ is dtype:
        return d.np if d.np is not None else _bfloat16_np()
    return as_dtype(d).np


def as_dtype(d):
    if d.__class__ is dtype:
        return d
    if d is builtins.float:
        return float64
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if d is builtins.complex:
        return complex128
    try:
        return FROM_NP[np.dtype(d)]
    except (TypeError, KeyError):
        raise TypeError(f"cannot interpret {d!r} as a torch dtype") from None


class _Defaults:
    float = float32


def get_default_dtype():
    return _Defaults.float


def set_default_dtype(d):
    d = as_dtype(d)
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _Defaults.float = d


def default_complex():
    return complex128 if _Defaults.float is float64 else complex64


# ---- promotion ------------------------------------------------------------------------

_promote_cache = {}


def promote_types(a, b):
    """torch.promote_types: the lattice of c10's promoteTypes."""
    if a is b:
        return a
    key = (a, b)
    r = _promote_cache.get(key)
    if r is None:
        r = _promote_cache[key] = _promote(a, b)
    return r


def _promote(a, b):
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == COMPLEX and lo.category == FLOAT and lo is float64:
            return complex128
        return hi
    if a.category == FLOAT:
        if {a, b} == {float16, bfloat16}:
            return float32
        return a if a.itemsize >= b.itemsize else b
    if a.category == COMPLEX:
        return a if a.itemsize >= b.itemsize else b
    return FROM_NP[np.promote_types(a.np, b.np)]


def _combine(higher, lower):
    """c10's combine_categories: `lower` only wins when it is of a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == COMPLEX:
        return higher
    if lower.category == COMPLEX:
        return higher.to_complex() if higher.category == FLOAT else lower
    if higher.category == FLOAT:
        return higher
    if higher is bool or lower.category == FLOAT:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(v):
    """dtype a Python scalar takes when it stands alone (a 'wrapped number')."""
    t = v.__class__
    if t is builtins.bool or t is np.bool_:
        return bool
    if t is builtins.int:
        return int64
    if t is builtins.float:
        return _Defaults.float
    if t is builtins.complex:
        return default_complex()
    if isinstance(v, np.generic):
        return FROM_NP[v.dtype]
    raise TypeError(f"expected a Tensor or a Python number, got {t.__name__}")


def result_type(*operands):
    """torch.result_type over Tensors and Python numbers."""
    dim = zero = wrapped = None
    for o in operands:
        data = getattr(o, "_data", None)
        if data is not None:
            d = FROM_NP[data.dtype] if data.dtype in FROM_NP else as_dtype(data.dtype)
            if data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = scalar_dtype(o)
            if d.category == FLOAT:   # wrapped floats count as the default dtype
                d = _Defaults.float
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


class finfo:
    def __init__(self, type=None):
        type = as_dtype(type) if type is not None else _Defaults.float
        if not (type.is_floating_point or type.is_complex):
            raise TypeError(f"torch.finfo() requires a floating point input type, got {type}")
        f = np.finfo(to_np(type.to_real()))
        self.dtype = type.to_real().name
        self.bits = f.bits
        self.eps = float(f.eps)
        self.max = float(f.max)
        self.min = float(f.min)
        self.tiny = self.smallest_normal = float(f.smallest_normal)
        self.resolution = float(f.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    def __init__(self, type):
        type = as_dtype(type)
        if type.category != INT and type is not bool:
            raise TypeError(f"torch.iinfo() requires an integer input type, got {type}")
        i = np.iinfo(type.np)
        self.bits, self.max, self.min, self.dtype = i.bits, int(i.max), int(i.min), type.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"
