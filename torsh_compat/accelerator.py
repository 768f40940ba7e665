"""torch.accelerator on a machine without one: nothing available, device access raises."""

_NONE = "Cannot access accelerator device when none is available."


def _no_accelerator(name):
    def fn(*args, **kwargs):
        raise RuntimeError(f"{_NONE} (torsh_compat runs on the CPU only, so "
                           f"torch.accelerator.{name}() has no device to use)")
    fn.__name__ = fn.__qualname__ = name
    return fn


def is_available():
    return False


def current_accelerator(check_available=False):
    return None


def device_count():
    return 0


current_device_index = current_device_idx = _no_accelerator("current_device_index")
set_device_index = set_device_idx = _no_accelerator("set_device_index")
synchronize = _no_accelerator("synchronize")
current_stream = _no_accelerator("current_stream")
set_stream = _no_accelerator("set_stream")
get_device_capability = _no_accelerator("get_device_capability")
empty_cache = _no_accelerator("empty_cache")
memory_allocated = _no_accelerator("memory_allocated")
max_memory_allocated = _no_accelerator("max_memory_allocated")
memory_reserved = _no_accelerator("memory_reserved")
max_memory_reserved = _no_accelerator("max_memory_reserved")
memory_stats = _no_accelerator("memory_stats")
get_memory_info = _no_accelerator("get_memory_info")
reset_peak_memory_stats = _no_accelerator("reset_peak_memory_stats")
reset_accumulated_memory_stats = _no_accelerator("reset_accumulated_memory_stats")


class device_index:
    """Context manager; None selects nothing, any index needs a device."""

    def __init__(self, device_index, /):
        self.idx = device_index

    def __enter__(self):
        if self.idx is not None:
            raise RuntimeError(f"{_NONE} (torsh_compat runs on the CPU only)")

    def __exit__(self, *exc):
        return False
