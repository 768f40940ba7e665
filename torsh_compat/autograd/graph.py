"""The autograd graph and the backward engine.

A Node is created by each differentiable op call. It holds the op's inputs (Tensors or Python
scalars), its output data when the backward formula reads it, extra non-tensor arguments, and
one edge per input: the input's own Node, the leaf Tensor itself (gradient accumulation), or
None. Each op gets its own Node subclass (TanhBackward0, ...) whose `backward` is the op's
formula: backward(g, *inputs, out, *args) -> one gradient per input.

The same formula runs on NumPy arrays (the fast path) or, under create_graph, on Tensors,
so second derivatives come from the very code of the first.
"""
import numpy as np

from .grad_mode import _State

SAVE_NONE, SAVE_INPUTS, SAVE_OUT, SAVE_BOTH = 0, 1, 2, 3
_FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


class Node:
    """grad_fn of a non-leaf tensor.

    Four slots are set per op call; everything rare (hooks, args, retained tensors) is a class
    default overridden in the instance dict only when used. `versions` is a flat tuple
    (counter, expected, counter, expected, ...) of the saved tensors' version counters, or
    _FREED after the graph was released.
    """
    __slots__ = ("next", "inputs", "out", "versions", "__weakref__", "__dict__")
    save = SAVE_INPUTS
    fit = True            # gradients may need reducing over broadcast dims / casting
    args = ()
    pre_hooks = None
    post_hooks = None
    retained = None

    def __init__(self, next, inputs, out, args=()):
        self.next = next
        self.inputs = inputs
        self.out = out
        self.versions = None
        if args:
            self.args = args

    @staticmethod
    def backward(g, *saved):
        raise NotImplementedError

    # --- torch's grad_fn surface ---
    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        return tuple((_edge_fn(e), 0) for e in self.next)

    @property
    def metadata(self):
        md = self.__dict__.get("_metadata")
        if md is None:
            md = self.__dict__["_metadata"] = {}
        return md

    def register_hook(self, fn):
        if self.post_hooks is None:
            self.post_hooks = []
        self.post_hooks.append(fn)
        return _RemovableHandle(self.post_hooks, fn)

    def register_prehook(self, fn):
        if self.pre_hooks is None:
            self.pre_hooks = []
        self.pre_hooks.append(fn)
        return _RemovableHandle(self.pre_hooks, fn)

    def __call__(self, *grads):
        return self.apply(grads[0] if len(grads) == 1 else list(grads), False)

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    # --- evaluation ---
    def check_saved(self):
        """Refuse saved values that were freed or modified in place since they were saved."""
        vs = self.versions
        if vs is _FREED:
            if self.save != SAVE_NONE:
                raise RuntimeError(_FREED_MSG)
            return
        for i in range(0, len(vs), 2):
            vc = vs[i]
            if vc[0] != vs[i + 1]:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{self._describe(vc)}], which is output 0 of "
                    f"{type(self).__name__}, is at version {vc[0]}; expected version {vs[i + 1]} "
                    f"instead. Hint: the backtrace further above shows the operation that failed to "
                    f"compute its gradient.")

    def _describe(self, vc):
        for t in self.inputs:
            if getattr(t, "_vc", None) is vc:
                return f"{t.type()} {list(t.shape)}"
        return "a saved tensor"

    def saved(self, tensor_mode):
        """The inputs and output the formula reads: arrays, or Tensors under create_graph."""
        if self.versions is not None:
            self.check_saved()
        if tensor_mode:
            from .._tensor import Tensor
            out = self.out
            if out is not None:
                out = Tensor._make(out, self)
            return self.inputs, out
        return tuple(x._data if hasattr(x, "_data") else x for x in self.inputs), self.out

    def apply(self, g, tensor_mode):
        inputs, out = self.saved(tensor_mode)
        grads = self.backward(g, *inputs, out, *self.args)
        if len(self.next) == 1 and not isinstance(grads, tuple):
            grads = (grads,)
        return grads

    def release(self):
        self.versions = _FREED
        self.out = None


_FREED = ("freed",)


def _fn_name(t):
    n = t._node
    return type(n).__name__ if n is not None else "a leaf"


class AccumulateGrad:
    """Stand-in shown in next_functions for a leaf tensor."""
    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    next_functions = ()

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


def _edge_fn(e):
    if e is None or isinstance(e, Node):
        return e
    acc = e.__dict__.get("_accumulate_grad")
    if acc is None:
        acc = e.__dict__["_accumulate_grad"] = AccumulateGrad(e)
    return acc


class _RemovableHandle:
    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        if self._fn in self._hooks:
            self._hooks.remove(self._fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def node_class(name, backward, save=SAVE_INPUTS, base=None):
    """A Node subclass for one op: its torch grad_fn name and its backward formula."""
    return type(name, (base or Node,), {"__slots__": (), "backward": staticmethod(backward), "save": save})


# ---- gradient shape and dtype repair, shared by both modes ----------------------------------

def sum_to(g, shape):
    """Reduce a broadcast gradient back to `shape` (an ndarray or a Tensor)."""
    if g.shape == shape:
        return g
    if not isinstance(g, np.ndarray) and not isinstance(g, np.generic):
        return g.sum_to_size(shape)
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and g.shape[i + lead] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _fit(g, ref):
    """Make the gradient for input `ref` (a Tensor) match its shape and dtype."""
    data = ref._data
    if g.shape != data.shape:
        g = sum_to(g, data.shape)
    if g.dtype is not data.dtype and g.dtype != data.dtype:
        g = g.astype(data.dtype) if isinstance(g, (np.ndarray, np.generic)) else g.to(ref.dtype)
    return g


# ---- the engine --------------------------------------------------------------------------

def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, capture=False):
    """Propagate root_grads from roots through the graph.

    With capture=False, gradients accumulate into the .grad of leaves (only those in `inputs`
    when given). With capture=True, returns the gradients of `inputs` instead (autograd.grad).
    """
    from .._tensor import Tensor
    tensor_mode = bool(create_graph)
    if tensor_mode:
        root_grads = [g if isinstance(g, Tensor) else Tensor._make(np.asarray(g)) for g in root_grads]
    else:
        root_grads = [g._data if isinstance(g, Tensor) else g for g in root_grads]

    # Targets: leaves by identity, non-leaves by their node.
    leaf_target = node_target = None
    if inputs is not None:
        leaf_target, node_target = {}, {}
        for i, t in enumerate(inputs):
            n = t._grad_node()
            if n is None:
                leaf_target[id(t)] = i
            else:
                node_target[n] = i
    captured = [None] * len(inputs) if capture else None

    buffers = {}
    pending = []
    for t, g in zip(roots, root_grads):
        n = t._grad_node()
        if n is None:
            if not t.requires_grad:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            _deliver_leaf(t, g, tensor_mode, leaf_target, captured)
        else:
            buffers[n] = _add(buffers.get(n), g)
            pending.append(n)
    if not buffers:
        return captured

    deps = _count_dependencies(pending)
    prev = _State.enabled
    _State.enabled = tensor_mode
    try:
        ready = [n for n in dict.fromkeys(pending) if deps.get(n, 0) == 0]
        watch = node_target is not None
        while ready:
            node = ready.pop()
            g = buffers.pop(node)
            if node.pre_hooks is not None or node.retained is not None or watch:
                g = _before_node(node, g, tensor_mode, node_target, captured)
            grads = node.apply(g, tensor_mode)
            if node.post_hooks is not None:
                for h in node.post_hooks:
                    h(grads, g)
            if not retain_graph:
                node.versions = _FREED
                node.out = None
            nxt = node.next
            fit = node.fit
            refs = node.inputs
            for i in range(len(nxt)):
                e = nxt[i]
                gi = grads[i]
                if e is None or gi is None:
                    continue
                if fit:
                    ref = refs[i]
                    if ref is not None and hasattr(ref, "_data"):
                        gi = _fit(gi, ref)
                if isinstance(e, Node):
                    acc = buffers.get(e)
                    buffers[e] = gi if acc is None else _add(acc, gi)
                    d = deps[e] - 1
                    deps[e] = d
                    if d == 0:
                        ready.append(e)
                else:
                    _deliver_leaf(e, gi, tensor_mode, leaf_target, captured)
    finally:
        _State.enabled = prev
    return captured


def _before_node(node, g, tensor_mode, node_target, captured):
    """Tensor hooks, retain_grad and autograd.grad capture for the gradient entering a node."""
    from .._tensor import Tensor
    if node.pre_hooks:
        for h in node.pre_hooks:
            r = h(_hook_view(g, tensor_mode))
            if r is not None:
                g = r._data if not tensor_mode and isinstance(r, Tensor) else r
    if node.retained is not None:
        t = node.retained()
        if t is not None:
            t.grad = _as_grad(g, tensor_mode, copy=True)
    if node_target is not None and captured is not None and node in node_target:
        captured[node_target[node]] = g
    return g


def _count_dependencies(roots):
    deps = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        n = stack.pop()
        for e in n.next:
            if isinstance(e, Node):
                deps[e] = deps.get(e, 0) + 1
                if e not in seen:
                    seen.add(e)
                    stack.append(e)
    return deps


def _add(acc, g):
    if acc is None:
        return g
    if isinstance(acc, list):   # multi-output node: per-output slots
        return [b if a is None else a if b is None else a + b for a, b in zip(acc, g)]
    return acc + g


def _hook_view(g, tensor_mode):
    from .._tensor import Tensor
    return g if tensor_mode else Tensor._make(np.asarray(g))


def _as_grad(g, tensor_mode, copy):
    from .._tensor import Tensor
    if tensor_mode:
        return g
    return Tensor._make(np.array(g, copy=True) if copy else np.asarray(g))


def _deliver_leaf(t, g, tensor_mode, leaf_target, captured):
    hooks = t.__dict__.get("_hooks") if t.__dict__ else None
    if hooks:
        from .._tensor import Tensor
        for h in list(hooks.values()):
            r = h(_hook_view(g, tensor_mode))
            if r is not None:
                g = r if tensor_mode else r._data
    if leaf_target is not None:
        i = leaf_target.get(id(t))
        if i is None:
            return
        if captured is not None:
            captured[i] = g if captured[i] is None else captured[i] + g
            return
    if not t.requires_grad:
        return
    if t.grad is None:
        t.grad = _as_grad(g, tensor_mode, copy=True)
    elif tensor_mode:
        t.grad = t.grad + g
    else:
        gd = t.grad._data
        if gd.shape != np.shape(g):
            raise RuntimeError(f"the shape of the accumulated gradient {list(gd.shape)} does not "
                               f"match the incoming gradient {list(np.shape(g))}")
        np.add(gd, g, out=gd, casting="unsafe")
        t.grad._bump()
