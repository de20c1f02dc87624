"""Dispatching an accepted application: one envelope per department per stage.

Each envelope holds only that department's items, the form fields those items declare, the
materials they need, and of the applicant exactly what those items declare in the catalog
(``applicant_data``; a joint-survey opinion declares nothing): a department sees its own part and
nothing else (the paper's "departments fear data sharing"). The lead department's envelopes also
list the other parts (departments and item ids, no personal data), so it knows whose opinions to
gather into the one conclusion.

What a department receives about the applicant and the case is sealed to that department's
key; the exchange sees the clear header only (:mod:`window_app.trust.envelopes`). This is a
service (it needs the catalog, the settings, the intake and its guide); the records and the
wire format they travel in are :mod:`window_app.domain.wire`.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from window_app.catalog.local_names import resolve_office
from window_app.config import Settings
from window_app.domain.catalog import (
    Catalog,
    Department,
    FormField,
    Item,
    Office,
    applicant_data_for,
    bilingual_keys,
    office_as_department,
)
from window_app.domain.errors import WindowAppError
from window_app.domain.handling import HANDED_STATES, REQUEST, HandoverMaterial, part_handling
from window_app.domain.intake import Intake, MaterialStatus
from window_app.domain.progress import ItemDecision
from window_app.domain.wire import ENVELOPE_FORMAT, Envelope, canonical_json, idempotency_key, payload_sha256
from window_app.domain.words import Words
from window_app.intake.fields import value_words
from window_app.intake.form import form_values
from window_app.intake.guide import Guide
from window_app.intake.parts import applicant_part, department_form_lines, department_label
from window_app.trust.envelopes import decision_signature_problem, seal_part
from window_app.trust.keys import PublicSealingKey, SigningKey
from window_app.trust.signing import sign


class DispatchError(WindowAppError):
    """An application cannot be dispatched as the catalog stands (e.g. a department without a key)."""


def build_envelopes(
    catalog: Catalog,
    settings: Settings,
    intake: Intake,
    guide: Guide,
    receipt_no: str,
    accepted_at: dt.datetime,
    signing_key: SigningKey,
    audit_head: dict[str, Any] | None = None,
    filed: Mapping[str, ItemDecision] | None = None,
    handed_by: str = "",
) -> tuple[Envelope, ...]:
    """Split an accepted intake into per-department, per-stage envelopes, in stage order.

    Each payload is a clear header (routing, items, prerequisites: no applicant data) and the
    department's part sealed to its key (:mod:`window_app.trust.envelopes`), signed by the window.

    Args:
        intake: As accepted (material states final; ``verify_online`` already marked).
        guide: The guide of ``intake`` (items, merged checklist and form, stages).
        receipt_no: The application's receipt number.
        accepted_at: The moment of acceptance (timezone-aware).
        signing_key: The window's key (:func:`window_app.identity.window_signing_key`).
        audit_head: The window's latest signed audit head (before this acceptance), carried in
            every envelope's clear header: the exchange keeps the latest head per window.
        filed: Item id → the decision a sole approver made at the window (一类直接办): those
            items are filed with their department, not asked (:mod:`window_app.domain.handling`).
        handed_by: The accepting clerk, named on a class-3 part's handover (材料移交单).

    Each part is addressed to the office of its department that serves the window's region
    (:func:`part_offices`): its envelope's ``department`` is the office id, what the exchange
    routes by, and the part is sealed to that office's key.

    Raises:
        DispatchError: A department of the application has no office serving the window's
            region, or its office no usable sealing key.
    """
    bundle = guide.offering.bundle
    offices = part_offices(catalog, settings.window.region, guide)
    lead_office = offices.get(bundle.lead_department)
    stage_of = {item.id: stage.number for stage in guide.plan.stages for item in stage.items}
    parts = [
        (stage.number, department, tuple(item for item in stage.items if item.department == department))
        for stage in guide.plan.stages
        for department in stage.departments
    ]
    values = form_values(intake, guide.form, settings.window.region)
    common = {
        "format": ENVELOPE_FORMAT,
        "kind": "application",
        "receipt_no": receipt_no,
        "accepted_at": accepted_at.isoformat(timespec="seconds"),
        "window": {
            "id": settings.window.id,
            "centre": settings.window.centre,
            "region": settings.window.region,
            "key": signing_key.public.text,
        },
        "catalog_version": catalog.version,
        "offering": {
            "id": bundle.id,
            "kind": guide.offering.kind,
            **bilingual_keys("name", bundle.name),
        },
        "lead_department": lead_office.id if lead_office else bundle.lead_department,
        "stages": len(guide.plan.stages),
    }
    if audit_head is not None:
        common["audit_head"] = audit_head
    envelopes = []
    filed = filed or {}
    for stage_number, department_id, items in parts:
        office = offices[department_id]
        key = idempotency_key(receipt_no, office.id, stage_number)
        envelope_id = uuid.uuid4().hex
        item_ids = {item.id for item in items}
        kind, handling = part_handling(items, filed)
        header: dict[str, Any] = {
            **common,
            "kind": kind,
            "envelope_id": envelope_id,
            "idempotency_key": key,
            "department": {"id": office.id, "kind": department_id, **bilingual_keys("name", office.name)},
            "stage": stage_number,
            "is_lead": department_id == bundle.lead_department,
            "items": [_item_entry(item, handling[item.id], filed.get(item.id)) for item in items],
            "depends_on": _depends_on(catalog, items, stage_of, offices),
            # Which materials the part lists (catalog ids, no states or notes): what a supplement may answer.
            "material_ids": sorted(line.material.id for line in guide.checklist.lines if item_ids.intersection(line.needed_by)),
        }
        if department_id == bundle.lead_department:
            header["parts"] = [
                {"department": offices[dept].id, "stage": number, "items": [item.id for item in part_items]}
                for number, dept, part_items in parts
            ]
        content = {
            "applicant": applicant_part(intake.applicant, applicant_data_for(items, intake.applicant.kind)),
            "fields": {
                line.field.id: _field_entry(catalog, line.field, department_label(line, items).zh, values.get(line.field.id, ""))
                for line in department_form_lines(guide, items)
            },
            "materials": {
                line.material.id: _material_entry(line.material.id, line.material.name.zh, line.material.shareable, items, intake)
                for line in guide.checklist.lines
                if item_ids.intersection(line.needed_by)
            },
        }
        if kind == "handover":
            # What the department signs for: catalog names and original/copy, no personal data.
            header["handover"] = {
                "materials": [material.to_json() for material in handover_materials(guide, intake, items)],
                "handed_by": handed_by,
                "handed_at": accepted_at.isoformat(timespec="seconds"),
            }
        header["sealed"] = seal_part(sealing_key_of(office_as_department(office, catalog.departments.get(office.department))), header, "sealed", content)
        payload = canonical_json(header)
        envelopes.append(
            Envelope(
                envelope_id=envelope_id,
                idempotency_key=key,
                receipt_no=receipt_no,
                department=office.id,
                stage=stage_number,
                payload=payload,
                payload_sha256=payload_sha256(payload),
                signature=signature_text(signing_key, payload),
                kind=kind,
            )
        )
    return tuple(envelopes)


def part_offices(catalog: Catalog, region: str, guide: Guide) -> dict[str, Office]:
    """Department kind → the office its parts of this application go to from a window in
    ``region`` (:func:`~window_app.catalog.local_names.resolve_office`; where the applicant
    chooses, the guide's answer).

    Raises:
        DispatchError: No office of a department serves the region, or none was chosen.
    """
    found: dict[str, Office] = {}
    for department_id in dict.fromkeys((*guide.departments, guide.offering.bundle.lead_department)):
        office = resolve_office(catalog, department_id, region, guide.answers)
        if office is None:
            department = catalog.departments.get(department_id)
            raise DispatchError(
                Words(
                    "目录中没有为本窗口所在地区办理“{d}”的机构；请更新目录或选择办理机构",
                    "no office of '{d}' serves this window's region in the catalog (or none was chosen): update the catalog or choose one",
                ).format(d=department.short_name or department.name if department else department_id)
            )
        found[department_id] = office
    return found


def handover_materials(guide: Guide, intake: Intake, items: Iterable[Item]) -> tuple[HandoverMaterial, ...]:
    """The paper materials of ``items`` that go on their handover list (材料移交单), in checklist
    order: those received (original or copy) or promised (容缺), not those shared online."""
    item_list = tuple(items)
    item_ids = {item.id for item in item_list}
    found = []
    for line in guide.checklist.lines:
        if not item_ids.intersection(line.needed_by):
            continue
        status = intake.materials.get(line.material.id) or MaterialStatus()
        if status.state not in HANDED_STATES:
            continue
        original = any(r.original for item in item_list for r in item.materials if r.material == line.material.id)
        found.append(HandoverMaterial(line.material.id, line.material.name.zh, status.state, original, status.note))
    return tuple(found)


def sealing_key_of(department: Department) -> PublicSealingKey:
    """The department's public sealing key from the catalog.

    Raises:
        DispatchError: The catalog gives it none (or not a valid one).
    """
    key = _public_sealing_key(department.sealing_key)
    if isinstance(key, Words):
        raise DispatchError(
            Words(
                "目录中没有{d}的加密公钥（sealing_key），无法为其加密材料；请更新目录",
                "the catalog gives no sealing key for {d}; its part cannot be sealed — update the catalog",
            ).format(d=department.name)
        )
    return key


@functools.lru_cache(maxsize=256)
def _public_sealing_key(text: str) -> PublicSealingKey | Words:
    """A department's key parsed once per catalog text (each accept seals to the same few)."""
    return PublicSealingKey.from_text(text)


def signature_text(key: SigningKey, payload: bytes) -> str:
    """The window's signature of ``payload``, as the outbox stores it (canonical JSON text)."""
    return canonical_json(sign(key, payload).to_json()).decode("ascii")


def _item_entry(item: Item, handling: str = REQUEST, filed: ItemDecision | None = None) -> dict[str, Any]:
    entry = {
        "id": item.id,
        "name": item.name.zh,
        "handling_class": item.handling_class,
        "handling": handling,
        "time_limit_days": item.time_limit_days,
        "promised_days": item.promised_days,
        "result": item.result,
        "site_survey": item.site_survey,
    }
    if filed is not None:
        # The window's decision, in the clear like every department decision the exchange keeps.
        entry["filed"] = {
            "decision": filed.decision,
            "result": filed.result,
            "reason": filed.reason,
            "decided_by": filed.decided_by,
            "decided_at": filed.decided_at,
        }
    return entry


def _depends_on(
    catalog: Catalog, items: tuple[Item, ...], stage_of: dict[str, int], offices: Mapping[str, Office]
) -> list[dict[str, Any]]:
    """Prerequisites of these items: earlier stages of this application, or results the
    applicant already holds (``external``)."""
    entries: dict[str, dict[str, Any]] = {}
    for item in items:
        for prerequisite_id in item.prerequisites:
            if prerequisite_id in entries:
                continue
            prerequisite = catalog.items[prerequisite_id]
            office = offices.get(prerequisite.department)  # an external one: the kind, as the window names it
            entry: dict[str, Any] = {
                "item": prerequisite.id,
                "name": prerequisite.name.zh,
                "department": office.id if office else prerequisite.department,
                **bilingual_keys("department_name", office.name if office else catalog.departments[prerequisite.department].name),
                "result": prerequisite.result,
            }
            if prerequisite_id in stage_of:
                entry["stage"] = stage_of[prerequisite_id]
            else:
                entry["external"] = True
            entries[prerequisite_id] = entry
    return list(entries.values())


def _field_entry(catalog: Catalog, field: FormField, label: str, value: str) -> dict[str, str]:
    """A field's label (the department's own name for it) and value; a choice, a yes/no or a
    region also as words (``text`` / ``text_en``), so the department reads 已婚 or 是, not
    ``married`` or ``true``."""
    entry = {"label": label, "value": value}
    words = value_words(catalog, field, value)
    if words:
        entry.update(bilingual_keys("text", words))
    return entry


def _material_entry(
    material_id: str, name: str, shareable: bool, items: tuple[Item, ...], intake: Intake
) -> dict[str, Any]:
    status = intake.materials.get(material_id) or MaterialStatus(state="shared" if shareable else "pending")
    return {
        "name": name,
        "state": status.state,
        "promised_date": status.promised_date,
        "note": status.note,
        "verify_online": status.verify_online,
        "shareable": shareable,
        "original_required": any(
            requirement.original for item in items for requirement in item.materials if requirement.material == material_id
        ),
    }


@dataclass(frozen=True)
class WindowSigner:
    """What the window signs and seals with after acceptance (a later stage released, a
    supplement queued) and what it checks a department's decision against: its own key and
    the offices' public keys of its catalog (a part's department is its office id)."""

    catalog: Catalog
    key: SigningKey

    def seal(self, department_id: str, header: dict[str, Any], part: str, content: dict[str, Any]) -> dict[str, str]:
        """``content`` sealed to the department for the envelope ``header`` describes.

        Raises:
            DispatchError: The department is unknown or has no sealing key.
        """
        department = self.catalog.body(department_id)
        if department is None:
            raise DispatchError(Words("目录中没有部门“{d}”", "no department '{d}' in the catalog").format(d=department_id))
        return seal_part(sealing_key_of(department), header, part, content)

    def signature(self, payload: bytes) -> str:
        """The window's signature of ``payload`` (canonical JSON text)."""
        return signature_text(self.key, payload)

    def decision_problem(self, department_id: str, event: dict[str, Any]) -> Words | None:
        """Why a decision event is not verifiably its department's, or ``None``."""
        department = self.catalog.body(department_id)
        # An event names the decision ``kind``; the department signed it as ``decision``.
        return decision_signature_problem(
            department_id, department.signing_key if department else "", {**event, "decision": event.get("kind")},
            event.get("signature"),
        )
