"""torch.autograd: backward, grad, grad-mode switches and custom Functions."""
import numpy as np

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled, set_multithreading_enabled)
from .graph import run_backward, Node
from .. import _tensor as _tensor_module   # still initialising here: read .Tensor at call time


def _tensors(x):
    Tensor = _tensor_module.Tensor
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _root_grads(roots, grads, create_graph):
    """The gradient each root starts with: given, or ones for a one-element root."""
    Tensor = _tensor_module.Tensor
    if grads is None:
        grads = [None] * len(roots)
    elif isinstance(grads, Tensor):
        grads = [grads]
    else:
        grads = list(grads)
    if len(grads) != len(roots):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs" if not grads else
                           f"Mismatch in length: got {len(grads)} gradients for {len(roots)} outputs")
    out = []
    for i, (t, g) in enumerate(zip(roots, grads)):
        if g is None:
            if not t._rg:        # reported by _check_roots, as torch's engine does
                out.append(None)
                continue
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t.is_floating_point():     # bfloat16 included; complex refused, as torch
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but "
                                   f"got {t.dtype}")
            g = np.ones_like(t._data)
        elif isinstance(g, Tensor):
            if g._data.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                                   f"output[{i}] has a shape of {t.shape}.")
            g = g if create_graph else g._data
        else:
            g = np.asarray(g, dtype=t._data.dtype)
        out.append(g)
    return out


def _check_roots(roots):
    for i, t in enumerate(roots):
        if not t._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate the gradients of `tensors` into the .grad of the leaves (or of `inputs`)."""
    roots = _tensors(tensors)
    inputs = _tensors(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    grads = _root_grads(roots, grad_tensors if grad_tensors is not None else grad_variables, create_graph)
    _check_roots(roots)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(roots, grads, retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, returned as a tuple (.grad untouched)."""
    from .._tensor import Tensor
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not supported by torsh_compat; "
                                  "call autograd.grad once per batch entry instead")
    roots = _tensors(outputs)
    ins = _tensors(inputs)
    if not ins:
        raise RuntimeError("grad requires non-empty inputs.")
    grads = _root_grads(roots, grad_outputs, create_graph)
    _check_roots(roots)
    for t in ins:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    got = run_backward(roots, grads, retain_graph, create_graph, inputs=ins, capture=True)
    result = []
    for i, (t, g) in enumerate(zip(ins, got)):
        if g is None:
            if materialize_grads:
                result.append(Tensor._make(np.zeros_like(t._data)))
                continue
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used "
                                   f"in the graph. Set allow_unused=True if this is the desired behavior.")
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            result.append(Tensor._make(np.array(g, copy=True)))
    return tuple(result)


from .function import Function, FunctionCtx, NestedIOFunction, once_differentiable  # noqa: E402
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled, \
    is_anomaly_check_nan_enabled  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
from . import function, graph, functional, anomaly_mode  # noqa: E402,F401


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, _tensor_module.Tensor)


class Variable(metaclass=_VariableMeta):
    """Legacy wrapper: Variable(t, requires_grad) is a new leaf sharing t's data; every Tensor is
    an instance."""

    def __new__(cls, data, requires_grad=False, volatile=False):
        if not isinstance(data, _tensor_module.Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)
