"""torsh_nn.functional: torch.nn.functional with the ToRSh face's literal signatures.

Losses drop torch's deprecated `size_average`/`reduce` positional slots, so the face's positional
order is the guide's: `cross_entropy(input, target, weight, reduction, ignore_index, label_smoothing)`,
`mse_loss(input, target, reduction)`. Softmax-like functions take `dim` second and `dtype` third
(torch's third slot is the internal `_stacklevel`). Every other function of torch.nn.functional is
available under its torch name with torch's signature. Each wrapper calls torch's function: the
numbers are torch's.
"""
from ..nn import functional as _F

__all__ = ["relu", "gelu", "sigmoid", "tanh", "softmax", "log_softmax", "softmin", "dropout",
           "cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
           "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss", "multilabel_soft_margin_loss",
           "multilabel_margin_loss", "multi_margin_loss", "cosine_embedding_loss", "triplet_margin_loss"]


def relu(input, inplace=False):
    return _F.relu(input, inplace)


def gelu(input, approximate="none"):
    return _F.gelu(input, approximate=approximate)


def sigmoid(input):
    return _F.sigmoid(input)


def tanh(input):
    return _F.tanh(input)


def softmax(input, dim, dtype=None):
    return _F.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, dtype=None):
    return _F.log_softmax(input, dim, dtype=dtype)


def softmin(input, dim, dtype=None):
    return _F.softmin(input, dim, dtype=dtype)


def dropout(input, p=0.5, training=True, inplace=False):
    return _F.dropout(input, p, training, inplace)


def cross_entropy(input, target, weight=None, reduction="mean", ignore_index=-100, label_smoothing=0.0):
    return _F.cross_entropy(input, target, weight, ignore_index=ignore_index, reduction=reduction,
                            label_smoothing=label_smoothing)


def nll_loss(input, target, weight=None, reduction="mean", ignore_index=-100):
    return _F.nll_loss(input, target, weight, ignore_index=ignore_index, reduction=reduction)


def mse_loss(input, target, reduction="mean", weight=None):
    return _F.mse_loss(input, target, reduction=reduction, weight=weight)


def l1_loss(input, target, reduction="mean", weight=None):
    return _F.l1_loss(input, target, reduction=reduction, weight=weight)


def smooth_l1_loss(input, target, reduction="mean", beta=1.0):
    return _F.smooth_l1_loss(input, target, reduction=reduction, beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    return _F.huber_loss(input, target, reduction, delta, weight=weight)


def binary_cross_entropy(input, target, weight=None, reduction="mean"):
    return _F.binary_cross_entropy(input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, reduction="mean", pos_weight=None):
    return _F.binary_cross_entropy_with_logits(input, target, weight, reduction=reduction,
                                               pos_weight=pos_weight)


def kl_div(input, target, reduction="mean", log_target=False):
    return _F.kl_div(input, target, reduction=reduction, log_target=log_target)


def poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction="mean"):
    return _F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    return _F.margin_ranking_loss(input1, input2, target, margin, reduction=reduction)


def hinge_embedding_loss(input, target, margin=1.0, reduction="mean"):
    return _F.hinge_embedding_loss(input, target, margin, reduction=reduction)


def soft_margin_loss(input, target, reduction="mean"):
    return _F.soft_margin_loss(input, target, reduction=reduction)


def multilabel_soft_margin_loss(input, target, weight=None, reduction="mean"):
    return _F.multilabel_soft_margin_loss(input, target, weight, reduction=reduction)


def multilabel_margin_loss(input, target, reduction="mean"):
    return _F.multilabel_margin_loss(input, target, reduction=reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, reduction="mean"):
    return _F.multi_margin_loss(input, target, p, margin, weight, reduction=reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    return _F.cosine_embedding_loss(input1, input2, target, margin, reduction=reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False,
                        reduction="mean"):
    return _F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=reduction)


# `from torsh_nn.functional import *` brings the rest of torch.nn.functional too
__all__ += sorted(n for n in dir(_F) if n[:1].islower() and callable(getattr(_F, n)) and n not in __all__)


def __getattr__(name):
    # the rest of torch.nn.functional, whose torch signatures have no deprecated slots
    if name.startswith("_"):
        raise AttributeError(name)
    try:
        return getattr(_F, name)
    except AttributeError:
        raise AttributeError(f"module 'torsh_compat.torsh_nn.functional' has no attribute '{name}'") from None


def __dir__():
    return sorted(__all__)
