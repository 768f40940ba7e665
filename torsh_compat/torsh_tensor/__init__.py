"""torsh_tensor of the ToRSh face: the one Tensor class and creation functions taking a shape list.

`randn([2, 3], dtype=DType.F32)` is `torch.randn(2, 3, dtype=torch.float32)`: the same random
stream, the same numbers. Values are inferred as PyTorch infers them (`tensor_1d([1, 2, 3])` is int64).
"""
from .. import _creation as C
from .. import random as _random
from .._tensor import Tensor
from ..torsh_core.device import Device
from ..torsh_core.dtype import DType
from ..torsh_core.error import TorshError

__all__ = ["Tensor", "DType", "Device", "tensor_1d", "tensor_2d", "zeros", "ones", "full", "randn", "rand",
           "arange", "linspace", "eye", "from_numpy", "from_data"]


def _shape(shape, fn):
    if isinstance(shape, int):
        return [shape]
    try:
        return [int(s) for s in shape]
    except TypeError:
        raise TorshError.InvalidArgument.also(TypeError)(
            f"{fn}(): shape must be a list of ints, got {shape!r}") from None


def tensor_1d(values, dtype=None, requires_grad=False):
    """A 1-D tensor from a flat sequence (torch.tensor on a list)."""
    t = C.tensor(values, dtype=dtype, requires_grad=requires_grad)
    if t.dim() != 1:
        raise TorshError.InvalidArgument(f"tensor_1d(): expected a flat sequence, got shape {list(t.shape)}")
    return t


def tensor_2d(rows, dtype=None, requires_grad=False):
    """A 2-D tensor from a sequence of equal-length rows."""
    t = C.tensor(rows, dtype=dtype, requires_grad=requires_grad)
    if t.dim() != 2:
        raise TorshError.InvalidArgument(f"tensor_2d(): expected a sequence of rows, got shape {list(t.shape)}")
    return t


def zeros(shape, dtype=None, requires_grad=False):
    return C.zeros(_shape(shape, "zeros"), dtype=dtype, requires_grad=requires_grad)


def ones(shape, dtype=None, requires_grad=False):
    return C.ones(_shape(shape, "ones"), dtype=dtype, requires_grad=requires_grad)


def full(shape, value, dtype=None, requires_grad=False):
    return C.full(_shape(shape, "full"), value, dtype=dtype, requires_grad=requires_grad)


def randn(shape, dtype=None, requires_grad=False, generator=None):
    return _random.randn(_shape(shape, "randn"), dtype=dtype, requires_grad=requires_grad, generator=generator)


def rand(shape, dtype=None, requires_grad=False, generator=None):
    return _random.rand(_shape(shape, "rand"), dtype=dtype, requires_grad=requires_grad, generator=generator)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    return C.arange(start, end, step, dtype=dtype, requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    return C.linspace(start, end, steps, dtype=dtype, requires_grad=requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return C.eye(n, m, dtype=dtype, requires_grad=requires_grad)


from_numpy = C.from_numpy
from_data = Tensor.from_data
