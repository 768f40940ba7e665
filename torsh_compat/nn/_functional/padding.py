"""F.pad: constant padding of any number of dims, and reflect / replicate / circular padding of the
last 1, 2 or 3 dims, with torch's rank rules, errors and grad_fn names.

A non-constant pad is a gather along each padded dim with an index map (out position -> input
position). Its gradient is the adjoint, a scatter-add along the same maps, done with one slice
operation per run of the map (the centre copy, the mirrored or wrapped edges, the replicated
border sums), never element by element. Gather and scatter are each other's gradient, so double
backward is the same two ops.
"""
import functools

import numpy as np

from ..._errors import shape_mismatch
from ..._tensor import Tensor
from ...autograd.graph import Node, node_class
from ...ops.registry import record, NONE

__all__ = ["pad"]

_RANK_HELP = ("Supported combinations for non-constant padding:\n"
              "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
              "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
              "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
_DIM_NAMES = ("D", "H", "W")


# ---- constant ------------------------------------------------------------------------------

def _constant_data(x, pads, value):
    """x padded (or cropped, for negative amounts) by pads = [(lo, hi), ...] over its last dims."""
    k = len(pads)
    lead = x.shape[:x.ndim - k]
    new, src, dst = [], [], []
    for n, (lo, hi) in zip(x.shape[x.ndim - k:], pads):
        a, b = max(0, -lo), n - max(0, -hi)
        if b < a:       # the cropped part alone is negative (torch narrows before padding)
            raise RuntimeError("narrow(): length must be non-negative.")
        length = b - a
        new.append(n + lo + hi)
        src.append(slice(a, a + length))
        dst.append(slice(max(0, lo), max(0, lo) + length))
    out = np.full(lead + tuple(new), value, dtype=x.dtype)
    full = (slice(None),) * len(lead)
    out[full + tuple(dst)] = x[full + tuple(src)]
    return out


def _constant_backward(g, x, out, pads):
    neg = [(-lo, -hi) for lo, hi in pads]
    if isinstance(g, Tensor):
        return _constant_pad(g, neg, 0)
    return _constant_data(g, neg, 0)


ConstantPadNdBackward0 = node_class("ConstantPadNdBackward0", _constant_backward, NONE)


def _constant_pad(input, pads, value):
    return record(_constant_data(input._data, pads, value), ConstantPadNdBackward0, (input,), (pads,))


# ---- reflect / replicate / circular -------------------------------------------------------

@functools.lru_cache(maxsize=256)
def _index_map(mode, n, lo, hi):
    """Input position of each output position along one dim, and the map's runs
    (out_start, out_stop, in_start, step) with step +1, -1 or 0 (one input repeated)."""
    i = np.arange(-lo, n + hi)
    if mode == "reflect":
        i = np.abs(i)
        i = np.where(i >= n, 2 * (n - 1) - i, i)
    elif mode == "replicate":
        i = np.clip(i, 0, n - 1)
    else:   # torch crops the negative sides first, then wraps around what is left
        a = max(0, -lo)
        i = (np.arange(n + lo + hi) - max(lo, 0)) % (n - a - max(0, -hi)) + a
    runs, a, m = [], 0, len(i)
    while a < m:
        b = a + 1
        step = int(i[b] - i[a]) if b < m else 1
        if step not in (-1, 0, 1):
            step = 1
        else:
            while b < m and i[b] - i[b - 1] == step:
                b += 1
        runs.append((a, b, int(i[a]), step))
        a = b
    return i, tuple(runs)


def _gather_data(x, maps):
    """x indexed along each of its last len(maps) dims by that dim's map."""
    k = len(maps)
    for d, (idx, _) in enumerate(maps):
        x = np.take(x, idx, axis=x.ndim - k + d)
    return x


def _scatter_data(g, maps, sizes):
    """The adjoint of _gather_data: g summed back onto inputs of the given sizes."""
    k = len(maps)
    for d, ((idx, runs), n) in enumerate(zip(maps, sizes)):
        axis = g.ndim - k + d
        shape = list(g.shape)
        shape[axis] = n
        out = np.zeros(shape, g.dtype)
        pre = (slice(None),) * axis
        for a, b, start, step in runs:
            part = g[pre + (slice(a, b),)]
            if step == 1:
                out[pre + (slice(start, start + b - a),)] += part
            elif step == -1:
                out[pre + (slice(start - (b - a) + 1, start + 1),)] += np.flip(part, axis)
            else:
                out[pre + (slice(start, start + 1),)] += part.sum(axis=axis, keepdims=True)
        g = out
    return g


class _PadNode(Node):
    """inputs (x,); args (maps, sizes, dual node class). Linear: saves nothing."""
    __slots__ = ()
    save = NONE
    scatter = False

    def apply(self, g, tensor_mode):
        maps, sizes, dual = self.args
        if self.scatter:
            return (_gather(g, maps, sizes, dual, type(self)) if tensor_mode else _gather_data(g, maps),)
        return (_scatter(g, maps, sizes, dual, type(self)) if tensor_mode else _scatter_data(g, maps, sizes),)


def _gather(x, maps, sizes, node, dual):
    return record(_gather_data(x._data, maps), node, (x,), (maps, sizes, dual))


def _scatter(g, maps, sizes, node, dual):
    return record(_scatter_data(g._data, maps, sizes), node, (g,), (maps, sizes, dual))


def _pad_nodes(name):
    fwd = type(name + "Backward0", (_PadNode,), {"__slots__": ()})
    bwd = type(name + "BackwardBackward0", (_PadNode,), {"__slots__": (), "scatter": True})
    return fwd, bwd


_NODES = {(m, k): _pad_nodes(f"{p}Pad{k}D") for m, p in (("reflect", "Reflection"), ("replicate", "Replication"))
          for k in (1, 2, 3)}
_CIRC = (type("CopySlices", (_PadNode,), {"__slots__": ()}),
         type("CopySlicesBackward0", (_PadNode,), {"__slots__": (), "scatter": True}))
for _k in (1, 2, 3):
    _NODES["circular", _k] = _CIRC


def _check_nonconstant(x, mode, pads):
    k = len(pads)
    shape = list(x.shape)
    sizes = shape[x.ndim - k:]
    if mode != "circular":
        batched = x.ndim == k + 2
        if any(s == 0 for s in shape[1 if batched else 0:]):
            raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch "
                               f"size and other non-zero dimensions for input, but got: {shape}")
    for d, (n, (lo, hi)) in enumerate(zip(sizes, pads)):
        m = n + lo + hi
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #{2 * (k - d) + 2}: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) at "
                               f"dimension {x.ndim - k + d} of input {shape}")
        if mode == "circular":
            if lo > n or hi > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if m < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
            if max(lo, hi, 0) > n - max(0, -lo) - max(0, -hi):
                raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                                   "written-to tensor refer to a single memory location. Please clone() "
                                   "the tensor before performing the operation.")
        elif k == 1 and m < 1:
            raise RuntimeError(f"input (W: {n}) is too small. Calculated output W: {m}")
        elif m < 0:
            out = shape[:x.ndim - k] + [s + a + b for s, (a, b) in zip(sizes, pads)]
            raise RuntimeError(f"Trying to create tensor with negative dimension {m}: {out}")


def pad(input, pad, mode="constant", value=None):
    """Pads the last len(pad)//2 dims of input; pad lists (left, right) for the last dim first."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element "
                            f"of type {type(p).__name__} at pos {i}")
    x = input._data
    if mode != "constant":
        if mode not in ("reflect", "replicate", "circular"):
            raise NotImplementedError(f"Unrecognised padding mode {mode}")
        if value is not None and value != 0:
            raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if len(pad) > 2 * x.ndim:       # checked first, as torch does
        raise shape_mismatch(RuntimeError, f"Padding length should be less than or equal to two times the "
                                           f"input dimension but got padding length {len(pad)} and input of "
                                           f"dimension {x.ndim}")
    if mode != "constant" and (k not in (1, 2, 3) or x.ndim not in (k + 1, k + 2)):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {x.ndim}D input tensor.\n"
                                  + _RANK_HELP)
    # (lo, hi) per padded dim, outermost first
    pads = [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in reversed(range(k))]
    if mode == "constant":
        return _constant_pad(input, pads, 0 if value is None else value)
    if x.dtype == np.bool_ and mode != "circular":
        name = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f"\"{name}_pad{k}d\" not implemented for 'Bool'")
    _check_nonconstant(x, mode, pads)
    sizes = tuple(x.shape[x.ndim - k:])
    maps = tuple(_index_map(mode, n, lo, hi) for n, (lo, hi) in zip(sizes, pads))
    fwd, bwd = _NODES[mode, k]
    return _gather(input, maps, sizes, fwd, bwd)
