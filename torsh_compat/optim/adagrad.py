"""torch.optim.Adagrad (lr_decay, initial_accumulator_value)."""
import numpy as np

from .._tensor import Tensor
from .optimizer import (Optimizer, _add_scaled, _addcdiv_, _addcmul_, _adds_, _bump, _check_fused, _check_lr,
                        _get_scalar_dtype, _grad, _real, _scalar_tensor)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        # as torch, the state is made at construction, for every parameter
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _scalar_tensor(0.0, _get_scalar_dtype(group["fused"]))
                init = group["initial_accumulator_value"]
                init = complex(init, init) if p._data.dtype.kind == "c" else init
                state["sum"] = Tensor._make(np.full_like(p._data, init))

    def share_memory(self):
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["sum"].share_memory_()

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, wd, lr_decay, eps = float(group["lr"]), group["weight_decay"], group["lr_decay"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if getattr(p.grad, "is_sparse", False):
                    raise RuntimeError("Adagrad: sparse gradients are not supported by torsh_compat")
                state = self.state[p]
                step_t = state["step"]
                step_t._data += 1
                step = float(step_t._data)
                param = _real(p._data)
                grad = _real(_grad(p, group["maximize"]))
                if wd != 0:
                    grad = _add_scaled(grad, param, wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = _real(state["sum"]._data)
                _addcmul_(state_sum, grad, grad, 1)
                std = np.sqrt(state_sum)
                _adds_(std, eps)
                _addcdiv_(param, grad, std, -clr)
                _bump(p, step_t, state["sum"])
        return loss
