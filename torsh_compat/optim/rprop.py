"""torch.optim.Rprop: sign-based steps with per-element adaptive step sizes."""
import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _bump, _check_lr, _real, _scalar_tensor

__all__ = ["Rprop"]


class Rprop(Optimizer):
    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            def init(state, p):
                lr = float(group["lr"])
                state["step"] = _scalar_tensor(0.0)
                state["prev"] = Tensor._make(np.zeros_like(p._data))
                fill = complex(lr, lr) if p._data.dtype.kind == "c" else lr
                state["step_size"] = Tensor._make(np.full_like(p._data, fill))
            for p, state, param, grad in self._each_param(group, "Rprop", init):
                step_t = state["step"]
                grad = grad.copy()
                prev = _real(state["prev"]._data)
                step_size = _real(state["step_size"]._data)
                sign = np.sign(grad * prev)
                factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1)).astype(sign.dtype)
                np.multiply(step_size, factor, out=step_size)
                np.clip(step_size, step_size_min, step_size_max, out=step_size)
                grad[factor == sign.dtype.type(etaminus)] = 0
                update = np.sign(grad)
                np.multiply(update, -1, out=update)
                np.multiply(update, step_size, out=update)
                np.add(param, update, out=param)
                prev[...] = grad
                _bump(p, step_t, state["prev"], state["step_size"])
        return loss
