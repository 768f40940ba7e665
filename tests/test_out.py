"""torch's out= argument of top-level functions, against torch: the result lands in `out` (cast to its
dtype, resized when its shape differs, with torch's warning for a non-empty one), `out` is returned,
and what torch refuses (a lossy cast, autograd, a wrong type) is refused the same way."""
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc

CALLS = {
    "add": lambda m, x, o: m.add(x, x, alpha=2, out=o), "sub": lambda m, x, o: m.sub(x, 1.5, out=o),
    "mul": lambda m, x, o: m.mul(x, 2, out=o), "div_floor": lambda m, x, o: m.div(x, 2, rounding_mode="floor", out=o),
    "tanh": lambda m, x, o: m.tanh(x, out=o), "exp": lambda m, x, o: m.exp(x, out=o),
    "sum": lambda m, x, o: m.sum(x, 0, out=o), "mean": lambda m, x, o: m.mean(x, 1, keepdim=True, out=o),
    "cumsum": lambda m, x, o: m.cumsum(x, 1, out=o), "cat": lambda m, x, o: m.cat([x, x], 1, out=o),
    "stack": lambda m, x, o: m.stack([x, x], out=o), "matmul": lambda m, x, o: m.matmul(x, x.t(), out=o),
    "clamp": lambda m, x, o: m.clamp(x, 1, 3, out=o), "where": lambda m, x, o: m.where(x > 2, x, m.zeros(2, 3), out=o),
    "gather": lambda m, x, o: m.gather(x, 1, m.tensor([[0, 0], [1, 2]]), out=o),
    "eq": lambda m, x, o: m.eq(x, 2.0, out=o),
}


def _x(m):
    return m.arange(6.0).view(2, 3)


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("out", ["empty", "same_shape", "float64", "view"])
def test_result_lands_in_out(name, out):
    got = []
    for m in (torch, tc):
        x = _x(m)
        ref = CALLS[name](m, x, None)
        if out == "empty":
            o = m.empty(0, dtype=ref.dtype)
        elif out == "same_shape":
            o = m.full(tuple(ref.shape), -7.0).to(ref.dtype)
        elif out == "float64":
            o = m.zeros(0, dtype=m.float64 if ref.dtype != m.bool else m.bool)
        else:       # a view into a bigger buffer: written through
            base = m.zeros((2,) + tuple(ref.shape), dtype=ref.dtype)
            o = base[1]
        try:
            r = CALLS[name](m, x, o)
        except RuntimeError:
            # some torch kernels refuse a wider out dtype (matmul, cumsum); ours casts into it
            assert m is torch and out == "float64"
            o = ref.double()
            r = o
        assert r is o
        got.append((o, base if out == "view" else o))
    (t_out, t_seen), (o_out, o_seen) = got
    assert str(o_out.dtype) == str(t_out.dtype) and tuple(o_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(o_seen.numpy(), t_seen.numpy(), rtol=1.3e-6, atol=1e-5)


def test_tuple_outputs():
    for m in (torch, tc):
        x = _x(m)
        v, i = m.empty(0), m.empty(0, dtype=m.int64)
        r = m.max(x, 1, out=(v, i))
        assert r.values is v and r.indices is i and v.tolist() == [2.0, 5.0] and i.tolist() == [2, 2]
        s, j = m.empty(0), m.empty(0, dtype=m.int64)
        r = m.sort(-x, 1, out=(s, j))
        assert r[0] is s and j.tolist() == [[2, 1, 0], [2, 1, 0]]


def test_non_empty_out_is_resized_with_torchs_warning():
    msgs = []
    for m in (torch, tc):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            o = m.zeros(4)
            m.add(_x(m), 1, out=o)
        assert tuple(o.shape) == (2, 3)
        msgs.append([str(c.message) for c in w])
    assert len(msgs[1]) == len(msgs[0]) == 1
    assert msgs[0][0].startswith(msgs[1][0])     # torch appends where in its C++ it warned


@pytest.mark.parametrize("case", ["float_into_long", "float_into_bool", "requires_grad", "not_a_tensor",
                                  "leaf_out"])
def test_refusals_as_torch(case):
    errors = []
    for m in (torch, tc):
        x = _x(m)
        call = {"float_into_long": lambda: m.add(x, 1, out=m.empty(0, dtype=m.int64)),
                "float_into_bool": lambda: m.mul(x, 1, out=m.empty(0, dtype=m.bool)),
                "requires_grad": lambda: m.tanh(x.requires_grad_(), out=m.empty(0)),
                "not_a_tensor": lambda: m.exp(x, out=[1, 2]),
                "leaf_out": lambda: m.exp(x, out=m.zeros(2, 3, requires_grad=True))}[case]
        with pytest.raises(Exception) as e:
            call()
        errors.append(e.value)
    assert type(errors[1]) is type(errors[0]), (errors[1], errors[0])
    if case.startswith("float_into"):
        assert str(errors[1]) == str(errors[0])
