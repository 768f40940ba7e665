"""State dicts in the safetensors format, with the API of `safetensors.torch`.

Files are interchangeable with those of `safetensors.torch.save_file` / `load_file`: the
safetensors package (a runtime dependency, imported on first use) writes and parses the format,
this module turns its raw buffers into tensors. A file holds only tensors and string metadata, so
loading one can never run code. Files are written to a temporary name and renamed into place.
"""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..serialization import atomic_write

__all__ = ["save", "save_file", "load", "load_file", "save_model", "load_model"]

# the format's dtype codes
_FROM_CODE = {"F64": "float64", "F32": "float32", "F16": "float16", "BF16": "bfloat16", "I64": "int64",
              "I32": "int32", "I16": "int16", "I8": "int8", "U8": "uint8", "BOOL": "bool",
              "C64": "complex64"}


def _specs(tensors):
    """safetensors TensorSpecs over contiguous little-endian copies (kept alive in the result)."""
    from safetensors import TensorSpec
    if not isinstance(tensors, dict):
        raise TypeError(f"expected a dict of str -> Tensor, got {type(tensors).__name__}")
    specs, keep = {}, []
    for name, t in tensors.items():
        if not isinstance(name, str) or not isinstance(t, Tensor):
            raise TypeError(f"expected a dict of str -> Tensor, got {name!r}: {type(t).__name__}")
        a = t._data if t._data.flags.c_contiguous else t._data.copy()
        keep.append(a)
        specs[name] = TensorSpec(dtype=D.FROM_NP[a.dtype].name, shape=list(a.shape),
                                 data_ptr=a.ctypes.data, data_len=a.nbytes)
    return specs, keep


def save(tensors, metadata=None):
    """The safetensors bytes of a dict of tensors."""
    from safetensors import serialize
    specs, keep = _specs(tensors)
    data = bytes(serialize(specs, metadata=metadata))
    del keep
    return data


def save_file(tensors, filename, metadata=None):
    data = save(tensors, metadata)
    atomic_write(filename, lambda f: f.write(data))


def load(data):
    """A dict of tensors from safetensors bytes."""
    from safetensors import deserialize
    try:
        records = deserialize(bytes(data))
    except Exception as e:   # the parser's own error types: report a corrupt file uniformly
        raise RuntimeError(f"not a valid safetensors file: {e}") from None
    out = {}
    for name, rec in records:
        dname = _FROM_CODE.get(rec["dtype"])
        if dname is None:
            raise TypeError(f"safetensors dtype {rec['dtype']} of {name!r} is not supported")
        out[name] = Tensor._make(np.frombuffer(rec["data"], D.to_np(getattr(D, dname))).reshape(rec["shape"]))
    return out


def load_file(filename, device="cpu"):
    from .._device import check_device
    check_device(device)
    with open(filename, "rb") as f:
        data = f.read()
    try:
        return load(data)
    except RuntimeError as e:
        raise RuntimeError(f"{filename}: {e}") from None


def save_model(model, filename, metadata=None, force_contiguous=False):
    """model.state_dict() to a file (tensors sharing memory are each written whole)."""
    save_file(dict(model.state_dict()), filename, metadata)


def load_model(model, filename, strict=True, device="cpu"):
    """Load a file into model; returns (missing, unexpected) keys as safetensors.torch does."""
    result = model.load_state_dict(load_file(filename, device), strict=strict)
    return result.missing_keys, result.unexpected_keys
