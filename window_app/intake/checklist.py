"""The merged material list (材料清单): each material asked once, whatever number of items need it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from window_app.domain.catalog import Catalog, Item, MaterialRequirement
from window_app.domain.intake import Checklist, ChecklistLine
from window_app.intake.stages import in_stage_order


def applicable_materials(item: Item, answers: Mapping[str, str]) -> tuple[MaterialRequirement, ...]:
    """The item's material requirements that apply under these answers (``when`` holds or absent).

    A condition on a question the answers do not contain does not hold: an item picked alone
    cannot ask its bundle's questions, so those materials do not apply.
    """
    return tuple(
        requirement
        for requirement in item.materials
        if requirement.when is None or requirement.when.holds(dict(answers))
    )


def merge_checklist(catalog: Catalog, items: Iterable[Item], answers: Mapping[str, str]) -> Checklist:
    """Merge the materials of the items into one checklist.

    Lines come in first-appearance order, walking the items stage by stage; each line lists
    the items that need the material and their departments (in the same order), and wants the
    original if any of those items does.

    Args:
        catalog: Resolves material ids.
        items: The selected items (any order; they are put in stage order here).
        answers: Effective answers (see :func:`window_app.intake.selection.effective_answers`).

    Returns:
        The checklist; ``requirements`` counts every applicable (item, material) pair.
    """
    needed_by: dict[str, list[Item]] = {}
    original: dict[str, bool] = {}
    requirements = 0
    for item in in_stage_order(catalog, items):
        counted: set[str] = set()
        for requirement in applicable_materials(item, answers):
            material_id = requirement.material
            if material_id not in counted:  # an item listing a material twice still needs it once
                counted.add(material_id)
                requirements += 1
                needed_by.setdefault(material_id, []).append(item)
            original[material_id] = original.get(material_id, False) or requirement.original
    lines = tuple(
        ChecklistLine(
            material=catalog.materials[material_id],
            needed_by=tuple(item.id for item in needers),
            departments=tuple(dict.fromkeys(item.department for item in needers)),
            original_required=original[material_id],
        )
        for material_id, needers in needed_by.items()
    )
    return Checklist(lines=lines, requirements=requirements)
