"""The 办事指南 of an offering under given answers: items, checklist, form, stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from window_app.domain.catalog import ApplicantKind, Catalog, Item, Offering, applicant_data_for, bilingual_keys
from window_app.domain.intake import (
    Applicant,
    Checklist,
    DispatchPlan,
    Intake,
    MaterialStatus,
    UnifiedForm,
)
from window_app.intake.checklist import merge_checklist
from window_app.intake.form import merge_form
from window_app.intake.rules import applicable_rules, describe_rule
from window_app.intake.selection import effective_answers, optional_states, selected_items
from window_app.intake.stages import plan_dispatch

RULE_KEYS = ("other", "within_days", "sex", "minimum", "maximum")
"""A rule's keys besides ``check`` and ``field``, as the catalog writes them (given ones only)."""


@dataclass(frozen=True)
class Share:
    """What one department receives at one stage: the contents of one envelope, by id.

    Attributes:
        applicant_data: Of the applicant, exactly these (keys of
            :data:`~window_app.domain.catalog.APPLICANT_DATA`): what the items declare, for the
            applicant's kind.
        fields: The form fields the items use; materials: the materials they need.
        is_lead: The bundle's lead department (its envelope also lists every part, ids only).
    """

    stage: int
    department: str
    items: tuple[Item, ...]
    applicant_data: tuple[str, ...]
    fields: tuple[str, ...]
    materials: tuple[str, ...]
    is_lead: bool


@dataclass(frozen=True)
class Guide:
    """Everything derived from an offering and an intake's answers/choices.

    Attributes:
        items: Selected items (mandatory + chosen optional), in stage order.
        optional: Optional items of the offering and whether each is currently selected.
        answers: The effective answers the guide was built under (defaults filled in).
        applicant_kind: The intake's applicant kind: what the departments receive of the
            applicant depends on it (:attr:`shares`).
    """

    offering: Offering
    items: tuple[Item, ...]
    optional: tuple[tuple[Item, bool], ...]
    checklist: Checklist
    form: UnifiedForm
    plan: DispatchPlan
    answers: dict[str, str] = field(default_factory=dict)
    applicant_kind: ApplicantKind = "person"

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.department for item in self.items))

    @property
    def material_count_before(self) -> int:
        """Materials the applicant would bring item by item (one per item and material)."""
        return self.checklist.requirements

    @property
    def material_count_after(self) -> int:
        """Materials the applicant brings with the merged checklist."""
        return len(self.checklist.lines)

    @property
    def promised_days(self) -> int:
        """The bundle's promised time limit if it sets one, else the plan's (stages in a row)."""
        override = self.offering.bundle.promised_days
        return self.plan.promised_days if override is None else override

    @property
    def shares(self) -> tuple[Share, ...]:
        """What each department receives, one :class:`Share` per envelope (department and stage),
        in stage order: what :func:`window_app.dispatch.build_envelopes` puts in each."""
        lead = self.offering.bundle.lead_department
        shares = []
        for stage in self.plan.stages:
            for department in stage.departments:
                items = tuple(item for item in stage.items if item.department == department)
                ids = {item.id for item in items}
                shares.append(
                    Share(
                        stage=stage.number,
                        department=department,
                        items=items,
                        applicant_data=applicant_data_for(items, self.applicant_kind),
                        fields=tuple(line.field.id for line in self.form.lines if ids.intersection(line.used_by)),
                        materials=tuple(
                            line.material.id for line in self.checklist.lines if ids.intersection(line.needed_by)
                        ),
                        is_lead=department == lead,
                    )
                )
        return tuple(shares)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able summary (what ``window-app guide BUNDLE --json`` prints)."""
        bundle = self.offering.bundle
        on_form = {line.field.id: line.field for line in self.form.lines}
        return {
            "bundle": {
                "id": bundle.id,
                **bilingual_keys("name", bundle.name),
                "kind": self.offering.kind,
                "lead_department": bundle.lead_department,
            },
            "answers": dict(self.answers),
            "items": [item.id for item in self.items],
            "optional": [{"id": item.id, "selected": selected} for item, selected in self.optional],
            "materials": [
                {
                    "id": line.material.id,
                    **bilingual_keys("name", line.material.name),
                    "needed_by": list(line.needed_by),
                    "departments": list(line.departments),
                    "shareable": line.material.shareable,
                    "key": line.material.key,
                    "original_required": line.original_required,
                }
                for line in self.checklist.lines
            ],
            "fields": [line.field.id for line in self.form.lines],
            "form": [
                {
                    "id": line.field.id,
                    **bilingual_keys("label", line.field.label),
                    **bilingual_keys("group", line.field.group),
                    "type": line.field.type,
                    "required": line.required,
                    "prefill": line.field.prefill,
                    "used_by": list(line.used_by),
                }
                for line in self.form.lines
            ],
            "checks": [
                {
                    "check": rule.check,
                    "field": rule.field,
                    **{key: value for key in RULE_KEYS if (value := getattr(rule, key)) not in (None, "")},
                    **bilingual_keys("text", describe_rule(rule, on_form)),
                }
                for rule in applicable_rules(self.offering, self.form)
            ],
            "stages": [[item.id for item in stage.items] for stage in self.plan.stages],
            "external_prerequisites": {
                prerequisite: list(needers) for prerequisite, needers in self.plan.external_prerequisites.items()
            },
            "departments": list(self.departments),
            "applicant_kind": self.applicant_kind,
            "envelopes": [
                {
                    "stage": share.stage,
                    "department": share.department,
                    "is_lead": share.is_lead,
                    "items": [item.id for item in share.items],
                    "applicant_data": list(share.applicant_data),
                    "fields": list(share.fields),
                    "materials": list(share.materials),
                }
                for share in self.shares
            ],
            "promised_days": self.promised_days,
            "requirements_saved": {
                "materials": {
                    "before": self.material_count_before,
                    "after": self.material_count_after,
                    "saved": self.checklist.saved,
                },
                "fields": {
                    "before": self.form.requirements,
                    "after": len(self.form.lines),
                    "saved": self.form.saved,
                },
            },
        }


def build_guide(catalog: Catalog, offering: Offering, intake: Intake) -> Guide:
    """The guide for an intake as it stands: selected items, merged checklist and form, stages.

    Raises:
        ValueError: The selected items' prerequisites form a cycle (a catalog the validator
            would have rejected).
    """
    bundle = offering.bundle
    answers = effective_answers(bundle, intake)
    plan = plan_dispatch(catalog, selected_items(catalog, bundle, intake))
    items = tuple(item for stage in plan.stages for item in stage.items)
    return Guide(
        offering=offering,
        items=items,
        optional=optional_states(catalog, bundle, intake),
        checklist=merge_checklist(catalog, items, answers),
        form=merge_form(catalog, items, answers),
        plan=plan,
        answers=answers,
        applicant_kind=intake.applicant.kind,
    )


def new_intake(catalog: Catalog, offering: Offering) -> Intake:
    """A fresh intake: answers at their defaults (a question of fact has none and starts
    unanswered), shareable materials to verify by data sharing.

    ``verify_online`` stays False: whether the window was offline is decided at accept time.
    """
    bundle = offering.bundle
    intake = Intake(
        offering=bundle.id,
        answers={question.id: question.default for question in bundle.questions if question.default},
        applicant=Applicant(kind=bundle.applicant_kind),
    )
    reconcile_intake(intake, build_guide(catalog, offering, intake))
    return intake


def reconcile_intake(intake: Intake, guide: Guide) -> None:
    """Fit the intake's material states and field values to the guide, in place.

    After answers or optional choices change, materials and fields that no longer apply are
    dropped (validation would report them), and newly applicable shareable materials start as
    ``shared``. States and values that still apply are kept.
    """
    wanted = {line.material.id: line.material for line in guide.checklist.lines}
    intake.materials = {
        material_id: status for material_id, status in intake.materials.items() if material_id in wanted
    }
    for material_id, material in wanted.items():
        if material.shareable and material_id not in intake.materials:
            intake.materials[material_id] = MaterialStatus(state="shared")
    on_form = {line.field.id for line in guide.form.lines}
    intake.fields = {field_id: value for field_id, value in intake.fields.items() if field_id in on_form}
