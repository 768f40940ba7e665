"""Attention of torch.nn.functional: scaled_dot_product_attention and multi_head_attention_forward.

scaled_dot_product_attention is one graph node: the forward is two batched GEMMs around a
softmax, and the backward reuses the probabilities saved by the forward (the fast path) or
recomputes them from Tensors under create_graph, so second derivatives come from the same
formula. Its semantics are those of torch's math backend (the one torch takes on CPU when a
gradient is needed): rows whose every key is masked give zeros (torch's safe softmax), a bool
mask marks the positions that may attend, is_causal is a top-left aligned lower triangle, and
dropout multiplies the probabilities by a keep mask drawn through nn/_functional/dropout.py's
`_keep_mask` (the seam the tests inject masks through) scaled by 1 / (1 - p).

multi_head_attention_forward is torch's composition of linear, view, softmax and bmm ops (so
gradients reach the returned attention weights too), with torch's shape checks and messages.
"""
import math
import warnings

import numpy as np

from ... import _creation
from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.graph import Node
from ...ops import dual as B
from ...ops.registry import record, broadcast_error, INPUTS
from . import dropout as _dropout
from .activation import softmax
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward", "_canonical_mask",
           "_none_or_dtype"]


# ---- scaled_dot_product_attention ------------------------------------------------------------

def _repeat_heads(x, groups):
    """Key/value heads repeated for grouped-query attention (each head `groups` times, in place)."""
    if groups == 1:
        return x
    if B.is_array(x):
        return np.repeat(x, groups, axis=-3)
    return x.repeat_interleave(groups, -3)


def _sum_groups(g, groups):
    """The gradient of _repeat_heads: the copies of each head summed back."""
    if groups == 1:
        return g
    shape = tuple(g.shape)
    return B.sum(B.reshape(g, shape[:-3] + (shape[-3] // groups, groups) + shape[-2:]), -3)


def _softmax_rows(s):
    """Softmax over the last axis of an ndarray, in place; rows with no finite score give 0."""
    m = s.max(axis=-1, keepdims=True, initial=-np.inf)
    m[~np.isfinite(m)] = 0
    np.subtract(s, m, out=s)
    np.exp(s, out=s)
    tot = s.sum(axis=-1, keepdims=True)
    tot[tot == 0] = 1       # a fully masked row is all zeros already
    s /= tot
    return s


class _SDPANode(Node):
    """inputs (q, k, v[, float mask]); args (probabilities, dropout noise or None, scale, additive
    bias or None, gqa groups)."""
    __slots__ = ()
    save = INPUTS

    def apply(self, g, tensor_mode):
        inputs, _ = self.saved(tensor_mode)
        q, k, v = inputs[0], inputs[1], inputs[2]
        p_arr, noise, scale, bias, groups = self.args
        k, v = _repeat_heads(k, groups), _repeat_heads(v, groups)
        if tensor_mode:
            p = self._probabilities(q, k, inputs[3] if len(inputs) == 4 else None)
        else:
            p = p_arr
            if g.dtype != p.dtype:
                g = g.astype(p.dtype)
        pd = p if noise is None else p * B.const(noise, g)
        nxt = self.next
        gv = _sum_groups(B.matmul(B.swap_last(pd), g), groups) if nxt[2] is not None else None
        if nxt[0] is None and nxt[1] is None and (len(nxt) == 3 or nxt[3] is None):
            return (None, None, gv) + ((None,) if len(nxt) == 4 else ())
        dp = B.matmul(g, B.swap_last(v))
        if noise is not None:
            dp = dp * B.const(noise, g)
        ds = p * (dp - B.sum(dp * p, -1, keepdims=True))
        gq = B.matmul(ds, k) * scale if nxt[0] is not None else None
        gk = _sum_groups(B.matmul(B.swap_last(ds), q) * scale, groups) if nxt[1] is not None else None
        if len(nxt) == 3:
            return gq, gk, gv
        return gq, gk, gv, ds if nxt[3] is not None else None

    def _probabilities(self, q, k, mask):
        """The softmax of the forward, rebuilt from Tensors so that it has a graph."""
        p_arr, _, scale, bias, _ = self.args
        s = (q @ k.transpose(-1, -2)) * scale
        if mask is not None:
            s = s + mask            # the float mask needing a gradient (bias holds its values)
        elif bias is not None:
            s = s + B.const(bias, q)
        dead = np.broadcast_to(p_arr.sum(axis=-1, keepdims=True) == 0, p_arr.shape)
        if not dead.any():
            return softmax(s, -1)
        # fully masked rows: softmax of finite stand-ins, then zeros (their softmax would be NaN)
        dead_t = Tensor._make(np.ascontiguousarray(dead))
        zeros = B.const(np.zeros_like(p_arr), q)
        return B.where(dead_t, zeros, softmax(B.where(dead_t, zeros, s), -1))


_SDPA_NODES = {n: type(n, (_SDPANode,), {"__slots__": ()})
               for n in ("UnsafeViewBackward0", "MmBackward0", "ToCopyBackward0", "AddBackward0")}


def _is_half(dt):
    return dt.kind in "fV" and dt.itemsize < 4     # float16, bfloat16 (ml_dtypes)


def _sdpa_node_name(q, k, v):
    """The grad_fn torch's math backend ends in: the last of its ops for this call."""
    if q.size == 0 or k.size == 0 or v.size == 0:
        return "AddBackward0"           # torch short-cuts empty attention
    if _is_half(q.dtype):
        return "ToCopyBackward0"        # half types are computed in float32 and cast back
    return "MmBackward0" if q.ndim == 2 and k.ndim == 2 and v.ndim == 2 else "UnsafeViewBackward0"


def _check_sdpa(q, k, v, attn_mask, is_causal, enable_gqa):
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got "
                           f"query.dim: {q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead.")
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{D.c_name(q.dtype)} key.dtype: {D.c_name(k.dtype)} and value.dtype: "
                           f"{D.c_name(v.dtype)} instead.")
    if attn_mask is not None:
        md = attn_mask._data.dtype
        if md != np.bool_ and md != q.dtype:
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, "
                               f"but got attn_mask.dtype: {D.c_name(md)} and  "
                               f"query.dtype: {D.c_name(q.dtype)} instead.")
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                               "when is_causal=True")
    groups = 1
    if enable_gqa and k.ndim >= 3 and q.ndim >= 3:
        hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
        if hk == 0 or hv == 0 or hq % hk or hq % hv or hk != hv:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
        groups = hq // hk
    return groups


def _bmm_shape_error(batch, want, got):
    return RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                        f"[{batch}, {want}] but got: [{batch}, {got}].")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False,
                                 scale=None, enable_gqa=False):
    """softmax(q k^T * scale + mask) v over the last two dims, batch dims broadcast."""
    q, k, v = query._data, key._data, value._data
    groups = _check_sdpa(q, k, v, attn_mask, is_causal, enable_gqa)
    kk, vv = _repeat_heads(k, groups), _repeat_heads(v, groups)
    try:
        batch = np.broadcast_shapes(q.shape[:-2], kk.shape[:-2], vv.shape[:-2])
    except ValueError:
        sa, sb = q.shape[:-2], kk.shape[:-2]
        try:
            np.broadcast_shapes(sa, sb)
        except ValueError:
            raise broadcast_error(sa, sb) from None
        raise broadcast_error(np.broadcast_shapes(sa, sb), vv.shape[:-2]) from None
    nb = int(np.prod(batch, dtype=np.int64))
    L, E, S = q.shape[-2], q.shape[-1], kk.shape[-2]
    if kk.shape[-1] != E:
        raise _bmm_shape_error(nb, E, kk.shape[-1])
    if vv.shape[-2] != S:
        raise _bmm_shape_error(nb, S, vv.shape[-2])
    sc = 1.0 / math.sqrt(E) if scale is None else float(scale)
    # half types compute in float32
    ct = np.dtype(np.float32) if _is_half(q.dtype) else q.dtype
    s = np.matmul(q.astype(ct, copy=False), np.swapaxes(kk, -1, -2).astype(ct, copy=False))
    s *= ct.type(sc)
    bias = None
    if is_causal:
        bias = np.where(np.tri(L, S, dtype=bool), 0, -np.inf).astype(ct)
    elif attn_mask is not None:
        m = attn_mask._data
        bias = np.where(m, 0, -np.inf).astype(ct) if m.dtype == np.bool_ else m.astype(ct, copy=False)
    if bias is not None:
        try:
            full = np.broadcast_shapes(s.shape, bias.shape)
        except ValueError:
            raise broadcast_error(s.shape, bias.shape) from None
        s = s + bias if full != s.shape else np.add(s, bias, out=s)
    p = _softmax_rows(s)
    noise = None
    if dropout_p > 0:
        if dropout_p > 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
        noise = _dropout._keep_mask(p.shape, dropout_p, p.dtype)
        if dropout_p < 1:
            noise = noise / p.dtype.type(1 - dropout_p)
        pd = p * noise
    else:
        pd = p
    out = np.matmul(pd, vv.astype(ct, copy=False)).astype(q.dtype, copy=False)
    float_mask = attn_mask is not None and not is_causal and attn_mask._data.dtype != np.bool_ and attn_mask._rg
    inputs = (query, key, value, attn_mask) if float_mask else (query, key, value)
    t = record(out, _SDPA_NODES[_sdpa_node_name(q, k, v)], inputs, (p, noise, sc, bias, groups))
    if t._node is not None and t._node.versions is not None:
        t._node.versions = t._node.versions[:6]     # the mask is only added: torch does not save it
    return t


# ---- multi_head_attention_forward ------------------------------------------------------------

def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask as an additive float mask of target_type (-inf where True); a float mask as is."""
    if mask is None:
        return None
    md = mask._data.dtype
    is_float = mask.is_floating_point()
    if md != np.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same "
                      f"type for both instead.", stacklevel=2)
    if is_float:
        return mask
    return Tensor._make(np.where(mask._data, -np.inf, 0).astype(target_type.np))


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    qd = query.dim()
    if qd == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but "
                                 f"found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` "
                                 f"or 2-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or "
                                 f"3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if qd == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but "
                                 f"found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` "
                                 f"or 1-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, "
                                     f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                want = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != want:
                    raise AssertionError(f"Expected `attn_mask` shape to be {want} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {qd}-D "
                         f"query tensor")


def _in_projection_packed(q, k, v, w, b):
    """q, k, v projected by the three row blocks of w (and b); one GEMM for self-attention."""
    E = q.size(-1)
    if k is v:
        if q is k:
            return linear(q, w, b).chunk(3, -1)
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        kv = linear(k, w_kv, b_kv).chunk(2, -1)
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q, b_k, b_v):
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for name, t, want in (("query weights", w_q, (Eq, Eq)), ("key weights", w_k, (Eq, Ek)),
                          ("value weights", w_v, (Eq, Ev)), ("query bias", b_q, (Eq,)),
                          ("key bias", b_k, (Eq,)), ("value bias", b_v, (Eq,))):
        if t is not None and tuple(t.shape) != want:
            raise AssertionError(f"expecting {name} shape of {want}, but got {t.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _pad_last(mask):
    """One zero column appended on the last dim (torch pads with F.pad(mask, (0, 1)))."""
    import torsh_compat
    return torsh_compat.cat([mask, mask.new_zeros(tuple(mask.shape[:-1]) + (1,))], -1)


def _split_heads(t, static, name, batch_heads, head_dim):
    """t as (batch * heads, len, head_dim), or the caller's precomputed `static` after torch's checks."""
    if static is None:
        return t.reshape(t.shape[0], batch_heads, head_dim).transpose(0, 1)
    if static.size(0) != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight,
                                 out_proj_bias, training=True, key_padding_mask=None, need_weights=True,
                                 attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None,
                                 average_attn_weights=True, is_causal=False):
    """Inputs (L, N, E) / (S, N, E) or unbatched (L, E); returns (output, weights or None)."""
    import torsh_compat
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                       "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                           "module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None        # SDPA takes the hint as is_causal
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False   # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight,
                                 b_q, b_k, b_v)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = torsh_compat.cat([k, bias_k.repeat(1, bsz, 1)])
        v = torsh_compat.cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # heads split off the batch: (N * H, len, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _split_heads(k, static_k, "static_k", bsz * num_heads, head_dim)
    v = _split_heads(v, static_v, "static_v", bsz * num_heads, head_dim)

    if add_zero_attn:
        zeros = _creation.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k = torsh_compat.cat([k, zeros], dim=1)
        v = torsh_compat.cat([v, _creation.zeros((bsz * num_heads, 1, head_dim), dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.size(1)

    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
                            .reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError("FIXME: is_causal not implemented for need_weights")
        q_scaled = q * math.sqrt(1.0 / float(q.shape[2]))
        kt = k.transpose(-2, -1)
        w = torsh_compat.baddbmm(attn_mask, q_scaled, kt) if attn_mask is not None else torsh_compat.bmm(q_scaled, kt)
        w = softmax(w, dim=-1)
        if dropout_p > 0.0:
            w = _dropout.dropout(w, p=dropout_p)
        out = torsh_compat.bmm(w, v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
        w = w.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(dim=1)
        if not is_batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w

    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None
