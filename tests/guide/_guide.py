"""Helpers of the guide tests: a ToRSh-face model beside its PyTorch original (real torch), weights
copied from the original through state_dict, every parameter's gradient compared by name."""
import numpy as np
import torch

import torsh_compat as tc
from _nn import close, same_init, to_np  # noqa: F401


def copy_from_torch(face_model, torch_model):
    """The original's weights and buffers into the face model, by state_dict key."""
    face_model.load_state_dict({k: tc.from_numpy(v.detach().numpy().copy())
                                for k, v in torch_model.state_dict().items()})


def same_keys(face_model, torch_model):
    assert list(face_model.state_dict()) == list(torch_model.state_dict())
    assert face_model.parameters().names() == [n for n, _ in torch_model.named_parameters()]


def grads_close(face_model, torch_model, rtol=1.3e-6, atol=1e-5):
    params = face_model.parameters()
    for name, p in torch_model.named_parameters():
        close(params.get(name).grad, p.grad, rtol, atol)


def state_close(face_model, torch_model, rtol=1.3e-6, atol=1e-5):
    ours = face_model.state_dict()
    for name, t in torch_model.state_dict().items():
        close(ours[name], t, rtol, atol)


def data(shape, seed=0, dtype=np.float32):
    """The same input for both: (face tensor, torch tensor)."""
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return tc.from_numpy(a.copy()), torch.from_numpy(a.copy())


def labels(n, classes, seed=1):
    a = np.random.default_rng(seed).integers(0, classes, n)
    return tc.from_numpy(a.copy()), torch.from_numpy(a.copy())
