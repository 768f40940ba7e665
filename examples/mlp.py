"""A two-layer MLP written with raw tensors: relu via clamp, softmax cross-entropy spelled out.

Three classes of points by their distance from the origin (a disc and two rings), which no
linear model separates.
"""
import torch

torch.manual_seed(2)

n, hidden, classes = 600, 32, 3
X = torch.randn(n, 2)
r2 = (X * X) @ torch.ones(2, 1)                       # squared radius, shape (n, 1)
lo = torch.tensor([[0.0, 0.6, 1.8]])
hi = torch.tensor([[0.6, 1.8, 1e9]])
Y = (r2 >= lo).float() * (r2 < hi).float()            # one-hot targets, shape (n, 3)
labels = Y.argmax(dim=1)

W1 = (torch.randn(2, hidden) * 0.8).requires_grad_()
b1 = torch.zeros(hidden, requires_grad=True)
W2 = (torch.randn(hidden, classes) * 0.3).requires_grad_()
b2 = torch.zeros(classes, requires_grad=True)
params = [W1, b1, W2, b2]
lr = 0.5

for step in range(301):
    h = (X @ W1 + b1).clamp(min=0)
    logits = h @ W2 + b2
    log_z = logits.exp().sum(dim=1, keepdim=True).log()
    loss = (log_z - (Y * logits).sum(dim=1, keepdim=True)).mean()
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
    if step % 30 == 0:
        acc = (logits.argmax(dim=1) == labels).float().mean()
        print(f"step {step:3d}  loss {loss.item():.8g}  accuracy {acc.item():.4f}")
