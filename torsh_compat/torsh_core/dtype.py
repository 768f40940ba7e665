"""DType: the torch dtypes under ToRSh's names (`DType.F32 is torch.float32`)."""
from .. import _dtype as D

__all__ = ["DType"]


class DType:
    """Namespace of the dtype objects; each member is the very torch dtype."""
    F16 = D.float16
    BF16 = D.bfloat16
    F32 = D.float32
    F64 = D.float64
    C64 = D.complex64
    C128 = D.complex128
    I8 = D.int8
    I16 = D.int16
    I32 = D.int32
    I64 = D.int64
    U8 = D.uint8
    Bool = D.bool

    def __new__(cls, *args, **kwargs):
        raise TypeError("DType is a namespace: use its members (DType.F32, DType.I64, ...)")
