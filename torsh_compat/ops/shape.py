"""Shape and view ops, indexing with [], and the in-place writers copy_/fill_/zero_.

Views share memory with their base as in torch (record_view keeps base, version counter and
a view function base -> view that works on ndarrays and Tensors alike, so an in-place op
through a view can re-route its base's history: see registry.CopySlices).
"""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, Size, _wrap_dim
from ..autograd.grad_mode import _State
from . import dual as B
from . import samples as S
from .registry import (register, record, record_view, backward_node, make_inplace, check_inplace,
                       assign_result, NONE, INPUTS)


# ---- helpers working on ndarrays and Tensors alike (view functions, backward formulas) ----

def _swap(a, d0, d1):
    return np.swapaxes(a, d0, d1) if B.is_array(a) else a.transpose(d0, d1)


def _permute(a, dims):
    return a.transpose(dims) if B.is_array(a) else a.permute(dims)


def _expand(a, shape):
    return np.broadcast_to(a, shape) if B.is_array(a) else a.expand(shape)


def _inverse_perm(dims):
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    return tuple(inv)


def _sizes(args, name="size"):
    """view(2, 3), view((2, 3)), view([2, 3]) and view(torch.Size) as one tuple of ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    try:
        return tuple(int(a) for a in args)
    except TypeError:
        raise TypeError(f"{name} must be tuple of ints, but got {args!r}") from None


def _infer_shape(shape, numel):
    """Resolve a single -1 as torch does, with torch's error for impossible shapes."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# ---- view ops ------------------------------------------------------------------------------

_reshape_bw = lambda g, x, out: g.reshape(x.shape)
ViewBackward = backward_node("View", _reshape_bw, INPUTS)
UnsafeViewBackward = backward_node("UnsafeView", _reshape_bw, INPUTS)


def view(self, *shape):
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(self, shape[0])
    x = self._data
    shape = _infer_shape(_sizes(shape), x.size)
    try:
        out = np.reshape(x, shape, copy=False)
    except ValueError:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least "
                           "one dimension spans across two contiguous subspaces). Use .reshape(...) "
                           "instead.") from None
    return record_view(out, ViewBackward, self, (), lambda a: a.reshape(shape))


def _view_dtype(self, dtype):
    out = self._data.view(D.to_np(dtype))
    return record_view(out, None, self, (), lambda a: a)


def reshape(input, *shape):
    x = input._data
    shape = _infer_shape(_sizes(shape), x.size)
    try:
        out = np.reshape(x, shape, copy=False)
    except ValueError:
        return record(x.reshape(shape), UnsafeViewBackward, (input,))
    return record_view(out, ViewBackward, input, (), lambda a: a.reshape(shape))


def view_as(self, other):
    return view(self, other.shape)


def reshape_as(self, other):
    return reshape(self, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shp = input._data.shape
    if s == e:
        return input
    n = 1
    for d in shp[s:e + 1]:
        n *= d
    return reshape(input, shp[:s] + (n,) + shp[e + 1:])


def unflatten(input, dim, sizes):
    shp = input._data.shape
    d = _wrap_dim(dim, len(shp))
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = _infer_shape(sizes, shp[d])
    elif int(np.prod(sizes)) != shp[d]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({shp[d]}) in the input tensor")
    return view(input, shp[:d] + sizes + shp[d + 1:]) if input._data.flags.c_contiguous \
        else reshape(input, shp[:d] + sizes + shp[d + 1:])


TransposeBackward = backward_node("Transpose", lambda g, x, out, d0, d1: _swap(g, d0, d1), NONE)


def transpose(input, dim0, dim1):
    nd = input._data.ndim
    d0, d1 = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    out = np.swapaxes(input._data, d0, d1) if nd else input._data
    return record_view(out, TransposeBackward, input, (d0, d1), lambda a: _swap(a, d0, d1))


def t(input):
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return transpose(input, 0, 1) if nd == 2 else _alias(input)


def _alias(input):
    return record_view(input._data.view(), AliasBackward, input, (), lambda a: a)


AliasBackward = backward_node("Alias", lambda g, x, out: g, NONE)

PermuteBackward = backward_node("Permute", lambda g, x, out, dims: _permute(g, _inverse_perm(dims)), NONE)


def permute(input, *dims):
    nd = input._data.ndim
    dims = tuple(_wrap_dim(d, nd) for d in _sizes(dims, "dims"))
    if len(dims) != nd or len(set(dims)) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not "
                           f"match the length of the desired ordering of dimensions i.e. input.dim() "
                           f"= {nd} is not equal to len(dims) = {len(dims)}" if len(dims) != nd else
                           "permute(): duplicate dims are not allowed.")
    out = input._data.transpose(dims)
    return record_view(out, PermuteBackward, input, (dims,), lambda a: _permute(a, dims))


def movedim(input, source, destination):
    nd = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    src = [_wrap_dim(s, nd) for s in src]
    dst = [_wrap_dim(d, nd) for d in dst]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, *order)


SqueezeBackward = backward_node("Squeeze", _reshape_bw, INPUTS)
# torch names the node by overload: squeeze() 0, squeeze(int) 1, squeeze(tuple) 2
_SQUEEZE_NODES = (SqueezeBackward, backward_node("SqueezeBackward1", _reshape_bw, INPUTS),
                  backward_node("SqueezeBackward2", _reshape_bw, INPUTS))
UnsqueezeBackward = backward_node("Unsqueeze", _reshape_bw, INPUTS)


def squeeze(input, dim=None):
    shp = input._data.shape
    if dim is None:
        new = tuple(s for s in shp if s != 1)
    else:
        dims = {_wrap_dim(d, len(shp)) for d in ((dim,) if isinstance(dim, int) else dim)}
        new = tuple(s for i, s in enumerate(shp) if not (i in dims and s == 1))
    node = _SQUEEZE_NODES[0 if dim is None else 1 if isinstance(dim, int) else 2]
    return record_view(input._data.reshape(new), node, input, (), lambda a: a.reshape(new))


def unsqueeze(input, dim):
    shp = input._data.shape
    d = _wrap_dim(dim, len(shp) + 1)
    new = shp[:d] + (1,) + shp[d:]
    return record_view(input._data.reshape(new), UnsqueezeBackward, input, (), lambda a: a.reshape(new))


ExpandBackward = backward_node("Expand", lambda g, x, out: g, NONE)   # the engine sums g to x's shape


def expand(input, *sizes):
    sizes = _sizes(sizes)
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand({input.type()}{{{list(shp)}}}, size={list(sizes)}): the number "
                           f"of sizes provided ({len(sizes)}) must be greater or equal to the number "
                           f"of dimensions in the tensor ({len(shp)})")
    lead = len(sizes) - len(shp)
    target = []
    for i, s in enumerate(sizes):
        if s == -1:
            if i < lead:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            s = shp[i - lead]
        elif i >= lead and shp[i - lead] != 1 and shp[i - lead] != s:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size "
                               f"({shp[i - lead]}) at non-singleton dimension {i}.  Target sizes: "
                               f"{list(sizes)}.  Tensor sizes: {list(shp)}")
        target.append(s)
    target = tuple(target)
    out = np.broadcast_to(input._data, target)
    return record_view(out, ExpandBackward, input, (), lambda a: _expand(a, target))


def expand_as(input, other):
    return expand(input, other.shape)


def _scatter_back(g, x, key):
    """Gradient of x[key]: g placed at key in zeros shaped like x (duplicates add up)."""
    if B.is_array(g):
        z = np.zeros(x.shape, g.dtype)
        if _has_array(key):
            np.add.at(z, key, g)
        else:
            z[key] = g
        return z
    return _index_backward(g, tuple(x.shape), key)


IndexBackwardBackward = backward_node(
    "IndexBackward1", lambda g, gi, out, shape, key: g[key] if B.is_array(g) else _getitem_key(g, key), NONE)


def _index_backward(g, shape, key):
    """Differentiable zeros(shape)[key] += g, so getitem has second derivatives."""
    z = np.zeros(shape, g._data.dtype)
    if _has_array(key):
        np.add.at(z, key, g._data)
    else:
        z[key] = g._data
    return record(z, IndexBackwardBackward, (g,), (shape, key))


SelectBackward = backward_node("Select", lambda g, x, out, key: _scatter_back(g, x, key), NONE)
SliceBackward = backward_node("Slice", lambda g, x, out, key: _scatter_back(g, x, key), NONE)
IndexBackward = backward_node("Index", lambda g, x, out, key: _scatter_back(g, x, key), NONE)


def narrow(input, dim, start, length):
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    size = input._data.shape[d]
    if isinstance(start, Tensor):
        start = start.item()
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    return record_view(input._data[key], SliceBackward, input, (key,), lambda a: a[key])


def select(input, dim, index):
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    size = input._data.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {dim}")
    key = (slice(None),) * d + (index,)
    return record_view(input._data[key], SelectBackward, input, (key,), lambda a: a[key])


def unbind(input, dim=0):
    d = _wrap_dim(dim, input._data.ndim)
    return tuple(select(input, d, i) for i in range(input._data.shape[d]))


def _diag_view(a, offset, d1, d2):
    """Writable diagonal view (np.diagonal's own is read-only)."""
    if not B.is_array(a):
        return a.diagonal(offset, d1, d2)
    diag = np.diagonal(a, offset, d1, d2)
    return np.lib.stride_tricks.as_strided(a[_diag_start(a.shape, offset, d1, d2)], diag.shape,
                                           diag.strides, writeable=True) if diag.size else diag


def _diag_start(shape, offset, d1, d2):
    key = [slice(None)] * len(shape)
    key[d2 if offset >= 0 else d1] = slice(abs(offset), None) if (shape[d2 if offset >= 0 else d1]) > abs(offset) else slice(0, 0)
    return tuple(key)


def _diagonal_bw(g, x, out, offset, d1, d2):
    if B.is_array(g):
        z = np.zeros(x.shape, g.dtype)
        _diag_view(z, offset, d1, d2)[...] = g
        return z
    import torsh_compat as torch
    return torch.diagonal_scatter(B.zeros_like(x), g, offset, d1, d2)


DiagonalBackward = backward_node("Diagonal", _diagonal_bw, INPUTS)


def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = _diag_view(input._data, offset, d1, d2)
    return record_view(out, DiagonalBackward, input, (offset, d1, d2),
                       lambda a: _diag_view(a, offset, d1, d2))


def _diagonal_scatter_bw(g, x, src, out, offset, d1, d2):
    if B.is_array(g):
        gx = np.array(g, copy=True)
        _diag_view(gx, offset, d1, d2)[...] = 0
        return gx, np.diagonal(g, offset, d1, d2).copy()
    gsrc = g.diagonal(offset, d1, d2)
    return diagonal_scatter(g, gsrc * 0, offset, d1, d2), gsrc


DiagonalScatterBackward = backward_node("DiagonalScatter", _diagonal_scatter_bw, NONE)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    out = np.array(input._data, copy=True)
    _diag_view(out, offset, d1, d2)[...] = src._data
    return record(out, DiagonalScatterBackward, (input, src), (offset, d1, d2))


def _as_strided_view(a, size, stride, offset):
    itemsize = a.itemsize if B.is_array(a) else a._data.itemsize
    if not B.is_array(a):
        return a.as_strided(size, stride, offset)
    flat = a.reshape(-1)
    return np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * itemsize for s in stride),
                                           writeable=True)


def _as_strided_bw(g, x, out, size, stride, offset):
    if B.is_array(g):
        z = np.zeros(x.size if hasattr(x, "size") and not callable(x.size) else int(np.prod(x.shape)), g.dtype)
        view = _as_strided_view(z, size, stride, offset)
        # overlapping windows add up: accumulate through flat indices
        idx = _as_strided_view(np.arange(z.size), size, stride, offset)
        np.add.at(z, idx, g)
        return z.reshape(x.shape)
    raise NotImplementedError("double backward through as_strided is not supported")


AsStridedBackward = backward_node("AsStrided", _as_strided_bw, INPUTS)


def as_strided(input, size, stride, storage_offset=0):
    """Strides are taken over the input's elements in row-major order (the input is made
    contiguous first when it is not, as its base would be in torch)."""
    x = input._data if input._data.flags.c_contiguous else np.ascontiguousarray(input._data)
    size, stride = tuple(size), tuple(stride)
    out = _as_strided_view(x, size, stride, storage_offset)
    return record_view(out, AsStridedBackward, input, (size, stride, storage_offset),
                       lambda a: _as_strided_view(a, size, stride, storage_offset))


def unfold(input, dimension, size, step):
    nd = input._data.ndim
    d = _wrap_dim(dimension, nd) if nd else 0
    n = input._data.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    x = input._data if input._data.flags.c_contiguous else np.ascontiguousarray(input._data)
    el = [s // x.itemsize for s in x.strides]
    count = (n - size) // step + 1
    shape = x.shape[:d] + (count,) + x.shape[d + 1:] + (size,)
    strides = el[:d] + [el[d] * step] + el[d + 1:] + [el[d]]
    return as_strided(input if x is input._data else Tensor._make(x), shape, strides, 0) \
        if x is input._data else as_strided(input.contiguous(), shape, strides, 0)


# ---- copies ------------------------------------------------------------------------------

CloneBackward = backward_node("Clone", lambda g, x, out: g, NONE)


def clone(input, *, memory_format=None):
    return record(np.array(input._data, copy=True), CloneBackward, (input,))


def contiguous(self, memory_format=None):
    return self if self._data.flags.c_contiguous else clone(self)


ToCopyBackward = backward_node("ToCopy", lambda g, x, out: g, NONE)   # the engine casts g to x's dtype


def _cast(self, dtype):
    out = D.astype(self._data, D.to_np(dtype))
    if not (dtype.is_floating_point or dtype.is_complex):
        return record(out, None, ())
    return record(out, ToCopyBackward, (self,))


# ---- [] ----------------------------------------------------------------------------------

def _has_array(key):
    return any(isinstance(k, np.ndarray) for k in key)


def _np_key(key):
    """torch's index -> a NumPy index tuple (advanced parts as int64/bool arrays)."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            d = k._data
            if d.dtype == np.bool_ or d.dtype.kind in "iu":
                if d.ndim == 0 and d.dtype != np.bool_:
                    k = int(d)
                else:
                    k = d
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif isinstance(k, slice):
            if k.step is not None and _int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            if any(isinstance(v, Tensor) for v in (k.start, k.stop, k.step)):
                k = slice(*(_int(v) if v is not None else None for v in (k.start, k.stop, k.step)))
        elif isinstance(k, (list, np.ndarray)):
            k = np.asarray([_int(v) if isinstance(v, Tensor) else v for v in k]) if isinstance(k, list) \
                and any(isinstance(v, Tensor) for v in k) else np.asarray(k)
            if k.dtype.kind not in "iub":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif k is None or k is Ellipsis or isinstance(k, (int, np.integer, bool)):
            pass
        else:
            raise IndexError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             f"Variables are valid indices (got {type(k).__name__})")
        out.append(k)
    return tuple(out)


def _int(v):
    return int(v.item()) if isinstance(v, Tensor) else int(v)


def _getitem_key(self, key):
    """self[key] for a key already in NumPy form."""
    x = self._data
    out = x[key]
    if _has_array(key):
        return record(out, IndexBackward, (self,), (key,))
    if out.__class__ is not np.ndarray:   # an int per dim: NumPy returns a scalar, not a view
        out = x[key + (Ellipsis,)]
    node = SelectBackward if all(isinstance(k, (int, np.integer)) for k in key) else SliceBackward
    return record_view(out, node, self, (key,), lambda a: a[key])


def __getitem__(self, key):
    return _getitem_key(self, _np_key(key))


def __setitem__(self, key, value):
    check_inplace(self)
    k = _np_key(key)
    value_rg = isinstance(value, Tensor) and value._rg
    if not (_State.enabled and (self._rg or value_rg)):
        src = value._data if isinstance(value, Tensor) else value
        try:
            self._data[k] = src
        except ValueError as e:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(src))} cannot be "
                               f"broadcast to indexing result of shape "
                               f"{list(np.shape(self._data[k]))}") from None
        self._vc[0] += 1
        return
    if _has_array(k):
        import torsh_compat as torch
        idx = tuple(torch.from_numpy(np.asarray(i)) for i in k)
        if len(idx) != len(k) or any(not isinstance(i, np.ndarray) for i in k):
            # mixed basic/advanced keys: write through the basic part as a view first
            raise NotImplementedError("assignment with mixed slice and tensor indices to a tensor that "
                                      "requires grad is not supported yet")
        self.index_put_(idx, value if isinstance(value, Tensor) else torch.tensor(value, dtype=self.dtype))
        return
    copy_(_getitem_key(self, k), value)


# ---- in-place writers --------------------------------------------------------------------

CopyBackwards = backward_node("CopyBackwards", lambda g, x, src, out: (g * 0, g), NONE)


def _copy_from(self, src):
    """The values of self after self.copy_(src): src broadcast to self's shape, in self's dtype."""
    data = self._data
    if isinstance(src, Tensor):
        s = src._data
    else:
        s = np.asarray(src)
    try:
        out = np.array(np.broadcast_to(s, data.shape), dtype=data.dtype, copy=True)
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({data.shape[-1] if data.ndim else 1}) must match "
                           f"the size of tensor b ({s.shape[-1] if s.ndim else 1}) at non-singleton "
                           f"dimension {data.ndim - 1}") from None
    if isinstance(src, Tensor):
        return record(out, CopyBackwards, (self, src))
    return record(out, None, ())


def copy_(self, src, non_blocking=False):
    check_inplace(self)
    if not _State.enabled or not (self._rg or (isinstance(src, Tensor) and src._rg)):
        s = src._data if isinstance(src, Tensor) else src
        try:
            np.copyto(self._data, s, casting="unsafe")
        except ValueError:
            raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the "
                               f"broadcast shape {list(np.shape(s))}") from None
        self._vc[0] += 1
        return self
    return assign_result(self, _copy_from(self, src), "copy")


def fill_(self, value):
    check_inplace(self)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        if value._rg and _State.enabled:
            return copy_(self, value)
        value = value.item()
    if not _State.enabled or not self._rg:
        self._data[...] = value
        self._vc[0] += 1
        return self
    return assign_result(self, record(np.full(self._data.shape, value, self._data.dtype), None, ()), "fill")


def zero_(self):
    return fill_(self, 0)


# ---- registration ------------------------------------------------------------------------

_EXPAND_ARGS = {0: [((3,), {}), ((2, 3), {})], 1: [((4,), {}), ((2, -1), {})],
                2: [((3, 4), {}), ((2, -1, 5), {})], 3: [((2, 3, 4), {}), ((-1, 3, -1), {})]}
RESHAPES = S.unary(dtypes=S.ALL, min_ndim=2, shapes=[((3, 4),), ((2, 3, 4),)],
                   args=lambda nd: [(((-1,),), {}), (((4, -1),), {}) if nd == 2 else (((2, 12),), {})])

register(view, node=ViewBackward, namespace=False, samples=S.unary(
    dtypes=S.ALL, layouts=False, shapes=[((3, 4),), ((2, 3, 4),), ((0, 4),)],
    args=lambda nd: [((-1,), {}), ((2, -1), {})]))
register(reshape, node=ViewBackward, samples=RESHAPES)
register(view_as, node=ViewBackward, namespace=False,
         samples=S.Spec(arity=2, shapes=[((3, 4), (12,)), ((2, 3, 4), (6, 4))], layouts=False))
register(reshape_as, node=ViewBackward, namespace=False,
         samples=S.Spec(arity=2, shapes=[((3, 4), (12,)), ((2, 3, 4), (6, 4))]))
register(flatten, node=ViewBackward, samples=S.unary(dtypes=S.ALL, args=lambda nd: [
    ((), {})] + ([((1,), {}), ((0, -2), {})] if nd >= 2 else [])))
register(unflatten, node=ViewBackward, samples=S.unary(min_ndim=1, shapes=[((12,),), ((3, 12),)],
                                                      args=lambda nd: [((-1, (3, 4)), {}), ((-1, (2, -1)), {})]))
register(transpose, node=TransposeBackward, aliases=("swapaxes", "swapdims"), samples=S.unary(
    dtypes=S.ALL, min_ndim=2, args=lambda nd: [((0, 1), {}), ((-1, 0), {})]))
register(t, node=TransposeBackward, samples=S.unary(dtypes=S.ALL, shapes=[((3, 4),), ((5,),), ((),)]))
register(permute, node=PermuteBackward, samples=S.unary(dtypes=S.ALL, min_ndim=2, args=lambda nd: [
    ((tuple(reversed(range(nd))),), {}), ((tuple(range(1, nd)) + (0,),), {})]))
register(movedim, node=PermuteBackward, aliases=("moveaxis",), samples=S.unary(
    min_ndim=2, args=lambda nd: [((0, -1), {}), (((0, 1), (1, 0)), {})]))
register(squeeze, node=SqueezeBackward, samples=S.unary(
    dtypes=S.ALL, shapes=[((1, 3, 1, 4),), ((3, 1),), ((1,),), ((),)],
    args=lambda nd: [((), {})] + ([((0,), {}), ((-1,), {})] if nd else [])))
register(unsqueeze, node=UnsqueezeBackward, samples=S.unary(dtypes=S.ALL, args=lambda nd: [
    ((0,), {}), ((-1,), {})]))
register(expand, node=ExpandBackward, samples=S.unary(
    dtypes=S.ALL, shapes=[((3, 1),), ((1,),), ((),), ((2, 1, 4),)],
    args=lambda nd: _EXPAND_ARGS[nd]))
register(expand_as, node=ExpandBackward, namespace=False, samples=S.Spec(
    arity=2, shapes=[((3, 1), (2, 3, 4)), ((4,), (3, 4))], layouts=False))
register(narrow, node=SliceBackward, samples=S.unary(dtypes=S.ALL, min_ndim=1, shapes=[
    ((5,),), ((3, 4),), ((2, 3, 4),)], args=lambda nd: [((0, 1, 2), {}), ((-1, 0, 2), {})]))
register(select, node=SelectBackward, samples=S.unary(dtypes=S.ALL, min_ndim=1, shapes=[
    ((5,),), ((3, 4),), ((2, 3, 4),)], args=lambda nd: [((0, 1), {}), ((-1, -1), {})]))
register(unbind, node=SelectBackward, samples=S.unary(dtypes=S.ALL, min_ndim=1, shapes=[
    ((3,),), ((3, 4),), ((2, 3, 4),)], args=lambda nd: [((), {}), ((-1,), {})]))
register(diagonal, node=DiagonalBackward, samples=S.unary(min_ndim=2, args=lambda nd: [
    ((), {}), ((1,), {}), ((-1, 0, -1), {})]))
register(diagonal_scatter, node=DiagonalScatterBackward, samples=S.Spec(
    arity=2, shapes=[((3, 3), (3,)), ((3, 4), (3,))], layouts=False))
register(as_strided, node=AsStridedBackward, samples=S.unary(shapes=[((3, 4),), ((12,),)], layouts=False,
                                                             args=lambda nd: [(((2, 2), (1, 2), 1), {}), (((3, 3), (2, 1)), {})]))
register(unfold, node=AsStridedBackward, namespace=False, samples=S.unary(
    min_ndim=1, shapes=[((7,),), ((3, 6),)], args=lambda nd: [((-1, 2, 1), {}), ((-1, 3, 2), {})]))
register(clone, node=CloneBackward, samples=S.unary(dtypes=S.ALL))
register(contiguous, node=CloneBackward, namespace=False, samples=S.unary(dtypes=S.ALL))
register(__getitem__, name="__getitem__", node=SliceBackward, namespace=False, samples=S.unary(
    dtypes=S.ALL, min_ndim=2, shapes=[((4, 5),), ((3, 4, 5),)],
    call=lambda mod, x, key: x[key], args=lambda nd: [
        ((0,), {}), ((slice(1, 3),), {}), (((slice(None), 1),), {}), (((Ellipsis, None, slice(0, 4, 2)),), {}),
        (([0, 2, 0],), {}), (((slice(None), [1, 1, 3]),), {}), ((-1,), {})]))
register(copy_, name="copy_", node=CopyBackwards, namespace=False, samples=S.Spec(
    arity=2, dtypes=S.ALL, shapes=[((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 3), ())],
    call=lambda mod, x, src: (x * 1 if x.requires_grad else x.clone()).copy_(src)))
register(fill_, name="fill_", namespace=False, samples=S.unary(
    dtypes=S.ALL, call=lambda mod, x, v: (x * 1 if x.requires_grad else x.clone()).fill_(v),
    args=lambda nd: [((2,), {}), ((0.5,), {})]))
register(zero_, name="zero_", namespace=False, samples=S.unary(
    dtypes=S.ALL, call=lambda mod, x: (x * 1 if x.requires_grad else x.clone()).zero_()))
Tensor.__setitem__ = __setitem__
Tensor._cast = _cast
Tensor.T = property(lambda self: permute(self, *reversed(range(self._data.ndim))))
Tensor.mT = property(lambda self: transpose(self, -2, -1))
Tensor.H = property(lambda self: t(self).conj() if self.is_complex() else t(self))
Tensor.mH = property(lambda self: transpose(self, -2, -1).conj() if self.is_complex() else transpose(self, -2, -1))
Tensor.view = view
Tensor.ravel = lambda self: reshape(self, -1)
ravel = Tensor.ravel
Tensor.adjoint = lambda self: Tensor.mH.fget(self)
