"""The audit trail: an append-only, hash-chained event log.

Each event's ``hash`` is ``sha256(prev_hash + canonical JSON of the event)``, and ``prev_hash``
is the hash of the event before it, so editing, deleting or reordering any event breaks every
link after it: :func:`verify_chain` finds the first broken one. (Cutting events off the end is
not visible from the chain alone; the hashes sent to the exchange anchor it.)
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from offline_cache.db import Database
from window_app.domain.applications import AuditEvent

GENESIS_HASH = "0" * 64


def event_hash(prev_hash: str, at: str, actor: str, action: str, receipt_no: str | None, data: dict[str, Any]) -> str:
    """The hash of one event chained to ``prev_hash``."""
    event = {"at": at, "actor": actor, "action": action, "receipt_no": receipt_no, "data": data}
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def append_event(
    db: Database, actor: str, action: str, receipt_no: str | None, data: dict[str, Any], at: str
) -> AuditEvent:
    """Append an event to the chain.

    Call it inside the caller's transaction (e.g. :func:`offline_cache.db.durable_transaction`),
    so the event is written together with what it records, and the read of the last hash and
    the insert cannot interleave with another writer.
    """
    last = db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev_hash = last[0] if last else GENESIS_HASH
    digest = event_hash(prev_hash, at, actor, action, receipt_no, data)
    cursor = db.execute(
        "INSERT INTO audit (at, actor, action, receipt_no, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [at, actor, action, receipt_no, _dumps(data), prev_hash, digest],
    )
    return AuditEvent(
        seq=cursor.lastrowid or 0,
        at=at,
        actor=actor,
        action=action,
        receipt_no=receipt_no,
        data=data,
        prev_hash=prev_hash,
        hash=digest,
    )


def events_for(db: Database, receipt_no: str) -> list[AuditEvent]:
    """An application's events, oldest first."""
    cursor = db.execute(
        "SELECT seq, at, actor, action, receipt_no, data, prev_hash, hash FROM audit WHERE receipt_no = ? ORDER BY seq",
        [receipt_no],
    )
    return [_event(row) for row in cursor.fetchall()]


def verify_chain(db: Database) -> int | None:
    """Walk the whole chain; return the ``seq`` of the first event that does not link up, or
    ``None`` if every event is intact."""
    expected_prev = GENESIS_HASH
    cursor = db.execute("SELECT seq, at, actor, action, receipt_no, data, prev_hash, hash FROM audit ORDER BY seq")
    for row in cursor:
        seq, at, actor, action, receipt_no, data, prev_hash, stored_hash = row
        try:
            parsed = json.loads(data)
        except ValueError:
            return seq
        if prev_hash != expected_prev or event_hash(prev_hash, at, actor, action, receipt_no, parsed) != stored_hash:
            return seq
        expected_prev = stored_hash
    return None


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _event(row: tuple) -> AuditEvent:
    seq, at, actor, action, receipt_no, data, prev_hash, digest = row
    return AuditEvent(
        seq=seq,
        at=at,
        actor=actor,
        action=action,
        receipt_no=receipt_no,
        data=json.loads(data),
        prev_hash=prev_hash,
        hash=digest,
    )
