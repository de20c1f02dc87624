"""Snapshots of the last steps and what follows: checklist, form with an error, review, receipt,
applications. Update on purpose with ``pytest --snapshot-update`` and look at the SVGs.

Everything printed is pinned: the clock (conftest), the clerk's name, and the database's random
installation tag that goes into receipt numbers.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

import window_app.accepting
from tests.functional_tests.end_steps import BROKEN_ID, house_transfer
from tests.functional_tests.shell_helpers import make_app
from tests.window_template import seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.intake import AtWindowDecision, MaterialStatus
from window_app.intake.io import parse_intake


@pytest.fixture(autouse=True)
def _pinned_tracking_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receipt's tracking code is random (secrets): pinned here like the clock."""
    monkeypatch.setattr(window_app.accepting, "new_tracking_code", lambda: "K7QM3XH9")

SNAPSHOT_SIZE = (120, 40)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The shipped window, with a clerk named (the OS user would differ from machine to machine)."""
    shipped = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    return seed_window_database(shipped)


@pytest.fixture(autouse=True)
def _pinned_installation_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("window_app.accepting.installation_tag", lambda db: "TEST")


def at_step(window, intake, step: str, *, then=None):
    """A ``run_before`` that opens ``step`` on ``intake`` (and runs ``then(pilot)`` after)."""

    async def run_before(pilot) -> None:
        pilot.app.intake = intake
        pilot.app.goto_step(step)
        await pilot.pause()
        if then is not None:
            await then(pilot)
            await pilot.pause()

    return run_before


def test_checklist_snapshot(window, snap_compare):
    intake = house_transfer(window)
    intake.materials["house_sale_contract"] = MaterialStatus(state="original")
    intake.materials["utility_bill"] = MaterialStatus(state="deficient", promised_date="2026-12-02")

    async def key_material_refused(pilot) -> None:
        table = pilot.app.screen.query_one("#checklist-table", DataTable)
        table.move_cursor(row=table.get_row_index("property_certificate"))
        await pilot.press("4")

    assert snap_compare(
        make_app(window),
        terminal_size=SNAPSHOT_SIZE,
        run_before=at_step(window, intake, "checklist", then=key_material_refused),
    )


def test_form_with_an_error_snapshot(window, snap_compare):
    intake = house_transfer(window, materials=True, fields=True)
    intake.fields["seller_id_number"] = BROKEN_ID

    assert snap_compare(make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=at_step(window, intake, "form"))


def test_review_snapshot(window, snap_compare):
    intake = house_transfer(window, materials=True, fields=True)
    intake.materials["utility_bill"] = MaterialStatus(state="deficient", promised_date="2026-12-02")

    assert snap_compare(make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=at_step(window, intake, "review"))


def test_receipt_snapshot(window, snap_compare):
    intake = house_transfer(window, materials=True, fields=True)

    async def accept(pilot) -> None:
        await pilot.press("f10")

    assert snap_compare(
        make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=at_step(window, intake, "review", then=accept)
    )


def test_applications_snapshot(window, snap_compare):
    window.accept(house_transfer(window, materials=True, fields=True))
    draft = house_transfer(window, materials=True)
    draft.step = "form"
    window.save_draft(draft)

    async def open_list(pilot) -> None:
        await pilot.press("f3")

    assert snap_compare(make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=open_list)


def test_review_with_a_conclusion_at_the_window_snapshot(window, snap_compare):
    """A sole approver's review at 80×24: the household registration concluded at the window (F8)."""
    examples = Path(__file__).resolve().parents[2] / "examples" / "applications"
    intake, _ = parse_intake(json.loads((examples / "newborn.json").read_text(encoding="utf-8")))
    intake.at_window["newborn_hukou_registration"] = AtWindowDecision("approved", result="5223250001")

    assert snap_compare(make_app(window), terminal_size=(80, 24), run_before=at_step(window, intake, "review"))
