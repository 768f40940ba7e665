"""parameters_to_vector and vector_to_parameters."""
import numpy as np

from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops.registry import record

__all__ = ["parameters_to_vector", "vector_to_parameters"]


class CatBackward0(Node):
    """The flattened parameters concatenated; the gradient splits back into their shapes."""
    __slots__ = ()
    save = 0

    def apply(self, g, tensor_mode):
        grads, start = [], 0
        for t in self.inputs:
            n = t._data.size
            grads.append(g[start:start + n].reshape(t._data.shape))
            start += n
        return tuple(grads)


def parameters_to_vector(parameters):
    """One 1-D tensor holding every parameter's values, in order (differentiable)."""
    params = list(parameters)
    data = np.concatenate([p._data.reshape(-1) for p in params])
    return record(data, CatBackward0, tuple(params))


def vector_to_parameters(vec, parameters):
    """Give each parameter (in order) the next slice of `vec` as its data (a view of vec)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = Tensor._make(vec._data[pointer:pointer + n].reshape(param._data.shape))
        pointer += n
