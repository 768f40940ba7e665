"""The op registry and the op families; importing this package attaches every op to Tensor."""
from . import registry, pointwise, shape, reduction, linalg, indexing  # noqa: F401  (each family registers itself)
from .registry import REGISTRY
