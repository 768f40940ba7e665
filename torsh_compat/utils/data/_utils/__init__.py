"""torch.utils.data._utils: collation, fetching and the (emulated) worker machinery."""
import sys

from . import collate, fetch, worker  # noqa: F401

IS_WINDOWS = sys.platform == "win32"
HAS_NUMPY = True
MP_STATUS_CHECK_INTERVAL = 5.0
