"""torch.optim: the optimizers (being written)."""
