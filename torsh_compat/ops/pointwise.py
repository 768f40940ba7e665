"""Elementwise ops: forward (NumPy), backward formula and parity samples, one line each."""
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from . import dual as B
from . import samples as S
from .registry import (unary, binary, register, record, backward_node, as_float, default_float_np,
                       NONE, INPUTS, OUT, BOTH, SAME_OUT, BOOL_OUT, FLOAT_OUT, make_inplace)

POS = S.unary(domain=(0.1, 3.0))
ANY = S.unary()
UNIT = S.unary(domain=(-0.9, 0.9))
NUM = S.unary(dtypes=S.NUMERIC)
NUM_F = S.unary(dtypes=S.NUMERIC)    # integers in, default float out


def _legacy(dt):
    return D.legacy_name(D.FROM_NP[dt])


def _no_bool(name, fn):
    def f(x):
        if x.dtype == np.bool_:
            raise RuntimeError(f"{name}: the operation is not supported on bool tensors; "
                               f"use logical_not() / bitwise ops instead")
        return fn(x)
    return f


# ---- unary --------------------------------------------------------------------------------
neg = unary("neg", _no_bool("neg", np.negative), lambda g, x, out: -g, save=NONE, out=SAME_OUT,
            samples=S.unary(dtypes=S.NUMERIC), aliases=("negative",))
abs = unary("abs", np.abs, lambda g, x, out: g * B.sign(x), out=SAME_OUT,
            samples=S.unary(dtypes=S.NUMERIC), aliases=("absolute",))
sign = unary("sign", np.sign, lambda g, x, out: g * 0, save=NONE, out=SAME_OUT,
             samples=S.unary(dtypes=S.NUMERIC))
exp = unary("exp", np.exp, lambda g, x, out: g * out, save=OUT, samples=NUM_F)
exp2 = unary("exp2", np.exp2, lambda g, x, out: g * out * math.log(2.0), save=OUT, samples=NUM_F)
log = unary("log", np.log, lambda g, x, out: g / x, samples=POS)
log2 = unary("log2", np.log2, lambda g, x, out: g / (x * math.log(2.0)), samples=POS)
log10 = unary("log10", np.log10, lambda g, x, out: g / (x * math.log(10.0)), samples=POS)
log1p = unary("log1p", np.log1p, lambda g, x, out: g / (x + 1), samples=POS)
expm1 = unary("expm1", np.expm1, lambda g, x, out: g * (out + 1), save=OUT, samples=ANY)
sqrt = unary("sqrt", np.sqrt, lambda g, x, out: g / (out * 2), save=OUT, samples=POS)
rsqrt = unary("rsqrt", lambda x: 1 / np.sqrt(x), lambda g, x, out: g * out * out * out * -0.5,
              save=OUT, samples=POS)
sin = unary("sin", np.sin, lambda g, x, out: g * B.cos(x), samples=NUM_F)
cos = unary("cos", np.cos, lambda g, x, out: -g * B.sin(x), samples=NUM_F)
tan = unary("tan", np.tan, lambda g, x, out: g * (out * out + 1), save=OUT, samples=UNIT)
asin = unary("asin", np.arcsin, lambda g, x, out: g / B.sqrt(1 - x * x), samples=UNIT,
             aliases=("arcsin",))
acos = unary("acos", np.arccos, lambda g, x, out: -g / B.sqrt(1 - x * x), samples=UNIT,
             aliases=("arccos",))
atan = unary("atan", np.arctan, lambda g, x, out: g / (x * x + 1), samples=ANY, aliases=("arctan",))
sinh = unary("sinh", np.sinh, lambda g, x, out: g * B.cosh(x), samples=ANY)
cosh = unary("cosh", np.cosh, lambda g, x, out: g * B.sinh(x), samples=ANY)
tanh = unary("tanh", np.tanh, lambda g, x, out: g * (1 - out * out), save=OUT, samples=NUM_F)
reciprocal = unary("reciprocal", np.reciprocal, lambda g, x, out: -g * out * out, save=OUT,
                   samples=S.unary(domain=(0.2, 2.0)))
square = unary("square", np.square, lambda g, x, out: g * x * 2, out=SAME_OUT,
               samples=S.unary(dtypes=S.NUMERIC))


def _sigmoid(x):
    # exp of a non-positive argument only, so large |x| never overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


sigmoid = unary("sigmoid", _sigmoid, lambda g, x, out: g * out * (1 - out), save=OUT,
                samples=S.unary(domain=(-8.0, 8.0)))


def _erf_erfc(x):
    """erf and erfc in float64, vectorised.

    |x| <= 2.5: the positive series erf(x) = 2/sqrt(pi) e^(-x^2) sum 2^n x^(2n+1) / (2n+1)!!
    (no cancellation); beyond: erfc from its continued fraction, evaluated bottom-up.
    Both give double precision at these depths.
    """
    xd = np.asarray(x, dtype=np.float64)
    ax = np.abs(xd)
    small = ax <= 2.5
    xs = np.where(small, ax, 0.0)
    term = xs.copy()
    total = xs.copy()
    x2 = xs * xs
    for n in range(1, 60):
        term = term * (2 * x2) / (2 * n + 1)
        total += term
    erf_small = 1.1283791670955126 * np.exp(-x2) * total
    xl = np.where(small, 3.0, ax)
    frac = xl.copy()
    for k in range(90, 0, -1):   # x + (k/2) / (x + ((k+1)/2) / ...)
        frac = xl + (k / 2) / frac
    erfc_large = np.exp(-xl * xl) / (1.7724538509055159 * frac)
    erf_abs = np.where(small, erf_small, 1.0 - erfc_large)
    erfc_abs = np.where(small, 1.0 - erf_small, erfc_large)
    neg = xd < 0
    return np.where(neg, -erf_abs, erf_abs), np.where(neg, 2.0 - erfc_abs, erfc_abs)


def _erf(x):
    return _erf_erfc(x)[0].astype(x.dtype)


def _erfc(x):
    return _erf_erfc(x)[1].astype(x.dtype)


erf = unary("erf", _erf, lambda g, x, out: g * B.erf_deriv(x), samples=ANY)
erfc = unary("erfc", _erfc, lambda g, x, out: -g * B.erf_deriv(x), samples=ANY)


def _int_passthrough(fn):
    return lambda x: x.copy() if x.dtype.kind in "iub" else fn(x)


_ZERO = lambda g, x, out: g * 0
floor = unary("floor", _int_passthrough(np.floor), _ZERO, save=NONE, out=SAME_OUT, samples=NUM)
ceil = unary("ceil", _int_passthrough(np.ceil), _ZERO, save=NONE, out=SAME_OUT, samples=NUM)
trunc = unary("trunc", _int_passthrough(np.trunc), _ZERO, save=NONE, out=SAME_OUT, samples=NUM,
              aliases=("fix",))
frac = unary("frac", lambda x: x - np.trunc(x), lambda g, x, out: g, save=NONE, out=SAME_OUT,
             samples=ANY)


def round(input, *, decimals=0):
    x = input._data
    if x.dtype.kind in "iub":
        if decimals == 0:
            return record(x.copy(), None, ())
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_legacy(x.dtype)}'")
    r = np.round(x, decimals)   # half to even, as torch
    return record(r, RoundBackward, (input,))


RoundBackward = backward_node("Round", lambda g, x, out: g * 0, NONE)
register(round, node=RoundBackward, samples=S.unary(dtypes=S.NUMERIC, domain=(-5.0, 5.0),
                                                     args=lambda nd: [((), {}), ((), {"decimals": 1})]))
make_inplace("round", round)


def _logical_not(x):
    return np.logical_not(x)


logical_not = unary("logical_not", _logical_not, None, out=BOOL_OUT, samples=S.unary(dtypes=S.ALL))
isnan = unary("isnan", np.isnan, None, out=BOOL_OUT, inplace=False, samples=S.unary(dtypes=S.ALL))
isinf = unary("isinf", np.isinf, None, out=BOOL_OUT, inplace=False, samples=S.unary(dtypes=S.ALL))
isfinite = unary("isfinite", np.isfinite, None, out=BOOL_OUT, inplace=False,
                 samples=S.unary(dtypes=S.ALL))
isposinf = unary("isposinf", np.isposinf, None, out=BOOL_OUT, inplace=False, samples=S.unary(dtypes=S.NUMERIC))
isneginf = unary("isneginf", np.isneginf, None, out=BOOL_OUT, inplace=False, samples=S.unary(dtypes=S.NUMERIC))


# ---- binary -------------------------------------------------------------------------------
BIN = S.binary(dtypes=S.NUMERIC)
BIN_F = S.binary()
ONE = lambda g, a, b, out: g

add_t = binary("add", np.add, (ONE, ONE), save=NONE, samples=S.binary(dtypes=S.ALL))
def _subtract(a, b):
    if a.dtype == np.bool_ or (isinstance(b, (bool, np.bool_)) or getattr(b, "dtype", None) == np.bool_):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    return np.subtract(a, b)


sub_t = binary("sub", _subtract, (ONE, lambda g, a, b, out: -g), save=NONE, samples=BIN)
mul = binary("mul", np.multiply, (lambda g, a, b, out: g * b, lambda g, a, b, out: g * a),
             samples=S.binary(dtypes=S.ALL), aliases=("multiply",), self_reads=(False, False))
div_t = binary("div", np.true_divide, (lambda g, a, b, out: g / b, lambda g, a, b, out: -g * a / (b * b)),
               out=FLOAT_OUT, samples=S.binary(dtypes=S.NUMERIC, nonzero=True), self_reads=(False, True))


def _pow(a, b):
    if a.dtype.kind in "iu" and (np.any(np.asarray(b) < 0)):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return np.power(a, b)


def _pow_grad_b(g, a, b, out):
    # d/db a**b = a**b * log(a), taken as 0 where a == 0 (torch's convention)
    la = B.log(B.where(B.data(a) == 0, a * 0 + 1, a)) if B.is_array(a) else B.log(B.where(B.data(a) == 0, a * 0 + 1, a))
    return g * out * la


pow = binary("pow", _pow, (lambda g, a, b, out: g * b * a ** (b - 1) if not _zero_exp(b) else g * 0,
                           _pow_grad_b), save=BOTH,
             samples=S.binary(domain=(0.2, 2.0), int_domain=(0, 4)), aliases=("float_power_",))


def _zero_exp(b):
    return isinstance(b, (int, float)) and b == 0


atan2 = binary("atan2", np.arctan2, (lambda g, a, b, out: g * b / (a * a + b * b),
                                     lambda g, a, b, out: -g * a / (a * a + b * b)),
               out=FLOAT_OUT, samples=S.binary(dtypes=S.NUMERIC, scalar_other=False), aliases=("arctan2",))


def _floor_divide(a, b):
    if a.dtype.kind in "iu" and np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")
    return np.floor_divide(a, b)


def _remainder(a, b):
    if a.dtype.kind in "iu" and np.any(np.asarray(b) == 0):
        raise RuntimeError("ZeroDivisionError")
    return np.remainder(a, b)


floor_divide = binary("floor_divide", _floor_divide, "not_implemented", save=NONE,
                      samples=S.binary(dtypes=S.NUMERIC, nonzero=True))
remainder = binary("remainder", _remainder, (ONE, lambda g, a, b, out: -g * B.data(a // b)),
                   samples=S.binary(dtypes=S.NUMERIC, nonzero=True))
fmod = binary("fmod", np.fmod, (ONE, lambda g, a, b, out: -g * B.data(np.trunc(B.data(a) / B.data(b)))),
              samples=S.binary(dtypes=S.NUMERIC, nonzero=True))


def _minmax_grads(pick_a):
    # torch splits the gradient evenly where the inputs are equal
    def ga(g, a, b, out):
        da, db = B.data(a), B.data(b)
        w = np.where(pick_a(da, db), 1.0, np.where(da == db, 0.5, 0.0)).astype(np.result_type(da, db))
        return g * w

    def gb(g, a, b, out):
        da, db = B.data(a), B.data(b)
        w = np.where(pick_a(db, da), 1.0, np.where(da == db, 0.5, 0.0)).astype(np.result_type(da, db))
        return g * w
    return ga, gb


BIN_T = S.binary(dtypes=S.NUMERIC, scalar_other=False)   # torch takes only a Tensor as `other`
maximum = binary("maximum", np.maximum, _minmax_grads(np.greater), samples=BIN_T, inplace=False)
minimum = binary("minimum", np.minimum, _minmax_grads(np.less), samples=BIN_T, inplace=False)
fmax = binary("fmax", np.fmax, _minmax_grads(np.greater), samples=BIN_T, inplace=False)
fmin = binary("fmin", np.fmin, _minmax_grads(np.less), samples=BIN_T, inplace=False)

CMP = S.binary(dtypes=S.ALL, grad=False)
LOGICAL = S.binary(dtypes=S.ALL, grad=False, scalar_other=False)
eq = binary("eq", np.equal, None, out=BOOL_OUT, samples=CMP)
ne = binary("ne", np.not_equal, None, out=BOOL_OUT, samples=CMP, aliases=("not_equal",))


def _ordering(name, ufunc):
    """An ordering comparison; complex numbers have no order, and torch's kernels refuse them."""
    def kernel(a, b):
        if a.dtype.kind == "c":      # operands are already promoted to the common dtype
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{D.legacy_name(a.dtype)}\'')
        return ufunc(a, b)
    return kernel


lt = binary("lt", _ordering("lt", np.less), None, out=BOOL_OUT, samples=CMP, aliases=("less",))
le = binary("le", _ordering("le", np.less_equal), None, out=BOOL_OUT, samples=CMP, aliases=("less_equal",))
gt = binary("gt", _ordering("gt", np.greater), None, out=BOOL_OUT, samples=CMP, aliases=("greater",))
ge = binary("ge", _ordering("ge", np.greater_equal), None, out=BOOL_OUT, samples=CMP, aliases=("greater_equal",))
logical_and = binary("logical_and", np.logical_and, None, out=BOOL_OUT, samples=LOGICAL)
logical_or = binary("logical_or", np.logical_or, None, out=BOOL_OUT, samples=LOGICAL)
logical_xor = binary("logical_xor", np.logical_xor, None, out=BOOL_OUT, samples=LOGICAL)


def _int_or_bool(name, fn):
    def f(a, b):
        if a.dtype.kind not in "iub":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_legacy(a.dtype)}'")
        return fn(a, b)
    return f


BITS = S.binary(dtypes=S.INTS + (S.B,), grad=False)
bitwise_and = binary("bitwise_and", _int_or_bool("bitwise_and", np.bitwise_and), None, samples=BITS)
bitwise_or = binary("bitwise_or", _int_or_bool("bitwise_or", np.bitwise_or), None, samples=BITS)
bitwise_xor = binary("bitwise_xor", _int_or_bool("bitwise_xor", np.bitwise_xor), None, samples=BITS)
bitwise_not = unary("bitwise_not", lambda a: _int_or_bool("bitwise_not", lambda x, _: np.invert(x))(a, None), None,
                    out=SAME_OUT, samples=S.unary(dtypes=S.INTS + (S.B,), grad=False))


# ---- Python-facing forms with torch's extra arguments ------------------------------------------

def add(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return add_t(input, other)


def sub(input, other, *, alpha=1, out=None):
    if alpha != 1:
        other = mul(other, alpha) if isinstance(other, Tensor) else other * alpha
    return sub_t(input, other)


def div(input, other, *, rounding_mode=None, out=None):
    if rounding_mode is None:
        return div_t(input, other)
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        q = div_t(input, other)
        return trunc(q).to(D.result_type(input, other)) if not q.is_floating_point() else trunc(q)
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                     f"'{rounding_mode}'")


for _name, _fn in (("add", add), ("sub", sub), ("div", div)):
    setattr(Tensor, _name, _fn)
    make_inplace(_name, _fn)
Tensor.subtract = Tensor.sub
Tensor.subtract_ = Tensor.sub_
Tensor.divide = Tensor.true_divide = Tensor.div
Tensor.divide_ = Tensor.true_divide_ = Tensor.div_
subtract, divide, true_divide = sub, div, div


# ---- operators ----------------------------------------------------------------------------

Tensor.__add__ = add_t
Tensor.__radd__ = add_t
Tensor.__iadd__ = Tensor.add_
Tensor.__sub__ = sub_t
Tensor.__rsub__ = lambda self, other: add_t(neg(self), other)
Tensor.__isub__ = Tensor.sub_
Tensor.__mul__ = mul
Tensor.__rmul__ = mul
Tensor.__imul__ = Tensor.mul_
Tensor.__truediv__ = div_t
Tensor.__rtruediv__ = lambda self, other: mul(reciprocal(self), other)   # torch's own definition
Tensor.__itruediv__ = Tensor.div_
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = lambda self, other: floor_divide(full_like_scalar(self, other), self)
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__mod__ = remainder
Tensor.__rmod__ = lambda self, other: remainder(full_like_scalar(self, other), self)
Tensor.__imod__ = Tensor.remainder_
Tensor.__pow__ = pow
Tensor.__rpow__ = lambda self, other: pow(full_like_scalar(self, other), self)
Tensor.__ipow__ = Tensor.pow_
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = abs
Tensor.__invert__ = lambda self: logical_not(self) if self._data.dtype == np.bool_ else bitwise_not(self)
Tensor.__eq__ = eq
Tensor.__ne__ = ne
Tensor.__lt__ = lt
Tensor.__le__ = le
Tensor.__gt__ = gt
Tensor.__ge__ = ge
Tensor.__and__ = Tensor.__rand__ = bitwise_and
Tensor.__or__ = Tensor.__ror__ = bitwise_or
Tensor.__xor__ = Tensor.__rxor__ = bitwise_xor
Tensor.__iand__ = Tensor.bitwise_and_
Tensor.__ior__ = Tensor.bitwise_or_
Tensor.__ixor__ = Tensor.bitwise_xor_


def full_like_scalar(ref, value):
    """A Python scalar on the left of an operator, as the 0-dim tensor torch wraps it into."""
    sdt = D.scalar_dtype(value)
    # A wrapped number keeps its own category: it promotes only across categories.
    return Tensor._make(np.asarray(value, dtype=D.to_np(sdt if sdt.category > ref.dtype.category else ref.dtype)))
