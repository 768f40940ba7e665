"""Guide, Common Patterns: Sequential.new + add_module, and ModuleList / ModuleDict as a Python list
and dict of layers listed in parameters(), beside nn.Sequential / nn.ModuleList / nn.ModuleDict."""
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

import torsh_compat as tc
from torsh_compat.torsh_nn import Conv2d, Dropout, Linear, Module, ParameterCollection, ReLU, Sequential
from torsh_compat.torsh_nn.functional import mse_loss
from torsh_compat.torsh_optim import SGD

from _guide import close, copy_from_torch, data, grads_close, same_init, same_keys, state_close


def _guide_sequential():
    model = Sequential.new()
    model.add_module("fc1", Linear.new(784, 256, True))
    model.add_module("relu1", ReLU.new())
    model.add_module("dropout", Dropout.new(0.5))
    model.add_module("fc2", Linear.new(256, 128, True))
    model.add_module("relu2", ReLU.new())
    model.add_module("fc3", Linear.new(128, 10, True))
    return model


def _torch_sequential(names):
    layers = [nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 128), nn.ReLU(),
              nn.Linear(128, 10)]
    return nn.Sequential(OrderedDict(zip(names, layers)))


def test_guide_sequential_equals_torch():
    torch.manual_seed(1)
    tc.manual_seed(1)
    model = _guide_sequential()
    theirs = _torch_sequential(["fc1", "relu1", "dropout", "fc2", "relu2", "fc3"])
    same_keys(model, theirs)
    same_init(model, theirs)
    assert repr(model).replace("torsh_compat", "torch") == repr(theirs)
    x, xt = data((4, 784))
    tc.manual_seed(2)
    torch.manual_seed(2)
    out, out_t = model.forward(x), theirs(xt)
    close(out, out_t)
    out.sum().backward()
    out_t.sum().backward()
    grads_close(model, theirs)
    model.eval()
    theirs.eval()
    close(model.forward(x), theirs(xt))


def test_migrated_sequential_keeps_torchs_numbered_keys():
    # nn.Sequential(a, b, ...) migrates to add_module("0", a), add_module("1", b), ...
    model = Sequential.new()
    for i, layer in enumerate([Linear.new(784, 256, True), ReLU.new(), Dropout.new(0.5),
                               Linear.new(256, 128, True), ReLU.new(), Linear.new(128, 10, True)]):
        model.add_module(str(i), layer)
    theirs = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 128), nn.ReLU(),
                           nn.Linear(128, 10))
    same_keys(model, theirs)
    copy_from_torch(model, theirs)
    model.eval()
    theirs.eval()
    x, xt = data((3, 784), 4)
    close(model.forward(x), theirs(xt))


class ListModel(Module):
    def __init__(self):
        super().__init__()
        self.layers = [Linear.new(128, 128, True) for _ in range(5)]

    def forward(self, input):
        x = input.clone()
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def parameters(self):
        params = ParameterCollection.new()
        for i, layer in enumerate(self.layers):
            params.extend(layer.parameters(), f"layers.{i}")
        return params


class TorchListModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(128, 128) for _ in range(5)])

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


def test_module_list_as_a_list_trains_as_torch():
    torch.manual_seed(7)
    tc.manual_seed(7)
    model, theirs = ListModel.new(), TorchListModel()
    same_keys(model, theirs)
    same_init(model, theirs)
    optimizer, opt_t = SGD.new(model.parameters(), 0.01, 0.9), optim.SGD(theirs.parameters(), lr=0.01, momentum=0.9)
    for step in range(3):
        (x, xt), (y, yt) = data((6, 128), step), data((6, 128), 10 + step)
        loss = mse_loss(model.forward(x), y, "mean")
        loss.backward()
        loss_t = nn.functional.mse_loss(theirs(xt), yt)
        loss_t.backward()
        grads_close(model, theirs)
        close(loss, loss_t)
        optimizer.step()
        optimizer.zero_grad()
        opt_t.step()
        opt_t.zero_grad()
    state_close(model, theirs)


class DictModel(Module):
    def __init__(self):
        super().__init__()
        self.layers = {"linear": Linear.new(12, 256, True), "conv": Conv2d.new(3, 64, 3)}

    def forward(self, input):
        image, features = input
        return self.layers["conv"].forward(image).mean() + self.layers["linear"].forward(features).mean()

    def parameters(self):
        params = ParameterCollection.new()
        for name, layer in self.layers.items():
            params.extend(layer.parameters(), f"layers.{name}")
        return params


class TorchDictModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleDict({"linear": nn.Linear(12, 256), "conv": nn.Conv2d(3, 64, 3)})

    def forward(self, image, features):
        return self.layers["conv"](image).mean() + self.layers["linear"](features).mean()


def test_module_dict_as_a_dict():
    model, theirs = DictModel.new(), TorchDictModel()
    same_keys(model, theirs)
    copy_from_torch(model, theirs)
    (img, img_t), (f, ft) = data((2, 3, 6, 6)), data((2, 12), 1)
    out, out_t = model.forward((img, f)), theirs(img_t, ft)
    close(out, out_t)
    out.backward()
    out_t.backward()
    grads_close(model, theirs)
    assert np.array_equal(model.parameters().get("layers.conv.weight").detach().numpy(),
                          theirs.layers.conv.weight.detach().numpy())
