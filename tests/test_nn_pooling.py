"""Pooling (max, average, adaptive, power-average, unpooling) against real torch: values, indices,
input gradients, second derivatives, grad_fn names, module reprs and torch's errors."""
import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn as onn
import torsh_compat.nn.functional as OF

from _nn import close, raises_like

R = np.random.default_rng(0)


def rand(shape, dtype=np.float32, ties=False):
    if ties:    # few distinct values, so windows hold several equal maxima
        return R.integers(-2, 3, size=shape).astype(dtype)
    return R.standard_normal(shape).astype(dtype)


def both(arr, grad=True):
    return (tc.from_numpy(arr.copy()).requires_grad_(grad), torch.from_numpy(arr.copy()).requires_grad_(grad))


def check(call_o, call_t, arr, grad=True, double=True, index_out=False):
    """Values (and indices), the input gradient and, when asked, the second derivative."""
    xo, xt = both(arr, grad)
    ro, rt = call_o(xo), call_t(xt)
    if index_out:
        (ro, io), (rt, it) = ro, rt
        assert io.dtype == tc.int64 and np.array_equal(io._data, it.numpy())
    close(ro, rt)
    if not grad:
        return
    assert ro.grad_fn.name() == rt.grad_fn.name()
    g = R.standard_normal(tuple(rt.shape)).astype(arr.dtype)
    go, gt = both(g, double)
    (gxo,) = tc.autograd.grad(ro, xo, go, create_graph=double)
    (gxt,) = torch.autograd.grad(rt, xt, gt, create_graph=double)
    close(gxo, gxt)
    if double:
        w = R.standard_normal(arr.shape).astype(arr.dtype)
        ggo = tc.autograd.grad((gxo * tc.from_numpy(w)).sum(), go)[0]
        ggt = torch.autograd.grad((gxt * torch.from_numpy(w)).sum(), gt)[0]
        close(ggo, ggt)


MAX_CASES = [((2,), {}), ((3,), {"stride": 2, "padding": 1}), ((3, 2, 1), {"ceil_mode": True}),
             ((2, 1, 1, 2), {}), ((3, 1, 1, 2), {"ceil_mode": True}), (((3, 2), (2, 1), (1, 0)), {}),
             ((2, 3), {"ceil_mode": True}), ((4, 3, 2), {"ceil_mode": True})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 7, 6), (3, 9, 8), (1, 2, 5, 5)])
@pytest.mark.parametrize("args,kw", MAX_CASES)
def test_max_pool2d(dtype, shape, args, kw):
    arr = rand(shape, dtype)
    check(lambda x: OF.max_pool2d(x, *args, return_indices=True, **kw),
          lambda x: TF.max_pool2d(x, *args, return_indices=True, **kw), arr, index_out=True)


@pytest.mark.parametrize("args,kw", MAX_CASES[:5])
def test_max_pool_ties_first_max_wins(args, kw):
    arr = rand((2, 3, 8, 7), np.float64, ties=True)
    check(lambda x: OF.max_pool2d(x, *args, return_indices=True, **kw),
          lambda x: TF.max_pool2d(x, *args, return_indices=True, **kw), arr, index_out=True)


@pytest.mark.parametrize("args,kw", [((2,), {}), ((3, 2, 1), {"ceil_mode": True}), ((3, 1, 1, 2), {}),
                                     ((2, 3), {"ceil_mode": True})])
@pytest.mark.parametrize("shape", [(2, 3, 9), (4, 10)])
def test_max_pool1d(args, kw, shape):
    arr = rand(shape)
    check(lambda x: OF.max_pool1d(x, *args, return_indices=True, **kw),
          lambda x: TF.max_pool1d(x, *args, return_indices=True, **kw), arr, index_out=True)


@pytest.mark.parametrize("args,kw", [((2,), {}), ((3, 2, 1), {}), ((3, 2, 1, 2), {"ceil_mode": True}),
                                     (((2, 3, 2), (1, 2, 2)), {})])
@pytest.mark.parametrize("shape", [(2, 2, 5, 6, 5), (2, 6, 5, 7)])
def test_max_pool3d(args, kw, shape):
    arr = rand(shape, np.float64)
    check(lambda x: OF.max_pool3d(x, *args, return_indices=True, **kw),
          lambda x: TF.max_pool3d(x, *args, return_indices=True, **kw), arr, index_out=True)


def test_max_pool_nan_and_inf():
    arr = rand((1, 2, 6, 6))
    arr[0, 0, 0, 1] = np.nan
    arr[0, 0, 1, 0] = np.nan         # two NaNs in one window: torch keeps the last
    arr[0, 1, :3, :3] = -np.inf      # an all -inf window: index of its first in-bounds element
    for args in [(2,), (3, 2, 1), (3, 1, 1, 2)]:
        (vo, io), (vt, it) = OF.max_pool2d(tc.from_numpy(arr), *args, return_indices=True), \
            TF.max_pool2d(torch.from_numpy(arr), *args, return_indices=True)
        assert np.array_equal(io._data, it.numpy())
        torch.testing.assert_close(torch.from_numpy(vo._data), vt, equal_nan=True)


def test_max_pool_integer_input():
    arr = R.integers(-50, 50, size=(2, 3, 6, 5))
    for args in [(2,), (3, 2, 1)]:
        o, t = OF.max_pool2d(tc.from_numpy(arr), *args), TF.max_pool2d(torch.from_numpy(arr), *args)
        assert o.dtype == tc.int64 and np.array_equal(o._data, t.numpy())


def test_max_pool_empty_batch():
    xo, xt = both(rand((0, 3, 6, 6)))
    o, t = OF.max_pool2d(xo, 2), TF.max_pool2d(xt, 2)
    assert tuple(o.shape) == tuple(t.shape)
    o.sum().backward()
    assert tuple(xo.grad.shape) == (0, 3, 6, 6)


def test_max_pool_large_matches_with_overlap():
    arr = rand((2, 4, 17, 15))
    check(lambda x: OF.max_pool2d(x, 3, 1, 1), lambda x: TF.max_pool2d(x, 3, 1, 1), arr, double=False)


AVG_CASES = [((2,), {}), ((3,), {"stride": 2, "padding": 1}), ((3, 2, 1), {"count_include_pad": False}),
             ((3, 2, 1), {"ceil_mode": True}), ((3, 2, 1), {"ceil_mode": True, "count_include_pad": False}),
             (((3, 2), (2, 1), (1, 1)), {}), ((2,), {"divisor_override": 3}),
             ((3, 2, 1), {"ceil_mode": True, "divisor_override": 2}), ((4, 3), {"ceil_mode": True})]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 3, 7, 6), (3, 9, 8)])
@pytest.mark.parametrize("args,kw", AVG_CASES)
def test_avg_pool2d(dtype, shape, args, kw):
    check(lambda x: OF.avg_pool2d(x, *args, **kw), lambda x: TF.avg_pool2d(x, *args, **kw), rand(shape, dtype))


@pytest.mark.parametrize("args,kw", [((2,), {}), ((3, 2, 1), {"count_include_pad": False}),
                                     ((3, 2, 1), {"ceil_mode": True}), ((4, 3), {"ceil_mode": True}),
                                     (((3,), (2,), (1,)), {})])
@pytest.mark.parametrize("shape", [(2, 3, 9), (4, 10)])
def test_avg_pool1d(args, kw, shape):
    check(lambda x: OF.avg_pool1d(x, *args, **kw), lambda x: TF.avg_pool1d(x, *args, **kw), rand(shape))


@pytest.mark.parametrize("args,kw", [((2,), {}), ((3, 2, 1), {"count_include_pad": False}),
                                     ((3, 2, 1), {"ceil_mode": True, "divisor_override": 5}),
                                     (((2, 3, 2), (1, 2, 2)), {})])
@pytest.mark.parametrize("shape", [(2, 2, 5, 6, 5), (2, 6, 5, 7)])
def test_avg_pool3d(args, kw, shape):
    check(lambda x: OF.avg_pool3d(x, *args, **kw), lambda x: TF.avg_pool3d(x, *args, **kw),
          rand(shape, np.float64))


def test_avg_pool_integer_truncates():
    arr = R.integers(-50, 50, size=(2, 3, 6, 5))
    for args in [(2,), (3, 2, 1)]:
        o, t = OF.avg_pool2d(tc.from_numpy(arr), *args), TF.avg_pool2d(torch.from_numpy(arr), *args)
        assert o.dtype == tc.int64 and np.array_equal(o._data, t.numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,size", [((2, 3, 7, 6), (3, 4)), ((2, 3, 7, 6), 1), ((3, 9, 8), (4, None)),
                                        ((2, 3, 5, 5), (7, 8)), ((1, 2, 10, 10), 5), ((1, 2, 6, 6), (1, 3))])
def test_adaptive_avg_pool2d(dtype, shape, size):
    check(lambda x: OF.adaptive_avg_pool2d(x, size), lambda x: TF.adaptive_avg_pool2d(x, size), rand(shape, dtype))


@pytest.mark.parametrize("shape,size", [((2, 3, 9), 4), ((4, 10), 3), ((2, 3, 5), 7), ((2, 3, 9), 1)])
def test_adaptive_avg_pool1d(shape, size):
    check(lambda x: OF.adaptive_avg_pool1d(x, size), lambda x: TF.adaptive_avg_pool1d(x, size), rand(shape))


@pytest.mark.parametrize("shape,size", [((2, 2, 5, 6, 7), (2, 3, 4)), ((2, 5, 6, 7), 3), ((1, 2, 3, 4, 5), 1)])
def test_adaptive_avg_pool3d(shape, size):
    check(lambda x: OF.adaptive_avg_pool3d(x, size), lambda x: TF.adaptive_avg_pool3d(x, size),
          rand(shape, np.float64))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape,size", [((2, 3, 7, 6), (3, 4)), ((2, 3, 7, 6), 1), ((3, 9, 8), (4, None)),
                                        ((2, 3, 5, 5), (7, 8)), ((1, 2, 10, 10), 5)])
def test_adaptive_max_pool2d(dtype, shape, size):
    check(lambda x: OF.adaptive_max_pool2d(x, size, return_indices=True),
          lambda x: TF.adaptive_max_pool2d(x, size, return_indices=True), rand(shape, dtype), index_out=True)


def test_adaptive_max_pool_ties_and_nan():
    arr = rand((2, 3, 9, 7), np.float64, ties=True)
    arr[0, 0, 0, 0] = arr[0, 0, 1, 1] = np.nan
    (vo, io), (vt, it) = OF.adaptive_max_pool2d(tc.from_numpy(arr), (4, 3), True), \
        TF.adaptive_max_pool2d(torch.from_numpy(arr), (4, 3), True)
    assert np.array_equal(io._data, it.numpy())
    torch.testing.assert_close(torch.from_numpy(vo._data), vt, equal_nan=True)


@pytest.mark.parametrize("shape,size", [((2, 3, 9), 4), ((4, 10), 3), ((2, 3, 5), 7)])
def test_adaptive_max_pool1d(shape, size):
    check(lambda x: OF.adaptive_max_pool1d(x, size, return_indices=True),
          lambda x: TF.adaptive_max_pool1d(x, size, return_indices=True), rand(shape), index_out=True)


@pytest.mark.parametrize("fn,shape,args", [("lp_pool2d", (2, 3, 7, 6), (2, 2)),
                                           ("lp_pool2d", (3, 7, 6), (3, (3, 2), 2)),
                                           ("lp_pool2d", (2, 3, 7, 6), (1.5, 3, 2, True)),
                                           ("lp_pool1d", (2, 3, 9), (2, 3)), ("lp_pool1d", (3, 9), (2, 2, 1)),
                                           ("lp_pool3d", (1, 2, 4, 5, 6), (2, 2)),
                                           ("lp_pool2d", (2, 3, 6, 6), (float("inf"), 2))])
def test_lp_pool(fn, shape, args):
    arr = np.abs(rand(shape, np.float64)) + 0.1     # positive: no 0 ** p kinks
    check(lambda x: getattr(OF, fn)(x, *args), lambda x: getattr(TF, fn)(x, *args), arr, double=False)


@pytest.mark.parametrize("k,s,p,shape,out_size", [(2, None, 0, (2, 3, 8, 6), None), (3, 2, 1, (2, 3, 7, 7), None),
                                                  (2, None, 0, (3, 8, 6), None), (2, 2, 0, (2, 3, 9, 7), (9, 7)),
                                                  (2, 2, 0, (2, 3, 9, 7), (2, 3, 9, 7))])
def test_max_unpool2d(k, s, p, shape, out_size):
    arr = rand(shape, np.float64)
    _, it = TF.max_pool2d(torch.from_numpy(arr), k, s, p, return_indices=True)
    vals = TF.max_pool2d(torch.from_numpy(arr), k, s, p).numpy()
    io = tc.from_numpy(it.numpy().copy())
    check(lambda x: OF.max_unpool2d(x, io, k, s, p, out_size), lambda x: TF.max_unpool2d(x, it, k, s, p, out_size),
          vals)


@pytest.mark.parametrize("shape,size", [((2, 2, 5, 6, 7), (2, 3, 4)), ((2, 5, 6, 7), 3),
                                        ((1, 2, 3, 4, 5), (1, None, 2))])
def test_adaptive_max_pool3d(shape, size):
    check(lambda x: OF.adaptive_max_pool3d(x, size, return_indices=True),
          lambda x: TF.adaptive_max_pool3d(x, size, return_indices=True), rand(shape, np.float64), index_out=True)


@pytest.mark.parametrize("k,s,p,shape", [(2, None, 0, (1, 2, 4, 6, 4)), (3, 2, 1, (2, 5, 5, 6)),
                                         (2, 2, 0, (1, 2, 5, 5, 5))])
def test_max_unpool3d(k, s, p, shape):
    arr = rand(shape, np.float64)
    vals, it = TF.max_pool3d(torch.from_numpy(arr), k, s, p, return_indices=True)
    io = tc.from_numpy(it.numpy().copy())
    check(lambda x: OF.max_unpool3d(x, io, k, s, p, shape[-3:]), lambda x: TF.max_unpool3d(x, it, k, s, p, shape[-3:]),
          vals.numpy())


def test_max_unpool1d():
    arr = rand((2, 3, 9), np.float64)
    v, it = TF.max_pool1d(torch.from_numpy(arr), 2, return_indices=True)
    io = tc.from_numpy(it.numpy().copy())
    check(lambda x: OF.max_unpool1d(x, io, 2, output_size=[9]), lambda x: TF.max_unpool1d(x, it, 2, output_size=[9]),
          v.numpy())


@pytest.mark.parametrize("nd,shape", [(2, (2, 3, 9, 8)), (2, (3, 9, 8)), (3, (2, 2, 7, 6, 8)), (3, (2, 7, 6, 8))])
@pytest.mark.parametrize("k,kw", [(2, {"output_size": 4}), (3, {"output_size": (3, 3, 5)}), (2, {"output_ratio": 0.5}),
                                  (1, {"output_size": 2})], ids=str)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fractional_max_pool(nd, shape, k, kw, dtype):
    """Windows from torch.rand samples drawn in torch's order: equal after the same manual_seed."""
    kw = {key: (v[-nd:] if isinstance(v, tuple) else (v,) * nd if key == "output_ratio" else v)
          for key, v in kw.items()}
    fn = f"fractional_max_pool{nd}d"
    for seed in (0, 7):
        torch.manual_seed(seed)
        tc.manual_seed(seed)
        check(lambda x: getattr(OF, fn)(x, k, return_indices=True, **kw),
              lambda x: getattr(TF, fn)(x, k, return_indices=True, **kw), rand(shape, dtype), index_out=True)


def test_fractional_max_pool_given_samples():
    arr = rand((2, 3, 9, 8), np.float64)
    u = R.random((2, 3, 2))
    check(lambda x: OF.fractional_max_pool2d(x, 2, (4, 3), _random_samples=tc.from_numpy(u)),
          lambda x: TF.fractional_max_pool2d(x, 2, (4, 3), _random_samples=torch.from_numpy(u)), arr)


def test_grad_fn_chain_of_1d_forms():
    """torch runs 1-D pooling as 2-D on an unsqueezed input and squeezes the result."""
    xo, xt = both(rand((2, 3, 8)))
    for fo, ft in [(lambda x: OF.max_pool1d(x, 2), lambda x: TF.max_pool1d(x, 2)),
                   (lambda x: OF.avg_pool1d(x, 2), lambda x: TF.avg_pool1d(x, 2)),
                   (lambda x: OF.adaptive_avg_pool1d(x, 3), lambda x: TF.adaptive_avg_pool1d(x, 3))]:
        no, nt = fo(xo).grad_fn.next_functions[0][0], ft(xt).grad_fn.next_functions[0][0]
        assert no.name() == nt.name()


def test_top_level_forms():
    arr = rand((2, 3, 8, 7))
    for name, args in [("max_pool2d", (2,)), ("max_pool2d", (3, 2, 1, 1, True)), ("max_pool3d", (2,))]:
        a = arr if name != "max_pool3d" else arr[None]
        close(getattr(tc, name)(tc.from_numpy(a), *args), getattr(torch, name)(torch.from_numpy(a), *args))
    a1 = arr[0]
    for name, args in [("max_pool1d", (2,)), ("avg_pool1d", (3, 2, 1, False, False)), ("adaptive_avg_pool1d", (3,))]:
        close(getattr(tc, name)(tc.from_numpy(a1), *args), getattr(torch, name)(torch.from_numpy(a1), *args))
    (vo, io) = tc.adaptive_max_pool1d(tc.from_numpy(a1), 3)
    (vt, it) = torch.adaptive_max_pool1d(torch.from_numpy(a1), 3)
    close(vo, vt)
    assert np.array_equal(io._data, it.numpy())
    (vo, io), (vt, it) = tc.max_pool1d_with_indices(tc.from_numpy(a1), 2), torch.max_pool1d_with_indices(
        torch.from_numpy(a1), 2)
    assert np.array_equal(io._data, it.numpy())


MODULES = ["MaxPool1d(2)", "MaxPool2d(3, 2, 1)", "MaxPool2d((3, 2), dilation=2, ceil_mode=True)",
           "MaxPool3d(2, return_indices=True)", "AvgPool1d(3, 2, 1)", "AvgPool2d((2, 3), 1, ceil_mode=True)",
           "AvgPool2d(3, count_include_pad=False, divisor_override=2)", "AvgPool3d(2)", "LPPool1d(2, 3)",
           "LPPool2d(2.5, (2, 3), 1)", "LPPool3d(1, 2)", "AdaptiveMaxPool1d(3)", "AdaptiveMaxPool2d((2, None))",
           "AdaptiveAvgPool1d(3)", "AdaptiveAvgPool2d((3, 4))", "AdaptiveAvgPool3d(2)", "MaxUnpool1d(2, 1)",
           "MaxUnpool2d(3, 2, 1)", "MaxUnpool3d(2)", "AdaptiveMaxPool3d((2, 3, None))", "FractionalMaxPool2d(2, 3)",
           "FractionalMaxPool2d(3, output_ratio=0.5, return_indices=True)", "FractionalMaxPool3d(2, (3, 4, 5))"]


@pytest.mark.parametrize("expr", MODULES)
def test_module_repr_and_state(expr):
    mo, mt = eval("onn." + expr), eval("tnn." + expr)
    assert repr(mo) == repr(mt)
    assert list(mo.state_dict()) == list(mt.state_dict()) == []


@pytest.mark.parametrize("expr,shape", [("MaxPool1d(2)", (2, 3, 8)), ("MaxPool2d(3, 2, 1)", (2, 3, 7, 7)),
                                        ("MaxPool3d(2, return_indices=True)", (1, 2, 4, 4, 4)),
                                        ("AvgPool1d(3, 2, 1)", (2, 3, 8)),
                                        ("AvgPool2d((2, 3), 1, ceil_mode=True)", (3, 7, 7)),
                                        ("AvgPool3d(2)", (1, 2, 4, 4, 4)), ("LPPool2d(2, 2)", (2, 3, 6, 6)),
                                        ("AdaptiveMaxPool2d((2, None), True)", (2, 3, 7, 7)),
                                        ("AdaptiveAvgPool2d((3, 4))", (2, 3, 7, 7)),
                                        ("AdaptiveAvgPool3d(2)", (1, 2, 5, 5, 5))])
def test_module_forward(expr, shape):
    mo, mt = eval("onn." + expr), eval("tnn." + expr)
    arr = np.abs(rand(shape, np.float64)) + 0.1
    xo, xt = both(arr)
    ro, rt = mo(xo), mt(xt)
    if isinstance(rt, tuple):
        assert np.array_equal(ro[1]._data, rt[1].numpy())
        ro, rt = ro[0], rt[0]
    close(ro, rt)
    ro.sum().backward()
    rt.sum().backward()
    close(xo.grad, xt.grad)


@pytest.mark.parametrize("expr", ["FractionalMaxPool2d(2)", "FractionalMaxPool2d(2, 3, 0.5)",
                                  "FractionalMaxPool2d(2, output_ratio=1.5)",
                                  "FractionalMaxPool3d(2, output_ratio=(0.5, 0.5, 1.0))"])
def test_fractional_module_errors(expr):
    raises_like(lambda: eval("tnn." + expr), lambda: eval("onn." + expr))


def test_fractional_module_forward_same_seed():
    arr = rand((2, 3, 9, 8))
    mo, mt = onn.FractionalMaxPool2d(3, output_ratio=0.5), tnn.FractionalMaxPool2d(3, output_ratio=0.5)
    tc.manual_seed(3)
    torch.manual_seed(3)
    close(mo(tc.from_numpy(arr)), mt(torch.from_numpy(arr)))


ERRORS = [
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 0),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 0, 1),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2, -1),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2, 1, -1),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2, 1, 0, 0),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2, 1, 2),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 9, 9), 3, 1, 2, 2),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 6),
    lambda F, x, lib: F.max_pool2d(x(4, 4), 2),
    lambda F, x, lib: F.max_pool2d(x(2, 0, 4, 4), 2),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), (2, 2, 2)),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2, (1, 1, 1)),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2, 1, (1, 1, 1)),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2, 1, 0, (1, 1, 1)),
    lambda F, x, lib: F.max_pool2d(x(2, 3, 5, 5), 2.0),
    lambda F, x, lib: F.max_pool2d(lib.ones(1, 2, 4, 4, dtype=lib.bool), 2),
    lambda F, x, lib: F.max_pool3d(x(3, 4, 4), 2),
    lambda F, x, lib: F.max_pool3d(x(1, 2, 3, 3, 3), 4),
    lambda F, x, lib: F.max_pool1d(x(2, 3, 5, 5), 2),
    lambda F, x, lib: F.max_pool1d(x(3, 9), (2, 2)),
    lambda F, x, lib: F.max_pool1d(x(3, 9), 10),
    lambda F, x, lib: F.max_pool1d(x(3, 9), 2, 1, 2),
    lambda F, x, lib: F.max_pool1d(x(3, 9), 2, 0),
    lambda F, x, lib: F.max_pool1d(x(3, 9), 0, 1),
    lambda F, x, lib: F.max_pool1d(x(3, 9), 2, 1, 0, 0),
    lambda F, x, lib: F.avg_pool2d(x(2, 3, 5, 5), 0, 1),
    lambda F, x, lib: F.avg_pool2d(x(2, 3, 5, 5), 2, 1, 2),
    lambda F, x, lib: F.avg_pool2d(x(2, 3, 5, 5), 6),
    lambda F, x, lib: F.avg_pool2d(x(4, 4), 2),
    lambda F, x, lib: F.avg_pool2d(x(2, 3, 5, 5), 2, divisor_override=0),
    lambda F, x, lib: F.avg_pool2d(x(2, 3, 5, 5), 2, (1, 1, 1)),
    lambda F, x, lib: F.avg_pool1d(x(2, 3, 5, 5), 2),
    lambda F, x, lib: F.avg_pool1d(x(3, 9), (2, 2)),
    lambda F, x, lib: F.avg_pool1d(x(3, 9), 10),
    lambda F, x, lib: F.adaptive_avg_pool2d(x(4, 4), 2),
    lambda F, x, lib: F.adaptive_avg_pool2d(x(2, 3, 5, 5), -1),
    lambda F, x, lib: F.adaptive_avg_pool2d(x(2, 3, 0, 4), 2),
    lambda F, x, lib: F.adaptive_avg_pool2d(lib.ones(2, 3, 4, 4, dtype=lib.long), 2),
    lambda F, x, lib: F.adaptive_avg_pool1d(x(2, 3, 5, 5), 2),
    lambda F, x, lib: F.adaptive_avg_pool1d(x(3, 5), (2, 3)),
    lambda F, x, lib: F.adaptive_avg_pool1d(x(3, 5), -1),
    lambda F, x, lib: F.adaptive_avg_pool3d(x(1, 2, 3, 3, 3), -1),
    lambda F, x, lib: F.adaptive_max_pool2d(x(4, 4), 2),
    lambda F, x, lib: F.adaptive_max_pool2d(x(2, 3, 5, 5), (2, 2, 2)),
    lambda F, x, lib: F.adaptive_max_pool2d(x(2, 3, 5, 5), -1),
    lambda F, x, lib: F.adaptive_max_pool1d(x(2, 3, 5, 5), 2),
    lambda F, x, lib: F.adaptive_max_pool1d(x(3, 5), (2, 2)),
    lambda F, x, lib: F.max_unpool2d(x(2, 3, 5, 5), lib.zeros(2, 3, 5, 5, dtype=lib.long) + 100, 2),
    lambda F, x, lib: F.max_unpool2d(x(2, 3, 5, 5), lib.zeros(2, 3, 5, 5), 2),
    lambda F, x, lib: F.max_unpool2d(x(2, 3, 5, 5), lib.zeros(2, 3, 5, 4, dtype=lib.long), 2),
    lambda F, x, lib: F.max_unpool2d(x(2, 3, 5, 5), lib.zeros(2, 3, 5, 5, dtype=lib.long), 2, output_size=(3, 3)),
    lambda F, x, lib: F.max_unpool2d(x(2, 3, 5, 5), lib.zeros(2, 3, 5, 5, dtype=lib.long), 2, output_size=(1, 2, 3)),
    lambda F, x, lib: F.max_unpool1d(x(3, 9), lib.zeros(3, 8, dtype=lib.long), 2),
    lambda F, x, lib: F.max_unpool2d(x(4, 4), lib.zeros(4, 4, dtype=lib.long), 2),
    lambda F, x, lib: F.max_unpool3d(x(3, 4, 4), lib.zeros(3, 4, 4, dtype=lib.long), 2),
    lambda F, x, lib: F.max_unpool3d(x(1, 2, 2, 2, 2), lib.zeros(1, 2, 2, 2, 2, dtype=lib.long) + 100, 2),
    lambda F, x, lib: F.max_unpool3d(x(1, 2, 2, 2, 2), lib.zeros(1, 2, 2, 2, 1, dtype=lib.long), 2),
    lambda F, x, lib: F.fractional_max_pool2d(x(2, 3, 7, 7), 2),
    lambda F, x, lib: F.fractional_max_pool2d(x(2, 3, 7, 7), 4, output_size=5),
    lambda F, x, lib: F.fractional_max_pool2d(x(7, 7), 2, output_size=3),
    lambda F, x, lib: F.fractional_max_pool2d(x(2, 3, 7, 7), 2, output_ratio=0.5),
    lambda F, x, lib: F.fractional_max_pool2d(x(2, 3, 7, 7), 2, 3, _random_samples=lib.rand(1, 3, 2)),
    lambda F, x, lib: F.fractional_max_pool2d(x(2, 3, 7, 7), 2, 3, _random_samples=lib.rand(2, 3, 3)),
    lambda F, x, lib: F.fractional_max_pool3d(x(2, 5, 5, 5), 4, output_size=3),
    lambda F, x, lib: F.fractional_max_pool2d(x(2, 3, 7, 7), (2, 2, 2), output_size=3),
    lambda F, x, lib: F.fractional_max_pool2d(x(2, 3, 7, 7), 2, output_size=(1, 2, 3)),
    lambda F, x, lib: F.adaptive_max_pool3d(x(3, 4, 4), 2),
    lambda F, x, lib: F.adaptive_max_pool3d(x(1, 3, 4, 4, 4), -1),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    def run(F, lib):
        return lambda: ERRORS[i](F, lambda *s: lib.from_numpy(rand(s)), lib)
    raises_like(run(TF, torch), run(OF, tc))


@pytest.mark.parametrize("fn", [lambda F, x: F.max_pool2d(x, 2), lambda F, x: F.avg_pool2d(x, 2),
                                lambda F, x: F.adaptive_avg_pool2d(x, 3), lambda F, x: F.adaptive_max_pool2d(x, 3),
                                lambda F, x: F.max_pool1d(x[0], 2)])
def test_saved_input_checks(fn):
    """torch saves the input of these ops: an in-place change, or a second backward, raises."""
    for F, lib in ((TF, torch), (OF, tc)):
        x = lib.randn(2, 3, 6, 6, requires_grad=True)
        y = x * 2
        out = fn(F, y)
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()
        out = fn(F, x)
        out.backward(lib.ones_like(out))
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            out.backward(lib.ones_like(out))


LOW_CALLS = [lambda F, x: F.max_pool2d(x, 3, 2, 1), lambda F, x: F.avg_pool2d(x, 3, 2, 1),
             lambda F, x: F.adaptive_avg_pool2d(x, (3, 2)), lambda F, x: F.adaptive_avg_pool2d(x, 1),
             lambda F, x: F.adaptive_max_pool2d(x, (3, 2)), lambda F, x: F.lp_pool2d(x, 2, 2),
             lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2)]


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("i", range(len(LOW_CALLS)))
def test_half_and_bfloat16(dtype, i):
    """Half types compute in float32 and round once; sums may differ from torch by one unit in the last place
    (bfloat16 keeps 8 bits: torch's own bfloat16 tolerance, rtol 1.6e-2)."""
    a = rand((2, 4, 7, 6))
    xo = tc.from_numpy(a).to(getattr(tc, dtype)).requires_grad_()
    xt = torch.from_numpy(a).to(getattr(torch, dtype)).requires_grad_()
    ro, rt = LOW_CALLS[i](OF, xo), LOW_CALLS[i](TF, xt)
    tol = {"rtol": 1.6e-2, "atol": 1e-2} if dtype == "bfloat16" else {"rtol": 1e-3, "atol": 1e-3}
    assert str(ro.dtype) == str(rt.dtype) and str(xo.dtype) == str(xt.dtype)
    close(ro.detach().float(), rt.detach().float(), **tol)
    g = rand(tuple(rt.shape))
    ro.backward(tc.from_numpy(g).to(ro.dtype))
    rt.backward(torch.from_numpy(g).to(rt.dtype))
    assert str(xo.grad.dtype) == str(xt.grad.dtype)
    close(xo.grad.float(), xt.grad.float(), **tol)


def test_adaptive_avg_pool_nan_stays_local():
    a = rand((1, 2, 9, 8))
    a[0, 0, 2, 3] = np.nan
    a[0, 1, 5, 1] = np.inf
    for size in [(4, 3), (5, 5), (2, 7)]:
        o, t = OF.adaptive_avg_pool2d(tc.from_numpy(a), size), TF.adaptive_avg_pool2d(torch.from_numpy(a), size)
        torch.testing.assert_close(torch.from_numpy(o._data), t, equal_nan=True)
