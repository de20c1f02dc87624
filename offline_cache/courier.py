"""The USB courier's rows (window_app/courier/, docs/courier.md): the files exported, and which
queued envelopes are "on a courier".

An envelope carried on a file stays ``queued``: the network sends it too if the line comes back
first (the exchange answers the second copy ``duplicate``). ``outbox.courier_file`` names the
last file that carried it; the count of queued rows with a file is the header's 在途U盘.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from offline_cache.db import Database, storage_errors
from offline_cache.outbox import _SEND_COLUMNS, _department_filter, _outgoing
from window_app.domain.outbox import OutgoingEnvelope
from window_app.domain.words import Words

_READ = Words("读取U盘传递记录", "Reading the courier records")


@dataclass(frozen=True)
class CourierRecord:
    """One exported file: its id, number, when (UTC), envelopes, digest, and its answer if applied."""

    file_id: str
    sequence: int
    created_at: str
    envelopes: int
    sha256: str
    answer_id: str | None
    answered_at: str | None


def waiting_envelopes(db: Database, *, exclude: Sequence[str] = ()) -> list[OutgoingEnvelope]:
    """Every queued envelope for the shared exchange (not for ``exclude``: departments with an
    endpoint of their own), whatever its schedule: what a courier file carries."""
    where, params = _department_filter(None, exclude)
    with storage_errors(_READ):
        rows = db.execute(
            f"SELECT {_SEND_COLUMNS} FROM outbox WHERE state = 'queued'{where} ORDER BY created_at, envelope_id", params
        ).fetchall()
    return [_outgoing(row) for row in rows]


def next_sequence(db: Database) -> int:
    """The number of the next file (one more than the last; numbers only go up)."""
    with storage_errors(_READ):
        row = db.execute("SELECT coalesce(max(sequence), 0) FROM courier_files").fetchone()
    return int(row[0]) + 1


def record_export(
    db: Database, file_id: str, sequence: int, created_at: str, envelope_ids: Sequence[str], sha256: str
) -> None:
    """Record a file and mark its envelopes as on it (inside the caller's transaction)."""
    db.execute(
        "INSERT INTO courier_files (file_id, sequence, created_at, envelopes, sha256) VALUES (?, ?, ?, ?, ?)",
        [file_id, sequence, created_at, len(envelope_ids), sha256],
    )
    db.conn.executemany(
        "UPDATE outbox SET courier_file = ? WHERE envelope_id = ? AND state = 'queued'",
        [(file_id, envelope_id) for envelope_id in envelope_ids],
    )


def file_record(db: Database, file_id: str) -> CourierRecord | None:
    """An exported file by its id, or ``None`` (not this window's)."""
    with storage_errors(_READ):
        row = db.execute(
            "SELECT file_id, sequence, created_at, envelopes, sha256, answer_id, answered_at FROM courier_files WHERE file_id = ?",
            [file_id],
        ).fetchone()
    return CourierRecord(*row) if row else None


def last_answered(db: Database) -> CourierRecord | None:
    """The file with the highest number whose answer was applied, or ``None``."""
    with storage_errors(_READ):
        row = db.execute(
            "SELECT file_id, sequence, created_at, envelopes, sha256, answer_id, answered_at FROM courier_files "
            "WHERE answered_at IS NOT NULL ORDER BY sequence DESC LIMIT 1"
        ).fetchone()
    return CourierRecord(*row) if row else None


def record_answer(db: Database, file_id: str, answer_id: str, at: str) -> None:
    """Mark a file's answer applied (inside the caller's transaction)."""
    db.execute("UPDATE courier_files SET answer_id = ?, answered_at = ? WHERE file_id = ?", [answer_id, at, file_id])


def count_on_courier(db: Database) -> int:
    """Envelopes on a courier and not yet delivered (index ``outbox_on_courier``)."""
    with storage_errors(_READ):
        row = db.execute("SELECT count(*) FROM outbox WHERE courier_file IS NOT NULL AND state = 'queued'").fetchone()
    return int(row[0])


def undelivered_by_keys(db: Database, keys: Sequence[str]) -> dict[str, OutgoingEnvelope]:
    """The outbox rows of these idempotency keys not delivered yet (queued, or quarantined
    before the exchange's answer said otherwise); others and unknown keys are left out."""
    found: dict[str, OutgoingEnvelope] = {}
    with storage_errors(_READ):
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            for row in db.execute(f"SELECT {_SEND_COLUMNS} FROM outbox WHERE idempotency_key IN ({marks}) AND state IN ('queued', 'quarantined')", chunk):
                envelope = _outgoing(row)
                found[envelope.idempotency_key] = envelope
    return found


__all__ = [
    "CourierRecord",
    "count_on_courier",
    "file_record",
    "last_answered",
    "next_sequence",
    "record_answer",
    "record_export",
    "undelivered_by_keys",
    "waiting_envelopes",
]

