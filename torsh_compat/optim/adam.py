"""torch.optim.Adam (with amsgrad, maximize, L2 or decoupled weight decay)."""
import numpy as np

from .optimizer import (Optimizer, _add_scaled, _addcdiv_, _addcmul_, _adds_, _bump, _check_common,
                        _check_fused, _div_, _get_scalar_dtype, _lerp_, _mul_, _real, _scalar_tensor,
                        _to_scalar, _zeros_like)
from .._tensor import Tensor

__all__ = ["Adam"]


def _check_betas_kind(betas):
    if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
        raise ValueError("betas must be either both floats or both Tensors")
    for i, b in enumerate(betas):
        if isinstance(b, Tensor) and b.numel() != 1:
            raise ValueError(f"Tensor betas[{i}] must be 1-element")


class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        _check_common(lr, eps, betas, weight_decay)
        _check_betas_kind(betas)
        betas = tuple(_to_scalar(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        for group in state.get("param_groups", ()):
            for key, value in (("amsgrad", False), ("maximize", False), ("foreach", None),
                               ("capturable", False), ("differentiable", False),
                               ("decoupled_weight_decay", False), ("fused", None)):
                group.setdefault(key, value)
        super().__setstate__(state)


    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            beta1, beta2 = float(beta1), float(beta2)
            lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
            amsgrad = group["amsgrad"]
            def init(state, p):
                state["step"] = _scalar_tensor(0.0, _get_scalar_dtype(group["fused"]))
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
                if amsgrad:
                    state["max_exp_avg_sq"] = _zeros_like(p)
            for p, state, param, grad in self._each_param(group, "Adam", init):
                step_t = state["step"]
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        _mul_(param, 1 - lr * wd)
                    else:
                        grad = _add_scaled(grad, param, wd)
                exp_avg = _real(state["exp_avg"]._data)
                exp_avg_sq = _real(state["exp_avg_sq"]._data)
                _lerp_(exp_avg, grad, 1 - beta1)
                _mul_(exp_avg_sq, beta2)
                _addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                step = float(step_t._data)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if amsgrad:
                    max_sq = _real(state["max_exp_avg_sq"]._data)
                    np.maximum(max_sq, exp_avg_sq, out=max_sq)
                    denom = np.sqrt(max_sq)
                    _bump(state["max_exp_avg_sq"])
                else:
                    denom = np.sqrt(exp_avg_sq)
                _div_(denom, bias_correction2_sqrt)
                _adds_(denom, eps)
                _addcdiv_(param, exp_avg, denom, -step_size)
                _bump(p, step_t, state["exp_avg"], state["exp_avg_sq"])
        return loss
