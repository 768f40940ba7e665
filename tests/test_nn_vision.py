"""Resampling against real torch: F.interpolate in every mode (torch's source-index rules at odd
scales and sizes), its backward and double backward, the Upsample modules, pixel (un)shuffle,
reprs and torch's errors."""
import pickle
import warnings

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


def rand(shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


def both(arr, grad=True):
    return (tc.from_numpy(arr.copy()).requires_grad_(grad), torch.from_numpy(arr.copy()).requires_grad_(grad))


def check(call_o, call_t, arr, double=True, name=True):
    xo, xt = both(arr)
    ro, rt = call_o(xo), call_t(xt)
    close(ro, rt)
    if name:
        assert ro.grad_fn.name() == rt.grad_fn.name()
    g = rand(tuple(rt.shape), arr.dtype)
    go, gt = both(g, double)
    (gxo,) = tc.autograd.grad(ro, xo, go, create_graph=double)
    (gxt,) = torch.autograd.grad(rt, xt, gt, create_graph=double)
    close(gxo, gxt)
    if double:      # the gradient is linear in g: its derivative is the forward map again
        w = rand(arr.shape, arr.dtype)
        close(tc.autograd.grad((gxo * tc.from_numpy(w)).sum(), go)[0],
              torch.autograd.grad((gxt * torch.from_numpy(w)).sum(), gt)[0])


SIZES = [{"size": 3}, {"size": 13}, {"size": 1}, {"scale_factor": 1.5}, {"scale_factor": 0.7},
         {"scale_factor": 2.3}, {"scale_factor": 0.43}, {"scale_factor": 2},
         {"scale_factor": 1.5, "recompute_scale_factor": True}, {"scale_factor": 1.0}]
MODES = [(1, "nearest"), (1, "nearest-exact"), (1, "linear"), (1, "area"), (2, "nearest"), (2, "nearest-exact"),
         (2, "bilinear"), (2, "bicubic"), (2, "area"), (3, "nearest"), (3, "nearest-exact"), (3, "trilinear"),
         (3, "area")]


def _case_id(v):
    return str(v).replace(" ", "")


@pytest.mark.parametrize("nd,mode", MODES, ids=_case_id)
@pytest.mark.parametrize("kw", SIZES, ids=_case_id)
@pytest.mark.parametrize("n", [7, 6])
def test_interpolate(nd, mode, kw, n):
    shape = (2, 3) + (n,) * nd if nd < 3 else (1, 2, n, 5, 4)
    acs = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for ac in acs:
        check(lambda x: OF.interpolate(x, mode=mode, align_corners=ac, **kw),
              lambda x: TF.interpolate(x, mode=mode, align_corners=ac, **kw), rand(shape), double=(n == 7))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic", "area"])
@pytest.mark.parametrize("kw", [{"size": (3, 11)}, {"scale_factor": (2.3, 0.4)}, {"scale_factor": (0.7, 1.5)}],
                         ids=_case_id)
def test_interpolate_per_axis_float64(mode, kw):
    ac = None if mode in ("nearest", "nearest-exact", "area") else True
    check(lambda x: OF.interpolate(x, mode=mode, align_corners=ac, **kw),
          lambda x: TF.interpolate(x, mode=mode, align_corners=ac, **kw), rand((2, 2, 7, 6), np.float64))


# torch's antialiased kernel repeats the first output row when the output is one column wide (a
# torch bug, not reproduced): those sizes are left out
@pytest.mark.parametrize("mode,align_corners", [("bilinear", False), ("bilinear", True), ("bicubic", False),
                                                ("bicubic", True), ("lanczos", False)])
@pytest.mark.parametrize("kw", [{"size": (3, 5)}, {"size": (13, 4)}, {"scale_factor": 1.5}, {"scale_factor": 0.7},
                                {"scale_factor": (2.3, 0.4)}, {"scale_factor": (0.3, 0.5)}, {"size": (1, 1)},
                                {"size": (7, 6)}], ids=_case_id)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_interpolate_antialias(mode, align_corners, kw, dtype):
    check(lambda x: OF.interpolate(x, mode=mode, align_corners=align_corners, antialias=True, **kw),
          lambda x: TF.interpolate(x, mode=mode, align_corners=align_corners, antialias=True, **kw),
          rand((2, 3, 10, 6), dtype))


@pytest.mark.parametrize("n_in,n_out", [(7, 3), (3, 7), (5, 10), (10, 5), (4, 6), (6, 4), (9, 20)])
def test_nearest_indices_exactly(n_in, n_out):
    x = np.arange(n_in, dtype=np.float32).reshape(1, 1, n_in)
    for mode in ("nearest", "nearest-exact"):
        for kw in ({"size": n_out}, {"scale_factor": n_out / n_in}, {"scale_factor": n_out / n_in + 0.01}):
            o = OF.interpolate(tc.from_numpy(x), mode=mode, **kw)
            t = TF.interpolate(torch.from_numpy(x), mode=mode, **kw)
            assert np.array_equal(o._data, t.numpy()), (mode, kw)


@pytest.mark.parametrize("shape", [(1, 1, 5), (1, 1, 1, 5), (2, 3, 5, 5), (1, 1, 1, 1, 5), (1, 1, 5, 1, 1)])
@pytest.mark.parametrize("scale", [2.01, 1.1, 1.99, 0.9])
def test_nearest_shortcuts_of_the_2d_kernel(shape, scale):
    """torch's 2-D nearest kernel copies equal sizes and halves at twice the size; 1-D and 3-D do not."""
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    scales = [scale if n > 1 else 1.0 for n in shape[2:]]
    for mode in ("nearest", "nearest-exact"):
        o = OF.interpolate(tc.from_numpy(x), scale_factor=scales, mode=mode)
        t = TF.interpolate(torch.from_numpy(x), scale_factor=scales, mode=mode)
        assert np.array_equal(o._data, t.numpy()), mode


def test_interpolate_unsigned_bytes_nearest():
    x = R.integers(0, 255, size=(1, 2, 5, 5)).astype(np.uint8)
    o, t = OF.interpolate(tc.from_numpy(x), scale_factor=1.7), TF.interpolate(torch.from_numpy(x), scale_factor=1.7)
    assert o.dtype == tc.uint8 and np.array_equal(o._data, t.numpy())


def test_interpolate_empty_batch():
    o, t = OF.interpolate(tc.zeros(0, 3, 4, 4), size=3), TF.interpolate(torch.zeros(0, 3, 4, 4), size=3)
    assert tuple(o.shape) == tuple(t.shape)


def test_deprecated_forms_warn_and_match():
    arr = rand((2, 3, 5, 4))
    for name, kw in [("upsample", {"scale_factor": 2, "mode": "bilinear"}), ("upsample_nearest", {"size": 7}),
                     ("upsample_bilinear", {"scale_factor": 1.5})]:
        with warnings.catch_warnings(record=True) as wo:
            warnings.simplefilter("always")
            o = getattr(OF, name)(tc.from_numpy(arr), **kw)
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter("always")
            t = getattr(TF, name)(torch.from_numpy(arr), **kw)
        assert [str(w.message) for w in wo] == [str(w.message) for w in wt]
        close(o, t)


@pytest.mark.parametrize("expr,shape", [("Upsample(scale_factor=2)", (2, 3, 4, 5)),
                                        ("Upsample(size=(3, 7), mode='bilinear')", (2, 3, 4, 5)),
                                        ("Upsample(scale_factor=1.5, mode='bicubic', align_corners=True)",
                                         (1, 2, 5, 5)),
                                        ("Upsample(scale_factor=(2, 0.5, 1.5), mode='trilinear')", (1, 2, 3, 4, 4)),
                                        ("Upsample(size=9, mode='linear')", (2, 3, 5)),
                                        ("UpsamplingNearest2d(scale_factor=(2, 3))", (2, 3, 4, 5)),
                                        ("UpsamplingBilinear2d(5)", (2, 3, 4, 6)),
                                        ("PixelShuffle(2)", (2, 8, 3, 4)), ("PixelUnshuffle(2)", (2, 3, 4, 6))])
def test_modules(expr, shape):
    mo, mt = eval("onn." + expr), eval("tnn." + expr)
    assert repr(mo) == repr(mt)
    assert list(mo.state_dict()) == list(mt.state_dict()) == []
    check(mo, mt, rand(shape))


def test_upsample_pickles():
    m = pickle.loads(pickle.dumps(onn.Upsample(scale_factor=2, mode="bilinear")))
    assert repr(m) == repr(tnn.Upsample(scale_factor=2, mode="bilinear"))
    assert m.recompute_scale_factor is None


@pytest.mark.parametrize("shape,r", [((2, 8, 3, 4), 2), ((9, 2, 3), 3), ((2, 3, 4, 2, 2), 2), ((2, 5, 3, 4), 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pixel_shuffle(shape, r, dtype):
    check(lambda x: OF.pixel_shuffle(x, r), lambda x: TF.pixel_shuffle(x, r), rand(shape, dtype))
    out_shape = TF.pixel_shuffle(torch.zeros(shape), r).shape
    check(lambda x: OF.pixel_unshuffle(x, r), lambda x: TF.pixel_unshuffle(x, r), rand(tuple(out_shape), dtype))


def test_pixel_shuffle_top_level_and_ints():
    x = np.arange(2 * 8 * 3 * 2).reshape(2, 8, 3, 2)
    assert np.array_equal(tc.pixel_shuffle(tc.from_numpy(x), 2)._data,
                          torch.pixel_shuffle(torch.from_numpy(x), 2).numpy())
    y = np.arange(2 * 2 * 4 * 6).reshape(2, 2, 4, 6)
    assert np.array_equal(tc.pixel_unshuffle(tc.from_numpy(y), 2)._data,
                          torch.pixel_unshuffle(torch.from_numpy(y), 2).numpy())


ERRORS = [
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5)),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, scale_factor=2),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, align_corners=True),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, mode="area", align_corners=False),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, mode="linear"),
    lambda F, x, lib: F.interpolate(x(2, 3, 5), size=3, mode="bilinear"),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5, 5), size=3, mode="bicubic"),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, mode="foo"),
    lambda F, x, lib: F.interpolate(x(3, 3), size=3),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=(3, 3, 3)),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), scale_factor=(3, 3, 3)),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=0),
    lambda F, x, lib: F.interpolate(x(2, 3, 5), size=0),
    lambda F, x, lib: F.interpolate(x(1, 2, 3, 5, 5), size=0),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=0, mode="bilinear"),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), scale_factor=-1.0),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=(2.5, 3)),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, recompute_scale_factor=True),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, antialias=True),
    lambda F, x, lib: F.interpolate(x(2, 3, 5), size=3, mode="linear", antialias=True),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, mode="lanczos"),
    lambda F, x, lib: F.interpolate(x(2, 3, 5, 5), size=3, mode="lanczos", antialias=True, align_corners=True),
    lambda F, x, lib: F.interpolate(x(2, 3, 5), size=3, mode="lanczos", antialias=True),
    lambda F, x, lib: F.interpolate(x(2, 3, 5), size=3, mode="lanczos"),
    lambda F, x, lib: F.interpolate(lib.ones(2, 3, 4, 4, dtype=lib.long), size=3, mode="bilinear"),
    lambda F, x, lib: F.interpolate(lib.ones(2, 3, 4, 4, dtype=lib.long), size=3),
    lambda F, x, lib: F.interpolate(x(2, 0, 4, 4), size=3),
    lambda F, x, lib: F.interpolate(x(2, 3, 0, 4), size=3),
    lambda F, x, lib: F.pixel_shuffle(x(2, 3, 4, 4), 2),
    lambda F, x, lib: F.pixel_shuffle(x(4, 4), 2),
    lambda F, x, lib: F.pixel_shuffle(x(2, 4, 4, 4), 0),
    lambda F, x, lib: F.pixel_shuffle(x(2, 4, 4, 4), -1),
    lambda F, x, lib: F.pixel_unshuffle(x(2, 3, 5, 4), 2),
    lambda F, x, lib: F.pixel_unshuffle(x(1, 1, 4, 5), 2),
    lambda F, x, lib: F.pixel_unshuffle(x(4, 4), 2),
    lambda F, x, lib: F.pixel_unshuffle(x(2, 3, 4, 4), 0),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    def run(F, lib):
        return lambda: ERRORS[i](F, lambda *s: lib.from_numpy(rand(s)), lib)
    raises_like(run(TF, torch), run(OF, tc))


# ---- affine_grid / grid_sample ---------------------------------------------------------------

@pytest.mark.parametrize("size", [(2, 3, 5, 4), (2, 3, 1, 4), (2, 2, 3, 4, 5), (2, 1, 1, 4, 2)], ids=_case_id)
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_grid(size, align_corners, dtype):
    theta = rand((2,) + ((2, 3) if len(size) == 4 else (3, 4)), dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # unit-size grids with align_corners warn in both
        check(lambda t: OF.affine_grid(t, size, align_corners), lambda t: TF.affine_grid(t, size, align_corners),
              theta)


def _grid(dtype, nd=2):
    g = (R.standard_normal((2,) + ((4, 7) if nd == 2 else (3, 4, 5)) + (nd,)) * 0.9).astype(dtype)
    flat = g.reshape(-1, nd)
    flat[:4] = [[1.0], [0.0], [2.5], [-3.3]]     # a corner, the centre, far outside
    return g


@pytest.mark.parametrize("nd,mode", [(2, "bilinear"), (2, "nearest"), (2, "bicubic"), (3, "bilinear"), (3, "nearest")])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_sample(nd, mode, padding_mode, align_corners, dtype):
    x, gr = rand((2, 3, 5, 6) if nd == 2 else (2, 3, 4, 5, 6), dtype), _grid(dtype, nd)
    xo, xt = both(x)
    go, gt = both(gr)
    ro = OF.grid_sample(xo, go, mode, padding_mode, align_corners)
    rt = TF.grid_sample(xt, gt, mode, padding_mode, align_corners)
    close(ro, rt)
    assert ro.grad_fn.name() == rt.grad_fn.name()
    g = rand(tuple(rt.shape), dtype)
    ro.backward(tc.from_numpy(g))
    rt.backward(torch.from_numpy(g))
    close(xo.grad, xt.grad)
    close(go.grad, gt.grad, atol=2e-5)      # sums over channels of value differences: a little looser


def test_grid_sample_warns_without_align_corners():
    x, gr = rand((1, 2, 4, 4)), _grid(np.float32)[:1]
    with warnings.catch_warnings(record=True) as wo:
        warnings.simplefilter("always")
        o = OF.grid_sample(tc.from_numpy(x), tc.from_numpy(gr))
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        t = TF.grid_sample(torch.from_numpy(x), torch.from_numpy(gr))
    assert [str(w.message) for w in wo] == [str(w.message) for w in wt]
    close(o, t)


@pytest.mark.parametrize("nd,mode", [(2, "bilinear"), (2, "nearest"), (2, "bicubic"), (3, "bilinear"), (3, "nearest")])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_double_backward(nd, mode, padding_mode, align_corners):
    """Second derivatives of <w1, d/dinput> + <w2, d/dgrid> in g, input and grid, against torch's."""
    x, gr = rand((2, 3, 5, 6) if nd == 2 else (2, 3, 4, 5, 6), np.float64), _grid(np.float64, nd)
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        xx, gg = lib.from_numpy(x.copy()).requires_grad_(), lib.from_numpy(gr.copy()).requires_grad_()
        y = F.grid_sample(xx, gg, mode, padding_mode, align_corners)
        g = lib.from_numpy(np.random.default_rng(1).standard_normal(tuple(y.shape))).requires_grad_()
        gx, ggrid = lib.autograd.grad(y, (xx, gg), g, create_graph=True)
        w1 = lib.from_numpy(np.random.default_rng(2).standard_normal(tuple(gx.shape)))
        w2 = lib.from_numpy(np.random.default_rng(3).standard_normal(tuple(ggrid.shape)))
        res.append(lib.autograd.grad((gx * w1).sum() + (ggrid * w2).sum(), (g, xx, gg), allow_unused=True))
    for ours, theirs, what in zip(res[1], res[0], ("g", "input", "grid")):
        if theirs is None:      # torch leaves out an input with no path; ours must then be zero or absent
            assert ours is None or not np.any(ours._data), what
        else:
            close(ours, theirs)


def test_grid_sample_third_derivative_refused():
    xo, go = tc.randn(1, 2, 4, 4, requires_grad=True), (tc.rand(1, 3, 3, 2) * 2 - 1).requires_grad_()
    gx, _ = tc.autograd.grad(OF.grid_sample(xo, go, align_corners=False).sum(), (xo, go), create_graph=True)
    (gg,) = tc.autograd.grad(gx.sum(), go, create_graph=True)
    with pytest.raises(RuntimeError, match="not implemented"):
        gg.sum().backward()


GRID_ERRORS = [
    lambda F, x, lib: F.grid_sample(x(1, 2, 4, 4), x(1, 3, 3, 2), mode="foo", align_corners=False),
    lambda F, x, lib: F.grid_sample(x(1, 2, 4, 4), x(1, 3, 3, 2), padding_mode="foo", align_corners=False),
    lambda F, x, lib: F.grid_sample(x(1, 2, 4, 4), x(1, 3, 2), align_corners=False),
    lambda F, x, lib: F.grid_sample(x(1, 2, 4, 4), x(2, 3, 3, 2), align_corners=False),
    lambda F, x, lib: F.grid_sample(x(1, 2, 4, 4), x(1, 3, 3, 3), align_corners=False),
    lambda F, x, lib: F.grid_sample(x(1, 2, 4, 4), x(1, 3, 3, 2).double(), align_corners=False),
    lambda F, x, lib: F.grid_sample(x(1, 2, 3, 3, 3), x(1, 2, 2, 2, 3), mode="bicubic", align_corners=False),
    lambda F, x, lib: F.grid_sample(x(1, 2, 3, 3, 3), x(1, 2, 2, 2, 2), align_corners=False),
    lambda F, x, lib: lib.grid_sampler_2d(x(1, 2, 3, 3, 3), x(1, 2, 2, 2, 3), 0, 0, False),
    lambda F, x, lib: lib.grid_sampler_3d(x(1, 2, 3, 3), x(1, 2, 2, 2), 0, 0, False),
    lambda F, x, lib: F.affine_grid(x(2, 2, 3), (2, 3, 4), False),
    lambda F, x, lib: F.affine_grid(x(2, 3, 3), (2, 3, 4, 4), False),
    lambda F, x, lib: F.affine_grid(x(2, 2, 3), (2, 3, 4, 4, 4), False),
    lambda F, x, lib: F.affine_grid(x(2, 2, 3), (2, 3, 0, 4), False),
    lambda F, x, lib: F.affine_grid(lib.ones(2, 2, 3, dtype=lib.long), (2, 3, 4, 4), False),
]


@pytest.mark.parametrize("i", range(len(GRID_ERRORS)))
def test_grid_errors(i):
    def run(F, lib):
        return lambda: GRID_ERRORS[i](F, lambda *s: lib.from_numpy(rand(s)), lib)
    raises_like(run(TF, torch), run(OF, tc))


# ---- channel shuffle and the top-level forms -------------------------------------------------

@pytest.mark.parametrize("shape,groups", [((2, 6, 3), 2), ((2, 6, 3, 4), 3), ((1, 4, 2, 2, 2), 4), ((2, 5, 3), 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_channel_shuffle(shape, groups, dtype):
    check(lambda x: OF.channel_shuffle(x, groups), lambda x: TF.channel_shuffle(x, groups), rand(shape, dtype))
    o = OF.native_channel_shuffle(tc.from_numpy(rand(shape, dtype)).requires_grad_(), groups)
    t = TF.native_channel_shuffle(torch.from_numpy(rand(shape, dtype)).requires_grad_(), groups)
    assert o.grad_fn.name() == "NotImplemented" and "NotImplemented" in t.grad_fn.name()


def test_top_level_grid_forms():
    x, gr = rand((2, 3, 5, 6)), _grid(np.float32)
    for args in [(0, 0, False), (1, 1, True), (2, 2, False)]:
        close(tc.grid_sampler(tc.from_numpy(x), tc.from_numpy(gr), *args),
              torch.grid_sampler(torch.from_numpy(x), torch.from_numpy(gr), *args))
    close(tc.grid_sampler_2d(tc.from_numpy(x), tc.from_numpy(gr), 1, 2, True),
          torch.grid_sampler_2d(torch.from_numpy(x), torch.from_numpy(gr), 1, 2, True))
    x3, g3 = rand((1, 2, 3, 4, 5)), _grid(np.float32, 3)[:1]
    close(tc.grid_sampler_3d(tc.from_numpy(x3), tc.from_numpy(g3), 0, 1, False),
          torch.grid_sampler_3d(torch.from_numpy(x3), torch.from_numpy(g3), 0, 1, False))
    th = rand((2, 2, 3))
    close(tc.affine_grid_generator(tc.from_numpy(th), (2, 3, 5, 4), True),
          torch.affine_grid_generator(torch.from_numpy(th), (2, 3, 5, 4), True))


SHUFFLE_ERRORS = [
    lambda F, x, lib: F.channel_shuffle(x(2, 5, 3), 2),
    lambda F, x, lib: F.channel_shuffle(x(2, 6), 2),
    lambda F, x, lib: F.channel_shuffle(x(2, 6), 0),
    lambda F, x, lib: F.channel_shuffle(x(2, 6, 3), 0),
    lambda F, x, lib: F.channel_shuffle(x(2, 6, 3), -1),
    lambda F, x, lib: F.native_channel_shuffle(x(2, 6), 2),
]


@pytest.mark.parametrize("i", range(len(SHUFFLE_ERRORS)))
def test_shuffle_errors(i):
    def run(F, lib):
        return lambda: SHUFFLE_ERRORS[i](F, lambda *s: lib.from_numpy(rand(s)), lib)
    raises_like(run(TF, torch), run(OF, tc))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("mode,kw", [("nearest", {}), ("bilinear", {"align_corners": False}),
                                     ("bicubic", {"align_corners": True}), ("area", {})])
def test_interpolate_half_and_bfloat16(dtype, mode, kw):
    """Weights in float32, one rounding at the end; one unit in the last place from torch at most."""
    a = rand((2, 3, 7, 6))
    xo = tc.from_numpy(a).to(getattr(tc, dtype)).requires_grad_()
    xt = torch.from_numpy(a).to(getattr(torch, dtype)).requires_grad_()
    sf = 0.6 if mode == "area" else 1.7
    ro, rt = OF.interpolate(xo, scale_factor=sf, mode=mode, **kw), TF.interpolate(xt, scale_factor=sf, mode=mode, **kw)
    tol = {"rtol": 1.6e-2, "atol": 2e-2} if dtype == "bfloat16" else {"rtol": 1e-3, "atol": 2e-3}
    assert str(ro.dtype) == str(rt.dtype) and str(xo.dtype) == str(xt.dtype)
    close(ro.detach().float(), rt.detach().float(), **tol)
    g = rand(tuple(rt.shape))
    ro.backward(tc.from_numpy(g).to(ro.dtype))
    rt.backward(torch.from_numpy(g).to(rt.dtype))
    assert str(xo.grad.dtype) == str(xt.grad.dtype)
    close(xo.grad.float(), xt.grad.float(), **tol)


@pytest.mark.parametrize("mode,kw", [("nearest", {}), ("nearest-exact", {}), ("bilinear", {"align_corners": False}),
                                     ("bilinear", {"align_corners": True}), ("bicubic", {"align_corners": False}),
                                     ("area", {}), ("bilinear", {"antialias": True, "align_corners": False})],
                         ids=_case_id)
@pytest.mark.parametrize("sf", [1.7, 0.6])
def test_interpolate_nan_and_inf_stay_local(mode, kw, sf):
    """A NaN or inf reaches only the outputs that read it, as in torch's gathering kernels."""
    a = rand((1, 2, 9, 8))
    a[0, 0, 2, 3] = np.nan
    a[0, 1, 5, 1] = np.inf
    a[0, 1, 0, 7] = -np.inf
    o = OF.interpolate(tc.from_numpy(a), scale_factor=sf, mode=mode, **kw)
    t = TF.interpolate(torch.from_numpy(a), scale_factor=sf, mode=mode, **kw)
    torch.testing.assert_close(torch.from_numpy(o._data), t, equal_nan=True, rtol=1.3e-6, atol=1e-5)
