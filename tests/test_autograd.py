"""torch.autograd semantics against real torch.

Each scenario is a function of the library module (torch or torsh_compat) that builds the same
computation and returns the values it wants compared (tensors, gradients, flags, names); the
harness runs it under both libraries and compares everything with torch.testing.assert_close.
Error scenarios must raise the same exception type as torch, with a message that says the same.
"""
import copy
import pickle

import numpy as np
import pytest
import torch

import torsh_compat as tc

RNG = np.random.default_rng(0)


def arr(*shape, lo=-1.0, hi=1.0, dtype=np.float32):
    return RNG.uniform(lo, hi, shape).astype(dtype)


def _to_torch(x):
    return torch.from_numpy(np.array(x.detach()._data, copy=True))


def compare(ours, theirs, where="result"):
    """Recursively compare a torsh_compat result with torch's: tensors by value/dtype/shape."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tc.Tensor), f"{where}: expected a Tensor, got {ours!r}"
        assert str(ours.dtype) == str(theirs.dtype), f"{where}: dtype {ours.dtype} != torch {theirs.dtype}"
        assert tuple(ours.shape) == tuple(theirs.shape), \
            f"{where}: shape {tuple(ours.shape)} != torch {tuple(theirs.shape)}"
        torch.testing.assert_close(_to_torch(ours), theirs.detach(), equal_nan=True,
                                   msg=lambda m: f"{where}: {m}")
    elif isinstance(theirs, (list, tuple)):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs), \
            f"{where}: {ours!r} != torch {theirs!r}"
        for i, (a, b) in enumerate(zip(ours, theirs)):
            compare(a, b, f"{where}[{i}]")
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and ours.keys() == theirs.keys(), f"{where}: keys differ"
        for k in theirs:
            compare(ours[k], theirs[k], f"{where}[{k!r}]")
    else:
        assert ours == theirs, f"{where}: {ours!r} != torch {theirs!r}"


def both(fn, *arrays, requires_grad=True):
    """Run fn(lib, *leaves) under torch and torsh_compat on the same data; compare the results."""
    results = []
    for lib in (torch, tc):
        leaves = [lib.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays]
        results.append(fn(lib, *leaves))
    compare(results[1], results[0])
    return results[1]


def raises_both(fn, *arrays, match=None, requires_grad=True):
    """fn must raise the same exception type in both libraries; `match` must be in our message."""
    caught = []
    for lib in (torch, tc):
        leaves = [lib.tensor(a, requires_grad=requires_grad and a.dtype.kind == "f") for a in arrays]
        with pytest.raises(Exception) as info:
            fn(lib, *leaves)
        caught.append(info.value)
    assert type(caught[1]) is type(caught[0]), \
        f"torsh_compat raised {type(caught[1]).__name__}: {caught[1]}; torch raised " \
        f"{type(caught[0]).__name__}: {caught[0]}"
    if match is not None:
        assert match in str(caught[0]), f"test expectation out of date: torch says {caught[0]}"
        assert match in str(caught[1]), f"message {str(caught[1])!r} lacks {match!r}"
    return caught[1]


@pytest.fixture(autouse=True)
def grad_mode_restored():
    """Every scenario must leave grad mode on and inference mode off, in both libraries."""
    yield
    leaked = [(lib.__name__, lib.is_grad_enabled(), lib.is_inference_mode_enabled()) for lib in (torch, tc)]
    torch.set_grad_enabled(True)
    tc.set_grad_enabled(True)
    assert all(on and not inf for _, on, inf in leaked), f"grad mode leaked: {leaked}"


def grads(*ts):
    return [t.grad for t in ts]


def has(name):
    return hasattr(tc, name)


needs_sum = pytest.mark.skipif(not has("sum"), reason="torch.sum not in torsh_compat yet")
needs_relu = pytest.mark.skipif(not hasattr(tc.Tensor, "relu_"), reason="Tensor.relu_ not in torsh_compat yet")


# ---- backward ---------------------------------------------------------------------------------

def test_backward_scalar_default_gradient():
    def f(lib, x, y):
        z = (x * y + x.sin()).tanh() * 2.0
        s = z[0] * z[1] + z[2]
        s.backward()
        return grads(x, y)
    both(f, arr(3), arr(3))


def test_backward_with_gradient_argument():
    def f(lib, x):
        y = x * x * 3.0
        y.backward(lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3)))
        return [x.grad]
    both(f, arr(2, 3))


def test_backward_retain_graph_allows_second_pass_and_accumulates():
    def f(lib, x):
        y = (x * x).exp()
        y.backward(lib.ones(4), retain_graph=True)
        first = x.grad.clone()
        y.backward(lib.ones(4))
        return [first, x.grad]
    both(f, arr(4))


def test_backward_inputs_restricts_accumulation():
    def f(lib, x, y):
        z = x * y * y
        z.backward(lib.ones(3), inputs=[y])
        a = [x.grad, y.grad]
        w = (x * y).sin()
        w.backward(lib.ones(3), inputs=x)
        return a + [x.grad, y.grad]
    both(f, arr(3), arr(3))


def test_backward_inputs_non_leaf_gets_grad():
    def f(lib, x):
        h = x.exp()
        out = h * h
        out.backward(lib.ones(3), inputs=[h, x])
        return [h.grad, x.grad, h.is_leaf]
    both(f, arr(3))


def test_backward_create_graph_then_backward_of_grad():
    def f(lib, x):
        y = x * x * x
        y.backward(lib.ones(3), create_graph=True)
        g = x.grad
        req = g.requires_grad
        x.grad = None
        (g * g).backward(lib.ones(3))
        return [req, x.grad]
    both(f, arr(3))


def test_autograd_backward_several_roots():
    def f(lib, x, y):
        a = x * y
        b = (x + y).cos()
        lib.autograd.backward([a, b], [lib.ones(3), lib.full((3,), 0.5)])
        return grads(x, y)
    both(f, arr(3), arr(3))


def test_autograd_backward_several_scalar_roots_without_grads():
    def f(lib, x):
        lib.autograd.backward([x[0] * x[1], x[2].exp()])
        return [x.grad]
    both(f, arr(3))


def test_backward_on_leaf_itself():
    def f(lib, x):
        x.backward(lib.full((2,), 3.0))
        return [x.grad]
    both(f, arr(2))


def test_add_may_backward_twice_without_retain():
    # AddBackward saves nothing: torch lets it run twice
    def f(lib, x, y):
        z = x + y
        z.backward(lib.ones(3))
        z.backward(lib.ones(3))
        return grads(x, y)
    both(f, arr(3), arr(3))


# ---- autograd.grad ------------------------------------------------------------------------------

def test_grad_basic_does_not_touch_dot_grad():
    def f(lib, x, y):
        z = x * y.exp()
        gx, gy = lib.autograd.grad(z, [x, y], lib.ones(3))
        return [gx, gy, x.grad, y.grad, gx.requires_grad]
    both(f, arr(3), arr(3))


def test_grad_single_input_returns_tuple():
    def f(lib, x):
        r = lib.autograd.grad((x * x)[1], x)
        return [type(r).__name__, len(r), r[0]]
    both(f, arr(3))


def test_grad_several_outputs_and_grad_outputs():
    def f(lib, x):
        a, b = x.sin(), x * x
        return list(lib.autograd.grad([a, b], x, [lib.ones(2), lib.full((2,), 2.0)]))
    both(f, arr(2))


def test_grad_of_intermediate():
    def f(lib, x):
        h = x.tanh()
        out = h * h * x
        return list(lib.autograd.grad(out, [h, x], lib.ones(4)))
    both(f, arr(4))


def test_grad_allow_unused_and_materialize():
    def f(lib, x, y):
        z = x * 2.0
        a = lib.autograd.grad(z, [x, y], lib.ones(3), allow_unused=True, retain_graph=True)
        b = lib.autograd.grad(z, [x, y], lib.ones(3), materialize_grads=True)
        return [a[0], a[1] is None, b[0], b[1]]
    both(f, arr(3), arr(3))


def test_grad_unused_without_allow_unused_raises():
    def f(lib, x, y):
        lib.autograd.grad(x * 2.0, [x, y], lib.ones(3))
    raises_both(f, arr(3), arr(3), match="allow_unused=True")


def test_grad_retain_graph_false_frees():
    def f(lib, x):
        y = x.exp()
        lib.autograd.grad(y, x, lib.ones(3))
        lib.autograd.grad(y, x, lib.ones(3))
    raises_both(f, arr(3), match="backward through the graph a second time")


@pytest.mark.parametrize("fn", ["cube", "tanh", "sin", "product", "exp_sq", "div", "sigmoid"])
def test_higher_order_derivatives(fn):
    forms = {
        "cube": lambda lib, x, y: x ** 3,
        "tanh": lambda lib, x, y: lib.tanh(x),
        "sin": lambda lib, x, y: lib.sin(x) * y,
        "product": lambda lib, x, y: x * y * x,
        "exp_sq": lambda lib, x, y: lib.exp(x * x),
        "div": lambda lib, x, y: y / (x * x + 1.0),
        "sigmoid": lambda lib, x, y: lib.sigmoid(x * y),
    }

    def f(lib, x, y):
        out = forms[fn](lib, x, y)
        g1, = lib.autograd.grad(out, x, lib.ones(5), create_graph=True)
        g2, = lib.autograd.grad(g1, x, lib.ones(5), create_graph=True)
        g3 = lib.autograd.grad(g2, [x, y], lib.ones(5), allow_unused=True)
        return [g1, g2, g3[0], g3[1], g1.requires_grad, g2.requires_grad]
    both(f, arr(5), arr(5))


def test_second_derivative_mixed_partials():
    def f(lib, x, y):
        out = (x * y).sin() * y
        gx, gy = lib.autograd.grad(out, [x, y], lib.ones(4), create_graph=True)
        return list(lib.autograd.grad(gx * gy, [x, y], lib.ones(4)))
    both(f, arr(4), arr(4))


def test_second_derivative_through_broadcasting():
    def f(lib, x, y):
        out = x * y * y + x / (y + 3.0)          # (3,1) with (4,) -> (3,4)
        gx, gy = lib.autograd.grad(out, [x, y], lib.ones(3, 4), create_graph=True)
        hx, hy = lib.autograd.grad(gx * gx * x, [x, y], lib.ones(3, 1), retain_graph=True)
        kx, ky = lib.autograd.grad(gy * gy, [x, y], lib.ones(4))
        return [gx, gy, hx, hy, kx, ky]
    both(f, arr(3, 1), arr(4))


@needs_sum
def test_second_derivative_through_reductions():
    def f(lib, x):
        out = (x ** 3).sum() + (x.sin() * x).mean()
        g, = lib.autograd.grad(out, x, create_graph=True)
        h, = lib.autograd.grad(g.sum(), x, create_graph=True)
        k, = lib.autograd.grad((h * h).mean(), x)
        return [g, h, k]
    both(f, arr(2, 3))


@needs_sum
def test_gradient_penalty():
    def f(lib, w, x):
        x = x.detach().requires_grad_(True)
        out = ((x * w).tanh() * w).sum()
        g, = lib.autograd.grad(out, x, create_graph=True)
        norm = ((g * g).sum(dim=1) + 1e-12).sqrt()
        penalty = ((norm - 1.0) ** 2).mean()
        penalty.backward()
        return [g, penalty, w.grad]
    both(f, arr(1, 4), arr(3, 4))


def test_gradient_penalty_without_reductions():
    def f(lib, w, x):
        x = x.detach().requires_grad_(True)
        out = (x * w).tanh() * w
        g, = lib.autograd.grad(out, x, lib.ones(3, 4), create_graph=True)
        penalty = ((g * g + 1e-12).sqrt() - 1.0) ** 2
        penalty.backward(lib.ones(3, 4))
        return [g, w.grad, x.grad]
    both(f, arr(1, 4), arr(3, 4))


# ---- broadcasting and dtypes -------------------------------------------------------------------

@pytest.mark.parametrize("sa,sb", [((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((), (2, 3)), ((2, 1, 3), (5, 1))])
def test_gradients_reduced_over_broadcast_dims(sa, sb):
    def f(lib, a, b):
        out = (a * b + a - b / (a * a + 1.0)) ** 2
        out.backward(lib.ones(out.shape))
        return grads(a, b)
    both(f, arr(*sa), arr(*sb))


def test_gradient_of_python_scalar_ops_and_reflected():
    def f(lib, x):
        out = 2.0 / (1.0 - x) + 3.0 ** x - 0.5 * x
        out.backward(lib.ones(3))
        return [x.grad]
    both(f, arr(3, lo=-0.5, hi=0.5))


def test_float64_leaf_grad_dtype():
    def f(lib, x, y):
        out = x * y        # float64 * float32 -> float64
        out.backward(lib.ones(3, dtype=lib.float64))
        return grads(x, y)
    both(f, arr(3, dtype=np.float64), arr(3))


# ---- .grad accumulation --------------------------------------------------------------------------

def test_grad_accumulates_across_calls_and_keeps_identity():
    ids = {}
    data = arr(3)
    for lib in (torch, tc):
        x = lib.tensor(data, requires_grad=True)
        (x * x).backward(lib.ones(3))
        g = x.grad
        (x * 3.0).backward(lib.ones(3))
        ids[lib] = (x.grad is g, x.grad.clone())
    assert ids[tc][0] is ids[torch][0] is True
    compare(ids[tc][1], ids[torch][1])


def test_grad_zeroing_and_none():
    def f(lib, x):
        (x * x).backward(lib.ones(3))
        x.grad.zero_()
        (x * 2.0).backward(lib.ones(3))
        a = x.grad.clone()
        x.grad = None
        (x * 5.0).backward(lib.ones(3))
        return [a, x.grad]
    both(f, arr(3))


@pytest.mark.parametrize("value", [lambda lib: lib.ones(4), lambda lib: lib.ones(1, 3), lambda lib: 3,
                                   lambda lib: lib.ones(3, dtype=lib.float64),
                                   lambda lib: lib.ones(3, dtype=lib.int64)])
def test_grad_setter_checks(value):
    def f(lib, x):
        x.grad = value(lib)
    raises_both(f, arr(3))


# ---- retain_grad and hooks ------------------------------------------------------------------------

def test_retain_grad_on_non_leaf():
    def f(lib, x):
        h = x * 2.0
        h.retain_grad()
        r = h.retains_grad
        out = h.sin() * h
        out.backward(lib.ones(3))
        return [r, h.grad, x.grad, x.retains_grad]
    both(f, arr(3))


def test_non_leaf_grad_is_none_without_retain():
    with pytest.warns(UserWarning):
        x = torch.ones(2, requires_grad=True)
        (x * 2).grad
    x = tc.ones(2, requires_grad=True)
    assert (x * 2).grad is None


def test_tensor_hook_on_leaf_replaces_grad_and_removes():
    def f(lib, x):
        seen = []
        h = x.register_hook(lambda g: seen.append(g.clone()) or g * 10.0)
        (x * x).backward(lib.ones(3))
        a = x.grad.clone()
        h.remove()
        x.grad = None
        (x * x).backward(lib.ones(3))
        return [seen, a, x.grad]
    both(f, arr(3))


def test_tensor_hook_on_non_leaf():
    def f(lib, x):
        h = x.exp()
        seen = []
        h.register_hook(lambda g: seen.append(g.clone()))
        handle = h.register_hook(lambda g: g * 2.0)
        out = h * h
        out.backward(lib.ones(3), retain_graph=True)
        a = x.grad.clone()
        handle.remove()
        x.grad = None
        out.backward(lib.ones(3))
        return [seen, a, x.grad]
    both(f, arr(3))


def test_hook_sees_grad_after_retain_grad_order():
    def f(lib, x):
        h = x * 3.0
        h.retain_grad()
        h.register_hook(lambda g: g + 1.0)
        (h * h).backward(lib.ones(2))
        return [h.grad, x.grad]
    both(f, arr(2))


def test_hook_on_tensor_without_grad_raises():
    def f(lib, x):
        x.register_hook(lambda g: g)
    raises_both(f, arr(2), requires_grad=False, match="doesn't require grad")


def test_grad_fn_hooks_and_prehooks():
    def f(lib, x, y):
        z = x * y
        seen = []
        z.grad_fn.register_prehook(lambda gout: seen.append(("pre", len(gout), gout[0].clone())))
        z.grad_fn.register_hook(lambda gin, gout: seen.append(("post", len(gin), gin[0].clone(),
                                                               gin[1].clone())))
        (z.exp()).backward(lib.ones(3))
        return [seen, x.grad, y.grad]
    both(f, arr(3), arr(3))


def test_grad_fn_prehook_replaces_grad_output():
    def f(lib, x):
        z = x.sin()
        handle = z.grad_fn.register_prehook(lambda gout: (gout[0] * 4.0,))
        z.backward(lib.ones(3), retain_graph=True)
        a = x.grad.clone()
        handle.remove()
        x.grad = None
        z.backward(lib.ones(3))
        return [a, x.grad]
    both(f, arr(3))


def test_grad_fn_post_hook_replaces_grad_inputs():
    def f(lib, x, y):
        z = x * y
        z.grad_fn.register_hook(lambda gin, gout: (gin[0] * 0.0, gin[1] * 2.0))
        z.backward(lib.ones(3))
        return grads(x, y)
    both(f, arr(3), arr(3))


# ---- graph structure ------------------------------------------------------------------------------

def _structure(fn, depth=3):
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    return (fn.name(), tuple((_structure(f, depth - 1), i) for f, i in fn.next_functions))


def test_next_functions_structure_and_names():
    def f(lib, x, y):
        z = (x * y).exp() + x.tanh() * 2.0
        return [_structure(z.grad_fn, 4), type(z.grad_fn).__name__]
    both(f, arr(3), arr(3))


def test_accumulate_grad_variable_and_identity():
    for lib in (torch, tc):
        x = lib.ones(2, requires_grad=True)
        y = x * 2.0
        z = x * 3.0
        acc = y.grad_fn.next_functions[0][0]
        assert acc.variable is x
        assert acc is z.grad_fn.next_functions[0][0]
        assert acc.name() == "torch::autograd::AccumulateGrad"


def test_requires_grad_and_is_leaf_propagation():
    def f(lib, x, c):
        a = x * c
        b = c * 2.0
        d = a.detach()
        return [[t.requires_grad for t in (x, c, a, b, d)], [t.is_leaf for t in (x, c, a, b, d)],
                [t.grad_fn is None for t in (x, c, a, b, d)]]
    both(lambda lib, x, c: f(lib, x, c.detach()), arr(3), arr(3))


def test_integer_results_do_not_require_grad():
    def f(lib, x):
        return [(x > 0).requires_grad, (x * 2.0).requires_grad, x.floor().requires_grad,
                (x > 0).grad_fn is None]
    both(f, arr(3))


def test_grad_fn_call_directly():
    def f(lib, x, y):
        z = x * y
        return list(z.grad_fn(lib.ones(3)))
    both(f, arr(3), arr(3))


# ---- grad mode -------------------------------------------------------------------------------------

def test_no_grad_enable_grad_nesting():
    def f(lib, x):
        with lib.no_grad():
            a = x * 2.0
            with lib.enable_grad():
                b = x * 2.0
                inner = lib.is_grad_enabled()
            c = x * 2.0
        return [a.requires_grad, b.requires_grad, c.requires_grad, inner, lib.is_grad_enabled()]
    both(f, arr(3))


def test_set_grad_enabled_function_context_decorator():
    def f(lib, x):
        out = []
        lib.set_grad_enabled(False)
        out.append((x * 2.0).requires_grad)
        lib.set_grad_enabled(True)
        out.append((x * 2.0).requires_grad)
        with lib.set_grad_enabled(False):
            out.append((x * 2.0).requires_grad)
        out.append(lib.is_grad_enabled())

        @lib.set_grad_enabled(False)
        def g(t):
            return (t * 2.0).requires_grad
        out.append(g(x))
        out.append(lib.is_grad_enabled())
        return out
    both(f, arr(3))


def test_no_grad_decorators():
    def f(lib, x):
        @lib.no_grad
        def bare(t):
            return t * 2.0

        @lib.no_grad()
        def called(t):
            return t * 2.0

        @lib.enable_grad()
        def en(t):
            return t * 2.0

        with lib.no_grad():
            e = en(x)
        return [bare(x).requires_grad, called(x).requires_grad, e.requires_grad,
                bare.__name__, lib.is_grad_enabled()]
    both(f, arr(3))


def test_inference_mode_context_and_decorator():
    def f(lib, x):
        with lib.inference_mode():
            a = x * 2.0
            inf = lib.is_inference_mode_enabled()
            g = lib.is_grad_enabled()
            with lib.inference_mode(False):
                b = x * 2.0

        @lib.inference_mode()
        def dec(t):
            return t * 2.0

        @lib.inference_mode
        def bare(t):
            return t * 2.0

        return [a.requires_grad, inf, g, b.requires_grad, dec(x).requires_grad, bare(x).requires_grad,
                lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
    both(f, arr(3))


def test_grad_mode_restored_after_exception():
    for lib in (torch, tc):
        with pytest.raises(ValueError):
            with lib.no_grad():
                raise ValueError("boom")
        assert lib.is_grad_enabled()


def test_backward_under_no_grad_still_works():
    def f(lib, x):
        y = x.exp() * x
        with lib.no_grad():
            y.backward(lib.ones(3))
        return [x.grad]
    both(f, arr(3))


# ---- requires_grad_, detach ------------------------------------------------------------------------

def test_requires_grad_and_detach():
    def f(lib, x):
        y = x * 2.0
        d = y.detach()
        same_memory = d.data_ptr() == y.data_ptr()
        d2 = y.detach()
        d2.add_(1.0)             # shares storage: y sees the change
        z = (x * 3.0)
        z.detach_()
        w = lib.tensor([1.0, 2.0]).requires_grad_()
        return [d.requires_grad, d.is_leaf, same_memory, y, z.requires_grad, z.is_leaf,
                z.grad_fn is None, w.requires_grad, w.requires_grad_(False).requires_grad]
    both(f, arr(2))


def test_requires_grad_on_integer_tensor_raises():
    def f(lib, x):
        lib.tensor([1, 2, 3]).requires_grad_()
    raises_both(f, arr(1), match="floating point")


def test_requires_grad_kwarg_on_integer_tensor_raises():
    def f(lib, x):
        lib.tensor([1, 2], requires_grad=True)
    raises_both(f, arr(1), match="floating point")


def test_requires_grad_false_on_non_leaf_raises():
    def f(lib, x):
        (x * 2.0).requires_grad_(False)
    raises_both(f, arr(2), match="leaf variables")


# ---- autograd.Function ----------------------------------------------------------------------------

def _functions(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * x * x * scale

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3.0 * x * x * ctx.scale, None

    class SplitTwo(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, ga, gb):
            x, y = ctx.saved_tensors
            return ga * y + gb, ga * x + gb

    class NeedsGrad(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.flags = ctx.needs_input_grad
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g if ctx.needs_input_grad[0] else None, g if ctx.needs_input_grad[1] else None

    class SortLike(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = (x > 0).to(lib.int64)
            ctx.mark_non_differentiable(idx)
            return x * 2.0, idx

        @staticmethod
        def backward(ctx, g, gidx):
            ctx.gidx_none = gidx is None
            return g * 2.0

    class NoMaterialize(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1.0, x * 2.0

        @staticmethod
        def backward(ctx, ga, gb):
            NoMaterialize.seen = (ga is None, gb is None)
            out = ga * 1.0 if ga is not None else None
            if gb is not None:
                out = gb * 2.0 if out is None else out + gb * 2.0
            return out

    class AddOneInPlace(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1.0)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 5.0

    class Mul(lib.autograd.Function):      # setup_context style
        @staticmethod
        def forward(x, y, note):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, y, note = inputs
            ctx.save_for_backward(x, y)
            ctx.note = note

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x, None

    class Square(lib.autograd.Function):      # differentiable backward: double backward works
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 2.0 * x

    class Once(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x.exp()

    return dict(Cube=Cube, SplitTwo=SplitTwo, NeedsGrad=NeedsGrad, SortLike=SortLike,
                NoMaterialize=NoMaterialize, AddOneInPlace=AddOneInPlace, Identity=Identity, Mul=Mul,
                Square=Square, Once=Once)


def test_function_save_for_backward_and_non_tensor_args():
    def f(lib, x):
        F = _functions(lib)
        y = F["Cube"].apply(x, 0.5)
        y.backward(lib.ones(3))
        return [y, x.grad, type(y.grad_fn).__name__, y.grad_fn.name(), y.requires_grad]
    both(f, arr(3))


def test_function_multiple_outputs():
    def f(lib, x, y):
        a, b = _functions(lib)["SplitTwo"].apply(x, y)
        (a * b).backward(lib.ones(3))
        return [a, b, x.grad, y.grad, a.grad_fn.name()]
    both(f, arr(3), arr(3))


def test_function_multiple_outputs_one_used():
    def f(lib, x, y):
        a, b = _functions(lib)["SplitTwo"].apply(x, y)
        b.backward(lib.ones(3))
        return grads(x, y)
    both(f, arr(3), arr(3))


def test_function_needs_input_grad():
    def f(lib, x, y):
        y = y.detach()
        z = _functions(lib)["NeedsGrad"].apply(x, y)
        z.backward(lib.ones(3))
        # the ctx is the grad_fn in torch: attributes set on it are read through the node
        return [z.grad_fn.flags, z.grad_fn.needs_input_grad, x.grad, y.grad]
    both(f, arr(3), arr(3))


def test_function_mark_non_differentiable():
    def f(lib, x):
        F = _functions(lib)["SortLike"]
        y, idx = F.apply(x)
        y.backward(lib.ones(4))
        return [y, idx, idx.requires_grad, idx.grad_fn is None, x.grad]
    both(f, arr(4))


def test_function_set_materialize_grads_false():
    out = []
    for lib in (torch, tc):
        F = _functions(lib)["NoMaterialize"]
        x = lib.tensor(arr(3), requires_grad=True)
        a, b = F.apply(x)
        b.backward(lib.ones(3))
        out.append((F.seen, x.grad))
    assert out[1][0] == out[0][0]
    compare(out[1][1], out[0][1])


def test_function_mark_dirty_returns_input():
    def f(lib, x):
        h = x * 1.0
        y = _functions(lib)["AddOneInPlace"].apply(h)
        same = y is h
        (y * y).backward(lib.ones(3))
        return [same, y, x.grad, h.grad_fn.name()]
    both(f, arr(3))


def test_function_returning_input_unchanged():
    def f(lib, x):
        y = _functions(lib)["Identity"].apply(x)
        (y * 1.0).backward(lib.ones(2))
        return [y is x, y.is_leaf, x.grad, y.grad_fn.name()]
    both(f, arr(2))


def test_function_setup_context_style():
    def f(lib, x, y):
        z = _functions(lib)["Mul"].apply(x, y, "note")
        z.backward(lib.ones(3))
        return [z, x.grad, y.grad]
    both(f, arr(3), arr(3))


def test_function_double_backward():
    def f(lib, x):
        y = _functions(lib)["Square"].apply(x)
        g, = lib.autograd.grad(y * x, x, lib.ones(3), create_graph=True)
        h, = lib.autograd.grad(g, x, lib.ones(3))
        return [g, h]
    both(f, arr(3))


def test_function_once_differentiable():
    def f(lib, x):
        y = _functions(lib)["Once"].apply(x)
        g, = lib.autograd.grad(y, x, lib.ones(3), create_graph=True)
        return [g, g.requires_grad]
    both(f, arr(3))


def test_function_once_differentiable_double_backward_raises():
    def f(lib, x, v):
        y = _functions(lib)["Once"].apply(x)
        g, = lib.autograd.grad(y, x, v, create_graph=True)     # v requires grad: g does too
        assert g.requires_grad and g.grad_fn is not None
        g.backward(lib.ones(3))
    raises_both(f, arr(3), arr(3), match="once_differentiable")


def test_function_saved_tensors_after_backward_raises():
    def f(lib, x):
        y = _functions(lib)["Cube"].apply(x, 1.0)
        y.backward(lib.ones(3))
        y.backward(lib.ones(3))
    raises_both(f, arr(3), match="second time")


def test_function_saved_tensor_modified_raises():
    def f(lib, x):
        h = x * 1.0
        y = _functions(lib)["Cube"].apply(h, 1.0)
        h.mul_(2.0)
        y.backward(lib.ones(3))
    raises_both(f, arr(3), match="modified by an inplace operation")


def test_function_wrong_number_of_grads_raises():
    def f(lib, x, y):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                return a * b

            @staticmethod
            def backward(ctx, g):
                return g
        Bad.apply(x, y).backward(lib.ones(3))
    raises_both(f, arr(3), arr(3), match="incorrect number of gradients")


def test_function_no_grad_inside_forward_and_without_grad_inputs():
    def f(lib, x):
        F = _functions(lib)["Cube"]
        with lib.no_grad():
            a = F.apply(x, 1.0)
        b = F.apply(x.detach(), 1.0)
        return [a.requires_grad, a.grad_fn is None, b.requires_grad]
    both(f, arr(3))


# ---- errors -----------------------------------------------------------------------------------------

def test_backward_twice_without_retain_graph_raises():
    def f(lib, x):
        y = (x * x)[0]
        y.backward()
        y.backward()
    raises_both(f, arr(3), match="backward through the graph a second time")


def test_modified_saved_tensor_raises():
    def f(lib, x):
        h = x * 1.0
        y = h * h
        h.add_(1.0)
        y.backward(lib.ones(3))
    e = raises_both(f, arr(3), match="modified by an inplace operation")
    assert "is at version 1; expected version 0" in str(e)


def test_modified_saved_output_raises():
    def f(lib, x):
        y = (x * 1.0).exp()
        y.mul_(2.0)
        y.backward(lib.ones(3))
    raises_both(f, arr(3), match="modified by an inplace operation")


def test_inplace_on_leaf_requiring_grad_raises():
    def f(lib, x):
        x.add_(1.0)
    raises_both(f, arr(3), match="leaf Variable that requires grad")


def test_inplace_on_view_of_leaf_raises():
    def f(lib, x):
        x[0].mul_(2.0)
    raises_both(f, arr(3), match="view of a leaf Variable")


def test_setitem_on_leaf_raises():
    def f(lib, x):
        x[0] = 1.0
    raises_both(f, arr(3), match="leaf Variable")


def test_inplace_on_leaf_under_no_grad_is_allowed():
    def f(lib, x):
        with lib.no_grad():
            x.mul_(2.0)
            x[0] = 5.0
        (x * x).backward(lib.ones(3))
        return [x, x.grad, x.is_leaf, x.requires_grad]
    both(f, arr(3))


def test_non_scalar_backward_without_gradient_raises():
    def f(lib, x):
        (x * 2.0).backward()
    raises_both(f, arr(3), match="grad can be implicitly created only for scalar outputs")


def test_backward_of_tensor_not_requiring_grad_raises():
    def f(lib, x):
        (x * 2.0).backward(lib.ones(2))
    raises_both(f, arr(2), requires_grad=False, match="does not require grad")


def test_grad_of_tensor_not_requiring_grad_raises():
    def f(lib, x):
        lib.autograd.grad(x * 2.0, x, lib.ones(2))
    raises_both(f, arr(2), requires_grad=False, match="does not require grad")


def test_grad_wrt_tensor_not_requiring_grad_raises():
    def f(lib, x):
        c = x.detach()
        lib.autograd.grad(x * c, c, lib.ones(2))
    raises_both(f, arr(2), match="does not require grad")


def test_gradient_shape_mismatch_raises():
    def f(lib, x):
        (x * 2.0).backward(lib.ones(3))
    raises_both(f, arr(2), match="Mismatch in shape")


def test_backward_empty_inputs_raises():
    def f(lib, x):
        (x * 2.0).backward(lib.ones(2), inputs=[])
    raises_both(f, arr(2), match="cannot be empty")


# ---- in-place through views, as models do it -------------------------------------------------------

@needs_relu
def test_relu_inplace_on_non_leaf():
    def f(lib, x, w):
        h = x * w
        h.relu_()
        out = h * h
        out.backward(lib.ones(5))
        return [h, type(h.grad_fn).__name__, x.grad, w.grad]
    both(f, arr(5), arr(5))


@needs_relu
def test_residual_block_with_inplace_relu():
    def f(lib, x, w1, w2):
        identity = x
        out = x * w1
        out.relu_()
        out = out * w2
        out += identity
        out.relu_()
        (out * out).backward(lib.ones(2, 4))
        return [out, out.grad_fn.name(), x.grad, w1.grad, w2.grad]
    both(f, arr(2, 4), arr(2, 4), arr(2, 4))


@needs_relu
def test_inplace_relu_on_view_of_non_leaf():
    def f(lib, x, w):
        h = x * w
        h[:, :2].relu_()
        (h * w).backward(lib.ones(3, 4))
        return [h, x.grad, w.grad]
    both(f, arr(3, 4), arr(3, 4))


def test_inplace_mul_on_non_leaf_keeps_history():
    def f(lib, x, w):
        h = x * w
        h.mul_(w)
        h.add_(x)
        h.tanh_()
        h.backward(lib.ones(4))
        return [h, h.grad_fn.name(), h._version, x.grad, w.grad]
    both(f, arr(4), arr(4))


def test_residual_iadd():
    def f(lib, x, w):
        identity = x
        out = (x * w).sin()
        out += identity
        out = out * w
        out += identity
        out.backward(lib.ones(3))
        return [out, x.grad, w.grad]
    both(f, arr(3), arr(3))


def test_setitem_on_non_leaf_inside_computation():
    def f(lib, x, w):
        h = x * w
        h[:, 0] = 0.0
        h[1] = w[1] * 3.0
        h[2, 1:3] = (x[0, :2] * w[2, :2]).sin()
        out = h * w
        out.backward(lib.ones(3, 4))
        return [h, type(h.grad_fn).__name__, x.grad, w.grad]
    both(f, arr(3, 4), arr(3, 4))


def test_setitem_with_grad_value():
    def f(lib, x, v):
        h = x * 1.0
        h[0, 1:3] = v * 2.0
        (h * h).backward(lib.ones(2, 4))
        return [h, x.grad, v.grad]
    both(f, arr(2, 4), arr(2))


def test_inplace_on_view_then_use_base():
    def f(lib, x):
        h = x * 2.0
        v = h.view(2, 3)
        v.mul_(v.detach() + 1.0)
        v.sub_(x.view(2, 3) * 0.5)
        out = h.exp()
        out.backward(lib.ones(6))
        return [h, v, type(h.grad_fn).__name__, x.grad]
    both(f, arr(6))


def test_inplace_on_base_then_use_older_view():
    def f(lib, x):
        h = x * 1.0
        v = h[1:]
        before = v.grad_fn.name()
        old = v.grad_fn
        h.mul_(3.0)
        rebuilt = v.grad_fn is not old
        (v * v).backward(lib.ones(3))
        return [before, rebuilt, v, x.grad]
    both(f, arr(4))


def test_inplace_on_one_view_then_other_view():
    def f(lib, x, w):
        h = x * 1.0
        a = h[0]
        b = h[:, 1]
        a.mul_(w)
        out = b * b
        out.backward(lib.ones(2))
        return [h, b, x.grad, w.grad]
    both(f, arr(2, 3), arr(3))


def test_chained_views_inplace():
    def f(lib, x, w):
        h = x * 1.0
        v = h.view(2, 6)[1].view(3, 2)
        v.mul_(w)
        (h * h).backward(lib.ones(12))
        return [h, x.grad, w.grad]
    both(f, arr(12), arr(3, 2))


def test_data_shares_storage_without_version_tracking():
    def f(lib, x, w):
        y = (x * w).exp()
        w.data.mul_(2.0)         # not tracked: backward uses the new w
        y.backward(lib.ones(3))
        return [w, x.grad, w.grad, w._version]
    both(f, arr(3), arr(3))


def test_data_assignment_changes_shape():
    def f(lib, w):
        w.data = lib.ones(2, 2)
        out = w * 3.0
        out.backward(lib.ones(2, 2))
        return [w, w.shape, w.grad, w.requires_grad, w.is_leaf]
    both(f, arr(3))


def test_data_is_not_requiring_grad_leaf():
    def f(lib, x):
        d = (x * 2.0).data
        return [d.requires_grad, d.is_leaf, d]
    both(f, arr(3))


def test_copy_into_slice_of_buffer_feeds_loss():
    def f(lib, x, y):
        buf = lib.zeros(2, 3)
        buf[0].copy_(x * 2.0)
        buf[1, :2].copy_(y)
        loss = (buf * buf).exp()
        loss.backward(lib.ones(2, 3))
        return [buf, type(buf.grad_fn).__name__, x.grad, y.grad]
    both(f, arr(3), arr(2))


def test_copy_broadcast_and_dtype_into_buffer():
    def f(lib, x):
        buf = lib.zeros(3, 2, dtype=lib.float64)
        buf.copy_(x)
        (buf * buf).backward(lib.ones(3, 2, dtype=lib.float64))
        return [buf, x.grad]
    both(f, arr(2))


def test_version_counter_shared_by_views():
    def f(lib, x):
        h = x * 1.0
        v = h[0]
        a = (h._version, v._version)
        v.add_(1.0)
        b = (h._version, v._version)
        h.mul_(2.0)
        return [a, b, (h._version, v._version)]
    both(f, arr(2, 2))


def test_inplace_modifying_saved_view_base_detected():
    def f(lib, x):
        h = x * 1.0
        v = h[0]
        y = v.exp() * v        # saves v
        h.add_(1.0)            # bumps the shared counter
        y.backward(lib.ones(3))
    raises_both(f, arr(2, 3), match="modified by an inplace operation")


# ---- pickling and copying ---------------------------------------------------------------------------

def test_pickle_leaf_keeps_values_and_requires_grad():
    def f(lib, x):
        y = pickle.loads(pickle.dumps(x))
        return [y, y.requires_grad, y.is_leaf, y.grad]
    both(f, arr(3))


def test_pickle_drops_grad():
    def f(lib, x):
        x.grad = lib.full((3,), 2.0)
        return [pickle.loads(pickle.dumps(x)).grad]
    both(f, arr(3))


def test_deepcopy_leaf():
    def f(lib, x):
        x.grad = lib.ones(3)
        y = copy.deepcopy(x)
        y.data.mul_(2.0)
        return [y, x, y.requires_grad, y.is_leaf, y.grad, y.grad is x.grad]
    both(f, arr(3))


def test_deepcopy_keeps_shared_tensors_shared():
    def f(lib, x):
        pair = copy.deepcopy([x, x])
        return [pair[0] is pair[1], pair[0].requires_grad]
    both(f, arr(2))


def test_deepcopy_non_leaf_raises():
    def f(lib, x):
        copy.deepcopy(x * 2.0)
    raises_both(f, arr(2), match="graph leaves")


def test_pickle_non_leaf_keeps_values_drops_graph():
    def f(lib, x):
        y = pickle.loads(pickle.dumps(x.detach() * 2.0))
        return [y, y.requires_grad]
    both(f, arr(2))


# ---- more engine behaviour ---------------------------------------------------------------------------

def test_retain_grad_accumulates_out_of_place():
    def f(lib, x):
        h = x * 2.0
        h.retain_grad()
        y = h * h
        y.backward(lib.ones(2), retain_graph=True)
        first = h.grad
        y.backward(lib.ones(2))
        return [first, h.grad, h.grad is first]
    both(f, arr(2))


def test_backward_inputs_non_leaf_runs_its_node_and_retains_grad():
    def f(lib, x):
        h = x * 2.0
        (h * h).backward(lib.ones(2), inputs=[h])
        return [h.grad, h.retains_grad, x.grad]
    both(f, arr(2))

    def again(lib, x):
        h = x.exp()
        (h * h).backward(lib.ones(2), inputs=[h])
        (h * h).backward(lib.ones(2), inputs=[h])    # h's own node ran and was freed
    raises_both(again, arr(2), match="second time")


def test_grad_only_runs_nodes_leading_to_inputs():
    def f(lib, x, y):
        h = y * 1.0
        out = x * 2.0 + h.sin()
        h.add_(1.0)          # SinBackward's saved input changed: only a path that runs it may fail
        return list(lib.autograd.grad(out, x, lib.ones(3))) + [y.grad]
    both(f, arr(3), arr(3))

    def backward_with_inputs(lib, x, y):
        h = y * 1.0
        out = x * 2.0 + h.sin()
        h.add_(1.0)
        out.backward(lib.ones(3), inputs=[x])
        return [x.grad, y.grad]
    both(backward_with_inputs, arr(3), arr(3))


def test_grad_of_leaf_with_respect_to_itself():
    def f(lib, x):
        return list(lib.autograd.grad(x, x, lib.full((3,), 2.0)))
    both(f, arr(3))


def test_hooks_under_create_graph():
    def f(lib, x):
        h = x.sin()
        h.register_hook(lambda g: g * h)
        g, = lib.autograd.grad(h * h, x, lib.ones(3), create_graph=True)
        g2, = lib.autograd.grad(g, x, lib.ones(3))
        return [g, g2, g.requires_grad]
    both(f, arr(3))


def test_leaf_hook_sees_summed_grad_once_and_capture_uses_its_result():
    def f(lib, x):
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()) or g * 3.0)
        y = x * x + x.exp()
        gx, = lib.autograd.grad(y, x, lib.ones(3))
        return [seen, gx]
    both(f, arr(3))


def test_detach_inplace_on_view_raises():
    def f(lib, x):
        (x * 1.0)[0].detach_()
    raises_both(f, arr(2, 2), match="Can't detach views in-place")


def test_tensor_made_under_no_grad_is_leaf():
    def f(lib, x):
        with lib.no_grad():
            y = x * 2.0
        z = y.requires_grad_()
        (z * z).backward(lib.ones(3))
        return [y.is_leaf, y.requires_grad, y.grad, x.grad]
    both(f, arr(3))


def test_requires_grad_true_on_non_leaf_is_allowed():
    def f(lib, x):
        y = (x * 2.0).requires_grad_(True)
        return [y.requires_grad, y.is_leaf]
    both(f, arr(2))


def test_sgd_loop_with_no_grad_updates():
    def f(lib, w, x):
        losses = []
        for step in range(3):
            out = (x * w).tanh() * w
            loss = out[0, 0] + out[1, 1] * out[2, 2]
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
            w.grad.zero_()
            losses.append(loss.detach())
        return [losses, w, w.grad, w.is_leaf, w._version]
    both(f, arr(3, 3), arr(3, 3))


def test_sgd_loop_through_data():
    def f(lib, w, x):
        for step in range(3):
            loss = ((x * w).sin() * w)[1, 2]
            loss.backward()
            w.data.sub_(0.5 * w.grad.data)
            w.grad = None
        return [w, w._version]
    both(f, arr(3, 3), arr(3, 3))


def test_version_counter_counts_inplace_ops():
    def f(lib, x):
        h = x * 1.0
        v0 = h._version
        h.add_(1.0).mul_(2.0)
        h[0] = 3.0
        return [v0, h._version]
    both(f, arr(3))


def test_function_outputs_hooks_and_shared_node():
    def f(lib, x, y):
        a, b = _functions(lib)["SplitTwo"].apply(x, y)
        seen = []
        a.register_hook(lambda g: seen.append(("a", g.clone())))
        b.register_hook(lambda g: g * 2.0)
        (a * b).backward(lib.ones(3))
        return [seen, x.grad, y.grad, a.grad_fn.name() == b.grad_fn.name(),
                [n.name() for n, _ in a.grad_fn.next_functions]]
    both(f, arr(3), arr(3))


def test_function_saving_output_and_double_backward():
    def f(lib, x):
        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                r = i.exp()
                ctx.save_for_backward(r)
                return r

            @staticmethod
            def backward(ctx, g):
                r, = ctx.saved_tensors
                return g * r
        y = Exp.apply(x)
        g, = lib.autograd.grad(y * 2.0, x, lib.ones(3), create_graph=True)
        h, = lib.autograd.grad(g, x, lib.ones(3))
        return [y, g, h]
    both(f, arr(3))


def test_function_save_non_tensor_raises():
    def f(lib, x):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                ctx.save_for_backward(i, 3)
                return i * 2.0

            @staticmethod
            def backward(ctx, g):
                return g
        Bad.apply(x)
    raises_both(f, arr(2), match="save_for_backward can only save variables")


def test_function_gradient_for_non_tensor_input_raises():
    def f(lib, x):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, i, k):
                return i * k

            @staticmethod
            def backward(ctx, g):
                return g, g
        Bad.apply(x, 2.0).backward(lib.ones(2))
    raises_both(f, arr(2), match="was not a Variable")


def test_function_gradient_of_wrong_shape_raises():
    def f(lib, x):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                return i * 2.0

            @staticmethod
            def backward(ctx, g):
                return lib.ones(5)
        Bad.apply(x).backward(lib.ones(2))
    raises_both(f, arr(2), match="returned an invalid gradient at index 0")


def test_function_broadcast_gradient_is_summed():
    def f(lib, x):
        class Wide(lib.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                return i * 2.0

            @staticmethod
            def backward(ctx, g):
                return g.expand(4, 3) * 2.0
        Wide.apply(x).backward(lib.ones(3))
        return [x.grad]
    both(f, arr(3))


def test_function_vjp_alias_and_legacy_call():
    def f(lib, x):
        class ViaVjp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, i):
                return i * 3.0

            @staticmethod
            def vjp(ctx, g):
                return g * 3.0
        ViaVjp.apply(x).backward(lib.ones(2))
        return [x.grad]
    both(f, arr(2))

    def legacy(lib, x):
        class Old(lib.autograd.Function):
            def forward(self, i):
                return i
        Old()(x)
    raises_both(legacy, arr(2), match="Legacy autograd function")


def test_grad_fn_metadata_and_requires_grad():
    for lib in (torch, tc):
        x = lib.ones(2, requires_grad=True)
        fn = (x * 2.0).grad_fn
        fn.metadata["tag"] = 1
        assert fn.metadata == {"tag": 1}
        assert fn.requires_grad is True


# ---- known gaps outside autograd/ (each names the change it waits for) -----------------------------

def test_mul_by_constant_does_not_save_self():
    def f(lib, x):
        h = x * 1.0
        y = h * 2.0
        h.add_(1.0)
        y.backward(lib.ones(3))
        return [x.grad]
    both(f, arr(3))


@pytest.mark.parametrize("op", ["mul", "div", "rdiv", "mul_const_other", "div_other_changed"])
def test_binary_saves_what_its_gradients_read(op):
    """An in-place change after the op is refused exactly when torch saved the changed input."""
    def f(lib, x, w):
        h, k = x * 1.0, w * 1.0
        y = {"mul": lambda: h * k, "div": lambda: h / 2.0, "rdiv": lambda: 2.0 / h,
             "mul_const_other": lambda: h * k.detach(), "div_other_changed": lambda: h / k.detach()}[op]()
        (k if op == "div_other_changed" else h).add_(1.0)
        y.backward(lib.ones(3))
        return [x.grad, w.grad]
    expect_error = {"mul": True, "div": False, "rdiv": False, "mul_const_other": False, "div_other_changed": True}
    try:       # the table above is torch's behaviour: keep it honest
        f(torch, *(torch.tensor(arr(3), requires_grad=True) for _ in range(2)))
        assert not expect_error[op]
    except RuntimeError:
        assert expect_error[op]
    (raises_both if expect_error[op] else both)(f, arr(3), arr(3))


def test_inplace_view_node_names():
    def f(lib, x):
        h = x * 1.0
        v = h[1:]
        v.mul_(2.0)
        w = h[:2]
        h.add_(1.0)
        return [h.grad_fn.name(), v.grad_fn.name(), w.grad_fn.name()]
    both(f, arr(4))


def test_read_slice_then_write_it_back():
    def f(lib, x, w):
        h = x * w
        h[1] = h[1] * 3.0          # reads h[1] (select saves nothing in torch), then writes into h
        h[:, 0] = h[:, 0].exp()
        (h * w).backward(lib.ones(3, 4))
        return [h, x.grad, w.grad]
    both(f, arr(3, 4), arr(3, 4))


# ---- torch.autograd.functional ------------------------------------------------------------------------

def _fn_two_in_two_out(lib):
    def fn(x, y):
        return (x * y).sin() * x, (x * x + y).exp()
    return fn


def test_functional_vjp_and_jvp():
    def f(lib, x, y, vx, vy):
        fn = _fn_two_in_two_out(lib)
        out, vj = lib.autograd.functional.vjp(fn, (x, y), (vx, vy))
        out2, jv = lib.autograd.functional.jvp(fn, (x, y), (vx, vy))
        scalar_out, g = lib.autograd.functional.vjp(lambda a: (a * a).sin()[1], x)
        return [out, vj, out2, jv, scalar_out, g, vj[0].requires_grad]
    both(f, arr(3), arr(3), arr(3), arr(3))


def test_functional_vjp_create_graph_and_unused_input():
    def f(lib, x, y):
        out, (gx, gy) = lib.autograd.functional.vjp(lambda a, b: a * a, (x, y), lib.ones(3),
                                                     create_graph=True)
        gg, = lib.autograd.grad(gx, x, lib.ones(3))
        return [gx, gy, gx.requires_grad, gg]
    both(f, arr(3), arr(3))


@pytest.mark.skipif(not has("stack"), reason="torch.stack not in torsh_compat yet")
def test_functional_jacobian_and_hessian():
    def f(lib, x, y):
        fn = _fn_two_in_two_out(lib)
        jac = lib.autograd.functional.jacobian(fn, (x, y))
        single = lib.autograd.functional.jacobian(lambda a: a.tanh() * a[0], x)
        hess = lib.autograd.functional.hessian(lambda a, b: ((a * b).sin() * a).sum(), (x, y))
        h1 = lib.autograd.functional.hessian(lambda a: (a ** 3).sum(), x)
        return [jac, single, hess, h1]
    both(f, arr(3), arr(2, 3)[0])


@needs_sum
def test_functional_hvp_vhp():
    def f(lib, x, v):
        fn = lambda a: ((a * a).sin() * a).sum()
        out, hv = lib.autograd.functional.hvp(fn, x, v)
        out2, vh = lib.autograd.functional.vhp(fn, x, v)
        return [out, hv, out2, vh]
    both(f, arr(4), arr(4))


def test_functional_errors():
    def bad_output(lib, x):
        lib.autograd.functional.vjp(lambda a: [a], x, lib.ones(2))
    raises_both(bad_output, arr(2), match="must be either a Tensor or a tuple of Tensors")

    def v_needed(lib, x):
        lib.autograd.functional.vjp(lambda a: a * 2.0, x)
    raises_both(v_needed, arr(2), match="The vector v can only be None")

    def strict_unused(lib, x, y):
        lib.autograd.functional.vjp(lambda a, b: a * 2.0, (x, y), lib.ones(2), strict=True)
    raises_both(strict_unused, arr(2), arr(2), match="independent of input 1")


# ---- gradcheck, Variable, anomaly mode ----------------------------------------------------------------

def test_gradcheck_and_gradgradcheck_pass_and_fail_as_torch():
    def f(lib, x, y):
        x, y = x.double().detach().requires_grad_(), y.double().detach().requires_grad_()
        ok = lib.autograd.gradcheck(lambda a, b: ((a * b).sin() * a, (a / (b * b + 1.0))), (x, y))
        ok2 = lib.autograd.gradgradcheck(lambda a, b: (a * b).tanh() * a, (x, y))

        class WrongGrad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * a

            @staticmethod
            def backward(ctx, g):
                return g * 3.0
        bad = lib.autograd.gradcheck(WrongGrad.apply, (x,), raise_exception=False)
        return [ok, ok2, bad]
    both(f, arr(3), arr(3))

    def raises(lib, x):
        class WrongGrad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * a

            @staticmethod
            def backward(ctx, g):
                return g * 3.0
        lib.autograd.gradcheck(WrongGrad.apply, (x.double().detach().requires_grad_(),))
    data = arr(3)
    errors = []
    for lib in (torch, tc):
        with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0") as info:
            raises(lib, lib.tensor(data))
        errors.append(type(info.value).__name__)
    assert errors == ["GradcheckError", "GradcheckError"]


def test_variable_legacy_wrapper():
    def f(lib, x):
        v = lib.autograd.Variable(x.detach(), requires_grad=True)
        (v * v).backward(lib.ones(3))
        w = lib.autograd.Variable(x * 2.0)
        return [v.is_leaf, v.requires_grad, v.grad, isinstance(x, lib.autograd.Variable),
                w.requires_grad, w.grad_fn is None]
    both(f, arr(3))


def test_anomaly_mode_switches():
    import warnings
    for lib in (torch, tc):
        A = lib.autograd
        assert not lib.is_anomaly_enabled()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with A.detect_anomaly(check_nan=False):
                assert lib.is_anomaly_enabled()
                assert not lib.is_anomaly_check_nan_enabled()
        A.set_detect_anomaly(True)
        assert lib.is_anomaly_enabled()
        A.set_detect_anomaly(False)
        with A.set_detect_anomaly(True):
            assert lib.is_anomaly_enabled()
        assert not lib.is_anomaly_enabled()


def test_implicit_grad_for_bfloat16_and_refused_for_complex():
    def f(lib, x):
        y = x.to(lib.bfloat16)
        (y * 2).sum().backward()
        return [x.grad]
    both(f, arr(3))

    def g(lib, x):
        (x.to(lib.complex64) * 2).sum().backward()
    raises_both(g, arr(3), match="real scalar outputs")


def test_grad_never_aliases_a_gradient_someone_else_holds():
    """.grad may take a gradient array nobody else holds instead of copying it (as torch's
    AccumulateGrad steals), but never one shared with another leaf or with the caller."""
    a, b = tc.randn(3, 3, requires_grad=True), tc.randn(3, 3, requires_grad=True)
    (a + b).sum().backward()                    # one gradient array reaches both leaves
    assert not np.shares_memory(a.grad._data, b.grad._data)
    a.grad.add_(1.0)
    assert b.grad.tolist() == [[1.0] * 3] * 3
    a.grad = None
    g = tc.ones(3, 3)
    (a + 0).backward(g)                         # the caller's gradient passes straight through
    assert not np.shares_memory(a.grad._data, g._data)
    a.grad = b.grad = None
    (a @ b).sum().backward()                    # fresh products: taken, and still correct
    both(lambda lib, x, y: [(lambda r: (r.sum().backward(), x.grad, y.grad))(x @ y)[1:]], arr(3, 3), arr(3, 3))
