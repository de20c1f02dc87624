"""联合踏勘 at the window: the appointment, the departments' answers, what is still to send (SQL only).

A proposal or a confirmation is one durable transaction with its audit event; the sender
(:mod:`window_app.surveys.sending`) posts each appointment whose ``synced_revision`` is behind
and marks it only after the exchange answered. Answers pulled from the exchange are stored
once per department and revision.
"""

from __future__ import annotations

import json
from typing import Any

from offline_cache.audit import append_event
from offline_cache.db import Database, durable_transaction, storage_errors
from window_app.domain.survey import Appointment, Slot, SurveyAnswer, slot_from_json
from window_app.domain.words import Words

_WORDS = Words("保存踏勘预约", "Saving the survey appointment")
_READ_WORDS = Words("读取踏勘预约", "Reading the survey appointments")
_COLUMNS = "receipt_no, revision, slot, departments, confirmed_at, proposed_by"


def _slot(text: str) -> Slot:
    slot = slot_from_json(json.loads(text))
    if not isinstance(slot, Slot):  # written by this module only: a broken row is a bug
        raise ValueError(f"a stored survey slot does not parse: {text}")
    return slot


def _slot_text(slot: Slot | None) -> str:
    return json.dumps(slot.to_json() if slot else None, ensure_ascii=False, sort_keys=True)


def _appointment(db: Database, row: Any) -> Appointment:
    receipt_no, revision, slot, departments, confirmed_at, proposed_by = row
    answers = tuple(
        SurveyAnswer(a[0], a[1], a[2], _slot(a[3]) if a[3] != "null" else None, a[4], a[5])
        for a in db.execute(
            "SELECT department, revision, answer, slot, note, answered_at FROM survey_answers WHERE receipt_no = ? "
            "ORDER BY answered_at, department",
            [receipt_no],
        )
    )
    return Appointment(receipt_no, revision, _slot(slot), tuple(json.loads(departments)), confirmed_at, answers, proposed_by)


def appointment_of(db: Database, receipt_no: str) -> Appointment | None:
    """The application's appointment with every answer, or ``None``."""
    with storage_errors(_READ_WORDS):
        row = db.execute(f"SELECT {_COLUMNS} FROM survey_appointments WHERE receipt_no = ?", [receipt_no]).fetchone()
        return _appointment(db, row) if row else None


def open_appointments(db: Database, clerk_id: str | None = None) -> list[Appointment]:
    """Appointments not confirmed yet (one clerk's applications, or all), oldest first."""
    sql = f"SELECT {', '.join('s.' + c.strip() for c in _COLUMNS.split(','))} FROM survey_appointments s"
    args: list[Any] = []
    sql += " JOIN applications a ON a.receipt_no = s.receipt_no WHERE s.confirmed_at IS NULL"
    if clerk_id is not None:
        sql += " AND a.clerk_id = ?"
        args.append(clerk_id)
    with storage_errors(_READ_WORDS):
        return [_appointment(db, row) for row in db.execute(sql + " ORDER BY s.updated_at", args).fetchall()]


def confirmed_since(db: Database, starts_from: str) -> list[Appointment]:
    """Confirmed appointments starting at or after ``starts_from`` (UTC text), for reminders."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM survey_appointments WHERE confirmed_at IS NOT NULL "
            "AND json_extract(slot, '$.starts_at') >= ?",
            [starts_from],
        ).fetchall()
        return [_appointment(db, row) for row in rows]


def save(db: Database, appointment: Appointment, *, actor: str, action: str, now: str) -> None:
    """Write the appointment at its new revision with its audit event (one transaction).

    Raises:
        StorageError: Nothing was written.
    """
    with storage_errors(_WORDS), durable_transaction(db):
        db.execute(
            "INSERT INTO survey_appointments (receipt_no, revision, slot, departments, confirmed_at, proposed_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (receipt_no) DO UPDATE SET revision = excluded.revision, "
            "slot = excluded.slot, departments = excluded.departments, confirmed_at = excluded.confirmed_at, "
            "proposed_by = excluded.proposed_by, updated_at = excluded.updated_at",
            [appointment.receipt_no, appointment.revision, _slot_text(appointment.slot),
             json.dumps(list(appointment.departments)), appointment.confirmed_at, appointment.proposed_by, now],
        )
        append_event(db, actor, action, appointment.receipt_no,
                     {"revision": appointment.revision, "slot": appointment.slot.to_json(),
                      "departments": list(appointment.departments)}, now)


def unsent(db: Database, limit: int) -> list[Appointment]:
    """Appointments whose latest revision the exchange has not taken yet."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM survey_appointments WHERE synced_revision < revision ORDER BY updated_at LIMIT ?", [limit]
        ).fetchall()
        return [_appointment(db, row) for row in rows]


def count_unsent(db: Database) -> int:
    with storage_errors(_READ_WORDS):
        return db.execute("SELECT count(*) FROM survey_appointments WHERE synced_revision < revision").fetchone()[0]


def mark_sent(db: Database, receipt_no: str, revision: int) -> None:
    """The exchange took ``revision`` (never moves back). Inside the caller's transaction."""
    db.execute(
        "UPDATE survey_appointments SET synced_revision = max(synced_revision, ?) WHERE receipt_no = ?", [revision, receipt_no]
    )


def record_answer(db: Database, receipt_no: str, answer: SurveyAnswer, now: str) -> bool:
    """Store a department's answer once (inside the caller's transaction); ``True`` if new.

    An answer for an application this window does not hold is ignored (``False``).
    """
    if db.execute("SELECT 1 FROM survey_appointments WHERE receipt_no = ?", [receipt_no]).fetchone() is None:
        return False
    cursor = db.execute(
        "INSERT OR IGNORE INTO survey_answers (receipt_no, department, revision, answer, slot, note, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [receipt_no, answer.department, answer.revision, answer.answer, _slot_text(answer.slot), answer.note, answer.answered_at],
    )
    if cursor.rowcount == 1:
        append_event(db, "sync", "survey_answered", receipt_no,
                     {"department": answer.department, "revision": answer.revision, "answer": answer.answer}, now)
        return True
    return False


def mark_reminded(db: Database, receipt_no: str, starts_at: str) -> bool:
    """Note that the day-before reminder of ``starts_at`` was queued; ``False`` if it was already."""
    cursor = db.execute(
        "UPDATE survey_appointments SET reminded_for = ? WHERE receipt_no = ? AND reminded_for != ?",
        [starts_at, receipt_no, starts_at],
    )
    return cursor.rowcount == 1
