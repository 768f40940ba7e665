"""Normalisation functionals: batch_norm, instance_norm, layer_norm, group_norm, rms_norm and
local_response_norm, one graph node each with a closed-form backward.

batch, instance, layer, group and RMS norm are one computation seen through two reshapes of the
input: a statistics view (N, C, L), normalised per C over N and L, and an affine view (P, K, Q),
scaled and shifted per K by the weight and bias:

    op              statistics view          affine view
    batch_norm      (N, C, L)                (N, C, L)       L = prod(spatial dims)
    instance_norm   (1, N*C, L)              (N, C, L)
    group_norm      (1, N*G, C/G*L)          (N, C, L)
    layer_norm      (1, M, K)                (M, K, 1)       K = prod(normalized_shape)
    rms_norm        as layer_norm, not centred

Accuracy: float32 statistics are computed in float32 by two passes: a first mean, then the
deviations from it, whose sum corrects the mean and whose squares give the variance. Row sums are
numpy's pairwise sums, longer accumulations run in float32 for at most _RUN terms and are then
combined in float64 (see _colsum, _dots). torch accumulates in double; this matches it well within
rtol 1.3e-6 / atol 1e-5 (and the summed weight/bias gradients are closer to the float64 values
than torch's own float32 ones) while every pass stays at memory speed (a float64-accumulating
numpy reduce is ~10x slower); the deviation form keeps the variance exact when |mean| >> std,
where E[x^2] - E[x]^2 would not.

Speed: each normalisation is split into independent sub-problems of about _CHUNK elements (groups
of channels for batch norm, groups of rows otherwise), so that a chunk's temporaries stay in cache.
"""
import numbers

import numpy as np

from ... import _dtype as D
from ...autograd.graph import Node
from ...autograd.grad_mode import _State
from ...ops import dual as B
from ...ops import samples as S
from ...ops.registry import record, register, saved_versions, INPUTS

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]

_RUN = 64        # longest float32 accumulation run in the reductions below
_LEGACY = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
           "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


# ---- reductions over axes 0 and 2 of a (N, C, L) view --------------------------------------

def _colsum(a2):
    """Column sums of a (M, K) array, float64: float32 sums over runs of _RUN rows (numpy adds
    rows one after another, so long columns would drift), then the run sums in float64."""
    m, k = a2.shape
    q = m // _RUN
    s = np.zeros(k)
    if q:
        s += np.add.reduce(a2[:q * _RUN].reshape(q, _RUN, k).sum(1), axis=0, dtype=np.float64)
    if q * _RUN < m:
        s += np.add.reduce(a2[q * _RUN:], axis=0, dtype=np.float64)
    return s


def _sums(a3):
    """Sums of a (N, C, L) view over N and L: (C,) float64. Row sums are numpy's pairwise
    float32 sums (BLAS gemv with a ones vector is no faster, and slower under load)."""
    n, c, l = a3.shape
    if l == 1:
        return _colsum(a3.reshape(n, c))
    return np.add.reduce(a3.sum(axis=2), axis=0, dtype=np.float64)


def _dots(a3, b3):
    """Sums of a3 * b3 over N and L: (C,) float64, without materialising the product."""
    n, c, l = a3.shape
    if l == 1:
        q = n // _RUN
        s = np.zeros(c)
        if q:
            s += np.add.reduce(np.einsum("qrc,qrc->qc", a3[:q * _RUN].reshape(q, _RUN, c),
                                         b3[:q * _RUN].reshape(q, _RUN, c)), axis=0, dtype=np.float64)
        if q * _RUN < n:
            s += np.einsum("nc,nc->c", a3[q * _RUN:].reshape(-1, c), b3[q * _RUN:].reshape(-1, c))
        return s
    q = l // _RUN
    m = q * _RUN
    s = np.zeros((n, c))
    if q:   # einsum accumulates sequentially: short runs, then float64 (3x faster than dtype=float64)
        s += np.add.reduce(np.einsum("ncqk,ncqk->ncq", a3[..., :m].reshape(n, c, q, _RUN),
                                     b3[..., :m].reshape(n, c, q, _RUN)), axis=2, dtype=np.float64)
    if m < l:
        s += np.einsum("ncl,ncl->nc", a3[..., m:], b3[..., m:])
    return np.add.reduce(s, axis=0)


def _col(v, dt):
    """A (C,) vector as a (1, C, 1) array of dtype dt, broadcasting over a (N, C, L) view."""
    return np.asarray(v, dtype=dt).reshape(1, -1, 1)


def _normalize_into(x3, dst, eps, centre):
    """Write the normalised x3 (a (N, C, L) view) into dst; returns (mean or None, invstd, sum of
    squared deviations), float64 per C. The deviations from a first float32 mean are summed to
    correct it, and their squares give the variance."""
    n, c, l = x3.shape
    count = n * l
    dt = x3.dtype
    with np.errstate(divide="ignore", invalid="ignore"):
        if centre:
            m0 = (_sums(x3) / count).astype(dt)
            np.subtract(x3, _col(m0, dt), out=dst)
            corr = _sums(dst) / count
            m2 = np.maximum(_dots(dst, dst) - count * corr * corr, 0.0)
            mean = m0 + corr
        else:
            m2, mean = _dots(x3, x3), None
        invstd = 1.0 / np.sqrt(m2 / count + eps)
    if not centre:
        np.multiply(x3, _col(invstd, dt), out=dst)
        return mean, invstd, m2
    # the float32 first-pass mean is off by corr; below 2^-24 of a unit xhat it cannot show
    if count and (np.abs(corr) * invstd).max(initial=0.0) > 2.0 ** -24:
        dst -= _col(corr, dt)
    dst *= _col(invstd, dt)
    return mean, invstd, m2


_CHUNK = 1 << 18     # elements per sub-problem (1 MB of float32): its temporaries stay in cache


def _chunks(stat3, aff3):
    """The independent sub-problems of one normalisation, each about _CHUNK elements, as
    (statistics-view index, affine-view index, channel slice, weight index): groups of channels
    for batch norm (both views alike), else groups of whole rows of the affine view's first axis
    (samples, or layer-norm rows), which are whole rows of the statistics view (its N is 1)."""
    n, c, l = stat3
    if stat3 == aff3:
        step = max(1, _CHUNK // max(n * l, 1))
        for c0 in range(0, c, step):
            ch = slice(c0, c0 + step)
            yield (slice(None), ch), (slice(None), ch), ch, (slice(None), ch)
        return
    p = aff3[0]
    per_row = c // p if p else 0
    step = max(1, _CHUNK // max(per_row * l, 1))
    for p0 in range(0, p, step):
        ch = slice(p0 * per_row, (p0 + step) * per_row)
        yield (slice(None), ch), slice(p0, p0 + step), ch, slice(None)


# ---- the shared node ---------------------------------------------------------------------

class _Saved:
    """What the backward needs beyond (input, weight, bias).

    fixed: normalised with given statistics (eval batch norm), mean/invstd then constants.
    xhat: the normalised statistics view kept from the forward (None: recompute from the input).
    """
    __slots__ = ("stat3", "aff3", "eps", "centre", "fixed", "xhat", "mean", "invstd")

    def __init__(self, stat3, aff3, eps, centre, fixed, xhat, mean, invstd):
        self.stat3, self.aff3, self.eps, self.centre, self.fixed = stat3, aff3, eps, centre, fixed
        self.xhat, self.mean, self.invstd = xhat, mean, invstd


def _compute_dtype(dt):
    return dt if dt in (np.float32, np.float64) else np.dtype(np.float32)


class _NormNode(Node):
    """inputs (x, weight, bias); y = xhat * w + b, xhat = (x - mean) * invstd in the stats view."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        inputs, _ = self.saved(tensor_mode)
        if tensor_mode:
            return _norm_backward_tensor(g, *inputs, self.args[0], self.next)
        return _norm_backward_array(g, *inputs, self.args[0], self.next)


def _norm_backward_array(g, x, w, b, s, nxt):
    ct = _compute_dtype(x.dtype)
    n, c, l = s.stat3
    count = n * l
    ga = np.ascontiguousarray(g, dtype=ct).reshape(s.aff3)
    need_x = nxt[0] is not None
    need_w = len(nxt) > 1 and nxt[1] is not None
    need_b = len(nxt) > 2 and nxt[2] is not None
    need_xhat = need_w or (need_x and not s.fixed)
    wv = None if w is None else np.asarray(w, dtype=ct).reshape(1, s.aff3[1], 1)
    x3 = np.asarray(x, dtype=ct).reshape(s.stat3) if need_xhat and s.xhat is None else None
    aligned = s.aff3 == s.stat3
    gx = np.empty(s.stat3, ct) if need_x else None
    gw = np.zeros(s.aff3[1]) if need_w else None
    gb = np.zeros(s.aff3[1]) if need_b else None
    for si, ai, ch, wi in _chunks(s.stat3, s.aff3):
        inv = s.invstd[ch]
        xh = None
        if need_xhat:
            if s.xhat is not None:
                xh = s.xhat[si]
            else:
                xh = x3[si] - _col(s.mean[ch], ct) if s.centre else x3[si].copy()
                xh *= _col(inv, ct)
        ga_c = ga[ai]
        if aligned:
            # batch norm: weight channels are the statistics channels, so the sums over g * w and
            # g * w * xhat the input gradient needs are w times the bias and weight gradients
            sg = _sums(ga_c) if need_b or (need_x and not s.fixed) else None
            dg = _dots(ga_c, xh) if need_xhat else None
            if need_x:
                a = inv if wv is None else inv * wv[wi].reshape(-1)
                gx_c = gx[si]
                np.multiply(ga_c, _col(a, ct), out=gx_c)
                if not s.fixed:
                    gx_c -= xh * _col(a * dg / count, ct)
                    gx_c -= _col(a * sg / count, ct)
            if need_w:
                gw[ch] = dg
            if need_b:
                gb[ch] = sg
            continue
        xa = xh.reshape(ga_c.shape) if xh is not None else None
        if need_x:
            gh = (ga_c * wv if wv is not None else ga_c).reshape(xh.shape)
            gx_c = gx[si]
            if s.fixed:
                np.multiply(gh, _col(inv, ct), out=gx_c)
            else:
                np.multiply(xh, _col(-_dots(gh, xh) / count, ct), out=gx_c)
                gx_c += gh
                if s.centre:
                    gx_c -= _col(_sums(gh) / count, ct)
                gx_c *= _col(inv, ct)
        if need_w:
            gw += _dots(ga_c, xa)
        if need_b:
            gb += _sums(ga_c)
    return (None if gx is None else gx.reshape(x.shape),
            None if gw is None else gw.astype(ct).reshape(w.shape),
            None if gb is None else gb.astype(ct).reshape(b.shape))


def _norm_backward_tensor(g, x, w, b, s, nxt):
    """The same gradients as Tensor ops of (g, x, w, b), so they can be differentiated again."""
    n, c, l = s.stat3
    k = s.aff3[1]
    axes = (0, 2)
    x3 = x.reshape(s.stat3)
    if s.fixed:
        invstd = B.const(_col(s.invstd, x._data.dtype), g)
        xhat = (x3 - B.const(_col(s.mean, x._data.dtype), g)) * invstd
    else:
        xc = x3 - x3.mean(axes, keepdim=True) if s.centre else x3
        invstd = ((xc * xc).mean(axes, keepdim=True) + s.eps).rsqrt()
        xhat = xc * invstd
    ga = g.reshape(s.aff3)
    gx = gw = gb = None
    if nxt[0] is not None:
        gh = (ga * w.reshape(1, k, 1) if w is not None else ga).reshape(s.stat3)
        if s.fixed:
            gx = gh * invstd
        else:
            inner = gh - xhat * (gh * xhat).mean(axes, keepdim=True)
            if s.centre:
                inner = inner - gh.mean(axes, keepdim=True)
            gx = inner * invstd
        gx = gx.reshape(x.shape)
    if len(nxt) > 1 and nxt[1] is not None:
        gw = (ga * xhat.reshape(s.aff3)).sum(axes).reshape(w.shape)
    if len(nxt) > 2 and nxt[2] is not None:
        gb = ga.sum(axes).reshape(b.shape)
    return gx, gw, gb


def _node(name):
    return type(name, (_NormNode,), {"__slots__": ()})


_BatchNormNode = _node("NativeBatchNormBackward0")
_LayerNormNode = _node("NativeLayerNormBackward0")
_GroupNormNode = _node("NativeGroupNormBackward0")
_InstanceNormNode = _node("ViewBackward0")      # torch's instance_norm ends in a view of a batch norm
_RMSNormNode = _node("MulBackward0")            # torch's rms_norm ends in x * rsqrt(...) [* weight]


def _norm(input, weight, bias, stat3, aff3, eps, centre, node_cls, fixed=None):
    """Shared forward. fixed=(mean, invstd) per stats channel normalises with given statistics.
    Returns the output Tensor, and the batch mean and squared-deviation sums (float64, per C)."""
    x = input._data
    ct = _compute_dtype(x.dtype)
    x3 = np.asarray(x, dtype=ct).reshape(stat3)
    k = aff3[1]
    w = None if weight is None else np.asarray(weight._data, dtype=ct).reshape(1, k, 1)
    b = None if bias is None else np.asarray(bias._data, dtype=ct).reshape(1, k, 1)
    m2 = xhat = None
    if fixed is not None:
        mean, invstd = fixed
        alpha = invstd if w is None else invstd * w.reshape(-1)
        beta = -mean * alpha if b is None else b.reshape(-1) - mean * alpha
        y = x3 * _col(alpha, ct)
        y += _col(beta, ct)
    else:
        c = stat3[1]
        mean, invstd, m2 = (np.empty(c) if centre else None), np.empty(c), np.empty(c)
        affine = w is not None or b is not None
        # xhat is kept for the backward only when a graph will be recorded; without an affine map
        # the output is xhat itself, and the backward recomputes it from the saved input
        keep = affine and _State.enabled and any(t is not None and t._rg for t in (input, weight, bias))
        xh = np.empty(stat3, ct) if keep or not affine else None
        y = np.empty(aff3, ct) if affine else xh
        for si, ai, ch, wi in _chunks(stat3, aff3):
            x_c = x3[si]
            dst = xh[si] if xh is not None else np.empty(x_c.shape, ct)
            mc, ic, vc = _normalize_into(x_c, dst, eps, centre)
            if centre:
                mean[ch] = mc
            invstd[ch], m2[ch] = ic, vc
            if affine:
                y_c = y[ai]
                d = dst.reshape(y_c.shape)
                if w is not None:
                    np.multiply(d, w[wi], out=y_c)
                    if b is not None:
                        y_c += b[wi]
                else:
                    np.add(d, b[wi], out=y_c)
        if keep:
            xhat = xh
    y = y.reshape(x.shape)
    if y.dtype != x.dtype:
        y = y.astype(x.dtype)
    saved = _Saved(stat3, aff3, eps, centre, fixed is not None, xhat, mean, invstd)
    out = record(y, node_cls, (input, weight, bias), (saved,))
    if bias is not None and out._node is not None and node_cls is not _LayerNormNode:
        # only torch's layer norm saves the bias: changing it in place before backward is
        # allowed after the other norms
        out._node.versions = saved_versions(INPUTS, (input, weight), None)
    return out, mean, m2


# ---- argument checks ---------------------------------------------------------------------

def _legacy(dt):
    return _LEGACY.get(dt.name, dt.name)


def _check_float(x, kernel):
    bf16 = D.bfloat16.np
    if x.dtype.kind == "f" or (bf16 is not None and x.dtype == bf16):
        return
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_legacy(x.dtype)}\'')


def _check_param_dtypes(x, *params):
    """torch's CPU rule: parameters share the input's dtype, or are float for a half input."""
    dt = x.dtype
    for p in params:
        if p is None or p._data.dtype == dt:
            continue
        if dt.itemsize < 4 and p._data.dtype == np.float32:
            continue
        if dt == np.float32:
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _check_numel(expected, repeat, **tensors):
    for name, t in tensors.items():
        if t is not None and t._data.size * repeat != expected:
            raise RuntimeError(f"{name} should contain {expected} elements not {t._data.size * repeat}")


def _check_momentum(momentum, fn):
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.floating, np.integer)):
        raise TypeError(f"{fn}(): argument 'momentum' (position 7) must be float, not {type(momentum).__name__}")


def _spatial(shape):
    return int(np.prod(shape[2:], dtype=np.int64))


def _update(buf, new, momentum):
    """buffer <- (1 - momentum) * buffer + momentum * new, in place, accumulated in double."""
    d = buf._data
    d[...] = (momentum * new + (1.0 - momentum) * d.astype(np.float64)).reshape(d.shape)


# ---- batch_norm ------------------------------------------------------------------------------

def _verify_batch_size(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size):
    prod = 1
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise over all dims but 1; in training, update the running statistics in place."""
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """torch.batch_norm's argument order (without the cudnn flag)."""
    x = input._data
    _check_momentum(momentum, "batch_norm")
    _check_float(x, "batch_norm")
    c = x.shape[1] if x.ndim > 1 else 0
    _check_numel(c, 1, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    _check_param_dtypes(x, weight, bias, running_mean, running_var)
    n, l = (x.shape[0] if x.ndim else 1), _spatial(x.shape)
    stat3 = (n, c, l)
    if not training:
        if running_mean is None:
            raise RuntimeError("running_mean must be defined in evaluation mode")
        if running_var is None:
            raise RuntimeError("running_var must be defined in evaluation mode")
        fixed = _fixed(running_mean, running_var, eps)
        return _norm(input, weight, bias, stat3, stat3, eps, True, _BatchNormNode, fixed)[0]
    out, mean, m2 = _norm(input, weight, bias, stat3, stat3, eps, True, _BatchNormNode)
    count = n * l
    if count:
        with np.errstate(divide="ignore", invalid="ignore"):
            if running_mean is not None:
                _update(running_mean, mean, momentum)
            if running_var is not None:
                _update(running_var, m2 / (count - 1), momentum)
    return out


def _fixed(running_mean, running_var, eps):
    mean = running_mean._data.astype(np.float64).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        invstd = 1.0 / np.sqrt(running_var._data.astype(np.float64).reshape(-1) + eps)
    return mean, invstd


# ---- instance_norm ---------------------------------------------------------------------------

def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) over its spatial dims."""
    if use_input_stats:
        _verify_spatial_size(input.size())
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)


def _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps):
    x = input._data
    _check_momentum(momentum, "instance_norm")
    _check_float(x, "batch_norm")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    n, c, l = x.shape[0], (x.shape[1] if x.ndim > 1 else 1), _spatial(x.shape)
    _check_numel(n * c, n, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    _check_param_dtypes(x, weight, bias, running_mean, running_var)
    aff3 = (n, c, l)
    if not use_input_stats:
        fixed = _fixed(running_mean, running_var, eps)
        return _norm(input, weight, bias, aff3, aff3, eps, True, _InstanceNormNode, fixed)[0]
    out, mean, m2 = _norm(input, weight, bias, (1, n * c, l), aff3, eps, True, _InstanceNormNode)
    if n * c and l:
        # torch updates one copy of the running statistics per sample and keeps their average
        with np.errstate(divide="ignore", invalid="ignore"):
            if running_mean is not None:
                _update(running_mean, mean.reshape(n, c).mean(0), momentum)
            if running_var is not None:
                _update(running_var, (m2 / (l - 1)).reshape(n, c).mean(0), momentum)
    return out


# ---- layer_norm and rms_norm -----------------------------------------------------------------

def _normalized_shape(normalized_shape, fn):
    if isinstance(normalized_shape, numbers.Integral) or not isinstance(normalized_shape, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'normalized_shape' (position 2) must be tuple of ints, "
                        f"not {type(normalized_shape).__name__}")
    ns = [int(s) for s in normalized_shape]
    if not ns:
        raise RuntimeError("Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
                           "least one element, but got normalized_shape = []")
    return ns


def _trailing(input, ns, weight, bias, sep):
    """(M, K): the rows and row length of the trailing normalized_shape, checked as torch does."""
    shape = list(input._data.shape)
    if len(shape) < len(ns) or shape[len(shape) - len(ns):] != ns:
        raise RuntimeError(f"Given normalized_shape={ns}, expected input with shape "
                           f"[*{sep}{', '.join(map(str, ns))}], but got input of size{shape}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and list(p._data.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} "
                               f"of shape {list(p._data.shape)} and normalized_shape = {ns}")
    k = int(np.prod(ns, dtype=np.int64))
    m = int(np.prod(shape[:len(shape) - len(ns)], dtype=np.int64))
    return m, k


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing normalized_shape dims, then scale and shift elementwise."""
    ns = _normalized_shape(normalized_shape, "layer_norm")
    m, k = _trailing(input, ns, weight, bias, ", ")
    _check_float(input._data, "LayerNormKernelImpl")
    _check_param_dtypes(input._data, weight, bias)
    return _norm(input, weight, bias, (1, m, k), (m, k, 1), eps, True, _LayerNormNode)[0]


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing normalized_shape dims, times weight.
    eps None is the machine epsilon of the input's dtype, as torch."""
    ns = _normalized_shape(normalized_shape, "rms_norm")
    m, k = _trailing(input, ns, weight, None, "")
    _check_float(input._data, "rms_norm")
    if eps is None:
        eps = D.finfo(input.dtype).eps
    if weight is not None and weight._data.dtype != input._data.dtype:
        # torch's composite form promotes x * weight: compute in the result dtype
        dt = np.result_type(input._data.dtype, weight._data.dtype)
        input, weight = input.to(D.FROM_NP[dt]), weight.to(D.FROM_NP[dt])
    return _norm(input, weight, None, (1, m, k), (m, k, 1), eps, False, _RMSNormNode)[0]


# ---- group_norm ------------------------------------------------------------------------------

def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each sample over groups of num_groups consecutive channels and the spatial dims."""
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    _verify_batch_size([x.shape[0] * x.shape[1] // num_groups, num_groups] + list(x.shape[2:]))
    return _group_norm(input, num_groups, weight, bias, eps)


def _group_norm(input, num_groups, weight, bias, eps):
    x = input._data
    n, c, l = x.shape[0], x.shape[1], _spatial(x.shape)
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got "
                           f"input of shape {list(x.shape)} and num_groups={num_groups}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p._data.ndim != 1 or p._data.size != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels "
                               f"in input, but got {name} of shape {list(p._data.shape)} and input of "
                               f"shape {list(x.shape)}")
    _check_float(x, "GroupNormKernelImpl")
    _check_param_dtypes(x, weight, bias)
    stat3 = (1, n * num_groups, c // num_groups * l)
    return _norm(input, weight, bias, stat3, (n, c, l), eps, True, _GroupNormNode)[0]


# ---- local_response_norm ---------------------------------------------------------------------

def _window_sum(a, before, after):
    """s[:, c] = sum of a[:, c - before .. c + after] (clipped to the channels) of a (N, C, L)
    array or Tensor: one shifted add per window offset, or a band matrix product on Tensors."""
    c = a.shape[1]
    if not B.is_array(a):
        idx = np.arange(c)
        off = idx[None, :] - idx[:, None]
        band = ((off >= -before) & (off <= after)).astype(B.data(a).dtype)
        return B.const(band, a) @ a
    s = a.copy()
    for o in range(-before, after + 1):
        if o > 0 and o < c:
            s[:, :c - o] += a[:, o:]
        elif o < 0 and -o < c:
            s[:, -o:] += a[:, :c + o]
    return s


def _lrn_base(x3, size, alpha, k):
    return _window_sum(x3 * x3, size // 2, (size - 1) // 2) * (alpha / size) + k


class _LRNBase(Node):
    """input x; y = x / base^beta, base = k + alpha/size * (window sum of x^2 across channels)."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        inputs, _ = self.saved(tensor_mode)
        x = inputs[0]
        size, alpha, beta, k, base, den = self.args
        shape3 = base.shape
        x3 = B.reshape(x, shape3)
        g3 = B.reshape(g, shape3)
        if tensor_mode:
            base = _lrn_base(x3, size, alpha, k)
            den = base ** beta
        # the window of channel c reaches back size//2: the channels reaching c are its transpose
        t = _window_sum(g3 * x3 / (den * base), (size - 1) // 2, size // 2)
        gx = g3 / den - x3 * t * (2.0 * alpha * beta / size)
        return (B.reshape(gx, x.shape),)


_LRNNode = type("DivBackward0", (_LRNBase,), {"__slots__": ()})   # torch's form ends in x / base^beta


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalise each element by the squares of its neighbours across channels."""
    x = input._data
    dim = x.ndim
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if x.size == 0:
        return input
    _check_float(x, "avg_pool2d" if dim == 3 else "avg_pool3d")
    ct = _compute_dtype(x.dtype)
    x3 = np.asarray(x, dtype=ct).reshape(x.shape[0], x.shape[1], -1)
    base = _lrn_base(x3, size, alpha, k)
    den = base ** beta
    y = (x3 / den).reshape(x.shape).astype(x.dtype, copy=False)
    return record(y, _LRNNode, (input,), (size, alpha, beta, k, base, den))


# ---- torch.batch_norm & co: torch's top-level argument order, registered with parity samples --

def _top_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
                    cudnn_enabled):
    return _batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps)


def _top_instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                       cudnn_enabled):
    return _instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps)


def _top_layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    return layer_norm(input, normalized_shape, weight, bias, eps)


def _top_group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    return _group_norm(input, num_groups, weight, bias, eps)


def _top_rms_norm(input, normalized_shape, weight=None, eps=None):
    return rms_norm(input, normalized_shape, weight, eps)


def _stats_call(name):
    """Samples of batch/instance norm: running statistics made inside the call (they are
    updated in place in training and take no gradient)."""
    def call(mod, x, w, b, training):
        c = x.shape[1]
        rm = mod.linspace(-0.5, 0.5, c, dtype=x.dtype)
        rv = mod.linspace(0.5, 2.0, c, dtype=x.dtype)
        return getattr(mod, name)(x, w, b, rm, rv, training, 0.1, 1e-5, False)
    return call


_CHANNEL_SHAPES = [((4, 3, 5), (3,), (3,)), ((6, 3), (3,), (3,)), ((2, 3, 2, 3), (3,), (3,))]
_TRAIN_EVAL = lambda nd: [((True,), {}), ((False,), {})]  # noqa: E731

for _fn, _name, _node, _spec in [
        (_top_batch_norm, "batch_norm", _BatchNormNode,
         S.Spec(arity=3, shapes=_CHANNEL_SHAPES, call=_stats_call("batch_norm"), args=_TRAIN_EVAL)),
        (_top_instance_norm, "instance_norm", _InstanceNormNode,
         S.Spec(arity=3, shapes=[_CHANNEL_SHAPES[0], _CHANNEL_SHAPES[2]], call=_stats_call("instance_norm"),
                args=_TRAIN_EVAL)),
        (_top_layer_norm, "layer_norm", _LayerNormNode,
         S.Spec(arity=3, shapes=[((4, 5), (5,), (5,)), ((2, 3, 4), (3, 4), (3, 4)), ((0, 5), (5,), (5,))],
                call=lambda mod, x, w, b: mod.layer_norm(x, tuple(w.shape), w, b))),
        (_top_group_norm, "group_norm", _GroupNormNode,
         # groups of 4+ elements: torch's float32 gradient of a 2-element group is ~4e-4 off
         S.Spec(arity=3, shapes=[((2, 6, 4), (6,), (6,)), ((3, 12), (12,), (12,)), ((2, 6, 2, 2), (6,), (6,))],
                call=lambda mod, x, w, b: mod.group_norm(x, 3, w, b))),
        (_top_rms_norm, "rms_norm", _RMSNormNode,
         S.Spec(arity=2, shapes=[((4, 5), (5,)), ((2, 3, 4), (3, 4))],
                call=lambda mod, x, w: mod.rms_norm(x, tuple(w.shape), w)))]:
    _fn.__name__ = _fn.__qualname__ = _name
    register(_fn, name=_name, node=_node, method=False, samples=_spec)
