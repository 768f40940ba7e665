"""nn.Parameter and nn.Buffer: tensors that a Module registers when they are assigned to it."""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _rebuild

__all__ = ["Parameter", "Buffer"]


class _ParameterMeta(type):
    # As torch: a plain Tensor flagged `_is_param` also passes isinstance(t, Parameter).
    def __instancecheck__(cls, instance):
        if cls is Parameter and isinstance(instance, Tensor) and getattr(instance, "_is_param", False):
            return True
        return super().__instancecheck__(instance)


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A leaf tensor that a Module lists among its parameters; requires grad by default."""
    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _empty()
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        # Shares memory and version counter with `data`, and is a fresh leaf (as _make_subclass).
        return cls._make_subclass(data, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        # torch copies data and requires_grad only: the copy has no .grad
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._data.copy()), self._rg)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        return (_rebuild_parameter, (type(self), np.array(self._data), self._rg, state))


def _rebuild_parameter(cls, data, requires_grad, state):
    p = _rebuild(cls, data, False, state)
    p.requires_grad = requires_grad
    return p


def _empty():
    """torch.empty(0) in the default dtype."""
    return Tensor._make(np.empty((0,), D.to_np(D.get_default_dtype())))


class _BufferMeta(type):
    def __instancecheck__(cls, instance):
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer on assignment (torch 2.5+): Buffer(t) returns
    a plain detached Tensor carrying `persistent` and `_is_buffer`."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = _empty()
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t
