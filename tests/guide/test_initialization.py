"""Guide, API Differences / Initialization: initialisation inside new() with xavier_uniform and
constant (and through InitMethod) beside PyTorch's model.apply(init_weights); the same seed gives
the same weights, because the initialisers draw from torch's random stream in torch's order."""
import numpy as np
import pytest
import torch
import torch.nn as nn

import torsh_compat as tc
from torsh_compat.torsh_core.error import TorshError
from torsh_compat.torsh_nn import Module, Parameter, ParameterCollection
from torsh_compat.torsh_nn.init import (InitMethod, constant, kaiming_normal, kaiming_uniform, normal, ones,
                                        orthogonal, uniform, xavier_normal, xavier_uniform, zeros)
from torsh_compat.torsh_nn.functional import relu

from _guide import close, data, to_np


class MyLayer(Module):
    def __init__(self, in_features, out_features, init_method=None):
        super().__init__()
        if init_method is None:
            weight_tensor = xavier_uniform([out_features, in_features])
        else:
            weight_tensor = init_method.initialize([out_features, in_features])
        self.weight = Parameter.new(weight_tensor, True)
        bias_tensor = constant([out_features], 0.01)
        self.bias = Parameter.new(bias_tensor, True)
        self.in_features = in_features
        self.out_features = out_features

    @classmethod
    def with_init(cls, in_features, out_features, init_method):
        return cls.new(in_features, out_features, init_method)

    def forward(self, input):
        return relu(input.matmul(self.weight.t()) + self.bias)

    def parameters(self):
        params = ParameterCollection.new()
        params.insert("weight", self.weight)
        params.insert("bias", self.bias)
        return params


class TorchLayer(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.fc = nn.Linear(in_features, out_features)

    def forward(self, x):
        return torch.relu(self.fc(x))


def init_weights(m):
    if isinstance(m, nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight)
        m.bias.data.fill_(0.01)


def test_xavier_and_constant_in_new_equal_init_weights():
    # torch's init_weights redraws after Linear's default init; the face draws once, inside new():
    # the same xavier draw from the same seed
    tc.manual_seed(11)
    torch.manual_seed(11)
    layer = MyLayer.new(20, 30)
    w_t = torch.nn.init.xavier_uniform_(torch.empty(30, 20))
    close(layer.weight, w_t)
    assert np.all(to_np(layer.bias) == np.float32(0.01))
    assert isinstance(layer.weight, tc.nn.Parameter) and layer.weight.requires_grad and layer.weight.is_leaf
    theirs = TorchLayer(20, 30).apply(init_weights)
    assert theirs.fc.bias.detach().eq(0.01).all()
    with torch.no_grad():
        theirs.fc.weight.copy_(w_t)
    x, xt = data((5, 20))
    out, out_t = layer.forward(x), theirs(xt)
    close(out, out_t)
    out.sum().backward()
    out_t.sum().backward()
    close(layer.weight.grad, theirs.fc.weight.grad)
    close(layer.bias.grad, theirs.fc.bias.grad)


@pytest.mark.parametrize("method, torch_init", [
    (InitMethod.XavierUniform, lambda t: nn.init.xavier_uniform_(t)),
    (InitMethod.XavierNormal(2.0), lambda t: nn.init.xavier_normal_(t, 2.0)),
    (InitMethod.KaimingUniform, lambda t: nn.init.kaiming_uniform_(t)),
    (InitMethod.KaimingNormal(0, "fan_out", "relu"), lambda t: nn.init.kaiming_normal_(t, 0, "fan_out", "relu")),
    (InitMethod.Uniform(-0.1, 0.1), lambda t: nn.init.uniform_(t, -0.1, 0.1)),
    (InitMethod.Normal(0.5, 0.02), lambda t: nn.init.normal_(t, 0.5, 0.02)),
    (InitMethod.Constant(0.3), lambda t: nn.init.constant_(t, 0.3)),
    (InitMethod.Zeros, nn.init.zeros_),
    (InitMethod.Ones, nn.init.ones_),
    (InitMethod.Orthogonal, lambda t: nn.init.orthogonal_(t)),
])
def test_with_init(method, torch_init):
    tc.manual_seed(4)
    torch.manual_seed(4)
    layer = MyLayer.with_init(6, 8, method)
    close(layer.weight, torch_init(torch.empty(8, 6)))


def test_functions_equal_torch_initialisers():
    for ours, theirs in [(lambda: uniform([3, 4], -2, 2), lambda: nn.init.uniform_(torch.empty(3, 4), -2, 2)),
                         (lambda: normal([5], 1.0, 3.0), lambda: nn.init.normal_(torch.empty(5), 1.0, 3.0)),
                         (lambda: kaiming_uniform([4, 3, 2, 2], 5 ** 0.5),
                          lambda: nn.init.kaiming_uniform_(torch.empty(4, 3, 2, 2), a=5 ** 0.5)),
                         (lambda: kaiming_normal([6, 2]), lambda: nn.init.kaiming_normal_(torch.empty(6, 2))),
                         (lambda: xavier_normal([2, 9]), lambda: nn.init.xavier_normal_(torch.empty(2, 9))),
                         (lambda: orthogonal([4, 4], 1.5), lambda: nn.init.orthogonal_(torch.empty(4, 4), 1.5)),
                         (lambda: zeros([2]), lambda: torch.zeros(2)), (lambda: ones([2, 1]), lambda: torch.ones(2, 1))]:
        tc.manual_seed(8)
        torch.manual_seed(8)
        close(ours(), theirs())
    assert xavier_uniform([2, 3], dtype=tc.float64).dtype == tc.float64


def test_init_method_errors_and_repr():
    assert repr(InitMethod.Uniform(-1, 1)) == "InitMethod.Uniform(-1, 1)"
    assert InitMethod.Zeros == InitMethod.Zeros and InitMethod.Zeros != InitMethod.Ones
    with pytest.raises(TorshError.InvalidArgument, match=r"InitMethod.Constant\(0.01\)"):
        InitMethod.Constant.initialize([2])
    with pytest.raises(ValueError, match="unknown kind"):
        InitMethod("Glorot")
