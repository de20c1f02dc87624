"""Least data, on the shipped examples: every envelope of every ``examples/applications/*.json``,
accepted at a real window, holds of the applicant exactly what its items declare, no personal
datum of the application anywhere else in it unless declared, and a joint-survey department
gets the project's data only. ``window-app guide --json`` says beforehand what each envelope holds.

Each example is accepted as ``test_examples.py`` accepts it (the shipped window's region when it
offers the example, else the first region that does; the clock at the suite's moment). The
payload of each envelope is parsed back and compared with the catalog's declarations; nothing
here calls the code that builds the applicant part.

    python bench/least_data.py        # the same count as a figure: 0 of 69 (34 of 69 before)
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from tests.exchange_fixtures import opened
from tests.window_template import open_signed_in
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.catalog.search import offerings_for_region
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.catalog import APPLICANT_DATA
from window_app.domain.intake import Applicant, Intake
from window_app.intake.io import parse_intake
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = sorted((ROOT / "examples" / "applications").glob("*.json"))
HOME_REGION = "522325"
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # as in conftest
CATALOG = load_catalog(shipped_catalog_path())
ROLES = ("legal_representative", "contact", "agent")


def read_example(path: Path) -> Intake:
    intake, problems = parse_intake(json.loads(path.read_text(encoding="utf-8")))
    assert intake is not None, problems
    return intake


def region_offering(offering_id: str) -> str:
    for code in [HOME_REGION, *CATALOG.regions]:
        if offering_id in {offering.id for offering in offerings_for_region(CATALOG, code)}:
            return code
    pytest.fail(f"{offering_id} is offered in no region of the shipped catalog")


def open_window(data_dir: Path, region: str) -> Window:
    """The shipped window settings (no developer overrides) at ``region``, clock pinned."""
    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_WINDOW_REGION": region}, data_dir=str(data_dir))
    return open_signed_in(settings, clock=lambda: FIXED_NOW)


def documents(accepted: Any) -> list[dict[str, Any]]:
    """Each envelope's payload as its department reads it: the sealed part opened with its key."""
    return [opened(envelope) for envelope in accepted.envelopes]


def accepted_example(path: Path, data_dir: Path) -> tuple[Intake, list[dict[str, Any]], dict[str, Any]]:
    """Accept one example; its intake, its envelopes' payloads and its guide's JSON."""
    intake = read_example(path)
    window = open_window(data_dir, region_offering(intake.offering))
    try:
        guide = window.guide(intake).to_json()
        return intake, documents(window.accept(intake)), guide
    finally:
        window.close()


def applicant_values(applicant: Applicant) -> dict[str, str]:
    """Datum → value of everything the applicant step holds (empty values left out)."""
    people = {"agent": applicant.agent} if applicant.agent and applicant.agent.name else {}
    if applicant.kind == "person":
        own = {"name": applicant.person.name, "id_number": applicant.person.id_number, "phone": applicant.person.phone}
    else:
        own = {"name": applicant.enterprise.name, "uscc": applicant.enterprise.uscc}
        people |= {"legal_representative": applicant.enterprise.legal_representative, "contact": applicant.person}
    values = {f"applicant.{what}": value for what, value in own.items()}
    for role, person in people.items():
        values |= {f"{role}.{what}": getattr(person, what) for what in ("name", "id_number", "phone")}
    return {datum: value for datum, value in values.items() if value}


def held_data(block: dict[str, Any]) -> dict[str, str]:
    """The envelope's ``applicant``, flattened to datum → value (``kind`` is no datum)."""
    held = {}
    for key, value in block.items():
        if key in ROLES:
            assert isinstance(value, dict), (key, value)
            held |= {f"{key}.{what}": inner for what, inner in value.items()}
        elif key != "kind":
            held[f"applicant.{key}"] = value
    return held


def declared_by(document: dict[str, Any]) -> set[str]:
    return {datum for entry in document["items"] for datum in CATALOG.items[entry["id"]].applicant_data}


def strings(value: Any) -> list[str]:
    """Every string value anywhere in a JSON document (keys are the format's, not data)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for inner in value.values() for text in strings(inner)]
    if isinstance(value, list):
        return [text for inner in value for text in strings(inner)]
    return []


def where(path: Path, document: dict[str, Any]) -> str:
    return f"{path.name}: {document['department']['id']} stage {document['stage']}"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[path.name for path in EXAMPLE_FILES])
def test_every_envelope_holds_exactly_the_declared_applicant_data(example: Path, tmp_path: Path) -> None:
    intake, payloads, _guide = accepted_example(example, tmp_path / "data")
    assert payloads
    kind = intake.applicant.kind
    values = applicant_values(intake.applicant)
    acting_agent = bool(intake.applicant.agent and intake.applicant.agent.name)
    for document in payloads:
        declared = declared_by(document)
        block = document["applicant"]
        assert block["kind"] == kind, where(example, document)
        held = held_data(block)

        # Nothing undeclared in the applicant block, and nothing declared missing from it.
        assert set(held) <= declared, f"{where(example, document)}: undeclared {sorted(set(held) - declared)}"
        expected = {
            datum
            for datum in declared
            if kind in APPLICANT_DATA[datum] and (acting_agent or not datum.startswith("agent."))
        }
        assert set(held) == expected, where(example, document)
        # … and what is there is the applicant's own value, under its own name.
        for datum, value in held.items():
            assert value == values.get(datum, ""), f"{where(example, document)}: {datum}"

        # No value of the applicant step anywhere else in the payload (fields, notes …) unless declared:
        # a value counts as declared when a declared datum holds the same one.
        allowed = {values[datum] for datum in declared if datum in values}
        present = set(strings(document))
        leaked = sorted(datum for datum, value in values.items() if value in present and value not in allowed)
        assert leaked == [], f"{where(example, document)}: undeclared data in the payload: {leaked}"


def is_survey(path: Path) -> bool:
    bundle = CATALOG.bundles.get(read_example(path).offering)
    return bundle is not None and bundle.survey


SURVEY_EXAMPLES = [path for path in EXAMPLE_FILES if is_survey(path)]


def test_there_are_joint_survey_examples() -> None:
    assert len(SURVEY_EXAMPLES) >= 2, [path.name for path in SURVEY_EXAMPLES]


@pytest.mark.parametrize("example", SURVEY_EXAMPLES, ids=[path.name for path in SURVEY_EXAMPLES])
def test_a_joint_survey_department_gets_project_data_only(example: Path, tmp_path: Path) -> None:
    intake, payloads, _guide = accepted_example(example, tmp_path / "data")
    bundle = CATALOG.bundles[intake.offering]
    everything = set(applicant_values(intake.applicant).values())  # the enterprise's name and code included
    surveyors = [
        document
        for document in payloads
        if document["department"]["kind"] != bundle.lead_department
        and all(CATALOG.items[entry["id"]].site_survey for entry in document["items"])
    ]
    assert len(surveyors) >= 2, [d["department"]["id"] for d in payloads]
    for document in surveyors:
        assert document["applicant"] == {"kind": intake.applicant.kind}, where(example, document)
        assert not everything & set(strings(document)), where(example, document)
        assert "parts" not in document
        assert document["fields"], "the project's data (name, location, area) is there"
    lead = next(document for document in payloads if document["is_lead"])
    assert held_data(lead["applicant"]), "the lead department, which organises the visit, knows whom to meet"


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=[path.name for path in EXAMPLE_FILES])
def test_the_guide_says_what_each_envelope_holds(example: Path, tmp_path: Path) -> None:
    intake, payloads, guide = accepted_example(example, tmp_path / "data")
    acting_agent = bool(intake.applicant.agent and intake.applicant.agent.name)
    assert guide["applicant_kind"] == intake.applicant.kind
    # The guide names each department's kind; its envelope, the office serving the window and that kind.
    told = {(entry["department"], entry["stage"]): entry for entry in guide["envelopes"]}
    assert sorted(told) == sorted((d["department"]["kind"], d["stage"]) for d in payloads)
    for document in payloads:
        entry = told[document["department"]["kind"], document["stage"]]
        assert entry["items"] == [item["id"] for item in document["items"]]
        assert entry["is_lead"] == document["is_lead"]
        assert sorted(entry["fields"]) == sorted(document["fields"])
        assert sorted(entry["materials"]) == sorted(document["materials"])
        promised = {datum for datum in entry["applicant_data"] if acting_agent or not datum.startswith("agent.")}
        assert set(held_data(document["applicant"])) == promised, where(example, document)
