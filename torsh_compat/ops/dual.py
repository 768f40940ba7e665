"""Math for backward formulas that works on ndarrays (fast path) and Tensors (create_graph).

Operators (+ - * / ** comparisons) already work on both; these cover the named functions.
"""
import numpy as np


def is_array(a):
    return isinstance(a, (np.ndarray, np.generic))


def _dual(np_fn, method):
    def f(a, *args):
        return np_fn(a, *args) if is_array(a) else getattr(a, method)(*args)
    f.__name__ = method
    return f


exp = _dual(np.exp, "exp")
log = _dual(np.log, "log")
sqrt = _dual(np.sqrt, "sqrt")
sin = _dual(np.sin, "sin")
cos = _dual(np.cos, "cos")
tan = _dual(np.tan, "tan")
cosh = _dual(np.cosh, "cosh")
sinh = _dual(np.sinh, "sinh")
tanh = _dual(np.tanh, "tanh")
sign = _dual(np.sign, "sign")
abs = _dual(np.abs, "abs")
square = _dual(np.square, "square")
reciprocal = _dual(np.reciprocal, "reciprocal")
conj = _dual(np.conj, "conj")


def erf_deriv(x):
    """2/sqrt(pi) * exp(-x^2), the derivative of erf."""
    return exp(-(x * x)) * 1.1283791670955126


def sigmoid(a):
    if is_array(a):
        return 1 / (1 + np.exp(-a))
    return a.sigmoid()


def where(cond, a, b):
    """where(cond, a, b); cond is always a plain bool array or bool Tensor (no gradient)."""
    if is_array(cond) and is_array(a) and is_array(b):
        return np.where(cond, a, b)
    from .._tensor import Tensor
    import torsh_compat as t
    c = cond if isinstance(cond, Tensor) else Tensor._make(np.asarray(cond))
    return t.where(c, a, b)


def mask(cond, a):
    """a where cond else 0, keeping a's dtype."""
    if is_array(cond) and is_array(a):
        return np.where(cond, a, a.dtype.type(0) if isinstance(a, np.ndarray) else 0)
    return where(cond, a, 0.0)


def data(a):
    """A constant view of a (its array), for conditions and indices inside formulas."""
    return a if is_array(a) else a._data


def zeros_like(a):
    return np.zeros_like(a) if is_array(a) else a.new_zeros(a.shape)


def sum(a, axis, keepdims=False):
    if is_array(a):
        return a.sum(axis=axis, keepdims=keepdims)
    return a.sum(dim=axis, keepdim=keepdims)


def expand_to(g, shape):
    return np.broadcast_to(g, shape) if is_array(g) else g.expand(shape)


def reshape(a, shape):
    return a.reshape(shape)


def matmul(a, b):
    return np.matmul(a, b) if is_array(a) and is_array(b) else a @ b


def swap_last(a):
    """Transpose of the last two dims."""
    return np.swapaxes(a, -1, -2) if is_array(a) else a.transpose(-1, -2)


def astype(a, like):
    """a in the dtype of `like`."""
    if is_array(a):
        return a.astype(like.dtype, copy=False)
    return a.to(like.dtype)


def flip(a, axis):
    """a reversed along one axis."""
    return np.flip(a, axis) if is_array(a) else a.flip(axis)


def cumsum(a, axis):
    return np.cumsum(a, axis) if is_array(a) else a.cumsum(axis)


def const(value, like):
    """A constant array in the mode of `like`: the array itself, or a Tensor under create_graph."""
    if is_array(like):
        return value
    from .._tensor import Tensor
    return Tensor._make(np.asarray(value))
