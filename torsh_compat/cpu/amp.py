"""torch.cpu.amp: the deprecated spelling of torch.amp.autocast('cpu')."""
import warnings

from .. import amp as _amp

__all__ = ["autocast", "GradScaler"]


class autocast(_amp.autocast):
    def __init__(self, enabled=True, dtype=None, cache_enabled=True):
        warnings.warn("`torch.cpu.amp.autocast(args...)` is deprecated. Please use "
                      "`torch.amp.autocast('cpu', args...)` instead.", FutureWarning, stacklevel=2)
        super().__init__("cpu", dtype=dtype if dtype is not None else _amp.D.bfloat16, enabled=enabled,
                         cache_enabled=cache_enabled)


GradScaler = _amp.GradScaler
