"""torch.optim.Adadelta."""
import numpy as np

from .optimizer import (Optimizer, _add_, _add_scaled, _addcmul_, _adds_, _bump, _check_lr, _mul_, _real,
                        _scalar_tensor, _zeros_like)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, rho, eps, wd = float(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
            def init(state, p):
                state["step"] = _scalar_tensor(0.0)
                state["square_avg"] = _zeros_like(p)
                state["acc_delta"] = _zeros_like(p)
            for p, state, param, grad in self._each_param(group, "Adadelta", init, supports_xla=False):
                step_t = state["step"]
                if wd != 0:
                    grad = _add_scaled(grad, param, wd)
                square_avg = _real(state["square_avg"]._data)
                acc_delta = _real(state["acc_delta"]._data)
                _mul_(square_avg, rho)
                _addcmul_(square_avg, grad, grad, 1 - rho)
                std = square_avg.copy()
                _adds_(std, eps)
                np.sqrt(std, out=std)
                delta = acc_delta.copy()
                _adds_(delta, eps)
                np.sqrt(delta, out=delta)
                np.divide(delta, std, out=delta)
                np.multiply(delta, grad, out=delta)
                _mul_(acc_delta, rho)
                _addcmul_(acc_delta, delta, delta, 1 - rho)
                _add_(param, delta, -lr)
                _bump(p, step_t, state["square_avg"], state["acc_delta"])
        return loss
