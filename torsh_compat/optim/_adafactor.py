"""torch.optim.Adafactor: factored second moments (row and column statistics for matrices)."""
import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _add_, _bump, _grad, _lerp_, _mul_, _scalar_tensor

__all__ = ["Adafactor"]


def _norm(a, axis=None, keepdims=False):
    """The 2-norm in the array's dtype (torch.norm / Tensor.norm)."""
    return np.sqrt(np.sum(np.multiply(a, a), axis=axis, keepdims=keepdims))


class Adafactor(Optimizer):
    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, beta2_decay, d, wd = float(group["lr"]), group["beta2_decay"], group["d"], group["weight_decay"]
            eps1, eps2 = group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                if p.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                if getattr(p.grad, "is_sparse", False):
                    raise RuntimeError("Adafactor does not support sparse gradients")
                state = self.state[p]
                g = p.grad._data
                if len(state) == 0:
                    state["step"] = _scalar_tensor(0.0)
                    if g.ndim > 1:
                        state["row_var"] = _zeros(g.shape[:-1] + (1,), g.dtype)
                        state["col_var"] = _zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype)
                    else:
                        state["variance"] = _zeros(g.shape, g.dtype)
                param = p._data
                grad = _grad(p, group["maximize"])
                step_t = state["step"]
                if eps1 is None:
                    eps1 = float(np.finfo(param.dtype).eps)
                step_t._data += 1
                step = float(step_t._data)
                one_minus_beta2_t = step ** beta2_decay
                rho_t = min(lr, 1 / (step ** 0.5))
                alpha = max(eps2, float(_norm(param)) / (param.size ** 0.5)) * rho_t
                if wd != 0:
                    _mul_(param, 1 - lr * wd)
                if grad.ndim > 1:
                    row_var, col_var = state["row_var"]._data, state["col_var"]._data
                    row_mean = np.square(_norm(grad, -1, True))
                    np.divide(row_mean, grad.shape[-1], out=row_mean)
                    _lerp_(row_var, row_mean, one_minus_beta2_t)
                    col_mean = np.square(_norm(grad, -2, True))
                    np.divide(col_mean, grad.shape[-2], out=col_mean)
                    _lerp_(col_var, col_mean, one_minus_beta2_t)
                    var_estimate = np.matmul(row_var, col_var)
                    row_scale = np.mean(row_var, axis=-2, keepdims=True)
                    np.maximum(row_scale, eps1, out=row_scale)
                    np.divide(var_estimate, row_scale, out=var_estimate)
                    changed = (state["row_var"], state["col_var"])
                else:
                    variance = state["variance"]._data.reshape(-1) if grad.ndim == 0 else state["variance"]._data
                    _lerp_(variance, np.multiply(grad, grad).reshape(variance.shape), one_minus_beta2_t)
                    var_estimate = variance.copy()
                    changed = (state["variance"],)
                np.maximum(var_estimate, eps1 * eps1, out=var_estimate)
                update = np.sqrt(var_estimate)
                np.divide(1, update, out=update)     # rsqrt
                np.multiply(update, grad.reshape(update.shape), out=update)
                denom = max(1.0, float(_norm(update)) / ((update.size ** 0.5) * d))
                _add_(param.reshape(update.shape), update, -alpha / denom)
                _bump(p, step_t, *changed)
        return loss


def _zeros(shape, dtype):
    return Tensor._make(np.zeros(shape, dtype))
