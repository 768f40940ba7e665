"""torch.amp on a machine without CUDA, against torch: autocast('cuda') and the default GradScaler
disable themselves with torch's warnings, then a GPU-style training loop gives torch's numbers."""
import warnings

import numpy as np
import pytest
import torch

import torsh_compat as tc


def _train(lib, make_scaler, make_autocast, x, y, w, b):
    net = lib.nn.Linear(3, 1)
    net.load_state_dict({"weight": lib.tensor(w), "bias": lib.tensor(b)})
    opt = lib.optim.SGD(net.parameters(), lr=0.1)
    scaler = make_scaler(lib)
    losses = []
    for _ in range(3):
        for p in net.parameters():
            p.grad = None
        with make_autocast(lib):
            loss = ((net(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        scaler.step(opt)
        scaler.update()
        losses.append(loss.item())
    return losses, [scaler.is_enabled(), scaler.get_scale(), scaler.state_dict()]


SCALERS = {"amp": lambda lib: lib.amp.GradScaler(), "amp_cuda": lambda lib: lib.amp.GradScaler("cuda"),
           "cuda_amp": lambda lib: lib.cuda.amp.GradScaler(), "disabled": lambda lib: lib.amp.GradScaler(enabled=False)}
AUTOCASTS = {"autocast_cuda": lambda lib: lib.autocast("cuda"), "amp_autocast": lambda lib: lib.amp.autocast("cuda"),
             "cuda_amp_autocast": lambda lib: lib.cuda.amp.autocast(),
             "cuda_fp16": lambda lib: lib.autocast(device_type="cuda", dtype=lib.float16)}


@pytest.mark.parametrize("scaler", list(SCALERS))
@pytest.mark.parametrize("autocast", list(AUTOCASTS))
def test_gpu_training_loop_runs_unchanged(scaler, autocast):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 3)).astype(np.float32), rng.standard_normal((8, 1)).astype(np.float32)
    w, b = rng.standard_normal((1, 3)).astype(np.float32), rng.standard_normal(1).astype(np.float32)
    seen = []
    for lib in (torch, tc):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = _train(lib, SCALERS[scaler], AUTOCASTS[autocast], x, y, w, b)
        seen.append((result, sorted({(c.category.__name__, str(c.message)) for c in caught})))
    (theirs, t_warn), (ours, o_warn) = seen
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1.3e-6, atol=1e-5)
    assert ours[1] == theirs[1]
    assert o_warn == t_warn


def test_autocast_state_and_decorator():
    for lib in (torch, tc):
        assert not lib.is_autocast_enabled("cpu")
        with lib.autocast("cpu"):
            assert lib.is_autocast_enabled("cpu")
            assert lib.get_autocast_dtype("cpu") == lib.bfloat16
        with lib.autocast("cpu", enabled=False):
            assert not lib.is_autocast_enabled("cpu")

        @lib.autocast("cpu")
        def inside():
            return lib.is_autocast_enabled("cpu")
        assert inside() and not lib.is_autocast_enabled("cpu")
    with pytest.raises(RuntimeError):
        torch.autocast("tpu-x")
    with pytest.raises(RuntimeError):
        tc.autocast("tpu-x")
