"""torch.nn: Module and its containers, layers, functional, losses and init."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, modules, utils  # noqa: F401
from .._missing import module_getattr, lazy_names

# layer families that load on first use (modules.LAZY)
__getattr__, __dir__ = module_getattr("torch.nn", __name__, lazy_names(modules.LAZY, lambda f: ".modules." + f))
