"""Least data, by declaration: an item's ``applicant_data`` is read, checked and completed by the
loader, the shipped catalog declares every item, and an envelope's ``applicant`` holds exactly
the declared data (``window_app.intake.parts.applicant_part``)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from catalog_builders import AGENT_ID, MOBILE, MOTHER_ID, REPRESENTATIVE_ID, TEXTBOOK_ID

from window_app.catalog.loader import load_catalog, shipped_catalog_path, validate_catalog_dir
from window_app.domain.catalog import (
    APPLICANT_DATA,
    DEFAULT_APPLICANT_DATA,
    PREFILL_DATA,
    PREFILL_PATHS,
    Item,
    applicant_data_for,
)
from window_app.domain.intake import Applicant, Enterprise, Person
from window_app.intake.parts import applicant_part

SMALL = Path(__file__).parent / "catalogs" / "small"
SHIPPED = load_catalog(shipped_catalog_path())


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A private copy of the small valid catalog, free to change."""
    target = tmp_path / "catalog"
    shutil.copytree(SMALL, target)
    return target


def declare(root: Path, rel: str, item_id: str, line: str) -> None:
    """Add one TOML line (``applicant_data = …``) to the item ``item_id`` of ``rel``."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    anchor = f'id = "{item_id}"\n'
    assert anchor in text, f"{item_id} is not in {rel}"
    path.write_text(text.replace(anchor, anchor + line + "\n", 1), encoding="utf-8")


def problems_of(root: Path) -> list[str]:
    return [str(problem) for problem in validate_catalog_dir(root)]


# -- reading the declaration --------------------------------------------------------------------


def test_no_declaration_is_the_name_plus_what_prefilled_fields_hold(catalog_dir: Path) -> None:
    catalog = load_catalog(catalog_dir)
    assert DEFAULT_APPLICANT_DATA == ("applicant.name",)
    assert catalog.items["hukou_registration"].applicant_data == ("applicant.name",)  # baby_name only
    # applicant_id_number is prefilled from applicant.person.id_number: it IS the ID number.
    assert catalog.items["id_card_renewal"].applicant_data == ("applicant.name", "applicant.id_number")


def test_an_empty_declaration_sends_nothing_of_the_applicant(catalog_dir: Path) -> None:
    declare(catalog_dir, "items/people.toml", "hukou_registration", "applicant_data = []")
    assert load_catalog(catalog_dir).items["hukou_registration"].applicant_data == ()


def test_a_prefilled_field_is_added_to_a_declaration_that_leaves_it_out(catalog_dir: Path) -> None:
    declare(catalog_dir, "items/identity.toml", "id_card_renewal", "applicant_data = []")
    # The envelope carries the field's value anyway: the declaration must not say less.
    assert load_catalog(catalog_dir).items["id_card_renewal"].applicant_data == ("applicant.name", "applicant.id_number")


def test_a_declaration_is_kept_in_the_documented_order(catalog_dir: Path) -> None:
    line = 'applicant_data = ["agent.id_number", "applicant.phone", "agent.name"]'
    declare(catalog_dir, "items/people.toml", "hukou_registration", line)
    assert load_catalog(catalog_dir).items["hukou_registration"].applicant_data == (
        "applicant.phone",
        "agent.name",
        "agent.id_number",
    )


@pytest.mark.parametrize(
    ("line", "fragments"),
    [
        (
            'applicant_data = ["applicant.id_numbr"]',
            ("unknown applicant datum 'applicant.id_numbr'", "did you mean 'applicant.id_number'?"),
        ),
        ('applicant_data = ["applicant.address"]', ("an address is a form field", "'applicant_address'")),
        ('applicant_data = ["mother.name"]', ("unknown applicant datum 'mother.name'", "the roles being applicant")),
        ('applicant_data = ["applicant.name", "applicant.name"]', ("'applicant.name' is listed twice",)),
        (
            'applicant_data = ["legal_representative.id_number"]',
            ("'legal_representative.id_number' exists for enterprises only", "this item accepts persons"),
        ),
        ('applicant_data = ["applicant.uscc"]', ("'applicant.uscc' exists for enterprises only",)),
        ('applicant_data = "applicant.name"', ("'applicant_data' must be an array of strings",)),
        ("applicant_data = [3]", ("'applicant_data' element 1 must be a string",)),
    ],
)
def test_a_wrong_declaration_is_a_catalog_problem_in_words(catalog_dir: Path, line: str, fragments: tuple[str, ...]) -> None:
    declare(catalog_dir, "items/people.toml", "hukou_registration", line)
    problems = problems_of(catalog_dir)
    assert any(
        problem.startswith("items/people.toml: item hukou_registration: ") and all(f in problem for f in fragments)
        for problem in problems
    ), problems


def test_an_enterprise_only_item_may_not_ask_for_a_persons_id_number(catalog_dir: Path) -> None:
    declare(catalog_dir, "items/market.toml", "seal_engraving", 'applicant_data = ["applicant.id_number"]')
    assert any(
        "item seal_engraving" in p and "'applicant.id_number' exists for persons only" in p for p in problems_of(catalog_dir)
    )


def test_an_item_for_both_kinds_may_declare_data_of_either(catalog_dir: Path) -> None:
    line = 'applicant_data = ["applicant.id_number", "legal_representative.name"]'
    declare(catalog_dir, "items/market.toml", "business_licence_registration", line)
    assert problems_of(catalog_dir) == []


# -- what a department receives -----------------------------------------------------------------


def item(item_id: str, *data: str, kinds: tuple = ("person", "enterprise")) -> Item:
    return Item(item_id, SHIPPED.items["company_registration"].name, "tax", 1, 1, 1, applicant_kinds=kinds, applicant_data=data)


def test_the_union_of_the_items_declarations_for_the_applicants_kind() -> None:
    items = [
        item("a", "applicant.name", "agent.name"),
        item("b", "applicant.id_number", "legal_representative.id_number", "agent.name"),
        item("c"),
    ]
    assert applicant_data_for(items, "person") == ("applicant.name", "applicant.id_number", "agent.name")
    assert applicant_data_for(items, "enterprise") == ("applicant.name", "legal_representative.id_number", "agent.name")
    assert applicant_data_for([item("c")], "person") == ()


def person_applicant(agent: Person | None = None) -> Applicant:
    return Applicant(kind="person", person=Person("王小红", MOTHER_ID, MOBILE), agent=agent)


def enterprise_applicant(agent: Person | None = None) -> Applicant:
    return Applicant(
        kind="enterprise",
        person=Person("黄丽", TEXTBOOK_ID, "15885935217"),
        enterprise=Enterprise("贞丰县花江峡谷农旅开发有限公司", "", Person("岑国祥", REPRESENTATIVE_ID, "13985961024")),
        agent=agent,
    )


def test_the_applicant_part_holds_exactly_the_data_given() -> None:
    assert applicant_part(person_applicant(), ()) == {"kind": "person"}
    assert applicant_part(person_applicant(), ("applicant.name",)) == {"kind": "person", "name": "王小红"}
    assert applicant_part(person_applicant(), ("applicant.name", "applicant.id_number", "applicant.phone")) == {
        "kind": "person",
        "name": "王小红",
        "id_number": MOTHER_ID,
        "phone": MOBILE,
    }
    data = ("applicant.name", "applicant.uscc", "legal_representative.id_number", "contact.name", "contact.phone")
    assert applicant_part(enterprise_applicant(), data) == {
        "kind": "enterprise",
        "name": "贞丰县花江峡谷农旅开发有限公司",
        "uscc": "",  # declared, not yet registered: there, and empty
        "legal_representative": {"id_number": REPRESENTATIVE_ID},
        "contact": {"name": "黄丽", "phone": "15885935217"},
    }


def test_the_agent_is_there_only_when_declared_and_acting() -> None:
    agent = Person("赵六", AGENT_ID, "13985900000")
    data = ("applicant.name", "agent.name", "agent.id_number")
    assert "agent" not in applicant_part(person_applicant(), data)
    assert applicant_part(person_applicant(agent), data)["agent"] == {"name": "赵六", "id_number": AGENT_ID}
    assert "agent" not in applicant_part(person_applicant(agent), ("applicant.name",))
    assert applicant_part(enterprise_applicant(agent), ("agent.phone",)) == {"kind": "enterprise", "agent": {"phone": "13985900000"}}


def test_data_of_the_other_kind_are_left_out() -> None:
    assert applicant_part(enterprise_applicant(), ("applicant.id_number", "applicant.phone")) == {"kind": "enterprise"}
    assert applicant_part(person_applicant(), ("legal_representative.name", "contact.phone", "applicant.uscc")) == {
        "kind": "person"
    }


# -- the vocabulary and the shipped catalog -----------------------------------------------------


def test_every_prefill_of_the_applicant_step_names_a_datum_of_its_kind() -> None:
    applicant_paths = [path for path in PREFILL_PATHS if path.startswith("applicant.")]
    assert sorted(PREFILL_DATA) == sorted(applicant_paths)
    for by_kind in PREFILL_DATA.values():
        for kind, datum in by_kind.items():
            assert kind in APPLICANT_DATA[datum]


def shipped_declarations() -> dict[str, list[str] | None]:
    """Item id → its ``applicant_data`` as written in the shipped TOML (None: not written)."""
    declared = {}
    for path in sorted((shipped_catalog_path() / "items").glob("*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["item"]:
            declared[entry["id"]] = entry.get("applicant_data")
    return declared


def test_every_shipped_item_declares_its_applicant_data_in_full() -> None:
    """Written out, and never less than the loader completes it to: the file reads as what is sent."""
    declarations = shipped_declarations()
    assert sorted(declarations) == sorted(SHIPPED.items)
    undeclared = sorted(item_id for item_id, data in declarations.items() if data is None)
    assert undeclared == [], f"shipped items without 'applicant_data': {undeclared}"
    incomplete = {
        item_id: sorted(set(SHIPPED.items[item_id].applicant_data) - set(data))
        for item_id, data in declarations.items()
        if set(SHIPPED.items[item_id].applicant_data) - set(data)
    }
    assert incomplete == {}, f"prefilled fields send more than declared: {incomplete}"


def test_joint_survey_opinions_declare_no_applicant_data() -> None:
    """In a joint-survey bundle, every site-survey item of a department other than the lead gets
    project data only: no declaration, no field prefilled from the applicant step."""
    opinions = {
        item_id
        for bundle in SHIPPED.bundles.values()
        if bundle.survey
        for item_id in bundle.mandatory + bundle.optional
        if SHIPPED.items[item_id].site_survey and SHIPPED.items[item_id].department != bundle.lead_department
    }
    assert len(opinions) >= 6
    for item_id in sorted(opinions):
        opinion = SHIPPED.items[item_id]
        assert opinion.applicant_data == (), item_id
        assert not [r.field for r in opinion.fields if SHIPPED.fields[r.field].prefill.startswith("applicant.")], item_id
