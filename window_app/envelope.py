"""Envelopes: what each department receives of an accepted application.

One envelope per department per stage. It holds only that department's items, the form fields
those items declare, the materials they need, and who the applicant is: a department sees its
own part and nothing else (the paper's "departments fear data sharing"). The lead department's
envelopes also list the other parts (departments and item ids, no personal data), so it knows
whose opinions to gather into the one conclusion.

The payload is canonical JSON (sorted keys, no spaces, UTF-8), written once at acceptance and
never changed; ``payload_sha256`` and an HMAC-SHA256 ``signature`` with the window's secret let
the receiver check it came from this window unaltered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from typing import Any

from window_app.domain.catalog import Catalog, Item, bilingual_keys
from window_app.config import Settings
from window_app.intake.form import form_values
from window_app.intake.guide import Guide
from window_app.domain.intake import Intake, MaterialStatus, Person

ENVELOPE_FORMAT = 1


@dataclass(frozen=True)
class Envelope:
    """One department's part of one stage of an accepted application, ready to send.

    Attributes:
        envelope_id: Random, unique id of this envelope.
        idempotency_key: ``{receipt_no}/{department}/{stage}``: the receiver accepts a key once,
            so a resend after a lost reply never creates a second case.
        payload: Canonical JSON bytes; never changes after it is written.
        payload_sha256: Hex digest of ``payload``.
        signature: Hex HMAC-SHA256 of ``payload`` with the window's signing secret.
    """

    envelope_id: str
    idempotency_key: str
    receipt_no: str
    department: str
    stage: int
    payload: bytes
    payload_sha256: str
    signature: str

    def document(self) -> dict[str, Any]:
        """The payload parsed back into a dict."""
        return json.loads(self.payload)


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no whitespace, UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign_payload(secret: bytes, payload: bytes) -> str:
    """Hex HMAC-SHA256 of the payload."""
    return hmac.new(secret, payload, hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` is this secret's signature of ``payload`` (constant-time compare)."""
    return hmac.compare_digest(sign_payload(secret, payload), signature)


def idempotency_key(receipt_no: str, department: str, stage: int) -> str:
    """The deterministic key of one department's part of one stage."""
    return f"{receipt_no}/{department}/{stage}"


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
        "applicant": applicant_block(intake),
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
                payload_sha256=hashlib.sha256(payload).hexdigest(),
                signature=sign_payload(secret, payload),
            )
        )
    return tuple(envelopes)


def applicant_block(intake: Intake) -> dict[str, Any]:
    """Who applies, and who acts for them: the identity every department receives."""
    applicant = intake.applicant
    agent = _person(applicant.agent) if applicant.agent and applicant.agent.name else None
    if applicant.kind == "enterprise":
        enterprise = applicant.enterprise
        return {
            "kind": "enterprise",
            "name": enterprise.name,
            "uscc": enterprise.uscc,
            "legal_representative": _person(enterprise.legal_representative),
            "contact": _person(applicant.person),
            "phone": applicant.person.phone or enterprise.legal_representative.phone,
            "agent": agent,
        }
    return {
        "kind": "person",
        "name": applicant.person.name,
        "id_number": applicant.person.id_number,
        "phone": applicant.person.phone,
        "agent": agent,
    }


def _person(person: Person) -> dict[str, str]:
    return {"name": person.name, "id_number": person.id_number, "phone": person.phone}


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
