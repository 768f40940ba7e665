"""torch.autograd.Function: user-defined forward/backward pairs as graph nodes."""
import functools

import numpy as np

from .graph import Node, SAVE_NONE, _FREED, _FREED_MSG, node_class
from .grad_mode import _State


class FunctionCtx:
    """The `ctx` of forward/backward. Its attributes are also readable through the grad_fn."""

    def __init__(self):
        self.to_save = ()
        self._versions = None
        self.needs_input_grad = ()
        self.non_differentiable = ()
        self.dirty_tensors = ()
        self.materialize_grads = True
        self._freed = False

    def save_for_backward(self, *tensors):
        from .._tensor import Tensor
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is of "
                                f"type {type(t).__name__}")
        self.to_save = tensors

    def _seal(self):
        """Record the versions of the saved tensors once forward is over, as torch does."""
        self._versions = tuple(None if t is None else t._vc[0] for t in self.to_save)

    @property
    def saved_tensors(self):
        if self._freed:
            raise RuntimeError(_FREED_MSG)
        versions = self._versions or (None,) * len(self.to_save)
        for t, v in zip(self.to_save, versions):
            if t is not None and v is not None and t._vc[0] != v:
                n = t._node
                made_by = f", which is output 0 of {n.name()}" if n is not None else ""
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t.type()} {list(t.shape)}]{made_by}, is at version "
                    f"{t._vc[0]}; expected version {v} instead. Hint: the tensor was changed in place "
                    f"after save_for_backward; change a clone of it instead.")
        return tuple(self.to_save)

    saved_variables = saved_tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = self.non_differentiable + tensors

    def mark_dirty(self, *tensors):
        self.dirty_tensors = self.dirty_tensors + tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


def _contains(tensors, t):
    return any(t is x for x in tensors)


class BackwardCFunction(Node):
    """The node of one Function.apply call; its class is named <Function>Backward.

    args = (Function class, ctx, ((shape, dtype) of each output)). The ctx's attributes are
    readable on the node, as in torch where the ctx is the node.
    """
    __slots__ = ()
    save = SAVE_NONE

    def __getattr__(self, name):
        args = self.__dict__.get("args")
        if args and not name.startswith("__"):
            try:
                return getattr(args[1], name)
            except AttributeError:
                pass
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def apply(self, g, tensor_mode):
        from .._tensor import Tensor
        fn_cls, ctx, out_meta = self.args
        if self.versions is _FREED:
            ctx._freed = True
        grads = g if isinstance(g, list) else [g]
        wrapped = []
        for gi, (shape, dt) in zip(grads, out_meta):
            if gi is None:
                if ctx.materialize_grads:
                    gi = np.zeros(shape, dt)
                else:
                    wrapped.append(None)
                    continue
            wrapped.append(gi if isinstance(gi, Tensor) else Tensor._make(np.asarray(gi)))
        result = fn_cls._user_backward()(ctx, *wrapped)
        if not isinstance(result, tuple):
            result = (result,)
        name = type(self).__name__
        n_in = len(self.next)
        if len(result) < n_in or any(r is not None for r in result[n_in:]):
            raise RuntimeError(f"function {name} returned an incorrect number of gradients (expected "
                               f"{n_in}, got {len(result)})")
        out = []
        for i, (r, inp) in enumerate(zip(result, self.inputs)):
            if r is None:
                out.append(None)
                continue
            if not isinstance(inp, Tensor):
                raise RuntimeError(f"function {name} returned a gradient different than None at position "
                                   f"{i + 1}, but the corresponding forward input was not a Variable")
            if self.next[i] is None:
                out.append(None)
                continue
            if not isinstance(r, Tensor):
                raise TypeError(f"function {name} returned a gradient of type {type(r).__name__} at "
                                f"position {i + 1}; expected a Tensor or None")
            if r._data.shape != inp._data.shape and not _expandable(inp._data.shape, r._data.shape):
                raise RuntimeError(f"Function {name} returned an invalid gradient at index {i} - got "
                                   f"{list(r._data.shape)} but expected shape compatible with "
                                   f"{list(inp._data.shape)}")
            out.append(r if tensor_mode else r._data)
        return tuple(out)


def _expandable(shape, grad_shape):
    """Whether `shape` broadcasts to `grad_shape` (then the engine sums the gradient back)."""
    if len(shape) > len(grad_shape):
        return False
    return all(s == g or s == 1 for s, g in zip(shape[::-1], grad_shape[::-1]))


class _OutputSlot(Node):
    """Output i of a multi-output node (args = (i, n)): routes its gradient into slot i of that node.

    It stands for the shared node on the grad_fn surface (name, next_functions, hooks)."""
    __slots__ = ()
    save = SAVE_NONE

    def apply(self, g, tensor_mode):
        i, n = self.args
        slots = [None] * n
        slots[i] = g
        return (slots,)

    def name(self):
        return self.next[0].name()

    @property
    def next_functions(self):
        return self.next[0].next_functions

    @property
    def metadata(self):
        return self.next[0].metadata

    def register_hook(self, fn):
        return self.next[0].register_hook(fn)

    def register_prehook(self, fn):
        return self.next[0].register_prehook(fn)

    def __getattr__(self, name):
        if name.startswith("__") or name == "next":
            raise AttributeError(name)
        return getattr(self.next[0], name)


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"__slots__": ()})
        cls._slot_cls = type(name + "Backward", (_OutputSlot,), {"__slots__": ()})


class Function(metaclass=_FunctionMeta):
    """Subclass with static forward(ctx, *args) (or forward(*args) + setup_context) and
    backward(ctx, *grad_outputs); call with .apply(*args)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function "
                                  "to use it with forward mode AD.")

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. "
                           "Please use new-style autograd function with static forward method. "
                           "(Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @classmethod
    def _user_backward(cls):
        has_backward = cls.backward is not Function.backward
        has_vjp = cls.vjp is not Function.vjp
        if has_backward and has_vjp:
            raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not "
                               "allowed. You should only implement one of them.")
        return cls.vjp if has_vjp else cls.backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        from ..ops.registry import _edge
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        track = _State.enabled and any(ctx.needs_input_grad)
        edges = tuple(_edge(a) for a in args) if track else ()
        prev = _State.enabled
        _State.enabled = False
        try:
            if cls.setup_context is not Function.setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            _State.enabled = prev
        if not track:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        dirty = ctx.dirty_tensors
        fresh = []
        for o in outs:
            if isinstance(o, Tensor):
                if _contains(dirty, o):
                    if o._node is None and o._base is None and o._rg:
                        raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                           "in-place operation.")
                elif _contains(args, o):
                    o = o.detach()   # an input returned as it is: a new tensor on the same data
            fresh.append(o)
        outs = tuple(fresh)
        meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), np.float32)
                     for o in outs)
        node = cls._backward_cls(edges, args, None, (cls, ctx, meta))
        ctx._seal()
        n = len(outs)
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor) or _contains(ctx.non_differentiable, o):
                continue
            if o._data.dtype.kind not in "fc":
                continue
            o._node = node if n == 1 else cls._slot_cls((node,), (None,), None, (i, n))
            o._rg = True
        return outs[0] if single else outs


class InplaceFunction(Function):
    def __init__(self, inplace=False):
        self.inplace = inplace


class NestedIOFunction(Function):
    pass


_ONCE_MSG = "trying to differentiate twice a function that was marked with @once_differentiable"


def _delayed_error(g, *rest):
    raise RuntimeError(_ONCE_MSG)


_DelayedError = node_class("DelayedError", _delayed_error, SAVE_NONE)


def once_differentiable(fn):
    """Run a Function's backward without recording it; differentiating its result again raises."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .._tensor import Tensor
        prev = _State.enabled
        _State.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _State.enabled = prev
        if not prev or not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        marked = []
        for o in ((outputs,) if single else outputs):
            if isinstance(o, Tensor):
                o = Tensor._make(o._data, _DelayedError((None,), (o,), None))
            marked.append(o)
        return marked[0] if single else tuple(marked)
    return wrapper
