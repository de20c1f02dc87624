"""The dispatch plan: what goes out in parallel, what waits for a result."""

from __future__ import annotations

import pytest
from catalog_builders import build_catalog

from window_app.domain.catalog import Item
from window_app.domain.words import Words
from window_app.intake.stages import in_stage_order, plan_dispatch

CATALOG = build_catalog()


def items(*ids: str, catalog=CATALOG):
    return [catalog.items[item_id] for item_id in ids]


def stage_ids(plan):
    return [[item.id for item in stage.items] for stage in plan.stages]


def test_licence_first_then_seal_tax_and_bank_in_parallel() -> None:
    plan = plan_dispatch(CATALOG, items("business_licence", "seal_engraving", "tax_registration", "bank_account"))
    assert stage_ids(plan) == [["business_licence"], ["seal_engraving", "tax_registration", "bank_account"]]
    assert [stage.number for stage in plan.stages] == [1, 2]
    assert plan.stages[1].departments == ("public_security", "tax", "bank")
    assert plan.external_prerequisites == {}


def test_a_stage_is_one_after_its_latest_prerequisite() -> None:
    plan = plan_dispatch(CATALOG, items("invoice_application", "tax_registration", "seal_engraving", "business_licence"))
    assert stage_ids(plan) == [["business_licence"], ["tax_registration", "seal_engraving"], ["invoice_application"]]


def test_promised_days_add_up_stage_by_stage() -> None:
    plan = plan_dispatch(CATALOG, items("business_licence", "seal_engraving", "tax_registration", "invoice_application"))
    # licence 1 day; seal 0 and tax 1 in parallel → 1; invoices 2
    assert plan.promised_days == 1 + 1 + 2


def test_prerequisite_not_in_the_application_is_external() -> None:
    plan = plan_dispatch(CATALOG, items("food_licence"))
    assert stage_ids(plan) == [["food_licence"]]
    assert plan.external_prerequisites == {"business_licence": ("food_licence",)}


def test_external_prerequisite_lists_every_item_that_needs_it() -> None:
    plan = plan_dispatch(CATALOG, items("seal_engraving", "tax_registration"))
    assert stage_ids(plan) == [["seal_engraving", "tax_registration"]]
    assert plan.external_prerequisites == {"business_licence": ("seal_engraving", "tax_registration")}


def test_the_plan_does_not_depend_on_duplicates() -> None:
    plan = plan_dispatch(CATALOG, items("business_licence", "business_licence", "seal_engraving"))
    assert stage_ids(plan) == [["business_licence"], ["seal_engraving"]]


def test_newborn_chain() -> None:
    selected = items("birth_certificate", "hukou_registration", "medical_insurance_enrolment", "social_security_card")
    plan = plan_dispatch(CATALOG, selected)
    assert stage_ids(plan) == [
        ["birth_certificate"],
        ["hukou_registration"],
        ["medical_insurance_enrolment", "social_security_card"],
    ]
    assert [item.id for item in in_stage_order(CATALOG, reversed(selected))] == [
        "birth_certificate",
        "hukou_registration",
        "social_security_card",
        "medical_insurance_enrolment",
    ]


def test_no_items_no_stages() -> None:
    plan = plan_dispatch(CATALOG, [])
    assert plan.stages == ()
    assert plan.promised_days == 0


def test_a_cycle_is_named() -> None:
    looped = {
        "land_survey": Item("land_survey", Words("土地勘测", "Land survey"), "market_regulation", 1, 5, 5, prerequisites=("planning",)),
        "planning": Item("planning", Words("规划许可", "Planning"), "market_regulation", 1, 5, 5, prerequisites=("land_survey",)),
    }
    catalog = build_catalog(looped)
    with pytest.raises(ValueError, match="land_survey → planning → land_survey"):
        plan_dispatch(catalog, items("land_survey", "planning", catalog=catalog))
