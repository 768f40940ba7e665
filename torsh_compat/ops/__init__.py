"""The op registry and the op families; importing this package attaches every op to Tensor."""
from . import registry, pointwise, shape  # noqa: F401  (each family registers itself on import)
from .registry import REGISTRY
