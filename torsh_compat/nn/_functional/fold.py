"""F.unfold (im2col) and F.fold (col2im): the column kernels of the convolutions, exposed.
Each is the other's gradient, so double backward is the same pair again."""
import numpy as np

from ..._errors import shape_mismatch
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops.registry import record, NONE
from .conv import Geom, im2col, col2im

__all__ = ["unfold", "fold"]

_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte"}


def _pair(v, name):
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v), int(v))
    v = tuple(v)
    if len(v) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    return tuple(int(e) for e in v)


def _params(kernel_size, dilation, padding, stride):
    """The four pairs of unfold/fold, after torch's checks."""
    k, d, p, s = (_pair(kernel_size, "kernel_size"), _pair(dilation, "dilation"), _pair(padding, "padding"),
                  _pair(stride, "stride"))
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = k, d, p, s
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {kh} "
                           f"kernel_width: {kw}")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dh} "
                           f"dilation_width: {dw}")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {ph} pad_width: {pw}")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {sh} "
                           f"stride_width: {sw}")
    return k, d, p, s


def _check_dtype(a, kernel):
    name = _NAMES.get(a.dtype.name)
    if name is not None:
        raise NotImplementedError(f"\"{kernel}_out_cpu\" not implemented for '{name}'")


class _FoldNode(Node):
    """inputs (x,); args (geom, in_shape). unfold's gradient is fold and fold's is unfold."""
    __slots__ = ()
    save = NONE
    to_cols = True      # this node's op made columns: its gradient folds them back

    def apply(self, g, tensor_mode):
        geom, in_shape = self.args
        if tensor_mode:
            return (_fold_op(g, geom) if self.to_cols else _unfold_op(g, geom),)
        if self.to_cols:
            return (col2im(g if g.ndim == 3 else g[None], geom).reshape(in_shape),)
        return (im2col(g if g.ndim == 4 else g[None], geom).reshape(in_shape),)


Im2ColBackward0 = type("Im2ColBackward0", (_FoldNode,), {"__slots__": ()})
Col2ImBackward0 = type("Col2ImBackward0", (_FoldNode,), {"__slots__": (), "to_cols": False})


def _unfold_op(x, geom):
    """im2col of a Tensor (3-D unbatched or 4-D), recorded as Im2ColBackward0."""
    a = x._data
    cols = im2col(a if a.ndim == 4 else a[None], geom)
    if a.ndim == 3:
        cols = cols[0]
    return record(cols, Im2ColBackward0, (x,), (geom, a.shape))


def _fold_op(c, geom):
    """col2im of a Tensor (2-D unbatched or 3-D), recorded as Col2ImBackward0."""
    a = c._data
    img = col2im(a if a.ndim == 3 else a[None], geom)
    if a.ndim == 2:
        img = img[0]
    return record(np.ascontiguousarray(img), Col2ImBackward0, (c,), (geom, a.shape))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of a (N, C, H, W) or (C, H, W) input as columns (N, C*kh*kw, L)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"unfold(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    k, d, p, s = _params(kernel_size, dilation, padding, stride)
    a = input._data
    shape = list(a.shape)
    if a.ndim not in (3, 4) or any(n == 0 for n in shape[a.ndim - 3:]):
        if a.ndim < 3:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-a.ndim}, {a.ndim - 1}], "
                             f"but got 2)")
        raise shape_mismatch(
            RuntimeError, f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
                          f"non-zero dimensions for input, but got: {shape}")
    _check_dtype(a, "im2col")
    size = a.shape[-2:]
    geom = Geom(s, p, d, 1, size, k)
    if any(o < 1 for o in geom.out):
        raise RuntimeError(f"Given input with spatial size {tuple(size)}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, calculated shape of the array of sliding blocks as {geom.out}, "
                           f"but its components must be at least one.")
    return _unfold_op(input, geom)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums columns (N, C*kh*kw, L) back into a (N, C, *output_size) image: the adjoint of unfold."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fold(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    size = _pair(output_size, "output_size")
    k, d, p, s = _params(kernel_size, dilation, padding, stride)
    a = input._data
    shape = list(a.shape)
    if a.ndim not in (2, 3) or any(n == 0 for n in shape[a.ndim - 2:]):
        raise shape_mismatch(
            RuntimeError, f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
                          f"non-zero dimensions for input, but got: {shape}")
    if shape[-2] % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={shape[-2]} and kernel_size={k}.")
    geom = Geom(s, p, d, 1, size, k)
    blocks = geom.out[0] * geom.out[1]
    if shape[-1] != blocks:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, "
                           f"stride={s}, expected size of input's dimension 2 to match the calculated number "
                           f"of sliding blocks {geom.out[0]} * {geom.out[1]} = {blocks}, but got "
                           f"input.size(2)={shape[-1]}.")
    _check_dtype(a, "col2im")
    return _fold_op(input, geom)
