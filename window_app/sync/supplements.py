"""Supplements (补正): a department asked for a material; the clerk records it and it is sent.

:func:`supplement` records the material's new status in the application (its intake as stored)
and queues a ``supplement`` envelope for the department in ONE durable transaction. The
envelope has its own idempotency key (``<part key>/supplement/<n>``) and its payload names the
original envelope; the sync engine sends it like any other, and when it is delivered the
department's open supplement request counts as answered (the part shows ``received`` again
until the department decides anew).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from offline_cache import outbox as outbox_store
from offline_cache import progress
from offline_cache import waived as waived_store
from offline_cache.audit import append_event
from offline_cache.db import durable_transaction, storage_errors
from window_app.domain.errors import WindowAppError
from window_app.domain.intake import MaterialStatus
from window_app.domain.wire import ENVELOPE_FORMAT, canonical_json, payload_sha256
from window_app.domain.words import Words

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.dispatch import WindowSigner

SUPPLEMENT_WORDS = Words("记录补正材料", "Recording the supplement")
MATERIAL_STATES = ("original", "copy", "shared", "deficient", "not_applicable", "pending")


class SupplementRefused(WindowAppError):
    """The supplement cannot be recorded; the words say why. Nothing was written."""


def supplement(
    db: Database,
    receipt_no: str,
    department: str,
    material_id: str,
    status: MaterialStatus | str,
    *,
    now: dt.datetime,
    signer: WindowSigner,
    clerk: str = "",
) -> str:
    """Record a supplied material and queue a ``supplement`` envelope; returns its envelope id.

    Args:
        receipt_no: The application.
        department: The department that asked (its part that was sent is the one answered;
            a part with an open supplement request is preferred).
        material_id: The material supplied (it must be one the department's part lists).
        status: The material's new status (``MaterialStatus`` or its state code, e.g. ``original``).
        now: The moment, timezone-aware.

    Raises:
        KeyError: No such application, or it has no part for this department.
        SupplementRefused: The part was never sent, or the material is not one it needs.
        window_app.domain.errors.StorageError: Nothing was written.
    """
    if isinstance(status, str):
        if status not in MATERIAL_STATES:
            raise SupplementRefused(Words(f"材料状态“{status}”无效", f"material state {status!r} is not valid"))
        status = MaterialStatus(state=status)
    at = now.isoformat(timespec="seconds")
    with storage_errors(SUPPLEMENT_WORDS):
        intake = progress.intake_json(db, receipt_no)
        if intake is None:
            raise KeyError(receipt_no)
        parts = [part for part in progress.parts_of(db, receipt_no) if part.department == department]
        if not parts:
            raise KeyError(f"{receipt_no}: no part for department {department!r}")
        decisions = progress.decisions_of(db, receipt_no)
        asking = [part for part in parts if any(decisions.get(i) and decisions[i].pending_supplement for i in part.items)]
        sent = [part for part in parts if part.sent_at]
        part = (asking or sent or [None])[-1]
        if part is None:
            raise SupplementRefused(
                Words(f"{department} 的部分尚未送达，请待送达后再补正", f"The part for {department} has not been delivered yet")
            )
        original = outbox_store.get_row(db, part.envelope_id)
        if original is None:
            raise KeyError(f"{receipt_no}: envelope {part.envelope_id} is missing")
        document = json.loads(original.payload)
        if material_id not in (document.get("material_ids") or ()):
            raise SupplementRefused(
                Words(
                    f"材料“{material_id}”不属于 {department} 的办理部分",
                    f"Material {material_id!r} is not part of {department}'s part",
                )
            )
        with durable_transaction(db):
            number = outbox_store.count_supplements(db, receipt_no, original.envelope_id) + 1
            envelope_id = uuid.uuid4().hex
            key = f"{original.idempotency_key}/supplement/{number}"
            material = signer.catalog.materials.get(material_id)
            header: dict[str, Any] = {
                "format": ENVELOPE_FORMAT,
                "kind": "supplement",
                "envelope_id": envelope_id,
                "idempotency_key": key,
                "original_envelope_id": original.envelope_id,
                "original_idempotency_key": original.idempotency_key,
                "receipt_no": receipt_no,
                "window": document.get("window"),
                "catalog_version": document.get("catalog_version"),
                "department": document.get("department"),
                "stage": original.stage,
                "items": [
                    {"id": item.get("id"), "name": item.get("name", ""), "result": item.get("result", "")}
                    for item in document.get("items", [])
                    if isinstance(item, dict)
                ],
                "material_ids": [material_id],
                "supplied_at": at,
                "sequence": number,
            }
            content = {
                "material": {
                    "id": material_id,
                    "name": material.name.zh if material else material_id,
                    "state": status.state,
                    "promised_date": status.promised_date,
                    "note": status.note,
                },
            }
            header["sealed"] = signer.seal(department, header, "sealed", content)
            payload = canonical_json(header)
            sha256 = payload_sha256(payload)
            outbox_store.insert_supplement(
                db,
                envelope_id=envelope_id,
                idempotency_key=key,
                receipt_no=receipt_no,
                department=department,
                stage=original.stage,
                payload=payload.decode("utf-8"),
                payload_sha256=sha256,
                signature=signer.signature(payload),
                original_envelope_id=original.envelope_id,
                now=at,
            )
            materials_now = intake.setdefault("materials", {})
            materials_now[material_id] = asdict(status)
            progress.write_intake_json(db, receipt_no, intake, at)
            if status.state not in ("deficient", "pending"):
                waived_store.mark_received(db, receipt_no, material_id, at)  # a 容缺 promise kept
            append_event(
                db,
                clerk or "window",
                "supplement_queued",
                receipt_no,
                {
                    "envelope_id": envelope_id,
                    "original_envelope_id": original.envelope_id,
                    "department": department,
                    "material": material_id,
                    "state": status.state,
                    "payload_sha256": sha256,
                },
                at,
            )
    return envelope_id
