"""Guide, Save and Load Models: model.save/model.load in safetensors and save_model/load_model, keyed
like torch's state_dict, so a PyTorch checkpoint loads into the ToRSh-face model and back."""
import pytest
import safetensors.torch
import torch
import torch.nn as nn

import torsh_compat as tc
from torsh_compat.torsh_nn import BatchNorm2d, Conv2d, Linear, Module, ParameterCollection
from torsh_compat.torsh_nn.functional import relu
from torsh_compat.torsh_nn.serialization import load_model, save_model

from _guide import close, copy_from_torch, data, state_close


class Net(Module):
    def __init__(self, channels, classes):
        super().__init__()
        self.conv = Conv2d.new(3, channels, 3, 1, 1, 1, 1, False)
        self.bn = BatchNorm2d.new(channels, 1e-5, 0.1, True, True)
        self.fc = Linear.new(channels, classes, True)

    def forward(self, input):
        x = relu(self.bn.forward(self.conv.forward(input)))
        return self.fc.forward(x.mean([2, 3]))

    def parameters(self):
        params = ParameterCollection.new()
        params.extend(self.conv.parameters(), "conv")
        params.extend(self.bn.parameters(), "bn")
        params.extend(self.fc.parameters(), "fc")
        return params

    def save(self, path):      # a model's own method of the same name is not what save_model uses
        raise AssertionError("save_model must use the base Module.save")


class TorchNet(nn.Module):
    def __init__(self, channels, classes):
        super().__init__()
        self.conv = nn.Conv2d(3, channels, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).mean([2, 3]))


def _trained_torch_net():
    theirs = TorchNet(4, 3)
    theirs(torch.randn(5, 3, 6, 6))   # running statistics away from their initial values
    return theirs


def test_model_save_loads_into_pytorch(tmp_path):
    model, theirs = Net.new(4, 3), _trained_torch_net()
    copy_from_torch(model, theirs)
    path = str(tmp_path / "model.safetensors")
    Module.save(model, path)
    fresh = TorchNet(4, 3)
    fresh.load_state_dict(safetensors.torch.load_file(path))
    state_close(model, fresh)
    assert sorted(safetensors.torch.load_file(path)) == sorted(theirs.state_dict())


def test_pytorch_checkpoint_loads_into_the_face_model(tmp_path):
    theirs = _trained_torch_net()
    path = str(tmp_path / "model.safetensors")
    safetensors.torch.save_file(theirs.state_dict(), path)
    model = Net.new(4, 3)
    model.load(path)
    state_close(model, theirs)
    model.eval()
    theirs.eval()
    x, xt = data((2, 3, 6, 6))
    close(model.forward(x), theirs(xt))


def test_save_model_and_load_model(tmp_path):
    theirs = _trained_torch_net()
    model = Net.new(4, 3)
    copy_from_torch(model, theirs)
    path = str(tmp_path / "model.json")     # the guide's name; the content is safetensors
    save_model(model, path)
    loaded = load_model(Net, path, 4, 3)
    assert isinstance(loaded, Net)
    state_close(loaded, theirs)
    assert loaded.parameters().get("bn.num_batches_tracked").item() == 1


def test_state_dict_round_trip_through_torch_save(tmp_path):
    # the PyTorch original's torch.save(model.state_dict()) / load_state_dict(torch.load()) pair
    theirs = _trained_torch_net()
    model = Net.new(4, 3)
    copy_from_torch(model, theirs)
    path = str(tmp_path / "model.pth")
    tc.save(model.state_dict(), path)
    other = Net.new(4, 3)
    other.load_state_dict(tc.load(path))
    state_close(other, theirs)


def test_load_errors_name_the_keys():
    model = Net.new(4, 3)
    state = dict(model.state_dict())
    del state["fc.bias"]
    state["fc.extra"] = tc.zeros(1)
    with pytest.raises(RuntimeError, match=r'(?s)Missing key\(s\) in state_dict: "fc.bias".*Unexpected key\(s\) '
                                           r'in state_dict: "fc.extra"'):
        model.load_state_dict(state)
    state = dict(model.state_dict())
    state["conv.weight"] = tc.zeros(1, 2)
    with pytest.raises(RuntimeError, match=r"size mismatch for conv.weight"):
        model.load_state_dict(state)
