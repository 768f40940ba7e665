"""torsh_nn of the ToRSh face (shared/TORSH_STYLE.md): the guide's explicit-parameter API.

The built-in layers are torch's own classes (`Linear.new(128, 64, True)` builds an nn.Linear whose
`parameters()` is a ParameterCollection with `get("weight")`), so both faces share every kernel and
every number. Only `Module` differs: the guide's explicit interface, with no automatic registration.
Import as `torsh_compat.torsh_nn`; `import torsh_compat` does not load it.
"""
from ..nn.modules import *  # noqa: F401,F403  (torch's layers, serving both faces)
from ..nn import modules as _modules
from ..nn.parameter import Parameter
from .module import Module, ParameterCollection
from .layers import RNN, LSTM, GRU, AdaptiveAvgPool2d, AdaptiveMaxPool2d
from . import functional, init, serialization
from .init import InitMethod
from .serialization import save_model, load_model

__all__ = sorted({n for n in dir(_modules) if n[:1].isupper()} | {"Module", "Parameter", "ParameterCollection", "InitMethod",
                                      "save_model", "load_model", "functional", "init", "serialization"})


def __getattr__(name):
    if name in _modules._FAMILY_OF:     # torch's layer families that load on first use
        return getattr(_modules, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
