"""Measure (not a test): how many envelopes of the shipped examples carry personal data that
their department's items do not declare?

    python bench/least_data.py [-v] [--declared-in ITEMS_DIR | --declared-by-fields]

Every ``examples/applications/*.json`` is accepted through ``Window.accept`` in a fresh data dir
(at the shipped window's region when it offers the example, else at the first region that
does; the clock pinned to the test suite's moment, as ``tests/functional_tests/test_examples.py``
does). For each envelope the script collects the personal data of the application (name, ID
number, phone of a person applicant, a legal representative, a contact, an agent: natural
persons only) whose value appears as a string anywhere in the payload, and compares them with
what the items of the envelope declare. A value counts as declared when some declared datum
holds the same value (a contact who is also the legal representative).

What "declared" means:

- default: the items' ``applicant_data`` as the running code loads it;
- ``--declared-in DIR``: the ``applicant_data`` keys of the TOML files in DIR (a catalog's
  ``items/``), read raw, so that an older checkout of the code (without the key) can be measured
  against a newer catalog's declarations:
  ``PYTHONPATH=/tmp/old python bench/least_data.py --declared-in window_app/data/catalog/items``;
- ``--declared-by-fields``: only what the items' prefilled form fields expose
  (``applicant_id_number`` prefilled from ``applicant.person.id_number`` …), the measure the
  issue used before the key existed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "applications"
HOME_REGION = "522325"
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# What a prefilled field exposes, per applicant kind: prefill path → datum.
PREFILL_DATA = {
    "person": {
        "applicant.person.name": "applicant.name",
        "applicant.person.id_number": "applicant.id_number",
        "applicant.person.phone": "applicant.phone",
    },
    "enterprise": {
        "applicant.person.name": "contact.name",
        "applicant.person.id_number": "contact.id_number",
        "applicant.person.phone": "contact.phone",
        "applicant.enterprise.name": "applicant.name",
        "applicant.enterprise.uscc": "applicant.uscc",
        "applicant.enterprise.legal_representative.name": "legal_representative.name",
        "applicant.enterprise.legal_representative.id_number": "legal_representative.id_number",
        "applicant.enterprise.legal_representative.phone": "legal_representative.phone",
    },
}
for _kind in PREFILL_DATA.values():
    _kind.update({f"applicant.agent.{what}": f"agent.{what}" for what in ("name", "id_number", "phone")})


def personal_data(applicant: Any) -> dict[str, str]:
    """Datum → value, for the natural persons of an application (empty values left out)."""
    people = {"agent": applicant.agent} if applicant.agent else {}
    if applicant.kind == "person":
        people["applicant"] = applicant.person
    else:
        people["legal_representative"] = applicant.enterprise.legal_representative
        people["contact"] = applicant.person
    return {
        f"{role}.{what}": getattr(person, what)
        for role, person in people.items()
        for what in ("name", "id_number", "phone")
        if getattr(person, what)
    }


def strings(value: Any) -> set[str]:
    """Every string value inside a JSON document."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value)) if value else set()
    return set()


def raw_declarations(items_dir: Path) -> dict[str, tuple[str, ...]]:
    """``applicant_data`` of every item in the TOML files of ``items_dir`` (missing: the name)."""
    declared = {}
    for path in sorted(items_dir.glob("*.toml")):
        for item in tomllib.loads(path.read_text(encoding="utf-8")).get("item", []):
            declared[item["id"]] = tuple(item.get("applicant_data", ["applicant.name"]))
    return declared


def field_declarations(catalog: Any, item_id: str, kind: str) -> set[str]:
    item = catalog.items[item_id]
    prefills = (catalog.fields[requirement.field].prefill for requirement in item.fields)
    return {PREFILL_DATA[kind][prefill] for prefill in prefills if prefill in PREFILL_DATA[kind]}


def accepted_envelopes(catalog: Any, example: Path, data_dir: Path) -> tuple[Any, list[dict[str, Any]]]:
    """Accept one example in a fresh data dir; returns the intake and its envelopes' documents."""
    from window_app.catalog.search import offerings_for_region
    from window_app.config import SHIPPED_CONFIG, load_settings
    from window_app.intake.io import parse_intake
    from window_app.window import Window

    intake, problems = parse_intake(json.loads(example.read_text(encoding="utf-8")))
    assert intake is not None, problems
    region = next(
        code
        for code in [HOME_REGION, *catalog.regions]
        if intake.offering in {offering.id for offering in offerings_for_region(catalog, code)}
    )
    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_WINDOW_REGION": region}, data_dir=str(data_dir))
    window = Window.open(settings, clock=lambda: FIXED_NOW)
    try:
        return intake, [envelope.document() for envelope in window.accept(intake).envelopes]
    finally:
        window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--declared-in", type=Path, metavar="ITEMS_DIR")
    group.add_argument("--declared-by-fields", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every envelope that carries undeclared data")
    args = parser.parse_args()

    from window_app.catalog.loader import load_catalog, shipped_catalog_path

    catalog = load_catalog(shipped_catalog_path())
    raw = raw_declarations(args.declared_in) if args.declared_in else None
    total = leaking = 0
    with tempfile.TemporaryDirectory() as scratch:
        for position, example in enumerate(sorted(EXAMPLES.glob("*.json"))):
            intake, documents = accepted_envelopes(catalog, example, Path(scratch) / str(position))
            data = personal_data(intake.applicant)
            kind = intake.applicant.kind
            for document in documents:
                item_ids = [item["id"] for item in document["items"]]
                if args.declared_by_fields:
                    declared = set().union(*(field_declarations(catalog, i, kind) for i in item_ids))
                elif raw is not None:
                    declared = {datum for i in item_ids for datum in raw[i]}
                else:
                    declared = {datum for i in item_ids for datum in catalog.items[i].applicant_data}
                held = strings(document)
                allowed = {data[datum] for datum in declared if datum in data}
                undeclared = sorted(datum for datum, value in data.items() if value in held and value not in allowed)
                total += 1
                if undeclared:
                    leaking += 1
                    if args.verbose:
                        where = f"{example.name} {document['department']['id']} stage {document['stage']}"
                        print(f"  {where}: {', '.join(undeclared)}")
    print(f"envelopes carrying undeclared personal data: {leaking} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
