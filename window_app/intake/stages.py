"""The dispatch plan: which items go out together (并联审批) and which must wait for a result."""

from __future__ import annotations

from collections.abc import Iterable

from window_app.domain.catalog import Catalog, Item
from window_app.domain.intake import DispatchPlan, Stage


def plan_dispatch(catalog: Catalog, items: Iterable[Item]) -> DispatchPlan:
    """Stages from prerequisites, restricted to the items of this application.

    An item's stage is 1 + the highest stage of its prerequisites that are in the application
    (stage 1 if none are). Prerequisites outside the application are the applicant's business
    (they must already hold the result) and are listed as external. Within a stage, items keep
    the order they were given in.

    Args:
        catalog: Unused today beyond symmetry with the other merges; kept so the plan can
            later consult departments (e.g. joint site surveys) without changing callers.
        items: The selected items; duplicates are ignored.

    Raises:
        ValueError: The prerequisites form a cycle (the message names it).
    """
    selected = {item.id: item for item in items}
    stage_of: dict[str, int] = {}
    for item_id in selected:
        _assign_stage(item_id, selected, stage_of, [])

    stages = []
    for number in range(1, max(stage_of.values(), default=0) + 1):
        members = tuple(item for item_id, item in selected.items() if stage_of[item_id] == number)
        stages.append(Stage(number=number, items=members))

    external: dict[str, list[str]] = {}
    for item in selected.values():
        for prerequisite in item.prerequisites:
            if prerequisite not in selected:
                external.setdefault(prerequisite, []).append(item.id)
    return DispatchPlan(
        stages=tuple(stages),
        external_prerequisites={key: tuple(needers) for key, needers in external.items()},
    )


def _assign_stage(item_id: str, selected: dict[str, Item], stage_of: dict[str, int], path: list[str]) -> int:
    if item_id in stage_of:
        return stage_of[item_id]
    if item_id in path:
        cycle = path[path.index(item_id) :] + [item_id]
        raise ValueError("prerequisite cycle: " + " → ".join(cycle))
    path.append(item_id)
    inner = [
        _assign_stage(prerequisite, selected, stage_of, path)
        for prerequisite in selected[item_id].prerequisites
        if prerequisite in selected
    ]
    path.pop()
    stage_of[item_id] = 1 + max(inner, default=0)
    return stage_of[item_id]


def in_stage_order(catalog: Catalog, items: Iterable[Item]) -> tuple[Item, ...]:
    """The items, stage by stage (the order the checklist and the guide show them in)."""
    plan = plan_dispatch(catalog, items)
    return tuple(item for stage in plan.stages for item in stage.items)
