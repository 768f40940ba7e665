"""Command line of torsh-migrate. A placeholder until the codemod lands: it says so and exits 2.

It must stay importable without libcst, so `--help` and this message work on any install.
"""
import argparse
import sys

NOT_YET = """\
torsh-migrate is not implemented yet. It will rewrite PyTorch source files into the ToRSh face of
torsh_compat (torsh_nn, torsh_optim, torsh_tensor, ... as fixed by TORSH_STYLE.md), with a report of
every change and of every construct that needs a person, and a `compat` mode that only points
`import torch` at torsh_compat. Until then, run an unmodified PyTorch program on torsh_compat with
`torsh-run script.py` (or `python -m torsh_compat script.py`).
"""


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="torsh-migrate",
        description="Rewrite PyTorch source into torsh_compat's ToRSh face (not implemented yet).",
        epilog=NOT_YET, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="files or directories to migrate")
    parser.parse_known_args(argv)
    sys.stderr.write(NOT_YET)
    return 2
