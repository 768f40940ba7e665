"""Shared helpers of the nn tests: the same module or call under torsh_compat and torch, weights
copied through state_dict, values and gradients compared at torch's float32 tolerances."""
import numpy as np
import pytest
import torch

import torsh_compat as tc

RTOL, ATOL = 1.3e-6, 1e-5


def to_np(t):
    return np.array(t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach()._data)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    assert ours is not None, "missing gradient"
    assert theirs is not None
    assert str(ours.dtype) == str(theirs.dtype)
    torch.testing.assert_close(torch.from_numpy(to_np(ours)), theirs.detach(), rtol=rtol, atol=atol)


def copy_weights(ours, theirs):
    ours.load_state_dict({k: tc.from_numpy(v.detach().numpy().copy()) for k, v in theirs.state_dict().items()})


def pair(arr, grad=True):
    arr = np.asarray(arr)
    o, t = tc.from_numpy(arr.copy()), torch.from_numpy(arr.copy())
    if grad:
        o.requires_grad_(True)
        t.requires_grad_(True)
    return o, t


def raises_like(fn_torch, fn_ours, exact=True):
    with pytest.raises(Exception) as et:
        fn_torch()
    with pytest.raises(type(et.value)) as eo:
        fn_ours()
    if exact:   # our classes live in torsh_compat where torch's live in torch
        assert str(eo.value).replace("torsh_compat._tensor", "torch") == str(et.value)


def backward_both(out_o, out_t, seed=1):
    g = np.random.default_rng(seed).standard_normal(tuple(out_t.shape)).astype(str(out_t.dtype)[6:])
    out_t.backward(torch.from_numpy(g.copy()))
    out_o.backward(tc.from_numpy(g.copy()))


def same_init(ours, theirs):
    so, st = ours.state_dict(), theirs.state_dict()
    assert list(so) == list(st)
    for k in so:
        assert so[k].shape == st[k].shape
        assert np.array_equal(to_np(so[k]), to_np(st[k])), f"{k} differs from torch's initial value"
