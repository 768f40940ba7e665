"""torch.optim.RMSprop (centered, momentum)."""
import numpy as np

from .optimizer import (Optimizer, _add_, _add_scaled, _addcdiv_, _addcmul_, _adds_, _bump, _check_lr, _lerp_,
                        _mul_, _real, _scalar_tensor, _zeros_like)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
            wd, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
            def init(state, p):
                state["step"] = _scalar_tensor(0.0)
                state["square_avg"] = _zeros_like(p)
                if momentum > 0:
                    state["momentum_buffer"] = _zeros_like(p)
                if centered:
                    state["grad_avg"] = _zeros_like(p)
            for p, state, param, grad in self._each_param(group, "RMSprop", init):
                step_t = state["step"]
                if wd != 0:
                    grad = _add_scaled(grad, param, wd)
                square_avg = _real(state["square_avg"]._data)
                _mul_(square_avg, alpha)
                _addcmul_(square_avg, grad, grad, 1 - alpha)
                changed = [p, step_t, state["square_avg"]]
                if centered:
                    grad_avg = _real(state["grad_avg"]._data)
                    _lerp_(grad_avg, grad, 1 - alpha)
                    avg = square_avg.copy()
                    _addcmul_(avg, grad_avg, grad_avg, -1)
                    np.sqrt(avg, out=avg)
                    changed.append(state["grad_avg"])
                else:
                    avg = np.sqrt(square_avg)
                _adds_(avg, eps)
                if momentum > 0:
                    buf = _real(state["momentum_buffer"]._data)
                    _mul_(buf, momentum)
                    _addcdiv_(buf, grad, avg, 1)
                    _add_(param, buf, -lr)
                    changed.append(state["momentum_buffer"])
                else:
                    _addcdiv_(param, grad, avg, -lr)
                _bump(*changed)
        return loss
