"""nn.init against torch: after the same manual_seed every initialiser gives torch's very values
(it draws through the same uniform_/normal_ streams in the same order) and leaves the generator in
the same state; gains, fans and errors as torch."""
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc

SHAPES = [(7, 5), (5, 7), (16, 3, 3, 3), (4, 6, 5), (1, 300)]


def to_np(t):
    return np.array(t.detach().numpy() if isinstance(t, torch.Tensor) else t.detach()._data)


def run_both(shape, fn_name, *args, dtype="float32", seed=11, **kwargs):
    """Apply the initialiser after manual_seed on both sides; return both arrays and the next draw."""
    torch.manual_seed(seed)
    tc.manual_seed(seed)
    t = torch.empty(shape, dtype=getattr(torch, dtype))
    o = tc.empty(shape, dtype=getattr(tc, dtype))
    rt = getattr(torch.nn.init, fn_name)(t, *args, **kwargs)
    ro = getattr(tc.nn.init, fn_name)(o, *args, **kwargs)
    assert rt is t and ro is o
    return to_np(o), to_np(t), (to_np(tc.rand(3)), to_np(torch.rand(3)))


def assert_same_draws(shape, fn_name, *args, **kwargs):
    o, t, (no, nt) = run_both(shape, fn_name, *args, **kwargs)
    assert o.dtype == t.dtype
    assert np.array_equal(o, t), f"{fn_name}{args}{kwargs} on {shape} differs from torch"
    assert np.array_equal(no, nt), "the generator is not left where torch leaves it"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("fn,args,kwargs", [
    ("uniform_", (), {}), ("uniform_", (-0.3, 2.0), {}), ("normal_", (), {}), ("normal_", (1.5, 0.1), {}),
    ("xavier_uniform_", (), {}), ("xavier_uniform_", (), {"gain": 2.0}), ("xavier_normal_", (), {}),
    ("xavier_normal_", (0.5,), {}),
    ("kaiming_uniform_", (), {}), ("kaiming_uniform_", (), {"a": 5 ** 0.5}),
    ("kaiming_uniform_", (), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", (), {}), ("kaiming_normal_", (0.2, "fan_out", "leaky_relu"), {}),
    ("kaiming_normal_", (), {"nonlinearity": "tanh", "mode": "FAN_IN"}),
    ("trunc_normal_", (), {}), ("trunc_normal_", (), {"std": 0.02}),
    ("trunc_normal_", (0.0, 1.0, 2.0, 3.0), {}), ("trunc_normal_", (), {"mean": 0.5, "std": 0.3, "a": -0.1, "b": 0.1}),
])
def test_random_initialisers_equal_torch(shape, fn, args, kwargs):
    assert_same_draws(shape, fn, *args, **kwargs)


@pytest.mark.parametrize("fn,args", [("uniform_", (-1.0, 1.0)), ("normal_", (0.0, 2.0)), ("xavier_uniform_", ()),
                                     ("kaiming_normal_", ()), ("trunc_normal_", (0.0, 1.0, 1.0, 2.5))])
def test_float64(fn, args):
    assert_same_draws((9, 4), fn, *args, dtype="float64")


def test_generator_argument():
    for fn, args in (("uniform_", ()), ("normal_", ()), ("xavier_normal_", ()), ("kaiming_uniform_", ()),
                     ("trunc_normal_", ()), ("orthogonal_", ())):
        gt, go = torch.Generator().manual_seed(5), tc.Generator().manual_seed(5)
        torch.manual_seed(0)
        tc.manual_seed(0)
        t, o = torch.empty(6, 4), tc.empty(6, 4)
        getattr(torch.nn.init, fn)(t, *args, generator=gt)
        getattr(tc.nn.init, fn)(o, *args, generator=go)
        torch.testing.assert_close(torch.from_numpy(to_np(o)), t, rtol=1e-6, atol=1e-6)
        # the default generator was not touched
        assert np.array_equal(to_np(tc.rand(2)), to_np(torch.rand(2)))


@pytest.mark.parametrize("shape", [(7, 5), (5, 7), (6, 2, 3, 3), (4, 4)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal(shape, gain):
    o, t, (no, nt) = run_both(shape, "orthogonal_", gain)
    # QR here runs in float64 (NumPy) where torch's runs in float32: equal to float32 accuracy
    np.testing.assert_allclose(o, t, rtol=0, atol=2e-6 * gain)
    assert np.array_equal(no, nt)
    rows = o.reshape(shape[0], -1)
    small = min(rows.shape)
    gram = rows @ rows.T if rows.shape[0] <= rows.shape[1] else rows.T @ rows
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(small), atol=1e-5 * gain ** 2)


def test_sparse_equals_torch():
    for shape, sparsity in (((10, 6), 0.3), ((5, 4), 0.0), ((3, 3), 1.0)):
        assert_same_draws(shape, "sparse_", sparsity)
        assert_same_draws(shape, "sparse_", sparsity, std=0.5)


@pytest.mark.parametrize("fn,args,shape", [
    ("constant_", (0.3,), (3, 4)), ("ones_", (), (2, 5)), ("zeros_", (), (4,)), ("eye_", (), (3, 5)),
    ("eye_", (), (5, 3)), ("dirac_", (), (4, 3, 5)), ("dirac_", (), (6, 4, 3, 3)), ("dirac_", (2,), (6, 4, 3, 3)),
    ("dirac_", (3,), (6, 2, 3, 3, 3)),
])
def test_deterministic_initialisers(fn, args, shape):
    o, t, _ = run_both(shape, fn, *args)
    assert np.array_equal(o, t)


def test_initialisers_work_on_parameters_and_keep_them_leaves():
    p = tc.nn.Parameter(tc.empty(4, 3))
    for fn in (tc.nn.init.xavier_uniform_, tc.nn.init.zeros_, tc.nn.init.eye_, tc.nn.init.orthogonal_,
               lambda t: tc.nn.init.trunc_normal_(t, std=0.1), lambda t: tc.nn.init.constant_(t, 2)):
        out = fn(p)
        assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None


def test_calculate_gain_matches_torch():
    for name in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                 "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert tc.nn.init.calculate_gain(name) == torch.nn.init.calculate_gain(name)
        assert type(tc.nn.init.calculate_gain(name)) is type(torch.nn.init.calculate_gain(name))
    for param in (0.2, 3, 0):
        assert tc.nn.init.calculate_gain("leaky_relu", param) == torch.nn.init.calculate_gain("leaky_relu", param)
    for name, param in (("leaky_relu", True), ("leaky_relu", "x"), ("gelu", None)):
        with pytest.raises(ValueError) as et:
            torch.nn.init.calculate_gain(name, param)
        with pytest.raises(ValueError) as eo:
            tc.nn.init.calculate_gain(name, param)
        assert str(eo.value) == str(et.value)


def test_fans_and_errors_match_torch():
    for shape in ((3, 4), (8, 3, 5, 5), (2, 6, 7)):
        assert tc.nn.init._calculate_fan_in_and_fan_out(tc.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    cases = [("_calculate_fan_in_and_fan_out", (3,), ()), ("xavier_uniform_", (3,), ()),
             ("kaiming_uniform_", (3, 2), (0, "fan_avg")), ("eye_", (3, 2, 1), ()), ("dirac_", (3, 2), ()),
             ("dirac_", (3, 2, 3), (2,)), ("orthogonal_", (3,), ()), ("sparse_", (3, 2, 2), (0.1,))]
    for fn, shape, args in cases:
        with pytest.raises(ValueError) as et:
            getattr(torch.nn.init, fn)(torch.empty(shape), *args)
        with pytest.raises(ValueError) as eo:
            getattr(tc.nn.init, fn)(tc.empty(shape), *args)
        assert str(eo.value) == str(et.value), fn


def test_zero_element_and_deprecated_forms_warn():
    for fn in ("kaiming_uniform_", "kaiming_normal_"):
        with pytest.warns(UserWarning, match="zero-element"):
            getattr(tc.nn.init, fn)(tc.empty(0, 3))
    with pytest.warns(FutureWarning, match="nn.init.uniform_"):
        tc.nn.init.uniform(tc.empty(2))
    with pytest.warns(UserWarning, match="more than 2 std"):
        tc.nn.init.trunc_normal_(tc.empty(3), mean=10.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tc.nn.init.xavier_normal_(tc.empty(2, 2))


def test_layer_defaults_use_these_draws():
    """Linear and Embedding built after the same seed hold torch's weights; so do the layers of a
    small model built in the same order (each draws after the previous)."""
    def build(L):
        return L.nn.Sequential(L.nn.Embedding(11, 6, padding_idx=3), L.nn.Linear(6, 9), L.nn.Linear(9, 2, bias=False),
                               L.nn.Bilinear(2, 3, 4), L.nn.EmbeddingBag(5, 2))
    torch.manual_seed(99)
    tc.manual_seed(99)
    t, o = build(torch), build(tc)
    st, so = t.state_dict(), o.state_dict()
    assert list(so) == list(st)
    for k in st:
        assert np.array_equal(to_np(so[k]), to_np(st[k])), k
