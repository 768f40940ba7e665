"""repr/str of tensors and set_printoptions, compared character for character with torch."""
import time

import numpy as np
import pytest
import torch

import torsh_compat as tc

NAN, INF = float("nan"), float("inf")
TORCH_DT = {np.dtype(n): getattr(torch, n) for n in
            ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
             "complex64", "complex128")}


@pytest.fixture(autouse=True)
def _restore():
    yield
    for lib in (torch, tc):
        lib.set_printoptions(profile="default")
        lib.set_default_dtype(lib.float32)


def both(arr):
    arr = np.asarray(arr)
    return tc.from_numpy(arr.copy()), torch.from_numpy(arr.copy())


def assert_same(arr):
    ours, theirs = both(arr)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


def rng(seed):
    return np.random.default_rng(seed)


def _cplx(g, shape, dt):
    return (g.standard_normal(shape) + 1j * g.standard_normal(shape)).astype(dt)


CASES = {
    # floats: fixed vs scientific, widths, integer-valued
    "normal_1d": rng(0).standard_normal(5).astype(np.float32),
    "normal_2d": rng(1).standard_normal((3, 4)).astype(np.float32),
    "normal_3d": rng(2).standard_normal((2, 3, 4)).astype(np.float32),
    "normal_4d": rng(3).standard_normal((2, 2, 2, 3)).astype(np.float32),
    "normal_f64": rng(4).standard_normal((4, 3)),
    "scaled_100": (rng(5).standard_normal((3, 3)) * 100).astype(np.float32),
    "single": np.array([0.5], np.float32),
    "one_by_one": np.array([[7.25]], np.float32),
    "tiny": rng(6).uniform(1e-10, 1e-8, 6).astype(np.float32),
    "huge": rng(7).uniform(1e10, 1e12, 6).astype(np.float32),
    "huge_f64": rng(8).uniform(-1e300, 1e300, 5),
    "tiny_f64": rng(9).uniform(1e-300, 1e-290, 4),
    "denormal_f64": np.array([5e-324, 1.0]),
    "ratio_over_1000": np.array([0.01, 10.5], np.float32),
    "ratio_under_1000": np.array([0.011, 10.5], np.float32),
    "min_just_below_1e-4": np.array([9.99e-5, 0.5], np.float32),
    "min_at_1e-4": np.array([1e-4, 0.05], np.float64),
    "max_at_1e8": np.array([1e8, 5e7], np.float64),
    "max_over_1e8": np.array([1.5e8, 5e7], np.float64),
    "ints_as_float": np.array([1.0, -2.0, 300.0], np.float32),
    "ints_as_float_sci": np.array([1.0, 2000.0], np.float32),
    "ints_as_float_big": np.array([1e9, 3e9], np.float64),
    "rounds_up": np.array([9.99996, 0.5], np.float64),
    "rounds_up_neg": np.array([-9.99996, 0.5], np.float64),
    "neg_zero": np.array([-0.0, 0.0, 1.0], np.float32),
    "neg_zero_only": np.array([-0.0, 0.0], np.float32),
    "zeros": np.zeros((2, 3), np.float32),
    "nan_inf_int": np.array([NAN, 1.0, INF, -INF], np.float32),
    "nan_inf_frac": np.array([NAN, 1.5, INF, -INF], np.float32),
    "nan_inf_sci": np.array([NAN, 1e-7, INF, 3.0], np.float64),
    "all_nan": np.full((2, 2), NAN, np.float32),
    "all_inf": np.array([INF, -INF], np.float32),
    "nan_zero": np.array([NAN, 0.0], np.float32),
    "f16": rng(10).standard_normal((3, 5)).astype(np.float16),
    "f16_tenth": np.array([0.1, 0.2, 0.3], np.float16),
    "f16_limits": np.array([65504.0, 6e-8, -1.0], np.float16),
    "f16_nan": np.array([NAN, -0.0, INF], np.float16),
    "f64_fine": np.array([1 / 3, 2 / 3, 1e-3]),
    "uniform_mixed_sign": rng(11).uniform(-1000, 1000, (4, 4)),
    # integers and bools
    "int64": rng(12).integers(-1000, 1000, (3, 4)),
    "int64_wide": np.array([-9223372036854775808, 0, 9223372036854775807]),
    "int64_narrow": np.array([0, 1, 2]),
    "int32": rng(13).integers(-2**31, 2**31 - 1, 7).astype(np.int32),
    "int16": rng(14).integers(-300, 300, (2, 5)).astype(np.int16),
    "int8": np.array([-128, 0, 127], np.int8),
    "uint8": np.array([[0, 255], [7, 12]], np.uint8),
    "int_neg_widest": np.array([-5, 10, 3]),
    "bool": np.array([True, False, True]),
    "bool_all_true": np.array([[True, True]]),
    "bool_2d": rng(15).integers(0, 2, (3, 4)).astype(bool),
    # complex
    "complex64": _cplx(rng(16), (3, 3), np.complex64),
    "complex128": _cplx(rng(17), 4, np.complex128),
    "complex_ints": np.array([1 + 2j, -3 - 4j], np.complex64),
    "complex_mixed_scale": np.array([1 + 2j, -3.5 - 0.25j, 1e-5j], np.complex64),
    "complex_neg_zero_imag": np.array([complex(1.0, -0.0), 2 + 0j], np.complex128),
    "complex_nan": np.array([complex(NAN, 1.0), complex(2.5, INF)], np.complex64),
    # 0-d
    "0d_float": np.array(3.0, np.float32),
    "0d_frac": np.array(3.14159, np.float32),
    "0d_neg_zero": np.array(-0.0, np.float32),
    "0d_nan": np.array(NAN, np.float32),
    "0d_inf": np.array(-INF, np.float64),
    "0d_small": np.array(1e-7, np.float64),
    "0d_int": np.array(5),
    "0d_int32": np.array(-5, np.int32),
    "0d_bool": np.array(False),
    "0d_uint8": np.array(200, np.uint8),
    "0d_f16": np.array(0.1, np.float16),
    "0d_complex": np.array(1 + 2j, np.complex64),
    "0d_complex128": np.array(-1.5 - 2.25j),
    # empty
    "empty_f32": np.zeros(0, np.float32),
    "empty_0x3": np.zeros((0, 3), np.float32),
    "empty_2x0": np.zeros((2, 0), np.float64),
    "empty_3d": np.zeros((2, 0, 4), np.int32),
    "empty_int64": np.zeros(0, np.int64),
    "empty_bool": np.zeros(0, bool),
    "empty_complex": np.zeros((0,), np.complex64),
    "empty_f16": np.zeros((0, 1), np.float16),
    # wrapping rows
    "wrap_arange_float": np.arange(100, dtype=np.float32),
    "wrap_random": rng(18).standard_normal(50),
    "wrap_ints": rng(19).integers(-10**6, 10**6, 60),
    "wrap_bool": rng(20).integers(0, 2, 40).astype(bool),
    "wrap_complex": _cplx(rng(21), 30, np.complex64),
    "wrap_2d": rng(22).standard_normal((3, 20)).astype(np.float32),
    "wrap_3d": rng(23).standard_normal((2, 2, 15)).astype(np.float32),
    "wrap_sci": rng(24).uniform(1e-9, 1e9, 25),
    # summarisation
    "sum_1000x1000": rng(25).standard_normal((1000, 1000)).astype(np.float32),
    "sum_1001": np.arange(1001, dtype=np.float32),
    "not_sum_1000": np.arange(1000, dtype=np.float32),
    "sum_ints": np.arange(2000).reshape(40, 50),
    "sum_3x1000": rng(26).standard_normal((3, 1000)).astype(np.float32),
    "sum_3d": rng(27).standard_normal((20, 20, 20)).astype(np.float64),
    "sum_4d": rng(28).integers(0, 9, (7, 8, 9, 10)).astype(np.int16),
    "sum_hidden_outlier": np.concatenate([np.ones(500), [1e12], np.ones(500)]).astype(np.float32),
    "sum_complex": _cplx(rng(29), (40, 40), np.complex128),
    "sum_bool": rng(30).integers(0, 2, (50, 50)).astype(bool),
    "sum_nan_edges": np.concatenate([[NAN], np.arange(1500.0), [INF]]),
    # non-contiguous data
    "transposed": rng(31).standard_normal((4, 3)).astype(np.float32).T,
    "strided": np.arange(24.0).reshape(4, 6)[:, ::2],
}


@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    arr = CASES[name]
    ours, theirs = tc.from_numpy(np.array(arr)), torch.from_numpy(np.array(arr))
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)


@pytest.mark.parametrize("name", ["normal_1d", "tiny", "ints_as_float", "f16", "complex64",
                                  "0d_frac", "nan_inf_frac", "wrap_random"])
@pytest.mark.parametrize("dt", ["float32", "float64", "float16", "complex64", "complex128"])
def test_dtypes_and_suffix(name, dt):
    arr = CASES[name]
    if np.iscomplexobj(arr) and not dt.startswith("complex"):
        arr = arr.real
    with np.errstate(over="ignore", invalid="ignore"):
        assert_same(arr.astype(dt))


@pytest.mark.parametrize("dt", ["bool", "uint8", "int8", "int16", "int32", "int64"])
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (40, 40)])
def test_integer_dtypes(dt, shape):
    arr = rng(40).integers(0, 100, shape)
    assert_same(arr.astype(dt))


def test_bfloat16():
    vals = [1.0, 2.5, 3.1, -0.007, 1e4]
    ours = tc.tensor(vals, dtype=tc.bfloat16)
    theirs = torch.tensor(vals, dtype=torch.bfloat16)
    assert repr(ours) == repr(theirs)


OPTIONS = [
    dict(precision=0), dict(precision=2), dict(precision=8), dict(precision=12),
    dict(threshold=5), dict(threshold=10), dict(threshold=0),
    dict(threshold=5, edgeitems=1), dict(threshold=5, edgeitems=0), dict(edgeitems=5, threshold=20),
    dict(linewidth=20), dict(linewidth=40), dict(linewidth=200), dict(linewidth=1),
    dict(profile="short"), dict(profile="full"), dict(profile="default"),
    dict(profile="short", precision=6), dict(profile="full", threshold=100),
    dict(profile="no-such-profile"),
    dict(sci_mode=True), dict(sci_mode=False), dict(sci_mode=True, precision=2),
    dict(sci_mode=False, precision=1, linewidth=50),
]
OPTION_CASES = ["normal_2d", "normal_3d", "tiny", "huge", "ints_as_float", "nan_inf_frac",
                "int64", "bool_2d", "complex64", "wrap_random", "sum_ints", "sum_3x1000",
                "0d_frac", "empty_0x3", "neg_zero", "huge_f64", "f16"]


@pytest.mark.parametrize("opts", OPTIONS, ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("name", OPTION_CASES)
def test_printoptions(opts, name):
    torch.set_printoptions(**opts)
    tc.set_printoptions(**opts)
    assert_same(CASES[name])


def test_options_accumulate_and_sci_mode_resets():
    for opts in (dict(precision=2), dict(threshold=5), dict(sci_mode=True), dict(linewidth=30),
                 dict(edgeitems=1)):
        torch.set_printoptions(**opts)
        tc.set_printoptions(**opts)
        for name in ("normal_2d", "wrap_random", "ints_as_float"):
            assert_same(CASES[name])


def test_profile_full_prints_everything():
    tc.set_printoptions(profile="full")
    torch.set_printoptions(profile="full")
    assert_same(np.arange(3000, dtype=np.float32).reshape(30, 100))


def test_requires_grad_leaf():
    for vals, dt in (([1.0, 2.0], "float32"), ([1.5, -2.25], "float64"), (3.0, "float32"),
                     ([[0.5]], "float16"), ([1 + 1j], "complex64")):
        ours = tc.tensor(vals, dtype=getattr(tc, dt), requires_grad=True)
        theirs = torch.tensor(vals, dtype=getattr(torch, dt), requires_grad=True)
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_grad_fn(dt):
    vals = [1.5, -2.0, 3.25]
    x = tc.tensor(vals, dtype=getattr(tc, dt), requires_grad=True)
    X = torch.tensor(vals, dtype=getattr(torch, dt), requires_grad=True)
    assert repr(x * 2) == repr(X * 2)
    assert repr(x + 1) == repr(X + 1)
    s = tc.tensor(2.0, dtype=getattr(tc, dt), requires_grad=True)
    S = torch.tensor(2.0, dtype=getattr(torch, dt), requires_grad=True)
    assert repr(s * s) == repr(S * S)


def test_suffixes_wrap_past_linewidth():
    vals = (rng(41).standard_normal(27) * 10).tolist()
    x = tc.tensor(vals, dtype=tc.float64, requires_grad=True)
    X = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
    assert repr(x) == repr(X)
    assert repr(x * 2) == repr(X * 2)
    for n in range(1, 12):   # short one-line tensors whose suffixes land around the 80th column
        v = [123.25] * n
        x = tc.tensor(v, dtype=tc.float64, requires_grad=True)
        X = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        assert repr(x) == repr(X)
        assert repr(x * 2) == repr(X * 2)


def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    tc.set_default_dtype(tc.float64)
    for name in ("normal_f64", "normal_1d", "complex64", "complex128", "empty_2x0", "empty_f32",
                 "int64", "f16", "0d_float"):
        assert_same(CASES[name])
    assert repr(tc.tensor([1.0, 2.5])) == repr(torch.tensor([1.0, 2.5]))
    assert repr(tc.tensor([1j])) == repr(torch.tensor([1j]))


def test_format_0d():
    for v in (3.14159, -2.0):
        assert f"{tc.tensor(v):.2f}" == f"{torch.tensor(v):.2f}"
        assert f"{tc.tensor(v)}" == f"{torch.tensor(v)}"
    assert f"{tc.tensor([1.0, 2.0])}" == f"{torch.tensor([1.0, 2.0])}"


def test_big_repr_is_fast():
    ours = tc.from_numpy(rng(42).standard_normal((1000, 1000)))
    start = time.perf_counter()
    for _ in range(10):
        repr(ours)
    assert (time.perf_counter() - start) / 10 < 0.05


def test_subclass_prefix():
    class MyT(torch.Tensor):
        pass

    class MyU(tc.Tensor):
        pass

    theirs = torch.tensor([1.0, 2.5]).as_subclass(MyT)
    ours = MyU._make_subclass(tc.tensor([1.0, 2.5]))
    assert repr(ours) == repr(theirs).replace("MyT", "MyU")
