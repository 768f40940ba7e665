"""The autograd graph and the backward engine.

A Node is created by each differentiable op call. It holds the op's inputs (Tensors or Python
scalars), its output data when the backward formula reads it, extra non-tensor arguments, and
one edge per input: the input's own Node, the leaf Tensor itself (gradient accumulation), or
None. Each op gets its own Node subclass (TanhBackward0, ...) whose `backward` is the op's
formula: backward(g, *inputs, out, *args) -> one gradient per input.

The same formula runs on NumPy arrays (the fast path) or, under create_graph, on Tensors,
so second derivatives come from the very code of the first.

The engine loop handles plain nodes only; everything rare (hooks, retain_grad, `inputs=`,
autograd.grad capture) goes through `_before_node` / `_after_node` / `_deliver_leaf`, reached
by one test per node.
"""
import sys

import numpy as np

from .grad_mode import _State
from .. import _tensor as _tensor_module   # still initialising here (it imports this module): read .Tensor at call time

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

    `pre_hooks` holds both the tensor hooks of this node's output (Tensor.register_hook, wrapped
    in _TensorHook) and the node's own pre-hooks (grad_fn.register_prehook), so the engine tests
    one attribute; _before_node runs them in torch's order.
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

    @property
    def requires_grad(self):
        return True

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) after the node ran; a returned tuple replaces grad_inputs."""
        if self.post_hooks is None:
            self.post_hooks = []
        self.post_hooks.append(fn)
        return _RemovableHandle(self.post_hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) before the node runs; a returned tuple replaces grad_outputs."""
        if self.pre_hooks is None:
            self.pre_hooks = []
        self.pre_hooks.append(fn)
        return _RemovableHandle(self.pre_hooks, fn)

    def register_tensor_hook(self, fn):
        """Tensor.register_hook on this node's output: fn(grad) -> None or a replacement grad."""
        hook = _TensorHook(fn)
        if self.pre_hooks is None:
            self.pre_hooks = []
        self.pre_hooks.append(hook)
        return _RemovableHandle(self.pre_hooks, hook)

    def __call__(self, *grads):
        """Run the formula directly, as torch does: on Tensors, recording a graph, unreduced."""
        from .._tensor import Tensor
        grads = [g if isinstance(g, Tensor) or g is None else Tensor._make(np.asarray(g)) for g in grads]
        prev = _State.enabled
        _State.enabled = True
        try:
            out = self.apply(grads[0] if len(grads) == 1 else grads, True)
        finally:
            _State.enabled = prev
        return out[0] if len(self.next) == 1 else tuple(out)

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
                    f"inplace operation: [{self._describe(vc)}, is at version {vc[0]}; expected "
                    f"version {vs[i + 1]} instead. Hint: the tensor was changed in place after "
                    f"{type(self).__name__} saved it for backward; change a clone of it instead.")

    def _describe(self, vc):
        """'torch.FloatTensor [3]], which is output 0 of XBackward0' for the saved tensor with counter vc."""
        for t in self.inputs:
            if getattr(t, "_vc", None) is vc:
                n = t._node
                made_by = f", which is output 0 of {n.name()}" if n is not None else ""
                return f"{t.type()} {list(t.shape)}]{made_by}"
        if self.out is not None:
            from .._tensor import Tensor
            out = Tensor._make(self.out)
            return f"{out.type()} {list(out.shape)}], which is output 0 of {self.name()}"
        return f"a saved tensor]"

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


class _TensorHook:
    """A Tensor.register_hook hook stored among a node's pre-hooks."""
    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn


class AccumulateGrad:
    """Stand-in shown in next_functions for a leaf tensor."""
    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    next_functions = ()
    metadata = {}

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
        for i, h in enumerate(self._hooks):
            if h is self._fn:
                del self._hooks[i]
                return

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def node_class(name, backward, save=SAVE_INPUTS, base=None):
    """A Node subclass for one op: its torch grad_fn name and its backward formula."""
    return type(name, (base or Node,), {"__slots__": (), "backward": staticmethod(backward), "save": save})


# ---- gradient shape and dtype repair, shared by both modes ----------------------------------

def _broadcast_axes(gshape, shape):
    lead = len(gshape) - len(shape)
    return tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and gshape[i + lead] != 1)


def sum_to(g, shape):
    """Reduce a broadcast gradient back to `shape` (an ndarray or a Tensor)."""
    if g.shape == shape:
        return g
    if not isinstance(g, np.ndarray) and not isinstance(g, np.generic):
        return _sum_to_tensor(g, shape)
    axes = _broadcast_axes(g.shape, shape)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _sum_to_backward(g, x, out, shape):
    from ..ops import dual
    return dual.expand_to(g, shape)


_SumToBackward = node_class("SumBackward1", _sum_to_backward, SAVE_NONE)


def _sum_to_tensor(g, shape):
    """sum_to under create_graph: a differentiable sum over the broadcast dims, then a view."""
    from ..ops.registry import record
    axes = _broadcast_axes(g.shape, shape)
    if axes:
        g = record(g._data.sum(axis=axes, keepdims=True), _SumToBackward, (g,), (g._data.shape,))
    return g.reshape(shape) if tuple(g.shape) != tuple(shape) else g


def _fit(g, ref):
    """Make the gradient for input `ref` (a Tensor) match its shape and dtype."""
    data = ref._data
    if g.shape != data.shape:
        g = sum_to(g, data.shape)
    if g.dtype is not data.dtype and g.dtype != data.dtype:
        g = g.astype(data.dtype) if isinstance(g, (np.ndarray, np.generic)) else g.to(ref.dtype)
    return g


# ---- the engine --------------------------------------------------------------------------

class _Run:
    """What the slow branches of one backward pass need.

    leaf_grads buffers each leaf's incoming gradients (keyed by id) so that its hooks run once on
    the sum and its .grad is updated once, as torch's AccumulateGrad node does.
    With `inputs`, leaf_target/node_target map the targets to their index and `needed` holds the
    nodes that lead to a target; others are not run.
    """
    leaf_target = node_target = needed = captured = None

    def __init__(self, tensor_mode, capture):
        self.tensor_mode = tensor_mode
        self.capture = capture
        self.leaf_grads = {}


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, capture=False):
    """Propagate root_grads from roots through the graph.

    With capture=False, gradients accumulate into the .grad of leaves (only those in `inputs`
    when given, and into the .grad of non-leaf `inputs`). With capture=True, returns the
    gradients of `inputs` instead (autograd.grad).
    """
    Tensor = _tensor_module.Tensor
    tensor_mode = bool(create_graph)
    if tensor_mode:
        root_grads = [g if isinstance(g, Tensor) else Tensor._make(np.asarray(g)) for g in root_grads]
    else:
        root_grads = [g._data if isinstance(g, Tensor) else g for g in root_grads]
    run = _Run(tensor_mode, capture)

    buffers = {}
    pending = []
    leaf_roots = []
    for i, t in enumerate(roots):
        n = t._grad_node()
        if n is None:
            if not t._rg:
                raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
            leaf_roots.append((t, root_grads[i]))
        else:
            buffers[n] = _add(buffers.get(n), root_grads[i])
            pending.append(n)
    watch = inputs is not None
    if watch:
        _set_targets(run, inputs, pending)
    for t, g in leaf_roots:
        _deliver_leaf(t, g, run)

    if buffers:
        deps = _count_dependencies(pending)
        prev = _State.enabled
        _State.enabled = tensor_mode
        try:
            ready = [n for n in dict.fromkeys(pending) if deps.get(n, 0) == 0]
            while ready:
                node = ready.pop()
                g = buffers.pop(node)
                if node.pre_hooks is not None or node.retained is not None or watch:
                    g = _before_node(node, g, run)
                    if g is None:       # not on a path to the requested inputs
                        continue
                grads = node.apply(g, tensor_mode)
                if node.post_hooks is not None:
                    grads = _after_node(node, grads, g, tensor_mode)
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
                        _deliver_leaf(e, gi, run)
            g = grads = gi = acc = None     # the loop's last references: leaf gradients nobody holds are stolen
            _flush_leaves(run)
        finally:
            _State.enabled = prev
    else:
        _flush_leaves(run)
    return run.captured


def _set_targets(run, inputs, roots):
    """Index the requested inputs and find the nodes that lead to one of them."""
    leaf_target, node_target = {}, {}
    if run.capture:
        run.captured = [None] * len(inputs)
    for i, t in enumerate(inputs):
        n = t._grad_node()
        if n is None:
            leaf_target[id(t)] = i
        else:
            node_target[n] = i
            if not run.capture:
                t.retain_grad()      # torch: backward(inputs=non_leaf) fills its .grad this way
    run.leaf_target, run.node_target = leaf_target, node_target
    if run.capture:
        run.needed = _nodes_leading_to(roots, leaf_target, node_target)
    else:   # backward() runs the target nodes themselves too
        run.needed = _nodes_leading_to(roots, leaf_target, node_target) | set(node_target)


def _nodes_leading_to(roots, leaf_target, node_target):
    """Nodes reachable from roots with an edge path to a target leaf or target node."""
    leads = {}
    for root in roots:
        stack = [root]
        while stack:
            n = stack[-1]
            state = leads.get(n)
            if state is None:
                leads[n] = _VISITING
                for e in n.next:
                    if isinstance(e, Node) and e not in leads:
                        stack.append(e)
                continue
            stack.pop()
            if state is _VISITING:
                hit = False
                for e in n.next:
                    if e is None:
                        continue
                    if isinstance(e, Node):
                        if e in node_target or leads.get(e) is True:
                            hit = True
                            break
                    elif id(e) in leaf_target:
                        hit = True
                        break
                leads[n] = hit
    return {n for n, hit in leads.items() if hit is True}


_VISITING = object()


def _before_node(node, g, run):
    """Tensor hooks, retain_grad, node pre-hooks and target capture for the gradient entering a node.

    Returns the (possibly replaced) gradient, or None when the node need not run.
    """
    tensor_mode = run.tensor_mode
    hooks = node.pre_hooks
    if hooks:
        for h in hooks:
            if h.__class__ is _TensorHook:
                r = h.fn(_hook_view(g, tensor_mode))
                if r is not None:
                    g = _hook_result(r, g, tensor_mode)
    if node.retained is not None:
        t = node.retained()
        if t is not None:
            t.grad = _as_grad(g, tensor_mode, copy=True) if t.grad is None else t.grad + _as_grad(g, tensor_mode, False)
    if hooks:
        for h in hooks:
            if h.__class__ is not _TensorHook:
                outs = g if isinstance(g, list) else [g]
                r = h(tuple(None if x is None else _hook_view(x, tensor_mode) for x in outs))
                if r is not None:
                    r = [None if ri is None else _hook_result(ri, oi, tensor_mode) for ri, oi in zip(r, outs)]
                    g = r if isinstance(g, list) else r[0]
    node_target = run.node_target
    if node_target is not None:
        i = node_target.get(node)
        if i is not None and run.capture:
            run.captured[i] = g
        if node not in run.needed:
            return None
    return g


def _after_node(node, grads, g, tensor_mode):
    """Post-hooks: hook(grad_inputs, grad_outputs) sees Tensors; a returned tuple replaces grad_inputs."""
    grads = list(grads)
    if node.fit:
        for i, (e, gi) in enumerate(zip(node.next, grads)):
            ref = node.inputs[i] if i < len(node.inputs) else None
            if e is not None and gi is not None and hasattr(ref, "_data"):
                grads[i] = _fit(gi, ref)
    outs = g if isinstance(g, list) else [g]
    grad_outputs = tuple(None if x is None else _hook_view(x, tensor_mode) for x in outs)
    for h in node.post_hooks:
        grad_inputs = tuple(None if (x is None or e is None) else _hook_view(x, tensor_mode)
                            for x, e in zip(grads, node.next))
        r = h(grad_inputs, grad_outputs)
        if r is not None:
            if len(r) != len(grads):
                raise RuntimeError(f"hook '{getattr(h, '__name__', 'hook')}' has returned an incorrect "
                                   f"number of values (got {len(r)}, but expected {len(grads)})")
            grads = [None if ri is None else _hook_result(ri, gi, tensor_mode) for ri, gi in zip(r, grads)]
    return grads


def _hook_result(r, g, tensor_mode):
    """A hook's returned Tensor as a gradient of the running mode."""
    Tensor = _tensor_module.Tensor
    if tensor_mode or not isinstance(r, Tensor):
        return r
    return r._data


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
    Tensor = _tensor_module.Tensor
    return g if tensor_mode or isinstance(g, Tensor) else Tensor._make(np.asarray(g))


def _as_grad(g, tensor_mode, copy):
    """A gradient as the Tensor to store in .grad."""
    Tensor = _tensor_module.Tensor
    if tensor_mode:
        return g.clone() if copy else g
    return Tensor._make(np.array(g, copy=True) if copy else np.asarray(g))


def _deliver_leaf(t, g, run):
    """Buffer a gradient arriving at leaf t; _flush_leaves hands the sum over once."""
    key = id(t)
    lt = run.leaf_target
    if lt is not None and key not in lt:
        return
    entry = run.leaf_grads.get(key)
    if entry is None:
        run.leaf_grads[key] = [t, g]
    else:
        entry[1] = entry[1] + g


def _flush_leaves(run):
    """Per leaf: its tensor hooks on the summed gradient, then capture or accumulation into .grad."""
    tensor_mode = run.tensor_mode
    for entry in run.leaf_grads.values():
        t, g = entry
        entry[1] = None          # so that a gradient only this loop sees can be stolen (_owned)
        hooks = t._hooks
        if hooks:
            for h in list(hooks.values()):
                r = h(_hook_view(g, tensor_mode))
                if r is not None:
                    g = _hook_result(r, g, tensor_mode)
        if run.capture:
            run.captured[run.leaf_target[id(t)]] = g
        elif t._rg:
            _accumulate(t, g, tensor_mode)
    run.leaf_grads.clear()


_OWNED_REFS = 4     # _flush_leaves' local, _accumulate's and _owned's parameters, getrefcount's argument


def _owned(g):
    """Whether nothing but the engine can reach g (a C-contiguous array owning its memory, with no
    reference beyond the engine's own), so .grad may take it instead of a copy, as torch's
    AccumulateGrad steals a gradient no one else holds."""
    return g.__class__ is np.ndarray and g.base is None and g.flags.c_contiguous \
        and sys.getrefcount(g) <= _OWNED_REFS


def _accumulate(t, g, tensor_mode):
    """torch's AccumulateGrad: store a copy the first time, then add in place (out of place
    under create_graph, so the sum keeps its history)."""
    grad = t._grad             # the engine's gradients already fit t: no setter checks
    if grad is None:
        steal = not tensor_mode and _owned(g)       # on its own line: see _OWNED_REFS
        t._grad = _as_grad(g, tensor_mode, copy=not steal)
    elif tensor_mode or grad._rg:
        t._grad = grad + g
    else:
        gd = grad._data
        if gd.shape != np.shape(g):
            raise RuntimeError(f"the shape of the accumulated gradient {list(gd.shape)} does not "
                               f"match the incoming gradient {list(np.shape(g))}")
        np.add(gd, g, out=gd, casting="unsafe")
        grad._bump()
