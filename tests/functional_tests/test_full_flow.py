"""Whole applications taken at the window by keys, checked afterwards in the SQLite file.

Each test walks the flow as a clerk does: the search typed in pinyin initials and Enter, the
applicant's fields entered one after the other (each value in one paste event, as a terminal
delivers what an IME commits; typing key by key is what the screens' own tests check), answers
chosen with the arrow keys, optional items ticked with the space bar, each material's state
recorded with its number key (a deficient one with its promised date), the unified form filled
field by field with Tab, and F10 on the review. The database is then opened with the
standard ``sqlite3`` module, as an outside observer: one application under the receipt number
the screen shows, one outbox envelope per department and stage holding only what that
department's items declare, stages that follow the prerequisites, the ``accepted`` audit event,
and no draft left behind.

The bundles differ in shape: 企业开办 (an enterprise; the licence first, then six departments at
once, a bank among them), 二手房转移登记及水电气联动过户 (a person; electricity, water and gas
companies after the registration), 新生儿出生 (answers and the applicant's choice switch optional
items on; three stages) and 设施农用地联合踏勘 (a joint site survey: every department at once).
On the way the clerk switches the language mid-form (F2), steps back to the pick screen (Esc),
starts a new application (F4) and resumes a draft where it was left.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Input, OptionList, RadioButton, RadioSet, Select, Static

from screens.applicant import ApplicantScreen
from screens.checklist import ChecklistScreen
from screens.form import FormScreen, widget_id
from screens.pick import PickScreen
from screens.receipt import ReceiptScreen
from screens.review import ReviewScreen
from screens.situation import SituationScreen
from screens.widgets.choices import YesNo
from screens.widgets.promise_date import PromiseDateDialog
from tests.exchange_fixtures import opened
from tests.functional_tests.end_steps import resident_id
from tests.functional_tests.rating_steps import skip_rating
from tests.functional_tests.shell_helpers import (
    SIZE,
    VALID_USCC,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
    paste,
    type_text,
)
from tests.window_template import template_data_key
from window_app.domain.words import language
from window_app.trust.field_cipher import field_cipher, is_sealed

ZHENFENG = "522325"  # the shipped window's county

pytestmark = pytest.mark.anyio

LEGAL_REP_ID = resident_id("52232519850412031")
MOTHER_ID = resident_id("52232519940316028")
FATHER_ID = resident_id("52232519920708057")
BUYER_ID = resident_id("52232519890517035")
SELLER_ID = resident_id("52232519700208019")


# -- keys -------------------------------------------------------------------------------------


async def tab_to(pilot, wanted: Callable[[Widget], bool], what: str, limit: int = 80) -> Widget:
    """Press Tab until the focused widget is the wanted one (as the clerk watches the cursor)."""
    for _ in range(limit):
        focused = pilot.app.focused
        if focused is not None and wanted(focused):
            return focused
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached {what}")


async def search_and_start(pilot, initials: str) -> None:
    """Type the pinyin initials on the pick screen and press Enter on the best match."""
    assert isinstance(pilot.app.screen, PickScreen)
    await type_text(pilot, initials)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ApplicantScreen)


async def next_step(pilot, screen_class: type) -> None:
    await pilot.press("ctrl+n")
    await pilot.pause()
    assert isinstance(pilot.app.screen, screen_class), [n.message for n in pilot.app._notifications][-3:]


async def enter_text(pilot, text: str) -> None:
    """Into the focused input, in one paste event (the screens' tests type key by key)."""
    await paste(pilot, text)


async def type_fields(pilot, values: list[str]) -> None:
    """Type a value into the focused field, Enter to the next, and so on."""
    for value in values:
        if value:
            await enter_text(pilot, value)
        await pilot.press("enter")
    await pilot.pause()


async def answer(pilot, question_id: str, value: str) -> None:
    """Tab to a question, arrow to the answer, Enter."""
    radio_set = await tab_to(pilot, lambda w: isinstance(w, RadioSet) and w.name == question_id, question_id)
    for _ in range(len(radio_set.query(RadioButton)) + 1):
        highlighted = radio_set.query(".-selected")
        if highlighted and highlighted.first().name == value:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    assert radio_set.pressed_button is not None and radio_set.pressed_button.name == value


def optional_box(app, item_id: str) -> Checkbox:
    return next(box for box in app.screen.query(".optional").results(Checkbox) if box.name == item_id)


async def tick(pilot, item_id: str) -> None:
    """Tab to an optional item and press the space bar."""
    await tab_to(pilot, lambda w: isinstance(w, Checkbox) and w.name == item_id, item_id)
    await pilot.press("space")
    await pilot.pause()


async def record_materials(pilot, keys: dict[str, str], promised: str = "") -> None:
    """Down the checklist, each highlighted material's state by its number key (4: deficient,
    dated), then Ctrl+N to the form."""
    app = pilot.app
    table = app.screen.query_one("#checklist-table", DataTable)
    assert {row.key.value for row in table.ordered_rows} == set(keys), "the merged checklist"
    for _ in range(table.row_count):
        material = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        await pilot.press(keys[material])
        await pilot.pause()
        if keys[material] == "4":
            assert isinstance(app.screen, PromiseDateDialog)
            await paste(pilot, promised)  # replaces the suggested date
            await pilot.press("enter")
            await pilot.pause()
    progress = str(app.screen.query_one("#checklist-progress", Static).render())
    everything = f"已记录 {len(keys)}/{len(keys)} 份" if language() == "zh" else f"{len(keys)} of {len(keys)} recorded"
    assert everything in progress, progress
    await next_step(pilot, FormScreen)


async def choose(pilot, select: Select, label: str) -> None:
    """Open a drop-down with Enter, arrow to the option the clerk reads, Enter."""
    await pilot.press("enter")
    await pilot.pause()
    overlay = pilot.app.focused
    assert isinstance(overlay, OptionList)
    for _ in range(overlay.option_count + 1):
        if overlay.highlighted is not None and str(overlay.get_option_at_index(overlay.highlighted).prompt) == label:
            break
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    assert pilot.app.focused is select


async def fill_form(pilot, values: dict[str, str]) -> None:
    """Tab to each field and give it its value: pasted, chosen (label) or answered ("true" 是)."""
    for field_id, value in values.items():
        wanted = widget_id(field_id)
        control = await tab_to(pilot, lambda w, wanted=wanted: w.id == wanted, field_id)
        if isinstance(control, Select):
            await choose(pilot, control, value)
        elif isinstance(control, YesNo):  # 是/否: arrow to the answer, Enter
            for _ in range(3):
                highlighted = control.query(".-selected")
                if highlighted and highlighted.first().name == value:
                    break
                await pilot.press("right")
            await pilot.press("enter")
        else:
            assert isinstance(control, Input) and control.value == "", f"{field_id} is not empty"
            await enter_text(pilot, value)
        await pilot.pause()


def form_value(app, field_id: str) -> Any:
    return app.screen.query_one(f"#{widget_id(field_id)}").value


async def accept_at_review(pilot, *, plan_shows: tuple[str, ...] = ()) -> str:
    """Ctrl+N to a review that passes all checks, F10; the receipt number the receipt shows."""
    app = pilot.app
    await next_step(pilot, ReviewScreen)
    verdict = str(app.screen.query_one("#review-verdict", Static).render())
    assert "检查通过" in verdict, verdict
    plan = str(app.screen.query_one("#review-plan", Static).render())
    for words in plan_shows:
        assert words in plan, words
    await pilot.press("f10")
    await pilot.pause()
    assert isinstance(app.screen, ReceiptScreen)
    text = str(app.screen.query_one("#receipt-text", Static).render())
    found = re.search(r"受理编号：(\S+)", text)
    assert found, text
    await pilot.press("escape")  # the applicant has the slip; the window is ready for the next
    await skip_rating(pilot)  # the rating step (好差评) the applicant may skip
    await pilot.pause()
    assert isinstance(app.screen, PickScreen) and app.intake is None
    return found.group(1)


async def resume_first_draft(pilot, screen_class: type) -> None:
    """On the pick screen, Up from the best match to the draft listed above it, then Enter."""
    app = pilot.app
    assert isinstance(app.screen, PickScreen)
    results = app.screen.query_one("#results", OptionList)
    await pilot.press("up")
    await pilot.pause()
    assert (results.get_option_at_index(results.highlighted).id or "").startswith("draft:")
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, screen_class)


# -- the database, seen from outside --------------------------------------------------------


@dataclass
class Stored:
    """What the SQLite file holds after the clerk's work."""

    applications: list[dict[str, Any]]  # personal columns opened
    envelopes: dict[tuple[str, int], dict[str, Any]]  # (department, stage) → payload
    outbox_states: dict[tuple[str, int], str]
    audit: list[tuple[str, str | None]]
    drafts: list[dict[str, Any]]

    def envelope(self, department: str, stage: int) -> dict[str, Any]:
        return self.envelopes[department, stage]


def opened_row(row: sqlite3.Row, table: str, key_column: str) -> dict:
    """A row with its sealed personal columns opened, as a clerk signed in reads them."""
    cipher = field_cipher(template_data_key())
    return {
        column: cipher.open(row[column], table=table, column=column, row=row[key_column])
        if is_sealed(row[column]) else row[column]
        for column in row.keys()
    }


def kind_of(office: str) -> str:
    """The department kind of a 贞丰县 office id (``tax`` of ``tax-522325``, ``bank`` of
    ``bank-522325-abc``): this window's parts all go to its own county's offices."""
    kind, region, *_ = office.split("-")
    assert region == ZHENFENG, f"{office} is not a 贞丰县 office"
    return kind


def read_database(path) -> Stored:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        outbox = db.execute("SELECT department, stage, state, payload FROM outbox").fetchall()
        stored = Stored(
            applications=[opened_row(row, "applications", "receipt_no") for row in db.execute("SELECT * FROM applications")],
            envelopes={},
            outbox_states={(kind_of(row["department"]), row["stage"]): row["state"] for row in outbox},
            audit=[(row["action"], row["receipt_no"]) for row in db.execute("SELECT action, receipt_no FROM audit")],
            drafts=[opened_row(row, "drafts", "id") for row in db.execute("SELECT * FROM drafts")],
        )
        for row in outbox:
            key = (kind_of(row["department"]), row["stage"])  # one office per department kind
            assert key not in stored.envelopes, f"two envelopes for {key}"
            stored.envelopes[key] = opened(row["payload"], row["department"])  # as the department reads it
    finally:
        db.close()
    return stored


def declared(catalog, item_ids, answers: dict[str, str], what: str) -> set[str]:
    """The fields or materials the catalog says these items need under these answers."""
    out = set()
    for item_id in item_ids:
        for requirement in getattr(catalog.items[item_id], what):
            if requirement.when is None or answers.get(requirement.when.question) in requirement.when.any_of:
                out.add(requirement.field if what == "fields" else requirement.material)
    return out


def check_accepted(
    window,
    receipt_no: str,
    offering_id: str,
    answers: dict[str, str],
    parts: dict[tuple[str, int], set[str]],
) -> Stored:
    """Read the database: one application, one envelope per department and stage holding only
    its own part, stages after their prerequisites, the audit event, no draft. Returns it all."""
    catalog = window.catalog
    stored = read_database(window.settings.database_path)
    assert len(stored.applications) == 1
    application = stored.applications[0]
    assert application["receipt_no"] == receipt_no
    assert (application["offering_id"], application["state"]) == (offering_id, "accepted")
    assert application["catalog_version"] == catalog.version
    lead = catalog.bundles[offering_id].lead_department
    assert kind_of(application["lead_department"]) == lead

    effective = {q.id: q.default for q in catalog.bundles[offering_id].questions} | answers
    assert set(stored.envelopes) == set(parts), "one envelope per department per stage"
    stage_of = {item: stage for (_, stage), items in parts.items() for item in items}
    for (department, stage), payload in stored.envelopes.items():
        items = parts[department, stage]
        assert payload["receipt_no"] == receipt_no
        assert payload["catalog_version"] == catalog.version
        assert (payload["department"]["kind"], payload["stage"]) == (department, stage)
        assert kind_of(payload["department"]["id"]) == department
        assert {item["id"] for item in payload["items"]} == items
        assert set(payload["fields"]) == declared(catalog, items, effective, "fields"), f"{department}/{stage}"
        assert set(payload["materials"]) == declared(catalog, items, effective, "materials"), f"{department}/{stage}"
        assert stored.outbox_states[department, stage] == ("queued" if stage == 1 else "waiting")
        for item in items:  # after every prerequisite taken in this application
            for prerequisite in catalog.items[item].prerequisites:
                if prerequisite in stage_of:
                    assert stage_of[prerequisite] < stage, f"{item} is not after {prerequisite}"
        for dependency in payload["depends_on"]:
            assert dependency.get("external") or dependency["stage"] < stage
        assert payload["is_lead"] == (department == lead)
    # The accounts' own events (the test clerk's account) are not the application's.
    # A joint site survey's acceptance also proposes its slot to the departments (联合踏勘).
    survey = catalog.bundles[offering_id].survey
    expected = [("accepted", receipt_no)] + ([("survey_proposed", receipt_no)] if survey else [])
    assert [event for event in stored.audit if not event[0].startswith("clerk.")] == expected
    assert stored.drafts == [], "the accepted application's draft is gone"
    return stored


def values_of(payload: dict[str, Any]) -> dict[str, str]:
    return {field_id: entry["value"] for field_id, entry in payload["fields"].items()}


# -- the bundles ----------------------------------------------------------------------------


async def test_business_startup_licence_first_then_six_departments_with_the_bank(window, settings):
    """企业开办: an enterprise not yet registered; the language switched mid-form."""
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await search_and_start(pilot, "qykb")
        assert app.focused.id == "enterprise-name"
        await type_fields(pilot, ["贞丰县花江峡谷农旅开发有限公司", "", "岑国祥", LEGAL_REP_ID, "13985961024"])
        await pilot.press("f6")  # the contact person is the legal representative: typed once
        await pilot.pause()
        assert app.screen.query_one("#person-name", Input).value == "岑国祥"
        await next_step(pilot, SituationScreen)

        await answer(pilot, "housing_fund", "no")  # no housing fund registration this time
        assert not optional_box(app, "housing_fund_unit_registration").value
        assert optional_box(app, "bank_account_opening").value
        await next_step(pilot, ChecklistScreen)

        await record_materials(
            pilot,
            {
                "registration_application": "1",
                "articles_of_association": "1",
                "id_card": "3",
                "premises_proof": "2",
                "appointment_docs": "4",
                "business_licence": "3",
                "bank_account_application": "1",
            },
            promised="2026-12-01",  # not after the receipt's promised completion (2 working days),
        )

        await fill_form(pilot, {"entity_type": "有限责任公司", "registered_capital": "100"})
        await tab_to(pilot, lambda w: w.id == widget_id("business_scope"), "business_scope")
        await paste(pilot, "乡村旅游开发；农产品种植")
        await pilot.press("f2")  # the applicant reads English: the form is rebuilt, nothing lost
        await pilot.pause()
        assert language() == "en" and isinstance(app.screen, FormScreen)
        assert "Next" in footer_text(app)
        assert form_value(app, "entity_type") == "limited_company"
        assert form_value(app, "registered_capital") == "100"
        assert app.focused is app.screen.query_one(f"#{widget_id('business_scope')}")
        await paste(pilot, "与销售")  # typing goes on in the same field
        assert form_value(app, "business_scope") == "乡村旅游开发；农产品种植与销售"
        await fill_form(
            pilot,
            {
                "business_address": "贞丰县珉谷街道三合社区环城东路18号",
                "employee_count": "8",
                "taxpayer_type": "Small-scale taxpayer",
                "invoice_type": "Fully digitalised ordinary invoice",
                "seal_count": "4",
            },
        )
        await pilot.press("f2")
        await pilot.pause()
        assert language() == "zh"
        assert form_value(app, "business_scope") == "乡村旅游开发；农产品种植与销售"
        receipt_no = await accept_at_review(pilot)

    stored = check_accepted(
        window,
        receipt_no,
        "business_startup",
        {"housing_fund": "no"},
        {
            ("market_regulation", 1): {"company_registration"},
            ("tax", 2): {"new_taxpayer_setup"},
            ("hrss", 2): {"employer_social_insurance_registration"},
            ("medical_insurance", 2): {"employer_medical_insurance_registration"},
            ("public_security", 2): {"seal_engraving_filing"},
            ("bank", 2): {"bank_account_opening"},
        },
    )
    application = stored.applications[0]
    assert (application["applicant_kind"], application["applicant_name"]) == ("enterprise", "贞丰县花江峡谷农旅开发有限公司")

    licence = stored.envelope("market_regulation", 1)
    assert values_of(licence)["registration_region"] == "522325"  # the window's own region, prefilled
    assert values_of(licence)["business_scope"] == "乡村旅游开发；农产品种植与销售"
    assert values_of(licence)["entity_type"] == "limited_company"
    assert licence["materials"]["appointment_docs"]["state"] == "deficient"
    assert licence["materials"]["appointment_docs"]["promised_date"] == "2026-12-01"
    assert licence["materials"]["premises_proof"]["state"] == "copy"
    assert {kind_of(part["department"]) for part in licence["parts"]} == {department for department, _ in stored.envelopes}

    bank = stored.envelope("bank", 2)
    assert values_of(bank) == {
        "enterprise_name": "贞丰县花江峡谷农旅开发有限公司",
        "legal_rep_name": "岑国祥",
        "legal_rep_id_number": LEGAL_REP_ID,
        "legal_rep_phone": "13985961024",
        "business_address": "贞丰县珉谷街道三合社区环城东路18号",
    }
    assert bank["applicant"]["legal_representative"]["id_number"] == LEGAL_REP_ID
    assert [dependency["item"] for dependency in bank["depends_on"]] == ["company_registration"]
    assert "parts" not in bank and "registered_capital" not in bank["fields"]
    assert values_of(stored.envelope("tax", 2))["taxpayer_type"] == "small_scale"
    assert values_of(stored.envelope("public_security", 2))["seal_count"] == "4"


async def test_house_transfer_with_electricity_water_and_gas_after_the_registration(window, settings):
    """二手房: a person; the gas answer adds the gas company; F4 mid-form, then the draft resumed."""
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await search_and_start(pilot, "esf")
        assert app.focused.id == "person-name"
        await type_fields(pilot, ["罗明", BUYER_ID, "13885962471"])
        await next_step(pilot, SituationScreen)

        await answer(pilot, "buyer_marital", "married")
        assert not optional_box(app, "gas_transfer").value
        await answer(pilot, "has_gas", "yes")
        assert optional_box(app, "gas_transfer").value  # switched on by the answer
        await next_step(pilot, ChecklistScreen)

        await record_materials(
            pilot,
            {
                "id_card": "3",
                "seller_id_card": "3",
                "house_sale_contract": "1",
                "property_certificate": "1",
                "marriage_certificate": "3",
                "utility_bill": "2",
            },
        )
        assert form_value(app, "applicant_id_number") == BUYER_ID  # prefilled, not typed again
        await fill_form(
            pilot,
            {
                "seller_name": "黄志刚",
                "seller_id_number": SELLER_ID,
                "house_location": "贞丰县珉谷街道龙井社区文庙路56号2栋1单元702号",
                "house_area": "112.36",
                "house_use": "住宅",
            },
        )

        await pilot.press("f4")  # another applicant is waiting: a new application
        await pilot.pause()
        assert isinstance(app.screen, PickScreen) and app.intake is None
        (draft,) = read_database(settings.database_path).drafts
        assert (draft["offering_id"], draft["applicant_name"], draft["step"]) == ("house_transfer", "罗明", "form")

        await resume_first_draft(pilot, FormScreen)  # back to it, where it was left
        assert form_value(app, "seller_id_number") == SELLER_ID
        assert form_value(app, "house_area") == "112.36"
        assert form_value(app, "house_use") == "residential"
        await fill_form(
            pilot,
            {
                "transaction_price": "48.5",
                "first_home": "true",
                "property_certificate_number": "黔（2021）贞丰县不动产权第0003587号",
                "electricity_account": "0612345678",
                "water_account": "ZF0023561",
                "gas_account": "RQ102586",
            },
        )
        receipt_no = await accept_at_review(pilot)

    stored = check_accepted(
        window,
        receipt_no,
        "house_transfer",
        {"buyer_marital": "married", "has_gas": "yes"},
        {
            ("tax", 1): {"house_transaction_tax"},
            ("real_estate_registry", 2): {"real_estate_transfer_registration"},
            ("power_grid", 3): {"electricity_transfer"},
            ("water_supply", 3): {"water_transfer"},
            ("gas", 3): {"gas_transfer"},
        },
    )
    for company in ("power_grid", "water_supply", "gas"):
        assert window.catalog.departments[company].kind == "enterprise"
        payload = stored.envelope(company, 3)
        assert set(payload["materials"]) == {"id_card", "utility_bill"}
        assert payload["materials"]["utility_bill"]["state"] == "copy"
        assert "transaction_price" not in payload["fields"] and "seller_id_number" not in payload["fields"]
        assert payload["applicant"]["id_number"] == BUYER_ID
    assert values_of(stored.envelope("gas", 3))["gas_account"] == "RQ102586"
    assert "electricity_account" not in stored.envelope("gas", 3)["fields"]
    registration = values_of(stored.envelope("real_estate_registry", 2))
    assert registration["property_certificate_number"] == "黔（2021）贞丰县不动产权第0003587号"
    assert registration["seller_id_number"] == SELLER_ID
    assert "marriage_certificate" in stored.envelope("real_estate_registry", 2)["materials"]
    assert values_of(stored.envelope("tax", 1))["first_home"] == "true"


async def test_newborn_answers_and_the_mothers_choice_add_items(window, settings):
    """新生儿出生: Esc from the applicant keeps a draft; an answer and a tick add two items."""
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await search_and_start(pilot, "xsecs")
        await paste(pilot, "岑春燕")
        await pilot.press("escape")  # the mother steps away to find her papers
        await pilot.pause()
        assert isinstance(app.screen, PickScreen) and app.intake is None
        (draft,) = read_database(settings.database_path).drafts
        assert (draft["offering_id"], draft["applicant_name"], draft["step"]) == ("newborn", "岑春燕", "applicant")

        await resume_first_draft(pilot, ApplicantScreen)
        assert app.screen.query_one("#person-name", Input).value == "岑春燕"
        await pilot.press("enter")
        await type_fields(pilot, [MOTHER_ID, "15085963317"])
        await next_step(pilot, SituationScreen)

        assert not optional_box(app, "maternity_allowance_claim").value
        await answer(pilot, "parents_married", "yes")  # a fact: asked, never assumed
        await answer(pilot, "mother_employee_insured", "yes")
        assert optional_box(app, "maternity_allowance_claim").value  # switched on by the answer
        await tick(pilot, "newborn_bank_card")  # chosen by the mother
        assert optional_box(app, "newborn_bank_card").value
        await next_step(pilot, ChecklistScreen)

        await record_materials(
            pilot,
            {
                "birth_medical_certificate": "3",
                "household_register": "1",
                "id_card": "3",
                "marriage_certificate": "3",
                "discharge_summary": "2",
                "photo": "1",
            },
        )
        await fill_form(
            pilot,
            {
                "child_name": "韦子睿",
                "child_gender": "男",
                "child_birth_date": "2026-11-20",
                "child_ethnicity": "布依族",
                "birth_hospital": "贞丰县人民医院",
                "mother_name": "岑春燕",
                "mother_id_number": MOTHER_ID,
                "father_name": "韦振华",
                "father_id_number": FATHER_ID,
                "hukou_address": "贞丰县珉谷街道双峰社区解放路12号",
                "employer_name": "贞丰县第二中学",
                "maternity_leave_days": "158",
            },
        )
        receipt_no = await accept_at_review(pilot)

    stored = check_accepted(
        window,
        receipt_no,
        "newborn",
        {"parents_married": "yes", "mother_employee_insured": "yes"},
        {
            ("public_security", 1): {"newborn_hukou_registration"},
            ("health", 1): {"vaccination_certificate_issue"},
            ("medical_insurance", 1): {"maternity_allowance_claim"},
            ("medical_insurance", 2): {"newborn_medical_insurance"},
            ("hrss", 2): {"newborn_social_security_card"},
            ("bank", 3): {"newborn_bank_card"},
        },
    )
    maternity = values_of(stored.envelope("medical_insurance", 1))
    assert maternity["employer_name"] == "贞丰县第二中学" and maternity["maternity_leave_days"] == "158"
    assert "employer_name" not in stored.envelope("medical_insurance", 2)["fields"]
    # The birth date is asked once; the maternity claim's part names it as that department does.
    delivery = stored.envelope("medical_insurance", 1)["fields"]["child_birth_date"]
    assert delivery == {"label": "生育（分娩）日期", "value": "2026-11-20"}
    hukou = values_of(stored.envelope("public_security", 1))
    assert (hukou["child_name"], hukou["child_gender"], hukou["father_id_number"]) == ("韦子睿", "male", FATHER_ID)
    assert "maternity_leave_days" not in hukou
    assert stored.applications[0]["applicant_number"] == MOTHER_ID


async def test_facility_farmland_joint_site_survey_sends_every_department_at_once(window, settings):
    """设施农用地联合踏勘: a cooperative; livestock and a river add two survey departments."""
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await search_and_start(pilot, "ssnyd")
        assert app.focused.id == "enterprise-name"
        await type_fields(pilot, ["贞丰县挽澜镇金穗种养殖农民专业合作社", VALID_USCC, "班德明", LEGAL_REP_ID, "15985976403"])
        await pilot.press("f6")
        await pilot.pause()
        await next_step(pilot, SituationScreen)

        await answer(pilot, "facility_kind", "livestock")
        await answer(pilot, "involves_forest", "no")
        await answer(pilot, "near_water", "yes")
        assert optional_box(app, "livestock_environment_opinion").value
        assert optional_box(app, "survey_water_opinion").value
        assert not optional_box(app, "survey_forestry_opinion").value
        await next_step(pilot, ChecklistScreen)

        await record_materials(
            pilot,
            {
                "business_licence": "3",
                "facility_farmland_agreement": "1",
                "facility_construction_plan": "1",
                "red_line_map": "1",
                "village_opinion": "5",
                "id_card": "3",
                "land_contract_certificate": "3",
            },
        )
        await fill_form(
            pilot,
            {
                "project_name": "生态肉牛养殖圈舍及饲草料库建设",
                "project_location": "贞丰县挽澜镇联合村三组",
                "land_area": "12",
                "facility_type": "畜禽养殖设施",
                "survey_preferred_date": "2026-12-04",
            },
        )
        receipt_no = await accept_at_review(pilot, plan_shows=("第 1 阶段", "需联合踏勘"))

    stored = check_accepted(
        window,
        receipt_no,
        "facility_farmland_survey",
        {"facility_kind": "livestock", "involves_forest": "no", "near_water": "yes"},
        {
            ("natural_resources", 1): {"facility_farmland_filing"},
            ("agriculture", 1): {"facility_agriculture_opinion"},
            ("ecology_environment", 1): {"livestock_environment_opinion"},
            ("water_resources", 1): {"survey_water_opinion"},
        },
    )
    for payload in stored.envelopes.values():
        assert all(item["site_survey"] for item in payload["items"])
        assert values_of(payload).get("project_location", "贞丰县挽澜镇联合村三组") == "贞丰县挽澜镇联合村三组"
    filing = stored.envelope("natural_resources", 1)
    assert values_of(filing)["survey_preferred_date"] == "2026-12-04"
    assert values_of(filing)["enterprise_uscc"] == VALID_USCC
    assert filing["materials"]["village_opinion"]["state"] == "not_applicable"
    assert len(filing["parts"]) == 4
    assert "village_opinion" not in stored.envelope("ecology_environment", 1)["materials"]


# -- on the way -------------------------------------------------------------------------------


async def test_f2_in_the_middle_of_a_field_keeps_the_cursor_there(window):
    """Switching language mid-field: the clerk goes on typing where they were, nothing is replaced."""
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await search_and_start(pilot, "xsecs")
        await type_fields(pilot, ["岑春燕"])
        await type_text(pilot, MOTHER_ID[:10])
        await pilot.press("f2")
        await pilot.pause()
        assert language() == "en" and isinstance(app.screen, ApplicantScreen)
        assert app.focused is app.screen.query_one("#person-id", Input)
        await type_text(pilot, MOTHER_ID[10:])
        assert app.screen.query_one("#person-id", Input).value == MOTHER_ID
        assert app.screen.query_one("#person-name", Input).value == "岑春燕"
        await pilot.press("f2")
        await pilot.pause()
        assert language() == "zh"
