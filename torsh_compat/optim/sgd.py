"""torch.optim.SGD: momentum, dampening, Nesterov, weight decay, maximize."""

from .._tensor import Tensor
from .optimizer import (Optimizer, _add_, _add_scaled, _bump, _check_fused, _check_lr, _grad, _mul_, _real)

__all__ = ["SGD"]


class SGD(Optimizer):
    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            wd, momentum = group["weight_decay"], group["momentum"]
            dampening, nesterov = group["dampening"], group["nesterov"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                param = _real(p._data)
                grad = _real(_grad(p, group["maximize"]))
                if wd != 0:
                    grad = _add_scaled(grad, param, wd)
                if momentum != 0:
                    state = self.state[p]
                    buf_t = state.get("momentum_buffer")
                    if buf_t is None:
                        buf_t = state["momentum_buffer"] = Tensor._make(p.grad._data.copy())
                        _real(buf_t._data)[...] = grad
                    else:
                        buf = _real(buf_t._data)
                        _mul_(buf, momentum)
                        _add_(buf, grad, 1 - dampening)
                        _bump(buf_t)
                    buf = _real(buf_t._data)
                    grad = _add_scaled(grad, buf, momentum) if nesterov else buf
                _add_(param, grad, -lr)
                _bump(p)
        return loss
