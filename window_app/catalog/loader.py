"""Load and validate a catalog directory (``docs/catalog-format.md``).

The catalog is read once at every start, so loading is only ``tomllib`` plus dataclass
construction and a handful of dictionary look-ups. Validation never stops at the first
problem: a data author fixing a catalog wants the whole list, each problem naming the file,
the entry and what is wrong (``items/tax.toml: item tax_registration: unknown department 'taxx'``).

Reading happens in two passes:

1. each file on its own: TOML syntax, required keys, types, unknown keys (typos), rules that
   need only the entry itself (``promised_days`` above ``time_limit_days``, a ``default`` not
   among the options …), duplicate ids;
2. cross-references once everything is read: unknown departments, materials, fields, items,
   questions and regions, region parents, prerequisite cycles, lead departments.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from window_app.catalog.model import (
    Bundle,
    Catalog,
    Choice,
    Condition,
    Department,
    FieldRequirement,
    FormField,
    Item,
    Material,
    MaterialRequirement,
    Option,
    Question,
    Region,
)

CATALOG_FORMAT = 1
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
REGION_CODE_PATTERN = re.compile(r"^[0-9]{6}$")

REGION_LEVELS = ("province", "city", "county")
DEPARTMENT_KINDS = ("government", "enterprise", "bank")
FIELD_TYPES = ("text", "id_number", "uscc", "phone", "date", "number", "choice", "bool", "region")
HANDLING_CLASSES = (1, 2, 3)
APPLICANT_KINDS = ("person", "enterprise")
THEMES = ("personal", "enterprise")
PREFILL_PATHS = (
    "applicant.person.name",
    "applicant.person.id_number",
    "applicant.person.phone",
    "applicant.enterprise.name",
    "applicant.enterprise.uscc",
    "applicant.enterprise.legal_representative.name",
    "applicant.enterprise.legal_representative.id_number",
    "applicant.enterprise.legal_representative.phone",
    "applicant.agent.name",
    "applicant.agent.id_number",
    "applicant.agent.phone",
    "window.region",
)

# File name (or directory) → the array-of-tables key it holds.
TOP_LEVEL_FILES = {
    "catalog.toml": "catalog",
    "regions.toml": "region",
    "departments.toml": "department",
    "materials.toml": "material",
    "fields.toml": "field",
}
ENTRY_DIRECTORIES = {"items": "item", "bundles": "bundle"}
LAYOUT_HINT = (
    "a catalog holds catalog.toml, regions.toml, departments.toml, materials.toml, "
    "fields.toml, items/*.toml and bundles/*.toml"
)
WHOLE_FILE = "(file)"


def shipped_catalog_path() -> Path:
    """The Guizhou catalog shipped inside the package (``window_app/data/catalog``)."""
    return Path(__file__).resolve().parent.parent / "data" / "catalog"


@dataclass(frozen=True)
class CatalogProblem:
    """One thing wrong with a catalog.

    Attributes:
        file: Path relative to the catalog directory, e.g. ``items/tax.toml``.
        entry: What inside the file, e.g. ``item tax_registration`` or
            ``bundle newborn / question has_car``; ``(file)`` for the file as a whole.
        reason: What is wrong, in words a data author acts on.
    """

    file: str
    entry: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.reason}"


class CatalogError(Exception):
    """The catalog cannot be used; ``problems`` lists everything wrong with it."""

    def __init__(self, problems: list[CatalogProblem]):
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"the catalog has {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([heading + ":", *(f"  {p}" for p in self.problems)]))


def validate_catalog_dir(path: str | Path) -> list[CatalogProblem]:
    """Every problem of the catalog in ``path``; an empty list means it loads."""
    _catalog, problems = _read_catalog(Path(path))
    return problems


def load_catalog(path: str | Path) -> Catalog:
    """Read and validate the catalog in ``path``.

    Raises:
        CatalogError: With every problem found, not only the first.
    """
    catalog, problems = _read_catalog(Path(path))
    if problems:
        raise CatalogError(problems)
    return catalog


# -- reading -------------------------------------------------------------------------------


@dataclass
class _Origin:
    """Where an entry was defined, so later checks can name it."""

    file: str
    entry: str


@dataclass
class _ConditionUse:
    """A ``when`` on an item's material or field, checked once bundles are known."""

    origin: _Origin
    item: str
    condition: Condition


@dataclass
class _Parts:
    """Everything read so far, plus where each entry came from."""

    problems: list[CatalogProblem] = field(default_factory=list)
    version: str = ""
    name: str = ""
    regions: dict[str, Region] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    materials: dict[str, Material] = field(default_factory=dict)
    fields: dict[str, FormField] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    origins: dict[tuple[str, str], _Origin] = field(default_factory=dict)
    conditions: list[_ConditionUse] = field(default_factory=list)
    # Kinds with a file that could not be parsed: references to them are not reported as
    # unknown, or one missing quote would bury the real problem under hundreds of echoes.
    unreadable: set[str] = field(default_factory=set)

    def knows(self, kind: str, known: dict, wanted: str) -> bool:
        """Whether a reference may stand (it exists, or its kind could not be read at all)."""
        return wanted in known or kind in self.unreadable

    def problem(self, file: str, entry: str, reason: str) -> None:
        self.problems.append(CatalogProblem(file, entry, reason))

    def origin(self, kind: str, key: str) -> _Origin:
        return self.origins[(kind, key)]


def _read_catalog(root: Path) -> tuple[Catalog, list[CatalogProblem]]:
    parts = _Parts()
    sources, digest = _read_sources(root, parts)
    readers = {
        "catalog": _read_catalog_table,
        "region": _read_region,
        "department": _read_department,
        "material": _read_material,
        "field": _read_field,
        "item": _read_item,
        "bundle": _read_bundle,
    }
    # Items before bundles and references last, so every id is known when it is looked up.
    order = list(readers)
    for rel, kind, document in sorted(sources, key=lambda s: (order.index(s[1]), s[0])):
        _read_document(rel, kind, document, readers[kind], parts)
    _check_references(parts)
    catalog = Catalog(
        version=parts.version,
        name=parts.name,
        regions=parts.regions,
        departments=parts.departments,
        materials=parts.materials,
        fields=parts.fields,
        items=parts.items,
        bundles=parts.bundles,
        digest=digest,
        source=str(root),
    )
    problems = sorted(parts.problems, key=lambda p: p.file)  # stable: keeps order within a file
    return catalog, problems


def _read_sources(root: Path, parts: _Parts) -> tuple[list[tuple[str, str, dict]], str]:
    """Parse every catalog file; returns (relative path, kind, document) and the digest."""
    if not root.exists():
        parts.problem(str(root), WHOLE_FILE, "no such directory")
        return [], ""
    if not root.is_dir():
        parts.problem(str(root), WHOLE_FILE, "not a directory; a catalog is a directory of TOML files")
        return [], ""
    hasher = hashlib.sha256()
    sources: list[tuple[str, str, dict]] = []
    for path in _catalog_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            parts.problem(rel, WHOLE_FILE, f"cannot be read: {exc.strerror or exc}")
            parts.unreadable.add(_kind_of(rel) or "")
            continue
        # Length-prefixed, so moving bytes between a name and a body cannot collide.
        for chunk in (rel.encode("utf-8"), data):
            hasher.update(len(chunk).to_bytes(8, "big"))
            hasher.update(chunk)
        kind = _kind_of(rel)
        if kind is None:
            if rel.endswith(".toml"):
                parts.problem(rel, WHOLE_FILE, f"unexpected file: {LAYOUT_HINT}")
            continue  # a README or notes next to the data is fine
        document = _parse_toml(rel, data, parts)
        if document is None:
            parts.unreadable.add(kind)
        else:
            sources.append((rel, kind, document))
    if not (root / "catalog.toml").is_file():
        reason = "missing: every catalog starts with catalog.toml ([catalog] format, version, name)"
        parts.problem("catalog.toml", WHOLE_FILE, reason)
    return sources, hasher.hexdigest()


def _catalog_files(root: Path) -> list[Path]:
    """All regular files below ``root``, sorted, skipping hidden ones and caches."""
    found = []
    for path in root.rglob("*"):
        rel_parts = path.relative_to(root).parts
        if any(part.startswith(".") or part == "__pycache__" for part in rel_parts):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _kind_of(rel: str) -> str | None:
    """The entry kind a catalog file holds, or None if it is not a catalog file."""
    pieces = rel.split("/")
    if len(pieces) == 1:
        return TOP_LEVEL_FILES.get(pieces[0])
    if len(pieces) == 2 and pieces[1].endswith(".toml"):
        return ENTRY_DIRECTORIES.get(pieces[0])
    return None


def _parse_toml(rel: str, data: bytes, parts: _Parts) -> dict | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        parts.problem(rel, WHOLE_FILE, f"not UTF-8 (byte {exc.start}): save the file as UTF-8")
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        located = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message)
        if located:
            parts.problem(rel, f"line {located[2]}, column {located[3]}", f"TOML syntax error: {located[1]}")
        else:
            parts.problem(rel, WHOLE_FILE, f"TOML syntax error: {message}")
        return None


def _read_document(rel: str, kind: str, document: dict, reader, parts: _Parts) -> None:
    """Check a file's top-level keys, then read each of its entries."""
    for key in document:
        if key != kind:
            parts.problem(rel, key, f"unexpected top-level key '{key}': {_holds(rel, kind)}")
    if kind == "catalog":
        table = document.get("catalog")
        if table is None:
            parts.problem(rel, "catalog", "missing the [catalog] table (format, version, name)")
        elif not isinstance(table, dict):
            parts.problem(rel, "catalog", f"'catalog' must be a table [catalog], not {_type_name(table)}")
        else:
            reader(rel, table, parts)
        return
    entries = document.get(kind, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        parts.problem(rel, kind, f"'{kind}' must be an array of tables [[{kind}]], not {_type_name(entries)}")
        return
    for position, table in enumerate(entries, start=1):
        reader(rel, table, parts, position)


def _holds(rel: str, kind: str) -> str:
    if kind == "catalog":
        return "catalog.toml holds only the [catalog] table"
    where = rel if "/" not in rel else rel.split("/")[0] + "/*.toml"
    return f"{where} holds [[{kind}]] tables"


# -- one table at a time -------------------------------------------------------------------

_MISSING = object()


class _Table:
    """One TOML table being read; remembers the keys asked for so that unknown ones (typos) are reported.

    Every getter returns a usable value even when the data is wrong (reporting the problem),
    so one mistake does not hide the next.
    """

    def __init__(self, data: dict, file: str, entry: str, parts: _Parts):
        self.data = data
        self.file = file
        self.entry = entry
        self.parts = parts
        self.known: set[str] = set()

    def problem(self, reason: str) -> None:
        self.parts.problem(self.file, self.entry, reason)

    def child(self, data: dict, entry: str) -> _Table:
        return _Table(data, self.file, f"{self.entry} / {entry}", self.parts)

    def _get(self, key: str, required: bool) -> Any:
        self.known.add(key)
        if key not in self.data:
            if required:
                self.problem(f"missing required key '{key}'")
            return _MISSING
        return self.data[key]

    def _wrong_type(self, key: str, expected: str, value: Any) -> None:
        self.problem(f"'{key}' must be {expected}, not {_described(value)}")

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            self._wrong_type(key, "a string", value)
            return default
        if required and not value.strip():
            self.problem(f"'{key}' must not be empty")
        return value

    def identifier(self, key: str = "id") -> str:
        value = self.text(key, required=True)
        if value and not ID_PATTERN.match(value):
            rule = "lowercase letters, digits and _, starting with a letter"
            self.problem(f"'{key}' {_show(value)} is not a valid id ({rule})")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong_type(key, "true or false", value)
            return default
        return value

    def integer(
        self, key: str, required: bool = False, default: int | None = None, minimum: int | None = None
    ) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self._wrong_type(key, "an integer", value)
            return default
        if minimum is not None and value < minimum:
            self.problem(f"'{key}' must be at least {minimum}, not {value}")
        return value

    def number(self, key: str) -> float | None:
        value = self._get(key, False)
        if value is _MISSING:
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            self._wrong_type(key, "a number", value)
            return None
        return value

    def one_of(self, key: str, allowed: tuple, required: bool = False, default: Any = None) -> Any:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or value not in allowed:
            listed = ", ".join(_show(a) for a in allowed)
            self.problem(f"'{key}' must be one of {listed}, not {_show(value)}")
            return default
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self._wrong_type(key, "an array of strings", value)
            return ()
        good = []
        for position, element in enumerate(value, start=1):
            if isinstance(element, str):
                good.append(element)
            else:
                self.problem(f"'{key}' element {position} must be a string, not {_described(element)}")
        return tuple(good)

    def array(self, key: str, required: bool = False) -> list:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self._wrong_type(key, "an array", value)
            return []
        return value

    def table(self, key: str) -> dict | None:
        value = self._get(key, False)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self._wrong_type(key, "a table", value)
            return None
        return value

    def tables(self, key: str, required: bool = False) -> list[dict]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            self._wrong_type(key, f"an array of tables [[…{key}]]", value)
            return []
        return value

    def finish(self) -> None:
        """Report keys nobody asked for: almost always a typo."""
        for key in self.data:
            if key in self.known:
                continue
            close = difflib.get_close_matches(key, sorted(self.known), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problem(f"unknown key '{key}'{hint}")


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__  # datetime, date, time


def _described(value: Any) -> str:
    """``integer 3``, ``string 'x'``, or just ``table`` for values too big to quote."""
    shown = _show(value)
    return f"{_type_name(value)} {shown}" if shown else _type_name(value)


def _show(value: Any) -> str:
    """A value as the data author wrote it, shortened."""
    if isinstance(value, str):
        shown = f"'{value}'"
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        return ""
    else:
        shown = str(value)
    return shown if len(shown) <= 60 else shown[:57] + "…'"


def _entry_label(kind: str, data: dict, key: str, position: int) -> str:
    """``item tax_registration``, or ``item #3`` while the id is missing or not a string."""
    value = data.get(key)
    return f"{kind} {value}" if isinstance(value, str) and value else f"{kind} #{position}"


def _register(parts: _Parts, space: str, key: str, kind: str, origin: _Origin) -> bool:
    """Record where an id is defined; False (and a problem) if it already is."""
    if not key:
        return False
    first = parts.origins.get((space, key))
    if first is not None:
        what = first.entry.split(" ", 1)[0]
        shared = " (bundle and item ids share one space)" if what != kind else ""
        reason = f"duplicate id '{key}': already defined as {what} in {first.file}{shared}"
        parts.problem(origin.file, origin.entry, reason)
        return False
    parts.origins[(space, key)] = origin
    return True


def _read_catalog_table(rel: str, data: dict, parts: _Parts) -> None:
    table = _Table(data, rel, "catalog", parts)
    catalog_format = table.integer("format", required=True)
    if catalog_format is not None and catalog_format != CATALOG_FORMAT:
        table.problem(f"unsupported format {catalog_format}: this window reads format {CATALOG_FORMAT}")
    parts.version = table.text("version", required=True)
    parts.name = table.text("name", required=True)
    table.text("name_en")
    table.finish()


def _read_region(rel: str, data: dict, parts: _Parts, position: int) -> None:
    table = _Table(data, rel, _entry_label("region", data, "code", position), parts)
    code = table.text("code", required=True)
    region = Region(
        code=code,
        name=table.text("name", required=True),
        name_en=table.text("name_en", required=True),
        level=table.one_of("level", REGION_LEVELS, required=True, default="county"),
        parent=table.text("parent") or None,
    )
    table.finish()
    if _register(parts, "region", code, "region", _Origin(rel, table.entry)):
        parts.regions[code] = region


def _read_department(rel: str, data: dict, parts: _Parts, position: int) -> None:
    table = _Table(data, rel, _entry_label("department", data, "id", position), parts)
    department = Department(
        id=table.identifier(),
        name=table.text("name", required=True),
        name_en=table.text("name_en", required=True),
        short_name=table.text("short_name"),
        kind=table.one_of("kind", DEPARTMENT_KINDS, default="government"),
    )
    table.finish()
    if _register(parts, "department", department.id, "department", _Origin(rel, table.entry)):
        parts.departments[department.id] = department


def _read_material(rel: str, data: dict, parts: _Parts, position: int) -> None:
    table = _Table(data, rel, _entry_label("material", data, "id", position), parts)
    material = Material(
        id=table.identifier(),
        name=table.text("name", required=True),
        name_en=table.text("name_en", required=True),
        shareable=table.flag("shareable"),
        key=table.flag("key"),
        source=table.text("source"),
        note=table.text("note"),
    )
    table.finish()
    if _register(parts, "material", material.id, "material", _Origin(rel, table.entry)):
        parts.materials[material.id] = material


def _read_field(rel: str, data: dict, parts: _Parts, position: int) -> None:
    table = _Table(data, rel, _entry_label("field", data, "id", position), parts)
    field_id = table.identifier()
    label = table.text("label", required=True)
    label_en = table.text("label_en", required=True)
    field_type = table.one_of("type", FIELD_TYPES, default="text")
    required = table.flag("required", default=True)
    prefill = table.one_of("prefill", PREFILL_PATHS, default="")
    group = table.text("group")
    choices = _read_choices(table)
    pattern = table.text("pattern")
    min_length = table.integer("min_length", minimum=0)
    max_length = table.integer("max_length", minimum=0)
    minimum = table.number("minimum")
    maximum = table.number("maximum")
    hint = table.text("hint")
    table.finish()

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
        label_en=label_en,
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
    )
    if _register(parts, "field", field_id, "field", _Origin(rel, table.entry)):
        parts.fields[field_id] = form_field


def _read_choices(table: _Table) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    for position, element in enumerate(table.array("choices"), start=1):
        if not isinstance(element, dict):
            expected = "a table {value, label, label_en}"
            table.problem(f"'choices' element {position} must be {expected}, not {_type_name(element)}")
            continue
        sub = table.child(element, _entry_label("choice", element, "value", position))
        choice = Choice(
            value=sub.text("value", required=True),
            label=sub.text("label", required=True),
            label_en=sub.text("label_en", required=True),
        )
        sub.finish()
        if choice.value and any(c.value == choice.value for c in choices):
            sub.problem(f"duplicate choice value '{choice.value}'")
        choices.append(choice)
    return tuple(choices)


def _read_item(rel: str, data: dict, parts: _Parts, position: int) -> None:
    table = _Table(data, rel, _entry_label("item", data, "id", position), parts)
    item_id = table.identifier()
    name = table.text("name", required=True)
    name_en = table.text("name_en", required=True)
    department = table.text("department", required=True)
    handling_class = table.one_of("handling_class", HANDLING_CLASSES, required=True, default=3)
    time_limit_days = table.integer("time_limit_days", required=True, default=0, minimum=0)
    promised_days = table.integer("promised_days", required=True, default=0, minimum=0)
    materials = _read_material_requirements(table, item_id)
    fields = _read_field_requirements(table, item_id)
    prerequisites = table.texts("prerequisites")
    result = table.text("result")
    site_survey = table.flag("site_survey")
    applicant_kinds = _read_applicant_kinds(table)
    standalone = table.flag("standalone")
    regions = table.texts("regions")
    regions_under = table.texts("regions_under")
    theme = table.one_of("theme", THEMES, default="personal")
    keywords = table.texts("keywords")
    table.finish()

    if promised_days > time_limit_days:
        table.problem(f"'promised_days' {promised_days} is above the statutory 'time_limit_days' {time_limit_days}")
    if standalone and not (regions or regions_under):
        table.problem("a standalone item offered nowhere: give it 'regions' or 'regions_under'")
    if not standalone and (regions or regions_under):
        table.problem("'regions'/'regions_under' say where an item is offered alone, but it is not 'standalone = true'")
    for duplicate in _duplicates(prerequisites):
        table.problem(f"prerequisite '{duplicate}' is listed twice")

    item = Item(
        id=item_id,
        name=name,
        name_en=name_en,
        department=department,
        handling_class=handling_class,
        time_limit_days=time_limit_days,
        promised_days=promised_days,
        materials=materials,
        fields=fields,
        prerequisites=prerequisites,
        site_survey=site_survey,
        applicant_kinds=applicant_kinds,
        standalone=standalone,
        regions=regions,
        regions_under=regions_under,
        keywords=keywords,
        result=result,
        theme=theme,
    )
    if _register(parts, "offering", item_id, "item", _Origin(rel, table.entry)):
        parts.items[item_id] = item


def _read_applicant_kinds(table: _Table) -> tuple[str, ...]:
    if "applicant_kinds" not in table.data:
        table.known.add("applicant_kinds")
        return APPLICANT_KINDS
    kinds = table.texts("applicant_kinds")
    good = []
    for kind in kinds:
        if kind not in APPLICANT_KINDS:
            table.problem(f"'applicant_kinds' may hold 'person' and 'enterprise', not '{kind}'")
        elif kind not in good:
            good.append(kind)
    if not good:
        table.problem("'applicant_kinds' must name at least one of 'person', 'enterprise'")
        return APPLICANT_KINDS
    return tuple(good)


def _read_material_requirements(table: _Table, item_id: str) -> tuple[MaterialRequirement, ...]:
    requirements: list[MaterialRequirement] = []
    for position, element in enumerate(table.array("materials"), start=1):
        if isinstance(element, str):
            requirements.append(MaterialRequirement(material=element))
            continue
        if not isinstance(element, dict):
            expected = "a material id or an inline table"
            table.problem(f"'materials' element {position} must be {expected}, not {_type_name(element)}")
            continue
        sub = table.child(element, _entry_label("material", element, "material", position))
        material = sub.text("material", required=True)
        when = _read_condition(sub, item_id)
        original = sub.flag("original")
        sub.finish()
        requirements.append(MaterialRequirement(material=material, when=when, original=original))
    unconditional = [r.material for r in requirements if r.when is None]
    for duplicate in _duplicates(unconditional):
        table.problem(f"material '{duplicate}' is listed twice")
    return tuple(requirements)


def _read_field_requirements(table: _Table, item_id: str) -> tuple[FieldRequirement, ...]:
    requirements: list[FieldRequirement] = []
    for position, element in enumerate(table.array("fields"), start=1):
        if isinstance(element, str):
            requirements.append(FieldRequirement(field=element))
            continue
        if not isinstance(element, dict):
            expected = "a field id or an inline table"
            table.problem(f"'fields' element {position} must be {expected}, not {_type_name(element)}")
            continue
        sub = table.child(element, _entry_label("field", element, "field", position))
        field_id = sub.text("field", required=True)
        when = _read_condition(sub, item_id)
        required = sub.flag("required") if "required" in element else None
        sub.known.add("required")
        sub.finish()
        requirements.append(FieldRequirement(field=field_id, when=when, required=required))
    unconditional = [r.field for r in requirements if r.when is None]
    for duplicate in _duplicates(unconditional):
        table.problem(f"field '{duplicate}' is listed twice")
    return tuple(requirements)


def _read_condition(owner: _Table, item_id: str) -> Condition | None:
    data = owner.table("when")
    if data is None:
        return None
    sub = owner.child(data, "when")
    question = sub.text("question", required=True)
    any_of = sub.texts("any_of", required=True)
    sub.finish()
    if "any_of" in data and not any_of:
        sub.problem("'any_of' must list at least one option value")
    condition = Condition(question=question, any_of=any_of)
    if question:
        owner.parts.conditions.append(_ConditionUse(_Origin(sub.file, sub.entry), item_id, condition))
    return condition


def _read_bundle(rel: str, data: dict, parts: _Parts, position: int) -> None:
    table = _Table(data, rel, _entry_label("bundle", data, "id", position), parts)
    bundle_id = table.identifier()
    name = table.text("name", required=True)
    name_en = table.text("name_en", required=True)
    theme = table.one_of("theme", THEMES, required=True, default="personal")
    applicant_kind = table.one_of("applicant_kind", APPLICANT_KINDS, default="person")
    lead_department = table.text("lead_department", required=True)
    mandatory = table.texts("mandatory", required=True)
    optional = table.texts("optional")
    questions = _read_questions(table, optional, mandatory)
    regions = table.texts("regions")
    regions_under = table.texts("regions_under")
    hot = table.flag("hot")
    local = table.flag("local")
    survey = table.flag("survey")
    keywords = table.texts("keywords")
    description = table.text("description")
    description_en = table.text("description_en")
    promised_days = table.integer("promised_days", minimum=0)
    table.finish()

    if "mandatory" in data and not mandatory:
        table.problem("'mandatory' must list at least one item")
    for duplicate in _duplicates(mandatory + optional):
        where = "both mandatory and optional" if duplicate in mandatory and duplicate in optional else "listed twice"
        table.problem(f"item '{duplicate}' is {where}")
    if not (regions or regions_under):
        table.problem("offered nowhere: give it 'regions' or 'regions_under'")
    if bool(description) != bool(description_en):
        missing = "description_en" if description else "description"
        table.problem(f"'{missing}' is missing: every user-visible text has a Chinese and an English twin")

    bundle = Bundle(
        id=bundle_id,
        name=name,
        name_en=name_en,
        theme=theme,
        lead_department=lead_department,
        mandatory=mandatory,
        optional=optional,
        questions=questions,
        regions=regions,
        regions_under=regions_under,
        hot=hot,
        local=local,
        survey=survey,
        keywords=keywords,
        description=description,
        description_en=description_en,
        applicant_kind=applicant_kind,
        promised_days=promised_days,
    )
    if _register(parts, "offering", bundle_id, "bundle", _Origin(rel, table.entry)):
        parts.bundles[bundle_id] = bundle


def _read_questions(table: _Table, optional: tuple[str, ...], mandatory: tuple[str, ...]) -> tuple[Question, ...]:
    questions: list[Question] = []
    for position, data in enumerate(table.tables("question"), start=1):
        sub = table.child(data, _entry_label("question", data, "id", position))
        question_id = sub.identifier()
        text = sub.text("text", required=True)
        text_en = sub.text("text_en", required=True)
        default = sub.text("default")
        options = _read_options(sub, optional, mandatory)
        sub.finish()
        if len(options) == 1:
            sub.problem("a question needs at least two options")
        if default and options and all(o.value != default for o in options):
            values = ", ".join(f"'{o.value}'" for o in options)
            sub.problem(f"'default' '{default}' is not among the options ({values})")
        if question_id and any(q.id == question_id for q in questions):
            sub.problem(f"duplicate question id '{question_id}' in this bundle")
        questions.append(Question(id=question_id, text=text, text_en=text_en, options=options, default=default))
    return tuple(questions)


def _read_options(question: _Table, optional: tuple[str, ...], mandatory: tuple[str, ...]) -> tuple[Option, ...]:
    options: list[Option] = []
    for position, data in enumerate(question.tables("option", required=True), start=1):
        sub = question.child(data, _entry_label("option", data, "value", position))
        option = Option(
            value=sub.text("value", required=True),
            label=sub.text("label", required=True),
            label_en=sub.text("label_en", required=True),
            enables=sub.texts("enables"),
        )
        sub.finish()
        for item_id in option.enables:
            if item_id in optional:
                continue
            why = "it is mandatory" if item_id in mandatory else "it is not among the bundle's 'optional' items"
            sub.problem(f"enables '{item_id}', but {why}: options may only switch on optional items")
        if option.value and any(o.value == option.value for o in options):
            sub.problem(f"duplicate option value '{option.value}'")
        options.append(option)
    return tuple(options)


def _duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


# -- cross-references ----------------------------------------------------------------------


def _check_references(parts: _Parts) -> None:
    _check_regions(parts)
    for item in parts.items.values():
        _check_item_references(parts, item)
    _check_prerequisite_cycles(parts)
    for bundle in parts.bundles.values():
        _check_bundle_references(parts, bundle)
    _check_conditions(parts)


def _unknown(known: dict, wanted: str, what: str) -> str:
    close = difflib.get_close_matches(wanted, list(known), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {what} '{wanted}'{hint}"


def _check_regions(parts: _Parts) -> None:
    step_up = {"city": "province", "county": "city"}
    for code, region in parts.regions.items():
        origin = parts.origin("region", code)
        problem = lambda reason: parts.problem(origin.file, origin.entry, reason)  # noqa: E731
        if not REGION_CODE_PATTERN.match(code):
            problem(f"code '{code}' is not a six-digit GB/T 2260 code")
            continue
        if region.level == "province" and not code.endswith("0000"):
            problem(f"a province code ends in 0000, not '{code}'")
        elif region.level == "city" and (not code.endswith("00") or code.endswith("0000")):
            problem(f"a city code ends in 00 (but not 0000), not '{code}'")
        elif region.level == "county" and code.endswith("00"):
            problem(f"a county code does not end in 00: '{code}'")
        if region.level == "province":
            if region.parent is not None:
                problem("a province has no 'parent'")
            continue
        if region.parent is None:
            problem(f"a {region.level} needs a 'parent' ({step_up[region.level]} code)")
            continue
        parent = parts.regions.get(region.parent)
        if parent is None:
            if not parts.knows("region", parts.regions, region.parent):
                problem(_unknown(parts.regions, region.parent, "parent region"))
            continue
        if parent.level != step_up[region.level]:
            expected = step_up[region.level]
            problem(f"parent {region.parent} is a {parent.level}; a {region.level}'s parent must be a {expected}")
            continue
        shared = 2 if region.level == "city" else 4
        if code[:shared] != region.parent[:shared]:
            problem(f"code '{code}' does not share the prefix '{region.parent[:shared]}' of its parent {region.parent}")


def _check_region_codes(
    parts: _Parts, origin: _Origin, regions: tuple[str, ...], regions_under: tuple[str, ...]
) -> None:
    for key, codes in (("regions", regions), ("regions_under", regions_under)):
        for code in codes:
            if not parts.knows("region", parts.regions, code):
                parts.problem(origin.file, origin.entry, f"'{key}': " + _unknown(parts.regions, code, "region"))


def _check_item_references(parts: _Parts, item: Item) -> None:
    origin = parts.origin("offering", item.id)
    problem = lambda reason: parts.problem(origin.file, origin.entry, reason)  # noqa: E731
    if item.department and not parts.knows("department", parts.departments, item.department):
        problem(_unknown(parts.departments, item.department, "department"))
    for requirement in item.materials:
        if requirement.material and not parts.knows("material", parts.materials, requirement.material):
            problem(_unknown(parts.materials, requirement.material, "material"))
    for requirement in item.fields:
        if requirement.field and not parts.knows("field", parts.fields, requirement.field):
            problem(_unknown(parts.fields, requirement.field, "field"))
    for prerequisite in item.prerequisites:
        if prerequisite in parts.bundles:
            problem(f"prerequisite '{prerequisite}' is a bundle; prerequisites name items")
        elif not parts.knows("item", parts.items, prerequisite):
            problem("prerequisites: " + _unknown(parts.items, prerequisite, "item"))
    _check_region_codes(parts, origin, item.regions, item.regions_under)


def _check_prerequisite_cycles(parts: _Parts) -> None:
    """Report each prerequisite cycle once, named in full (a → b → a)."""
    done: set[str] = set()
    reported: set[tuple[str, ...]] = set()
    for start in parts.items:
        if start in done:
            continue
        # Iterative depth-first search; ``path`` is the chain currently being followed.
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(parts.items[start].prerequisites))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
                continue
            if following not in parts.items or following in done:
                continue
            if following in on_path:
                cycle = path[path.index(following) :]
                turn = cycle.index(min(cycle))
                canonical = tuple(cycle[turn:] + cycle[:turn])
                if canonical not in reported:
                    reported.add(canonical)
                    origin = parts.origin("offering", canonical[0])
                    chain = " → ".join(canonical + (canonical[0],))
                    parts.problem(origin.file, origin.entry, f"prerequisite cycle: {chain}")
                continue
            path.append(following)
            on_path.add(following)
            stack.append((following, iter(parts.items[following].prerequisites)))


def _check_bundle_references(parts: _Parts, bundle: Bundle) -> None:
    origin = parts.origin("offering", bundle.id)
    problem = lambda reason: parts.problem(origin.file, origin.entry, reason)  # noqa: E731
    members = bundle.mandatory + bundle.optional
    for key, item_ids in (("mandatory", bundle.mandatory), ("optional", bundle.optional)):
        for item_id in item_ids:
            if item_id in parts.bundles:
                problem(f"'{key}': '{item_id}' is a bundle; bundles contain items")
            elif not parts.knows("item", parts.items, item_id):
                problem(f"'{key}': " + _unknown(parts.items, item_id, "item"))
    if bundle.lead_department:
        if not parts.knows("department", parts.departments, bundle.lead_department):
            problem("'lead_department': " + _unknown(parts.departments, bundle.lead_department, "department"))
        else:
            owners = {parts.items[i].department for i in members if i in parts.items}
            if owners and bundle.lead_department not in owners and "item" not in parts.unreadable:
                problem(
                    f"lead department '{bundle.lead_department}' owns none of the bundle's items "
                    f"(they belong to {', '.join(sorted(owners))})"
                )
    for item_id in dict.fromkeys(members):
        item = parts.items.get(item_id)
        if item is not None and bundle.applicant_kind not in item.applicant_kinds:
            kind = bundle.applicant_kind
            problem(f"item '{item_id}' does not accept {kind} applicants, but the bundle's applicant is one")
    _check_region_codes(parts, origin, bundle.regions, bundle.regions_under)


def _check_conditions(parts: _Parts) -> None:
    """A ``when`` must name a question some bundle containing the item asks, with its options."""
    containing: dict[str, list[Bundle]] = {}
    for bundle in parts.bundles.values():
        for item_id in dict.fromkeys(bundle.mandatory + bundle.optional):
            containing.setdefault(item_id, []).append(bundle)
    for use in parts.conditions:
        if use.item not in parts.items:
            continue  # a duplicate or id-less item: already reported
        bundles = containing.get(use.item, [])
        condition = use.condition
        asking = [(b, q) for b in bundles for q in b.questions if q.id == condition.question]
        if not asking:
            if "bundle" in parts.unreadable:
                continue
            if bundles:
                names = ", ".join(b.id for b in bundles)
                reason = f"no bundle containing this item ({names}) asks question '{condition.question}'"
            else:
                reason = f"names question '{condition.question}', but no bundle contains this item"
            parts.problem(use.origin.file, use.origin.entry, reason)
            continue
        known_values = {o.value for _bundle, q in asking for o in q.options}
        for value in condition.any_of:
            if value not in known_values:
                listed = ", ".join(f"'{v}'" for v in sorted(known_values))
                parts.problem(
                    use.origin.file,
                    use.origin.entry,
                    f"'{value}' is not an option of question '{condition.question}' ({listed})",
                )
