"""Accepting through the Window facade on the shipped catalog, checked in the SQLite file.

Every bundle the shipped window (贞丰县) offers is filled in the way a clerk would (valid
identities, every material received, every form field typed) and accepted. The checks are what
a supervisor would look at: the application row, one outbox envelope per department and stage
holding only that department's fields and materials, the audit event, and the receipt the
applicant takes home.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from rich.cells import cell_len

from offline_cache.audit import verify_chain
from tests.exchange_fixtures import opened
from tests.fact_answers import answered_intake
from tests.window_template import open_signed_in
from window_app.accepting import window_signer
from window_app.dispatch import part_offices
from window_app.domain.catalog import FormField
from window_app.domain.intake import Enterprise, Intake, MaterialStatus, Person
from window_app.domain.receipt_no import check_receipt_no
from window_app.intake.guide import Guide
from window_app.receipt import RECEIPT_WIDTH, mask_id_number
from window_app.trust.signing import Signature, verify
from window_app.window import IntakeInvalid, Window

FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # as in conftest
APPLICANT_ID = "52232519900307002X"
REPRESENTATIVE_ID = "522301197511030040"
USCC = "914403001922038216"
MOBILE = "13985912345"
FATHER_ID = "52232519920708057X"  # a man's number (17th digit odd)
CHILD_ID = "522325202611200136"  # a boy born 2026-11-20, the date typed for every date field
# Where the catalog's cross-field rules want another person or a later date, a clerk types one.
BY_FIELD = {
    "seller_id_number": FATHER_ID,  # not the buyer (the applicant)
    "father_id_number": FATHER_ID,  # a man, not the mother
    "discharge_date": "2026-11-25",  # after the enlistment date
    "retirement_date": "2026-11-25",  # after the date work started
    "deceased_id_number": FATHER_ID,  # not the applicant
    "family_member_id_number": FATHER_ID,  # another member of the family
    "child_id_number": CHILD_ID,  # born on the child's birth date, a boy (the first choice of 子女性别)
}
# Values for text fields with a pattern: the first that matches is typed.
PATTERN_SAMPLES = ("12345678", "622848001234567890", "贵E12345", "3.5x2")


def typed_value(field: FormField) -> str:
    """What a clerk would type into a field of this kind."""
    simple = {
        "id_number": APPLICANT_ID,
        "uscc": USCC,
        "phone": MOBILE,
        "date": "2026-11-20",
        "bool": "true",
        "region": "522325",
    }
    if field.type in simple:
        return simple[field.type]
    if field.type == "number":
        return str(max(field.minimum or 1, 1))
    if field.type == "choice":
        return field.choices[0].value
    if field.pattern:
        return next(sample for sample in PATTERN_SAMPLES if re.fullmatch(field.pattern, sample))
    return "贞丰县者相镇纳孔村"[: field.max_length or None]


def filled_intake(window: Window, offering_id: str) -> Intake:
    """A complete intake under default answers (facts answered), as the screens would produce it."""
    intake = answered_intake(window, offering_id)
    intake.applicant.person = Person("王小红", APPLICANT_ID, MOBILE)
    if intake.applicant.kind == "enterprise":
        intake.applicant.enterprise = Enterprise("贞丰县好运来餐饮有限公司", USCC, Person("张三", REPRESENTATIVE_ID, MOBILE))
    guide = window.guide(intake)
    for line in guide.checklist.lines:
        intake.materials[line.material.id] = MaterialStatus("shared" if line.material.shareable else "original")
    for line in guide.form.lines:
        intake.fields.setdefault(line.field.id, BY_FIELD.get(line.field.id) or typed_value(line.field))
    problems = window.validate(intake)
    assert problems == [], f"{offering_id}: {[(p.path, p.words.zh) for p in problems]}"
    return intake


def bundle_intakes(window: Window) -> list[Intake]:
    """One filled intake per bundle offered at this window."""
    return [filled_intake(window, offering.id) for offering in window.offerings() if offering.kind == "bundle"]


def expected_parts(window: Window, guide: Guide) -> dict[tuple[str, int], set[str]]:
    """(office, stage) → the item ids that department's office serving this window (贞丰县's)
    handles in that stage."""
    offices = part_offices(window.catalog, window.settings.window.region, guide)
    parts: dict[tuple[str, int], set[str]] = {}
    for stage in guide.plan.stages:
        for item in stage.items:
            parts.setdefault((offices[item.department].id, stage.number), set()).add(item.id)
    return parts


def test_accepting_every_bundle_writes_what_a_supervisor_expects(window: Window) -> None:
    intakes = bundle_intakes(window)
    assert {"newborn", "business_startup"} <= {intake.offering for intake in intakes}
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
        assert lead == f"{guide.offering.bundle.lead_department}-522325"  # the 贞丰县 office

        parts = expected_parts(window, guide)
        rows = db.execute(
            "SELECT department, stage, state, payload, signature FROM outbox WHERE receipt_no = ?", [receipt_no]
        ).fetchall()
        assert {(department, stage) for department, stage, *_ in rows} == set(parts)
        for department, stage, outbox_state, payload, signature in rows:
            assert outbox_state == ("queued" if stage == 1 else "waiting")
            key = window_signer(window.db, window.catalog, window.settings).key.public
            assert verify(key, payload.encode("utf-8"), Signature.from_json(json.loads(signature))) is None
            assert intake.applicant.person.name not in payload  # sealed
            document = opened(payload, department)
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
        # A survey's acceptance also proposes its slot, where the form names a site (联合踏勘).
        assert [action for action, _ in actions] in (["accepted"], ["accepted", "survey_proposed"])
        assert (actions[1:] != []) == (window.survey(receipt_no) is not None)

        text = window.receipt_text(receipt_no)
        assert receipt_no in text
        assert all(cell_len(line) <= RECEIPT_WIDTH for line in text.splitlines()), text
        assert guide.offering.bundle.name.zh in text
        person = intake.applicant.person
        if intake.applicant.kind == "person" and person.id_number:
            assert mask_id_number(person.id_number) in text and person.id_number not in text
        for item in guide.items:
            assert item.name.zh in text
    assert verify_chain(db) is None
    assert len(window.applications()) == len(intakes)


def test_the_bank_sees_only_what_opening_a_bank_account_needs(window: Window) -> None:
    """企业开办: the licence first (市场监管), then six departments at once, the bank among them."""
    accepted = window.accept(filled_intake(window, "business_startup"))
    envelopes = {(e.department, e.stage): e for e in accepted.envelopes}
    assert sorted(envelopes) == [
        ("bank-522325-abc", 2),  # the bank the applicant chose (the first preselected)
        ("housing_fund-522325", 2),
        ("hrss-522325", 2),
        ("market_regulation-522325", 1),
        ("medical_insurance-522325", 2),
        ("public_security-522325", 2),
        ("tax-522325", 2),
    ]
    bank = opened(envelopes["bank-522325-abc", 2])
    assert [item["id"] for item in bank["items"]] == ["bank_account_opening"]
    assert set(bank["fields"]) == {
        "enterprise_name",
        "business_address",
        "legal_rep_name",
        "legal_rep_id_number",
        "legal_rep_phone",
    }
    assert set(bank["materials"]) == {"id_card", "business_licence", "bank_account_application"}
    assert bank["depends_on"] == [
        {
            "item": "company_registration",
            "name": window.catalog.items["company_registration"].name.zh,  # departments read Chinese
            "department": "market_regulation-522325",
            "department_name": "贞丰县市场监督管理局",
            "department_name_en": "Zhenfeng County Administration for Market Regulation",
            "result": window.catalog.items["company_registration"].result,
            "stage": 1,
        }
    ]
    assert bank["applicant"]["uscc"] == USCC
    assert "parts" not in bank  # only the lead department sees the whole plan
    lead = opened(envelopes["market_regulation-522325", 1])
    assert lead["is_lead"] and len(lead["parts"]) == 7
    assert "registered_capital" in lead["fields"] and "seal_count" not in lead["fields"]

    states = dict(
        window.db.execute(
            "SELECT department || '/' || stage, state FROM outbox WHERE receipt_no = ?", [accepted.receipt_no]
        ).fetchall()
    )
    assert states.pop("market_regulation-522325/1") == "queued"
    assert set(states.values()) == {"waiting"}


def test_an_accepted_application_is_there_after_the_window_is_reopened(settings) -> None:
    first = open_signed_in(settings, clock=lambda: FIXED_NOW)
    try:
        intake = filled_intake(first, "newborn")
        draft_id = first.save_draft(intake)
        accepted = first.accept(intake)
        receipt = first.receipt_text(accepted.receipt_no)
    finally:
        first.close()

    again = open_signed_in(settings, clock=lambda: FIXED_NOW)
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
    intake = filled_intake(window, "business_startup")
    intake.applicant.person.id_number = "522325199003070021"  # wrong check digit
    intake.applicant.enterprise.uscc = "91440300192203821X"
    def counts() -> list[int]:
        return [window.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("applications", "outbox", "audit")]

    before = counts()  # the audit holds the test clerk's account events
    with pytest.raises(IntakeInvalid):
        window.accept(intake)
    assert counts() == before and before[:2] == [0, 0]
