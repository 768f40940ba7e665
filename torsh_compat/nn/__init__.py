"""torch.nn: Module and its containers, layers, functional, losses and init."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, modules, utils  # noqa: F401


def __getattr__(name):
    if name in modules._FAMILY_OF:           # a layer family loaded on first use (modules.LAZY)
        value = getattr(modules, name)
        globals()[name] = value
        return value
    from .._missing import MissingTorchName
    if name.startswith("_"):
        raise AttributeError(f"module 'torch.nn' has no attribute '{name}'")
    raise MissingTorchName("torch.nn", name)


def __dir__():
    return sorted(set(globals()) | set(modules._FAMILY_OF))
