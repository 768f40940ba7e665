"""Normalisation layers and functionals against torch: BatchNorm1d/2d/3d (running statistics over
several training steps with each momentum rule, eval mode, affine/track_running_stats combinations),
LayerNorm, GroupNorm, InstanceNorm1d/2d/3d, RMSNorm, LocalResponseNorm, SyncBatchNorm; weights copied
through state_dict, forward values, input and parameter gradients, second derivatives, grad_fn
names, state_dict keys and order, reprs, and errors (type and message)."""

import collections

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import torsh_compat as tc
import torsh_compat.nn.functional as F

from _nn import RTOL, ATOL, close, copy_weights, pair, raises_like, backward_both, same_init, to_np

DTYPES = ["float32", "float64"]


def _rand(shape, dtype="float32", seed=0, scale=1.0, shift=0.0):
    return (np.random.default_rng(seed).standard_normal(shape) * scale + shift).astype(dtype)


def _modules(name, *args, dtype="float32", **kwargs):
    """The same layer in torch and torsh_compat, torch's weights randomised and copied over."""
    mt = getattr(torch.nn, name)(*args, dtype=getattr(torch, dtype), **kwargs)
    mo = getattr(tc.nn, name)(*args, dtype=getattr(tc, dtype), **kwargs)
    with torch.no_grad():
        for i, p in enumerate(mt.parameters()):
            p.copy_(torch.from_numpy(_rand(tuple(p.shape), dtype, seed=100 + i, scale=0.5, shift=1.0)))
    copy_weights(mo, mt)
    return mo, mt


def _check_step(mo, mt, a, seed=1, xtol=(RTOL, ATOL), ptol=(RTOL, ATOL)):
    """One forward and backward of both layers on the same input; compares output and gradients
    (input gradient at xtol, parameter gradients at ptol)."""
    xo, xt = pair(a)
    yo, yt = mo(xo), mt(xt)
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    backward_both(yo, yt, seed=seed)
    close(xo.grad, xt.grad, *xtol)
    for (n, po), (_, pt) in zip(mo.named_parameters(), mt.named_parameters()):
        close(po.grad, pt.grad, *ptol)


def _check_buffers(mo, mt):
    bo, bt = dict(mo.named_buffers()), dict(mt.named_buffers())
    assert list(bo) == list(bt)
    for k in bt:
        if bt[k].dtype == torch.int64:
            assert int(bo[k]) == int(bt[k])
        else:
            close(bo[k], bt[k])


# ---- BatchNorm -------------------------------------------------------------------------------

BN_CASES = [("BatchNorm1d", (8, 4)), ("BatchNorm1d", (5, 4, 7)), ("BatchNorm2d", (3, 4, 5, 6)),
            ("BatchNorm3d", (2, 4, 3, 4, 5))]


@pytest.mark.parametrize("name,shape", BN_CASES)
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("dtype", DTYPES)
def test_batchnorm_training_steps_then_eval(name, shape, momentum, dtype):
    mo, mt = _modules(name, 4, momentum=momentum, dtype=dtype)
    for step in range(3):
        # shifted, scaled batches so the running statistics move visibly
        _check_step(mo, mt, _rand(shape, dtype, seed=step, scale=1 + step, shift=2 - step), seed=step)
        _check_buffers(mo, mt)
    assert int(mo.num_batches_tracked) == 3
    mo.eval()
    mt.eval()
    _check_step(mo, mt, _rand(shape, dtype, seed=9), seed=9)
    _check_buffers(mo, mt)


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("track", [True, False])
@pytest.mark.parametrize("bias", [True, False])
def test_batchnorm_affine_and_tracking_combinations(affine, track, bias):
    mo, mt = _modules("BatchNorm2d", 3, affine=affine, track_running_stats=track, bias=bias)
    assert list(mo.state_dict()) == list(mt.state_dict())
    assert repr(mo) == repr(mt)
    for train in (True, False, True):
        mo.train(train)
        mt.train(train)
        _check_step(mo, mt, _rand((4, 3, 2, 3), seed=int(train), shift=1.5))
        _check_buffers(mo, mt)


@pytest.mark.parametrize("name,shape,args", [("BatchNorm2d", (16, 8, 16, 16), (8,)),
                                             ("LayerNorm", (64, 256), (256,)), ("GroupNorm", (4, 8, 64), (2, 8))])
def test_large_mean_float32_as_accurate_as_torch(name, shape, args):
    """|mean| >> std: the statistics stay exact (two passes, not E[x^2]-E[x]^2). torch's output form
    x * (invstd*w) + (b - mean*invstd*w) rounds at the scale of |mean|*invstd (here ~600, an ulp of
    6e-5), ours subtracts the mean first; so compare both with a float64 reference: ours is no
    further from it than torch's, and equals torch's within torch's own rounding (atol 2e-4)."""
    mo, mt = _modules(name, *args)
    m64 = getattr(torch.nn, name)(*args, dtype=torch.float64)
    m64.load_state_dict({k: v.double() if v.is_floating_point() else v for k, v in mt.state_dict().items()})
    a = _rand(shape, scale=0.5, shift=300.0)
    yo, yt = mo(tc.from_numpy(a.copy())), mt(torch.from_numpy(a.copy()))
    exact = m64(torch.from_numpy(a.astype(np.float64))).detach().numpy()
    err_o, err_t = np.abs(to_np(yo) - exact).max(), np.abs(to_np(yt) - exact).max()
    assert err_o <= err_t + 1e-6
    close(yo, yt, atol=2e-4)
    if name == "BatchNorm2d":
        close(mo.running_mean, mt.running_mean)
        close(mo.running_var, mt.running_var, rtol=1e-5)   # variance of a 300-offset float32 batch


def test_batchnorm_realistic_size_float32():
    # weight/bias gradients sum 18432 terms: torch's float32 result is itself ~6e-5 from the
    # float64 value (ours ~1.5e-5), so they are compared at that scale
    mo, mt = _modules("BatchNorm2d", 16)
    _check_step(mo, mt, _rand((32, 16, 24, 24), scale=2.0, shift=0.5), ptol=(1e-5, 1.5e-4))
    _check_buffers(mo, mt)


def test_batchnorm_non_contiguous_input():
    mo, mt = _modules("BatchNorm2d", 3)
    a = _rand((5, 4, 3, 2))
    xo, xt = pair(a)
    yo, yt = mo(xo.permute(0, 2, 3, 1)), mt(xt.permute(0, 2, 3, 1))
    close(yo, yt)
    backward_both(yo, yt)
    close(xo.grad, xt.grad)
    close(mo.weight.grad, mt.weight.grad)


def test_batchnorm_output_modified_in_place_keeps_gradient():
    """Without affine the output is the normalised input itself; an in-place op on it must not
    change what the backward reads."""
    mo, mt = _modules("BatchNorm1d", 3, affine=False)
    xo, xt = pair(_rand((6, 3, 4)))
    yo, yt = F.relu(mo(xo), inplace=True), TF.relu(mt(xt), inplace=True)
    backward_both(yo, yt)
    close(xo.grad, xt.grad)


def test_batchnorm_reset_and_state_dict():
    mo, mt = _modules("BatchNorm1d", 4)
    for m in (mo, mt):
        m(m.weight.new_ones((5, 4)) * 3 + (m.weight.new_ones((5, 4)).cumsum(0)))
    _check_buffers(mo, mt)
    so, st = mo.state_dict(), mt.state_dict()
    assert list(so) == list(st) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert so._metadata[""] == st._metadata[""] == {"version": 2}
    assert so["num_batches_tracked"].dtype is tc.int64
    mo.reset_running_stats()
    mt.reset_running_stats()
    _check_buffers(mo, mt)
    mo.reset_parameters()
    mt.reset_parameters()
    same_init(mo, mt)


def test_batchnorm_default_init_equals_torch():
    for name, kw in [("BatchNorm1d", {}), ("BatchNorm2d", {"affine": False}), ("BatchNorm3d", {"bias": False}),
                     ("BatchNorm2d", {"track_running_stats": False})]:
        same_init(getattr(tc.nn, name)(5, **kw), getattr(torch.nn, name)(5, **kw))


def test_batchnorm_load_adds_missing_num_batches_tracked():
    """A version-1 checkpoint without num_batches_tracked loads (ours is kept), as torch's."""
    mt = torch.nn.BatchNorm1d(3)
    mo = tc.nn.BatchNorm1d(3)
    sd = {k: v for k, v in mt.state_dict().items() if k != "num_batches_tracked"}
    mo.num_batches_tracked.fill_(7)
    meta = {"": {"version": 1}}

    def load(mod, tensors):
        d = collections.OrderedDict(tensors)
        d._metadata = meta
        return mod.load_state_dict(d)

    rt = load(mt, sd)
    ro = load(mo, {k: tc.from_numpy(v.numpy().copy()) for k, v in sd.items()})
    assert list(ro.missing_keys) == list(rt.missing_keys) == []
    assert int(mo.num_batches_tracked) == 7
    # a current (version 2) checkpoint without it is a missing key
    d = collections.OrderedDict((k, tc.from_numpy(v.numpy().copy())) for k, v in sd.items())
    d._metadata = {"": {"version": 2}}
    with pytest.raises(RuntimeError, match="Missing key"):
        mo.load_state_dict(d)


def test_batchnorm_reprs():
    for kw in [{}, {"momentum": None, "affine": False}, {"eps": 1e-3, "track_running_stats": False},
               {"bias": False}]:
        for name in ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"):
            assert repr(getattr(tc.nn, name)(6, **kw)) == repr(getattr(torch.nn, name)(6, **kw))


def test_batchnorm_errors_match_torch():
    cases = [("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm1d", (3,)), ("BatchNorm2d", (2, 3, 4)),
             ("BatchNorm3d", (2, 3, 4, 4)), ("BatchNorm2d", (2, 4, 4, 4)), ("BatchNorm1d", (1, 3))]
    for name, shape in cases:
        raises_like(lambda: getattr(torch.nn, name)(3)(torch.zeros(shape)),
                    lambda: getattr(tc.nn, name)(3)(tc.zeros(shape)))
    for kw in [{"affine": False}, {"track_running_stats": False}]:
        raises_like(lambda: torch.nn.BatchNorm2d(3, **kw)(torch.zeros(2, 4, 2, 2)),
                    lambda: tc.nn.BatchNorm2d(3, **kw)(tc.zeros(2, 4, 2, 2)))
    raises_like(lambda: torch.nn.BatchNorm2d(3)(torch.zeros(2, 3, 2, 2, dtype=torch.float64)),
                lambda: tc.nn.BatchNorm2d(3)(tc.zeros(2, 3, 2, 2, dtype=tc.float64)))
    raises_like(lambda: torch.nn.SyncBatchNorm(3)(torch.zeros(3)),
                lambda: tc.nn.SyncBatchNorm(3)(tc.zeros(3)))


def test_functional_batch_norm_errors_match_torch():
    def both(fn):
        raises_like(lambda: fn(torch, TF), lambda: fn(tc, F))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3), None, None, training=False))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3), m.zeros(3), None, training=False))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3, 4), m.zeros(3), m.ones(3), m.ones(4), training=True))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3, 4), m.zeros(3), m.ones(3), None, m.ones(4)))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3, 4), m.zeros(3), m.ones(4), training=True))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3, 4), None, None, training=True, eps=0))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3, 4), m.zeros(3), m.ones(3), eps=-1.0))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3).long(), None, None, training=True))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3), m.zeros(3), m.ones(3), training=True, momentum=None))
    both(lambda m, f: f.instance_norm(m.zeros(2, 3, 4), momentum=None))
    both(lambda m, f: f.batch_norm(m.zeros(2, 3), m.zeros(3, dtype=m.float64), m.ones(3, dtype=m.float64)))


@pytest.mark.parametrize("momentum", [0.1, 0.7])
def test_functional_batch_norm_updates_given_buffers(momentum):
    a = _rand((6, 3, 5), seed=2, shift=1.0)
    rmo, rmt = tc.zeros(3), torch.zeros(3)
    rvo, rvt = tc.ones(3), torch.ones(3)
    xo, xt = pair(a)
    close(F.batch_norm(xo, rmo, rvo, training=True, momentum=momentum),
          TF.batch_norm(xt, rmt, rvt, training=True, momentum=momentum))
    close(rmo, rmt)
    close(rvo, rvt)
    # without running statistics in training: batch statistics only, nothing to update
    close(F.batch_norm(xo, None, None, training=True), TF.batch_norm(xt, None, None, training=True))
    # empty batch: empty output, buffers untouched
    yo = F.batch_norm(tc.zeros(0, 3), rmo, rvo, training=True)
    yt = TF.batch_norm(torch.zeros(0, 3), rmt, rvt, training=True)
    assert tuple(yo.shape) == tuple(yt.shape)
    close(rmo, rmt)
    close(rvo, rvt)


def test_syncbatchnorm_is_batchnorm_on_cpu():
    mo, mt = _modules("SyncBatchNorm", 4)
    for shape in [(6, 4), (3, 4, 5), (2, 4, 3, 3)]:
        _check_step(mo, mt, _rand(shape, seed=len(shape)))
        _check_buffers(mo, mt)
    seq_o = tc.nn.Sequential(tc.nn.Linear(3, 4), tc.nn.BatchNorm1d(4))
    seq_t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    co = tc.nn.SyncBatchNorm.convert_sync_batchnorm(seq_o)
    ct = torch.nn.SyncBatchNorm.convert_sync_batchnorm(seq_t)
    assert repr(co) == repr(ct)
    assert co[1].weight is seq_o[1].weight


# ---- LayerNorm -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,ns", [((4, 7), (7,)), ((3, 4, 5), (5,)), ((3, 4, 5), (4, 5)),
                                      ((2, 3, 4, 5), (3, 4, 5)), ((6,), (6,)), ((0, 5), (5,))])
@pytest.mark.parametrize("kw", [{}, {"elementwise_affine": False}, {"bias": False}, {"eps": 1e-2}])
@pytest.mark.parametrize("dtype", DTYPES)
def test_layernorm(shape, ns, kw, dtype):
    mo, mt = _modules("LayerNorm", ns, dtype=dtype, **kw)
    assert repr(mo) == repr(mt)
    assert list(mo.state_dict()) == list(mt.state_dict())
    _check_step(mo, mt, _rand(shape, dtype, seed=3, scale=2.0, shift=-1.0))


def test_layernorm_int_shape_default_init_and_large_rows():
    same_init(tc.nn.LayerNorm(5), torch.nn.LayerNorm(5))
    same_init(tc.nn.LayerNorm([2, 3], bias=False), torch.nn.LayerNorm([2, 3], bias=False))
    # weight/bias gradients sum 512 rows of an offset input: torch's float32 result is ~6e-5 from
    # the float64 value (ours ~1.2e-5), so they are compared at that scale
    mo, mt = _modules("LayerNorm", 512)
    _check_step(mo, mt, _rand((8, 64, 512), seed=4, scale=3.0, shift=50.0), ptol=(1e-5, 1.5e-4))


def test_layernorm_non_contiguous_input():
    mo, mt = _modules("LayerNorm", 4)
    xo, xt = pair(_rand((4, 5, 3)))
    yo, yt = mo(xo.transpose(0, 2)[:, ::2]), mt(xt.transpose(0, 2)[:, ::2])
    close(yo, yt)
    backward_both(yo, yt)
    close(xo.grad, xt.grad)
    close(mo.weight.grad, mt.weight.grad)


def test_layer_norm_errors_match_torch():
    def both(fn):
        raises_like(lambda: fn(torch, TF), lambda: fn(tc, F))
    both(lambda m, f: f.layer_norm(m.zeros(3, 4), (5,)))
    both(lambda m, f: f.layer_norm(m.zeros(3, 4, 5), (3, 5)))
    both(lambda m, f: f.layer_norm(m.zeros(3), (2, 3)))
    both(lambda m, f: f.layer_norm(m.zeros(3, 5), (5,), m.ones(4)))
    both(lambda m, f: f.layer_norm(m.zeros(3, 5), (5,), None, m.ones(4)))
    both(lambda m, f: f.layer_norm(m.zeros(3, 5), ()))
    both(lambda m, f: f.layer_norm(m.zeros(3, 5), 5))
    both(lambda m, f: f.layer_norm(m.zeros(3, 5).long(), (5,)))
    both(lambda m, f: f.layer_norm(m.zeros(3, 5), (5,), m.ones(5, dtype=m.float64)))
    raises_like(lambda: torch.nn.LayerNorm(5)(torch.zeros(3, 4)), lambda: tc.nn.LayerNorm(5)(tc.zeros(3, 4)))


# ---- GroupNorm -------------------------------------------------------------------------------

@pytest.mark.parametrize("groups,shape", [(1, (3, 6)), (2, (3, 6, 5)), (3, (2, 6, 4, 3)), (6, (2, 6, 2, 2, 3)),
                                          (2, (4, 6))])
@pytest.mark.parametrize("kw", [{}, {"affine": False}, {"bias": False}])
@pytest.mark.parametrize("dtype", DTYPES)
def test_groupnorm(groups, shape, kw, dtype):
    mo, mt = _modules("GroupNorm", groups, 6, dtype=dtype, **kw)
    assert repr(mo) == repr(mt)
    assert list(mo.state_dict()) == list(mt.state_dict())
    _check_step(mo, mt, _rand(shape, dtype, seed=5, scale=1.5, shift=0.5))


def test_group_norm_errors_match_torch():
    raises_like(lambda: torch.nn.GroupNorm(4, 6), lambda: tc.nn.GroupNorm(4, 6))
    raises_like(lambda: torch.nn.GroupNorm(2, 6)(torch.zeros(2, 4, 3)),
                lambda: tc.nn.GroupNorm(2, 6)(tc.zeros(2, 4, 3)))

    def both(fn):
        raises_like(lambda: fn(torch, TF), lambda: fn(tc, F))
    both(lambda m, f: f.group_norm(m.zeros(2, 6, 3), 4))
    both(lambda m, f: f.group_norm(m.zeros(2, 5, 3), 2, m.ones(6)))
    both(lambda m, f: f.group_norm(m.zeros(2, 6, 3), 2, m.ones(5)))
    both(lambda m, f: f.group_norm(m.zeros(3), 1))
    both(lambda m, f: f.group_norm(m.zeros(1, 3), 3))
    both(lambda m, f: f.group_norm(m.zeros(2, 6, 3), 0))
    both(lambda m, f: f.group_norm(m.zeros(2, 6).long(), 2))


# ---- InstanceNorm ----------------------------------------------------------------------------

IN_CASES = [("InstanceNorm1d", (3, 4, 6)), ("InstanceNorm1d", (4, 6)), ("InstanceNorm2d", (2, 4, 3, 5)),
            ("InstanceNorm2d", (4, 3, 5)), ("InstanceNorm3d", (2, 4, 2, 3, 3))]


@pytest.mark.parametrize("name,shape", IN_CASES)
@pytest.mark.parametrize("affine,track", [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_instancenorm_train_and_eval(name, shape, affine, track, dtype):
    mo, mt = _modules(name, 4, affine=affine, track_running_stats=track, momentum=0.3, dtype=dtype)
    assert repr(mo) == repr(mt)
    assert list(mo.state_dict()) == list(mt.state_dict())
    for step in range(2):
        _check_step(mo, mt, _rand(shape, dtype, seed=step, scale=1 + step, shift=1.0), seed=step)
        _check_buffers(mo, mt)
    mo.eval()
    mt.eval()
    _check_step(mo, mt, _rand(shape, dtype, seed=7, shift=0.5), seed=7)
    _check_buffers(mo, mt)


def test_functional_instance_norm_running_stats_and_fixed_stats():
    a = _rand((3, 2, 5), seed=8, shift=2.0)
    rmo, rmt = tc.zeros(2), torch.zeros(2)
    rvo, rvt = tc.ones(2), torch.ones(2)
    xo, xt = pair(a)
    close(F.instance_norm(xo, rmo, rvo, momentum=0.4), TF.instance_norm(xt, rmt, rvt, momentum=0.4))
    close(rmo, rmt)
    close(rvo, rvt)
    wo, wt = pair(_rand(2, seed=9))
    yo = F.instance_norm(xo, rmo, rvo, wo, None, use_input_stats=False)
    yt = TF.instance_norm(xt, rmt, rvt, wt, None, use_input_stats=False)
    close(yo, yt)
    backward_both(yo, yt)
    close(wo.grad, wt.grad)


def test_instance_norm_errors_match_torch():
    for name, shape in [("InstanceNorm1d", (2, 3, 4, 5)), ("InstanceNorm2d", (2, 3)), ("InstanceNorm3d", (2, 3, 4)),
                        ("InstanceNorm1d", (2, 3, 1))]:
        raises_like(lambda: getattr(torch.nn, name)(3)(torch.zeros(shape)),
                    lambda: getattr(tc.nn, name)(3)(tc.zeros(shape)))
    raises_like(lambda: torch.nn.InstanceNorm1d(3, affine=True)(torch.zeros(2, 4, 5)),
                lambda: tc.nn.InstanceNorm1d(3, affine=True)(tc.zeros(2, 4, 5)))

    def both(fn):
        raises_like(lambda: fn(torch, TF), lambda: fn(tc, F))
    both(lambda m, f: f.instance_norm(m.zeros(2, 3, 4), use_input_stats=False))
    both(lambda m, f: f.instance_norm(m.zeros(2, 3, 4), m.zeros(4), m.ones(4)))
    both(lambda m, f: f.instance_norm(m.zeros(2, 3, 4), weight=m.ones(4)))
    both(lambda m, f: f.instance_norm(m.zeros(2, 3, 4).long()))


def test_instancenorm_channel_mismatch_warns_without_affine():
    with pytest.warns(UserWarning, match="does not match num_features"):
        tc.nn.InstanceNorm1d(3)(tc.ones(2, 4, 5).cumsum(2))


def test_instancenorm_refuses_old_running_stats():
    st = torch.nn.InstanceNorm1d(3, track_running_stats=True).state_dict()
    to_o = collections.OrderedDict((k, tc.from_numpy(v.numpy().copy())) for k, v in st.items())
    to_t = collections.OrderedDict((k, v.clone()) for k, v in st.items())
    for d in (to_o, to_t):
        d._metadata = {"": {}}
    with pytest.raises(RuntimeError) as et:
        torch.nn.InstanceNorm1d(3).load_state_dict(to_t)
    with pytest.raises(RuntimeError) as eo:
        tc.nn.InstanceNorm1d(3).load_state_dict(to_o)
    assert str(eo.value) == str(et.value)


# ---- RMSNorm ---------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,ns", [((4, 7), (7,)), ((3, 4, 5), (4, 5)), ((2, 3, 4, 5), (3, 4, 5))])
@pytest.mark.parametrize("kw", [{}, {"eps": 1e-3}, {"elementwise_affine": False}])
@pytest.mark.parametrize("dtype", DTYPES)
def test_rmsnorm(shape, ns, kw, dtype):
    mo, mt = _modules("RMSNorm", ns, dtype=dtype, **kw)
    assert repr(mo) == repr(mt)
    assert list(mo.state_dict()) == list(mt.state_dict())
    # small values so that eps (None: the dtype's machine epsilon) matters; the input gradient then
    # scales as 1/rms ~ 100, and torch's float32 value is ~5e-5 off the float64 one (ours ~3e-5)
    _check_step(mo, mt, _rand(shape, dtype, seed=6, scale=0.01), xtol=(1e-5, 1e-4))


def test_rms_norm_errors_match_torch():
    def both(fn):
        raises_like(lambda: fn(torch, TF), lambda: fn(tc, F))
    both(lambda m, f: f.rms_norm(m.zeros(2, 3, 4), (3,)))
    both(lambda m, f: f.rms_norm(m.zeros(2, 3, 4), (4,), m.ones(3)))
    both(lambda m, f: f.rms_norm(m.zeros(2, 3, 4), ()))
    both(lambda m, f: f.rms_norm(m.zeros(2, 3, 4), 4))
    both(lambda m, f: f.rms_norm(m.zeros(2, 3, 4).long(), (4,)))


# ---- LocalResponseNorm -----------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(2, 6, 5), (2, 6, 3, 4), (1, 5, 2, 3, 2)])
@pytest.mark.parametrize("size", [1, 2, 3, 4, 9])
@pytest.mark.parametrize("dtype", DTYPES)
def test_local_response_norm(shape, size, dtype):
    mo = tc.nn.LocalResponseNorm(size, alpha=0.3, beta=0.6, k=0.5)
    mt = torch.nn.LocalResponseNorm(size, alpha=0.3, beta=0.6, k=0.5)
    assert repr(mo) == repr(mt)
    _check_step(mo, mt, _rand(shape, dtype, seed=size, scale=2.0))


def test_local_response_norm_edge_cases():
    raises_like(lambda: TF.local_response_norm(torch.zeros(3, 4), 2), lambda: F.local_response_norm(tc.zeros(3, 4), 2))
    x = tc.zeros(0, 3, 4)
    assert F.local_response_norm(x, 2) is x
    assert repr(tc.nn.LocalResponseNorm(3)) == repr(torch.nn.LocalResponseNorm(3))


# ---- grad_fn names and second derivatives ----------------------------------------------------

def _functional_cases():
    w3, b3 = _rand(3, seed=11, shift=1.0), _rand(3, seed=12)
    w5, b5 = _rand(5, seed=13, shift=1.0), _rand(5, seed=14)
    rm, rv = _rand(3, seed=15), np.abs(_rand(3, seed=16)) + 0.5
    return {
        "batch_norm_train": (lambda f, m, x, w, b: f.batch_norm(x, None, None, w, b, training=True), w3, b3),
        "batch_norm_eval": (lambda f, m, x, w, b: f.batch_norm(x, m.from_numpy(rm.astype(str(x.dtype)[6:])), m.from_numpy(rv.astype(str(x.dtype)[6:])),
                                                               w, b, training=False), w3, b3),
        "batch_norm_no_affine": (lambda f, m, x, w, b: f.batch_norm(x, None, None, training=True), None, None),
        "layer_norm": (lambda f, m, x, w, b: f.layer_norm(x, (5,), w, b), w5, b5),
        "layer_norm_no_affine": (lambda f, m, x, w, b: f.layer_norm(x, (3, 5)), None, None),
        "group_norm": (lambda f, m, x, w, b: f.group_norm(x, 3, w, b), w3, b3),
        "instance_norm": (lambda f, m, x, w, b: f.instance_norm(x, weight=w, bias=b), w3, b3),
        "rms_norm": (lambda f, m, x, w, b: f.rms_norm(x, (5,), w, eps=1e-3), w5, None),
        "local_response_norm": (lambda f, m, x, w, b: f.local_response_norm(x, 2, alpha=0.5), None, None),
    }


@pytest.mark.parametrize("case", list(_functional_cases()))
@pytest.mark.parametrize("dtype", DTYPES)
def test_second_derivatives(case, dtype):
    """grad with create_graph, then the gradient of a weighted sum of it, for input and parameters."""
    fn, w, b = _functional_cases()[case]
    xo, xt = pair(_rand((4, 3, 5), dtype, seed=17, scale=1.5, shift=0.3))
    po, pt = [], []
    for v in (w, b):
        o, t = pair(v.astype(dtype)) if v is not None else (None, None)
        po.append(o)
        pt.append(t)
    yo, yt = fn(F, tc, xo, *po), fn(TF, torch, xt, *pt)
    close(yo, yt)
    assert type(yo.grad_fn).__name__ == type(yt.grad_fn).__name__
    go = _rand(tuple(yt.shape), dtype, seed=18)
    leaves_o = [xo] + [p for p in po if p is not None]
    leaves_t = [xt] + [p for p in pt if p is not None]
    # a non-linear use of the output, so the second derivative involves the output's Hessian
    gso = tc.autograd.grad((yo * yo * tc.from_numpy(go.copy())).sum(), leaves_o, create_graph=True)
    gst = torch.autograd.grad((yt * yt * torch.from_numpy(go.copy())).sum(), leaves_t, create_graph=True)
    for a, c in zip(gso, gst):
        close(a, c)
    vo = [tc.from_numpy(_rand(tuple(c.shape), dtype, seed=20 + i)) for i, c in enumerate(gst)]
    vt = [torch.from_numpy(to_np(v).copy()) for v in vo]
    so = sum((a * v).sum() for a, v in zip(gso, vo))
    st = sum((c * v).sum() for c, v in zip(gst, vt))
    so.backward()
    st.backward()
    for lo, lt in zip(leaves_o, leaves_t):
        close(lo.grad, lt.grad)


def test_half_precision_forward():
    a = _rand((4, 3, 5), seed=21)
    for fo, ft in [(lambda x: F.layer_norm(x, (5,)), lambda x: TF.layer_norm(x, (5,))),
                   (lambda x: F.group_norm(x, 3), lambda x: TF.group_norm(x, 3)),
                   (lambda x: F.batch_norm(x, None, None, training=True),
                    lambda x: TF.batch_norm(x, None, None, training=True))]:
        yo, yt = fo(tc.from_numpy(a.astype(np.float16))), ft(torch.from_numpy(a.astype(np.float16)))
        assert yo.dtype is tc.float16
        close(yo, yt, rtol=1e-3, atol=2e-3)    # half output: one float16 rounding of the result


def test_new_layers_train_in_a_loop_like_torch():
    """A small conv-free model with each norm, a few SGD steps: the losses agree with torch's."""
    def build(lib):
        nn = lib.nn
        lib.manual_seed(0)
        return nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 8), nn.LayerNorm(8),
                             nn.Linear(8, 8), nn.RMSNorm(8), nn.Linear(8, 1))
    mo, mt = build(tc), build(torch)
    copy_weights(mo, mt)
    a, tgt = _rand((16, 6), seed=30), _rand((16, 1), seed=31)
    for _ in range(4):
        losses = []
        for lib, m in ((tc, mo), (torch, mt)):
            m.zero_grad()
            loss = ((m(lib.from_numpy(a.copy())) - lib.from_numpy(tgt.copy())) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.1 * p.grad
            losses.append(float(loss.detach()))
        assert abs(losses[0] - losses[1]) <= 1e-5 * max(1.0, abs(losses[1]))
    _check_buffers(mo, mt)


@pytest.mark.parametrize("name,args,kw,shape", [
    ("LayerNorm", (300,), {}, (3, 341, 300)), ("GroupNorm", (4, 8), {}, (5, 8, 70, 130)),
    ("InstanceNorm2d", (8,), {"affine": True, "track_running_stats": True}, (3, 8, 100, 130)),
    ("BatchNorm2d", (6,), {}, (9, 6, 110, 170)), ("RMSNorm", (300,), {}, (3, 341, 300))])
def test_large_inputs_in_chunks_with_and_without_grad(name, args, kw, shape):
    """Inputs of several cache-sized chunks with a ragged last one: values and gradients, and the
    no-grad path (which keeps no normalised copy) gives the same output."""
    mo, mt = _modules(name, *args, **kw)
    a = _rand(shape, seed=40, scale=1.5, shift=0.7)
    with tc.no_grad():
        yo = mo(tc.from_numpy(a.copy()))
    assert yo.grad_fn is None
    close(yo, mt(torch.from_numpy(a.copy())).detach())
    # parameter gradients sum 10^5-10^6 float32 terms: torch's are up to ~1e-3 off the float64
    # value (ours ~6e-5), so they are compared at that scale
    _check_step(mo, mt, a, ptol=(1e-5, 1e-3))
    _check_buffers(mo, mt)


@pytest.mark.parametrize("fn,raises", [
    (lambda f, x, w, b: f.batch_norm(x, None, None, w, b, training=True), False),
    (lambda f, x, w, b: f.group_norm(x, 3, w, b), False),
    (lambda f, x, w, b: f.instance_norm(x, weight=w, bias=b), False),
    (lambda f, x, w, b: f.layer_norm(x, (3,), w, b), True)])
def test_bias_changed_in_place_before_backward(fn, raises):
    """torch saves the bias only for layer norm: an in-place change of it before backward is an
    error there and allowed for the others (the weight is always saved)."""
    results = []
    for lib, f in ((torch, TF), (tc, F)):
        x = lib.ones(2, 3, 3).cumsum(2).requires_grad_()
        w, b = lib.ones(3, requires_grad=True), lib.zeros(3, requires_grad=True)
        y = fn(f, x, w, b)
        with lib.no_grad():
            b.add_(1.0)
        try:
            y.sum().backward()
            results.append(False)
        except RuntimeError as e:
            assert "modified by an inplace operation" in str(e)
            results.append(True)
    assert results == [raises, raises]


@pytest.mark.parametrize("case,which", [
    (c, a) for c in ("batch_norm_train", "batch_norm_eval", "layer_norm", "group_norm", "instance_norm", "rms_norm")
    for a in ("input", "weight", "bias") if (c, a) != ("rms_norm", "bias")])
def test_gradient_of_one_argument_only(case, which):
    """Only one of input, weight, bias requires grad: that gradient alone, equal to torch's."""
    fn, w, b = _functional_cases()[case]
    arrays = {"input": _rand((4, 3, 5), seed=50, shift=0.4), "weight": w, "bias": b}
    outs = []
    for lib, f in ((torch, TF), (tc, F)):
        ts = {k: (lib.from_numpy(v.copy()) if v is not None else None) for k, v in arrays.items()}
        ts[which].requires_grad_(True)
        y = fn(f, lib, ts["input"], ts["weight"], ts["bias"])
        (y * lib.from_numpy(_rand(tuple(y.shape), seed=51))).sum().backward()
        outs.append(ts)
    close(outs[1][which].grad, outs[0][which].grad)
    for k in arrays:
        if k != which and outs[1][k] is not None:
            assert outs[1][k].grad is None


def test_default_init_equals_torch_for_the_other_norms():
    for name, args, kw in [("GroupNorm", (2, 6), {}), ("GroupNorm", (3, 6), {"affine": False}),
                           ("GroupNorm", (3, 6), {"bias": False}), ("RMSNorm", ((2, 3),), {}),
                           ("RMSNorm", (4,), {"elementwise_affine": False}), ("InstanceNorm2d", (5,), {}),
                           ("InstanceNorm1d", (5,), {"affine": True, "track_running_stats": True}),
                           ("InstanceNorm3d", (5,), {"affine": True, "bias": False}),
                           ("LayerNorm", ((2, 3),), {"elementwise_affine": False})]:
        mo, mt = getattr(tc.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
        same_init(mo, mt)
        assert repr(mo) == repr(mt)
        assert mo.state_dict()._metadata[""] == mt.state_dict()._metadata[""]
