"""Reading the entries items are made of: the [catalog] envelope, regions, departments, materials, fields."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import get_args

from window_app.catalog.partial import Origin, PartialCatalog
from window_app.catalog.rules import read_rules
from window_app.catalog.table import ID_PATTERN, Table, entry_label
from window_app.catalog.values import type_name
from window_app.domain.catalog import (
    PREFILL_PATHS,
    Choice,
    Department,
    DepartmentKind,
    FieldType,
    FormField,
    Material,
    Region,
    RegionLevel,
)
from window_app.domain.words import Words
from window_app.trust.keys import PublicSealingKey, PublicSigningKey

CATALOG_FORMAT = 1
REGION_LEVELS: tuple[RegionLevel, ...] = get_args(RegionLevel)
DEPARTMENT_KINDS: tuple[DepartmentKind, ...] = get_args(DepartmentKind)
FIELD_TYPES: tuple[FieldType, ...] = get_args(FieldType)


def read_catalog_table(rel: str, data: dict, partial: PartialCatalog) -> None:
    table = Table(data, rel, "catalog", partial)
    catalog_format = table.integer("format", required=True)
    if catalog_format is not None and catalog_format != CATALOG_FORMAT:
        table.problem(f"unsupported format {catalog_format}: this window reads format {CATALOG_FORMAT}")
    partial.version = table.text("version", required=True)
    partial.name = table.text("name", required=True)
    table.text("name_en")
    table.finish()


def read_region(rel: str, data: dict, partial: PartialCatalog, position: int) -> None:
    table = Table(data, rel, entry_label("region", data, "code", position), partial)
    code = table.text("code", required=True)
    region = Region(
        code=code,
        name=table.words("name"),
        level=table.one_of("level", REGION_LEVELS, required=True, default="county"),
        parent=table.text("parent") or None,
    )
    table.finish()
    if partial.register("region", code, "region", Origin(rel, table.entry)):
        partial.regions[code] = region


def read_department(rel: str, data: dict, partial: PartialCatalog, position: int) -> None:
    table = Table(data, rel, entry_label("department", data, "id", position), partial)
    department_id = table.identifier()
    name = table.words("name")
    short_name = table.bilingual("short_name")
    department = Department(
        id=department_id,
        name=name,
        short_name=short_name,
        region=table.text("region"),
        kind=table.one_of("kind", DEPARTMENT_KINDS, default="government"),
        signing_key=public_key(table, "signing_key", PublicSigningKey.from_text),
        sealing_key=public_key(table, "sealing_key", PublicSealingKey.from_text),
    )
    table.finish()
    if partial.register("department", department.id, "department", Origin(rel, table.entry)):
        partial.departments[department.id] = department


def public_key(table: Table, key: str, parse: Callable[[object], object]) -> str:
    """A department's or an office's public key as written, if it is one (a problem otherwise)."""
    text = table.text(key)
    if text:
        parsed = parse(text)
        if isinstance(parsed, Words):
            table.problem(f"'{key}': {parsed.en}")
            return ""
    return text


def read_material(rel: str, data: dict, partial: PartialCatalog, position: int) -> None:
    table = Table(data, rel, entry_label("material", data, "id", position), partial)
    material_id = table.identifier()
    name = table.words("name")
    shareable = table.flag("shareable")
    key = table.flag("key")
    source = table.bilingual("source")
    note = table.bilingual("note")
    material = Material(id=material_id, name=name, shareable=shareable, key=key, source=source, note=note)
    table.finish()
    if partial.register("material", material.id, "material", Origin(rel, table.entry)):
        partial.materials[material.id] = material


def read_field(rel: str, data: dict, partial: PartialCatalog, position: int) -> None:
    table = Table(data, rel, entry_label("field", data, "id", position), partial)
    field_id = table.identifier()
    label = table.words("label")
    field_type = table.one_of("type", FIELD_TYPES, default="text")
    required = table.flag("required", default=True)
    prefill = table.one_of("prefill", PREFILL_PATHS, default="")
    group = table.bilingual("group")
    choices = _read_choices(table)
    pattern = table.text("pattern")
    min_length = table.integer("min_length", minimum=0)
    max_length = table.integer("max_length", minimum=0)
    minimum = table.number("minimum")
    maximum = table.number("maximum")
    hint = table.bilingual("hint")
    table.known.add("rule")  # read only when the field has an id for its rules to be about
    rules = read_rules(table, owner_field=field_id) if field_id else ()
    replaces = table.texts("replaces")
    table.finish()
    for old in replaces:
        if not ID_PATTERN.match(old) or old == field_id:
            table.problem(f"'replaces' names '{old}': the id of a field merged into this one (not this field's own)")

    if field_type == "choice" and not choices:
        table.problem("a choice field needs 'choices' ([{value, label, label_en}, …])")
    if choices and field_type != "choice":
        table.problem(f"'choices' apply to choice fields only (this field's type is '{field_type}')")
    if pattern:
        try:
            re.compile(pattern)
        except re.error as exc:
            table.problem(f"'pattern' is not a valid regular expression: {exc}")
    for key, value, only in (
        ("pattern", pattern or None, "text"),
        ("min_length", min_length, "text"),
        ("max_length", max_length, "text"),
        ("minimum", minimum, "number"),
        ("maximum", maximum, "number"),
    ):
        if value is not None and field_type != only:
            table.problem(f"'{key}' applies to {only} fields only (this field's type is '{field_type}')")
    if min_length is not None and max_length is not None and min_length > max_length:
        table.problem(f"'min_length' {min_length} is above 'max_length' {max_length}")
    if minimum is not None and maximum is not None and minimum > maximum:
        table.problem(f"'minimum' {minimum} is above 'maximum' {maximum}")

    form_field = FormField(
        id=field_id,
        label=label,
        type=field_type,
        required=required,
        prefill=prefill,
        group=group,
        choices=choices,
        pattern=pattern,
        min_length=min_length,
        max_length=max_length,
        minimum=minimum,
        maximum=maximum,
        hint=hint,
        rules=rules,
        replaces=replaces,
    )
    if partial.register("field", field_id, "field", Origin(rel, table.entry)):
        partial.fields[field_id] = form_field


def _read_choices(table: Table) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    for position, element in enumerate(table.array("choices"), start=1):
        if not isinstance(element, dict):
            expected = "a table {value, label, label_en}"
            table.problem(f"'choices' element {position} must be {expected}, not {type_name(element)}")
            continue
        sub = table.child(element, entry_label("choice", element, "value", position))
        choice = Choice(
            value=sub.text("value", required=True),
            label=sub.words("label"),
        )
        sub.finish()
        if choice.value and any(c.value == choice.value for c in choices):
            sub.problem(f"duplicate choice value '{choice.value}'")
        choices.append(choice)
    return tuple(choices)
