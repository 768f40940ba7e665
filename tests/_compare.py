"""Run one expression under real torch and under torsh_compat and compare what comes out.

`check(lambda m: m.zeros(2, 3))` calls the lambda with each library as `m`: both must raise the
same exception type, or return the same thing (tensors: dtype, shape, requires_grad and values;
Size, dtype and device by their torch spelling; numbers with their Python type).
"""
import inspect

import numpy as np
import torch

import torsh_compat as tc


class Raised:
    def __init__(self, exc):
        self.type, self.msg = type(exc), str(exc)

    def __repr__(self):
        return f"<raised {self.type.__name__}: {self.msg[:200]}>"


def run(fn, lib):
    try:
        return fn(lib)
    except Exception as e:   # the exception is the outcome being compared
        return Raised(e)


def values(t):
    """A tensor of either library as an ndarray (bfloat16 through float32, exactly)."""
    if isinstance(t, torch.Tensor):
        t = t.detach()
        return (t.float() if t.dtype == torch.bfloat16 else t).numpy()
    a = np.asarray(t._data)
    return a.astype(np.float32) if str(t.dtype) == "torch.bfloat16" else a


def assert_same(ours, theirs, where="", rtol=0.0, atol=0.0):
    if isinstance(theirs, Raised):
        assert isinstance(ours, Raised), f"{where}: torch raised {theirs!r}, we returned {ours!r}"
        assert ours.type is theirs.type, f"{where}: torch raised {theirs!r}, we raised {ours!r}"
        return
    assert not isinstance(ours, Raised), f"{where}: we {ours!r}; torch returned {theirs!r}"
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tc.Tensor), f"{where}: expected a Tensor, got {ours!r}"
        assert str(ours.dtype) == str(theirs.dtype), f"{where}: dtype {ours.dtype} != torch {theirs.dtype}"
        assert tuple(ours.shape) == tuple(theirs.shape), \
            f"{where}: shape {tuple(ours.shape)} != torch {tuple(theirs.shape)}"
        assert ours.requires_grad == theirs.requires_grad, f"{where}: requires_grad differs"
        a, b = values(ours), values(theirs)
        if rtol or atol:
            wide = np.complex128 if a.dtype.kind == "c" else np.float64
            np.testing.assert_allclose(a.astype(wide), b.astype(wide), rtol=rtol, atol=atol,
                                       equal_nan=True, err_msg=where)
        else:
            np.testing.assert_array_equal(a, b, err_msg=where, strict=True)
    elif isinstance(theirs, torch.Size):
        assert type(ours) is tc.Size and ours == theirs, f"{where}: {ours!r} != torch {theirs!r}"
    elif isinstance(theirs, torch.dtype):
        assert isinstance(ours, tc.dtype) and str(ours) == str(theirs), f"{where}: {ours!r} != torch {theirs!r}"
    elif isinstance(theirs, torch.device):
        assert isinstance(ours, tc.device) and repr(ours) == repr(theirs), \
            f"{where}: {ours!r} != torch {theirs!r}"
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), \
            f"{where}: {ours!r} != torch {theirs!r}"
        for i, (o, t) in enumerate(zip(ours, theirs)):
            assert_same(o, t, f"{where}[{i}]", rtol, atol)
    elif isinstance(theirs, float) and theirs != theirs:
        assert isinstance(ours, float) and ours != ours, f"{where}: {ours!r} != torch nan"
    else:
        assert type(ours) is type(theirs) and ours == theirs, \
            f"{where}: {ours!r} ({type(ours).__name__}) != torch {theirs!r} ({type(theirs).__name__})"


def label(fn):
    try:
        return inspect.getsource(fn).strip()
    except (OSError, TypeError):
        return repr(fn)


def check(fn, rtol=0.0, atol=0.0, where=None):
    """fn(torch) and fn(torsh_compat) agree; returns our outcome for further asserts."""
    ours = run(fn, tc)
    assert_same(ours, run(fn, torch), where or label(fn), rtol, atol)
    return ours
