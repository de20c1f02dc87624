"""What the clerk fills in at the window, and what the intake rules derive from it.

:class:`Intake` is the whole state of one application being taken: it is what a draft stores
(as JSON, see :meth:`Intake.to_json`), what ``window-app accept FILE.json`` reads, and what the
screens edit step by step. The derived objects (:class:`Checklist`, :class:`UnifiedForm`,
:class:`DispatchPlan`) are recomputed from it and the catalog, never stored as truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from window_app.domain.catalog import ApplicantKind, FormField, Item, Material
from window_app.domain.words import Words

MaterialState = Literal["original", "copy", "shared", "deficient", "not_applicable", "pending"]
"""Per material at the checklist:

- ``original``: original received (and seen); ``copy``: a copy received;
- ``shared``: verified by data sharing (电子证照); offline it is recorded as *to verify online*;
- ``deficient``: deficiency accepted (容缺) with a promised date;
- ``not_applicable``: does not apply to this applicant;
- ``pending``: not yet decided: an application cannot be accepted with pending materials.
"""

STEPS = ("pick", "applicant", "situation", "checklist", "form", "review")


@dataclass
class Person:
    """A natural person: applicant or agent."""

    name: str = ""
    id_number: str = ""  # 居民身份证号码
    phone: str = ""


@dataclass
class Enterprise:
    """An enterprise applicant."""

    name: str = ""
    uscc: str = ""  # 统一社会信用代码; empty for an enterprise not yet registered (企业开办)
    legal_representative: Person = field(default_factory=Person)


@dataclass
class Applicant:
    """The applicant step: who applies, and who acts for them.

    For ``kind == "person"`` the ``person`` is the applicant; for ``"enterprise"`` the
    ``enterprise`` is, and ``person`` is the contact. ``agent`` is filled when a 代办人 acts.
    """

    kind: ApplicantKind = "person"
    person: Person = field(default_factory=Person)
    enterprise: Enterprise = field(default_factory=Enterprise)
    agent: Person | None = None


@dataclass
class MaterialStatus:
    """The clerk's record of one merged material."""

    state: MaterialState = "pending"
    promised_date: str = ""  # ISO date, required for ``deficient``
    note: str = ""
    verify_online: bool = False  # ``shared`` recorded while offline: verify when the line is back


AtWindowOutcome = Literal["approved", "rejected"]


@dataclass
class AtWindowDecision:
    """A 一类直接办 item concluded at the window by a sole approver (独任审批员) at acceptance.

    The shape of a department's item decision: ``result`` is what was issued (a certificate
    or result number) for an approval, ``reason`` why for a refusal (required then).
    """

    decision: AtWindowOutcome = "approved"
    result: str = ""
    reason: str = ""


@dataclass
class Intake:
    """One application being taken at the window (also the draft and the accept-file format).

    Attributes:
        offering: Bundle id or standalone item id.
        answers: Question id → option value.
        chosen_optional: Optional item ids the applicant chose (on top of those switched on by
            answers).
        declined_optional: Optional item ids switched on by an answer but declined by the
            applicant (the applicant chooses; only mandatory items are fixed).
        materials: Material id → status.
        fields: Field id → value as typed (strings; "true"/"false" for bools).
        step: Where the clerk is, one of :data:`STEPS` (drafts resume here).
        at_window: Item id → its conclusion at the window (一类直接办, by a sole approver);
            empty for everything a department decides.
    """

    offering: str = ""
    answers: dict[str, str] = field(default_factory=dict)
    chosen_optional: list[str] = field(default_factory=list)
    declined_optional: list[str] = field(default_factory=list)
    applicant: Applicant = field(default_factory=Applicant)
    materials: dict[str, MaterialStatus] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    step: str = "pick"
    draft_id: str = ""
    at_window: dict[str, AtWindowDecision] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able dict: the documented accept-file / draft format.

        What ``dataclasses.asdict`` gives (a deep copy, keys in field order), written out: asdict
        walks every value through ``copy.deepcopy`` and cost a tenth of an accept.
        """
        applicant = self.applicant
        enterprise = applicant.enterprise
        return {
            "offering": self.offering,
            "answers": dict(self.answers),
            "chosen_optional": list(self.chosen_optional),
            "declined_optional": list(self.declined_optional),
            "applicant": {
                "kind": applicant.kind,
                "person": _person_json(applicant.person),
                "enterprise": {
                    "name": enterprise.name,
                    "uscc": enterprise.uscc,
                    "legal_representative": _person_json(enterprise.legal_representative),
                },
                "agent": None if applicant.agent is None else _person_json(applicant.agent),
            },
            "materials": {
                material_id: {
                    "state": status.state,
                    "promised_date": status.promised_date,
                    "note": status.note,
                    "verify_online": status.verify_online,
                }
                for material_id, status in self.materials.items()
            },
            "fields": dict(self.fields),
            "step": self.step,
            "draft_id": self.draft_id,
            "at_window": {
                item_id: {"decision": outcome.decision, "result": outcome.result, "reason": outcome.reason}
                for item_id, outcome in self.at_window.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Intake:
        """Build from :meth:`to_json` output of this version (drafts, stored applications).

        Unknown top-level keys are ignored; an unknown key inside a person or material status
        raises ``TypeError`` (data written by a newer version — the screens' safety net tells
        the clerk in words). ``parse_intake`` in :mod:`window_app.intake.io` is the strict,
        error-listing reader for files from outside.
        """
        applicant = data.get("applicant") or {}
        enterprise = applicant.get("enterprise") or {}
        agent = applicant.get("agent")
        return cls(
            offering=data.get("offering", ""),
            answers=dict(data.get("answers") or {}),
            chosen_optional=list(data.get("chosen_optional") or []),
            declined_optional=list(data.get("declined_optional") or []),
            applicant=Applicant(
                kind=applicant.get("kind", "person"),
                person=Person(**(applicant.get("person") or {})),
                enterprise=Enterprise(
                    name=enterprise.get("name", ""),
                    uscc=enterprise.get("uscc", ""),
                    legal_representative=Person(**(enterprise.get("legal_representative") or {})),
                ),
                agent=Person(**agent) if agent else None,
            ),
            materials={k: MaterialStatus(**v) for k, v in (data.get("materials") or {}).items()},
            fields={k: str(v) for k, v in (data.get("fields") or {}).items()},
            step=data.get("step", "pick"),
            draft_id=data.get("draft_id", ""),
            at_window={k: AtWindowDecision(**v) for k, v in (data.get("at_window") or {}).items()},
        )


def _person_json(person: Person) -> dict[str, str]:
    return {"name": person.name, "id_number": person.id_number, "phone": person.phone}


@dataclass(frozen=True)
class ChecklistLine:
    """One merged material and every item that needs it."""

    material: Material
    needed_by: tuple[str, ...]  # item ids
    departments: tuple[str, ...]  # department ids, in stage order
    original_required: bool


@dataclass(frozen=True)
class Checklist:
    """The merged material list.

    Attributes:
        requirements: How many (item, material) pairs the items declare: what the applicant
            would bring item by item.
        saved: ``requirements - len(lines)``: copies the applicant did NOT have to bring twice.
    """

    lines: tuple[ChecklistLine, ...]
    requirements: int

    @property
    def saved(self) -> int:
        return self.requirements - len(self.lines)

    @property
    def shareable_count(self) -> int:
        return sum(1 for line in self.lines if line.material.shareable)


@dataclass(frozen=True)
class FormLine:
    """One field of the unified form and the items that use it."""

    field: FormField
    used_by: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class UnifiedForm:
    """The merged form: every field once, in group order."""

    lines: tuple[FormLine, ...]
    requirements: int  # (item, field) pairs: what item-by-item forms would ask

    @property
    def saved(self) -> int:
        return self.requirements - len(self.lines)


@dataclass(frozen=True)
class Stage:
    """Items dispatched in parallel; every prerequisite lies in an earlier stage."""

    number: int  # 1-based
    items: tuple[Item, ...]

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.department for item in self.items))

    @property
    def promised_days(self) -> int:
        return max((item.promised_days for item in self.items), default=0)


@dataclass(frozen=True)
class DispatchPlan:
    """Stages computed from prerequisites.

    Attributes:
        external_prerequisites: Prerequisite item id → the items that need it, for
            prerequisites not in this application (the applicant must already hold their
            result, e.g. a business licence for 开办餐饮店 when 企业开办 is not chosen).
    """

    stages: tuple[Stage, ...]
    external_prerequisites: dict[str, tuple[str, ...]]

    @property
    def promised_days(self) -> int:
        """Stages run one after another, items within a stage in parallel."""
        return sum(stage.promised_days for stage in self.stages)


@dataclass(frozen=True)
class Problem:
    """A validation problem, shown at the field (screens) or listed (CLI).

    Attributes:
        path: Where: ``applicant.person.id_number``, ``fields.house_area``,
            ``materials.id_card``, ``answers.marital``, ``offering``.
        words: What is wrong, in words a clerk can act on.
        related: Other paths the problem concerns: a cross-field rule (seller's ID equal to the
            buyer's) names both fields, and a screen marks each of them with the same words.
    """

    path: str
    words: Words
    related: tuple[str, ...] = ()
