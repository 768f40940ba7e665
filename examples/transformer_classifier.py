"""A small Transformer encoder that learns whether a sequence of digits is sorted: token and
position embeddings, two TransformerEncoderLayers (pre-norm, GELU), mean pooling and a Linear
head, trained with SGD with momentum and a OneCycle schedule."""
import torch
import torch.nn as nn

torch.manual_seed(3)
seq, vocab = 8, 10


def make_batch(n):
    x = torch.randint(0, vocab, (n, seq))
    sorted_half = torch.rand(n) < 0.5
    x[sorted_half] = x[sorted_half].sort(dim=1).values
    y = (x[:, 1:] >= x[:, :-1]).all(dim=1).long()
    return x, y


class Classifier(nn.Module):
    def __init__(self, d_model=32):
        super().__init__()
        self.tok = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.randn(1, seq, d_model) * 0.1)
        layer = nn.TransformerEncoderLayer(d_model, nhead=4, dim_feedforward=64, dropout=0.0,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, 2)

    def forward(self, x):
        h = self.encoder(self.tok(x) + self.pos)
        return self.head(h.mean(dim=1))


model = Classifier()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
steps = 120
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.3, total_steps=steps)
loss_fn = nn.CrossEntropyLoss()
for step in range(steps):
    x, y = make_batch(64)
    loss = loss_fn(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 10 == 0:
        print(f"step {step:3d}  loss {loss.item():.8g}")
x, y = make_batch(256)
model.eval()
with torch.no_grad():
    print(f"accuracy {(model(x).argmax(1) == y).float().mean().item():.4f}")
