"""torsh_autograd of the ToRSh face: Function and Context in the guide's form.

A face Function has instance methods `forward(self, ctx, inputs) -> list` and
`backward(self, ctx, grad_outputs) -> list`. Each subclass gets a torch.autograd.Function of the
same name that runs them, so the graph node is the one torch.autograd.Function records
(`CustomFunctionBackward`), version checks on saved tensors included.
"""
from ..autograd import backward, grad
from ..autograd.function import Function as _TorchFunction
from ..autograd.grad_mode import enable_grad, no_grad, set_grad_enabled
from .._tensor import Tensor
from ..torsh_core.error import TorshError

__all__ = ["Function", "Context", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled"]


class Context:
    """The ctx handed to a face Function: save_for_backward takes a list; get_saved_tensors
    returns one. Other attributes may be set freely to carry values to backward."""

    def __init__(self, ctx):
        object.__setattr__(self, "_ctx", ctx)

    def save_for_backward(self, tensors):
        if isinstance(tensors, Tensor):
            tensors = [tensors]
        self._ctx.save_for_backward(*tensors)

    def get_saved_tensors(self):
        return list(self._ctx.saved_tensors)

    @property
    def needs_input_grad(self):
        return self._ctx.needs_input_grad

    def mark_non_differentiable(self, tensors):
        if isinstance(tensors, Tensor):
            tensors = [tensors]
        self._ctx.mark_non_differentiable(*tensors)

    def set_materialize_grads(self, value):
        self._ctx.set_materialize_grads(value)


class _Apply:
    """`F.apply(x, ...)` on the class runs a fresh `F()`; on an instance, that instance (a
    function carrying settings, `F(alpha).apply(x)`)."""

    def __get__(self, obj, cls):
        fn = cls() if obj is None else obj
        bridge = cls._torch_function

        def apply(*inputs):
            return bridge.apply(fn, *inputs)
        return apply


def _as_list(values, what, name):
    if isinstance(values, Tensor) or values is None:
        return [values]
    if isinstance(values, (list, tuple)):
        return list(values)
    raise TorshError.InvalidArgument.also(TypeError)(
        f"{name}.{what} must return a list of tensors, got {type(values).__name__}")


def _bridge(cls):
    name = cls.__name__

    def forward(ctx, fn, *inputs):
        fctx = Context(ctx)
        ctx.face_ctx = fctx
        outs = _as_list(fn.forward(fctx, list(inputs)), "forward", name)
        ctx.face_fn = fn
        return outs[0] if len(outs) == 1 else tuple(outs)

    def backward(ctx, *grad_outputs):
        grads = _as_list(ctx.face_fn.backward(ctx.face_ctx, list(grad_outputs)), "backward", name)
        return (None, *grads)

    return type(name, (_TorchFunction,), {"forward": staticmethod(forward),
                                          "backward": staticmethod(backward),
                                          "__module__": cls.__module__, "__qualname__": cls.__qualname__})


class Function:
    """Base of custom differentiable functions written as in the guide."""

    apply = _Apply()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._torch_function = _bridge(cls)

    def forward(self, ctx, inputs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward(self, ctx, inputs)")

    def backward(self, ctx, grad_outputs):
        raise NotImplementedError(f"{type(self).__name__} must implement backward(self, ctx, grad_outputs)")
