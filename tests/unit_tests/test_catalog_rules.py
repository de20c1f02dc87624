"""Cross-field rules in the catalog: read as data, and every mistake in one named like any other
catalog problem (file, entry, reason)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_catalog_loader import SMALL, append, assert_problem, edit

from window_app.catalog.loader import load_catalog, validate_catalog_dir
from window_app.domain.catalog import FieldRule
from window_app.domain.words import Words

NEW_FIELDS = """
[[field]]
id = "baby_birth_date"
label = "出生日期"
label_en = "Date of birth"
type = "date"
replaces = ["delivery_date"]

[[field.rule]]
check = "not_after"
other = "today"

[[field]]
id = "mother_id_number"
label = "母亲身份证号码"
label_en = "Mother's ID number"
type = "id_number"

[[field.rule]]
check = "sex"
sex = "female"
"""

BUNDLE_RULE = """[[bundle.rule]]
check = "before"
field = "mother_id_number"
other = "baby_birth_date"
within_days = 25000

"""


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """The small catalog with two dated fields, their rules, and a rule of the newborn bundle."""
    target = tmp_path / "catalog"
    shutil.copytree(SMALL, target)
    append(target, "fields.toml", NEW_FIELDS)
    edit(
        target,
        "items/people.toml",
        'fields = ["applicant_name", "baby_name"]',
        'fields = ["applicant_name", "baby_name", "baby_birth_date", "mother_id_number"]',
    )
    edit(target, "bundles/personal.toml", "[[bundle.question]]", BUNDLE_RULE + "[[bundle.question]]")
    return target


def bundle_rule(root: Path, text: str) -> None:
    """Replace the newborn bundle's rule with ``text``."""
    edit(root, "bundles/personal.toml", BUNDLE_RULE, text + "\n")


def test_rules_load_as_data(catalog_dir: Path) -> None:
    assert validate_catalog_dir(catalog_dir) == []
    catalog = load_catalog(catalog_dir)
    assert catalog.fields["baby_birth_date"].rules == (FieldRule("not_after", "baby_birth_date", other="today"),)
    assert catalog.fields["mother_id_number"].rules == (FieldRule("sex", "mother_id_number", sex="female"),)
    assert catalog.bundles["newborn"].rules == (
        FieldRule("before", "mother_id_number", other="baby_birth_date", within_days=25000),
    )
    assert catalog.canonical_field("delivery_date") == "baby_birth_date"
    assert catalog.canonical_field("baby_name") == "baby_name"


ENTRY = "bundle newborn / rule different"


@pytest.mark.parametrize(
    ("rule", "entry", "fragments"),
    [
        (
            'check = "different"\nfield = "mother_id_number"\nother = "mothr_id_number"',
            ENTRY,
            ("'other': unknown field 'mothr_id_number'", "did you mean 'mother_id_number'"),
        ),
        (
            'check = "different"\nfield = "mother_id_number"\nother = "delivery_date"',
            ENTRY,
            ("field 'delivery_date' was merged into 'baby_birth_date'",),
        ),
        (
            'check = "different"\nfield = "mother_id_number"\nother = "baby_name"',
            ENTRY,
            ("compares a 'id_number' field with a 'text' field",),
        ),
        (
            'check = "sex"\nfield = "mother_id_number"\nother = "baby_name"',
            "bundle newborn / rule sex",
            ("'other' field 'baby_name' must be a choice field with the values 'male', 'female'",),
        ),
        (
            'check = "sex"\nfield = "mother_id_number"\nother = "baby_name"\nsex = "female"',
            "bundle newborn / rule sex",
            ("gives both of 'sex'",),
        ),
        (
            'check = "sex"\nfield = "baby_birth_date"\nsex = "male"',
            "bundle newborn / rule sex",
            ("'field' field 'baby_birth_date' is of type 'date'; a 'sex' rule reads 'id_number' fields",),
        ),
        (
            'check = "age"\nfield = "baby_name"\nminimum = 18',
            "bundle newborn / rule age",
            ("is of type 'text'; a 'age' rule reads 'date' or 'id_number' fields",),
        ),
        ('check = "differs"\nfield = "mother_id_number"', "bundle newborn / rule differs", ("'check' must be one of",)),
        ('check = "different"\nfield = "mother_id_number"', ENTRY, ("needs 'other'",)),
        ('check = "different"\nfield = "mother_id_number"\nother = "today"', ENTRY, ("for date order rules only",)),
        ('check = "different"\nfield = "mother_id_number"\nother = "mother_id_number"', ENTRY, ("with itself",)),
        (
            'check = "different"\nfield = "mother_id_number"\nother = "applicant_id_number"\nwithin_days = 3',
            ENTRY,
            ("'within_days' does not apply to a 'different' rule",),
        ),
        ('check = "sex"\nfield = "mother_id_number"', "bundle newborn / rule sex", ("needs one of 'sex'",)),
        (
            'check = "age"\nfield = "mother_id_number"',
            "bundle newborn / rule age",
            ("needs 'minimum', 'maximum' or both",),
        ),
        (
            'check = "age"\nfield = "mother_id_number"\nminimum = 60\nmaximum = 18',
            "bundle newborn / rule age",
            ("'minimum' 60 is above 'maximum' 18",),
        ),
        (
            'check = "age"\nfield = "mother_id_number"\nminimum = 18\nsexx = "male"',
            "bundle newborn / rule age",
            ("unknown key 'sexx'",),
        ),
        (
            'check = "different"\nfield = "mother_id_number"\nother = "applicant_id_number"',
            ENTRY,
            ("no item of the bundle uses field 'applicant_id_number'",),
        ),
    ],
)
def test_a_bad_bundle_rule_is_a_catalog_problem(
    catalog_dir: Path, rule: str, entry: str, fragments: tuple[str, ...]
) -> None:
    bundle_rule(catalog_dir, "[[bundle.rule]]\n" + rule + "\n")
    assert_problem(catalog_dir, "bundles/personal.toml", entry, *fragments)


def test_a_fields_rule_is_about_that_field(catalog_dir: Path) -> None:
    edit(catalog_dir, "fields.toml", 'check = "sex"\n', 'check = "sex"\nfield = "baby_name"\n')
    assert_problem(catalog_dir, "fields.toml", "field mother_id_number / rule sex", "leave out 'field'")


def test_a_fields_rule_names_known_fields_of_a_type_it_reads(catalog_dir: Path) -> None:
    edit(catalog_dir, "fields.toml", 'other = "today"', 'other = "baby_nam"')
    assert_problem(catalog_dir, "fields.toml", "field baby_birth_date / rule not_after", "unknown field 'baby_nam'")
    edit(catalog_dir, "fields.toml", 'other = "baby_nam"', 'other = "baby_name"')
    assert_problem(
        catalog_dir,
        "fields.toml",
        "field baby_birth_date / rule not_after",
        "'other' field 'baby_name' is of type 'text'",
    )


def test_a_merged_field_is_gone(catalog_dir: Path) -> None:
    edit(
        catalog_dir,
        "items/people.toml",
        '"baby_birth_date", "mother_id_number"]',
        '"delivery_date", "mother_id_number"]',
    )
    assert_problem(
        catalog_dir,
        "items/people.toml",
        "item birth_registration",
        "field 'delivery_date' was merged into 'baby_birth_date'",
    )
    edit(catalog_dir, "fields.toml", 'replaces = ["delivery_date"]', 'replaces = ["baby_name"]')
    assert_problem(catalog_dir, "fields.toml", "field baby_birth_date", "'replaces': field 'baby_name' still exists")


def test_an_item_names_a_field_its_departments_way(catalog_dir: Path) -> None:
    edit(
        catalog_dir,
        "items/people.toml",
        '"baby_birth_date", "mother_id_number"]',
        '{ field = "baby_birth_date", label = "分娩日期", label_en = "Date of delivery" }, "mother_id_number"]',
    )
    catalog = load_catalog(catalog_dir)
    [requirement] = [r for r in catalog.items["birth_registration"].fields if r.field == "baby_birth_date"]
    assert requirement.label == Words("分娩日期", "Date of delivery")
    edit(catalog_dir, "items/people.toml", ', label_en = "Date of delivery"', "")
    assert_problem(
        catalog_dir, "items/people.toml", "item birth_registration / field baby_birth_date", "'label_en' is missing"
    )
