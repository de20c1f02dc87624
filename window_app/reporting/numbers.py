"""The report: applications per bundle, item, department and clerk in a period, what merging
saved, how long conclusions took.

Definitions (docs/supervision.md, *统计 / Statistics*):

- **materials saved by merging**: what separate departments would have asked (every item's
  materials, summed: the merged checklist's ``needed_by`` counted) minus what the applicant
  brought once (the merged checklist's lines).
- **fields saved by the unified form**: every item's fields summed (the form's ``used_by``)
  minus the unified form's fields.
- **time to conclusion**: working days from the day of acceptance to the day of the
  conclusion, both in the window's time zone (:func:`.working_days.working_days_between`);
  per bundle the application's conclusion, per department the day its part was decided.
  Average (one decimal) and p90 (nearest rank: the smallest value at least 90% of the
  concluded are at or under) over those concluded; "—" when none is.
- **concluded at the window**: an application whose every item was concluded at the window
  (一类 filed by a 独任审批员); an item so concluded; a department part all of whose items were.
  Parts concluded at the window are left out of the department's times (they took none of
  the department's).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields

from window_app.domain.reports import ReportedApplication
from window_app.domain.times import in_zone
from window_app.domain.words import Words
from window_app.reporting.periods import Period
from window_app.reporting.working_days import working_days_between

SECTIONS = ("total", "bundle", "item", "department", "clerk")
SECTION_WORDS = {
    "total": Words("合计", "Total"),
    "bundle": Words("套餐/事项", "Bundle"),
    "item": Words("事项", "Item"),
    "department": Words("部门", "Department"),
    "clerk": Words("工作人员", "Clerk"),
}


@dataclass(frozen=True)
class ReportRow:
    """One line of the report. ``None`` is "—": not applicable, nothing to average, or a hooked
    column (:mod:`.hooks`) not connected.

    Attributes:
        section: One of :data:`SECTIONS`.
        id: The bundle, item, office or clerk id (``""`` for the total).
        name: Its name.
        applications: Applications (a department: parts) accepted in the period.
        concluded: Of those, concluded (a department: decided parts; an item: decided).
        at_window: Of those, concluded at the window.
        avg_working_days: Average working days to conclusion.
        p90_working_days: p90 working days to conclusion.
        materials_merged: Materials the applicants brought (merged checklist lines).
        materials_separate: Materials separate departments would have asked.
        materials_saved: The difference.
        fields_merged: Fields of the unified forms.
        fields_separate: Fields item-by-item forms would have asked.
        fields_saved: The difference.
        overdue_parts: Parts past their statutory limit (hook).
        ratings: Ratings given (hook).
        rating_avg: Their average level, 1 (非常不满意) … 5 (非常满意) (hook).
    """

    section: str
    id: str
    name: Words
    applications: int = 0
    concluded: int = 0
    at_window: int = 0
    avg_working_days: float | None = None
    p90_working_days: int | None = None
    materials_merged: int | None = None
    materials_separate: int | None = None
    materials_saved: int | None = None
    fields_merged: int | None = None
    fields_separate: int | None = None
    fields_saved: int | None = None
    overdue_parts: int | None = None
    ratings: int | None = None
    rating_avg: float | None = None


NUMBER_COLUMNS = tuple(f.name for f in fields(ReportRow))[3:]
"""The report's number columns, in order (stable: exports and tests name them)."""


@dataclass(frozen=True)
class Report:
    """A report over one period.

    Attributes:
        period: The days it covers.
        clerk_id: Whose applications (``""``: every clerk's, a supervisor's report).
        made_at: When it was made (UTC, ISO).
        rows: The total, then bundles, items, departments, clerks (most applications first).
        sources: Each hooked column's source (:mod:`.hooks`).
    """

    period: Period
    clerk_id: str
    made_at: str
    rows: tuple[ReportRow, ...]
    sources: dict[str, Words] = field(default_factory=dict)

    def section(self, name: str) -> list[ReportRow]:
        return [row for row in self.rows if row.section == name]

    @property
    def total(self) -> ReportRow:
        return self.section("total")[0]


def p90(values: Sequence[int]) -> int | None:
    """The nearest-rank 90th percentile of ``values``, ``None`` for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def average(values: Sequence[int]) -> float | None:
    """The mean to one decimal, ``None`` for none."""
    return round(sum(values) / len(values), 1) if values else None


class _Tally:
    """What one row adds up before it becomes a :class:`ReportRow`."""

    def __init__(self) -> None:
        self.applications = 0
        self.concluded = 0
        self.at_window = 0
        self.days: list[int] = []
        self.materials = [0, 0]
        self.fields = [0, 0]
        self.receipts: list[str] = []

    def add_application(self, app: ReportedApplication, days: int | None, at_window: bool) -> None:
        self.applications += 1
        self.receipts.append(app.receipt_no)
        if app.concluded_at:
            self.concluded += 1
        if at_window:
            self.at_window += 1
        if days is not None:
            self.days.append(days)
        self.materials[0] += app.materials_merged
        self.materials[1] += app.materials_separate
        self.fields[0] += app.fields_merged
        self.fields[1] += app.fields_separate

    def row(
        self,
        section: str,
        row_id: str,
        name: Words,
        *,
        savings: bool,
        overdue: Mapping[str, int] | None,
        ratings: Mapping[str, Sequence[int]] | None,
    ) -> ReportRow:
        given = [level for receipt in self.receipts for level in (ratings or {}).get(receipt, ())]
        return ReportRow(
            section=section,
            id=row_id,
            name=name,
            applications=self.applications,
            concluded=self.concluded,
            at_window=self.at_window,
            avg_working_days=average(self.days),
            p90_working_days=p90(self.days),
            materials_merged=self.materials[0] if savings else None,
            materials_separate=self.materials[1] if savings else None,
            materials_saved=self.materials[1] - self.materials[0] if savings else None,
            fields_merged=self.fields[0] if savings else None,
            fields_separate=self.fields[1] if savings else None,
            fields_saved=self.fields[1] - self.fields[0] if savings else None,
            overdue_parts=sum(overdue.get(r, 0) for r in self.receipts) if overdue is not None else None,
            ratings=len(given) if ratings is not None else None,
            rating_avg=round(sum(given) / len(given), 2) if ratings is not None and given else None,
        )


def build_report(
    period: Period,
    applications: Iterable[ReportedApplication],
    *,
    zone: dt.tzinfo,
    clerk_id: str = "",
    made_at: str = "",
    item_name: Callable[[str], Words] = Words,
    department_name: Callable[[str], Words] = Words,
    overdue: Mapping[str, int] | None = None,
    ratings: Mapping[str, Sequence[int]] | None = None,
    sources: Mapping[str, Words] | None = None,
) -> Report:
    """The report of ``applications`` (those accepted in ``period``).

    Args:
        zone: The window's time zone: the days acceptance and conclusion fell on.
        clerk_id: Whose applications these are (``""``: everyone's).
        item_name: An item's name by id; department_name: an office's by id.
        overdue: Overdue parts per receipt number (``None``: the hook is not connected).
        ratings: Rating levels per receipt number (``None``: not connected).
        sources: Each hooked column's source, carried into the report.
    """
    total = _Tally()
    bundles: dict[str, tuple[Words, _Tally]] = {}
    items: dict[str, _Tally] = {}
    item_department: dict[str, str] = {}
    departments: dict[str, _Tally] = {}
    clerks: dict[str, _Tally] = {}
    for app in applications:
        accepted = _day(app.accepted_at, zone)
        concluded = _day(app.concluded_at, zone)
        days = working_days_between(accepted, concluded) if accepted and concluded else None
        filed = set(app.at_window)
        all_items = [item for part in app.parts for item in part.items]
        at_window = bool(all_items) and filed.issuperset(all_items)
        total.add_application(app, days, at_window)
        bundle = bundles.get(app.offering_id)
        if bundle is None:
            bundle = bundles[app.offering_id] = (app.offering_name, _Tally())
        bundle[1].add_application(app, days, at_window)
        _tally(clerks, app.clerk_id).add_application(app, days, at_window)
        for part in app.parts:
            decided = _day(part.decided_at, zone)
            part_at_window = bool(part.items) and filed.issuperset(part.items)
            tally = _tally(departments, part.department)
            tally.applications += 1
            tally.receipts.append(app.receipt_no)
            if decided:
                tally.concluded += 1
            if part_at_window:
                tally.at_window += 1
            elif decided and accepted:
                tally.days.append(working_days_between(accepted, decided))
            for item in part.items:
                item_department.setdefault(item, part.department)
                item_tally = _tally(items, item)
                item_tally.applications += 1
                item_tally.receipts.append(app.receipt_no)
                if decided:
                    item_tally.concluded += 1
                if item in filed:
                    item_tally.at_window += 1
    hooked = {"overdue": overdue, "ratings": ratings}
    rows = [total.row("total", "", SECTION_WORDS["total"], savings=True, **hooked)]
    rows += _ranked(
        (tally.row("bundle", key, name, savings=True, **hooked) for key, (name, tally) in bundles.items())
    )
    rows += _ranked(tally.row("item", key, item_name(key), savings=False, **hooked) for key, tally in items.items())
    rows += _ranked(
        tally.row("department", key, department_name(key), savings=False, **hooked) for key, tally in departments.items()
    )
    rows += _ranked(tally.row("clerk", key, Words(key or "—", key or "—"), savings=True, **hooked) for key, tally in clerks.items())
    return Report(period=period, clerk_id=clerk_id, made_at=made_at, rows=tuple(rows), sources=dict(sources or {}))


def _tally(tallies: dict[str, _Tally], key: str) -> _Tally:
    """The tally of ``key``, made on first use (not one per look-up, as ``setdefault`` would)."""
    tally = tallies.get(key)
    if tally is None:
        tally = tallies[key] = _Tally()
    return tally


def _ranked(rows: Iterable[ReportRow]) -> list[ReportRow]:
    """Most applications first; ties by id (a stable order for exports and tests)."""
    return sorted(rows, key=lambda row: (-row.applications, row.id))


def _day(stored: str | None, zone: dt.tzinfo) -> dt.date | None:
    moment = in_zone(stored, zone) if stored else None
    return moment.date() if moment else None
