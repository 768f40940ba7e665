"""torch.utils.data._utils: collation, fetching and the (emulated) workers (loaded with the first one)."""
from . import collate, fetch  # noqa: F401
from ...._missing import module_getattr

__getattr__, __dir__ = module_getattr("torch.utils.data._utils", __name__, {"worker": ".worker"})
