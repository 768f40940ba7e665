"""Indexing, scatter/gather, masking, joining/splitting ops against real torch: error types and
messages, index_put (the engine of x[adv] = v), in-place forms, views of split/chunk, second
derivatives through the create_graph path, and grad_fn names. The shared per-op parity battery
lives in test_op_parity.py; this file covers what that battery does not reach."""
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc
import torsh_compat.ops.indexing  # noqa: F401  (until ops/__init__ imports the family)

tc._export_ops()

RNG = np.random.default_rng(0)


def _arr(shape, dtype="float32", lo=-2.0, hi=2.0):
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


def _both(a, requires_grad=False):
    """The same values as a torch tensor and as one of ours."""
    t = torch.tensor(a)
    o = tc.tensor(a)
    if requires_grad:
        t.requires_grad_(True)
        o.requires_grad_(True)
    return t, o


def _close(ours, theirs, rtol=1.3e-6, atol=1e-5):
    if theirs is None:
        assert ours is None or not np.any(ours._data), "torch gives no gradient here"
        return
    assert ours is not None, "gradient missing"
    assert str(ours.dtype) == str(theirs.dtype), f"dtype {ours.dtype} != torch {theirs.dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"shape {tuple(ours.shape)} != torch {tuple(theirs.shape)}"
    torch.testing.assert_close(torch.from_numpy(np.array(ours.detach()._data)), theirs.detach(),
                               rtol=rtol, atol=atol, equal_nan=True)


def _same_error(fn):
    """fn(lib) raises in torch; ours must raise the same type with the same message."""
    with pytest.raises(Exception) as theirs:
        fn(torch)
    with pytest.raises(type(theirs.value)) as ours:
        fn(tc)
    assert str(ours.value) == str(theirs.value)


# ---- errors: same exception type and message as torch -------------------------------------------

X34 = np.arange(12, dtype=np.float32).reshape(3, 4)


def L(m, a):
    return m.tensor(a)


ERRORS = {
    "gather index out of range": lambda m: m.gather(L(m, X34), 1, L(m, [[5]])),
    "gather negative index": lambda m: m.gather(L(m, X34), 1, L(m, [[-1]])),
    "gather float index": lambda m: m.gather(L(m, X34), 1, L(m, [[1.0]])),
    "gather index too large": lambda m: m.gather(L(m, X34), 1, m.zeros(4, 2, dtype=m.long)),
    "gather index ndim": lambda m: m.gather(L(m, X34), 1, m.zeros(2, dtype=m.long)),
    "gather dim out of range": lambda m: m.gather(L(m, X34), 2, L(m, [[0]])),
    "scatter dtype": lambda m: m.scatter(L(m, X34), 1, L(m, [[0]]), m.ones(1, 1, dtype=m.float64)),
    "scatter index too large": lambda m: m.scatter(L(m, X34), 1, m.zeros(4, 1, dtype=m.long), 1.0),
    "scatter index larger than src": lambda m: m.scatter(L(m, X34), 1, m.zeros(3, 1, dtype=m.long),
                                                         m.ones(2, 1)),
    "scatter out of range": lambda m: m.scatter(L(m, X34), 1, L(m, [[9]]), 1.0),
    "scatter bad reduce": lambda m: m.scatter(L(m, X34), 1, L(m, [[0]]), 1.0, reduce="mean"),
    "scatter_reduce bad reduce": lambda m: m.scatter_reduce(L(m, X34), 0, L(m, [[0]]), L(m, X34), "foo"),
    "index_select float index": lambda m: m.index_select(L(m, X34), 1, L(m, [1.0])),
    "index_select 2-d index": lambda m: m.index_select(L(m, X34), 1, L(m, [[1]])),
    "index_add count": lambda m: m.index_add(L(m, X34), 1, L(m, [0, 1]), m.ones(3, 3)),
    "index_add dtype": lambda m: m.index_add(L(m, X34), 1, L(m, [0, 1]), m.ones(3, 2, dtype=m.float64)),
    "index_add out of range": lambda m: m.index_add(L(m, X34), 1, L(m, [7, 0]), m.ones(3, 2)),
    "index_add float index": lambda m: m.index_add(L(m, X34), 1, L(m, [1.0]), m.ones(3, 1)),
    "index_copy int32 index": lambda m: m.index_copy(L(m, X34), 1, L(m, [0]).int(), m.ones(3, 1)),
    "index_copy out of range": lambda m: m.index_copy(L(m, X34), 1, L(m, [7, 0]), m.ones(3, 2)),
    "index_copy count": lambda m: m.index_copy(L(m, X34), 1, L(m, [0, 1]), m.ones(3, 3)),
    "index_fill int32 index": lambda m: m.index_fill(L(m, X34), 1, L(m, [0]).int(), 1.0),
    "index_fill out of range": lambda m: m.index_fill(L(m, X34), 1, L(m, [7]), 1.0),
    "index_fill 1-d value": lambda m: m.index_fill(L(m, X34), 1, L(m, [0]), m.ones(1)),
    "index_put out of range": lambda m: m.index_put(L(m, X34), (L(m, [5]),), m.ones(4)),
    "index_put negative out of range": lambda m: m.index_put(L(m, X34), (L(m, [-4]),), m.ones(4)),
    "index_put dtype": lambda m: m.index_put(L(m, X34), (L(m, [0]),), m.ones(4, dtype=m.float64)),
    "index_put value shape": lambda m: m.index_put(L(m, X34), (L(m, [0, 1]),), m.ones(3)),
    "index_put extra leading dims": lambda m: m.index_put(L(m, X34), (L(m, [1]),), m.ones(1, 1, 4)),
    "index_put too many": lambda m: m.index_put(L(m, X34), (L(m, [0]),) * 3, m.ones(1)),
    "index_put mask shape": lambda m: m.index_put(L(m, X34), (L(m, [True, False]),), m.tensor(1.0)),
    "index_put float index": lambda m: m.index_put(L(m, X34), (L(m, [0.0]),), m.ones(4)),
    "masked_fill uint8 mask": lambda m: m.masked_fill(L(m, X34), L(m, X34 > 3).byte(), 1.0),
    "masked_fill 1-d value": lambda m: m.masked_fill(L(m, X34), L(m, X34 > 3), m.ones(1)),
    "masked_fill int overflow": lambda m: m.masked_fill(m.zeros(3, dtype=m.int8), m.ones(3, dtype=m.bool), 300),
    "masked_fill_ broadcast self": lambda m: m.zeros(4).masked_fill_(L(m, X34 > 3), 1.0),
    "masked_scatter short source": lambda m: m.masked_scatter(L(m, X34), L(m, X34 > -1), m.ones(5)),
    "masked_select uint8": lambda m: m.masked_select(L(m, X34), L(m, X34 > 3).byte()),
    "take out of range": lambda m: m.take(L(m, X34), L(m, [12])),
    "take int32": lambda m: m.take(L(m, X34), L(m, [1]).int()),
    "put count": lambda m: m.put(m.zeros(3), L(m, [1, 1]), m.ones(3)),
    "take_along_dim int32": lambda m: m.take_along_dim(L(m, X34), L(m, [[0]]).int(), 1),
    "take_along_dim ndim": lambda m: m.take_along_dim(L(m, X34), L(m, [0]), 1),
    "where float condition": lambda m: m.where(L(m, X34), L(m, X34), 0.0),
    "where int8 overflow": lambda m: m.where(L(m, [True]), m.ones(1, dtype=m.int8), 300),
    "clamp no bounds": lambda m: m.clamp(L(m, X34)),
    "clamp int8 overflow": lambda m: m.clamp(m.ones(2, dtype=m.int8), min=-1000),
    "lerp end dtype": lambda m: m.lerp(L(m, X34), L(m, X34).double(), 0.5),
    "lerp weight dtype": lambda m: m.lerp(m.ones(3), m.ones(3), m.ones(3, dtype=m.float64)),
    "lerp_ broadcast self": lambda m: m.ones(3).lerp_(m.ones(2, 3), 0.3),
    "addcdiv integer": lambda m: m.addcdiv(m.ones(3), m.ones(3, dtype=m.long), m.ones(3, dtype=m.long)),
    "tril 1-d": lambda m: m.tril(m.ones(3)),
    "diag 3-d": lambda m: m.diag(m.ones(2, 2, 2)),
    "diag_embed same dims": lambda m: m.diag_embed(L(m, X34), 1, 0, 0),
    "flip duplicate dims": lambda m: m.flip(L(m, X34), (0, 0)),
    "fliplr 1-d": lambda m: m.fliplr(m.ones(3)),
    "roll shifts/dims": lambda m: m.roll(L(m, X34), (1, 2), (0,)),
    "roll no shifts": lambda m: m.roll(L(m, X34), (), ()),
    "repeat too few": lambda m: L(m, X34).repeat(2),
    "repeat negative": lambda m: L(m, X34).repeat(-1, 2),
    "repeat_interleave size": lambda m: m.repeat_interleave(L(m, X34), L(m, [1, 2]), dim=1),
    "repeat_interleave negative": lambda m: m.repeat_interleave(L(m, X34), -1, dim=1),
    "repeat_interleave output_size": lambda m: m.repeat_interleave(L(m, X34), L(m, [1, 2, 0]), dim=0,
                                                                   output_size=4),
    "cat sizes": lambda m: m.cat([L(m, X34), m.zeros(4, 4)], 1),
    "cat ndim": lambda m: m.cat([L(m, X34), m.zeros(4)], 1),
    "cat 0-d": lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    "cat empty list": lambda m: m.cat([]),
    "cat non tensor": lambda m: m.cat([L(m, X34), 1]),
    "cat of a tensor": lambda m: m.cat(L(m, X34)),
    "cat legacy empty with mismatched 2-d": lambda m: m.cat([m.zeros(2, 3), m.zeros(0, 5)], 1),
    "stack sizes": lambda m: m.stack([L(m, X34), m.ones(4)]),
    "stack empty": lambda m: m.stack([]),
    "hstack empty": lambda m: m.hstack([]),
    "split sizes": lambda m: m.split(L(m, X34), [1, 2], 1),
    "split zero": lambda m: m.split(L(m, X34), 0, 1),
    "split 0-d": lambda m: m.split(m.tensor(1.0), 1),
    "chunk zero": lambda m: m.chunk(L(m, X34), 0, 1),
    "tensor_split zero": lambda m: m.tensor_split(L(m, X34), 0, 1),
    "tensor_split float tensor": lambda m: m.tensor_split(L(m, X34), m.tensor([1.0]), 1),
    "broadcast_tensors": lambda m: m.broadcast_tensors(L(m, X34), L(m, X34[:2])),
    "meshgrid indexing": lambda m: m.meshgrid(m.ones(2), m.ones(2), indexing="foo"),
    "meshgrid dtype": lambda m: m.meshgrid(m.ones(2), m.arange(2), indexing="ij"),
    "cartesian_prod 0-d": lambda m: m.cartesian_prod(m.tensor(1.0)),
    "block_diag 3-d": lambda m: m.block_diag(m.ones(1, 1, 1)),
    "searchsorted sides": lambda m: m.searchsorted(m.arange(5.0), L(m, X34), side="left", right=True),
    "searchsorted bad side": lambda m: m.searchsorted(m.arange(5.0), L(m, X34), side="up"),
    "searchsorted leading dims": lambda m: m.searchsorted(m.ones(2, 3), m.ones(3, 4)),
    "searchsorted 0-d": lambda m: m.searchsorted(m.tensor(3.0), L(m, X34)),
    "bucketize 2-d": lambda m: m.bucketize(L(m, X34), m.ones(2, 2)),
    "histc bounds": lambda m: m.histc(m.arange(5.0), bins=4, min=3, max=1),
    "histc bins": lambda m: m.histc(m.arange(5.0), bins=0),
    "histc long": lambda m: m.histc(m.arange(5)),
    "histc infinite": lambda m: m.histc(m.tensor([1.0, float("inf")]), bins=4),
    "bincount negative": lambda m: m.bincount(m.tensor([-1, 2])),
    "bincount float": lambda m: m.bincount(m.tensor([1.0])),
    "bincount weights": lambda m: m.bincount(m.tensor([1, 2]), m.ones(3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name):
    _same_error(ERRORS[name])


def test_scatter_reduce_arg_deprecated_and_not_differentiable():
    for m in (torch, tc):
        x = m.zeros(3, requires_grad=True) * 1
        with pytest.warns(UserWarning, match="deprecated"):
            y = m.scatter(x, 0, m.tensor([0, 0]), m.ones(2), reduce="add")
        assert y.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
            y.sum().backward()
    t = torch.scatter(torch.full((3,), 2.0), 0, torch.tensor([0, 0]), 3.0, reduce="multiply")
    o = tc.scatter(tc.full((3,), 2.0), 0, tc.tensor([0, 0]), 3.0, reduce="multiply")
    _close(o, t)


def test_meshgrid_and_where_warnings():
    for m in (torch, tc):
        with pytest.warns(UserWarning, match="indexing argument"):
            m.meshgrid(m.ones(2), m.ones(3))
        with pytest.warns(UserWarning, match="uint8 condition"):
            m.where(m.tensor([1, 0], dtype=m.uint8), 1.0, 2.0)


# ---- index_put: x[adv] = v ----------------------------------------------------------------------

def _put_case(m, kind, x, v):
    if kind == "dup_rows":
        return (m.tensor([0, 2, 0, 0]),)
    if kind == "pairs":
        return m.tensor([0, 2, 2, -1]), m.tensor([1, 3, 3, 0])
    if kind == "mask":
        return (m.tensor(np.asarray(x.detach()) > 0),)
    if kind == "row_mask":
        return (m.tensor([True, False, True]),)
    if kind == "int32":
        return (m.tensor([1, -1], dtype=m.int32),)
    if kind == "mask_and_index":
        return m.tensor([True, False, True]), m.tensor([3, 0])
    raise KeyError(kind)


@pytest.mark.parametrize("kind,vshape", [("dup_rows", (4,)), ("dup_rows", ()), ("dup_rows", (4, 1)),
                                          ("pairs", ()), ("pairs", (4,)), ("mask", ()), ("row_mask", (4,)),
                                          ("row_mask", (2, 4)), ("int32", (2, 1)), ("mask_and_index", (2,))])
@pytest.mark.parametrize("accumulate", [True, False])
def test_index_put(kind, vshape, accumulate):
    xa, va = _arr((3, 4)), _arr(vshape)
    if not accumulate and kind in ("dup_rows", "pairs"):
        # duplicate writes without accumulate are unordered in torch: compare with unique targets
        va = np.full(vshape, 0.5, np.float32)
    grads = _arr((3, 4))
    results = []
    for m in (torch, tc):
        x = m.tensor(xa, requires_grad=True)
        v = m.tensor(va, requires_grad=True)
        y = m.index_put(x * 1, _put_case(m, kind, x, v), v, accumulate)
        y.backward(m.tensor(grads))
        results.append((y, x.grad, v.grad))
    for o, t in zip(results[1], results[0]):
        _close(o, t)


def test_index_put_inplace_on_non_leaf():
    xa, va = _arr((4, 5)), _arr((2, 5))
    for accumulate in (False, True):
        out = []
        for m in (torch, tc):
            x = m.tensor(xa, requires_grad=True)
            v = m.tensor(va, requires_grad=True)
            y = x * 2
            assert y.index_put_((m.tensor([3, 1]),), v, accumulate=accumulate) is y
            (y * y).sum().backward()
            out.append((y, x.grad, v.grad))
        for o, t in zip(out[1], out[0]):
            _close(o, t)


def test_index_put_accumulate_integer_duplicates():
    t = torch.zeros(3, dtype=torch.long).index_put_((torch.tensor([0, 0, 1, 0]),), torch.tensor([1, 2, 3, 4]),
                                                    accumulate=True)
    o = tc.zeros(3, dtype=tc.long).index_put_((tc.tensor([0, 0, 1, 0]),), tc.tensor([1, 2, 3, 4]),
                                              accumulate=True)
    _close(o, t)


# ---- in-place forms ---------------------------------------------------------------------------------

def _idx(m, a):
    return m.tensor(np.asarray(a, np.int64))


INPLACE = {
    "scatter_": lambda m, y, s: y.scatter_(1, _idx(m, [[2, 0, 1], [0, 1, 3]]), s[:2, :3]),
    "scatter_ value": lambda m, y, s: y.scatter_(0, _idx(m, [[2, 0, 1, 1]]), -1.5),
    "scatter_add_": lambda m, y, s: y.scatter_add_(1, _idx(m, [[2, 2, 1], [0, 0, 0]]), s[:2, :3]),
    "scatter_reduce_ amax": lambda m, y, s: y.scatter_reduce_(0, _idx(m, [[0, 1, 0, 2], [0, 0, 0, 2]]),
                                                              s[:2], "amax", include_self=False),
    "scatter_reduce_ mean": lambda m, y, s: y.scatter_reduce_(1, _idx(m, [[0, 0, 3, 3], [1, 1, 1, 2]]),
                                                              s[:2], "mean"),
    "index_add_": lambda m, y, s: y.index_add_(0, _idx(m, [2, 2]), s[:2], alpha=-0.5),
    "index_copy_": lambda m, y, s: y.index_copy_(1, _idx(m, [3, 0]), s[:, :2]),
    "index_fill_": lambda m, y, s: y.index_fill_(1, _idx(m, [1, 1, 3]), s[0, 0]),
    "masked_fill_": lambda m, y, s: y.masked_fill_(s > 0, 2.0),
    "masked_fill_ tensor": lambda m, y, s: y.masked_fill_(s[0] > 0, s[1, 1]),
    "masked_scatter_": lambda m, y, s: y.masked_scatter_(s > 0, s * 3),
    "put_": lambda m, y, s: y.put_(_idx(m, [0, 5, -1]), s[0, :3]),
    "put_ accumulate": lambda m, y, s: y.put_(_idx(m, [0, 0, -1]), s[0, :3], accumulate=True),
    "clamp_": lambda m, y, s: y.clamp_(-0.5, 0.5),
    "clip_ tensors": lambda m, y, s: y.clip_(s[0] - 1, s[1]),
    "clamp_min_": lambda m, y, s: y.clamp_min_(s),
    "clamp_max_": lambda m, y, s: y.clamp_max_(0.25),
    "lerp_": lambda m, y, s: y.lerp_(s, 0.7),
    "lerp_ tensor weight": lambda m, y, s: y.lerp_(s, s[0].sigmoid()),
    "addcmul_": lambda m, y, s: y.addcmul_(s, s[0], value=-2),
    "addcdiv_": lambda m, y, s: y.addcdiv_(s, s.exp(), value=0.5),
    "nan_to_num_": lambda m, y, s: y.nan_to_num_(nan=1.0),
    "tril_": lambda m, y, s: y.tril_(1),
    "triu_": lambda m, y, s: y.triu_(-1),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_forms(name):
    xa, sa = _arr((3, 4)), _arr((3, 4))
    results = []
    for m in (torch, tc):
        x = m.tensor(xa, requires_grad=True)
        s = m.tensor(sa, requires_grad=True)
        y = x * 1
        r = INPLACE[name](m, y, s)
        assert r is y
        (y * m.tensor(sa)).sum().backward()
        results.append((y, x.grad, s.grad))
    for o, t in zip(results[1], results[0]):
        _close(o, t)


def test_inplace_result_type_refused():
    for m in (torch, tc):
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            m.arange(4).clamp_(min=1.5)


def test_inplace_on_leaf_refused():
    for m in (torch, tc):
        x = m.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.clamp_(0, 1)


def test_top_level_inplace_functions():
    for name, args in (("clamp_", (-0.5, 0.5)), ("clip_", (-0.5, 0.5)), ("clamp_min_", (0.1,)),
                       ("clamp_max_", (0.1,)), ("nan_to_num_", ())):
        t = torch.tensor(X34 / 6 - 1)
        o = tc.tensor(X34 / 6 - 1)
        assert getattr(tc, name)(o, *args) is o
        getattr(torch, name)(t, *args)
        _close(o, t)


# ---- split / chunk / unbind pieces are views ------------------------------------------------------

@pytest.mark.parametrize("split", [lambda x: x.split(2, 1), lambda x: x.chunk(2, 0),
                                   lambda x: x.tensor_split([1, 3], 1), lambda x: x.split([1, 3], 1)])
def test_split_pieces_are_views(split):
    for m in (torch, tc):
        x = m.tensor(X34.copy())
        pieces = split(x)
        pieces[0].fill_(-1.0)
        assert float(x[0, 0]) == -1.0, f"{m.__name__}: writing a piece must write the base"
        assert pieces[0]._version == x._version
    a, b = tc.tensor(X34.copy()), torch.tensor(X34.copy())
    for o, t in zip(tc.chunk(a, 3, 1), torch.chunk(b, 3, 1)):
        o.mul_(2)
        t.mul_(2)
    _close(a, b)


def test_split_gradients_flow_to_input():
    xa = _arr((4, 6))
    grads = []
    for m in (torch, tc):
        x = m.tensor(xa, requires_grad=True)
        a, b, c = m.tensor_split(x, 3, dim=1)
        (a * 2 + c.exp()).sum().backward()
        grads.append(x.grad)
    _close(grads[1], grads[0])


# ---- second derivatives (create_graph through the ops' own backward) ---------------------------------

def _gi(m):
    return _idx(m, [[0, 2, 2, 1], [1, 1, 0, 2]])


DOUBLE = {
    "gather": ([(3, 4)], lambda m, x: m.gather(x, 0, _gi(m)) ** 2),
    "scatter": ([(3, 4), (2, 4)], lambda m, x, s: m.scatter(x, 0, _idx(m, [[0, 2, 1, 1], [1, 1, 0, 2]]), s) ** 2),
    "scatter_add": ([(3, 4), (2, 4)], lambda m, x, s: m.scatter_add(x, 0, _gi(m), s * s)),
    "scatter_reduce sum": ([(3, 4), (2, 4)], lambda m, x, s: m.scatter_reduce(x, 0, _gi(m), s, "sum") ** 2),
    "scatter_reduce mean": ([(3, 4), (2, 4)],
                            lambda m, x, s: m.scatter_reduce(x, 0, _gi(m), s, "mean", include_self=False) ** 2),
    "scatter_reduce prod": ([(3, 4), (2, 4)], lambda m, x, s: m.scatter_reduce(x, 0, _gi(m), s, "prod")),
    "scatter_reduce amax": ([(3, 4), (2, 4)], lambda m, x, s: m.scatter_reduce(x, 0, _gi(m), s, "amax") ** 2),
    "index_select": ([(3, 4)], lambda m, x: m.index_select(x, 1, _idx(m, [3, 3, 0])) ** 2),
    "index_add": ([(3, 4), (3, 2)], lambda m, x, s: m.index_add(x, 1, _idx(m, [3, 3]), s * s, alpha=2)),
    "index_copy": ([(3, 4), (3, 2)], lambda m, x, s: m.index_copy(x * x, 1, _idx(m, [3, 0]), s * s)),
    "index_fill": ([(3, 4), ()], lambda m, x, v: m.index_fill(x * x, 1, _idx(m, [1, 1]), v * v)),
    "index_put": ([(3, 4), (4,)], lambda m, x, v: m.index_put(x * x, (_idx(m, [0, 0, 2]),), v * v, True)),
    "masked_fill": ([(3, 4), ()], lambda m, x, v: m.masked_fill(x * x, x > 0, v * v)),
    "masked_scatter": ([(3, 4), (12,)], lambda m, x, s: m.masked_scatter(x * x, x > 0, s * s)),
    "masked_select": ([(3, 4)], lambda m, x: m.masked_select(x, x > 0) ** 2),
    "take": ([(3, 4)], lambda m, x: m.take(x, _idx(m, [[0, -1], [0, 5]])) ** 2),
    "put": ([(3, 4), (3,)], lambda m, x, s: m.put(x * x, _idx(m, [0, 0, 7]), s * s, accumulate=True)),
    "take_along_dim": ([(3, 4)], lambda m, x: m.take_along_dim(x, _idx(m, [[0], [3], [1]]), 1) ** 2),
    "where": ([(3, 4), (4,)], lambda m, x, y: m.where(x > 0, x * x, y * y)),
    "clamp": ([(3, 4)], lambda m, x: m.clamp(x * x, 0.5, 2.0) ** 2),
    "clamp tensors": ([(3, 4), (4,)], lambda m, x, lo: m.clamp(x * x, lo * lo, None) ** 2),
    "lerp": ([(3, 4), (3, 4), (4,)], lambda m, x, e, w: m.lerp(x * x, e, w * w)),
    "addcmul": ([(3, 4), (3, 4), (4,)], lambda m, x, a, b: m.addcmul(x, a * a, b, value=3)),
    "addcdiv": ([(3, 4), (3, 4), (4,)], lambda m, x, a, b: m.addcdiv(x, a * a, b.exp(), value=3)),
    "nan_to_num": ([(3, 4)], lambda m, x: m.nan_to_num(x * x)),
    "tril": ([(3, 4)], lambda m, x: m.tril(x, 1) ** 2),
    "diag": ([(3, 4)], lambda m, x: m.diag(x, 1) ** 2),
    "diag_embed": ([(2, 3)], lambda m, x: m.diag_embed(x, -1) ** 2),
    "flip": ([(3, 4)], lambda m, x: m.flip(x, (0, 1)) ** 2),
    "roll": ([(3, 4)], lambda m, x: m.roll(x, (1, -1), (0, 1)) ** 2),
    "repeat": ([(3, 4)], lambda m, x: (x ** 2).repeat(2, 1, 3)),
    "repeat_interleave": ([(3, 4)], lambda m, x: m.repeat_interleave(x, _idx(m, [1, 0, 3]), dim=0) ** 2),
    "cat": ([(3, 4), (0,), (3, 2)], lambda m, x, e, y: m.cat([x * x, e, y], 1) ** 2),
    "stack": ([(3, 4), (3, 4)], lambda m, x, y: m.stack([x * x, y], 1) ** 2),
    "block_diag": ([(2, 3), (3,)], lambda m, x, y: m.block_diag(x * x, y) ** 2),
    "split": ([(4, 6)], lambda m, x: m.stack(m.split(x * x, 2, 1), 0) ** 2),
}


def _fixed(shape, seed):
    """The same float64 values for both libraries (upstream gradients, weights)."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)


@pytest.mark.parametrize("name", sorted(DOUBLE))
def test_second_derivative(name):
    shapes, fn = DOUBLE[name]
    arrays = [_arr(s, "float64") for s in shapes]
    results = []
    for m in (torch, tc):
        xs = [m.tensor(a, requires_grad=True) for a in arrays]
        out = fn(m, *xs)
        v = m.tensor(_fixed(tuple(out.shape), 1), requires_grad=True)
        firsts = m.autograd.grad(out, xs, v, create_graph=True, allow_unused=True)
        total = sum((g * m.tensor(_fixed(tuple(g.shape), 2 + i))).sum()
                    for i, g in enumerate(firsts) if g is not None)
        seconds = m.autograd.grad(total, xs + [v], allow_unused=True)
        results.append((firsts, seconds))
    (t_first, t_second), (o_first, o_second) = results
    for o, t in zip(o_first, t_first):
        _close(o, t, 1e-7, 1e-7)
    for o, t in zip(o_second, t_second):
        _close(o, t, 1e-7, 1e-7)


# ---- grad_fn names ----------------------------------------------------------------------------------

GRAD_FN = {
    "GatherBackward0": lambda m, x: m.gather(x, 1, _idx(m, [[0]])),
    "ScatterBackward0": lambda m, x: m.scatter(x, 1, _idx(m, [[0]]), x[:1, :1]),
    "ScatterBackward1": lambda m, x: m.scatter(x, 1, _idx(m, [[0]]), 1.0),
    "ScatterAddBackward0": lambda m, x: m.scatter_add(x, 1, _idx(m, [[0]]), x[:1, :1]),
    "ScatterReduceBackward0": lambda m, x: m.scatter_reduce(x, 1, _idx(m, [[0]]), x[:1, :1], "sum"),
    "IndexSelectBackward0": lambda m, x: m.index_select(x, 1, _idx(m, [0])),
    "IndexAddBackward0": lambda m, x: m.index_add(x, 1, _idx(m, [0]), x[:, :1]),
    "IndexCopyBackward0": lambda m, x: m.index_copy(x, 1, _idx(m, [0]), x[:, :1]),
    "IndexFillBackward0": lambda m, x: m.index_fill(x, 1, _idx(m, [0]), 1.0),
    "IndexFillBackward1": lambda m, x: m.index_fill(x, 1, _idx(m, [0]), x[0, 0]),
    "IndexPutBackward0": lambda m, x: m.index_put(x, (_idx(m, [0]),), x[0]),
    "MaskedFillBackward0": lambda m, x: m.masked_fill(x, x > 0, 1.0),
    "MaskedFillBackward1": lambda m, x: m.masked_fill(x, x > 0, x[0, 0]),
    "MaskedScatterBackward0": lambda m, x: m.masked_scatter(x, x > 0, x),
    "MaskedSelectBackward0": lambda m, x: m.masked_select(x, x > 0),
    "TakeBackward0": lambda m, x: m.take(x, _idx(m, [0])),
    "PutBackward0": lambda m, x: m.put(x, _idx(m, [0]), x[0, :1]),
    "WhereBackward0": lambda m, x: m.where(x > 0, x, 0.0),
    "ClampBackward1": lambda m, x: m.clamp(x, 0, 1),
    "ClampBackward0": lambda m, x: m.clamp(x, x[0], x[1]),
    "ClampMinBackward0": lambda m, x: m.clamp_min(x, 0),
    "ClampMinBackward1": lambda m, x: m.clamp_min(x, x[0]),
    "ClampMaxBackward0": lambda m, x: m.clamp_max(x, 0),
    "ClampMaxBackward1": lambda m, x: m.clamp_max(x, x[0]),
    "LerpBackward0": lambda m, x: m.lerp(x, x, 0.5),
    "LerpBackward1": lambda m, x: m.lerp(x, x, x),
    "AddcmulBackward0": lambda m, x: m.addcmul(x, x, x),
    "AddcdivBackward0": lambda m, x: m.addcdiv(x, x, x),
    "NanToNumBackward0": lambda m, x: m.nan_to_num(x),
    "TrilBackward0": lambda m, x: m.tril(x),
    "TriuBackward0": lambda m, x: m.triu(x),
    "DiagEmbedBackward0": lambda m, x: m.diag(x[0]),
    "DiagonalBackward0_copy": lambda m, x: m.diag(x),
    "FlipBackward0": lambda m, x: m.fliplr(x),
    "RollBackward0": lambda m, x: m.roll(x, 1),
    "RepeatBackward0": lambda m, x: m.tile(x, (2,)),
    "CatBackward0": lambda m, x: m.hstack([x, x]),
    "StackBackward0": lambda m, x: m.stack([x, x]),
    "BlockDiagBackward0": lambda m, x: m.block_diag(x, x),
    "ExpandBackward0": lambda m, x: m.broadcast_to(x, (2, 3, 4)),
}


@pytest.mark.parametrize("name", sorted(GRAD_FN))
def test_grad_fn_name(name):
    for m in (torch, tc):
        x = m.tensor(X34 - 5, requires_grad=True) * 1
        assert GRAD_FN[name](m, x).grad_fn.name() == name, m.__name__


# ---- semantics the shared battery does not reach ------------------------------------------------

def test_where_single_argument_and_scalars():
    c = X34 % 3 == 0
    for t, o in zip(torch.where(torch.tensor(c)), tc.where(tc.tensor(c))):
        _close(o, t)
    for a, b in ((1.0, 0.0), (1, 0), (True, 0), (1.5, torch.tensor([1, 2, 3, 4]))):
        ob = tc.tensor(b.numpy()) if isinstance(b, torch.Tensor) else b
        _close(tc.where(tc.tensor(c), a, ob), torch.where(torch.tensor(c), a, b))
    t = torch.where(torch.tensor(c), torch.tensor(X34), torch.tensor(2.5, dtype=torch.float64))
    o = tc.where(tc.tensor(c), tc.tensor(X34), tc.tensor(2.5, dtype=tc.float64))
    _close(o, t)
    _close(tc.tensor(X34).where(tc.tensor(c), -1.0), torch.tensor(X34).where(torch.tensor(c), -1.0))


def test_clamp_promotion_and_boundaries():
    ints = np.arange(-3, 4)
    _close(tc.clamp(tc.tensor(ints), min=0.5), torch.clamp(torch.tensor(ints), min=0.5))
    _close(tc.clamp(tc.tensor(ints, dtype=tc.int32), max=1), torch.clamp(torch.tensor(ints, dtype=torch.int32), max=1))
    _close(tc.clamp(tc.tensor([True, False]), min=0), torch.clamp(torch.tensor([True, False]), min=0))
    _close(tc.clamp(tc.tensor([1, 5], dtype=tc.uint8), min=-1), torch.clamp(torch.tensor([1, 5], dtype=torch.uint8), min=-1))
    nan = [1.0, float("nan"), -2.0]
    _close(tc.clamp(tc.tensor(nan), -1, 0.5), torch.clamp(torch.tensor(nan), -1, 0.5))
    _close(tc.clamp(tc.tensor(nan), min=float("nan")), torch.clamp(torch.tensor(nan), min=float("nan")))
    # the gradient passes at the bounds themselves (min <= x <= max inclusive), and min > max gives max
    for lo, hi in ((-1.0, 1.0), (1.0, -1.0)):
        grads = []
        for m in (torch, tc):
            x = m.tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
            m.clamp(x, lo, hi).sum().backward()
            grads.append(x.grad)
        _close(grads[1], grads[0])
    grads = []
    for m in (torch, tc):
        x = m.tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
        lo = m.tensor([-1.0, 1.0, 0.0, 3.0], requires_grad=True)
        hi = m.tensor([0.0, 0.5, 1.0, 2.5], requires_grad=True)
        m.clamp(x, lo, hi).sum().backward()
        grads.append((x.grad, lo.grad, hi.grad))
    for o, t in zip(grads[1], grads[0]):
        _close(o, t)


def test_scatter_reduce_ties_and_include_self():
    x = np.array([5.0, 2.0, 3.0, 1.0], np.float32)
    s = np.array([5.0, 5.0, 1.0, 4.0, 0.0], np.float32)
    idx = np.array([0, 0, 1, 2, 3])
    for reduce in ("amax", "amin", "prod", "mean", "sum"):
        for include_self in (True, False):
            res = []
            for m in (torch, tc):
                xt = m.tensor(x, requires_grad=True)
                st = m.tensor(s, requires_grad=True)
                y = m.scatter_reduce(xt, 0, m.tensor(idx), st, reduce, include_self=include_self)
                y.backward(m.tensor([1.0, 2.0, 3.0, 4.0]))
                res.append((y, xt.grad, st.grad))
            for o, t in zip(res[1], res[0]):
                _close(o, t)
    t = torch.scatter_reduce(torch.tensor([-1, 2, 3]), 0, torch.tensor([0, 0, 1]), torch.tensor([-4, 4, 4]), "mean")
    o = tc.scatter_reduce(tc.tensor([-1, 2, 3]), 0, tc.tensor([0, 0, 1]), tc.tensor([-4, 4, 4]), "mean")
    _close(o, t)


def test_cat_legacy_empty_and_promotion():
    cases = [lambda m: m.cat([m.zeros(0), m.ones(2, 3)], 1),
             lambda m: m.cat([m.zeros(0, dtype=m.float64), m.ones(2, 3)], 1),
             lambda m: m.cat([m.zeros(0), m.zeros(0)]),
             lambda m: m.cat([m.ones(2, dtype=m.int32), m.ones(2, dtype=m.bool)]),
             lambda m: m.cat([m.ones(2, 3), m.zeros(0), m.ones(2, 1)], -1),
             lambda m: m.concat((m.ones(2), m.zeros(3))),
             lambda m: m.concatenate((m.ones(2, 1), m.zeros(2, 2)), axis=1)]
    for case in cases:
        _close(case(tc), case(torch))


def test_nonzero_forms():
    for a in (np.array(1.0), np.array(0.0), np.zeros((0, 3)), X34 % 3 == 0, np.array([[0, 1], [2, 0]])):
        _close(tc.nonzero(tc.tensor(a)), torch.nonzero(torch.tensor(a)))
        _close(tc.argwhere(tc.tensor(a)), torch.argwhere(torch.tensor(a)))
        ours, theirs = tc.nonzero(tc.tensor(a), as_tuple=True), torch.nonzero(torch.tensor(a), as_tuple=True)
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _close(o, t)


def test_repeat_interleave_forms():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    cases = [lambda m: m.repeat_interleave(m.tensor([1, 0, 3])),
             lambda m: m.repeat_interleave(m.tensor([1, 2], dtype=m.int32)),
             lambda m: m.repeat_interleave(m.tensor(x), 2),
             lambda m: m.repeat_interleave(m.tensor(x), m.tensor([2]), dim=1),
             lambda m: m.repeat_interleave(m.tensor(x), m.tensor([1, 2]), dim=0, output_size=3),
             lambda m: m.tensor(x).repeat_interleave(3, dim=-1),
             lambda m: m.repeat_interleave(m.tensor(2.0), 3)]
    for case in cases:
        _close(case(tc), case(torch))


def test_methods_and_varargs():
    x = X34
    pairs = [lambda m: m.tensor(x).flip(0, 1), lambda m: m.tensor(x).flip([1]),
             lambda m: m.tensor(x).tile(2, 1), lambda m: m.tensor(x).tile((2,)),
             lambda m: m.tensor(x).repeat((2, 1, 1)), lambda m: m.tensor(x).clip(max=3),
             lambda m: m.tensor(x).take(m.tensor([0, -1])), lambda m: m.tensor(x).diag(),
             lambda m: m.tensor(x).index_select(0, m.tensor([2])), lambda m: m.tensor(x).masked_select(m.tensor(x) > 4),
             lambda m: m.tensor(x).broadcast_to((2, 3, 4)), lambda m: m.tensor(x).nan_to_num(),
             lambda m: m.tensor(x).fliplr(), lambda m: m.tensor(x).roll(1, 0),
             lambda m: m.tensor([1, 1, 3]).bincount(),
             lambda m: m.tensor(x).histc(4)]
    for fn in pairs:
        _close(fn(tc), fn(torch))


def test_stack_family_shapes():
    for fn in ("hstack", "vstack", "dstack", "column_stack", "row_stack"):
        for shapes in (((3,), (3,)), ((), ()), ((2, 3), (2, 3)), ((3,), (3, 1)) if fn == "column_stack" else ((2, 3),)):
            arrays = [_arr(s) for s in shapes]
            try:
                t = getattr(torch, fn)([torch.tensor(a) for a in arrays])
            except RuntimeError:
                with pytest.raises(RuntimeError):
                    getattr(tc, fn)([tc.tensor(a) for a in arrays])
                continue
            _close(getattr(tc, fn)([tc.tensor(a) for a in arrays]), t)
    for fn in ("atleast_1d", "atleast_2d", "atleast_3d"):
        for a in (_arr(()), _arr((3,)), _arr((2, 3)), _arr((1, 2, 3, 1))):
            _close(getattr(tc, fn)(tc.tensor(a)), getattr(torch, fn)(torch.tensor(a)))
        ours = getattr(tc, fn)([tc.tensor(1.0), tc.ones(2)])
        assert isinstance(ours, tuple) and len(ours) == 2


def test_meshgrid_cartesian_prod_block_diag():
    a, b, c = _arr((2,)), _arr((3,)), _arr((4,))
    for indexing in ("ij", "xy"):
        for arrays in ((a, b), (a, b, c), (a,), (np.array(1.5, np.float32), b)):
            ours = tc.meshgrid(*[tc.tensor(x) for x in arrays], indexing=indexing)
            theirs = torch.meshgrid(*[torch.tensor(x) for x in arrays], indexing=indexing)
            for o, t in zip(ours, theirs):
                _close(o, t)
    _close(tc.cartesian_prod(tc.tensor(a), tc.tensor(b), tc.tensor(c)),
           torch.cartesian_prod(torch.tensor(a), torch.tensor(b), torch.tensor(c)))
    _close(tc.block_diag(), torch.block_diag())
    _close(tc.block_diag(tc.ones(2, dtype=tc.int32), tc.ones(1, dtype=tc.long), tc.zeros(0, 2)),
           torch.block_diag(torch.ones(2, dtype=torch.int32), torch.ones(1, dtype=torch.long), torch.zeros(0, 2)))


def test_searchsorted_and_bucketize_forms():
    seq = np.array([[1.0, 3.0, 5.0, 7.0], [2.0, 2.0, 4.0, 8.0]], np.float32)
    vals = np.array([[0.0, 2.0, 7.0], [2.0, 9.0, 4.0]], np.float32)
    for kw in ({}, {"right": True}, {"side": "right"}, {"out_int32": True}):
        _close(tc.searchsorted(tc.tensor(seq), tc.tensor(vals), **kw),
               torch.searchsorted(torch.tensor(seq), torch.tensor(vals), **kw))
        _close(tc.searchsorted(tc.tensor(seq[0]), 5, **kw), torch.searchsorted(torch.tensor(seq[0]), 5, **kw))
    unsorted = np.array([3.0, 1.0, 2.0], np.float32)
    _close(tc.searchsorted(tc.tensor(unsorted), tc.tensor(vals), sorter=tc.tensor([1, 2, 0])),
           torch.searchsorted(torch.tensor(unsorted), torch.tensor(vals), sorter=torch.tensor([1, 2, 0])))
    _close(tc.bucketize(3, tc.tensor(seq[0]), right=True), torch.bucketize(3, torch.tensor(seq[0]), right=True))
    _close(tc.bucketize(tc.arange(6), tc.tensor([1.5, 2.5])), torch.bucketize(torch.arange(6), torch.tensor([1.5, 2.5])))


def test_histc_and_bincount():
    data = np.concatenate([_arr((50,), "float64"), [2.0, -2.0, 5.0]])
    for args in ((), (7,), (4, -1.0, 1.0), (3, 0.5, 0.5)):
        _close(tc.histc(tc.tensor(data), *args), torch.histc(torch.tensor(data), *args))
    # NaN elements are skipped inside an explicit range (torch's own min/max of NaN data is unstable)
    data[3] = np.nan
    _close(tc.histc(tc.tensor(data), 5, -1.0, 1.0), torch.histc(torch.tensor(data), 5, -1.0, 1.0))
    _close(tc.histc(tc.ones(5), bins=4), torch.histc(torch.ones(5), bins=4))
    _close(tc.histc(tc.zeros(0), bins=3), torch.histc(torch.zeros(0), bins=3))
    ints = RNG.integers(0, 6, 30)
    for w in (None, np.linspace(0, 1, 30).astype(np.float32), np.ones(30, np.int32)):
        _close(tc.bincount(tc.tensor(ints), None if w is None else tc.tensor(w), minlength=8),
               torch.bincount(torch.tensor(ints), None if w is None else torch.tensor(w), minlength=8))
    _close(tc.bincount(tc.tensor(ints, dtype=tc.uint8)), torch.bincount(torch.tensor(ints, dtype=torch.uint8)))


def test_take_along_dim_wraps_along_dim():
    idx = np.array([[5], [-1], [-5]])
    _close(tc.take_along_dim(tc.tensor(X34), tc.tensor(idx), 1), torch.take_along_dim(torch.tensor(X34), torch.tensor(idx), 1))
    _close(tc.take_along_dim(tc.tensor(X34), tc.tensor([[0, 3]]), -1),
           torch.take_along_dim(torch.tensor(X34), torch.tensor([[0, 3]]), -1))


def test_masked_ops_broadcast_and_value_types():
    m = X34 % 2 == 0
    _close(tc.masked_fill(tc.arange(4), tc.arange(4) > 1, 2.5), torch.masked_fill(torch.arange(4), torch.arange(4) > 1, 2.5))
    _close(tc.masked_fill(tc.zeros(3, dtype=tc.uint8), tc.ones(3, dtype=tc.bool), -200),
           torch.masked_fill(torch.zeros(3, dtype=torch.uint8), torch.ones(3, dtype=torch.bool), -200))
    _close(tc.masked_fill(tc.tensor(X34[0]), tc.tensor(m), tc.tensor(2, dtype=tc.float64)),
           torch.masked_fill(torch.tensor(X34[0]), torch.tensor(m), torch.tensor(2, dtype=torch.float64)))
    _close(tc.masked_scatter(tc.tensor(X34[0]), tc.tensor(m), tc.arange(20.0)),
           torch.masked_scatter(torch.tensor(X34[0]), torch.tensor(m), torch.arange(20.0)))
    _close(tc.masked_select(tc.tensor(X34[0]), tc.tensor(m)), torch.masked_select(torch.tensor(X34[0]), torch.tensor(m)))
