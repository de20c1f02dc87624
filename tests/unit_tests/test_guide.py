"""The guide: which items are in, under which answers; what a fresh intake looks like."""

from __future__ import annotations

import json

from catalog_builders import build_catalog, newborn_intake, offering_of

from window_app.domain.intake import Intake, MaterialStatus
from window_app.intake.guide import build_guide, new_intake, reconcile_intake
from window_app.intake.selection import effective_answers, selected_items

CATALOG = build_catalog()
NEWBORN = offering_of(CATALOG, "newborn")
OPENING = offering_of(CATALOG, "enterprise_opening")


def ids(items) -> list[str]:
    return [item.id for item in items]


# -- selection ----------------------------------------------------------------------------


def test_default_answers_switch_on_their_optional_items() -> None:
    intake = Intake(offering="newborn")  # nothing answered: defaults apply
    assert effective_answers(NEWBORN.bundle, intake) == {"parents_married": "yes", "wants_social_card": "yes"}
    assert ids(selected_items(CATALOG, NEWBORN.bundle, intake)) == [
        "birth_certificate",
        "hukou_registration",
        "medical_insurance_enrolment",
        "social_security_card",
    ]


def test_an_answer_can_leave_an_optional_item_out() -> None:
    intake = Intake(offering="newborn", answers={"wants_social_card": "no"})
    assert "social_security_card" not in ids(selected_items(CATALOG, NEWBORN.bundle, intake))


def test_the_applicant_may_decline_what_an_answer_switched_on() -> None:
    intake = Intake(offering="newborn", declined_optional=["social_security_card"])
    assert "social_security_card" not in ids(selected_items(CATALOG, NEWBORN.bundle, intake))


def test_the_applicant_may_choose_an_optional_item_no_answer_switched_on() -> None:
    intake = Intake(offering="newborn", chosen_optional=["newborn_bank_card"])
    assert ids(selected_items(CATALOG, NEWBORN.bundle, intake))[-1] == "newborn_bank_card"


def test_choosing_an_item_not_optional_here_changes_nothing() -> None:
    intake = Intake(offering="newborn", chosen_optional=["bank_account", "birth_certificate"])
    assert ids(selected_items(CATALOG, NEWBORN.bundle, intake)).count("birth_certificate") == 1
    assert "bank_account" not in ids(selected_items(CATALOG, NEWBORN.bundle, intake))


def test_answers_to_unknown_questions_are_ignored() -> None:
    intake = Intake(offering="newborn", answers={"has_car": "yes"})
    assert "has_car" not in effective_answers(NEWBORN.bundle, intake)


# -- the guide ----------------------------------------------------------------------------


def test_guide_items_are_in_stage_order_with_optional_states() -> None:
    intake = Intake(offering="enterprise_opening", answers={"needs_invoice": "yes"}, chosen_optional=["bank_account"])
    guide = build_guide(CATALOG, OPENING, intake)
    assert ids(guide.items) == [
        "business_licence",
        "seal_engraving",
        "tax_registration",
        "bank_account",
        "invoice_application",
    ]
    assert [(item.id, selected) for item, selected in guide.optional] == [
        ("bank_account", True),
        ("invoice_application", True),
    ]
    assert guide.departments == ("market_regulation", "public_security", "tax", "bank")
    assert guide.promised_days == 1 + 1 + 2


def test_material_counts_before_and_after_merging() -> None:
    guide = build_guide(CATALOG, NEWBORN, Intake(offering="newborn"))
    # birth 2, hukou 4, insurance 2, social card 1 → 9 item by item; 4 distinct materials
    assert guide.material_count_before == 9
    assert guide.material_count_after == 4


def test_guide_json_has_what_the_cli_prints() -> None:
    data = build_guide(CATALOG, NEWBORN, Intake(offering="newborn", answers={"parents_married": "no"})).to_json()
    json.dumps(data, ensure_ascii=False)  # JSON-able as it is
    assert data["bundle"] == {
        "id": "newborn",
        "name": "出生一件事",
        "name_en": "A child is born",
        "kind": "bundle",
        "lead_department": "public_security",
    }
    assert data["items"] == ["birth_certificate", "hukou_registration", "medical_insurance_enrolment", "social_security_card"]
    assert [material["id"] for material in data["materials"]] == ["id_card", "birth_medical_certificate", "hukou_booklet"]
    birth = data["materials"][1]
    assert birth == {
        "id": "birth_medical_certificate",
        "name": "出生医学证明",
        "name_en": "Birth medical certificate",
        "needed_by": ["hukou_registration"],
        "departments": ["public_security"],
        "shareable": False,
        "key": True,
        "original_required": True,
    }
    assert "father_id_number" not in data["fields"]
    assert {"id", "label", "type", "required", "used_by"} <= set(data["form"][0])
    assert data["stages"] == [["birth_certificate"], ["hukou_registration"], ["medical_insurance_enrolment", "social_security_card"]]
    assert data["external_prerequisites"] == {}
    assert data["departments"] == ["health", "public_security", "medical_insurance", "social_security"]
    assert data["promised_days"] == 1 + 1 + 10
    assert data["requirements_saved"]["materials"] == {"before": 7, "after": 3, "saved": 4}


def test_a_single_item_offering_lists_its_external_prerequisite() -> None:
    food = offering_of(CATALOG, "food_licence")
    data = build_guide(CATALOG, food, new_intake(CATALOG, food)).to_json()
    assert data["bundle"]["kind"] == "item"
    assert data["external_prerequisites"] == {"business_licence": ["food_licence"]}
    assert data["promised_days"] == 10


# -- a fresh intake -----------------------------------------------------------------------


def test_new_intake_starts_at_the_defaults() -> None:
    intake = new_intake(CATALOG, NEWBORN)
    assert intake.offering == "newborn"
    assert intake.answers == {"parents_married": "yes", "wants_social_card": "yes"}
    assert intake.applicant.kind == "person"
    assert {material: status.state for material, status in intake.materials.items()} == {
        "id_card": "shared",
        "marriage_certificate": "shared",
        "hukou_booklet": "shared",
    }
    assert not any(status.verify_online for status in intake.materials.values())


def test_new_intake_for_an_enterprise_bundle() -> None:
    intake = new_intake(CATALOG, OPENING)
    assert intake.applicant.kind == "enterprise"
    assert intake.answers == {"needs_invoice": "no"}


def test_reconcile_drops_what_no_longer_applies_and_keeps_the_rest() -> None:
    intake = newborn_intake()
    intake.materials["marriage_certificate"] = MaterialStatus("original")
    intake.answers["parents_married"] = "no"
    reconcile_intake(intake, build_guide(CATALOG, NEWBORN, intake))
    assert "marriage_certificate" not in intake.materials
    assert "father_id_number" not in intake.fields
    assert intake.materials["birth_medical_certificate"].state == "original"
    assert intake.fields["child_name"] == "王小明"


def test_reconcile_starts_new_shareable_materials_as_shared() -> None:
    intake = newborn_intake()
    intake.answers["parents_married"] = "no"
    reconcile_intake(intake, build_guide(CATALOG, NEWBORN, intake))
    intake.answers["parents_married"] = "yes"
    reconcile_intake(intake, build_guide(CATALOG, NEWBORN, intake))
    assert intake.materials["marriage_certificate"].state == "shared"
