"""Logistic regression on two noisy classes, binary cross-entropy written out.

The loss is BCE in its logit form, log(1 + e^z) - y z, which stays finite where
sigmoid(z) rounds to exactly 0 or 1 in float32 (and log(1 - p) would be -inf).
"""
import torch

torch.manual_seed(1)

n = 400
X = torch.randn(n, 2) * 1.5
w_true = torch.tensor([[1.5], [-2.0]])
y = ((X @ w_true + 0.5 + 0.8 * torch.randn(n, 1)) > 0).float()

w = torch.zeros(2, 1).requires_grad_()
b = torch.zeros(1).requires_grad_()
lr = 0.5

for step in range(201):
    z = X @ w + b
    loss = ((1 + z.exp()).log() - y * z).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if step % 20 == 0:
        acc = ((z > 0).float() == y).float().mean()
        print(f"step {step:3d}  loss {loss.item():.8g}  accuracy {acc.item():.4f}")
