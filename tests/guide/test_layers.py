"""Guide, Layer-by-Layer Migration: each layer section in the ToRSh face beside its PyTorch form —
Linear, Conv2d, BatchNorm2d, LayerNorm, the functional activations, a module with Dropout, the
pooling layers and the recurrent layers with forward_with_state."""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import torsh_compat as tc
from torsh_compat.torsh_nn import (GRU, LSTM, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, BatchNorm2d,
                                   Conv2d, Dropout, LayerNorm, Linear, MaxPool2d, Module, ParameterCollection,
                                   ReLU)
from torsh_compat.torsh_nn.functional import dropout, gelu, log_softmax, relu, sigmoid, softmax

from _nn import backward_both
from _guide import close, copy_from_torch, data, grads_close


def _check_layer(layer, theirs, shape, seed=0):
    """Same weights, same input: output, input gradient and every parameter's gradient."""
    assert list(layer.state_dict()) == list(theirs.state_dict())
    copy_from_torch(layer, theirs)
    x, xt = data(shape, seed)
    x.requires_grad_(True)
    xt.requires_grad_(True)
    out, out_t = layer.forward(x), theirs(xt)
    close(out, out_t)
    backward_both(out, out_t)
    close(x.grad, xt.grad)
    grads_close(layer, theirs)


def test_linear():
    linear = Linear.new(128, 64, True)
    _check_layer(linear, nn.Linear(in_features=128, out_features=64, bias=True), (4, 128))
    params = linear.parameters()
    assert params.get("weight") is linear.weight and params.get("bias") is linear.bias
    assert Linear.new(8, 4, False).parameters().get("bias") is None


def test_conv2d():
    conv = Conv2d.new(3, 64, 3, 1, 1, 1, 1, True)
    theirs = nn.Conv2d(in_channels=3, out_channels=64, kernel_size=3, stride=1, padding=1, bias=True)
    assert repr(conv) == repr(theirs)
    _check_layer(conv, theirs, (2, 3, 8, 8))


def test_conv2d_all_arguments_in_order():
    conv = Conv2d.new(4, 6, 3, 2, 2, 2, 2, False)
    theirs = nn.Conv2d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2, bias=False)
    assert repr(conv) == repr(theirs)
    _check_layer(conv, theirs, (2, 4, 9, 9))


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm2d(training):
    bn = BatchNorm2d.new(64, 1e-5, 0.1, True, True)
    theirs = nn.BatchNorm2d(num_features=64, eps=1e-5, momentum=0.1)
    theirs.running_mean.uniform_(-1, 1)      # non-trivial statistics, copied to the face layer
    theirs.running_var.uniform_(0.5, 2)
    if not training:
        bn.eval()
        theirs.eval()
    assert bn.is_training() == training
    _check_layer(bn, theirs, (4, 64, 3, 3))
    names = [k for k, _ in bn.parameters().buffers()]
    assert names == ["running_mean", "running_var", "num_batches_tracked"]
    for k, t in theirs.state_dict().items():    # running statistics updated as torch's
        close(bn.state_dict()[k], t)


def test_layernorm():
    ln = LayerNorm.new([256], 1e-5)
    _check_layer(ln, nn.LayerNorm(normalized_shape=[256], eps=1e-5), (3, 5, 256))
    ln = LayerNorm.new([4, 6], 1e-3, False)
    assert list(ln.parameters()) == []
    _check_layer(ln, nn.LayerNorm([4, 6], eps=1e-3, elementwise_affine=False), (2, 4, 6))


def test_functional_activations():
    x, xt = data((4, 6))
    close(relu(x), F.relu(xt))
    close(gelu(x), F.gelu(xt))
    close(sigmoid(x), F.sigmoid(xt))
    close(softmax(x, 1), F.softmax(xt, dim=1))
    close(log_softmax(x, 0), F.log_softmax(xt, dim=0))
    close(softmax(x, 1, tc.float64), F.softmax(xt, dim=1, dtype=torch.float64))
    tc.manual_seed(5)
    torch.manual_seed(5)
    close(dropout(x, 0.5, True), F.dropout(xt, p=0.5, training=True))
    close(dropout(x, 0.5, False), F.dropout(xt, p=0.5, training=False))


class MyModel(Module):
    def __init__(self):
        super().__init__()
        self.dropout = Dropout.new(0.5)

    def forward(self, input):
        x = relu(input)
        x = self.dropout.forward(x)
        return x


class TorchMyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(0.5)

    def forward(self, x):
        return self.dropout(self.relu(x))


def test_module_with_dropout_follows_the_modes():
    model, theirs = MyModel.new(), TorchMyModel()
    x, xt = data((8, 10))
    tc.manual_seed(9)
    torch.manual_seed(9)
    close(model.forward(x), theirs(xt))
    model.eval()
    theirs.eval()
    assert not model.dropout.training
    close(model.forward(x), theirs(xt))
    model.train()
    assert model.is_training() and model.dropout.is_training()
    assert isinstance(ReLU.new(), tc.nn.Module) and repr(ReLU.new()) == "ReLU()"


def test_pooling():
    for layer, theirs in [(MaxPool2d.new(2, 2, 0), nn.MaxPool2d(kernel_size=2, stride=2, padding=0)),
                          (AvgPool2d.new(2, 2, 0), nn.AvgPool2d(kernel_size=2, stride=2, padding=0)),
                          (MaxPool2d.new(3, 2, 1), nn.MaxPool2d(3, 2, 1)),
                          (AdaptiveAvgPool2d.new(1, 1), nn.AdaptiveAvgPool2d((1, 1))),
                          (AdaptiveAvgPool2d.new(2, 3), nn.AdaptiveAvgPool2d((2, 3))),
                          (AdaptiveMaxPool2d.new(3, 2), nn.AdaptiveMaxPool2d((3, 2)))]:
        assert repr(layer) == repr(theirs)
        _check_layer(layer, theirs, (2, 3, 7, 6))


def test_lstm_forward_with_state():
    lstm = LSTM.new(12, 16, 2, True, 0.0, True)
    theirs = nn.LSTM(input_size=12, hidden_size=16, num_layers=2, batch_first=True)
    assert repr(lstm) == repr(theirs)
    assert list(lstm.state_dict()) == list(theirs.state_dict())
    copy_from_torch(lstm, theirs)
    x, xt = data((3, 5, 12))
    h0, h0t = data((2, 3, 16), 1)
    c0, c0t = data((2, 3, 16), 2)
    output, (h_n, c_n) = lstm.forward_with_state(x, (h0, c0))
    output_t, (h_nt, c_nt) = theirs(xt, (h0t, c0t))
    for a, b in [(output, output_t), (h_n, h_nt), (c_n, c_nt)]:
        close(a, b)
    (output.sum() + h_n.pow(2).sum() + c_n.sum()).backward()
    (output_t.sum() + h_nt.pow(2).sum() + c_nt.sum()).backward()
    grads_close(lstm, theirs)
    out2, _ = lstm.forward(x)      # PyTorch's tuple from forward too (zero state)
    close(out2, theirs(xt)[0])


def test_lstm_new_order_dropout_before_batch_first():
    lstm = LSTM.new(4, 5, 2, False, 0.25, True, True, 3)
    theirs = nn.LSTM(4, 5, 2, bias=False, batch_first=True, dropout=0.25, bidirectional=True, proj_size=3)
    assert repr(lstm) == repr(theirs)
    assert list(lstm.state_dict()) == list(theirs.state_dict())


def test_gru_forward_with_state():
    gru = GRU.new(12, 16, 2, True, 0.0, True)
    theirs = nn.GRU(input_size=12, hidden_size=16, num_layers=2, batch_first=True)
    assert repr(gru) == repr(theirs)
    copy_from_torch(gru, theirs)
    x, xt = data((3, 5, 12))
    h0, h0t = data((2, 3, 16), 1)
    output, h_n = gru.forward_with_state(x, h0)
    output_t, h_nt = theirs(xt, h0t)
    close(output, output_t)
    close(h_n, h_nt)
    (output.sum() + h_n.pow(2).sum()).backward()
    (output_t.sum() + h_nt.pow(2).sum()).backward()
    grads_close(gru, theirs)


def test_layers_serve_both_faces():
    # a built-in layer is torch's own class: registered by a torch parent, listed by a face parent
    assert Linear is tc.nn.Linear and Conv2d is tc.nn.Conv2d and BatchNorm2d is tc.nn.BatchNorm2d
    assert isinstance(LSTM.new(2, 3), tc.nn.LSTM)
    coll = ParameterCollection.new()
    coll.extend(BatchNorm2d.new(3, 1e-5, 0.1, True, True).parameters(), "bn")
    assert coll.names() == ["bn.weight", "bn.bias"]
    assert list(coll.state_dict()) == ["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                                       "bn.num_batches_tracked"]
