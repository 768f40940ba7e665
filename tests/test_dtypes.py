"""dtypes against real torch: dtype objects, aliases, finfo/iinfo, the default dtype, bfloat16,
and type promotion over every pair of dtypes and every kind of operand."""
import itertools
import operator
import pickle
import sys

import numpy as np
import pytest
import torch

import torsh_compat as tc
from torsh_compat import _dtype as D
from _compare import Raised, assert_same, check, run

NAMES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64", "complex64", "complex128")
FLOATS = ("float16", "bfloat16", "float32", "float64")


@pytest.fixture(autouse=True)
def _default_float32():
    yield
    torch.set_default_dtype(torch.float32)
    tc.set_default_dtype(tc.float32)


# ---- dtype objects -----------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES + ("complex32",))
def test_dtype_attributes(name):
    ours, theirs = getattr(tc, name), getattr(torch, name)
    assert isinstance(ours, tc.dtype)
    for attr in ("is_floating_point", "is_complex", "is_signed", "itemsize", "abbr"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    check(lambda m: getattr(m, name).to_real())
    check(lambda m: getattr(m, name).to_complex())
    assert pickle.loads(pickle.dumps(ours)) is ours


@pytest.mark.parametrize("alias", ["float", "double", "half", "long", "int", "short", "cfloat",
                                   "cdouble", "chalf"])
def test_aliases(alias):
    assert str(getattr(tc, alias)) == str(getattr(torch, alias))
    assert getattr(tc, alias) is getattr(tc, str(getattr(torch, alias))[len("torch."):])


def test_dtypes_are_exported_as_torch_does():
    theirs = {n for n in dir(torch) if isinstance(getattr(torch, n), torch.dtype)}
    ours = {n for n in dir(tc) if isinstance(getattr(tc, n), tc.dtype)}
    wanted = set(NAMES) | {"complex32", "float", "double", "half", "long", "int", "short",
                           "cfloat", "cdouble", "chalf"}
    assert wanted <= theirs
    assert wanted <= ours, sorted(wanted - ours)


# ---- finfo / iinfo -----------------------------------------------------------------------

INFO_ARGS = [getattr(torch, n) for n in NAMES] + [torch.complex32, float, int, bool, complex,
                                                 None, np.float32, "float32"]


def _lib_arg(m, a):
    if isinstance(a, torch.dtype):
        return getattr(m, str(a)[len("torch."):])
    return a


def _info(m, kind, a):
    info = getattr(m, kind)(_lib_arg(m, a))
    fields = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype") \
        if kind == "finfo" else ("bits", "max", "min", "dtype")
    return [repr(info)] + [getattr(info, f) for f in fields]


@pytest.mark.parametrize("kind", ["finfo", "iinfo"])
def test_info_of_every_dtype(kind):
    for a in INFO_ARGS:
        check(lambda m: _info(m, kind, a), where=f"{kind}({a})")


def test_finfo_default_and_equality():
    for d in FLOATS:
        for m in (torch, tc):
            m.set_default_dtype(getattr(m, d))
        check(lambda m: [repr(m.finfo()), m.finfo().eps, m.finfo().dtype])
    assert tc.finfo(tc.float32) == tc.finfo(tc.float32) and tc.finfo(tc.float32) != tc.finfo(tc.float64)
    assert tc.iinfo(tc.int8) == tc.iinfo(tc.int8)


# ---- the default dtype ---------------------------------------------------------------------

DEFAULT_DEPENDENT = [
    lambda m: m.get_default_dtype(),
    lambda m: m.tensor(1.5),
    lambda m: m.tensor([1, 2.5]),
    lambda m: m.tensor([]),
    lambda m: m.zeros(2),
    lambda m: m.ones(2, 3),
    lambda m: m.empty(0),
    lambda m: m.full((2,), 1.5),
    lambda m: m.arange(3.0),
    lambda m: m.arange(0, 1, 0.25),
    lambda m: m.arange(3),
    lambda m: m.linspace(0, 1, 5),
    lambda m: m.logspace(0, 2, 3),
    lambda m: m.eye(2),
    lambda m: m.scalar_tensor(2),
    lambda m: m.Tensor(2).shape,
    lambda m: m.Tensor([1, 2]),
    lambda m: m.tensor([1, 2]) / 2,
    lambda m: m.tensor([1, 2]) * 1.5,
    lambda m: m.tensor([1, 2], dtype=m.float64) * 1.5,
    lambda m: m.tensor([True]) + 0.5,
    lambda m: m.result_type(m.tensor([1]), 1.5),
    lambda m: m.result_type(m.tensor(1), 1.5),
    lambda m: m.result_type(1.5, 1j),
    lambda m: m.tensor([1.5, 2.5], dtype=m.float32) + m.tensor(1.0),
]


@pytest.mark.parametrize("default", FLOATS)
def test_default_dtype_drives_floats(default):
    for m in (torch, tc):
        m.set_default_dtype(getattr(m, default))
    for fn in DEFAULT_DEPENDENT:
        check(fn)
    if default != "float16":      # complex32 tensors have no NumPy storage
        check(lambda m: m.tensor(1 + 2j))
        check(lambda m: m.tensor([1, 2]) * 1j)


def test_set_default_dtype_refuses_non_floats():
    for bad in ("int32", "complex64", "bool"):
        check(lambda m: m.set_default_dtype(getattr(m, bad)))
    for bad in (np.float64, float, "float64", None):
        check(lambda m: m.set_default_dtype(bad))
    assert tc.get_default_dtype() is tc.float32


# ---- promotion -----------------------------------------------------------------------------

def test_promote_types_every_pair():
    names = NAMES + ("complex32",)
    bad = []
    for a, b in itertools.product(names, names):
        theirs = str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
        ours = str(tc.promote_types(getattr(tc, a), getattr(tc, b)))
        if ours != theirs:
            bad.append((a, b, ours, theirs))
    assert not bad, bad


# Every kind of operand: a tensor with dims, a 0-dim tensor, a Python number, a NumPy scalar.
OPERANDS = ([(n, "dim") for n in NAMES] + [(n, "0-dim") for n in NAMES] +
            [(v, "python") for v in (True, 3, 2.5, 1 + 1j)] +
            [(v, "numpy") for v in (np.float64(2.5), np.float32(2.5), np.int32(3), np.int8(3),
                                    np.bool_(True), np.complex128(1j))])


def _operand(m, op):
    value, kind = op
    if kind == "dim":
        return m.ones(2, dtype=getattr(m, value))
    if kind == "0-dim":
        return m.ones((), dtype=getattr(m, value))
    return value


@pytest.mark.parametrize("default", FLOATS)
def test_result_type_every_operand_pair(default):
    for m in (torch, tc):
        m.set_default_dtype(getattr(m, default))
    built = {m: [_operand(m, o) for o in OPERANDS] for m in (torch, tc)}
    bad = []
    for i, j in itertools.product(range(len(OPERANDS)), repeat=2):
        theirs = run(lambda m: str(m.result_type(built[m][i], built[m][j])), torch)
        ours = run(lambda m: str(m.result_type(built[m][i], built[m][j])), tc)
        if isinstance(theirs, Raised) != isinstance(ours, Raised) or \
                (not isinstance(theirs, Raised) and ours != theirs):
            bad.append((OPERANDS[i], OPERANDS[j], ours, theirs))
    assert not bad, f"{len(bad)} mismatches, e.g. {bad[:10]}"


BINARY = {"a + b": operator.add, "a * b": operator.mul, "a / b": operator.truediv,
          "a == b": operator.eq, "a < b": operator.lt}


@pytest.mark.parametrize("expr", list(BINARY))
def test_operator_result_dtype_every_operand_pair(expr):
    op = BINARY[expr]
    ops = [o for o in OPERANDS if o[1] != "numpy"]
    built = {m: [_operand(m, o) for o in ops] for m in (torch, tc)}
    bad = []
    for i, j in itertools.product(range(len(ops)), repeat=2):
        if ops[i][1] == "python" and ops[j][1] == "python":
            continue
        a, b = built[torch][i], built[torch][j]
        if torch.result_type(a, b) == torch.complex32:
            continue                  # no NumPy storage for complex32
        theirs = run(lambda m: str(op(built[m][i], built[m][j]).dtype), torch)
        ours = run(lambda m: str(op(built[m][i], built[m][j]).dtype), tc)
        if isinstance(theirs, Raised):
            if not isinstance(ours, Raised) or ours.type is not theirs.type:
                bad.append((ops[i], ops[j], ours, theirs))
        elif ours != theirs:
            bad.append((ops[i], ops[j], ours, theirs))
    assert not bad, f"{expr}: {len(bad)} mismatches, e.g. {bad[:10]}"


def test_bfloat16_with_python_float():
    for fn in (lambda m: m.ones(3, dtype=m.bfloat16) * 3.1, lambda m: 2.5 + m.ones(3, dtype=m.bfloat16),
               lambda m: m.tensor([3.0], dtype=m.bfloat16) * 3.1):
        check(fn)


def test_ordering_comparison_of_complex():
    check(lambda m: m.ones(2, dtype=m.complex64) < m.ones(2, dtype=m.complex64))
    check(lambda m: m.ones(2) < 1j)


NAMED_CASES = {
    "python ints -> int64": lambda m: m.tensor([1, 2]),
    "python floats -> float32": lambda m: m.tensor([1.0, 2.0]),
    "int tensor + python float": lambda m: m.tensor([1, 2]) + 0.5,
    "int / int": lambda m: m.tensor([1, 2]) / m.tensor([2, 2]),
    "float32 + float64 0-dim": lambda m: m.ones(2) + m.tensor(1.5, dtype=m.float64),
    "int32 + float64 0-dim": lambda m: m.ones(2, dtype=m.int32) + m.tensor(1.5, dtype=m.float64),
    "int32 + int64 0-dim": lambda m: m.ones(2, dtype=m.int32) + m.tensor(7),
    "uint8 + int8": lambda m: m.tensor([200], dtype=m.uint8) + m.tensor([-100], dtype=m.int8),
    "bool + bool": lambda m: m.tensor([True, False]) + m.tensor([True, True]),
    "comparison": lambda m: m.tensor([1, 2]) < 1.5,
    "float16 + bfloat16": lambda m: m.ones(2, dtype=m.float16) + m.ones(2, dtype=m.bfloat16),
    "int8 0-dim + python int": lambda m: m.tensor(100, dtype=m.int8) + 100,
    "bool tensor + python int": lambda m: m.tensor([True]) + 2,
    "float16 + python float": lambda m: m.ones(2, dtype=m.float16) * 3.1,
    "int64 + complex": lambda m: m.tensor([1, 2]) * 1j,
    "float64 + complex64 0-dim": lambda m: m.ones(2, dtype=m.float64) + m.tensor(1j),
}


@pytest.mark.parametrize("case", list(NAMED_CASES))
def test_named_promotion_cases(case):
    check(NAMED_CASES[case])


# ---- bfloat16 --------------------------------------------------------------------------------

def _bf16_samples():
    g = np.random.default_rng(0)
    x = np.concatenate([g.standard_normal(2000) * 10.0 ** g.integers(-30, 30, 2000),
                        [0.0, -0.0, 1.0, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.3895313892515355e+38,
                         3.4e38, 1e-40, np.inf, -np.inf, np.nan, 65504.0, 2 ** 24 + 2 ** 16]])
    # exact ties and near-ties of the bfloat16 grid, to test round-half-to-even
    grid = np.arange(1, 300, dtype=np.float32) * np.float32(2 ** -7) + 1
    return np.concatenate([x, grid, grid + np.float32(2 ** -8), grid + np.float32(2 ** -8) * 1.0001])


def test_bfloat16_rounding_matches_torch():
    x = _bf16_samples()
    for src in (np.float32, np.float64):
        a = x.astype(src)
        check(lambda m: m.tensor(a).to(m.bfloat16), where=f"{src.__name__} -> bfloat16")
        check(lambda m: m.tensor(a, dtype=m.bfloat16), where=f"tensor({src.__name__}, bfloat16)")
    ints = np.array([0, 1, -7, 255, 2 ** 24 + 2 ** 16 + 1, 2 ** 31 - 1, -(2 ** 40) - 1], np.int64)
    check(lambda m: m.tensor(ints).bfloat16())
    check(lambda m: m.tensor(x[:50].astype(np.float32)).bfloat16().float())
    check(lambda m: m.tensor(x[:50].astype(np.float32)).bfloat16().double())
    check(lambda m: m.tensor([1.7, -2.5, 300.9]).bfloat16().long())


def test_bfloat16_creation_and_printing():
    for fn in [lambda m: m.zeros(2, 3, dtype=m.bfloat16), lambda m: m.ones(3, dtype=m.bfloat16),
               lambda m: m.full((2,), 3.14159, dtype=m.bfloat16),
               lambda m: m.arange(5, dtype=m.bfloat16),
               lambda m: m.linspace(0, 1, 7, dtype=m.bfloat16),
               lambda m: m.tensor([[1.1, 2.2], [3.3, 1e10]], dtype=m.bfloat16),
               lambda m: m.tensor(0.1, dtype=m.bfloat16),
               lambda m: m.tensor([1.5], dtype=m.bfloat16).item(),
               lambda m: m.tensor([1.1, 2.2], dtype=m.bfloat16).tolist(),
               lambda m: m.tensor([1.1], dtype=m.bfloat16).type(),
               lambda m: m.tensor([1.1], dtype=m.bfloat16).is_floating_point(),
               lambda m: m.tensor([1.1], dtype=m.bfloat16).element_size(),
               lambda m: m.tensor([1.1], dtype=m.bfloat16).numpy(),
               lambda m: m.tensor([1.1], dtype=m.bfloat16).requires_grad_(),
               lambda m: m.ones(2, dtype=m.bfloat16) + m.ones(2, dtype=m.bfloat16)]:
        check(fn)
    for values in ([1.1, 2.2, 3.3], [[1e-5, 1e5]], [0.1], [1.0, 2.0], [float("nan"), 1.0]):
        t, o = torch.tensor(values, dtype=torch.bfloat16), tc.tensor(values, dtype=tc.bfloat16)
        assert repr(o) == repr(t) and str(o) == str(t)
        assert repr(o.float()) == repr(t.float())


def test_bfloat16_without_ml_dtypes_is_a_clear_type_error(monkeypatch):
    np_dtype = D._bfloat16_np()
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)     # import ml_dtypes now fails
    monkeypatch.setattr(D.bfloat16, "np", None)
    monkeypatch.delitem(D.FROM_NP, np_dtype)
    for make in (lambda: tc.zeros(2, dtype=tc.bfloat16), lambda: tc.ones(2).bfloat16(),
                 lambda: tc.tensor([1.0], dtype=tc.bfloat16)):
        with pytest.raises(TypeError, match="ml_dtypes"):
            make()
    # everything not needing bfloat16 storage still works
    assert str(tc.promote_types(tc.bfloat16, tc.float16)) == "torch.float32"
    assert tc.finfo(tc.bfloat16).eps == torch.finfo(torch.bfloat16).eps
    assert tc.zeros(2).dtype is tc.float32
