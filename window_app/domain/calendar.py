"""The one working-day calendar: China's official holidays and 调休 make-up working days.

Statutory time limits (法定时限) and promised dates (承诺时限) count working days. A day is a
working day when it is an official make-up working day (调休上班, e.g. the Saturday before the
National Day week), or a Monday to Friday that is not an official holiday. The holidays and
make-up days come from the ``chinesecalendar`` package, which knows the years the State Council
has announced (each December for the next year): a year it does not know is counted Monday to
Friday only, and :func:`calendar_warning` says so in words (the window's start-up status, F5,
``window-app overdue``). Updating the package (``pip install -U chinesecalendar``) is how a new
year becomes known; docs/supervision.md says how.

Everything here is pure: the calendar is data, loaded once.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from window_app.domain.words import Words


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days.

    Attributes:
        holidays: Official holidays (法定节假日, including the weekend days of a holiday week).
        make_up_days: Official make-up working days (调休上班), usually Saturdays or Sundays.
        known_years: The years whose holidays were announced and are in ``holidays``.
    """

    holidays: frozenset[dt.date]
    make_up_days: frozenset[dt.date]
    known_years: frozenset[int]
    _counted: list[int] = field(default_factory=list, init=False, repr=False, compare=False, hash=False)
    """Working days from :data:`TABLE_START` up to each day of the table (built on first use):
    the header's count runs a clock for every open application, so a count is two look-ups."""

    def knows(self, year: int) -> bool:
        """Whether ``year``'s official holidays are known (else: weekends only)."""
        return year in self.known_years

    def is_working_day(self, day: dt.date) -> bool:
        """A make-up working day, or Monday to Friday and not a holiday."""
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def _table(self) -> list[int]:
        if not self._counted:
            first = TABLE_START.toordinal()
            holidays = {day.toordinal() for day in self.holidays}
            make_up = {day.toordinal() for day in self.make_up_days}
            counted, total = [], 0
            for ordinal in range(first, TABLE_END.toordinal()):
                # date.fromordinal(1) is a Monday: ordinal % 7 is 6 on Saturdays and 0 on Sundays.
                if ordinal in make_up or (ordinal % 7 not in (0, 6) and ordinal not in holidays):
                    total += 1
                counted.append(total)
            self._counted.extend(counted)
        return self._counted

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The ``days``-th working day after ``start`` (``start`` itself when ``days`` ≤ 0).

        The day of ``start`` never counts: an application accepted on Friday with 1 day is due on
        the next working day.
        """
        if days <= 0:
            return start
        if TABLE_START <= start < TABLE_END:
            table = self._table()
            index = bisect.bisect_left(table, table[(start - TABLE_START).days] + days)
            if index < len(table):
                return TABLE_START + dt.timedelta(days=index)
        current = start
        remaining = days
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days are after ``start`` and up to ``end`` (inclusive); 0 when
        ``end`` is not after ``start``. ``add_working_days(start, n)`` is the first day for which
        this is ``n``."""
        if end <= start:
            return 0
        if TABLE_START <= start and end < TABLE_END:
            table = self._table()
            return table[(end - TABLE_START).days] - table[(start - TABLE_START).days]
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


TABLE_START = dt.date(2000, 1, 1)
TABLE_END = dt.date(2100, 1, 1)
"""The days counted ahead (36,525: built in about 5 ms, once); outside them, day by day."""

WEEKENDS_ONLY = WorkingCalendar(frozenset(), frozenset(), frozenset())
"""A calendar that knows no holidays: Monday to Friday."""


@cache
def official_calendar() -> WorkingCalendar:
    """China's official calendar from ``chinesecalendar``; weekends only if it cannot be loaded."""
    try:
        from chinese_calendar import constants  # data only; imported on first use of a date
    except ImportError:  # a broken installation: counted Monday to Friday, and the warning says so
        return WEEKENDS_ONLY
    holidays = frozenset(constants.holidays)
    return WorkingCalendar(
        holidays=holidays,
        make_up_days=frozenset(constants.workdays),
        known_years=frozenset(day.year for day in holidays),
    )


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``start`` plus ``days`` working days on the official calendar (:meth:`WorkingCalendar.add_working_days`)."""
    return official_calendar().add_working_days(start, days)


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to ``end`` on the official calendar."""
    return official_calendar().working_days_between(start, end)


def missing_years(today: dt.date, calendar: WorkingCalendar | None = None) -> tuple[int, ...]:
    """This year and the next, those the calendar does not know."""
    calendar = calendar or official_calendar()
    return tuple(year for year in (today.year, today.year + 1) if not calendar.knows(year))


def calendar_warning(today: dt.date, calendar: WorkingCalendar | None = None) -> Words | None:
    """Words for the clerk when this year's or next year's holidays are not known; ``None`` when both are."""
    missing = missing_years(today, calendar)
    if not missing:
        return None
    years = "、".join(str(year) for year in missing)
    years_en = " and ".join(str(year) for year in missing)
    return Words(
        f"节假日日历缺少{years}年，只按周末计算工作日，请更新 chinesecalendar",
        f"The holiday calendar lacks {years_en}: working days there skip weekends only; update chinesecalendar",
    )
