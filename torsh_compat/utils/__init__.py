"""torch.utils, and utils.safetensors (state dicts in the safetensors format)."""
from . import data, safetensors  # noqa: F401
