"""torch.nn.utils.rnn: PackedSequence and the pack / pad helpers.

Packing and padding are one row gather or one row scatter each (a pair of nodes that are each
other's backward, so higher derivatives work too), over the input seen as (time * batch) rows.
"""
from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ...ops import dual as B
from ...ops.registry import NONE, backward_node, record

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]


def _tc():
    import torsh_compat
    return torsh_compat


# ---- row gather / scatter --------------------------------------------------------------------

def _take_rows(x, idx):
    """x[idx] for an (M, *) tensor and a vector of distinct row indices."""
    return record(x._data[idx], _TakeRows, (x,), (idx, x.shape[0]))


def _put_rows(x, idx, m, fill):
    """An (m, *) tensor filled with `fill` whose rows idx (distinct) are the rows of x."""
    a = x._data
    out = np.full((m,) + a.shape[1:], fill, dtype=a.dtype)
    out[idx] = a
    return record(out, _PutRows, (x,), (idx,))


def _take_backward(g, x, out, idx, m):
    if B.is_array(g):
        r = np.zeros((m,) + g.shape[1:], g.dtype)
        r[idx] = g
        return r
    return _put_rows(g, idx, m, 0)


def _put_backward(g, x, out, idx):
    return g[idx] if B.is_array(g) else _take_rows(g, idx)


_TakeRows = backward_node("PackPaddedSequenceBackward0", _take_backward, NONE)
_PutRows = backward_node("CopySlices", _put_backward, NONE)


# ---- PackedSequence --------------------------------------------------------------------------

def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices"])):
    """Packed rows of a batch of sequences: data (sum of lengths, *), batch_sizes (steps,) on the
    CPU, and the permutation from the caller's batch order to decreasing length and back."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != "cpu":
                raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should "
                                 "never be created manually. They should be instantiated by functions like "
                                 "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                                 "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not (isinstance(data, (list, tuple)) and len(data) == 2):
            raise AssertionError("Expected data to be a list or tuple of length 2")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def pin_memory(self):
        return type(self)(self.data.pin_memory(), self.batch_sizes,
                          _bind(self.sorted_indices, lambda t: t.pin_memory()),
                          _bind(self.unsorted_indices, lambda t: t.pin_memory()))

    def to(self, *args, **kwargs):
        """Converts data (dtype, device); returns self when nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices = _bind(self.sorted_indices, lambda t: t.to(data.device))
        unsorted_indices = _bind(self.unsorted_indices, lambda t: t.to(data.device))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cuda(self, *args, **kwargs):
        kwargs.setdefault("device", "cuda")
        return self.to(*args, **kwargs)

    def cpu(self, *args, **kwargs):
        kwargs["device"] = "cpu"
        return self.to(*args, **kwargs)

    def double(self):
        return self.to(dtype=D.float64)

    def float(self):
        return self.to(dtype=D.float32)

    def half(self):
        return self.to(dtype=D.float16)

    def long(self):
        return self.to(dtype=D.int64)

    def int(self):
        return self.to(dtype=D.int32)

    def short(self):
        return self.to(dtype=D.int16)

    def char(self):
        return self.to(dtype=D.int8)

    def byte(self):
        return self.to(dtype=D.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return self.data.is_pinned()


def invert_permutation(permutation):
    """The inverse of a permutation vector (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=p.dtype)
    return Tensor._make(inv)


# ---- packing and padding ---------------------------------------------------------------------

def _long(a):
    return Tensor._make(np.asarray(a, dtype=np.int64))


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded (T, B, *) (or (B, T, *)) batch whose sequence b has length lengths[b]."""
    tc = _tc()
    if not isinstance(lengths, Tensor):
        lengths = tc.as_tensor(lengths, dtype=D.int64, device="cpu")
    else:
        lengths = lengths.to(dtype=D.int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = tc.sort(lengths, descending=True)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    L = lengths._data
    if L.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {L.ndim}D cpu "
                           f"Long tensor")
    if batch_first:
        steps, batch = input.shape[1], input.shape[0]
    else:
        steps, batch = input.shape[0], input.shape[1]
    if L.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {L.size} "
                           f"(batch_size={batch})")
    if L[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if np.any(L[:-1] < L[1:]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                           "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                           "pack_sequence to sidestep this requirement if you do not need ONNX "
                           "exportability.")
    if L[0] > steps:
        raise RuntimeError(f"a sequence length ({int(L[0])}) exceeds the padded length ({steps})")
    ts, bs = np.nonzero(np.arange(L[0])[:, None] < L[None, :])
    idx = bs * steps + ts if batch_first else ts * batch + bs
    data = _take_rows(input.reshape((steps * batch,) + tuple(input.shape[2:])), idx)
    batch_sizes = _long(np.count_nonzero(L[None, :] > np.arange(L[0])[:, None], axis=1))
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: (padded, lengths) in the caller's original batch order."""
    bsz = sequence.batch_sizes._data
    max_seq_length = bsz.shape[0]
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in "
                             f"input, but got total_length={total_length} and max sequence length being "
                             f"{max_seq_length}")
        max_seq_length = total_length
    data = sequence.data
    batch = int(bsz[0]) if bsz.size else 0
    lengths = np.count_nonzero(bsz[None, :] > np.arange(batch)[:, None], axis=1).astype(np.int64)
    ts, bs = np.nonzero(np.arange(bsz.shape[0])[:, None] < lengths[None, :])
    idx = bs * max_seq_length + ts if batch_first else ts * batch + bs
    rest = tuple(data.shape[1:])
    padded = _put_rows(data, idx, max_seq_length * batch, padding_value)
    padded = padded.reshape(((batch, max_seq_length) if batch_first else (max_seq_length, batch)) + rest)
    lengths = _long(lengths)
    ui = sequence.unsorted_indices
    if ui is not None:
        return padded.index_select(0 if batch_first else 1, ui), _long(lengths._data[ui._data])
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length (L_i, *) tensors into (T, B, *) (or (B, T, *)), padding each."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            for d in range(len(trailing) - 1, -1, -1):
                got = s.shape[1 + d] if d < s.dim() - 1 else None
                if got != trailing[d]:
                    raise RuntimeError(f"The size of tensor a ({trailing[d]}) must match the size of "
                                       f"tensor b ({got}) at non-singleton dimension {d + 1}")
            raise RuntimeError(f"pad_sequence: every sequence must have {len(trailing) + 1} dims")
    lens = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    batch, longest = len(sequences), int(lens.max())
    b = np.repeat(np.arange(batch), lens)
    t = np.arange(lens.sum()) - np.repeat(np.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t = t + np.repeat(longest - lens, lens)
    idx = b * longest + t if batch_first else t * batch + b
    data = sequences[0] if batch == 1 else _tc().cat(sequences)
    out = _put_rows(data, idx, longest * batch, padding_value)
    return out.reshape(((batch, longest) if batch_first else (longest, batch)) + trailing)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of unpadded sequences of a padded batch (a copy of each, as torch's masking gives)."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)].clone() for seq, n in zip(padded_sequences, lengths)]


def pack_sequence(sequences, enforce_sorted=True):
    """pack_padded_sequence(pad_sequence(sequences), lengths of the sequences)."""
    lengths = _long([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in the original order."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
