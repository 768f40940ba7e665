"""Creation functions against real torch: signatures, defaults, dtype inference, values, errors.

Each case is a lambda run with torch and with torsh_compat as `m` (see _compare.check): both
must return the same thing or raise the same exception type."""
import inspect
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc
from _compare import check

ARR_F64 = np.arange(6.0).reshape(2, 3)
NAN, INF = float("nan"), float("inf")


def case_id(fn):
    src = inspect.getsource(fn).strip().rstrip(",")
    return src[src.index(":") + 1:].strip()[:80] if "lambda" in src else fn.__name__


TENSOR = [
    lambda m: m.tensor([[1, 2], [3, 4]]),
    lambda m: m.tensor([1, 2.5]),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor([True, 2]),
    lambda m: m.tensor([1, 2.5, True]),
    lambda m: m.tensor([1, 1j]),
    lambda m: m.tensor([[1], [2.0]]),
    lambda m: m.tensor((1, 2.0)),
    lambda m: m.tensor([[1, 2], (3, 4)]),
    lambda m: m.tensor(3),
    lambda m: m.tensor(3.5),
    lambda m: m.tensor(True),
    lambda m: m.tensor(2 + 3j),
    lambda m: m.tensor([]),
    lambda m: m.tensor([[]]),
    lambda m: m.tensor([[], []]),
    lambda m: m.tensor([], dtype=m.int64),
    lambda m: m.tensor(range(4)),
    lambda m: m.tensor([2 ** 63 - 1, -2 ** 63]),
    lambda m: m.tensor([2 ** 63]),
    lambda m: m.tensor(2 ** 63),
    lambda m: m.tensor([1, 2 ** 64]),
    lambda m: m.tensor(2 ** 63, dtype=m.float32),
    lambda m: m.tensor([1e300]),
    lambda m: m.tensor(1e300, dtype=m.float32),
    lambda m: m.tensor([NAN, INF, -INF]),
    # dtype= converts, with torch's overflow checks for Python numbers
    lambda m: m.tensor([1.7, -1.7], dtype=m.int32),
    lambda m: m.tensor([1, 2], dtype=m.bool),
    lambda m: m.tensor([0.0, 0.5], dtype=m.bool),
    lambda m: m.tensor([1, 2], dtype=m.float64),
    lambda m: m.tensor([[1, 2]], dtype=m.float16),
    lambda m: m.tensor([1, 2], dtype=m.complex64),
    lambda m: m.tensor(300, dtype=m.uint8),
    lambda m: m.tensor([300], dtype=m.uint8),
    lambda m: m.tensor([-1, -255], dtype=m.uint8),
    lambda m: m.tensor([-256], dtype=m.uint8),
    lambda m: m.tensor([128], dtype=m.int8),
    lambda m: m.tensor([1.5, NAN], dtype=m.int64),
    lambda m: m.tensor([INF], dtype=m.int32),
    lambda m: m.tensor([1e10], dtype=m.int32),
    lambda m: m.tensor([1j], dtype=m.float32),
    lambda m: m.tensor(1j, dtype=m.int64),
    # NumPy inputs keep their dtype; NumPy scalars too; inside lists they promote as dtypes
    lambda m: m.tensor(ARR_F64),
    lambda m: m.tensor(ARR_F64.T),
    lambda m: m.tensor(ARR_F64.astype(np.float32)),
    lambda m: m.tensor(np.array([1, 2], np.int8)),
    lambda m: m.tensor(np.array([1, 2], np.uint8)),
    lambda m: m.tensor(np.array([True])),
    lambda m: m.tensor(np.array(1.5)),
    lambda m: m.tensor(np.array([1.5]), dtype=m.int32),
    lambda m: m.tensor(np.array([300.0]), dtype=m.uint8),
    lambda m: m.tensor(np.float32(1.5)),
    lambda m: m.tensor(np.float64(2.5)),
    lambda m: m.tensor(np.int8(1)),
    lambda m: m.tensor(np.True_),
    lambda m: m.tensor(np.complex64(1j)),
    lambda m: m.tensor(np.float64(2.5), dtype=m.float32),
    lambda m: m.tensor([np.float32(1.5), np.float32(2)]),
    lambda m: m.tensor([np.float64(1), 2]),
    lambda m: m.tensor([np.int8(1), 2]),
    lambda m: m.tensor([1, np.float32(2)]),
    lambda m: m.tensor([np.int16(1), np.int8(2)]),
    lambda m: m.tensor([np.array([1, 2], np.int8), np.array([3, 4], np.int8)]),
    lambda m: m.tensor(np.array(["a"])),
    lambda m: m.tensor(np.array([1, 2], dtype=object)),
    lambda m: m.tensor(np.zeros(3)[::-1]),
    lambda m: m.tensor(np.array([1, 2], dtype=">f4")),
    # tensors inside lists
    lambda m: m.tensor([m.tensor(1, dtype=m.int8), 2.5]),
    lambda m: m.tensor([m.tensor(1.5, dtype=m.float64), 2]),
    lambda m: m.tensor([m.tensor(1), m.tensor(2)]),
    lambda m: m.tensor([m.tensor([1, 2]), m.tensor([3, 4])]),
    lambda m: m.tensor([m.tensor([1, 2])]),
    lambda m: m.tensor([m.tensor([1.0, 2.0]), [3, 4]]),
    # errors: ragged, wrong leaves, wrong types
    lambda m: m.tensor([[1, 2], [3]]),
    lambda m: m.tensor([[1], []]),
    lambda m: m.tensor([[1], 2]),
    lambda m: m.tensor([1, [2]]),
    lambda m: m.tensor([1, [2]], dtype=m.float32),
    lambda m: m.tensor([[1, 2], [3, [4]]]),
    lambda m: m.tensor([[[1, 2]], [[3]]]),
    lambda m: m.tensor("a"),
    lambda m: m.tensor(["a"]),
    lambda m: m.tensor(None),
    lambda m: m.tensor([None]),
    lambda m: m.tensor({1: 2}),
    lambda m: m.tensor(object()),
    lambda m: m.tensor([1, "a"]),
    # requires_grad, device
    lambda m: m.tensor(1.5, requires_grad=True),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True),
    lambda m: m.tensor(1, requires_grad=True),
    lambda m: m.tensor([1, 2], dtype=m.int8, requires_grad=True),
    lambda m: m.tensor([1.0], device="cpu"),
    lambda m: m.tensor([1.0], device=m.device("cpu")),
    lambda m: m.tensor([1.0], device="cuda"),
    lambda m: m.tensor([1.0], device="cuda:0"),
    lambda m: m.tensor([1.0]).device,
]


@pytest.mark.parametrize("fn", TENSOR, ids=[case_id(f) for f in TENSOR])
def test_tensor(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # torch warns about lists of ndarrays
        check(fn)


def test_tensor_copies_and_warns_on_tensor_input():
    a = np.arange(3.0)
    t = tc.tensor(a)
    a[0] = 7
    assert t[0].item() == 0.0
    src = tc.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="clone"):
        t = tc.tensor(src)
    assert not t.requires_grad and t.data_ptr() != src.data_ptr()
    with pytest.warns(UserWarning):
        check(lambda m: m.tensor(m.ones(2, dtype=m.int32), dtype=m.float64))


def test_tensor_of_large_list_is_fast():
    import time
    rows = [[float(i), i + 0.5, 2.0] for i in range(20000)]
    t0 = time.perf_counter()
    t = tc.tensor(rows)
    took = time.perf_counter() - t0
    assert t.shape == (20000, 3) and t.dtype is tc.float32
    t0 = time.perf_counter()
    np.array(rows)
    assert took < 10 * (time.perf_counter() - t0) + 0.01


# ---- as_tensor / from_numpy -----------------------------------------------------------------

def test_as_tensor_shares_memory_when_it_can():
    a = np.arange(4.0)
    t = tc.as_tensor(a)
    assert t.dtype is tc.float64 and t.data_ptr() == a.ctypes.data
    a[0] = 9
    assert t[0].item() == 9
    assert tc.as_tensor(a, dtype=tc.float64).data_ptr() == a.ctypes.data
    assert tc.as_tensor(a, device="cpu").data_ptr() == a.ctypes.data
    assert tc.as_tensor(a, dtype=tc.float32).data_ptr() != a.ctypes.data
    x = tc.ones(3)
    assert tc.as_tensor(x) is x and tc.as_tensor(x, dtype=tc.float32) is x


AS_TENSOR = [
    lambda m: m.as_tensor([1, 2]),
    lambda m: m.as_tensor([1, 2.5]),
    lambda m: m.as_tensor(3),
    lambda m: m.as_tensor(ARR_F64, dtype=m.float32),
    lambda m: m.as_tensor(m.ones(2), dtype=m.int32),
    lambda m: m.as_tensor(m.ones(2, requires_grad=True) * 2),
    lambda m: m.as_tensor([1.0], device="cuda"),
    lambda m: m.as_tensor(np.float32(2)),
    lambda m: m.as_tensor("a"),
]


@pytest.mark.parametrize("fn", AS_TENSOR, ids=[case_id(f) for f in AS_TENSOR])
def test_as_tensor(fn):
    check(fn)


def test_from_numpy_shares_memory():
    a = np.zeros((2, 3), np.float32)
    t = tc.from_numpy(a)
    t[0, 1] = 5
    assert a[0, 1] == 5 and t.data_ptr() == a.ctypes.data
    assert t.numpy() is a or np.shares_memory(t.numpy(), a)
    b = np.arange(10.0)[::2]
    tb = tc.from_numpy(b)
    assert tb.stride() == torch.from_numpy(b).stride() and np.shares_memory(tb.numpy(), b)


FROM_NUMPY = [
    lambda m: m.from_numpy(np.arange(3)),
    lambda m: m.from_numpy(np.array(1.5)),
    lambda m: m.from_numpy(np.array([1, 2], np.uint8)),
    lambda m: m.from_numpy(np.array([True])),
    lambda m: m.from_numpy(np.array([1j], np.complex64)),
    lambda m: m.from_numpy(np.array(["a"])),
    lambda m: m.from_numpy(np.array([1, 2], dtype=object)),
    lambda m: m.from_numpy(np.array([1, 2], dtype=">f4")),
    lambda m: m.from_numpy(np.zeros(3)[::-1]),
    lambda m: m.from_numpy([1, 2]),
    lambda m: m.from_numpy(np.float64(1.0)),
    lambda m: m.from_numpy(np.arange(6.0).reshape(2, 3).T).stride(),
]


@pytest.mark.parametrize("fn", FROM_NUMPY, ids=[case_id(f) for f in FROM_NUMPY])
def test_from_numpy(fn):
    check(fn)


# ---- zeros / ones / empty / full ------------------------------------------------------------

def _shape_dtype(t):
    return t.shape, t.dtype, t.requires_grad


FILLED = [
    lambda m: m.zeros(2, 3),
    lambda m: m.zeros((2, 3)),
    lambda m: m.zeros([2, 3]),
    lambda m: m.zeros(m.Size([2, 3])),
    lambda m: m.zeros(size=(2,)),
    lambda m: m.zeros(()),
    lambda m: m.zeros([]),
    lambda m: m.zeros(0),
    lambda m: m.zeros(2, 0, 3),
    lambda m: m.zeros(np.int64(2), 3),
    lambda m: m.zeros(m.tensor(2)),
    lambda m: m.zeros(2, dtype=m.int32),
    lambda m: m.zeros(2, dtype=m.bool),
    lambda m: m.zeros(2, dtype=m.complex128),
    lambda m: m.zeros(2, requires_grad=True),
    lambda m: m.zeros(2, dtype=m.int64, requires_grad=True),
    lambda m: m.zeros(2, device="cpu"),
    lambda m: m.zeros(2, device="cuda"),
    lambda m: m.zeros(2, -1),
    lambda m: m.zeros((2, -1)),
    lambda m: m.zeros(2.5),
    lambda m: m.zeros((2, 2.0)),
    lambda m: m.zeros(True),
    lambda m: m.zeros([2], [3]),
    lambda m: m.zeros((2,), 3),
    lambda m: m.zeros("2"),
    lambda m: m.zeros(None),
    lambda m: m.zeros(),
    lambda m: m.ones(2, 3),
    lambda m: m.ones((2,), dtype=m.uint8),
    lambda m: m.ones(3, dtype=m.bool),
    lambda m: m.ones(2, -3),
    lambda m: m.ones(2, dtype=m.float16, requires_grad=True),
    lambda m: _shape_dtype(m.empty(2, 3)),
    lambda m: _shape_dtype(m.empty((2, 3), dtype=m.int8)),
    lambda m: _shape_dtype(m.empty(0)),
    lambda m: _shape_dtype(m.empty(2, requires_grad=True)),
    lambda m: m.empty(-1),
    lambda m: m.empty(2, -1),
    lambda m: m.full((2, 3), 1.5),
    lambda m: m.full([2], 7),
    lambda m: m.full((2,), True),
    lambda m: m.full((2,), 1j),
    lambda m: m.full((), 2.0),
    lambda m: m.full(m.Size([2]), 3),
    lambda m: m.full((2,), 1.5, dtype=m.int32),
    lambda m: m.full((2,), 2.5, dtype=m.bool),
    lambda m: m.full((2,), 300, dtype=m.uint8),
    lambda m: m.full((2,), -1, dtype=m.uint8),
    lambda m: m.full((2,), NAN, dtype=m.int32),
    lambda m: m.full((2,), INF),
    lambda m: m.full((2,), 1e300, dtype=m.float32),
    lambda m: m.full((2,), 65520.0, dtype=m.float16),
    lambda m: m.full((2,), 3.39e38, dtype=m.bfloat16),
    lambda m: m.full((2,), -INF, dtype=m.float16),
    lambda m: m.full((2,), 2 ** 70),
    lambda m: m.full((2,), 2 ** 70, dtype=m.float32),
    lambda m: m.full((2,), 1e300 + 1j, dtype=m.complex64),
    lambda m: m.full((2,), m.tensor(3)),
    lambda m: m.full((2,), m.tensor(3.5)),
    lambda m: m.full((2,), np.float32(1.5)),
    lambda m: m.full((2,), np.int8(1)),
    lambda m: m.full((2,), np.True_),
    lambda m: m.full(size=(2,), fill_value=3),
    lambda m: m.full((2,), 1.0, requires_grad=True),
    lambda m: m.full(2, 1.0),
    lambda m: m.full((-1,), 1.0),
    lambda m: m.full((2,), "a"),
    lambda m: m.full((2,), None),
]


@pytest.mark.parametrize("fn", FILLED, ids=[case_id(f) for f in FILLED])
def test_filled(fn):
    check(fn)


# ---- *_like and new_* ------------------------------------------------------------------------

def _src(m):
    return m.tensor([[1, 2, 3], [4, 5, 6]], dtype=m.int32)


LIKE = [
    lambda m: m.zeros_like(_src(m)),
    lambda m: m.ones_like(_src(m)),
    lambda m: m.ones_like(_src(m), dtype=m.float64),
    lambda m: m.zeros_like(_src(m), dtype=m.float32, requires_grad=True),
    lambda m: m.zeros_like(_src(m), requires_grad=True),
    lambda m: m.full_like(_src(m), 7),
    lambda m: m.full_like(_src(m), 2.7),
    lambda m: m.full_like(_src(m), 2.7, dtype=m.float32),
    lambda m: m.full_like(m.ones(2), True),
    lambda m: m.full_like(_src(m), 300, dtype=m.uint8),
    lambda m: _shape_dtype(m.empty_like(_src(m))),
    lambda m: _shape_dtype(m.empty_like(_src(m), dtype=m.float16)),
    lambda m: m.zeros_like(m.ones(2, requires_grad=True)),
    lambda m: m.zeros_like(m.ones(3, 4).t()).stride(),
    lambda m: m.zeros_like(m.ones(3, 4)[:, ::2]).stride(),
    lambda m: m.zeros_like([1, 2]),
    lambda m: m.zeros_like(_src(m), device="cuda"),
    lambda m: _src(m).new_zeros(2, 3),
    lambda m: _src(m).new_zeros((2,)),
    lambda m: _src(m).new_zeros([2, 3], dtype=m.float64),
    lambda m: _src(m).new_ones(2),
    lambda m: _src(m).new_ones(2, requires_grad=True),
    lambda m: _src(m).new_full((2,), 3.7),
    lambda m: _src(m).new_full((2, 2), 7, dtype=m.float32),
    lambda m: m.ones(1).new_full((2,), 3),
    lambda m: _shape_dtype(_src(m).new_empty(3)),
    lambda m: _shape_dtype(_src(m).new_empty((2, 3), dtype=m.bool)),
    lambda m: _src(m).new_tensor([1.5, 2.5]),
    lambda m: _src(m).new_tensor([1.5, 2.5], dtype=m.float64),
    lambda m: m.ones(2, dtype=m.float64).new_tensor([1, 2]),
    lambda m: m.ones(2).new_tensor([1.0], requires_grad=True),
    lambda m: m.ones(2).new_tensor(np.array([1, 2], np.int8)),
    lambda m: _shape_dtype(_src(m).new(2, 3)),
    lambda m: _src(m).new([1, 2]),
    lambda m: _src(m).new((1, 2)),
    lambda m: _shape_dtype(_src(m).new()),
    lambda m: _src(m).new(m.tensor([1.5, 2.5])),
    lambda m: _src(m).new(m.Size([2])).shape,
    lambda m: m.ones(2, dtype=m.float64).new([1, 2]),
    lambda m: m.ones(2).new(np.array([1, 2])),
    lambda m: m.ones(2).new(2.5),
    lambda m: m.ones(2).new(-1),
]


@pytest.mark.parametrize("fn", LIKE, ids=[case_id(f) for f in LIKE])
def test_like_and_new(fn):
    check(fn)


# ---- arange / range / linspace / logspace ---------------------------------------------------

ARANGE_ARGS = [
    (5,), (0,), (-3,), (2.5,), (1, 4), (4, 1), (1, 4, 2), (0, 10, 3), (10, 0, -3), (5, 5),
    (0, 1, 0.1), (0, 1, 0.2), (0, 0.3, 0.1), (0.1, 0.9, 0.1), (0, 1, 1 / 3), (-1, 1, 0.1),
    (1, 0, -0.1), (0, 10, 0.3), (0, 100, 0.7), (-5, 5, 0.01), (0, 2.5, 0.5), (0, 2.6, 0.5),
    (1e-3, 1e-2, 1e-3), (0, 6.3, 0.7), (0.5, 3), (0, 5.5, 1.5), (-2.5, 2.5, 0.25), (3, 1, -0.5),
    (0, 1e4, 0.1), (0, 1, 0.0), (0, 1, 0), (0, 1, -1), (1, 0, 1), (0, 2 ** 40, 2 ** 37),
    (0, 100000, 7), (0, float("inf")), (float("nan"), 1),
]
ARANGE_DTYPES = [None, "int64", "int32", "uint8", "int16", "float32", "float64", "float16",
                 "bfloat16"]


def _arange(m, args, dtype):
    kw = {} if dtype is None else {"dtype": getattr(m, dtype)}
    return m.arange(*args, **kw)


def _close(dtype, args):
    """1 ulp of the float dtype at the scale of the arguments (torch builds the values in
    vector chunks whose rounding differs from the correctly rounded values by an ulp)."""
    eps = {"float64": 2 ** -52, "float32": 2 ** -23, "float16": 2 ** -10, "bfloat16": 2 ** -7}.get(dtype)
    if dtype is None and any(isinstance(a, float) for a in args):
        eps = 2 ** -23
    if eps is None:
        return {}
    return {"rtol": eps, "atol": eps * max(abs(a) for a in args if a == a and abs(a) != INF)}


@pytest.mark.parametrize("dtype", ARANGE_DTYPES)
def test_arange(dtype):
    for args in ARANGE_ARGS:
        if dtype == "int64" or (dtype is None and not any(isinstance(a, float) for a in args)):
            check(lambda m: _arange(m, args, dtype), where=f"arange{args}, dtype={dtype}")
        else:
            check(lambda m: _arange(m, args, dtype), where=f"arange{args}, dtype={dtype}",
                  **_close(dtype, args))


ARANGE_MORE = [
    lambda m: m.arange(m.tensor(3)),
    lambda m: m.arange(m.tensor(0.5), 3),
    lambda m: m.arange(0, m.tensor(3.0), 0.5),
    lambda m: m.arange(start=1, end=4),
    lambda m: m.arange(end=4),
    lambda m: m.arange(1, 4, step=2),
    lambda m: m.arange(5, requires_grad=True),
    lambda m: m.arange(5.0, requires_grad=True),
    lambda m: m.arange(5, dtype=m.bool),
    lambda m: m.arange(3, dtype=m.complex64),
    lambda m: m.arange(3, device="cuda"),
    lambda m: m.arange("3"),
    lambda m: m.arange(None),
    lambda m: m.arange(np.int32(3)),
    lambda m: m.arange(np.float32(2.5)),
    lambda m: m.arange(0, 1, np.float64(0.25)),
]


@pytest.mark.parametrize("fn", ARANGE_MORE, ids=[case_id(f) for f in ARANGE_MORE])
def test_arange_forms(fn):
    check(fn)


def test_range_is_deprecated_and_inclusive():
    check(lambda m: m.range(4))
    for args in [(1, 4), (0, 1, 0.25), (0, 1, 0.3), (3, 1, -1), (0, 1, 0)]:
        with pytest.warns(UserWarning, match="deprecated"):
            check(lambda m: m.range(*args), where=f"range{args}", rtol=2 ** -23)


LINSPACE_ARGS = [(0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 1, 3), (0, 1, 4), (0, 1, 5), (0, 1, 7),
                 (0, 1, 10), (0, 1, 11), (-1, 1, 101), (1, 0, 6), (3, 3, 4), (0.1, 0.9, 9),
                 (-5.5, 7.25, 64), (0, 1e6, 1000), (1e-7, 1e-6, 33), (0, 10, 3), (2, -3, 17),
                 (0, 1, 1000), (-3, 3, 2049)]


@pytest.mark.parametrize("dtype", [None, "float32", "float64", "float16", "bfloat16", "int64",
                                   "int32", "uint8", "complex64"])
def test_linspace(dtype):
    eps = {None: 2 ** -23, "float32": 2 ** -23, "float16": 2 ** -10, "bfloat16": 2 ** -7,
           "float64": 2 ** -52, "complex64": 2 ** -23}.get(dtype, 0)
    for start, end, steps in LINSPACE_ARGS:
        if dtype == "uint8" and min(start, end) < 0:
            continue
        kw = {} if dtype is None else {"dtype": dtype}
        scale = max(abs(start), abs(end))
        check(lambda m: m.linspace(start, end, steps, **{k: getattr(m, v) for k, v in kw.items()}),
              where=f"linspace({start}, {end}, {steps}, dtype={dtype})",
              rtol=eps, atol=eps * scale)


LINSPACE_MORE = [
    lambda m: m.linspace(0, 1, -1),
    lambda m: m.linspace(0, 1, 2.5),
    lambda m: m.linspace(0, 1),
    lambda m: m.linspace(0, 1, steps=3),
    lambda m: m.linspace(start=0, end=1, steps=3),
    lambda m: m.linspace(m.tensor(0.0), m.tensor(1.0), 5),
    lambda m: m.linspace(0, 1, 3, requires_grad=True),
    lambda m: m.linspace(0, 1, 3, device="cuda"),
    lambda m: m.linspace(0, 1j, 3),
    lambda m: m.logspace(0, 2, 3),
    lambda m: m.logspace(0, 2, 3, base=2),
    lambda m: m.logspace(0, 2, 3, 2.0),
    lambda m: m.logspace(-2, 2, 5, dtype=m.float64),
    lambda m: m.logspace(0, 3, 4, dtype=m.int64),
    lambda m: m.logspace(0, 1, 0),
    lambda m: m.logspace(0, 1, 1),
    lambda m: m.logspace(0, 1, -1),
]


@pytest.mark.parametrize("fn", LINSPACE_MORE, ids=[case_id(f) for f in LINSPACE_MORE])
def test_linspace_forms(fn):
    check(fn, rtol=2 ** -23, atol=1e-7)


# ---- eye, scalar_tensor, predicates ------------------------------------------------------

OTHER = [
    lambda m: m.eye(3),
    lambda m: m.eye(2, 4),
    lambda m: m.eye(4, 2),
    lambda m: m.eye(0),
    lambda m: m.eye(3, dtype=m.int64),
    lambda m: m.eye(2, m=3),
    lambda m: m.eye(n=2),
    lambda m: m.eye(2, dtype=m.bool),
    lambda m: m.eye(2, requires_grad=True),
    lambda m: m.eye(-1),
    lambda m: m.eye(2, -1),
    lambda m: m.eye(2.5),
    lambda m: m.scalar_tensor(2),
    lambda m: m.scalar_tensor(2.5),
    lambda m: m.scalar_tensor(True),
    lambda m: m.scalar_tensor(1j),
    lambda m: m.scalar_tensor(2, dtype=m.int32),
    lambda m: m.scalar_tensor(2.5, requires_grad=True),
    lambda m: m.scalar_tensor([1]),
    lambda m: m.is_tensor(m.ones(1)),
    lambda m: m.is_tensor([1]),
    lambda m: m.is_tensor(np.ones(1)),
    lambda m: m.is_floating_point(m.ones(1)),
    lambda m: m.is_floating_point(m.ones(1, dtype=m.int32)),
    lambda m: m.is_floating_point(m.ones(1, dtype=m.bfloat16)),
    lambda m: m.is_floating_point(m.ones(1, dtype=m.complex64)),
    lambda m: m.is_floating_point(1.5),
    lambda m: m.is_complex(m.ones(1, dtype=m.complex64)),
    lambda m: m.numel(m.ones(2, 3)),
    lambda m: m.numel(m.ones(())),
    lambda m: m.numel([1, 2]),
]


@pytest.mark.parametrize("fn", OTHER, ids=[case_id(f) for f in OTHER])
def test_eye_scalar_tensor_predicates(fn):
    check(fn)


# ---- legacy constructors ----------------------------------------------------------------------

LEGACY = [
    lambda m: _shape_dtype(m.Tensor(2, 3)),
    lambda m: _shape_dtype(m.Tensor()),
    lambda m: m.Tensor([1, 2]),
    lambda m: m.Tensor([[1, 2], [3, 4.5]]),
    lambda m: m.Tensor((2, 3)),
    lambda m: m.Tensor([True]),
    lambda m: _shape_dtype(m.Tensor(m.Size([2, 3]))),
    lambda m: m.Tensor(np.array([1, 2])),
    lambda m: m.Tensor(np.array([1.5, 2.5])),
    lambda m: m.Tensor(np.array([1.5], np.float32)),
    lambda m: m.Tensor(m.tensor([1, 2])),
    lambda m: m.Tensor(m.tensor([1.5], dtype=m.float64)),
    lambda m: m.Tensor(2.5),
    lambda m: m.Tensor(np.float64(2)),
    lambda m: m.Tensor(-1),
    lambda m: m.Tensor(2, -1),
    lambda m: m.Tensor([[1], [2, 3]]),
    lambda m: m.Tensor("a"),
    lambda m: m.Tensor(2, dtype=m.float64),
    lambda m: m.Tensor([1, 2], device="cpu"),
    lambda m: m.Tensor([1, 2], device="cuda"),
    lambda m: m.FloatTensor([1, 2]),
    lambda m: m.FloatTensor(np.array([1, 2])),
    lambda m: _shape_dtype(m.FloatTensor(2, 3)),
    lambda m: m.DoubleTensor([1, 2]),
    lambda m: m.LongTensor([1, 2]),
    lambda m: m.LongTensor([1.7, -2.7]),
    lambda m: _shape_dtype(m.LongTensor(2)),
    lambda m: m.IntTensor([1, 2]),
    lambda m: m.IntTensor(m.tensor([1.5])),
    lambda m: m.ShortTensor([1]),
    lambda m: m.CharTensor([1]),
    lambda m: m.ByteTensor([1, 255]),
    lambda m: m.ByteTensor(-1),
    lambda m: m.BoolTensor([1, 0]),
    lambda m: m.HalfTensor([1.5]),
    lambda m: m.BFloat16Tensor([1.1]),
    lambda m: isinstance(m.ones(2), m.FloatTensor),
    lambda m: isinstance(m.ones(2, dtype=m.float64), m.FloatTensor),
    lambda m: isinstance(m.ones(2, dtype=m.float64), m.DoubleTensor),
    lambda m: isinstance(m.ones(2, dtype=m.int64), m.LongTensor),
    lambda m: isinstance([1], m.FloatTensor),
    lambda m: isinstance(m.FloatTensor([1]), m.Tensor),
    lambda m: type(m.FloatTensor([1])) is m.Tensor,
    lambda m: issubclass(m.FloatTensor, m.Tensor),
    lambda m: m.FloatTensor.dtype,
    lambda m: m.LongTensor.dtype,
    lambda m: m.FloatTensor.is_cuda,
    lambda m: m.FloatTensor.__name__,
    lambda m: m.ones(2).type(m.DoubleTensor),
    lambda m: m.ones(2).type(m.LongTensor),
]


@pytest.mark.parametrize("fn", LEGACY, ids=[case_id(f) for f in LEGACY])
def test_legacy_constructors(fn):
    check(fn)


def test_legacy_tensor_of_tensor_aliases_it():
    for m in (torch, tc):
        x = m.tensor([1.0, 2.0])
        y = m.Tensor(x)
        assert y is not x and y.data_ptr() == x.data_ptr()
