"""`python -m torsh_compat script.py [args...]`: run a PyTorch program on torsh_compat (run.py)."""
import sys

from .run import main

sys.exit(main(prog="python -m torsh_compat"))
