"""The audit trail: an append-only, hash-chained event log, and the signed heads of the chain.

Each event's ``hash`` is ``sha256(prev_hash + canonical JSON of the event)``, and ``prev_hash``
is the hash of the event before it, so editing, deleting or reordering any event breaks every
link after it: :func:`verify_chain` finds the first broken one. Cutting events off the end, or
rewriting the history and computing every hash again, is not visible from the chain alone: a
*signed head* (:class:`~window_app.domain.audit_head.AuditHead`, table ``audit_heads``) names the
chain's last ``seq`` and ``hash`` at a moment, signed with the window's Ed25519 key, and the
exchange keeps the latest head it was sent. :func:`sign_head` adds one in the caller's
transaction (the accept, the end of a sync round); ``window-app audit verify``
(:mod:`window_app.audit_check`) checks the chain, the heads, and the rows that need their events
(the reads below marked *for the check*).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from offline_cache.db import Database, storage_errors
from window_app.domain.applications import AuditEvent
from window_app.domain.words import Words

if TYPE_CHECKING:
    from window_app.domain.audit_head import AuditHead
    from window_app.trust.keys import SigningKey

_READ_WORDS = Words("读取审计记录", "Reading the audit trail")

GENESIS_HASH = "0" * 64


def event_hash(prev_hash: str, at: str, actor: str, action: str, receipt_no: str | None, data: dict[str, Any]) -> str:
    """The hash of one event chained to ``prev_hash``: sha256 of ``prev_hash`` followed by the
    canonical JSON of ``{"at", "actor", "action", "receipt_no", "data"}``."""
    return _event_hash(prev_hash, at, actor, action, receipt_no, _dumps(data))


def _event_hash(prev_hash: str, at: str, actor: str, action: str, receipt_no: str | None, data_text: str) -> str:
    """:func:`event_hash` with ``data`` already in canonical JSON (the stored text): the event's
    canonical JSON is put together around it, keys in sorted order, byte for byte what
    serialising the whole event gives, without serialising ``data`` a second time."""
    canonical = (
        f'{{"action":{_text(action)},"actor":{_text(actor)},"at":{_text(at)},'
        f'"data":{data_text},"receipt_no":{_text(receipt_no)}}}'
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _text(value: str | None) -> str:
    return json.dumps(value, ensure_ascii=False)


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
    data_text = _dumps(data)  # serialised once: stored as is, and hashed inside the event
    digest = _event_hash(prev_hash, at, actor, action, receipt_no, data_text)
    cursor = db.execute(
        "INSERT INTO audit (at, actor, action, receipt_no, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [at, actor, action, receipt_no, data_text, prev_hash, digest],
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


# -- signed heads ---------------------------------------------------------------------------


def utc_at(moment: dt.datetime) -> str:
    """A head's ``at``: UTC, whole seconds, ``Z`` (``2026-11-27T01:30:00Z``)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the machine's local time
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_head(
    db: Database, key: SigningKey, window_id: str, at: str, *, cause: str, last: AuditEvent | None = None
) -> AuditHead | None:
    """Sign the chain's current last event and store the head; ``None`` when the chain is empty
    or its last event has a head already (nothing new to vouch for).

    Call it inside the caller's write transaction, after the events it should cover, so the head
    and what it covers are written together.

    Args:
        window_id: The window the chain belongs to (upper case).
        at: :func:`utc_at` of now.
        cause: Why it was signed (``accept``, ``sync``): kept for the reader, not signed.
        last: The event the caller has just appended in this transaction, when it is the
            chain's last (no other event after it): the head is signed over it without reading
            the chain again (a new event has no head yet).
    """
    if last is not None:
        seq, digest = last.seq, last.hash
    else:
        row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        if row is None:
            return None
        seq, digest = row
        if db.execute("SELECT 1 FROM audit_heads WHERE seq = ?", [seq]).fetchone() is not None:
            return None
    # Imported here: a sign-in appends an event and signs no head (start-up cost).
    from window_app.domain.audit_head import AuditHead
    from window_app.trust.signing import sign

    unsigned = AuditHead(window_id, seq, digest, at, {})
    signature = sign(key, unsigned.message()).to_json()
    db.execute(
        "INSERT INTO audit_heads (seq, hash, at, window_id, key_id, signature, cause) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [seq, digest, at, window_id, signature["key_id"], _dumps(signature), cause],
    )
    return AuditHead(window_id, seq, digest, at, signature)


def latest_head(db: Database) -> AuditHead | None:
    """The latest signed head (the one sent to the exchange), or ``None`` before the first."""
    with storage_errors(_READ_WORDS):
        row = db.execute(f"SELECT {_HEAD_COLUMNS} FROM audit_heads ORDER BY seq DESC LIMIT 1").fetchone()
    return _head(row) if row else None


def unsigned_tail(db: Database) -> bool:
    """Whether the chain has events after its latest signed head."""
    with storage_errors(_READ_WORDS):
        last = db.execute("SELECT max(seq) FROM audit").fetchone()[0]
        signed = db.execute("SELECT max(seq) FROM audit_heads").fetchone()[0]
    return last is not None and (signed is None or signed < last)


# -- reads for the check (window_app/audit_check.py) -------------------------------------------


class StoredEvent(NamedTuple):
    """An audit row as stored: ``data`` is the stored text, not parsed (it may not parse)."""

    seq: int
    at: str
    actor: str
    action: str
    receipt_no: str | None
    data: str
    prev_hash: str
    hash: str


class StoredHead(NamedTuple):
    """A head as stored, with the raw signature text (it may not parse)."""

    seq: int
    hash: str
    at: str
    window_id: str
    key_id: str
    signature: str
    cause: str

    def parsed_signature(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.signature)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


class ApplicationRecord(NamedTuple):
    receipt_no: str
    window_id: str
    accepted_at: str


class PartRecord(NamedTuple):
    receipt_no: str
    department: str
    stage: int
    envelope_id: str


class OutboxRecord(NamedTuple):
    envelope_id: str
    receipt_no: str
    kind: str
    department: str
    stage: int
    payload_sha256: str
    payload_matches: bool
    """Whether sha256 of the stored payload is the stored ``payload_sha256``."""


def stored_events(db: Database) -> Iterator[StoredEvent]:
    """Every audit row in ``seq`` order (streamed)."""
    with storage_errors(_READ_WORDS):
        cursor = db.execute("SELECT seq, at, actor, action, receipt_no, data, prev_hash, hash FROM audit ORDER BY seq")
        for row in cursor:
            yield StoredEvent(*row)


def stored_heads(db: Database) -> list[StoredHead]:
    """Every signed head, by ``seq``."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT seq, hash, at, window_id, key_id, signature, cause FROM audit_heads ORDER BY seq"
        ).fetchall()
    return [StoredHead(*row) for row in rows]


def application_records(db: Database) -> list[ApplicationRecord]:
    """Every application's receipt number, window and acceptance time, in acceptance order."""
    with storage_errors(_READ_WORDS):
        rows = db.execute("SELECT receipt_no, window_id, accepted_at FROM applications ORDER BY accepted_at, receipt_no")
        return [ApplicationRecord(*row) for row in rows]


def part_records(db: Database) -> list[PartRecord]:
    with storage_errors(_READ_WORDS):
        rows = db.execute("SELECT receipt_no, department, stage, envelope_id FROM application_parts ORDER BY receipt_no")
        return [PartRecord(*row) for row in rows]


def outbox_records(db: Database) -> Iterator[OutboxRecord]:
    """Every outbox row, its payload hashed again (streamed: payloads are the bulk of the file)."""
    with storage_errors(_READ_WORDS):
        cursor = db.execute(
            "SELECT envelope_id, receipt_no, kind, department, stage, payload_sha256, payload FROM outbox ORDER BY rowid"
        )
        for envelope_id, receipt_no, kind, department, stage, sha256, payload in cursor:
            raw = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload or b"")
            matches = hashlib.sha256(raw).hexdigest() == sha256
            yield OutboxRecord(envelope_id, receipt_no, kind, department, stage, sha256, matches)


def receipt_counters(db: Database) -> list[tuple[str, str, int]]:
    """``(day, window_id, last)`` of each receipt sequence (bumped in every accept transaction)."""
    with storage_errors(_READ_WORDS):
        return [tuple(row) for row in db.execute("SELECT day, window_id, last FROM receipt_sequence ORDER BY day")]


_HEAD_COLUMNS = "window_id, seq, hash, at, signature"


def _head(row: tuple) -> AuditHead:
    from window_app.domain.audit_head import AuditHead  # see sign_head

    window_id, seq, digest, at, signature = row
    try:
        parsed = json.loads(signature)
    except ValueError:
        parsed = {}
    return AuditHead(window_id, seq, digest, at, parsed if isinstance(parsed, dict) else {})


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))  # made once


def _dumps(data: dict[str, Any]) -> str:
    return _CANONICAL.encode(data)


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
