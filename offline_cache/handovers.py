"""Handover lists (材料移交单) of class-3 parts: written at acceptance, acknowledged by events."""

from __future__ import annotations

import json
from typing import Any

from offline_cache.db import Database, storage_errors
from window_app.domain.handling import HandoverList, HandoverMaterial
from window_app.domain.words import Words

_READ_WORDS = Words("读取材料移交单", "Reading handover lists")

_COLUMNS = (
    "receipt_no, department, department_name, stage, envelope_id, items, materials, handed_by, handed_at, "
    "acknowledged_at, acknowledged_by"
)


def insert_handover(db: Database, handover: HandoverList) -> None:
    """Record a handover list (inside the accept transaction)."""
    db.execute(
        f"INSERT INTO handover_lists ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            handover.receipt_no,
            handover.department,
            handover.department_name,
            handover.stage,
            handover.envelope_id,
            json.dumps([list(item) for item in handover.items], ensure_ascii=False),
            json.dumps([material.to_json() for material in handover.materials], ensure_ascii=False),
            handover.handed_by,
            handover.handed_at,
            handover.acknowledged_at,
            handover.acknowledged_by,
        ],
    )


def handovers_of(db: Database, receipt_no: str) -> list[HandoverList]:
    """An application's handover lists, in stage order."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM handover_lists WHERE receipt_no = ? ORDER BY stage, department", [receipt_no]
        ).fetchall()
    return [_handover(row) for row in rows]


def list_handovers(db: Database, *, pending_only: bool = False, limit: int = 500) -> list[HandoverList]:
    """Handover lists, oldest first; ``pending_only``: those not yet acknowledged."""
    sql = f"SELECT {_COLUMNS} FROM handover_lists"
    if pending_only:
        sql += " WHERE acknowledged_at IS NULL"
    sql += " ORDER BY handed_at, receipt_no, stage, department LIMIT ?"
    with storage_errors(_READ_WORDS):
        rows = db.execute(sql, [limit]).fetchall()
    return [_handover(row) for row in rows]


def handover_of_envelope(db: Database, envelope_id: str) -> HandoverList | None:
    """The handover list sent in this envelope, if it is a handover."""
    row = db.execute(f"SELECT {_COLUMNS} FROM handover_lists WHERE envelope_id = ?", [envelope_id]).fetchone()
    return _handover(row) if row else None


def acknowledge(db: Database, envelope_id: str, *, at: str, by: str) -> bool:
    """The department confirmed receipt (inside the caller's transaction); the first
    acknowledgement counts. Returns whether it changed anything."""
    cursor = db.execute(
        "UPDATE handover_lists SET acknowledged_at = ?, acknowledged_by = ? WHERE envelope_id = ? AND acknowledged_at IS NULL",
        [at, by, envelope_id],
    )
    return cursor.rowcount > 0


def _handover(row: Any) -> HandoverList:
    (receipt_no, department, department_name, stage, envelope_id, items, materials, handed_by, handed_at,
     acknowledged_at, acknowledged_by) = row
    return HandoverList(
        receipt_no=receipt_no,
        department=department,
        department_name=department_name,
        stage=stage,
        envelope_id=envelope_id,
        items=tuple((item_id, name) for item_id, name in json.loads(items)),
        materials=tuple(HandoverMaterial(**material) for material in json.loads(materials)),
        handed_by=handed_by,
        handed_at=handed_at,
        acknowledged_at=acknowledged_at,
        acknowledged_by=acknowledged_by,
    )
