"""torch.backends.cudnn: never available, but scripts set its flags unconditionally."""
import sys
import types
from contextlib import contextmanager

from . import _Flag


def is_available():
    return False


def version():
    return None


def is_acceptable(tensor):
    return False


@contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False,
          allow_tf32=True, fp32_precision="none", depthwise_kernel="auto"):
    mod = sys.modules[__name__]
    names = ("enabled", "benchmark", "deterministic", "allow_tf32")
    saved = [getattr(mod, n) for n in names]
    for n, v in zip(names, (enabled, benchmark, deterministic, allow_tf32)):
        setattr(mod, n, v)
    try:
        yield
    finally:
        for n, v in zip(names, saved):
            setattr(mod, n, v)


class _CudnnModule(types.ModuleType):
    enabled = _Flag(True, "set_enabled_cudnn")
    benchmark = _Flag(False, "set_benchmark_cudnn")
    deterministic = _Flag(False, "set_deterministic_cudnn")
    allow_tf32 = _Flag(True, "set_allow_tf32_cublas")


benchmark_limit = None  # torch leaves it None when cuDNN is absent
sys.modules[__name__].__class__ = _CudnnModule
