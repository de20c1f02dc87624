"""What the exchange counts across windows: a region's report and its hot list.

From what the exchange holds and may read (the envelopes' plain headers: the window, its
region, the offering, the department; the items' decisions and the events' times; never the
sealed parts). A region code selects every window under it by the GB/T 2260 prefix: 520000
贵州省 (every window of the province), 522300 黔西南州 (its counties), 522325 贞丰县 alone.

An application is one receipt number, however many department envelopes it was sent as; a
supplement envelope is no application. Times are calendar days from the envelope's arrival to
the item's decision (the exchange keeps no working-day calendar).

SQL is written once; the header's JSON is read with each database's own function
(:func:`_header`), both served by the index on ``envelopes.received_epoch``.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from window_app.domain.words import Words
from window_app.exchange.errors import ExchangeError

HOT_DAYS = 90
HOT_LIMIT = 20
HOT_CACHE_SECONDS = 300.0
"""A region's hot list is counted at most once per this many seconds per server process: every
window of the region asks for it at its sync, and the answer moves slowly."""

_REGION = re.compile(r"^\d{6}$")


def region_prefix(code: str) -> str:
    """The GB/T 2260 prefix of the windows under ``code`` (``522300`` → ``5223``).

    Raises:
        ExchangeError: Not a six-digit region code (HTTP 400).
    """
    code = (code or "").strip()
    if not _REGION.match(code):
        raise ExchangeError(400, Words("行政区划代码“{c}”应为六位数字", "the region code '{c}' must be six digits").format(c=code))
    prefix = code
    for _ in range(2):  # 522325 → 522325; 522300 → 5223; 520000 → 52
        if prefix.endswith("00"):
            prefix = prefix[:-2]
    return prefix


def _header(dialect: str, *path: str) -> str:
    """SQL for a text of the envelope's header (``offering``, ``id`` → its offering's id)."""
    if dialect == "postgresql":
        return "(e.payload::jsonb #>> '{" + ",".join(path) + "}')"
    return "json_extract(e.payload, '$." + ".".join(path) + "')"


def _scope(dialect: str) -> str:
    """The envelopes of a region (``LIKE`` its prefix) received in [from, until) that are
    applications (a supplement is part of one)."""
    return (
        "e.kind <> 'supplement' AND e.received_epoch >= ? AND e.received_epoch < ? "
        f"AND {_header(dialect, 'window', 'region')} LIKE ?"
    )


def hot_offerings(backend: Any, region: str, *, now: float, days: int = HOT_DAYS, limit: int = HOT_LIMIT) -> list[dict[str, Any]]:
    """The bundles accepted most in ``region`` in the last ``days`` days: ``{"id", "uses"}``,
    most used first (ties by id); ``uses`` counts applications (receipt numbers)."""
    dialect = backend.dialect.name
    offering = _header(dialect, "offering", "id")
    sql = (
        f"SELECT {offering}, count(DISTINCT e.receipt_no) AS uses FROM envelopes e "
        f"WHERE {_scope(dialect)} AND {_header(dialect, 'offering', 'kind')} = 'bundle' "
        "GROUP BY 1 ORDER BY uses DESC, 1 LIMIT ?"
    )
    with backend.reading() as conn:
        rows = conn.execute(sql, [now - days * 86400.0, now + 1.0, region_prefix(region) + "%", limit]).fetchall()
    return [{"id": row[0], "uses": int(row[1])} for row in rows if row[0]]


class HotCache:
    """Hot lists by (region, days), each counted again once :data:`HOT_CACHE_SECONDS` old."""

    def __init__(self, seconds: float = HOT_CACHE_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.clock = clock
        self._held: dict[tuple[str, int], tuple[float, list[dict[str, Any]]]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int], count: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        now = self.clock()
        with self._lock:
            held = self._held.get(key)
        if held is not None and now - held[0] < self.seconds:
            return held[1]
        found = count()
        with self._lock:
            self._held[key] = (now, found)
        return found


def region_report(backend: Any, region: str, *, since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    """The region's applications received in [since, until): per window, per offering, per
    department and per item, with decisions and days to decision.

    Returns:
        ``{"region", "from", "to", "totals", "windows", "offerings", "departments", "items"}``;
        each list most applications (envelopes, items) first, ties by id.
    """
    dialect = backend.dialect.name
    params = [since.timestamp(), until.timestamp(), region_prefix(region) + "%"]
    offering_id, offering_kind = _header(dialect, "offering", "id"), _header(dialect, "offering", "kind")
    offering_name = _header(dialect, "offering", "name")
    with backend.reading() as conn:
        envelopes = conn.execute(
            f"SELECT e.envelope_id, e.window_id, e.receipt_no, e.department, e.received_at, {offering_id}, "
            f"{offering_kind}, {offering_name} FROM envelopes e WHERE {_scope(dialect)} ORDER BY e.id",
            params,
        ).fetchall()
        items = conn.execute(
            "SELECT i.envelope_id, i.item, i.name, i.decision, v.at FROM items i "
            "JOIN envelopes e ON e.envelope_id = i.envelope_id "
            "LEFT JOIN events v ON v.seq = i.event_seq "
            f"WHERE {_scope(dialect)} ORDER BY i.envelope_id, i.position",
            params,
        ).fetchall()
    received = {row[0]: row[4] for row in envelopes}
    department_of = {row[0]: row[3] for row in envelopes}
    windows: dict[str, dict[str, Any]] = {}
    offerings: dict[str, dict[str, Any]] = {}
    departments: dict[str, dict[str, Any]] = {}
    receipts: set[str] = set()
    for _envelope_id, window_id, receipt_no, department, _received_at, o_id, o_kind, o_name in envelopes:
        receipts.add(receipt_no)
        window = windows.setdefault(window_id, {"id": window_id, "_receipts": set(), "envelopes": 0})
        window["_receipts"].add(receipt_no)
        window["envelopes"] += 1
        offering = offerings.setdefault(o_id or "", {"id": o_id or "", "kind": o_kind or "", "name": o_name or "", "_receipts": set()})
        offering["_receipts"].add(receipt_no)
        departments.setdefault(department, _decisions({"id": department, "envelopes": 0}))["envelopes"] += 1
    by_item: dict[str, dict[str, Any]] = {}
    for envelope_id, item, name, decision, decided_at in items:
        row = by_item.setdefault(item, _decisions({"id": item, "name": name, "envelopes": 0}))
        row["envelopes"] += 1
        department = departments[department_of[envelope_id]]
        for tally in (row, department):
            if decision:
                tally[decision] = tally.get(decision, 0) + 1
            days = _days(received.get(envelope_id), decided_at) if decision in ("approved", "rejected") else None
            if days is not None:
                tally["_days"].append(days)
    return {
        "region": region,
        "from": since.isoformat(timespec="seconds"),
        "to": until.isoformat(timespec="seconds"),
        "totals": {"applications": len(receipts), "envelopes": len(envelopes), "items": len(items)},
        "windows": _ranked({k: {"id": v["id"], "applications": len(v["_receipts"]), "envelopes": v["envelopes"]} for k, v in windows.items()}, "applications"),
        "offerings": _ranked(
            {k: {"id": v["id"], "kind": v["kind"], "name": v["name"], "applications": len(v["_receipts"])} for k, v in offerings.items()},
            "applications",
        ),
        "departments": _ranked({k: _finished(v) for k, v in departments.items()}, "envelopes"),
        "items": _ranked({k: _finished(v) for k, v in by_item.items()}, "envelopes"),
    }


def _decisions(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "approved": 0, "rejected": 0, "supplement_needed": 0, "_days": []}


def _finished(row: dict[str, Any]) -> dict[str, Any]:
    days = sorted(row.pop("_days"))
    row["decided"] = row["approved"] + row["rejected"]
    row["avg_days"] = round(sum(days) / len(days), 1) if days else None
    row["p90_days"] = days[max(0, -(-len(days) * 9 // 10) - 1)] if days else None
    return row


def _ranked(rows: dict[str, dict[str, Any]], by: str) -> list[dict[str, Any]]:
    return sorted(rows.values(), key=lambda row: (-row[by], row["id"]))


def _days(received_at: str | None, decided_at: str | None) -> float | None:
    """Calendar days between two stored moments, to one decimal."""
    if not received_at or not decided_at:
        return None
    try:
        start, end = dt.datetime.fromisoformat(received_at), dt.datetime.fromisoformat(decided_at)
    except ValueError:
        return None
    if (start.tzinfo is None) != (end.tzinfo is None):
        return None
    return round(max(0.0, (end - start).total_seconds()) / 86400.0, 1)
