"""torch.jit without TorchScript: script/trace hand back their argument, which then runs eagerly."""
import warnings
from typing import Final  # noqa: F401  (torch.jit.Final is typing.Final)

_warned = set()


def _warn_once(name):
    if name not in _warned:
        _warned.add(name)
        warnings.warn(f"torsh_compat: torch.jit.{name} returns its argument unchanged; it runs "
                      "eagerly in Python (there is no TorchScript here)", UserWarning, stacklevel=3)


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    _warn_once("script")
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    _warn_once("trace")
    return func


def is_scripting():
    return False


def is_tracing():
    return False


def ignore(drop=False, **kwargs):
    if callable(drop):  # used bare: @torch.jit.ignore
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def script_if_tracing(fn):
    return fn


def interface(obj):
    return obj


def annotate(the_type, the_value):
    return the_value


class Future:
    """What torch.jit.fork returns; the call has already run, so it is always done."""

    def __init__(self, value):
        self._value = value

    def done(self):
        return True

    def wait(self):
        return self._value

    def value(self):
        return self._value


def fork(func, *args, **kwargs):
    return Future(func(*args, **kwargs))


def wait(future):
    return future.wait()
