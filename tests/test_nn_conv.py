"""Convolutions against torch: F.conv1d/2d/3d and F.conv_transpose1d/2d/3d over many geometries
(stride, padding int/tuple/'same'/'valid', dilation, groups, bias on/off, odd sizes, batch of one,
unbatched and non-contiguous inputs, float32 and float64), forward values and the gradients of
input, weight and bias; double backward; grad_fn names; the Conv* / ConvTranspose* modules
(default init after manual_seed, state_dict, repr, padding modes, output_size) and errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn.functional as F

from _nn import close, copy_weights, pair, raises_like, backward_both, same_init


def _arrays(x_shape, w_shape, b_len, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(b_len).astype(dtype) if b_len else None
    return x, w, b


def _check(name, x, w, b, kwargs, layout="contiguous", rtol=None, atol=None):
    """Runs F.<name> in both libraries on the same arrays; compares output and every gradient."""
    tol = {} if rtol is None else {"rtol": rtol, "atol": atol}
    if layout == "transposed":      # the same values, reached through a transposed view
        xo, xt = pair(np.ascontiguousarray(np.swapaxes(x, -1, -2)))
        ino, int_ = xo.transpose(-1, -2), xt.transpose(-1, -2)
    elif layout == "sliced":
        xo, xt = pair(np.repeat(x, 2, axis=-1))
        ino, int_ = xo[..., ::2], xt[..., ::2]
    else:
        xo, xt = pair(x)
        ino, int_ = xo, xt
    wo, wt = pair(w)
    bo, bt = pair(b) if b is not None else (None, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # torch and we both warn for 'same' with an even kernel
        yt = getattr(TF, name)(int_, wt, bt, **kwargs)
        yo = getattr(F, name)(ino, wo, bo, **kwargs)
    close(yo, yt, **tol)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt)
    close(xo.grad, xt.grad, **tol)
    close(wo.grad, wt.grad, **tol)
    if b is not None:
        close(bo.grad, bt.grad, **tol)


# (function, input shape, weight shape, bias, kwargs)
CONV_CASES = [
    ("conv2d", (2, 3, 8, 7), (4, 3, 3, 3), True, {}),
    ("conv2d", (2, 3, 8, 7), (4, 3, 3, 3), False, {"padding": 1}),
    ("conv2d", (1, 4, 9, 9), (6, 2, 3, 3), True, {"stride": 2, "padding": 1, "groups": 2}),
    ("conv2d", (2, 4, 11, 10), (4, 1, 3, 2), True, {"stride": (2, 3), "padding": (2, 0), "groups": 4}),
    ("conv2d", (2, 3, 10, 9), (5, 3, 3, 3), True, {"dilation": 2, "padding": 2}),
    ("conv2d", (2, 3, 10, 9), (5, 3, 3, 2), True, {"dilation": (1, 3), "stride": (1, 2)}),
    ("conv2d", (2, 3, 7, 6), (5, 3, 3, 3), True, {"padding": "same"}),
    ("conv2d", (2, 3, 7, 6), (5, 3, 4, 2), True, {"padding": "same"}),      # even kernel: asymmetric
    ("conv2d", (2, 3, 7, 6), (5, 3, 4, 3), True, {"padding": "same", "dilation": (2, 1)}),
    ("conv2d", (2, 3, 7, 6), (5, 3, 3, 3), False, {"padding": "valid"}),
    ("conv2d", (3, 7, 6), (5, 3, 3, 3), True, {"padding": 1}),                # unbatched
    ("conv2d", (3, 7, 6), (5, 3, 2, 2), True, {"padding": "same"}),
    ("conv2d", (2, 6, 5, 5), (6, 1, 5, 5), True, {"padding": 4, "groups": 6}),  # padding > kernel reach
    ("conv2d", (2, 32, 6, 5), (48, 16, 3, 3), True, {"padding": 1, "groups": 2}),   # grouped, one GEMM per group
    ("conv2d", (2, 3, 5, 5), (4, 3, 1, 1), True, {}),
    ("conv2d", (2, 3, 5, 5), (4, 3, 5, 5), True, {}),                       # kernel as large as input
    ("conv2d", (0, 3, 5, 5), (4, 3, 3, 3), True, {}),                       # empty batch
    ("conv1d", (2, 4, 13), (6, 4, 3), True, {}),
    ("conv1d", (2, 4, 13), (6, 2, 4), True, {"stride": 3, "padding": 2, "groups": 2}),
    ("conv1d", (1, 4, 13), (6, 4, 3), False, {"dilation": 3, "padding": "same"}),
    ("conv1d", (4, 13), (6, 4, 2), True, {"padding": "same"}),
    ("conv1d", (3, 2, 9), (4, 2, 3), True, {"stride": [2], "padding": (1,)}),
    ("conv3d", (2, 2, 5, 6, 5), (4, 2, 3, 3, 3), True, {"padding": 1}),
    ("conv3d", (2, 4, 5, 6, 7), (4, 2, 2, 3, 2), True, {"stride": (1, 2, 2), "groups": 2, "dilation": (2, 1, 1)}),
    ("conv3d", (2, 4, 6, 6), (3, 2, 3, 3, 3), False, {"padding": "same"}),  # unbatched
]


def _id(case):
    return f"{case[0]}-{case[1]}-{case[2]}-{'b' if case[3] else 'nob'}-{case[4]}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CONV_CASES, ids=[_id(c) for c in CONV_CASES])
def test_conv(case, dtype):
    name, xs, ws, bias, kwargs = case
    x, w, b = _arrays(xs, ws, ws[0] if bias else 0, dtype)
    _check(name, x, w, b, kwargs)


@pytest.mark.parametrize("layout", ["transposed", "sliced"])
@pytest.mark.parametrize("name,xs,ws,kwargs", [
    ("conv2d", (2, 3, 8, 7), (4, 3, 3, 3), {"padding": 1}),
    ("conv2d", (2, 4, 9, 8), (4, 2, 3, 2), {"stride": 2, "groups": 2}),
    ("conv1d", (2, 4, 9), (5, 4, 3), {"dilation": 2}),
    ("conv3d", (1, 2, 4, 5, 6), (3, 2, 2, 2, 3), {"padding": (1, 0, 1)}),
])
def test_conv_non_contiguous_input(name, xs, ws, kwargs, layout):
    x, w, b = _arrays(xs, ws, ws[0], "float32", seed=1)
    _check(name, x, w, b, kwargs, layout)


def test_conv_non_contiguous_weight():
    x, w, b = _arrays((2, 3, 7, 6), (3, 4, 3, 3), 4, "float32", seed=2)
    xo, xt = pair(x)
    wo, wt = pair(w)
    bo, bt = pair(b)
    yo = F.conv2d(xo, wo.transpose(0, 1), bo, padding=1)
    yt = TF.conv2d(xt, wt.transpose(0, 1), bt, padding=1)
    close(yo, yt)
    backward_both(yo, yt)
    close(wo.grad, wt.grad)
    close(xo.grad, xt.grad)


def test_conv_larger_accumulations():
    """A realistic layer: gradients summed over 32 * 32 * 32 positions per weight."""
    x, w, b = _arrays((8, 16, 32, 32), (32, 16, 3, 3), 32, "float32", seed=3)
    # float32 sums of ~8000 products (weight grad) and ~150 (output): loosened for the long accumulation
    _check("conv2d", x, w, b, {"padding": 1}, rtol=1e-4, atol=1e-3)


# (function, input shape, weight shape, bias, kwargs)
TRANSPOSE_CASES = [
    ("conv_transpose2d", (2, 4, 5, 4), (4, 3, 3, 3), True, {}),
    ("conv_transpose2d", (2, 4, 5, 4), (4, 3, 3, 3), False, {"stride": 2, "padding": 1, "output_padding": 1}),
    ("conv_transpose2d", (2, 4, 5, 4), (4, 3, 3, 2), True, {"stride": (2, 3), "output_padding": (1, 2), "groups": 2}),
    ("conv_transpose2d", (1, 4, 5, 4), (4, 2, 3, 3), True, {"dilation": 2, "padding": (1, 2), "groups": 4}),
    ("conv_transpose2d", (2, 3, 4, 4), (3, 2, 3, 3), True, {"stride": 2, "dilation": 3, "output_padding": 2}),
    ("conv_transpose2d", (4, 5, 4), (4, 3, 3, 3), True, {"stride": 2}),      # unbatched
    ("conv_transpose2d", (2, 3, 4, 4), (3, 2, 3, 3), True, {"padding": 1}),
    ("conv_transpose2d", (2, 3, 4, 5), (3, 2, 2, 3), True, {"dilation": 2, "output_padding": 1}),
    ("conv_transpose2d", (2, 32, 4, 5), (32, 24, 3, 3), True, {"stride": 2, "groups": 2}),
    ("conv_transpose1d", (2, 4, 7), (4, 3, 3), True, {}),
    ("conv_transpose1d", (2, 4, 7), (4, 3, 4), True, {"stride": 3, "padding": 1, "output_padding": 2, "dilation": 2}),
    ("conv_transpose1d", (4, 7), (4, 1, 3), False, {"groups": 2, "stride": 2}),
    ("conv_transpose3d", (2, 4, 3, 4, 3), (4, 2, 2, 3, 2), True,
     {"stride": 2, "groups": 2, "output_padding": (1, 0, 1)}),
    ("conv_transpose3d", (1, 2, 3, 3, 3), (2, 3, 3, 3, 3), True, {"padding": 1}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", TRANSPOSE_CASES, ids=[_id(c) for c in TRANSPOSE_CASES])
def test_conv_transpose(case, dtype):
    name, xs, ws, bias, kwargs = case
    groups = kwargs.get("groups", 1)
    x, w, b = _arrays(xs, ws, ws[1] * groups if bias else 0, dtype)
    _check(name, x, w, b, kwargs)


def test_conv_transpose_non_contiguous_input():
    x, w, b = _arrays((2, 4, 5, 6), (4, 3, 3, 3), 3, "float32", seed=4)
    _check("conv_transpose2d", x, w, b, {"stride": 2, "output_padding": 1}, "transposed")


@pytest.mark.parametrize("name,xs,ws,kwargs", [
    ("conv2d", (5, 4, 7, 6), (6, 4, 3, 3), {"padding": 1}),
    ("conv2d", (5, 32, 6, 5), (48, 16, 3, 3), {"stride": 2, "groups": 2}),
    ("conv2d", (5, 6, 7, 6), (6, 1, 3, 3), {"padding": 1, "groups": 6}),
    ("conv_transpose2d", (5, 4, 5, 4), (4, 3, 3, 3), {"stride": 2, "output_padding": 1}),
    ("conv_transpose2d", (5, 4, 5, 4), (4, 3, 3, 3), {"padding": 1}),
])
def test_conv_in_batch_chunks(name, xs, ws, kwargs, monkeypatch):
    """Columns are built a few samples at a time; force one sample per chunk."""
    from torsh_compat.nn._functional import conv as conv_module
    monkeypatch.setattr(conv_module, "_CHUNK_BYTES", 1)
    groups = kwargs.get("groups", 1)
    x, w, b = _arrays(xs, ws, ws[1] * groups if "transpose" in name else ws[0], "float32", seed=12)
    _check(name, x, w, b, kwargs)


def test_torch_namespace_functions():
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        fn = getattr(tc, name)      # torch.<op> is the op plus torch's out= handling
        assert getattr(fn, "__wrapped__", fn) is getattr(F, name)
    x, w, b = _arrays((2, 3, 6, 6), (4, 3, 3, 3), 4, "float32")
    xo, xt = pair(x)
    close(tc.conv2d(xo, tc.from_numpy(w), tc.from_numpy(b), 1, 1),
          torch.conv2d(xt, torch.from_numpy(w), torch.from_numpy(b), 1, 1))


def test_integer_conv_and_bool_refused():
    rng = np.random.default_rng(5)
    x = rng.integers(-5, 5, (2, 3, 6, 6))
    w = rng.integers(-3, 3, (4, 3, 3, 3))
    yo = F.conv2d(tc.from_numpy(x), tc.from_numpy(w), padding=1)
    yt = TF.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1)
    assert yo.dtype == tc.int64
    np.testing.assert_array_equal(yo.numpy(), yt.numpy())
    raises_like(lambda: TF.conv2d(torch.from_numpy(x > 0), torch.from_numpy(w > 0)),
                lambda: F.conv2d(tc.from_numpy(x > 0), tc.from_numpy(w > 0)))


# ---- double backward ---------------------------------------------------------------------------

def _double(lib, fn, x, w, b, kwargs, seed=7):
    """Gradients of a scalar built from the first gradients (create_graph=True)."""
    xo, wo, bo = (lib.from_numpy(a.copy()).requires_grad_(True) for a in (x, w, b))
    y = getattr(fn, kwargs.pop("_name"))(xo, wo, bo, **kwargs)
    g = lib.from_numpy(np.random.default_rng(seed).standard_normal(tuple(y.shape)))
    gx, gw, gb = (lib.autograd.grad(y, (xo, wo, bo), g, create_graph=True))
    rng = np.random.default_rng(seed + 1)
    vx, vw, vb = (lib.from_numpy(rng.standard_normal(tuple(a.shape))) for a in (gx, gw, gb))
    s = (gx * vx).sum() + (gw * gw * vw).sum() + (gb * vb).sum()
    return (gx, gw), lib.autograd.grad(s, (xo, wo, bo), allow_unused=True)


@pytest.mark.parametrize("name,xs,ws,kwargs", [
    ("conv2d", (2, 3, 6, 5), (4, 3, 3, 3), {"padding": 1}),
    ("conv2d", (2, 4, 7, 6), (4, 2, 3, 2), {"stride": 2, "dilation": (1, 2), "groups": 2}),
    ("conv_transpose2d", (2, 4, 4, 3), (4, 3, 3, 3), {"stride": 2, "padding": 1, "output_padding": 1}),
    ("conv1d", (2, 3, 9), (4, 3, 3), {"stride": 2}),
])
def test_double_backward(name, xs, ws, kwargs):
    b_len = ws[0] if "transpose" not in name else ws[1] * kwargs.get("groups", 1)
    x, w, b = _arrays(xs, ws, b_len, "float64", seed=6)
    (gxo, gwo), second_o = _double(tc, F, x, w, b, dict(kwargs, _name=name))
    (gxt, gwt), second_t = _double(torch, TF, x, w, b, dict(kwargs, _name=name))
    assert type(gxo.grad_fn).__name__ == type(gxt.grad_fn).__name__ == "ConvolutionBackwardBackward0"
    close(gxo, gxt)
    close(gwo, gwt)
    for o, t in zip(second_o, second_t):
        if t is None:
            assert o is None or not np.any(o.numpy())
        else:
            close(o, t)


def test_grad_fn_names():
    x, w, b = _arrays((2, 3, 6, 6), (4, 3, 3, 3), 4, "float32")
    xo, xt = pair(x)
    yo = F.conv2d(xo[0], tc.from_numpy(w))
    yt = TF.conv2d(xt[0], torch.from_numpy(w))
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__ == "SqueezeBackward1"
    assert type(yo.grad_fn.next_functions[0][0]).__name__ == "ConvolutionBackward0"
    yo = F.conv_transpose2d(xo, tc.from_numpy(w.transpose(1, 0, 2, 3).copy()))
    assert type(yo.grad_fn).__name__ == "ConvolutionBackward0"
    assert len(yo.grad_fn.next_functions) == 3


# ---- modules -----------------------------------------------------------------------------------

INIT_CASES = [
    ("Conv1d", (4, 6, 3), {}),
    ("Conv1d", (4, 6, 5), {"groups": 2, "bias": False}),
    ("Conv2d", (3, 8, 3), {}),
    ("Conv2d", (4, 6, (3, 2)), {"stride": 2, "padding": 1, "groups": 2}),
    ("Conv3d", (2, 4, 3), {}),
    ("Conv3d", (4, 4, (2, 3, 1)), {"groups": 4, "dilation": 2}),
    ("ConvTranspose1d", (4, 6, 3), {}),
    ("ConvTranspose2d", (3, 8, 3), {}),
    ("ConvTranspose2d", (4, 6, 3), {"groups": 2, "stride": 2, "output_padding": 1}),
    ("ConvTranspose3d", (2, 4, 2), {"bias": False}),
]


@pytest.mark.parametrize("cls,args,kwargs", INIT_CASES)
def test_default_init_equals_torch(cls, args, kwargs):
    for seed in (0, 11):
        torch.manual_seed(seed)
        mt = getattr(torch.nn, cls)(*args, **kwargs)
        tc.manual_seed(seed)
        mo = getattr(tc.nn, cls)(*args, **kwargs)
        same_init(mo, mt)
        assert repr(mo) == repr(mt)
        # the generators stay in step after construction
        assert tc.rand(3).numpy().tolist() == torch.rand(3).numpy().tolist()


def test_init_dtype_float64():
    torch.manual_seed(2)
    mt = torch.nn.Conv2d(3, 4, 3, dtype=torch.float64)
    tc.manual_seed(2)
    mo = tc.nn.Conv2d(3, 4, 3, dtype=tc.float64)
    same_init(mo, mt)
    assert mo.weight.dtype == tc.float64


@pytest.mark.parametrize("kwargs", [
    {}, {"stride": 2}, {"padding": 1}, {"padding": (1, 2), "dilation": 2}, {"groups": 2},
    {"bias": False}, {"padding": "same"}, {"padding": "valid"}, {"padding_mode": "reflect", "padding": 1},
    {"padding_mode": "circular", "padding": 2},
])
def test_conv2d_repr_and_attributes(kwargs):
    mt = torch.nn.Conv2d(4, 6, 3, **kwargs)
    mo = tc.nn.Conv2d(4, 6, 3, **kwargs)
    assert repr(mo) == repr(mt)
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "transposed",
                 "output_padding", "groups", "padding_mode", "_reversed_padding_repeated_twice"):
        assert getattr(mo, attr) == getattr(mt, attr), attr
    assert list(mo.state_dict()) == list(mt.state_dict())
    assert [n for n, _ in mo.named_parameters()] == [n for n, _ in mt.named_parameters()]


def test_transpose_repr():
    for args, kwargs in (((4, 6, 3), {"stride": 2, "output_padding": 1, "dilation": 2}),
                         ((4, 6, (2, 3, 2)), {"groups": 2, "bias": False, "padding": 1})):
        n = len(args[2]) if isinstance(args[2], tuple) else 2
        cls = f"ConvTranspose{n}d"
        assert repr(getattr(tc.nn, cls)(*args, **kwargs)) == repr(getattr(torch.nn, cls)(*args, **kwargs))


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("cls,xs,kwargs", [
    ("Conv1d", (2, 4, 11), {"kernel_size": 3, "padding": 2}),
    ("Conv2d", (2, 4, 9, 8), {"kernel_size": 3, "padding": (1, 2), "stride": 2}),
    ("Conv2d", (2, 4, 9, 8), {"kernel_size": (4, 3), "padding": "same"}),
    ("Conv2d", (4, 9, 8), {"kernel_size": 3, "padding": 1}),
    ("Conv3d", (1, 4, 5, 6, 5), {"kernel_size": 3, "padding": 1, "groups": 2}),
])
def test_padding_modes(cls, xs, kwargs, mode):
    torch.manual_seed(0)
    mt = getattr(torch.nn, cls)(4, 6, padding_mode=mode, **kwargs)
    mo = getattr(tc.nn, cls)(4, 6, padding_mode=mode, **kwargs)
    copy_weights(mo, mt)
    xo, xt = pair(np.random.default_rng(8).standard_normal(xs).astype(np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yo, yt = mo(xo), mt(xt)
    close(yo, yt)
    backward_both(yo, yt)
    close(xo.grad, xt.grad)
    close(mo.weight.grad, mt.weight.grad)
    close(mo.bias.grad, mt.bias.grad)


@pytest.mark.parametrize("output_size", [None, (9, 9), (10, 10), [2, 6, 10, 9], (9, 10)])
def test_conv_transpose_module_output_size(output_size):
    torch.manual_seed(1)
    mt = torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1)
    mo = tc.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1)
    copy_weights(mo, mt)
    xo, xt = pair(np.random.default_rng(9).standard_normal((2, 4, 5, 5)).astype(np.float32))
    yo, yt = mo(xo, output_size), mt(xt, output_size)
    close(yo, yt)
    backward_both(yo, yt)
    close(xo.grad, xt.grad)
    close(mo.weight.grad, mt.weight.grad)


def test_conv_transpose_module_output_size_errors():
    mt, mo = torch.nn.ConvTranspose2d(4, 6, 3, stride=2), tc.nn.ConvTranspose2d(4, 6, 3, stride=2)
    xt, xo = torch.zeros(2, 4, 5, 5), tc.zeros(2, 4, 5, 5)
    raises_like(lambda: mt(xt, (20, 20)), lambda: mo(xo, (20, 20)), exact=False)
    raises_like(lambda: mt(xt, (11,)), lambda: mo(xo, (11,)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_module_batch_of_one_and_eval(dtype):
    torch.manual_seed(4)
    mt = torch.nn.Conv2d(3, 5, 3, padding=1, dtype=getattr(torch, dtype))
    mo = tc.nn.Conv2d(3, 5, 3, padding=1, dtype=getattr(tc, dtype))
    copy_weights(mo, mt)
    mt.eval()
    mo.eval()
    xo, xt = pair(np.random.default_rng(10).standard_normal((1, 3, 7, 5)).astype(dtype))
    yo, yt = mo(xo), mt(xt)
    close(yo, yt)
    backward_both(yo, yt)
    close(xo.grad, xt.grad)
    close(mo.weight.grad, mt.weight.grad)
    close(mo.bias.grad, mt.bias.grad)


# ---- errors ------------------------------------------------------------------------------------

def _err_cases(lib):
    Fn = TF if lib is torch else F
    x = lib.zeros(2, 3, 8, 8)
    w = lib.zeros(4, 3, 3, 3)
    return [
        lambda: Fn.conv2d(x, lib.zeros(4, 5, 3, 3)),
        lambda: Fn.conv2d(x, lib.zeros(4, 3, 3)),
        lambda: Fn.conv2d(x[0, 0], w),
        lambda: Fn.conv1d(x, w),
        lambda: Fn.conv2d(x, w, groups=2),
        lambda: Fn.conv2d(x, lib.zeros(4, 1, 3, 3), groups=3),
        lambda: Fn.conv2d(x, lib.zeros(4, 3, 9, 9)),
        lambda: Fn.conv2d(x, w, dilation=4),
        lambda: Fn.conv2d(x, w, stride=0),
        lambda: Fn.conv2d(x, w, padding=-1),
        lambda: Fn.conv2d(x, w, dilation=0),
        lambda: Fn.conv2d(x, w, groups=0),
        lambda: Fn.conv2d(x, w, padding="same", stride=2),
        lambda: Fn.conv2d(x, w, padding="foo"),
        lambda: Fn.conv2d(x, w, stride=(1, 1, 1)),
        lambda: Fn.conv2d(x, w, padding=(1, 1, 1)),
        lambda: Fn.conv2d(x.double(), w),
        lambda: Fn.conv2d(x, w, lib.zeros(4).double()),
        lambda: Fn.conv2d(x, w, lib.zeros(5)),
        lambda: Fn.conv2d(x, lib.zeros(0, 3, 3, 3)),
        lambda: Fn.conv2d(lib.zeros(2, 3, 0, 8), w),
        lambda: Fn.conv_transpose2d(x, lib.zeros(3, 2, 3, 3), output_padding=1),
        lambda: Fn.conv_transpose2d(x, lib.zeros(3, 2, 3, 3), stride=2, output_padding=2),
        lambda: Fn.conv_transpose3d(x[None], lib.zeros(2, 2, 3, 3, 3), stride=2, output_padding=3),
        lambda: Fn.conv_transpose2d(x, lib.zeros(3, 2, 3, 3), groups=2),
        lambda: Fn.conv_transpose2d(x, lib.zeros(4, 2, 3, 3)),
        lambda: Fn.conv_transpose2d(x, lib.zeros(3, 2, 3, 3), padding="same"),
    ]


@pytest.mark.parametrize("i", range(len(_err_cases(torch))))
def test_functional_errors(i):
    raises_like(_err_cases(torch)[i], _err_cases(tc)[i])


def test_dtype_mismatch_errors():
    raises_like(lambda: TF.conv2d(torch.zeros(1, 3, 5, 5), torch.zeros(2, 3, 3, 3).double()),
                lambda: F.conv2d(tc.zeros(1, 3, 5, 5), tc.zeros(2, 3, 3, 3).double()))


@pytest.mark.parametrize("cls,args,kwargs", [
    ("Conv2d", (4, 6, 3), {"groups": 3}),
    ("Conv2d", (4, 6, 3), {"groups": 4}),
    ("Conv2d", (4, 6, 3), {"groups": 0}),
    ("Conv2d", (4, 6, 3), {"padding": "same", "stride": 2}),
    ("Conv1d", (4, 6, 3), {"padding": "full"}),
    ("Conv2d", (4, 6, 3), {"padding_mode": "mirror"}),
    ("ConvTranspose2d", (4, 6, 3), {"padding_mode": "reflect"}),
    ("ConvTranspose1d", (4, 6, 3), {"groups": 4}),
])
def test_constructor_errors(cls, args, kwargs):
    # torch prints a set of the valid choices; its order follows string hashes and each module's
    # compiled constant, so those two messages are compared without the set
    lists_choices = "padding_mode" in kwargs or kwargs.get("padding") == "full"
    make_t = lambda: getattr(torch.nn, cls)(*args, **kwargs)
    make_o = lambda: getattr(tc.nn, cls)(*args, **kwargs)
    raises_like(make_t, make_o, exact=not lists_choices)
    if lists_choices:
        with pytest.raises(ValueError) as et:
            make_t()
        with pytest.raises(ValueError) as eo:
            make_o()
        strip = lambda m: m.split("{")[0] + m.split("}")[-1]
        assert strip(str(eo.value)) == strip(str(et.value))


@pytest.mark.parametrize("cls,shape", [
    ("Conv2d", (2, 4, 5)), ("Conv2d", (2, 3, 5, 5)), ("Conv2d", (1, 2, 4, 5, 5)), ("Conv1d", (2, 4, 5, 5)),
    ("Conv3d", (4, 5, 5)), ("ConvTranspose2d", (2, 3, 5, 5)), ("ConvTranspose2d", (5, 5)),
])
def test_forward_errors(cls, shape):
    torch.manual_seed(0)
    mt = getattr(torch.nn, cls)(4, 6, 3)
    mo = getattr(tc.nn, cls)(4, 6, 3)
    raises_like(lambda: mt(torch.zeros(shape)), lambda: mo(tc.zeros(shape)))


def test_saved_tensors_version_check():
    """The backward reads input and weight, never the bias: only those may not change in place."""
    for lib in (torch, tc):
        x = lib.ones(1, 3, 5, 5, requires_grad=True)
        w = lib.ones(2, 3, 3, 3, requires_grad=True)
        b = lib.zeros(2, requires_grad=True)
        y = lib.nn.functional.conv2d(x, w, b)
        with lib.no_grad():
            b.add_(1)
        y.sum().backward()
        assert b.grad.tolist() == [9.0, 9.0]
        y = lib.nn.functional.conv2d(x, w, b)
        with lib.no_grad():
            w.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_half_precision_forward():
    x, w, b = _arrays((2, 3, 6, 6), (4, 3, 3, 3), 4, "float16", seed=13)
    yo = F.conv2d(tc.from_numpy(x), tc.from_numpy(w), tc.from_numpy(b), padding=1)
    yt = TF.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), padding=1)
    assert yo.dtype == tc.float16
    close(yo, yt, rtol=1e-3, atol=1e-3)     # half results: torch also accumulates in float32
