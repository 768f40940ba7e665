"""The benchmarks. Adding one is one function or one row.

A timed benchmark is a function decorated with @timed(target=...): it receives the library
(torsh_compat or torch, imported as `torch`), does its setup, and returns a zero-argument step that
the child process times. An import benchmark is a row naming the attributes to touch after import.
"""
import numpy as np

BENCHMARKS = {}


class Bench:
    def __init__(self, name, kind, target, fn=None, touch=()):
        self.name, self.kind, self.target, self.fn, self.touch = name, kind, target, fn, touch

    def target_text(self):
        return f"<={self.target:.2f}x" if self.kind == "timed" else f"<={self.target * 1e3:.0f}ms"


def timed(target):
    """Register a timed benchmark; target is the highest acceptable torsh/torch time ratio."""
    def register(fn):
        BENCHMARKS[fn.__name__] = Bench(fn.__name__, "timed", target, fn=fn)
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


import_bench("import", target_s=0.150)
import_bench("import+nn", target_s=0.150,
             touch=("nn.Linear", "optim.SGD", "utils.data.DataLoader"))
