"""torsh-parity: numerical parity of torsh_compat against real PyTorch (being written).

Op by op over the registry (torsh_compat.ops.REGISTRY and its samples) and model by model.
"""
