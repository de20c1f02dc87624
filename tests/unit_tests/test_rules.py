"""Cross-field rules: each kind refuses what a careful clerk would, in words naming the fields.

The rules are the catalog's data (``[[field.rule]]``, ``[[bundle.rule]]``); the first tests
check each kind alone on a few hand-made fields, the last ones the rules the shipped catalog
declares, through the one validation the screens and ``window-app accept`` share.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.domain.catalog import Bundle, Catalog, Choice, FieldRule, FormField, Offering
from window_app.domain.identifiers import resident_id_check_char
from window_app.domain.intake import FormLine, UnifiedForm
from window_app.domain.words import Words
from window_app.intake.form import migrate_merged_fields
from window_app.intake.guide import build_guide
from window_app.intake.io import parse_intake
from window_app.intake.rules import applicable_rules, describe_rule, fields_ruled_with, rule_problems
from window_app.intake.validate import validate_intake

TODAY = dt.date(2026, 11, 27)
EXAMPLES = Path(__file__).parents[2] / "examples" / "applications"


def rid(birth: str, sequence: str = "001") -> str:
    """A valid resident ID of 贞丰县 born on ``birth`` (YYYYMMDD); an odd last sequence digit
    is a man's, an even one a woman's."""
    first17 = "522325" + birth + sequence
    return first17 + resident_id_check_char(first17)


MAN = rid("19920708", "057")
WOMAN = rid("19940316", "028")

FIELDS = {
    field.id: field
    for field in (
        FormField("buyer_id", Words("买受人身份证号码", "Buyer's ID number"), "id_number"),
        FormField("seller_id", Words("出卖人身份证号码", "Seller's ID number"), "id_number"),
        FormField("birth_date", Words("子女出生日期", "Child's date of birth"), "date"),
        FormField("delivery", Words("入院日期", "Admission date"), "date"),
        FormField("name", Words("姓名", "Name")),
        FormField("alias", Words("曾用名", "Former name")),
        FormField(
            "sex_choice",
            Words("性别", "Sex"),
            "choice",
            choices=(Choice("male", Words("男", "Male")), Choice("female", Words("女", "Female"))),
        ),
    )
}
CATALOG = Catalog(version="t", name="t", regions={}, departments={}, materials={}, fields=FIELDS, items={}, bundles={})


def failures(rule: FieldRule, **values: str) -> list[tuple[str, tuple[str, ...], Words]]:
    return [(p.path, p.related, p.words) for p in rule_problems(CATALOG, [rule], values, today=TODAY)]


def only_words(rule: FieldRule, **values: str) -> Words:
    found = failures(rule, **values)
    assert len(found) == 1, found
    return found[0][2]


# -- each kind -----------------------------------------------------------------------------------


def test_different_refuses_the_same_id_and_names_both_fields() -> None:
    rule = FieldRule("different", "seller_id", other="buyer_id")
    assert failures(rule, seller_id=MAN, buyer_id=WOMAN) == []
    [(path, related, words)] = failures(rule, seller_id=MAN, buyer_id=MAN)
    assert (path, related) == ("fields.seller_id", ("fields.buyer_id",))
    assert "“出卖人身份证号码”" in words.zh and "“买受人身份证号码”" in words.zh
    assert "“Seller's ID number”" in words.en and "“Buyer's ID number”" in words.en
    # A check character typed in lowercase is the same number.
    x_id = next(rid("19800101", f"{n:03d}") for n in range(1, 200) if rid("19800101", f"{n:03d}").endswith("X"))
    assert failures(rule, seller_id=x_id.lower(), buyer_id=x_id)


def test_equal_refuses_different_values() -> None:
    rule = FieldRule("equal", "alias", other="name")
    assert failures(rule, alias="王小红", name="王小红") == []
    words = only_words(rule, alias="王红", name="王小红")
    assert words.zh == "“曾用名”应与“姓名”一致"
    assert words.en == "“Former name” must be the same as “Name”"


@pytest.mark.parametrize(
    ("check", "ok", "wrong", "zh", "en"),
    [
        ("before", "2026-11-19", "2026-11-20", "应早于", "must be before"),
        ("after", "2026-11-21", "2026-11-20", "应晚于", "must be after"),
        ("not_before", "2026-11-20", "2026-11-19", "不能早于", "cannot be before"),
        ("not_after", "2026-11-20", "2026-11-21", "不能晚于", "cannot be after"),
    ],
)
def test_date_order_between_two_fields(check: str, ok: str, wrong: str, zh: str, en: str) -> None:
    rule = FieldRule(check, "birth_date", other="delivery")
    assert failures(rule, birth_date=ok, delivery="2026-11-20") == []
    words = only_words(rule, birth_date=wrong, delivery="2026-11-20")
    assert words.zh == f"“子女出生日期”{zh}“入院日期”"
    assert words.en == f"“Child's date of birth” {en} “Admission date”"


def test_date_order_against_the_acceptance_date() -> None:
    rule = FieldRule("not_after", "birth_date", other="today")
    assert failures(rule, birth_date=TODAY.isoformat()) == []
    [(path, related, words)] = failures(rule, birth_date="2026-11-28")
    assert (path, related) == ("fields.birth_date", ())
    assert words.zh == "“子女出生日期”不能晚于今天（2026-11-27）"
    assert words.en == "“Child's date of birth” cannot be after today (2026-11-27)"


def test_date_order_with_a_limit_in_days() -> None:
    rule = FieldRule("not_after", "birth_date", other="today", within_days=365)
    assert failures(rule, birth_date="2025-11-27") == []
    words = only_words(rule, birth_date="2025-11-26")
    assert "相差366天，不能超过365天" in words.zh
    assert words.en == "“Child's date of birth” is 366 days from today; at most 365"


def test_date_order_reads_the_birth_date_in_an_id_number() -> None:
    rule = FieldRule("before", "buyer_id", other="birth_date")
    assert failures(rule, buyer_id=WOMAN, birth_date="2026-11-20") == []
    words = only_words(rule, buyer_id=rid("20261125", "028"), birth_date="2026-11-20")
    assert words.zh == "“买受人身份证号码”中的出生日期应早于“子女出生日期”"
    assert words.en == "the birth date in “Buyer's ID number” must be before “Child's date of birth”"


def test_equal_between_a_date_and_an_id_number_reads_the_birth_date_in_it() -> None:
    rule = FieldRule("equal", "buyer_id", other="birth_date")
    assert failures(rule, buyer_id=rid("20261120", "013"), birth_date="2026-11-20") == []
    words = only_words(rule, buyer_id=rid("20261120", "013"), birth_date="2026-11-21")
    assert words.zh == "“买受人身份证号码”中的出生日期应与“子女出生日期”一致"
    assert words.en == "the birth date in “Buyer's ID number” must be the same as “Child's date of birth”"


def test_sex_against_a_choice_field() -> None:
    rule = FieldRule("sex", "buyer_id", other="sex_choice")
    assert failures(rule, buyer_id=MAN, sex_choice="male") == []
    words = only_words(rule, buyer_id=MAN, sex_choice="female")
    assert words == Words("“买受人身份证号码”的性别与“性别”不一致", "The sex in “Buyer's ID number” does not match “Sex”")


def test_sex_from_the_seventeenth_digit() -> None:
    male = FieldRule("sex", "seller_id", sex="male")
    female = FieldRule("sex", "seller_id", sex="female")
    assert failures(male, seller_id=MAN) == [] and failures(female, seller_id=WOMAN) == []
    words = only_words(male, seller_id=WOMAN)
    assert words.zh == "“出卖人身份证号码”应为男性号码（第17位现为偶数）"
    assert words.en == "“Seller's ID number” must be a man's (17th digit is even)"
    assert only_words(female, seller_id=MAN).zh == "“出卖人身份证号码”应为女性号码（第17位现为奇数）"


@pytest.mark.parametrize("field", ["buyer_id", "birth_date"])
def test_age_limits_on_the_acceptance_date(field: str) -> None:
    rule = FieldRule("age", field, minimum=18, maximum=65)

    def born(date: str) -> str:
        return rid(date.replace("-", "")) if field == "buyer_id" else date

    assert failures(rule, **{field: born("2008-11-27")}) == []  # 18 today
    assert failures(rule, **{field: born("1960-11-28")}) == []  # 65 until tomorrow
    young = only_words(rule, **{field: born("2008-11-28")})
    assert young.zh.endswith("”：年龄17周岁，应年满18周岁") and young.en.endswith("”: aged 17, must be at least 18")
    old = only_words(rule, **{field: born("1960-11-27")})
    assert old.zh.endswith("”：年龄66周岁，不能超过65周岁") and old.en.endswith("”: aged 66, must be at most 65")


def test_a_rule_waits_while_a_field_is_blank_or_wrong_on_its_own() -> None:
    rule = FieldRule("different", "seller_id", other="buyer_id")
    assert failures(rule, seller_id=MAN, buyer_id="") == []
    assert failures(rule, seller_id=MAN) == []
    wrong = MAN[:-1] + ("0" if MAN[-1] != "0" else "1")  # check digit wrong: its own problem says so
    assert failures(rule, seller_id=wrong, buyer_id=wrong) == []
    assert failures(FieldRule("not_after", "birth_date", other="today"), birth_date="2026-13-01") == []


def test_rules_of_an_application_are_those_whose_fields_are_all_on_its_form() -> None:
    bundle_rule = FieldRule("different", "seller_id", other="buyer_id")
    field_rule = FieldRule("not_after", "birth_date", other="today")
    pair_rule = FieldRule("before", "birth_date", other="delivery")
    fields = {**FIELDS, "birth_date": dataclasses.replace(FIELDS["birth_date"], rules=(field_rule, pair_rule))}
    bundle = Bundle("b", Words("b"), "personal", "d", ("i",), rules=(bundle_rule,))

    def form(*ids: str) -> UnifiedForm:
        return UnifiedForm(lines=tuple(FormLine(fields[i], ("i",), True) for i in ids), requirements=len(ids))

    offering = Offering("bundle", bundle)
    assert applicable_rules(offering, form("seller_id", "buyer_id", "birth_date")) == (bundle_rule, field_rule)
    assert applicable_rules(offering, form("birth_date", "delivery")) == (field_rule, pair_rule)
    assert applicable_rules(offering, form("seller_id")) == ()
    assert fields_ruled_with([bundle_rule, pair_rule], "buyer_id") == ("seller_id",)
    assert fields_ruled_with([bundle_rule, pair_rule], "name") == ()


# -- the shipped catalog ----------------------------------------------------------------------------

SHIPPED = load_catalog(shipped_catalog_path())


def example(name: str):
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))
    assert intake is not None and problems == []
    return intake


def shipped_problems(intake) -> dict[str, Words]:
    offering = Offering("bundle", SHIPPED.bundles[intake.offering])
    found = validate_intake(SHIPPED, offering, intake, today=TODAY, region="522325")
    return {problem.path: problem.words for problem in found}


def test_house_transfer_refuses_a_seller_who_is_the_buyer() -> None:
    intake = example("house_transfer")
    assert shipped_problems(intake) == {}
    intake.fields["seller_id_number"] = intake.applicant.person.id_number
    found = shipped_problems(intake)
    assert list(found) == ["fields.seller_id_number"]
    assert found["fields.seller_id_number"].zh == "“出卖人身份证号码”与“申请人身份证号码”不能相同"


def test_newborn_checks_the_parents_ids_and_the_birth_date() -> None:
    intake = example("newborn")
    assert shipped_problems(intake) == {}
    intake.fields["father_id_number"] = intake.fields["mother_id_number"]  # a woman's number, the mother's
    found = shipped_problems(intake)
    assert set(found) == {"fields.father_id_number"}  # one field, two rules: the first is shown
    offering = Offering("bundle", SHIPPED.bundles["newborn"])
    every = [p.words.zh for p in validate_intake(SHIPPED, offering, intake, today=TODAY, region="522325")]
    assert "“父亲身份证号码”应为男性号码（第17位现为偶数）" in every
    assert "“父亲身份证号码”与“母亲身份证号码”不能相同" in every

    intake = example("newborn")
    intake.fields["child_birth_date"] = "2026-11-28"
    assert shipped_problems(intake)["fields.child_birth_date"].zh == "“子女出生日期”不能晚于今天（2026-11-27）"
    intake.fields["child_birth_date"] = "1990-01-01"  # before the mother was born
    assert "“母亲身份证号码”中的出生日期应早于“子女出生日期”" in shipped_problems(intake)["fields.mother_id_number"].zh


def test_business_startup_refuses_a_legal_representative_under_18() -> None:
    intake = example("business_startup")
    assert shipped_problems(intake) == {}
    minor = rid("20090101", "013")
    intake.applicant.enterprise.legal_representative.id_number = minor
    intake.fields["legal_rep_id_number"] = minor
    found = shipped_problems(intake)
    assert found["fields.legal_rep_id_number"].zh == "“法定代表人身份证号码”：年龄17周岁，应年满18周岁"


# -- one fact, one field ------------------------------------------------------------------------------


def test_delivery_date_is_the_childs_birth_date() -> None:
    assert "delivery_date" not in SHIPPED.fields
    assert SHIPPED.canonical_field("delivery_date") == "child_birth_date"
    claim = SHIPPED.items["maternity_allowance_claim"]
    [requirement] = [r for r in claim.fields if r.field == "child_birth_date"]
    assert requirement.label == Words("生育（分娩）日期", "Date of childbirth")  # the department's own name


def test_an_old_file_with_the_merged_id_still_loads() -> None:
    intake = example("newborn")
    intake.fields["delivery_date"] = intake.fields["child_birth_date"]  # as files said before the merge
    assert shipped_problems(intake) == {}
    assert migrate_merged_fields(SHIPPED, intake) == {"delivery_date": "child_birth_date"}
    assert "delivery_date" not in intake.fields and intake.fields["child_birth_date"] == "2026-11-20"

    intake = example("newborn")
    del intake.fields["child_birth_date"]
    intake.fields["delivery_date"] = "2026-11-20"
    migrate_merged_fields(SHIPPED, intake)
    assert intake.fields["child_birth_date"] == "2026-11-20"


def test_a_child_born_after_the_delivery_date_is_refused_naming_both() -> None:
    intake = example("newborn")
    intake.fields["delivery_date"] = "2026-11-19"  # the child "born" a day after the delivery
    found = shipped_problems(intake)
    words = found["fields.child_birth_date"]
    assert words.zh == "“子女出生日期”2026-11-20与旧字段“delivery_date”2026-11-19不一致（同一事实），请核对"
    assert words.en == (
        "“Child's date of birth” 2026-11-20 differs from the old field “delivery_date” 2026-11-19 (the same fact): "
        "check which is right"
    )
    assert migrate_merged_fields(SHIPPED, intake) == {}  # nothing is chosen silently


# -- what the guide says is checked ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "zh", "en"),
    [
        (
            FieldRule("different", "seller_id", other="buyer_id"),
            "“出卖人身份证号码”与“买受人身份证号码”不能相同",
            "“Seller's ID number” and “Buyer's ID number” must differ",
        ),
        (
            FieldRule("equal", "alias", other="name"),
            "“曾用名”应与“姓名”一致",
            "“Former name” must be the same as “Name”",
        ),
        (
            FieldRule("not_after", "birth_date", other="today", within_days=30),
            "“子女出生日期”不能晚于受理日期，相差不超过30天",
            "“Child's date of birth” cannot be after the acceptance date, at most 30 days apart",
        ),
        (
            FieldRule("sex", "buyer_id", sex="female"),
            "“买受人身份证号码”应为女性的号码",
            "“Buyer's ID number” must be a woman's number",
        ),
        (
            FieldRule("age", "buyer_id", minimum=18),
            "按“买受人身份证号码”中的出生日期，应年满18周岁",
            "By the birth date in “Buyer's ID number”, aged 18 or older",
        ),
        (
            FieldRule("age", "birth_date", minimum=18, maximum=65),
            "按“子女出生日期”，年龄应为18至65周岁",
            "By “Child's date of birth”, aged 18 to 65",
        ),
        (
            FieldRule("age", "birth_date", maximum=16),
            "按“子女出生日期”，不能超过16周岁",
            "By “Child's date of birth”, aged 16 or younger",
        ),
        (
            FieldRule("equal", "buyer_id", other="birth_date"),
            "“买受人身份证号码”中的出生日期应与“子女出生日期”一致",
            "the birth date in “Buyer's ID number” must be the same as “Child's date of birth”",
        ),
        (
            FieldRule("sex", "buyer_id", other="sex_choice"),
            "“买受人身份证号码”的性别应与“性别”一致",
            "The sex in “Buyer's ID number” must match “Sex”",
        ),
    ],
)
def test_each_rule_is_described_in_words(rule: FieldRule, zh: str, en: str) -> None:
    assert describe_rule(rule, FIELDS) == Words(zh, en)


def test_the_guide_lists_the_checks_of_the_application() -> None:
    intake = example("house_transfer")
    guide = build_guide(SHIPPED, Offering("bundle", SHIPPED.bundles["house_transfer"]), intake)
    assert guide.to_json()["checks"] == [
        {
            "check": "different",
            "field": "seller_id_number",
            "other": "applicant_id_number",
            "text": "“出卖人身份证号码”与“申请人身份证号码”不能相同",
            "text_en": "“Seller's resident ID number” and “Applicant's resident ID number” must differ",
        }
    ]
