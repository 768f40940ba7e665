"""F.embedding, F.embedding_bag and F.one_hot.

Each lookup is one graph node. As in torch, the embedding backward reads only the indices (a
weight modified in place after the lookup, by an optimizer or by max_norm renormalisation, does not
invalidate it); gradients of repeated indices accumulate in the index order, padding rows get none.
"""
import numpy as np

from ..._tensor import Tensor
from ...autograd.graph import Node, SAVE_NONE
from ...ops import samples as S
from ...ops.registry import record, register

__all__ = ["embedding", "embedding_bag", "one_hot"]

_INDEX_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int16": "Short",
                "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                "complex128": "ComplexDouble"}


def _check_indices(idx, fn):
    if idx.dtype != np.int64 and idx.dtype != np.int32:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following "
                           f"scalar types: Long, Int; but got torch.{_INDEX_NAMES.get(idx.dtype.name, '')}"
                           f"Tensor instead (while checking arguments for {fn})")


def _tensor_arg(x, fn, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _watch(node, *tensors):
    """Version-check only `tensors` (what the backward reads) on this node."""
    if node is not None:
        vs = ()
        for t in tensors:
            vs += (t._vc, t._vc[0])
        node.versions = vs


def _frequency_scale(idx, num_weights):
    """1/count of each position's index over the whole input (scale_grad_by_freq)."""
    counts = np.bincount(idx, minlength=num_weights)
    return 1.0 / counts[idx]


def _tensor_mode_scatter(weight, rows_idx, contributions):
    """Under create_graph: the weight gradient as a differentiable product with the one-hot
    matrix of the indices (rows x num_embeddings)."""
    one_hot_t = np.zeros((weight._data.shape[0], rows_idx.shape[0]), contributions._data.dtype)
    one_hot_t[rows_idx, np.arange(rows_idx.shape[0])] = 1
    return Tensor._make(one_hot_t) @ contributions


# ---- embedding -------------------------------------------------------------------------------

class EmbeddingBackward0(Node):
    """inputs (weight, indices); args (padding_idx, scale_grad_by_freq)."""
    __slots__ = ()
    save = SAVE_NONE

    def apply(self, g, tensor_mode):
        if self.versions is not None:
            self.check_saved()
        weight, indices = self.inputs
        padding_idx, scale_by_freq = self.args
        num, dim = weight._data.shape
        idx = indices._data.reshape(-1).astype(np.intp, copy=False)
        keep = None if padding_idx < 0 else idx != padding_idx
        scale = _frequency_scale(idx, num) if scale_by_freq else None
        if tensor_mode:
            rows = g.reshape(-1, dim)
            if keep is not None:
                rows = rows * Tensor._make(keep.astype(weight._data.dtype)[:, None])
            gw = _tensor_mode_scatter(weight, idx, rows)
            if scale is not None:
                # torch's double backward of embedding ignores the frequency scaling: the value is
                # scaled, its derivative with respect to the incoming gradient is not
                scaled = _tensor_mode_scatter(weight, idx, Tensor._make(
                    rows._data * scale.astype(rows._data.dtype)[:, None]))
                gw = gw + Tensor._make(scaled._data - gw._data)
            return gw, None
        rows = g.reshape(-1, dim)
        if scale is not None:
            rows = rows * scale.astype(rows.dtype)[:, None]
        if keep is not None:
            idx, rows = idx[keep], rows[keep]
        gw = np.zeros(weight._data.shape, rows.dtype)
        np.add.at(gw, idx, rows)
        return gw, None


def _renorm_(weight, idx, max_norm, norm_type):
    """torch.embedding_renorm_: rows used by idx whose norm exceeds max_norm are scaled in place
    by max_norm / (norm + 1e-7) (norm in the weight's dtype, the scale applied in it too)."""
    w = weight._data
    rows = np.unique(idx.reshape(-1))
    sel = w[rows].astype(np.float64)
    p = float(norm_type)
    if p == np.inf:
        norms = np.abs(sel).max(axis=1)
    elif p == 0:
        norms = np.count_nonzero(sel, axis=1).astype(np.float64)
    else:
        norms = (np.abs(sel) ** p).sum(axis=1) ** (1.0 / p)
    norms = norms.astype(w.dtype).astype(np.float64)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        w[rows[over]] = w[rows[over]] * scale[:, None]
    weight._vc[0] += 1


def _embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """torch.embedding(weight, indices, ...): the top-level form (weight first)."""
    _tensor_arg(weight, "embedding", "weight", 1)
    _tensor_arg(indices, "embedding", "indices", 2)
    w, idx = weight._data, indices._data
    _check_indices(idx, "embedding")
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if idx.size and (idx.min() < 0 or idx.max() >= w.shape[0]):
        raise IndexError("index out of range in self")
    t = record(np.take(w, idx, axis=0), EmbeddingBackward0, (weight, indices),
               (padding_idx, scale_grad_by_freq))
    _watch(t._node, indices)
    return t


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` picked by the integer tensor `input`. `sparse=True` is accepted; the
    gradient is dense (torsh_compat has no sparse tensors)."""
    _tensor_arg(input, "embedding", "indices", 2)
    _tensor_arg(weight, "embedding", "weight", 1)
    if padding_idx is not None:
        n = weight.size(0)
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _check_indices(input._data, "embedding_renorm_")
        _renorm_(weight, input._data, max_norm, norm_type)
    return _embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


# ---- embedding_bag ---------------------------------------------------------------------------

def _bag_frequency_scale(idx, num_weights, used):
    """scale_grad_by_freq factors for the indices `used`, as torch's CPU embedding_bag backward
    computes them: the i-th smallest distinct index is divided by the count of the i-th smallest
    entry of the (sorted) input, which is its own count only when no index repeats before it."""
    counts = np.bincount(idx, minlength=num_weights)
    distinct = np.unique(idx)
    group_count = counts[np.sort(idx)[:distinct.shape[0]]]
    return 1.0 / group_count[np.searchsorted(distinct, used)]


_MODES = {"sum": 0, "mean": 1, "max": 2}


class EmbeddingBagBackward0(Node):
    """inputs (weight, indices, per_sample_weights or None); args hold the bag layout."""
    __slots__ = ()
    save = SAVE_NONE

    def apply(self, g, tensor_mode):
        if self.versions is not None:
            self.check_saved()
        weight, _, psw_t = self.inputs
        mode, idx_v, bag_v, bag_size, max_idx, psw_v, valid_pos, freq, n_positions = self.args
        g = g._data if tensor_mode else g
        w = weight._data
        gw = gpsw = None
        if self.next[0] is not None:
            gw = np.zeros(w.shape, g.dtype)
            if mode == 2:
                nonempty = bag_size > 0
                cols = np.broadcast_to(np.arange(w.shape[1]), max_idx[nonempty].shape)
                np.add.at(gw, (max_idx[nonempty], cols), g[nonempty])
            else:
                scale = np.ones(idx_v.shape[0])
                if psw_v is not None:
                    scale = scale * psw_v
                if freq is not None:
                    scale = scale * freq
                if mode == 1:
                    scale = scale / np.maximum(bag_size[bag_v], 1)
                np.add.at(gw, idx_v, g[bag_v] * scale.astype(g.dtype)[:, None])
        if psw_t is not None and self.next[2] is not None:
            dots = np.einsum("pd,pd->p", g[bag_v].astype(np.float64), w[idx_v].astype(np.float64))
            full = np.zeros(n_positions, psw_t._data.dtype)
            full[valid_pos] = dots
            gpsw = full.reshape(psw_t._data.shape)
        if tensor_mode:
            gw = None if gw is None else Tensor._make(gw)
            gpsw = None if gpsw is None else Tensor._make(gpsw)
        return gw, None, gpsw


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False,
                  mode="mean", sparse=False, per_sample_weights=None, include_last_offset=False,
                  padding_idx=None):
    """Sums, means or maxima of bags of embedding rows; bags given by `offsets` into a 1-D input,
    or one bag per row of a 2-D input."""
    _tensor_arg(input, "embedding_bag", "input", 1)
    _tensor_arg(weight, "embedding_bag", "weight", 2)
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not "
                         f"None, then it must have the same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    idx = input._data
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a "
                             "mini-batch of fixed length sequences. However, found offsets of type "
                             f"{type(offsets)}")
        off = np.arange(0, idx.size, idx.shape[1]) if idx.shape[1] else np.zeros(idx.shape[0], np.int64)
        include_last_offset = False
        idx = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = offsets._data
        _check_indices(off, "embedding_bag")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    mode_id = _MODES[mode]
    if mode_id == 2:
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    _check_indices(idx, "embedding_bag")
    w = weight._data
    num, dim = w.shape
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= num:
                raise AssertionError("padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -num:
                raise AssertionError("padding_idx must be within num_embeddings")
            padding_idx = num + padding_idx
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError("embedding_bag: per_sample_weights was not None. "
                                      "per_sample_weights is only supported for mode='sum' (got "
                                      f"mode='{mode}'). Please open a feature request on GitHub.")
        if per_sample_weights._data.dtype != w.dtype:
            raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor "
                               f"for argument #1 'per_sample_weights'; but type {weight.type()} does not "
                               f"equal {per_sample_weights.type()} (while checking arguments for "
                               "embedding_bag)")
    n = idx.shape[0]
    bad = np.flatnonzero((idx < 0) | (idx >= num))
    if bad.size:
        # torch's max-mode wording (its sum/mean kernels report positions inconsistently)
        raise RuntimeError("embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to "
                           f"be {int(idx[bad[0]])}")
    off = off.astype(np.intp, copy=False)
    if off.size and off[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to "
                           f"start from position 0. However, got {int(off[0])}")
    if off.size and off[-1] > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n} but got "
                           f"offsets[-1] of {int(off[-1])}")
    if off.size > 1 and np.any(np.diff(off) < 0):
        raise RuntimeError(f"embedding_bag: offsets must be non-decreasing, got {off.tolist()}")
    if include_last_offset:
        starts, ends = off[:-1], off[1:]
    else:
        starts, ends = off, np.append(off[1:], n)
    n_bags = starts.shape[0]
    covered = int(ends[-1]) if n_bags else 0
    bag_of = np.repeat(np.arange(n_bags), ends - starts)
    positions = np.arange(covered)
    valid = idx[:covered] != padding_idx if padding_idx is not None else np.ones(covered, bool)
    valid_pos = positions[valid]
    idx_v = idx[:covered][valid].astype(np.intp)
    bag_v = bag_of[valid]
    bag_size = np.bincount(bag_v, minlength=n_bags)
    nonempty = bag_size > 0
    seg = (np.cumsum(bag_size) - bag_size)[nonempty]
    rows = w[idx_v]
    psw_v = None
    if per_sample_weights is not None:
        psw_v = per_sample_weights._data.reshape(-1)[valid_pos]
        rows = rows * psw_v[:, None]
    out = np.zeros((n_bags, dim), w.dtype)
    max_idx = None
    if mode_id == 2:
        max_idx = np.zeros((n_bags, dim), np.int64)
        if rows.shape[0]:
            out[nonempty] = np.maximum.reduceat(rows, seg, axis=0)
            # the first row reaching the maximum, as torch's strict '>' scan keeps
            pos = np.where(rows == out[bag_v], np.arange(rows.shape[0])[:, None], rows.shape[0])
            max_idx[nonempty] = idx_v[np.minimum.reduceat(pos, seg, axis=0)]
    elif rows.shape[0]:
        out[nonempty] = np.add.reduceat(rows, seg, axis=0)
        if mode_id == 1:
            out /= np.maximum(bag_size, 1).astype(w.dtype)[:, None]
    freq = _bag_frequency_scale(idx, num, idx_v) if scale_grad_by_freq else None
    args = (mode_id, idx_v, bag_v, bag_size, max_idx,
            None if psw_v is None else psw_v.astype(np.float64), valid_pos, freq, n)
    t = record(out, EmbeddingBagBackward0, (weight, input, per_sample_weights), args)
    if t._node is not None:
        watched = (input,) if offsets is None else (input, offsets)
        if per_sample_weights is not None and per_sample_weights._rg:
            watched += (weight,)
        _watch(t._node, *watched)
    return t


# ---- one_hot ---------------------------------------------------------------------------------

def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding, a new last dim of size num_classes (max + 1 when -1)."""
    _tensor_arg(tensor, "one_hot", "self", 1)
    idx = tensor._data
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size:
        if idx.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if idx.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes < 0:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._make(out)


# ---- registration ----------------------------------------------------------------------------

_EMB_INDICES = [[1, 2, 4, 1], [[0, 3], [3, 3]]]


def _embedding_call(mod, weight, indices, **kwargs):
    return mod.nn.functional.embedding(mod.tensor(indices), weight, **kwargs)


register(_embedding, name="embedding", node=EmbeddingBackward0, method=False, samples=S.Spec(
    call=_embedding_call, shapes=[((5, 3),), ((6, 1),)], layouts=False,
    args=lambda nd: [((idx,), kw) for idx in _EMB_INDICES
                     for kw in ({}, {"padding_idx": 1}, {"scale_grad_by_freq": True})]))
