"""torsh_nn of the ToRSh face (shared/TORSH_STYLE.md): the guide's explicit-parameter API.

The built-in layers are torch's own classes (`Linear.new(128, 64, True)` builds an nn.Linear whose
`parameters()` is a ParameterCollection with `get("weight")`), so both faces share every kernel and
every number. Only `Module` differs: the guide's explicit interface, with no automatic registration.
Import as `torsh_compat.torsh_nn`; `import torsh_compat` does not load it.
"""
from ..nn.modules import *  # noqa: F401,F403  (torch's layers, serving both faces)
from ..nn import modules as _modules
from .._missing import module_getattr as _module_getattr, lazy_names as _lazy_names
from ..nn.parameter import Parameter
from .module import Module, ParameterCollection
from .layers import RNN, LSTM, GRU, AdaptiveAvgPool2d, AdaptiveMaxPool2d
from . import functional, init, serialization
from .init import InitMethod
from .serialization import save_model, load_model

__all__ = sorted({n for n in dir(_modules) if n[:1].isupper()} | {"Module", "Parameter", "ParameterCollection", "InitMethod",
                                      "save_model", "load_model", "functional", "init", "serialization"})

__getattr__, __dir__ = _module_getattr("torsh_compat.torsh_nn", __name__,
                                       _lazy_names(_modules.LAZY, lambda f: "..nn.modules." + f))
