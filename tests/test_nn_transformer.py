"""TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder and
Transformer against torch: default initialisation after manual_seed, state_dict keys and order,
repr, forward values and gradients of the inputs and every parameter (weights copied through
state_dict), masks (bool, float, causal, key padding), batch_first both ways, norm_first,
activations, unbatched inputs, dropout in training by injected masks, torch's inference paths
(eval without gradients, nested tensors in TransformerEncoder) and errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn.functional as F

from _nn import close, copy_weights, pair, raises_like, same_init
from test_nn_attention import injected_masks, rnd

# A LayerNorm after each softmax-and-GEMM block: float32 rounding of torch's kernels (split
# attention scaling, fused summation orders) reaches ~1e-5 relative through a few layers.
RT, AT = 2e-5, 5e-5


def closef(a, b, rtol=RT, atol=AT):
    close(a, b, rtol=rtol, atol=atol)


def build(cls_name, *args, seed=0, **kw):
    """The same layer under both libraries, freshly initialised after the same seed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(seed)
        mt = getattr(torch.nn, cls_name)(*args, **kw)
        tc.manual_seed(seed)
        mo = getattr(tc.nn, cls_name)(*(_ours(a) for a in args), **{k: _ours(v) for k, v in kw.items()})
    return mo, mt


def _ours(v):
    """An argument for our side: torch modules and functions turned into ours."""
    if isinstance(v, torch.nn.Module):
        return getattr(tc.nn, type(v).__name__)()
    if v is TF.silu:
        return F.silu
    if isinstance(v, torch.dtype):
        return getattr(tc, str(v)[6:])
    return v


def perturb(mo, mt):
    """Non-trivial LayerNorm affine and biases (torch starts them at 1 / 0), the same on both."""
    with torch.no_grad():
        for i, p in enumerate(mt.parameters()):
            p.add_(torch.from_numpy(rnd(tuple(p.shape), 100 + i) * 0.1))
    copy_weights(mo, mt)


def grads_match(mo, mt, rtol=RT, atol=AT):
    named = dict(mt.named_parameters())
    ours = dict(mo.named_parameters())
    assert list(ours) == list(named)
    for n, p in ours.items():
        assert (p.grad is None) == (named[n].grad is None), n
        if p.grad is not None:
            closef(p.grad, named[n].grad, rtol, atol)


def run_both(mo, mt, inputs, masks=None, seed=3, **kw):
    """Forward of both on the same inputs (and masks), backward of a random projection, values and
    gradients of inputs and parameters compared."""
    pairs = [pair(a) for a in inputs]
    mo_kw, mt_kw = dict(kw), dict(kw)
    for name, m in (masks or {}).items():
        mo_kw[name], mt_kw[name] = tc.from_numpy(m.copy()), torch.from_numpy(m.copy())
    oo = mo(*(p[0] for p in pairs), **mo_kw)
    ot = mt(*(p[1] for p in pairs), **mt_kw)
    closef(oo, ot)
    g = np.random.default_rng(seed).standard_normal(tuple(ot.shape)).astype(np.float32)
    (oo * tc.from_numpy(g)).sum().backward()
    (ot * torch.from_numpy(g)).sum().backward()
    for a, b in pairs:
        closef(a.grad, b.grad)
    grads_match(mo, mt)
    return oo, ot


# ---- construction ----------------------------------------------------------------------------

ENC_CFGS = [dict(), dict(bias=False), dict(activation="gelu", norm_first=True), dict(batch_first=True),
            dict(activation=torch.nn.GELU(), layer_norm_eps=1e-3), dict(dtype=torch.float64)]


@pytest.mark.parametrize("cfg", ENC_CFGS)
def test_encoder_layer_init_state_dict_repr(cfg):
    for seed in (0, 3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.manual_seed(seed)
            mt = torch.nn.TransformerEncoderLayer(16, 4, 32, **cfg)
            tc.manual_seed(seed)
            mo = tc.nn.TransformerEncoderLayer(16, 4, 32, **{k: _ours(v) for k, v in cfg.items()})
        same_init(mo, mt)
    assert repr(mo) == repr(mt)
    assert mo.activation_relu_or_gelu == mt.activation_relu_or_gelu
    assert mo.norm_first == mt.norm_first


@pytest.mark.parametrize("cfg", [dict(), dict(bias=False, norm_first=True), dict(activation="gelu")])
def test_decoder_layer_init_state_dict_repr(cfg):
    mo, mt = build("TransformerDecoderLayer", 16, 4, 32, **cfg)
    same_init(mo, mt)
    assert repr(mo) == repr(mt)


def test_transformer_init_state_dict_repr():
    mo, mt = build("Transformer", 16, 2, 2, 1, 24, seed=7)
    same_init(mo, mt)
    assert repr(mo) == repr(mt)
    assert (mo.d_model, mo.nhead, mo.batch_first) == (mt.d_model, mt.nhead, mt.batch_first)
    mo, mt = build("Transformer", d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=2,
                   dim_feedforward=8, bias=False, norm_first=True, batch_first=True, seed=2)
    same_init(mo, mt)


def test_stacks_are_deep_copies():
    layer_o, layer_t = build("TransformerEncoderLayer", 8, 2, 16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eo = tc.nn.TransformerEncoder(layer_o, 3, norm=tc.nn.LayerNorm(8))
        et = torch.nn.TransformerEncoder(layer_t, 3, norm=torch.nn.LayerNorm(8))
    same_init(eo, et)
    assert repr(eo) == repr(et)
    assert eo.layers[0] is not layer_o and eo.layers[0] is not eo.layers[1]
    assert eo.layers[0].linear1.weight is not eo.layers[1].linear1.weight
    assert eo.num_layers == 3 and eo.enable_nested_tensor and not eo.use_nested_tensor
    dec_o, dec_t = build("TransformerDecoderLayer", 8, 2, 16)
    do, dt = tc.nn.TransformerDecoder(dec_o, 2), torch.nn.TransformerDecoder(dec_t, 2)
    same_init(do, dt)
    assert repr(do) == repr(dt)


@pytest.mark.parametrize("cfg", [dict(), dict(batch_first=True, norm_first=True),
                                 dict(batch_first=True, nhead=3, d_model=9), dict(batch_first=True, bias=False),
                                 dict(batch_first=True, activation=TF.silu)])
def test_encoder_nested_tensor_warning(cfg):
    args = dict(d_model=8, nhead=2, dim_feedforward=8)
    args.update(cfg)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        et = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**args), 1)
    args["activation"] = _ours(args.get("activation", "relu"))
    with warnings.catch_warnings(record=True) as wo:
        warnings.simplefilter("always")
        eo = tc.nn.TransformerEncoder(tc.nn.TransformerEncoderLayer(**args), 1)
    assert [str(w.message) for w in wo] == [str(w.message) for w in wt]
    assert eo.use_nested_tensor == et.use_nested_tensor
    with warnings.catch_warnings(record=True) as wo:
        warnings.simplefilter("always")
        tc.nn.TransformerEncoder(tc.nn.TransformerEncoderLayer(**args), 1, enable_nested_tensor=False)
    assert not wo


def test_generate_square_subsequent_mask():
    for n in (1, 4):
        close(tc.nn.Transformer.generate_square_subsequent_mask(n),
              torch.nn.Transformer.generate_square_subsequent_mask(n))
    close(tc.nn.Transformer.generate_square_subsequent_mask(3, dtype=tc.float64),
          torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64))


def test_constructor_errors():
    raises_like(lambda: torch.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
                lambda: tc.nn.TransformerEncoderLayer(8, 2, activation="tanh"))
    raises_like(lambda: torch.nn.TransformerDecoderLayer(8, 2, activation="elu"),
                lambda: tc.nn.TransformerDecoderLayer(8, 2, activation="elu"))
    raises_like(lambda: torch.nn.TransformerEncoderLayer(10, 4), lambda: tc.nn.TransformerEncoderLayer(10, 4))


# ---- TransformerEncoderLayer -----------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_forward_backward(batch_first, norm_first, activation):
    mo, mt = build("TransformerEncoderLayer", 16, 4, 32, dropout=0.0, activation=activation,
                   batch_first=batch_first, norm_first=norm_first)
    perturb(mo, mt)
    run_both(mo, mt, [rnd((3, 5, 16))])


@pytest.mark.parametrize("activation", [torch.nn.GELU(), TF.silu])
def test_encoder_layer_other_activations_and_no_bias(activation):
    mo, mt = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, activation=activation, bias=False)
    perturb(mo, mt)
    run_both(mo, mt, [rnd((4, 2, 8))])


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_encoder_layer_masks(kind):
    mo, mt = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, batch_first=True)
    perturb(mo, mt)
    x = rnd((3, 5, 8))
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    am = np.triu(np.ones((5, 5), bool), 1)
    if kind == "float":
        kpm = np.where(kpm, -np.inf, 0).astype(np.float32)
        am = np.where(am, -np.inf, rnd((5, 5), 9)).astype(np.float32)
    for masks in (dict(src_mask=am), dict(src_key_padding_mask=kpm), dict(src_mask=am, src_key_padding_mask=kpm)):
        mo.zero_grad()
        mt.zero_grad()
        run_both(mo, mt, [x], masks=masks)
    causal = np.triu(np.ones((5, 5), bool), 1)
    run_both(mo, mt, [x], masks=dict(src_mask=causal), is_causal=True)


def test_encoder_layer_unbatched():
    mo, mt = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, batch_first=True, norm_first=True)
    perturb(mo, mt)
    kpm = np.zeros(5, bool)
    kpm[4] = True
    run_both(mo, mt, [rnd((5, 8))], masks=dict(src_key_padding_mask=kpm))


def test_encoder_layer_float64():
    mo, mt = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, dtype=torch.float64)
    x = rnd((4, 2, 8), dtype=np.float64)
    xo, xt = pair(x)
    oo, ot = mo(xo), mt(xt)
    close(oo, ot)
    oo.sum().backward()
    ot.sum().backward()
    close(xo.grad, xt.grad)
    grads_match(mo, mt, 1e-7, 1e-9)


def test_encoder_layer_dropout_training_injected_masks(monkeypatch):
    mo, mt = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.2, batch_first=True)
    perturb(mo, mt)
    with injected_masks(monkeypatch, 0.2) as used:
        run_both(mo, mt, [rnd((2, 5, 8))])
    assert [m.shape for m in used] == [(2, 2, 5, 5), (2, 5, 8), (2, 5, 16), (2, 5, 8)]


def test_encoder_layer_eval_no_grad_matches_fast_path():
    mo, mt = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.3, batch_first=True)
    perturb(mo, mt)
    mo.eval()
    mt.eval()
    x = rnd((2, 5, 8))
    kpm = np.zeros((2, 5), bool)
    kpm[0, 4] = True
    for masks in ({}, dict(src_key_padding_mask=kpm)):
        with torch.no_grad():
            ot = mt(torch.from_numpy(x), **{k: torch.from_numpy(v) for k, v in masks.items()})
        with tc.no_grad():
            oo = mo(tc.from_numpy(x), **{k: tc.from_numpy(v) for k, v in masks.items()})
        closef(oo, ot)


# ---- TransformerEncoder / Decoder ------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_stack(batch_first):
    layer_o, layer_t = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, batch_first=batch_first)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eo = tc.nn.TransformerEncoder(layer_o, 2, norm=tc.nn.LayerNorm(8))
        et = torch.nn.TransformerEncoder(layer_t, 2, norm=torch.nn.LayerNorm(8))
    perturb(eo, et)
    x = rnd((3, 5, 8) if batch_first else (5, 3, 8))
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5).numpy()
    kpm = np.zeros((3, 5), bool)
    kpm[2, 3:] = True
    run_both(eo, et, [x])
    eo.zero_grad()
    et.zero_grad()
    run_both(eo, et, [x], masks=dict(mask=causal, src_key_padding_mask=kpm))
    eo.zero_grad()
    et.zero_grad()
    run_both(eo, et, [x], masks=dict(mask=causal))      # detected causal, taken as the is_causal hint


def test_encoder_nested_tensor_path_zeros_padding():
    """Eval, no gradients, batch_first and a left-aligned key padding mask: torch runs on nested
    tensors and returns zeros at padded positions (then the final norm)."""
    for norm in (False, True):
        layer_o, layer_t = build("TransformerEncoderLayer", 8, 2, 16, batch_first=True)
        eo = tc.nn.TransformerEncoder(layer_o, 2, norm=tc.nn.LayerNorm(8) if norm else None)
        et = torch.nn.TransformerEncoder(layer_t, 2, norm=torch.nn.LayerNorm(8) if norm else None)
        perturb(eo, et)
        eo.eval()
        et.eval()
        x = rnd((3, 5, 8))
        kpm = np.zeros((3, 5), bool)
        kpm[0, 3:] = True
        kpm[2, 1:] = True
        with torch.no_grad():
            ot = et(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(kpm))
        with tc.no_grad():
            oo = eo(tc.from_numpy(x), src_key_padding_mask=tc.from_numpy(kpm))
        closef(oo, ot)
        if not norm:
            assert np.all(oo.numpy()[kpm] == 0)
    # not left-aligned: no nested tensors (padded positions computed), unless mask_check is off,
    # when torch keeps the first (number of valid positions) of each row
    kpm = np.zeros((3, 5), bool)
    kpm[1, 0] = kpm[1, 3] = True
    float_kpm = np.where(kpm, -np.inf, 0).astype(np.float32)
    for check in (True, False):
        eo.mask_check = et.mask_check = check
        for m in (kpm, float_kpm):
            with torch.no_grad():
                ot = et(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(m))
            with tc.no_grad():
                oo = eo(tc.from_numpy(x), src_key_padding_mask=tc.from_numpy(m))
            closef(oo, ot)
    # with gradients wanted torch takes the ordinary path
    mt_out = et(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(kpm))
    closef(eo(tc.from_numpy(x), src_key_padding_mask=tc.from_numpy(kpm)), mt_out)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer(norm_first, batch_first):
    mo, mt = build("TransformerDecoderLayer", 8, 2, 16, dropout=0.0, norm_first=norm_first,
                   batch_first=batch_first, activation="gelu")
    perturb(mo, mt)
    tgt, mem = rnd((4, 3, 8)), rnd((6, 3, 8), 1)
    if batch_first:
        tgt, mem = tgt.transpose(1, 0, 2).copy(), mem.transpose(1, 0, 2).copy()
    run_both(mo, mt, [tgt, mem])
    mo.zero_grad()
    mt.zero_grad()
    causal = np.triu(np.ones((4, 4), bool), 1)
    mkpm = np.zeros((3, 6), bool)
    mkpm[1, 4:] = True
    tkpm = np.zeros((3, 4), bool)
    tkpm[0, 3] = True
    run_both(mo, mt, [tgt, mem], masks=dict(tgt_mask=causal, memory_key_padding_mask=mkpm,
                                            tgt_key_padding_mask=tkpm), tgt_is_causal=True)


def test_decoder_layer_unbatched_and_memory_mask():
    mo, mt = build("TransformerDecoderLayer", 8, 2, 16, dropout=0.0)
    perturb(mo, mt)
    mm = np.where(np.random.default_rng(1).random((4, 6)) > 0.7, -np.inf, 0).astype(np.float32)
    mm[:, 0] = 0
    run_both(mo, mt, [rnd((4, 8)), rnd((6, 8), 1)], masks=dict(memory_mask=mm))


def test_decoder_stack_detects_causal_mask():
    layer_o, layer_t = build("TransformerDecoderLayer", 8, 2, 16, dropout=0.0, batch_first=True)
    do = tc.nn.TransformerDecoder(layer_o, 2, norm=tc.nn.LayerNorm(8))
    dt = torch.nn.TransformerDecoder(layer_t, 2, norm=torch.nn.LayerNorm(8))
    perturb(do, dt)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    run_both(do, dt, [rnd((2, 4, 8)), rnd((2, 6, 8), 1)], masks=dict(tgt_mask=causal))


def test_decoder_layer_dropout_training_injected_masks(monkeypatch):
    mo, mt = build("TransformerDecoderLayer", 8, 2, 16, dropout=0.25)
    perturb(mo, mt)
    with injected_masks(monkeypatch, 0.25) as used:
        run_both(mo, mt, [rnd((4, 2, 8)), rnd((6, 2, 8), 1)])
    assert len(used) == 6     # two attention softmaxes and four Dropout modules


# ---- Transformer -----------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_forward_backward(batch_first):
    mo, mt = build("Transformer", 8, 2, 2, 2, 16, 0.0, batch_first=batch_first, seed=4)
    perturb(mo, mt)
    src = rnd((2, 6, 8) if batch_first else (6, 2, 8))
    tgt = rnd((2, 4, 8) if batch_first else (4, 2, 8), 1)
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    skpm = np.zeros((2, 6), bool)
    skpm[1, 5] = True
    run_both(mo, mt, [src, tgt], masks=dict(tgt_mask=tgt_mask, src_key_padding_mask=skpm,
                                            memory_key_padding_mask=skpm))


def test_transformer_custom_parts_and_unbatched():
    enc_o, enc_t = build("TransformerEncoderLayer", 8, 2, 16, dropout=0.0, seed=1)
    dec_o, dec_t = build("TransformerDecoderLayer", 8, 2, 16, dropout=0.0, seed=2)
    torch.manual_seed(5)
    mt = torch.nn.Transformer(8, 2, custom_encoder=torch.nn.TransformerEncoder(enc_t, 1, enable_nested_tensor=False),
                              custom_decoder=torch.nn.TransformerDecoder(dec_t, 1))
    tc.manual_seed(5)
    mo = tc.nn.Transformer(8, 2, custom_encoder=tc.nn.TransformerEncoder(enc_o, 1, enable_nested_tensor=False),
                           custom_decoder=tc.nn.TransformerDecoder(dec_o, 1))
    same_init(mo, mt)
    assert repr(mo) == repr(mt)
    run_both(mo, mt, [rnd((6, 8)), rnd((4, 8), 1)])


def test_transformer_forward_errors():
    mo, mt = build("Transformer", 8, 2, 1, 1, 8, 0.0)
    for src, tgt in (((6, 2, 8), (4, 3, 8)), ((6, 2, 8), (4, 2, 6)), ((6, 2, 6), (4, 2, 6))):
        a, b = rnd(src), rnd(tgt)
        raises_like(lambda: mt(torch.from_numpy(a), torch.from_numpy(b)),
                    lambda: mo(tc.from_numpy(a), tc.from_numpy(b)))
    a = rnd((6, 2, 8))
    raises_like(lambda: mt(torch.from_numpy(a), torch.from_numpy(a), src_mask=torch.zeros(5, 5, dtype=torch.bool)),
                lambda: mo(tc.from_numpy(a), tc.from_numpy(a), src_mask=tc.zeros(5, 5, dtype=tc.bool)))
