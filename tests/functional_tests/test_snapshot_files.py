"""Every stored snapshot belongs to a snapshot test that still exists.

Run in one process, syrupy fails the session on a snapshot no test used; under pytest-xdist
(the suite's default) no process sees every test, and syrupy skips that check. This test keeps
it: a snapshot left behind by a renamed or deleted test fails here, with its name.
"""

from __future__ import annotations

import ast
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def snapshot_tests(module: Path) -> set[str]:
    """The test functions of a module that take the ``snap_compare`` fixture."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.name.startswith("test_")
        and "snap_compare" in {argument.arg for argument in node.args.args}
    }


def test_every_snapshot_file_has_its_test() -> None:
    stored = sorted(SNAPSHOTS.glob("*/*.svg"))
    assert stored, f"no snapshots under {SNAPSHOTS}"
    orphans = []
    for svg in stored:
        module = Path(__file__).parent / f"{svg.parent.name}.py"
        test_name = svg.stem.split("[", 1)[0]  # a parametrized test's files are name[params].svg
        if not module.exists() or test_name not in snapshot_tests(module):
            orphans.append(str(svg.relative_to(SNAPSHOTS)))
    assert orphans == [], f"snapshots no test uses (delete them, or run `python -m pytest -n 0 --snapshot-update`): {orphans}"
