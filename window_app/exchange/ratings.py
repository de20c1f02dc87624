"""好差评 at the exchange: the windows' ratings and rectification cases, and the applicant's rating
from the tracking page.

- ``POST /v1/ratings`` (a window): ``{"ratings": [...], "cases": [...]}``. A rating is stored
  once (``rating_id`` = ``<receipt no>/<occasion>``: the same one again is a ``duplicate``, a
  different one of the same occasion is ``rejected``); a case is kept at the highest
  ``revision`` it was sent (an older one is ``unchanged``). Each answer says what became of each
  entry, so the window marks them sent and never sends them twice; one transaction per request.
- ``GET /v1/ratings?since=N`` (a window): ratings given from the tracking page on that window's
  applications, after the cursor ``N`` (the window opens a case for each 差评).
- :func:`rate_from_tracking`: what the tracking page calls when an applicant rates a concluded
  application from a phone, the tracking code checked against the digest the page holds.
- :func:`rating_counts`: per window, clerk, bundle or department, across every window.

The tables (:mod:`window_app.exchange.schema`) are plain SQL both backends run.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from window_app.domain.ratings import (
    AT_WINDOW,
    CONCLUSION,
    TRACKING,
    Rating,
    RatingCount,
    case_from_json,
    fold_rating_counts,
    rating_from_json,
    rating_id_of,
    rating_problem,
)
from window_app.domain.receipt_no import receipt_owner
from window_app.domain.tracking_code import code_matches
from window_app.domain.words import Words
from window_app.exchange.errors import ExchangeError
from window_app.exchange.store import ExchangeStore

MAX_RATINGS_PER_REQUEST = 500

_RATING_COLUMNS = (
    "rating_id, receipt_no, occasion, level, reasons, channel, window_id, clerk_id, offering_id, departments, rated_at"
)


def store_batch(store: ExchangeStore, window_id: str, body: object) -> dict[str, list[dict[str, Any]]]:
    """Store a window's ratings and cases (one transaction); the answer per entry.

    Raises:
        ExchangeError: 400 a body that is not ``{"ratings": [...], "cases": [...]}``, 413 too many.
    """
    if not isinstance(body, dict) or not all(isinstance(body.get(key, []), list) for key in ("ratings", "cases")):
        raise ExchangeError(400, Words('请求体须为 {"ratings": [...], "cases": [...]}', 'the body must be {"ratings": [...], "cases": [...]}'))
    ratings, cases = body.get("ratings", []), body.get("cases", [])
    if not all(isinstance(entry, dict) for entry in [*ratings, *cases]):
        raise ExchangeError(400, Words("每条评价和整改单须为 JSON 对象", "every rating and case must be a JSON object"))
    if max(len(ratings), len(cases)) > MAX_RATINGS_PER_REQUEST:
        raise ExchangeError(413, Words("一次最多 {n} 条评价、{n} 份整改单", "at most {n} ratings and {n} cases in one request").format(n=MAX_RATINGS_PER_REQUEST))
    at, _ = store._now()
    with store.backend.transaction() as conn:
        rating_answers = [_store_rating(conn, window_id, entry, at) for entry in ratings]
        case_answers = [_store_case(conn, window_id, entry, at) for entry in cases]
    return {"ratings": rating_answers, "cases": case_answers}


def _store_rating(conn: Any, window_id: str, entry: object, at: str) -> dict[str, Any]:
    rating = rating_from_json(entry)
    rating_id = entry.get("rating_id") if isinstance(entry, dict) else None
    if isinstance(rating, Rating):
        problem = _ownership_problem(window_id, rating)
        if problem is None and rating.channel != AT_WINDOW:
            problem = Words("窗口只能上报窗口评价", "a window sends only the ratings given at the window")
    else:
        problem = rating
    if problem is not None:
        return _rejected({"rating_id": rating_id}, problem)
    return _insert_rating(conn, rating, at)


def _insert_rating(conn: Any, rating: Rating, at: str) -> dict[str, Any]:
    cursor = conn.execute(
        f"INSERT INTO ratings ({_RATING_COLUMNS}, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        [rating.rating_id, rating.receipt_no, rating.occasion, rating.level, json.dumps(list(rating.reasons)),
         rating.channel, rating.window_id.upper(), rating.clerk_id, rating.offering_id,
         json.dumps(list(rating.departments), ensure_ascii=False), rating.rated_at, at],
    )
    answer: dict[str, Any] = {"rating_id": rating.rating_id}
    if cursor.rowcount == 1:
        for department in rating.departments:
            conn.execute(
                "INSERT INTO rating_departments (rating_id, department) VALUES (?, ?) ON CONFLICT DO NOTHING",
                [rating.rating_id, department],
            )
        return {**answer, "status": "created"}
    held = conn.execute("SELECT level, reasons FROM ratings WHERE rating_id = ?", [rating.rating_id]).fetchone()
    if held is not None and (held[0], tuple(json.loads(held[1]))) == (rating.level, rating.reasons):
        return {**answer, "status": "duplicate"}
    return _rejected(answer, Words("该办件此时机已有不同的评价；评价不可更改", "this application holds another rating of this occasion; a rating cannot be changed"))


def _store_case(conn: Any, window_id: str, entry: object, at: str) -> dict[str, Any]:
    case = case_from_json(entry)
    answer: dict[str, Any] = {"case_id": entry.get("case_id") if isinstance(entry, dict) else None}
    if isinstance(case, Words):
        return _rejected(answer, case)
    answer["revision"] = case.revision
    if case.window_id.upper() != window_id.upper():
        return _rejected(answer, Words("整改单属于另一窗口", "the case is another window's"))
    rating = conn.execute("SELECT window_id FROM ratings WHERE rating_id = ?", [case.rating_id]).fetchone()
    if rating is None or rating[0].upper() != window_id.upper():
        return _rejected(answer, Words("交换平台没有此整改单的评价", "the exchange holds no rating of this case"))
    cursor = conn.execute(
        "INSERT INTO rectification_cases (case_id, rating_id, receipt_no, window_id, state, due_on, revision, document, "
        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET state = excluded.state, "
        "due_on = excluded.due_on, revision = excluded.revision, document = excluded.document, "
        "received_at = excluded.received_at WHERE rectification_cases.revision < excluded.revision",
        [case.case_id, case.rating_id, case.receipt_no, window_id, case.state, case.due_on, case.revision,
         json.dumps(entry, ensure_ascii=False, sort_keys=True), at],
    )
    return {**answer, "status": "stored" if cursor.rowcount == 1 else "unchanged"}


def _ownership_problem(window_id: str, rating: Rating) -> Words | None:
    """A window sends ratings of its own applications only (the receipt number names its window)."""
    owner = receipt_owner(rating.receipt_no)
    if rating.window_id.upper() != window_id.upper() or owner is None or owner[1].upper() != window_id.upper():
        return Words("评价的办件不是此窗口受理的", "the rated application was not accepted by this window")
    return None


def _rejected(answer: dict[str, Any], problem: Words) -> dict[str, Any]:
    return {**answer, "status": "rejected", "reason": problem.in_language("en"), "reason_zh": problem.zh}


# -- the tracking page -----------------------------------------------------------------------


def rate_from_tracking(
    store: ExchangeStore, receipt_no: str, typed_code: str, digest: str, level: int, reasons: list[str]
) -> dict[str, Any]:
    """The applicant's rating at conclusion, given from the tracking page on a phone.

    The tracking page looks the application up with the receipt number and the code the
    applicant typed (or the QR code carried), holds the code's ``digest`` (as the window sent
    it), and calls this with the applicant's choice. Stored once: the same rating again answers
    ``duplicate``, another one is refused. The window that accepted the application pulls it
    (``GET /v1/ratings``) and opens a rectification case for a 差评.

    Args:
        digest: The stored ``tracking_digest`` of the application (the tracking page's).

    Returns:
        ``{"rating_id", "status": "created" | "duplicate"}``.

    Raises:
        ExchangeError: 403 the code does not match; 409 not concluded yet, or rated already
            (differently); 400 a level or reasons that are not right (all in words).
    """
    if not digest or not code_matches(receipt_no, typed_code, digest):
        raise ExchangeError(403, Words("查询码不正确", "the tracking code does not match"))
    problem = rating_problem(level, reasons, CONCLUSION)
    if problem is not None:
        raise ExchangeError(400, problem)
    owner = receipt_owner(receipt_no)
    if owner is None:
        raise ExchangeError(400, Words("受理编号无效", "not a valid receipt number"))
    at, _ = store._now()
    with store.backend.transaction() as conn:
        parts = conn.execute(
            "SELECT department, state FROM envelopes WHERE receipt_no = ? AND kind != 'supplement'", [receipt_no]
        ).fetchall()
        if not parts or any(state != "decided" for _, state in parts):
            raise ExchangeError(409, Words("办件尚未办结，办结后才能评价", "the application is not concluded yet; rate it once it is"))
        served = conn.execute("SELECT clerk_id, offering_id FROM ratings WHERE receipt_no = ? AND occasion = 'receipt'", [receipt_no]).fetchone()
        rating = Rating(
            rating_id=rating_id_of(receipt_no, CONCLUSION),
            receipt_no=receipt_no,
            occasion=CONCLUSION,
            level=level,
            reasons=tuple(reasons),
            channel=TRACKING,
            window_id=owner[1],
            clerk_id=served[0] if served else "",
            offering_id=served[1] if served else "",
            departments=tuple(sorted({department for department, _ in parts})),
            rated_at=_utc(at),
        )
        answer = _insert_rating(conn, rating, at)
    if answer["status"] == "rejected":
        raise ExchangeError(409, Words("该办件已评价，评价不可更改", "this application was rated already; a rating cannot be changed"))
    return answer


def conclusion_level(store: ExchangeStore, receipt_no: str) -> int | None:
    """The level the application was rated at conclusion (from any channel), or ``None``."""
    with store.backend.reading() as conn:
        row = conn.execute("SELECT level FROM ratings WHERE rating_id = ?", [rating_id_of(receipt_no, CONCLUSION)]).fetchone()
    return int(row[0]) if row else None


def tracking_ratings(store: ExchangeStore, window_id: str, since: int, limit: int = 100) -> dict[str, Any]:
    """``GET /v1/ratings``: ratings from the tracking page of ``window_id``'s applications after
    ``since``: ``{"ratings": [...], "cursor": N, "more": bool}``."""
    with store.backend.reading() as conn:
        rows = conn.execute(
            f"SELECT id, {_RATING_COLUMNS} FROM ratings WHERE window_id = ? AND channel = 'tracking' AND id > ? "
            "ORDER BY id LIMIT ?",
            [window_id.upper(), since, limit + 1],
        ).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    ratings = [
        {
            "rating_id": row[1], "receipt_no": row[2], "occasion": row[3], "level": row[4], "reasons": json.loads(row[5]),
            "channel": row[6], "window_id": row[7], "clerk_id": row[8], "offering_id": row[9],
            "departments": json.loads(row[10]), "rated_at": row[11],
        }
        for row in rows
    ]
    return {"ratings": ratings, "cursor": rows[-1][0] if rows else since, "more": more}


# -- counts ----------------------------------------------------------------------------------

_KEYS = {"window": "r.window_id", "clerk": "r.clerk_id", "bundle": "r.offering_id", "department": "d.department"}


def rating_counts(store: ExchangeStore, by: str, *, since: str = "", until: str = "", today: str = "") -> list[RatingCount]:
    """Every window's ratings per window, clerk, bundle or department (``rated_at`` in UTC
    ``[since, until)``), with their cases still open and past ``due_on`` < ``today``.

    Raises:
        KeyError: ``by`` is none of window, clerk, bundle, department.
    """
    key = _KEYS[by]
    join = " JOIN rating_departments d ON d.rating_id = r.rating_id" if by == "department" else ""
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
        f"FROM ratings r{join} LEFT JOIN rectification_cases c ON c.rating_id = r.rating_id "
        f"WHERE {' AND '.join(where)} GROUP BY {key}, r.level"
    )
    with store.backend.reading() as conn:
        return fold_rating_counts(conn.execute(sql, [today or "0000-00-00", *args]).fetchall())


def _utc(at: str) -> str:
    """The exchange's local time (China Standard Time) as the UTC stamp ratings are stored in."""
    moment = dt.datetime.fromisoformat(at).astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
