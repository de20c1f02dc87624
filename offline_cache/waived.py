"""容缺 promises (``waived_materials``): one row per material accepted as missing, written in the
accept transaction, marked received in the supplement's transaction (SQL only).

Only the material's catalog id and the promised day are kept: nothing personal, nothing sealed.
The open ones are read through ``waived_materials_open`` (received_at, promised_on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from offline_cache.db import Database, storage_errors
from offline_cache.outbox import utc_stamp
from window_app.domain.waived import WaivedPromise
from window_app.domain.words import Words

_READ_WORDS = Words("读取容缺承诺", "Reading the deficiency promises")


def insert_promises(db: Database, receipt_no: str, promises: Iterable[tuple[str, str]]) -> None:
    """Inside the accept transaction: (material id, promised day ISO) of each 容缺 material."""
    for material, promised_on in promises:
        db.execute(
            "INSERT OR IGNORE INTO waived_materials (receipt_no, material, promised_on) VALUES (?, ?, ?)",
            [receipt_no, material, promised_on],
        )


def mark_received(db: Database, receipt_no: str, material: str, at: str) -> bool:
    """Inside the supplement's transaction: the material is here. ``False``: no open promise for it."""
    cursor = db.execute(
        "UPDATE waived_materials SET received_at = ? WHERE receipt_no = ? AND material = ? AND received_at IS NULL",
        [utc_stamp(at), receipt_no, material],
    )
    return cursor.rowcount == 1


def open_promises(db: Database, *, clerk_id: str | None = None, by: dt.date | None = None) -> list[WaivedPromise]:
    """The promises not yet kept, promised on or before ``by`` (all when ``None``), of
    applications still open (one clerk's, or all)."""
    clauses = ["w.received_at IS NULL", "a.state IN ('accepted', 'in_progress', 'supplement_needed')"]
    params: list[object] = []
    if by is not None:
        clauses.append("w.promised_on <= ?")
        params.append(by.isoformat())
    if clerk_id is not None:
        clauses.append("a.clerk_id = ?")
        params.append(clerk_id)
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT w.receipt_no, w.material, w.promised_on, w.received_at, a.clerk_id FROM waived_materials w "
            "JOIN applications a ON a.receipt_no = w.receipt_no WHERE " + " AND ".join(clauses) +
            " ORDER BY w.promised_on, w.receipt_no, w.material",
            params,
        ).fetchall()
    return [_promise(row) for row in rows]


def promises_of(db: Database, receipt_no: str) -> list[WaivedPromise]:
    """One application's promises, kept or not."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT w.receipt_no, w.material, w.promised_on, w.received_at, a.clerk_id FROM waived_materials w "
            "JOIN applications a ON a.receipt_no = w.receipt_no WHERE w.receipt_no = ? ORDER BY w.promised_on, w.material",
            [receipt_no],
        ).fetchall()
    return [_promise(row) for row in rows]


def _promise(row: tuple) -> WaivedPromise:
    receipt_no, material, promised_on, received_at, clerk = row
    return WaivedPromise(receipt_no, material, dt.date.fromisoformat(promised_on), received_at, clerk or "")
