"""torch.autograd.Function: user-defined forward/backward pairs as graph nodes."""
import numpy as np

from .graph import Node, SAVE_NONE, _FREED
from .grad_mode import _State


class FunctionCtx:
    def __init__(self):
        self._saved = ()
        self._versions = ()
        self.needs_input_grad = ()
        self._non_diff = set()
        self._dirty = set()
        self.materialize_grads = True
        self._freed = False

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._versions = tuple(t._vc[0] if t is not None else None for t in tensors)

    @property
    def saved_tensors(self):
        if self._freed:
            from .graph import _FREED_MSG
            raise RuntimeError(_FREED_MSG)
        for t, v in zip(self._saved, self._versions):
            if t is not None and t._vc[0] != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t.type()} {list(t.shape)}] is at version {t._vc[0]}; "
                    f"expected version {v} instead.")
        return self._saved

    saved_variables = saved_tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)


class BackwardCFunction(Node):
    """The node of one Function.apply call; its class is named <Function>Backward."""
    __slots__ = ()
    save = SAVE_NONE

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
        result = fn_cls.backward(ctx, *wrapped)
        if not isinstance(result, tuple):
            result = (result,)
        n_in = len(self.next)
        if len(result) < n_in:
            raise RuntimeError(f"function {fn_cls.__name__}Backward returned an incorrect number of "
                               f"gradients (expected {n_in}, got {len(result)})")
        result = result[:n_in]
        out = []
        for r, e in zip(result, self.next):
            if r is None or e is None:
                out.append(None)
            elif isinstance(r, Tensor):
                out.append(r if tensor_mode else r._data)
            else:
                out.append(r)
        return tuple(out)


class _OutputSlot(Node):
    """Routes the gradient of output i of a multi-output Function into slot i of its node."""
    __slots__ = ()
    save = SAVE_NONE

    def apply(self, g, tensor_mode):
        i, n = self.args
        slots = [None] * n
        slots[i] = g
        return (slots,)


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"__slots__": ()})


class Function(metaclass=_FunctionMeta):
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        from ..ops.registry import _edge
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg for a in args)
        track = _State.enabled and any(ctx.needs_input_grad)
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
        single = isinstance(outputs, Tensor)
        outs = (outputs,) if single else tuple(outputs)
        # Outputs that are inputs returned as they are become new tensors sharing the data.
        fresh = []
        for o in outs:
            if isinstance(o, Tensor) and any(o is a for a in args) and id(o) not in ctx._dirty:
                o = o.detach()
            fresh.append(o)
        outs = tuple(fresh)
        meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else ((), np.float32)
                     for o in outs)
        node = cls._backward_cls(tuple(_edge(a) for a in args), args, None, (cls, ctx, meta))
        n = len(outs)
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor) or id(o) in ctx._non_diff or o._data.dtype.kind not in "fc":
                continue
            o._node = node if n == 1 else _OutputSlot((node,), (None,), None, (i, n))
            o._rg = True
        return outs[0] if single else outs


class InplaceFunction(Function):
    pass


class NestedIOFunction(Function):
    pass


def once_differentiable(fn):
    return fn
