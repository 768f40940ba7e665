"""torch.utils.data._utils: collation, fetching and the (emulated) workers."""
from . import collate, fetch, worker  # noqa: F401
