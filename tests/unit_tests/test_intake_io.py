"""Reading accept files strictly: every shape problem listed with its path, never a traceback."""

from __future__ import annotations

import copy
import json

import pytest
from catalog_builders import newborn_intake

from window_app.domain.intake import Intake
from window_app.intake.io import parse_intake

DOCUMENTED_EXAMPLE = json.loads(
    """
{
  "offering": "newborn",
  "answers": {"hukou_place": "local", "parents_married": "yes"},
  "chosen_optional": ["newborn_bank_card"],
  "declined_optional": [],
  "applicant": {
    "kind": "person",
    "person": {"name": "王小红", "id_number": "52232519900307002X", "phone": "13985912345"},
    "enterprise": {"name": "", "uscc": "", "legal_representative": {"name": "", "id_number": "", "phone": ""}},
    "agent": null
  },
  "materials": {
    "id_card": {"state": "shared"},
    "birth_medical_certificate": {"state": "original"},
    "marriage_certificate": {"state": "deficient", "promised_date": "2026-12-10", "note": "在外地，十日内补交"}
  },
  "fields": {"child_name": "王小明", "child_birth_date": "2026-11-20"}
}
"""
)


def paths(data) -> dict[str, str]:
    intake, problems = parse_intake(data)
    assert intake is None
    return {problem.path: problem.words.zh for problem in problems}


def test_the_documented_example_parses() -> None:
    intake, problems = parse_intake(DOCUMENTED_EXAMPLE)
    assert problems == []
    assert intake is not None
    assert intake.offering == "newborn"
    assert intake.chosen_optional == ["newborn_bank_card"]
    assert intake.applicant.person.id_number == "52232519900307002X"
    assert intake.applicant.agent is None
    assert intake.materials["marriage_certificate"].promised_date == "2026-12-10"
    assert intake.materials["id_card"].verify_online is False
    assert intake.fields["child_birth_date"] == "2026-11-20"


def test_a_draft_round_trips() -> None:
    original = newborn_intake()
    original.step = "form"
    intake, problems = parse_intake(json.loads(json.dumps(original.to_json())))
    assert problems == []
    assert intake == original


def test_only_offering_and_applicant_are_required() -> None:
    intake, problems = parse_intake({"offering": "newborn", "applicant": {"kind": "person"}})
    assert problems == []
    assert intake == Intake(offering="newborn")


@pytest.mark.parametrize("document", [[], "newborn", None, 42, True])
def test_a_document_that_is_not_an_object(document) -> None:
    assert set(paths(document)) == {"$"}


def test_missing_keys_are_named() -> None:
    assert set(paths({})) == {"offering", "applicant"}
    assert set(paths({"offering": "newborn", "applicant": {}})) == {"applicant.kind"}
    assert paths({"offering": " ", "applicant": {"kind": "person"}}) == {"offering": "请填写申请的套餐或事项编号"}


def test_unknown_keys_are_named_wherever_they_are() -> None:
    data = copy.deepcopy(DOCUMENTED_EXAMPLE)
    data["receipt"] = "ZF-001"
    data["applicant"]["nationality"] = "CN"
    data["applicant"]["person"]["sex"] = "female"
    data["applicant"]["enterprise"]["legal_representative"]["title"] = "董事长"
    data["materials"]["id_card"]["verified"] = True
    found = paths(data)
    assert set(found) == {
        "receipt",
        "applicant.nationality",
        "applicant.person.sex",
        "applicant.enterprise.legal_representative.title",
        "materials.id_card.verified",
    }
    assert found["receipt"].startswith("未知的键“receipt”")


def test_every_wrong_type_is_listed_at_once() -> None:
    data = copy.deepcopy(DOCUMENTED_EXAMPLE)
    data["answers"] = {"parents_married": True}
    data["chosen_optional"] = ["newborn_bank_card", 7]
    data["declined_optional"] = "social_security_card"
    data["applicant"]["person"]["phone"] = 13985912345
    data["applicant"]["agent"] = "赵六"
    data["materials"]["id_card"] = "shared"
    data["materials"]["marriage_certificate"]["promised_date"] = 20261210
    data["fields"]["child_name"] = ["王小明"]
    found = paths(data)
    assert set(found) == {
        "answers.parents_married",
        "chosen_optional[1]",
        "declined_optional",
        "applicant.person.phone",
        "applicant.agent",
        "materials.id_card",
        "materials.marriage_certificate.promised_date",
        "fields.child_name",
    }
    assert found["applicant.person.phone"] == "应为字符串，而不是数字"


def test_bad_enumeration_values() -> None:
    data = copy.deepcopy(DOCUMENTED_EXAMPLE)
    data["applicant"]["kind"] = "company"
    data["materials"]["id_card"] = {"state": "received"}
    data["materials"]["birth_medical_certificate"] = {"note": "原件"}
    data["materials"]["marriage_certificate"]["verify_online"] = "yes"
    found = paths(data)
    assert found == {
        "applicant.kind": "应为以下之一：person、enterprise",
        "materials.id_card.state": "应为以下之一：original、copy、shared、deficient、not_applicable、pending",
        "materials.birth_medical_certificate.state": "缺少材料状态",
        "materials.marriage_certificate.verify_online": "应为true或false，而不是字符串",
    }


def test_numbers_and_booleans_in_fields_are_taken_as_text() -> None:
    data = copy.deepcopy(DOCUMENTED_EXAMPLE)
    data["fields"].update(house_area=89.5, floors=3, needs_paper_card=False)
    intake, problems = parse_intake(data)
    assert problems == []
    assert intake is not None
    assert (intake.fields["house_area"], intake.fields["floors"], intake.fields["needs_paper_card"]) == (
        "89.5",
        "3",
        "false",
    )


@pytest.mark.parametrize(
    "document",
    [
        {"offering": None, "applicant": None, "answers": None, "materials": None, "fields": None},
        {"offering": [], "applicant": {"kind": [], "person": [], "enterprise": 5, "agent": {"name": {}}}},
        {"offering": "x", "applicant": {"kind": "person"}, "materials": {"a": {"state": None}}, "step": 3},
        {"offering": "x", "applicant": {"kind": "person", "enterprise": {"legal_representative": "张三"}}},
    ],
)
def test_malformed_input_never_raises(document) -> None:
    intake, problems = parse_intake(document)
    assert intake is None
    assert problems
    assert all(problem.path and problem.words.zh and problem.words.en for problem in problems)


def test_the_json_form_is_every_field_of_every_part() -> None:
    """``Intake.to_json`` is written out by hand (for speed): it must give what ``asdict``
    gives, every field of every nested part included, and share no container with the intake."""
    from dataclasses import asdict

    from window_app.domain.intake import AtWindowDecision, MaterialStatus, Person

    intake, _ = parse_intake(DOCUMENTED_EXAMPLE)
    intake.applicant.agent = Person("李四", "52232519900307002X", "13800000000")
    intake.applicant.enterprise.legal_representative = Person("张三", "110101199003074258", "13900000000")
    intake.materials["id_card"] = MaterialStatus("deficient", "2026-12-10", "补交", verify_online=True)
    intake.at_window = {"newborn_bank_card": AtWindowDecision("rejected", "", "材料不符")}
    intake.draft_id = "d1"
    assert intake.to_json() == asdict(intake)
    assert list(intake.to_json()) == list(asdict(intake))
    copied = intake.to_json()
    copied["answers"]["hukou_place"] = "elsewhere"
    copied["chosen_optional"].append("x")
    copied["fields"]["child_name"] = "x"
    assert intake.answers["hukou_place"] == "local"
    assert intake.chosen_optional == ["newborn_bank_card"]
    assert intake.fields["child_name"] == "王小明"
