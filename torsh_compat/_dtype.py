"""torch.dtype objects and PyTorch's type-promotion rules.

Each dtype wraps one NumPy dtype. Promotion follows torch (c10/core/ScalarType.h and
ATen's ResultTypeState), not NumPy: int + float keeps the float's width, and 0-dim tensors
and Python scalars only promote across categories (bool < integer < floating < complex).
"""
import builtins
import math

import numpy as np

BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    __slots__ = ("name", "np", "category", "itemsize", "is_signed", "abbr")

    def __init__(self, name, np_dtype, category, is_signed, itemsize, abbr):
        self.name = name
        self.np = np.dtype(np_dtype) if np_dtype is not None else None
        self.category = category
        self.itemsize = itemsize
        self.is_signed = is_signed
        self.abbr = abbr

    @property
    def is_floating_point(self):
        return self.category == FLOAT

    @property
    def is_complex(self):
        return self.category == COMPLEX

    def to_real(self):
        return _REAL.get(self, self)

    def to_complex(self):
        if self.category == COMPLEX:
            return self
        c = _COMPLEX.get(self)
        if c is None:
            raise RuntimeError(f"Unknown Complex ScalarType for {legacy_name(self)}")
        return c

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


bool = dtype("bool", np.bool_, BOOL, False, 1, "b8")
uint8 = dtype("uint8", np.uint8, INT, False, 1, "u8")
int8 = dtype("int8", np.int8, INT, True, 1, "i8")
int16 = dtype("int16", np.int16, INT, True, 2, "i16")
int32 = dtype("int32", np.int32, INT, True, 4, "i32")
int64 = dtype("int64", np.int64, INT, True, 8, "i64")
float16 = dtype("float16", np.float16, FLOAT, True, 2, "f16")
float32 = dtype("float32", np.float32, FLOAT, True, 4, "f32")
float64 = dtype("float64", np.float64, FLOAT, True, 8, "f64")
complex64 = dtype("complex64", np.complex64, COMPLEX, True, 8, "c64")
complex128 = dtype("complex128", np.complex128, COMPLEX, True, 16, "c128")
# bfloat16 has no NumPy dtype; ml_dtypes provides one when installed (see _bfloat16_np).
bfloat16 = dtype("bfloat16", None, FLOAT, True, 2, "bf16")
# complex32 exists for promotion (float16 + complex -> complex32, as in torch); NumPy has no
# storage for it, so no tensor can hold it.
complex32 = dtype("complex32", None, COMPLEX, True, 4, "c32")

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
       complex64, complex128)
FROM_NP = {d.np: d for d in ALL if d.np is not None}
_NAMES = {d.name: d for d in ALL + (complex32,)}
_NAMES.update(float=float32, double=float64, half=float16, long=int64, int=int32, short=int16,
              cfloat=complex64, cdouble=complex128, chalf=complex32)
_REAL = {complex32: float16, complex64: float32, complex128: float64}
_COMPLEX = {float16: complex32, bfloat16: complex64, float32: complex64, float64: complex128}


_LEGACY = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
           "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
           "float64": "Double", "complex32": "ComplexHalf", "complex64": "ComplexFloat",
           "complex128": "ComplexDouble"}


_C_TYPE = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
           "int32": "int", "int64": "long int", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
           "float32": "float", "float64": "double", "complex32": "c10::complex<c10::Half>",
           "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def legacy_name(d):
    """The scalar-type name torch's kernel errors use ('Float', 'Long', ...); d a torch or NumPy dtype."""
    return _LEGACY[d.name]


def c_name(d):
    """The C type name other torch errors use ('float', 'long int', ...); d a torch or NumPy dtype."""
    return _C_TYPE[d.name]


def _by_name(name):
    return _NAMES[name]


def _bfloat16_np():
    """NumPy dtype for bfloat16 from ml_dtypes, imported only when bfloat16 is used."""
    if bfloat16.np is None:
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("torch.bfloat16 tensors need the optional ml_dtypes package "
                            "(pip install ml_dtypes), which is not installed") from None
        bfloat16.np = np.dtype(ml_dtypes.bfloat16)
        FROM_NP[bfloat16.np] = bfloat16
    return bfloat16.np


def to_np(d):
    """NumPy dtype of a torch dtype (also accepts NumPy dtypes and Python types)."""
    if d.__class__ is dtype:
        if d.np is not None:
            return d.np
        if d is bfloat16:
            return _bfloat16_np()
        raise TypeError(f"{d} tensors are not supported: NumPy has no {d.name} storage")
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
    if d.__class__ is not dtype:
        raise TypeError("invalid dtype object: only floating-point types are supported as the "
                        "default type")
    if d.category != FLOAT:
        raise TypeError("only floating-point types are supported as the default type")
    _Defaults.float = d


def default_complex():
    return _COMPLEX[_Defaults.float]


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
    if a.category < b.category:
        a, b = b, a
    if a.category != b.category:
        if a.category == COMPLEX and b.category == FLOAT:
            # the complex type whose parts hold both: complex32 + float32 -> complex64
            return promote_types(a.to_real(), b).to_complex()
        return a
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
            d = FROM_NP[data.dtype]
            if data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = number_dtype(o)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def astype(arr, np_dtype):
    """arr.astype(np_dtype), but float16/bfloat16 are reached from wider types through float32,
    as torch's conversions do (the two roundings can differ from one)."""
    if arr.dtype == np_dtype:
        return arr
    if np_dtype.itemsize == 2 and np_dtype.kind in "fV" and arr.dtype.kind in "fiu" and arr.dtype.itemsize > 4:
        arr = arr.astype(np.float32)
    return arr.astype(np_dtype)


_PY_KIND = {builtins.bool: "b", builtins.int: "i", builtins.float: "f", builtins.complex: "c"}


def number_dtype(v):
    """The dtype a number counts as beside tensors: floats the default dtype, complex the
    default complex, ints int64; NumPy scalars count as the Python number of their kind."""
    kind = _PY_KIND.get(v.__class__)
    if kind is None and isinstance(v, np.generic):
        # torch reads NumPy scalars as Python numbers, np.bool_ included: as a float
        kind = "f" if v.dtype.kind == "b" else v.dtype.kind
    if kind == "f":
        return _Defaults.float
    if kind == "c":
        return default_complex()
    if kind == "i" or kind == "u":
        return int64
    if kind == "b":
        return bool
    raise TypeError(f"result_type(): expected a Tensor or a Number, got {type(v).__name__}")


def _info_arg(fn, t):
    """finfo/iinfo take a torch.dtype or a Python type, as torch does (not NumPy dtypes)."""
    if t.__class__ is dtype:
        return t
    if t in (builtins.float, builtins.int, builtins.bool, builtins.complex):
        return as_dtype(t)
    raise TypeError(f"{fn}(): argument 'type' (position 1) must be torch.dtype, not "
                    f"{type(t).__name__}")


# bits, eps, max, smallest normal of bfloat16 (NumPy's finfo does not know it)
_BF16_INFO = (16, 2.0 ** -7, (2 - 2.0 ** -7) * 2.0 ** 127, 2.0 ** -126)


_DEFAULT = object()     # finfo() means the default dtype; finfo(None) is an error, as in torch


class finfo:
    """Machine limits of a floating-point dtype (of the real part, for complex dtypes)."""

    def __init__(self, type=_DEFAULT):
        real = _Defaults.float if type is _DEFAULT else _info_arg("finfo", type).to_real()
        if real.category != FLOAT:
            raise TypeError("torch.finfo() requires a floating point input type. Use torch.iinfo "
                            "to handle 'torch.finfo'")
        if real is bfloat16:
            bits, eps, big, tiny = _BF16_INFO
        else:
            f = np.finfo(real.np)
            bits, eps, big, tiny = f.bits, float(f.eps), float(f.max), float(f.smallest_normal)
        self.bits, self.eps, self.max, self.min = bits, eps, big, -big
        self.tiny = self.smallest_normal = tiny
        # torch's resolution: 10 ** -(decimal digits of precision), as a Python float
        self.resolution = 10.0 ** -math.floor(-math.log10(eps))
        self.dtype = real.name

    def __eq__(self, other):
        return isinstance(other, finfo) and vars(self) == vars(other)

    __hash__ = object.__hash__

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.tiny:g}, tiny={self.tiny:g}, "
                f"dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype."""

    def __init__(self, type):
        type = _info_arg("iinfo", type)
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type.category != INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        i = np.iinfo(type.np)
        self.bits, self.max, self.min, self.dtype = i.bits, int(i.max), int(i.min), type.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and vars(self) == vars(other)

    __hash__ = object.__hash__

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
