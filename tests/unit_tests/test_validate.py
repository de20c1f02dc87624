"""The one validation the screens and ``window-app accept`` share."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from catalog_builders import (
    AGENT_ID,
    HUAWEI_USCC,
    MOBILE,
    MOTHER_ID,
    TODAY,
    WINDOW_REGION,
    build_catalog,
    newborn_intake,
    offering_of,
    opening_intake,
)

from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.domain.intake import Enterprise, Intake, MaterialStatus, Person
from window_app.domain.words import Words
from window_app.intake.guide import new_intake
from window_app.intake.validate import validate_intake

CATALOG = build_catalog()


def problems(intake: Intake, step: str | None = None, offering_id: str | None = None) -> dict[str, str]:
    """Path → Chinese message (one problem per path in these tests)."""
    offering = offering_of(CATALOG, offering_id or intake.offering)
    found = validate_intake(CATALOG, offering, intake, step=step, today=TODAY, region=WINDOW_REGION)
    for problem in found:
        assert problem.words.zh and problem.words.en
    return {problem.path: problem.words.zh for problem in found}


def test_a_question_of_fact_starts_unanswered_and_must_be_answered() -> None:
    # 买受人婚姻状况 has no default in the shipped catalog: a fresh intake leaves it unanswered,
    # and the situation step (the screen's Next, and accept) is refused until it is answered.
    shipped = load_catalog(shipped_catalog_path())
    offering = offering_of(shipped, "house_transfer")
    marital = next(q for q in offering.bundle.questions if q.id == "buyer_marital")
    assert marital.default == ""
    intake = new_intake(shipped, offering)
    assert "buyer_marital" not in intake.answers
    assert intake.answers["utilities"] == "yes"  # a choice keeps its usual answer
    found = validate_intake(shipped, offering, intake, step="situation", today=TODAY, region=WINDOW_REGION)
    said = {problem.path: problem.words for problem in found}
    assert said["answers.buyer_marital"] == Words("请回答：买受人婚姻状况？", "Answer: Buyer's marital status?")
    intake.answers["buyer_marital"] = "married"
    intake.answers["has_gas"] = "no"
    assert validate_intake(shipped, offering, intake, step="situation", today=TODAY, region=WINDOW_REGION) == []


def test_complete_intakes_are_accepted() -> None:
    assert problems(newborn_intake()) == {}
    assert problems(opening_intake()) == {}


def test_intake_for_another_offering() -> None:
    intake = newborn_intake()
    assert "offering" in problems(intake, offering_id="enterprise_opening")


def test_unknown_step_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown step"):
        problems(newborn_intake(), step="payment")


def test_one_step_reports_only_its_own_problems() -> None:
    intake = newborn_intake()
    intake.applicant.agent = Person("赵六", AGENT_ID, "123")
    intake.fields["child_name"] = ""
    assert set(problems(intake, step="applicant")) == {"applicant.agent.phone"}
    assert set(problems(intake, step="form")) == {"fields.child_name"}
    assert problems(intake, step="situation") == {}
    assert set(problems(intake)) == {"applicant.agent.phone", "fields.child_name"}


def test_a_wrong_applicant_phone_shows_at_the_applicant_and_in_the_prefilled_form() -> None:
    intake = newborn_intake()
    intake.applicant.person.phone = "123"
    assert set(problems(intake)) == {"applicant.person.phone", "fields.applicant_phone"}


# -- applicant ----------------------------------------------------------------------------


def test_person_needs_name_valid_id_and_phone() -> None:
    intake = newborn_intake()
    intake.applicant.person = Person("", "52232519900307002", "0851")
    found = problems(intake, step="applicant")
    assert found == {
        "applicant.person.name": "请填写姓名",
        "applicant.person.id_number": "身份证号码应为18位，现为17位",
        "applicant.person.phone": found["applicant.person.phone"],
    }
    assert "电话号码格式不正确" in found["applicant.person.phone"]


def test_wrong_check_digit_is_shown_at_the_field() -> None:
    intake = newborn_intake()
    intake.applicant.person.id_number = "522325199003070021"
    assert problems(intake, step="applicant") == {"applicant.person.id_number": "身份证号码校验码不正确"}


def test_an_enterprise_cannot_take_a_personal_bundle() -> None:
    intake = newborn_intake()
    intake.applicant.kind = "enterprise"
    assert problems(intake, step="applicant") == {"applicant.kind": "本事项的申请人应为个人"}


def test_an_item_alone_accepts_the_kinds_it_lists() -> None:
    intake = Intake(
        offering="id_card_renewal",
        applicant=opening_intake().applicant,
    )
    intake.applicant.enterprise.uscc = HUAWEI_USCC
    assert problems(intake, step="applicant") == {}


def test_enterprise_opening_needs_no_credit_code_yet() -> None:
    intake = opening_intake()
    assert intake.applicant.enterprise.uscc == ""
    assert problems(intake, step="applicant") == {}


def test_a_credit_code_given_is_checked_even_when_not_required() -> None:
    intake = opening_intake()
    intake.applicant.enterprise.uscc = "914403001922038215"
    assert problems(intake, step="applicant") == {"applicant.enterprise.uscc": "统一社会信用代码校验码不正确"}


def test_an_existing_enterprise_needs_its_credit_code() -> None:
    intake = Intake(offering="food_licence", applicant=opening_intake().applicant)
    assert problems(intake, step="applicant") == {"applicant.enterprise.uscc": "请填写统一社会信用代码"}
    intake.applicant.enterprise.uscc = HUAWEI_USCC
    assert problems(intake, step="applicant") == {}


def test_enterprise_needs_a_name_and_a_contact() -> None:
    intake = opening_intake()
    intake.applicant.enterprise.name = " "
    intake.applicant.person.phone = ""
    assert problems(intake, step="applicant") == {
        "applicant.enterprise.name": "请填写企业名称",
        "applicant.person.phone": "请填写联系电话",
    }


def test_legal_representative_details_are_checked_when_given() -> None:
    intake = opening_intake()
    intake.applicant.enterprise.legal_representative = Person("张三", "522301197511030041", "")
    assert problems(intake, step="applicant") == {
        "applicant.enterprise.legal_representative.id_number": "身份证号码校验码不正确"
    }


def test_agent_is_checked_when_present() -> None:
    intake = newborn_intake()
    intake.applicant.agent = Person("赵六", "", "1398591234")
    found = problems(intake, step="applicant")
    assert set(found) == {"applicant.agent.id_number", "applicant.agent.phone"}
    intake.applicant.agent = Person("赵六", AGENT_ID, MOBILE)
    assert problems(intake, step="applicant") == {}


def test_the_applicant_cannot_be_their_own_agent() -> None:
    intake = newborn_intake()
    intake.applicant.agent = Person("王小红", MOTHER_ID.lower(), MOBILE)
    assert problems(intake, step="applicant") == {"applicant.agent.id_number": "代办人不能是申请人本人"}


# -- situation ----------------------------------------------------------------------------


def test_answers_must_be_options_of_known_questions() -> None:
    intake = newborn_intake()
    intake.answers = {"parents_married": "maybe", "has_car": "yes"}
    found = problems(intake, step="situation")
    assert found["answers.has_car"] == "本事项没有这个问题"
    assert found["answers.parents_married"] == "答案应为以下之一：yes（是）、no（否）"


def test_chosen_items_must_be_optional_here() -> None:
    intake = newborn_intake()
    intake.chosen_optional = ["bank_account"]
    intake.declined_optional = ["no_such_item"]
    found = problems(intake, step="situation")
    assert found["chosen_optional"] == "“银行开户”不是本事项的可选事项"
    assert found["declined_optional"] == "“no_such_item”不是本事项的可选事项"


def test_an_item_cannot_be_both_chosen_and_declined() -> None:
    intake = newborn_intake()
    intake.chosen_optional = ["newborn_bank_card"]
    intake.declined_optional = ["newborn_bank_card"]
    assert "declined_optional" in problems(intake, step="situation")


# -- checklist ----------------------------------------------------------------------------


def test_every_material_needs_a_decision() -> None:
    intake = newborn_intake()
    del intake.materials["birth_medical_certificate"]
    intake.materials["id_card"] = MaterialStatus("pending")
    assert problems(intake, step="checklist") == {
        "materials.id_card": "请确认该材料的收取情况",
        "materials.birth_medical_certificate": "请确认该材料的收取情况",
    }


def test_a_shareable_material_not_recorded_counts_as_shared() -> None:
    intake = newborn_intake()
    del intake.materials["hukou_booklet"]
    assert problems(intake, step="checklist") == {}


def test_only_shareable_materials_can_be_verified_by_data_sharing() -> None:
    intake = newborn_intake()
    intake.materials["birth_medical_certificate"] = MaterialStatus("shared")
    assert problems(intake, step="checklist") == {
        "materials.birth_medical_certificate": "该材料不能通过数据共享核验"
    }


def test_a_copy_is_not_enough_where_the_original_must_be_seen() -> None:
    intake = newborn_intake()
    intake.materials["birth_medical_certificate"] = MaterialStatus("copy")
    assert problems(intake, step="checklist") == {"materials.birth_medical_certificate": "该材料须核验原件"}


def test_not_applicable_is_a_decision() -> None:
    intake = newborn_intake()
    intake.materials["hukou_booklet"] = MaterialStatus("not_applicable", note="新立户")
    assert problems(intake, step="checklist") == {}


def test_key_material_cannot_be_deficient() -> None:
    intake = newborn_intake()
    intake.materials["birth_medical_certificate"] = MaterialStatus("deficient", promised_date="2026-12-01")
    assert problems(intake, step="checklist") == {"materials.birth_medical_certificate": "关键材料不能容缺受理"}


@pytest.mark.parametrize(
    ("promised_date", "says"),
    [
        ("", "容缺受理须填写承诺补交日期"),
        ("2026/12/01", "承诺补交日期格式应为YYYY-MM-DD"),
        ("2026-11-27", "承诺补交日期应晚于今天"),
        ("2026-11-01", "承诺补交日期应晚于今天"),
        # hukou registration's 5 working days from Friday 27 November end on Friday 4 December
        ("2026-12-07", "承诺补交日期超出办理时限（5个工作日，最晚2026-12-04）"),
    ],
)
def test_deficiency_needs_a_promised_date_within_the_time_limit(promised_date: str, says: str) -> None:
    intake = newborn_intake()
    intake.materials["marriage_certificate"] = MaterialStatus("deficient", promised_date=promised_date)
    assert problems(intake, step="checklist") == {"materials.marriage_certificate": says}


def test_deficiency_accepted_with_a_date_in_time() -> None:
    intake = newborn_intake()
    intake.materials["marriage_certificate"] = MaterialStatus("deficient", "2026-12-04", "在外地，一周内补交")
    assert problems(intake, step="checklist") == {}


def test_a_deficiency_promise_is_never_after_the_completion_date_on_the_receipt() -> None:
    # The bundle promises completion in 2 working days: Friday 27 November → Tuesday 1 December.
    # The statutory 5 days would allow 4 December, but the receipt would then promise the
    # application concluded before the material it needs is there.
    newborn = CATALOG.bundles["newborn"]
    catalog = dataclasses.replace(
        CATALOG, bundles=dict(CATALOG.bundles, newborn=dataclasses.replace(newborn, promised_days=2))
    )

    def said(promised_date: str) -> dict[str, Words]:
        intake = newborn_intake()
        intake.materials["marriage_certificate"] = MaterialStatus("deficient", promised_date=promised_date)
        found = validate_intake(
            catalog, offering_of(catalog, "newborn"), intake, step="checklist", today=TODAY, region=WINDOW_REGION
        )
        return {problem.path: problem.words for problem in found}

    refused = said("2026-12-02")["materials.marriage_certificate"]
    assert refused.zh.startswith("承诺补交日期不能晚于回执上的承诺办结日期（2026-12-01）")
    assert refused.en.startswith("The promised date cannot be after the completion date the receipt promises (2026-12-01)")
    assert said("2026-12-01") == {}


def test_states_for_materials_not_in_the_checklist_are_reported() -> None:
    intake = newborn_intake()
    intake.materials["seal_form"] = MaterialStatus("original")
    intake.materials["passport"] = MaterialStatus("copy")
    assert problems(intake, step="checklist") == {
        "materials.seal_form": "本次申请不需要此材料",
        "materials.passport": "目录中没有此材料",
    }


def test_answers_change_the_checklist_that_is_checked() -> None:
    intake = newborn_intake()
    intake.answers["parents_married"] = "no"
    # the marriage certificate no longer applies: its recorded state is now out of place
    assert problems(intake, step="checklist") == {"materials.marriage_certificate": "本次申请不需要此材料"}


# -- form ---------------------------------------------------------------------------------


def test_every_form_field_is_checked_after_prefill() -> None:
    intake = newborn_intake()
    intake.fields.update(child_birth_date="2026-13-01", child_sex="男", needs_paper_card="")
    found = problems(intake, step="form")
    assert set(found) == {"fields.child_birth_date", "fields.child_sex", "fields.needs_paper_card"}
    assert found["fields.needs_paper_card"] == "请填写“是否需要实体卡”"


def test_prefilled_fields_need_not_be_typed() -> None:
    intake = opening_intake()
    assert "enterprise_name" not in intake.fields  # comes from the applicant step
    assert problems(intake, step="form") == {}
    intake.applicant.enterprise.name = ""
    assert problems(intake, step="form") == {"fields.enterprise_name": "请填写“企业名称”"}


def test_region_prefill_needs_the_window_region() -> None:
    intake = opening_intake()
    offering = offering_of(CATALOG, "enterprise_opening")
    found = validate_intake(CATALOG, offering, intake, step="form", today=TODAY)
    assert [problem.path for problem in found] == ["fields.business_region"]


def test_a_typed_value_wins_over_the_prefill_and_is_checked() -> None:
    intake = opening_intake()
    intake.fields["business_region"] = "999999"
    assert problems(intake, step="form") == {"fields.business_region": "目录中没有该行政区划代码"}


def test_fields_not_on_the_form_are_reported() -> None:
    intake = newborn_intake()
    intake.fields["registered_capital"] = "50"
    intake.fields["favourite_colour"] = "红"
    assert problems(intake, step="form") == {
        "fields.registered_capital": "本次申请不使用此字段",
        "fields.favourite_colour": "目录中没有此字段",
    }


def test_an_empty_optional_field_is_fine() -> None:
    intake = opening_intake()
    intake.fields["opening_date"] = ""
    assert problems(intake, step="form") == {}


def test_enterprise_intake_with_an_agent_and_every_problem_listed() -> None:
    intake = opening_intake()
    intake.applicant.enterprise = Enterprise("好", "91350100M000100Y44", Person())
    intake.applicant.agent = Person("李四", AGENT_ID, MOBILE)
    intake.materials["premises_proof"] = MaterialStatus("pending")
    found = problems(intake)
    assert set(found) == {
        "applicant.enterprise.uscc",
        "materials.premises_proof",
        "fields.enterprise_name",  # prefilled "好" is too short for the form
    }
