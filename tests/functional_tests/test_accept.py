"""Accepting through the Window facade on the shipped catalog, checked in the SQLite file.

Every example application shipped in ``examples/applications/`` is accepted at the shipped
window (贞丰县). The checks are what a supervisor would look at: the application row, one outbox
envelope per department and stage holding only that department's fields and materials, the
audit event, and the receipt the applicant takes home.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from rich.cells import cell_len

from offline_cache.audit import verify_chain
from offline_cache.db import signing_secret
from window_app.envelope import verify_signature
from window_app.intake.guide import Guide
from window_app.intake.io import parse_intake
from window_app.intake.model import Intake
from window_app.receipt import RECEIPT_WIDTH, check_receipt_no, mask_id_number
from window_app.window import IntakeInvalid, Window

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # as in conftest


def example_intakes(window: Window) -> list[Intake]:
    """The shipped example applications of bundles this window offers."""
    intakes = []
    for path in sorted(EXAMPLES.glob("*.json")):
        intake, problems = parse_intake(json.loads(path.read_text(encoding="utf-8")))
        assert intake is not None and problems == [], f"{path.name}: {problems}"
        try:
            offering = window.offering(intake.offering)
        except KeyError:
            continue  # offered elsewhere in Guizhou, not at this window
        if offering.kind == "bundle":
            intakes.append(intake)
    return intakes


def expected_parts(guide: Guide) -> dict[tuple[str, int], set[str]]:
    """(department, stage) → the item ids that department handles in that stage."""
    parts: dict[tuple[str, int], set[str]] = {}
    for stage in guide.plan.stages:
        for item in stage.items:
            parts.setdefault((item.department, stage.number), set()).add(item.id)
    return parts


def test_at_least_two_bundles_have_examples(window: Window) -> None:
    assert len({intake.offering for intake in example_intakes(window)}) >= 2


def test_accepting_each_example_bundle_writes_what_a_supervisor_expects(window: Window) -> None:
    intakes = example_intakes(window)
    secret = signing_secret(window.db)
    db = window.db
    for number, intake in enumerate(intakes, start=1):
        guide = window.guide(intake)
        accepted = window.accept(intake)
        receipt_no = accepted.receipt_no
        assert check_receipt_no(receipt_no)
        assert receipt_no.startswith("522325-261127-ZF-01-") and receipt_no.split("-")[-2] == f"{number:04d}"

        offering_id, state, catalog_version, lead = db.execute(
            "SELECT offering_id, state, catalog_version, lead_department FROM applications WHERE receipt_no = ?",
            [receipt_no],
        ).fetchone()
        assert (offering_id, state) == (intake.offering, "accepted")
        assert catalog_version == window.catalog.version
        assert lead == guide.offering.bundle.lead_department

        parts = expected_parts(guide)
        rows = db.execute(
            "SELECT department, stage, state, payload, signature FROM outbox WHERE receipt_no = ?", [receipt_no]
        ).fetchall()
        assert {(department, stage) for department, stage, *_ in rows} == set(parts)
        for department, stage, outbox_state, payload, signature in rows:
            assert outbox_state == ("queued" if stage == 1 else "waiting")
            assert verify_signature(secret, payload.encode("utf-8"), signature)
            document = json.loads(payload)
            items = parts[department, stage]
            assert {item["id"] for item in document["items"]} == items
            assert set(document["fields"]) == {
                line.field.id for line in guide.form.lines if items.intersection(line.used_by)
            }, f"{intake.offering}: {department} stage {stage}"
            assert set(document["materials"]) == {
                line.material.id for line in guide.checklist.lines if items.intersection(line.needed_by)
            }, f"{intake.offering}: {department} stage {stage}"
            assert document["catalog_version"] == window.catalog.version
            if stage > 1:
                assert any("stage" in dependency for dependency in document["depends_on"])
            for material in document["materials"].values():
                assert material["verify_online"] == (material["shareable"] and material["state"] == "shared")

        parts_rows = db.execute(
            "SELECT count(*) FROM application_parts WHERE receipt_no = ?", [receipt_no]
        ).fetchone()[0]
        assert parts_rows == len(parts)
        actions = db.execute("SELECT action, actor FROM audit WHERE receipt_no = ?", [receipt_no]).fetchall()
        assert [action for action, _ in actions] == ["accepted"]

        text = window.receipt_text(receipt_no)
        assert receipt_no in text
        assert all(cell_len(line) <= RECEIPT_WIDTH for line in text.splitlines()), text
        assert guide.offering.bundle.name in text
        person = intake.applicant.person
        if intake.applicant.kind == "person" and person.id_number:
            assert mask_id_number(person.id_number) in text and person.id_number not in text
        for item in guide.items:
            assert item.name in text
    assert verify_chain(db) is None
    assert len(window.applications()) == len(intakes)


def test_an_accepted_application_is_there_after_the_window_is_reopened(settings) -> None:
    first = Window.open(settings, clock=lambda: FIXED_NOW)
    try:
        intake = example_intakes(first)[0]
        draft_id = first.save_draft(intake)
        accepted = first.accept(intake)
        receipt = first.receipt_text(accepted.receipt_no)
    finally:
        first.close()

    again = Window.open(settings, clock=lambda: FIXED_NOW)
    try:
        assert [summary.receipt_no for summary in again.applications()] == [accepted.receipt_no]
        assert again.receipt_text(accepted.receipt_no) == receipt
        assert draft_id not in [draft.id for draft in again.drafts()]  # accepted drafts are gone
        detail = again.application(accepted.receipt_no)
        assert detail.intake.applicant == intake.applicant
        assert [event.action for event in detail.audit] == ["accepted"]
    finally:
        again.close()


def test_an_invalid_intake_writes_nothing(window: Window) -> None:
    intake = example_intakes(window)[0]
    intake.applicant.person.id_number = "522325199003070021"  # wrong check digit
    intake.applicant.enterprise.uscc = "91440300192203821X"
    with pytest.raises(IntakeInvalid):
        window.accept(intake)
    counts = [window.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in ("applications", "outbox", "audit")]
    assert counts == [0, 0, 0]
