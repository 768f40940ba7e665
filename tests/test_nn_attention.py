"""F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention
against torch: same inputs, weights copied through state_dict, forward values, gradients of the
inputs and of every parameter (and of the returned attention weights), masks of every kind,
dropout with injected masks, second derivatives, default initialisation after manual_seed,
state_dict keys and order, repr and errors.

Dropout masks cannot match torch's after the same seed (see nn/_functional/dropout.py), so the
dropout tests inject one deterministic keep mask per call on both sides: ours through
`_keep_mask`, torch's through aten._scaled_dot_product_attention_math's dropout_mask argument
(for SDPA) and through torch.nn.functional.dropout (for the need_weights path of MHA)."""
import contextlib
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn.functional as F
from torsh_compat.nn._functional import dropout as our_dropout

from _nn import close, copy_weights, pair, raises_like, backward_both, same_init

# Softmax between two GEMMs: the float32 rounding of torch's split scaling (q and k each times
# sqrt(scale)) and of its kernels' summation order reaches a few 1e-6 relative.
RT, AT = 1e-5, 2e-5


def rnd(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def closef(a, b):
    close(a, b, rtol=RT, atol=AT)


# ---- scaled_dot_product_attention ------------------------------------------------------------

SHAPES = [
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)),     # (N, H, L, E) / (N, H, S, E) / (N, H, S, Ev)
    ((3, 4, 8), (3, 5, 8), (3, 5, 8)),              # 3-D
    ((4, 8), (5, 8), (5, 3)),                       # 2-D
    ((2, 3, 4, 8), (3, 5, 8), (1, 3, 5, 6)),        # broadcast batch dims
    ((1, 6, 8), (1, 6, 8), (1, 6, 8)),              # square
]


@pytest.mark.parametrize("shapes", SHAPES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sdpa_values_and_grads(shapes, dtype):
    (qo, qt), (ko, kt), (vo, vt) = (pair(rnd(s, i, dtype)) for i, s in enumerate(shapes))
    oo, ot = F.scaled_dot_product_attention(qo, ko, vo), TF.scaled_dot_product_attention(qt, kt, vt)
    closef(oo, ot)
    assert type(oo.grad_fn).__name__ == type(ot.grad_fn).__name__
    backward_both(oo, ot)
    for a, b in ((qo, qt), (ko, kt), (vo, vt)):
        closef(a.grad, b.grad)


def _sdpa_both(shapes, seed=0, **kw):
    (qo, qt), (ko, kt), (vo, vt) = (pair(rnd(s, seed + i)) for i, s in enumerate(shapes))
    mask = kw.pop("mask", None)
    ko_, kt_ = {}, {}
    if mask is not None:
        mo, mt = pair(mask, grad=mask.dtype != np.bool_)
        ko_["attn_mask"], kt_["attn_mask"] = mo, mt
    oo = F.scaled_dot_product_attention(qo, ko, vo, **ko_, **kw)
    ot = TF.scaled_dot_product_attention(qt, kt, vt, **kt_, **kw)
    closef(oo, ot)
    backward_both(oo, ot)
    for a, b in ((qo, qt), (ko, kt), (vo, vt)):
        closef(a.grad, b.grad)
    if mask is not None and mask.dtype != np.bool_:
        closef(ko_["attn_mask"].grad, kt_["attn_mask"].grad)
    return oo, ot


S4 = ((2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5))


def test_sdpa_bool_mask_broadcast():
    rng = np.random.default_rng(7)
    _sdpa_both(S4, mask=rng.random((4, 6)) > 0.3)
    _sdpa_both(S4, mask=rng.random((2, 1, 4, 6)) > 0.3)
    _sdpa_both(S4, mask=rng.random((3, 1, 6)) > 0.3)


def test_sdpa_float_mask_gets_its_gradient():
    m = rnd((4, 6), 9)
    m[1, 2] = -np.inf
    _sdpa_both(S4, mask=m)
    _sdpa_both(S4, mask=rnd((2, 3, 4, 6), 10))


def test_sdpa_fully_masked_rows_give_zeros():
    m = np.ones((4, 6), bool)
    m[2] = False
    oo, ot = _sdpa_both(S4, mask=m)
    assert np.all(oo.detach().numpy()[:, :, 2] == 0)
    mf = np.zeros((4, 6), np.float32)
    mf[0] = -np.inf
    _sdpa_both(S4, mask=mf)


@pytest.mark.parametrize("L,S", [(4, 6), (6, 4), (5, 5)])
def test_sdpa_causal_and_scale(L, S):
    shapes = ((2, 2, L, 8), (2, 2, S, 8), (2, 2, S, 3))
    _sdpa_both(shapes, is_causal=True)
    _sdpa_both(shapes, scale=0.3)
    _sdpa_both(shapes, is_causal=True, scale=1.7)


def test_sdpa_gqa():
    shapes = ((2, 6, 4, 8), (2, 2, 5, 8), (2, 2, 5, 3))
    _sdpa_both(shapes, enable_gqa=True)
    _sdpa_both(shapes, enable_gqa=True, is_causal=True)


def test_sdpa_no_grad_and_input_without_grad():
    q, k, v = rnd((2, 2, 4, 8)), rnd((2, 2, 5, 8), 1), rnd((2, 2, 5, 3), 2)
    with tc.no_grad():
        oo = F.scaled_dot_product_attention(tc.from_numpy(q), tc.from_numpy(k), tc.from_numpy(v))
    assert oo.grad_fn is None
    closef(oo, TF.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v))))
    vo, vt = pair(v)
    oo = F.scaled_dot_product_attention(tc.from_numpy(q), tc.from_numpy(k), vo)
    ot = TF.scaled_dot_product_attention(torch.from_numpy(q), torch.from_numpy(k), vt)
    backward_both(oo, ot)
    closef(vo.grad, vt.grad)


def _keep_masks(seed=0, p=0.4):
    """Deterministic keep masks, one per call, the same sequence on both sides."""
    rng = np.random.default_rng(seed)
    return lambda shape: rng.random(shape) >= p


@contextlib.contextmanager
def injected_masks(monkeypatch, p, patch_torch=True, seed=0):
    """Our _keep_mask and torch's dropout (F.dropout and SDPA's) both take masks from the same
    deterministic sequence; yields the list of masks handed out on our side."""
    ours, theirs = _keep_masks(seed, p), _keep_masks(seed, p)
    used = []

    def keep(shape, p_, dtype):
        m = ours(shape)
        used.append(m)
        return m.astype(dtype)
    monkeypatch.setattr(our_dropout, "_keep_mask", keep)
    if patch_torch:
        def t_dropout(input, p=0.5, training=True, inplace=False):
            assert training
            return input * torch.from_numpy(theirs(tuple(input.shape))) / (1 - p)

        def t_sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
            if dropout_p == 0:
                return torch.ops.aten._scaled_dot_product_attention_math(
                    q, k, v, attn_mask, 0.0, is_causal, scale=scale, enable_gqa=enable_gqa)[0]
            shape = tuple(torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])) + (q.shape[-2], k.shape[-2])
            m = torch.from_numpy(theirs(tuple(shape)))
            return torch.ops.aten._scaled_dot_product_attention_math(
                q, k, v, attn_mask, dropout_p, is_causal, m, scale=scale, enable_gqa=enable_gqa)[0]
        monkeypatch.setattr(TF, "dropout", t_dropout)
        monkeypatch.setattr(TF, "scaled_dot_product_attention", t_sdpa)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield used


def test_sdpa_dropout_injected_mask(monkeypatch):
    p = 0.3
    with injected_masks(monkeypatch, p):
        (qo, qt), (ko, kt), (vo, vt) = (pair(rnd(s, i)) for i, s in enumerate(S4))
        mo, mt = pair(rnd((4, 6), 5))
        oo = F.scaled_dot_product_attention(qo, ko, vo, attn_mask=mo, dropout_p=p)
        ot = TF.scaled_dot_product_attention(qt, kt, vt, attn_mask=mt, dropout_p=p)
        closef(oo, ot)
        backward_both(oo, ot)
        for a, b in ((qo, qt), (ko, kt), (vo, vt), (mo, mt)):
            closef(a.grad, b.grad)


def test_sdpa_dropout_statistics():
    """The real draw: each probability kept with 1 - p and scaled by 1 / (1 - p), so with v = 1
    every output is a mean of keep / (1 - p) over the keys (expectation 1)."""
    tc.manual_seed(0)
    q = tc.zeros(1, 1, 2000, 4)
    out = F.scaled_dot_product_attention(q, tc.zeros(1, 1, 50, 4), tc.ones(1, 1, 50, 1), dropout_p=0.2)
    vals = out.numpy().ravel()
    assert abs(vals.mean() - 1) < 0.01
    kept = vals * 50 * 0.8      # the number of kept keys of each row
    assert np.allclose(kept, np.round(kept), atol=1e-3) and kept.min() < 40
    assert F.scaled_dot_product_attention(q, q, q, dropout_p=1.0).abs().sum().item() == 0


@pytest.mark.parametrize("masked", [False, True])
def test_sdpa_double_backward(masked):
    (qo, qt), (ko, kt), (vo, vt) = (pair(rnd(s, i, "float64")) for i, s in enumerate(S4))
    kw_o, kw_t = {}, {}
    if masked:
        m = np.random.default_rng(3).random((4, 6)) > 0.4
        m[1] = False        # a fully masked row
        kw_o["attn_mask"], kw_t["attn_mask"] = tc.from_numpy(m), torch.from_numpy(m)
    go = tc.autograd.grad((F.scaled_dot_product_attention(qo, ko, vo, **kw_o) ** 2).sum(), (qo, ko, vo),
                          create_graph=True)
    gt = torch.autograd.grad((TF.scaled_dot_product_attention(qt, kt, vt, **kw_t) ** 2).sum(), (qt, kt, vt),
                             create_graph=True)
    for a, b in zip(go, gt):
        close(a, b)
    (sum((g * g).sum() for g in go)).backward()
    (sum((g * g).sum() for g in gt)).backward()
    for a, b in ((qo, qt), (ko, kt), (vo, vt)):
        close(a.grad, b.grad)
        assert np.isfinite(a.grad.numpy()).all()


def test_sdpa_errors():
    q4, k4, v4 = (np.ones(s, np.float32) for s in S4)

    def both(fn, **arrays):
        raises_like(lambda: fn(torch, TF, **{k: torch.from_numpy(a) for k, a in arrays.items()}),
                    lambda: fn(tc, F, **{k: tc.from_numpy(a) for k, a in arrays.items()}))
    sd = "scaled_dot_product_attention"
    both(lambda L, f, q, k, v, m: getattr(f, sd)(q, k, v, attn_mask=m, is_causal=True),
         q=q4, k=k4, v=v4, m=np.zeros((4, 6), np.float32))
    both(lambda L, f, q, k, v: getattr(f, sd)(q, k[..., :7], v), q=q4, k=k4, v=v4)
    both(lambda L, f, q, k, v: getattr(f, sd)(q, k, v[:, :, :5]), q=q4, k=k4, v=v4)
    both(lambda L, f, q, k, v, m: getattr(f, sd)(q, k, v, attn_mask=m), q=q4, k=k4, v=v4,
         m=np.zeros((3, 6), np.float32))
    both(lambda L, f, q, k, v, m: getattr(f, sd)(q, k, v, attn_mask=m), q=q4, k=k4, v=v4,
         m=np.zeros((4, 6), np.int64))
    both(lambda L, f, q, k, v, m: getattr(f, sd)(q, k, v, attn_mask=m), q=q4, k=k4, v=v4,
         m=np.zeros((4, 6), np.float64))
    both(lambda L, f, q, k, v: getattr(f, sd)(q, k.double(), v), q=q4, k=k4, v=v4)
    both(lambda L, f, q, k, v: getattr(f, sd)(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]), q=q4, k=k4, v=v4)
    both(lambda L, f, q, k, v: getattr(f, sd)(q, k, v, dropout_p=1.5), q=q4, k=k4, v=v4)
    both(lambda L, f, q, k, v: getattr(f, sd)(L.cat([q, q[:, :1]], 1), k, v, enable_gqa=True),
         q=q4, k=k4, v=v4)
    both(lambda L, f, q, k, v: getattr(f, sd)(L.cat([q, q[:, :1]], 1), k, v), q=q4, k=k4, v=v4)


# ---- MultiheadAttention: construction --------------------------------------------------------

MHA_CONFIGS = [
    dict(),
    dict(bias=False),
    dict(add_bias_kv=True),
    dict(kdim=5, vdim=3),
    dict(kdim=5, vdim=3, bias=False, add_bias_kv=True, add_zero_attn=True),
    dict(batch_first=True, dropout=0.2),
]


@pytest.mark.parametrize("cfg", MHA_CONFIGS)
def test_mha_default_init_equals_torch(cfg):
    for seed in (0, 5):
        torch.manual_seed(seed)
        mt = torch.nn.MultiheadAttention(8, 2, **cfg)
        tc.manual_seed(seed)
        mo = tc.nn.MultiheadAttention(8, 2, **cfg)
        same_init(mo, mt)
        assert [n for n, _ in mo.named_parameters()] == [n for n, _ in mt.named_parameters()]
    assert repr(mo) == repr(mt)
    assert type(mo.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(mo.out_proj, tc.nn.Linear)
    for attr in ("embed_dim", "kdim", "vdim", "num_heads", "head_dim", "dropout", "batch_first",
                 "_qkv_same_embed_dim", "add_zero_attn"):
        assert getattr(mo, attr) == getattr(mt, attr)
    assert (mo.bias_k is None) == (mt.bias_k is None)


def test_mha_float64_and_repr():
    mt, mo = torch.nn.MultiheadAttention(6, 3, dtype=torch.float64), tc.nn.MultiheadAttention(6, 3, dtype=tc.float64)
    assert mo.in_proj_weight.dtype == tc.float64 and mo.out_proj.weight.dtype == tc.float64
    assert repr(mo) == repr(mt)


def test_mha_constructor_errors():
    raises_like(lambda: torch.nn.MultiheadAttention(10, 3), lambda: tc.nn.MultiheadAttention(10, 3))
    raises_like(lambda: torch.nn.MultiheadAttention(0, 3), lambda: tc.nn.MultiheadAttention(0, 3))
    raises_like(lambda: torch.nn.MultiheadAttention(8, -2), lambda: tc.nn.MultiheadAttention(8, -2))


# ---- MultiheadAttention: forward and gradients -----------------------------------------------

def make_mha(**cfg):
    torch.manual_seed(1)
    mt = torch.nn.MultiheadAttention(8, 2, **cfg)
    mo = tc.nn.MultiheadAttention(8, 2, **cfg)
    copy_weights(mo, mt)
    # non-zero biases, so that their gradients and their effect are both exercised
    with torch.no_grad():
        for p in mt.parameters():
            p.add_(torch.from_numpy(rnd(tuple(p.shape), 42) * 0.1))
    copy_weights(mo, mt)
    return mo, mt


def run_mha(mo, mt, q, k=None, v=None, seed=11, masks=None, **kw):
    """Forward under both; gradients of the inputs and every parameter through the output and the
    attention weights."""
    qo, qt = pair(q)
    if k is None:
        ko, kt, vo, vt = qo, qt, qo, qt
    elif v is None:
        (ko, kt) = pair(k)
        vo, vt = ko, kt
    else:
        (ko, kt), (vo, vt) = pair(k), pair(v)
    mo_kw, mt_kw = {}, {}
    for name, m in (masks or {}).items():
        mo_kw[name], mt_kw[name] = tc.from_numpy(m.copy()), torch.from_numpy(m.copy())
    oo, wo = mo(qo, ko, vo, **mo_kw, **kw)
    ot, wt = mt(qt, kt, vt, **mt_kw, **kw)
    closef(oo, ot)
    assert (wo is None) == (wt is None)
    rng = np.random.default_rng(seed)
    go = rng.standard_normal(tuple(ot.shape)).astype(np.float32)
    lo = (oo * tc.from_numpy(go)).sum()
    lt = (ot * torch.from_numpy(go)).sum()
    if wt is not None:
        closef(wo, wt)
        gw = rng.standard_normal(tuple(wt.shape)).astype(np.float32)
        lo = lo + (wo * tc.from_numpy(gw)).sum()
        lt = lt + (wt * torch.from_numpy(gw)).sum()
    lo.backward()
    lt.backward()
    for a, b in ((qo, qt), (ko, kt), (vo, vt)):
        closef(a.grad, b.grad)
    named_t = dict(mt.named_parameters())
    for n, p in mo.named_parameters():
        closef(p.grad, named_t[n].grad)
    return oo, ot, wo, wt


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_self_attention(need_weights, batch_first):
    mo, mt = make_mha(batch_first=batch_first)
    run_mha(mo, mt, rnd((5, 3, 8)), need_weights=need_weights)


@pytest.mark.parametrize("average", [True, False])
def test_mha_cross_attention_and_average(average):
    mo, mt = make_mha()
    run_mha(mo, mt, rnd((4, 3, 8)), rnd((6, 3, 8), 1), average_attn_weights=average)
    run_mha(mo, mt, rnd((4, 3, 8)), rnd((6, 3, 8), 1), rnd((6, 3, 8), 2), average_attn_weights=average)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_kdim_vdim(need_weights):
    mo, mt = make_mha(kdim=5, vdim=3, batch_first=True)
    run_mha(mo, mt, rnd((3, 4, 8)), rnd((3, 6, 5), 1), rnd((3, 6, 3), 2), need_weights=need_weights)


@pytest.mark.parametrize("cfg", [dict(add_bias_kv=True), dict(add_zero_attn=True),
                                 dict(add_bias_kv=True, add_zero_attn=True, bias=False)])
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_bias_kv_zero_attn(cfg, need_weights):
    mo, mt = make_mha(**cfg)
    kpm = np.zeros((3, 6), bool)
    kpm[1, 4:] = True
    am = np.random.default_rng(2).random((4, 6)) > 0.8
    run_mha(mo, mt, rnd((4, 3, 8)), rnd((6, 3, 8), 1), need_weights=need_weights,
            masks=dict(key_padding_mask=kpm, attn_mask=am))
    run_mha(mo, mt, rnd((4, 3, 8)), rnd((6, 3, 8), 1), need_weights=need_weights)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("kind", ["bool", "float"])
def test_mha_masks(need_weights, kind):
    mo, mt = make_mha(batch_first=True)
    rng = np.random.default_rng(4)
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    kpm[2, 1] = True
    am2 = rng.random((5, 5)) > 0.7
    np.fill_diagonal(am2, False)
    am3 = rng.random((6, 5, 5)) > 0.7
    am3[:, :, 0] = False
    if kind == "float":
        kpm = np.where(kpm, -np.inf, 0).astype(np.float32)
        am2 = np.where(am2, -np.inf, rng.standard_normal((5, 5))).astype(np.float32)
        am3 = np.where(am3, -1e9, 0).astype(np.float32)
    x = rnd((3, 5, 8))
    for masks in (dict(key_padding_mask=kpm), dict(attn_mask=am2), dict(attn_mask=am3),
                  dict(attn_mask=am2, key_padding_mask=kpm)):
        run_mha(mo, mt, x, need_weights=need_weights, masks=masks)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_is_causal(need_weights):
    mo, mt = make_mha()
    causal = np.triu(np.ones((5, 5), bool), 1)
    run_mha(mo, mt, rnd((5, 2, 8)), masks=dict(attn_mask=causal), is_causal=True, need_weights=need_weights)
    kpm = np.zeros((2, 5), bool)
    kpm[1, 4] = True
    run_mha(mo, mt, rnd((5, 2, 8)), masks=dict(attn_mask=causal, key_padding_mask=kpm), is_causal=True,
            need_weights=need_weights)


def test_mha_mismatched_mask_types_warn():
    mo, mt = make_mha()
    kpm = np.zeros((2, 5), bool)
    am = np.zeros((5, 5), np.float32)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask is deprecated"):
        run_mha(mo, mt, rnd((5, 2, 8)), masks=dict(attn_mask=am, key_padding_mask=kpm))


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_unbatched(need_weights):
    mo, mt = make_mha(batch_first=True, kdim=5, vdim=5)
    kpm = np.zeros(6, bool)
    kpm[2] = True
    am3 = np.random.default_rng(5).random((2, 4, 6)) > 0.8
    run_mha(mo, mt, rnd((4, 8)), rnd((6, 5), 1), need_weights=need_weights,
            masks=dict(key_padding_mask=kpm, attn_mask=am3))
    mo, mt = make_mha()
    run_mha(mo, mt, rnd((4, 8)), need_weights=need_weights)


def test_mha_eval_and_no_grad_match_torch_fast_path():
    mo, mt = make_mha(batch_first=True)
    mo.eval()
    mt.eval()
    x = rnd((2, 5, 8))
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    for need in (True, False):
        with torch.no_grad():
            ot, wt = mt(*(torch.from_numpy(x),) * 3, key_padding_mask=torch.from_numpy(kpm), need_weights=need)
        with tc.no_grad():
            oo, wo = mo(*(tc.from_numpy(x),) * 3, key_padding_mask=tc.from_numpy(kpm), need_weights=need)
        closef(oo, ot)
        if need:
            closef(wo, wt)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_dropout_training_injected_masks(monkeypatch, need_weights):
    mo, mt = make_mha(dropout=0.25, batch_first=True)
    with injected_masks(monkeypatch, 0.25) as used:
        run_mha(mo, mt, rnd((2, 5, 8)), need_weights=need_weights)
    assert len(used) == 1
    # eval turns the dropout off
    mo.eval()
    mt.eval()
    run_mha(mo, mt, rnd((2, 5, 8)), need_weights=need_weights)


def test_mha_functional_form():
    mo, mt = make_mha(add_bias_kv=True)
    q = rnd((4, 2, 8))
    qo, qt = pair(q)
    args_o = (qo, qo, qo, 8, 2, mo.in_proj_weight, mo.in_proj_bias, mo.bias_k, mo.bias_v, True, 0.0,
              mo.out_proj.weight, mo.out_proj.bias)
    args_t = (qt, qt, qt, 8, 2, mt.in_proj_weight, mt.in_proj_bias, mt.bias_k, mt.bias_v, True, 0.0,
              mt.out_proj.weight, mt.out_proj.bias)
    oo, wo = F.multi_head_attention_forward(*args_o, average_attn_weights=False)
    ot, wt = TF.multi_head_attention_forward(*args_t, average_attn_weights=False)
    closef(oo, ot)
    closef(wo, wt)
    # static keys and values replace the projected ones
    sk, sv = rnd((4, 7, 4), 3), rnd((4, 7, 4), 4)
    args_o = args_o[:7] + (None, None) + args_o[9:]
    args_t = args_t[:7] + (None, None) + args_t[9:]
    oo, _ = F.multi_head_attention_forward(*args_o, static_k=tc.from_numpy(sk), static_v=tc.from_numpy(sv))
    ot, _ = TF.multi_head_attention_forward(*args_t, static_k=torch.from_numpy(sk), static_v=torch.from_numpy(sv))
    closef(oo, ot)
    backward_both(oo, ot)
    closef(qo.grad, qt.grad)
    closef(mo.in_proj_weight.grad, mt.in_proj_weight.grad)


def test_mha_forward_errors():
    mo, mt = make_mha()

    def both(**arrays):
        call_kw = arrays.pop("kw", {})
        raises_like(lambda: mt(**{k: torch.from_numpy(a) for k, a in arrays.items()}, **call_kw),
                    lambda: mo(**{k: tc.from_numpy(a) for k, a in arrays.items()}, **call_kw))
    x = rnd((5, 2, 8))
    both(query=x, key=x, value=x, attn_mask=np.zeros((4, 5), bool))                  # 2-D mask shape
    both(query=x, key=x, value=x, attn_mask=np.zeros((3, 5, 5), bool))               # 3-D mask shape
    both(query=x, key=x, value=x, attn_mask=np.zeros((1, 2, 5, 5), bool))            # mask rank
    both(query=x, key=x, value=x, key_padding_mask=np.zeros((2, 4), bool))
    both(query=x, key=x, value=x, key_padding_mask=np.zeros((3, 5), bool))
    both(query=x, key=x, value=x, key_padding_mask=np.zeros(5, bool))
    both(query=x, key=x, value=x, attn_mask=np.zeros((5, 5), np.int64))
    both(query=x, key=x, value=x, kw=dict(is_causal=True))
    both(query=x, key=x, value=x[:, :, :6])
    both(query=x[:, :, :6], key=x[:, :, :6], value=x[:, :, :6])
    both(query=x[None], key=x[None], value=x[None])
    both(query=x, key=x[0], value=x[0])
    both(query=x[:, 0], key=x[:, 0], value=x[:, 0], key_padding_mask=np.zeros((1, 5), bool))
    both(query=x[:, 0], key=x[:, 0], value=x[:, 0], attn_mask=np.zeros((3, 5, 5), bool))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_sdpa_half_types_compute_in_float32(dtype):
    arrs = [rnd(s, i) for i, s in enumerate(S4)]
    res = []
    for L, FF in ((tc, F), (torch, TF)):
        ts = [L.from_numpy(a.copy()).to(getattr(L, dtype)).requires_grad_() for a in arrs]
        out = FF.scaled_dot_product_attention(*ts)
        out.float().sum().backward()
        res.append((out, [t.grad for t in ts]))
    assert type(res[0][0].grad_fn).__name__ == type(res[1][0].grad_fn).__name__ == "ToCopyBackward0"
    # one rounding to the half type, after float32 work as torch's
    tol = dict(rtol=1e-2, atol=1e-2)
    close(res[0][0].float(), res[1][0].float(), **tol)
    for a, b in zip(res[0][1], res[1][1]):
        assert str(a.dtype) == str(b.dtype)
        close(a.float(), b.float(), **tol)


@pytest.mark.parametrize("shapes", [((2, 0, 8), (2, 5, 8), (2, 5, 3)), ((2, 4, 8), (2, 0, 8), (2, 0, 3)),
                                    ((0, 4, 8), (0, 5, 8), (0, 5, 3))])
def test_sdpa_empty(shapes):
    (qo, qt), (ko, kt), (vo, vt) = (pair(rnd(s, i)) for i, s in enumerate(shapes))
    oo, ot = F.scaled_dot_product_attention(qo, ko, vo), TF.scaled_dot_product_attention(qt, kt, vt)
    close(oo, ot)
    assert type(oo.grad_fn).__name__ == type(ot.grad_fn).__name__
    oo.sum().backward()
    ot.sum().backward()
    for a, b in ((qo, qt), (ko, kt), (vo, vt)):
        close(a.grad, b.grad)


def test_sdpa_double_backward_float_mask_and_dropout(monkeypatch):
    p = 0.25
    with injected_masks(monkeypatch, p):
        (qo, qt), (ko, kt), (vo, vt) = (pair(rnd(s, i, "float64")) for i, s in enumerate(S4))
        mo, mt = pair(rnd((4, 6), 8, "float64"))
        oo = F.scaled_dot_product_attention(qo, ko, vo, attn_mask=mo, dropout_p=p)
        ot = TF.scaled_dot_product_attention(qt, kt, vt, attn_mask=mt, dropout_p=p)
        go = tc.autograd.grad((oo ** 2).sum(), (qo, ko, vo, mo), create_graph=True)
        gt = torch.autograd.grad((ot ** 2).sum(), (qt, kt, vt, mt), create_graph=True)
        for a, b in zip(go, gt):
            close(a, b)
        sum((g ** 2).sum() for g in go).backward()
        sum((g ** 2).sum() for g in gt).backward()
        for a, b in ((qo, qt), (ko, kt), (vo, vt), (mo, mt)):
            close(a.grad, b.grad)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_double_backward(need_weights):
    torch.manual_seed(0)
    mt = torch.nn.MultiheadAttention(6, 2, dtype=torch.float64)
    mo = tc.nn.MultiheadAttention(6, 2, dtype=tc.float64)
    copy_weights(mo, mt)
    (qo, qt), (ko, kt) = pair(rnd((4, 2, 6), 0, "float64")), pair(rnd((5, 2, 6), 1, "float64"))
    kpm = np.zeros((2, 5), bool)
    kpm[1, 3:] = True
    oo, _ = mo(qo, ko, ko, key_padding_mask=tc.from_numpy(kpm), need_weights=need_weights)
    # torch's SDPA here is its flash kernel, which has no double backward: its need_weights path
    # computes the same function with ops that have one
    ot, _ = mt(qt, kt, kt, key_padding_mask=torch.from_numpy(kpm), need_weights=True)
    go = tc.autograd.grad((oo ** 2).sum(), (qo, ko, mo.in_proj_weight), create_graph=True)
    gt = torch.autograd.grad((ot ** 2).sum(), (qt, kt, mt.in_proj_weight), create_graph=True)
    for a, b in zip(go, gt):
        close(a, b)
    sum((g ** 2).sum() for g in go).backward()
    sum((g ** 2).sum() for g in gt).backward()
    for a, b in ((qo, qt), (ko, kt), (mo.in_proj_weight, mt.in_proj_weight), (mo.out_proj.weight, mt.out_proj.weight)):
        close(a.grad, b.grad)


def test_mha_fully_padded_batch_entry():
    """A batch entry with every key padded: NaN through the need_weights path (plain softmax), zeros
    through scaled_dot_product_attention (safe softmax), as torch."""
    mo, mt = make_mha()
    x = rnd((3, 2, 8))
    kpm = np.zeros((2, 3), bool)
    kpm[1] = True
    for need in (True, False):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            oo, wo = mo(*(tc.from_numpy(x),) * 3, key_padding_mask=tc.from_numpy(kpm), need_weights=need)
        ot, wt = mt(*(torch.from_numpy(x),) * 3, key_padding_mask=torch.from_numpy(kpm), need_weights=need)
        torch.testing.assert_close(torch.from_numpy(oo.detach().numpy()), ot.detach(), equal_nan=True)
        assert np.isnan(oo.detach().numpy()[:, 1]).all() == need
        if need:
            torch.testing.assert_close(torch.from_numpy(wo.detach().numpy()), wt.detach(), equal_nan=True)
