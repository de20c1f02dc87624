"""Releasing later stages (前置审批): a held envelope goes out once its prerequisites are approved.

A stage-2 envelope is held (stored state ``waiting``) until every item it depends on (``depends_on`` in its
payload, the entries with a ``stage``: items of this same application) is approved. Then, and
only then — it has never been attempted, so no byte of it has been on the wire — the window
finalises its payload ONCE: it adds ``prerequisite_results`` (each prerequisite's result, e.g.
the business licence number from the approved event's ``result``), sealed to the next
department as ``sealed_results`` (the window seals, it cannot open what it sealed at accept),
signs the new payload with the window's key, and queues it. From its first attempt on, the
stored text is what is sent, every time.

If a prerequisite is refused (or was itself cancelled), the envelope and its part become
``cancelled`` and are never sent; cancelling cascades to what depended on them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from offline_cache import outbox as outbox_store
from offline_cache import progress
from offline_cache.audit import append_event
from offline_cache.stored_words import words_to_column
from window_app.domain.outbox import HELD, QUEUED
from window_app.domain.progress import ItemDecision
from window_app.domain.wire import canonical_json, payload_sha256
from window_app.domain.words import Words

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.dispatch import WindowSigner

SYNC_ACTOR = "sync"


@dataclass
class ReleaseOutcome:
    """What :func:`release_ready` did: envelope ids released (queued) and cancelled."""

    released: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)


def prerequisites_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``depends_on`` entries that are items of this application (not ``external``)."""
    return [entry for entry in document.get("depends_on", []) if isinstance(entry, dict) and not entry.get("external")]


def finalised_payload(
    document: dict[str, Any], decisions: dict[str, ItemDecision], now: str, signer: WindowSigner
) -> bytes:
    """The held envelope's payload with its prerequisites' results sealed in, canonical bytes.

    Each ``prerequisite_results`` entry names the item, its department, the result it produced
    (the department's ``result`` text, e.g. ``营业执照 91522325MA…``), who decided and when.
    """
    final = dict(document)
    results = [
        {
            "item": entry["item"],
            "name": entry.get("name", ""),
            "department": entry.get("department", ""),
            "result_name": entry.get("result", ""),
            "result": decisions[entry["item"]].result,
            "decided_by": decisions[entry["item"]].decided_by,
            "decided_at": decisions[entry["item"]].decided_at,
        }
        for entry in prerequisites_of(document)
    ]
    department = document.get("department")
    department_id = department.get("id") if isinstance(department, dict) else str(department)
    final["sealed_results"] = signer.seal(department_id, final, "sealed_results", {"prerequisite_results": results})
    final["released_at"] = now
    return canonical_json(final)


def release_ready(db: Database, receipt_no: str, *, now: str, signer: WindowSigner) -> ReleaseOutcome:
    """Release or cancel the application's held envelopes as their prerequisites allow.

    Runs inside the caller's transaction (the one applying the event that decided a
    prerequisite), and repeats until nothing changes, so a refusal cancels a whole chain.
    """
    outcome = ReleaseOutcome()
    while True:
        decisions = progress.decisions_of(db, receipt_no)
        parts = progress.parts_of(db, receipt_no)
        cancelled_items = {item for part in parts if part.state == "cancelled" for item in part.items}
        part_of = {part.envelope_id: part for part in parts}
        changed = False
        for row in outbox_store.held_of(db, receipt_no):
            document = json.loads(row.payload)
            prerequisites = prerequisites_of(document)
            refused = [
                entry
                for entry in prerequisites
                if entry["item"] in cancelled_items
                or (entry["item"] in decisions and decisions[entry["item"]].decision == "rejected")
            ]
            part = part_of.get(row.envelope_id)
            if refused:
                names = "、".join(entry.get("name") or entry["item"] for entry in refused)
                ids = ", ".join(entry["item"] for entry in refused)
                words = Words(
                    "前置事项未获准予（{names}），本部分不再发送", "A prerequisite was refused ({ids}); this part is not sent"
                ).format(names=names, ids=ids)
                # The part's reason column holds a department's own text, or words like these.
                reason = words_to_column(words)
                if outbox_store.cancel_held(db, row.envelope_id, words):
                    if part is not None:
                        progress.update_part(
                            db, receipt_no, part.department, part.stage, now=now, state="cancelled", reason=reason
                        )
                    append_event(
                        db,
                        SYNC_ACTOR,
                        "part_cancelled",
                        receipt_no,
                        {
                            "envelope_id": row.envelope_id,
                            "department": row.department,
                            "stage": row.stage,
                            "refused_prerequisites": [entry["item"] for entry in refused],
                        },
                        now,
                    )
                    outcome.cancelled.append(row.envelope_id)
                    changed = True
                continue
            if not all(
                entry["item"] in decisions and decisions[entry["item"]].decision == "approved" for entry in prerequisites
            ):
                continue  # still held (undecided, or a supplement was asked for)
            payload = finalised_payload(document, decisions, now, signer)
            sha256 = payload_sha256(payload)
            if outbox_store.finalise_held(db, row.envelope_id, payload.decode("utf-8"), sha256, signer.signature(payload), now):
                if part is not None:
                    progress.update_part(
                        db, receipt_no, part.department, part.stage, now=now, state=QUEUED, only_from=(HELD,)
                    )
                # The chain commits to the final payload as the accepted event did to the first.
                append_event(
                    db,
                    SYNC_ACTOR,
                    "part_released",
                    receipt_no,
                    {
                        "envelope_id": row.envelope_id,
                        "department": row.department,
                        "stage": row.stage,
                        "payload_sha256": sha256,
                        "prerequisites": {
                            entry["item"]: decisions[entry["item"]].result for entry in prerequisites
                        },
                    },
                    now,
                )
                outcome.released.append(row.envelope_id)
                changed = True
        if not changed:
            return outcome
