"""Guide, Training Loop Migration: the basic training loop (Adam, cross_entropy) and the evaluation
loop in the ToRSh face, step for step beside PyTorch's, with the optimizers of torsh_optim."""
import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.optim as optim

import torsh_compat as tc
from torsh_compat.torsh_nn import Dropout, Linear, Module, ParameterCollection
from torsh_compat.torsh_nn.functional import cross_entropy, relu
from torsh_compat.torsh_optim import SGD, Adam, AdamW, RMSprop
from torsh_compat.torsh_optim.lr_scheduler import StepLR

from _guide import close, copy_from_torch, data, grads_close, labels, state_close


class MyModel(Module):
    def __init__(self):
        super().__init__()
        self.fc1 = Linear.new(20, 32, True)
        self.dropout = Dropout.new(0.5)
        self.fc2 = Linear.new(32, 5, True)

    def forward(self, input):
        x = relu(self.fc1.forward(input))
        x = self.dropout.forward(x)
        return self.fc2.forward(x)

    def parameters(self):
        params = ParameterCollection.new()
        params.extend(self.fc1.parameters(), "fc1")
        params.extend(self.fc2.parameters(), "fc2")
        return params


class TorchModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.dropout = nn.Dropout(0.5)
        self.fc2 = nn.Linear(32, 5)

    def forward(self, x):
        return self.fc2(self.dropout(torch.relu(self.fc1(x))))


def _loader(n_batches, seed):
    return [(data((8, 20), seed + i), labels(8, 5, seed + 100 + i)) for i in range(n_batches)]


def test_training_loop_equals_torch():
    model, theirs = MyModel.new(), TorchModel()
    copy_from_torch(model, theirs)
    optimizer = Adam.new(model.parameters(), 0.001)
    criterion = nn.CrossEntropyLoss()
    opt_t = optim.Adam(theirs.parameters(), lr=0.001)
    model.train()
    theirs.train()
    losses, losses_t = [], []
    for epoch in range(2):
        for batch_idx, ((x, xt), (y, yt)) in enumerate(_loader(3, 10 * epoch)):
            tc.manual_seed(100 + batch_idx)      # the same dropout masks on both sides
            torch.manual_seed(100 + batch_idx)
            output = model.forward(x)
            loss = cross_entropy(output, y, None, "mean")
            loss.backward()
            opt_t.zero_grad()
            loss_t = criterion(theirs(xt), yt)
            loss_t.backward()
            grads_close(model, theirs)
            optimizer.step()
            optimizer.zero_grad()
            opt_t.step()
            losses.append(loss.item())
            losses_t.append(loss_t.item())
            assert isinstance(loss.item(), float)
    np.testing.assert_allclose(losses, losses_t, rtol=1.3e-6, atol=1e-6)
    state_close(model, theirs)
    assert all(p.grad is None for p in model.parameters())


def test_evaluation_loop_equals_torch():
    model, theirs = MyModel.new(), TorchModel()
    copy_from_torch(model, theirs)
    model.eval()
    theirs.eval()
    assert not model.is_training() and not model.dropout.is_training()
    correct, total, correct_t, total_t = 0, 0, 0, 0
    for (x, xt), (y, yt) in _loader(4, 50):
        output = model.forward(x)
        pred = output.argmax(1, False)
        matches = pred.eq(y)
        correct += matches.sum().item()
        total += y.numel()
        with torch.no_grad():
            pred_t = theirs(xt).argmax(dim=1)
            correct_t += pred_t.eq(yt).sum().item()
            total_t += yt.size(0)
        close(output, theirs(xt))
    assert isinstance(correct, int) and (correct, total) == (correct_t, total_t)
    assert 100.0 * correct / total == 100.0 * correct_t / total_t


@pytest.mark.parametrize("face, theirs_cls, args, kwargs", [
    (SGD, optim.SGD, (0.1, 0.9), dict(lr=0.1, momentum=0.9)),
    (SGD, optim.SGD, (0.1, 0.9, 0.0, 1e-4, True), dict(lr=0.1, momentum=0.9, weight_decay=1e-4, nesterov=True)),
    (Adam, optim.Adam, (0.01, (0.8, 0.99)), dict(lr=0.01, betas=(0.8, 0.99))),
    (AdamW, optim.AdamW, (0.01, (0.9, 0.999), 1e-8, 0.05), dict(lr=0.01, weight_decay=0.05)),
    (RMSprop, optim.RMSprop, (0.01, 0.9), dict(lr=0.01, alpha=0.9)),
])
def test_optimizers_and_scheduler_in_torch_order(face, theirs_cls, args, kwargs):
    model, theirs = MyModel.new(), TorchModel()
    copy_from_torch(model, theirs)
    model.eval()        # no dropout: the optimizer alone is under test
    theirs.eval()
    optimizer, opt_t = face.new(model.parameters(), *args), theirs_cls(theirs.parameters(), **kwargs)
    sched, sched_t = StepLR.new(optimizer, 2, 0.5), optim.lr_scheduler.StepLR(opt_t, 2, 0.5)
    assert isinstance(optimizer, tc.optim.Optimizer) and type(optimizer).__name__ == theirs_cls.__name__
    for (x, xt), (y, yt) in _loader(5, 7):
        loss = cross_entropy(model.forward(x), y, None, "mean")
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        sched.step()
        loss_t = nn.functional.cross_entropy(theirs(xt), yt)
        opt_t.zero_grad()
        loss_t.backward()
        opt_t.step()
        sched_t.step()
        close(loss, loss_t)
        assert sched.get_last_lr() == pytest.approx(sched_t.get_last_lr())
    state_close(model, theirs)


def test_cross_entropy_literal_signature():
    (x, xt), (y, yt) = data((6, 4), 3), labels(6, 4, 4)
    w, wt = data((4,), 5)
    w, wt = w.abs(), wt.abs()
    y[0], yt[0] = 2, 2
    close(cross_entropy(x, y, w, "sum", 2, 0.1),
          nn.functional.cross_entropy(xt, yt, wt, reduction="sum", ignore_index=2, label_smoothing=0.1))
    close(cross_entropy(x, y, None, "none"), nn.functional.cross_entropy(xt, yt, reduction="none"))
