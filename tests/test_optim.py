"""torch.optim against real torch: the same parameters and the same gradient sequence give the same
parameter trajectories, state_dict layout and values, resumption, errors, reprs and hooks."""
import copy
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc
from _nn import raises_like

RTOL, ATOL = 1.3e-6, 1e-5
STEPS = 10

# (optimizer, keyword arguments): every option of every optimizer at least once
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.1, momentum=0.5, fused=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, maximize=True, betas=(0.8, 0.99), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.01, fused=True)),
    ("Adam", dict(lr=0.01, foreach=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.2)),
    ("Adamax", dict()),
    ("Adamax", dict(weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(weight_decay=0.1, betas=(0.9, 0.9))),     # beta2=0.9: the rectified branch from step 6
    ("RAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True, betas=(0.9, 0.9))),
    ("RMSprop", dict()),
    ("RMSprop", dict(alpha=0.9, centered=True)),
    ("RMSprop", dict(momentum=0.9, weight_decay=0.1, maximize=True)),
    ("RMSprop", dict(momentum=0.9, centered=True, eps=1e-4)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr_decay=0.1, initial_accumulator_value=0.1, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(fused=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(rho=0.8, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(etas=(0.3, 1.5), step_sizes=(1e-3, 0.02), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(t0=3, lambd=0.01, weight_decay=0.1, maximize=True)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.1, weight_decay=0.1, maximize=True, d=1.5)),
    ("Adafactor", dict(eps=(1e-3, 1e-2), beta2_decay=-0.5)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for n, kw in CASES]


def _data(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    shapes = [(4, 5), (5,), (3,)]
    init = [rng.standard_normal(s).astype(dtype) for s in shapes]
    # gradients of the first two parameters; the third never gets one (skipped, no state)
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes[:2]] for _ in range(STEPS)]
    # a sign pattern that repeats, so Rprop meets both sign changes and agreements
    grads[3][0] = -grads[2][0]
    return init, grads


def _build(lib, name, kw, init, groups=True):
    params = [lib.nn.Parameter(lib.tensor(a.copy())) for a in init]
    if groups:   # two groups with different lrs (the second takes the defaults)
        lr2 = {} if name in ("LBFGS",) else {"lr": 0.003}
        spec = [{"params": [params[0], params[2]], **lr2}, {"params": [params[1]]}]
    else:
        spec = params
    return params, getattr(lib.optim, name)(spec, **kw)


def _run(lib, opt, params, grads, start=0, stop=STEPS):
    traj = []
    for step in range(start, stop):
        for p, g in zip(params, grads[step]):
            p.grad = lib.tensor(g.copy())
        opt.step()
        traj.append([p.detach().numpy().copy() for p in params])
    return traj


def _np(v):
    return v.detach().numpy() if isinstance(v, torch.Tensor) else np.asarray(v._data)


def _same_state_dict(ours, theirs):
    assert ours["param_groups"] == theirs["param_groups"]
    assert list(ours["state"]) == list(theirs["state"])
    for k, st in theirs["state"].items():
        so = ours["state"][k]
        assert list(so) == list(st)
        for key, v in st.items():
            if isinstance(v, torch.Tensor):
                assert isinstance(so[key], tc.Tensor), key
                assert str(so[key].dtype) == str(v.dtype) and tuple(so[key].shape) == tuple(v.shape), key
                np.testing.assert_allclose(_np(so[key]), _np(v), rtol=RTOL, atol=ATOL, err_msg=key)
            else:
                assert so[key] == v, key


def _same_traj(ours, theirs, rtol=RTOL, atol=ATOL):
    for step, (po, pt) in enumerate(zip(ours, theirs)):
        for a, b in zip(po, pt):
            assert a.dtype == b.dtype
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"step {step}")


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_trajectory_and_state_dict(name, kw):
    init, grads = _data()
    pt, ot = _build(torch, name, kw, init)
    po, oo = _build(tc, name, kw, init)
    ids_before = [id(p._data) for p in po]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # torch's fused=True may warn about its own internals
        traj_t = _run(torch, ot, pt, grads)
    traj_o = _run(tc, oo, po, grads)
    _same_traj(traj_o, traj_t)
    assert [id(p._data) for p in po] == ids_before     # updated in place
    # no grad: skipped (Adagrad alone makes its state at construction)
    assert po[2].grad is None and (po[2] in oo.state) == (pt[2] in ot.state)
    _same_state_dict(oo.state_dict(), ot.state_dict())


@pytest.mark.parametrize("name,kw", CASES, ids=IDS)
def test_resume_from_state_dict(name, kw):
    """Half a run, state_dict, a fresh optimizer loads it and finishes: torch's uninterrupted run."""
    init, grads = _data(1)
    pt, ot = _build(torch, name, kw, init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        traj_t = _run(torch, ot, pt, grads)
    po, oo = _build(tc, name, kw, init)
    _run(tc, oo, po, grads, 0, STEPS // 2)
    saved = copy.deepcopy(oo.state_dict())
    po2 = [tc.nn.Parameter(p.detach().clone()) for p in po]
    _, oo2 = _build(tc, name, kw, init)
    oo2.__init__([{"params": [po2[0], po2[2]]}, {"params": [po2[1]]}], **kw)
    oo2.load_state_dict(saved)
    traj_o = _run(tc, oo2, po2, grads, STEPS // 2, STEPS)
    _same_traj(traj_o, traj_t[STEPS // 2:])


@pytest.mark.parametrize("name,kw", CASES[::3], ids=IDS[::3])
def test_load_torch_state_dict(name, kw):
    """A state_dict saved by torch mid-run (tensors converted) continues as torch continues."""
    init, grads = _data(2)
    pt, ot = _build(torch, name, kw, init)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _run(torch, ot, pt, grads, 0, STEPS // 2)
        sd = ot.state_dict()
        saved = {"state": {k: {n: tc.tensor(v.numpy().copy()) if isinstance(v, torch.Tensor) else v
                               for n, v in s.items()} for k, s in sd["state"].items()},
                 "param_groups": copy.deepcopy(sd["param_groups"])}
        po = [tc.nn.Parameter(tc.tensor(p.detach().numpy().copy())) for p in pt]
        oo = getattr(tc.optim, name)([{"params": [po[0], po[2]]}, {"params": [po[1]]}], **kw)
        oo.load_state_dict(saved)
        traj_t = _run(torch, ot, pt, grads, STEPS // 2, STEPS)
    traj_o = _run(tc, oo, po, grads, STEPS // 2, STEPS)
    _same_traj(traj_o, traj_t)


@pytest.mark.parametrize("name,kw", [c for c in CASES if not c[1].get("fused")][::2])
def test_float64(name, kw):
    init, grads = _data(3, np.float64)
    pt, ot = _build(torch, name, kw, init, groups=False)
    po, oo = _build(tc, name, kw, init, groups=False)
    _same_traj(_run(tc, oo, po, grads), _run(torch, ot, pt, grads), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                                  "RAdam", "ASGD", "Rprop"])
def test_complex_params_step_as_pairs_of_reals(name):
    rng = np.random.default_rng(4)
    z0 = (rng.standard_normal(6) + 1j * rng.standard_normal(6)).astype(np.complex64)
    gs = [(rng.standard_normal(6) + 1j * rng.standard_normal(6)).astype(np.complex64) for _ in range(5)]
    kw = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    out = []
    for lib in (torch, tc):
        p = lib.nn.Parameter(lib.tensor(z0.copy()))
        opt = getattr(lib.optim, name)([p], lr=0.01, **kw)
        for g in gs:
            p.grad = lib.tensor(g.copy())
            opt.step()
        out.append(p.detach().numpy().copy())
    np.testing.assert_allclose(out[1], out[0], rtol=RTOL, atol=ATOL)


def test_closure_loss_and_in_place_versions():
    for lib in (torch, tc):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.Adam([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        v = p._version
        loss = opt.step(closure)
        assert float(loss) == 5.0
        assert p._version > v
        assert opt.state[p]["exp_avg"]._version >= 1
        assert p.dtype == lib.float32 and opt.state[p]["step"].dtype == lib.float32


def test_step_dtype_under_float64_default():
    for lib in (torch, tc):
        prev = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            p = lib.nn.Parameter(lib.zeros(2, dtype=lib.float32))
            p.grad = lib.ones(2, dtype=lib.float32)
            opt = lib.optim.Adam([p])
            opt.step()
            assert opt.state[p]["step"].dtype == lib.float64
            fused = lib.optim.Adam([lib.nn.Parameter(lib.zeros(2, dtype=lib.float32))], fused=True)
            q = fused.param_groups[0]["params"][0]
            q.grad = lib.ones(2, dtype=lib.float32)
            fused.step()
            assert fused.state[q]["step"].dtype == lib.float32
        finally:
            lib.set_default_dtype(prev)


def test_param_groups_defaults_and_key_order():
    for name in ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta", "Rprop",
                 "ASGD", "LBFGS", "Adafactor"]:
        ot = getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))])
        oo = getattr(tc.optim, name)([tc.nn.Parameter(tc.zeros(2))])
        assert oo.defaults == ot.defaults and list(oo.defaults) == list(ot.defaults), name
        gt = {k: v for k, v in ot.param_groups[0].items() if k != "params"}
        go = {k: v for k, v in oo.param_groups[0].items() if k != "params"}
        assert list(go.items()) == list(gt.items()), name
        assert list(oo.param_groups[0]) == list(ot.param_groups[0])
        assert repr(oo) == repr(ot), name


def test_add_param_group():
    opts = []
    for lib in (torch, tc):
        a, b, c = (lib.nn.Parameter(lib.zeros(2)) for _ in range(3))
        opt = lib.optim.SGD([a], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": b, "lr": 0.5})
        opt.add_param_group({"params": [c], "nesterov": True, "dampening": 0})
        opts.append(opt)
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [a]})
        with pytest.raises(TypeError, match="param_group must be a dict"):
            opt.add_param_group([a])
        with pytest.raises(TypeError, match="ordered collections"):
            opt.add_param_group({"params": {lib.nn.Parameter(lib.zeros(1))}})
        with pytest.warns(UserWarning, match="duplicate parameters"):
            d = lib.nn.Parameter(lib.zeros(1))
            lib.optim.SGD([d, d], lr=0.1)
    assert opts[1].state_dict() == opts[0].state_dict()
    assert repr(opts[1]) == repr(opts[0])


def test_named_parameters_groups():
    for lib in (torch, tc):
        m = lib.nn.Linear(2, 3)
        opt = lib.optim.SGD(m.named_parameters(), lr=0.1)
        assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
        assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]
        with pytest.raises(ValueError, match="with/without names"):
            opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))]})


def test_zero_grad():
    for lib in (torch, tc):
        p = lib.nn.Parameter(lib.ones(3))
        opt = lib.optim.SGD([p], lr=0.1)
        p.grad = lib.ones(3)
        g = p.grad
        opt.zero_grad(set_to_none=False)
        assert p.grad is g and float(g.sum()) == 0.0 and g._version == 1
        opt.zero_grad()
        assert p.grad is None


def test_hooks():
    for lib in (torch, tc):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.5)
        calls = []
        h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt, args[1:], kwargs)))
        h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
        p.grad = lib.ones(2)
        opt.step()
        assert calls == [("pre", True, (), {}), ("post", True)]
        h1.remove()
        h2.remove()
        opt.step()
        assert len(calls) == 2

        def replace(o, args, kwargs):   # a pre-hook may replace the step's arguments
            return args, {"closure": lambda: 7.0}

        opt.register_step_pre_hook(replace)
        assert opt.step() == 7.0
        seen = []
        opt.register_state_dict_post_hook(lambda o, sd: seen.append(sorted(sd)))
        opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("load"))
        opt.load_state_dict(opt.state_dict())
        assert seen == [["param_groups", "state"], "load"]


def test_constructor_errors():
    cases = [
        lambda L: L.optim.SGD([], lr=0.1),
        lambda L: L.optim.SGD(L.nn.Parameter(L.zeros(2)), lr=0.1),
        lambda L: L.optim.SGD([1.0], lr=0.1),
        lambda L: L.optim.SGD([L.zeros(2, requires_grad=True) * 2], lr=0.1),
        lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(2))], lr=-1),
        lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(2))], momentum=-0.5),
        lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(2))], weight_decay=-0.5),
        lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(2))], nesterov=True),
        lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(2))], momentum=0.9, dampening=0.1, nesterov=True),
        lambda L: L.optim.SGD([L.nn.Parameter(L.zeros(2))], fused=True, foreach=True),
        lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], lr=-0.1),
        lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], eps=-1.0),
        lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], betas=(1.0, 0.9)),
        lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], betas=(0.9, -0.1)),
        lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], weight_decay=-0.1),
        lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], betas=(0.9, 1)),
        lambda L: L.optim.Adam([L.nn.Parameter(L.zeros(2))], fused=True, differentiable=True),
        lambda L: L.optim.AdamW([L.nn.Parameter(L.zeros(2))], betas=(0.9, 1.5)),
        lambda L: L.optim.NAdam([L.nn.Parameter(L.zeros(2))], momentum_decay=-1.0),
        lambda L: L.optim.RMSprop([L.nn.Parameter(L.zeros(2))], alpha=-1.0),
        lambda L: L.optim.RMSprop([L.nn.Parameter(L.zeros(2))], momentum=-1.0),
        lambda L: L.optim.Adagrad([L.nn.Parameter(L.zeros(2))], lr_decay=-1.0),
        lambda L: L.optim.Adagrad([L.nn.Parameter(L.zeros(2))], initial_accumulator_value=-1.0),
        lambda L: L.optim.Adadelta([L.nn.Parameter(L.zeros(2))], rho=1.5),
        lambda L: L.optim.Rprop([L.nn.Parameter(L.zeros(2))], etas=(1.2, 0.5)),
        lambda L: L.optim.ASGD([L.nn.Parameter(L.zeros(2))], weight_decay=-1.0),
        lambda L: L.optim.LBFGS([L.nn.Parameter(L.zeros(2))], lr=-1.0),
        lambda L: L.optim.Adafactor([L.nn.Parameter(L.zeros(2))], lr=-1.0),
        lambda L: L.optim.Adafactor([L.nn.Parameter(L.zeros(2))], beta2_decay=0.5),
        lambda L: L.optim.Adafactor([L.nn.Parameter(L.zeros(2))], eps=(-1.0, 1e-3)),
        lambda L: L.optim.Adafactor([L.nn.Parameter(L.zeros(2))], eps=(None, -1e-3)),
        lambda L: L.optim.Adafactor([L.nn.Parameter(L.zeros(2))], d=0.5),
        lambda L: L.optim.Adafactor([L.nn.Parameter(L.zeros(2))], weight_decay=-0.5),
        lambda L: L.optim.LBFGS([{"params": [L.nn.Parameter(L.zeros(2))]}, {"params": [L.nn.Parameter(L.zeros(1))]}]),
    ]
    for case in cases:
        raises_like(lambda: case(torch), lambda: case(tc))
    from torch.optim.optimizer import required as required_t
    from torsh_compat.optim.optimizer import required as required_o
    assert repr(required_o) == repr(required_t)
    raises_like(lambda: torch.optim.Optimizer([torch.nn.Parameter(torch.zeros(2))], {"lr": required_t}),
                lambda: tc.optim.Optimizer([tc.nn.Parameter(tc.zeros(2))], {"lr": required_o}))


def test_capturable_on_cpu_refused_at_step():
    def run(L, name):
        p = L.nn.Parameter(L.zeros(2))
        p.grad = L.ones(2)
        getattr(L.optim, name)([p], capturable=True).step()
    for name in ["Adam", "AdamW", "NAdam", "RAdam", "Adamax", "RMSprop", "Adadelta", "Rprop", "ASGD"]:
        raises_like(lambda: run(torch, name), lambda: run(tc, name))


def test_load_state_dict_errors():
    def run(L, groups):
        a, b = L.nn.Parameter(L.zeros(2)), L.nn.Parameter(L.zeros(2))
        sd = L.optim.SGD([a, b]).state_dict()
        L.optim.SGD(groups(a, b)).load_state_dict(sd)
    raises_like(lambda: run(torch, lambda a, b: [{"params": [a]}, {"params": [b]}]),
                lambda: run(tc, lambda a, b: [{"params": [a]}, {"params": [b]}]))
    raises_like(lambda: run(torch, lambda a, b: [a]), lambda: run(tc, lambda a, b: [a]))


# ---- LBFGS ------------------------------------------------------------------------------------
def _lbfgs_run(lib, kw, steps=3):
    rng = np.random.default_rng(5)
    A = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.standard_normal(8).astype(np.float32)
    x0 = rng.standard_normal(3).astype(np.float32)
    x = lib.nn.Parameter(lib.tensor(x0))
    w = lib.nn.Parameter(lib.tensor([0.5, -0.5], dtype=lib.float32))
    At, yt = lib.tensor(A), lib.tensor(y)
    opt = lib.optim.LBFGS([x, w], **kw)

    def closure():
        opt.zero_grad()
        r = At @ x - yt
        loss = (r * r).sum() + (x ** 4).sum() + ((w - 1) ** 2).sum() * 3
        loss.backward()
        return loss

    traj = []
    for _ in range(steps):
        loss = opt.step(closure)
        traj.append((float(loss), x.detach().numpy().copy(), w.detach().numpy().copy()))
    return traj, opt.state[x]


@pytest.mark.parametrize("kw", [dict(max_iter=4), dict(lr=0.5, max_iter=3, history_size=2),
                                dict(line_search_fn="strong_wolfe", max_iter=4),
                                dict(line_search_fn="strong_wolfe", max_iter=5, history_size=2)])
def test_lbfgs(kw):
    # looser than the per-step tolerance: each LBFGS step is several inner iterations whose
    # dot products (float32 reductions, summed in a different order than torch's) feed back
    rtol, atol = 1e-5, 1e-5
    traj_t, st = _lbfgs_run(torch, kw)
    traj_o, so = _lbfgs_run(tc, kw)
    for (lt, xt, wt), (lo, xo, wo) in zip(traj_t, traj_o):
        assert abs(lt - lo) <= atol + rtol * abs(lt)
        np.testing.assert_allclose(xo, xt, rtol=rtol, atol=atol)
        np.testing.assert_allclose(wo, wt, rtol=rtol, atol=atol)
    assert list(so) == list(st)
    assert so["func_evals"] == st["func_evals"] and so["n_iter"] == st["n_iter"]
    assert len(so["old_dirs"]) == len(st["old_dirs"])
    np.testing.assert_allclose(_np(so["d"]), _np(st["d"]), rtol=1e-4, atol=1e-5)


def test_lbfgs_stops_at_optimum_and_bad_line_search():
    for lib in (torch, tc):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.LBFGS([p])

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss
        opt.step(closure)
        assert opt.state[p]["func_evals"] == 1 and opt.state[p]["n_iter"] == 0
    raises_like(lambda: _lbfgs_run(torch, dict(line_search_fn="armijo"), 1),
                lambda: _lbfgs_run(tc, dict(line_search_fn="armijo"), 1))


def test_with_a_model_and_autograd():
    """A small regression trained end to end: loss.backward() feeds the optimizer."""
    losses = []
    for lib in (torch, tc):
        lib.manual_seed(0)     # the same initial weights under both (the random streams match)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
        opt = lib.optim.AdamW(model.parameters(), lr=0.05)
        x = lib.tensor(np.linspace(-1, 1, 24, dtype=np.float32).reshape(8, 3))
        y = lib.tensor(np.linspace(0, 1, 8, dtype=np.float32).reshape(8, 1))
        run = []
        for _ in range(15):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            opt.step()
            run.append(float(loss))
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5, atol=1e-6)


def _custom_optimizer_class(lib):
    """A user optimizer written as PyTorch programs write them (in-place tensor ops under no_grad)."""
    class SignSGD(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-3, momentum=0.5):
            super().__init__(params, {"lr": lr, "momentum": momentum})

        @lib.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with lib.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if "buf" not in state:
                        state["buf"] = lib.zeros_like(p)
                    state["buf"].mul_(group["momentum"]).add_(p.grad)
                    p.add_(state["buf"].sign(), alpha=-group["lr"])
            return loss
    return SignSGD


def test_user_defined_optimizer():
    init, grads = _data(6)
    trajs, sds, calls = [], [], []
    for lib in (torch, tc):
        params = [lib.nn.Parameter(lib.tensor(a.copy())) for a in init]
        opt = _custom_optimizer_class(lib)([{"params": params[:2]}, {"params": params[2:], "lr": 0.5}], lr=0.1)
        opt.register_step_post_hook(lambda o, a, k: calls.append(lib.__name__))
        trajs.append(_run(lib, opt, params, grads))
        sds.append(opt.state_dict())
    _same_traj(trajs[1], trajs[0])
    _same_state_dict(sds[1], sds[0])
    assert calls == ["torch"] * STEPS + ["torsh_compat"] * STEPS


def test_training_with_scheduler():
    """SGD with momentum under OneCycleLR on a small model: losses and final lr equal torch's."""
    runs = []
    for lib in (torch, tc):
        lib.manual_seed(1)
        model = lib.nn.Sequential(lib.nn.Linear(3, 8), lib.nn.ReLU(), lib.nn.Linear(8, 2))
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.2, total_steps=20)
        x = lib.tensor(np.linspace(-2, 2, 30, dtype=np.float32).reshape(10, 3))
        target = lib.tensor(np.arange(10) % 2)
        losses = []
        for _ in range(20):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(x), target)
            loss.backward()
            opt.step()
            sched.step()
            losses.append(float(loss))
        runs.append((losses, sched.get_last_lr(), opt.param_groups[0]["momentum"]))
    np.testing.assert_allclose(runs[1][0], runs[0][0], rtol=1e-5, atol=1e-6)
    assert runs[1][1:] == runs[0][1:]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad",
                                  "Adadelta", "Rprop", "ASGD", "Adafactor"])
def test_zero_dim_empty_and_transposed_params(name):
    kw = {"momentum": 0.9} if name in ("SGD", "RMSprop") else {}
    out = []
    for lib in (torch, tc):
        a = lib.nn.Parameter(lib.tensor(0.5))
        b = lib.nn.Parameter(lib.zeros(0, 3))
        c = lib.nn.Parameter(lib.tensor(np.arange(12, dtype=np.float32).reshape(3, 4) / 7).t())
        opt = getattr(lib.optim, name)([a, b, c], lr=0.1, **kw)
        for i in range(4):
            a.grad = lib.tensor(0.3 * (-1) ** i)
            if name != "Adafactor":     # torch's Adafactor divides by numel: an empty param fails
                b.grad = lib.zeros(0, 3)
            c.grad = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3) * (i - 1.5))
            opt.step()
        out.append(([p.detach().numpy().copy() for p in (a, b, c)], opt.state_dict()))
    for po, pt in zip(out[1][0], out[0][0]):
        assert po.shape == pt.shape
        np.testing.assert_allclose(po, pt, rtol=RTOL, atol=ATOL)
    _same_state_dict(out[1][1], out[0][1])


@pytest.mark.parametrize("name,kw", [("SGD", dict(momentum=0.9, weight_decay=0.1)), ("Adam", dict(weight_decay=0.1)),
                                     ("AdamW", dict(amsgrad=True)), ("Adamax", dict()), ("NAdam", dict()),
                                     ("RAdam", dict(betas=(0.9, 0.9))), ("RMSprop", dict(centered=True)),
                                     ("Adagrad", dict(weight_decay=0.1)), ("Adadelta", dict()), ("Rprop", dict()),
                                     ("ASGD", dict())])
def test_float16_params(name, kw):
    """float16 stays float16, scalars applied in float32 as torch's opmath does. Tolerance: two
    float16 ulps near 1, as torch's Half add-with-alpha rounds some ties differently from a
    float32 computation rounded once (the Adam family and Adagrad match bit for bit)."""
    out = []
    for lib in (torch, tc):
        p = lib.nn.Parameter(lib.linspace(-1, 1, 50).to(lib.float16))
        opt = getattr(lib.optim, name)([p], lr=0.01, **kw)
        for i in range(10):
            p.grad = (lib.linspace(-3, 2, 50) * (i - 4.5)).to(lib.float16)
            opt.step()
        assert p.dtype == lib.float16
        out.append(p.detach().numpy().astype(np.float32))
    np.testing.assert_allclose(out[1], out[0], rtol=0, atol=2e-3)
    if name in ("Adam", "AdamW", "Adamax", "NAdam", "Adagrad"):
        np.testing.assert_array_equal(out[1], out[0])


def test_lbfgs_complex_and_gradless_params():
    """Complex parameters enter the flat vectors as (re, im) pairs; a parameter without a grad as zeros."""
    z0 = np.array([1 + 2j, -0.5 + 1j, 0.3 - 0.7j], np.complex64)
    res = []
    for lib in (torch, tc):
        z = lib.nn.Parameter(lib.tensor(z0))
        w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        opt = lib.optim.LBFGS([w, z], max_iter=5)

        def closure():
            opt.zero_grad()
            loss = (z.abs() ** 4).sum()
            loss.backward()
            return loss
        for _ in range(2):
            opt.step(closure)
        res.append((z.detach().numpy().copy(), w.detach().numpy().copy(), tuple(opt.state[w]["d"].shape)))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-5, atol=1e-5)
    assert np.array_equal(res[1][1], res[0][1]) and res[1][2] == res[0][2] == (8,)


def test_subclass_step_calling_super_runs_hooks_once():
    class Clipped(tc.optim.Adam):
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    p.grad.clamp_(-1, 1)
            return super().step(closure)

    p = tc.nn.Parameter(tc.zeros(3))
    opt = Clipped([p], lr=0.1)
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append(1))
    p.grad = tc.tensor([5.0, -5.0, 0.5])
    opt.step()
    assert calls == [1]
    ref = torch.nn.Parameter(torch.zeros(3))
    ref_opt = torch.optim.Adam([ref], lr=0.1)
    ref.grad = torch.tensor([1.0, -1.0, 0.5])
    ref_opt.step()
    np.testing.assert_allclose(p.detach().numpy(), ref.detach().numpy(), rtol=RTOL, atol=ATOL)


def test_adafactor_empty_param_fails_as_torch():
    def run(L):
        p = L.nn.Parameter(L.zeros(0, 3))
        p.grad = L.zeros(0, 3)
        L.optim.Adafactor([p]).step()
    raises_like(lambda: run(torch), lambda: run(tc))
