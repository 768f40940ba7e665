"""torch.backends.mkldnn: answered as torch's CPU build answers, though NumPy does the work."""
enabled = True
deterministic = False


def is_available():
    return True
