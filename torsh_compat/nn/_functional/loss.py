"""Losses of torch.nn.functional, each one graph node with a NumPy forward and a dedicated backward.

Reductions follow ATen: 'mean' divides by the element count (by the summed target weights for
nll_loss / cross_entropy with class indices), float32 sums accumulate in float64. Backward
formulas receive `needs` (which inputs want a gradient) first, then the saved values; they run on
arrays, or on Tensors under create_graph (non-differentiable factors computed from the data and
wrapped with `B.const`).

cross_entropy is log_softmax and nll_loss fused: the backward is (softmax - onehot) scaled by the
target weights, plus the label-smoothing term, with no intermediate graph nodes.
"""
import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.graph import Node, node_class
from ...autograd.grad_mode import _State
from ...ops import dual as B
from ...ops.registry import record, broadcast_error, NONE, INPUTS
from .activation import (_log_softmax_np, _softmax, _log_softmax, _sigmoid_np, _legacy,
                         _norm_grad)

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
           "poisson_nll_loss", "gaussian_nll_loss", "hinge_embedding_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "multi_margin_loss"]


# ---- reductions and legacy arguments ------------------------------------------------------

def _legacy_get_string(size_average, reduce, emit_warning=True):
    """torch's mapping of the deprecated size_average / reduce flags to a reduction string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    """The reduction in effect, validated as torch's _Reduction.get_enum does."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    return _check_reduction(reduction)


def _check_reduction(reduction):
    if reduction in ("none", "mean", "sum"):
        return reduction
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return "mean"
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _sum(a, axis=None, keepdims=False):
    """Sum accumulated in float64 (float32 data), in the data's dtype."""
    acc = np.float64 if a.dtype.kind == "f" and a.dtype.itemsize < 8 else None
    return np.asarray(np.add.reduce(a, axis=axis, keepdims=keepdims, dtype=acc)).astype(a.dtype)


def _mean_of(total, count, dtype):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.float64(total) / count).astype(dtype)


def _reduce(elem, reduction):
    if reduction == "none":
        return elem
    acc = np.add.reduce(elem, axis=None, dtype=np.float64 if elem.dtype.itemsize < 8 else None)
    if reduction == "sum":
        return np.asarray(acc).astype(elem.dtype)
    return _mean_of(acc, elem.size, elem.dtype)


def _grad_scale(g, reduction, count):
    """The incoming gradient per element: g itself, or g / count for 'mean'."""
    if reduction == "mean":
        return g / max(count, 1)
    return g


class _LossNode(Node):
    """A loss node: its formula is told which inputs need a gradient (targets often do not)."""
    __slots__ = ()

    def apply(self, g, tensor_mode):
        inputs, out = self.saved(tensor_mode)
        grads = self.backward(g, tuple(e is not None for e in self.next), *inputs, out, *self.args)
        return tuple(_expand_to_input(gi, x) for gi, x in zip(grads, self.inputs))


def _expand_to_input(grad, x):
    """A gradient that broadcasts against its input, expanded to cover it (the engine then sums
    it down to the input's shape): a formula may return e.g. -target for a broadcast input."""
    if grad is None or grad.shape == x.shape:
        return grad
    full = np.broadcast_shapes(grad.shape, tuple(x.shape))
    if full == grad.shape:
        return grad
    return np.broadcast_to(grad, full) if B.is_array(grad) else grad.expand(full)


def _node(name, backward, save=INPUTS):
    return node_class(name if name[-1].isdigit() else name + "Backward0", backward, save,
                      base=_LossNode)


def _float_dtype(kernel, *tensors):
    """The promoted dtype of the operands; integer results are refused as torch's kernels do."""
    dt = D.to_np(D.result_type(*tensors))
    if dt.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(dt)}\'')
    return dt


def _data(t, dt):
    a = t._data
    return a if a.dtype == dt else a.astype(dt)


def _broadcast(*arrays):
    try:
        return np.broadcast_arrays(*arrays)
    except ValueError:
        raise broadcast_error(arrays[0].shape, arrays[1].shape) from None


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", stacklevel=3)


def _no_grad_for(fname, arg, t):
    if t is not None and t.requires_grad and _State.enabled:
        raise RuntimeError(f"The function '{fname}' is not differentiable with respect to argument "
                           f"'{arg}'. This input cannot have requires_grad True.")


def _const(value, like):
    return B.const(value, like)


# ---- regression losses on the difference input - target ------------------------------------

class _Diff:
    """A loss of d = input - target: its elementwise value and derivative (dual formulas)."""

    @staticmethod
    def mse(d):
        return d * d

    @staticmethod
    def mse_grad(d):
        return d * 2

    @staticmethod
    def l1(d):
        return B.abs(d)

    @staticmethod
    def l1_grad(d):
        return B.sign(d)

    @staticmethod
    def smooth_l1(d, beta):
        ad = B.abs(d)
        return B.where(B.data(ad) < beta, d * d * (0.5 / beta), ad - 0.5 * beta)

    @staticmethod
    def smooth_l1_grad(d, beta):
        dd = B.data(d)
        return B.where(dd < -beta, _lit(-1.0, d), B.where(dd > beta, _lit(1.0, d), d / beta))

    @staticmethod
    def huber(d, delta):
        ad = B.abs(d)
        return B.where(B.data(ad) < delta, d * d * 0.5, (ad - 0.5 * delta) * delta)

    @staticmethod
    def huber_grad(d, delta):
        dd = B.data(d)
        return B.where(dd < -delta, _lit(-delta, d), B.where(dd > delta, _lit(delta, d), d))


def _lit(value, like):
    """A 0-d constant in the dtype of `like` (an array, or a Tensor under create_graph)."""
    return B.const(np.asarray(value, dtype=B.data(like).dtype), like)


def _diff_backward(g, needs, x, t, w, out, kind, params, reduction, by_weight):
    d = x - t
    if by_weight and reduction == "mean":
        s = g / float(_sum(B.data(w)))
    else:
        s = _grad_scale(g, reduction, B.data(d).size)
    gd = getattr(_Diff, kind + "_grad")(d, *params) * s
    if w is not None:
        gd = gd * w
    gw = None
    if needs[2]:
        e = getattr(_Diff, kind)(d, *params)
        if by_weight and reduction == "mean":
            total = float(_sum(B.data(w)))
            gw = (e - _const(_sum(B.data(e) * B.data(w)) / total, g)) * (g / total)
        else:
            gw = e * s
    return (gd if needs[0] else None), (-gd if needs[1] else None), gw


_DIFF_NODES = {k: _node(n, _diff_backward) for k, n in
               (("mse", "MseLoss"), ("l1", "L1Loss"), ("smooth_l1", "SmoothL1Loss"),
                ("huber", "HuberLoss"))}


def _diff_loss(kind, kernel, input, target, reduction, params=(), weight=None, by_weight=True):
    _size_warning(input, target)
    dt = _float_dtype(kernel, input, target)
    x, t = _broadcast(_data(input, dt), _data(target, dt))
    w = None
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        w = _data(weight, dt)
    elem = getattr(_Diff, kind)(x - t, *params)
    if w is not None:
        elem = elem * w
        if reduction == "mean" and by_weight:
            out = _mean_of(np.add.reduce(elem, axis=None, dtype=np.float64),
                           np.add.reduce(w, axis=None, dtype=np.float64), dt)
        else:
            out = _reduce(elem, reduction)
    else:
        out = _reduce(elem, reduction)
    return record(out, _DIFF_NODES[kind], (input, target, weight),
                  (kind, params, reduction, by_weight and w is not None))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    return _diff_loss("mse", "mse_cpu", input, target, reduction, weight=weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    return _diff_loss("l1", "l1_cpu", input, target, reduction, weight=weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _diff_loss("l1", "l1_cpu", input, target, reduction)
    return _diff_loss("smooth_l1", "smooth_l1_cpu", input, target, reduction, (beta,))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    reduction = _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _diff_loss("huber", "huber_cpu", input, target, reduction, (delta,), weight,
                      by_weight=False)


# ---- nll_loss and cross_entropy -------------------------------------------------------------

def _class_targets(input, target, weight, ignore_index, kernel):
    """Validate class-index targets as nll_loss_nd does; returns the pieces both losses use:
    the class dim, the target indices (ignored ones at 0, shaped to index the class dim), the
    per-element weight of the target class (0 where ignored) and the class weight vector."""
    x, t = input._data, target._data
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and (t.ndim == 0 or x.shape[0] != t.shape[0]):
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({t.shape[0] if t.ndim else 0}).")
    if x.ndim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 1 and t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: "
                             f"{t.shape[0]}")
    elif x.ndim == 4:
        if t.ndim != 3:
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {t.ndim}")
        if t.shape[1:] != x.shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                               f"{list(t.shape)}")
    elif t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"Expected target size {[x.shape[0]] + list(x.shape[2:])}, got "
                           f"{list(t.shape)}")
    if t.dtype != np.int64 and t.dtype != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_legacy(t.dtype)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(x.dtype)}\'')
    cd = 1 if x.ndim >= 2 else 0
    n_classes = x.shape[cd]
    w = None
    if weight is not None:
        w = weight._data
        if w.ndim != 1 or w.size != n_classes:
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                               f"or no classes but got weight tensor of shape: {list(w.shape)}")
        if w.dtype != x.dtype:
            raise RuntimeError(f"expected scalar type {_legacy(x.dtype)} but found "
                               f"{_legacy(w.dtype)}")
    t = t.astype(np.int64, copy=False).reshape(t.shape if x.ndim >= 2 else ())
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")
    safe = np.where(valid, t, 0)
    idx = np.expand_dims(safe, cd)
    w_t = valid.astype(x.dtype) if w is None else np.where(valid, w[safe], x.dtype.type(0))
    return cd, idx, valid, w_t, w


def _pick(a, idx, cd):
    return np.take_along_axis(a, idx, axis=cd).squeeze(cd)


def _onehot(shape, idx, cd, dtype):
    oh = np.zeros(shape, dtype)
    np.put_along_axis(oh, idx, 1, axis=cd)
    return oh


def _class_weight_view(w, ndim, cd):
    """The class weights shaped to broadcast along the class dim (None when there are none)."""
    shape = [1] * ndim
    shape[cd] = -1
    return w.reshape(shape) if w is not None else None


def _nll_backward(g, needs, x, t, w, out, cd, idx, w_t, reduction, total_weight):
    if not needs[0]:
        return None, None, None
    s = g / (float(total_weight) or 1.0) if reduction == "mean" else g     # all ignored: zero grads
    coef = s * _const(w_t, g)
    if B.is_array(g):
        grad = np.zeros(x.shape, x.dtype)
        np.put_along_axis(grad, idx, -np.expand_dims(np.broadcast_to(coef, w_t.shape), cd), axis=cd)
        return grad, None, None
    return -_unsqueeze(coef, cd) * _const(_onehot(B.data(x).shape, idx, cd, B.data(x).dtype), g), \
        None, None


def _unsqueeze(a, d):
    """a with a new axis d; a 0-d a (a reduced loss's gradient) broadcasts as it is."""
    if not B.data(a).ndim:
        return a
    return np.expand_dims(a, d) if B.is_array(a) else a.unsqueeze(d)


_NllNode = _node("NllLoss", _nll_backward, NONE)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    _no_grad_for("nll_loss_forward", "weight", weight)
    cd, idx, valid, w_t, w = _class_targets(input, target, weight, ignore_index,
                                            "nll_loss_out_frame")
    x = input._data
    elem = -_pick(x, idx, cd) * w_t
    total = _sum(w_t)
    if reduction == "none":
        out = elem
    elif reduction == "sum":
        out = _sum(elem)
    else:
        out = _mean_of(np.add.reduce(elem, axis=None, dtype=np.float64), np.float64(total), x.dtype)
    return record(out, _NllNode, (input, target, weight), (cd, idx, w_t, reduction, total))


def _ce_backward(g, needs, x, t, w, out, cd, idx, w_t, valid, reduction, total, eps, lp):
    if not needs[0]:
        return None, None, None
    xd = B.data(x)
    n_classes = xd.shape[cd]
    s = g / (float(total) or 1.0) if reduction == "mean" else g     # all ignored: zero grads
    wsum = float(_sum(B.data(w))) if w is not None else float(n_classes)
    wv = _class_weight_view(B.data(w), xd.ndim, cd) if w is not None else None
    if B.is_array(g):
        p = np.exp(lp)
        s_e = np.broadcast_to(s, w_t.shape)
        nll_coef = s_e * w_t * xd.dtype.type(1 - eps)
        smooth_coef = s_e * valid * xd.dtype.type(eps / n_classes) if eps else None
        scale = nll_coef if smooth_coef is None else nll_coef + smooth_coef * xd.dtype.type(wsum)
        grad = p * np.expand_dims(scale, cd)
        if smooth_coef is not None:
            grad -= np.expand_dims(smooth_coef, cd) * (wv if wv is not None else xd.dtype.type(1))
        at_target = np.take_along_axis(grad, idx, axis=cd) - np.expand_dims(nll_coef, cd)
        np.put_along_axis(grad, idx, at_target, axis=cd)
        return grad, None, None
    p = _softmax(x, cd)
    onehot = _const(_onehot(xd.shape, idx, cd, xd.dtype), g)
    grad = _unsqueeze(s * _const(w_t * (1 - eps), g), cd) * (p - onehot)
    if eps:
        coef = _unsqueeze(s * _const(valid.astype(xd.dtype) * (eps / n_classes), g), cd)
        grad = grad + coef * (p * wsum - (_const(wv, g) if wv is not None else 1.0))
    return grad, None, None


def _ce_prob_backward(g, needs, x, t, w, out, cd, reduction, count, eps, lp):
    xd = B.data(x)
    if cd is None:      # 0-d logits: a single class, the loss is constant
        return tuple(B.zeros_like(a) if need else None for a, need in zip((x, t, w), needs))
    n_classes = xd.shape[cd]
    s = _unsqueeze(g / max(count, 1) if reduction == "mean" else g, cd)
    wv = _class_weight_view(B.data(w), xd.ndim, cd) if w is not None else None
    q = t * (1 - eps) + eps / n_classes if eps else t
    if B.is_array(g):
        lp_ = lp
        p = np.exp(lp)
    else:
        lp_ = _log_softmax(x, cd)
        p = _softmax(x, cd)
    wq = q * _const(wv, g) if wv is not None else q
    gx = s * (p * B.sum(wq, cd, keepdims=True) - wq) if needs[0] else None
    gt = None
    if needs[1]:
        wlp = lp_ * _const(wv, g) if wv is not None else lp_
        gt = -s * wlp * (1 - eps)
    gw = None
    if needs[2]:
        per_class = -s * q * lp_
        gw = B.sum(per_class, tuple(i for i in range(xd.ndim) if i != cd))
    return gx, gt, gw


_CrossEntropyNode = _node("NllLoss", _ce_backward, NONE)
_CrossEntropyProbNode = _node("CrossEntropyLoss", _ce_prob_backward, NONE)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    reduction = _reduction(size_average, reduce, reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    x, t = input._data, target._data
    if x.shape == t.shape:
        return _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing)
    _no_grad_for("nll_loss_forward", "weight", weight)
    cd, idx, valid, w_t, w = _class_targets(input, target, weight, ignore_index,
                                            "log_softmax_lastdim_kernel_impl")
    lp = _log_softmax_np(x, cd) if x.dtype != np.float16 else \
        _log_softmax_np(x.astype(np.float32), cd).astype(np.float16)
    elem = -_pick(lp, idx, cd) * w_t
    total = _sum(w_t)
    eps = float(label_smoothing)
    if eps:
        wv = _class_weight_view(w, x.ndim, cd)
        smooth = -_sum(lp * wv if wv is not None else lp, axis=cd) * valid
        elem_total = elem * x.dtype.type(1 - eps) + smooth * x.dtype.type(eps / x.shape[cd])
    else:
        elem_total = elem
    if reduction == "none":
        out = elem_total
    elif reduction == "sum":
        out = _sum(elem_total)
    else:
        out = _mean_of(np.add.reduce(elem_total, axis=None, dtype=np.float64), np.float64(total),
                       x.dtype)
    return record(out, _CrossEntropyNode, (input, target, weight),
                  (cd, idx, w_t, valid, reduction, total, eps, lp))


def _cross_entropy_probs(input, target, weight, ignore_index, reduction, label_smoothing):
    t = target._data
    if t.dtype.kind != "f":
        raise RuntimeError(f"Expected floating point type for target with class probabilities, "
                           f"got {_legacy(t.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    dt = _float_dtype("log_softmax_lastdim_kernel_impl", input, target)
    x, t = _data(input, dt), _data(target, dt)
    cd = 1 if x.ndim >= 2 else 0
    n_classes = x.shape[cd] if x.ndim else 1
    if x.ndim == 0:
        lp = np.zeros_like(x)
        cd = None
    else:
        lp = _log_softmax_np(x, cd)
    w = None
    if weight is not None:
        w = weight._data
        if w.ndim != 1 or w.size != n_classes:
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                               f"or no classes but got weight tensor of shape: {list(w.shape)}")
        w = w.astype(dt, copy=False)
    eps = float(label_smoothing)
    q = t * dt.type(1 - eps) + dt.type(eps / n_classes) if eps else t
    prod = lp * q
    if w is not None and cd is not None:
        prod = prod * _class_weight_view(w, x.ndim, cd)
    elem = -(_sum(prod, axis=cd) if cd is not None else prod)
    count = x.size // n_classes if n_classes else 0
    if reduction == "none":
        out = elem
    elif reduction == "sum":
        out = _sum(elem)
    else:
        out = _mean_of(np.add.reduce(elem, axis=None, dtype=np.float64), count, dt)
    return record(out, _CrossEntropyProbNode, (input, target, weight),
                  (cd, reduction, count, eps, lp))


# ---- binary cross entropy -----------------------------------------------------------------

def _bce_backward(g, needs, x, t, w, out, reduction):
    xd = B.data(x)
    s = _grad_scale(g, reduction, xd.size)
    if w is not None:
        s = s * _const(B.data(w), g)
    gx = gt = None
    if needs[0]:
        denom = np.maximum((1 - xd) * xd, xd.dtype.type(1e-12))
        gx = s * (x - t) / _const(denom, g)
    if needs[1]:
        with np.errstate(divide="ignore"):
            gt = s * (B.log(1 - x) - B.log(x))
    return gx, gt, None


_BceNode = _node("BinaryCrossEntropy", _bce_backward)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the same "
                         f"size.")
    _no_grad_for("binary_cross_entropy", "weight", weight)
    x, t = input._data, target._data
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"binary_cross_entropy" not implemented for '
                                  f'\'{_legacy(x.dtype)}\'')
    if x.size and not ((x >= 0) & (x <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    t = t.astype(x.dtype, copy=False)
    lo = x.dtype.type(-100)
    with np.errstate(divide="ignore"):
        elem = (t - 1) * np.maximum(np.log1p(-x), lo) - t * np.maximum(np.log(x), lo)
    if weight is not None:
        weight = weight.expand(*np.broadcast_shapes(t.shape, weight.shape))
        elem = elem * weight._data.astype(x.dtype, copy=False)
    return record(_reduce(elem, reduction), _BceNode, (input, target, weight), (reduction,))


def _logsigmoid_np(x):
    return np.minimum(x, x.dtype.type(0)) - np.log1p(np.exp(-np.abs(x)))


def _logsigmoid_any(x):
    if B.is_array(x):
        return _logsigmoid_np(x)
    from .activation import logsigmoid
    return logsigmoid(x)


def _bce_logits_backward(g, needs, x, t, w, pw, out, reduction, count):
    s = _grad_scale(g, reduction, count)
    if w is not None:
        s = s * _const(B.data(w), g)
    gx = gt = None
    if needs[0]:
        if pw is not None:
            pt = t * _const(B.data(pw), g)
            gx = s * ((pt + 1 - t) * B.sigmoid(x) - pt)
        else:
            gx = s * (B.sigmoid(x) - t)
    if needs[1]:
        if pw is not None:
            gt = s * (_logsigmoid_any(-x) - _logsigmoid_any(x) * _const(B.data(pw), g))
        else:
            gt = -s * x
    return gx, gt, None, None


_BceLogitsNode = _node("BinaryCrossEntropyWithLogits", _bce_logits_backward)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    _no_grad_for("binary_cross_entropy_with_logits", "weight", weight)
    _no_grad_for("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    dt = _float_dtype("binary_cross_entropy_with_logits", input, target)
    x, t = _data(input, dt), _data(target, dt)
    ls = _logsigmoid_np(x)
    if pos_weight is not None:
        ls = ls * ((_data(pos_weight, dt) - dt.type(1)) * t + dt.type(1))
    elem = (1 - t) * x - ls
    if weight is not None:
        elem = elem * _data(weight, dt)
    return record(_reduce(elem, reduction), _BceLogitsNode, (input, target, weight, pos_weight),
                  (reduction, elem.size))


# ---- kl_div, poisson, gaussian ------------------------------------------------------------

def _kl_backward(g, needs, x, t, out, reduction, count, log_target):
    s = g / count if reduction in ("mean", "batchmean") else g
    gx = gt = None
    if needs[0]:
        gx = -s * (B.exp(t) if log_target else t)
    if needs[1]:
        if log_target:
            gt = s * B.exp(t) * (t - x + 1)
        else:
            td = B.data(t)
            with np.errstate(divide="ignore", invalid="ignore"):
                logt = np.where(td != 0, np.log(np.where(td != 0, td, 1)), td.dtype.type(0))
                ratio = td / td
            gt = s * (_const(logt + ratio, g) - x)
    return gx, gt


_KlDivNode = _node("KlDiv", _kl_backward)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with the "
                      "KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    if reduction != "batchmean":
        reduction = _check_reduction(reduction)
    dt = _float_dtype("kl_div", input, target)
    x, t = _broadcast(_data(input, dt), _data(target, dt))
    with np.errstate(divide="ignore", invalid="ignore"):
        if log_target:
            elem = np.exp(t) * (t - x)
        else:
            elem = np.where(t == 0, dt.type(0), t * np.log(t)) - t * x
    if reduction == "batchmean":
        count = input.shape[0] if input.dim() else 1
        out = _mean_of(np.add.reduce(elem, axis=None, dtype=np.float64), count, dt)
    else:
        count = elem.size
        out = _reduce(elem, reduction)
    return record(out, _KlDivNode, (input, target), (reduction, max(count, 1), bool(log_target)))


def _poisson_backward(g, needs, x, t, out, log_input, full, eps, reduction, count):
    s = _grad_scale(g, reduction, count)
    gx = gt = None
    if needs[0]:
        gx = s * (B.exp(x) - t if log_input else 1 - t / (x + eps))
    if needs[1]:
        gt = -s * (x if log_input else B.log(x + eps))
        if full:
            # torch masks the Stirling term after computing it: a zero gradient times the
            # infinite log derivative at target == 0 is nan there.
            td = B.data(t)
            big = td > 1
            safe = np.where(big, td, 1)
            stirling = np.where(big, np.log(safe) + 0.5 / safe, np.where(td == 0, np.nan, 0))
            gt = gt + s * _const(stirling.astype(td.dtype), g)
    return gx, gt


_PoissonNode = _node("PoissonNllLoss", _poisson_backward)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    dt = _float_dtype("poisson_nll_loss", input, target)
    x, t = _broadcast(_data(input, dt), _data(target, dt))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        elem = np.exp(x) - t * x if log_input else x - t * np.log(x + dt.type(eps))
        if full:
            stirling = t * np.log(t) - t + dt.type(0.5) * np.log(dt.type(2 * math.pi) * t)
            elem = elem + np.where(t <= 1, dt.type(0), stirling)
    return record(_reduce(elem, reduction), _PoissonNode, (input, target),
                  (log_input, full, eps, reduction, elem.size))


def _gaussian_backward(g, needs, x, t, v, out, reduction, count, eps, full):
    vd = np.maximum(B.data(v), B.data(v).dtype.type(eps))
    vc = _const(vd, g)
    s = _grad_scale(g, reduction, count)
    d = x - t
    gx = s * d / vc if needs[0] or needs[1] else None
    gv = s * (1 / vc - d * d / (vc * vc)) * 0.5 if needs[2] else None
    return (gx if needs[0] else None), (-gx if needs[1] else None), gv


_GaussianNode = _node("GaussianNllLoss", _gaussian_backward)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._make(np.full(input.shape, var, dtype=input._data.dtype))
    elif not isinstance(var, Tensor):
        raise TypeError(f"gaussian_nll_loss(): argument 'var' must be Tensor or float, not "
                        f"{type(var).__name__}")
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (input.dim() == var.dim() and
                  sum(y for x_, y in zip(input.shape, var.shape) if x_ != y) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    dt = _float_dtype("gaussian_nll_loss", input, target, var)
    x, t, v = _data(input, dt), _data(target, dt), _data(var, dt)
    v = np.maximum(v, dt.type(eps))
    d = x - t
    elem = dt.type(0.5) * (np.log(v) + d * d / v)
    if full:
        elem = elem + dt.type(0.5 * math.log(2 * math.pi))
    return record(_reduce(elem, reduction), _GaussianNode, (input, target, var),
                  (reduction, elem.size, eps, full))


# ---- margin and embedding losses ----------------------------------------------------------

def _hinge_backward(g, needs, x, t, out, margin, reduction, count):
    if not needs[0]:
        return None, None
    xd, td = B.data(x), B.data(t)
    s = _grad_scale(g, reduction, count)
    slope = np.where((td != 1) & (margin - xd >= 0), -1, 0) + np.where(td != -1, 1, 0)
    return s * _const(np.broadcast_to(slope, np.broadcast_shapes(xd.shape, td.shape))
                      .astype(xd.dtype), g), None


_HingeNode = _node("HingeEmbeddingLoss", _hinge_backward)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    dt = _float_dtype("hinge_embedding_loss", input, target)
    x, t = _broadcast(_data(input, dt), _data(target, dt))
    zero = dt.type(0)
    elem = np.where(t != 1, np.maximum(dt.type(margin) - x, zero), zero) + np.where(t != -1, x, zero)
    return record(_reduce(elem, reduction), _HingeNode, (input, target),
                  (margin, reduction, elem.size))


def _margin_ranking_backward(g, needs, x1, x2, t, out, margin, reduction, count):
    s = _grad_scale(g, reduction, count)
    z = -B.data(t) * (B.data(x1) - B.data(x2)) + margin
    gate = _const((z >= 0).astype(z.dtype), g) * s
    return (-t * gate if needs[0] else None), (t * gate if needs[1] else None), \
        (-(x1 - x2) * gate if needs[2] else None)


_MarginRankingNode = _node("MarginRankingLoss", _margin_ranking_backward)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    dt = D.to_np(D.result_type(input1, input2, target))
    x1, x2, t = _broadcast(_data(input1, dt), _data(input2, dt), _data(target, dt))
    elem = np.maximum(-t * (x1 - x2) + dt.type(margin), dt.type(0))
    return record(_reduce(elem, reduction), _MarginRankingNode, (input1, input2, target),
                  (margin, reduction, elem.size))


def _soft_margin_backward(g, needs, x, t, out, reduction, count):
    if not needs[0]:
        return None, None
    s = _grad_scale(g, reduction, count)
    with np.errstate(over="ignore", invalid="ignore"):
        z = B.exp(-t * x)
        return -s * t * z / (z + 1), None


_SoftMarginNode = _node("SoftMarginLoss", _soft_margin_backward)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    _no_grad_for("soft_margin_loss", "target", target)
    dt = _float_dtype("soft_margin_loss", input, target)
    x, t = _broadcast(_data(input, dt), _data(target, dt))
    with np.errstate(over="ignore"):
        elem = np.log1p(np.exp(-t * x))
    return record(_reduce(elem, reduction), _SoftMarginNode, (input, target),
                  (reduction, elem.size))


def _mlsm_backward(g, needs, x, t, w, out, reduction, count):
    xd = B.data(x)
    n_classes = xd.shape[-1] if xd.ndim else 1
    s = _grad_scale(g, reduction, count)
    s = _unsqueeze(s, -1) / n_classes if xd.ndim and B.data(s).ndim else s / n_classes
    if w is not None:
        sw = s * w
    else:
        sw = s
    gx = sw * (B.sigmoid(x) - t) if needs[0] else None
    gt = -sw * x if needs[1] else None
    gw = None
    if needs[2]:
        gw = -s * (t * _logsigmoid_any(x) + (1 - t) * _logsigmoid_any(-x))
    return gx, gt, gw


_MlsmNode = _node("MultilabelSoftMarginLoss", _mlsm_backward)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    dt = _float_dtype("multilabel_soft_margin_loss", input, target)
    x, t = _broadcast(_data(input, dt), _data(target, dt))
    elem = -(t * _logsigmoid_np(x) + (1 - t) * _logsigmoid_np(-x))
    if weight is not None:
        elem = elem * _data(weight, dt)
    n_classes = x.shape[-1] if x.ndim else 1
    per_sample = (_sum(elem, axis=-1) if x.ndim else elem) / dt.type(n_classes)
    return record(_reduce(per_sample, reduction), _MlsmNode, (input, target, weight),
                  (reduction, per_sample.size))


def _cosine_backward(g, needs, x1, x2, t, out, margin, reduction, count, td, cd):
    s = _grad_scale(g, reduction, count)
    a, b = B.data(x1), B.data(x2)
    prod = _sum(a * b, axis=cd, keepdims=True)
    m1 = _sum(a * a, axis=cd, keepdims=True) + a.dtype.type(1e-12)
    m2 = _sum(b * b, axis=cd, keepdims=True) + a.dtype.type(1e-12)
    denom = np.sqrt(m1 * m2)
    cos = prod / denom
    tt = np.expand_dims(td, cd) if td.ndim else td
    slope = np.where(tt == 1, -1, 0) + np.where((tt == -1) & (cos - margin >= 0), 1, 0)
    coef = _unsqueeze(s, cd) if B.data(s).ndim else s
    coef = coef * _const(slope.astype(a.dtype), g)
    if B.is_array(g):
        g1 = coef * (b / denom - cos * a / m1) if needs[0] else None
        g2 = coef * (a / denom - cos * b / m2) if needs[1] else None
        return g1, g2, None
    x1x2 = B.sum(x1 * x2, cd, keepdims=True)
    n1 = B.sum(x1 * x1, cd, keepdims=True) + 1e-12
    n2 = B.sum(x2 * x2, cd, keepdims=True) + 1e-12
    den = B.sqrt(n1 * n2)
    c = x1x2 / den
    g1 = coef * (x2 / den - c * x1 / n1) if needs[0] else None
    g2 = coef * (x1 / den - c * x2 / n2) if needs[1] else None
    return g1, g2, None


_CosineNode = _node("CosineEmbeddingLoss", _cosine_backward)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    t = target._data
    if t.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.ndim == 1 and (input1.dim() != 2 or input2.dim() != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    if t.ndim == 0 and (input1.dim() != 1 or input2.dim() != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    dt = _float_dtype("cosine_embedding_loss", input1, input2)
    a, b = _data(input1, dt), _data(input2, dt)
    if a.shape != b.shape:
        raise broadcast_error(a.shape, b.shape)
    cd = t.ndim
    eps = dt.type(1e-12)
    prod = _sum(a * b, axis=cd)
    denom = np.sqrt((_sum(a * a, axis=cd) + eps) * (_sum(b * b, axis=cd) + eps))
    cos = prod / denom
    zero = dt.type(0)
    elem = np.where(t == 1, 1 - cos, zero) + np.where(t == -1, np.maximum(cos - dt.type(margin), zero),
                                                      zero)
    elem = np.asarray(elem, dtype=dt)
    return record(_reduce(elem, reduction), _CosineNode, (input1, input2, target),
                  (margin, reduction, elem.size, t, cd))


def _pairwise(a, b, p, eps):
    """pairwise_distance: ||a - b + eps||_p over the last dim; returns (distance, difference)."""
    diff = a - b + a.dtype.type(eps)
    d = diff.ndim - 1
    from .activation import _vector_norm_np
    return _vector_norm_np(diff, p, max(d, 0)).squeeze(max(d, 0)) if diff.ndim else np.abs(diff), \
        diff


def _triplet_backward(g, needs, a, pos, neg, out, margin, p, eps, swap, reduction, count):
    # The distance derivatives are computed from the data: under create_graph the result is
    # differentiable in g but not again in the inputs.
    ad, pd, nd = B.data(a), B.data(pos), B.data(neg)
    dp, up = _pairwise(ad, pd, p, eps)
    dn, un = _pairwise(ad, nd, p, eps)
    last = max(up.ndim - 1, 0)
    s = _grad_scale(g, reduction, count)
    if swap:
        ds, us = _pairwise(pd, nd, p, eps)
        share_n = np.where(dn == ds, 0.5, np.where(dn < ds, 1.0, 0.0))
        share_s = 1 - share_n
        dmin = np.minimum(dn, ds)
    else:
        share_n, dmin = 1.0, dn
    gate = (dp - dmin + margin >= 0).astype(ad.dtype)
    coef = s * _const(gate, g)

    def along(c, u, dist):
        cc = _unsqueeze(c, -1) if up.ndim else c
        return cc * _const(_norm_grad(u, np.expand_dims(dist, last) if up.ndim else dist, p, last),
                           g)

    g_dp = along(coef, up, dp)
    g_dn = along(coef * _const(np.asarray(share_n, ad.dtype), g), un, dn)
    ga = g_dp - g_dn
    gp = -g_dp
    gn = g_dn
    if swap:
        g_ds = along(coef * _const(np.asarray(share_s, ad.dtype), g), us, ds)
        gp = gp - g_ds
        gn = gn + g_ds
    return (ga if needs[0] else None), (gp if needs[1] else None), (gn if needs[2] else None)


_TripletNode = _node("TripletMarginLoss", _triplet_backward, INPUTS)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.dim() == positive.dim() == negative.dim():
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.dim()}D, positive "
                           f"{positive.dim()}D, and negative {negative.dim()}D inputs")
    dt = _float_dtype("triplet_margin_loss", anchor, positive, negative)
    a, pos, neg = _data(anchor, dt), _data(positive, dt), _data(negative, dt)
    try:
        dp, _ = _pairwise(a, pos, p, eps)
        dn, _ = _pairwise(a, neg, p, eps)
        if swap:
            dn = np.minimum(dn, _pairwise(pos, neg, p, eps)[0])
    except ValueError:
        raise broadcast_error(a.shape, neg.shape) from None
    elem = np.maximum(dt.type(margin) + dp - dn, dt.type(0))
    return record(_reduce(elem, reduction), _TripletNode, (anchor, positive, negative),
                  (margin, p, eps, swap, reduction, elem.size))


def _multi_margin_backward(g, needs, x, t, w, out, p, margin, reduction, tsafe, wy):
    if not needs[0]:
        return None, None, None
    xd = B.data(x)
    x2 = xd.reshape(-1, xd.shape[-1]) if xd.ndim else xd.reshape(1, 1)
    n, c = x2.shape
    z = margin - np.take_along_axis(x2, tsafe[:, None], 1) + x2
    active = z > 0
    np.put_along_axis(active, tsafe[:, None], False, 1)
    per = (np.where(active, 1.0, 0.0) if p == 1 else np.where(active, 2 * z, 0.0)) * wy[:, None] / c
    per = per.astype(xd.dtype)
    np.put_along_axis(per, tsafe[:, None], -per.sum(1, keepdims=True), 1)
    s = _grad_scale(g, reduction, n)
    sd = B.data(s)
    s_col = (_unsqueeze(s, -1) if sd.ndim else s)
    return s_col * _const(per.reshape(xd.shape), g), None, None


_MultiMarginNode = _node("MultiMarginLoss", _multi_margin_backward)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _no_grad_for("multi_margin_loss", "weight", weight)
    x, t = input._data, target._data
    if not ((x.ndim == 2 and x.shape[1]) or (x.ndim == 1 and x.shape[0]) or x.ndim == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(x.shape)}")
    n = x.shape[0] if x.ndim == 2 else 1
    c = x.shape[-1] if x.ndim else 1
    if t.ndim > 1 or t.size != n:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size [{n}], but "
                           f"got {list(t.shape)}. Input has shape {list(x.shape)}.")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"multi_margin_loss_cpu" not implemented for '
                                  f'\'{_legacy(x.dtype)}\'')
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    ts = t.reshape(-1).astype(np.int64)
    if ((ts < 0) | (ts >= c)).any():
        raise RuntimeError("target out of range")
    x2 = x.reshape(n, c)
    z = x.dtype.type(margin) - np.take_along_axis(x2, ts[:, None], 1) + x2
    h = np.maximum(z, 0)
    if p == 2:
        h = h * h
    np.put_along_axis(h, ts[:, None], 0, 1)
    wy = weight._data.astype(x.dtype)[ts] if weight is not None else np.ones(n, x.dtype)
    per = _sum(h * wy[:, None], axis=1) / x.dtype.type(c)
    per = per.reshape(() if x.ndim < 2 else (n,))
    return record(_reduce(per, reduction), _MultiMarginNode, (input, target, weight),
                  (p, margin, reduction, ts, wy))
