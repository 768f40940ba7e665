"""The support table in README.md and the op list in docs/ops.md are what the registry says
(regenerate with `python -m torsh_compat.ops.support --write`)."""
import os

from torsh_compat.ops import support

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_support_table_is_generated_from_the_registry():
    text = open(os.path.join(ROOT, "README.md")).read()
    assert support.readme_text(text) == text, "README.md's support table is stale: run " \
                                              "python -m torsh_compat.ops.support --write"


def test_ops_page_is_generated_from_the_registry():
    text = open(os.path.join(ROOT, "docs", "ops.md")).read()
    assert support.ops_page() == text, "docs/ops.md is stale: run python -m torsh_compat.ops.support --write"
