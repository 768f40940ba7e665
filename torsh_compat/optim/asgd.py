"""torch.optim.ASGD: averaged SGD (the running average is state 'ax')."""
import numpy as np

from .optimizer import (Optimizer, _add_, _add_scaled, _bump, _check_lr, _mul_, _real, _scalar_tensor,
                        _zeros_like)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    _scalar_state = ("step", "eta", "mu")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = float(group["lr"]), group["lambd"], group["alpha"], group["t0"]
            wd = group["weight_decay"]
            def init(state, p):
                state["step"] = _scalar_tensor(0.0)
                state["eta"] = _scalar_tensor(lr)
                state["mu"] = _scalar_tensor(1.0)
                state["ax"] = _zeros_like(p)
            for p, state, param, grad in self._each_param(group, "ASGD", init, tensors="params, mus, etas, and state_steps"):
                step_t, eta, mu = state["step"], state["eta"], state["mu"]
                ax = _real(state["ax"]._data)
                if wd != 0:
                    grad = _add_scaled(grad, param, wd)
                eta_value = float(eta._data)
                _mul_(param, 1 - lambd * eta_value)
                _add_(param, grad, -eta_value)
                mu_value = float(mu._data)
                if mu_value != 1:
                    diff = np.subtract(param, ax)
                    _mul_(diff, mu_value)
                    np.add(ax, diff, out=ax)
                else:
                    ax[...] = param
                step = float(step_t._data)
                # torch.as_tensor of a Python float: the default dtype, cast into the state's dtype
                eta._data[...] = np.asarray(lr / ((1 + lambd * lr * step) ** alpha), _default_np())
                mu._data[...] = np.asarray(1 / max(1, step - t0), _default_np())
                _bump(p, step_t, eta, mu, state["ax"])
        return loss


def _default_np():
    from .. import _dtype as D
    return D.to_np(D.get_default_dtype())
