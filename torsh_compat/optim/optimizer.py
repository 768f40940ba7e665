"""torch.optim.Optimizer: parameter groups, per-parameter state, hooks, state_dict.

The optimizers update the parameters' NumPy arrays in place (out= ufuncs), in the order of
operations of torch's single-tensor ("for-loop") implementations, and bump the version counter
of every tensor they change, as an in-place op would.
"""
import functools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Optional, Union

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, set_grad_enabled
from ..nn.modules.module import RemovableHandle

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]


# the typing aliases that optimizers written against torch import from here
ParamsT = Union[Iterable[Tensor], Iterable[dict[str, Any]], Iterable[tuple[str, Tensor]]]
StateDict = dict[str, Any]
OptimizerPreHook = Callable[..., Optional[tuple]]
OptimizerPostHook = Callable[..., None]


class _RequiredParameter:
    """Marks a default that every parameter group must give (torch.optim.optimizer.required)."""
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    handle = RemovableHandle(_global_optimizer_pre_hooks)
    _global_optimizer_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    handle = RemovableHandle(_global_optimizer_post_hooks)
    _global_optimizer_post_hooks[handle.id] = hook
    return handle


def _typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    cls = type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in (None, "builtins") else f"{module}.{cls.__qualname__}"


def _get_scalar_dtype(is_fused=None):
    """The dtype of a 'step' counter: float32, or float64 under a float64 default (fused: float32)."""
    if is_fused:
        return D.float32
    return D.float64 if D.get_default_dtype() is D.float64 else D.float32


def _get_value(x):
    return x.item() if isinstance(x, Tensor) else x


def _use_grad_for_differentiable(func):
    """Runs a step with grad mode on only for a differentiable optimizer (decorator of step)."""
    @functools.wraps(func)
    def wrapper(self, *args, **kwargs):
        with set_grad_enabled(self.defaults.get("differentiable", False)):
            return func(self, *args, **kwargs)
    return wrapper


def _to_scalar(x):
    """A Python number from a number or a one-element Tensor (lr, betas given as tensors)."""
    return x.item() if isinstance(x, Tensor) else x


def _scalar_tensor(value, dtype=None):
    """A 0-dim state tensor (step, mu_product, eta, mu) in the scalar dtype."""
    dtype = dtype or _get_scalar_dtype()
    return Tensor._make(np.array(value, dtype=D.to_np(dtype)))


def _zeros_like(p):
    return Tensor._make(np.zeros_like(p._data))


def _real(a):
    """The array the kernels work on, sharing memory: a complex array as the real array of its
    (re, im) pairs (view_as_real); a 0-dim array as 1-dim, so that ufuncs on it give arrays
    (usable as out=) rather than NumPy scalars."""
    if a.dtype.kind == "c":
        return a.view(a.real.dtype).reshape(a.shape + (2,))
    return a.reshape(1) if a.ndim == 0 else a


def _grad(p, maximize):
    g = p.grad._data
    return np.negative(g) if maximize else g


def _low(a):
    return a.dtype.itemsize == 2 and a.dtype.kind in "fV"


def _S(a, x):
    """A Python scalar as torch applies it to `a`: in float32 for a float16/bfloat16 array (torch's
    opmath), in the array's own dtype otherwise (NumPy's weak Python scalars)."""
    return np.float32(x) if _low(a) else x


def _mul_(a, x):
    np.multiply(a, _S(a, x), out=a)


def _div_(a, x):
    np.divide(a, _S(a, x), out=a)


def _adds_(a, x):
    np.add(a, _S(a, x), out=a)


def _alpha(a, alpha):
    # unlike the other scalars, torch's add rounds alpha to a float16/bfloat16 tensor's own dtype
    return np.float32(a.dtype.type(alpha)) if _low(a) else alpha


def _add_(a, b, alpha):
    """a.add_(b, alpha=alpha): a + alpha * b, rounded once."""
    np.add(a, np.multiply(b, _alpha(a, alpha)), out=a)


def _add_scaled(a, b, alpha):
    """a.add(b, alpha=alpha) as a new array of a's dtype."""
    out = np.empty_like(a)
    np.add(a, np.multiply(b, _alpha(a, alpha)), out=out)
    return out


def _lerp_(a, b, w):
    """a.lerp_(b, w) with torch's two branches (exact at both ends of the weight range)."""
    diff = np.subtract(b, a, dtype=np.float32 if _low(a) else a.dtype)
    if abs(w) < 0.5:
        np.multiply(diff, w, out=diff)
        np.add(a, diff, out=a)
    else:
        np.multiply(diff, 1 - w, out=diff)
        np.subtract(b, diff, out=a)


def _addcmul_(a, t1, t2, value):
    """a.addcmul_(t1, t2, value=value): a + value * t1 * t2, rounded once."""
    tmp = np.multiply(t1, _S(a, value))
    np.multiply(tmp, t2, out=tmp)
    np.add(a, tmp, out=a)


def _addcdiv_(a, t1, t2, value):
    """a.addcdiv_(t1, t2, value=value): a + value * t1 / t2, rounded once."""
    tmp = np.multiply(t1, _S(a, value))
    np.divide(tmp, t2, out=tmp)
    np.add(a, tmp, out=a)


def _bump(*tensors):
    for t in tensors:
        t._vc[0] += 1


def _wrap_step(step):
    """An optimizer's step wrapped to run the step hooks around it."""
    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        if self.__dict__.get("_in_step"):   # a subclass's step calling super().step(): hooks run once
            return step(*args, **kwargs)
        self._in_step = True
        try:
            return _hooked_call(step, self, args, kwargs)
        finally:
            self._in_step = False
    wrapper.hooked = True
    return wrapper


def _hooked_call(step, self, args, kwargs):
    """The step pre-hooks (which may replace args and kwargs), the step, then the post-hooks."""
    for pre_hook in chain(_global_optimizer_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
        result = pre_hook(self, args, kwargs)
        if result is not None:
            if isinstance(result, tuple) and len(result) == 2:
                args, kwargs = result
            else:
                raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                   f"but got {result}.")
    out = step(*args, **kwargs)
    for post_hook in chain(self._optimizer_step_post_hooks.values(), _global_optimizer_post_hooks.values()):
        post_hook(self, args, kwargs)
    return out


class Optimizer:
    """Base class of all optimizers: holds param_groups (dicts with every default filled in) and
    per-parameter state keyed by the parameter tensor."""

    # 0-dim tensors of each parameter's state that older state dicts may hold as Python numbers
    _scalar_state = ("step",)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _wrap_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or "
                            "dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks"):
            self.__dict__.setdefault(name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        # state saved by older versions holds scalar counters as numbers: make them tensors
        for group in self.param_groups:
            fused = group.get("fused") or group.get("capturable")
            for p in group["params"]:
                p_state = self.state.get(p)
                if not p_state:
                    continue
                for key in self._scalar_state:
                    if key in p_state and not isinstance(p_state[key], Tensor):
                        p_state[key] = _scalar_tensor(float(p_state[key]), _get_scalar_dtype(fused))

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # ---- hooks ---------------------------------------------------------------------------
    def _register(self, hooks, hook, prepend=False):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook):
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state_dict ----------------------------------------------------------------------
    def state_dict(self):
        """{'state': {index: state}, 'param_groups': [group with 'params' as indices]}; the state
        tensors are the optimizer's own (not copies), as torch."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        index = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state_value(param, value, param_id, saved_groups, key):
        """A loaded state tensor in the parameter's dtype; 'step' kept as saved (float32 when the
        group is fused or capturable)."""
        group = next((g for g in saved_groups if param_id in g["params"]), {})
        if key == "step":
            if group.get("fused") or group.get("capturable"):
                return value.to(dtype=D.float32)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype)
        return value

    def load_state_dict(self, state_dict):
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, param_id, key=None):
            if isinstance(value, Tensor):
                return self._cast_state_value(param, value, param_id, state_dict["param_groups"], key)
            if isinstance(value, dict):
                return {k: cast(param, v, param_id, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v, param_id) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v, k)
            else:
                state[k] = v
        param_groups = []
        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            param_groups.append(new_group)
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ---- gradients and steps -------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g._data[...] = 0
                    g._bump()

    def step(self, closure=None):
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _each_param(self, group, name, init_state, **capturable):
        """(p, state, param, grad) for each parameter of the group that has a gradient, as torch's
        single-tensor loops take them: sparse gradients refused, the state filled by
        init_state(state, p) on first use, capturable checked, the step counted; param and grad
        are NumPy views (complex as real pairs, the gradient negated under maximize)."""
        for p in group["params"]:
            if p.grad is None:
                continue
            _no_sparse(p, name)
            state = self.state[p]
            if len(state) == 0:
                init_state(state, p)
            _check_capturable(group, **capturable)
            state["step"]._data += 1
            yield p, state, _real(p._data), _real(_grad(p, group["maximize"]))

    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            params = list(params)
        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are "
                                 "missing")
            param_group["param_names"] = names
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len({id(p) for p in tensors}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                          "information", stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(id(p) for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)


def _check_fused(fused, foreach, differentiable):
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


def _check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check_common(lr, eps=None, betas=None, weight_decay=None):
    """The argument checks shared by the Adam family, in torch's order and words."""
    _check_lr(lr)
    if eps is not None and not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if betas is not None:
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if weight_decay is not None and not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def _params_with_grad(group):
    return [p for p in group["params"] if p.grad is not None]


def _no_sparse(p, name):
    if getattr(p.grad, "is_sparse", False):
        raise RuntimeError(f"{name} does not support sparse gradients")


def _check_capturable(group, supports_xla=True, tensors="params and state_steps"):
    """capturable=True needs an accelerator: on CPU tensors torch refuses at the first step."""
    if group.get("capturable"):
        devices = ["cuda", "xpu", "hpu", "privateuseone"] + (["xla"] if supports_xla else [])
        raise AssertionError(f"If capturable=True, {tensors} must be on supported devices: {devices}.")
