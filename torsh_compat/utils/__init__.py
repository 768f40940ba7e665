"""torch.utils, and utils.safetensors (state dicts in the safetensors format, loaded on first use)."""
from . import data  # noqa: F401
from .._missing import module_getattr

__getattr__, __dir__ = module_getattr("torch.utils", __name__, {"safetensors": ".safetensors"})
