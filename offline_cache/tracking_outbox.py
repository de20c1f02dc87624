"""The tracking records waiting to reach the exchange's public tracking page (SQL only).

One row per application, queued inside the accept transaction (so it is never lost), without
the tracking code's digest: the sync reads the code from ``applications``, adds the digest,
signs and posts the record, and marks it ``delivered`` only once the exchange answered that it
stored it (a record sent twice is stored once: the exchange keeps one per receipt number).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from offline_cache.db import Database
from offline_cache.outbox import utc_stamp

QUEUED = "queued"
DELIVERED = "delivered"
REFUSED = "refused"


@dataclass(frozen=True)
class PendingRecord:
    """A record due to be sent: its document (no digest yet) and the code to digest."""

    receipt_no: str
    record: dict[str, Any]
    code: str
    attempts: int


def queue(db: Database, receipt_no: str, record: dict[str, Any], now: str) -> None:
    """Queue ``receipt_no``'s record inside the caller's transaction (the accept's)."""
    db.execute(
        "INSERT OR REPLACE INTO tracking_outbox (receipt_no, record, state, attempts, next_attempt_at) VALUES (?, ?, ?, 0, ?)",
        [receipt_no, json.dumps(record, ensure_ascii=False, sort_keys=True), QUEUED, utc_stamp(now)],
    )


def due(db: Database, now: str, limit: int, *, ignore_schedule: bool = False) -> list[PendingRecord]:
    """Up to ``limit`` queued records whose time has come, oldest first, with their codes."""
    schedule = "" if ignore_schedule else " AND t.next_attempt_at <= ?"
    params: list[Any] = [QUEUED] + ([] if ignore_schedule else [utc_stamp(now)]) + [limit]
    rows = db.execute(
        "SELECT t.receipt_no, t.record, a.tracking_code, t.attempts FROM tracking_outbox t "
        f"JOIN applications a ON a.receipt_no = t.receipt_no WHERE t.state = ?{schedule} "
        "ORDER BY t.next_attempt_at LIMIT ?",
        params,
    ).fetchall()
    return [PendingRecord(row[0], json.loads(row[1]), row[2], row[3]) for row in rows]


def mark(db: Database, receipt_no: str, state: str, now: str, *, error: str = "", retry_at: str | None = None) -> None:
    """Record an attempt's outcome: ``delivered``, ``refused`` (kept with the reason), or
    still ``queued`` until ``retry_at``."""
    db.execute(
        "UPDATE tracking_outbox SET state = ?, attempts = attempts + 1, last_error = ?, "
        "next_attempt_at = coalesce(?, next_attempt_at), delivered_at = CASE WHEN ? = 'delivered' THEN ? END "
        "WHERE receipt_no = ?",
        [state, error, utc_stamp(retry_at) if retry_at else None, state, utc_stamp(now), receipt_no],
    )


def counts(db: Database) -> dict[str, int]:
    """How many records are in each state."""
    return dict(db.execute("SELECT state, count(*) FROM tracking_outbox GROUP BY state").fetchall())
