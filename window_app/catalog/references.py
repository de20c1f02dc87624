"""Checks that need the whole catalog: references between entries, region codes, prerequisite cycles."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable

from window_app.catalog.office_checks import check_offices
from window_app.catalog.partial import Origin, PartialCatalog
from window_app.catalog.rules import check_rule_fields
from window_app.domain.catalog import APPLICANT_DATA, PREFILL_DATA, Bundle, Item

REGION_CODE_PATTERN = re.compile(r"^[0-9]{6}$")


def check_references(partial: PartialCatalog) -> None:
    _check_regions(partial)
    for department in partial.departments.values():
        if department.region and not partial.knows("region", partial.regions, department.region):
            origin = partial.origin("department", department.id)
            partial.problem(origin.file, origin.entry, "'region': " + _unknown(partial.regions, department.region, "region"))
    for item in partial.items.values():
        _check_item_references(partial, item)
    _check_prerequisite_cycles(partial)
    for bundle in partial.bundles.values():
        _check_bundle_references(partial, bundle)
    _check_conditions(partial)
    check_offices(partial)
    _check_group_headings(partial)
    _check_merged_fields(partial)
    check_rule_fields(partial)
    _add_prefilled_applicant_data(partial)


def _unknown(known: dict, wanted: str, what: str) -> str:
    close = difflib.get_close_matches(wanted, list(known), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {what} '{wanted}'{hint}"


def _unknown_field(partial: PartialCatalog, field_id: str) -> str:
    merged = next((f.id for f in partial.fields.values() if field_id in f.replaces), None)
    if merged is not None:
        return f"field '{field_id}' was merged into '{merged}' (its 'replaces'): name '{merged}'"
    return _unknown(partial.fields, field_id, "field")


def _check_regions(partial: PartialCatalog) -> None:
    step_up = {"city": "province", "county": "city"}
    for code, region in partial.regions.items():
        origin = partial.origin("region", code)
        problem = lambda reason, origin=origin: partial.problem(origin.file, origin.entry, reason)  # noqa: E731
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
        parent = partial.regions.get(region.parent)
        if parent is None:
            if not partial.knows("region", partial.regions, region.parent):
                problem(_unknown(partial.regions, region.parent, "parent region"))
            continue
        if parent.level != step_up[region.level]:
            expected = step_up[region.level]
            problem(f"parent {region.parent} is a {parent.level}; a {region.level}'s parent must be a {expected}")
            continue
        shared = 2 if region.level == "city" else 4
        if code[:shared] != region.parent[:shared]:
            problem(f"code '{code}' does not share the prefix '{region.parent[:shared]}' of its parent {region.parent}")


def _check_region_codes(
    partial: PartialCatalog, origin: Origin, regions: tuple[str, ...], regions_under: tuple[str, ...]
) -> None:
    for key, codes in (("regions", regions), ("regions_under", regions_under)):
        for code in codes:
            if not partial.knows("region", partial.regions, code):
                partial.problem(origin.file, origin.entry, f"'{key}': " + _unknown(partial.regions, code, "region"))


def _check_item_references(partial: PartialCatalog, item: Item) -> None:
    origin = partial.origin("offering", item.id)
    problem = lambda reason: partial.problem(origin.file, origin.entry, reason)  # noqa: E731
    if item.department and not partial.knows("department", partial.departments, item.department):
        problem(_unknown(partial.departments, item.department, "department"))
    for requirement in item.materials:
        if requirement.material and not partial.knows("material", partial.materials, requirement.material):
            problem(_unknown(partial.materials, requirement.material, "material"))
    for requirement in item.fields:
        if requirement.field and not partial.knows("field", partial.fields, requirement.field):
            problem(_unknown_field(partial, requirement.field))
    for prerequisite in item.prerequisites:
        if prerequisite in partial.bundles:
            problem(f"prerequisite '{prerequisite}' is a bundle; prerequisites name items")
        elif not partial.knows("item", partial.items, prerequisite):
            problem("prerequisites: " + _unknown(partial.items, prerequisite, "item"))
    _check_region_codes(partial, origin, item.regions, item.regions_under)


def _check_prerequisite_cycles(partial: PartialCatalog) -> None:
    """Report each prerequisite cycle once, named in full (a → b → a)."""
    done: set[str] = set()
    reported: set[tuple[str, ...]] = set()
    for start in partial.items:
        if start in done:
            continue
        # Iterative depth-first search; ``path`` is the chain currently being followed.
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(partial.items[start].prerequisites))]
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
            if following not in partial.items or following in done:
                continue
            if following in on_path:
                cycle = path[path.index(following) :]
                turn = cycle.index(min(cycle))
                canonical = tuple(cycle[turn:] + cycle[:turn])
                if canonical not in reported:
                    reported.add(canonical)
                    origin = partial.origin("offering", canonical[0])
                    chain = " → ".join(canonical + (canonical[0],))
                    partial.problem(origin.file, origin.entry, f"prerequisite cycle: {chain}")
                continue
            path.append(following)
            on_path.add(following)
            stack.append((following, iter(partial.items[following].prerequisites)))


def _check_bundle_references(partial: PartialCatalog, bundle: Bundle) -> None:
    origin = partial.origin("offering", bundle.id)
    problem = lambda reason: partial.problem(origin.file, origin.entry, reason)  # noqa: E731
    members = bundle.mandatory + bundle.optional
    for key, item_ids in (("mandatory", bundle.mandatory), ("optional", bundle.optional)):
        for item_id in item_ids:
            if item_id in partial.bundles:
                problem(f"'{key}': '{item_id}' is a bundle; bundles contain items")
            elif not partial.knows("item", partial.items, item_id):
                problem(f"'{key}': " + _unknown(partial.items, item_id, "item"))
    if bundle.lead_department:
        if not partial.knows("department", partial.departments, bundle.lead_department):
            problem("'lead_department': " + _unknown(partial.departments, bundle.lead_department, "department"))
        else:
            owners = {partial.items[i].department for i in members if i in partial.items}
            if owners and bundle.lead_department not in owners and "item" not in partial.unreadable:
                problem(
                    f"lead department '{bundle.lead_department}' owns none of the bundle's items "
                    f"(they belong to {', '.join(sorted(owners))})"
                )
    for item_id in dict.fromkeys(members):
        item = partial.items.get(item_id)
        if item is not None and bundle.applicant_kind not in item.applicant_kinds:
            kind = bundle.applicant_kind
            problem(f"item '{item_id}' does not accept {kind} applicants, but the bundle's applicant is one")
    _check_region_codes(partial, origin, bundle.regions, bundle.regions_under)


def _check_conditions(partial: PartialCatalog) -> None:
    """A ``when`` must name a question some bundle containing the item asks, with its options."""
    containing: dict[str, list[Bundle]] = {}
    for bundle in partial.bundles.values():
        for item_id in dict.fromkeys(bundle.mandatory + bundle.optional):
            containing.setdefault(item_id, []).append(bundle)
    for use in partial.conditions:
        if use.item not in partial.items:
            continue  # a duplicate or id-less item: already reported
        bundles = containing.get(use.item, [])
        condition = use.condition
        asking = [(b, q) for b in bundles for q in b.questions if q.id == condition.question]
        if not asking:
            if "bundle" in partial.unreadable:
                continue
            if bundles:
                names = ", ".join(b.id for b in bundles)
                reason = f"no bundle containing this item ({names}) asks question '{condition.question}'"
            else:
                reason = f"names question '{condition.question}', but no bundle contains this item"
            partial.problem(use.origin.file, use.origin.entry, reason)
            continue
        known_values = {o.value for _bundle, q in asking for o in q.options}
        for value in condition.any_of:
            if value not in known_values:
                listed = ", ".join(f"'{v}'" for v in sorted(known_values))
                partial.problem(
                    use.origin.file,
                    use.origin.entry,
                    f"'{value}' is not an option of question '{condition.question}' ({listed})",
                )


def _check_merged_fields(partial: PartialCatalog) -> None:
    """A merged field (named in a ``replaces``) is gone: no field keeps its id, and no two
    fields claim it (an item naming the old id is told the new one: :func:`_unknown_field`)."""
    claimed: dict[str, str] = {}
    for field_id, form_field in partial.fields.items():
        origin = partial.origin("field", field_id)
        for old in form_field.replaces:
            if old in partial.fields:
                partial.problem(origin.file, origin.entry, f"'replaces': field '{old}' still exists; a merged field is removed")
            elif old in claimed:
                partial.problem(origin.file, origin.entry, f"'replaces': '{old}' is already replaced by field '{claimed[old]}'")
            else:
                claimed[old] = field_id


def _check_group_headings(partial: PartialCatalog) -> None:
    """Fields of one form section (the same ``group``) word its English heading the same way."""
    first: dict[str, tuple[str, str]] = {}  # Chinese heading → (English heading, the field that set it)
    for field_id, form_field in partial.fields.items():
        group = form_field.group
        if not (group.zh and group.en):
            continue  # no group, or a missing twin: already reported
        english, setter = first.setdefault(group.zh, (group.en, field_id))
        if group.en != english:
            origin = partial.origin("field", field_id)
            reason = (
                f"'group_en' '{group.en}' differs from '{english}' given for group "
                f"'{group.zh}' by field '{setter}': one section has one English heading"
            )
            partial.problem(origin.file, origin.entry, reason)


def _add_prefilled_applicant_data(partial: PartialCatalog) -> None:
    """An item receives what its prefilled fields hold: ``applicant_id_number`` (prefilled from
    ``applicant.person.id_number``) IS the applicant's ID number. The item's ``applicant_data``
    gets those data added, so that it never says less than what is sent; then it is put in the
    documented order."""
    done: dict[tuple, tuple[str, ...]] = {}  # a large catalog repeats the same declarations
    for item_id, item in partial.items.items():
        fields = tuple(requirement.field for requirement in item.fields)
        known = (item.applicant_data, item.applicant_kinds, fields)
        ordered = done.get(known)
        if ordered is None:
            data = set(item.applicant_data)
            for field_id in fields:
                form_field = partial.fields.get(field_id)
                by_kind = PREFILL_DATA.get(form_field.prefill, {}) if form_field else {}
                data.update(by_kind[kind] for kind in item.applicant_kinds if kind in by_kind)
            ordered = done[known] = tuple(key for key in APPLICANT_DATA if key in data)
        if ordered != item.applicant_data:
            partial.items[item_id] = dataclasses.replace(item, applicant_data=ordered)
