"""torch.optim.RAdam: Adam with the variance rectification term."""
import numpy as np

from .optimizer import (Optimizer, _add_scaled, _addcmul_, _adds_, _bump, _check_common, _div_, _lerp_, _mul_,
                        _real, _S, _scalar_tensor, _zeros_like)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_common(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
            def init(state, p):
                state["step"] = _scalar_tensor(0.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            for p, state, param, grad in self._each_param(group, "RAdam", init):
                step_t = state["step"]
                exp_avg = _real(state["exp_avg"]._data)
                exp_avg_sq = _real(state["exp_avg_sq"]._data)
                step = float(step_t._data)
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        _mul_(param, 1 - lr * wd)
                    else:
                        grad = _add_scaled(grad, param, wd)
                _lerp_(exp_avg, grad, 1 - beta1)
                _mul_(exp_avg_sq, beta2)
                _addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                update = exp_avg.copy()
                _div_(update, bias_correction1)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                _mul_(update, lr)
                if rho_t > 5.0:
                    adaptive = np.sqrt(exp_avg_sq)
                    _adds_(adaptive, eps)
                    # (bias_correction2 ** 0.5) / sqrt(v): a scalar divided by a tensor
                    np.divide(_S(adaptive, bias_correction2 ** 0.5), adaptive, out=adaptive)
                    np.multiply(update, adaptive, out=update)
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    _mul_(update, rect)
                np.subtract(param, update, out=param)
                _bump(p, step_t, state["exp_avg"], state["exp_avg_sq"])
        return loss
