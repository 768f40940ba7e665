"""Activations (torch.nn.functional forms and modules) against real torch: values, input and
parameter gradients, second derivatives, in-place forms inside graphs, softmax's implicit dim,
extra_repr strings, constructor signatures, torch's errors, half/bfloat16, NaN inputs, and the
random draws of rrelu (training) and gumbel_softmax after the same seed."""
import inspect
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn as onn
import torsh_compat.nn.functional as OF

RTOL, ATOL = 1.3e-6, 1e-5
R = np.random.default_rng(0)


def _np(t):
    return np.array(t.detach()._data) if isinstance(t, tc.Tensor) else t.detach().numpy()


def assert_close(ours, theirs, what, rtol=RTOL, atol=ATOL):
    assert theirs is not None and ours is not None, f"{what}: {ours!r} vs torch {theirs!r}"
    assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} != {theirs.dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} != " \
                                                     f"{tuple(theirs.shape)}"
    torch.testing.assert_close(torch.from_numpy(_np(ours)), theirs.detach(), rtol=rtol, atol=atol,
                               equal_nan=True, msg=lambda m: f"{what}: {m}")


def values(shape, dtype=np.float32, scale=3.0):
    """Random values plus the kinks and boundaries activations care about."""
    v = np.asarray(R.standard_normal(shape) * scale).astype(dtype)      # 0-d stays an array
    special = np.array([0.0, -3.0, 3.0, 6.0, -1.0, 1.0, 0.5, -0.5, 20.0, -20.0, 25.0, 90.0, -90.0],
                       dtype)
    flat = v.reshape(-1)
    flat[:min(flat.size, special.size)] = special[:flat.size]
    return v


def run_both(make, x, extra=(), grad=True):
    """make(F_module, lib, x, *extra) on both libraries; value and gradients of x and extra."""
    res = []
    g = R.standard_normal(1).astype(x.dtype)    # placeholder, replaced once the shape is known
    for lib, F in ((torch, TF), (tc, OF)):
        xt = lib.from_numpy(x.copy()).requires_grad_(grad)
        ex = [lib.from_numpy(e.copy()).requires_grad_(grad) for e in extra]
        out = make(F, lib, xt, *ex)
        if grad:
            if g.shape != tuple(out.shape):
                g = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(
                    str(out.dtype).split(".")[-1])
            out.backward(lib.from_numpy(g.copy()))
        res.append((out, [xt.grad] + [e.grad for e in ex]))
    (t_out, t_grads), (o_out, o_grads) = res
    assert_close(o_out, t_out, "value")
    if grad:
        for i, (og, tg) in enumerate(zip(o_grads, t_grads)):
            assert_close(og, tg, f"grad of input {i}")
    return o_out, t_out


ELEMENTWISE = [
    ("relu", lambda F, x: F.relu(x)),
    ("relu6", lambda F, x: F.relu6(x)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x)),
    ("leaky_relu_0.2", lambda F, x: F.leaky_relu(x, 0.2)),
    ("leaky_relu_neg", lambda F, x: F.leaky_relu(x, negative_slope=-0.3)),
    ("elu", lambda F, x: F.elu(x)),
    ("elu_0.5", lambda F, x: F.elu(x, alpha=0.5)),
    ("selu", lambda F, x: F.selu(x)),
    ("celu", lambda F, x: F.celu(x)),
    ("celu_2", lambda F, x: F.celu(x, alpha=2.0)),
    ("gelu", lambda F, x: F.gelu(x)),
    ("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh")),
    ("silu", lambda F, x: F.silu(x)),
    ("mish", lambda F, x: F.mish(x)),
    ("softplus", lambda F, x: F.softplus(x)),
    ("softplus_beta", lambda F, x: F.softplus(x, beta=2.0, threshold=5.0)),
    ("softplus_small_threshold", lambda F, x: F.softplus(x, 0.5, 1.0)),
    ("softsign", lambda F, x: F.softsign(x)),
    ("hardtanh", lambda F, x: F.hardtanh(x)),
    ("hardtanh_range", lambda F, x: F.hardtanh(x, -2.0, 0.5)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x)),
    ("hardswish", lambda F, x: F.hardswish(x)),
    ("sigmoid", lambda F, x: F.sigmoid(x)),
    ("tanh", lambda F, x: F.tanh(x)),
    ("logsigmoid", lambda F, x: F.logsigmoid(x)),
    ("tanhshrink", lambda F, x: F.tanhshrink(x)),
    ("softshrink", lambda F, x: F.softshrink(x)),
    ("softshrink_1", lambda F, x: F.softshrink(x, 1.0)),
    ("hardshrink", lambda F, x: F.hardshrink(x)),
    ("hardshrink_1", lambda F, x: F.hardshrink(x, lambd=1.0)),
    ("threshold", lambda F, x: F.threshold(x, 0.5, -2.0)),
    ("rrelu", lambda F, x: F.rrelu(x)),
    ("rrelu_range", lambda F, x: F.rrelu(x, 0.1, 0.4, training=False)),
    ("glu", lambda F, x: F.glu(x)),
    ("glu_dim0", lambda F, x: F.glu(x, 0)),
    ("softmax", lambda F, x: F.softmax(x, dim=-1)),
    ("softmax_0", lambda F, x: F.softmax(x, 0)),
    ("log_softmax", lambda F, x: F.log_softmax(x, -1)),
    ("log_softmax_0", lambda F, x: F.log_softmax(x, dim=0)),
    ("softmin", lambda F, x: F.softmin(x, 1)),
    ("normalize", lambda F, x: F.normalize(x)),
    ("normalize_p1_dim0", lambda F, x: F.normalize(x, p=1, dim=0)),
    ("normalize_p3", lambda F, x: F.normalize(x, 3.0, -1)),
    ("normalize_inf", lambda F, x: F.normalize(x, float("inf"), 1)),
    ("normalize_eps", lambda F, x: F.normalize(x, eps=10.0)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(4, 6), (2, 4, 3), (6, 2, 2, 2)], ids=str)
@pytest.mark.parametrize("name,fn", ELEMENTWISE, ids=[n for n, _ in ELEMENTWISE])
def test_functional(name, fn, shape, dtype):
    if name == "glu" and shape[-1] % 2:     # torch refuses to halve an odd dim
        x = values(shape, dtype)
        _same_error(lambda lib, F: fn(F, lib.from_numpy(x.copy())))
        return
    run_both(lambda F, lib, x: fn(F, x), values(shape, dtype))


@pytest.mark.parametrize("name,fn", [e for e in ELEMENTWISE if not e[0].startswith(("glu", "soft",
                                                                                    "log_soft"))
                                      and "normalize" not in e[0]],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_functional_0d_and_empty(name, fn):
    run_both(lambda F, lib, x: fn(F, x), np.array(0.7, np.float32))
    run_both(lambda F, lib, x: fn(F, x), np.zeros((0, 3), np.float32))


def test_softmax_family_0d_1d():
    for fn in ("softmax", "log_softmax", "softmin"):
        run_both(lambda F, lib, x: getattr(F, fn)(x, 0), np.array(0.7, np.float32))
        run_both(lambda F, lib, x: getattr(F, fn)(x, -1), values((7,)))
    run_both(lambda F, lib, x: F.normalize(x, dim=0), values((7,)))


@pytest.mark.parametrize("name,fn", ELEMENTWISE, ids=[n for n, _ in ELEMENTWISE])
def test_second_derivative(name, fn):
    """create_graph through the activation (gradient penalties): d/dx of sum(g(x)^2)."""
    x = (R.standard_normal((4, 6)) * 2).astype(np.float64)
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        y = fn(F, xt)
        w = lib.from_numpy(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (g,) = lib.autograd.grad((y * w).sum(), xt, create_graph=True)
        try:
            (g * g).sum().backward()
        except RuntimeError as e:      # hardsigmoid: torch has no double backward
            res.append(e)
            continue
        res.append((g, xt.grad))
    if isinstance(res[0], Exception):
        assert isinstance(res[1], Exception) and str(res[1]) == str(res[0]), res
        return
    assert not isinstance(res[1], Exception), res[1]
    assert_close(res[1][0], res[0][0], f"{name} first derivative", 1e-7, 1e-7)
    if res[0][1] is None:
        assert res[1][1] is None or not np.any(_np(res[1][1]))
    else:
        assert_close(res[1][1], res[0][1], f"{name} second derivative", 1e-7, 1e-7)


def test_prelu_functional():
    for shape, wn in (((4, 6), 1), ((4, 6), 6), ((2, 3, 4), 3), ((2, 3, 2, 2), 3), ((5,), 1),
                      ((), 1)):
        w = R.uniform(-0.5, 0.5, wn).astype(np.float32)
        run_both(lambda F, lib, x, wt: F.prelu(x, wt), values(shape), (w,))
    run_both(lambda F, lib, x, wt: F.prelu(x, wt), values((4, 6)), (np.array(0.3, np.float32),))


def test_softmax_large_inputs_are_stable_and_sum_to_one():
    x = values((3, 5)) * 100
    out, _ = run_both(lambda F, lib, x: F.softmax(x, 1), x)
    np.testing.assert_allclose(_np(out).sum(1), 1.0, rtol=1e-6)
    out, _ = run_both(lambda F, lib, x: F.log_softmax(x, 1), x)
    assert np.isfinite(_np(out)).all()


def test_softmax_is_one_node_with_torch_names():
    x = tc.randn(3, 4, requires_grad=True)
    for fn, name in ((OF.softmax, "SoftmaxBackward0"), (OF.log_softmax, "LogSoftmaxBackward0")):
        y = fn(x, 1)
        assert y.grad_fn.name() == name
        assert y.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"
    assert OF.relu(x).grad_fn.name() == "ReluBackward0"
    assert OF.gelu(x).grad_fn.name() == "GeluBackward0"
    assert OF.prelu(x, tc.ones(1)).grad_fn.name() == "PreluKernelBackward0"
    assert OF.rrelu(x, training=True).grad_fn.name() == "RreluWithNoiseBackward0"
    assert OF.rrelu(x * 1, inplace=True).grad_fn.name() == "RreluWithNoiseBackward1"
    (g,) = tc.autograd.grad(OF.relu(x).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "ThresholdBackwardBackward0"
    (g,) = tc.autograd.grad(OF.leaky_relu(x).sum(), x, create_graph=True)
    assert g.grad_fn.name() == "LeakyReluBackwardBackward0"


@pytest.mark.parametrize("ndim", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_softmax_implicit_dim_warns_and_picks_torchs_legacy_dim(fn, ndim):
    x = values((2, 3, 4, 5)[:ndim])
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn} has been deprecated"):
        ours = getattr(OF, fn)(tc.from_numpy(x.copy()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(TF, fn)(torch.from_numpy(x.copy()))
    assert_close(ours, theirs, "implicit dim")


def test_softmax_dtype_argument_and_half():
    x = values((3, 4))
    for dt_o, dt_t in ((tc.float64, torch.float64), (tc.float32, torch.float32)):
        run_both(lambda F, lib, x: F.softmax(x, 1, dtype=dt_o if lib is tc else dt_t), x)
        run_both(lambda F, lib, x: F.log_softmax(x, 0, dtype=dt_o if lib is tc else dt_t), x)
    xi = R.integers(-3, 3, (3, 4))
    ours = OF.softmax(tc.from_numpy(xi.copy()), 1, dtype=tc.float32)
    theirs = TF.softmax(torch.from_numpy(xi.copy()), 1, dtype=torch.float32)
    assert_close(ours, theirs, "int input with dtype")
    xh = values((3, 4), np.float16)
    assert_close(OF.softmax(tc.from_numpy(xh.copy()), 1), TF.softmax(torch.from_numpy(xh), 1),
                 "half", 1e-3, 1e-3)


@pytest.mark.parametrize("name,call", [
    ("relu", lambda F, x: F.relu(x, inplace=True)),
    ("relu_", lambda F, x: F.relu_(x)),
    ("relu_method", lambda F, x: x.relu_()),
    ("relu6", lambda F, x: F.relu6(x, True)),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2, inplace=True)),
    ("leaky_relu_", lambda F, x: F.leaky_relu_(x, 0.2)),
    ("elu", lambda F, x: F.elu(x, 0.7, True)),
    ("elu_", lambda F, x: F.elu_(x)),
    ("selu", lambda F, x: F.selu(x, True)),
    ("selu_", lambda F, x: F.selu_(x)),
    ("celu", lambda F, x: F.celu(x, 0.5, True)),
    ("celu_", lambda F, x: F.celu_(x)),
    ("silu", lambda F, x: F.silu(x, inplace=True)),
    ("mish", lambda F, x: F.mish(x, inplace=True)),
    ("hardtanh", lambda F, x: F.hardtanh(x, -0.5, 0.5, True)),
    ("hardtanh_", lambda F, x: F.hardtanh_(x)),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x, True)),
    ("hardswish", lambda F, x: F.hardswish(x, True)),
    ("threshold", lambda F, x: F.threshold(x, 0.1, 5.0, True)),
    ("threshold_", lambda F, x: F.threshold_(x, 0.1, 5.0)),
    ("rrelu", lambda F, x: F.rrelu(x, 0.1, 0.3, inplace=True)),
    ("rrelu_", lambda F, x: F.rrelu_(x)),
    ("rrelu_train", lambda F, x: F.rrelu(x, 0.1, 0.3, True, True)),
])
def test_inplace_on_non_leaf(name, call):
    """In a graph: h = x * 2 + 1; act_(h); loss uses h; gradients reach x as in torch."""
    x = values((4, 5))
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        h = xt * 2 + 1
        lib.manual_seed(5)      # rrelu's training draws are torch's after the same seed
        out = call(F, h)
        assert out is h, "the in-place form returns its input"
        (h * lib.from_numpy(np.arange(20, dtype=np.float32).reshape(4, 5))).sum().backward()
        res.append((h, xt.grad))
    assert_close(res[1][0], res[0][0], f"{name} value")
    assert_close(res[1][1], res[0][1], f"{name} grad")


def test_inplace_on_leaf_that_requires_grad_is_refused():
    for lib, F in ((torch, TF), (tc, OF)):
        x = lib.randn(3, requires_grad=True)
        for call in (lambda: F.relu(x, inplace=True), lambda: F.leaky_relu_(x),
                     lambda: F.elu(x, inplace=True)):
            with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
                call()


def test_inplace_on_view_updates_base_graph():
    x = values((4, 6))
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        h = xt * 3
        F.leaky_relu(h[:, 1:4], 0.1, inplace=True)
        (h * h).sum().backward()
        res.append((h, xt.grad))
    assert_close(res[1][0], res[0][0], "value")
    assert_close(res[1][1], res[0][1], "grad")


def test_integer_and_bool_inputs():
    xi = np.array([[1, -2, 3], [0, 5, -1]])
    for fn in ("relu", "relu6", "hardtanh"):
        assert_close(getattr(OF, fn)(tc.from_numpy(xi.copy())),
                     getattr(TF, fn)(torch.from_numpy(xi.copy())), fn)
    assert_close(OF.threshold(tc.from_numpy(xi.copy()), 1, 7),
                 TF.threshold(torch.from_numpy(xi.copy()), 1, 7), "threshold")
    for fn in ("softsign", "tanhshrink", "sigmoid", "tanh"):
        assert_close(getattr(OF, fn)(tc.from_numpy(xi.copy())),
                     getattr(TF, fn)(torch.from_numpy(xi.copy())), fn)
    for fn in ("leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
               "hardsigmoid", "hardswish", "logsigmoid", "softshrink", "hardshrink"):
        with pytest.raises(NotImplementedError, match="not implemented for 'Long'"):
            getattr(OF, fn)(tc.from_numpy(xi.copy()))
        with pytest.raises(NotImplementedError):
            getattr(TF, fn)(torch.from_numpy(xi.copy()))
    for lib, F in ((torch, TF), (tc, OF)):
        with pytest.raises(NotImplementedError, match="softmax_lastdim_kernel_impl"):
            F.softmax(lib.from_numpy(xi.copy()), 1)
        with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
            F.relu(lib.ones(2, dtype=lib.bool))


def _same_error(call):
    with pytest.raises(Exception) as te:
        call(torch, TF)
    with pytest.raises(type(te.value)) as oe:
        call(tc, OF)
    assert str(oe.value) == str(te.value)


def test_errors_as_torch():
    _same_error(lambda lib, F: F.glu(lib.randn(3, 5)))
    _same_error(lambda lib, F: F.glu(lib.tensor(1.0)))
    _same_error(lambda lib, F: F.glu(lib.randn(3, 4), dim=2))
    _same_error(lambda lib, F: F.softmax(lib.randn(3, 4), dim=2))
    _same_error(lambda lib, F: F.hardtanh(lib.randn(3), 2.0, 1.0))
    _same_error(lambda lib, F: F.gelu(lib.randn(3), approximate="fast"))
    _same_error(lambda lib, F: F.prelu(lib.randn(4, 6), lib.ones(5)))
    _same_error(lambda lib, F: F.prelu(lib.randn(6), lib.ones(6)))
    _same_error(lambda lib, F: F.prelu(lib.randn(4, 6), lib.ones(1, 6)))
    _same_error(lambda lib, F: F.softshrink(lib.randn(3), -0.5))
    _same_error(lambda lib, F: F.normalize(lib.ones(3, dtype=lib.int64), dim=0))
    _same_error(lambda lib, F: F.normalize(lib.ones(3)))
    _same_error(lambda lib, F: F.softshrink(lib.randn(3, dtype=lib.float64), -0.5))
    _same_error(lambda lib, F: F.softshrink(lib.randn(3), 1e39))
    _same_error(lambda lib, F: F.softshrink(lib.ones(3, dtype=lib.int64), -0.5))
    _same_error(lambda lib, F: F.celu(lib.randn(3), alpha=0.0))
    _same_error(lambda lib, F: F.prelu(lib.randn(4, 6), lib.ones(6, dtype=lib.float64)))
    _same_error(lambda lib, F: F.prelu(lib.ones(4, 6, dtype=lib.int64), lib.ones(6)))
    _same_error(lambda lib, F: F.rrelu(lib.randn(3), 0.5, 0.1))
    _same_error(lambda lib, F: F.rrelu(lib.randn(3), 0.5, 0.1, training=True, inplace=True))
    _same_error(lambda lib, F: F.rrelu(lib.ones(3, dtype=lib.int64), training=True))
    _same_error(lambda lib, F: F.rrelu(lib.ones(3, dtype=lib.float16), training=True))
    _same_error(lambda lib, F: F.normalize(lib.ones(2, 2, requires_grad=True), out=lib.empty(2, 2)))


# ---- modules ------------------------------------------------------------------------------

MODULES = [
    ("ReLU", (), {}), ("ReLU", (True,), {}), ("ReLU6", (), {}), ("ReLU6", (), {"inplace": True}),
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}), ("ELU", (), {}),
    ("ELU", (0.5,), {"inplace": True}), ("SELU", (), {}), ("SELU", (True,), {}), ("CELU", (1.5,), {}),
    ("GELU", (), {}), ("GELU", ("tanh",), {}), ("SiLU", (), {}), ("SiLU", (True,), {}),
    ("Mish", (), {}), ("Softplus", (), {}), ("Softplus", (2, 10), {}), ("Softsign", (), {}),
    ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 3.0), {}), ("Hardtanh", (-2, 3, True), {}),
    ("Hardsigmoid", (), {}), ("Hardswish", (), {}), ("Sigmoid", (), {}), ("Tanh", (), {}),
    ("LogSigmoid", (), {}), ("Tanhshrink", (), {}), ("Softshrink", (), {}), ("Softshrink", (1.0,), {}),
    ("Hardshrink", (), {}), ("Hardshrink", (0.3,), {}), ("Threshold", (0.1, 20), {}),
    ("Threshold", (0.1, 20.0, True), {}), ("GLU", (), {}), ("GLU", (1,), {}), ("Softmax", (1,), {}),
    ("Softmax", (), {"dim": -1}), ("LogSoftmax", (1,), {}), ("Softmin", (0,), {}),
    ("Softmax2d", (), {}), ("PReLU", (), {}), ("PReLU", (4,), {}), ("PReLU", (4, 0.1), {}),
    ("RReLU", (), {}), ("RReLU", (0.1, 0.3, True), {}), ("RReLU", (), {"lower": 0.2, "upper": 0.5}),
]


def _build(lib_nn, name, args, kwargs):
    return getattr(lib_nn, name)(*args, **kwargs)


@pytest.mark.parametrize("name,args,kwargs", MODULES, ids=lambda v: str(v))
def test_module_matches_torch(name, args, kwargs):
    theirs = _build(tnn, name, args, kwargs)
    ours = _build(onn, name, args, kwargs)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: tc.from_numpy(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})
    x = values((2, 4, 6, 2))
    rng = np.random.default_rng(3)
    outs = []
    for lib, mod in ((torch, theirs), (tc, ours)):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        h = xt * 1.5            # a non-leaf, so inplace=True modules can run
        lib.manual_seed(11)     # RReLU in training: torch's draws after the same seed
        y = mod(h)
        g = rng.standard_normal(tuple(y.shape)).astype(np.float32) if not outs else outs[0][3]
        y.backward(lib.from_numpy(g.copy()))
        outs.append((y, xt.grad, [p.grad for p in mod.parameters()], g))
    (ty, tgx, tgp, _), (oy, ogx, ogp, _) = outs
    assert_close(oy, ty, f"{name} output")
    assert_close(ogx, tgx, f"{name} input grad")
    for i, (a, b) in enumerate(zip(ogp, tgp)):
        assert_close(a, b, f"{name} parameter {i} grad")


def test_every_torch_activation_module_with_torchs_signature():
    """torch.nn's activation modules (MultiheadAttention lives with attention) exist, with torch's
    constructor parameters (names, defaults, kinds) and __constants__, and all are in MODULES."""
    import torch.nn.modules.activation as tact
    names = [n for n in tact.__all__ if n != "MultiheadAttention"]
    assert sorted(names) == sorted({n for n, _, _ in MODULES})

    def params(cls):
        return [(p.name, p.default, p.kind) for p in inspect.signature(cls.__init__).parameters.values()]
    for n in names:
        assert params(getattr(onn, n)) == params(getattr(tnn, n)), n
        assert getattr(getattr(onn, n), "__constants__", []) == \
            getattr(getattr(tnn, n), "__constants__", []), n


def test_module_train_and_eval_agree():
    for m_t, m_o in ((tnn.GELU(), onn.GELU()), (tnn.PReLU(3), onn.PReLU(3)),
                     (tnn.RReLU(), onn.RReLU())):
        x = values((2, 3, 4))
        for mode in ("train", "eval"):
            getattr(m_t, mode)()
            getattr(m_o, mode)()
            torch.manual_seed(2)
            tc.manual_seed(2)
            assert_close(m_o(tc.from_numpy(x.copy())), m_t(torch.from_numpy(x.copy())), mode)


def test_prelu_parameter():
    m = onn.PReLU(5, init=0.1, dtype=tc.float64)
    t = tnn.PReLU(5, init=0.1, dtype=torch.float64)
    assert isinstance(m.weight, onn.Parameter)
    assert_close(m.weight, t.weight, "init")
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert m.num_parameters == 5 and m.init == 0.1


def test_hardtanh_constructor_checks_and_deprecated_names():
    for lib_nn in (tnn, onn):
        with pytest.raises(AssertionError, match=r"max_val \(1.0\) must be greater than min_val"):
            lib_nn.Hardtanh(1.0, 1.0)
        with pytest.warns(FutureWarning, match="min_value"):
            m = lib_nn.Hardtanh(min_value=-3.0)
        assert m.min_val == -3.0
    _same_error(lambda lib, F: lib.nn.Softmax2d()(lib.randn(2, 3)))
    _same_error(lambda lib, F: lib.nn.Softmax2d()(lib.randn(1, 2, 3, 4, 5)))


@pytest.mark.parametrize("name,fn", [("Softmax", "softmax"), ("LogSoftmax", "log_softmax"),
                                     ("Softmin", "softmin")])
def test_softmax_module_without_dim_warns(name, fn):
    x = values((2, 3))      # 2-D: the legacy choice is dim 1
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {fn} has"):
        ours = getattr(onn, name)()(tc.from_numpy(x.copy()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(tnn, name)()(torch.from_numpy(x.copy()))
    assert_close(ours, theirs, "implicit dim")


def test_registered_ops_are_top_level_as_in_torch():
    """torch.relu/selu/celu/prelu/hardshrink/threshold/softmax/log_softmax and the methods."""
    x = values((3, 4))
    for name, args in (("relu", ()), ("selu", ()), ("celu", (0.5,)), ("hardshrink", (0.3,)),
                       ("threshold", (0.1, 2.0)), ("softmax", (1,)), ("log_softmax", (0,)),
                       ("rrelu", (0.1, 0.3))):
        assert hasattr(tc, name), f"torsh_compat.{name} is missing"
        assert_close(getattr(tc, name)(tc.from_numpy(x.copy()), *args),
                     getattr(torch, name)(torch.from_numpy(x.copy()), *args), name)
    assert_close(tc.from_numpy(x.copy()).softmax(1), torch.from_numpy(x.copy()).softmax(1), "method")
    assert_close(tc.from_numpy(x.copy()).relu(), torch.from_numpy(x.copy()).relu(), "method")


# ---- rrelu in training: random slopes --------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("lower,upper", [(1 / 8, 1 / 3), (0.1, 1.5), (-0.2, 0.3), (0.3, 0.3)])
def test_rrelu_training_draws_are_torchs(lower, upper, dtype):
    """torch draws one uniform(lower, upper) double per element <= 0, in C order, from the CPU
    generator's 64-bit stream; after the same seed the slopes, values and gradients are torch's bit
    for bit (a non-contiguous input is drawn in its logical order), and the stream stays in step."""
    x = values((30, 20), dtype)
    x[1, :3] = [np.nan, -0.0, 0.0]
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        lib.manual_seed(7)
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        y = F.rrelu(xt.t(), lower, upper, training=True)
        y.backward(lib.from_numpy(np.linspace(-1, 1, 600).reshape(20, 30).astype(dtype)))
        res.append((y, xt.grad, lib.rand(4, dtype=lib.float64)))
    assert_close(res[1][0], res[0][0], "value", 0, 0)
    assert_close(res[1][1], res[0][1], "grad", 0, 0)
    assert_close(res[1][2], res[0][2], "the generator's next draws", 0, 0)


def test_rrelu_training_generator_and_0d_and_empty():
    for shape in ((), (0, 3), (5,)):
        x = np.asarray(-np.abs(values(shape)))
        outs = [lib.rrelu(lib.from_numpy(x.copy()), 0.1, 0.2, True, lib.Generator().manual_seed(3))
                for lib in (torch, tc)]
        assert_close(outs[1], outs[0], f"torch.rrelu with a generator, shape {shape}", 0, 0)


def test_rrelu_training_slopes_are_uniform():
    """The drawn slopes themselves: in [lower, upper), mean and spread of U(lower, upper), fresh
    each call; positive inputs pass unchanged."""
    tc.manual_seed(0)
    x = tc.from_numpy(np.concatenate([-np.ones(20000), np.ones(100)]).astype(np.float64))
    slopes = -_np(OF.rrelu(x, 0.1, 0.5, training=True))[:20000]
    assert np.all(_np(OF.rrelu(x, 0.1, 0.5, training=True))[20000:] == 1)
    assert slopes.min() >= 0.1 and slopes.max() < 0.5
    assert abs(slopes.mean() - 0.3) < 0.005                  # sd of the mean: 0.4 / sqrt(12 * 2e4)
    assert abs(slopes.std() - 0.4 / math.sqrt(12)) < 0.005
    assert np.histogram(slopes, 4, (0.1, 0.5))[0].min() > 4700   # 5000 expected per quarter
    assert not np.array_equal(slopes, -_np(OF.rrelu(x, 0.1, 0.5, training=True))[:20000])


def test_rrelu_module_train_eval():
    m = onn.RReLU(0.1, 0.3)
    x = tc.from_numpy(-np.ones(50, np.float32))
    assert np.allclose(_np(m.eval()(x)), -0.2)
    assert len(np.unique(_np(m.train()(x)))) > 40


# ---- half, bfloat16, NaN ---------------------------------------------------------------------

LOW_PRECISION = [e for e in ELEMENTWISE if not e[0].startswith(("sigmoid", "tanh", "softsign",
                                                                "normalize"))]


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
@pytest.mark.parametrize("name,fn", LOW_PRECISION, ids=[n for n, _ in LOW_PRECISION])
def test_half_and_bfloat16(name, fn, dt):
    """torch's CPU kernels compute half and bfloat16 in float32 and round once; ours too, so the
    results agree to torch's own default tolerances for these dtypes (most are bit-equal; a few
    formulas round differently in the last place). sigmoid, tanh, softsign, tanhshrink and
    normalize are compositions of core ops and are left to the core's tests."""
    if dt == "bfloat16":
        pytest.importorskip("ml_dtypes")
    rtol, atol = (1e-3, 1e-5) if dt == "float16" else (1.6e-2, 1e-5)   # torch.testing's defaults
    if name.startswith(("soft", "log_soft")) and "shrink" not in name and "plus" not in name:
        # one unit in the dtype's last place: torch's vectorised exp and NumPy's differ in
        # float32's last bits, which now and then rounds the other way (both are as accurate)
        rtol, atol = (2e-3, 1e-3) if dt == "float16" else (1.6e-2, 8e-3)
    x = values((6, 8))
    g = np.random.default_rng(1).standard_normal((6, 8)).astype(np.float32)
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        d = getattr(lib, dt)
        xt = lib.from_numpy(x.copy()).to(d).requires_grad_(True)
        y = fn(F, xt)
        y.backward(lib.from_numpy(g[:y.shape[0], :y.shape[1]].copy()).to(d))
        res.append((y, xt.grad))
    for (o, t), what in zip(zip(res[1], res[0]), ("value", "grad")):
        assert str(o.dtype) == str(t.dtype), f"{what} dtype"
        torch.testing.assert_close(torch.from_numpy(_np(o.float())), t.detach().float(), rtol=rtol,
                                   atol=atol, equal_nan=True, msg=lambda m: f"{what}: {m}")


@pytest.mark.parametrize("name,fn", [e for e in ELEMENTWISE if not e[0].startswith(("glu",
                                                                                    "normalize"))],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_nan_inputs(name, fn):
    """NaN propagates, and its gradient takes the branch torch's kernels take (comparisons with
    NaN are false: relu, hardtanh, threshold, elu, hardswish, shrink pass g; leaky_relu, prelu
    scale it)."""
    x = values((3, 4))
    x[0, :2] = np.nan
    run_both(lambda F, lib, x: fn(F, x), x)


def test_prelu_nan_and_double_backward_in_weight():
    x = values((3, 4))
    x[0, 0] = np.nan
    w = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
    run_both(lambda F, lib, x, wt: F.prelu(x, wt), x, (w,))
    xd = values((3, 4), np.float64)
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        xt = lib.from_numpy(xd.copy()).requires_grad_(True)
        wt = lib.from_numpy(w.astype(np.float64)).requires_grad_(True)
        y = F.prelu(xt, wt)
        gx, gw = lib.autograd.grad((y * y).sum(), (xt, wt), create_graph=True)
        ((gx * gx).sum() + (gw * gw).sum()).backward()
        res.append((gx, gw, xt.grad, wt.grad))
    for i, what in enumerate(("d/dx", "d/dw", "x second derivative", "w second derivative")):
        assert_close(res[1][i], res[0][i], what, 1e-7, 1e-7)


def test_softplus_beta_zero_is_inf_as_torch():
    run_both(lambda F, lib, x: F.softplus(x, beta=0), values((3, 4)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gelu_across_the_range(dtype):
    """GELU's erf (a piecewise polynomial on arrays) over the whole range: tails, the piece
    boundaries every 1/2 of x / sqrt(2), tiny values; float64 to near double precision."""
    x = np.concatenate([np.linspace(-12, 12, 4801), np.arange(25) * 0.5 * math.sqrt(2),
                        np.geomspace(1e-30, 1, 31), -np.geomspace(1e-30, 1, 31)]).astype(dtype)
    tol = (1e-12, 1e-14) if dtype == np.float64 else (RTOL, ATOL)
    for lib_f in (lambda F, lib, x: F.gelu(x), lambda F, lib, x: F.gelu(x) * x):
        ours, theirs = run_both(lib_f, x, grad=False)
        assert_close(ours, theirs, "gelu", *tol)
    res = []
    for lib, F in ((torch, TF), (tc, OF)):
        xt = lib.from_numpy(x.copy()).requires_grad_(True)
        F.gelu(xt).sum().backward()
        res.append(xt.grad)
    assert_close(res[1], res[0], "gelu grad", *tol)


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gumbel_softmax_draws_and_gradients_are_torchs(hard, dtype):
    """The Gumbel noise comes from exponential_ on the generator, which matches torch's stream, so
    after the same seed the samples, the hard one-hot choices and the gradients are torch's."""
    x = values((5, 7), dtype)
    g = np.random.default_rng(4).standard_normal((5, 7)).astype(dtype)
    for dim, tau, transposed in ((-1, 1, False), (0, 0.5, True)):   # noise in C order of a view
        res = []
        for lib, F in ((torch, TF), (tc, OF)):
            lib.manual_seed(9)
            xt = lib.from_numpy(x.copy()).requires_grad_(True)
            y = F.gumbel_softmax(xt.t() if transposed else xt, tau=tau, hard=hard, dim=dim)
            y.backward(lib.from_numpy((g.T if transposed else g).copy()))
            res.append((y, xt.grad, lib.rand(2)))
        for i, what in enumerate(("sample", "grad", "next draws")):
            assert_close(res[1][i], res[0][i], f"{what}, dim {dim}")
        if hard:
            assert set(np.unique(_np(res[1][0]))) <= {0.0, 1.0}


def test_gumbel_softmax_eps_is_deprecated():
    for F in (TF, OF):
        with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
            F.gumbel_softmax(tc.randn(2, 3) if F is OF else torch.randn(2, 3), eps=1e-5)


def test_complex_inputs_as_torch():
    """Real-only kernels refuse complex input with torch's error; silu computes the complex
    x sigmoid(x) but, as torch, refuses to record a graph for it."""
    x = (R.standard_normal((2, 4)) + 1j * R.standard_normal((2, 4))).astype(np.complex64)
    for name, fn in ELEMENTWISE:
        if name.startswith(("sigmoid", "tanh", "softsign", "normalize")):   # core ops
            continue
        try:
            theirs = fn(TF, torch.from_numpy(x.copy()))
        except Exception:
            _same_error(lambda lib, F: fn(F, lib.from_numpy(x.copy())))
        else:
            assert_close(fn(OF, tc.from_numpy(x.copy())), theirs, name)
    _same_error(lambda lib, F: F.silu(lib.from_numpy(x.copy()).requires_grad_(True)))
    _same_error(lambda lib, F: F.prelu(lib.from_numpy(x.copy()), lib.ones(1, dtype=lib.complex64)))
    _same_error(lambda lib, F: F.rrelu(lib.from_numpy(x.copy()), training=True))
    _same_error(lambda lib, F: F.threshold(lib.ones(3, dtype=lib.bool), 0, 1))
