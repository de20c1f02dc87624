"""The unified form (一表申请): every field of every item asked once, prefilled from the applicant."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from window_app.domain.catalog import PREFILL_PATHS, Catalog, FieldRequirement, Item
from window_app.domain.intake import Applicant, FormLine, Intake, UnifiedForm
from window_app.intake.fields import is_blank
from window_app.intake.stages import in_stage_order


def applicable_fields(item: Item, answers: Mapping[str, str]) -> tuple[FieldRequirement, ...]:
    """The item's field requirements that apply under these answers (``when`` holds or absent)."""
    return tuple(
        requirement
        for requirement in item.fields
        if requirement.when is None or requirement.when.holds(dict(answers))
    )


def merge_form(catalog: Catalog, items: Iterable[Item], answers: Mapping[str, str]) -> UnifiedForm:
    """Merge the forms of the items into one.

    Fields are grouped by :attr:`FormField.group`, groups and fields within a group in order of
    first appearance (items walked stage by stage). A field is required when any item that uses
    it requires it; an item's ``required`` overrides the field's own default.

    Args:
        catalog: Resolves field ids.
        items: The selected items (any order; they are put in stage order here).
        answers: Effective answers.

    Returns:
        The form; ``requirements`` counts every applicable (item, field) pair.
    """
    used_by: dict[str, list[str]] = {}
    required: dict[str, bool] = {}
    requirements = 0
    for item in in_stage_order(catalog, items):
        for requirement in applicable_fields(item, answers):
            field_id = requirement.field
            field = catalog.fields[field_id]
            wanted = field.required if requirement.required is None else requirement.required
            required[field_id] = required.get(field_id, False) or wanted
            if item.id not in used_by.setdefault(field_id, []):
                used_by[field_id].append(item.id)
                requirements += 1
    groups: dict[str, list[str]] = {}
    for field_id in used_by:
        groups.setdefault(catalog.fields[field_id].group.zh, []).append(field_id)  # by the Chinese heading
    lines = tuple(
        FormLine(field=catalog.fields[field_id], used_by=tuple(used_by[field_id]), required=required[field_id])
        for field_ids in groups.values()
        for field_id in field_ids
    )
    return UnifiedForm(lines=lines, requirements=requirements)


def migrate_merged_fields(catalog: Catalog, intake: Intake) -> dict[str, str]:
    """Rename fields merged into a canonical one (the canonical field's ``replaces``), in place.

    Drafts and application files written before a merge (``delivery_date`` before it became
    ``child_birth_date``) still load: an old id's value moves to the canonical id when that is
    blank, and is dropped when it holds the same value. When both hold different values the
    old id stays, and validation says so, naming both (:func:`merged_field_conflicts`): nothing
    is chosen silently.

    Returns:
        Old id → canonical id for each value moved or dropped.
    """
    moved: dict[str, str] = {}
    for old in list(intake.fields):
        canonical = catalog.canonical_field(old)
        if canonical == old:
            continue
        value, current = intake.fields[old], intake.fields.get(canonical, "")
        if is_blank(current) or is_blank(value) or current.strip() == value.strip():
            del intake.fields[old]
            if is_blank(current) and not is_blank(value):
                intake.fields[canonical] = value
            moved[old] = canonical
    return moved


def resolve_prefill(path: str, applicant: Applicant, region: str) -> str:
    """The value a prefill path points at ("" when it points at nothing, e.g. no agent).

    Raises:
        ValueError: Not one of :data:`PREFILL_PATHS`.
    """
    if path not in PREFILL_PATHS:
        raise ValueError(f"unknown prefill path {path!r}")
    if path == "window.region":
        return region
    target: object = applicant
    for part in path.split(".")[1:]:
        if target is None:
            return ""
        target = getattr(target, part)
    return target if isinstance(target, str) else ""


def prefill_values(form: UnifiedForm, applicant: Applicant, region: str) -> dict[str, str]:
    """Field id → value known from the applicant step or the window, for prefilled fields.

    Fields whose source is empty are left out, and so are paths this version does not know
    (the catalog validator rejects them; a stray one must not break the window).
    """
    values = {}
    for line in form.lines:
        if line.field.prefill in PREFILL_PATHS:
            value = resolve_prefill(line.field.prefill, applicant, region)
            if value:
                values[line.field.id] = value
    return values


def form_values(intake: Intake, form: UnifiedForm, region: str) -> dict[str, str]:
    """What each form field holds once prefilled: typed values win, prefill fills the blanks.

    Nothing is changed in ``intake`` (validation uses this; the screens use :func:`apply_prefill`).
    """
    values = prefill_values(form, intake.applicant, region)
    values.update({field_id: value for field_id, value in intake.fields.items() if not is_blank(value)})
    return values


def apply_prefill(intake: Intake, form: UnifiedForm, region: str) -> dict[str, str]:
    """Fill the intake's empty prefilled fields from the applicant and the window, in place.

    Returns:
        The values filled in (field id → value); fields the clerk already typed are untouched.
    """
    filled = {
        field_id: value
        for field_id, value in prefill_values(form, intake.applicant, region).items()
        if is_blank(intake.fields.get(field_id))
    }
    intake.fields.update(filled)
    return filled
