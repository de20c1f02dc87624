"""The unified form: each field once, grouped, prefilled; and each value checked by its type."""

from __future__ import annotations

from dataclasses import replace

import pytest
from catalog_builders import (
    HUAWEI_USCC,
    LANDLINE,
    MOBILE,
    MOTHER_ID,
    TODAY,
    WINDOW_REGION,
    build_catalog,
    newborn_intake,
    opening_intake,
)

from window_app.domain.catalog import FieldRequirement, FormField
from window_app.domain.intake import Intake, Person
from window_app.domain.words import Words
from window_app.intake.fields import check_field
from window_app.intake.form import apply_prefill, form_values, merge_form, prefill_values

CATALOG = build_catalog()


def items(*ids: str):
    return [CATALOG.items[item_id] for item_id in ids]


def opening_form():
    return merge_form(CATALOG, items("business_licence", "seal_engraving", "tax_registration"), {})


# -- merging ------------------------------------------------------------------------------


def test_each_field_is_asked_once_however_many_items_use_it() -> None:
    form = opening_form()
    ids = [line.field.id for line in form.lines]
    assert ids.count("enterprise_name") == 1
    assert len(ids) == len(set(ids)) == 8
    # item by item: licence 8 fields, seal 2, tax 2 → 12 asked, 4 of them twice
    assert form.requirements == 12
    assert form.saved == 4


def test_used_by_lists_the_items_in_stage_order() -> None:
    form = merge_form(CATALOG, items("tax_registration", "seal_engraving", "business_licence"), {})
    used_by = {line.field.id: line.used_by for line in form.lines}
    # the licence comes first (stage 1) whatever order the items were given in
    assert used_by["enterprise_name"] == ("business_licence", "tax_registration", "seal_engraving")
    assert used_by["registered_capital"] == ("business_licence",)


def test_fields_are_grouped_by_section_in_first_appearance_order() -> None:
    form = merge_form(CATALOG, items("birth_certificate", "hukou_registration"), {"parents_married": "yes"})
    groups = [line.field.group.zh for line in form.lines]
    assert groups == ["申请人", "申请人", "申请人", "子女", "子女", "子女"]
    # father_id_number first appears with the second item but belongs with the applicant
    assert [line.field.id for line in form.lines][:3] == ["applicant_name", "applicant_id_number", "father_id_number"]


def test_a_field_is_required_if_any_item_requires_it() -> None:
    alone = merge_form(CATALOG, items("tax_registration"), {})
    assert {line.field.id: line.required for line in alone.lines}["applicant_phone"] is False
    together = opening_form()
    assert {line.field.id: line.required for line in together.lines}["applicant_phone"] is True


def test_optional_field_stays_optional() -> None:
    required = {line.field.id: line.required for line in opening_form().lines}
    assert required["opening_date"] is False
    assert required["enterprise_name"] is True


def test_conditional_field_appears_only_when_its_answer_holds() -> None:
    married = merge_form(CATALOG, items("hukou_registration"), {"parents_married": "yes"})
    unmarried = merge_form(CATALOG, items("hukou_registration"), {"parents_married": "no"})
    assert "father_id_number" in [line.field.id for line in married.lines]
    assert "father_id_number" not in [line.field.id for line in unmarried.lines]
    assert unmarried.requirements == married.requirements - 1


# -- prefill ------------------------------------------------------------------------------


def test_prefill_takes_applicant_and_window_values() -> None:
    intake = opening_intake()
    values = prefill_values(opening_form(), intake.applicant, WINDOW_REGION)
    assert values == {
        "applicant_name": "李四",
        "applicant_phone": LANDLINE,
        "enterprise_name": "贞丰县好运来餐饮有限公司",
        "business_region": "522325",
    }  # the contact's ID number is empty, so it is not prefilled


def test_apply_prefill_fills_only_empty_fields() -> None:
    intake = newborn_intake()
    intake.fields["applicant_name"] = "王小红（母亲）"
    intake.fields["applicant_id_number"] = ""
    form = merge_form(CATALOG, items("birth_certificate"), {})
    filled = apply_prefill(intake, form, WINDOW_REGION)
    assert filled == {"applicant_id_number": MOTHER_ID}
    assert intake.fields["applicant_name"] == "王小红（母亲）"
    assert intake.fields["applicant_id_number"] == MOTHER_ID


def test_prefill_from_an_absent_agent_is_empty() -> None:
    catalog = build_catalog()
    field = FormField("agent_name", Words("代办人姓名", "Agent"), prefill="applicant.agent.name")
    fields = {**catalog.fields, "agent_name": field}
    item = replace(catalog.items["id_card_renewal"], fields=(FieldRequirement("agent_name"),))
    catalog = replace(catalog, fields=fields, items={**catalog.items, "id_card_renewal": item})
    form = merge_form(catalog, [item], {})
    intake = Intake(offering="id_card_renewal")
    assert prefill_values(form, intake.applicant, WINDOW_REGION) == {}
    intake.applicant.agent = Person("赵六", "522325198805120012", MOBILE)
    assert prefill_values(form, intake.applicant, WINDOW_REGION) == {"agent_name": "赵六"}


def test_form_values_do_not_change_the_intake() -> None:
    intake = opening_intake()
    before = dict(intake.fields)
    values = form_values(intake, opening_form(), WINDOW_REGION)
    assert values["enterprise_name"] == "贞丰县好运来餐饮有限公司"
    assert values["registered_capital"] == "50"
    assert intake.fields == before


# -- checking one value -------------------------------------------------------------------

F = CATALOG.fields


def check(field_id: str, value: str | None, **kwargs):
    return check_field(F[field_id], value, today=TODAY, catalog=CATALOG, **kwargs)


@pytest.mark.parametrize(
    ("field_id", "value"),
    [
        ("applicant_name", "王小红"),
        ("applicant_id_number", "11010519491231002X"),
        ("applicant_phone", MOBILE),
        ("applicant_phone", LANDLINE),
        ("enterprise_name", "贞丰县好运来餐饮有限公司"),
        ("registered_capital", "50"),
        ("registered_capital", "0.5"),
        ("registered_capital", "100000"),
        ("business_region", "522325"),
        ("opening_date", "2026-12-01"),
        ("postcode", "562200"),
        ("child_birth_date", "2026-11-20"),
        ("child_sex", "female"),
        ("needs_paper_card", "true"),
        ("needs_paper_card", "false"),
    ],
)
def test_good_values_pass(field_id: str, value: str) -> None:
    assert check(field_id, value) is None


@pytest.mark.parametrize(
    ("field_id", "value", "says"),
    [
        ("applicant_name", "", "请填写“申请人姓名”"),
        ("applicant_name", "   ", "请填写“申请人姓名”"),
        ("applicant_id_number", "110105194912310021", "校验码不正确"),
        ("applicant_phone", "12345", "电话号码格式不正确"),
        ("enterprise_name", "好运", "至少4个字"),
        ("enterprise_name", "好" * 51, "最多50个字"),
        ("registered_capital", "五十", "请填写数字"),
        ("registered_capital", "nan", "请填写数字"),
        ("registered_capital", "1e3", "请填写数字"),
        ("registered_capital", "0", "不能小于0.01"),
        ("registered_capital", "100001", "不能大于100000"),
        ("business_region", "522399", "目录中没有该行政区划代码"),
        ("business_region", "5223", "6位数字"),
        ("opening_date", "2026/12/01", "YYYY-MM-DD"),
        ("opening_date", "20261201", "YYYY-MM-DD"),
        ("opening_date", "2026-02-30", "YYYY-MM-DD"),
        ("child_birth_date", "1026-11-20", "合理范围"),
        ("postcode", "56220", "格式不正确（6位数字）"),
        ("child_sex", "男", "请从以下选项中选择：男、女"),
        ("needs_paper_card", "yes", "true / false"),
    ],
)
def test_bad_values_say_why(field_id: str, value: str, says: str) -> None:
    invalid = check(field_id, value)
    assert invalid is not None
    assert says in invalid.zh
    assert invalid.en


def test_wrong_format_quotes_the_hint_in_each_language() -> None:
    invalid = check("postcode", "56220")
    assert invalid is not None
    assert invalid.zh == "格式不正确（6位数字）"
    assert invalid.en == "Wrong format (6 digits)"


def test_wrong_format_without_an_english_hint_quotes_no_chinese() -> None:
    field = replace(F["postcode"], hint=Words(F["postcode"].hint.zh, ""))
    invalid = check_field(field, "56220", today=TODAY, catalog=CATALOG)
    assert invalid is not None
    assert invalid.en == "Wrong format"


def test_empty_optional_field_is_fine() -> None:
    assert check("opening_date", "") is None
    assert check("postcode", None) is None


def test_the_form_can_make_a_field_required_or_optional() -> None:
    assert check("opening_date", "", required=True) is not None
    assert check("applicant_name", "", required=False) is None


def test_region_without_a_catalog_checks_only_the_shape() -> None:
    assert check_field(F["business_region"], "110105", today=TODAY) is None
    assert check_field(F["business_region"], "11010", today=TODAY) is not None


def test_uscc_field_uses_the_gb_32100_check() -> None:
    field = FormField("uscc", Words("统一社会信用代码", "USCC"), "uscc")
    assert check_field(field, HUAWEI_USCC, today=TODAY) is None
    assert "校验码不正确" in check_field(field, "914403001922038215", today=TODAY).zh
