"""Guide, Quick Start Comparison: SimpleNet in the ToRSh face beside its PyTorch original."""
import pytest
import torch
import torch.nn as nn

import torsh_compat as tc
from torsh_compat.torsh_core.error import TorshError
from torsh_compat.torsh_nn import Linear, Module, ParameterCollection
from torsh_compat.torsh_nn.functional import relu
from torsh_compat.torsh_optim import Adam
from torsh_compat.torsh_tensor import Tensor

from _guide import close, copy_from_torch, data, grads_close, same_keys, same_init


class SimpleNet(Module):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.fc1 = Linear.new(input_dim, hidden_dim, True)
        self.fc2 = Linear.new(hidden_dim, output_dim, True)

    def forward(self, input: Tensor) -> Tensor:
        x = self.fc1.forward(input)
        x = relu(x)
        x = self.fc2.forward(x)
        return x

    def parameters(self) -> ParameterCollection:
        params = ParameterCollection.new()
        params.extend(self.fc1.parameters(), "fc1")
        params.extend(self.fc2.parameters(), "fc2")
        return params

    def train(self):
        pass

    def eval(self):
        pass

    def is_training(self):
        return True


class TorchSimpleNet(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, hidden_dim)
        self.fc2 = nn.Linear(hidden_dim, output_dim)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.fc1(x)
        x = self.relu(x)
        x = self.fc2(x)
        return x


def test_construction_keys_and_initialisation_equal_torch():
    torch.manual_seed(3)
    tc.manual_seed(3)
    theirs = TorchSimpleNet(784, 256, 10)
    model = SimpleNet.new(784, 256, 10)
    same_keys(model, theirs)
    same_init(model, theirs)       # the same random stream, the same layers in the same order
    assert isinstance(model, Module) and isinstance(model, tc.nn.Module)


def test_forward_and_gradients_equal_torch():
    model, theirs = SimpleNet.new(784, 256, 10), TorchSimpleNet(784, 256, 10)
    copy_from_torch(model, theirs)
    x, xt = data((16, 784))
    out, out_t = model.forward(x), theirs(xt)
    close(out, out_t)
    (out ** 2).mean().backward()
    (out_t ** 2).mean().backward()
    grads_close(model, theirs)


def test_parameters_are_the_live_layer_tensors():
    model = SimpleNet.new(8, 4, 2)
    params = model.parameters()
    assert params.get("fc1.weight") is model.fc1.weight
    assert params.get("fc2.bias") is model.fc2.bias
    assert params.get("missing") is None
    assert params.names() == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert len(list(params)) == params.len() == 4
    assert [p.shape for p in params] == [(4, 8), (4,), (2, 4), (2,)]


def test_extend_without_prefix_refuses_the_collision():
    # the guide writes params.extend(self.fc1.parameters()): both layers' "weight" would collide
    params = ParameterCollection()
    params.extend(Linear.new(3, 2, True).parameters())
    with pytest.raises(TorshError.InvalidArgument, match="already taken.*prefix"):
        params.extend(Linear.new(3, 2, True).parameters())


class Unregistered(Module):
    def __init__(self):
        super().__init__()
        self.linear = Linear.new(4, 2, True)

    def forward(self, input):
        return self.linear.forward(input)


def test_pitfall_2_unregistered_parameters_do_not_exist():
    model = Unregistered.new()
    assert list(model.parameters()) == [] and list(model.state_dict()) == []
    with pytest.raises(ValueError) as et:
        torch.optim.Adam([], lr=0.001)
    with pytest.raises(TorshError.InvalidArgument, match="Pitfall 2") as eo:
        Adam.new(model.parameters(), 0.001)
    assert isinstance(eo.value, type(et.value))
    assert "empty parameter list" in str(eo.value)


def test_pitfall_3_validate_shape_first():
    # the guide's pattern: check the rank, raise TorshError.InvalidArgument; catchable as ValueError
    def features(input):
        shape = input.shape().dims()
        if len(shape) != 2:
            raise TorshError.InvalidArgument("Expected 2D input")
        return shape[0], shape[1]

    assert features(tc.zeros(3, 5)) == (3, 5)
    with pytest.raises(ValueError, match="Expected 2D input"):
        features(tc.zeros(3))


def test_repr_modes_and_call():
    model, theirs = SimpleNet.new(6, 5, 3), TorchSimpleNet(6, 5, 3)
    # torch's layout over the layers held in attributes (the face model has no ReLU module)
    assert repr(model) == repr(theirs).replace("TorchSimpleNet", "SimpleNet").replace("\n  (relu): ReLU()", "")
    copy_from_torch(model, theirs)
    x, xt = data((2, 6))
    close(model(x), theirs(xt))        # calling goes through forward, with hooks, as nn.Module's
    seen = []
    model.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    model(x)
    assert seen == [(2, 3)]
    dropper = Unregistered.new()
    assert dropper.train(False) is dropper and not dropper.training and not dropper.linear.training
    assert dropper.train() is dropper and dropper.linear.training
