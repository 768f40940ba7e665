"""Every registry op against real torch: forward values, dtypes, requires_grad and gradients,
on the cases of the shared generator (ops/samples.py), and the in-place form where there is one.
An op whose call raises in torch must raise the same exception type here."""
import numpy as np
import pytest
import torch

import torsh_compat as tc
from torsh_compat.ops import REGISTRY
from torsh_compat.ops.samples import cases, apply_layout

TOL = {"float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7), "float16": (1e-3, 1e-5)}


def _params():
    for name in sorted(REGISTRY):
        spec = REGISTRY[name].samples
        if spec is None:
            yield pytest.param(name, None, id=f"{name}-nosamples")
            continue
        for i, case in enumerate(cases(spec)):
            yield pytest.param(name, case, id=f"{name}-{i}-{case.dtype}-{case.layout}")


def _call(lib_mod, info, inputs, case):
    spec = info.samples
    if spec.call is not None:
        return spec.call(lib_mod, *inputs, *case.args, **case.kwargs)
    fn = getattr(lib_mod, info.name, None) if getattr(info.fn, "_namespace", True) else None
    if fn is not None:
        return fn(*inputs, *case.args, **case.kwargs)
    return getattr(inputs[0], info.name)(*inputs[1:], *case.args, **case.kwargs)


def _build(lib, case, grad):
    """Leaves (for gradients) and the op inputs (first one with the case's layout applied)."""
    leaves, inputs = [], []
    for i, a in enumerate(case.arrays):
        if not isinstance(a, np.ndarray):
            inputs.append(a)
            continue
        t = lib.from_numpy(a.copy())
        if grad and a.dtype.kind == "f":
            t.requires_grad_(True)
        leaves.append(t)
        if i == 0:
            t = apply_layout(t, case.shape, case.layout)
        inputs.append(t)
    return leaves, inputs


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in _flat(x)]
    return [out]


def _compare(ours, theirs, case, what):
    rtol, atol = TOL.get(case.dtype, (1e-7, 1e-7))
    spec_tol = getattr(case, "tol", None)
    if spec_tol:
        rtol, atol = spec_tol
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tc.Tensor), f"{what}: expected a Tensor, got {type(ours).__name__}"
        assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} != torch {theirs.dtype}"
        assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {tuple(ours.shape)} != torch {tuple(theirs.shape)}"
        torch.testing.assert_close(torch.from_numpy(np.array(ours.detach()._data)), theirs.detach(),
                                   rtol=rtol, atol=atol, equal_nan=True, msg=lambda m: f"{what}: {m}")
    else:
        assert ours == theirs or (ours != ours and theirs != theirs), f"{what}: {ours!r} != torch {theirs!r}"


@pytest.mark.parametrize("name,case", list(_params()))
def test_op(name, case):
    info = REGISTRY[name]
    assert case is not None, f"op {name} has no parity samples"
    spec = info.samples
    if spec.atol is not None or spec.rtol is not None:
        case.tol = (spec.rtol or 0.0, spec.atol or 0.0)
    grad = spec.grad and info.differentiable
    t_leaves, t_in = _build(torch, case, grad)
    o_leaves, o_in = _build(tc, case, grad)
    try:
        expected = _call(torch, info, t_in, case)
    except Exception as e:   # torch refuses this case: we must refuse it with the same type
        with pytest.raises(type(e)):
            _call(tc, info, o_in, case)
        return
    got = _call(tc, info, o_in, case)
    exp_flat, got_flat = _flat(expected), _flat(got)
    assert len(exp_flat) == len(got_flat), f"{len(got_flat)} outputs, torch gives {len(exp_flat)}"
    for i, (o, t) in enumerate(zip(got_flat, exp_flat)):
        _compare(o, t, case, f"output {i}")
        if isinstance(t, torch.Tensor):
            assert o.requires_grad == t.requires_grad, f"output {i}: requires_grad {o.requires_grad} != torch"
    if not grad:
        return
    rng = np.random.default_rng(1)
    t_outs, o_outs, t_grads, o_grads = [], [], [], []
    for o, t in zip(got_flat, exp_flat):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            g = rng.standard_normal(t.shape).astype(str(t.dtype).replace("torch.", ""))
            t_outs.append(t)
            o_outs.append(o)
            t_grads.append(torch.from_numpy(g.copy()))
            o_grads.append(tc.from_numpy(g.copy()))
    if not t_outs:
        return
    try:
        torch.autograd.backward(t_outs, t_grads)
    except Exception as e:   # no derivative in torch: ours must refuse the same way
        with pytest.raises(type(e)):
            tc.autograd.backward(o_outs, o_grads)
        return
    tc.autograd.backward(o_outs, o_grads)
    for i, (ol, tl) in enumerate(zip(o_leaves, t_leaves)):
        if tl.grad is None:
            assert ol.grad is None or not np.any(ol.grad._data), f"grad of input {i}: torch has none"
        else:
            assert ol.grad is not None, f"grad of input {i} missing"
            _compare(ol.grad, tl.grad, case, f"grad of input {i}")


def _inplace_params():
    for name in sorted(REGISTRY):
        info = REGISTRY[name]
        if not info.inplace or info.samples is None:
            continue
        for i, case in enumerate(cases(info.samples)):
            if case.layout == "expanded":
                continue
            yield pytest.param(name, case, id=f"{name}_-{i}-{case.dtype}-{case.layout}")


@pytest.mark.parametrize("name,case", list(_inplace_params()))
def test_inplace(name, case):
    """x.op_(...) on a non-leaf: the same values as torch, and gradients through the in-place op."""
    info = REGISTRY[name]
    grad = info.samples.grad and info.differentiable and case.dtype in ("float32", "float64")
    results = []
    for lib in (torch, tc):
        leaves, inputs = _build(lib, case, grad)
        target = inputs[0] * 1 if grad else inputs[0].clone()
        try:
            out = getattr(target, name + "_")(*inputs[1:], *case.args, **case.kwargs)
            assert out is target, f"{name}_ must return self"
            if grad and target.requires_grad:
                lib.autograd.backward([target * 2], [lib.ones_like(target)])
        except AssertionError:
            raise
        except Exception as e:
            results.append(e)
            continue
        results.append((target, leaves))
    theirs, ours = results
    if isinstance(theirs, Exception):
        assert isinstance(ours, Exception) and isinstance(ours, type(theirs)), \
            f"torch raises {type(theirs).__name__}: {theirs}; we gave {ours!r}"
        return
    assert not isinstance(ours, Exception), f"torch succeeds, we raise {ours!r}"
    _compare(ours[0], theirs[0], case, "in-place result")
    for i, (ol, tl) in enumerate(zip(ours[1], theirs[1])):
        if tl.grad is not None:
            assert ol.grad is not None, f"grad of input {i} missing after in-place op"
            _compare(ol.grad, tl.grad, case, f"grad of input {i}")
