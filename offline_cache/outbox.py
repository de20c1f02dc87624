"""The outbox: envelopes written at acceptance, waiting to be sent to the departments.

Rows are inserted only by :func:`offline_cache.applications.insert_accepted`, in the accept
transaction. A payload never changes after it is written; the sync engine changes only the
delivery columns (state, attempts, next_attempt_at, last_error, sent_at).

States: ``queued`` (ready to send when ``next_attempt_at`` has come), ``waiting`` (a later
stage, held until its prerequisites' results arrive), ``sent`` (the exchange confirmed it).
"""

from __future__ import annotations

from dataclasses import dataclass

from offline_cache.db import Database, storage_errors
from window_app.envelope import Envelope

QUEUED = "queued"
WAITING = "waiting"
SENT = "sent"
UNSENT_STATES = (QUEUED, WAITING)

_READ_WORDS = ("读取待发送队列", "Reading the outbox")


@dataclass(frozen=True)
class OutboxEntry:
    """An envelope and where its delivery stands."""

    envelope: Envelope
    state: str
    attempts: int
    next_attempt_at: str | None
    last_error: str
    created_at: str
    sent_at: str | None


def count_waiting(db: Database) -> int:
    """How many envelopes have not been delivered yet (queued or waiting for a prerequisite)."""
    with storage_errors(_READ_WORDS):
        row = db.execute(
            f"SELECT count(*) FROM outbox WHERE state IN ({', '.join('?' * len(UNSENT_STATES))})",
            list(UNSENT_STATES),
        ).fetchone()
    return row[0]


def count_by_state(db: Database) -> dict[str, int]:
    """Envelopes per state, e.g. ``{"queued": 3, "waiting": 2, "sent": 40}``."""
    with storage_errors(_READ_WORDS):
        rows = db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
    return dict(rows)


def list_envelopes(db: Database, receipt_no: str) -> list[OutboxEntry]:
    """An application's envelopes in stage order, with their delivery state."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT envelope_id, idempotency_key, receipt_no, department, stage, payload, payload_sha256, "
            "signature, state, attempts, next_attempt_at, last_error, created_at, sent_at "
            "FROM outbox WHERE receipt_no = ? ORDER BY stage, department",
            [receipt_no],
        ).fetchall()
    return [
        OutboxEntry(
            envelope=Envelope(
                envelope_id=envelope_id,
                idempotency_key=key,
                receipt_no=receipt,
                department=department,
                stage=stage,
                payload=payload.encode("utf-8"),
                payload_sha256=sha256,
                signature=signature,
            ),
            state=state,
            attempts=attempts,
            next_attempt_at=next_attempt_at,
            last_error=last_error,
            created_at=created_at,
            sent_at=sent_at,
        )
        for (
            envelope_id,
            key,
            receipt,
            department,
            stage,
            payload,
            sha256,
            signature,
            state,
            attempts,
            next_attempt_at,
            last_error,
            created_at,
            sent_at,
        ) in rows
    ]
