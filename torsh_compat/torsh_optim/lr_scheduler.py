"""torsh_optim.lr_scheduler: torch's schedulers with `Type.new(...)` in torch's argument order."""
from ..optim import lr_scheduler as _lr

__all__ = list(_lr.__all__)


def _face(torch_cls):
    def new(cls, *args, **kwargs):
        return cls(*args, **kwargs)

    return type(torch_cls.__name__, (torch_cls,), {
        "new": classmethod(new), "__module__": __name__, "__qualname__": torch_cls.__name__,
        "__doc__": torch_cls.__doc__})


for _name in __all__:
    globals()[_name] = _face(getattr(_lr, _name))
del _name
