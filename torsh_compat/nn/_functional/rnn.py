"""The math of the recurrent layers: one layer in one direction is one graph node.

A layer runs over "packed" rows: row block t holds the batch_sizes[t] sequences still running at
step t (a padded (T, B, I) input is the case batch_sizes = [B] * T). The input projection of all
steps is one GEMM; each step adds one GEMM for the hidden part. The hidden state lives in one
(B, H) array whose first batch_sizes[t] rows a step reads and overwrites, so the same loop serves
both directions and sequences of different lengths, and the array ends holding every sequence's
last state (h_n). Backward walks the steps in reverse with the same bookkeeping and finishes with
one GEMM per weight over all steps.

Gate orders are torch's: LSTM (i, f, g, o); GRU (r, z, n) with r applied to (W_hn h + b_hn).
Under create_graph the node recomputes the layer with ordinary ops and differentiates that, so
higher derivatives are exact.
"""
import numpy as np

from ..._tensor import Tensor
from ...autograd.function import _OutputSlot
from ...autograd.graph import Node
from ...autograd.grad_mode import _State
from ...ops.registry import INPUTS, _edge, saved_versions
from .linear import _sn

__all__ = []

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid_(a):
    """In-place logistic function; exp overflow (a << 0) correctly gives 0."""
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)
    return a


def _colsum(a):
    if a.dtype == np.float32:
        return np.add.reduce(a, axis=0, dtype=np.float64).astype(np.float32)
    return a.sum(axis=0)


def steps_of(batch_sizes, reverse):
    """(first row, batch) of each step, in the order the layer runs them."""
    bsz = [int(b) for b in batch_sizes]
    offs = np.concatenate(([0], np.cumsum(bsz)[:-1])).astype(np.int64).tolist()
    steps = list(zip(offs, bsz))
    return steps[::-1] if reverse else steps


# ---- forward ---------------------------------------------------------------------------------

def _forward(mode, xd, steps, h0, c0, wih, whh, bih, bhh, whr):
    """Returns out (N, Hout), h_n, c_n and what backward needs."""
    n = xd.shape[0]
    dt = xd.dtype
    # OpenBLAS multiplies by a C-contiguous right operand markedly faster than by a transposed view
    whh_t = np.ascontiguousarray(whh.T)
    gi = np.matmul(xd, np.ascontiguousarray(wih.T))
    if bih is not None:
        gi += bih if mode == "GRU" else bih + bhh
    hs = np.array(h0, dtype=dt, copy=True)
    hprev = np.empty((n, hs.shape[1]), dt)
    out = np.empty((n, hs.shape[1]), dt)
    with np.errstate(over="ignore"):
        if mode == "LSTM":
            hid = whh.shape[0] // 4
            cs = np.array(c0, dtype=dt, copy=True)
            act, cprev, tcs = gi, np.empty((n, hid), dt), np.empty((n, hid), dt)
            rall = np.empty((n, hid), dt) if whr is not None else None
            whr_t = np.ascontiguousarray(whr.T) if whr is not None else None
            ghb = np.empty((hs.shape[0], whh.shape[0]), dt)
            for o, b in steps:
                e = o + b
                hp = hs[:b]
                hprev[o:e] = hp
                a = act[o:e]
                gh = np.matmul(hp, whh_t, out=ghb[:b])
                a += gh
                g = a[:, 2 * hid:3 * hid]
                np.tanh(g, out=gh[:, :hid])
                _sigmoid_(a)
                g[...] = gh[:, :hid]
                c = cs[:b]
                cprev[o:e] = c
                c *= a[:, hid:2 * hid]
                c += np.multiply(a[:, :hid], g, out=gh[:, :hid])
                tc = tcs[o:e]
                np.tanh(c, out=tc)
                if rall is None:
                    h = out[o:e]
                    np.multiply(a[:, 3 * hid:], tc, out=h)
                else:
                    r = rall[o:e]
                    np.multiply(a[:, 3 * hid:], tc, out=r)
                    h = out[o:e]
                    np.matmul(r, whr_t, out=h)
                hs[:b] = h
            return out, hs, cs, (act, cprev, tcs, rall, hprev)
        if mode == "GRU":
            hid = whh.shape[0] // 3
            act = gi
            ghn = np.empty((n, hid), dt)
            for o, b in steps:
                e = o + b
                hp = hs[:b]
                hprev[o:e] = hp
                gh = np.matmul(hp, whh_t)
                if bhh is not None:
                    gh += bhh
                ghn[o:e] = gh[:, 2 * hid:]
                a = act[o:e]
                rz = a[:, :2 * hid]
                rz += gh[:, :2 * hid]
                _sigmoid_(rz)
                nn_ = a[:, 2 * hid:]
                nn_ += a[:, :hid] * gh[:, 2 * hid:]
                np.tanh(nn_, out=nn_)
                h = out[o:e]
                np.subtract(hp, nn_, out=h)
                h *= a[:, hid:2 * hid]
                h += nn_
                hs[:b] = h
            return out, hs, None, (act, ghn, hprev)
        relu = mode == "RNN_RELU"
        for o, b in steps:
            e = o + b
            hp = hs[:b]
            hprev[o:e] = hp
            h = out[o:e]
            np.matmul(hp, whh_t, out=h)
            h += gi[o:e]
            if relu:
                np.maximum(h, 0, out=h)
            else:
                np.tanh(h, out=h)
            hs[:b] = h
        return out, hs, None, (out, hprev)


# ---- backward --------------------------------------------------------------------------------

def _backward(mode, steps, xd, saved, wih, whh, whr, dout, dhn, dcn, need):
    """Gradients (dx, dh0, dc0, dwih, dwhh, dbih, dbhh, dwhr) on arrays; need[i] says which."""
    n = xd.shape[0]
    dt = xd.dtype
    hout = whh.shape[1]
    batch = dhn.shape[0] if dhn is not None else None
    hprev = saved[-1]
    if batch is None:
        batch = max(b for _, b in steps)
    dh_s = np.zeros((batch, hout), dt) if dhn is None else np.array(dhn, dtype=dt, copy=True)
    dc_s = None
    dgi = np.empty((n, whh.shape[0]), dt)
    dgh = dgi
    dhr = None
    if mode == "LSTM":
        act, cprev, tcs, rall, _ = saved
        hid = whh.shape[0] // 4
        dc_s = np.zeros((batch, hid), dt) if dcn is None else np.array(dcn, dtype=dt, copy=True)
        # the activations' derivatives and d c / d h, for all steps at once
        dact = act * (1 - act)
        g = act[:, 2 * hid:3 * hid]
        dact[:, 2 * hid:3 * hid] = 1 - g * g
        otc = act[:, 3 * hid:] * (1 - tcs * tcs)
        if rall is not None:
            dhr = np.empty((n, hout), dt)
        for o, b in reversed(steps):
            e = o + b
            dh = dh_s[:b] + dout[o:e] if dout is not None else dh_s[:b].copy()
            if dhr is not None:
                dhr[o:e] = dh
                dh = np.matmul(dh, whr)
            a = act[o:e]
            dc = dh * otc[o:e]
            dc += dc_s[:b]
            d = dgi[o:e]
            np.multiply(dc, a[:, 2 * hid:3 * hid], out=d[:, :hid])
            np.multiply(dc, cprev[o:e], out=d[:, hid:2 * hid])
            np.multiply(dc, a[:, :hid], out=d[:, 2 * hid:3 * hid])
            np.multiply(dh, tcs[o:e], out=d[:, 3 * hid:])
            d *= dact[o:e]
            np.multiply(dc, a[:, hid:2 * hid], out=dc_s[:b])
            np.matmul(d, whh, out=dh_s[:b])
    elif mode == "GRU":
        act, ghn, _ = saved
        hid = whh.shape[0] // 3
        dgh = np.empty_like(dgi)
        r, z, nn_ = act[:, :hid], act[:, hid:2 * hid], act[:, 2 * hid:]
        drz = act[:, :2 * hid] * (1 - act[:, :2 * hid])
        dnf = (1 - z) * (1 - nn_ * nn_)
        hmn = hprev - nn_
        for o, b in reversed(steps):
            e = o + b
            dh = dh_s[:b] + dout[o:e] if dout is not None else dh_s[:b].copy()
            d = dgi[o:e]
            dn = d[:, 2 * hid:]
            np.multiply(dh, dnf[o:e], out=dn)
            np.multiply(dn, ghn[o:e], out=d[:, :hid])
            np.multiply(dh, hmn[o:e], out=d[:, hid:2 * hid])
            d[:, :2 * hid] *= drz[o:e]
            dg = dgh[o:e]
            dg[:, :2 * hid] = d[:, :2 * hid]
            np.multiply(dn, r[o:e], out=dg[:, 2 * hid:])
            new = np.matmul(dg, whh)
            new += dh * z[o:e]
            dh_s[:b] = new
    else:
        outv = saved[0]
        dact = (outv > 0).astype(dt) if mode == "RNN_RELU" else 1 - outv * outv
        for o, b in reversed(steps):
            e = o + b
            dh = dh_s[:b] + dout[o:e] if dout is not None else dh_s[:b]
            d = dgi[o:e]
            np.multiply(dh, dact[o:e], out=d)
            np.matmul(d, whh, out=dh_s[:b])
    dx = np.matmul(dgi, wih) if need[0] else None
    dwih = np.matmul(dgi.T, xd) if need[3] else None
    dwhh = np.matmul(dgh.T, hprev) if need[4] else None
    dbih = _colsum(dgi) if need[5] else None
    dbhh = _colsum(dgh) if need[6] else None
    dwhr = np.matmul(dhr.T, saved[3]) if need[7] else None
    return dx, dh_s, dc_s, dwih, dwhh, dbih, dbhh, dwhr


def _arrays(tensors):
    """The arrays of the tensors (None kept); half types compute in float32, as torch's kernels
    accumulate them."""
    out = [None if t is None else t._data for t in tensors]
    if out[0].dtype.itemsize < 4:
        out = [None if a is None else a.astype(np.float32) for a in out]
    return out


# ---- the node --------------------------------------------------------------------------------

class MkldnnRnnLayerBackward0(Node):
    """inputs (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr), absent ones None; outputs (out, h_n, c_n)
    reach it through slot nodes. args = (mode, steps, saved)."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        if self.versions is not None:
            self.check_saved()
        gs = list(g) + [None] * (3 - len(g)) if isinstance(g, list) else [g, None, None]
        mode, steps, saved = self.args
        if tensor_mode:
            return self._create_graph_backward(gs)
        w = _arrays(self.inputs)
        x = w[0]
        xd = x.reshape(-1, x.shape[-1])
        dout = np.asarray(gs[0], dtype=x.dtype).reshape(xd.shape[0], -1) if gs[0] is not None else None
        need = [e is not None for e in self.next]
        dx, dh0, dc0, dwih, dwhh, dbih, dbhh, dwhr = _backward(
            mode, steps, xd, saved, w[3], w[4], w[7], dout, gs[1], gs[2], need)
        if dx is not None:
            dx = dx.reshape(x.shape)
        return (dx, dh0 if need[1] else None, dc0 if need[2] else None, dwih, dwhh, dbih, dbhh, dwhr)

    def _create_graph_backward(self, gs):
        from ... import autograd
        mode, steps, _ = self.args
        inputs = self.inputs
        outs = layer_reference(mode, steps, *inputs)
        pairs = [(o, g) for o, g in zip(outs, gs) if o is not None and g is not None]
        want = [i for i, e in enumerate(self.next) if e is not None]
        grads = autograd.grad([o for o, _ in pairs], [inputs[i] for i in want], [g for _, g in pairs],
                              retain_graph=True, create_graph=True, allow_unused=True)
        result = [None] * len(inputs)
        for i, gi in zip(want, grads):
            result[i] = gi
        return tuple(result)


_SLOTS = {}


def _slot(name):
    """The node class an output shows as grad_fn: the name torch's op ends in for that output."""
    cls = _SLOTS.get(name)
    if cls is None:
        cls = _SLOTS[name] = type(name, (_OutputSlot,), {"__slots__": (), "name": lambda self: type(self).__name__})
    return cls


def layer_reference(mode, steps, x, h0, c0, wih, whh, bih, bhh, whr):
    """The layer with ordinary differentiable ops (the create_graph path)."""
    import torsh_compat as tc
    xd = x.reshape(-1, x.shape[-1])
    gi = tc.matmul(xd, wih.t())
    if bih is not None:
        gi = gi + bih if mode == "GRU" else gi + bih + bhh
    hs, cs = h0, c0
    outs = []
    hid = whh.shape[0] // GATES[mode]
    for o, b in steps:
        hp = hs[:b] if b < hs.shape[0] else hs
        gx = gi[o:o + b]
        gh = tc.matmul(hp, whh.t())
        if mode == "LSTM":
            a = gx + gh
            i, f = a[:, :hid].sigmoid(), a[:, hid:2 * hid].sigmoid()
            g, og = a[:, 2 * hid:3 * hid].tanh(), a[:, 3 * hid:].sigmoid()
            cp = cs[:b] if b < cs.shape[0] else cs
            c = f * cp + i * g
            h = og * c.tanh()
            if whr is not None:
                h = tc.matmul(h, whr.t())
            cs = c if b == cs.shape[0] else tc.cat([c, cs[b:]])
        elif mode == "GRU":
            if bhh is not None:
                gh = gh + bhh
            r = (gx[:, :hid] + gh[:, :hid]).sigmoid()
            z = (gx[:, hid:2 * hid] + gh[:, hid:2 * hid]).sigmoid()
            nn_ = (gx[:, 2 * hid:] + r * gh[:, 2 * hid:]).tanh()
            h = nn_ + z * (hp - nn_)
        else:
            pre = gx + gh
            h = pre.relu() if mode == "RNN_RELU" else pre.tanh()
        outs.append(h)
        hs = h if b == hs.shape[0] else tc.cat([h, hs[b:]])
    outs = [h for _, h in sorted(zip((o for o, _ in steps), outs), key=lambda p: p[0])]
    out = tc.cat(outs).reshape(tuple(x.shape[:-1]) + (hs.shape[1],))
    return out, hs, cs


def rnn_layer(mode, x, steps, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr,
              names=("MkldnnRnnLayerBackward0", "StackBackward0", "StackBackward0")):
    """One layer in one direction over x ((T, B, I) or packed rows (N, I)); steps from steps_of.

    Returns Tensors (out, h_n, c_n), c_n None unless mode is LSTM; `names` are the grad_fn names
    the three outputs show."""
    inputs = (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    xa = x._data
    wd = w_ih._data.dtype
    for s in (h0, c0):
        if s is not None and s._data.dtype != wd:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_sn(s._data)} and "
                               f"{_sn(w_ih._data)}")
    arr = _arrays(inputs)
    out, hn, cn, saved = _forward(mode, arr[0].reshape(-1, xa.shape[-1]), steps, arr[1], arr[2], arr[3],
                                  arr[4], arr[5], arr[6], arr[7])
    out = out.reshape(xa.shape[:-1] + (out.shape[1],))
    if out.dtype != xa.dtype:
        out, hn = out.astype(xa.dtype), hn.astype(xa.dtype)
        cn = None if cn is None else cn.astype(xa.dtype)
    results = [Tensor._make(out), Tensor._make(hn), None if cn is None else Tensor._make(cn)]
    if _State.enabled and xa.dtype.kind in "fV" and any(t is not None and t._rg for t in inputs):
        node = MkldnnRnnLayerBackward0(tuple(_edge(t) for t in inputs), inputs, None, (mode, steps, saved))
        vs = saved_versions(INPUTS, inputs, None) or ()
        if mode in ("RNN_TANH", "RNN_RELU"):     # the backward reads the returned output
            vs += (results[0]._vc, 0)
        node.versions = vs or None
        for i, t in enumerate(results):
            if t is not None:
                t._node = _slot(names[i])((node,), (None,), None, (i, 3))
                t._rg = True
    return tuple(results)
