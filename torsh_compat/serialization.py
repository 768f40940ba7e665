"""torch.save / torch.load in PyTorch's own zip format, both ways, and safe by default.

The format (what torch.save writes since 1.6): an uncompressed zip whose records sit under one
folder `<name>/`: `data.pkl` (a protocol-2 pickle of the object, where each storage is a persistent
id ('storage', torch.<Type>Storage, key, location, numel) and each tensor is
torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)),
`data/<key>` (the raw little-endian bytes of each storage), `version`, `byteorder`,
`.format_version`, `.storage_alignment`, `.data/serialization_id`. Records start on 64-byte
boundaries, as torch aligns them.

Loading never runs code from the file unless asked: with weights_only=True (torch's default) the
unpickler resolves only the globals a checkpoint of tensors needs (tensors, parameters, storages,
dtypes, Size, device, OrderedDict and a few builtins) and refuses anything else before it is
called. Views and tensors sharing a storage are written as one storage, and loaded as NumPy views
of one buffer. Writing to a path goes to a temporary file renamed into place, so a failed save never
leaves a half-written checkpoint.
"""
import _compat_pickle
import builtins
import collections
import io
import os
import pickle
import struct
import warnings

import numpy as np

from . import _dtype as D
from ._device import check_device, device as _device_cls
from ._tensor import Tensor, Size
from .nn.parameter import Parameter

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals",
           "atomic_write"]

_ALIGN = 64
_STORAGE_TYPES = {"FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
                  "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
                  "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8",
                  "BoolStorage": "bool", "ComplexFloatStorage": "complex64",
                  "ComplexDoubleStorage": "complex128"}
_STORAGE_OF = {v: k for k, v in _STORAGE_TYPES.items()}


# ---- writing ---------------------------------------------------------------------------------

def atomic_write(path, write):
    """Call write(binary_file) on a temporary file beside `path`, then rename it into place."""
    import tempfile          # here, not at import: the runtime's import stays light
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class _Global:
    """A name in torch's namespace written into the pickle as a GLOBAL (torch need not be installed)."""
    __slots__ = ("module", "name")
    _cache = {}

    def __new__(cls, module, name):
        key = (module, name)
        g = cls._cache.get(key)
        if g is None:
            g = cls._cache[key] = object.__new__(cls)
            g.module, g.name = module, name
        return g

    def __call__(self, *args):     # pickle wants a callable; only torch's unpickler calls it
        raise TypeError(f"{self.module}.{self.name} is a name for torch's unpickler")


class _Storage:
    """A storage being written: its key and the root array whose bytes it holds."""
    __slots__ = ("key", "root", "type")

    def __init__(self, key, root):
        self.key, self.root = key, root
        self.type = _Global("torch", _STORAGE_OF[D.FROM_NP[root.dtype].name])


def _root(arr):
    """The outermost array over arr's memory, when arr is a strided view of it that a torch storage
    can describe (same dtype, contiguous root, non-negative strides); else None."""
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root.dtype != arr.dtype or not root.flags.c_contiguous or any(s < 0 for s in arr.strides):
        return None
    return root


class _Pickler(pickle._Pickler):
    """The pure-Python pickler, writing torch's globals by name and storages as persistent ids."""

    def __init__(self, file):
        super().__init__(file, protocol=2)
        self.storages = {}

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, D.dtype):
            obj = _Global("torch", obj.name)
        if obj.__class__ is _Global:
            memoized = self.memo.get(id(obj))
            if memoized is not None:
                self.write(self.get(memoized[0]))
                return
            self.write(pickle.GLOBAL + obj.module.encode() + b"\n" + obj.name.encode() + b"\n")
            self.memoize(obj)
            return
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if obj.__class__ is _Storage:
            return ("storage", obj.type, obj.key, "cpu", obj.root.size)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if obj.__class__ is Size:
            return _Global("torch", "Size"), (tuple(obj),)
        if obj.__class__ is _device_cls:
            return _Global("torch", "device"), (str(obj),)
        return NotImplemented

    def _storage(self, arr):
        """The storage holding arr, with arr's offset and strides in elements."""
        if arr.dtype not in D.FROM_NP:
            raise TypeError(f"torch.save: cannot save a tensor of NumPy dtype {arr.dtype}")
        root = _root(arr)
        if root is None:
            root = np.ascontiguousarray(arr).reshape(-1)
            arr = root.reshape(arr.shape)
        st = self.storages.get(id(root))
        if st is None:
            st = self.storages[id(root)] = _Storage(str(len(self.storages)), root)
        item = arr.itemsize
        offset = (arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // item
        if arr.size == 0:
            stride = tuple(int(np.prod(arr.shape[i + 1:])) for i in range(arr.ndim))
        else:
            stride = tuple(s // item for s in arr.strides)
        return st, offset, stride

    def _reduce_tensor(self, t):
        st, offset, stride = self._storage(t._data)
        rebuilt = (_Global("torch._utils", "_rebuild_tensor_v2"),
                   (st, offset, tuple(t._data.shape), stride, t.requires_grad if not t._is_param else False,
                    collections.OrderedDict()))
        if t._is_param:
            return _Global("torch._utils", "_rebuild_parameter"), \
                (_Rebuilt(rebuilt), t.requires_grad, collections.OrderedDict())
        return rebuilt


class _Rebuilt:
    """A reduce value to pickle in place (the tensor inside a parameter)."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __reduce__(self):
        return self.value


def _zip_write(zf, name, data):
    """One stored record whose data starts on a 64-byte boundary (padding in the extra field)."""
    import zipfile
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header = 30 + len(name.encode()) + 4      # the local header, the filename, the extra's own header
    pad = -(zf.fp.tell() + header) % _ALIGN
    info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
    zf.writestr(info, data)


def _write_zip(f, obj, archive):
    import uuid
    import zipfile
    buf = io.BytesIO()
    p = _Pickler(buf)
    p.dump(obj)
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        _zip_write(zf, f"{archive}/data.pkl", buf.getvalue())
        _zip_write(zf, f"{archive}/.format_version", b"1")
        _zip_write(zf, f"{archive}/.storage_alignment", b"64")
        _zip_write(zf, f"{archive}/byteorder", b"little")
        for st in p.storages.values():
            root = st.root if st.root.dtype.byteorder != ">" else st.root.byteswap()
            _zip_write(zf, f"{archive}/data/{st.key}", memoryview(root.reshape(-1).view(np.uint8)))
        _zip_write(zf, f"{archive}/version", b"3\n")
        _zip_write(zf, f"{archive}/.data/serialization_id", uuid.uuid4().hex.encode().ljust(40, b"0"))


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """torch.save: obj (tensors, state_dicts, nested containers, numbers, strings) to a path or a
    binary file object, in torch's zip format."""
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("torsh_compat.save writes only torch's zip format "
                                  "(_use_new_zipfile_serialization=True)")
    if isinstance(f, (str, os.PathLike)):
        archive = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
        atomic_write(f, lambda fh: _write_zip(fh, obj, archive))
    else:
        _write_zip(f, obj, "archive")


# ---- reading ---------------------------------------------------------------------------------

class _StorageType:
    """What torch.<Type>Storage unpickles to: the NumPy dtype of the storage's bytes."""
    def __init__(self, name):
        self.name = name


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    arr = _strided(storage, storage_offset, tuple(size), tuple(stride))
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad = True
    return t


def _strided(storage, offset, size, stride):
    """A view of the storage array, after checking it stays inside it (a corrupt file must not read
    outside its buffer)."""
    if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise pickle.UnpicklingError(f"corrupt checkpoint: tensor of size {size} and stride {stride}")
    if 0 in size:
        return np.empty(size, storage.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride))
    if offset < 0 or last >= storage.size:
        raise pickle.UnpicklingError(f"corrupt checkpoint: tensor of size {list(size)} at offset {offset} "
                                     f"does not fit its storage of {storage.size} elements")
    item = storage.itemsize
    return np.lib.stride_tricks.as_strided(storage[offset:], size, tuple(s * item for s in stride))


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    for k, v in (state or {}).items():
        setattr(p, k, v)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    """A tensor subclass instance (torch writes Parameter subclasses this way)."""
    t = func(*args)
    if new_type is Parameter:
        t = Parameter(t, t.requires_grad)
    for k, v in (state or {}).items():
        setattr(t, k, v)
    return t


def _torch_names():
    names = {("collections", "OrderedDict"): collections.OrderedDict,
             ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
             ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
             ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
             ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
             ("torch", "Tensor"): Tensor, ("torch.nn.parameter", "Parameter"): Parameter,
             ("torch", "Size"): Size, ("torch", "device"): _device_cls}
    for name in _STORAGE_TYPES:
        names[("torch", name)] = _StorageType(name)
    for d in D.ALL:
        names[("torch", d.name)] = d
    for b in ("set", "frozenset", "complex", "slice", "range", "bytearray"):
        names[("builtins", b)] = getattr(builtins, b)
    return names


_SAFE_GLOBALS = {}     # (module, name) -> object, added by add_safe_globals


def add_safe_globals(safe_globals):
    """Allow these classes or functions (or (obj, "module.name") pairs) in weights_only loads."""
    for g in safe_globals:
        obj, full = g if isinstance(g, tuple) else (g, f"{g.__module__}.{g.__qualname__}")
        module, _, name = full.rpartition(".")
        _SAFE_GLOBALS[(module, name)] = obj


def get_safe_globals():
    return list(_SAFE_GLOBALS.values())


def clear_safe_globals():
    _SAFE_GLOBALS.clear()


class safe_globals:
    """Context manager: the given globals are allowed inside the block only."""

    def __init__(self, safe_globals):
        self.globals = safe_globals

    def __enter__(self):
        self.saved = dict(_SAFE_GLOBALS)
        add_safe_globals(self.globals)

    def __exit__(self, *exc):
        _SAFE_GLOBALS.clear()
        _SAFE_GLOBALS.update(self.saved)


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, records, prefix, weights_only, where):
        super().__init__(file)
        self.records, self.prefix, self.weights_only, self.where = records, prefix, weights_only, where
        self.names = _torch_names()
        self.storages = {}

    def find_class(self, module, name):
        # protocol-2 files name Python 3 modules by their Python 2 names (__builtin__, ...)
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        obj = self.names.get((module, name))
        if obj is None:
            obj = _SAFE_GLOBALS.get((module, name))
        if obj is not None:
            return obj
        if self.weights_only:
            raise pickle.UnpicklingError(
                f"Weights only load failed for {self.where}: the file asks for the global {module}.{name}, "
                f"which a checkpoint of tensors does not need, so it was refused and nothing from the file "
                f"was run. If you trust the file, load it with weights_only=False, or allow this global "
                f"with torch.serialization.add_safe_globals([{name}]).")
        if module == "torch" or module.startswith("torch."):      # torch's classes are ours
            import importlib
            mod = importlib.import_module("torsh_compat" + module[5:])
            return getattr(mod, name)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"
                and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"{self.where}: unexpected persistent id in the checkpoint: {pid!r}")
        _, stype, key, location, numel = pid      # every location loads to the CPU
        st = self.storages.get(key)
        if st is None:
            st = self.storages[key] = self._read_storage(stype.name, str(key), numel)
        return st

    def _read_storage(self, type_name, key, numel):
        name = f"{self.prefix}data/{key}"
        if name not in self.records:
            raise RuntimeError(f"{self.where}: the checkpoint has no record {name} (a truncated or "
                               f"corrupt file)")
        raw = bytearray(self.records[name]())
        dname = _STORAGE_TYPES[type_name]
        if dname == "bfloat16":
            return _bfloat16_storage(raw, numel, self.where)
        dt = np.dtype(D.to_np(getattr(D, dname))).newbyteorder("<")
        if len(raw) != numel * dt.itemsize:
            raise RuntimeError(f"{self.where}: storage {key} holds {len(raw)} bytes, expected "
                               f"{numel * dt.itemsize} (a truncated or corrupt file)")
        return np.frombuffer(raw, dt).astype(dt.newbyteorder("="), copy=False)


_warned_bf16 = []


def _bfloat16_storage(raw, numel, where):
    if len(raw) != numel * 2:
        raise RuntimeError(f"{where}: a bfloat16 storage holds {len(raw)} bytes, expected {numel * 2}")
    bits = np.frombuffer(raw, "<u2")
    try:
        return bits.view(D._bfloat16_np())
    except TypeError:       # no ml_dtypes: widen the bits to float32, exactly
        if not _warned_bf16:
            _warned_bf16.append(True)
            warnings.warn("bfloat16 tensors in the checkpoint are loaded as float32 (install ml_dtypes, the "
                          "'bf16' extra, to keep them bfloat16)", stacklevel=4)
        return (bits.astype(np.uint32) << 16).view(np.float32)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """torch.load: read a checkpoint in torch's zip format (written by torch.save or ours).
    weights_only (default True, as torch >= 2.6) refuses every global a tensor checkpoint does not need."""
    if weights_only is None:
        weights_only = True
    _check_map_location(map_location)
    where = repr(os.fspath(f)) if isinstance(f, (str, os.PathLike)) else "the checkpoint"
    opened = open(f, "rb") if isinstance(f, (str, os.PathLike)) else None
    try:
        return _load_zip(opened or f, weights_only, where)
    finally:
        if opened is not None:
            opened.close()


def _check_map_location(map_location):
    if map_location is None or callable(map_location):
        return
    if isinstance(map_location, dict):
        for v in map_location.values():
            check_device(v)
    else:
        check_device(map_location)


def _load_zip(fh, weights_only, where):
    import zipfile
    start = fh.read(4)
    fh.seek(-len(start), 1)
    if start[:2] == b"\x80\x02" or start[:1] == b"\x80":
        raise RuntimeError(f"{where} is in torch's legacy (pre-1.6, non-zip) format, which torsh_compat does "
                           f"not read; re-save it with a current torch.save")
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile as e:
        raise RuntimeError(f"{where} is not a torch checkpoint, or is truncated or corrupt: it is not a "
                           f"readable zip archive ({e})") from None
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pkl:
            raise RuntimeError(f"{where} is a zip archive but not a torch checkpoint (no data.pkl record)")
        prefix = pkl[0][:-len("data.pkl")]
        records = {n: (lambda n=n: _read_record(zf, n, where)) for n in names}
        unpickler = _Unpickler(io.BytesIO(records[pkl[0]]()), records, prefix, weights_only, where)
        try:
            return unpickler.load()
        except (pickle.UnpicklingError, RuntimeError):
            raise
        except Exception as e:    # anything else the bytes provoke is a corrupt file, not a crash
            raise RuntimeError(f"{where}: corrupt checkpoint ({type(e).__name__}: {e})") from None


def _read_record(zf, name, where):
    import zipfile
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise RuntimeError(f"{where}: cannot read record {name}: the file is truncated or corrupt ({e})") \
            from None
