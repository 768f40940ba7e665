"""Dropout of torch.nn.functional: dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout,
and the top-level torch.dropout / alpha_dropout / feature_dropout / feature_alpha_dropout.

Masks come from torsh_compat's default generator (a Bernoulli draw with keep probability 1 - p).
torch draws its CPU dropout masks through a bernoulli path this library cannot reproduce bit for
bit, so masks differ from torch's after the same manual_seed; everything else (scaling, alpha
dropout's affine correction, feature-wise masks, p = 0 / eval identity, p = 1 zeros, errors) is
torch's. `_keep_mask` is the one place masks are drawn, so tests can inject a mask.
"""
import math
import warnings

import numpy as np

from ..._errors import shape_mismatch
from ..._tensor import Tensor
from ...ops import dual as B
from ...ops import samples as S
from ...ops.registry import register, record, backward_node, NONE
from .activation import _inplace

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

_SELU_ALPHA_PRIME = 1.7580993408473766     # -scale * alpha of SELU


def _keep_mask(shape, p, dtype):
    """A {0, 1} array of `dtype`: 1 with probability 1 - p, drawn from the default generator."""
    from ... import random
    return random.bernoulli(Tensor._make(np.empty(shape, dtype)), 1 - p)._data


_MulNode = backward_node("Mul", lambda g, x, out, noise: g * B.const(noise, g), NONE)


def _zeros_op(input):
    """p == 1: torch multiplies by a zero scalar (grad zeros, grad_fn MulBackward0)."""
    x = input._data
    return record(x * x.dtype.type(0), _MulNode, (input,), (x.dtype.type(0),))


def _apply_noise(input, noise, shift):
    x = input._data
    out = x * noise if shift is None else x * noise + shift
    return record(out, _MulNode, (input,), (noise,))


def _dropout_impl(input, p, train, inplace, feature, alpha, name):
    if not 0 <= p <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    x = input._data
    if p == 0 or not train or x.size == 0:
        return input
    if feature and x.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if p == 1:
        return _inplace(_zeros_op, input) if inplace else _zeros_op(input)
    if x.dtype.kind != "f":
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{input.dtype.name.capitalize()}")
    shape = x.shape[:2] + (1,) * (x.ndim - 2) if feature else x.shape
    t = x.dtype.type
    mask = _keep_mask(shape, p, x.dtype)
    if alpha:
        a = 1.0 / math.sqrt((_SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
        shift = (mask - t(1)) * t(_SELU_ALPHA_PRIME * a) + t(_SELU_ALPHA_PRIME * a * p)
        noise = mask * t(a)
    else:
        shift = None
        noise = mask / t(1 - p)
    if inplace:
        return _inplace(_apply_noise, input, noise, shift)
    return _apply_noise(input, noise, shift)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, False, "dropout")


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, True, "alpha_dropout")


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, True, True, "feature_alpha_dropout")


def _feature(input, p, training, inplace, batched):
    """Channel-wise dropout; an unbatched input gets a batch dim for the mask and loses it after."""
    if batched:
        return _dropout_impl(input, p, training, inplace, True, False, "feature_dropout")
    if inplace:
        _dropout_impl(input.unsqueeze(0), p, training, True, True, False, "feature_dropout")
        return input
    out = _dropout_impl(input.unsqueeze(0), p, training, False, True, False, "feature_dropout")
    return out.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    if input.dim() not in (2, 3):
        raise shape_mismatch(
            RuntimeError, f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D "
                          f"input. Note that dropout1d exists to provide channel-wise dropout on "
                          f"inputs with 1 spatial dimension, a channel dimension, and an optional "
                          f"batch dimension (i.e. 2D or 3D inputs).")
    return _feature(input, p, training, inplace, input.dim() == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        warnings.warn(f"dropout2d: Received a {nd}-D input to dropout2d, which is deprecated and "
                      f"will result in an error in a future release. To retain the behavior and "
                      f"silence this warning, please use dropout instead. Note that dropout2d "
                      f"exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
                      f"a channel dimension, and an optional batch dimension (i.e. 3D or 4D "
                      f"inputs).", stacklevel=2)
    if nd == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, H, "
                      "W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, True, False, "feature_dropout")


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        warnings.warn(f"dropout3d: Received a {nd}-D input to dropout3d, which is deprecated and "
                      f"will result in an error in a future release. To retain the behavior and "
                      f"silence this warning, please use dropout instead. Note that dropout3d "
                      f"exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
                      f"a channel dimension, and an optional batch dimension (i.e. 4D or 5D "
                      f"inputs).", stacklevel=2)
    return _feature(input, p, training, inplace, nd == 5)


# ---- top-level torch.dropout & co (positional p and train, RuntimeError for a bad p) ----------

def _top(name, feature, alpha):
    def op(input, p, train):
        return _dropout_impl(input, p, train, False, feature, alpha, name)
    op.__name__ = op.__qualname__ = name
    # Parity samples are the deterministic calls (eval, p = 0); random masks are tested by
    # injection in tests/test_nn_dropout.py.
    register(op, name=name, node=_MulNode, method=False, samples=S.unary(
        min_ndim=2 if feature else 0,
        args=lambda nd: [((0.5, False), {}), ((0.0, True), {}), ((1.5, True), {})]))
    return op


_top("dropout", False, False)
_top("alpha_dropout", False, True)
_top("feature_dropout", True, False)
_top("feature_alpha_dropout", True, True)
