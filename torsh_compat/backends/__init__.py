"""torch.backends as CPU-only torch answers: CUDA, cuDNN and MPS absent; settings still settable."""


class _Flag:
    """A bool module attribute that rejects non-bools the way torch's C setters do."""

    def __init__(self, default, setter_name):
        self.default, self.setter_name = default, setter_name

    def __set_name__(self, owner, name):
        self.key = "_" + name

    def __get__(self, obj, owner=None):
        return self if obj is None else obj.__dict__.get(self.key, self.default)

    def __set__(self, obj, value):
        if not isinstance(value, bool):
            raise RuntimeError(f"{self.setter_name} expects a bool, but got {type(value).__name__}")
        obj.__dict__[self.key] = value


from . import cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: E402,F401
