"""torsh_nn.init: initialisers that return a new tensor of a given shape, and InitMethod.

`xavier_uniform([out, in])` is `nn.init.xavier_uniform_(torch.empty(out, in))`: the same draws from
the same random stream, so after the same seed it holds torch's very values. Tensors are float32
unless `dtype=` says otherwise.
"""
from .. import _creation as C
from ..nn import init as _init
from ..nn.init import calculate_gain
from ..torsh_core.error import TorshError

__all__ = ["uniform", "normal", "trunc_normal", "constant", "ones", "zeros", "eye", "dirac",
           "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal",
           "sparse", "calculate_gain", "InitMethod"]


def _empty(shape, dtype):
    if isinstance(shape, int):
        shape = [shape]
    return C.empty([int(s) for s in shape], dtype=dtype)


def uniform(shape, a=0.0, b=1.0, dtype=None, generator=None):
    return _init.uniform_(_empty(shape, dtype), a, b, generator=generator)


def normal(shape, mean=0.0, std=1.0, dtype=None, generator=None):
    return _init.normal_(_empty(shape, dtype), mean, std, generator=generator)


def trunc_normal(shape, mean=0.0, std=1.0, a=-2.0, b=2.0, dtype=None, generator=None):
    return _init.trunc_normal_(_empty(shape, dtype), mean, std, a, b, generator=generator)


def constant(shape, val, dtype=None):
    return _init.constant_(_empty(shape, dtype), val)


def ones(shape, dtype=None):
    return _init.ones_(_empty(shape, dtype))


def zeros(shape, dtype=None):
    return _init.zeros_(_empty(shape, dtype))


def eye(shape, dtype=None):
    return _init.eye_(_empty(shape, dtype))


def dirac(shape, groups=1, dtype=None):
    return _init.dirac_(_empty(shape, dtype), groups)


def xavier_uniform(shape, gain=1.0, dtype=None, generator=None):
    return _init.xavier_uniform_(_empty(shape, dtype), gain, generator=generator)


def xavier_normal(shape, gain=1.0, dtype=None, generator=None):
    return _init.xavier_normal_(_empty(shape, dtype), gain, generator=generator)


def kaiming_uniform(shape, a=0, mode="fan_in", nonlinearity="leaky_relu", dtype=None, generator=None):
    return _init.kaiming_uniform_(_empty(shape, dtype), a, mode, nonlinearity, generator=generator)


def kaiming_normal(shape, a=0, mode="fan_in", nonlinearity="leaky_relu", dtype=None, generator=None):
    return _init.kaiming_normal_(_empty(shape, dtype), a, mode, nonlinearity, generator=generator)


def orthogonal(shape, gain=1, dtype=None, generator=None):
    return _init.orthogonal_(_empty(shape, dtype), gain, generator=generator)


def sparse(shape, sparsity, std=0.01, dtype=None, generator=None):
    return _init.sparse_(_empty(shape, dtype), sparsity, std, generator=generator)


_KINDS = {"Uniform": uniform, "Normal": normal, "TruncNormal": trunc_normal, "Constant": constant,
          "Ones": ones, "Zeros": zeros, "Eye": eye, "XavierUniform": xavier_uniform,
          "XavierNormal": xavier_normal, "KaimingUniform": kaiming_uniform,
          "KaimingNormal": kaiming_normal, "Orthogonal": orthogonal}


class InitMethod:
    """An initialisation scheme: the variants are members, `InitMethod.XavierUniform`, and a
    member called with arguments carries them, `InitMethod.Uniform(-0.1, 0.1)`,
    `InitMethod.Constant(0.01)`, `InitMethod.KaimingNormal(0, "fan_out", "relu")` (the arguments
    of the function of the same name after the shape). `initialize(shape)` draws the tensor."""

    __slots__ = ("kind", "args", "kwargs")

    def __init__(self, kind, *args, **kwargs):
        if kind not in _KINDS:
            raise TorshError.InvalidArgument(f"InitMethod: unknown kind {kind!r}; one of {sorted(_KINDS)}")
        self.kind, self.args, self.kwargs = kind, args, kwargs

    def __call__(self, *args, **kwargs):
        return InitMethod(self.kind, *args, **kwargs)

    def initialize(self, shape, dtype=None):
        if self.kind == "Constant" and not self.args and "val" not in self.kwargs:
            raise TorshError.InvalidArgument("InitMethod.Constant needs its value: InitMethod.Constant(0.01)")
        return _KINDS[self.kind](shape, *self.args, dtype=dtype, **self.kwargs)

    def __eq__(self, other):
        return isinstance(other, InitMethod) and (self.kind, self.args, self.kwargs) == \
            (other.kind, other.args, other.kwargs)

    def __hash__(self):
        return hash((self.kind, self.args))

    def __repr__(self):
        inner = ", ".join([repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs.items()])
        return f"InitMethod.{self.kind}" + (f"({inner})" if inner else "")


for _kind in _KINDS:
    setattr(InitMethod, _kind, InitMethod(_kind))
del _kind
