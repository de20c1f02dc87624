"""Checks of offices across the catalog: their department and region exist, and every item of
an offering has an office of its department wherever the offering is offered.

A department kind with no office at all is its own office everywhere (a catalog written before
offices): nothing to check for it. One with offices must reach every region where one of its
items is offered, by an office of that region or of a region above it.
"""

from __future__ import annotations

from collections.abc import Iterable

from window_app.catalog.partial import Origin, PartialCatalog
from window_app.catalog.problems import CatalogProblem
from window_app.domain.catalog import Bundle, Item, item_as_bundle
from window_app.domain.words import Words


def check_offices(partial: PartialCatalog) -> None:
    """Every problem of the offices (unknown department or region; unserved offered items)."""
    for office in partial.offices.values():
        origin = partial.origin("office", office.id)
        if office.department and not partial.knows("department", partial.departments, office.department):
            partial.problem(origin.file, origin.entry, f"unknown department '{office.department}'")
        if office.region and not partial.knows("region", partial.regions, office.region):
            partial.problem(origin.file, origin.entry, f"unknown region '{office.region}'")
    if not partial.offices or {"office", "item", "bundle", "region"} & partial.unreadable:
        return
    _check_served(partial)


def _check_served(partial: PartialCatalog) -> None:
    served = _served_regions(partial)
    below = _regions_below(partial)
    # A large catalog repeats the same items and availability thousands of times: each distinct
    # (departments, regions, regions_under) is worked out once.
    done: dict[tuple, tuple[tuple[str, tuple[str, ...]], ...]] = {}
    offerings: Iterable[tuple[Bundle, str]] = (
        *((bundle, "bundle") for bundle in partial.bundles.values()),
        *((item_as_bundle(item), "item") for item in partial.items.values() if item.standalone),
    )
    for bundle, kind in offerings:
        items = [partial.items[i] for i in dict.fromkeys(bundle.mandatory + bundle.optional) if i in partial.items]
        departments = tuple(dict.fromkeys(item.department for item in items if item.department in served))
        if not departments:
            continue
        key = (departments, bundle.regions, bundle.regions_under)
        unserved = done.get(key)
        if unserved is None:
            offered = _offered_regions(partial, bundle, below)
            unserved = done[key] = tuple(
                (department, missing)
                for department in departments
                if (missing := tuple(code for code in offered if code not in served[department]))
            )
        if unserved:
            _report(partial, partial.origin("offering", bundle.id), kind, items, dict(unserved))


def _report(partial: PartialCatalog, origin: Origin, kind: str, items: list[Item], unserved: dict[str, tuple[str, ...]]) -> None:
    for item in items:
        missing = unserved.get(item.department)
        if not missing:
            continue
        names = "、".join(f"{partial.regions[c].name.zh}（{c}）" for c in missing)
        names_en = ", ".join(f"{partial.regions[c].name.en} ({c})" for c in missing)
        where = Words("套餐", "bundle") if kind == "bundle" else Words("单项事项", "item")
        reason = Words(
            "事项“{item}”：{names}没有{department}的办理机构（offices/*.toml），而本{where}在该地可办",
            "item '{item}': no office of department '{department}' serves {names_en} (offices/*.toml), "
            "where this {where} is offered",
        ).format(item=item.id, department=item.department, names=names, names_en=names_en, where=where)
        partial.problems.append(CatalogProblem(origin.file, origin.entry, reason))


def _served_regions(partial: PartialCatalog) -> dict[str, set[str]]:
    """Department kind (with offices) → every region one of its offices serves (its own and
    every region below it)."""
    below = _regions_below(partial)
    served: dict[str, set[str]] = {}
    for office in partial.offices.values():
        if office.department in partial.departments and office.region in partial.regions:
            regions = served.setdefault(office.department, set())
            regions.add(office.region)
            regions.update(below.get(office.region, ()))
    return served


def _regions_below(partial: PartialCatalog) -> dict[str, tuple[str, ...]]:
    """Region code → every region below it (children, grandchildren)."""
    children: dict[str, list[str]] = {}
    for code, region in partial.regions.items():
        if region.parent:
            children.setdefault(region.parent, []).append(code)
    below: dict[str, tuple[str, ...]] = {}

    def walk(code: str, seen: frozenset[str]) -> tuple[str, ...]:
        if code in below:
            return below[code]
        found: list[str] = []
        for child in children.get(code, ()):
            if child not in seen:  # a parent cycle is reported by the region checks
                found.append(child)
                found.extend(walk(child, seen | {child}))
        below[code] = tuple(found)
        return below[code]

    for code in partial.regions:
        walk(code, frozenset({code}))
    return below


def _offered_regions(partial: PartialCatalog, bundle: Bundle, below: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Every region of the catalog where ``bundle`` is offered, in catalog order."""
    offered = {code for code in bundle.regions if code in partial.regions}
    for code in bundle.regions_under:
        if code in partial.regions:
            offered.add(code)
            offered.update(below.get(code, ()))
    return tuple(code for code in partial.regions if code in offered)
