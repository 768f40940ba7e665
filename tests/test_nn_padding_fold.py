"""F.pad (constant, reflect, replicate, circular), the padding layers, F.unfold / F.fold and the
Fold / Unfold layers against torch: values, gradients, gradients of gradients, grad_fn names,
reprs and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn.functional as F

from _nn import close, pair, raises_like, backward_both


def _run(fn_o, fn_t, x, seed=1):
    xo, xt = pair(x)
    yo, yt = fn_o(xo), fn_t(xt)
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt, seed)
    close(xo.grad, xt.grad)


def _vjp_of_vjp(lib, fn, x, seed=3):
    """d/dg of <vjp(g), v>: the gradient through the backward formula itself (create_graph)."""
    rng = np.random.default_rng(seed)
    xl = lib.from_numpy(x.copy()).requires_grad_(True)
    y = fn(lib, xl)
    g = lib.from_numpy(rng.standard_normal(tuple(y.shape))).requires_grad_(True)
    gx, = lib.autograd.grad(y, xl, g, create_graph=True)
    v = lib.from_numpy(rng.standard_normal(tuple(gx.shape)))
    (gx * v).sum().backward()
    return gx, g.grad


# ---- F.pad, constant -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,pad,value", [
    ((5,), (1, 2), None), ((3, 4), (2, 0, 1, 3), 1.5), ((2, 3, 4), (1, 1), None),
    ((2, 3, 4, 5), (1, 2, 3, 4, 1, 1, 2, 0), -2.0), ((2, 3, 4, 5), (-1, 2, 0, -3), None),
    ((2, 3, 4, 5), (-2, -3), 0.5), ((1, 2, 3, 2, 3), (1, 1, 1, 1, 1, 1), None), ((3, 4), (), None),
    ((0, 3), (1, 1, 2, 0), 1.0), ((3, 4), (0, 0), None),
])
def test_pad_constant(shape, pad, value, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    _run(lambda t: F.pad(t, pad, value=value), lambda t: TF.pad(t, pad, value=value), x)


def test_pad_constant_integer_and_bool_values():
    a = np.arange(12).reshape(3, 4)
    for arr, value in ((a, 2.5), (a.astype(np.int32), -1), (a % 2 == 0, 2), (a.astype(np.uint8), 7)):
        yo = F.pad(tc.from_numpy(arr), (1, 2, 0, 1), value=value)
        yt = TF.pad(torch.from_numpy(arr), (1, 2, 0, 1), value=value)
        assert str(yo.dtype) == str(yt.dtype)
        np.testing.assert_array_equal(yo.numpy(), yt.numpy())


def test_pad_returns_a_new_tensor():
    xo = tc.zeros(2, 3)
    yo = F.pad(xo, (0, 0))
    assert yo is not xo
    yo.add_(1)
    assert float(xo.sum()) == 0.0


# ---- F.pad, reflect / replicate / circular --------------------------------------------------------

NONCONST = [
    ((2, 3, 6), (2, 3)), ((3, 6), (1, 0)), ((2, 3, 6), (-1, 2)), ((2, 3, 6), (5, 5)),
    ((2, 3, 5, 6), (1, 2, 3, 1)), ((3, 5, 6), (0, 0, 2, 2)), ((2, 3, 5, 6), (-1, 1, 2, -2)),
    ((1, 2, 4, 5, 6), (1, 2, 3, 1, 2, 0)), ((2, 4, 5, 6), (2, 2, 1, 1, 3, 3)), ((0, 3, 5, 6), (1, 1, 1, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", NONCONST)
def test_pad_modes(shape, pad, mode, dtype):
    x = np.random.default_rng(2).standard_normal(shape).astype(dtype)
    _run(lambda t: F.pad(t, pad, mode), lambda t: TF.pad(t, pad, mode), x)


def test_pad_modes_non_contiguous_input():
    a = np.random.default_rng(4).standard_normal((2, 3, 7, 6)).astype(np.float32)
    for mode in ("constant", "reflect", "replicate", "circular"):
        _run(lambda t: F.pad(t.transpose(-1, -2), (2, 1, 1, 3), mode),
             lambda t: TF.pad(t.transpose(-1, -2), (2, 1, 1, 3), mode), a)


def test_pad_integer_modes():
    a = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    for mode in ("reflect", "replicate", "circular"):
        np.testing.assert_array_equal(F.pad(tc.from_numpy(a), (2, 1), mode).numpy(),
                                      TF.pad(torch.from_numpy(a), (2, 1), mode).numpy())


@pytest.mark.parametrize("mode,pad", [("constant", (1, 2, -1, 1)), ("reflect", (2, 1, 1, 3)),
                                      ("replicate", (3, 1, 0, 2)), ("circular", (2, 2, 1, 0))])
def test_pad_double_backward(mode, pad):
    x = np.random.default_rng(5).standard_normal((2, 3, 5, 6))
    fn = lambda lib, t: lib.nn.functional.pad(t, pad, mode)
    gxo, ggo = _vjp_of_vjp(tc, fn, x)
    gxt, ggt = _vjp_of_vjp(torch, fn, x)
    close(gxo, gxt)
    close(ggo, ggt)


def _pad_errors(lib):
    Fn = TF if lib is torch else F
    x = lib.zeros(2, 3, 5, 6)
    return [
        lambda: Fn.pad(x, (1, 2, 3)),
        lambda: Fn.pad(x, (1,) * 10),
        lambda: Fn.pad(x, (-7, 1)),
        lambda: Fn.pad(x, (1.5, 1)),
        lambda: Fn.pad(x, (1, 1), mode="foo"),
        lambda: Fn.pad(x, (1, 1), mode="reflect"),
        lambda: Fn.pad(x, (1, 1, 1, 1), mode="reflect", value=1.0),
        lambda: Fn.pad(x[0, 0, 0], (1, 1), mode="replicate"),
        lambda: Fn.pad(x, (6, 1, 1, 1), mode="reflect"),
        lambda: Fn.pad(x, (1, 1, 1, 5), mode="reflect"),
        lambda: Fn.pad(x[None], (1, 1, 1, 1, 3, 3), mode="reflect"),
        lambda: Fn.pad(x[0], (-3, -3), mode="replicate"),
        lambda: Fn.pad(x, (7, 1, 0, 0), mode="circular"),
        lambda: Fn.pad(x, (-4, -3, 0, 0), mode="circular"),
        lambda: Fn.pad(lib.zeros(1, 0, 3), (1, 1), mode="reflect"),
        lambda: Fn.pad(lib.zeros(2, 0, 3, 3), (1, 1, 1, 1), mode="replicate"),
        lambda: Fn.pad(lib.zeros(2, 3, 4) > 0, (1, 1), mode="reflect"),
        lambda: Fn.pad(x, (1, 1, -3, -3), mode="replicate"),
    ]


@pytest.mark.parametrize("i", range(len(_pad_errors(torch))))
def test_pad_errors(i):
    raises_like(_pad_errors(torch)[i], _pad_errors(tc)[i])


# ---- padding layers ------------------------------------------------------------------------------

LAYERS = [
    ("ZeroPad1d", (2,), (2, 3, 5)), ("ZeroPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)), ("ZeroPad3d", (1,), (2, 2, 3, 4, 3)),
    ("ConstantPad1d", ((1, 3), 2.5), (3, 5)), ("ConstantPad2d", (2, -1.0), (2, 3, 4, 5)),
    ("ConstantPad3d", ((1, 0, 2, 1, 0, 1), 0.5), (2, 3, 4, 3)),
    ("ReflectionPad1d", (3,), (2, 3, 5)), ("ReflectionPad2d", ((1, 2, 3, 0),), (3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 3)),
    ("ReplicationPad1d", ((4, 1),), (3, 5)), ("ReplicationPad2d", (2,), (2, 3, 4, 5)),
    ("ReplicationPad3d", ((1, 2, 0, 1, 2, 0),), (2, 3, 4, 3)),
    ("CircularPad1d", (2,), (2, 3, 5)), ("CircularPad2d", ((1, 2, 3, 0),), (3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 3)),
]


@pytest.mark.parametrize("cls,args,shape", LAYERS)
def test_padding_layers(cls, args, shape):
    mo, mt = getattr(tc.nn, cls)(*args), getattr(torch.nn, cls)(*args)
    assert repr(mo) == repr(mt)
    assert mo.padding == mt.padding
    x = np.random.default_rng(6).standard_normal(shape).astype(np.float32)
    _run(mo, mt, x)


@pytest.mark.parametrize("cls,shape", [("CircularPad1d", (2, 3, 4, 5)), ("CircularPad2d", (3, 4)),
                                       ("CircularPad3d", (2, 3, 4)), ("ReflectionPad2d", (3, 4))])
def test_padding_layer_rank_errors(cls, shape):
    raises_like(lambda: getattr(torch.nn, cls)(1)(torch.zeros(shape)),
                lambda: getattr(tc.nn, cls)(1)(tc.zeros(shape)))


# ---- F.unfold / F.fold ---------------------------------------------------------------------------

UNFOLD = [
    ((2, 3, 6, 5), (3,), {}),
    ((2, 3, 6, 5), ((2, 3),), {"dilation": 2, "padding": 1, "stride": (2, 1)}),
    ((3, 7, 6), (2,), {"stride": 2}),
    ((1, 2, 5, 5), (5,), {}),
    ((2, 2, 4, 4), (1,), {"padding": 2, "stride": 3}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,args,kwargs", UNFOLD)
def test_unfold(shape, args, kwargs, dtype):
    x = np.random.default_rng(7).standard_normal(shape).astype(dtype)
    _run(lambda t: F.unfold(t, *args, **kwargs), lambda t: TF.unfold(t, *args, **kwargs), x)


FOLD = [
    ((2, 27, 12), ((5, 6), 3), {}),
    ((27, 9), ((5, 6), 3), {"padding": 1, "stride": 2}),
    ((2, 12, 30), ((6, 7), (2, 3)), {"dilation": (2, 1), "padding": (1, 0)}),
    ((1, 8, 16), (8, 2), {"stride": 2}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,args,kwargs", FOLD)
def test_fold(shape, args, kwargs, dtype):
    x = np.random.default_rng(8).standard_normal(shape).astype(dtype)
    _run(lambda t: F.fold(t, *args, **kwargs), lambda t: TF.fold(t, *args, **kwargs), x)


def test_fold_of_unfold_non_contiguous():
    x = np.random.default_rng(9).standard_normal((2, 3, 7, 6)).astype(np.float32)
    _run(lambda t: F.fold(F.unfold(t.transpose(-1, -2), 3, padding=1), (6, 7), 3, padding=1),
         lambda t: TF.fold(TF.unfold(t.transpose(-1, -2), 3, padding=1), (6, 7), 3, padding=1), x)


def test_fold_unfold_double_backward():
    x = np.random.default_rng(10).standard_normal((2, 3, 6, 5))
    for fn in (lambda lib, t: lib.nn.functional.unfold(t, 3, padding=1, stride=2),
               lambda lib, t: lib.nn.functional.fold(t.reshape(2, 6, 15), (4, 7), (2, 3))):
        gxo, ggo = _vjp_of_vjp(tc, fn, x)
        gxt, ggt = _vjp_of_vjp(torch, fn, x)
        close(gxo, gxt)
        close(ggo, ggt)


def test_fold_unfold_layers():
    assert repr(tc.nn.Unfold(3, padding=1)) == repr(torch.nn.Unfold(3, padding=1))
    assert repr(tc.nn.Unfold((2, 3), 2, 1, 2)) == repr(torch.nn.Unfold((2, 3), 2, 1, 2))
    assert repr(tc.nn.Fold((4, 5), 2, stride=2)) == repr(torch.nn.Fold((4, 5), 2, stride=2))
    x = np.random.default_rng(11).standard_normal((2, 3, 6, 6)).astype(np.float32)
    _run(tc.nn.Unfold(2, stride=2), torch.nn.Unfold(2, stride=2), x)
    _run(tc.nn.Fold((6, 6), 2, stride=2), torch.nn.Fold((6, 6), 2, stride=2), x.reshape(2, 12, 9))


def _fold_errors(lib):
    Fn = TF if lib is torch else F
    x = lib.zeros(2, 3, 6, 5)
    c = lib.zeros(2, 27, 12)
    return [
        lambda: Fn.unfold(x[None], 3),
        lambda: Fn.unfold(x, 7),
        lambda: Fn.unfold(x, 0),
        lambda: Fn.unfold(x, 3, stride=0),
        lambda: Fn.unfold(x, 3, padding=-1),
        lambda: Fn.unfold(x, 3, dilation=0),
        lambda: Fn.unfold(x, (3, 3, 3)),
        lambda: Fn.unfold(x.long(), 3),
        lambda: Fn.unfold(lib.zeros(2, 0, 5, 5), 3),
        lambda: Fn.fold(c, (5, 6), 3, padding=1, stride=2),
        lambda: Fn.fold(c, (6, 6), 3),
        lambda: Fn.fold(c, (5, 6), 4),
        lambda: Fn.fold(c, (5, 6, 1), 3),
        lambda: Fn.fold(c[None], (5, 6), 3),
        lambda: Fn.fold(c.long(), (5, 6), 3),
    ]


@pytest.mark.parametrize("i", range(len(_fold_errors(torch))))
def test_fold_errors(i):
    raises_like(_fold_errors(torch)[i], _fold_errors(tc)[i])
