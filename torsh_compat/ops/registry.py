"""The op registry: each op declared once, with its forward, its backward and its parity samples.

Declaring an op:

    unary("tanh", np.tanh, lambda g, x, out: g * (1 - out * out), save=OUT, samples=S.unary())

makes `torch.tanh`, `Tensor.tanh`, `Tensor.tanh_` and a `TanhBackward0` node, and enters the op
in REGISTRY, which the tests and torsh-parity walk. Ops with their own argument handling are
plain functions that compute with NumPy and end in `record(out, Node, inputs, args)`.

Backward formulas have the signature backward(g, *inputs, out, *args) and return one gradient
per input (a bare value for a single input). They run on ndarrays, or on Tensors under
create_graph; use operators and the helpers of ops.dual so both work.
"""
import functools
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _new
from ..autograd.graph import Node, node_class, SAVE_NONE, SAVE_INPUTS, SAVE_OUT, SAVE_BOTH
from ..autograd.grad_mode import _State

NONE, INPUTS, OUT, BOTH = SAVE_NONE, SAVE_INPUTS, SAVE_OUT, SAVE_BOTH
REGISTRY = {}
_ndarray = np.ndarray


class OpInfo:
    """What the registry knows of one op: the callable, its backward node, its samples."""
    __slots__ = ("name", "fn", "node", "samples", "method", "inplace", "differentiable")

    def __init__(self, name, fn, node, samples, method, inplace, differentiable):
        self.name, self.fn, self.node, self.samples = name, fn, node, samples
        self.method, self.inplace, self.differentiable = method, inplace, differentiable

    def __repr__(self):
        return f"OpInfo({self.name})"


def _camel(name):
    return "".join(p.capitalize() for p in name.strip("_").split("_"))


def backward_node(name, backward, save=INPUTS):
    """A Node class named as torch names it: backward_node('Tanh', f) -> TanhBackward0."""
    return node_class(name if name.endswith(("0", "1", "2")) else name + "Backward0", backward, save)


def register(fn=None, *, name=None, node=None, samples=None, method=True, inplace=False,
             differentiable=True, namespace=True, aliases=()):
    """Enter a plain op function in the registry and attach it where torch has it."""
    def deco(f):
        n = name or f.__name__.strip("_")
        REGISTRY[n] = OpInfo(n, f, node, samples, method, inplace, differentiable)
        if method:
            setattr(Tensor, n, f)
        for a in aliases:
            if method:
                setattr(Tensor, a, f)
        f._op_name = n
        f._namespace = namespace
        f._aliases = aliases
        return f
    return deco(fn) if fn is not None else deco


def record(out, node_cls, inputs, args=()):
    """Wrap a forward result; link it into the graph when grad is on and an input needs it."""
    if out.__class__ is not _ndarray:
        out = np.asarray(out)
    t = _new(Tensor)
    t._data = out
    t._vc = [0]
    t._node = None
    t._rg = False
    if node_cls is None or not _State.enabled or out.dtype.kind not in "fcV":
        return t
    for x in inputs:
        if x is not None and x.__class__ is not bool and getattr(x, "_rg", False):
            break
    else:
        return t
    node = node_cls(tuple(_edge(x) for x in inputs), inputs, out if node_cls.save & OUT else None, args)
    node.versions = saved_versions(node_cls.save, inputs, t)
    t._node = node
    t._rg = True
    return t


def saved_versions(save, inputs, out):
    """The flat (counter, version, ...) tuple of what a formula reads, for the in-place check."""
    vs = ()
    if save & INPUTS:
        for x in inputs:
            vc = getattr(x, "_vc", None)
            if vc is not None:
                vs += (vc, vc[0])
    if save & OUT:
        vs += (out._vc, 0)
    return vs or None


def _edge(x):
    """The edge an op input contributes: its Node, itself if a leaf needing grad, else None."""
    if x.__class__ is not Tensor and not isinstance(x, Tensor):
        return None
    if x._base is not None:
        n = x._grad_node()
    else:
        n = x._node
    if n is not None:
        return n
    return x if x._rg else None


def record_view(out, node_cls, base, args, view_fn):
    """Like record, for an op whose result shares memory with `base` (torch's views)."""
    t = record(out, node_cls, (base,), args)
    root = base._base if base._base is not None else base
    t._vc = base._vc
    t.__dict__["_base"] = root
    pfn = base._view_fn
    t.__dict__["_view_fn"] = view_fn if pfn is None else (lambda a, f=pfn, g=view_fn: g(f(a)))
    t.__dict__["_view_ver"] = base._vc[0]
    return t


# ---- dtype helpers ----------------------------------------------------------------------

def default_float_np():
    return D.to_np(D._Defaults.float)


def as_float(a):
    """Integer and bool inputs of float ops compute in the default dtype, as in torch."""
    k = a.dtype.kind
    if k == "f" or k == "c":
        return a
    if a.dtype == D.bfloat16.np:
        return a
    return a.astype(default_float_np())


def to_tensor_arg(x, name="other"):
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float, complex, np.generic)):
        return x
    raise TypeError(f"expected Tensor as argument '{name}', but got {type(x).__name__}")


# ---- elementwise factories ------------------------------------------------------------------

FLOAT_OUT, SAME_OUT, BOOL_OUT = "float", "same", "bool"


def unary(name, forward, backward=None, save=INPUTS, out=FLOAT_OUT, samples=None, method=True,
          inplace=True, node_name=None, aliases=()):
    """Declare an elementwise one-input op. out=float: ints compute in the default float."""
    node_cls = backward_node(node_name or _camel(name), backward, save) if backward else None
    to_float = out == FLOAT_OUT

    if node_cls is not None:
        node_cls.fit = False      # elementwise on one input: the gradient already has its shape
        node_cls.apply = _unary_apply(backward)
    save_in, save_out = bool(save & INPUTS), bool(save & OUT)

    def op(input):
        x = input._data
        if to_float and x.dtype.kind not in "fc":
            x = as_float(x)
        r = forward(x)
        if r.__class__ is not _ndarray:
            r = np.asarray(r)
        t = _new(Tensor)
        t._data = r
        vc = t._vc = [0]
        if input._rg and _State.enabled and node_cls is not None:
            n = input._node if input._base is None else input._grad_node()
            node = _new(node_cls)
            node.next = (input if n is None else n,)
            node.inputs = (input,)
            node.out = r if save_out else None
            if save_in:
                ivc = input._vc
                node.versions = (ivc, ivc[0], vc, 0) if save_out else (ivc, ivc[0])
            else:
                node.versions = (vc, 0) if save_out else None
            t._node = node
            t._rg = True
        else:
            t._node = None
            t._rg = False
        return t

    op.__name__ = op.__qualname__ = name
    register(op, name=name, node=node_cls, samples=samples, method=method, inplace=inplace,
             differentiable=backward is not None, aliases=aliases)
    if inplace:
        make_inplace(name, op)
    return op


def _scalar_np(v, dt):
    """A Python scalar as the NumPy scalar of dtype dt (so NumPy cannot widen the result)."""
    return dt.type(v)


def binary(name, forward, grads=None, save=INPUTS, out="promote", samples=None, method=True,
           inplace=True, node_name=None, reflected=None, aliases=(), self_reads=(True, True)):
    """Declare an elementwise two-input op with torch's promotion and broadcasting.

    grads is a pair (grad_a, grad_b) of formulas (g, a, b, out) -> gradient, so only the
    gradients some input needs are computed. out: 'promote' (result type), 'float'
    (integers promote to the default float, as true division) or 'bool' (comparisons).
    self_reads: whether grad_a reads a and grad_b reads b (each is assumed to read the other
    input). An input is version-checked only when a gradient that will run reads it, as torch
    saves it only then: after `y = h * 2.0`, changing h in place is allowed.
    """
    a_own, b_own = self_reads
    node_cls = None
    if grads == "not_implemented":
        node_cls = not_implemented_node(name)
    elif grads is not None:
        ga, gb = grads

        def backward(g, a, b, out_):
            return ga(g, a, b, out_), gb(g, a, b, out_)

        node_cls = backward_node(node_name or _camel(name), backward, save)
        node_cls.apply = _binary_apply(ga, gb)
    to_float = out == FLOAT_OUT
    to_bool = out == BOOL_OUT

    save_in, save_out = bool(save & INPUTS), bool(save & OUT)

    def op(input, other):
        a = input._data
        round_to = None
        other_t = other.__class__ is Tensor or isinstance(other, Tensor)
        if other_t:
            b = other._data
            if b.dtype is not a.dtype and b.dtype != a.dtype:
                dt = D.to_np(D.result_type(input, other))
                if a.dtype != dt:
                    a = a.astype(dt)
                if b.dtype != dt:
                    b = b.astype(dt)
        elif isinstance(other, (int, float, bool, complex)) or isinstance(other, np.generic):
            b = other
            ka = a.dtype.kind
            kb = 'f' if other.__class__ is float else 'b' if other.__class__ is bool else \
                 'i' if other.__class__ is int else 'c' if other.__class__ is complex else other.dtype.kind
            if _KIND_RANK[kb] > _KIND_RANK[ka]:
                dt = D.to_np(D.result_type(input, other))
                a = a.astype(dt)
                b = _scalar_np(other, dt)
            elif other.__class__ is not int and other.__class__ is not float and \
                    other.__class__ is not bool:
                b = _scalar_np(other, a.dtype)
            elif ka == 'b' and kb == 'b':
                b = np.bool_(other)
            elif ka == 'V':       # bfloat16: torch computes with the number in float32, rounding once
                b, round_to = np.float32(other), a.dtype
        else:
            raise TypeError(f"{name}(): argument 'other' must be Tensor or Number, "
                            f"not {type(other).__name__}")
        if to_float and a.dtype.kind not in "fc":
            a = as_float(a)
            if b.__class__ is _ndarray or isinstance(b, np.generic):
                b = b.astype(a.dtype)
        try:
            r = forward(a, b)
        except ValueError:
            raise broadcast_error(a.shape, np.shape(b)) from None
        if r.__class__ is not _ndarray:
            r = np.asarray(r)
        if round_to is not None and r.dtype.kind == "f":
            r = r.astype(round_to)
        t = _new(Tensor)
        t._data = r
        t._vc = [0]
        if node_cls is not None and _State.enabled and (input._rg or other_t and other._rg):
            node = _new(node_cls)
            n = input._node if input._base is None else input._grad_node()
            ea = n if n is not None else (input if input._rg else None)
            vs = (t._vc, 0) if save_out else ()
            if other_t:
                node.next = (ea, _edge(other))
                if save_in:
                    if other._rg or a_own and input._rg:
                        vs += (input._vc, input._vc[0])
                    if input._rg or b_own and other._rg:
                        vs += (other._vc, other._vc[0])
            else:
                node.next = (ea, None)
                if save_in and a_own:
                    vs += (input._vc, input._vc[0])
            node.versions = vs or None
            node.inputs = (input, other)
            node.out = r if save_out else None
            t._node = node
            t._rg = True
        else:
            t._node = None
            t._rg = False
        return t

    op.__name__ = op.__qualname__ = name
    register(op, name=name, node=node_cls, samples=samples, method=method, inplace=inplace,
             differentiable=grads is not None, aliases=aliases)
    if inplace:
        make_inplace(name, op)
    return op


def broadcast_error(sa, sb):
    """torch's RuntimeError for shapes that do not broadcast, naming the first bad dimension."""
    n = max(len(sa), len(sb))
    pa, pb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(f"The size of tensor a ({pa[i]}) must match the size of tensor b "
                                f"({pb[i]}) at non-singleton dimension {i}")
    return RuntimeError(f"shapes {list(sa)} and {list(sb)} cannot be broadcast together")


_KIND_RANK = {"b": 0, "u": 1, "i": 1, "f": 2, "V": 2, "c": 3}


def not_implemented_node(name):
    """torch's NotImplemented grad_fn: the op records, and backward through it raises."""
    def backward(g, *rest):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")
    return node_class("NotImplemented", backward, NONE)


def _binary_apply(ga, gb):
    def apply(self, g, tensor_mode):
        if self.versions is not None:
            self.check_saved()
        a, b = self.inputs
        out = self.out
        if tensor_mode:
            if out is not None:
                out = Tensor._make(out, self)
        else:
            a = a._data
            if b.__class__ is Tensor or isinstance(b, Tensor):
                b = b._data
        ea, eb = self.next
        return (ga(g, a, b, out) if ea is not None else None,
                gb(g, a, b, out) if eb is not None else None)
    return apply


def _unary_apply(backward):
    def apply(self, g, tensor_mode):
        if self.versions is not None:
            self.check_saved()
        if tensor_mode:
            out = self.out
            return (backward(g, self.inputs[0], None if out is None else Tensor._make(out, self)),)
        return (backward(g, self.inputs[0]._data, self.out),)
    return apply


# ---- in-place forms -----------------------------------------------------------------------

def torch_function(fn, name=None):
    """torch.<name>: fn plus torch's `out=` argument, writing the result into `out` (the Tensor
    methods, which take no out=, stay fn itself)."""
    name = name or fn.__name__

    def f(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        return write_out(name, fn(*args, **kwargs), out)
    functools.update_wrapper(f, fn)
    return f


def _can_cast(src, dst):
    """torch's canCast: never complex to real, floating to integral, or non-bool to bool."""
    if src.kind == "c" and dst.kind != "c":
        return False
    if src.kind in "fV" and dst.kind in "biu":
        return False
    return src.kind == "b" or dst.kind != "b"


def write_out(name, result, out):
    """Write an op's result into `out` as torch does (cast, resize, version bump) and return out."""
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): argument 'out' must be tuple of {len(result)} Tensors")
        outs = [write_out(name, r, o) for r, o in zip(result, out)]
        return type(result)(*outs) if hasattr(result, "_fields") else tuple(outs)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if result._rg:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but one of the arguments requires grad.")
    check_inplace(out)
    src, dst = result._data, out._data
    if not _can_cast(src.dtype, dst.dtype):
        raise RuntimeError(f"result type {D.legacy_name(src.dtype)} can't be cast to the desired output "
                           f"type {D.legacy_name(dst.dtype)}")
    if src.shape == dst.shape:
        np.copyto(dst, src, casting="unsafe")
    else:
        if dst.size:
            warnings.warn(f"An output with one or more elements was resized since it had shape "
                          f"{list(dst.shape)}, which does not match the required output shape "
                          f"{list(src.shape)}. This behavior is deprecated, and in a future PyTorch "
                          f"release outputs will not be resized unless they have zero elements. You "
                          f"can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                          f"elements with t.resize_(0).", UserWarning, stacklevel=3)
        out._data = D.astype(src, dst.dtype).copy()
    out._bump()
    return out


def check_inplace(t):
    """torch's refusals for in-place ops on tensors autograd needs as they are."""
    if _State.enabled and t._rg:
        if t._node is None and t._base is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        base = t._base
        if base is not None and base._node is None and base._rg:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                               "in-place operation.")


def make_inplace(name, op):
    """`name_`: compute `op`, write the result into self, and rebase self's autograd history."""
    def op_(self, *args, **kwargs):
        check_inplace(self)
        result = op(_snapshot(self), *args, **kwargs)
        return assign_result(self, result, name)
    op_.__name__ = op_.__qualname__ = name + "_"
    setattr(Tensor, name + "_", op_)
    return op_


def _replace_counter(versions, old, new, value):
    """versions with the counter `old` swapped for `new` (expected at `value`)."""
    if versions is None:
        return None
    vs = list(versions)
    for i in range(0, len(vs), 2):
        if vs[i] is old:
            vs[i], vs[i + 1] = new, value
    return tuple(vs)


def _snapshot(t):
    """A tensor standing for t's value and history before an in-place op overwrites it."""
    s = _new(Tensor)
    s._data = t._data
    s._node = t._grad_node() if t._base is not None else t._node
    s._rg = t._rg
    s._vc = t._vc
    return s


def assign_result(self, result, name):
    """Write an out-of-place result into self and give self the result's history.

    A view passes its new history to its base through a CopySlices node, as in torch.
    """
    data = self._data
    r = result._data
    if r.dtype != data.dtype:
        if not np.can_cast(r.dtype, data.dtype, "same_kind") or \
                (r.dtype.kind == "f" and data.dtype.kind in "iub") or \
                (r.dtype.kind in "iu" and data.dtype.kind == "b"):
            raise RuntimeError(f"result type {D.FROM_NP[r.dtype].name.capitalize()} can't be cast to "
                               f"the desired output type {D.FROM_NP[data.dtype].name.capitalize()}")
    if r.shape != data.shape:
        try:
            np.broadcast_to(r, data.shape)
        except ValueError:
            raise RuntimeError(f"output with shape {list(data.shape)} doesn't match the broadcast "
                               f"shape {list(r.shape)}") from None
    node = result._node
    # The saved snapshot of self (if any) must keep the old values.
    if node is not None and node.save & INPUTS and node.inputs and node.inputs[0]._data is data:
        old = node.inputs[0]
        old._data = data.copy()
        fresh = [0]
        node.versions = _replace_counter(node.versions, old._vc, fresh, 0)
        old._vc = fresh
    np.copyto(data, r, casting="unsafe")
    self._vc[0] += 1
    if node is not None:
        if node.save & OUT:
            node.versions = _replace_counter(node.versions, result._vc, self._vc, self._vc[0])
        if self._base is None:
            self._node = node
            self._rg = True
        else:
            _copy_slices(self, node)
    elif self._base is not None and self._base._rg and _State.enabled:
        _copy_slices(self, _ConstFill((), (), None, ()))
    elif self._base is None and self._node is not None and _State.enabled:
        self._node = _ConstFillBase((self._node,), (None,), None, ())
    return self


_ConstFill = backward_node("FillBackward0", lambda g, out: (), NONE)
_ConstFillBase = backward_node("FillBackward1", lambda g, x, out: g * 0, NONE)


class CopySlices(Node):
    """History of a base after an in-place op on one of its views: grads of the view region
    go through the op's node, the rest of the base's grad passes through unchanged."""
    __slots__ = ()
    save = NONE

    def name(self):
        return "torch::autograd::CopySlices"

    def apply(self, g, tensor_mode):
        view_fn, op_node = self.args
        # Under create_graph the region's gradients are computed as constants (no double backward).
        gb = np.array(g._data if tensor_mode else g, copy=True)
        region = view_fn(gb)
        op_grads = op_node.apply(np.array(region, copy=True), False) if op_node.next else ()
        first = op_grads[0] if op_grads else None
        region[...] = 0 if first is None else first
        grads = (gb,) + tuple(op_grads[1:])
        if tensor_mode:
            grads = tuple(None if x is None else Tensor._make(np.asarray(x)) for x in grads)
        return grads


def _copy_slices(view, op_node):
    base = view._base
    base_edge = base._node if base._node is not None else (base if base._rg else None)
    others = op_node.next[1:] if op_node.next else ()
    node = CopySlices((base_edge,) + tuple(others), (base,) + tuple(op_node.inputs[1:]), None,
                      (view._view_fn, op_node))
    base._node = node
    base._rg = True
    view.__dict__["_view_ver"] = -1      # force the view to rebuild its node from the base
    view._rg = True
