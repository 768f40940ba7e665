"""torsh_core of the ToRSh face: errors, dtypes and devices (the same objects as the torch face's)."""
from .error import TorshError, Result
from .dtype import DType
from .device import Device

__all__ = ["TorshError", "Result", "DType", "Device"]
