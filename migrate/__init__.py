"""torsh-migrate: a libcst codemod from PyTorch source to torsh_compat's ToRSh face (being written).

See docs/ARCHITECTURE.md and shared/TORSH_STYLE.md for the contract the rewrite follows.
"""
