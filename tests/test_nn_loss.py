"""Losses (torch.nn.functional and the loss modules) against real torch: values, dtypes, shapes and
the gradient of every input that requires one, for every reduction and option; torch's errors and
warnings; module constructors, legacy size_average/reduce arguments and buffers."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn.functional as OF

RTOL, ATOL = 1.3e-6, 1e-5
REDUCTIONS = ("none", "mean", "sum")


def _to(lib, v, grad=False):
    if isinstance(v, np.ndarray):
        t = lib.from_numpy(v.copy())
        if grad:
            t.requires_grad_(True)
        return t
    return v


def _run(lib, F, fn, args, kwargs, grad_args, grad_kwargs, upstream):
    targs = [_to(lib, a, i in grad_args) for i, a in enumerate(args)]
    tkw = {k: _to(lib, v, k in grad_kwargs) for k, v in kwargs.items()}
    out = getattr(F, fn)(*targs, **tkw)
    leaves = [targs[i] for i in grad_args] + [tkw[k] for k in grad_kwargs]
    if leaves:
        g = upstream(tuple(out.shape), str(out.dtype).split(".")[-1])
        out.backward(lib.from_numpy(g))
    return out, [lv.grad for lv in leaves]


def _np(t):
    return np.array(t.detach()._data) if isinstance(t, tc.Tensor) else t.detach().numpy()


def assert_close(ours, theirs, what, rtol=RTOL, atol=ATOL):
    assert theirs is not None, f"{what}: torch has no value"
    assert ours is not None, f"{what}: missing (torch has one)"
    assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} != {theirs.dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} != " \
                                                     f"{tuple(theirs.shape)}"
    torch.testing.assert_close(torch.from_numpy(_np(ours)), theirs.detach(), rtol=rtol, atol=atol,
                               equal_nan=True, msg=lambda m: f"{what}: {m}")


def check(fn, args, kwargs=None, grad_args=(0,), grad_kwargs=(), rtol=RTOL, atol=ATOL):
    """F.fn on both libraries with the same inputs: value, and the gradient of each input in
    grad_args / grad_kwargs for a random upstream gradient."""
    kwargs = kwargs or {}
    rng = np.random.default_rng(7)
    ups = {}

    def upstream(shape, dtype):
        if shape not in ups:
            ups[shape] = rng.standard_normal(shape).astype(dtype)
        return ups[shape].copy()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, t_grads = _run(torch, TF, fn, args, kwargs, grad_args, grad_kwargs, upstream)
        ours, o_grads = _run(tc, OF, fn, args, kwargs, grad_args, grad_kwargs, upstream)
    assert_close(ours, theirs, f"{fn} value", rtol, atol)
    names = [f"input {i}" for i in grad_args] + list(grad_kwargs)
    for name, og, tg in zip(names, o_grads, t_grads):
        assert_close(og, tg, f"{fn} grad of {name}", rtol, atol)
    return ours


R = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    return R.standard_normal(shape).astype(dtype)


def rand(*shape, lo=0.0, hi=1.0, dtype=np.float32):
    return R.uniform(lo, hi, shape).astype(dtype)


def randint(hi, *shape):
    return R.integers(0, hi, shape).astype(np.int64)


def signs(*shape, dtype=np.float32):
    return np.where(R.random(shape) > 0.5, 1, -1).astype(dtype)


# ---- cross_entropy / nll_loss ------------------------------------------------------------

CE_SHAPES = [((5, 7), (5,)), ((7,), ()), ((2, 4, 3), (2, 3)), ((2, 4, 3, 2), (2, 3, 2)),
             ((2, 3, 2, 2, 2), (2, 2, 2, 2)), ((0, 4), (0,))]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", CE_SHAPES, ids=str)
@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_index_losses(fn, shapes, reduction):
    xs, ts = shapes
    c = xs[1] if len(xs) > 1 else xs[0]
    x = randn(*xs)
    t = randint(c, *ts)
    check(fn, (x, t), {"reduction": reduction})
    w = rand(c, lo=0.2, hi=2.0)
    check(fn, (x, t), {"reduction": reduction, "weight": w})
    if t.size:
        t2 = t.copy()
        t2.flat[0] = -100
        check(fn, (x, t2), {"reduction": reduction, "weight": w})
        t3 = t.copy()
        t3.flat[-1] = 1
        check(fn, (x, t3), {"reduction": reduction, "ignore_index": 1})


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", CE_SHAPES[:4], ids=str)
@pytest.mark.parametrize("smoothing", [0.1, 0.7, 1.0])
def test_cross_entropy_label_smoothing(shapes, reduction, smoothing):
    xs, ts = shapes
    c = xs[1] if len(xs) > 1 else xs[0]
    x = randn(*xs)
    t = randint(c, *ts)
    check("cross_entropy", (x, t), {"reduction": reduction, "label_smoothing": smoothing})
    w = rand(c, lo=0.2, hi=2.0)
    t2 = t.copy()
    t2.flat[0] = 3 % c
    check("cross_entropy", (x, t2), {"reduction": reduction, "label_smoothing": smoothing,
                                     "weight": w, "ignore_index": 3 % c})


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("xs", [(5, 7), (7,), (2, 4, 3), (2, 3, 2, 2)], ids=str)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_probability_targets(xs, reduction, smoothing):
    x = randn(*xs)
    cd = 1 if len(xs) > 1 else 0
    p = rand(*xs)
    p = p / p.sum(axis=cd, keepdims=True)
    c = xs[cd]
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    check("cross_entropy", (x, p), kw, grad_args=(0, 1))
    check("cross_entropy", (x, p), dict(kw, weight=rand(c, lo=0.2, hi=2.0)), grad_args=(0, 1),
          grad_kwargs=("weight",))


def test_cross_entropy_float64_and_mixed():
    x = randn(6, 5, dtype=np.float64)
    check("cross_entropy", (x, randint(5, 6)), {"weight": rand(5, dtype=np.float64)})
    check("cross_entropy", (randn(4, 5), rand(4, 5, dtype=np.float64)), grad_args=(0, 1))


def test_cross_entropy_large_logits_are_stable():
    x = randn(4, 6) * 1000
    out = check("cross_entropy", (x, randint(6, 4)), {"reduction": "none"})
    assert np.isfinite(_np(out)).all()


def test_all_targets_ignored_gives_nan_mean_and_zero_grads():
    x = randn(4, 6)
    t = np.full(4, -100, np.int64)
    for kw in ({}, {"label_smoothing": 0.1}, {"weight": rand(6)}):
        check("cross_entropy", (x, t), kw)
        check("nll_loss", (x, t), {k: v for k, v in kw.items() if k != "label_smoothing"})


def test_cross_entropy_is_one_node():
    x = tc.randn(4, 6, requires_grad=True)
    loss = OF.cross_entropy(x, tc.tensor([0, 1, 5, 2]))
    assert loss.grad_fn.name() == "NllLossBackward0"
    assert loss.grad_fn.next_functions[0][0].name() == "torch::autograd::AccumulateGrad"


def _both_raise(fn, args, kwargs=None, match=None):
    kwargs = kwargs or {}
    with pytest.raises(Exception) as te:
        getattr(TF, fn)(*[_to(torch, a) for a in args], **{k: _to(torch, v) for k, v in kwargs.items()})
    with pytest.raises(type(te.value)) as oe:
        getattr(OF, fn)(*[_to(tc, a) for a in args], **{k: _to(tc, v) for k, v in kwargs.items()})
    assert str(oe.value) == str(te.value), f"ours: {oe.value!s}\ntorch: {te.value!s}"


@pytest.mark.parametrize("fn", ["cross_entropy", "nll_loss"])
def test_class_index_errors(fn):
    x = randn(4, 6)
    _both_raise(fn, (x, np.array([0, 1, 6, 2])))                 # Target 6 is out of bounds.
    _both_raise(fn, (x, np.array([0, 1, -3, 2])))
    _both_raise(fn, (x, np.array([0, 1, 2], np.int64)))            # batch size mismatch
    _both_raise(fn, (x, np.array([0, 1, 2, 3], np.int32)))         # target dtype
    _both_raise(fn, (x, np.array([0.0, 1, 2]).astype(np.float32)))
    _both_raise(fn, (x, randint(6, 4)), {"weight": np.ones(5, np.float32)})
    _both_raise(fn, (x, randint(6, 4)), {"weight": np.ones((6, 1), np.float32)})
    _both_raise(fn, (x, randint(6, 4)), {"weight": np.ones(6, np.float64)})
    _both_raise(fn, (x, randint(6, 4)), {"reduction": "average"})
    _both_raise(fn, (randn(2, 3, 4, 5), randint(3, 2, 4, 6)))
    _both_raise(fn, (randn(2, 3, 4, 5), randint(3, 2, 4)))
    _both_raise(fn, (randn(2, 3, 4), randint(3, 2, 4, 1)))
    _both_raise(fn, (randn(6), randint(6, 2)))
    _both_raise(fn, (x.astype(np.int64), randint(6, 4)))
    _both_raise(fn, (x, np.array(1)))


def test_cross_entropy_probability_errors():
    x = randn(4, 6)
    _both_raise("cross_entropy", (x, rand(4, 5)))
    _both_raise("cross_entropy", (x, rand(4, 6)), {"ignore_index": 1})
    _both_raise("cross_entropy", (x, randint(6, 4, 6)))
    _both_raise("cross_entropy", (x, randint(6, 4)), {"label_smoothing": 1.5})
    _both_raise("cross_entropy", (np.ones((), np.float32), np.array(1)))


def test_weight_that_requires_grad_is_refused():
    for lib, F in ((torch, TF), (tc, OF)):
        w = lib.ones(6, requires_grad=True)
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
            F.cross_entropy(lib.randn(4, 6), lib.tensor([0, 1, 2, 3]), weight=w)
        with pytest.raises(RuntimeError, match="'pos_weight'"):
            F.binary_cross_entropy_with_logits(lib.randn(4, 6), lib.rand(4, 6), pos_weight=w)
        with pytest.raises(RuntimeError, match="'target'"):
            F.soft_margin_loss(lib.randn(4), lib.ones(4, requires_grad=True))


def test_cross_entropy_uint8_targets():
    check("cross_entropy", (randn(4, 6), randint(6, 4).astype(np.uint8)))


# ---- regression losses --------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}),
                                   ("smooth_l1_loss", {"beta": 0.3}),
                                   ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}),
                                   ("huber_loss", {"delta": 0.4})], ids=str)
def test_regression_losses(fn, kw, reduction):
    x, y = randn(4, 5), randn(4, 5)
    x[0, 0] = y[0, 0]            # zero difference: sign and kink behaviour
    check(fn, (x, y), dict(kw, reduction=reduction), grad_args=(0, 1))
    check(fn, (randn(3, 1, 5), randn(4, 1)), dict(kw, reduction=reduction), grad_args=(0, 1))
    check(fn, (randn(0, 3), randn(0, 3)), dict(kw, reduction=reduction), grad_args=(0, 1))
    if fn != "huber_loss":      # torch's huber backward fails on mixed dtypes
        check(fn, (randn(4, 3), randn(4, 3, dtype=np.float64)), dict(kw, reduction=reduction),
              grad_args=(0, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_losses(fn, reduction):
    check(fn, (randn(4, 5), randn(4, 5)), {"reduction": reduction, "weight": rand(4, 5)},
          grad_args=(0, 1), grad_kwargs=("weight",))


def test_regression_errors_and_warning():
    _both_raise("mse_loss", (randn(3), randn(4)))
    _both_raise("mse_loss", (randn(3), randn(3)), {"weight": rand(1)})
    _both_raise("smooth_l1_loss", (randn(3), randn(3)), {"beta": -1.0})
    _both_raise("huber_loss", (randn(3), randn(3)), {"delta": 0.0})
    _both_raise("mse_loss", (np.ones(3, np.int64), np.ones(3, np.int64)))
    with pytest.warns(UserWarning, match="Using a target size"):
        OF.mse_loss(tc.randn(3), tc.randn(3, 1))


# ---- binary cross entropy -----------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction):
    x, t = rand(4, 5, lo=0.02, hi=0.98), rand(4, 5)
    check("binary_cross_entropy", (x, t), {"reduction": reduction}, grad_args=(0, 1))
    check("binary_cross_entropy", (x, t), {"reduction": reduction, "weight": rand(5)},
          grad_args=(0, 1))
    check("binary_cross_entropy", (x, t), {"reduction": reduction, "weight": rand(4, 5)})
    edge = np.array([0.0, 1.0, 0.0, 1.0], np.float32)     # log clamped at -100, grad eps 1e-12
    check("binary_cross_entropy", (edge, np.array([1.0, 0.0, 0.0, 1.0], np.float32)),
          {"reduction": reduction})


def test_binary_cross_entropy_errors():
    _both_raise("binary_cross_entropy", (np.array([1.5], np.float32), np.array([1.0], np.float32)))
    _both_raise("binary_cross_entropy", (rand(3), rand(3, 1)))
    _both_raise("binary_cross_entropy", (np.ones(2, np.int64), np.ones(2, np.int64)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction):
    x, t = randn(4, 5) * 4, rand(4, 5)
    x[0, :2] = [60.0, -60.0]           # the stable log-sigmoid form
    kw = {"reduction": reduction}
    check("binary_cross_entropy_with_logits", (x, t), kw, grad_args=(0, 1))
    check("binary_cross_entropy_with_logits", (x, t), dict(kw, weight=rand(5)), grad_args=(0, 1))
    check("binary_cross_entropy_with_logits", (x, t), dict(kw, pos_weight=rand(5, hi=3.0)),
          grad_args=(0, 1))
    check("binary_cross_entropy_with_logits", (x, t),
          dict(kw, pos_weight=rand(5, hi=3.0), weight=rand(4, 1)), grad_args=(0, 1))
    check("binary_cross_entropy_with_logits", (randn(2, 3, 4), rand(2, 3, 4)),
          dict(kw, pos_weight=rand(3, 1)), grad_args=(0, 1))


def test_binary_cross_entropy_with_logits_errors():
    _both_raise("binary_cross_entropy_with_logits", (rand(3), rand(3, 1)))


# ---- kl_div, poisson, gaussian ------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(rand(4, 5, lo=0.05))
    t = rand(4, 5, lo=0.05)
    if log_target:
        t = np.log(t)
    kw = {"reduction": reduction, "log_target": log_target}
    check("kl_div", (x, t), kw, grad_args=(0, 1))
    check("kl_div", (x, rand(5)), kw, grad_args=(0, 1))
    check("kl_div", (np.full((), 0.3, np.float32), np.full((), 0.5, np.float32)), kw,
          grad_args=(0, 1))


def test_kl_div_zero_target_and_mean_warning():
    t = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]], np.float32)
    check("kl_div", (randn(2, 3), t), {"reduction": "sum"}, grad_args=(0, 1))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        OF.kl_div(tc.randn(3), tc.rand(3))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(reduction, log_input, full):
    x = randn(4, 5) if log_input else rand(4, 5, lo=0.1, hi=3.0)
    t = np.floor(rand(4, 5, hi=6.0))
    check("poisson_nll_loss", (x, t), {"reduction": reduction, "log_input": log_input,
                                        "full": full}, grad_args=(0, 1))
    check("poisson_nll_loss", (x, t), {"reduction": reduction, "log_input": log_input,
                                        "full": full, "eps": 1e-3}, grad_args=(0,))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)], ids=str)
def test_gaussian_nll_loss(reduction, full, var_shape):
    x, t = randn(4, 3), randn(4, 3)
    var = rand(*var_shape, lo=0.1, hi=2.0)
    var.flat[0] = 1e-8                      # clamped to eps, the gradient still flows
    check("gaussian_nll_loss", (x, t, var), {"reduction": reduction, "full": full},
          grad_args=(0, 1, 2))


def test_gaussian_nll_loss_float_var_and_errors():
    check("gaussian_nll_loss", (randn(4, 3), randn(4, 3), 0.5), grad_args=(0, 1))
    _both_raise("gaussian_nll_loss", (randn(4, 3), randn(4, 3), -np.ones((4, 3), np.float32)))
    _both_raise("gaussian_nll_loss", (randn(4, 3), randn(4, 3), np.ones(3, np.float32)))
    _both_raise("gaussian_nll_loss", (randn(4, 3), randn(4, 3), -1.0))
    _both_raise("gaussian_nll_loss", (randn(4, 3), randn(4, 3), 1.0), {"reduction": "avg"})


# ---- margin and embedding losses ----------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses(reduction):
    kw = {"reduction": reduction}
    x1, x2 = randn(6), randn(6)
    check("margin_ranking_loss", (x1, x2, signs(6)), kw, grad_args=(0, 1, 2))
    check("margin_ranking_loss", (x1, x2, signs(6)), dict(kw, margin=0.5), grad_args=(0, 1, 2))
    check("margin_ranking_loss", (randn(3, 4), randn(1, 4), signs(3, 4)), kw, grad_args=(0, 1, 2))
    check("hinge_embedding_loss", (randn(4, 5), signs(4, 5)), kw)
    check("hinge_embedding_loss", (randn(4, 5) * 2, signs(5)), dict(kw, margin=0.5))
    check("soft_margin_loss", (randn(4, 5), signs(4, 5)), kw)
    check("soft_margin_loss", (randn(4, 5), signs(5)), kw)
    check("multilabel_soft_margin_loss", (randn(4, 5), rand(4, 5)), kw, grad_args=(0, 1))
    check("multilabel_soft_margin_loss", (randn(4, 5), rand(4, 5)), dict(kw, weight=rand(5)),
          grad_args=(0, 1), grad_kwargs=("weight",))
    check("multilabel_soft_margin_loss", (randn(5), rand(5)), kw, grad_args=(0, 1))
    check("multilabel_soft_margin_loss", (randn(2, 3, 4), rand(2, 3, 4)), kw, grad_args=(0, 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3, -0.2])
def test_cosine_embedding_loss(reduction, margin):
    kw = {"reduction": reduction, "margin": margin}
    check("cosine_embedding_loss", (randn(6, 5), randn(6, 5), signs(6)), kw, grad_args=(0, 1))
    check("cosine_embedding_loss", (randn(6, 5), randn(6, 5), signs(6).astype(np.int64)), kw,
          grad_args=(0, 1))
    check("cosine_embedding_loss", (randn(5), randn(5), np.array(-1.0, np.float32)), kw,
          grad_args=(0, 1))
    check("cosine_embedding_loss", (randn(5), randn(5), np.array(1.0, np.float32)), kw,
          grad_args=(0, 1))


def test_margin_errors():
    x = randn(4, 6)
    _both_raise("cosine_embedding_loss", (x, x, np.ones((4, 1), np.float32)))
    _both_raise("cosine_embedding_loss", (x, x[0], np.ones(4, np.float32)))
    _both_raise("cosine_embedding_loss", (x[0], x[1], np.ones(1, np.float32)))
    _both_raise("margin_ranking_loss", (x, x[0], np.ones(4, np.float32)))
    _both_raise("triplet_margin_loss", (x, x[0], x))
    _both_raise("triplet_margin_loss", (x, x, x), {"margin": 0.0})


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [2, 1, 3, float("inf")], ids=str)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_loss(reduction, p, swap):
    a, pos, neg = randn(6, 4), randn(6, 4), randn(6, 4)
    kw = {"reduction": reduction, "p": p, "swap": swap}
    check("triplet_margin_loss", (a, pos, neg), kw, grad_args=(0, 1, 2))
    check("triplet_margin_loss", (a, pos, neg), dict(kw, margin=3.0, eps=1e-3), grad_args=(0, 1, 2))
    check("triplet_margin_loss", (a[0], pos[0], neg[0]), kw, grad_args=(0, 1, 2))
    check("triplet_margin_loss", (a, pos[:1], neg), kw, grad_args=(0, 1, 2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction, p):
    x, t = randn(5, 4), randint(4, 5)
    kw = {"reduction": reduction, "p": p}
    check("multi_margin_loss", (x, t), kw)
    check("multi_margin_loss", (x, t), dict(kw, margin=0.4, weight=rand(4)))
    check("multi_margin_loss", (x[0], np.array(t[0])), kw)
    _both_raise("multi_margin_loss", (x, np.array([0, 1, 4, 2, 0])), kw)
    _both_raise("multi_margin_loss", (x, t[:3]), kw)
    _both_raise("multi_margin_loss", (x, t), dict(kw, weight=np.ones(3, np.float32)))
    _both_raise("multi_margin_loss", (randn(2, 3, 4), t[:2]), kw)
    _both_raise("multi_margin_loss", (x, t), dict(kw, p=3))


# ---- legacy reduction arguments -----------------------------------------------------------

@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, True),
                                                 (False, True), (True, False)])
def test_legacy_size_average_and_reduce(size_average, reduce):
    kw = {"size_average": size_average, "reduce": reduce}
    x, t = randn(4, 5), randint(5, 4)
    check("cross_entropy", (x, t), kw)
    check("nll_loss", (x, t), kw)
    check("mse_loss", (x, randn(4, 5)), kw)
    check("binary_cross_entropy_with_logits", (x, rand(4, 5)), kw)
    check("kl_div", (x, rand(4, 5)), kw)
    check("poisson_nll_loss", (x, rand(4, 5)), kw)
    check("multilabel_soft_margin_loss", (x, rand(4, 5)), kw)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        OF.mse_loss(tc.randn(3), tc.randn(3), **kw)


def test_double_backward_through_mse_and_cross_entropy():
    for lib, F in ((torch, TF), (tc, OF)):
        lib.manual_seed(0)
    xs, ts = randn(4, 5), randint(5, 4)
    results = []
    for lib, F in ((torch, TF), (tc, OF)):
        x = lib.from_numpy(xs.copy()).requires_grad_()
        loss = F.cross_entropy(x, lib.from_numpy(ts.copy())) + F.mse_loss(x, lib.zeros(4, 5))
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        (g * g).sum().backward()
        results.append((g, x.grad))
    assert_close(results[1][0], results[0][0], "first derivative")
    assert_close(results[1][1], results[0][1], "second derivative")
