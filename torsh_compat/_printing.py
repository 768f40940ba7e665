"""Tensor repr in torch's exact format, and torch.set_printoptions.

Works on the ndarray directly. Above the threshold only the edge items of each dimension are
gathered (one fancy-index per axis), so summarised reprs of huge tensors stay cheap.
"""
import math

import numpy as np


class _Opts:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """torch.set_printoptions: a profile first (unknown names are ignored, as in torch), then
    explicit options on top; sci_mode is always reset, to None when not given."""
    if profile in _PROFILES:
        _Opts.precision, _Opts.threshold, _Opts.edgeitems, _Opts.linewidth = _PROFILES[profile]
    if precision is not None:
        _Opts.precision = precision
    if threshold is not None:
        _Opts.threshold = threshold
    if edgeitems is not None:
        _Opts.edgeitems = edgeitems
    if linewidth is not None:
        _Opts.linewidth = linewidth
    _Opts.sci_mode = sci_mode


class _Formatter:
    """Chooses one notation and one width for every element of a (summarised) array."""

    def __init__(self, a):
        self.floating = a.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if a.size == 0:
            return
        if not self.floating:
            if a.dtype.kind == "b":
                self.width = 4 if a.all() else 5   # "True" or "False"
            else:
                self.width = max(len(str(a.min())), len(str(a.max())))
            return
        vals = a[np.isfinite(a) & (a != 0)].astype(np.float64)
        if vals.size == 0:
            return
        mags = np.abs(vals)
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if _Opts.sci_mode is None:
            with np.errstate(over="ignore"):   # denormal minimum: the ratio is inf, as in torch
                self.sci_mode = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = _Opts.sci_mode
        # Rendered length only grows with magnitude (or with the exponent's digits, largest at
        # either end), so the extremes of each sign are enough to find the widest element.
        pos, neg = vals[vals > 0], vals[vals < 0]
        cands = set()
        for part in (pos, neg):
            if part.size:
                cands.update((part.min().item(), part.max().item()))
        p = _Opts.precision
        if self.sci_mode:
            self.width = max(len(f"{v:.{p}e}") for v in cands)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in cands)   # +1 for the trailing '.'
        else:
            self.width = max(len(f"{v:.{p}f}") for v in cands)

    def format(self, v):
        if not self.floating:
            s = str(v)
        elif self.sci_mode:
            s = f"{v:{self.width}.{_Opts.precision}e}"
        elif self.int_mode:
            s = f"{v:.0f}"
            if math.isfinite(v):
                s += "."
        else:
            s = f"{v:.{_Opts.precision}f}"
        return " " * (self.width - len(s)) + s


def _complex_str(v, f_re, f_im):
    re = f_re.format(v.real)
    im = (f_im.format(v.imag) + "j").lstrip()
    return re + im if im[0] in "+-" else re + "+" + im


def _summarised(a):
    """The elements torch shows when summarising: edge items of every axis."""
    e = _Opts.edgeitems
    if a.ndim == 0:
        return a
    if a.ndim == 1:
        # a[-0:] is the whole vector: with edgeitems=0 torch measures every element
        return np.concatenate((a[:e], a[-e:])) if a.shape[0] > 2 * e else a
    if not e:
        return a[(slice(0, 0),) * a.ndim]
    idx = [np.r_[0:e, n - e:n] if n > 2 * e else np.arange(n) for n in a.shape]
    return a[np.ix_(*idx)]


def _vector_str(a, indent, summarize, f1, f2):
    width = f1.width + 2 + (f2.width + 1 if f2 is not None else 0)
    per_line = max(1, math.floor((_Opts.linewidth - indent) / width))
    fmt = f1.format if f2 is None else (lambda v: _complex_str(v, f1, f2))
    e = _Opts.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        items = ([fmt(v) for v in a[:e].tolist()] + [" ..."]
                 + [fmt(v) for v in a[-e:].tolist()])
    else:
        items = [fmt(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(a, indent, summarize, f1, f2):
    if a.ndim == 0:
        v = a.item()
        return f1.format(v) if f2 is None else _complex_str(v, f1, f2)
    if a.ndim == 1:
        return _vector_str(a, indent, summarize, f1, f2)
    n, e = a.shape[0], _Opts.edgeitems
    rows = range(n)
    if summarize and n > 2 * e:
        rows = list(range(e)) + [None] + list(range(n - e, n))
    parts = ["..." if i is None else _nested_str(a[i], indent + 1, summarize, f1, f2)
             for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _body(a, indent):
    summarize = a.size > _Opts.threshold
    if a.dtype.name == "bfloat16":   # ml_dtypes bfloat16: widen exactly
        a = a.astype(np.float32)
    shown = _summarised(a) if summarize else a
    if a.dtype.kind == "c":
        return _nested_str(a, indent, summarize, _Formatter(shown.real), _Formatter(shown.imag))
    return _nested_str(a, indent, summarize, _Formatter(shown), None)


def _add_suffixes(s, suffixes, indent):
    # torch's line-length bookkeeping counts two extra characters (rfind's -1 on one line)
    last = len(s) - s.rfind("\n") + 1
    out = [s]
    for suf in suffixes:
        if last + len(suf) + 2 > _Opts.linewidth:
            out.append(",\n" + " " * indent + suf)
            last = indent + len(suf)
        else:
            out.append(", " + suf)
            last += len(suf) + 2
    out.append(")")
    return "".join(out)


def tensor_repr(t):
    from . import _dtype as D
    from ._tensor import Tensor
    cls = type(t)
    plain = cls is Tensor or (t._is_param and cls.__name__ == "Parameter")
    prefix = "tensor(" if plain else cls.__name__ + "("
    indent = len(prefix)
    a = t._data
    dt = t.dtype
    default = D.get_default_dtype()
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt is not default:          # no elements to hint at the dtype, so even int64 says so
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if not _Opts.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dt not in (default, D.default_complex(), D.int64, D.bool):
            suffixes.append(f"dtype={dt}")
        body = _body(a, indent)
    try:
        node = t.grad_fn
        grad_fn = None if node is None else type(node).__name__
    except RuntimeError:
        grad_fn = "Invalid"
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    s = _add_suffixes(prefix + body, suffixes, indent)
    if t._is_param and not plain:
        s = f"Parameter({s})"
    return s
