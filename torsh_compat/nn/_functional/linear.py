"""F.linear and F.bilinear: one GEMM (or one contraction) per call and one graph node, whose
backward computes only the gradients some input needs.

The node's class carries the grad_fn name torch shows for the same call (AddmmBackward0 for a
2-D input with bias, ViewBackward0 for a batched one, ...), so printed tensors read as torch's.
"""
import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import dual as B
from ...ops import samples as S
from ...ops.registry import record, register, INPUTS

__all__ = ["linear", "bilinear"]

def _sn(a):
    return D.legacy_name(a.dtype)


def _tensor_arg(x, fn, name, pos, optional=False):
    if isinstance(x, Tensor) or (optional and x is None):
        return
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _mm(a, b):
    """a @ b; half types accumulate in float32 as torch's CPU kernels do."""
    if a.dtype.kind == "f" and a.dtype.itemsize < 4:
        return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return np.matmul(a, b)


def _sum_rows(g2):
    """Column sums of a 2-D gradient; float32 accumulates in float64 (torch sums accurately)."""
    if g2.dtype == np.float32:
        return np.add.reduce(g2, axis=0, dtype=np.float64).astype(np.float32)
    return g2.sum(axis=0)


# ---- linear ----------------------------------------------------------------------------------

class _LinearNode(Node):
    """inputs (x, w[, b]); y = x @ w.T (+ b), batch dims folded into one GEMM."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        inputs, _ = self.saved(tensor_mode)
        x, w = inputs[0], inputs[1]
        w2 = w if w.ndim == 2 else B.reshape(w, (1, -1))
        k = x.shape[-1]
        rows = int(np.prod(x.shape[:-1], dtype=np.int64))
        g2 = B.reshape(g, (rows, w2.shape[0]))
        nxt = self.next
        gx = B.reshape(B.matmul(g2, w2), x.shape) if nxt[0] is not None else None
        gw = None
        if nxt[1] is not None:
            gw = B.matmul(B.swap_last(g2), B.reshape(x, (rows, k)))
            if w.ndim == 1:
                gw = B.reshape(gw, w.shape)
        if len(nxt) == 2:
            return gx, gw
        gb = None
        if nxt[2] is not None:
            b = inputs[2]
            if b.ndim == 1 and B.is_array(g2):
                gb = _sum_rows(g2)
            else:
                gb = g      # the engine sums a broadcast gradient down to the bias shape
        return gx, gw, gb


_LINEAR_NODES = {n: type(n, (_LinearNode,), {"__slots__": ()}) for n in (
    "AddmmBackward0", "MmBackward0", "ViewBackward0", "UnsafeViewBackward0", "SqueezeBackward4",
    "AddBackward0", "DotBackward0", "MvBackward0")}


def _linear_node_name(x, w, has_bias):
    """The grad_fn torch's linear ends in for this call."""
    if w.ndim == 1:
        return "DotBackward0" if x.ndim == 1 else "MvBackward0" if x.ndim == 2 else "UnsafeViewBackward0"
    if x.ndim == 2:
        return "AddmmBackward0" if has_bias else "MmBackward0"
    if x.ndim == 1:
        return "ViewBackward0" if has_bias else "SqueezeBackward4"
    if not has_bias:
        return "UnsafeViewBackward0"
    return "ViewBackward0" if x.flags.c_contiguous else "AddBackward0"


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, over any number of leading batch dims."""
    _tensor_arg(input, "linear", "input", 1)
    _tensor_arg(weight, "linear", "weight", 2)
    _tensor_arg(bias, "linear", "bias", 3, optional=True)
    x, w = input._data, weight._data
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {x.ndim}D "
                           f"and {w.ndim}D")
    if w.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {w.ndim}D")
    if bias is not None:
        b = bias._data
        if w.ndim == 1:
            raise RuntimeError("mat2 must be a matrix, got 1-D tensor")
        if b.dtype != w.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {_sn(b)} and {_sn(w)}")
    if x.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_sn(x)} and {_sn(w)}")
    w2 = w if w.ndim == 2 else w.reshape(1, -1)
    k = x.shape[-1]
    rows = int(np.prod(x.shape[:-1], dtype=np.int64))
    if k != w2.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and "
                           f"{w2.shape[1]}x{w2.shape[0]})")
    out = _mm(x.reshape(rows, k), w2.T)
    out_shape = x.shape[:-1] + ((w2.shape[0],) if w.ndim == 2 else ())
    if bias is None:
        out = out.reshape(out_shape)
        return _watch_saved(record(out, _LINEAR_NODES[_linear_node_name(x, w, False)], (input, weight)),
                            input, weight)
    if b.ndim == 1 and b.shape[0] == out.shape[1]:
        out += b
        out = out.reshape(out_shape)
    else:
        out = out.reshape(out_shape)
        try:
            if np.broadcast_shapes(b.shape, out_shape) != out_shape:
                raise ValueError
        except ValueError:
            raise _expand_error(b.shape, out_shape) from None
        out += b
    return _watch_saved(record(out, _LINEAR_NODES[_linear_node_name(x, w, True)], (input, weight, bias)),
                        input, weight)


def _watch_saved(t, input, weight):
    """Version-check what the backward reads, as torch's addmm saves it: the input when the weight
    needs a gradient, the weight when the input does, never the bias."""
    node = t._node
    if node is not None:
        vs = ()
        if weight._rg:
            vs += (input._vc, input._vc[0])
        if input._rg:
            vs += (weight._vc, weight._vc[0])
        node.versions = vs or None
    return t


def _expand_error(src, target):
    n = len(target)
    padded = (1,) * (n - len(src)) + tuple(src)
    for i in range(n - 1, -1, -1):
        if padded[i] != target[i] and padded[i] != 1:
            return RuntimeError(f"The expanded size of the tensor ({target[i]}) must match the existing "
                                f"size ({padded[i]}) at non-singleton dimension {i}.  Target sizes: "
                                f"{list(target)}.  Tensor sizes: {list(src)}")
    return RuntimeError(f"The expand of a tensor of sizes {list(src)} to {list(target)} is not possible")


# ---- bilinear --------------------------------------------------------------------------------

def _einsum(spec, *ops):
    if all(B.is_array(o) for o in ops):
        return np.einsum(spec, *ops, optimize=True)
    import torsh_compat
    return torsh_compat.einsum(spec, *ops)


class _BilinearNode(Node):
    """inputs (x1, x2, w[, b]) flattened to (N, in1), (N, in2); y[n,o] = x1[n,i] w[o,i,j] x2[n,j]."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        inputs, _ = self.saved(tensor_mode)
        x1, x2, w = inputs[0], inputs[1], inputs[2]
        out_features = w.shape[0]
        rows = int(np.prod(x1.shape[:-1], dtype=np.int64))
        a = B.reshape(x1, (rows, x1.shape[-1]))
        c = B.reshape(x2, (rows, x2.shape[-1]))
        g2 = B.reshape(g, (rows, out_features))
        nxt = self.next
        g1 = B.reshape(_einsum("no,oij,nj->ni", g2, w, c), x1.shape) if nxt[0] is not None else None
        gc = B.reshape(_einsum("no,oij,ni->nj", g2, w, a), x2.shape) if nxt[1] is not None else None
        gw = _einsum("no,ni,nj->oij", g2, a, c) if nxt[2] is not None else None
        if len(nxt) == 3:
            return g1, gc, gw
        gb = None
        if nxt[3] is not None:
            gb = _sum_rows(g2) if B.is_array(g2) and inputs[3].ndim == 1 else g
        return g1, gc, gw, gb


_BILINEAR_NODES = {n: type(n, (_BilinearNode,), {"__slots__": ()})
                   for n in ("AddBackward0", "ViewBackward0")}


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b over matching leading batch dims; weight is (out, in1, in2)."""
    _tensor_arg(input1, "bilinear", "input1", 1)
    _tensor_arg(input2, "bilinear", "input2", 2)
    _tensor_arg(weight, "bilinear", "weight", 3)
    _tensor_arg(bias, "bilinear", "bias", 4, optional=True)
    x1, x2, w = input1._data, input2._data, weight._data
    b = bias._data if bias is not None else None
    dts = [x1.dtype, x2.dtype, w.dtype] + ([b.dtype] if b is not None else [])
    if any(d != w.dtype for d in dts):
        names = ["input1", "input2", "weight", "bias"]
        got = ", ".join(f"{n}: {D.c_name(d)}" for n, d in zip(names, dts))
        raise RuntimeError(f"All tensors must have the same dtype, got {got}")
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and {x2.ndim}")
    if x1.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    for i in range(x1.ndim - 1):
        if x1.shape[i] != x2.shape[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got "
                               f"{x1.shape[i]} and {x2.shape[i]}")
    if w.ndim != 3:
        if w.ndim >= 2 and x1.shape[-1] != w.shape[1]:
            raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                               f"{x1.shape[-1]} but expected {w.shape[1]}")
        raise RuntimeError("number of dimensions must match")
    if x1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {x1.shape[-1]} "
                           f"but expected {w.shape[1]}")
    if x2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {x2.shape[-1]} "
                           f"but expected {w.shape[2]}")
    if b is not None:
        if b.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        if b.shape[0] != w.shape[0]:
            raise RuntimeError(f"bilinear(): bias size does not match weight size: got {b.shape[0]} "
                               f"but expected {w.shape[0]}")
    rows = int(np.prod(x1.shape[:-1], dtype=np.int64))
    a = x1.reshape(rows, x1.shape[-1])
    c = x2.reshape(rows, x2.shape[-1])
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with x2: two BLAS-shaped steps
    t = _mm(a, w.transpose(1, 0, 2).reshape(w.shape[1], -1)).reshape(a.shape[0], w.shape[0], w.shape[2])
    out = np.matmul(t, c[:, :, None])[..., 0].reshape(x1.shape[:-1] + (w.shape[0],))
    if b is None:
        return record(out, _BILINEAR_NODES["ViewBackward0"], (input1, input2, weight))
    out = out + b
    t = record(out, _BILINEAR_NODES["AddBackward0"], (input1, input2, weight, bias))
    node = t._node
    if node is not None and node.versions is not None:
        node.versions = node.versions[:6]
    return t


# ---- registration ----------------------------------------------------------------------------

def _linear_call(mod, x, w, *rest):
    return mod.nn.functional.linear(x, w, *rest)


register(linear, node=_LinearNode, method=False, namespace=False, samples=S.Spec(
    arity=3, call=_linear_call, shapes=[((2, 3), (4, 3), (4,)), ((5, 2, 3), (4, 3), (4,)),
                                        ((3,), (4, 3), (4,)), ((2, 3), (4, 3), (2, 4)),
                                        ((0, 3), (4, 3), (4,)), ((2, 0), (4, 0), (4,))]))
def _bilinear_call(mod, *args):
    return mod.nn.functional.bilinear(*args)


register(bilinear, node=_BilinearNode, method=False, samples=S.Spec(
    arity=4, call=_bilinear_call, shapes=[((2, 3), (2, 5), (4, 3, 5), (4,)), ((6, 2, 3), (6, 2, 5), (4, 3, 5), (4,)),
                     ((3,), (5,), (4, 3, 5), (4,)), ((0, 3), (0, 5), (4, 3, 5), (4,))]))
