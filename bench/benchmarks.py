"""The benchmarks. Adding one is one function or one row.

A timed benchmark is a function decorated with @timed(target=...): it receives the library
(torsh_compat or torch, imported as `torch`), does its setup, and returns a zero-argument step that
the child process times. An import benchmark is a row naming the attributes to touch after import.
"""
import numpy as np

BENCHMARKS = {}


class Bench:
    def __init__(self, name, kind, target, fn=None, touch=(), sides=("torsh_compat", "torch")):
        self.name, self.kind, self.target, self.fn, self.touch = name, kind, target, fn, touch
        self.sides = sides      # the modules the two sides import; the ratio is first / second

    def target_text(self):
        return f"<={self.target:.2f}x" if self.kind == "timed" else f"<={self.target * 1e3:.0f}ms"


def timed(target, sides=("torsh_compat", "torch")):
    """Register a timed benchmark; target is the highest acceptable time ratio of its two sides
    (by default torsh_compat / torch). fn receives the side's imported module."""
    def register(fn):
        BENCHMARKS[fn.__name__] = Bench(fn.__name__, "timed", target, fn=fn, sides=sides)
        return fn
    return register


def import_bench(name, target_s, touch=()):
    """Register an import benchmark; target is torsh_compat's absolute import time in seconds."""
    BENCHMARKS[name] = Bench(name, "import", target_s, touch=touch)


def _leaf(torch, arr):
    return torch.from_numpy(arr).requires_grad_()


@timed(target=0.8)
def chain(torch):
    """Per-op overhead: 100 tiny pointwise steps on 32 floats, forward and backward."""
    x = _leaf(torch, np.linspace(-1, 1, 32, dtype=np.float32))

    def step():
        y = x
        for _ in range(100):
            y = torch.tanh(y * 1.0001 + 0.001)
        y.sum().backward()
    return step


@timed(target=1.05)
def matmul(torch):
    """BLAS-bound: 1024x1024 float32 product, forward and backward."""
    rng = np.random.default_rng(0)
    a = _leaf(torch, rng.standard_normal((1024, 1024), dtype=np.float32))
    b = _leaf(torch, rng.standard_normal((1024, 1024), dtype=np.float32))

    def step():
        a.grad = b.grad = None  # as optimizer.zero_grad() does in a training loop
        (a @ b).sum().backward()
    return step


@timed(target=1.05, sides=("torsh_compat.torsh_nn", "torsh_compat"))
def mlp_face(lib):
    """The ToRSh face's overhead: one MLP training step (784-256-10, batch 64, Adam) written in the
    face (explicit parameters, Linear.new, functional cross_entropy) against the same step in the
    torch face, both on torsh_compat."""
    import torsh_compat as torch
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.standard_normal((64, 784), dtype=np.float32))
    y = torch.from_numpy(rng.integers(0, 10, 64))
    if lib.__name__.endswith("torsh_nn"):
        from torsh_compat.torsh_nn import Linear, Module, ParameterCollection
        from torsh_compat.torsh_nn.functional import cross_entropy, relu
        from torsh_compat.torsh_optim import Adam

        class MLP(Module):
            def __init__(self):
                super().__init__()
                self.fc1, self.fc2 = Linear.new(784, 256, True), Linear.new(256, 10, True)

            def forward(self, input):
                return self.fc2.forward(relu(self.fc1.forward(input)))

            def parameters(self):
                params = ParameterCollection.new()
                params.extend(self.fc1.parameters(), "fc1")
                params.extend(self.fc2.parameters(), "fc2")
                return params
        model = MLP.new()
        opt = Adam.new(model.parameters(), 0.001)

        def step():
            loss = cross_entropy(model.forward(x), y, None, "mean")
            loss.backward()
            opt.step()
            opt.zero_grad()
        return step
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


import_bench("import", target_s=0.150)
import_bench("import+nn", target_s=0.150,
             touch=("nn.Linear", "optim.SGD", "utils.data.DataLoader"))
