"""Reading ``[[item]]`` entries: one service of one department, with its materials and fields."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, TypeVar, get_args

from window_app.catalog.partial import ConditionUse, Origin, PartialCatalog
from window_app.catalog.table import Table, entry_label
from window_app.catalog.values import duplicates, type_name
from window_app.domain.catalog import (
    APPLICANT_DATA,
    DEFAULT_APPLICANT_DATA,
    ApplicantKind,
    Condition,
    FieldRequirement,
    HandlingClass,
    Item,
    MaterialRequirement,
    Theme,
)

HANDLING_CLASSES: tuple[HandlingClass, ...] = get_args(HandlingClass)
APPLICANT_KINDS: tuple[ApplicantKind, ...] = get_args(ApplicantKind)
THEMES: tuple[Theme, ...] = get_args(Theme)

Requirement = TypeVar("Requirement", MaterialRequirement, FieldRequirement)


def read_item(rel: str, data: dict, partial: PartialCatalog, position: int) -> None:
    table = Table(data, rel, entry_label("item", data, "id", position), partial)
    item_id = table.identifier()
    name = table.words("name")
    department = table.text("department", required=True)
    handling_class = table.one_of("handling_class", HANDLING_CLASSES, required=True, default=3)
    time_limit_days = table.integer("time_limit_days", required=True, default=0, minimum=0)
    promised_days = table.integer("promised_days", required=True, default=0, minimum=0)
    materials = _read_requirements(table, item_id, "material", MaterialRequirement, _material_details)
    fields = _read_requirements(table, item_id, "field", FieldRequirement, _field_details)
    prerequisites = table.texts("prerequisites")
    result = table.text("result")
    site_survey = table.flag("site_survey")
    applicant_kinds = _read_applicant_kinds(table)
    standalone = table.flag("standalone")
    regions = table.texts("regions")
    regions_under = table.texts("regions_under")
    theme = table.one_of("theme", THEMES, default="personal")
    keywords = table.texts("keywords")
    synonyms = table.texts("synonyms")
    applicant_data = _read_applicant_data(table, applicant_kinds)
    table.finish()

    if promised_days > time_limit_days:
        table.problem(f"'promised_days' {promised_days} is above the statutory 'time_limit_days' {time_limit_days}")
    if standalone and not (regions or regions_under):
        table.problem("a standalone item offered nowhere: give it 'regions' or 'regions_under'")
    if not standalone and (regions or regions_under):
        table.problem("'regions'/'regions_under' say where an item is offered alone, but it is not 'standalone = true'")
    for duplicate in duplicates(prerequisites):
        table.problem(f"prerequisite '{duplicate}' is listed twice")

    item = Item(
        id=item_id,
        name=name,
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
        synonyms=synonyms,
        result=result,
        theme=theme,
        applicant_data=applicant_data,
    )
    if partial.register("offering", item_id, "item", Origin(rel, table.entry)):
        partial.items[item_id] = item


def _read_applicant_kinds(table: Table) -> tuple[str, ...]:
    if "applicant_kinds" not in table.data:
        table.known.add("applicant_kinds")
        return APPLICANT_KINDS
    kinds = table.texts("applicant_kinds")
    allowed = [f"'{kind}'" for kind in APPLICANT_KINDS]
    good = []
    for kind in kinds:
        if kind not in APPLICANT_KINDS:
            table.problem(f"'applicant_kinds' may hold {' and '.join(allowed)}, not '{kind}'")
        elif kind not in good:
            good.append(kind)
    if not good:
        table.problem(f"'applicant_kinds' must name at least one of {', '.join(allowed)}")
        return APPLICANT_KINDS
    return tuple(good)


def _read_applicant_data(table: Table, applicant_kinds: tuple[str, ...]) -> tuple[str, ...]:
    """``applicant_data``: what the item's department needs to know of the applicant.

    Missing: :data:`DEFAULT_APPLICANT_DATA` (the name). ``[]``: nothing (a site survey). Each
    datum must be one of :data:`APPLICANT_DATA` and exist for an applicant kind the item accepts
    (no legal representative of a person). What the item's prefilled fields hold is added once
    fields are known (:mod:`~window_app.catalog.references`).
    """
    if "applicant_data" not in table.data:
        table.known.add("applicant_data")
        return DEFAULT_APPLICANT_DATA
    declared = table.texts("applicant_data")
    good: list[str] = []
    for datum in declared:
        kinds = APPLICANT_DATA.get(datum)
        if kinds is None:
            table.problem(f"'applicant_data': {_unknown_datum(datum)}")
        elif not set(kinds) & set(applicant_kinds):
            accepted = " and ".join(f"{kind}s" for kind in applicant_kinds)
            only = " and ".join(f"{kind}s" for kind in kinds)
            table.problem(f"'applicant_data': '{datum}' exists for {only} only; this item accepts {accepted} ('applicant_kinds')")
        elif datum in good:
            table.problem(f"'applicant_data': '{datum}' is listed twice")
        else:
            good.append(datum)
    return tuple(good)


def _unknown_datum(datum: str) -> str:
    if datum.endswith(".address"):
        return (
            f"'{datum}' is not applicant data: an address is a form field "
            "(e.g. 'applicant_address', 'business_address'): list it in 'fields'"
        )
    close = difflib.get_close_matches(datum, list(APPLICANT_DATA), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    roles = ", ".join(dict.fromkeys(key.split(".")[0] for key in APPLICANT_DATA))
    return f"unknown applicant datum '{datum}'{hint}; a datum is role.what, the roles being {roles} (docs/catalog-format.md)"


def _read_requirements(
    table: Table,
    item_id: str,
    kind: str,
    requirement: Callable[..., Requirement],
    read_details: Callable[[Table], dict[str, Any]],
) -> tuple[Requirement, ...]:
    """An item's ``materials`` or ``fields``: each a bare id, or an inline table with a ``when``.

    Args:
        kind: ``material`` or ``field``: the list is ``materials`` / ``fields``, and an inline
            table gives the id under ``material`` / ``field``.
        requirement: Builds one requirement, :class:`MaterialRequirement` or :class:`FieldRequirement`.
        read_details: Reads the inline table's keys besides the id and ``when``.
    """
    key = f"{kind}s"
    elements = table.array(key)
    # Bare ids only (the usual list): read once per distinct list. A list that is cached
    # was read without a problem, so reading it again would report nothing either.
    plain = (kind, *elements) if all(type(element) is str for element in elements) else None
    if plain is not None:
        cached = table.partial.requirement_lists.get(plain)
        if cached is not None:
            return cached
    problems_before = len(table.partial.problems)
    requirements: list[Requirement] = []
    for position, element in enumerate(elements, start=1):
        if isinstance(element, str):
            requirements.append(table.partial.share(requirement(table.partial.share(element))))
            continue
        if not isinstance(element, dict):
            expected = f"a {kind} id or an inline table"
            table.problem(f"'{key}' element {position} must be {expected}, not {type_name(element)}")
            continue
        sub = table.child(element, entry_label(kind, element, kind, position))
        wanted = sub.text(kind, required=True)
        when = _read_condition(sub, item_id)
        details = read_details(sub)
        sub.finish()
        requirements.append(table.partial.share(requirement(wanted, when=when, **details)))
    unconditional = [getattr(r, kind) for r in requirements if r.when is None]
    for duplicate in duplicates(unconditional):
        table.problem(f"{kind} '{duplicate}' is listed twice")
    found = table.partial.share(tuple(requirements))
    if plain is not None and len(table.partial.problems) == problems_before:
        table.partial.requirement_lists[plain] = found
    return found


def _material_details(sub: Table) -> dict[str, Any]:
    """Whether the original must be seen, not only a copy."""
    return {"original": sub.flag("original")}


def _field_details(sub: Table) -> dict[str, Any]:
    """The item's override of the field's own ``required`` (None keeps the field's default) and
    the department's own name for the field (``label``/``label_en``), carried in its part."""
    sub.known.add("required")
    return {"required": sub.flag("required") if "required" in sub.data else None, "label": sub.bilingual("label")}


def _read_condition(owner: Table, item_id: str) -> Condition | None:
    data = owner.table("when")
    if data is None:
        return None
    sub = owner.child(data, "when")
    question = sub.text("question", required=True)
    any_of = sub.texts("any_of", required=True)
    sub.finish()
    if "any_of" in data and not any_of:
        sub.problem("'any_of' must list at least one option value")
    condition = owner.partial.share(Condition(question=question, any_of=any_of))
    if question:
        owner.partial.conditions.append(ConditionUse(Origin(sub.file, sub.entry), item_id, condition))
    return condition
