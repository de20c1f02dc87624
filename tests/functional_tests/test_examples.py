"""``examples/applications/``: every file is accepted by ``window-app accept`` in a fresh data
dir, and every shipped bundle has at least one example.

An example is accepted at the shipped window (贞丰县, 522325) when its offering is offered there,
else at the first region of the catalog where it is (``WINDOW_APP_WINDOW_REGION``), as a clerk
of that centre would. The clock is pinned to the suite's moment: examples carry dates (births,
promised dates of deficient materials) that are checked against today.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.catalog.search import offerings_for_region
from window_app.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"
HOME_REGION = "522325"
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # as in conftest

CATALOG = load_catalog(shipped_catalog_path())
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.json"))


def offering_of(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8")).get("offering", "")


def region_offering(offering_id: str) -> str:
    """The shipped window's region if it offers ``offering_id``, else the first region that does."""
    for code in [HOME_REGION, *CATALOG.regions]:
        if offering_id in {offering.id for offering in offerings_for_region(CATALOG, code)}:
            return code
    pytest.fail(f"{offering_id} is offered in no region of the shipped catalog")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    """No developer overrides; the accept runs at the suite's fixed moment."""
    from window_app.window import Window

    for key in list(os.environ):
        if key.startswith("WINDOW_APP_"):
            monkeypatch.delenv(key)
    original = Window.open.__func__

    def open_pinned(cls, settings, clock=None):
        return original(cls, settings, clock=clock or (lambda: FIXED_NOW))

    monkeypatch.setattr(Window, "open", classmethod(open_pinned))


def test_there_are_examples() -> None:
    assert EXAMPLE_FILES, "examples/applications/ holds no *.json"


def test_every_shipped_bundle_has_an_example() -> None:
    covered = {offering_of(path) for path in EXAMPLE_FILES}
    missing = sorted(set(CATALOG.bundles) - covered)
    assert missing == [], f"bundles without an example in examples/applications/: {missing}"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[path.name for path in EXAMPLE_FILES])
def test_example_is_accepted_in_a_fresh_data_dir(example: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("WINDOW_APP_WINDOW_REGION", region_offering(offering_of(example)))
    data_dir = str(tmp_path / "data")
    # A new window: its first administrator first (as a script makes it), then the accept as them.
    monkeypatch.setenv("WINDOW_APP_NEW_PIN", "zf-2468")
    monkeypatch.setenv("WINDOW_APP_PIN", "zf-2468")
    assert main(["--data-dir", data_dir, "clerk", "add", "A01", "--name", "王芳", "--first"]) == 0

    code = main(["--data-dir", data_dir, "--clerk", "A01", "accept", str(example)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    receipt_no = captured.out.strip()

    assert main(["--data-dir", data_dir, "--clerk", "A01", "applications", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["receipt_no"] for row in rows] == [receipt_no]
    assert rows[0]["offering_id"] == offering_of(example)
    assert rows[0]["parts"], "the accepted application has its department parts"
