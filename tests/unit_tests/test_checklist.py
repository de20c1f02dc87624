"""The merged checklist: the same ID card is asked once, not once per item."""

from __future__ import annotations

from catalog_builders import build_catalog

from window_app.intake.checklist import merge_checklist

CATALOG = build_catalog()


def items(*ids: str):
    return [CATALOG.items[item_id] for item_id in ids]


def lines_by_id(checklist):
    return {line.material.id: line for line in checklist.lines}


def test_each_material_appears_once_with_every_item_that_needs_it() -> None:
    checklist = merge_checklist(CATALOG, items("business_licence", "seal_engraving", "tax_registration"), {})
    ids = [line.material.id for line in checklist.lines]
    assert ids == ["id_card", "premises_proof", "articles_of_association", "seal_form"]
    id_card = lines_by_id(checklist)["id_card"]
    assert id_card.needed_by == ("business_licence", "seal_engraving", "tax_registration")
    assert id_card.departments == ("market_regulation", "public_security", "tax")


def test_saved_counts_the_copies_not_brought_twice() -> None:
    checklist = merge_checklist(CATALOG, items("business_licence", "seal_engraving", "tax_registration"), {})
    # item by item: 3 + 2 + 2 = 7 materials; merged: 4
    assert checklist.requirements == 7
    assert len(checklist.lines) == 4
    assert checklist.saved == 3
    assert checklist.shareable_count == 1


def test_order_follows_the_stages_not_the_order_given() -> None:
    given = items("tax_registration", "seal_engraving", "business_licence")
    checklist = merge_checklist(CATALOG, given, {})
    assert [line.material.id for line in checklist.lines] == [
        "id_card",
        "premises_proof",
        "articles_of_association",
        "seal_form",
    ]
    assert lines_by_id(checklist)["premises_proof"].needed_by == ("business_licence", "tax_registration")


def test_departments_are_listed_once_each() -> None:
    checklist = merge_checklist(CATALOG, items("business_licence", "tax_registration", "invoice_application"), {})
    assert lines_by_id(checklist)["id_card"].departments == ("market_regulation", "tax")
    assert lines_by_id(checklist)["id_card"].needed_by == ("business_licence", "tax_registration", "invoice_application")


def test_original_is_required_if_any_item_wants_it() -> None:
    checklist = merge_checklist(CATALOG, items("business_licence", "tax_registration"), {})
    assert lines_by_id(checklist)["premises_proof"].original_required is True  # the licence wants it
    assert lines_by_id(checklist)["id_card"].original_required is False
    tax_alone = merge_checklist(CATALOG, items("tax_registration"), {})
    assert lines_by_id(tax_alone)["premises_proof"].original_required is False


def test_conditional_material_only_when_the_answer_holds() -> None:
    newborn = items("birth_certificate", "hukou_registration")
    married = merge_checklist(CATALOG, newborn, {"parents_married": "yes"})
    unmarried = merge_checklist(CATALOG, newborn, {"parents_married": "no"})
    assert lines_by_id(married)["marriage_certificate"].needed_by == ("birth_certificate", "hukou_registration")
    assert "marriage_certificate" not in lines_by_id(unmarried)
    assert married.requirements == unmarried.requirements + 2


def test_a_condition_on_a_question_not_asked_does_not_hold() -> None:
    # 食品经营许可 alone cannot ask 企业开办's invoice question: its conditional material drops out
    checklist = merge_checklist(CATALOG, items("food_licence"), {})
    assert [line.material.id for line in checklist.lines] == ["food_safety_plan", "premises_proof"]


def test_no_items_no_materials() -> None:
    checklist = merge_checklist(CATALOG, [], {})
    assert checklist.lines == ()
    assert checklist.saved == 0
