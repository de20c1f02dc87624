"""What the statistics read: applications accepted in a period with their parts and the
conclusions made at the window; the window's own use per offering (the local hot list); the
region's hot list the sync fetched from the exchange.

The materials and fields counts come from the guide recorded at acceptance (the merged
checklist's ``needed_by``, the unified form's ``used_by``). The guide is sealed with the
applicant's data, so the first report that covers an application opens it (a signed-in clerk,
as every report has) and keeps its four numbers in ``application_counts``; later reports read
them there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from offline_cache.db import Database, durable_transaction, storage_errors
from offline_cache.vault import read_cipher, reveal
from window_app.domain.reports import HotEntry, ReportedApplication, ReportedPart, StoredHotList
from window_app.domain.words import Words

AT_WINDOW_ENDPOINT = "window"
"""``item_decisions.endpoint`` of a conclusion made at the window (window_app/handling.py)."""

_READ_WORDS = Words("读取统计", "Reading statistics")
_HOT_WORDS = Words("保存热点办件", "Storing the hot list")
_CHUNK = 500  # receipt numbers per IN (...): far below SQLite's variable limit


def _utc_text(moment: dt.datetime) -> str:
    """A moment as SQLite's datetime() writes it (UTC, ``YYYY-MM-DD HH:MM:SS``)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def _between(start: dt.datetime, end: dt.datetime) -> tuple[str, dict[str, Any]]:
    """The clause for "accepted in [start, end)": the covering index narrows by text (a day
    either side for any stored offset), ``datetime()`` decides in UTC."""
    return (
        "a.accepted_at >= :text_from AND a.accepted_at < :text_before"
        " AND datetime(a.accepted_at) >= :utc_from AND datetime(a.accepted_at) < :utc_before",
        {
            "text_from": (start.date() - dt.timedelta(days=2)).isoformat(),
            "text_before": (end.date() + dt.timedelta(days=2)).isoformat(),
            "utc_from": _utc_text(start),
            "utc_before": _utc_text(end),
        },
    )


def applications_between(
    db: Database, start: dt.datetime, end: dt.datetime, *, clerk_id: str | None = None
) -> list[ReportedApplication]:
    """Applications accepted in ``[start, end)`` (aware moments), oldest first, with their parts,
    their conclusions at the window and the counts of their checklist and form.

    Args:
        clerk_id: Only this clerk's (``None``: everyone's).

    Raises:
        DataLocked: No clerk is signed in (the guides are sealed).
        StorageError: The database cannot be read; the words say why.
    """
    clause, params = _between(start, end)
    if clerk_id is not None:
        clause += " AND a.clerk_id = :clerk"
        params["clerk"] = clerk_id
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT a.receipt_no, a.offering_id, a.offering_kind, a.offering_name, a.offering_name_en, a.clerk_id, "
            "a.accepted_at, a.concluded_at, a.state, c.materials_merged, c.materials_separate, c.fields_merged, "
            f"c.fields_separate FROM applications a LEFT JOIN application_counts c ON c.receipt_no = a.receipt_no "
            f"WHERE {clause} ORDER BY a.accepted_at, a.receipt_no",
            params,
        ).fetchall()
        receipt_nos = [row[0] for row in rows]
        counted = _counts(db, [row[0] for row in rows if row[9] is None])
        parts = _parts(db, clause, params)
        at_window = _at_window(db, receipt_nos)
        found = []
        for receipt_no, offering_id, kind, name, name_en, clerk, accepted_at, concluded_at, state, *stored in rows:
            counts = counted.get(receipt_no) or tuple(stored)
            found.append(
                ReportedApplication(
                    receipt_no=receipt_no,
                    offering_id=offering_id,
                    offering_kind=kind,
                    offering_name=Words(name, name_en),
                    clerk_id=clerk,
                    accepted_at=accepted_at,
                    concluded_at=concluded_at,
                    state=state,
                    materials_merged=counts[0],
                    materials_separate=counts[1],
                    fields_merged=counts[2],
                    fields_separate=counts[3],
                    parts=tuple(parts.get(receipt_no, ())),
                    at_window=tuple(at_window.get(receipt_no, ())),
                )
            )
        return found


def _counts(db: Database, receipt_nos: Sequence[str]) -> dict[str, tuple[int, int, int, int]]:
    """The counts of applications no report covered yet, from their sealed guides, stored in
    ``application_counts`` (one transaction) so that the next report reads them there."""
    if not receipt_nos:
        return {}
    cipher = read_cipher(db, _READ_WORDS)
    found: dict[str, tuple[int, int, int, int]] = {}
    for chunk in _chunks(receipt_nos):
        marks = ", ".join("?" * len(chunk))
        for receipt_no, guide in db.execute(f"SELECT receipt_no, guide FROM applications WHERE receipt_no IN ({marks})", chunk):
            found[receipt_no] = _guide_counts(reveal(cipher, guide, "applications", "guide", receipt_no, _READ_WORDS))
    with durable_transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO application_counts (receipt_no, materials_merged, materials_separate, fields_merged, "
            "fields_separate) VALUES (?, ?, ?, ?, ?)",
            [(receipt_no, *counts) for receipt_no, counts in found.items()],
        )
    return found


def _guide_counts(text: str) -> tuple[int, int, int, int]:
    """(checklist lines, (item, material) pairs, form fields, (item, field) pairs) of a stored
    guide; zeros for a guide that is not the JSON the accept wrote."""
    try:
        guide = json.loads(text) if text else {}
    except ValueError:
        return (0, 0, 0, 0)
    if not isinstance(guide, dict):
        return (0, 0, 0, 0)
    materials = [line for line in guide.get("materials") or () if isinstance(line, dict)]
    form = [line for line in guide.get("form") or () if isinstance(line, dict)]
    return (
        len(materials),
        sum(len(line.get("needed_by") or ()) for line in materials),
        len(form),
        sum(len(line.get("used_by") or ()) for line in form),
    )


def _chunks(receipt_nos: Sequence[str]) -> list[list[str]]:
    return [list(receipt_nos[i : i + _CHUNK]) for i in range(0, len(receipt_nos), _CHUNK)]


def _parts(db: Database, clause: str, params: dict[str, Any]) -> dict[str, list[ReportedPart]]:
    """The parts of the applications ``clause`` selects (one query through the same index)."""
    found: dict[str, list[ReportedPart]] = {}
    items_of: dict[str, tuple[str, ...]] = {}  # a bundle's parts repeat the same few item lists
    for receipt_no, department, items, decided_at, state in db.execute(
        "SELECT p.receipt_no, p.department, p.items, p.decided_at, p.state FROM applications a "
        f"JOIN application_parts p ON p.receipt_no = a.receipt_no WHERE {clause}",  # the primary key's order: stage, department
        params,
    ):
        parsed = items_of.get(items)
        if parsed is None:
            parsed = items_of[items] = tuple(json.loads(items))
        found.setdefault(receipt_no, []).append(ReportedPart(department, parsed, decided_at, state))
    return found


def _at_window(db: Database, receipt_nos: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for chunk in _chunks(receipt_nos):
        marks = ", ".join("?" * len(chunk))
        for receipt_no, item in db.execute(
            f"SELECT receipt_no, item FROM item_decisions WHERE endpoint = ? AND receipt_no IN ({marks}) "
            "ORDER BY receipt_no, item",
            [AT_WINDOW_ENDPOINT, *chunk],
        ):
            found.setdefault(receipt_no, []).append(item)
    return found


def use_since(db: Database, since: dt.datetime) -> list[HotEntry]:
    """How often each offering was accepted at this window since ``since``, most used first
    (ties by id). Reads only the covering index ``applications_accepted_at``: no personal data,
    no key needed."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT offering_id, count(*) AS uses FROM applications "
            "WHERE accepted_at >= :text_from AND datetime(accepted_at) >= :utc_from "
            "GROUP BY offering_id ORDER BY uses DESC, offering_id",
            {"text_from": (since.date() - dt.timedelta(days=2)).isoformat(), "utc_from": _utc_text(since)},
        ).fetchall()
    return [HotEntry(offering_id, uses) for offering_id, uses in rows]


def store_hot_list(db: Database, hot: StoredHotList) -> None:
    """Replace the stored hot list of ``hot.region`` (one transaction)."""
    with storage_errors(_HOT_WORDS), durable_transaction(db):
        db.execute("DELETE FROM hot_offerings WHERE region = ?", [hot.region])
        db.execute(
            "INSERT INTO hot_lists (region, days, fetched_at) VALUES (?, ?, ?) "
            "ON CONFLICT (region) DO UPDATE SET days = excluded.days, fetched_at = excluded.fetched_at",
            [hot.region, hot.days, hot.fetched_at],
        )
        db.conn.executemany(
            "INSERT INTO hot_offerings (region, rank, offering_id, uses) VALUES (?, ?, ?, ?)",
            [(hot.region, rank, entry.offering_id, entry.uses) for rank, entry in enumerate(hot.entries)],
        )


def stored_hot_list(db: Database, region: str) -> StoredHotList | None:
    """The hot list of ``region`` the sync last stored, or ``None``."""
    with storage_errors(_READ_WORDS):
        head = db.execute("SELECT days, fetched_at FROM hot_lists WHERE region = ?", [region]).fetchone()
        if head is None:
            return None
        entries = db.execute(
            "SELECT offering_id, uses FROM hot_offerings WHERE region = ? ORDER BY rank", [region]
        ).fetchall()
    return StoredHotList(region, head[0], head[1], tuple(HotEntry(o, u) for o, u in entries))
