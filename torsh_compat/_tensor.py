"""Tensor: a NumPy array plus the autograd state torch keeps beside it.

Hot attributes are slots (_data, _node, _rg, _vc); rarely set ones (grad, _base, hooks, ...)
live in the instance dict and fall back to the class defaults below, so creating a tensor costs
four stores. Ops are attached as methods by torsh_compat.ops; this file holds only what is
about the tensor object itself.
"""
import numpy as np

from . import _dtype as D
from ._device import CPU, check_device, device
from .autograd import graph
from .autograd.grad_mode import _State


class Size(tuple):
    """torch.Size: a tuple of ints. Calling it returns itself (the ToRSh face's `x.shape()`)."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def __call__(self):
        return self

    def dims(self):
        return self

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i):
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))


_new = object.__new__


class Tensor:
    __slots__ = ("_data", "_node", "_rg", "_vc", "__dict__", "__weakref__")
    __array_ufunc__ = None          # NumPy defers to our reflected operators
    __array_priority__ = 1000

    _grad = None
    _base = None                    # root tensor when this is a view
    _view_fn = None                 # base -> this view, on ndarrays and Tensors alike
    _hooks = None
    _is_param = False

    # ---- construction -------------------------------------------------------------------
    @staticmethod
    def _make(data, node=None):
        t = _new(Tensor)
        t._data = data
        t._node = node
        t._rg = node is not None
        t._vc = [0]
        return t

    @classmethod
    def _make_subclass(cls, data, requires_grad=False):
        t = _new(cls)
        t._data = data._data
        t._node = None
        t._rg = False
        t._vc = data._vc
        if requires_grad:
            t.requires_grad = True
        return t

    def __new__(cls, *args, **kwargs):
        """Legacy constructor: torch.Tensor(2, 3), torch.Tensor([1, 2]), torch.Tensor(ndarray)."""
        from ._creation import legacy_new
        return legacy_new(cls, None, args, kwargs, False)

    def __init__(self, *args, **kwargs):
        pass

    # ---- identity, shape, dtype, device ------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return D.FROM_NP[self._data.dtype]

    @property
    def device(self):
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mps = False
    is_nested = False
    layout = "torch.strided"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def stride(self, dim=None):
        isz = self._data.itemsize
        st = tuple(s // isz for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def storage_offset(self):
        if self._base is None:
            return 0
        return (self.data_ptr() - self._base.data_ptr()) // self._data.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f" or self._data.dtype == D.bfloat16.np

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        return -1

    def __hash__(self):
        return id(self)

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()))

    def __int__(self):
        return int(self.item())

    def __float__(self):
        return float(self.item())

    def __complex__(self):
        return complex(self.item())

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self._data.dtype.kind == "V":     # bfloat16: NumPy has no such dtype, so torch refuses
            raise TypeError("Got unsupported ScalarType BFloat16")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data

    def __repr__(self, *, tensor_contents=None):
        from ._printing import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    # ---- autograd state -----------------------------------------------------------------
    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                                   f"tensor of size '{list(self._data.shape)}'. Please ensure that the "
                                   f"gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(f"attempting to assign a gradient with dtype '{D.c_name(value._data.dtype)}' "
                                   f"to a tensor with grad_dtype '{D.legacy_name(self._data.dtype)}'. The "
                                   f"gradient must match the tensor's grad_dtype (defaults to the tensor's "
                                   f"dtype).")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if self._node is not None:
            if not flag:
                raise RuntimeError("you can only change requires_grad flags of leaf variables. If you "
                                   "want to use a computed variable in a subgraph that doesn't require "
                                   "differentiation use var_no_grad = var.detach().")
            return
        if flag and self._data.dtype.kind not in "fc" and self._data.dtype != D.bfloat16.np:
            raise RuntimeError(f"only Tensors of floating point and complex dtype can require "
                               f"gradients, got {self.dtype}")
        self._rg = flag

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self._grad_node() is None

    @property
    def grad_fn(self):
        return self._grad_node()

    @property
    def _version(self):
        return self._vc[0]

    def _bump(self):
        self._vc[0] += 1

    def _grad_node(self):
        """This tensor's Node; a view whose base changed in place gets its Node rebuilt from the base."""
        base = self._base
        if base is not None and self.__dict__.get("_view_ver") != self._vc[0] and base._rg:
            with _Enabled():
                node = self._view_fn(base)._node
            node.__class__ = _as_strided_class(node.__class__)
            self._node = node
            self._rg = True
            self.__dict__["_view_ver"] = self._vc[0]
        return self._node

    def retain_grad(self):
        n = self._grad_node()
        if n is None:
            if not self._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        import weakref
        n.retained = weakref.ref(self)

    @property
    def retains_grad(self):
        n = self._node
        if n is None:
            return False
        r = n.retained
        return r is not None and r() is self

    def register_hook(self, hook):
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        n = self._grad_node()
        if n is not None:
            return n.register_tensor_hook(hook)
        hooks = self.__dict__.get("_hooks")
        if hooks is None:
            hooks = self.__dict__["_hooks"] = {}
        key = object()
        hooks[key] = hook
        return _LeafHookHandle(hooks, key)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = Tensor._make(self._data)
        t._vc = self._vc
        return t

    def detach_(self):
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._node = None
        self._rg = False
        return self

    @property
    def data(self):
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    # ---- device and dtype conversion ---------------------------------------------------
    def to(self, *args, **kwargs):
        dtype, copy = kwargs.pop("dtype", None), kwargs.pop("copy", False)
        dev = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, D.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, (str, device, int)):
                dev = a
            elif isinstance(a, bool):
                pass
            else:
                raise TypeError(f"to() received an invalid combination of arguments - got {a!r}")
        if dev is not None:
            check_device(dev)
        if dtype is None or D.to_np(dtype) == self._data.dtype:
            return self.clone() if copy else self
        return self._cast(dtype)

    def to_device(self, device):
        """The ToRSh face's spelling of `to(device)`."""
        return self.to(device)

    @staticmethod
    def from_data(values, shape, dtype=None):
        """The ToRSh face's `Tensor::from_data(values, shape)`: a flat sequence laid out in `shape`."""
        from ._creation import tensor
        return tensor(values, dtype=dtype).reshape(list(shape))

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        check_device("cuda")

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return _LEGACY_NAMES.get(self.dtype, "torch." + self.dtype.name.capitalize() + "Tensor")
        if isinstance(dtype, str):
            rev = {v: k for k, v in _LEGACY_NAMES.items()}
            if dtype not in rev:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = rev[dtype]
        elif isinstance(dtype, type) and isinstance(getattr(dtype, "dtype", None), D.dtype):
            dtype = dtype.dtype             # torch.FloatTensor and friends
        return self.to(dtype)

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self, memory_format=None):
        return self.to(D.float32)

    def double(self, memory_format=None):
        return self.to(D.float64)

    def half(self, memory_format=None):
        return self.to(D.float16)

    def bfloat16(self, memory_format=None):
        return self.to(D.bfloat16)

    def long(self, memory_format=None):
        return self.to(D.int64)

    def int(self, memory_format=None):
        return self.to(D.int32)

    def short(self, memory_format=None):
        return self.to(D.int16)

    def char(self, memory_format=None):
        return self.to(D.int8)

    def byte(self, memory_format=None):
        return self.to(D.uint8)

    def bool(self, memory_format=None):
        return self.to(D.bool)

    def pin_memory(self, device=None):
        return self

    def is_pinned(self, device=None):
        return False

    def share_memory_(self):
        return self

    def is_shared(self):
        return False

    # ---- pickling and copying ----------------------------------------------------------
    def __reduce_ex__(self, protocol):
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}   # never .grad: torch drops it
        return (_rebuild, (type(self), np.array(self._data), self._rg, state))

    def __deepcopy__(self, memo):
        if self._node is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils.weight_norm "
                               "usage, see https://github.com/pytorch/pytorch/pull/103001")
        import copy
        new = _new(type(self))
        new._data, new._node, new._rg, new._vc = self._data.copy(), None, self._rg, [0]
        memo[id(self)] = new
        for k, v in self.__dict__.items():
            if k in ("_base", "_view_fn", "_view_ver", "_accumulate_grad", "_hooks"):
                continue
            new.__dict__[k] = copy.deepcopy(v, memo)
        return new


_AS_STRIDED = {}


def _as_strided_class(cls):
    """The class of a view node rebuilt after an in-place change of its base: the same formula,
    under the name torch gives it (AsStridedBackward0)."""
    if cls not in _AS_STRIDED:
        _AS_STRIDED[cls] = type("AsStridedBackward0", (cls,), {"__slots__": ()})
    return _AS_STRIDED[cls]


def _rebuild(cls, data, requires_grad, state):
    t = _new(cls)
    t._data, t._node, t._rg, t._vc = data, None, requires_grad, [0]
    t.__dict__.update(state)
    return t


class _Enabled:
    def __enter__(self):
        self.prev = _State.enabled
        _State.enabled = True

    def __exit__(self, *exc):
        _State.enabled = self.prev


class _LeafHookHandle:
    def __init__(self, hooks, key):
        self._hooks, self._key = hooks, key

    def remove(self):
        self._hooks.pop(self._key, None)


_LEGACY_NAMES = {D.float32: "torch.FloatTensor", D.float64: "torch.DoubleTensor",
                 D.float16: "torch.HalfTensor", D.bfloat16: "torch.BFloat16Tensor",
                 D.int64: "torch.LongTensor", D.int32: "torch.IntTensor",
                 D.int16: "torch.ShortTensor", D.int8: "torch.CharTensor",
                 D.uint8: "torch.ByteTensor", D.bool: "torch.BoolTensor"}


def _wrap_dim(dim, ndim):
    """Normalise a possibly negative dim, with torch's IndexError for out-of-range dims."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim
