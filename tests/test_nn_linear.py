"""Linear, Bilinear, Identity, Embedding, EmbeddingBag and their functional forms (F.linear,
F.bilinear, F.embedding, F.embedding_bag, F.one_hot) against torch: weights copied through
state_dict, same inputs, forward values, input and parameter gradients, grad_fn names, errors,
and default initialisation equal to torch's after the same manual_seed."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn.functional as F

from _nn import RTOL, ATOL, to_np, close, copy_weights, pair, raises_like, backward_both, same_init


# ---- Linear ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5,), (4, 5), (3, 4, 5), (2, 3, 2, 5), (0, 5)])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linear_forward_backward(shape, bias, dtype):
    torch.manual_seed(0)
    lt = torch.nn.Linear(5, 7, bias=bias, dtype=getattr(torch, dtype))
    lo = tc.nn.Linear(5, 7, bias=bias, dtype=getattr(tc, dtype))
    copy_weights(lo, lt)
    xo, xt = pair(np.random.default_rng(0).standard_normal(shape).astype(dtype))
    yo, yt = lo(xo), lt(xt)
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt)
    close(xo.grad, xt.grad)
    close(lo.weight.grad, lt.weight.grad)
    if bias:
        close(lo.bias.grad, lt.bias.grad)


def test_linear_large_batch_gradients():
    """Bias and weight gradients summed over many rows stay within float32 tolerance."""
    torch.manual_seed(0)
    lt, lo = torch.nn.Linear(64, 32), tc.nn.Linear(64, 32)
    copy_weights(lo, lt)
    xo, xt = pair(np.random.default_rng(3).standard_normal((16, 256, 64)).astype(np.float32))
    yo, yt = lo(xo), lt(xt)
    close(yo, yt)
    backward_both(yo, yt)
    close(lo.bias.grad, lt.bias.grad)
    close(lo.weight.grad, lt.weight.grad, rtol=1e-5, atol=1e-4)   # a 4096-term float32 GEMM sum
    close(xo.grad, xt.grad)


def test_linear_non_contiguous_and_no_input_grad():
    torch.manual_seed(0)
    lt, lo = torch.nn.Linear(4, 3), tc.nn.Linear(4, 3)
    copy_weights(lo, lt)
    a = np.random.default_rng(1).standard_normal((4, 5, 2)).astype(np.float32)
    xo, xt = pair(a)
    yo, yt = lo(xo.transpose(0, 2)), lt(xt.transpose(0, 2))
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt)
    close(xo.grad, xt.grad)
    close(lo.weight.grad, lt.weight.grad)
    # an input without grad: only the parameters receive gradients
    lo.zero_grad()
    lt.zero_grad()
    xo, xt = pair(a[:, :, 0], grad=False)
    yo, yt = lo(xo.t()), lt(xt.t())
    backward_both(yo, yt)
    close(lo.weight.grad, lt.weight.grad)
    close(lo.bias.grad, lt.bias.grad)


def test_functional_linear_forms():
    rng = np.random.default_rng(4)
    wo, wt = pair(rng.standard_normal((4, 3)).astype(np.float32))
    bo, bt = pair(rng.standard_normal((2, 4)).astype(np.float32))     # a bias broadcasting to the output
    xo, xt = pair(rng.standard_normal((2, 3)).astype(np.float32))
    yo, yt = F.linear(xo, wo, bo), TF.linear(xt, wt, bt)
    close(yo, yt)
    backward_both(yo, yt)
    for o, t in ((xo, xt), (wo, wt), (bo, bt)):
        close(o.grad, t.grad)
    for xs in [(3,), (2, 3), (4, 2, 3)]:    # a 1-D weight: a matrix-vector product
        vo, vt = pair(rng.standard_normal(3).astype(np.float32))
        xo, xt = pair(rng.standard_normal(xs).astype(np.float32))
        yo, yt = F.linear(xo, vo), TF.linear(xt, vt)
        close(yo, yt)
        assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
        backward_both(yo, yt)
        close(vo.grad, vt.grad)
        close(xo.grad, xt.grad)
    io, it = pair(np.arange(6).reshape(2, 3), grad=False)
    ko, kt = pair(np.arange(12).reshape(4, 3), grad=False)
    yo, yt = F.linear(io, ko), TF.linear(it, kt)
    assert yo.dtype is tc.int64 and np.array_equal(to_np(yo), to_np(yt))


def test_linear_second_derivative():
    torch.manual_seed(0)
    lt, lo = torch.nn.Linear(3, 2), tc.nn.Linear(3, 2)
    copy_weights(lo, lt)
    xo, xt = pair(np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32))
    (go,) = tc.autograd.grad((lo(xo) ** 2).sum(), xo, create_graph=True)
    (gt,) = torch.autograd.grad((lt(xt) ** 2).sum(), xt, create_graph=True)
    close(go, gt)
    go.sum().backward()
    gt.sum().backward()
    close(lo.weight.grad, lt.weight.grad)
    close(xo.grad, xt.grad)


LINEAR_ERRORS = [
    ((2, 5), (4, 3), (4,)), ((6, 2, 5), (4, 3), None), ((5,), (4, 3), (4,)), ((), (4, 3), (4,)),
    ((2, 3), (3,), (4,)), ((2, 3), (4, 3, 1), (4,)), ((2, 3), (4, 3), (5,)), ((2, 3), (3, 2), (3,)),
]


@pytest.mark.parametrize("xs,ws,bs", LINEAR_ERRORS)
def test_linear_errors_match_torch(xs, ws, bs):
    def call(lib, fn):
        x, w = lib.ones(xs), lib.ones(ws)
        return fn(x, w, None if bs is None else lib.ones(bs))
    raises_like(lambda: call(torch, TF.linear), lambda: call(tc, F.linear))


def test_linear_dtype_and_type_errors_match_torch():
    for xd, wd, bd in [("float64", "float32", "float32"), ("float32", "float64", "float32"),
                       ("float32", "float32", "float64")]:
        raises_like(lambda: TF.linear(torch.ones(2, 3, dtype=getattr(torch, xd)), torch.ones(4, 3, dtype=getattr(torch, wd)),
                                      torch.ones(4, dtype=getattr(torch, bd))),
                    lambda: F.linear(tc.ones(2, 3, dtype=getattr(tc, xd)), tc.ones(4, 3, dtype=getattr(tc, wd)),
                                     tc.ones(4, dtype=getattr(tc, bd))))
    raises_like(lambda: TF.linear(torch.ones(2, 3), torch.ones(4, 3), 3.0),
                lambda: F.linear(tc.ones(2, 3), tc.ones(4, 3), 3.0))
    raises_like(lambda: TF.linear([1.0, 2.0, 3.0], torch.ones(4, 3)), lambda: F.linear([1.0, 2.0, 3.0], tc.ones(4, 3)))
    raises_like(lambda: torch.nn.Linear(3, 2)(torch.ones(2, 4)), lambda: tc.nn.Linear(3, 2)(tc.ones(2, 4)))


@pytest.mark.parametrize("shape,bias", [((7, 5), True), ((5, 7), True), ((3, 1), False), ((128, 64), True),
                                        ((1, 300), True)])
def test_linear_default_init_equals_torch(shape, bias):
    out_f, in_f = shape
    for dtype in ("float32", "float64"):
        torch.manual_seed(1234)
        tc.manual_seed(1234)
        lt = torch.nn.Linear(in_f, out_f, bias=bias, dtype=getattr(torch, dtype))
        lo = tc.nn.Linear(in_f, out_f, bias=bias, dtype=getattr(tc, dtype))
        same_init(lo, lt)
        # the generator is left in the same state
        assert np.array_equal(to_np(tc.rand(4)), to_np(torch.rand(4)))


def test_linear_module_surface():
    lo = tc.nn.Linear(3, 2, bias=False)
    assert repr(lo) == repr(torch.nn.Linear(3, 2, bias=False))
    assert lo.bias is None and list(lo.state_dict()) == ["weight"]
    assert lo.in_features == 3 and lo.out_features == 2
    assert lo.weight.shape == (2, 3) and isinstance(lo.weight, tc.nn.Parameter)
    raises_like(lambda: torch.nn.Linear(-1, 2), lambda: tc.nn.Linear(-1, 2))
    raises_like(lambda: torch.nn.Linear(2, 2, device="cuda"), lambda: tc.nn.Linear(2, 2, device="cuda"), exact=False)
    x = tc.ones(2, 3)
    assert tc.nn.Identity(54, unused="x")(x) is x


# ---- Bilinear -----------------------------------------------------------------------------

@pytest.mark.parametrize("s1,s2", [((4, 3), (4, 5)), ((2, 4, 3), (2, 4, 5)), ((3,), (5,))])
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(s1, s2, bias):
    torch.manual_seed(0)
    tc.manual_seed(0)
    bt, bo = torch.nn.Bilinear(3, 5, 2, bias=bias), tc.nn.Bilinear(3, 5, 2, bias=bias)
    same_init(bo, bt)
    rng = np.random.default_rng(2)
    ao, at = pair(rng.standard_normal(s1).astype(np.float32))
    co, ct = pair(rng.standard_normal(s2).astype(np.float32))
    yo, yt = bo(ao, co), bt(at, ct)
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt)
    close(ao.grad, at.grad)
    close(co.grad, ct.grad)
    close(bo.weight.grad, bt.weight.grad)
    if bias:
        close(bo.bias.grad, bt.bias.grad)
    assert repr(bo) == repr(bt)


def test_bilinear_errors_match_torch():
    for a, c, w, b in [((2, 3), (3, 5), (4, 3, 5), (4,)), ((2, 4), (2, 5), (4, 3, 5), (4,)),
                       ((2, 3), (2, 6), (4, 3, 5), (4,)), ((2, 3), (2, 5), (4, 3, 5), (3,)),
                       ((2, 3), (6, 2, 5), (4, 3, 5), (4,)), ((2, 3), (2, 5), (4, 15), (4,)),
                       ((2, 3), (2, 5), (4, 3, 5), (2, 4))]:
        raises_like(lambda: TF.bilinear(torch.ones(a), torch.ones(c), torch.ones(w), torch.ones(b)),
                    lambda: F.bilinear(tc.ones(a), tc.ones(c), tc.ones(w), tc.ones(b)))
    raises_like(lambda: TF.bilinear(torch.ones(2, 3).double(), torch.ones(2, 5), torch.ones(4, 3, 5), torch.ones(4)),
                lambda: F.bilinear(tc.ones(2, 3).double(), tc.ones(2, 5), tc.ones(4, 3, 5), tc.ones(4)))
    raises_like(lambda: torch.nn.Bilinear(0, 2, 2), lambda: tc.nn.Bilinear(0, 2, 2))


# ---- Embedding ----------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"scale_grad_by_freq": True},
                                    {"padding_idx": 0, "scale_grad_by_freq": True}, {"sparse": True}])
def test_embedding_forward_backward_and_init(kwargs):
    torch.manual_seed(7)
    tc.manual_seed(7)
    et, eo = torch.nn.Embedding(10, 4, **kwargs), tc.nn.Embedding(10, 4, **kwargs)
    same_init(eo, et)
    assert repr(eo) == repr(et)
    idx = np.array([[1, 2, 9, 1], [2, 2, 0, 1]])
    yo, yt = eo(tc.from_numpy(idx.copy())), et(torch.from_numpy(idx.copy()))
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt)
    gt = et.weight.grad.to_dense() if et.weight.grad.is_sparse else et.weight.grad
    close(eo.weight.grad, gt)


def test_embedding_int32_indices_and_scalar_index():
    torch.manual_seed(0)
    et, eo = torch.nn.Embedding(5, 3), tc.nn.Embedding(5, 3)
    copy_weights(eo, et)
    for idx in (np.array([4, 0, 4], np.int32), np.array(3)):
        yo, yt = eo(tc.from_numpy(idx.copy())), et(torch.from_numpy(idx.copy()))
        close(yo, yt)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_embedding_max_norm_renormalises_used_rows_in_place(norm_type):
    torch.manual_seed(3)
    tc.manual_seed(3)
    et = torch.nn.Embedding(6, 4, max_norm=1.5, norm_type=norm_type)
    eo = tc.nn.Embedding(6, 4, max_norm=1.5, norm_type=norm_type)
    same_init(eo, et)
    with torch.no_grad():
        et.weight.mul_(3)
    with tc.no_grad():
        eo.weight.mul_(3)
    v_o, v_t = eo.weight._version, et.weight._version
    idx = np.array([[0, 3], [3, 5]])
    yo, yt = eo(tc.from_numpy(idx.copy())), et(torch.from_numpy(idx.copy()))
    close(yo, yt)
    close(eo.weight, et.weight)          # rows 0, 3, 5 rescaled, the others untouched
    assert eo.weight._version - v_o == et.weight._version - v_t
    backward_both(yo, yt)
    close(eo.weight.grad, et.weight.grad)


def test_embedding_from_pretrained_and_weight_updates():
    w = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    eo = tc.nn.Embedding.from_pretrained(tc.from_numpy(w.copy()))
    et = torch.nn.Embedding.from_pretrained(torch.from_numpy(w.copy()))
    assert eo.weight.requires_grad == et.weight.requires_grad == False  # noqa: E712
    assert repr(eo) == repr(et)
    eo = tc.nn.Embedding.from_pretrained(tc.from_numpy(w.copy()), freeze=False, padding_idx=1)
    assert eo.weight.requires_grad and np.array_equal(eo.weight._data, w)   # rows kept, padding too
    # the backward reads only the indices: an in-place update of the weight after the lookup is fine
    y = eo(tc.tensor([1, 3, 3]))
    with tc.no_grad():
        eo.weight.add_(1.0)
    y.sum().backward()
    assert eo.weight.grad._data.tolist()[3] == [2.0, 2.0, 2.0] and eo.weight.grad._data[1].tolist() == [0, 0, 0]
    raises_like(lambda: torch.nn.Embedding.from_pretrained(torch.ones(3)),
                lambda: tc.nn.Embedding.from_pretrained(tc.ones(3)))
    raises_like(lambda: torch.nn.Embedding(3, 2, _weight=torch.ones(2, 2)),
                lambda: tc.nn.Embedding(3, 2, _weight=tc.ones(2, 2)))


def test_embedding_errors_match_torch():
    w_t, w_o = torch.ones(10, 3), tc.ones(10, 3)
    for make in (lambda L: L.tensor([1.0, 2.0]), lambda L: L.tensor([1, 20]), lambda L: L.tensor([1, -1]),
                 lambda L: L.tensor([1, 2], dtype=L.int16)):
        raises_like(lambda: TF.embedding(make(torch), w_t), lambda: F.embedding(make(tc), w_o))
    raises_like(lambda: TF.embedding(torch.tensor([1]), torch.ones(10)), lambda: F.embedding(tc.tensor([1]), tc.ones(10)))
    raises_like(lambda: TF.embedding(torch.tensor([1]), w_t, padding_idx=10),
                lambda: F.embedding(tc.tensor([1]), w_o, padding_idx=10))
    raises_like(lambda: TF.embedding([1, 2], w_t), lambda: F.embedding([1, 2], w_o))
    raises_like(lambda: torch.nn.Embedding(5, 2, padding_idx=-6), lambda: tc.nn.Embedding(5, 2, padding_idx=-6))


# ---- EmbeddingBag -------------------------------------------------------------------------

BAG_CASES = [
    dict(mode="mean"), dict(mode="sum"), dict(mode="max"),
    dict(mode="sum", padding_idx=2), dict(mode="mean", padding_idx=1), dict(mode="max", padding_idx=2),
    dict(mode="mean", scale_grad_by_freq=True), dict(mode="sum", include_last_offset=True),
    dict(mode="mean", include_last_offset=True, padding_idx=0),
]


@pytest.mark.parametrize("kwargs", BAG_CASES)
@pytest.mark.parametrize("offsets", [[0, 2, 2, 5], [0, 0, 7], [0]])
def test_embedding_bag_1d(kwargs, offsets):
    idx = np.array([1, 2, 4, 2, 1, 0, 5, 2])
    if kwargs.get("include_last_offset"):
        # the last offset closes the last bag; torch's kernel reads undefined memory when it is
        # not the input's length (and crashes on zero bags), so only well-formed offsets are compared
        offsets = offsets + [len(idx)]
    torch.manual_seed(5)
    tc.manual_seed(5)
    bt, bo = torch.nn.EmbeddingBag(6, 3, **kwargs), tc.nn.EmbeddingBag(6, 3, **kwargs)
    same_init(bo, bt)
    assert repr(bo) == repr(bt)
    off = np.array(offsets)
    yo = bo(tc.from_numpy(idx.copy()), tc.from_numpy(off.copy()))
    yt = bt(torch.from_numpy(idx.copy()), torch.from_numpy(off.copy()))
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt)
    close(bo.weight.grad, bt.weight.grad)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d_input(mode):
    torch.manual_seed(1)
    bt, bo = torch.nn.EmbeddingBag(7, 4, mode=mode), tc.nn.EmbeddingBag(7, 4, mode=mode)
    copy_weights(bo, bt)
    idx = np.array([[0, 3, 3], [6, 1, 2]])
    yo, yt = bo(tc.from_numpy(idx.copy())), bt(torch.from_numpy(idx.copy()))
    close(yo, yt)
    backward_both(yo, yt)
    close(bo.weight.grad, bt.weight.grad)


@pytest.mark.parametrize("padding_idx", [None, 3])
def test_embedding_bag_per_sample_weights(padding_idx):
    torch.manual_seed(2)
    bt = torch.nn.EmbeddingBag(5, 3, mode="sum", padding_idx=padding_idx)
    bo = tc.nn.EmbeddingBag(5, 3, mode="sum", padding_idx=padding_idx)
    copy_weights(bo, bt)
    idx = np.array([[0, 3, 4], [3, 3, 1]])
    po, pt = pair(np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32))
    yo, yt = bo(tc.from_numpy(idx.copy()), per_sample_weights=po), bt(torch.from_numpy(idx.copy()), per_sample_weights=pt)
    close(yo, yt)
    backward_both(yo, yt)
    close(bo.weight.grad, bt.weight.grad)
    close(po.grad, pt.grad)


def test_embedding_bag_max_norm_and_from_pretrained():
    w = (np.random.default_rng(0).standard_normal((5, 3)) * 3).astype(np.float32)
    bo = tc.nn.EmbeddingBag.from_pretrained(tc.from_numpy(w.copy()), freeze=False, max_norm=1.0, mode="sum")
    bt = torch.nn.EmbeddingBag.from_pretrained(torch.from_numpy(w.copy()), freeze=False, max_norm=1.0, mode="sum")
    idx, off = np.array([0, 2, 2, 4]), np.array([0, 1])
    yo, yt = bo(tc.from_numpy(idx.copy()), tc.from_numpy(off.copy())), bt(torch.from_numpy(idx.copy()), torch.from_numpy(off.copy()))
    close(yo, yt)
    close(bo.weight, bt.weight)
    assert repr(bo) == repr(bt)


def test_embedding_bag_errors_match_torch():
    w_t, w_o = torch.ones(10, 3), tc.ones(10, 3)
    cases = [
        (lambda L: L.tensor([1, 2, 3]), lambda L: L.tensor([1, 2]), {}),
        (lambda L: L.tensor([1, 2, 3]), lambda L: L.tensor([0, 5]), {}),
        (lambda L: L.tensor([1, 2, 3]), lambda L: L.tensor([0, 1]), {"mode": "foo"}),
        (lambda L: L.tensor([1, 2, 3]), lambda L: L.tensor([0, 1]), {"mode": "mean", "per_sample_weights": "w"}),
        (lambda L: L.tensor([1, 2, 3]), lambda L: L.tensor([0, 1.0]), {}),
        (lambda L: L.tensor([1, 2, 30]), lambda L: L.tensor([0, 1]), {"mode": "max"}),
        (lambda L: L.tensor([1, -1, 3]), lambda L: L.tensor([0, 1]), {"mode": "max"}),
        (lambda L: L.tensor([[1, 2, 3]]), lambda L: None, {"mode": "max", "scale_grad_by_freq": True}),
        (lambda L: L.tensor([1, 2, 3]), lambda L: None, {}),
        (lambda L: L.tensor([[1, 2, 3]]), lambda L: L.tensor([0]), {}),
        (lambda L: L.tensor([1, 2, 3]), lambda L: L.tensor([[0]]), {}),
        (lambda L: L.tensor([[[1]]]), lambda L: None, {}),
    ]
    for make_idx, make_off, kw in cases:
        def run(L, fn, w):
            k = dict(kw)
            if k.get("per_sample_weights") == "w":
                k["per_sample_weights"] = L.ones(3)
            return fn(make_idx(L), w, make_off(L), **k)
        # torch appends an empty tensor's print to the offsets[0] message; the text before it must match
        exact = make_off(torch) is None or make_off(torch).tolist() != [1, 2]
        raises_like(lambda: run(torch, TF.embedding_bag, w_t), lambda: run(tc, F.embedding_bag, w_o), exact)
        if not exact:
            with pytest.raises(RuntimeError) as et:
                run(torch, TF.embedding_bag, w_t)
            with pytest.raises(RuntimeError) as eo:
                run(tc, F.embedding_bag, w_o)
            assert str(et.value).startswith(str(eo.value) + "\n")


# ---- one_hot -------------------------------------------------------------------------------

def test_one_hot():
    for values, n in [([0, 2, 1], -1), ([[1], [3]], 5), ([], 3), (2, 4)]:
        o = F.one_hot(tc.tensor(values, dtype=tc.int64), n)
        t = TF.one_hot(torch.tensor(values, dtype=torch.int64), n)
        assert o.dtype is tc.int64 and np.array_equal(to_np(o), to_np(t)) and o.shape == t.shape
    for values, n, dt in [([1, 2], -1, "int32"), ([1, -2], -1, "int64"), ([1, 5], 3, "int64"),
                          ([], -1, "int64"), ([1, 2], 0, "int64")]:
        raises_like(lambda: TF.one_hot(torch.tensor(values, dtype=getattr(torch, dt)), n),
                    lambda: F.one_hot(tc.tensor(values, dtype=getattr(tc, dt)), n))


def test_linear_saved_tensors_as_torch():
    """In-place changes between forward and backward: the bias is never saved; the weight only
    when the input needs a gradient (torch's addmm saves each factor for the other's gradient)."""
    results = {}
    for L in (torch, tc):
        out = []
        lin = L.nn.Linear(3, 2)
        for x_grad, change in ((True, "bias"), (True, "weight"), (False, "weight")):
            x = L.ones(4, 3, requires_grad=x_grad)
            y = lin(x)
            with L.no_grad():
                getattr(lin, change).add_(1)
            try:
                y.sum().backward()
                out.append("ok")
            except RuntimeError:
                out.append("RuntimeError")
        results[L] = out
    assert results[tc] == results[torch] == ["ok", "RuntimeError", "ok"]


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1, "scale_grad_by_freq": True}])
def test_second_derivatives_through_embedding_and_bilinear(kwargs):
    rng = np.random.default_rng(8)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    res = {}
    for L, Fn in ((torch, TF), (tc, F)):
        W = L.from_numpy(w.copy()).requires_grad_()
        y = Fn.embedding(L.tensor([0, 2, 2, 1]), W, **kwargs)
        (g,) = L.autograd.grad((y ** 3).sum(), W, create_graph=True)
        g.sum().backward()
        a = L.from_numpy(w[:2].copy()).requires_grad_()
        c = L.from_numpy(w[2:].copy()).requires_grad_()
        Wb = L.from_numpy(rng.standard_normal((2, 3, 3)).astype(np.float32) if L is torch else res["wb"])
        res["wb"] = Wb.numpy().copy() if L is torch else res["wb"]
        Wb.requires_grad_()
        z = Fn.bilinear(a, c, Wb)
        (ga,) = L.autograd.grad((z * z).sum(), a, create_graph=True)
        (ga * ga).sum().backward()
        res[L] = (g, W.grad, ga, c.grad, Wb.grad)
    for o, t in zip(res[tc], res[torch]):
        close(o, t, rtol=1e-5)
