"""Gradient clipping: clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_.

The total norm is torch's two-level one: the norm of each gradient (accumulated in float64, then
rounded to the gradient's dtype), then the norm of those norms. The clip coefficient follows
torch's float arithmetic: max_norm * (1 / (total + 1e-6)), clamped at 1, in the norm's dtype.
"""
import types
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ..modules.module import ParameterCollection

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]


def _vector_norm(a, p):
    """torch.linalg.vector_norm over all elements of ndarray a, as a float64 scalar."""
    if a.size == 0:
        return 0.0 if p != -np.inf else np.inf
    if p == np.inf:
        return float(np.max(np.abs(a)))
    if p == -np.inf:
        return float(np.min(np.abs(a)))
    x = np.abs(a.astype(np.float64, copy=False))
    if p == 0:
        return float(np.count_nonzero(x))
    if p == 1:
        return float(x.sum())
    if p == 2:
        return float(np.sqrt(np.dot(x.ravel(), x.ravel())))
    return float(np.sum(x ** p) ** (1.0 / p))


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of `tensors` (a 0-d tensor; tensor(0.) for none)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor._make(np.asarray(0.0, D.to_np(D.get_default_dtype())))
    dtype = np.result_type(*[t._data.dtype for t in tensors])
    # each gradient's norm is rounded to its own dtype before the norm of norms
    norms = np.array([np.asarray(_vector_norm(t._data, norm_type), t._data.dtype) for t in tensors],
                     dtype)
    total = np.asarray(_vector_norm(norms, norm_type)).astype(dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale the "
                           "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return Tensor._make(total)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients in place by min(1, max_norm / (total_norm + 1e-6))."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    total = total_norm._data
    dt = total.dtype.type
    coef = (dt(1) / (total + dt(1e-6))) * dt(float(max_norm))
    coef = np.minimum(coef, dt(1.0))
    for g in grads:
        with np.errstate(invalid="ignore"):        # inf * 0 -> nan, as torch gives silently
            np.multiply(g._data, coef, out=g._data, casting="unsafe")
        g._vc[0] += 1


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients' total norm to max_norm in place; returns the total norm (before clipping)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        # model.parameters() is a ParameterCollection, torch's a generator: both warn when empty
        is_generator = isinstance(parameters, (types.GeneratorType, ParameterCollection))
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        g = p.grad
        if g is not None:
            np.clip(g._data, -clip_value, clip_value, out=g._data)
            g._vc[0] += 1
