"""torch.optim.NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""
import numpy as np

from .optimizer import (Optimizer, _add_scaled, _addcdiv_, _addcmul_, _adds_, _bump, _check_common, _div_,
                        _lerp_, _mul_, _real, _scalar_tensor, _zeros_like)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    _scalar_state = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        _check_common(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd, eps = float(group["lr"]), group["weight_decay"], group["eps"]
            momentum_decay = group["momentum_decay"]
            def init(state, p):
                state["step"] = _scalar_tensor(0.0)
                state["mu_product"] = _scalar_tensor(1.0)
                state["exp_avg"] = _zeros_like(p)
                state["exp_avg_sq"] = _zeros_like(p)
            for p, state, param, grad in self._each_param(group, "NAdam", init, tensors="params, mu_products and state_steps"):
                step_t, mu_product = state["step"], state["mu_product"]
                exp_avg = _real(state["exp_avg"]._data)
                exp_avg_sq = _real(state["exp_avg_sq"]._data)
                step = float(step_t._data)
                bias_correction2 = 1 - beta2 ** step
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        _mul_(param, 1 - lr * wd)
                    else:
                        grad = _add_scaled(grad, param, wd)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product._data *= mu          # a float32 0-dim tensor, as torch keeps it
                _lerp_(exp_avg, grad, 1 - beta1)
                _mul_(exp_avg_sq, beta2)
                _addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                denom = exp_avg_sq.copy()
                _div_(denom, bias_correction2)
                np.sqrt(denom, out=denom)
                mu_prod = float(mu_product._data)
                mu_product_next = mu_prod * mu_next
                _adds_(denom, eps)
                _addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_prod))
                _addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
                _bump(p, step_t, mu_product, state["exp_avg"], state["exp_avg_sq"])
        return loss
