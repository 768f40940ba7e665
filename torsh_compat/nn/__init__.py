"""torch.nn: Module and its containers, layers, functional, losses and init."""
from .parameter import *  # noqa: F401,F403
from .modules import *  # noqa: F401,F403
from . import functional, init, utils  # noqa: F401
