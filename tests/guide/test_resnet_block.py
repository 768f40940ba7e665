"""Guide, Complete Examples, Example 1: the ResNet BasicBlock in the ToRSh face beside PyTorch's —
with and without the downsample branch, in training mode (batch statistics, running statistics
updated) and eval mode, gradients of every parameter, and losses over several SGD steps."""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

import torsh_compat as tc
from torsh_compat.torsh_nn import BatchNorm2d, Conv2d, Module, ParameterCollection, Sequential
from torsh_compat.torsh_nn.functional import relu
from torsh_compat.torsh_optim import SGD

from _guide import close, copy_from_torch, data, grads_close, same_init, same_keys, state_close


class BasicBlock(Module):
    def __init__(self, in_channels, out_channels, stride):
        super().__init__()
        self.conv1 = Conv2d.new(in_channels, out_channels, 3, stride, 1, 1, 1, False)
        self.bn1 = BatchNorm2d.new(out_channels, 1e-5, 0.1, True, True)
        self.conv2 = Conv2d.new(out_channels, out_channels, 3, 1, 1, 1, 1, False)
        self.bn2 = BatchNorm2d.new(out_channels, 1e-5, 0.1, True, True)
        if stride != 1 or in_channels != out_channels:
            seq = Sequential.new()
            seq.add_module("0", Conv2d.new(in_channels, out_channels, 1, stride, 0, 1, 1, False))
            seq.add_module("1", BatchNorm2d.new(out_channels, 1e-5, 0.1, True, True))
            self.downsample = seq
        else:
            self.downsample = None

    def forward(self, input):
        identity = input.clone()
        out = self.conv1.forward(input)
        out = self.bn1.forward(out)
        out = relu(out)
        out = self.conv2.forward(out)
        out = self.bn2.forward(out)
        residual = self.downsample.forward(identity) if self.downsample is not None else identity
        out = out.add(residual)
        out = relu(out)
        return out

    def parameters(self):
        params = ParameterCollection.new()
        params.extend(self.conv1.parameters(), "conv1")
        params.extend(self.bn1.parameters(), "bn1")
        params.extend(self.conv2.parameters(), "conv2")
        params.extend(self.bn2.parameters(), "bn2")
        if self.downsample is not None:
            params.extend(self.downsample.parameters(), "downsample")
        return params

    def train(self):
        self.bn1.train()
        self.bn2.train()
        if self.downsample is not None:
            self.downsample.train()

    def eval(self):
        self.bn1.eval()
        self.bn2.eval()
        if self.downsample is not None:
            self.downsample.eval()

    def is_training(self):
        return self.bn1.is_training()


class TorchBasicBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.downsample = None
        if stride != 1 or in_channels != out_channels:
            self.downsample = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm2d(out_channels)
            )

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = F.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = F.relu(out)
        return out


@pytest.mark.parametrize("cin, cout, stride", [(4, 4, 1), (4, 8, 2), (3, 6, 1)])
def test_basic_block_equals_torch(cin, cout, stride):
    torch.manual_seed(21)
    tc.manual_seed(21)
    block, theirs = BasicBlock.new(cin, cout, stride), TorchBasicBlock(cin, cout, stride)
    same_keys(block, theirs)
    same_init(block, theirs)
    for step in range(3):
        x, xt = data((2, cin, 8, 8), step)
        x.requires_grad_(True)
        xt.requires_grad_(True)
        out, out_t = block.forward(x), theirs(xt)
        close(out, out_t)
        out.pow(2).mean().backward()
        out_t.pow(2).mean().backward()
        close(x.grad, xt.grad)
        grads_close(block, theirs)
    state_close(block, theirs)       # running statistics and num_batches_tracked after three batches
    block.eval()
    theirs.eval()
    assert not block.is_training()
    x, xt = data((2, cin, 8, 8), 9)
    close(block.forward(x), theirs(xt))


def test_basic_block_training_steps():
    block, theirs = BasicBlock.new(4, 8, 2), TorchBasicBlock(4, 8, 2)
    copy_from_torch(block, theirs)
    optimizer = SGD.new(block.parameters(), 0.05, 0.9, 0.0, 1e-4)
    opt_t = optim.SGD(theirs.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    target, target_t = data((4, 8, 4, 4), 50)
    losses, losses_t = [], []
    for step in range(4):
        x, xt = data((4, 4, 8, 8), 60 + step)
        loss = (block.forward(x) - target).pow(2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        opt_t.zero_grad()
        loss_t = (theirs(xt) - target_t).pow(2).mean()
        loss_t.backward()
        opt_t.step()
        losses.append(loss.item())
        losses_t.append(loss_t.item())
    np.testing.assert_allclose(losses, losses_t, rtol=1.3e-6)
    state_close(block, theirs)


def test_block_inside_a_torch_parent():
    # a torch nn.Module holding face blocks sees their explicit parameters and buffers
    class Stage(tc.nn.Module):
        def __init__(self):
            super().__init__()
            self.block1 = BasicBlock.new(3, 4, 2)
            self.block2 = BasicBlock.new(4, 4, 1)

    class TorchStage(nn.Module):
        def __init__(self):
            super().__init__()
            self.block1 = TorchBasicBlock(3, 4, 2)
            self.block2 = TorchBasicBlock(4, 4, 1)

    stage, theirs = Stage(), TorchStage()
    assert list(stage.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in stage.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in stage.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert len(list(stage.parameters())) == len(list(theirs.parameters()))
    stage.load_state_dict({k: tc.from_numpy(v.numpy().copy()) for k, v in theirs.state_dict().items()})
    state_close(stage, theirs)
    stage.eval()
    assert not stage.block1.is_training() and not stage.block2.bn2.training
    stage.train()
    assert stage.block1.downsample[1].training
    stage.double()
    assert stage.block1.conv1.weight.dtype == tc.float64
    assert stage.block1.bn1.running_mean.dtype == tc.float64
