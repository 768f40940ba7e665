"""torch.cuda as a CPU-only torch build answers it: nothing is available, and whatever needs a GPU
raises the same exception type torch raises, with wording that says why."""
from contextlib import contextmanager

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def _no_cuda(name, exc=AssertionError):
    """A function that needs a GPU: it raises what CPU-only torch raises when it is called."""
    def fn(*args, **kwargs):
        raise exc(f"{_NOT_COMPILED} (torsh_compat runs on the CPU only, so torch.cuda.{name}() "
                  "has no CUDA device to use; guard it with torch.cuda.is_available())")
    fn.__name__ = fn.__qualname__ = name
    return fn


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def _is_compiled():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def is_tf32_supported():
    return False


def get_arch_list():
    return []


init = _no_cuda("init")
current_device = _no_cuda("current_device")
get_device_name = _no_cuda("get_device_name")
get_device_capability = _no_cuda("get_device_capability")
get_device_properties = _no_cuda("get_device_properties")
synchronize = _no_cuda("synchronize")
current_stream = _no_cuda("current_stream")
default_stream = _no_cuda("default_stream")
mem_get_info = _no_cuda("mem_get_info")
set_per_process_memory_fraction = _no_cuda("set_per_process_memory_fraction")
ipc_collect = _no_cuda("ipc_collect")
can_device_access_peer = _no_cuda("can_device_access_peer")
initial_seed = _no_cuda("initial_seed")
get_rng_state = _no_cuda("get_rng_state")
# torch reaches for a CUDA-only C function here, so CPU builds raise AttributeError.
reset_peak_memory_stats = _no_cuda("reset_peak_memory_stats", AttributeError)
reset_max_memory_allocated = _no_cuda("reset_max_memory_allocated", AttributeError)


# Seeding is queued lazily by torch until CUDA initialises, which never happens here.
def manual_seed(seed):
    int(seed)


def manual_seed_all(seed):
    int(seed)


def seed():
    pass


def seed_all():
    pass


def get_rng_state_all():
    return []


def set_rng_state(new_state, device="cuda"):
    pass


def set_rng_state_all(new_states):
    pass


def empty_cache():
    pass


def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


def memory_stats(device=None):
    return {}


def _device_index(device):
    """torch's index for set_device / cuda.device: -1 means 'no device', which is a no-op."""
    if isinstance(device, int):
        return device
    if device is None:
        raise ValueError("Expected a torch.device with a specified index or an integer, "
                         "but got:None")
    from .._device import device as Device
    d = Device(device)
    if d.type != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {d}")
    return 0 if d.index is None else d.index


def set_device(device):
    if _device_index(device) >= 0:
        raise AttributeError(f"{_NOT_COMPILED} (torsh_compat runs on the CPU only, so "
                             f"torch.cuda.set_device({device!r}) has no CUDA device to select)")


class device:
    """Context manager selecting a CUDA device; index -1 (or a CPU tensor's device) does nothing."""

    def __init__(self, device):
        self.idx = -1 if device is None else _device_index(device)

    def __enter__(self):
        if self.idx >= 0:
            raise RuntimeError("PyTorch was compiled without CUDA support (torsh_compat runs on "
                               f"the CPU only, so CUDA device {self.idx} cannot be selected)")

    def __exit__(self, *exc):
        return False


class device_of(device):
    def __init__(self, obj):
        super().__init__(-1)  # every torsh_compat tensor lives on the CPU


@contextmanager
def stream(stream):
    if stream is not None:
        raise RuntimeError("torsh_compat runs on the CPU only: there are no CUDA streams")
    yield


class Stream:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support (torsh_compat runs on the "
                           "CPU only)")


class Event:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("torch.cuda.Event requires CUDA support (torsh_compat runs on the "
                           "CPU only)")


def _tensor_type(name):
    def __new__(cls, *args, **kwargs):
        raise TypeError(f"type torch.cuda.{name} not available. {_NOT_COMPILED}. "
                        f"(torsh_compat runs on the CPU only: use torch.{name})")
    return type(name, (), {"__new__": __new__, "__module__": __name__})


FloatTensor = _tensor_type("FloatTensor")
DoubleTensor = _tensor_type("DoubleTensor")
HalfTensor = _tensor_type("HalfTensor")
BFloat16Tensor = _tensor_type("BFloat16Tensor")
LongTensor = _tensor_type("LongTensor")
IntTensor = _tensor_type("IntTensor")
ShortTensor = _tensor_type("ShortTensor")
CharTensor = _tensor_type("CharTensor")
ByteTensor = _tensor_type("ByteTensor")
BoolTensor = _tensor_type("BoolTensor")

from . import amp  # noqa: E402,F401  (torch.cuda.amp)
