"""What the statutory clocks are computed from (:mod:`window_app.domain.clocks`), read in a few queries.

Nothing is stored for the clocks: they follow from what the window keeps already. The
application's acceptance (``applications.accepted_at``), its parts (``application_parts``), the
decisions that count (``item_decisions``: a final one stops a part's clock and starts the next
stage's), every 补正 request pulled (``exchange_events`` of kind ``supplement_needed``, and an
open one in ``item_decisions``) and every supplement handed in at the window (``outbox`` rows of
kind ``supplement``, naming the part's envelope). Every query goes through an index: the open
applications through ``applications_state`` (or ``applications_clerk_id`` for one clerk's), the
rest by receipt number (the primary keys, ``exchange_events_receipt_no``, ``outbox_receipt_no``),
500 receipt numbers at a time.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence

from offline_cache.db import Database, storage_errors
from window_app.domain.clocks import ClockFacts, PartFacts, Pause
from window_app.domain.times import in_zone
from window_app.domain.wire import FINAL_DECISIONS
from window_app.domain.words import Words

_READ_WORDS = Words("读取办理时限", "Reading the time limits")

OPEN_STATES = ("accepted", "in_progress", "supplement_needed")
"""Application states whose clocks may still run."""

_CHUNK = 500


Receipt = tuple[str, str, str]
"""(receipt number, accepted at, the accepting clerk's 工号)."""


def open_receipts(db: Database, *, clerk_id: str | None = None) -> list[Receipt]:
    """The applications not concluded: one clerk's, or all."""
    marks = ", ".join("?" for _ in OPEN_STATES)
    with storage_errors(_READ_WORDS):
        if clerk_id is None:
            rows = db.execute(
                f"SELECT receipt_no, accepted_at, clerk_id FROM applications WHERE state IN ({marks})", list(OPEN_STATES)
            ).fetchall()
        else:
            rows = db.execute(
                f"SELECT receipt_no, accepted_at, clerk_id FROM applications WHERE clerk_id = ? AND state IN ({marks})",
                [clerk_id, *OPEN_STATES],
            ).fetchall()
    return [(row[0], row[1], row[2] or "") for row in rows]


def receipts_of(db: Database, receipt_nos: Sequence[str]) -> list[Receipt]:
    """The applications of ``receipt_nos``, whatever their state (unknown numbers left out)."""
    found: list[Receipt] = []
    with storage_errors(_READ_WORDS):
        for start in range(0, len(receipt_nos), _CHUNK):
            chunk = list(receipt_nos[start : start + _CHUNK])
            marks = ", ".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT receipt_no, accepted_at, clerk_id FROM applications WHERE receipt_no IN ({marks})", chunk
            ).fetchall()
            found += [(row[0], row[1], row[2] or "") for row in rows]
    return found


def receipt_of(db: Database, receipt_no: str) -> Receipt | None:
    """One application, whatever its state (``None``: no such application)."""
    with storage_errors(_READ_WORDS):
        row = db.execute("SELECT receipt_no, accepted_at, clerk_id FROM applications WHERE receipt_no = ?", [receipt_no]).fetchone()
    return (row[0], row[1], row[2] or "") if row else None


def clock_facts(
    db: Database,
    receipts: Sequence[Receipt],
    *,
    zone: dt.tzinfo,
    limit_of: Callable[[str], int],
) -> list[ClockFacts]:
    """The clocks' facts of ``receipts``, days in ``zone``.

    ``limit_of``: an item's statutory limit in working days (the catalog's ``time_limit_days``).
    """
    facts: list[ClockFacts] = []
    with storage_errors(_READ_WORDS):
        for start in range(0, len(receipts), _CHUNK):
            chunk = receipts[start : start + _CHUNK]
            facts += _chunk_facts(db, chunk, zone, limit_of)
    return facts


def _day(value: str | None, zone: dt.tzinfo) -> dt.date | None:
    moment = in_zone(value, zone)
    return moment.date() if moment is not None else None


def _moment(value: str | None) -> dt.datetime | None:
    return in_zone(value, dt.UTC)


def _chunk_facts(
    db: Database, receipts: Sequence[Receipt], zone: dt.tzinfo, limit_of: Callable[[str], int]
) -> list[ClockFacts]:
    numbers = [receipt_no for receipt_no, _, _ in receipts]
    marks = ", ".join("?" for _ in numbers)
    parts: dict[str, list[tuple[str, int, tuple[str, ...], str, str]]] = {}
    item_lists: dict[str, tuple[str, ...]] = {}  # the same few lists of items, parsed once
    for receipt_no, department, stage, items, state, envelope_id in db.execute(
        f"SELECT receipt_no, department, stage, items, state, envelope_id FROM application_parts "
        f"WHERE receipt_no IN ({marks})",
        numbers,
    ):
        parsed = item_lists.get(items)
        if parsed is None:
            parsed = item_lists[items] = tuple(json.loads(items))
        parts.setdefault(receipt_no, []).append((department, stage, parsed, state, envelope_id))
    decided: dict[str, dict[str, dt.date]] = {}
    asked: dict[str, list[tuple[str, str, str | None]]] = {}  # receipt → (item, asked at, supplied at)
    for receipt_no, item, decision, decided_at, supplied_at in db.execute(
        f"SELECT receipt_no, item, decision, decided_at, supplied_at FROM item_decisions WHERE receipt_no IN ({marks})",
        numbers,
    ):
        if decision in FINAL_DECISIONS:
            day = _day(decided_at, zone)
            if day is not None:
                decided.setdefault(receipt_no, {})[item] = day
        elif decision == "supplement_needed":
            asked.setdefault(receipt_no, []).append((item, decided_at, supplied_at))
    for receipt_no, item, at in db.execute(
        f"SELECT receipt_no, item, at FROM exchange_events WHERE receipt_no IN ({marks}) AND kind = 'supplement_needed'",
        numbers,
    ):
        if item:
            asked.setdefault(receipt_no, []).append((item, at, None))
    handed: dict[tuple[str, str], list[dt.datetime]] = {}  # (receipt, part's envelope) → handed in at
    for receipt_no, original, created_at in db.execute(
        f"SELECT receipt_no, original_envelope_id, created_at FROM outbox WHERE receipt_no IN ({marks}) "
        "AND kind = 'supplement'",
        numbers,
    ):
        moment = _moment(created_at)
        if moment is not None:
            handed.setdefault((receipt_no, original), []).append(moment)
    facts = []
    limits: dict[str, int] = {}
    for receipt_no, accepted, clerk in receipts:
        accepted_on = _day(accepted, zone)
        if accepted_on is None:
            continue
        mine = parts.get(receipt_no, [])
        part_of = {item: (department, stage, envelope) for department, stage, items, _, envelope in mine for item in items}
        facts.append(
            ClockFacts(
                receipt_no=receipt_no,
                accepted_on=accepted_on,
                parts=tuple(PartFacts(department, stage, items, state) for department, stage, items, state, _ in mine),
                limits={item: limits[item] if item in limits else limits.setdefault(item, limit_of(item)) for item in part_of},
                concluded_on=decided.get(receipt_no, {}),
                pauses=_pauses(asked.get(receipt_no, []), part_of, handed, receipt_no, zone),
                clerk=clerk,
            )
        )
    return facts


def _pauses(
    asked: list[tuple[str, str, str | None]],
    part_of: dict[str, tuple[str, int, str]],
    handed: dict[tuple[str, str], list[dt.datetime]],
    receipt_no: str,
    zone: dt.tzinfo,
) -> tuple[Pause, ...]:
    """One pause per 补正 request on a part: until the first supplement handed in after it
    (or the moment the window recorded it answered), else still outstanding."""
    seen: set[tuple[str, int, dt.datetime]] = set()
    pauses = []
    for item, at, supplied_at in asked:
        if item not in part_of:
            continue
        department, stage, envelope = part_of[item]
        moment = _moment(at)
        if moment is None or (department, stage, moment) in seen:
            continue
        seen.add((department, stage, moment))
        after = sorted(m for m in handed.get((receipt_no, envelope), []) if m >= moment)
        end = after[0] if after else _moment(supplied_at)
        pauses.append(
            Pause(department, stage, moment.astimezone(zone).date(), end.astimezone(zone).date() if end else None)
        )
    return tuple(pauses)

