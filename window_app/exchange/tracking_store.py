"""The tracking records the exchange keeps, and what it reads to answer the tracking page.

SQL only, on the store's backend (SQLite or PostgreSQL, the same statements). The rules of the
page (who sees what, the same answer for a wrong code and an unknown number) are
:mod:`window_app.exchange.tracking`'s; the states per department :mod:`.tracking_progress`'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from window_app.domain.tracking_record import TrackingRecord, record_from_json
from window_app.domain.words import Words
from window_app.exchange.store import NUL, ExchangeStore
from window_app.exchange.window_signed import record_text, window_signature


@dataclass(frozen=True)
class PartRow:
    """One envelope of an application as the page reads it, with its items' latest decisions.

    Attributes:
        department: The office the envelope went to.
        stage: Its stage.
        kind: ``application``, ``filing`` or ``handover`` (supplements are left out: their
            original's items say what is asked).
        state: The envelope's state (``new`` … ``decided``).
        decisions: Each item's latest decision (``None``: none yet).
        materials: The material ids of the item decisions that ask for a supplement.
    """

    department: str
    stage: int
    kind: str
    state: str
    decisions: tuple[str | None, ...]
    materials: tuple[str, ...] = ()


def store_records(store: ExchangeStore, window_id: str, entries: list[Any]) -> list[dict[str, Any]]:
    """Check and keep a window's signed tracking records; one answer per entry, in order.

    Each entry is ``{"record": "<canonical JSON text>", "signature": {…}}``, signed with a key
    registered for ``window_id`` whose receipt numbers it may speak for (the same binding as an
    envelope's). A record received again replaces the one held (the same application; a later
    promise): only its own window can write it, so repeating it never doubles anything.
    """
    at, _ = store._now()
    answers: list[dict[str, Any]] = []
    with store.backend.transaction() as conn:
        for entry in entries:
            checked = _checked(conn, window_id, entry)
            if isinstance(checked, Words):
                receipt = entry.get("receipt_no") if isinstance(entry, dict) else None
                answers.append({"receipt_no": receipt if isinstance(receipt, str) else "", "status": "rejected",
                                "reason": checked.in_language("en"), "reason_zh": checked.zh})
                continue
            record, text, signature = checked
            conn.execute(
                "INSERT INTO tracking (receipt_no, window_id, digest, record, signature, received_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (receipt_no) DO UPDATE SET digest = excluded.digest, record = excluded.record, "
                "signature = excluded.signature, received_at = excluded.received_at WHERE tracking.window_id = excluded.window_id",
                [record.receipt_no, window_id.upper(), record.digest, text, signature, at],
            )
            answers.append({"receipt_no": record.receipt_no, "status": "stored"})
    return answers


def _checked(conn: Any, window_id: str, entry: Any) -> tuple[TrackingRecord, str, str] | Words:
    opened = record_text(entry, Words("跟踪记录", "the tracking record"))
    if isinstance(opened, Words):
        return opened
    document, text = opened
    record = record_from_json(document)
    if isinstance(record, Words):
        return record
    signature = window_signature(conn, window_id, entry, record_window=record.window_id, receipt_no=record.receipt_no)
    if isinstance(signature, Words):
        return signature
    return record, text, signature


def held_digest(store: ExchangeStore, receipt_no: str) -> tuple[str, str] | None:
    """(digest, record text) kept for ``receipt_no``, or ``None``: the record is parsed only
    once its code matched (:func:`record_of`), so a wrong code costs what an unknown number does."""
    if NUL in receipt_no:
        return None
    with store.backend.reading() as conn:
        row = conn.execute("SELECT digest, record FROM tracking WHERE receipt_no = ?", [receipt_no]).fetchone()
    return (row[0], row[1]) if row is not None else None


def record_of(text: str) -> TrackingRecord | None:
    """The record from its stored text (checked when it arrived)."""
    record = record_from_json(json.loads(text))
    return record if isinstance(record, TrackingRecord) else None


def parts_of(store: ExchangeStore, receipt_no: str) -> list[PartRow]:
    """Every envelope of the application but its supplements, in the order stored, with its
    items' latest decisions and the materials asked for."""
    with store.backend.reading() as conn:
        envelopes = conn.execute(
            "SELECT envelope_id, department, stage, kind, state, original_envelope_id, id FROM envelopes "
            "WHERE receipt_no = ? ORDER BY id",
            [receipt_no],
        ).fetchall()
        ids = [row[0] for row in envelopes if row[3] != "supplement"]
        items: dict[str, list[tuple[str | None, str]]] = {}
        if ids:
            rows = conn.execute(
                "SELECT i.envelope_id, i.decision, coalesce(e.material, '') FROM items i "
                "LEFT JOIN events e ON e.seq = i.event_seq "
                f"WHERE i.envelope_id IN ({', '.join('?' * len(ids))}) ORDER BY i.envelope_id, i.position",
                ids,
            ).fetchall()
            for envelope_id, decision, material in rows:
                items.setdefault(envelope_id, []).append((decision, material))
    parts = []
    for envelope_id, department, stage, kind, state, _original, _id in envelopes:
        if kind == "supplement":
            continue
        entries = items.get(envelope_id, [])
        asked = tuple(m for d, m in entries if d == "supplement_needed" and m)
        parts.append(PartRow(
            department=department, stage=stage, kind=kind, state=state,
            decisions=tuple(d for d, _ in entries), materials=asked,
        ))
    return parts
