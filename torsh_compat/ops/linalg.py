"""Matrix products and linear algebra: matmul and its relatives, einsum, tensordot, and the
torch.linalg factorizations.

Products are one BLAS call in the input dtype (float32 stays float32), with torch's folding of
batched-by-matrix products into a single GEMM. einsum, tensordot, kron and vecdot share one
contraction routine (pairs of operands reduced to batched matmuls, as torch does) whose
gradients are themselves contractions, so second derivatives come for free.

Backward formulas run on ndarrays and, under create_graph, on Tensors (ops.dual helpers and the
public ops of this module). QR, eigh, SVD, pinv and matrix_rank are forward only: their outputs
carry a node that raises on backward rather than silently dropping the gradient.
"""
import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim
from ..autograd.grad_mode import _State
from . import dual as B
from .reduction import return_type
from . import samples as S
from .registry import (register, record, backward_node, make_inplace, check_inplace, NONE, INPUTS,
                       OUT, BOTH)

_ndarray = np.ndarray

def _sn(a):
    return D.legacy_name(a.dtype)


def _cn(a):
    return D.c_name(a.dtype)


def _shape_str(shape):
    return "x".join(str(s) for s in shape)


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a singular or non positive-definite input."""


def _const(a, like):
    """A constant array in the form `like` has: an ndarray, or a Tensor under create_graph."""
    return a if B.is_array(like) else Tensor._make(a)


def _tensor_arg(x, fn, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")
    return x._data


def _unsqueeze_last(a):
    return B.reshape(a, tuple(a.shape) + (1,))


def _to_out(result, out):
    """Write a result into a user's out= tensor, as torch does (resizing it if needed)."""
    if out is None:
        return result
    if _State.enabled and result._rg:
        raise RuntimeError("functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    r = result._data
    if out._data.dtype != r.dtype:
        raise RuntimeError(f"Expected out tensor to have dtype {D.FROM_NP[r.dtype]}, but got "
                           f"{out.dtype} instead")
    if out._data.shape == r.shape:
        np.copyto(out._data, r)
    else:
        out._data = np.array(r, copy=True)
    out._bump()
    return out


def _node(name, *grads, save=INPUTS):
    """A node whose formulas grads[i](g, *inputs, out, *args) run only for inputs that need one."""
    def backward(g, *rest):         # every gradient; apply below computes only the needed ones
        return tuple(f(g, *rest) for f in grads)

    cls = backward_node(name, backward, save)
    cls.__name__ = cls.__qualname__ = name     # torch's exact name, e.g. SqueezeBackward4

    def apply(self, g, tensor_mode):
        inputs, out = self.saved(tensor_mode)
        args = self.args
        return tuple(None if e is None else f(g, *inputs, out, *args)
                     for f, e in zip(grads, self.next))
    cls.apply = apply
    return cls


def _forward_only(op):
    """The node of an op whose derivative torsh_compat does not implement: backward raises."""
    def backward(g, *rest):
        raise NotImplementedError(f"the derivative of '{op}' is not implemented in torsh_compat "
                                  f"(its forward matches torch; compute the gradient another way)")
    return backward_node("".join(p.capitalize() for p in op.split("_")), backward, NONE)


# ---- the product kernel --------------------------------------------------------------------

def _mm(a, b):
    """np.matmul in torch's dtype rules: BLAS for float32/64; half types accumulate in float32
    (as torch's CPU kernels do); bool is refused as torch refuses it."""
    k = a.dtype.kind
    if k == "f" and a.dtype.itemsize >= 4:
        # np.dot: the same BLAS call as np.matmul for <= 2-D, with less per-call overhead
        return np.dot(a, b) if a.ndim <= 2 and b.ndim <= 2 else np.matmul(a, b)
    if k in "iuc":
        return np.matmul(a, b)
    if k == "b":
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    return np.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)


def _same_dtype_mm(a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cn(a)} != {_cn(b)}")


def _mm_shapes(a_shape, b_shape):
    if a_shape[1] != b_shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(a_shape)} and "
                           f"{_shape_str(b_shape)})")


def _mv_checks(a, v, input_dtype_of=None):
    if a.dtype != v.dtype:
        inp = input_dtype_of if input_dtype_of is not None else v
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_sn(inp)}, "
                           f"{_sn(a)}, and {_sn(v)}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({_shape_str(a.shape)}), "
                           f"vec ({v.shape[0]})")


def _dot_checks(a, b):
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_sn(a)} "
                           f"and {_sn(b)}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                           f"[{b.shape[0]}] to have the same number of elements, but got "
                           f"{a.shape[0]} and {b.shape[0]} elements respectively")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")


def _broadcast_shapes(sa, sb):
    """torch's broadcast of two shapes, with its message naming the first mismatching dim."""
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


# ---- backward formulas of the products (ndarrays or Tensors) ---------------------------------

def _mmd(x, y):
    """A product inside a formula: one BLAS call on ndarrays, the recorded op on Tensors."""
    if x.__class__ is _ndarray and y.__class__ is _ndarray:
        return _mm(x, y)
    return B.matmul(x, y)


def _mm_ga(g, a, b, out):
    return _mmd(g, B.swap_last(b))


def _mm_gb(g, a, b, out):
    return _mmd(B.swap_last(a), g)


MmBackward = _node("MmBackward0", _mm_ga, _mm_gb)
BmmBackward = _node("BmmBackward0", _mm_ga, _mm_gb)
DotBackward = _node("DotBackward0", lambda g, a, b, out: g * b, lambda g, a, b, out: g * a)
VdotBackward = _node("VdotBackward0", lambda g, a, b, out: g * b, lambda g, a, b, out: g * a)
# matrix (m, k) @ vector (k,)
MvBackward = _node("MvBackward0", lambda g, a, v, out: _unsqueeze_last(g) * v,
                   lambda g, a, v, out: _mmd(B.swap_last(a), g))
# vector (k,) @ matrix (k, n): torch's matmul unsqueezes, mm's and squeezes
VmBackward = _node("SqueezeBackward4", lambda g, v, m, out: _mmd(m, g),
                   lambda g, v, m, out: _unsqueeze_last(v) * g)


def _folded_ga(g, a, b, out):
    """a (..., m, k) @ b (k, n) or (k,), computed as one GEMM on a folded to (-1, k)."""
    if b.ndim == 1:
        return _unsqueeze_last(g) * b
    n = b.shape[-1]
    return B.reshape(_mmd(B.reshape(g, (-1, n)), B.swap_last(b)), a.shape)


def _folded_gb(g, a, b, out):
    a2 = B.reshape(a, (-1, a.shape[-1]))
    if b.ndim == 1:
        return _mmd(B.swap_last(a2), B.reshape(g, (-1,)))
    return _mmd(B.swap_last(a2), B.reshape(g, (-1, b.shape[-1])))


FoldedBackward = _node("UnsafeViewBackward0", _folded_ga, _folded_gb)


def _batched_ga(g, a, b, out):
    """numpy/torch matmul semantics with a 1-D side promoted; the engine sums broadcast dims."""
    if a.ndim == 1:     # (k,) @ (..., k, n): g is (..., n)
        r = _mmd(b, _unsqueeze_last(g))
        return B.reshape(r, tuple(r.shape[:-1]))
    return _mmd(g, B.swap_last(b))


def _batched_gb(g, a, b, out):
    if a.ndim == 1:
        return B.reshape(a, (-1, 1)) * B.reshape(g, tuple(g.shape[:-1]) + (1, g.shape[-1]))
    return _mmd(B.swap_last(a), g)


BatchedBackward = _node("UnsafeViewBackward0", _batched_ga, _batched_gb)
BatchedRightBackward = _node("CloneBackward0", _batched_ga, _batched_gb)


# ---- matmul and its fixed-rank forms -----------------------------------------------------------

def matmul(input, other, *, out=None):
    a = input._data
    if other.__class__ is not Tensor and not isinstance(other, Tensor):
        _tensor_arg(other, "matmul", "other", 2)
    b = other._data
    if a.ndim == 2 and b.ndim == 2 and out is None:
        if a.dtype != b.dtype:
            _same_dtype_mm(a, b)
        if a.shape[1] != b.shape[0]:
            _mm_shapes(a.shape, b.shape)
        return record(_mm(a, b), MmBackward, (input, other))
    return _to_out(_matmul_nd(input, other, a, b), out)


def _matmul_nd(input, other, a, b):
    na, nb = a.ndim, b.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D "
                           f"and {nb}D")
    if na == 1 and nb == 1:
        _dot_checks(a, b)
        return record(np.dot(a, b), DotBackward, (input, other))
    if na == 2 and nb == 2:
        _same_dtype_mm(a, b)
        _mm_shapes(a.shape, b.shape)
        return record(_mm(a, b), MmBackward, (input, other))
    if na == 2 and nb == 1:
        _mv_checks(a, b)
        return record(_mm(a, b), MvBackward, (input, other))
    if na == 1 and nb == 2:
        _same_dtype_mm(a, b)
        _mm_shapes((1, a.shape[0]), b.shape)
        return record(_mm(a, b), VmBackward, (input, other))
    if nb <= 2:
        # (..., m, k) @ (k, n) or (k,): one GEMM over the folded rows, as torch folds
        k = a.shape[-1]
        a2 = a.reshape(-1, k)
        if nb == 2:
            _same_dtype_mm(a, b)
            _mm_shapes(a2.shape, b.shape)
            r = _mm(a2, b).reshape(a.shape[:-1] + (b.shape[1],))
        else:
            _mv_checks(a2, b)
            r = _mm(a2, b).reshape(a.shape[:-1])
        return record(r, FoldedBackward, (input, other))
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_sn(a)} but found {_sn(b)}")
    a_mat = (1, a.shape[0]) if na == 1 else a.shape[-2:]
    batch = _broadcast_shapes(a.shape[:-2], b.shape[:-2])
    if a_mat[1] != b.shape[-2]:
        nbatch = math.prod(batch)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{nbatch}, {a_mat[1]}] but got: [{nbatch}, {b.shape[-2]}].")
    node = BatchedRightBackward if na == 2 else BatchedBackward
    return record(_mm(a, b), node, (input, other))


def _rmatmul(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented       # Python then raises its TypeError, as for torch
    return matmul(other, self)


def mm(input, mat2, *, out=None):
    a, b = input._data, _tensor_arg(mat2, "mm", "mat2", 2)
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _same_dtype_mm(a, b)
    _mm_shapes(a.shape, b.shape)
    return _to_out(record(_mm(a, b), MmBackward, (input, mat2)), out)


def _bmm_checks(a, b, name1="batch1", name2="batch2"):
    if a.ndim != 3:
        raise RuntimeError(f"{name1} must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError(f"{name2} must be a 3D tensor")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_sn(a)} but found {_sn(b)}")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")


def bmm(input, mat2, *, out=None):
    a, b = input._data, _tensor_arg(mat2, "bmm", "mat2", 2)
    _bmm_checks(a, b)
    return _to_out(record(_mm(a, b), BmmBackward, (input, mat2)), out)


def mv(input, vec, *, out=None):
    a, v = input._data, _tensor_arg(vec, "mv", "vec", 2)
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    _mv_checks(a, v)
    return _to_out(record(_mm(a, v), MvBackward, (input, vec)), out)


def dot(input, tensor, *, out=None):
    a, b = input._data, _tensor_arg(tensor, "dot", "tensor", 2)
    _dot_checks(a, b)
    return _to_out(record(np.dot(a, b), DotBackward, (input, tensor)), out)


def vdot(input, other, *, out=None):
    a, b = input._data, _tensor_arg(other, "vdot", "other", 2)
    _dot_checks(a, b)
    return _to_out(record(np.vdot(a, b), VdotBackward, (input, other)), out)


def _inner_ga(g, a, b, out):
    k = a.shape[-1]
    na = math.prod(a.shape[:-1])
    return B.reshape(_mmd(B.reshape(g, (na, -1)), B.reshape(b, (-1, k))), a.shape)


def _inner_gb(g, a, b, out):
    k = b.shape[-1]
    na = math.prod(a.shape[:-1])
    return B.reshape(_mmd(B.swap_last(B.reshape(g, (na, -1))), B.reshape(a, (-1, k))), b.shape)


InnerBackward = _node("ViewBackward0", _inner_ga, _inner_gb)


def inner(input, other, *, out=None):
    a, b = input._data, _tensor_arg(other, "inner", "other", 2)
    if a.ndim == 0 or b.ndim == 0:
        return _to_out(input * other, out)
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    k = a.shape[-1]
    if b.shape[-1] != k:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(a.shape)} and {list(b.shape)}")
    r = _mm(a.reshape(-1, k), b.reshape(-1, k).T).reshape(a.shape[:-1] + b.shape[:-1])
    return _to_out(record(r, InnerBackward, (input, other)), out)


def outer(input, vec2, *, out=None):
    a, b = input._data, _tensor_arg(vec2, "outer", "vec2", 2)
    if a.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    if b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {b.ndim}-D")
    return _to_out(input.reshape(-1, 1) * vec2, out)   # torch's own definition (it promotes)


def ger(input, vec2, *, out=None):
    return outer(input, vec2, out=out)


# ---- fused multiply-adds: beta * input + alpha * (product) ------------------------------------

def _scaled(x, s):
    return x if s == 1 else x * s


def _expand_check(shape, target):
    """The message torch gives when `input` cannot be expanded to the product's shape."""
    lead = len(target) - len(shape)
    if lead < 0:
        raise RuntimeError(f"The expanded size of the tensor ({target[0] if target else 0}) must "
                           f"match the existing size ({shape[0]}) at non-singleton dimension 0.  "
                           f"Target sizes: {list(target)}.  Tensor sizes: {list(shape)}")
    for i, s in enumerate(shape):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[lead + i]}) must match "
                               f"the existing size ({s}) at non-singleton dimension {lead + i}.  "
                               f"Target sizes: {list(target)}.  Tensor sizes: {list(shape)}")


def _fma(prod, c, beta, alpha):
    """beta * c + alpha * prod into the fresh array prod; beta == 0 ignores c (even NaN), as torch."""
    if prod.dtype.kind in "iub":
        alpha, beta = int(alpha), int(beta)
    if alpha != 1:
        prod *= alpha
    if beta != 0:
        if beta != 1:
            c = c * beta
        prod += c
    return prod


def _beta_grad(g, c, *rest):
    beta = rest[-2]
    return g * 0 if beta == 0 else _scaled(g, beta)


AddmmBackward = _node("AddmmBackward0", _beta_grad,
                      lambda g, c, a, b, out, beta, alpha: _scaled(_mm_ga(g, a, b, None), alpha),
                      lambda g, c, a, b, out, beta, alpha: _scaled(_mm_gb(g, a, b, None), alpha))
AddmvBackward = _node("AddmvBackward0", _beta_grad,
                      lambda g, c, a, v, out, beta, alpha: _scaled(_unsqueeze_last(g) * v, alpha),
                      lambda g, c, a, v, out, beta, alpha: _scaled(
                          _mmd(B.swap_last(a), g), alpha))
BaddbmmBackward = _node("BaddbmmBackward0", _beta_grad,
                        lambda g, c, a, b, out, beta, alpha: _scaled(_mm_ga(g, a, b, None), alpha),
                        lambda g, c, a, b, out, beta, alpha: _scaled(_mm_gb(g, a, b, None), alpha))
# sum over the batch of batch1[i] @ batch2[i]: g (m, n) broadcasts over the batch
AddbmmBackward = _node("AddbmmBackward0", _beta_grad,
                       lambda g, c, a, b, out, beta, alpha: _scaled(_mm_ga(g, a, b, None), alpha),
                       lambda g, c, a, b, out, beta, alpha: _scaled(_mm_gb(g, a, b, None), alpha))


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    c, a, b = input._data, mat1._data, _tensor_arg(mat2, "addmm", "mat2", 3)
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if c.dtype != b.dtype or a.dtype != b.dtype:
        first = c if c.dtype != b.dtype else a
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_sn(first)} and "
                           f"{_sn(b)}")
    _mm_shapes(a.shape, b.shape)
    _expand_check(c.shape, (a.shape[0], b.shape[1]))
    r = _fma(_mm(a, b), c, beta, alpha)
    return _to_out(record(r, AddmmBackward, (input, mat1, mat2), (beta, alpha)), out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    c, a, v = input._data, mat._data, _tensor_arg(vec, "addmv", "vec", 3)
    if c.ndim > 1 or a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c.ndim}, {a.ndim}, {v.ndim}")
    if not (c.dtype == a.dtype == v.dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_sn(c)}, "
                           f"{_sn(a)}, and {_sn(v)}")
    if a.shape[1] != v.shape[0] or (c.ndim == 1 and c.shape[0] not in (1, a.shape[0])):
        n = c.shape[0] if c.ndim == 1 else 1
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({_shape_str(a.shape)}), vec "
                           f"({v.shape[0]})")
    r = _fma(_mm(a, v), c, beta, alpha)
    return _to_out(record(r, AddmvBackward, (input, mat, vec), (beta, alpha)), out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    c, a, b = input._data, batch1._data, _tensor_arg(batch2, "baddbmm", "batch2", 3)
    if not (c.dtype == a.dtype == b.dtype):
        raise RuntimeError(f"Input dtypes must be the same, got: input {_cn(c)}, batch1: {_cn(a)}, "
                           f"batch2: {_cn(b)}")
    _bmm_checks(a, b)
    _expand_check(c.shape, (a.shape[0], a.shape[1], b.shape[2]))
    r = _fma(_mm(a, b), c, beta, alpha)
    return _to_out(record(r, BaddbmmBackward, (input, batch1, batch2), (beta, alpha)), out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    c, a, b = input._data, batch1._data, _tensor_arg(batch2, "addbmm", "batch2", 3)
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if c.dtype != b.dtype or a.dtype != b.dtype:
        first = c if c.dtype != b.dtype else a
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_sn(first)} and "
                           f"{_sn(b)}")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{a.shape[0]} and {b.shape[0]}")
    if a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({a.shape[1]}x{a.shape[2]} and "
                           f"{b.shape[1]}x{b.shape[2]})")
    nb, m, k = a.shape
    n = b.shape[2]
    _expand_check(c.shape, (m, n))
    # the batch sum as one GEMM: (m, nb*k) @ (nb*k, n)
    prod = _mm(a.transpose(1, 0, 2).reshape(m, nb * k), b.reshape(nb * k, n))
    r = _fma(prod, c, beta, alpha)
    return _to_out(record(r, AddbmmBackward, (input, batch1, batch2), (beta, alpha)), out)


# ---- contractions: einsum, tensordot, kron, vecdot ---------------------------------------------
# Labels are ints: letters A-Z are 0-25 and a-z 26-51 (torch's order, which decides the implicit
# output), the dims an ellipsis covers get 52, 53, ... and gradients mint fresh ones above those.

def _letter_label(ch):
    o = ord(ch)
    return o - 65 if o < 91 else o - 71


def _sum_axes(a, la, keep):
    """Sum away the axes of a whose labels are not in keep."""
    axes = tuple(i for i, l in enumerate(la) if l not in keep)
    if not axes:
        return a, la
    return a.sum(axis=axes), tuple(l for l in la if l in keep)


def _permuted(a, la, order):
    perm = [la.index(l) for l in order]
    return a if perm == sorted(perm) else a.transpose(perm)


def _pair(a, la, b, lb, keep):
    """Contract two operands into labels batch + a_free + b_free with one (batched) matmul."""
    sb = set(lb)
    sa = set(la)
    batch = [l for l in la if l in sb and l in keep]
    contr = [l for l in la if l in sb and l not in keep]
    a_free = [l for l in la if l not in sb]
    b_free = [l for l in lb if l not in sa]
    size = dict(zip(la, a.shape))
    size.update(zip(lb, b.shape))
    if not contr:       # an outer product over the batch: broadcasting multiply is exact and cheap
        ea = a.transpose([la.index(l) for l in batch + a_free])
        eb = b.transpose([lb.index(l) for l in batch + b_free])
        ea = ea.reshape(ea.shape + (1,) * len(b_free))
        eb = eb.reshape(eb.shape[:len(batch)] + (1,) * len(a_free) + eb.shape[len(batch):])
        return ea * eb, tuple(batch + a_free + b_free)
    nb = math.prod(size[l] for l in batch)
    m = math.prod(size[l] for l in a_free)
    n = math.prod(size[l] for l in b_free)
    k = math.prod(size[l] for l in contr)
    a3 = _permuted(a, la, batch + a_free + contr).reshape(nb, m, k)
    b3 = _permuted(b, lb, batch + contr + b_free).reshape(nb, k, n)
    r = _mm(a3[0], b3[0]) if nb == 1 else _mm(a3, b3)
    return r.reshape(tuple(size[l] for l in batch + a_free + b_free)), tuple(batch + a_free + b_free)


def _diagonal(a, la):
    """Repeated labels within one operand select its diagonal (a view)."""
    uniq = tuple(dict.fromkeys(la))
    if len(uniq) == len(la):
        return a, la
    letters = "".join(chr(97 + uniq.index(l)) for l in la)
    return np.einsum(letters + "->" + "".join(chr(97 + i) for i in range(len(uniq))), a), uniq


def _contract(arrays, labels, out_labels):
    """einsum on ndarrays with int labels; size-1 dims broadcast against the label's size."""
    size = {}
    for a, la in zip(arrays, labels):
        for n, l in zip(a.shape, la):
            if n != 1:
                size[l] = n
    ops = []
    for a, la in zip(arrays, labels):
        a, la = _diagonal(a, tuple(la))
        if any(n == 1 and size.get(l, 1) != 1 for n, l in zip(a.shape, la)):
            keep = [i for i, (n, l) in enumerate(zip(a.shape, la)) if n != 1 or size.get(l, 1) == 1]
            a, la = a.reshape([a.shape[i] for i in keep]), tuple(la[i] for i in keep)
        ops.append((a, la))
    out_set = set(out_labels)
    a, la = ops[0]
    fresh = False
    for j in range(1, len(ops)):
        b, lb = ops[j]
        later = set(out_set)
        for _, lc in ops[j + 1:]:
            later.update(lc)
        a, la = _sum_axes(a, la, later | set(lb))
        b, lb = _sum_axes(b, lb, later | set(la))
        a, la = _pair(a, la, b, lb, later)
        fresh = True
    if len(la) != len(out_set) or set(la) != out_set:
        a, la = _sum_axes(a, la, out_set)
        fresh = True
    if la != tuple(out_labels):
        a = a.transpose([la.index(l) for l in out_labels])
    return a if fresh else a.copy()


def _einsum_grad(i, g, inputs, labels, out_labels):
    """d(einsum)/d(operand i): a contraction of g with the other operands onto operand i's labels.

    A label repeated in operand i (a diagonal) gets fresh copies tied by an identity tensor; a
    label no other factor carries at full size (summed in the forward, or broadcast) gets a ones
    tensor, so the gradient spreads over it. Broadcast size-1 dims of operand i come back at
    full size and the engine sums them.
    """
    size = {}
    for t, lt in zip(inputs, labels):
        for n, l in zip(t.shape, lt):
            if n != 1:
                size[l] = n
            else:
                size.setdefault(l, 1)
    fresh = max([52] + [l + 1 for lt in labels for l in lt])
    ops, op_labels = [g], [tuple(out_labels)]
    for j, (t, lt) in enumerate(zip(inputs, labels)):
        if j != i:
            ops.append(t)
            op_labels.append(tuple(lt))
    dtype = (g if B.is_array(g) else g._data).dtype
    target, copies = [], {}
    for l in labels[i]:
        if l in copies:
            copies[l].append(fresh)
            size[fresh] = size[l]
            target.append(fresh)
            fresh += 1
        else:
            copies[l] = [l]
            target.append(l)
    for l, ls in copies.items():
        if len(ls) > 1:
            n = size[l]
            delta = np.zeros((n,) * len(ls), dtype)
            delta[(np.arange(n),) * len(ls)] = 1
            ops.append(_const(delta, g))
            op_labels.append(tuple(ls))
    full = {l for t, lt in zip(ops, op_labels) for n, l in zip(t.shape, lt) if n == size[l]}
    lonely = tuple(l for l in target if l not in full)
    if lonely:
        ops.append(_const(np.ones(tuple(size[l] for l in lonely), dtype), g))
        op_labels.append(lonely)
    if B.is_array(g):
        return _contract(ops, op_labels, tuple(target))
    return _einsum_record(ops, op_labels, tuple(target))


def _einsum_apply(self, g, tensor_mode):
    inputs, _ = self.saved(tensor_mode)
    labels, out_labels = self.args
    return tuple(None if e is None else _einsum_grad(i, g, inputs, labels, out_labels)
                 for i, e in enumerate(self.next))


EinsumBackward = backward_node("ViewBackward0", lambda g, *rest: None, INPUTS)
EinsumBackward.apply = _einsum_apply


def _einsum_record(tensors, labels, out_labels):
    arrays = [t._data for t in tensors]
    if len(arrays) > 1 and arrays[0].dtype.kind == "b":
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    return record(_contract(arrays, labels, out_labels), EinsumBackward, tuple(tensors),
                  (tuple(map(tuple, labels)), tuple(out_labels)))


_EINSUM_CACHE = {}


def _parse_einsum(equation, ndims):
    """Per-operand int labels and output labels for an equation and the operands' ranks."""
    key = (equation, ndims)
    hit = _EINSUM_CACHE.get(key)
    if hit is not None:
        return hit
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    rhs = None if arrow < 0 else equation[arrow + 2:]
    parsed_terms, cur = [], []
    i = 0
    while i <= len(lhs):
        ch = lhs[i] if i < len(lhs) else ","
        if ch == ",":
            parsed_terms.append(cur)
            cur = []
            i += 1
            continue
        if ch == " ":
            i += 1
            continue
        if ch == ".":
            if "..." in cur:
                raise RuntimeError(f"einsum(): found '.' for operand {len(parsed_terms)} for which "
                                   f"an ellipsis was already found")
            if lhs[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for operand {len(parsed_terms)} that is "
                                   f"not part of any ellipsis")
            cur.append("...")
            i += 3
            continue
        if not ("a" <= ch <= "z" or "A" <= ch <= "Z"):
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation "
                               f"string, subscripts must be in [a-zA-Z]")
        cur.append(ch)
        i += 1
    if len(parsed_terms) > len(ndims):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(parsed_terms) < len(ndims):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    ell_dims = 0
    for k, (subs, nd) in enumerate(zip(parsed_terms, ndims)):
        n_sub = len(subs) - ("..." in subs)
        if "..." in subs:
            if n_sub > nd:
                raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_sub}) is "
                                   f"more than the number of dimensions ({nd}) for operand {k}")
            ell_dims = max(ell_dims, nd - n_sub)
        elif n_sub != nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_sub}) does "
                               f"not match the number of dimensions ({nd}) for operand {k} and no "
                               f"ellipsis was given")
    labels = []
    counts = {}
    for subs, nd in zip(parsed_terms, ndims):
        ls = []
        for s in subs:
            if s == "...":
                e = nd - (len(subs) - 1)
                ls.extend(range(52 + ell_dims - e, 52 + ell_dims))
            else:
                l = _letter_label(s)
                ls.append(l)
                counts[l] = counts.get(l, 0) + 1
        labels.append(tuple(ls))
    ell = tuple(range(52, 52 + ell_dims))
    if rhs is None:
        out = ell + tuple(sorted(l for l, c in counts.items() if c == 1))
    else:
        out = []
        seen_ell = False
        j = 0
        while j < len(rhs):
            ch = rhs[j]
            if ch == " ":
                j += 1
                continue
            if ch == ".":
                if rhs[j:j + 3] != "..." or seen_ell:
                    raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                       "ellipsis" if not seen_ell else
                                       "einsum(): found '.' for output for which an ellipsis was "
                                       "already found")
                out.extend(ell)
                seen_ell = True
                j += 3
                continue
            if not ("a" <= ch <= "z" or "A" <= ch <= "Z"):
                raise RuntimeError(f"einsum(): invalid subscript given at index {arrow + 2 + j} in "
                                   f"the equation string, subscripts must be in [a-zA-Z]")
            l = _letter_label(ch)
            if l not in counts:
                raise RuntimeError(f"einsum(): output subscript {ch} does not appear in the "
                                   f"equation for any input operand")
            if l in out:
                raise RuntimeError(f"einsum(): output subscript {ch} appears more than once in the "
                                   f"output")
            out.append(l)
            j += 1
        out = tuple(out)
    result = (tuple(labels), out)
    if len(_EINSUM_CACHE) > 4096:
        _EINSUM_CACHE.clear()
    _EINSUM_CACHE[key] = result
    return result


def _label_name(l):
    return chr(l + 65) if l < 26 else chr(l + 71) if l < 52 else "..."


def _check_sizes(arrays, labels):
    seen = {}
    for k, (a, la) in enumerate(zip(arrays, labels)):
        own = {}
        for n, l in zip(a.shape, la):
            if l in own and own[l] != n:
                raise RuntimeError(f"einsum(): subscript {_label_name(l)} is repeated for operand "
                                   f"{k} but the sizes don't match, {n} != {own[l]}")
            own[l] = n
            prev = seen.get(l)
            if prev is None or prev == 1:
                seen[l] = n
            elif n != prev and n != 1:
                if l >= 52:
                    raise RuntimeError(f"einsum(): operands do not broadcast with remapped shapes "
                                       f"(original->remapped): {[list(x.shape) for x in arrays]}")
                raise RuntimeError(f"einsum(): subscript {_label_name(l)} has size {n} for operand "
                                   f"{k} which does not broadcast with previously seen size {prev}")


def _sublist_equation(args):
    def term(sub):
        parts = []
        for s in sub:
            if s is Ellipsis:
                parts.append("...")
            elif isinstance(s, int) and 0 <= s < 52:
                parts.append(chr(65 + s) if s < 26 else chr(71 + s))
            else:
                raise ValueError(f"einsum(): expected subscript to be within the range [0, 52), "
                                 f"but got {s}")
        return "".join(parts)
    ops = list(args[0::2])
    subs = list(args[1::2])
    out = None
    if len(ops) > len(subs):     # a trailing output sublist was given
        out = ops.pop()
        eq = ",".join(term(s) for s in subs) + "->" + term(out)
    else:
        eq = ",".join(term(s) for s in subs)
    return eq, ops


def einsum(*args):
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or "
                         "at least one operand and its subscripts list")
    if isinstance(args[0], str):
        equation = args[0]
        operands = args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    for k, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): operand {k} must be a Tensor, not {type(t).__name__}")
    arrays = [t._data for t in operands]
    labels, out = _parse_einsum(equation, tuple(a.ndim for a in arrays))
    dt = arrays[0].dtype
    for a in arrays[1:]:
        if a.dtype != dt:
            raise RuntimeError(f"expected scalar type {_sn(arrays[0])} but found {_sn(a)}")
    _check_sizes(arrays, labels)
    return _einsum_record(operands, labels, out)


def _to_common_dtype(x, y):
    dt = D.result_type(x, y)
    return (x if x.dtype is dt else x.to(dt)), (y if y.dtype is dt else y.to(dt))


def tensordot(a, b, dims=2, out=None):
    x, y = a._data, _tensor_arg(b, "tensordot", "b", 2)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(x.ndim, y.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(-dims, 0))
        db = list(range(dims))
    else:
        da, db = dims[0], dims[1]
        if isinstance(da, int) and isinstance(db, int) and not isinstance(dims, list):
            raise TypeError("tensordot(): argument 'dims_self' (position 3) must be tuple of ints, "
                            "not int")
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if x.dtype != y.dtype:
        raise RuntimeError("both inputs should have same dtype")
    wa = [_wrap_dim(d, x.ndim) for d in da]
    wb = [_wrap_dim(d, y.ndim) for d in db]
    for d1, d2, o1, o2 in zip(wa, wb, da, db):
        if x.shape[d1] != y.shape[d2]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{x.shape[d1]} in dim {o1} and second has size {y.shape[d2]} in "
                               f"dim {o2}")
    la = list(range(x.ndim))
    lb = list(range(x.ndim, x.ndim + y.ndim))
    for d1, d2 in zip(wa, wb):
        lb[d2] = la[d1]
    out_labels = [l for i, l in enumerate(la) if i not in wa] + \
                 [l for i, l in enumerate(lb) if i not in wb]
    return _to_out(_einsum_record((a, b), (tuple(la), tuple(lb)), tuple(out_labels)), out)


def kron(input, other, *, out=None):
    _tensor_arg(other, "kron", "other", 2)
    input, other = _to_common_dtype(input, other)
    nd = max(input.ndim, other.ndim)
    sa = (1,) * (nd - input.ndim) + tuple(input.shape)
    sb = (1,) * (nd - other.ndim) + tuple(other.shape)
    x = input.reshape(sa) if input.ndim < nd else input
    y = other.reshape(sb) if other.ndim < nd else other
    la = tuple(range(0, 2 * nd, 2))
    lb = tuple(range(1, 2 * nd, 2))
    r = _einsum_record((x, y), (la, lb), tuple(range(2 * nd)))
    return _to_out(r.reshape(tuple(p * q for p, q in zip(sa, sb))), out)


def vecdot(x, y, *, dim=-1, out=None):
    a, b = x._data, _tensor_arg(y, "vecdot", "y", 2)
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found "
                           f"x of type {_sn(a)} and y of type {_sn(b)} instead")
    shape = _broadcast_shapes(a.shape, b.shape)
    nd = len(shape)
    d = _wrap_dim(dim, nd)
    la = tuple(range(nd - a.ndim, nd))
    lb = tuple(range(nd - b.ndim, nd))
    return _to_out(_einsum_record((x, y), (la, lb), tuple(l for l in range(nd) if l != d)), out)


# ---- cross, trace ---------------------------------------------------------------------------------

def _cross_dual(a, b, dim):
    if B.is_array(a) and B.is_array(b):
        return np.cross(a, b, axis=dim)
    a = a if isinstance(a, Tensor) else Tensor._make(np.asarray(a))
    b = b if isinstance(b, Tensor) else Tensor._make(np.asarray(b))
    return linalg_cross(a, b, dim=dim)


LinalgCrossBackward = _node("LinalgCrossBackward0",
                            lambda g, a, b, out, dim: _cross_dual(b, g, dim),
                            lambda g, a, b, out, dim: _cross_dual(g, a, dim))


def linalg_cross(input, other, *, dim=-1, out=None):
    a, b = input._data, _tensor_arg(other, "linalg_cross", "other", 2)
    if a.ndim != b.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_sn(a)} but found {_sn(b)}")
    _broadcast_shapes(a.shape, b.shape)
    return _to_out(record(np.cross(a, b, axis=d), LinalgCrossBackward, (input, other), (d,)), out)


def cross(input, other, dim=None, *, out=None):
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
                      "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value "
                      "of dim will change to agree with that of linalg.cross in a future release.",
                      UserWarning, stacklevel=2)
        shape = _broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


TraceBackward = _node("TraceBackward0",
                      lambda g, a, out: g * _const(np.eye(*a.shape, dtype=_dtype_of(g)), g),
                      save=INPUTS)


def _dtype_of(x):
    return x.dtype if B.is_array(x) else x._data.dtype


def trace(input):
    a = input._data
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    k = a.dtype.kind
    if k == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    if k in "iu":
        r = np.trace(a, dtype=np.int64)
    elif a.dtype == np.float32:
        r = np.asarray(np.trace(a, dtype=np.float64), np.float32)   # accurate, as torch's sum
    else:
        r = np.trace(a)
    return record(r, TraceBackward, (input,))


# ---- torch.linalg: factorizations and solvers ------------------------------------------------------

def _float_matrix(A, fn, name="A"):
    """torch's checks for a batch of floating matrices; returns the ndarray."""
    a = A._data
    if a.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {name} must have at least 2 dimensions.")
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {_sn(a)}")
    if a.dtype.itemsize < 4:
        raise RuntimeError(f"{fn}: Low precision dtypes not supported. Got {_sn(a)}")
    return a


def _square_float(A, fn, name="A"):
    a = _float_matrix(A, fn, name)
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{fn}: {name} must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")
    return a


def _first_zero_pivot(m):
    """LAPACK getrf's info for one matrix: the 1-based index of the first exactly zero pivot."""
    u = np.array(m, copy=True)
    n = u.shape[0]
    for j in range(n):
        p = j + int(np.argmax(np.abs(u[j:, j])))
        if u[p, j] == 0:
            return j + 1
        if p != j:
            u[[j, p]] = u[[p, j]]
        u[j + 1:, j] /= u[j, j]
        u[j + 1:, j + 1:] -= np.outer(u[j + 1:, j], u[j, j + 1:])
    return 0


def _singular_info(a):
    """(batch index, pivot) of the first singular matrix in a batch, for torch's messages."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for bi, m in enumerate(flat):
        info = _first_zero_pivot(m)
        if info:
            return bi, info
    return 0, a.shape[-1]


def _batch_prefix(a, bi):
    return f"(Batch element {bi}): " if a.ndim > 2 else ""


def _inv(a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        bi, info = _singular_info(a)
        raise LinAlgError(f"linalg.inv: {_batch_prefix(a, bi)}The diagonal element {info} is zero, "
                          f"the inversion could not be completed because the input matrix is "
                          f"singular.") from None


def _inv_dual(a):
    return _inv(a) if B.is_array(a) else linalg_inv(a)


def _inv_backward(g, A, out):
    outH = B.swap_last(out)
    return -_mmd(_mmd(outH, g), outH)


LinalgInvBackward = _node("LinalgInvExBackward0", _inv_backward, save=OUT)


def linalg_inv(A, *, out=None):
    a = _square_float(A, "linalg.inv")
    return _to_out(record(_inv(a), LinalgInvBackward, (A,)), out)


def inverse(input, *, out=None):
    return linalg_inv(input, out=out)


InvEx = return_type("linalg_inv_ex", ["inverse", "info"])


def linalg_inv_ex(A, *, check_errors=False, out=None):
    a = _square_float(A, "linalg.inv")
    try:
        inv_a = np.linalg.inv(a)
        info = np.zeros(a.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        if check_errors:
            _inv(a)
        flat = a.reshape((-1,) + a.shape[-2:])
        infos = np.array([_first_zero_pivot(m) for m in flat], np.int32)
        inv_a = np.full(flat.shape, np.nan, a.dtype)     # singular entries: NaN (LAPACK's is undefined)
        ok = infos == 0
        if ok.any():
            inv_a[ok] = np.linalg.inv(flat[ok])
        inv_a = inv_a.reshape(a.shape)
        info = infos.reshape(a.shape[:-2])
    return InvEx(record(inv_a, LinalgInvBackward, (A,)), Tensor._make(info))


def _solve_dual(A, b, vec):
    """A X = b on ndarrays or Tensors; vec: b is a (batch of) vector(s)."""
    if B.is_array(A) and B.is_array(b):
        return _solve(A, b, vec)
    return linalg_solve(A, b)


def _solve(a, b, vec):
    try:
        if vec:
            return np.linalg.solve(a, b[..., None])[..., 0]
        return np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        bi, _ = _singular_info(np.broadcast_to(a, np.broadcast_shapes(a.shape[:-2], b.shape[:-2 + vec])
                                               + a.shape[-2:]))
        raise LinAlgError(f"torch.linalg.solve: {_batch_prefix(a, bi)}The solver failed because "
                          f"the input matrix is singular.") from None


def _solve_gB(g, A, Bm, X, vec):
    return _solve_dual(B.swap_last(A), g, vec)


def _solve_gA(g, A, Bm, X, vec):
    gB = _solve_gB(g, A, Bm, X, vec)
    if vec:
        return -(_unsqueeze_last(gB) * B.reshape(X, tuple(X.shape[:-1]) + (1, X.shape[-1])))
    return -_mmd(gB, B.swap_last(X))


LinalgSolveBackward = _node("LinalgSolveExBackward0", _solve_gA, _solve_gB, save=BOTH)


def linalg_solve(A, B_, *, left=True, out=None):
    a = _square_float(A, "linalg.solve")
    b = _tensor_arg(B_, "linalg_solve", "B", 2)
    if b.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.solve: Expected a floating point or complex tensor as input. "
                           f"Got {_sn(b)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of "
                           f"type {_sn(a)} and B of type {_sn(b)} instead")
    if not left:    # X A = B  <=>  A^T X^T = B^T
        return _to_out(linalg_solve(A.transpose(-1, -2), B_.transpose(-1, -2)).transpose(-1, -2),
                       out)
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vec else b.shape[-2] if b.ndim >= 2 else b.shape[0]
    if b.ndim < 1 or rows != a.shape[-1]:
        cols = 1 if vec else b.shape[-1]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
                           f"({a.shape[-2]}x{a.shape[-1]} and {rows}x{cols})")
    _broadcast_shapes(a.shape[:-2], b.shape[:-1] if vec else b.shape[:-2])
    return _to_out(record(_solve(a, b, vec), LinalgSolveBackward, (A, B_), (vec,)), out)


def _inv_T(A):
    return B.swap_last(_inv_dual(A))


def _det_backward(g, A, det):
    """g * det * A^{-T}. At an exactly singular matrix (det == 0) torch's gradient is zero, and so
    is this one: such matrices are swapped for I before inverting (their factor g * det is 0)."""
    if B.is_array(A):
        singular = det == 0
        if np.any(singular):
            A = np.where(np.asarray(singular)[..., None, None], np.eye(A.shape[-1], dtype=A.dtype), A)
        return np.asarray(g * det)[..., None, None] * np.swapaxes(np.linalg.inv(A), -1, -2)
    gd = B.reshape(g * det, tuple(det.shape) + (1, 1))
    return gd * _inv_T(A)


LinalgDetBackward = _node("LinalgDetBackward0", lambda g, A, out: _det_backward(g, A, out),
                          save=BOTH)


def linalg_det(A, *, out=None):
    a = _square_float(A, "linalg.det")
    return _to_out(record(np.linalg.det(a), LinalgDetBackward, (A,)), out)


def det(input):
    return linalg_det(input)


def _logabsdet_backward(g, A, out):
    return B.reshape(g, tuple(g.shape) + (1, 1)) * _inv_T(A)


SlogdetBackward = _node("LinalgSlogdetBackward0", _logabsdet_backward)
# the sign is piecewise constant: a zero gradient (not None, so the engine still counts the edge)
SlogdetSignBackward = _node("LinalgSlogdetBackward0", lambda g, A, out: B.zeros_like(A))
LogdetBackward = _node("LogdetBackward0", _logabsdet_backward)
Slogdet = return_type("linalg_slogdet", ["sign", "logabsdet"])
SlogdetOld = return_type("slogdet", ["sign", "logabsdet"])


def linalg_slogdet(A, *, out=None):
    a = _square_float(A, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(a)
    return Slogdet(record(sign, SlogdetSignBackward, (A,)), record(logabs, SlogdetBackward, (A,)))


def slogdet(input):
    a = _square_float(input, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(a)
    return SlogdetOld(record(sign, SlogdetSignBackward, (input,)),
                      record(logabs, SlogdetBackward, (input,)))


def logdet(input):
    a = _square_float(input, "logdet")
    sign, logabs = np.linalg.slogdet(a)
    r = np.where(sign < 0, np.asarray(np.nan, a.dtype), logabs)
    return record(r, LogdetBackward, (input,))


def _cholesky_backward(g, L, upper):
    """torch's formula: gA = L^{-H} Phi(L^H gL) L^{-1}, Phi: lower triangle, half diagonal."""
    if upper:
        L, g = B.swap_last(L), B.swap_last(g)
    n = L.shape[-1]
    lower = np.tril(np.ones((n, n), _dtype_of(g)))
    strict = np.tril(np.ones((n, n), _dtype_of(g)), -1)
    phi = _mmd(B.swap_last(L), g) * _const(lower, g)
    phi = (phi + B.swap_last(phi * _const(strict, g))) * 0.5
    LH = B.swap_last(L)
    y = _solve_dual(LH, phi, False)
    return B.swap_last(_solve_dual(LH, B.swap_last(y), False))


LinalgCholeskyBackward = _node("LinalgCholeskyExBackward0",
                               lambda g, A, out, upper: _cholesky_backward(g, out, upper), save=OUT)
CholeskyBackward = _node("CholeskyBackward0",
                         lambda g, A, out, upper: _cholesky_backward(g, out, upper), save=OUT)


def _not_pd_order(m):
    """LAPACK potrf's info for one matrix: the order of the first leading minor that is not PD."""
    lo, hi = 1, m.shape[-1]
    while lo < hi:      # the failing minors are the orders >= info: bisect
        mid = (lo + hi) // 2
        try:
            np.linalg.cholesky(m[:mid, :mid])
            lo = mid + 1
        except np.linalg.LinAlgError:
            hi = mid
    return lo


def _cholesky(a, upper, fn):
    try:
        return np.linalg.cholesky(a, upper=upper)
    except np.linalg.LinAlgError:
        flat = a.reshape((-1,) + a.shape[-2:])
        for bi, m in enumerate(flat):
            try:
                np.linalg.cholesky(m)
            except np.linalg.LinAlgError:
                order = _not_pd_order(m)
                raise LinAlgError(f"{fn}: {_batch_prefix(a, bi)}The factorization could not be "
                                  f"completed because the input is not positive-definite (the "
                                  f"leading minor of order {order} is not positive-definite).") \
                    from None
        raise


def linalg_cholesky(A, *, upper=False, out=None):
    a = _square_float(A, "linalg.cholesky")
    return _to_out(record(_cholesky(a, upper, "linalg.cholesky"), LinalgCholeskyBackward, (A,),
                          (upper,)), out)


def cholesky(input, upper=False, *, out=None):
    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be "
                  "removed in a future PyTorch release.", UserWarning, stacklevel=2)
    a = _square_float(input, "cholesky")
    return _to_out(record(_cholesky(a, upper, "cholesky"), CholeskyBackward, (input,), (upper,)),
                   out)


CholeskyEx = return_type("linalg_cholesky_ex", ["L", "info"])


def linalg_cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    a = _square_float(A, "linalg.cholesky_ex")
    info = np.zeros(a.shape[:-2], np.int32)
    try:
        r = np.linalg.cholesky(a, upper=upper)
    except np.linalg.LinAlgError:
        if check_errors:
            _cholesky(a, upper, "linalg.cholesky_ex")
        flat = a.reshape((-1,) + a.shape[-2:])
        r = np.zeros_like(flat)     # failing entries: zeros (LAPACK leaves them partial)
        flat_info = info.reshape(-1)
        for bi, m in enumerate(flat):
            try:
                r[bi] = np.linalg.cholesky(m, upper=upper)
            except np.linalg.LinAlgError:
                flat_info[bi] = _not_pd_order(m)
        r = r.reshape(a.shape)
    return CholeskyEx(record(r, LinalgCholeskyBackward, (A,), (upper,)), Tensor._make(info))


# ---- forward-only factorizations ----------------------------------------------------------------

QrNode = _forward_only("linalg_qr")
EighNode = _forward_only("linalg_eigh")
SvdNode = _forward_only("linalg_svd")
PinvNode = _forward_only("linalg_pinv")
Qr = return_type("linalg_qr", ["Q", "R"])
QrOld = return_type("qr", ["Q", "R"])
Eigh = return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
Svd = return_type("linalg_svd", ["U", "S", "Vh"])
SvdOld = return_type("svd", ["U", "S", "V"])


def _qr(A, mode, fn):
    a = _float_matrix(A, fn)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    if mode == "r":
        return np.zeros((0,), a.dtype), np.linalg.qr(a, mode="r")
    return np.linalg.qr(a, mode=mode)


def linalg_qr(A, mode="reduced", *, out=None):
    q, r = _qr(A, mode, "linalg.qr")
    return Qr(record(q, QrNode, (A,)), record(r, QrNode, (A,)))


def qr(input, some=True, *, out=None):
    warnings.warn("torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a "
                  "future PyTorch release.", UserWarning, stacklevel=2)
    q, r = _qr(input, "reduced" if some else "complete", "linalg.qr")
    return QrOld(record(q, QrNode, (input,)), record(r, QrNode, (input,)))


def _eigh(A, UPLO, fn):
    a = _square_float(A, fn)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return np.linalg.eigh(a, UPLO=UPLO)


def linalg_eigh(A, UPLO="L", *, out=None):
    w, v = _eigh(A, UPLO, "linalg.eigh")
    return Eigh(record(w, EighNode, (A,)), record(v, EighNode, (A,)))


def linalg_eigvalsh(A, UPLO="L", *, out=None):
    a = _square_float(A, "linalg.eigvalsh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _to_out(record(np.linalg.eigvalsh(a, UPLO=UPLO), EighNode, (A,)), out)


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    a = _float_matrix(A, "linalg.svd")
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    return Svd(record(u, SvdNode, (A,)), record(s, SvdNode, (A,)), record(vh, SvdNode, (A,)))


def _svdvals_backward(g, A, out):
    """gA = U diag(gS) Vh, with U, Vh of the reduced SVD (array mode)."""
    if not B.is_array(g):
        raise NotImplementedError("double backward of linalg.svdvals is not implemented in "
                                  "torsh_compat")
    u, _, vh = np.linalg.svd(A, full_matrices=False)
    return np.matmul(u * g[..., None, :], vh)


SvdvalsBackward = _node("LinalgSvdBackward0", _svdvals_backward)


def linalg_svdvals(A, *, driver=None, out=None):
    a = _float_matrix(A, "linalg.svdvals")
    return _to_out(record(np.linalg.svd(a, compute_uv=False), SvdvalsBackward, (A,)), out)


def svd(input, some=True, compute_uv=True, *, out=None):
    a = _float_matrix(input, "linalg.svd")
    if not compute_uv:
        s = np.linalg.svd(a, compute_uv=False)
        m, n = a.shape[-2:]
        return SvdOld(Tensor._make(np.zeros(a.shape[:-2] + (m, m), a.dtype)),
                      record(s, SvdvalsBackward, (input,)),
                      Tensor._make(np.zeros(a.shape[:-2] + (n, n), a.dtype)))
    u, s, vh = np.linalg.svd(a, full_matrices=not some)
    v = np.swapaxes(vh, -1, -2).conj()
    return SvdOld(record(u, SvdNode, (input,)), record(s, SvdNode, (input,)),
                  record(v, SvdNode, (input,)))


def _pinv(a, atol, rtol, hermitian):
    """The pseudo-inverse from the SVD (or eigh when hermitian), with torch's cutoff
    max(atol, rtol * largest singular value); rtol defaults to eps * max(m, n) without atol."""
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:]) if atol is None or atol <= 0 else 0.0
    atol = 0.0 if atol is None else atol
    if hermitian:
        w, v = np.linalg.eigh(a)
        absw = np.abs(w)
        cut = np.maximum(atol, rtol * absw.max(-1, initial=0.0, keepdims=True))
        inv_w = np.where(absw > cut, 1 / np.where(absw > cut, w, 1), 0).astype(a.dtype)
        return np.matmul(v * inv_w[..., None, :], np.swapaxes(v, -1, -2).conj())
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    cut = np.maximum(atol, rtol * s.max(-1, initial=0.0, keepdims=True))
    inv_s = np.where(s > cut, 1 / np.where(s > cut, s, 1), 0).astype(a.dtype)
    return np.matmul(np.swapaxes(vh, -1, -2).conj() * inv_s[..., None, :],
                     np.swapaxes(u, -1, -2).conj())


def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    a = _square_float(A, "linalg.eigh") if hermitian else _float_matrix(A, "linalg.pinv")
    return _to_out(record(_pinv(a, atol, rtol, hermitian), PinvNode, (A,)), out)


def pinverse(input, rcond=1e-15):
    a = _float_matrix(input, "linalg.pinv")
    return record(_pinv(a, 0.0, rcond, False), PinvNode, (input,))


def linalg_matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    a = _float_matrix(A, "linalg.matrix_rank")
    if rtol is None:
        rtol = np.finfo(a.dtype).eps * max(a.shape[-2:]) if atol is None or atol <= 0 else 0.0
    atol = 0.0 if atol is None else atol
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    cut = np.maximum(atol, rtol * s.max(-1, initial=0.0, keepdims=True))
    return _to_out(Tensor._make(np.asarray((s > cut).sum(-1), np.int64)), out)


def linalg_matrix_power(A, n, *, out=None):
    """Repeated squaring through matmul, so autograd and dtypes follow from the products."""
    a = A._data
    if a.ndim < 2:
        raise RuntimeError(f"linalg.matrix_power: The input tensor A must have at least 2 "
                           f"dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they "
                           f"are {a.shape[-2]} by {a.shape[-1]} matrices")
    if not isinstance(n, int):
        raise TypeError(f"matrix_power(): argument 'n' must be int, not {type(n).__name__}")
    if n == 0:
        eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()
        return _to_out(record(eye, MatrixPowerZeroBackward, (A,)), out)
    if n < 0:
        A = linalg_inv(A)
        n = -n
    if n == 1:
        return _to_out(A.clone(), out)
    result = None
    z = A
    while True:
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
        if not n:
            break
        z = matmul(z, z)
    return _to_out(result, out)


def matrix_power(input, n, *, out=None):
    return linalg_matrix_power(input, n, out=out)


MatrixPowerZeroBackward = _node("MatrixPowerBackward0", lambda g, A, out: g * 0, save=NONE)


def multi_dot(tensors, *, out=None):
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    for i, t in enumerate(tensors):
        nd = t.ndim
        if (i == 0 or i == len(tensors) - 1) and nd not in (1, 2):
            which = "first" if i == 0 else "last"
            raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got {nd}D")
        if 0 < i < len(tensors) - 1 and nd != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {nd}D")
    result = tensors[0]
    for t in tensors[1:]:
        result = matmul(result, t)
    return _to_out(result, out)


# ---- registration and parity samples --------------------------------------------------------------

def _well_conditioned(m, x):
    """x + 2n*I: diagonally dominant for values in (-1, 1), so inverses and their gradients are
    stable (inputs in either library: m is torch or torsh_compat)."""
    n = x.shape[-1]
    return x + m.eye(n, dtype=x.dtype) * (2 * n)


def _spd(m, x):
    n = x.shape[-1]
    return m.einsum("...ij,...kj->...ik", x, x) + m.eye(n, dtype=x.dtype) * n


def _distinct_diag(m, x):
    """x plus a rectangular diagonal 3n, 6n, 9n, ...: full rank with well separated singular
    values (for |x| < 1), so QR, SVD and eigenvectors are unique up to sign even when the
    generator's layouts make x itself rank deficient (expanded rows)."""
    r, c = x.shape[-2:]
    n = max(r, c)
    return x + m.eye(r, c, dtype=x.dtype) * m.arange(1, c + 1, dtype=x.dtype) * (3 * n)


def _sym(m, x):
    return _distinct_diag(m, x + x.transpose(-1, -2))


_MATMUL_SHAPES = [((3, 4), (4, 5)), ((4,), (4,)), ((3, 4), (4,)), ((4,), (4, 5)), ((2, 3, 4), (4, 5)),
                  ((2, 3, 4), (4,)), ((4,), (2, 4, 5)), ((3, 4), (2, 4, 5)), ((2, 3, 4), (2, 4, 5)),
                  ((2, 1, 3, 4), (5, 4, 2)), ((2, 3, 4), (1, 4, 5)), ((0, 4), (4, 3)), ((3, 0), (0, 4))]
_SQUARE = [((3, 3),), ((2, 4, 4),), ((0, 0),)]
_UNIT = (-1.0, 1.0)

_EINSUM_EQUATIONS = {(2, 2): "ij,jk->ik", (3, 3): "bij,bjk->bik", (2, 1): "ii,i->i",
                     (1, 1): "i,j->ij", (3, 2): "...ij,jk", (4, 3): "bhqd,hkd->bhqk",
                     (2, 0): "ij,->ji"}
_TENSORDOT_DIMS = {(3, 3): 2, (2, 2): ([0], [1]), (3, 2): ([2, 0], [0, 1]), (2, 1): 0}

for _fn, _node_cls, _spec in (
        (matmul, MmBackward, S.Spec(arity=2, shapes=_MATMUL_SHAPES, dtypes=S.NUMERIC)),
        (mm, MmBackward, S.Spec(arity=2, dtypes=S.NUMERIC, shapes=[
            ((3, 4), (4, 5)), ((0, 4), (4, 3)), ((3, 0), (0, 4)), ((1, 4), (4, 1))])),
        (bmm, BmmBackward, S.Spec(arity=2, dtypes=S.NUMERIC, shapes=[
            ((2, 3, 4), (2, 4, 5)), ((0, 3, 4), (0, 4, 5)), ((3, 1, 4), (3, 4, 2))])),
        (mv, MvBackward, S.Spec(arity=2, dtypes=S.NUMERIC, shapes=[
            ((3, 4), (4,)), ((0, 4), (4,)), ((3, 0), (0,))])),
        (dot, DotBackward, S.Spec(arity=2, dtypes=S.NUMERIC, shapes=[((5,), (5,)), ((0,), (0,))])),
        (vdot, VdotBackward, S.Spec(arity=2, dtypes=S.NUMERIC, shapes=[((5,), (5,)), ((0,), (0,))])),
        (inner, InnerBackward, S.Spec(arity=2, dtypes=S.NUMERIC, shapes=[
            ((3, 4), (5, 4)), ((4,), (4,)), ((2, 3, 4), (4,)), ((), (3, 4)), ((3, 4), ())])),
        # layouts=False: torch 2.13's kron raises "view size is not compatible" when exactly one
        # input is transposed (its _unsafe_view of the product); we compute those cases instead
        (kron, EinsumBackward, S.Spec(arity=2, dtypes=S.NUMERIC, layouts=False, shapes=[
            ((2, 3), (4, 5)), ((2,), (3,)), ((2, 3), (2, 4, 5)), ((), (3,))])),
        (trace, TraceBackward, S.Spec(dtypes=S.NUMERIC, shapes=[((3, 4),), ((4, 3),), ((0, 3),)])),
        (det, LinalgDetBackward, S.Spec(shapes=_SQUARE, domain=_UNIT,
                                         call=lambda m, x: m.det(_well_conditioned(m, x)))),
        (inverse, LinalgInvBackward, S.Spec(shapes=_SQUARE, domain=_UNIT,
                                             call=lambda m, x: m.inverse(_well_conditioned(m, x)))),
        (logdet, LogdetBackward, S.Spec(shapes=_SQUARE, domain=_UNIT,
                                         call=lambda m, x: m.logdet(_well_conditioned(m, x)))),
        (slogdet, SlogdetBackward, S.Spec(shapes=_SQUARE, domain=_UNIT,
                                           call=lambda m, x: m.slogdet(_well_conditioned(m, x)))),
        (pinverse, PinvNode, S.Spec(shapes=[((4, 3),), ((3, 4),), ((2, 3, 3),)], grad=False,
                                    domain=_UNIT, call=lambda m, x: m.pinverse(_distinct_diag(m, x)))),
        (svd, SvdNode, S.Spec(shapes=[((4, 3),), ((3, 4),), ((2, 3, 3),)], grad=False, domain=_UNIT,
                              call=lambda m, x: (lambda r: (r.S, r.U.abs(), r.V.abs()))(
                                  m.svd(_distinct_diag(m, x))))),
):
    register(_fn, node=_node_cls, samples=_spec)

register(outer, node=None, aliases=("ger",), samples=S.Spec(arity=2, dtypes=S.NUMERIC, shapes=[
    ((3,), (4,)), ((0,), (4,))]))
register(cross, node=LinalgCrossBackward, samples=S.Spec(
    arity=2, dtypes=S.NUMERIC, shapes=[((4, 3), (4, 3)), ((3,), (3,)), ((2, 4, 3), (1, 1, 3))],
    call=lambda m, a, b: m.cross(a, b, dim=-1)))
register(cholesky, node=CholeskyBackward, samples=S.Spec(
    shapes=_SQUARE[:2], domain=_UNIT, args=lambda nd: [((), {}), ((True,), {})],
    call=lambda m, x, *a: m.cholesky(_spd(m, x), *a)))
register(qr, node=QrNode, samples=S.Spec(
    shapes=[((4, 3),), ((3, 4),), ((2, 4, 3),)], grad=False, domain=_UNIT,
    args=lambda nd: [((), {}), ((False,), {})], call=lambda m, x, *a: m.qr(_distinct_diag(m, x), *a)))
register(matrix_power, node=MmBackward,
         samples=S.Spec(shapes=_SQUARE[:2], domain=_UNIT,
                        args=lambda nd: [((0,), {}), ((1,), {}), ((2,), {}), ((3,), {}), ((-2,), {})],
                        call=lambda m, x, n: m.matrix_power(_well_conditioned(m, x), n)))

for _name, _fn, _node_cls, _spec in (
        ("einsum", einsum, EinsumBackward, S.Spec(
            arity=2, shapes=[((3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((3, 3), (3,)), ((4,), (5,)),
                             ((2, 3, 4), (4, 5)), ((2, 3, 4, 5), (3, 6, 5)), ((3, 4), ())],
            dtypes=S.NUMERIC,
            call=lambda m, a, b: m.einsum(_EINSUM_EQUATIONS[(a.ndim, b.ndim)], a, b))),
        ("tensordot", tensordot, EinsumBackward, S.Spec(
            arity=2, shapes=[((2, 3, 4), (3, 4, 5)), ((3, 4), (5, 3)), ((4, 3, 2), (4, 2)),
                             ((3, 4), (5,))], dtypes=S.NUMERIC,
            call=lambda m, a, b: m.tensordot(a, b, dims=_TENSORDOT_DIMS[(a.ndim, b.ndim)]))),
):
    register(_fn, name=_name, node=_node_cls, samples=_spec, method=False)

_FMA_ARGS = lambda nd: [((), {}), ((), {"beta": 3, "alpha": 2}), ((), {"beta": 0})]
for _fn, _node_cls, _shapes in (
        (addmm, AddmmBackward, [((3, 5), (3, 4), (4, 5)), ((5,), (3, 4), (4, 5)), ((), (3, 4), (4, 5)),
                                ((1, 1), (3, 4), (4, 5))]),
        (addmv, AddmvBackward, [((3,), (3, 4), (4,)), ((), (3, 4), (4,)), ((1,), (3, 4), (4,))]),
        (baddbmm, BaddbmmBackward, [((2, 3, 5), (2, 3, 4), (2, 4, 5)), ((3, 5), (2, 3, 4), (2, 4, 5)),
                                    ((), (2, 3, 4), (2, 4, 5))]),
        (addbmm, AddbmmBackward, [((3, 5), (2, 3, 4), (2, 4, 5)), ((5,), (2, 3, 4), (2, 4, 5))]),
):
    register(_fn, node=_node_cls, inplace=True,
             samples=S.Spec(arity=3, shapes=_shapes, dtypes=S.NUMERIC, args=_FMA_ARGS))
    make_inplace(_fn.__name__, _fn)

# torch.linalg.*: registered under torch's native names (linalg_inv, ...), not exported as torch.<name>
_LINALG = {}
for _fn, _node_cls, _spec in (
        (linalg_inv, LinalgInvBackward, S.Spec(
            shapes=_SQUARE, domain=_UNIT, call=lambda m, x: m.linalg.inv(_well_conditioned(m, x)))),
        (linalg_inv_ex, LinalgInvBackward, S.Spec(
            shapes=_SQUARE, domain=_UNIT, call=lambda m, x: m.linalg.inv_ex(_well_conditioned(m, x)))),
        (linalg_det, LinalgDetBackward, S.Spec(
            shapes=_SQUARE, domain=_UNIT, call=lambda m, x: m.linalg.det(_well_conditioned(m, x)))),
        (linalg_slogdet, SlogdetBackward, S.Spec(
            shapes=_SQUARE, domain=_UNIT, call=lambda m, x: m.linalg.slogdet(_well_conditioned(m, x)))),
        (linalg_solve, LinalgSolveBackward, S.Spec(
            arity=2, domain=_UNIT, shapes=[((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (2, 3)),
                                           ((2, 3, 3), (3, 2)), ((3, 3), (2, 3, 4))],
            call=lambda m, a, b: m.linalg.solve(_well_conditioned(m, a), b))),
        (linalg_cholesky, LinalgCholeskyBackward, S.Spec(
            shapes=_SQUARE[:2], domain=_UNIT, args=lambda nd: [((), {}), ((), {"upper": True})],
            call=lambda m, x, **kw: m.linalg.cholesky(_spd(m, x), **kw))),
        (linalg_cholesky_ex, LinalgCholeskyBackward, S.Spec(
            shapes=_SQUARE[:2], domain=_UNIT, call=lambda m, x: m.linalg.cholesky_ex(_spd(m, x)))),
        (linalg_qr, QrNode, S.Spec(
            shapes=[((4, 3),), ((3, 4),), ((2, 4, 3),)], grad=False, domain=_UNIT,
            args=lambda nd: [((), {}), ((), {"mode": "complete"}), ((), {"mode": "r"})],
            call=lambda m, x, **kw: m.linalg.qr(_distinct_diag(m, x), **kw))),
        (linalg_eigh, EighNode, S.Spec(
            shapes=[((3, 3),), ((2, 4, 4),)], grad=False, args=lambda nd: [((), {}), (("U",), {})],
            call=lambda m, x, *a: (lambda r: (r.eigenvalues, r.eigenvectors.abs()))(
                m.linalg.eigh(_sym(m, x), *a)))),
        (linalg_eigvalsh, EighNode, S.Spec(
            shapes=[((3, 3),), ((2, 4, 4),)], grad=False,
            call=lambda m, x: m.linalg.eigvalsh(_sym(m, x)))),
        (linalg_svd, SvdNode, S.Spec(
            shapes=[((4, 3),), ((3, 4),), ((2, 3, 3),)], grad=False, domain=_UNIT,
            call=lambda m, x: (lambda r: (r.S, r.U.abs(), r.Vh.abs()))(
                m.linalg.svd(_distinct_diag(m, x), full_matrices=False)))),
        (linalg_svdvals, SvdvalsBackward, S.Spec(
            shapes=[((4, 3),), ((3, 4),), ((2, 3, 3),)], domain=_UNIT,
            call=lambda m, x: m.linalg.svdvals(_distinct_diag(m, x)))),
        (linalg_pinv, PinvNode, S.Spec(
            shapes=[((4, 3),), ((3, 4),), ((2, 3, 3),)], grad=False, domain=_UNIT,
            args=lambda nd: [((), {}), ((), {"hermitian": True})],
            call=lambda m, x, **kw: m.linalg.pinv(
                _sym(m, x) if kw.get("hermitian") and x.shape[-1] == x.shape[-2] else
                _distinct_diag(m, x), **kw))),
        (linalg_matrix_rank, None, S.Spec(
            shapes=[((4, 3),), ((3, 4),), ((2, 3, 3),)], grad=False,
            call=lambda m, x: m.linalg.matrix_rank(x))),
        (linalg_matrix_power, MmBackward, S.Spec(
            shapes=_SQUARE[:2], domain=_UNIT,
            args=lambda nd: [((0,), {}), ((1,), {}), ((3,), {}), ((-2,), {})],
            call=lambda m, x, n: m.linalg.matrix_power(_well_conditioned(m, x), n))),
        (linalg_cross, LinalgCrossBackward, S.Spec(
            arity=2, dtypes=S.NUMERIC, shapes=[((4, 3), (4, 3)), ((3,), (3,)), ((3, 4), (1, 4))],
            call=lambda m, a, b: m.linalg.cross(a, b, dim=-1 if a.shape[-1] == 3 else 0))),
        (vecdot, EinsumBackward, S.Spec(
            arity=2, dtypes=S.FLOATS, shapes=[((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3, 4), (3, 1))],
            args=lambda nd: [((), {}), ((), {"dim": 0})],
            call=lambda m, a, b, **kw: m.linalg.vecdot(a, b, **kw))),
        (multi_dot, MmBackward, S.Spec(
            arity=2, dtypes=S.NUMERIC, shapes=[((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,))],
            call=lambda m, a, b: m.linalg.multi_dot([a, b]))),
):
    _name = _fn.__name__ if _fn.__name__.startswith("linalg_") else "linalg_" + _fn.__name__
    register(_fn, name=_name, node=_node_cls, samples=_spec, method=False, namespace=False,
             differentiable=_spec.grad)
    _LINALG[_name[len("linalg_"):]] = _fn

for _name, _fn in (("matmul", matmul), ("mm", mm), ("bmm", bmm), ("mv", mv), ("dot", dot),
                   ("vdot", vdot), ("inner", inner), ("kron", kron), ("trace", trace),
                   ("det", det), ("inverse", inverse), ("logdet", logdet), ("slogdet", slogdet),
                   ("pinverse", pinverse), ("svd", svd), ("qr", qr), ("cholesky", cholesky),
                   ("cross", cross), ("matrix_power", matrix_power)):
    setattr(Tensor, _name, _fn)
_addbmm_same_shape = Tensor.addbmm_


def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    """torch resizes self to the product's (m, n) here: addbmm_ writes through addbmm's out=."""
    if batch1.ndim == 3 and batch2.ndim == 3 and self._base is None:
        shape = (batch1.shape[1], batch2.shape[2])
        if tuple(self.shape) != shape:
            check_inplace(self)
            _expand_check(self.shape, shape)
            self._data = np.broadcast_to(self._data, shape).copy()
    return _addbmm_same_shape(self, batch1, batch2, beta=beta, alpha=alpha)


Tensor.addbmm_ = addbmm_
Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = _rmatmul
