"""torsh_optim of the ToRSh face: the torch optimizers and schedulers, built with `Type.new(...)`.

`Adam.new(model.parameters(), 0.001)` is `optim.Adam(model.parameters(), 0.001)`: arguments in
torch's order, the same update. Each face class is a subclass of the torch class of the same name
that adds `new` and refuses an empty parameter list with TorshError.InvalidArgument (a ValueError,
as torch's `Adam([])` raises) naming the guide's Pitfall 2: a ToRSh-face model whose parameters()
does not list its layers' parameters has none to optimise.
"""
from .. import optim as _optim
from .._tensor import Tensor
from ..optim.optimizer import Optimizer
from ..torsh_core.error import TorshError
from . import lr_scheduler

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
           "RAdam", "Rprop", "ASGD", "LBFGS", "Adafactor", "lr_scheduler"]

_EMPTY = ("{name}: optimizer got an empty parameter list, so there is nothing to optimise. A ToRSh "
          "Module lists its parameters explicitly: its parameters() must extend the collection with "
          "each layer's parameters, e.g. params.extend(self.fc1.parameters(), \"fc1\") (guide, Common "
          "Pitfalls, Pitfall 2: Not Registering Parameters)")


def _face(torch_cls):
    def __init__(self, params, *args, **kwargs):
        if not isinstance(params, Tensor):
            params = list(params)
            if not params:
                raise TorshError.InvalidArgument(_EMPTY.format(name=torch_cls.__name__))
        torch_cls.__init__(self, params, *args, **kwargs)

    def new(cls, params, *args, **kwargs):
        return cls(params, *args, **kwargs)

    return type(torch_cls.__name__, (torch_cls,), {
        "__init__": __init__, "new": classmethod(new), "__module__": __name__,
        "__qualname__": torch_cls.__name__, "__doc__": torch_cls.__doc__})


SGD = _face(_optim.SGD)
Adam = _face(_optim.Adam)
AdamW = _face(_optim.AdamW)
RMSprop = _face(_optim.RMSprop)
Adagrad = _face(_optim.Adagrad)
Adadelta = _face(_optim.Adadelta)
Adamax = _face(_optim.Adamax)
NAdam = _face(_optim.NAdam)
RAdam = _face(_optim.RAdam)
Rprop = _face(_optim.Rprop)
ASGD = _face(_optim.ASGD)
LBFGS = _face(_optim.LBFGS)
Adafactor = _face(_optim.Adafactor)
