"""torch.backends.mkl: answered as torch's CPU build answers."""


def is_available():
    return True
