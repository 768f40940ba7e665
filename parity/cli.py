"""Command line of torsh-parity. A placeholder until the parity suite lands: it says so and exits 2.

It imports neither torch nor torsh_compat, so `--help` and this message work on any install.
"""
import argparse
import sys

NOT_YET = """\
torsh-parity is not implemented yet. It will run every op in torsh_compat's registry on its sample
inputs, and whole models layer by layer, forward and backward, under both torsh_compat and real
PyTorch with the same inputs and weights, and report the differences against torch's tolerances as
terminal, Markdown, JSON or HTML reports. Until then, `python -m pytest tests` compares ops against
torch, and `python examples/run_demo.py` compares whole training runs.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="torsh-parity",
        description="Compare torsh_compat against real PyTorch (not implemented yet).",
        epilog=NOT_YET, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="ops or model scripts to compare")
    parser.parse_known_args(argv)
    sys.stderr.write(NOT_YET)
    return 2
