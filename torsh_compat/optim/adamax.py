"""torch.optim.Adamax: Adam with an infinity-norm second moment."""
import numpy as np

from .optimizer import (Optimizer, _add_scaled, _addcdiv_, _adds_, _bump, _check_common, _lerp_, _mul_, _real,
                        _scalar_tensor, _zeros_like)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        _check_common(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
            def init(state, p):
                state["step"] = _scalar_tensor(0.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_inf"] = _zeros_like(p)
            for p, state, param, grad in self._each_param(group, "Adamax", init):
                step_t = state["step"]
                if wd != 0:
                    grad = _add_scaled(grad, param, wd)
                exp_avg = _real(state["exp_avg"]._data)
                exp_inf = _real(state["exp_inf"]._data)
                _lerp_(exp_avg, grad, 1 - beta1)
                _mul_(exp_inf, beta2)
                norm = np.abs(grad)
                _adds_(norm, eps)
                np.maximum(exp_inf, norm, out=exp_inf)
                clr = lr / (1 - beta1 ** float(step_t._data))
                _addcdiv_(param, exp_avg, exp_inf, -clr)
                _bump(p, step_t, state["exp_avg"], state["exp_inf"])
        return loss
