"""Linear regression fit by hand-written gradient descent: plain tensors and autograd."""
import torch

torch.manual_seed(0)

# Synthetic data: y = X @ w_true + b_true + noise.
n, d = 256, 4
X = torch.randn(n, d)
w_true = torch.tensor([[2.0], [-3.0], [0.5], [1.0]])
y = X @ w_true + 0.7 + 0.1 * torch.randn(n, 1)

w = torch.zeros(d, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
lr = 0.05

for step in range(101):
    pred = X @ w + b
    loss = ((pred - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if step % 10 == 0:
        print(f"step {step:3d}  loss {loss.item():.8g}")

print(f"fitted bias {b.item():.4f} (true 0.7)")
