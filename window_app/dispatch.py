"""Dispatching an accepted application: one envelope per department per stage.

Each envelope holds only that department's items, the form fields those items declare, the
materials they need, and of the applicant exactly what those items declare in the catalog
(``applicant_data``; a joint-survey opinion declares nothing): a department sees its own part and
nothing else (the paper's "departments fear data sharing"). The lead department's envelopes also
list the other parts (departments and item ids, no personal data), so it knows whose opinions to
gather into the one conclusion.

This is a service (it needs the catalog, the settings, the intake and its guide); the records
and the wire format they travel in are :mod:`window_app.domain.wire`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from window_app.config import Settings
from window_app.domain.catalog import Catalog, Item, applicant_data_for, bilingual_keys
from window_app.domain.intake import Applicant, Intake, MaterialStatus
from window_app.domain.wire import (
    ENVELOPE_FORMAT,
    Envelope,
    canonical_json,
    idempotency_key,
    payload_sha256,
    sign_payload,
)
from window_app.intake.form import form_values
from window_app.intake.guide import Guide


def build_envelopes(
    catalog: Catalog,
    settings: Settings,
    intake: Intake,
    guide: Guide,
    receipt_no: str,
    accepted_at: dt.datetime,
    secret: bytes,
) -> tuple[Envelope, ...]:
    """Split an accepted intake into per-department, per-stage envelopes, in stage order.

    Args:
        intake: As accepted (material states final; ``verify_online`` already marked).
        guide: The guide of ``intake`` (items, merged checklist and form, stages).
        receipt_no: The application's receipt number.
        accepted_at: The moment of acceptance (timezone-aware).
        secret: The window's signing secret.
    """
    bundle = guide.offering.bundle
    stage_of = {item.id: stage.number for stage in guide.plan.stages for item in stage.items}
    parts = [
        (stage.number, department, tuple(item for item in stage.items if item.department == department))
        for stage in guide.plan.stages
        for department in stage.departments
    ]
    values = form_values(intake, guide.form, settings.window.region)
    common = {
        "format": ENVELOPE_FORMAT,
        "receipt_no": receipt_no,
        "accepted_at": accepted_at.isoformat(timespec="seconds"),
        "window": {
            "id": settings.window.id,
            "centre": settings.window.centre,
            "region": settings.window.region,
        },
        "catalog_version": catalog.version,
        "offering": {
            "id": bundle.id,
            "kind": guide.offering.kind,
            **bilingual_keys("name", bundle.name),
        },
        "lead_department": bundle.lead_department,
        "stages": len(guide.plan.stages),
    }
    envelopes = []
    for stage_number, department_id, items in parts:
        key = idempotency_key(receipt_no, department_id, stage_number)
        envelope_id = uuid.uuid4().hex
        item_ids = {item.id for item in items}
        department = catalog.departments[department_id]
        document = {
            **common,
            "envelope_id": envelope_id,
            "idempotency_key": key,
            "department": {"id": department.id, **bilingual_keys("name", department.name)},
            "stage": stage_number,
            "is_lead": department_id == bundle.lead_department,
            "applicant": applicant_part(intake.applicant, applicant_data_for(items, intake.applicant.kind)),
            "items": [_item_entry(item) for item in items],
            "depends_on": _depends_on(catalog, items, stage_of),
            "fields": {
                line.field.id: {"label": line.field.label.zh, "value": values.get(line.field.id, "")}
                for line in guide.form.lines
                if item_ids.intersection(line.used_by)
            },
            "materials": {
                line.material.id: _material_entry(line.material.id, line.material.name.zh, line.material.shareable, items, intake)
                for line in guide.checklist.lines
                if item_ids.intersection(line.needed_by)
            },
        }
        if department_id == bundle.lead_department:
            document["parts"] = [
                {"department": dept, "stage": number, "items": [item.id for item in part_items]}
                for number, dept, part_items in parts
            ]
        payload = canonical_json(document)
        envelopes.append(
            Envelope(
                envelope_id=envelope_id,
                idempotency_key=key,
                receipt_no=receipt_no,
                department=department_id,
                stage=stage_number,
                payload=payload,
                payload_sha256=payload_sha256(payload),
                signature=sign_payload(secret, payload),
            )
        )
    return tuple(envelopes)


def applicant_part(applicant: Applicant, data: Iterable[str]) -> dict[str, Any]:
    """Of the applicant step, exactly ``data``, in the envelope's shape.

    Args:
        data: Keys of :data:`~window_app.domain.catalog.APPLICANT_DATA` that exist for the
            applicant's kind (:func:`~window_app.domain.catalog.applicant_data_for` of the
            department's items in this envelope); others are ignored.

    Returns:
        ``kind`` always (it says which shape follows, and is no one's personal data), then each
        datum of ``data``: the applicant's own (``name``, ``id_number``, ``phone``, ``uscc``) at
        the top, a role's (``legal_representative``, ``contact``, ``agent``) in an object of its
        own. A datum is there even when empty (a new enterprise's ``uscc``); ``agent`` is left
        out when no agent acts.
    """
    if applicant.kind == "enterprise":
        own = {"name": applicant.enterprise.name, "uscc": applicant.enterprise.uscc}
        people = {"legal_representative": applicant.enterprise.legal_representative, "contact": applicant.person}
    else:
        own = {"name": applicant.person.name, "id_number": applicant.person.id_number, "phone": applicant.person.phone}
        people = {}
    if applicant.agent and applicant.agent.name:
        people["agent"] = applicant.agent
    part: dict[str, Any] = {"kind": applicant.kind}
    for datum in data:
        role, what = datum.split(".", 1)
        if role == "applicant":
            if what in own:
                part[what] = own[what]
        elif role in people:
            part.setdefault(role, {})[what] = getattr(people[role], what)
    return part


def _item_entry(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "name": item.name.zh,
        "handling_class": item.handling_class,
        "time_limit_days": item.time_limit_days,
        "promised_days": item.promised_days,
        "result": item.result,
        "site_survey": item.site_survey,
    }


def _depends_on(catalog: Catalog, items: tuple[Item, ...], stage_of: dict[str, int]) -> list[dict[str, Any]]:
    """Prerequisites of these items: earlier stages of this application, or results the
    applicant already holds (``external``)."""
    entries: dict[str, dict[str, Any]] = {}
    for item in items:
        for prerequisite_id in item.prerequisites:
            if prerequisite_id in entries:
                continue
            prerequisite = catalog.items[prerequisite_id]
            entry: dict[str, Any] = {
                "item": prerequisite.id,
                "name": prerequisite.name.zh,
                "department": prerequisite.department,
                "result": prerequisite.result,
            }
            if prerequisite_id in stage_of:
                entry["stage"] = stage_of[prerequisite_id]
            else:
                entry["external"] = True
            entries[prerequisite_id] = entry
    return list(entries.values())


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
