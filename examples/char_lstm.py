"""A character-level LSTM language model: Embedding, a two-layer LSTM and a Linear head, trained with
AdamW, gradient clipping and a cosine learning-rate schedule on random windows of a short text."""
import torch
import torch.nn as nn

torch.manual_seed(1)
text = "the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. " * 8
chars = sorted(set(text))
data = torch.tensor([chars.index(c) for c in text])


class CharLM(nn.Module):
    def __init__(self, vocab, embed=16, hidden=48):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, num_layers=2, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embed(x), state)
        return self.head(out), state


model = CharLM(len(chars))
opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.01)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=80)
loss_fn = nn.CrossEntropyLoss()
seq, batch = 24, 16
for step in range(81):
    starts = torch.randint(0, len(data) - seq - 1, (batch,))
    x = torch.stack([data[s:s + seq] for s in starts.tolist()])
    y = torch.stack([data[s + 1:s + seq + 1] for s in starts.tolist()])
    logits, _ = model(x)
    loss = loss_fn(logits.reshape(-1, len(chars)), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    if step % 10 == 0:
        print(f"step {step:3d}  loss {loss.item():.8g}")

model.eval()
with torch.no_grad():
    x, state, out = data[:1].view(1, 1), None, []
    for _ in range(40):
        logits, state = model(x, state)
        x = logits[:, -1].argmax(-1, keepdim=True)
        out.append(chars[x.item()])
print("sample:", "".join(out))
