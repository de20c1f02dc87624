"""How an accepted application moves on: its parts' states and times, each item's decision,
and the application's state and conclusion (一张结论).

The sync engine (``window_app/sync/``) decides WHAT changes; this module is the SQL. Every
write function here runs inside the caller's transaction, so one event's effects, the new
cursor and the audit events it causes commit together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from offline_cache.db import Database, storage_errors
from offline_cache.vault import APPLICANT_MARK, read_cipher, reveal, seal, write_cipher
from window_app.domain.progress import ItemDecision
from window_app.domain.words import Words

_READ_WORDS = Words("读取办理进度", "Reading the progress of applications")
_INTAKE_WORDS = Words("读写办件的申请内容", "Reading or writing an application's intake")


@dataclass(frozen=True)
class PartRow:
    """One department's part of one stage, with the time each step took."""

    receipt_no: str
    department: str
    stage: int
    items: tuple[str, ...]
    state: str
    envelope_id: str
    updated_at: str
    sent_at: str | None = None
    received_at: str | None = None
    decided_at: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class ApplicationRow:
    receipt_no: str
    state: str
    lead_department: str
    offering_name: str
    offering_name_en: str
    applicant_name: str
    accepted_at: str
    concluded_at: str | None
    conclusion: str | None
    clerk: str


_PART_COLUMNS = "receipt_no, department, stage, items, state, envelope_id, updated_at, sent_at, received_at, decided_at, reason"


def _part(row: Any) -> PartRow:
    receipt_no, department, stage, items, state, envelope_id, updated_at, sent_at, received_at, decided_at, reason = row
    return PartRow(
        receipt_no, department, stage, tuple(json.loads(items)), state, envelope_id, updated_at,
        sent_at, received_at, decided_at, reason,
    )


def part_by_envelope(db: Database, envelope_id: str) -> PartRow | None:
    """The part an application envelope carries (index ``application_parts_envelope_id``)."""
    row = db.execute(f"SELECT {_PART_COLUMNS} FROM application_parts WHERE envelope_id = ?", [envelope_id]).fetchone()
    return _part(row) if row else None


def parts_of(db: Database, receipt_no: str) -> list[PartRow]:
    """An application's parts in stage order."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            f"SELECT {_PART_COLUMNS} FROM application_parts WHERE receipt_no = ? ORDER BY stage, department",
            [receipt_no],
        ).fetchall()
    return [_part(row) for row in rows]


def update_part(
    db: Database,
    receipt_no: str,
    department: str,
    stage: int,
    *,
    now: str,
    state: str | None = None,
    sent_at: str | None = None,
    received_at: str | None = None,
    decided_at: str | None = None,
    reason: str | None = None,
    only_from: tuple[str, ...] | None = None,
) -> bool:
    """Change a part. Times keep their first value (sent, received) except ``decided_at``, which
    follows the latest decision. ``only_from``: change the state only when it is one of these.
    Returns whether the row changed."""
    sets = ["updated_at = ?"]
    params: list[Any] = [now]
    if state is not None:
        if only_from:
            sets.append(f"state = CASE WHEN state IN ({', '.join('?' * len(only_from))}) THEN ? ELSE state END")
            params += [*only_from, state]
        else:
            sets.append("state = ?")
            params.append(state)
    if sent_at is not None:
        sets.append("sent_at = coalesce(sent_at, ?)")
        params.append(sent_at)
    if received_at is not None:
        sets.append("received_at = coalesce(received_at, ?)")
        params.append(received_at)
    if decided_at is not None:
        sets.append("decided_at = ?")
        params.append(decided_at)
    if reason is not None:
        sets.append("reason = ?")
        params.append(reason)
    before = db.execute(
        f"SELECT {_PART_COLUMNS} FROM application_parts WHERE receipt_no = ? AND department = ? AND stage = ?",
        [receipt_no, department, stage],
    ).fetchone()
    if before is None:
        return False
    db.execute(
        f"UPDATE application_parts SET {', '.join(sets)} WHERE receipt_no = ? AND department = ? AND stage = ?",
        params + [receipt_no, department, stage],
    )
    after = db.execute(
        f"SELECT {_PART_COLUMNS} FROM application_parts WHERE receipt_no = ? AND department = ? AND stage = ?",
        [receipt_no, department, stage],
    ).fetchone()
    changed = before[:6] + before[7:] != after[:6] + after[7:]
    if not changed:  # nothing but the touch: keep the old updated_at
        db.execute(
            "UPDATE application_parts SET updated_at = ? WHERE receipt_no = ? AND department = ? AND stage = ?",
            [before[6], receipt_no, department, stage],
        )
    return changed


_DECISION_COLUMNS = (
    "receipt_no, item, department, stage, decision, result, reason, material, decided_by, decided_at, endpoint, "
    "event_seq, supplied_at"
)


def decisions_of(db: Database, receipt_no: str) -> dict[str, ItemDecision]:
    """Item id → the decision that counts."""
    rows = db.execute(f"SELECT {_DECISION_COLUMNS} FROM item_decisions WHERE receipt_no = ?", [receipt_no]).fetchall()
    return {row[1]: ItemDecision(*row) for row in rows}


def put_decision(db: Database, decision: ItemDecision) -> bool:
    """Store the latest decision on an item; ``False`` if exactly this decision is already stored."""
    current = db.execute(
        f"SELECT {_DECISION_COLUMNS} FROM item_decisions WHERE receipt_no = ? AND item = ?",
        [decision.receipt_no, decision.item],
    ).fetchone()
    if current is not None:
        stored = ItemDecision(*current)
        same = (stored.decision, stored.result, stored.reason, stored.material, stored.decided_at) == (
            decision.decision, decision.result, decision.reason, decision.material, decision.decided_at,
        )
        if same:
            return False
    db.execute(
        f"INSERT INTO item_decisions ({_DECISION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL) "
        "ON CONFLICT (receipt_no, item) DO UPDATE SET department = excluded.department, stage = excluded.stage, "
        "supplied_at = NULL, "
        "decision = excluded.decision, result = excluded.result, reason = excluded.reason, "
        "material = excluded.material, decided_by = excluded.decided_by, decided_at = excluded.decided_at, "
        "endpoint = excluded.endpoint, event_seq = excluded.event_seq",
        [
            decision.receipt_no, decision.item, decision.department, decision.stage, decision.decision,
            decision.result, decision.reason, decision.material, decision.decided_by, decision.decided_at,
            decision.endpoint, decision.event_seq,
        ],
    )
    return True


def mark_supplied(db: Database, receipt_no: str, items: tuple[str, ...], material: str, now: str) -> list[str]:
    """A supplement was delivered: the matching open ``supplement_needed`` decisions are answered
    (those naming ``material``, or naming none). Returns the items it answered."""
    answered = []
    for item in items:
        cursor = db.execute(
            "UPDATE item_decisions SET supplied_at = ? WHERE receipt_no = ? AND item = ? "
            "AND decision = 'supplement_needed' AND supplied_at IS NULL AND (material = ? OR material = '' OR ? = '')",
            [now, receipt_no, item, material, material],
        )
        if cursor.rowcount:
            answered.append(item)
    return answered


def application_row(db: Database, receipt_no: str) -> ApplicationRow | None:
    """What the sync engine needs of an application. It runs locked (headless ``sync``): the
    applicant's name is :data:`~offline_cache.vault.APPLICANT_MARK`, which a conclusion keeps
    and a keyed read replaces with the name."""
    row = db.execute(
        "SELECT receipt_no, state, lead_department, offering_name, offering_name_en, ?, accepted_at, "
        "concluded_at, conclusion, clerk FROM applications WHERE receipt_no = ?",
        [APPLICANT_MARK, receipt_no],
    ).fetchone()
    return ApplicationRow(*row) if row else None


def set_application_state(
    db: Database,
    receipt_no: str,
    state: str,
    now: str,
    *,
    concluded_at: str | None = None,
    conclusion: str | None = None,
) -> bool:
    """Change the application's state (and record its conclusion); returns whether it changed."""
    cursor = db.execute(
        "UPDATE applications SET state = ?, updated_at = ?, concluded_at = coalesce(?, concluded_at), "
        "conclusion = coalesce(?, conclusion) WHERE receipt_no = ? AND (state != ? OR "
        "(? IS NOT NULL AND concluded_at IS NULL))",
        [state, now, concluded_at, conclusion, receipt_no, state, concluded_at],
    )
    return cursor.rowcount > 0


def intake_json(db: Database, receipt_no: str) -> dict[str, Any] | None:
    """The application's intake as accepted (JSON).

    Raises:
        DataLocked: It is sealed and no clerk is signed in.
    """
    cipher = read_cipher(db, _INTAKE_WORDS)
    row = db.execute("SELECT intake FROM applications WHERE receipt_no = ?", [receipt_no]).fetchone()
    if row is None:
        return None
    return json.loads(reveal(cipher, row[0], "applications", "intake", receipt_no, _INTAKE_WORDS))


def write_intake_json(db: Database, receipt_no: str, intake: dict[str, Any], now: str) -> None:
    """Store the application's intake again (a material supplied later), inside a transaction.

    Raises:
        DataLocked: Personal data is sealed and no clerk is signed in.
    """
    cipher = write_cipher(db, _INTAKE_WORDS)
    text = json.dumps(intake, ensure_ascii=False)
    shared = sorted(
        material_id
        for material_id, status in (intake.get("materials") or {}).items()
        if isinstance(status, dict) and status.get("verify_online")
    )
    db.execute(
        "UPDATE applications SET intake = ?, verify_online = ?, updated_at = ? WHERE receipt_no = ?",
        [seal(cipher, text, "applications", "intake", receipt_no), json.dumps(shared), now, receipt_no],
    )


def verify_online_materials(db: Database, receipt_no: str) -> set[str]:
    """The materials of an application marked "verified by data sharing" (not personal data:
    the sync engine reads them locked when a part is delivered)."""
    row = db.execute("SELECT verify_online FROM applications WHERE receipt_no = ?", [receipt_no]).fetchone()
    return set(json.loads(row[0])) if row else set()


def count_parts_by_state(db: Database) -> dict[str, int]:
    """Parts per state (index ``application_parts_state``)."""
    with storage_errors(_READ_WORDS):
        rows = db.execute("SELECT state, count(*) FROM application_parts GROUP BY state").fetchall()
    return dict(rows)
