"""联合踏勘 at the exchange: the windows' appointments and the departments' answers.

- ``POST /v1/surveys`` (a window): ``{"surveys": [{"record": text, "signature": {…}}]}``, each
  record an appointment (:meth:`~window_app.domain.survey.Appointment.record`) signed with a key
  registered for the window, for one of its own receipt numbers. Kept at the highest revision
  sent (an older or equal one is ``unchanged``): a resend never doubles anything.
- ``GET /v1/surveys?since=N`` (a window): the departments' answers to its appointments after
  the cursor ``N``.
- ``GET /v1/surveys/inbox`` (a department): the appointments it is asked to, for applications
  it holds an envelope of, with its own answer to the current revision.
- ``POST /v1/surveys/answers`` (a department): ``{"envelope_id", "revision", "answer",
  "slot"?, "note"?}``: accept the current slot or propose another; once per revision (the same
  answer again is a ``duplicate``, another one 409); a confirmed appointment takes no answer.

A department sees and answers only appointments of applications it holds an envelope of, and
only if the window named it. The record carries no personal data (the site and the clerk's
office line), so it is kept in the clear like the tracking record.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from window_app.domain.survey import CONFIRMED, answer_from_json, slot_from_json
from window_app.domain.words import Words
from window_app.exchange.errors import ExchangeError
from window_app.exchange.store import NUL, ExchangeStore
from window_app.exchange.window_signed import record_text, window_signature

MAX_SURVEYS_PER_REQUEST = 200


def store_appointments(store: ExchangeStore, window_id: str, body: object) -> dict[str, list[dict[str, Any]]]:
    """Check and keep a window's signed appointments (one transaction); one answer per entry.

    Raises:
        ExchangeError: 400 not ``{"surveys": [...]}``, 413 too many.
    """
    if not isinstance(body, dict) or not isinstance(body.get("surveys"), list):
        raise ExchangeError(400, Words('请求体须为 {"surveys": [...]}', 'the body must be {"surveys": [...]}'))
    entries = body["surveys"]
    if len(entries) > MAX_SURVEYS_PER_REQUEST:
        raise ExchangeError(413, Words("一次最多 {n} 个踏勘预约", "at most {n} appointments in one request").format(n=MAX_SURVEYS_PER_REQUEST))
    at, _ = store._now()
    answers = []
    with store.backend.transaction() as conn:
        for entry in entries:
            checked = _checked(conn, window_id, entry)
            if isinstance(checked, Words):
                answers.append({"receipt_no": "", "status": "rejected", "reason": checked.in_language("en"), "reason_zh": checked.zh})
                continue
            record, text, signature = checked
            cursor = conn.execute(
                "INSERT INTO survey_appointments (receipt_no, window_id, revision, state, record, signature, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (receipt_no) DO UPDATE SET revision = excluded.revision, "
                "state = excluded.state, record = excluded.record, signature = excluded.signature, received_at = excluded.received_at "
                "WHERE survey_appointments.window_id = excluded.window_id AND survey_appointments.revision < excluded.revision",
                [record["receipt_no"], window_id.upper(), record["revision"], record["state"], text, signature, at],
            )
            answers.append({"receipt_no": record["receipt_no"], "revision": record["revision"],
                            "status": "stored" if cursor.rowcount == 1 else "unchanged"})
    return {"surveys": answers}


def _checked(conn: Any, window_id: str, entry: Any) -> tuple[dict[str, Any], str, str] | Words:
    opened = record_text(entry, Words("踏勘预约", "the appointment"))
    if isinstance(opened, Words):
        return opened
    record, text = opened
    problem = _record_problem(record)
    if problem is not None:
        return problem
    assert isinstance(record, dict)  # _record_problem made sure
    signature = window_signature(conn, window_id, entry, record_window=record["window_id"], receipt_no=record["receipt_no"])
    if isinstance(signature, Words):
        return signature
    return record, text, signature


def _record_problem(record: object) -> Words | None:
    if not isinstance(record, dict):
        return Words("预约须为 JSON 对象", "the appointment must be a JSON object")
    if not all(isinstance(record.get(k), str) and record.get(k) for k in ("receipt_no", "window_id")):
        return Words("预约缺少 receipt_no 或 window_id", "the appointment needs receipt_no and window_id")
    revision = record.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 1:
        return Words("revision 须为正整数", "revision must be a positive integer")
    if record.get("state") not in ("proposed", CONFIRMED):
        return Words("state 须为 proposed 或 confirmed", "state must be proposed or confirmed")
    departments = record.get("departments")
    if not isinstance(departments, list) or not departments or not all(isinstance(d, str) and d for d in departments):
        return Words("departments 须为非空的部门列表", "departments must be a non-empty list of offices")
    slot = slot_from_json(record.get("slot"))
    return slot if isinstance(slot, Words) else None


# -- the window's pull -----------------------------------------------------------------------


def window_answers(store: ExchangeStore, window_id: str, since: int, limit: int = 100) -> dict[str, Any]:
    """``GET /v1/surveys``: answers to ``window_id``'s appointments after ``since``."""
    with store.backend.reading() as conn:
        rows = conn.execute(
            "SELECT id, receipt_no, department, revision, answer, slot, note, answered_at FROM survey_answers "
            "WHERE window_id = ? AND id > ? ORDER BY id LIMIT ?",
            [window_id.upper(), since, limit + 1],
        ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    answers = [
        {"receipt_no": row[1], "department": row[2], "revision": row[3], "answer": row[4],
         "slot": json.loads(row[5]), "note": row[6], "answered_at": row[7]}
        for row in rows
    ]
    return {"answers": answers, "cursor": rows[-1][0] if rows else since, "more": more}


# -- the departments -------------------------------------------------------------------------


def department_inbox(store: ExchangeStore, department: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """``GET /v1/surveys/inbox``: the appointments ``department`` is asked to (its envelopes'
    applications, named in the appointment), newest first, each with its envelopes and its
    own answer to the current revision (``None``: not answered)."""
    with store.backend.reading() as conn:
        rows = conn.execute(
            "SELECT a.receipt_no, a.revision, a.state, a.record, a.received_at FROM survey_appointments a "
            "WHERE EXISTS (SELECT 1 FROM envelopes e WHERE e.department = ? AND e.receipt_no = a.receipt_no) "
            "ORDER BY a.received_at DESC, a.receipt_no LIMIT ?",
            [department, limit],
        ).fetchall()
        found = []
        for receipt_no, revision, state, text, received_at in rows:
            record = json.loads(text)
            if department not in record["departments"]:
                continue
            envelopes = [r[0] for r in conn.execute(
                "SELECT envelope_id FROM envelopes WHERE department = ? AND receipt_no = ? AND kind != 'supplement' ORDER BY id",
                [department, receipt_no],
            ).fetchall()]
            mine = conn.execute(
                "SELECT answer, slot, note, answered_at FROM survey_answers WHERE receipt_no = ? AND department = ? AND revision = ?",
                [receipt_no, department, revision],
            ).fetchone()
            found.append({
                "receipt_no": receipt_no, "revision": revision, "state": state, "slot": record["slot"],
                "departments": record["departments"], "envelopes": envelopes, "received_at": received_at,
                "my_answer": None if mine is None else
                {"answer": mine[0], "slot": json.loads(mine[1]), "note": mine[2], "answered_at": mine[3]},
            })
    return found


def survey_of_envelope(store: ExchangeStore, department: str, envelope_id: str) -> dict[str, Any] | None:
    """The appointment of the application ``envelope_id`` belongs to, as ``department`` sees it."""
    with store.backend.reading() as conn:
        row = conn.execute("SELECT receipt_no FROM envelopes WHERE envelope_id = ? AND department = ?", [envelope_id, department]).fetchone()
    if row is None:
        return None
    return next((s for s in department_inbox(store, department, limit=1000) if s["receipt_no"] == row[0]), None)


def answer(store: ExchangeStore, department: str, body: object) -> tuple[dict[str, Any], bool]:
    """A department's answer to the current revision of an appointment it is asked to.

    Returns:
        (the answer as stored, created): ``created`` False for the same answer again.

    Raises:
        ExchangeError: 400 a malformed answer; 404 no appointment of this department's envelope;
            409 not the current revision, already confirmed, or answered otherwise already.
    """
    if not isinstance(body, dict) or not isinstance(body.get("envelope_id"), str):
        raise ExchangeError(400, Words("答复须含 envelope_id", "the answer needs envelope_id"))
    if NUL in body["envelope_id"] or survey_of_envelope(store, department, body["envelope_id"]) is None:
        raise ExchangeError(404, Words("此部门的该件没有联合踏勘预约", "no survey appointment of this department's envelope"))
    parsed = answer_from_json({**body, "department": department})
    if isinstance(parsed, Words):
        raise ExchangeError(400, parsed)
    at, _ = store._now()
    slot_text = json.dumps(parsed.slot.to_json() if parsed.slot else None, sort_keys=True, ensure_ascii=False)
    with store.backend.transaction() as conn:
        row = conn.execute(
            "SELECT a.receipt_no, a.window_id, a.revision, a.state, a.record FROM envelopes e "
            "JOIN survey_appointments a ON a.receipt_no = e.receipt_no WHERE e.envelope_id = ? AND e.department = ?",
            [body["envelope_id"], department],
        ).fetchone()
        if row is None or department not in json.loads(row[4])["departments"]:
            raise ExchangeError(404, Words("此部门的该件没有联合踏勘预约", "no survey appointment of this department's envelope"))
        receipt_no, window_id, revision, state, _record = row
        if state == CONFIRMED:
            raise ExchangeError(409, Words("踏勘时间已确认，不再答复", "the survey slot is confirmed: no more answers"))
        if parsed.revision != revision:
            raise ExchangeError(409, Words("预约已更新为第 {r} 版，请按最新版答复", "the appointment is at revision {r} now: answer that one").format(r=revision))
        held = conn.execute(
            "SELECT answer, slot, note, answered_at FROM survey_answers WHERE receipt_no = ? AND department = ? AND revision = ?",
            [receipt_no, department, revision],
        ).fetchone()
        stored = {"receipt_no": receipt_no, "department": department, "revision": revision, "answer": parsed.answer,
                  "slot": parsed.slot.to_json() if parsed.slot else None, "note": parsed.note}
        if held is not None:
            if (held[0], held[1], held[2]) == (parsed.answer, slot_text, parsed.note):
                return {**stored, "answered_at": held[3]}, False
            raise ExchangeError(409, Words("本部门已答复此版预约", "this department answered this revision already"))
        answered_at = _utc(at)
        conn.execute(
            "INSERT INTO survey_answers (receipt_no, window_id, department, revision, answer, slot, note, answered_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [receipt_no, window_id, department, revision, parsed.answer, slot_text, parsed.note, answered_at],
        )
    return {**stored, "answered_at": answered_at}, True


def confirmed_receipts(store: ExchangeStore, receipt_nos: list[str]) -> dict[str, bool]:
    """Of these applications, which have an appointment (``False``: not confirmed yet); those
    without one are left out (the simulation holds a survey item until its day is confirmed)."""
    if not receipt_nos:
        return {}
    with store.backend.reading() as conn:
        rows = conn.execute(
            f"SELECT receipt_no, state FROM survey_appointments WHERE receipt_no IN ({', '.join('?' * len(receipt_nos))})",
            receipt_nos,
        ).fetchall()
    return {row[0]: row[1] == CONFIRMED for row in rows}


def _utc(at: str) -> str:
    """The exchange's local time as the UTC stamp answers are stored in."""
    moment = dt.datetime.fromisoformat(at).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the simulation --------------------------------------------------------------------------


def unanswered(store: ExchangeStore) -> list[tuple[str, str, str, int, dict[str, Any]]]:
    """``(receipt_no, department, envelope_id, revision, slot)`` for every department named in
    an unconfirmed appointment that holds an envelope of it and has not answered its revision."""
    with store.backend.reading() as conn:
        rows = conn.execute("SELECT receipt_no, revision, record FROM survey_appointments WHERE state = 'proposed'").fetchall()
        found = []
        for receipt_no, revision, text in rows:
            record = json.loads(text)
            answered = {r[0] for r in conn.execute(
                "SELECT department FROM survey_answers WHERE receipt_no = ? AND revision = ?", [receipt_no, revision]
            ).fetchall()}
            for department in record["departments"]:
                if department in answered:
                    continue
                envelope = conn.execute(
                    "SELECT envelope_id FROM envelopes WHERE receipt_no = ? AND department = ? AND kind != 'supplement' ORDER BY id LIMIT 1",
                    [receipt_no, department],
                ).fetchone()
                if envelope is not None:
                    found.append((receipt_no, department, envelope[0], revision, record["slot"]))
    return found
