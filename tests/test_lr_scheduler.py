"""torch.optim.lr_scheduler against real torch: the lr (and momentum) sequences over many steps,
with several parameter groups, state_dict round trips, warnings and errors."""
import copy
import math
import warnings

import pytest
import torch

import torsh_compat as tc
from _nn import raises_like

N = 75


def L(lib):
    return lib.optim.lr_scheduler


def _opt(lib, name="SGD", **kw):
    kw = kw or ({"lr": 0.1, "momentum": 0.9} if name == "SGD" else {"lr": 0.1})
    a, b, c = (lib.nn.Parameter(lib.zeros(2)) for _ in range(3))
    # three groups with different lrs
    return getattr(lib.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.05}, {"params": [c], "lr": 0.3}],
                                    **kw)


def _momenta(opt):
    return [g.get("betas", g.get("momentum")) for g in opt.param_groups]


def _sequence(lib, make, n=N, opt_name="SGD", metrics=None):
    opt = _opt(lib, opt_name)
    sched = make(lib, opt)
    seq = [(list(sched.get_last_lr()), _momenta(opt))]
    for i in range(n):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        seq.append((list(sched.get_last_lr()), _momenta(opt), [g["lr"] for g in opt.param_groups]))
    return seq


def _equal(ours, theirs):
    """Python floats: equal to 1e-12 relative (in practice bit for bit)."""
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        for xo, xt in zip(o, t):
            assert type(xo) is type(xt) or isinstance(xo, (int, float)), i
            flat_o = [v for item in xo for v in (item if isinstance(item, tuple) else (item,))]
            flat_t = [v for item in xt for v in (item if isinstance(item, tuple) else (item,))]
            assert flat_o == pytest.approx(flat_t, rel=1e-12, abs=0), f"step {i}"


SCHEDULES = {
    "StepLR": lambda lib, o: L(lib).StepLR(o, 7, 0.5),
    "MultiStepLR": lambda lib, o: L(lib).MultiStepLR(o, [3, 10, 10, 25], 0.3),
    "ExponentialLR": lambda lib, o: L(lib).ExponentialLR(o, 0.93),
    "CosineAnnealingLR": lambda lib, o: L(lib).CosineAnnealingLR(o, 17, 0.001),   # N > 3 * T_max
    "CosineAnnealingLR-eta0": lambda lib, o: L(lib).CosineAnnealingLR(o, 10),
    "WarmRestarts": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(o, 5, 2, 0.001),
    "WarmRestarts-mult1": lambda lib, o: L(lib).CosineAnnealingWarmRestarts(o, 6),
    "LambdaLR": lambda lib, o: L(lib).LambdaLR(o, lambda e: 0.95 ** e),
    "LambdaLR-list": lambda lib, o: L(lib).LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9, lambda e: e % 3]),
    "MultiplicativeLR": lambda lib, o: L(lib).MultiplicativeLR(o, [lambda e: 0.95, lambda e: 0.9, lambda e: 1.01]),
    "LinearLR": lambda lib, o: L(lib).LinearLR(o, 0.1, 0.9, 13),
    "LinearLR-default": lambda lib, o: L(lib).LinearLR(o),
    "ConstantLR": lambda lib, o: L(lib).ConstantLR(o, 0.3, 9),
    "PolynomialLR": lambda lib, o: L(lib).PolynomialLR(o, 20, 2.0),
    "OneCycleLR": lambda lib, o: L(lib).OneCycleLR(o, [1.0, 0.5, 0.2], total_steps=N + 1),
    "OneCycleLR-3phase-linear": lambda lib, o: L(lib).OneCycleLR(o, 1.0, epochs=5, steps_per_epoch=16,
                                                                 three_phase=True, anneal_strategy="linear"),
    "OneCycleLR-nomomentum": lambda lib, o: L(lib).OneCycleLR(o, 0.4, total_steps=N, cycle_momentum=False,
                                                              pct_start=0.5, div_factor=10.0),
    "CyclicLR": lambda lib, o: L(lib).CyclicLR(o, 0.01, [0.1, 0.2, 0.3], 5, 7),
    "CyclicLR-triangular2": lambda lib, o: L(lib).CyclicLR(o, 0.01, 0.1, 4, mode="triangular2"),
    "CyclicLR-exp_range": lambda lib, o: L(lib).CyclicLR(o, [0.01, 0.02, 0.03], 0.1, 4, mode="exp_range",
                                                         gamma=0.97, base_momentum=0.7, max_momentum=0.95),
    "CyclicLR-scale_fn": lambda lib, o: L(lib).CyclicLR(o, 0.01, 0.1, 3, scale_fn=lambda x: 0.5 ** x,
                                                        scale_mode="iterations", cycle_momentum=False),
    "SequentialLR": lambda lib, o: L(lib).SequentialLR(
        o, [L(lib).LinearLR(o, 0.1, total_iters=5), L(lib).ExponentialLR(o, 0.9), L(lib).CosineAnnealingLR(o, 10)],
        [5, 20]),
    "ChainedScheduler": lambda lib, o: L(lib).ChainedScheduler(
        [L(lib).ConstantLR(o, 0.5, 4), L(lib).ExponentialLR(o, 0.9), L(lib).StepLR(o, 10, 0.5)]),
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_lr_sequence(name):
    make = SCHEDULES[name]
    _equal(_sequence(tc, make), _sequence(torch, make))


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR-3phase-linear", "CyclicLR", "CyclicLR-exp_range"])
def test_momentum_cycles_beta1_of_adam(name):
    make = SCHEDULES[name]
    ours, theirs = _sequence(tc, make, opt_name="Adam"), _sequence(torch, make, opt_name="Adam")
    _equal(ours, theirs)
    assert isinstance(ours[-1][1][0], tuple)


def test_cycle_momentum_needs_momentum():
    for name in ["OneCycleLR", "CyclicLR"]:
        raises_like(lambda: SCHEDULES[name](torch, _opt(torch, "Adagrad")),
                    lambda: SCHEDULES[name](tc, _opt(tc, "Adagrad")))


def test_one_cycle_past_total_steps():
    def run(lib):
        opt = _opt(lib)
        s = L(lib).OneCycleLR(opt, 1.0, total_steps=3)
        for _ in range(4):
            opt.step()
            s.step()
    raises_like(lambda: run(torch), lambda: run(tc))


@pytest.mark.parametrize("kw", [dict(patience=2), dict(mode="max", patience=1, cooldown=2, factor=0.5,
                                                     min_lr=[0.01, 0.02, 0.0]),
                                dict(threshold_mode="abs", threshold=0.05, patience=0, eps=1e-3),
                                dict(mode="max", threshold_mode="abs", threshold=0.01, patience=1, min_lr=0.02)])
def test_reduce_on_plateau(kw):
    metrics = [1, 0.9, 0.9, 0.95, 0.9, 0.91, 0.92, 0.93, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7] * 4
    make = lambda lib, o: L(lib).ReduceLROnPlateau(o, **kw)   # noqa: E731
    ours = _sequence(tc, make, len(metrics), metrics=metrics)
    _equal(ours, _sequence(torch, make, len(metrics), metrics=metrics))
    assert ours[-1][0] != ours[0][0]   # the schedule did reduce


def test_reduce_on_plateau_tensor_metric_and_state():
    res = []
    for lib in (torch, tc):
        opt = _opt(lib)
        s = L(lib).ReduceLROnPlateau(opt, patience=1)
        for m in [1.0, 1.0, 1.0, 0.5]:
            s.step(lib.tensor(m))
        sd = s.state_dict()
        res.append({k: v for k, v in sd.items()})
        s2 = L(lib).ReduceLROnPlateau(opt)
        s2.load_state_dict(copy.deepcopy(sd))
        assert s2.patience == 1 and s2.best == 0.5 and s2.mode_worse == math.inf
    assert res[0] == res[1]


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "WarmRestarts", "LinearLR", "OneCycleLR",
                                  "CyclicLR", "LambdaLR", "SequentialLR", "ChainedScheduler", "PolynomialLR"])
def test_state_dict_round_trip(name):
    """state_dict holds torch's keys and values; a fresh scheduler loading it mid-run continues alike."""
    make = SCHEDULES[name]
    sds = []
    for lib in (torch, tc):
        opt = _opt(lib)
        s = make(lib, opt)
        for _ in range(23):
            opt.step()
            s.step()
        sd = s.state_dict()
        sds.append(sd)
        # the usual checkpoint order: build both, then load the optimizer, then the scheduler
        opt2 = _opt(lib)
        s2 = make(lib, opt2)
        opt2.load_state_dict(copy.deepcopy(opt.state_dict()))
        s2.load_state_dict(copy.deepcopy(sd))
        for _ in range(20):
            opt.step()
            s.step()
            opt2.step()
            s2.step()
            assert s2.get_last_lr() == s.get_last_lr()
    ours, theirs = sds[1], sds[0]

    def plain(d):
        if isinstance(d, dict):
            return {k: plain(v) for k, v in d.items() if k not in ("_scale_fn_ref", "_get_lr_called_within_step")}
        if isinstance(d, list):
            return [plain(v) for v in d]
        return d
    assert list(ours) == list(theirs)
    assert plain(ours) == plain(theirs)


def test_step_with_epoch_uses_closed_form_and_warns():
    out = []
    for lib in (torch, tc):
        opt = _opt(lib)
        s = L(lib).StepLR(opt, 3, 0.5)
        seq = []
        for e in [0, 5, 9, 2, 12]:
            opt.step()
            with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
                s.step(e)
            seq.append(s.get_last_lr())
        s2 = L(lib).CosineAnnealingWarmRestarts(opt, 4, 2)
        for e in [0.5, 3, 7.25, 30]:
            s2.step(e)
            seq.append(s2.get_last_lr())
        out.append(seq)
    assert out[1] == out[0]


def test_warnings():
    for lib in (torch, tc):
        opt = _opt(lib)
        s = L(lib).ExponentialLR(opt, 0.9)
        order = "Detected call of `lr_scheduler.step\\(\\)` before `optimizer.step\\(\\)`"
        with pytest.warns(UserWarning, match=order):
            s.step()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            s.get_lr()
        opt = _opt(lib)
        s = L(lib).ExponentialLR(opt, 0.9)
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            s.step()
        opt = _opt(lib)
        s = L(lib).ExponentialLR(opt, 0.9)
        opt.step = lambda closure=None: None
        with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler initialization"):
            s.step()


def test_initial_lr_and_last_epoch():
    for lib in (torch, tc):
        opt = _opt(lib)
        s = L(lib).StepLR(opt, 2)
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.05, 0.3]
        assert s.last_epoch == 0 and s._step_count == 1 and s.base_lrs == [0.1, 0.05, 0.3]
    raises_like(lambda: L(torch).StepLR(_opt(torch), 2, last_epoch=3),
                lambda: L(tc).StepLR(_opt(tc), 2, last_epoch=3))


def test_resume_with_last_epoch():
    out = []
    for lib in (torch, tc):
        opt = _opt(lib)
        for g in opt.param_groups:
            g["initial_lr"] = g["lr"]
        s = L(lib).CosineAnnealingLR(opt, 10, last_epoch=4)
        seq = [s.get_last_lr()]
        for _ in range(15):
            opt.step()
            s.step()
            seq.append(s.get_last_lr())
        out.append(seq)
    assert out[1] == out[0]


def test_tensor_lr_updated_in_place():
    for lib in (torch, tc):
        p = lib.nn.Parameter(lib.zeros(2))
        lr = lib.tensor(0.1)
        opt = lib.optim.Adam([p], lr=lr)
        s = L(lib).ExponentialLR(opt, 0.5)
        opt.step()
        s.step()
        assert opt.param_groups[0]["lr"] is lr and abs(float(lr) - 0.05) < 1e-8


BAD = [
    lambda lib: L(lib).StepLR(object(), 3),
    lambda lib: L(lib).ConstantLR(_opt(lib), factor=1.5),
    lambda lib: L(lib).LinearLR(_opt(lib), start_factor=0),
    lambda lib: L(lib).LinearLR(_opt(lib), end_factor=1.5),
    lambda lib: L(lib).LambdaLR(_opt(lib), [lambda e: 1.0]),
    lambda lib: L(lib).MultiplicativeLR(_opt(lib), 0.9),
    lambda lib: L(lib).CosineAnnealingWarmRestarts(_opt(lib), 0),
    lambda lib: L(lib).CosineAnnealingWarmRestarts(_opt(lib), 5, T_mult=0),
    lambda lib: L(lib).CosineAnnealingWarmRestarts(_opt(lib), 5, eta_min="x"),
    lambda lib: L(lib).CosineAnnealingWarmRestarts(_opt(lib), 5).step(-1),
    lambda lib: L(lib).OneCycleLR(_opt(lib), 1.0),
    lambda lib: L(lib).OneCycleLR(_opt(lib), 1.0, total_steps=0),
    lambda lib: L(lib).OneCycleLR(_opt(lib), 1.0, epochs=0, steps_per_epoch=3),
    lambda lib: L(lib).OneCycleLR(_opt(lib), 1.0, epochs=2, steps_per_epoch=-3),
    lambda lib: L(lib).OneCycleLR(_opt(lib), 1.0, total_steps=10, pct_start=1.5),
    lambda lib: L(lib).OneCycleLR(_opt(lib), 1.0, total_steps=10, anneal_strategy="exp"),
    lambda lib: L(lib).OneCycleLR(_opt(lib), [1.0, 2.0], total_steps=10),
    lambda lib: L(lib).CyclicLR(_opt(lib), 0.1, 1.0, mode="sawtooth"),
    lambda lib: L(lib).CyclicLR(_opt(lib), [0.1], 1.0),
    lambda lib: L(lib).ReduceLROnPlateau(_opt(lib), factor=1.0),
    lambda lib: L(lib).ReduceLROnPlateau(_opt(lib), mode="avg"),
    lambda lib: L(lib).ReduceLROnPlateau(_opt(lib), threshold_mode="pct"),
    lambda lib: L(lib).ReduceLROnPlateau(_opt(lib), min_lr=[0.1]),
    lambda lib: L(lib).SequentialLR(_opt(lib), [], []),
    lambda lib: L(lib).ChainedScheduler([]),
]


@pytest.mark.parametrize("i", range(len(BAD)))
def test_errors(i):
    raises_like(lambda: BAD[i](torch), lambda: BAD[i](tc))


def test_container_errors():
    def seq_mismatch(lib):
        opt = _opt(lib)
        return L(lib).SequentialLR(opt, [L(lib).StepLR(opt, 2), L(lib).StepLR(opt, 3)], [1, 2])

    def plateau_in_chain(lib):
        opt = _opt(lib)
        return L(lib).ChainedScheduler([L(lib).StepLR(opt, 2), L(lib).ReduceLROnPlateau(opt)])

    for case in (seq_mismatch, plateau_in_chain):
        raises_like(lambda: case(torch), lambda: case(tc))

    def other_optimizer(lib):
        opt, other = _opt(lib), _opt(lib)
        return L(lib).SequentialLR(opt, [L(lib).StepLR(opt, 2), L(lib).StepLR(other, 3)], [4])
    # the message embeds the optimizer's repr, which names its module: compare type and start only
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        other_optimizer(torch)
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        other_optimizer(tc)
