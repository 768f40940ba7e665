"""Activations of torch.nn.functional: one graph node each, NumPy forward, backward formulas that
run on arrays and (under create_graph) on Tensors.

torch.relu, torch.selu, torch.celu, torch.prelu, torch.hardshrink, torch.threshold, torch.rrelu,
torch.softmax and torch.log_softmax are registry ops (parity-tested with the shared generator);
the rest exist only here, as in torch.nn.functional. Random draws (rrelu in training,
gumbel_softmax) take torsh_compat's generator in torch's order, so they equal torch's after the
same seed. Half and bfloat16 compute in float32 and round once, as torch's CPU kernels do.

Formulas read masks and other non-differentiable factors from the data (`B.data`) and wrap them
with `B.const`, so the same line is a plain NumPy product on the fast path and a Tensor product
(differentiable in g) under create_graph. The piecewise-linear ones (relu, hardtanh, leaky_relu,
threshold, the shrinks, rrelu) record torch's XBackwardBackward0 node there instead: g times the
factor, with a zero derivative in the saved input, as torch's graph has it.
"""
import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _wrap_dim
from ...autograd.grad_mode import _State
from ...ops import dual as B
from ...ops import samples as S
from ...ops.reduction import vector_norm
from ...ops.registry import (register, record, backward_node, unary, check_inplace, assign_result,
                             not_implemented_node, _snapshot, INPUTS, OUT, SAME_OUT)

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu", "elu_", "selu",
           "selu_", "celu", "celu_", "gelu", "silu", "mish", "softplus", "softsign", "hardtanh",
           "hardtanh_", "hardsigmoid", "hardswish", "sigmoid", "tanh", "logsigmoid", "tanhshrink",
           "softshrink", "hardshrink", "threshold", "threshold_", "glu", "softmax", "log_softmax",
           "softmin", "gumbel_softmax", "normalize", "rrelu", "rrelu_"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# ---- helpers ------------------------------------------------------------------------------

def _legacy(dt):
    return D.legacy_name(D.FROM_NP[dt])


def _float_only(x, kernel):
    """torch's refusal of integer, bool and complex inputs for real floating-point CPU kernels."""
    if x.dtype.kind != "f" and not _low(x.dtype):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(x.dtype)}\'')


def _piecewise_backward(node_name):
    """The node of torch's XBackward op for a piecewise-linear activation: g * factor, with factor
    a constant per element (a mask or a slope) read from the data. Under create_graph the result
    depends on g (times factor again) and on the saved tensor with a zero derivative, so
    gradient penalties see the same graph (and zero second derivatives) as in torch."""
    def backward(gg, g, through, out, factor):
        return _piecewise_grad(gg, through, factor, node), B.zeros_like(through)
    node = backward_node(node_name, backward, INPUTS)
    node.fit = False
    return node


def _piecewise_grad(g, through, factor, node):
    if B.is_array(g):
        return g * factor
    return record(g._data * factor, node, (g, through), (factor,))


def _erf_any(a):
    if B.is_array(a):
        return _erf_fast(np.asarray(a))
    return a.erf()


# erf for GELU on arrays: the core's erf (a long series and continued fraction, ~150 array passes)
# dominates GELU's cost, so GELU evaluates piecewise polynomials interpolating the core's
# double-precision erf/erfc at Chebyshev nodes (built once, on first use): 12 pieces of width 1/2
# on [0, 6) (erf is 1 to double precision beyond), degree 12, one gather and one multiply-add per
# degree. The first piece is x * P(x^2), so erf keeps its relative precision near 0; the others
# give erfc(x) exp(x^2), smooth and slowly varying, so 1 - erfc keeps erf correct to the last
# place near 1 (GELU's far negative tail is 1 + erf).
_ERF_PIECES, _ERF_DEGREE = 12, 12
_erf_table = None


def _erf_coefficients():
    from ...ops.pointwise import _erf_erfc
    cheb = np.polynomial.chebyshev

    def first(u):           # erf(x) / x on x^2 = (u + 1) / 8 in [0, 1/4]
        x = np.sqrt((u + 1) / 8)
        return np.where(x > 0, _erf_erfc(x)[0] / np.where(x > 0, x, 1), 2 / math.sqrt(math.pi))

    def scaled_erfc(u, a):
        x = a + 0.25 * (u + 1)
        return _erf_erfc(x)[1] * np.exp(x * x)

    rows = [cheb.cheb2poly(cheb.chebinterpolate(first, _ERF_DEGREE))]
    for i in range(1, _ERF_PIECES):
        rows.append(cheb.cheb2poly(cheb.chebinterpolate(scaled_erfc, _ERF_DEGREE, (0.5 * i,))))
    rows.append(np.zeros(_ERF_DEGREE + 1))           # |x| >= 6: erfc is 0 to double precision
    return np.ascontiguousarray(np.array(rows)[:, ::-1].T)   # [power, piece], highest first


def _erf_fast(x):
    """erf(x) in float64 rounded to x's dtype (NaN stays NaN)."""
    global _erf_table
    if _erf_table is None:
        _erf_table = _erf_coefficients()
    xd = x.astype(np.float64)
    ax = np.abs(xd)
    s = ax * 2.0
    k = np.fmin(s, _ERF_PIECES).astype(np.intp)
    first = k == 0
    u = np.where(first, 2.0 * s * s - 1.0, np.clip(2.0 * (s - k) - 1.0, -1.0, 1.0))
    r = np.take(_erf_table[0], k)
    for c in _erf_table[1:]:
        r *= u
        r += np.take(c, k)
    with np.errstate(invalid="ignore"):        # r * ax at |x| = inf, a branch not taken
        r = np.where(first, r * ax, 1.0 - r * np.exp(-ax * ax))
    return np.copysign(r, xd).astype(x.dtype, copy=False)


def _sigmoid_np(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _sigmoid_any(a):
    """sigmoid without exp overflow warnings on arrays; the Tensor op under create_graph."""
    return _sigmoid_np(a) if B.is_array(a) else a.sigmoid()


# ---- half and bfloat16: torch's CPU kernels compute in float32 and round once ----------------

_F32 = np.dtype(np.float32)


def _low(dt):
    """float16 or bfloat16 (ml_dtypes' bfloat16 is a NumPy void-kind dtype)."""
    return dt.itemsize == 2 and dt.kind in "fV"


def _widen(a):
    return a.astype(_F32) if isinstance(a, np.ndarray) and _low(a.dtype) else a


def _forward_wide(forward, x, *params):
    """forward(x, *params), computed in float32 for a half or bfloat16 x."""
    if _low(x.dtype):
        return forward(x.astype(_F32), *params).astype(x.dtype)
    return forward(x, *params)


def _backward_wide(backward):
    """A backward formula whose fast path computes half and bfloat16 in float32."""
    def wide(g, *rest):
        if not (B.is_array(g) and _low(g.dtype)):
            return backward(g, *rest)
        r = backward(g.astype(_F32), *map(_widen, rest))
        if isinstance(r, tuple):
            return tuple(None if a is None else a.astype(g.dtype) for a in r)
        return r.astype(g.dtype)
    return wide


def _elementwise(node_name, forward, backward, save=INPUTS):
    """An elementwise activation op(input, *params): forward(x, *params) on the data, one node."""
    node = backward_node(node_name, _backward_wide(backward), save)
    node.fit = False      # the gradient already has the input's shape and dtype

    def op(input, *params):
        return record(_forward_wide(forward, input._data, *params), node, (input,), params)
    return op


def _inplace(op, input, *params):
    """op applied in place: the result goes into input, which takes the op's history."""
    check_inplace(input)
    return assign_result(input, op(_snapshot(input), *params), "activation")


# ---- relu family --------------------------------------------------------------------------

def _no_complex_clamp(x):
    if x.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")


def _relu_forward(x):
    if x.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    _no_complex_clamp(x)
    return np.maximum(x, x.dtype.type(0))


_ThresholdBackwardBackward = _piecewise_backward("ThresholdBackwardBackward0")


def _relu_backward(g, x, out):
    return _piecewise_grad(g, out, ~(B.data(out) <= 0), _ThresholdBackwardBackward)


_relu_op = unary("relu", _relu_forward, _relu_backward, save=OUT, out=SAME_OUT,
                 samples=S.unary(dtypes=S.ALL))
relu_ = Tensor.relu_


def relu(input, inplace=False):
    return relu_(input) if inplace else _relu_op(input)


def _hardtanh_forward(x, min_val, max_val):
    if x.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    _no_complex_clamp(x)
    return np.clip(x, min_val, max_val).astype(x.dtype, copy=False)


_HardtanhBackwardBackward = _piecewise_backward("HardtanhBackwardBackward0")


def _hardtanh_backward(g, x, out, min_val, max_val):
    xd = B.data(x)
    return _piecewise_grad(g, x, ~((xd <= min_val) | (xd >= max_val)), _HardtanhBackwardBackward)


_hardtanh_op = _elementwise("Hardtanh", _hardtanh_forward, _hardtanh_backward)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(_hardtanh_op, input, min_val, max_val)
    return _hardtanh_op(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def _leaky_forward(x, slope):
    _float_only(x, "leaky_relu_cpu")
    return np.where(x > 0, x, x * x.dtype.type(slope))


_LeakyReluBackwardBackward = _piecewise_backward("LeakyReluBackwardBackward0")


def _leaky_backward(g, x, out, slope):
    xd = B.data(x)
    factor = np.where(xd > 0, xd.dtype.type(1), xd.dtype.type(slope))
    return _piecewise_grad(g, x, factor, _LeakyReluBackwardBackward)


_leaky_op = _elementwise("LeakyRelu", _leaky_forward, _leaky_backward)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    if inplace:
        return _inplace(_leaky_op, input, negative_slope)
    return _leaky_op(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def threshold(input, threshold, value, inplace=False):
    if inplace:
        return _inplace(_threshold_op, input, threshold, value)
    return _threshold_op(input, threshold, value)


def _threshold_forward(x, thr, value):
    if x.dtype == np.bool_ or x.dtype.kind == "c":
        raise NotImplementedError(f'"threshold_cpu" not implemented for \'{_legacy(x.dtype)}\'')
    return np.where(x <= thr, np.asarray(value).astype(x.dtype), x)     # NaN stays NaN


def _threshold_backward(g, x, out, thr, value):
    return _piecewise_grad(g, x, ~(B.data(x) <= thr), _ThresholdBackwardBackward)


_threshold_op = _elementwise("Threshold", _threshold_forward, _threshold_backward)


def _threshold_registered(input, threshold, value):
    return _threshold_op(input, threshold, value)


_threshold_registered.__name__ = "threshold"
register(_threshold_registered, name="threshold", node=_threshold_op, method=False,
         samples=S.unary(dtypes=S.NUMERIC, args=lambda nd: [((1, 2), {}), ((0, -1), {})]))


def threshold_(input, threshold, value):
    return _inplace(_threshold_op, input, threshold, value)


# ---- rrelu --------------------------------------------------------------------------------

def _rrelu_noise(x, lower, upper, generator):
    """torch's CPU training draws, reproduced: for each element <= 0 in C order, one
    uniform(lower, upper) double from the generator's 64-bit stream (bounds first rounded to the
    input's dtype), cast to the input's dtype; 1 elsewhere."""
    from ... import random
    g = random._gen(generator)
    neg = x <= 0
    lo, hi = float(x.dtype.type(lower)), float(x.dtype.type(upper))
    noise = np.ones(x.shape, x.dtype)
    noise[neg] = (g._double(int(np.count_nonzero(neg))) * (hi - lo) + lo).astype(x.dtype)
    return noise


def _rrelu_node(name):
    def backward(g, x, out, noise, slope):
        if noise is None:       # eval: leaky_relu's gradient
            xd = B.data(x)
            noise = np.where(xd > 0, xd.dtype.type(1), xd.dtype.type(slope))
        return _piecewise_grad(g, x, noise, _RreluWithNoiseBackwardBackward)
    node = backward_node(name, _backward_wide(backward), INPUTS)
    node.fit = False
    return node


_RreluWithNoiseBackwardBackward = _piecewise_backward("RreluWithNoiseBackwardBackward0")
_RreluNode = _rrelu_node("RreluWithNoiseBackward0")
_RreluInplaceNode = _rrelu_node("RreluWithNoiseBackward1")


def _rrelu_op(node):
    def op(input, lower, upper, training, generator):
        x = input._data
        slope = (lower + upper) / 2
        if training:
            if x.dtype not in (np.float32, np.float64):     # no half, bfloat16 or complex kernel
                raise NotImplementedError(f'"rrelu_with_noise_out_cpu" not implemented for '
                                          f"'{_legacy(x.dtype)}'")
            noise = _rrelu_noise(x, lower, upper, generator)
            out = x * noise
        else:
            out, noise = _forward_wide(_leaky_forward, x, slope), None
        return record(out, node, (input,), (noise, slope))
    return op


_rrelu_out, _rrelu_in = _rrelu_op(_RreluNode), _rrelu_op(_RreluInplaceNode)


def _rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    return _rrelu_out(input, lower, upper, training, generator)


_rrelu.__name__ = "rrelu"
# Parity samples are the deterministic calls: eval, and training with lower == upper.
register(_rrelu, name="rrelu", node=_RreluNode, method=False, samples=S.unary(
    args=lambda nd: [((), {}), ((0.1, 0.3), {}), ((0.2, 0.2, True), {})]))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if not inplace:
        return _rrelu(input, lower, upper, training)
    return rrelu_(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    return _inplace(_rrelu_in, input, lower, upper, training, None)


# ---- prelu --------------------------------------------------------------------------------

def _prelu_weight_view(weight, ndim):
    """The weight shaped to broadcast along the channel dimension (dim 1) of the input."""
    if weight.ndim == 0 or weight.size == 1 or ndim < 2:
        return weight.reshape(())
    return weight.reshape((1, -1) + (1,) * (ndim - 2))


def _prelu_backward(g, x, w, out):
    """x > 0 ? g : w g for the input, x > 0 ? 0 : x g summed to the weight (NaN takes the w side)."""
    xd, wd = B.data(x), B.data(w)
    neg = ~(xd > 0)
    if B.is_array(g):
        wv = _prelu_weight_view(wd, xd.ndim)
        gx = g * np.where(neg, wv, xd.dtype.type(1)).astype(xd.dtype, copy=False)
        gw = g * np.where(neg, xd, xd.dtype.type(0))
    else:       # under create_graph: differentiable in g, x and w
        c = B.const(neg, g)
        gx = g * B.where(c, _prelu_weight_view(w, xd.ndim), 1.0)
        gw = g * B.where(c, x, 0.0)
    if wd.size == 1 or xd.ndim < 2:
        gw = gw.sum()
    else:
        gw = B.sum(gw, (0,) + tuple(range(2, xd.ndim)))
    return gx, B.reshape(gw, wd.shape)


_PreluNode = backward_node("PreluKernel", _backward_wide(_prelu_backward), INPUTS)


def prelu(input, weight):
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {_legacy(x.dtype)} and "
                           f"{_legacy(w.dtype)}")
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {w.ndim}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.size != 1 and w.size != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter "
                           f"numbers = {w.size} and channel size = {channels}.")
    _float_only(x, "prelu_cpu")
    wv = _prelu_weight_view(_widen(w), x.ndim)
    out = _forward_wide(lambda x: np.where(x > 0, x, wv * x), x)
    return record(out, _PreluNode, (input, weight))


register(prelu, node=_PreluNode, samples=S.Spec(
    arity=2, shapes=[((4, 6), (1,)), ((4, 6), (6,)), ((2, 3, 4), (3,)), ((2, 3, 2, 2), (3,)),
                     ((5,), (1,)), ((), (1,)), ((0, 3), (3,))]))


# ---- exponential family ---------------------------------------------------------------------

def _elu_forward(x, alpha, scale, input_scale, kernel="elu_cpu"):
    _float_only(x, kernel)
    t = x.dtype.type
    with np.errstate(over="ignore"):
        neg = t(scale * alpha) * np.expm1(x * t(input_scale))
    return np.where(x > 0, x * t(scale), neg)


def _elu_backward(g, x, out, alpha, scale, input_scale):
    xd = B.data(x)
    t = xd.dtype.type
    pos = ~(xd <= 0)        # NaN takes the linear branch, as in torch
    if B.is_array(g):
        with np.errstate(over="ignore"):
            d = np.where(pos, t(scale), t(scale * alpha * input_scale) * np.exp(xd * t(input_scale)))
        return g * d
    d = B.exp(x * input_scale) * (scale * alpha * input_scale)
    return g * B.where(B.const(pos, g), B.const(np.full(xd.shape, t(scale)), g), d)


_elu_op = _elementwise("Elu", _elu_forward, _elu_backward)
_celu_op = _elementwise("Celu", _elu_forward, _elu_backward)


def elu(input, alpha=1.0, inplace=False):
    if inplace:
        return _inplace(_elu_op, input, alpha, 1.0, 1.0)
    return _elu_op(input, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def _selu(input):
    return _elu_op(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


_selu.__name__ = "selu"
register(_selu, name="selu", node=_elu_op, method=False, samples=S.unary())


def selu(input, inplace=False):
    if inplace:
        return _inplace(_elu_op, input, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return _elu_op(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, inplace=True)


def _celu(input, alpha=1.0):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _celu_op(input, alpha, 1.0, 1.0 / alpha)


_celu.__name__ = "celu"
register(_celu, name="celu", node=_celu_op, method=False,
         samples=S.unary(args=lambda nd: [((), {}), ((0.5,), {}), ((), {"alpha": 2.0})]))


def celu(input, alpha=1.0, inplace=False):
    if inplace:
        if alpha == 0:
            raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
        return _inplace(_celu_op, input, alpha, 1.0, 1.0 / alpha)
    return _celu(input, alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


# ---- smooth gates -------------------------------------------------------------------------

_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1 / math.sqrt(2.0)
_INV_SQRT_2PI = 1 / math.sqrt(2.0 * math.pi)


def _gelu_forward(x, approximate):
    _float_only(x, "GeluKernelImpl")
    t = x.dtype.type
    if approximate == "tanh":
        inner = t(_SQRT_2_PI) * (x + t(0.044715) * x * x * x)
        return t(0.5) * x * (t(1) + np.tanh(inner))
    return x * t(0.5) * (t(1) + _erf_any(x * t(_INV_SQRT_2)))


def _gelu_backward(g, x, out, approximate):
    if approximate == "tanh":
        x2 = x * x
        th = B.tanh((x + x2 * x * 0.044715) * _SQRT_2_PI)
        left = (th + 1) * 0.5
        right = x * (1 - th * th) * ((x2 * (3 * 0.044715) + 1) * (0.5 * _SQRT_2_PI))
        return g * (left + right)
    cdf = (_erf_any(x * _INV_SQRT_2) + 1) * 0.5
    pdf = B.exp(x * x * -0.5) * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


_gelu_op = _elementwise("Gelu", _gelu_forward, _gelu_backward)


def gelu(input, approximate="none"):
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _gelu_op(input, approximate)


def _silu_forward(x):
    if x.dtype.kind == "c":     # x sigmoid(x) with the complex sigmoid (no gradient, as in torch)
        return x / (1 + np.exp(-x))
    _float_only(x, "silu_cpu")
    return x * _sigmoid_np(x)


def _silu_backward(g, x, out):
    s = _sigmoid_any(x)
    return g * s * (x * (1 - s) + 1)


_silu_op = _elementwise("Silu", _silu_forward, _silu_backward)


def silu(input, inplace=False):
    if input._rg and input._data.dtype.kind == "c" and _State.enabled:
        raise RuntimeError("silu does not support automatic differentiation for outputs with "
                           "complex dtype.")
    return _inplace(_silu_op, input) if inplace else _silu_op(input)


def _softplus_np(x):
    """log(1 + exp(x)) without overflow."""
    return np.maximum(x, x.dtype.type(0)) + np.log1p(np.exp(-np.abs(x)))


def _mish_forward(x):
    _float_only(x, "mish_cpu")
    return x * np.tanh(_softplus_np(x))


def _softplus_any(x):
    if B.is_array(x):
        return _softplus_np(x)
    return x.clamp_min(0.0) + B.log(B.exp(-B.abs(x)) + 1)


def _mish_backward(g, x, out):
    ts = B.tanh(_softplus_any(x))
    return g * (ts + x * _sigmoid_any(x) * (1 - ts * ts))


_mish_op = _elementwise("Mish", _mish_forward, _mish_backward)


def mish(input, inplace=False):
    return _inplace(_mish_op, input) if inplace else _mish_op(input)


def _softplus_forward(x, beta, thr):
    _float_only(x, "softplus_cpu")
    t = x.dtype.type
    bx = x * t(beta)
    with np.errstate(over="ignore", divide="ignore"):      # beta = 0 gives inf, as in torch
        soft = np.log1p(np.exp(bx)) / t(beta)
    return np.where(bx > thr, x, soft)


def _softplus_backward(g, x, out, beta, thr):
    xd = B.data(x)
    linear = xd * xd.dtype.type(beta) > thr
    if B.is_array(g):
        return g * np.where(linear, xd.dtype.type(1), _sigmoid_np(xd * xd.dtype.type(beta)))
    return g * B.where(B.const(linear, g), B.const(np.ones_like(xd), g), B.sigmoid(x * beta))


_softplus_op = _elementwise("Softplus", _softplus_forward, _softplus_backward)


def softplus(input, beta=1.0, threshold=20.0):
    return _softplus_op(input, beta, threshold)


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def _hardsigmoid_forward(x):
    _float_only(x, "hardsigmoid_cpu")
    t = x.dtype.type
    return np.minimum(np.maximum(x + t(3), t(0)), t(6)) / t(6)


# torch has no double backward for hardsigmoid: under create_graph the gradient's grad_fn raises.
_HardsigmoidBackwardBackward = not_implemented_node("hardsigmoid_backward")


def _hardsigmoid_backward(g, x, out):
    xd = B.data(x)
    t = xd.dtype.type
    factor = np.where((xd > -3) & (xd < 3), t(1 / 6), t(0))
    if B.is_array(g):
        return g * factor
    return record(g._data * factor, _HardsigmoidBackwardBackward, (g, x))


_hardsigmoid_op = _elementwise("Hardsigmoid", _hardsigmoid_forward, _hardsigmoid_backward)


def hardsigmoid(input, inplace=False):
    return _inplace(_hardsigmoid_op, input) if inplace else _hardsigmoid_op(input)


def _hardswish_forward(x):
    _float_only(x, "hardswish_cpu")
    t = x.dtype.type
    return x * np.minimum(np.maximum(x + t(3), t(0)), t(6)) / t(6)


def _hardswish_backward(g, x, out):
    """0 up to -3 (included), x/3 + 1/2 on (-3, 3), 1 from 3 on (and for NaN), as torch."""
    xd = B.data(x)
    t = xd.dtype.type
    low = xd <= -3
    mid = ~low & (xd < 3)
    if B.is_array(g):
        return g * np.where(low, t(0), np.where(mid, xd / t(3) + t(0.5), t(1)))
    rest = B.const((~low & ~mid).astype(t), g)
    return g * B.where(B.const(mid, g), x / 3 + 0.5, rest)


_hardswish_op = _elementwise("Hardswish", _hardswish_forward, _hardswish_backward)


def hardswish(input, inplace=False):
    return _inplace(_hardswish_op, input) if inplace else _hardswish_op(input)


def _logsigmoid_forward(x):
    _float_only(x, "log_sigmoid_cpu")
    return np.minimum(x, x.dtype.type(0)) - np.log1p(np.exp(-np.abs(x)))


_logsigmoid_op = _elementwise("LogSigmoid", _logsigmoid_forward,
                              lambda g, x, out: g * _sigmoid_any(-x))


def logsigmoid(input):
    return _logsigmoid_op(input)


# ---- shrinkage ----------------------------------------------------------------------------

def _softshrink_forward(x, lambd):
    _float_only(x, "softshrink_check")
    top = float(np.finfo(x.dtype).max)
    if not 0 <= lambd <= top:
        raise RuntimeError(f"lambda must be in range [0, {top:g}] for input dtype "
                           f"{_legacy(x.dtype)}, but found {lambd:g}")
    t = x.dtype.type
    # x * 0 in the dead zone: -0.0 for negative x, and NaN stays NaN, as in torch
    return np.where(x > lambd, x - t(lambd), np.where(x < -lambd, x + t(lambd), x * t(0)))


def _shrink_backward(node):
    def backward(g, x, out, lambd):
        xd = B.data(x)
        return _piecewise_grad(g, x, ~((xd >= -lambd) & (xd <= lambd)), node)
    return backward


_softshrink_op = _elementwise("Softshrink", _softshrink_forward,
                              _shrink_backward(_piecewise_backward("SoftshrinkBackwardBackward0")))


def softshrink(input, lambd=0.5):
    return _softshrink_op(input, lambd)


def _hardshrink_forward(x, lambd):
    _float_only(x, "hardshrink_cpu")
    return np.where((x >= -lambd) & (x <= lambd), x.dtype.type(0), x)


_hardshrink_op = _elementwise("Hardshrink", _hardshrink_forward,
                              _shrink_backward(_piecewise_backward("HardshrinkBackwardBackward0")))


def hardshrink(input, lambd=0.5):
    return _hardshrink_op(input, lambd)


register(hardshrink, node=_hardshrink_op, samples=S.unary(
    args=lambda nd: [((), {}), ((0.3,), {}), ((), {"lambd": 1.0})]))


# ---- glu ----------------------------------------------------------------------------------

def _glu_backward(g, x, out, dim):
    """(g s, (1 - s) s a g) for x = [a, b], s = sigmoid(b); half and bfloat16 round s to their
    dtype and compute the rest in float32, as torch's CPU kernel does."""
    if B.is_array(x):
        a, b = np.split(x, 2, axis=dim)
        low = x.dtype if _low(x.dtype) else None
        if low is not None:
            a, b, g = a.astype(_F32), b.astype(_F32), g.astype(_F32)
        s = _sigmoid_np(b)
        if low is not None:
            s = s.astype(low).astype(_F32)
        r = np.concatenate([g * s, (1 - s) * s * a * g], axis=dim)
        return r if low is None else r.astype(low)
    from ... import cat
    h = x.shape[dim] // 2
    a, b = x.narrow(dim, 0, h), x.narrow(dim, h, h)
    s = b.sigmoid()
    return cat([g * s, (1 - s) * s * a * g], dim)


_GluNode = backward_node("Glu", _glu_backward, INPUTS)
_GluNode.fit = False


def glu(input, dim=-1):
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {x.shape[d]}")
    _float_only(x, "glu_cpu")
    return record(_forward_wide(_glu_forward, x, d), _GluNode, (input,), (d,))


def _glu_forward(x, d):
    a, b = np.split(x, 2, axis=d)
    return a * _sigmoid_np(b)


# ---- softmax family -------------------------------------------------------------------------

def _softmax_np(x, d):
    """Softmax along axis d: max subtracted, sums accumulated in float64."""
    m = np.max(x, axis=d, keepdims=True) if x.size else x
    e = np.exp(x - m)
    s = np.add.reduce(e, axis=d, keepdims=True, dtype=np.float64)
    return e / s.astype(x.dtype)


def _log_softmax_np(x, d):
    if not x.size:
        return x.copy()
    m = np.max(x, axis=d, keepdims=True)
    shifted = x - m
    s = np.add.reduce(np.exp(shifted), axis=d, keepdims=True, dtype=np.float64)
    return shifted - np.log(s).astype(x.dtype)


def _softmax_backward(g, x, out, d):
    return out * (g - B.sum(g * out, d, keepdims=True))


def _log_softmax_backward(g, x, out, d):
    return g - B.exp(out) * B.sum(g, d, keepdims=True)


_SoftmaxNode = backward_node("Softmax", _backward_wide(_softmax_backward), OUT)
_SoftmaxNode.fit = False
_LogSoftmaxNode = backward_node("LogSoftmax", _backward_wide(_log_softmax_backward), OUT)
_LogSoftmaxNode.fit = False


def _softmax_input(input, dim, dtype, kernel):
    x = input._data
    d = _wrap_dim(dim, max(x.ndim, 1))
    if dtype is not None and D.to_np(dtype) != x.dtype:
        input = input.to(dtype)
        x = input._data
    if x.dtype.kind != "f" and not _low(x.dtype):
        last = d == max(x.ndim, 1) - 1
        raise NotImplementedError(f'"{kernel}{"_lastdim" if last else ""}_kernel_impl" not '
                                  f'implemented for \'{_legacy(x.dtype)}\'')
    return input, x, (d if x.ndim else None)


def _softmax_compute(x, d, log):
    if d is None:        # 0-d: one element along the (virtual) dim
        return np.zeros_like(x) if log else np.ones_like(x)
    return _forward_wide(_log_softmax_np if log else _softmax_np, x, d)


def _softmax(input, dim, dtype=None):
    input, x, d = _softmax_input(input, dim, dtype, "softmax")
    return record(_softmax_compute(x, d, False), _SoftmaxNode, (input,), (d,))


def _log_softmax(input, dim, dtype=None):
    input, x, d = _softmax_input(input, dim, dtype, "log_softmax")
    return record(_softmax_compute(x, d, True), _LogSoftmaxNode, (input,), (d,))


def _dims(nd):
    return [((d,), {}) for d in (range(-nd, nd) if nd else (0, -1))]


_softmax.__name__, _log_softmax.__name__ = "softmax", "log_softmax"
register(_softmax, name="softmax", node=_SoftmaxNode, samples=S.unary(args=_dims, domain=(-8, 8)))
register(_log_softmax, name="log_softmax", node=_LogSoftmaxNode,
         samples=S.unary(args=_dims, domain=(-8, 8)))


def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  f"include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _softmax(input, dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _log_softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    return _softmax(-input, dim, dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) with Gumbel(0, 1) noise g = -log(Exp(1)), drawn as torch draws
    it (the same values after the same seed). hard=True gives the one-hot argmax forward with the
    soft sample's gradient (straight-through). Composed of tensor ops, as in torch."""
    from ... import _creation
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    # drawn into a C-contiguous tensor (torch's legacy_contiguous_format), whatever logits' strides
    gumbels = -_creation.empty(logits.shape, dtype=logits.dtype).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _creation.zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


# ---- normalize ----------------------------------------------------------------------------

# Helpers shared with nn/_functional/loss.py (pairwise_distance, triplet_margin_loss).

def _vector_norm_np(x, p, d):
    """||x||_p along axis d (keepdims), accumulated in float64 for float32 input."""
    acc = np.float64 if x.dtype == np.float32 else x.dtype
    a = np.abs(x)
    if p == 2:
        n = np.sqrt(np.add.reduce(a.astype(acc) ** 2, axis=d, keepdims=True))
    elif p == 1:
        n = np.add.reduce(a, axis=d, keepdims=True, dtype=acc)
    elif p == math.inf:
        n = np.max(a, axis=d, keepdims=True, initial=0)
    elif p == -math.inf:
        n = np.min(a, axis=d, keepdims=True)
    elif p == 0:
        n = np.add.reduce(a != 0, axis=d, keepdims=True, dtype=acc)
    else:
        n = np.add.reduce(a.astype(acc) ** p, axis=d, keepdims=True) ** (1.0 / p)
    return n.astype(x.dtype)


def _norm_grad(x, n, p, d):
    """d||x||_p / dx as torch's norm backward gives it (0 where the norm is 0)."""
    xd, nd = B.data(x), B.data(n)
    zero = nd == 0
    if p == 2:
        return x / B.const(np.where(zero, np.inf, nd), x)
    if p == 1:
        return B.const(np.sign(xd), x)
    if p in (math.inf, -math.inf):
        hit = (np.abs(xd) == nd) & ~zero
        count = np.maximum(np.add.reduce(hit, axis=d, keepdims=True), 1)
        return B.const((np.sign(xd) * hit / count).astype(xd.dtype), x)
    if p == 0:
        return B.const(np.zeros_like(xd), x)
    safe_n = B.const(np.where(zero, 1, nd), x)
    grad = x * B.abs(x) ** (p - 2) / safe_n ** (p - 1)
    return B.where(B.const(np.broadcast_to(zero, xd.shape), x), B.const(np.zeros_like(xd), x), grad)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps), composed of the ops torch composes it of (vector
    norm, clamp_min, expand, div), so every derivative order follows their formulas."""
    denom = vector_norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    res = input / denom
    if out is None:
        return res
    if res.requires_grad:
        raise RuntimeError("div(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape == res._data.shape:
        np.copyto(out._data, res._data, casting="same_kind")
    else:
        out._data = res._data.astype(out._data.dtype)
    out._bump()
    return out
