"""Matrix products, einsum and torch.linalg against real torch: what the shared parity battery
(test_op_parity.py) does not reach: error types and messages, every matmul path's grad_fn,
einsum's equation forms, second derivatives, singular inputs and the forward-only refusals."""
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc
import torsh_compat.linalg  # noqa: F401  (explicit until the package imports these itself)
import torsh_compat.ops.linalg  # noqa: F401

tc._export_ops()
RNG = np.random.default_rng(7)


def arr(*shape, dtype=np.float32, lo=-1.0, hi=1.0):
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(-4, 5, size=shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return RNG.random(shape) > 0.5
    return RNG.uniform(lo, hi, size=shape).astype(dtype)


def pair(a, grad=False):
    """The same array as a torch tensor and a torsh_compat tensor (leaves)."""
    t, o = torch.from_numpy(a.copy()), tc.from_numpy(a.copy())
    if grad:
        t.requires_grad_(True)
        o.requires_grad_(True)
    return t, o


def close(ours, theirs, rtol=1.3e-6, atol=1e-5):
    assert str(ours.dtype) == str(theirs.dtype), (ours.dtype, theirs.dtype)
    assert tuple(ours.shape) == tuple(theirs.shape), (tuple(ours.shape), tuple(theirs.shape))
    torch.testing.assert_close(torch.from_numpy(np.array(ours.detach()._data)), theirs.detach(),
                               rtol=rtol, atol=atol, equal_nan=True)


def run_both(fn, arrays, grad=True):
    """fn(module, *tensors) in both libraries; forward and (float) gradients must agree."""
    ts, os_ = zip(*(pair(a, grad and a.dtype.kind == "f") for a in arrays))
    expected = fn(torch, *ts)
    got = fn(tc, *os_)
    close(got, expected)
    if grad and expected.requires_grad:
        g = arr(*expected.shape, dtype=str(expected.dtype).replace("torch.", ""))
        expected.backward(torch.from_numpy(g.copy()))
        got.backward(tc.from_numpy(g.copy()))
        for o, t in zip(os_, ts):
            if t.grad is not None:
                close(o.grad, t.grad)
    return got, expected


# ---- error types and messages ------------------------------------------------------------------

F, D, L = np.float32, np.float64, np.int64
ERRORS = {
    "matmul dtypes 2d": lambda m: m.matmul(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, 4, dtype=D))),
    "matmul dtypes 2d rev": lambda m: m.matmul(m.from_numpy(arr(2, 3, dtype=D)), m.from_numpy(arr(3, 4))),
    "matmul int/float": lambda m: m.matmul(m.from_numpy(arr(2, 3, dtype=L)), m.from_numpy(arr(3, 2))),
    "matmul int32/int64": lambda m: m.matmul(m.from_numpy(arr(2, 3, dtype=np.int32)),
                                             m.from_numpy(arr(3, 2, dtype=L))),
    "matmul dot dtypes": lambda m: m.matmul(m.from_numpy(arr(3)), m.from_numpy(arr(3, dtype=D))),
    "matmul mv dtypes": lambda m: m.matmul(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, dtype=D))),
    "matmul mv dtypes rev": lambda m: m.matmul(m.from_numpy(arr(2, 3, dtype=D)), m.from_numpy(arr(3))),
    "matmul vm dtypes": lambda m: m.matmul(m.from_numpy(arr(3)), m.from_numpy(arr(3, 2, dtype=D))),
    "matmul bmm dtypes": lambda m: m.matmul(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(2, 3, 2, dtype=D))),
    "matmul folded dtypes": lambda m: m.matmul(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(3, 2, dtype=D))),
    "matmul bool": lambda m: m.matmul(m.from_numpy(arr(2, 3, dtype=bool)), m.from_numpy(arr(3, 2, dtype=bool))),
    "matmul 0d": lambda m: m.matmul(m.from_numpy(arr()), m.from_numpy(arr(3))),
    "matmul 0d right": lambda m: m.matmul(m.from_numpy(arr(3)), m.from_numpy(arr())),
    "matmul shapes 2d": lambda m: m.matmul(m.from_numpy(arr(2, 3)), m.from_numpy(arr(4, 5))),
    "matmul shapes dot": lambda m: m.matmul(m.from_numpy(arr(3)), m.from_numpy(arr(4))),
    "matmul shapes mv": lambda m: m.matmul(m.from_numpy(arr(2, 3)), m.from_numpy(arr(4))),
    "matmul shapes vm": lambda m: m.matmul(m.from_numpy(arr(3)), m.from_numpy(arr(4, 5))),
    "matmul shapes bmm": lambda m: m.matmul(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(2, 4, 5))),
    "matmul batch broadcast": lambda m: m.matmul(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(3, 3, 5))),
    "matmul shapes folded": lambda m: m.matmul(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(4, 5))),
    "matmul shapes folded mv": lambda m: m.matmul(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(4))),
    "matmul shapes 1d3d": lambda m: m.matmul(m.from_numpy(arr(3)), m.from_numpy(arr(2, 4, 5))),
    "matmul list": lambda m: m.matmul(m.from_numpy(arr(3)), [1.0, 2.0, 3.0]),
    "mm 1d": lambda m: m.mm(m.from_numpy(arr(3)), m.from_numpy(arr(3, 2))),
    "mm 1d right": lambda m: m.mm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3))),
    "mm shapes": lambda m: m.mm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(4, 2))),
    "mm dtypes": lambda m: m.mm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, 2, dtype=D))),
    "bmm 2d": lambda m: m.bmm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(2, 3, 2))),
    "bmm 2d right": lambda m: m.bmm(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(3, 2))),
    "bmm batch": lambda m: m.bmm(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(3, 3, 2))),
    "bmm inner": lambda m: m.bmm(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(2, 4, 2))),
    "bmm dtypes": lambda m: m.bmm(m.from_numpy(arr(2, 2, 3)), m.from_numpy(arr(2, 3, 2, dtype=D))),
    "mv 1d": lambda m: m.mv(m.from_numpy(arr(3)), m.from_numpy(arr(3))),
    "mv 2d vec": lambda m: m.mv(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, 1))),
    "mv shapes": lambda m: m.mv(m.from_numpy(arr(2, 3)), m.from_numpy(arr(4))),
    "mv dtypes": lambda m: m.mv(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, dtype=D))),
    "dot 2d": lambda m: m.dot(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3))),
    "dot shapes": lambda m: m.dot(m.from_numpy(arr(3)), m.from_numpy(arr(4))),
    "dot dtypes": lambda m: m.dot(m.from_numpy(arr(3)), m.from_numpy(arr(3, dtype=D))),
    "dot bool": lambda m: m.dot(m.from_numpy(arr(3, dtype=bool)), m.from_numpy(arr(3, dtype=bool))),
    "vdot 2d": lambda m: m.vdot(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3))),
    "inner shapes": lambda m: m.inner(m.from_numpy(arr(2, 3)), m.from_numpy(arr(4))),
    "inner dtypes": lambda m: m.inner(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, dtype=D))),
    "outer 2d": lambda m: m.outer(m.from_numpy(arr(2, 2)), m.from_numpy(arr(3))),
    "outer 2d right": lambda m: m.outer(m.from_numpy(arr(2)), m.from_numpy(arr(3, 3))),
    "trace 3d": lambda m: m.trace(m.from_numpy(arr(2, 3, 4))),
    "trace bool": lambda m: m.trace(m.from_numpy(arr(3, 3, dtype=bool))),
    "addmm broadcast": lambda m: m.addmm(m.from_numpy(arr(2)), m.from_numpy(arr(2, 4)), m.from_numpy(arr(4, 3))),
    "addmm dtypes input": lambda m: m.addmm(m.from_numpy(arr(2, 3, dtype=D)), m.from_numpy(arr(2, 4)),
                                            m.from_numpy(arr(4, 3))),
    "addmm dtypes mat2": lambda m: m.addmm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(2, 4)),
                                           m.from_numpy(arr(4, 3, dtype=D))),
    "addmm shapes": lambda m: m.addmm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(2, 4)), m.from_numpy(arr(5, 3))),
    "addmv size": lambda m: m.addmv(m.from_numpy(arr(3)), m.from_numpy(arr(2, 4)), m.from_numpy(arr(4))),
    "addmv dtypes": lambda m: m.addmv(m.from_numpy(arr(2, dtype=D)), m.from_numpy(arr(2, 4)), m.from_numpy(arr(4))),
    "addbmm batches": lambda m: m.addbmm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(4, 2, 4)),
                                         m.from_numpy(arr(5, 4, 3))),
    "addbmm inner": lambda m: m.addbmm(m.from_numpy(arr(2, 3)), m.from_numpy(arr(5, 2, 4)),
                                       m.from_numpy(arr(5, 3, 3))),
    "addbmm dtypes": lambda m: m.addbmm(m.from_numpy(arr(2, 3, dtype=D)), m.from_numpy(arr(5, 2, 4)),
                                        m.from_numpy(arr(5, 4, 3))),
    "baddbmm broadcast": lambda m: m.baddbmm(m.from_numpy(arr(4, 2, 3)), m.from_numpy(arr(5, 2, 4)),
                                             m.from_numpy(arr(5, 4, 3))),
    "baddbmm dtypes": lambda m: m.baddbmm(m.from_numpy(arr(5, 2, 3, dtype=D)), m.from_numpy(arr(5, 2, 4)),
                                          m.from_numpy(arr(5, 4, 3))),
    "einsum dtypes": lambda m: m.einsum("ij,jk->ik", m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, 4, dtype=D))),
    "einsum fewer operands": lambda m: m.einsum("ij,jk->ik", m.from_numpy(arr(2, 3))),
    "einsum more operands": lambda m: m.einsum("ij->ij", m.from_numpy(arr(2, 3)), m.from_numpy(arr(2, 3))),
    "einsum ndim": lambda m: m.einsum("ij,jk->ik", m.from_numpy(arr(2, 3)), m.from_numpy(arr(3))),
    "einsum ellipsis ndim": lambda m: m.einsum("...ijk->i", m.from_numpy(arr(2, 3))),
    "einsum size": lambda m: m.einsum("ij,jk->ik", m.from_numpy(arr(2, 3)), m.from_numpy(arr(4, 4))),
    "einsum output unknown": lambda m: m.einsum("ij,jk->iz", m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, 4))),
    "einsum output repeated": lambda m: m.einsum("ij,jk->ii", m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, 4))),
    "einsum bad char": lambda m: m.einsum("i!->i", m.from_numpy(arr(3, 3))),
    "einsum two ellipses": lambda m: m.einsum("...i...->i", m.from_numpy(arr(3, 3))),
    "einsum second arrow": lambda m: m.einsum("ij->j->i", m.from_numpy(arr(3, 3))),
    "einsum repeated sizes": lambda m: m.einsum("ii->i", m.from_numpy(arr(3, 4))),
    "einsum no operand": lambda m: m.einsum("ij->ji"),
    "tensordot negative": lambda m: m.tensordot(m.from_numpy(arr(2, 3, 4)), m.from_numpy(arr(3, 5, 5)), dims=-1),
    "tensordot sizes": lambda m: m.tensordot(m.from_numpy(arr(2, 3, 4)), m.from_numpy(arr(3, 5, 5)), dims=2),
    "tensordot lengths": lambda m: m.tensordot(m.from_numpy(arr(2, 3, 4)), m.from_numpy(arr(4, 3, 5)),
                                               dims=([1, 2], [0])),
    "tensordot dtypes": lambda m: m.tensordot(m.from_numpy(arr(2, 3)), m.from_numpy(arr(3, 5, dtype=D)), dims=1),
    "tensordot int pair": lambda m: m.tensordot(m.from_numpy(arr(2, 3, 4)), m.from_numpy(arr(4, 3, 5)), dims=(2, 0)),
    "cross length": lambda m: m.cross(m.from_numpy(arr(4, 4)), m.from_numpy(arr(4, 4)), dim=1),
    "cross no size 3": lambda m: m.cross(m.from_numpy(arr(4, 4)), m.from_numpy(arr(4, 4))),
    "cross dtypes": lambda m: m.cross(m.from_numpy(arr(4, 3, dtype=L)), m.from_numpy(arr(4, 3)), dim=1),
    "cross ndim": lambda m: m.linalg.cross(m.from_numpy(arr(4, 3)), m.from_numpy(arr(3))),
    "linalg.cross length": lambda m: m.linalg.cross(m.from_numpy(arr(3, 4)), m.from_numpy(arr(3, 4))),
    "inv nonsquare": lambda m: m.linalg.inv(m.from_numpy(arr(2, 3))),
    "inv 1d": lambda m: m.linalg.inv(m.from_numpy(arr(3))),
    "inv int": lambda m: m.linalg.inv(m.from_numpy(arr(3, 3, dtype=L))),
    "inv half": lambda m: m.linalg.inv(m.from_numpy(arr(3, 3, dtype=np.float16))),
    "inv singular": lambda m: m.linalg.inv(m.zeros(3, 3)),
    "inv singular pivot 2": lambda m: m.linalg.inv(m.from_numpy(np.array([[1., 2.], [2., 4.]], np.float32))),
    "inv singular batch": lambda m: m.linalg.inv(m.from_numpy(np.stack([np.eye(3), np.zeros((3, 3))]))),
    "solve singular": lambda m: m.linalg.solve(m.zeros(3, 3), m.from_numpy(arr(3))),
    "solve shapes": lambda m: m.linalg.solve(m.from_numpy(arr(3, 3)), m.from_numpy(arr(4))),
    "solve dtypes": lambda m: m.linalg.solve(m.from_numpy(arr(3, 3)), m.from_numpy(arr(3, dtype=D))),
    "solve int": lambda m: m.linalg.solve(m.from_numpy(arr(3, 3, dtype=L)), m.from_numpy(arr(3, dtype=L))),
    "det nonsquare": lambda m: m.linalg.det(m.from_numpy(arr(2, 3))),
    "det int": lambda m: m.linalg.det(m.from_numpy(arr(3, 3, dtype=L))),
    "cholesky not pd": lambda m: m.linalg.cholesky(-m.eye(3)),
    "cholesky not pd order 2": lambda m: m.linalg.cholesky(
        m.from_numpy(np.array([[1., 2.], [2., 1.]], np.float32))),
    "cholesky not pd batch": lambda m: m.linalg.cholesky(
        m.from_numpy(np.stack([np.eye(3), -np.eye(3)]).astype(np.float32))),
    "qr mode": lambda m: m.linalg.qr(m.from_numpy(arr(4, 3)), mode="x"),
    "eigh UPLO": lambda m: m.linalg.eigh(m.from_numpy(arr(3, 3)), UPLO="X"),
    "matrix_power nonsquare": lambda m: m.linalg.matrix_power(m.from_numpy(arr(3, 2)), 2),
    "matrix_power int inverse": lambda m: m.linalg.matrix_power(m.from_numpy(arr(3, 3, dtype=L)), -1),
    "multi_dot one": lambda m: m.linalg.multi_dot([m.from_numpy(arr(3, 3))]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_matches_torch(name):
    fn = ERRORS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as theirs:
            fn(torch)
        with pytest.raises(Exception) as ours:
            fn(tc)
    expected_type = tc.linalg.LinAlgError if theirs.type is torch.linalg.LinAlgError else theirs.type
    assert isinstance(ours.value, expected_type), f"torch raises {theirs.type.__name__}, we {ours.type.__name__}"
    assert str(ours.value).split("\n")[0] == str(theirs.value).split("\n")[0]


def test_linalg_error_is_runtime_error():
    assert issubclass(tc.linalg.LinAlgError, RuntimeError)
    with pytest.raises(tc.linalg.LinAlgError):
        tc.linalg.inv(tc.zeros(2, 2))


# ---- matmul paths: values, gradients, grad_fn names, dtypes ----------------------------------------

MATMUL_PATHS = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                ((5, 2, 3), (3,)), ((3,), (5, 3, 2)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
                ((2, 1, 2, 3), (4, 3, 2)), ((5, 2, 3), (1, 3, 4))]


@pytest.mark.parametrize("sa,sb", MATMUL_PATHS)
def test_matmul_paths(sa, sb):
    got, expected = run_both(lambda m, a, b: a @ b, [arr(*sa), arr(*sb)])
    assert got.grad_fn.name() == expected.grad_fn.name()


@pytest.mark.parametrize("sa,sb", MATMUL_PATHS)
def test_matmul_one_side_requires_grad(sa, sb):
    a, b = arr(*sa), arr(*sb)
    ta, oa = pair(a)
    tb, ob = pair(b, grad=True)
    expected, got = ta @ tb, oa @ ob
    g = arr(*expected.shape)
    expected.backward(torch.from_numpy(g.copy()))
    got.backward(tc.from_numpy(g.copy()))
    close(ob.grad, tb.grad)
    assert oa.grad is None


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64, np.float16])
def test_matmul_dtypes(dtype):
    a, b = arr(3, 4, dtype=dtype), arr(4, 5, dtype=dtype)
    expected = torch.from_numpy(a) @ torch.from_numpy(b)
    got = tc.from_numpy(a) @ tc.from_numpy(b)
    assert str(got.dtype) == str(expected.dtype)
    torch.testing.assert_close(torch.from_numpy(got._data), expected,
                               rtol=1e-3 if dtype == np.float16 else 1.3e-6, atol=1e-5)


def test_matmul_float32_stays_float32():
    a = tc.from_numpy(arr(64, 64)).requires_grad_(True)
    b = tc.from_numpy(arr(64, 64)).requires_grad_(True)
    c = a @ b
    assert c._data.dtype == np.float32
    c.backward(tc.ones(64, 64))
    assert a.grad._data.dtype == np.float32 and b.grad._data.dtype == np.float32


def test_rmatmul_and_methods():
    a, b = arr(2, 3), arr(3)
    ta, oa = pair(a)
    tb, ob = pair(b)
    close(ob.__rmatmul__(oa), tb.__rmatmul__(ta))
    close(oa.matmul(ob), ta.matmul(tb))
    close(oa.mv(ob), ta.mv(tb))


def test_out_argument():
    a, b = arr(2, 3), arr(3, 4)
    out_t, out_o = torch.empty(2, 4), tc.empty(2, 4)
    r_t = torch.mm(torch.from_numpy(a), torch.from_numpy(b), out=out_t)
    r_o = tc.mm(tc.from_numpy(a), tc.from_numpy(b), out=out_o)
    assert r_o is out_o
    close(out_o, r_t)


# ---- fused multiply-adds --------------------------------------------------------------------------

@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1), (2, 0)])
def test_addmm_scalars(beta, alpha):
    run_both(lambda m, c, a, b: m.addmm(c, a, b, beta=beta, alpha=alpha), [arr(3), arr(2, 4), arr(4, 3)])
    run_both(lambda m, c, a, b: m.baddbmm(c, a, b, beta=beta, alpha=alpha),
             [arr(2, 1, 3), arr(2, 2, 4), arr(2, 4, 3)])
    run_both(lambda m, c, a, b: m.addbmm(c, a, b, beta=beta, alpha=alpha), [arr(2, 3), arr(5, 2, 4), arr(5, 4, 3)])
    run_both(lambda m, c, a, v: m.addmv(c, a, v, beta=beta, alpha=alpha), [arr(2), arr(2, 4), arr(4)])


def test_addmm_beta_zero_ignores_nan():
    c = np.full((2, 3), np.nan, np.float32)
    run_both(lambda m, c, a, b: m.addmm(c, a, b, beta=0), [c, arr(2, 4), arr(4, 3)])


def test_addmm_integers_with_float_scalars():
    c, a, b = arr(2, 3, dtype=L), arr(2, 4, dtype=L), arr(4, 3, dtype=L)
    for kw in ({"alpha": 2, "beta": 3}, {"alpha": 0.5}, {"beta": 1.5}):
        expected = torch.addmm(torch.from_numpy(c), torch.from_numpy(a), torch.from_numpy(b), **kw)
        got = tc.addmm(tc.from_numpy(c), tc.from_numpy(a), tc.from_numpy(b), **kw)
        assert got.tolist() == expected.tolist(), kw


# ---- einsum -------------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba", [(2, 3)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("iij->ji", [(3, 3, 2)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(2,), (3,)]),
    (",i->i", [(), (3,)]),
    ("bij,bjk->bik", [(4, 2, 3), (4, 3, 5)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("...ij,...jk", [(5, 1, 2, 3), (4, 3, 4)]),
    ("i...->...", [(3, 2, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ij,ij,ij->ij", [(2, 3), (2, 3), (2, 3)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),            # size-1 subscript broadcasts, as torch allows
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("iJ,Jk->ik", [(2, 3), (3, 4)]),
    ("Ab,ab->Aa", [(2, 3), (4, 3)]),            # implicit order puts capitals first
    ("ab,Ab", [(2, 3), (4, 3)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("ij,kl->", [(2, 3), (4, 5)]),
    ("iij,j->i", [(3, 3, 2), (2,)]),
    ("ij,ij->", [(0, 3), (0, 3)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum(eq, shapes):
    run_both(lambda m, *xs: m.einsum(eq, *xs), [arr(*s) for s in shapes])


def test_einsum_list_and_sublist_forms():
    a, b = arr(2, 3), arr(3, 4)
    run_both(lambda m, x, y: m.einsum("ij,jk->ik", [x, y]), [a, b])
    run_both(lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]), [a, b])
    run_both(lambda m, x, y: m.einsum(x, [Ellipsis, 1], y, [1, 2]), [arr(5, 2, 3), b])


def test_einsum_same_tensor_twice():
    a = arr(3, 3)
    run_both(lambda m, x: m.einsum("ij,jk->ik", x, x), [a])


@pytest.mark.parametrize("dtype", [np.int64, np.int32])
def test_einsum_integers(dtype):
    a, b = arr(2, 3, dtype=dtype), arr(3, 4, dtype=dtype)
    expected = torch.einsum("ij,jk->ik", torch.from_numpy(a), torch.from_numpy(b))
    got = tc.einsum("ij,jk->ik", tc.from_numpy(a), tc.from_numpy(b))
    assert str(got.dtype) == str(expected.dtype) and got.tolist() == expected.tolist()


def test_einsum_result_does_not_alias_input():
    x = tc.from_numpy(arr(2, 3))
    y = tc.einsum("ij->ji", x)
    y._data[...] = 0
    assert np.any(x._data != 0)


# ---- contractions built on einsum ---------------------------------------------------------------

@pytest.mark.parametrize("dims,sa,sb", [(2, (2, 3, 4), (3, 4, 5)), (([1, 2], [1, 0]), (2, 3, 4), (4, 3, 5)),
                                        (0, (2, 3), (4,)), (([-1], [0]), (2, 3, 4), (4, 3, 5)),
                                        ([[2], [0]], (2, 3, 4), (4, 3, 5))])
def test_tensordot(dims, sa, sb):
    run_both(lambda m, a, b: m.tensordot(a, b, dims=dims), [arr(*sa), arr(*sb)])


def test_tensordot_tensor_dims():
    run_both(lambda m, a, b: m.tensordot(a, b, dims=m.tensor([[1, 2], [1, 0]])), [arr(2, 3, 4), arr(4, 3, 5)])


@pytest.mark.parametrize("sa,sb", [((2, 3), (4, 5)), ((2,), (3,)), ((2, 3), (2, 4, 5)), ((), (3,))])
def test_kron(sa, sb):
    run_both(lambda m, a, b: m.kron(a, b), [arr(*sa), arr(*sb)])


def test_kron_promotes():
    expected = torch.kron(torch.from_numpy(arr(2, dtype=L)), torch.from_numpy(arr(3)))
    got = tc.kron(tc.from_numpy(arr(2, dtype=L)), tc.from_numpy(arr(3)))
    assert str(got.dtype) == str(expected.dtype)


@pytest.mark.parametrize("sa,sb,dim", [((3, 4), (3, 4), -1), ((3, 4), (4,), -1), ((2, 3, 4), (3, 1), 1),
                                       ((3, 4), (4,), 0)])
def test_vecdot(sa, sb, dim):
    run_both(lambda m, a, b: m.linalg.vecdot(a, b, dim=dim), [arr(*sa), arr(*sb)])


def test_cross_default_dim_warns():
    a, b = arr(4, 3), arr(4, 3)
    with pytest.warns(UserWarning):
        got = tc.cross(tc.from_numpy(a), tc.from_numpy(b))
    close(got, torch.linalg.cross(torch.from_numpy(a), torch.from_numpy(b)))


def test_outer_promotes_and_ger():
    expected = torch.outer(torch.from_numpy(arr(2, dtype=L)), torch.from_numpy(arr(3)))
    got = tc.outer(tc.from_numpy(arr(2, dtype=L)), tc.from_numpy(arr(3)))
    assert str(got.dtype) == str(expected.dtype)
    run_both(lambda m, a, b: m.ger(a, b), [arr(2), arr(3)])


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32])
def test_trace_dtypes(dtype):
    a = arr(3, 4, dtype=dtype)
    expected, got = torch.trace(torch.from_numpy(a)), tc.trace(tc.from_numpy(a))
    assert str(got.dtype) == str(expected.dtype)
    assert got.item() == pytest.approx(expected.item(), rel=1e-6)


# ---- linalg: gradients beyond the shared battery ---------------------------------------------------

def well(m, x):
    n = x.shape[-1]
    return x + m.eye(n, dtype=x.dtype) * (2 * n)


def test_solve_left_false():
    run_both(lambda m, a, b: m.linalg.solve(well(m, a), b, left=False), [arr(3, 3), arr(2, 3)])
    run_both(lambda m, a, b: m.linalg.solve(well(m, a), b, left=False), [arr(2, 3, 3), arr(4, 3)])


def test_det_gradient_of_singular_matrix():
    """torch 2.13 gives a zero gradient at exactly singular matrices (not the cofactor matrix)."""
    a = np.array([[1., 2., 3.], [2., 4., 6.], [0., 1., 5.]], np.float64)   # rank 2
    run_both(lambda m, x: m.linalg.det(x), [a])
    b = np.zeros((2, 3, 3))
    b[0] = np.eye(3)
    b[1, 0, 0] = 1.0                                                         # rank 1
    run_both(lambda m, x: m.linalg.det(x), [b])
    run_both(lambda m, x: m.linalg.det(x), [np.diag([1.0, 2.0, 0.0]).astype(np.float32)])


def test_logdet_negative_is_nan():
    a = np.diag([-1.0, 2.0, 3.0]).astype(np.float32)
    expected, got = torch.logdet(torch.from_numpy(a)), tc.logdet(tc.from_numpy(a))
    assert np.isnan(got.item()) and np.isnan(expected.item())


@pytest.mark.parametrize("op", ["inv", "det", "solve", "cholesky", "matmul", "einsum", "slogdet", "cross"])
def test_second_derivatives(op):
    """create_graph: the gradient is itself differentiable, and its own gradient matches torch's."""
    a, b = arr(3, 3, dtype=D), arr(3, 3, dtype=D)
    fns = {
        "inv": lambda m, x, y: m.linalg.inv(well(m, x)),
        "det": lambda m, x, y: m.linalg.det(well(m, x)),
        "solve": lambda m, x, y: m.linalg.solve(well(m, x), y),
        "cholesky": lambda m, x, y: m.linalg.cholesky(m.einsum("ij,kj->ik", x, x) + m.eye(3, dtype=x.dtype) * 3),
        "matmul": lambda m, x, y: (x @ y) @ x,
        "einsum": lambda m, x, y: m.einsum("ij,jk,kl->il", x, y, x),
        "slogdet": lambda m, x, y: m.linalg.slogdet(well(m, x)).logabsdet,
        "cross": lambda m, x, y: m.linalg.cross(x, y, dim=0),
    }
    results = []
    for m in (torch, tc):
        x = m.from_numpy(a.copy()).requires_grad_(True)
        y = m.from_numpy(b.copy()).requires_grad_(True)
        out = fns[op](m, x, y)
        v = m.from_numpy(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        gx, gy = m.autograd.grad(out, (x, y), v, create_graph=True, allow_unused=True)
        w = m.from_numpy(np.linspace(0.5, 1.5, 9).reshape(3, 3))
        total = m.einsum("ij,ij->", gx, w)
        if gy is not None:
            total = total + m.einsum("ij,ij->", gy, w)
        hx, hy = m.autograd.grad(total, (x, y), allow_unused=True)
        results.append((gx, gy, hx, hy))
    (tgx, tgy, thx, thy), (ogx, ogy, ohx, ohy) = results
    close(ogx, tgx, rtol=1e-7, atol=1e-7)
    close(ohx, thx, rtol=1e-7, atol=1e-7)
    if thy is not None:
        close(ohy, thy, rtol=1e-7, atol=1e-7)


def test_svdvals_gradient():
    run_both(lambda m, x: m.linalg.svdvals(x + m.eye(4, 3) * m.arange(1.0, 4.0) * 12), [arr(4, 3)])


def test_pinv_variants():
    for kw in ({}, {"rtol": 0.3}, {"atol": 0.5}):
        run_both(lambda m, x: m.linalg.pinv(x, **kw), [arr(4, 3)], grad=False)
    sym = arr(3, 3)
    run_both(lambda m, x: m.linalg.pinv(x + x.transpose(-1, -2), hermitian=True), [sym], grad=False)
    run_both(lambda m, x: m.pinverse(x, rcond=0.2), [arr(3, 4)], grad=False)


def test_matrix_rank():
    a = np.array([[1., 2., 3.], [2., 4., 6.], [0., 1., 5.]], np.float32)
    for kw in ({}, {"hermitian": True}, {"atol": 3.0}):
        x = a + a.T if kw.get("hermitian") else a
        expected = torch.linalg.matrix_rank(torch.from_numpy(x), **kw)
        got = tc.linalg.matrix_rank(tc.from_numpy(x), **kw)
        assert str(got.dtype) == str(expected.dtype) and got.tolist() == expected.tolist()


def test_matrix_power_integers():
    a = arr(3, 3, dtype=L)
    for n in (0, 1, 2, 5):
        expected = torch.linalg.matrix_power(torch.from_numpy(a), n)
        got = tc.linalg.matrix_power(tc.from_numpy(a), n)
        assert str(got.dtype) == str(expected.dtype) and got.tolist() == expected.tolist()


def test_inv_ex_and_cholesky_ex_report_info():
    a = np.stack([np.eye(3), np.zeros((3, 3))]).astype(np.float32)
    for lib in (torch, tc):
        r = lib.linalg.inv_ex(lib.from_numpy(a))
        assert r.info.tolist() == [0, 1]
        np.testing.assert_allclose(np.asarray(r.inverse[0].tolist()), np.eye(3))
    b = np.stack([np.eye(3), -np.eye(3)]).astype(np.float32)
    expected = torch.linalg.cholesky_ex(torch.from_numpy(b))
    got = tc.linalg.cholesky_ex(tc.from_numpy(b))
    assert got.info.tolist() == expected.info.tolist()
    close(got.L[0], expected.L[0])


def test_return_types():
    a = arr(4, 3)
    assert tc.linalg.qr(tc.from_numpy(a))._fields == ("Q", "R")
    assert tc.linalg.svd(tc.from_numpy(a))._fields == ("U", "S", "Vh")
    assert tc.svd(tc.from_numpy(a))._fields == ("U", "S", "V")
    assert tc.linalg.eigh(tc.from_numpy(arr(3, 3)))._fields == ("eigenvalues", "eigenvectors")
    assert tc.linalg.slogdet(tc.from_numpy(arr(3, 3)))._fields == ("sign", "logabsdet")


def test_svd_compute_uv_false():
    a = arr(4, 3)
    expected = torch.svd(torch.from_numpy(a), compute_uv=False)
    got = tc.svd(tc.from_numpy(a), compute_uv=False)
    for o, t in zip(got, expected):
        close(o, t)


@pytest.mark.parametrize("call", [lambda m, x: m.linalg.qr(x).R, lambda m, x: m.linalg.eigh(x).eigenvalues,
                                  lambda m, x: m.linalg.svd(x).S, lambda m, x: m.linalg.pinv(x)])
def test_forward_only_ops_refuse_backward(call):
    x = tc.from_numpy(arr(3, 3)).requires_grad_(True)
    out = call(tc, x)
    assert out.requires_grad
    with pytest.raises(NotImplementedError, match="not implemented in torsh_compat"):
        out.backward(tc.ones(*out.shape))


def test_linalg_norm_dispatch():
    reduction = pytest.importorskip("torsh_compat.ops.reduction")
    if not hasattr(reduction, "vector_norm") or not hasattr(reduction, "matrix_norm"):
        pytest.skip("vector_norm / matrix_norm not written yet")
    a = arr(3, 4)
    for args, kw in (((), {}), ((3,), {"dim": 1}), (("fro",), {}), ((1,), {}), ((), {"dim": (0, 1)})):
        close(tc.linalg.norm(tc.from_numpy(a), *args, **kw), torch.linalg.norm(torch.from_numpy(a), *args, **kw))
    with pytest.raises(RuntimeError, match="If dim is not specified but ord is"):
        tc.linalg.norm(tc.from_numpy(arr(2, 3, 4)), 2)


@pytest.mark.parametrize("k", [256, 1024, 4096])
def test_large_inner_dimension_accuracy(k):
    """For long float32 sums OpenBLAS and torch's MKL block differently, so results differ beyond
    assert_close's float32 atol (measured 1.2e-5 at k=256, 5e-5 at 1024, 1.2e-4 at 4096). What must
    hold: the same dtype, and an error against float64 of the same order as torch's own."""
    rng = np.random.default_rng(k)
    a = rng.standard_normal((64, k)).astype(np.float32)
    b = rng.standard_normal((k, 48)).astype(np.float32)
    exact = a.astype(np.float64) @ b.astype(np.float64)
    got = tc.from_numpy(a) @ tc.from_numpy(b)
    assert got._data.dtype == np.float32
    torch_err = np.abs((torch.from_numpy(a) @ torch.from_numpy(b)).numpy() - exact).max()
    our_err = np.abs(got._data - exact).max()
    assert our_err <= 3 * torch_err + 1e-6 * np.sqrt(k)


SECOND_ORDER = {
    "3d@2d": (lambda m, a, b: a @ b, [(2, 3, 4), (4, 5)]),
    "3d@1d": (lambda m, a, b: a @ b, [(2, 3, 4), (4,)]),
    "1d@3d": (lambda m, a, b: a @ b, [(4,), (2, 4, 5)]),
    "2d@3d": (lambda m, a, b: a @ b, [(3, 4), (2, 4, 5)]),
    "batch broadcast": (lambda m, a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)]),
    "dot": (lambda m, a, b: a @ b, [(4,), (4,)]),
    "mv": (lambda m, a, b: a @ b, [(3, 4), (4,)]),
    "vm": (lambda m, a, b: a @ b, [(4,), (4, 3)]),
    "bmm": (lambda m, a, b: m.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    "inner": (lambda m, a, b: m.inner(a, b), [(2, 3, 4), (5, 4)]),
    "einsum diagonal": (lambda m, a, b: m.einsum("ii,i->i", a, b), [(3, 3), (3,)]),
    "einsum broadcast": (lambda m, a, b: m.einsum("ij,jk->ik", a, b), [(2, 1), (3, 4)]),
    "einsum summed": (lambda m, a, b: m.einsum("ij,kl->ik", a, b), [(2, 3), (4, 5)]),
    "kron": (lambda m, a, b: m.kron(a, b), [(2, 3), (4, 5)]),
    "tensordot": (lambda m, a, b: m.tensordot(a, b, dims=([1, 2], [1, 0])), [(2, 3, 4), (4, 3, 5)]),
    "addmm": (lambda m, c, a, b: m.addmm(c, a, b, beta=0.5, alpha=2.0), [(5,), (3, 4), (4, 5)]),
    "addbmm": (lambda m, c, a, b: m.addbmm(c, a, b, beta=0.5, alpha=2.0), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    "trace": (lambda m, a: m.trace(a) * m.trace(a), [(3, 4)]),
    "cholesky upper": (lambda m, a: m.linalg.cholesky(
        m.einsum("ij,kj->ik", a, a) + m.eye(3, dtype=a.dtype) * 3, upper=True), [(3, 3)]),
    "solve vector": (lambda m, a, b: m.linalg.solve(well(m, a), b), [(3, 3), (3,)]),
    "solve batch of vectors": (lambda m, a, b: m.linalg.solve(well(m, a), b), [(2, 3, 3), (2, 3)]),
    "det batch": (lambda m, a: m.linalg.det(well(m, a)), [(2, 3, 3)]),
    "logdet": (lambda m, a: m.logdet(well(m, a)), [(3, 3)]),
    "matrix_power -2": (lambda m, a: m.linalg.matrix_power(well(m, a), -2), [(3, 3)]),
    "vecdot": (lambda m, a, b: m.linalg.vecdot(a, b, dim=0), [(3, 4), (4,)]),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivatives_of_every_path(name):
    """d/dx sum(w * grad^2): exercises each backward formula on Tensors (create_graph)."""
    fn, shapes = SECOND_ORDER[name]
    arrays = [arr(*s, dtype=D) for s in shapes]
    results = []
    for m in (torch, tc):
        xs = [m.from_numpy(a.copy()).requires_grad_(True) for a in arrays]
        out = fn(m, *xs)
        v = m.from_numpy(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
        grads = m.autograd.grad(out, xs, v, create_graph=True)
        total = None
        for gx in grads:
            w = m.from_numpy(np.linspace(0.5, 1.5, gx.numel()).reshape(tuple(gx.shape)))
            term = m.einsum("...,...->", gx * gx, w)
            total = term if total is None else total + term
        results.append(m.autograd.grad(total, xs, allow_unused=True))
    for ours, theirs in zip(results[1], results[0]):
        assert (ours is None) == (theirs is None)
        if theirs is not None:
            close(ours, theirs, rtol=1e-7, atol=1e-9)
