"""The outbox: envelopes written at acceptance, held or queued until they are delivered.

Rows are inserted only by :func:`offline_cache.applications.insert_accepted`, in the accept
transaction. A payload never changes after it is written; the sync engine changes only the
delivery columns (state, attempts, next_attempt_at, last_error, sent_at).

States (the words: :mod:`window_app.domain.outbox`): ``queued`` (ready to send when
``next_attempt_at`` has come; a round's claimed rows stay ``queued`` while in flight),
``waiting`` (:data:`~window_app.domain.outbox.HELD`: a later stage held until its
prerequisites' results arrive), ``sent`` (the exchange confirmed it), ``quarantined`` (the
exchange refused it for good: kept with the reason in ``last_error``, never retried blindly,
never deleted), ``cancelled`` (a prerequisite was refused: never sent). ``last_error`` holds
words (:mod:`offline_cache.stored_words`), empty when there is nothing to say.

The one exception to "a payload never changes": a held envelope that has never been attempted
is finalised once when its prerequisites are approved (:func:`finalise_held`: their results
are added, hash and signature recomputed, the row becomes ``queued``). From its first attempt
on (``attempts > 0``), the stored text is exactly what is sent, every time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from offline_cache.db import Database, storage_errors
from offline_cache.stored_words import words_from_column, words_to_column
from window_app.domain.outbox import UNSENT_STATES, OutboxEntry, OutgoingEnvelope
from window_app.domain.wire import Envelope
from window_app.domain.words import Words

_READ_WORDS = Words("读取待发送队列", "Reading the outbox")


def count_unsent(db: Database) -> int:
    """How many envelopes have not been delivered yet (queued or held for a prerequisite)."""
    with storage_errors(_READ_WORDS):
        row = db.execute(
            f"SELECT count(*) FROM outbox WHERE state IN ({', '.join('?' * len(UNSENT_STATES))})",
            list(UNSENT_STATES),
        ).fetchone()
    return row[0]


def count_by_state(db: Database) -> dict[str, int]:
    """Envelopes per stored state, e.g. ``{"queued": 3, "waiting": 2, "sent": 40}`` (``waiting``: held)."""
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
            last_error=words_from_column(last_error),
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


# -- the sync engine's side ------------------------------------------------------------------


def utc_stamp(moment: dt.datetime | str) -> str:
    """The one form ``next_attempt_at`` is stored in: UTC, fixed width, millisecond precision
    (``2026-11-27T01:30:00.000Z``), so that comparing the strings (and the index on them)
    compares the moments, whatever offset the clock that produced them had."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the machine's local time
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


_SEND_COLUMNS = (
    "envelope_id, idempotency_key, kind, receipt_no, department, stage, payload, payload_sha256, "
    "signature, attempts, original_envelope_id, server_errors"
)


def _outgoing(row: Sequence[Any]) -> OutgoingEnvelope:
    return OutgoingEnvelope(*row)


# The department kind of an office id (``tax`` of ``tax-522325``; "" for a kind's own id).
_KIND_OF = "substr(department, 1, instr(department, '-') - 1)"


def _department_filter(departments: Sequence[str] | None, exclude: Sequence[str]) -> tuple[str, list[Any]]:
    """A row's department (an office id) is one of ``departments`` (office ids, or kinds that
    take in each of their offices), or none of ``exclude``."""
    if departments is not None:
        marks = ", ".join("?" * len(departments))
        return f" AND (department IN ({marks}) OR {_KIND_OF} IN ({marks}))", [*departments, *departments]
    if exclude:
        marks = ", ".join("?" * len(exclude))
        return f" AND department NOT IN ({marks}) AND {_KIND_OF} NOT IN ({marks})", [*exclude, *exclude]
    return "", []


def claim_due(
    db: Database,
    now: str,
    *,
    limit: int,
    departments: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    retry_at: Callable[[int], str],
    ignore_schedule: bool = False,
    round_started: str | None = None,
) -> list[OutgoingEnvelope]:
    """Take up to ``limit`` due envelopes for one endpoint and record the attempt BEFORE sending.

    Due: ``state = 'queued' AND next_attempt_at <= now`` (index ``outbox_state_next_attempt``, or
    ``outbox_department_state_next`` with ``departments``). In the same write transaction each
    taken row gets ``attempts + 1``, ``last_attempt_at = now`` (UTC) and a provisional
    ``next_attempt_at = retry_at(attempts + 1)``: if the program dies mid-request the envelope is
    retried later (same bytes, same key: the exchange answers ``duplicate``). No second sync
    process takes rows meanwhile: one process at a time syncs a database (the engine holds
    ``<data dir>/sync.lock``, :mod:`window_app.sync.lock`), and its rounds do not overlap.

    Args:
        departments: Only these departments (an endpoint of their own); ``None``: any but
            ``exclude`` (the shared exchange).
        retry_at: Attempt number → ISO time of the provisional next attempt.
        ignore_schedule: Take queued rows whatever their ``next_attempt_at`` ("retry now").
        round_started: Never take a row already attempted since then (in flight, or just
            failed): a round sends each envelope at most once. The provisional next attempt
            cannot guard a row in flight: full jitter makes it as short as 0.05 s, and a slow
            line's answer takes longer — another batch of the round would resend it.
    """
    where, params = _department_filter(departments, exclude)
    if departments is not None and not departments:
        return []
    schedule = "" if ignore_schedule else " AND next_attempt_at <= ?"
    args: list[Any] = [] if ignore_schedule else [utc_stamp(now)]
    if ignore_schedule or round_started is not None:
        # A last_attempt_at not in UTC ('…Z') is local time from before it was stored in UTC: old.
        schedule += " AND (last_attempt_at IS NULL OR last_attempt_at < ? OR last_attempt_at NOT LIKE '%Z')"
        args.append(utc_stamp(round_started or now))
    sql = (
        f"SELECT {_SEND_COLUMNS} FROM outbox WHERE state = 'queued'{schedule}{where} "
        "ORDER BY next_attempt_at, envelope_id LIMIT ?"
    )
    args += params + [limit]
    with storage_errors(_SEND_WORDS):
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = [_outgoing(row) for row in db.execute(sql, args).fetchall()]
            for row in rows:
                db.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ? "
                    "WHERE envelope_id = ? AND state = 'queued'",
                    [utc_stamp(now), utc_stamp(retry_at(row.attempts + 1)), row.envelope_id],
                )
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
    return [_replace_attempts(row, row.attempts + 1) for row in rows]


def _replace_attempts(row: OutgoingEnvelope, attempts: int) -> OutgoingEnvelope:
    return replace(row, attempts=attempts)


_SEND_WORDS = Words("发送信封", "Sending envelopes")


def next_due_at(db: Database, *, departments: Sequence[str] | None = None, exclude: Sequence[str] = ()) -> str | None:
    """The earliest ``next_attempt_at`` of a queued envelope (for one endpoint), or ``None``."""
    if departments is not None and not departments:
        return None
    where, params = _department_filter(departments, exclude)
    with storage_errors(_READ_WORDS):
        row = db.execute(
            f"SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'{where}", params
        ).fetchone()
    return row[0] if row else None


def record_delivered(db: Database, envelope_id: str, now: str, received_at: str) -> bool:
    """Mark an envelope delivered (call inside the caller's transaction). ``False`` if it was
    already delivered (a repeated answer changes nothing)."""
    cursor = db.execute(
        "UPDATE outbox SET state = 'sent', sent_at = coalesce(sent_at, ?), received_at = coalesce(received_at, ?), "
        "last_error = '' WHERE envelope_id = ? AND state IN ('queued', 'quarantined')",
        [now, received_at or None, envelope_id],
    )
    return cursor.rowcount > 0


def record_retry(
    db: Database, envelope_ids: Sequence[str], next_attempt_at: str, error: Words, *, server_error: bool = False
) -> None:
    """A transient failure: keep the envelopes queued, next try at ``next_attempt_at``.

    ``server_error``: the exchange answered 5xx (counted, in a row); any other failure resets
    the count, as it says nothing about the envelope itself.
    """
    with storage_errors(_SEND_WORDS), db.atomic():
        for envelope_id in envelope_ids:
            db.execute(
                "UPDATE outbox SET next_attempt_at = ?, last_error = ?, "
                "server_errors = CASE WHEN ? THEN server_errors + 1 ELSE 0 END "
                "WHERE envelope_id = ? AND state = 'queued'",
                [utc_stamp(next_attempt_at), words_to_column(error), server_error, envelope_id],
            )


def record_note(db: Database, envelope_ids: Sequence[str], error: Words) -> None:
    """Say why queued envelopes are not moving (e.g. the token was refused), schedule unchanged."""
    with storage_errors(_SEND_WORDS), db.atomic():
        for envelope_id in envelope_ids:
            db.execute(
                "UPDATE outbox SET last_error = ? WHERE envelope_id = ? AND state = 'queued'",
                [words_to_column(error), envelope_id],
            )


def unclaim(db: Database, envelope_ids: Sequence[str], now: str) -> None:
    """Give claimed envelopes back untried (e.g. a batch being split): attempt not counted."""
    with storage_errors(_SEND_WORDS), db.atomic():
        for envelope_id in envelope_ids:
            db.execute(
                "UPDATE outbox SET attempts = max(attempts - 1, 0), next_attempt_at = ? "
                "WHERE envelope_id = ? AND state = 'queued'",
                [utc_stamp(now), envelope_id],
            )


def record_quarantined(db: Database, envelope_id: str, reason: Words) -> bool:
    """The exchange refused this envelope for good: keep it, with the reason (in a transaction)."""
    cursor = db.execute(
        "UPDATE outbox SET state = 'quarantined', last_error = ?, next_attempt_at = NULL "
        "WHERE envelope_id = ? AND state = 'queued'",
        [words_to_column(reason), envelope_id],
    )
    return cursor.rowcount > 0


def requeue_quarantined(db: Database, envelope_ids: Sequence[str], now: str) -> int:
    """Put quarantined envelopes back in the queue (after the cause was fixed); same bytes."""
    count = 0
    with storage_errors(_SEND_WORDS), db.atomic():
        for envelope_id in envelope_ids:
            cursor = db.execute(
                "UPDATE outbox SET state = 'queued', next_attempt_at = ?, server_errors = 0 "
                "WHERE envelope_id = ? AND state = 'quarantined'",
                [utc_stamp(now), envelope_id],
            )
            count += cursor.rowcount
    return count


def list_by_state(db: Database, state: str, limit: int = 500) -> list[OutboxEntry]:
    """Envelopes in one state (e.g. ``quarantined``, with their reasons), oldest first."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT receipt_no FROM outbox WHERE state = ? GROUP BY receipt_no ORDER BY min(created_at) LIMIT ?",
            [state, limit],
        ).fetchall()
    found = []
    for (receipt_no,) in rows:
        found += [entry for entry in list_envelopes(db, receipt_no) if entry.state == state]
    return found[:limit]


def get_row(db: Database, envelope_id: str) -> OutgoingEnvelope | None:
    """One envelope by id (with its kind and state-independent columns), or ``None``."""
    row = db.execute(f"SELECT {_SEND_COLUMNS} FROM outbox WHERE envelope_id = ?", [envelope_id]).fetchone()
    return _outgoing(row) if row else None


def state_of(db: Database, envelope_id: str) -> str | None:
    row = db.execute("SELECT state FROM outbox WHERE envelope_id = ?", [envelope_id]).fetchone()
    return row[0] if row else None


def held_of(db: Database, receipt_no: str) -> list[OutgoingEnvelope]:
    """An application's envelopes still held for a prerequisite (never attempted)."""
    rows = db.execute(
        f"SELECT {_SEND_COLUMNS} FROM outbox WHERE receipt_no = ? AND state = 'waiting' AND attempts = 0 "
        "ORDER BY stage, department",
        [receipt_no],
    ).fetchall()
    return [_outgoing(row) for row in rows]


def finalise_held(db: Database, envelope_id: str, payload: str, payload_sha256: str, signature: str, now: str) -> bool:
    """Write a held envelope's final payload once and queue it (inside the caller's transaction).

    Only a held (``waiting``) row that was never attempted changes; returns whether it did.
    """
    cursor = db.execute(
        "UPDATE outbox SET payload = ?, payload_sha256 = ?, signature = ?, state = 'queued', next_attempt_at = ? "
        "WHERE envelope_id = ? AND state = 'waiting' AND attempts = 0",
        [payload, payload_sha256, signature, utc_stamp(now), envelope_id],
    )
    return cursor.rowcount > 0


def cancel_held(db: Database, envelope_id: str, reason: Words) -> bool:
    """A prerequisite was refused: this envelope is never sent (inside the caller's transaction)."""
    cursor = db.execute(
        "UPDATE outbox SET state = 'cancelled', last_error = ?, next_attempt_at = NULL "
        "WHERE envelope_id = ? AND state = 'waiting'",
        [words_to_column(reason), envelope_id],
    )
    return cursor.rowcount > 0


def count_supplements(db: Database, receipt_no: str, original_envelope_id: str) -> int:
    """How many supplement envelopes a part has had (index ``outbox_receipt_no``)."""
    row = db.execute(
        "SELECT count(*) FROM outbox WHERE receipt_no = ? AND kind = 'supplement' AND original_envelope_id = ?",
        [receipt_no, original_envelope_id],
    ).fetchone()
    return row[0]


def insert_supplement(
    db: Database,
    *,
    envelope_id: str,
    idempotency_key: str,
    receipt_no: str,
    department: str,
    stage: int,
    payload: str,
    payload_sha256: str,
    signature: str,
    original_envelope_id: str,
    now: str,
) -> None:
    """Queue a supplement envelope (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO outbox (envelope_id, idempotency_key, kind, receipt_no, department, stage, payload, "
        "payload_sha256, signature, state, attempts, next_attempt_at, created_at, original_envelope_id) "
        "VALUES (?, ?, 'supplement', ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)",
        [
            envelope_id,
            idempotency_key,
            receipt_no,
            department,
            stage,
            payload,
            payload_sha256,
            signature,
            utc_stamp(now),
            now,
            original_envelope_id,
        ],
    )


def get_row_by_key(db: Database, idempotency_key: str) -> OutgoingEnvelope | None:
    """One envelope by idempotency key (unique index), or ``None``."""
    row = db.execute(f"SELECT {_SEND_COLUMNS} FROM outbox WHERE idempotency_key = ?", [idempotency_key]).fetchone()
    return _outgoing(row) if row else None
