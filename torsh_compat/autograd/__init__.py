"""torch.autograd: backward, grad, grad-mode switches and custom Functions."""
import numpy as np

from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled,
                        is_inference_mode_enabled)
from .graph import run_backward, Node


def _tensors(x):
    from .._tensor import Tensor
    if x is None:
        return None
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _root_grads(roots, grads, create_graph):
    from .._tensor import Tensor
    if grads is None:
        grads = [None] * len(roots)
    elif isinstance(grads, Tensor):
        grads = [grads]
    out = []
    for t, g in zip(roots, grads):
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = np.ones_like(t._data)
        elif isinstance(g, Tensor):
            if g._data.shape != t._data.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[0] has a shape of "
                                   f"{g.shape} and output[0] has a shape of {t.shape}.")
            g = g if create_graph else g._data
        else:
            g = np.asarray(g, dtype=t._data.dtype)
        out.append(g)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    roots = _tensors(tensors)
    for t in roots:
        if not t._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    if retain_graph is None:
        retain_graph = create_graph
    grads = _root_grads(roots, grad_tensors if grad_tensors is not None else grad_variables, create_graph)
    inputs = _tensors(inputs)
    if inputs is not None and not inputs:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(roots, grads, retain_graph, create_graph, inputs=inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    from .._tensor import Tensor
    roots = _tensors(outputs)
    ins = _tensors(inputs)
    for i, t in enumerate(roots):
        if not t._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    for i, t in enumerate(ins):
        if not t._rg:
            raise RuntimeError(f"One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _root_grads(roots, grad_outputs, create_graph)
    got = run_backward(roots, grads, retain_graph, create_graph, inputs=ins, capture=True)
    result = []
    for t, g in zip(ins, got):
        if g is None:
            if materialize_grads:
                result.append(t.new_zeros(t.shape))
                continue
            if not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been used in "
                                   "the graph. Set allow_unused=True if this is the desired behavior.")
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            result.append(Tensor._make(np.array(g, copy=True)))
    return tuple(result)


from .function import Function, FunctionCtx  # noqa: E402

