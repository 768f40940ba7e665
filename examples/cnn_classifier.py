"""A small CNN on synthetic 12x12 images (a horizontal bar, a vertical bar, or a cross), trained with
Adam, a shuffling DataLoader and a StepLR schedule; halfway the run is checkpointed with torch.save,
and a fresh model, optimizer and scheduler resume from the file."""
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)


def make_data(n):
    x = torch.randn(n, 1, 12, 12) * 0.3
    labels = torch.randint(0, 3, (n,))
    rows = torch.randint(2, 10, (n,))
    for i in range(n):
        r = int(rows[i])
        if labels[i] != 1:
            x[i, 0, r, :] += 1.0
        if labels[i] != 0:
            x[i, 0, :, r] += 1.0
    return x, labels


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 3 * 3, 3)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc(torch.flatten(x, 1))


def build():
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    return model, opt, sched


train = DataLoader(TensorDataset(*make_data(384)), batch_size=32, shuffle=True)
test_x, test_y = make_data(128)
loss_fn = nn.CrossEntropyLoss()
model, opt, sched = build()
checkpoint = os.path.join(tempfile.mkdtemp(), "cnn.pt")
step = 0
for epoch in range(4):
    model.train()
    for x, y in train:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if step % 6 == 0:
            print(f"step {step:3d}  loss {loss.item():.8g}  lr {sched.get_last_lr()[0]:.4g}")
        step += 1
    sched.step()
    if epoch == 1:      # checkpoint, then resume into fresh objects
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}, checkpoint)
        model, opt, sched = build()
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
model.eval()
with torch.no_grad():
    accuracy = (model(test_x).argmax(1) == test_y).float().mean()
print(f"test accuracy {accuracy.item():.4f}")
