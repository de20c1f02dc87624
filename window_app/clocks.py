"""The statutory clocks of the window's applications (法定时限), and their warnings.

The clock itself is a pure function (:mod:`window_app.domain.clocks`); this reads its facts
(:mod:`offline_cache.clocks`) and the items' limits from the catalog, on the window's calendar day.
:func:`install_holiday_file` reads ``[calendar] holidays_file`` and puts it before
``chinesecalendar`` (:mod:`window_app.domain.calendar`) when the window opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from offline_cache import clocks as clock_store
from offline_cache.db import Database, open_reader
from window_app.config import Settings
from window_app.domain.calendar import HolidayFile, HolidayFileError, parse_holiday_file, use_holiday_file
from window_app.domain.catalog import Catalog
from window_app.domain.clocks import DUE_SOON, OVERDUE, ApplicationClock, application_clock
from window_app.domain.words import Words
from window_app.waived import WaivedWarnings, waived_warnings


def holiday_file_path(settings: Settings) -> Path | None:
    """``[calendar] holidays_file`` as a path (a relative one is beside the config file), or ``None``."""
    name = settings.calendar.holidays_file.strip()
    if not name:
        return None
    path = Path(name).expanduser()
    if not path.is_absolute() and settings.source and Path(settings.source).is_file():
        path = Path(settings.source).parent / path
    return path


def install_holiday_file(settings: Settings) -> HolidayFile | None:
    """Read the window's local holiday file (if set) and count working days with it from now on;
    without one, ``chinesecalendar`` alone.

    Raises:
        HolidayFileError: The file cannot be read or is not right (words name it and why).
    """
    path = holiday_file_path(settings)
    if path is None:
        use_holiday_file(None)
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise HolidayFileError(
            Words("[calendar] holidays_file {p}：无法读取：{e}", "[calendar] holidays_file {p}: cannot read it: {e}").format(p=path, e=why)
        ) from None
    local = parse_holiday_file(text, str(path))
    use_holiday_file(local)
    return local


@dataclass(frozen=True)
class ClockWarnings:
    """The applications whose clocks warn, overdue first (then due soonest first).

    Attributes:
        overdue: Applications with a part past its statutory limit (已超期).
        due_soon: Applications with a part past 80% of its limit, none overdue (即将超期).
        waived: The 容缺 promises due soon or overdue (:mod:`window_app.waived`).
    """

    overdue: tuple[ApplicationClock, ...] = ()
    due_soon: tuple[ApplicationClock, ...] = ()
    waived: WaivedWarnings = WaivedWarnings()

    @property
    def overdue_receipts(self) -> list[str]:
        """Applications with a clock or a 容缺 promise overdue: the clocks' first."""
        found = [clock.receipt_no for clock in self.overdue] + [p.receipt_no for p in self.waived.overdue]
        return list(dict.fromkeys(found))

    @property
    def due_soon_receipts(self) -> list[str]:
        """Applications with a clock or a promise due soon, and nothing overdue."""
        late = set(self.overdue_receipts)
        found = [clock.receipt_no for clock in self.due_soon] + [p.receipt_no for p in self.waived.due_soon]
        return [no for no in dict.fromkeys(found) if no not in late]

    @property
    def receipt_nos(self) -> list[str]:
        """Overdue first, then due soon."""
        return self.overdue_receipts + self.due_soon_receipts

    @property
    def counts(self) -> tuple[int, int]:
        """(overdue, due soon) applications: the header's count."""
        return len(self.overdue_receipts), len(self.due_soon_receipts)


def _limit_of(catalog: Catalog):
    def limit(item_id: str) -> int:
        item = catalog.items.get(item_id)
        return item.time_limit_days if item is not None else 0

    return limit


def open_clocks(
    db: Database, catalog: Catalog, *, zone: dt.tzinfo, today: dt.date, clerk_id: str | None = None
) -> list[ApplicationClock]:
    """The clocks of every application not concluded (one clerk's, or all of them)."""
    receipts = clock_store.open_receipts(db, clerk_id=clerk_id)
    facts = clock_store.clock_facts(db, receipts, zone=zone, limit_of=_limit_of(catalog))
    return [application_clock(one, today) for one in facts]


def clock_warnings(
    db: Database, catalog: Catalog, *, zone: dt.tzinfo, today: dt.date, clerk_id: str | None = None
) -> ClockWarnings:
    """The open applications whose clocks or 容缺 promises warn (the header's count, the F3 filter,
    ``window-app overdue``)."""
    clocks = open_clocks(db, catalog, zone=zone, today=today, clerk_id=clerk_id)
    far = dt.date.max

    def by_due(clock: ApplicationClock) -> tuple[dt.date, str]:
        due = min((part.due_on for part in clock.parts if part.warning and part.due_on), default=far)
        return due, clock.receipt_no

    overdue = sorted((clock for clock in clocks if clock.warning == OVERDUE), key=by_due)
    due_soon = sorted((clock for clock in clocks if clock.warning == DUE_SOON), key=by_due)
    return ClockWarnings(tuple(overdue), tuple(due_soon), waived_warnings(db, today=today, clerk_id=clerk_id))


def clock_warnings_apart(
    path: Path, catalog: Catalog, *, zone: dt.tzinfo, today: dt.date, clerk_id: str | None = None
) -> ClockWarnings:
    """:func:`clock_warnings` read on a read-only connection of its own to the database at
    ``path``: what a thread runs while the UI's connection goes on writing (the header's count,
    :mod:`screens.clock_watch`).

    Raises:
        StorageError: The database cannot be read.
    """
    db = open_reader(path)
    try:
        return clock_warnings(db, catalog, zone=zone, today=today, clerk_id=clerk_id)
    finally:
        db.close()


def overdue_parts(
    db: Database, catalog: Catalog, receipt_nos: Sequence[str], *, zone: dt.tzinfo, today: dt.date
) -> dict[str, int]:
    """Per application, its parts past their statutory limit: running beyond their due day, or
    decided after it (the report's ``overdue_parts``; applications with none left out)."""
    facts = clock_store.clock_facts(db, clock_store.receipts_of(db, receipt_nos), zone=zone, limit_of=_limit_of(catalog))
    counted: dict[str, int] = {}
    for clock in (application_clock(one, today) for one in facts):
        late = sum(1 for part in clock.parts if part.warning == OVERDUE or part.late)
        if late:
            counted[clock.receipt_no] = late
    return counted


def clock_of(
    db: Database, catalog: Catalog, receipt_no: str, *, zone: dt.tzinfo, today: dt.date
) -> ApplicationClock | None:
    """One application's clock (whatever its state); ``None``: no such application."""
    receipt = clock_store.receipt_of(db, receipt_no)
    if receipt is None:
        return None
    facts = clock_store.clock_facts(db, [receipt], zone=zone, limit_of=_limit_of(catalog))
    return application_clock(facts[0], today) if facts else None
