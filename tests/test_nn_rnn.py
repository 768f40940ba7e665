"""RNN, LSTM, GRU, their cells and torch.nn.utils.rnn against torch: weights copied through
state_dict, same inputs, outputs and final states, gradients of the input, the initial states and
every parameter; packed sequences; default initialisation after manual_seed; state_dict keys,
repr and errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as TR

import torsh_compat as tc
import torsh_compat.nn.utils.rnn as R

from _nn import close, copy_weights, pair, raises_like, backward_both, same_init

T_, B_, I_, H_ = 5, 3, 4, 6


def _arr(shape, seed, dtype="float32"):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _make(kind, *args, **kw):
    return getattr(torch.nn, kind)(*args, **kw), getattr(tc.nn, kind)(*args, **kw)


def _pair_modules(kind, *args, dtype="float32", **kw):
    torch.manual_seed(0)
    mt = getattr(torch.nn, kind)(*args, dtype=getattr(torch, dtype), **kw)
    mo = getattr(tc.nn, kind)(*args, dtype=getattr(tc, dtype), **kw)
    copy_weights(mo, mt)
    return mo, mt


def _grads_equal(mo, mt, **tol):
    po, pt = dict(mo.named_parameters()), dict(mt.named_parameters())
    assert list(po) == list(pt)
    for k in pt:
        close(po[k].grad, pt[k].grad, **tol)


def _states(kind, lead, batch, hid, proj, dtype, seed):
    """(ours, theirs) initial states with grad: h0, or (h0, c0) for LSTM."""
    h = pair(_arr(lead + (batch, proj or hid), seed, dtype))
    if kind != "LSTM":
        return h
    c = pair(_arr(lead + (batch, hid), seed + 1, dtype))
    return (h[0], c[0]), (h[1], c[1])


def _loss_both(out_o, out_t, hid_o, hid_t, seed=5):
    """Backward of a random linear functional of the output and every final state."""
    parts_o = [out_o] + (list(hid_o) if isinstance(hid_o, tuple) else [hid_o])
    parts_t = [out_t] + (list(hid_t) if isinstance(hid_t, tuple) else [hid_t])
    rng = np.random.default_rng(seed)
    lo, lt = 0, 0
    for po, pt in zip(parts_o, parts_t):
        w = rng.standard_normal(tuple(pt.shape)).astype(str(pt.dtype)[6:])
        lo = lo + (po * tc.from_numpy(w.copy())).sum()
        lt = lt + (pt * torch.from_numpy(w.copy())).sum()
    lt.backward()
    lo.backward()


CASES = [
    ("LSTM", dict()),
    ("LSTM", dict(num_layers=2)),
    ("LSTM", dict(num_layers=2, bidirectional=True)),
    ("LSTM", dict(batch_first=True)),
    ("LSTM", dict(bias=False, num_layers=2)),
    ("LSTM", dict(proj_size=3)),
    ("LSTM", dict(proj_size=3, num_layers=2, bidirectional=True)),
    ("GRU", dict()),
    ("GRU", dict(num_layers=2, bidirectional=True, batch_first=True)),
    ("GRU", dict(bias=False)),
    ("RNN", dict()),
    ("RNN", dict(nonlinearity="relu", num_layers=2, bidirectional=True)),
    ("RNN", dict(nonlinearity="relu", bias=False, batch_first=True)),
]


@pytest.mark.parametrize("kind,kw", CASES, ids=[f"{k}-{'-'.join(f'{a}={b}' for a, b in kw.items())}"
                                                for k, kw in CASES])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("with_h0", [True, False])
def test_module_against_torch(kind, kw, dtype, with_h0):
    mo, mt = _pair_modules(kind, I_, H_, dtype=dtype, **kw)
    shape = (B_, T_, I_) if kw.get("batch_first") else (T_, B_, I_)
    xo, xt = pair(_arr(shape, 1, dtype))
    nl = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    if with_h0:
        ho, ht = _states(kind, (nl,), B_, H_, kw.get("proj_size", 0), dtype, 2)
        oo, hno = mo(xo, ho)
        ot, hnt = mt(xt, ht)
    else:
        oo, hno = mo(xo)
        ot, hnt = mt(xt)
    close(oo, ot)
    for a, b in zip(hno if kind == "LSTM" else [hno], hnt if kind == "LSTM" else [hnt]):
        close(a, b)
    _loss_both(oo, ot, hno, hnt)
    close(xo.grad, xt.grad)
    if with_h0:
        for a, b in zip(ho if kind == "LSTM" else [ho], ht if kind == "LSTM" else [ht]):
            close(a.grad, b.grad)
    _grads_equal(mo, mt)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_unbatched_input(kind, batch_first):
    mo, mt = _pair_modules(kind, I_, H_, num_layers=2, bidirectional=True, batch_first=batch_first)
    xo, xt = pair(_arr((T_, I_), 3))
    h = _arr((4, H_), 4)
    if kind == "LSTM":
        ho, ht = (tc.from_numpy(h.copy()), tc.from_numpy(h.copy() * 2)), \
            (torch.from_numpy(h.copy()), torch.from_numpy(h.copy() * 2))
    else:
        ho, ht = tc.from_numpy(h.copy()), torch.from_numpy(h.copy())
    oo, hno = mo(xo, ho)
    ot, hnt = mt(xt, ht)
    assert tuple(oo.shape) == tuple(ot.shape) == (T_, 2 * H_)
    close(oo, ot)
    _loss_both(oo, ot, hno, hnt)
    close(xo.grad, xt.grad)
    _grads_equal(mo, mt)
    oo, _ = mo(xo)
    ot, _ = mt(xt)
    close(oo, ot)


@pytest.mark.parametrize("kind,kw", [("LSTM", dict(num_layers=2, bidirectional=True)),
                                     ("LSTM", dict(proj_size=2, bidirectional=True)),
                                     ("GRU", dict(bidirectional=True)),
                                     ("RNN", dict(num_layers=2))])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequence_input(kind, kw, enforce_sorted):
    mo, mt = _pair_modules(kind, I_, H_, **kw)
    lengths = [5, 4, 4, 2] if enforce_sorted else [2, 5, 1, 4]
    xo, xt = pair(_arr((5, 4, I_), 6))
    po = R.pack_padded_sequence(xo, lengths, enforce_sorted=enforce_sorted)
    pt = TR.pack_padded_sequence(xt, lengths, enforce_sorted=enforce_sorted)
    nl = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    ho, ht = _states(kind, (nl,), 4, H_, kw.get("proj_size", 0), "float32", 7)
    oo, hno = mo(po, ho)
    ot, hnt = mt(pt, ht)
    assert isinstance(oo, R.PackedSequence)
    close(oo.data, ot.data)
    assert oo.batch_sizes.tolist() == ot.batch_sizes.tolist()
    for a, b in zip(hno if kind == "LSTM" else [hno], hnt if kind == "LSTM" else [hnt]):
        close(a, b)
    pado, leno = R.pad_packed_sequence(oo, batch_first=True)
    padt, lent = TR.pad_packed_sequence(ot, batch_first=True)
    close(pado, padt)
    assert leno.tolist() == lent.tolist()
    _loss_both(pado, padt, hno, hnt)
    close(xo.grad, xt.grad)
    for a, b in zip(ho if kind == "LSTM" else [ho], ht if kind == "LSTM" else [ht]):
        close(a.grad, b.grad)
    _grads_equal(mo, mt)


def test_packed_without_h0():
    mo, mt = _pair_modules("GRU", I_, H_, num_layers=2)
    seqs = [_arr((n, I_), n) for n in (3, 5, 1)]
    po = R.pack_sequence([tc.from_numpy(s) for s in seqs], enforce_sorted=False)
    pt = TR.pack_sequence([torch.from_numpy(s) for s in seqs], enforce_sorted=False)
    oo, ho = mo(po)
    ot, ht = mt(pt)
    close(oo.data, ot.data)
    close(ho, ht)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_default_init_equals_torch(kind):
    for kw in (dict(num_layers=2, bidirectional=True), dict(bias=False)):
        torch.manual_seed(11)
        mt = getattr(torch.nn, kind)(5, 7, **kw)
        tc.manual_seed(11)
        mo = getattr(tc.nn, kind)(5, 7, **kw)
        same_init(mo, mt)
    torch.manual_seed(3)
    mt = torch.nn.LSTM(5, 7, proj_size=3)
    tc.manual_seed(3)
    same_init(tc.nn.LSTM(5, 7, proj_size=3), mt)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_default_init_equals_torch(kind):
    torch.manual_seed(4)
    mt = getattr(torch.nn, kind)(5, 7)
    tc.manual_seed(4)
    same_init(getattr(tc.nn, kind)(5, 7), mt)


def test_state_dict_keys_and_all_weights():
    for kw in (dict(num_layers=2, bidirectional=True, proj_size=2), dict(bias=False, num_layers=2)):
        mt, mo = _make("LSTM", 3, 4, **kw)
        assert list(mo.state_dict()) == list(mt.state_dict())
        assert mo._flat_weights_names == mt._flat_weights_names
        assert [[tuple(p.shape) for p in ws] for ws in mo.all_weights] == \
            [[tuple(p.shape) for p in ws] for ws in mt.all_weights]
        assert [tuple(p.shape) for p in mo._flat_weights] == [tuple(p.shape) for p in mt._flat_weights]
    mt, mo = _make("GRUCell", 3, 4, bias=False)
    assert list(mo.state_dict()) == list(mt.state_dict())
    lo = tc.nn.LSTM(3, 4)
    assert lo.flatten_parameters() is None
    new = tc.nn.Parameter(tc.zeros(16, 3))
    lo.weight_ih_l0 = new
    assert lo._flat_weights[0] is new


@pytest.mark.parametrize("kind,args,kw", [
    ("LSTM", (4, 6), dict()), ("LSTM", (4, 6, 2), dict(bias=False, batch_first=True, dropout=0.5,
                                                       bidirectional=True, proj_size=3)),
    ("GRU", (4, 6), dict(num_layers=3)), ("RNN", (4, 6), dict(nonlinearity="relu")),
    ("RNN", (4, 6, 2, "relu", False), dict()), ("RNNCell", (4, 6), dict(nonlinearity="relu", bias=False)),
    ("LSTMCell", (4, 6), dict()), ("GRUCell", (4, 6), dict(bias=False))])
def test_repr(kind, args, kw):
    mt, mo = _make(kind, *args, **kw)
    assert repr(mo) == repr(mt)


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_h", [True, False])
def test_cells(kind, batched, with_h):
    for kw in (dict(), dict(bias=False)) + ((dict(nonlinearity="relu"),) if kind == "RNNCell" else ()):
        mo, mt = _pair_modules(kind, I_, H_, **kw)
        xo, xt = pair(_arr((B_, I_) if batched else (I_,), 8))
        hs = (B_, H_) if batched else (H_,)
        if with_h:
            if kind == "LSTMCell":
                (h0o, h0t), (c0o, c0t) = pair(_arr(hs, 9)), pair(_arr(hs, 10))
                ho, ht = (h0o, c0o), (h0t, c0t)
            else:
                ho, ht = pair(_arr(hs, 9))
            ro, rt = mo(xo, ho), mt(xt, ht)
        else:
            ro, rt = mo(xo), mt(xt)
        ro_l = list(ro) if kind == "LSTMCell" else [ro]
        rt_l = list(rt) if kind == "LSTMCell" else [rt]
        for a, b in zip(ro_l, rt_l):
            assert tuple(a.shape) == tuple(b.shape)
            close(a, b)
        _loss_both(ro_l[0], rt_l[0], tuple(ro_l[1:]), tuple(rt_l[1:]))
        close(xo.grad, xt.grad)
        if with_h:
            for a, b in zip(ho if kind == "LSTMCell" else [ho], ht if kind == "LSTMCell" else [ht]):
                close(a.grad, b.grad)
        _grads_equal(mo, mt)


def test_cell_sequence_matches_layer():
    """An LSTMCell stepped by hand over a sequence gives the LSTM layer's output and state."""
    cell_o = tc.nn.LSTMCell(I_, H_)
    layer = tc.nn.LSTM(I_, H_)
    with tc.no_grad():
        for a, b in (("weight_ih", "weight_ih_l0"), ("weight_hh", "weight_hh_l0"),
                     ("bias_ih", "bias_ih_l0"), ("bias_hh", "bias_hh_l0")):
            getattr(cell_o, a).copy_(getattr(layer, b))
    x = tc.from_numpy(_arr((T_, B_, I_), 12))
    h = c = tc.zeros(B_, H_)
    for t in range(T_):
        h, c = cell_o(x[t], (h, c))
    out, (hn, cn) = layer(x)
    np.testing.assert_allclose(h.detach().numpy(), hn[0].detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(c.detach().numpy(), cn[0].detach().numpy(), rtol=1e-6, atol=1e-6)


def test_double_backward():
    """Second derivatives through the layer node (torch supports them on the CPU)."""
    for kind in ("LSTM", "GRU", "RNN"):
        mo, mt = _pair_modules(kind, 3, 4, num_layers=2, bidirectional=True, dtype="float64")
        xo, xt = pair(_arr((4, 2, 3), 13, "float64"))
        go = tc.autograd.grad(mo(xo)[0].pow(2).sum(), xo, create_graph=True)[0]
        gt = torch.autograd.grad(mt(xt)[0].pow(2).sum(), xt, create_graph=True)[0]
        close(go, gt)
        go.pow(2).sum().backward()
        gt.pow(2).sum().backward()
        _grads_equal(mo, mt)
        close(xo.grad, xt.grad)


def test_dropout_between_layers(monkeypatch):
    """Training dropout goes through F.dropout: with an injected mask, torch's numbers."""
    from torsh_compat.nn._functional import dropout as dmod
    masks = [(_arr((T_, B_, 2 * H_), 20 + i) > 0).astype(np.float32) for i in range(2)]
    calls = []

    def fake(shape, p, dtype):
        calls.append(shape)
        return masks[len(calls) - 1].astype(dtype)

    monkeypatch.setattr(dmod, "_keep_mask", fake)
    mo, mt = _pair_modules("LSTM", I_, H_, num_layers=3, bidirectional=True, dropout=0.25)
    mt.eval()   # torch's masks cannot be injected: its layers are rebuilt by hand below
    xo, xt = pair(_arr((T_, B_, I_), 21))
    oo, (ho, co) = mo(xo)
    assert calls == [(T_, B_, 2 * H_)] * 2
    x = xt
    hs = []
    for layer in range(3):
        sub = torch.nn.LSTM(I_ if layer == 0 else 2 * H_, H_, bidirectional=True)
        sub.load_state_dict({k.replace(f"_l{layer}", "_l0"): v for k, v in mt.state_dict().items()
                             if f"_l{layer}" in k})
        x, (h, _) = sub(x)
        hs.append(h)
        if layer < 2:
            x = x * torch.from_numpy(masks[layer]) / 0.75
    close(oo, x)
    close(ho, torch.cat(hs))
    backward_both(oo, x)
    close(xo.grad, xt.grad)
    mo.eval()
    calls.clear()
    mo(xo)
    assert calls == []


def test_batch_first_gradients_through_transposed_input():
    mo, mt = _pair_modules("GRU", I_, H_, batch_first=True)
    xo, xt = pair(_arr((T_, B_, I_), 30))
    oo, _ = mo(xo.transpose(0, 1))
    ot, _ = mt(xt.transpose(0, 1))
    close(oo, ot)
    backward_both(oo, ot)
    close(xo.grad, xt.grad)


def test_inplace_modified_weight_is_refused():
    mo = tc.nn.RNN(3, 4)
    out, _ = mo(tc.randn(2, 1, 3, requires_grad=True))
    with tc.no_grad():
        mo.weight_hh_l0.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_no_grad_records_nothing():
    mo = tc.nn.LSTM(3, 4)
    with tc.no_grad():
        out, (h, c) = mo(tc.randn(2, 1, 3))
    assert out.grad_fn is None and not out.requires_grad and h.grad_fn is None


# ---- errors ----------------------------------------------------------------------------------

def _both(kind, *args, **kw):
    torch.manual_seed(0)
    mt = getattr(torch.nn, kind)(*args, **kw)
    mo = getattr(tc.nn, kind)(*args, **kw)
    return mo, mt


def _raises(mo, mt, x_shape, h=None, dtype="float32"):
    x = _arr(x_shape, 0, dtype)
    if h is None:
        raises_like(lambda: mt(torch.from_numpy(x)), lambda: mo(tc.from_numpy(x)))
    elif isinstance(h, tuple) and isinstance(h[0], tuple):
        hts = tuple(torch.zeros(s) for s in h)
        hos = tuple(tc.zeros(s) for s in h)
        raises_like(lambda: mt(torch.from_numpy(x), hts), lambda: mo(tc.from_numpy(x), hos))
    else:
        raises_like(lambda: mt(torch.from_numpy(x), torch.zeros(h)), lambda: mo(tc.from_numpy(x), tc.zeros(h)))


def test_forward_errors():
    for kind in ("RNN", "GRU", "LSTM"):
        mo, mt = _both(kind, 4, 3, num_layers=2)
        _raises(mo, mt, (2, 3, 5))                 # input size
        _raises(mo, mt, (2, 3, 4, 1))              # rank
        _raises(mo, mt, (2,))
        _raises(mo, mt, (2, 3, 4), dtype="float64")
    mo, mt = _both("GRU", 4, 3, num_layers=2)
    _raises(mo, mt, (2, 3, 4), (1, 3, 3))         # hidden shape
    _raises(mo, mt, (2, 3, 4), (2, 3))            # hidden rank, batched
    _raises(mo, mt, (2, 4), (2, 1, 3))            # hidden rank, unbatched
    mo, mt = _both("LSTM", 4, 3, num_layers=2, proj_size=2)
    _raises(mo, mt, (2, 3, 4), ((2, 3, 3), (2, 3, 3)))   # h0 has the projected size
    _raises(mo, mt, (2, 3, 4), ((2, 3, 2), (2, 3, 2)))
    _raises(mo, mt, (2, 3, 4), ((2, 3, 2), (2, 3)))
    _raises(mo, mt, (2, 4), ((2, 1, 2), (2, 1, 3)))


def test_constructor_errors_and_warnings():
    for args, kw in [((4, 3), dict(dropout=1.5)), ((4, 3), dict(dropout=True)), ((4, 3), dict(bias=1)),
                     ((4, 3), dict(batch_first=None)), ((4.0, 3), dict()), ((0, 3), dict()),
                     ((4, 3.0), dict()), ((4, 0), dict()), ((4, 3), dict(num_layers=0)),
                     ((4, 3), dict(proj_size=-1)), ((4, 3), dict(proj_size=3))]:
        raises_like(lambda: torch.nn.LSTM(*args, **kw), lambda: tc.nn.LSTM(*args, **kw))
    raises_like(lambda: torch.nn.GRU(4, 3, proj_size=2), lambda: tc.nn.GRU(4, 3, proj_size=2))
    raises_like(lambda: torch.nn.RNN(4, 3, nonlinearity="gelu"), lambda: tc.nn.RNN(4, 3, nonlinearity="gelu"))
    raises_like(lambda: torch.nn.RNNBase("XX", 4, 3), lambda: tc.nn.RNNBase("XX", 4, 3))
    for mod in (torch.nn, tc.nn):
        with pytest.warns(UserWarning) as rec:
            mod.LSTM(4, 3, dropout=0.3)
        msgs = [str(r.message) for r in rec]
        if mod is torch.nn:
            want = msgs
    assert msgs == want
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tc.nn.LSTM(4, 3, num_layers=2, dropout=0.3)


def test_cell_errors():
    for kind in ("RNNCell", "GRUCell", "LSTMCell"):
        mo, mt = _both(kind, 4, 5)
        lstm = kind == "LSTMCell"

        def h(shape):
            return ((torch.zeros(shape), torch.zeros(shape)), (tc.zeros(shape), tc.zeros(shape))) if lstm \
                else (torch.zeros(shape), tc.zeros(shape))
        for xs, hs in [((2, 5), None), ((2, 4), (2, 3)), ((2, 4), (3, 5)), ((4,), (2, 5)),
                       ((2, 4, 1), None), ((2, 4), (1, 2, 5))]:
            x = _arr(xs, 0)
            if hs is None:
                raises_like(lambda: mt(torch.from_numpy(x)), lambda: mo(tc.from_numpy(x)))
            else:
                ht, ho = h(hs)
                raises_like(lambda: mt(torch.from_numpy(x), ht), lambda: mo(tc.from_numpy(x), ho))


# ---- nn.utils.rnn --------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_pad_roundtrip_and_gradients(batch_first, enforce_sorted):
    lengths = [4, 4, 2, 1] if enforce_sorted else [2, 4, 1, 4]
    shape = (4, 6, 2) if batch_first else (6, 4, 2)
    xo, xt = pair(_arr(shape, 40))
    for lens in (lengths, torch.tensor(lengths)):
        lo = lens if isinstance(lens, list) else tc.tensor(lengths)
        po = R.pack_padded_sequence(xo, lo, batch_first=batch_first, enforce_sorted=enforce_sorted)
        pt = TR.pack_padded_sequence(xt, lens, batch_first=batch_first, enforce_sorted=enforce_sorted)
        close(po.data, pt.data)
        for a, b in zip(po[1:], pt[1:]):
            assert (a is None and b is None) or a.tolist() == b.tolist()
        assert str(po.batch_sizes.dtype) == str(pt.batch_sizes.dtype) == "torch.int64"
    for total in (None, 7):
        pado, lo_ = R.pad_packed_sequence(po, batch_first=batch_first, padding_value=-1.5, total_length=total)
        padt, lt_ = TR.pad_packed_sequence(pt, batch_first=batch_first, padding_value=-1.5, total_length=total)
        close(pado, padt)
        assert lo_.tolist() == lt_.tolist() and str(lo_.dtype) == str(lt_.dtype)
    backward_both(pado, padt)
    close(xo.grad, xt.grad)
    assert type(po.data.grad_fn).__name__ == type(pt.data.grad_fn).__name__


def test_pack_errors():
    x = _arr((3, 2, 4), 0)
    for lens, kw in [([2, 3], {}), ([3, 0], {}), ([3, 2, 1], {}), ([3, 0], dict(enforce_sorted=False))]:
        raises_like(lambda: TR.pack_padded_sequence(torch.from_numpy(x), lens, **kw),
                    lambda: R.pack_padded_sequence(tc.from_numpy(x), lens, **kw))
    raises_like(lambda: TR.pack_padded_sequence(torch.from_numpy(x), torch.tensor([[3, 2]])),
                lambda: R.pack_padded_sequence(tc.from_numpy(x), tc.tensor([[3, 2]])))
    pt = TR.pack_padded_sequence(torch.from_numpy(x), [3, 2])
    po = R.pack_padded_sequence(tc.from_numpy(x), [3, 2])
    raises_like(lambda: TR.pad_packed_sequence(pt, total_length=2), lambda: R.pad_packed_sequence(po, total_length=2))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    shapes = [(3, 2), (5, 2), (1, 2)]
    pairs = [pair(_arr(s, i)) for i, s in enumerate(shapes)]
    po = R.pad_sequence([p[0] for p in pairs], batch_first=batch_first, padding_value=2.5, padding_side=side)
    pt = TR.pad_sequence([p[1] for p in pairs], batch_first=batch_first, padding_value=2.5, padding_side=side)
    close(po, pt)
    backward_both(po, pt)
    for a, b in pairs:
        close(a.grad, b.grad)
    one = [tc.arange(3)], [torch.arange(3)]
    assert R.pad_sequence(one[0]).tolist() == TR.pad_sequence(one[1]).tolist()


def test_pad_sequence_errors():
    a, b = _arr((2, 4), 0), _arr((2, 3), 1)
    raises_like(lambda: TR.pad_sequence([torch.from_numpy(a), torch.from_numpy(b)]),
                lambda: R.pad_sequence([tc.from_numpy(a), tc.from_numpy(b)]))
    raises_like(lambda: TR.pad_sequence([torch.from_numpy(a)], padding_side="up"),
                lambda: R.pad_sequence([tc.from_numpy(a)], padding_side="up"))
    raises_like(lambda: TR.pad_sequence([]), lambda: R.pad_sequence([]))


def test_pack_sequence_unpack_unpad():
    seqs = [_arr((n, 3), n) for n in (2, 4, 1)]
    for enforce in (False,):
        po = R.pack_sequence([tc.from_numpy(s) for s in seqs], enforce_sorted=enforce)
        pt = TR.pack_sequence([torch.from_numpy(s) for s in seqs], enforce_sorted=enforce)
        close(po.data, pt.data)
        assert po.sorted_indices.tolist() == pt.sorted_indices.tolist()
        assert po.unsorted_indices.tolist() == pt.unsorted_indices.tolist()
        for a, b in zip(R.unpack_sequence(po), TR.unpack_sequence(pt)):
            close(a, b)
    raises_like(lambda: TR.pack_sequence([torch.from_numpy(s) for s in seqs]),
                lambda: R.pack_sequence([tc.from_numpy(s) for s in seqs]))
    padded = _arr((4, 3, 2), 50)
    lens = [4, 1, 3]
    for a, b in zip(R.unpad_sequence(tc.from_numpy(padded), tc.tensor(lens)),
                    TR.unpad_sequence(torch.from_numpy(padded.copy()), torch.tensor(lens))):
        close(a, b)


def test_packed_sequence_object():
    seqs = [tc.from_numpy(_arr((n, 3), n)) for n in (2, 4, 1)]
    p = R.pack_sequence(seqs, enforce_sorted=False)
    data, bs, si, ui = p
    assert p._fields == TR.PackedSequence._fields
    assert p.to(tc.float32) is p
    d = p.double()
    assert d.data.dtype == tc.float64 and d.batch_sizes is p.batch_sizes and d.sorted_indices is not None
    assert p.cpu() is p and not p.is_cuda
    assert R.PackedSequence((data, bs)).sorted_indices is None
    assert R.invert_permutation(tc.tensor([2, 0, 1])).tolist() == \
        TR.invert_permutation(torch.tensor([2, 0, 1])).tolist()
    assert R.invert_permutation(None) is None
    raises_like(lambda: TR.PackedSequence(torch.zeros(2)), lambda: R.PackedSequence(tc.zeros(2)))
    assert tc.nn.utils.rnn.PackedSequence is R.PackedSequence


def test_state_dtype_and_length_errors():
    x = _arr((2, 1, 4), 0)
    raises_like(lambda: torch.nn.GRU(4, 3)(torch.from_numpy(x), torch.zeros(1, 1, 3, dtype=torch.float64)),
                lambda: tc.nn.GRU(4, 3)(tc.from_numpy(x), tc.zeros(1, 1, 3, dtype=tc.float64)))
    raises_like(lambda: torch.nn.GRUCell(4, 3)(torch.from_numpy(x[0]), torch.zeros(1, 3, dtype=torch.float64)),
                lambda: tc.nn.GRUCell(4, 3)(tc.from_numpy(x[0]), tc.zeros(1, 3, dtype=tc.float64)))
    raises_like(lambda: torch.nn.LSTM(4, 3)(torch.zeros(0, 1, 4)), lambda: tc.nn.LSTM(4, 3)(tc.zeros(0, 1, 4)))


def test_empty_batch():
    mo, mt = _pair_modules("LSTM", I_, H_, bidirectional=True)
    xo, xt = pair(np.zeros((3, 0, I_), np.float32))
    (oo, (ho, co)), (ot, (ht, ct)) = mo(xo), mt(xt)
    assert tuple(oo.shape) == tuple(ot.shape) and tuple(ho.shape) == tuple(ht.shape)


def test_double_backward_packed():
    mo, mt = _pair_modules("LSTM", 3, 4, bidirectional=True, proj_size=2, dtype="float64")
    xo, xt = pair(_arr((4, 3, 3), 14, "float64"))
    lengths = [2, 4, 3]
    po = R.pack_padded_sequence(xo, lengths, enforce_sorted=False)
    pt = TR.pack_padded_sequence(xt, lengths, enforce_sorted=False)
    (oo, (ho, _)), (ot, (ht, _)) = mo(po), mt(pt)
    go = tc.autograd.grad(oo.data.pow(2).sum() + ho.pow(3).sum(), xo, create_graph=True)[0]
    gt = torch.autograd.grad(ot.data.pow(2).sum() + ht.pow(3).sum(), xt, create_graph=True)[0]
    close(go, gt)
    go.pow(2).sum().backward()
    gt.pow(2).sum().backward()
    _grads_equal(mo, mt)
    close(xo.grad, xt.grad)


def test_module_conversions_and_copies():
    import copy
    import pickle
    mo, mt = _pair_modules("LSTM", I_, H_, num_layers=2)
    for m in (copy.deepcopy(mo), pickle.loads(pickle.dumps(mo))):
        assert m._flat_weights[0] is m.weight_ih_l0
        close(m(tc.from_numpy(_arr((2, 1, I_), 0)))[0], mt(torch.from_numpy(_arr((2, 1, I_), 0)))[0])
    md, mtd = mo.double(), mt.double()
    assert md._flat_weights[0].dtype == tc.float64
    x = _arr((2, 1, I_), 0, "float64")
    close(md(tc.from_numpy(x))[0], mtd(torch.from_numpy(x))[0])


def test_train_eval_same_without_dropout():
    mo, mt = _pair_modules("GRU", I_, H_, num_layers=2)
    x = _arr((T_, B_, I_), 3)
    a = mo.train()(tc.from_numpy(x))[0]
    b = mo.eval()(tc.from_numpy(x))[0]
    assert np.array_equal(a.detach().numpy(), b.detach().numpy())


def _fn_name(t):
    return type(t.grad_fn).__name__, t.grad_fn.name()


@pytest.mark.parametrize("kind,kw,dtype", [("LSTM", {}, "float32"), ("LSTM", {}, "float64"),
                                           ("LSTM", dict(proj_size=2), "float32"),
                                           ("LSTM", dict(batch_first=True), "float32"),
                                           ("LSTM", dict(bidirectional=True), "float32"),
                                           ("GRU", {}, "float32"), ("RNN", {}, "float32")])
def test_grad_fn_names(kind, kw, dtype):
    mo, mt = _pair_modules(kind, I_, H_, dtype=dtype, **kw)
    xo, xt = pair(_arr((3, 2, I_), 0, dtype))
    for packed in (False, True):
        if packed:
            xo_, xt_ = R.pack_padded_sequence(xo, [3, 2]), TR.pack_padded_sequence(xt, [3, 2])
        else:
            xo_, xt_ = xo, xt
        (oo, ho), (ot, ht) = mo(xo_), mt(xt_)
        if packed:
            oo, ot = oo.data, ot.data
        assert _fn_name(oo) == _fn_name(ot)
        for a, b in zip(ho if kind == "LSTM" else [ho], ht if kind == "LSTM" else [ht]):
            assert _fn_name(a) == _fn_name(b)


def test_cell_grad_fn_names():
    x = _arr((2, I_), 0)
    for kind, kw in (("LSTMCell", {}), ("GRUCell", {}), ("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu"))):
        mo, mt = _pair_modules(kind, I_, H_, **kw)
        for xs in (x, x[0]):
            xo, xt = pair(xs)
            ro, rt = mo(xo), mt(xt)
            for a, b in zip(ro if isinstance(ro, tuple) else [ro], rt if isinstance(rt, tuple) else [rt]):
                assert _fn_name(a) == _fn_name(b)


def test_half_precision():
    """float16 runs in float32 inside the layer and returns float16; torch rounds every
    intermediate to half, so values agree to half precision only."""
    mo, mt = _pair_modules("LSTM", I_, H_, dtype="float16")
    xo, xt = pair(_arr((T_, B_, I_), 3, "float16"))
    oo, ot = mo(xo)[0], mt(xt)[0]
    close(oo, ot, rtol=2e-3, atol=2e-3)
    backward_both(oo, ot)
    close(xo.grad, xt.grad, rtol=5e-3, atol=5e-3)
    close(mo.weight_hh_l0.grad, mt.weight_hh_l0.grad, rtol=5e-3, atol=5e-3)
    torch.manual_seed(0)
    mt = torch.nn.GRU(I_, H_, dtype=torch.bfloat16)
    mo = tc.nn.GRU(I_, H_, dtype=tc.bfloat16)
    mo.load_state_dict({k: tc.from_numpy(v.float().numpy()).to(tc.bfloat16) for k, v in mt.state_dict().items()})
    x = _arr((T_, B_, I_), 4)
    oo = mo(tc.from_numpy(x).to(tc.bfloat16))[0]
    ot = mt(torch.from_numpy(x).to(torch.bfloat16))[0]
    assert oo.dtype == tc.bfloat16
    np.testing.assert_allclose(oo.detach().float().numpy(), ot.detach().float().numpy(), rtol=2e-2, atol=2e-2)
