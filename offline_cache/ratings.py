"""好差评 at the window: ratings, rectification cases, their sync state and counts (SQL only).

A rating is written once (primary key ``<receipt no>/<occasion>``: a second one of the same
occasion is refused, and no statement here updates a rating's level or reasons), in one durable
transaction with its audit event and, for a 差评, its rectification case. Each change of a case
is one transaction with its audit event and bumps the case's ``revision``; the sender
(:mod:`window_app.ratings.sending`) sends ratings still ``queued`` and cases whose
``synced_revision`` is behind, and marks them only after the exchange answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from offline_cache.audit import append_event
from offline_cache.db import Database, durable_transaction, storage_errors
from window_app.domain.ratings import (
    Rating,
    RatingCount,
    RectificationCase,
    fold_rating_counts,
)
from window_app.domain.words import Words

_WORDS = Words("保存评价", "Saving the rating")
_CASE_WORDS = Words("保存整改单", "Saving the rectification case")
_READ_WORDS = Words("读取评价", "Reading the ratings")

_RATING_COLUMNS = (
    "rating_id, receipt_no, occasion, level, reasons, channel, window_id, clerk_id, offering_id, departments, rated_at"
)
_CASE_COLUMNS = (
    "c.case_id, c.rating_id, c.receipt_no, r.level, r.reasons, c.state, c.opened_at, c.due_on, c.assignee, "
    "c.assignee_department, c.callback, c.callback_at, c.fix, c.fixed_at, c.closed_at, c.closed_by, c.updated_at, "
    "c.revision, r.window_id, r.clerk_id, r.offering_id, c.history"
)


class RatingExists(Exception):
    """The application was rated on this occasion already (a rating is never changed)."""


def application_facts(db: Database, receipt_no: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    """``(window_id, clerk 工号, offering id, departments)`` of an accepted application, or ``None``."""
    with storage_errors(_READ_WORDS):
        row = db.execute("SELECT window_id, clerk_id, offering_id FROM applications WHERE receipt_no = ?", [receipt_no]).fetchone()
        if row is None:
            return None
        departments = db.execute(
            "SELECT DISTINCT department FROM application_parts WHERE receipt_no = ? ORDER BY department", [receipt_no]
        ).fetchall()
    return row[0], row[1], row[2], tuple(d[0] for d in departments)


def rating_of(db: Database, receipt_no: str, occasion: str) -> Rating | None:
    with storage_errors(_READ_WORDS):
        row = db.execute(
            f"SELECT {_RATING_COLUMNS} FROM ratings WHERE receipt_no = ? AND occasion = ?", [receipt_no, occasion]
        ).fetchone()
    return _rating(row) if row else None


def ratings_of(db: Database, receipt_no: str) -> list[Rating]:
    with storage_errors(_READ_WORDS):
        rows = db.execute(f"SELECT {_RATING_COLUMNS} FROM ratings WHERE receipt_no = ? ORDER BY rated_at, occasion = 'conclusion'", [receipt_no]).fetchall()
    return [_rating(row) for row in rows]


def record_rating(
    db: Database, rating: Rating, *, actor: str, case: RectificationCase | None, audit_data: dict[str, Any]
) -> bool:
    """Store ``rating`` (and the case its 差评 opens) with its audit event, in one durable
    transaction. ``False`` when the same rating (same id, level and reasons) was stored before
    (a phone rating pulled twice); a different one of the same occasion raises.

    Raises:
        RatingExists: The application was rated on this occasion already, otherwise.
        StorageError: Nothing was written.
    """
    with storage_errors(_WORDS), durable_transaction(db):
        held = db.execute("SELECT level, reasons FROM ratings WHERE rating_id = ?", [rating.rating_id]).fetchone()
        if held is not None:
            if (held[0], tuple(json.loads(held[1]))) == (rating.level, rating.reasons):
                return False
            raise RatingExists(rating.rating_id)
        db.execute(
            f"INSERT INTO ratings ({_RATING_COLUMNS}, sync_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                rating.rating_id, rating.receipt_no, rating.occasion, rating.level, json.dumps(list(rating.reasons)),
                rating.channel, rating.window_id, rating.clerk_id, rating.offering_id,
                json.dumps(list(rating.departments), ensure_ascii=False), rating.rated_at,
                # A phone rating came from the exchange: it has it already.
                "queued" if rating.channel == "window" else "sent",
            ],
        )
        append_event(db, actor, "rated", rating.receipt_no, audit_data, rating.rated_at)
        if case is not None:
            db.execute(
                "INSERT INTO rectification_cases (case_id, rating_id, receipt_no, state, opened_at, due_on, updated_at, history) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [case.case_id, case.rating_id, case.receipt_no, case.state, case.opened_at, case.due_on, case.opened_at,
                 json.dumps([list(step) for step in case.history], ensure_ascii=False)],
            )
            append_event(
                db, "system", "rectification_opened", rating.receipt_no, {"case_id": case.case_id, "due_on": case.due_on},
                case.opened_at,
            )
    return True


# -- the results handed over (the conclusion's rating step) ---------------------------------

RESULTS_COLLECTED = "results_collected"
"""The audit action of a concluded application's results handed over to the applicant at the
window: the occasion of the rating at conclusion."""


def results_collected_at(db: Database, receipt_no: str) -> str | None:
    """When the application's results were handed over at the window, or ``None`` (index ``audit_receipt_no``)."""
    with storage_errors(_READ_WORDS):
        row = db.execute(
            "SELECT at FROM audit WHERE receipt_no = ? AND action = ? ORDER BY seq LIMIT 1", [receipt_no, RESULTS_COLLECTED]
        ).fetchone()
    return row[0] if row else None


def record_results_collected(db: Database, receipt_no: str, *, actor: str, at: str, data: dict[str, Any]) -> tuple[str, bool]:
    """Record (once) that the application's results were handed over; ``(when, first time)``.

    Raises:
        StorageError: Nothing was written.
    """
    with storage_errors(Words("记录领取结果", "Recording the results handed over")), durable_transaction(db):
        row = db.execute(
            "SELECT at FROM audit WHERE receipt_no = ? AND action = ? ORDER BY seq LIMIT 1", [receipt_no, RESULTS_COLLECTED]
        ).fetchone()
        if row is not None:
            return row[0], False
        append_event(db, actor, RESULTS_COLLECTED, receipt_no, data, at)
    return at, True


# -- cases -----------------------------------------------------------------------------------


def get_case(db: Database, case_id: str) -> RectificationCase | None:
    with storage_errors(_READ_WORDS):
        row = db.execute(
            f"SELECT {_CASE_COLUMNS} FROM rectification_cases c JOIN ratings r USING (rating_id) WHERE c.case_id = ?",
            [case_id],
        ).fetchone()
    return _case(row) if row else None


def list_cases(db: Database, *, include_closed: bool = False, limit: int = 1000) -> list[RectificationCase]:
    """Cases, those not closed first, each group by due date (index ``rectification_cases_state_due``)."""
    where = "" if include_closed else " WHERE c.state != 'closed'"
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            f"SELECT {_CASE_COLUMNS} FROM rectification_cases c JOIN ratings r USING (rating_id){where} "
            "ORDER BY c.state = 'closed', c.due_on, c.case_id LIMIT ?",
            [limit],
        ).fetchall()
    return [_case(row) for row in rows]


def count_overdue(db: Database, today: str) -> int:
    """Cases not closed whose due date is before ``today`` (a date of the window's calendar)."""
    with storage_errors(_READ_WORDS):
        return db.execute(
            "SELECT count(*) FROM rectification_cases WHERE state IN ('open', 'assigned', 'called_back', 'fixed') AND due_on < ?",
            [today],
        ).fetchone()[0]


def update_case(
    db: Database, case: RectificationCase, changes: dict[str, str], *, expected_state: str, actor: str, action: str, at: str
) -> RectificationCase:
    """Apply ``changes`` to a case still in ``expected_state``, with the audit event, in one
    durable transaction; returns the case as stored.

    Raises:
        KeyError: The case changed meanwhile (another supervisor) or is gone.
        StorageError: Nothing was written.
    """
    step = [at, actor, action]
    history = [*[list(s) for s in case.history], step]
    assignments = ", ".join(f"{name} = ?" for name in changes)
    with storage_errors(_CASE_WORDS), durable_transaction(db):
        cursor = db.execute(
            f"UPDATE rectification_cases SET {assignments}, updated_at = ?, history = ?, revision = revision + 1 "
            "WHERE case_id = ? AND state = ?",
            [*changes.values(), at, json.dumps(history, ensure_ascii=False), case.case_id, expected_state],
        )
        if cursor.rowcount != 1:
            raise KeyError(case.case_id)
        append_event(db, actor, f"rectification_{action}", case.receipt_no, {"case_id": case.case_id, **changes}, at)
    found = get_case(db, case.case_id)
    assert found is not None
    return found


# -- sync ------------------------------------------------------------------------------------


def unsent(db: Database, limit: int) -> tuple[list[Rating], list[RectificationCase]]:
    """Ratings still to send and cases changed since they were last sent (indexes
    ``ratings_sync`` and ``rectification_cases_unsent``)."""
    with storage_errors(_READ_WORDS):
        ratings = db.execute(
            f"SELECT {_RATING_COLUMNS} FROM ratings WHERE sync_state = 'queued' ORDER BY rated_at LIMIT ?", [limit]
        ).fetchall()
        cases = db.execute(
            f"SELECT {_CASE_COLUMNS} FROM rectification_cases c JOIN ratings r USING (rating_id) "
            "WHERE c.synced_revision < c.revision ORDER BY c.updated_at LIMIT ?",
            [limit],
        ).fetchall()
    return [_rating(row) for row in ratings], [_case(row) for row in cases]


def count_unsent(db: Database) -> int:
    with storage_errors(_READ_WORDS):
        ratings = db.execute("SELECT count(*) FROM ratings WHERE sync_state = 'queued'").fetchone()[0]
        cases = db.execute("SELECT count(*) FROM rectification_cases WHERE synced_revision < revision").fetchone()[0]
    return ratings + cases


def mark_sent(db: Database, rating_ids: Iterable[str], case_revisions: Iterable[tuple[str, int]], at: str) -> None:
    """The exchange holds these ratings and these cases at (at least) these revisions."""
    with storage_errors(_WORDS), db.atomic():
        for rating_id in rating_ids:
            db.execute("UPDATE ratings SET sync_state = 'sent', synced_at = ? WHERE rating_id = ?", [at, rating_id])
        for case_id, revision in case_revisions:
            db.execute(
                "UPDATE rectification_cases SET synced_revision = max(synced_revision, ?) WHERE case_id = ?", [revision, case_id]
            )


def mark_rejected(db: Database, rating_ids: Iterable[str], at: str) -> None:
    """The exchange refused these ratings for good (kept, never sent again)."""
    with storage_errors(_WORDS), db.atomic():
        for rating_id in rating_ids:
            db.execute("UPDATE ratings SET sync_state = 'rejected', synced_at = ? WHERE rating_id = ?", [at, rating_id])


# -- counts ----------------------------------------------------------------------------------

_KEYS = {
    "window": "r.window_id",
    "clerk": "r.clerk_id",
    "bundle": "r.offering_id",
    "department": "d.value",
}


def count_ratings(db: Database, by: str, *, since: str = "", until: str = "", today: str = "") -> list[RatingCount]:
    """Ratings per window, clerk, bundle or department (a rating counts for every department its
    application went to), between ``since`` and ``until`` (UTC stamps; empty: no bound), with
    their open and overdue (past their due date on ``today``) rectification cases.

    Raises:
        KeyError: ``by`` is none of window, clerk, bundle, department.
    """
    key = _KEYS[by]
    source = "ratings r" + (", json_each(r.departments) d" if by == "department" else "")
    where, args = ["1 = 1"], []
    if since:
        where.append("r.rated_at >= ?")
        args.append(since)
    if until:
        where.append("r.rated_at < ?")
        args.append(until)
    sql = (
        f"SELECT {key}, r.level, count(*), "
        "sum(CASE WHEN c.state IS NOT NULL AND c.state != 'closed' THEN 1 ELSE 0 END), "
        "sum(CASE WHEN c.state IS NOT NULL AND c.state != 'closed' AND c.due_on < ? THEN 1 ELSE 0 END) "
        f"FROM {source} LEFT JOIN rectification_cases c ON c.rating_id = r.rating_id "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2"
    )
    with storage_errors(_READ_WORDS):
        return fold_rating_counts(db.execute(sql, [today or "0000-00-00", *args]).fetchall())


def levels_by_receipt(db: Database, receipt_nos: Sequence[str]) -> dict[str, list[int]]:
    """Every rating's level (1–5) of each of ``receipt_nos``, both occasions (the report's
    ratings column: window_app/reporting/hooks.py). Receipts without a rating are left out."""
    levels: dict[str, list[int]] = {}
    with storage_errors(_READ_WORDS):
        for start in range(0, len(receipt_nos), _CHUNK):
            chunk = list(receipt_nos[start : start + _CHUNK])
            marks = ", ".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT receipt_no, level FROM ratings WHERE receipt_no IN ({marks}) ORDER BY receipt_no, occasion", chunk
            ).fetchall()  # the UNIQUE (receipt_no, occasion) index
            for receipt_no, level in rows:
                levels.setdefault(receipt_no, []).append(level)
    return levels


_CHUNK = 500  # bound variables per statement (SQLite's limit is 32766 on 3.32+, far lower on old builds)


# -- rows → records ------------------------------------------------------------------------------


def _rating(row: tuple) -> Rating:
    return Rating(
        rating_id=row[0], receipt_no=row[1], occasion=row[2], level=row[3], reasons=tuple(json.loads(row[4])),
        channel=row[5], window_id=row[6], clerk_id=row[7], offering_id=row[8], departments=tuple(json.loads(row[9])),
        rated_at=row[10],
    )


def _case(row: tuple) -> RectificationCase:
    return RectificationCase(
        case_id=row[0], rating_id=row[1], receipt_no=row[2], level=row[3], reasons=tuple(json.loads(row[4])),
        state=row[5], opened_at=row[6], due_on=row[7], assignee=row[8], assignee_department=row[9], callback=row[10],
        callback_at=row[11], fix=row[12], fixed_at=row[13], closed_at=row[14], closed_by=row[15], updated_at=row[16],
        revision=row[17], window_id=row[18], clerk_id=row[19], offering_id=row[20],
        history=tuple(tuple(step) for step in json.loads(row[21])),
    )
