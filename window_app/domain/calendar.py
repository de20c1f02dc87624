"""The one working-day calendar: China's official holidays and 调休 make-up working days.

Statutory time limits (法定时限) and promised dates (承诺时限) count working days. A day is a
working day when it is an official make-up working day (调休上班, e.g. the Saturday before the
National Day week), or a Monday to Friday that is not an official holiday. The holidays and
make-up days come from the ``chinesecalendar`` package, which knows the years the State Council
has announced (each November or December for the next year). A year the package does not know
yet can be given in a local holiday file (``[calendar] holidays_file``: :func:`parse_holiday_file`
reads its text, :func:`use_holiday_file` puts it before the package: for the years the file
names, the file's days replace the package's). A year neither knows is counted Monday to Friday
only, and :func:`calendar_warning` says so in words, and how to fix it (the window's start-up
toast, the F8 list, ``window-app overdue``). docs/supervision.md says how.

Everything here is pure: the calendar is data, loaded once; the one piece of state is the local
file the window installs when it opens (:func:`use_holiday_file`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from window_app.domain.errors import WindowAppError
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


class HolidayFileError(WindowAppError):
    """A local holiday file that cannot be used; the words name the file, the entry and why."""


@dataclass(frozen=True)
class HolidayFile:
    """A local holiday file: the official arrangement of the years it covers.

    Attributes:
        years: The years the file covers (it is the whole truth for them: days it does not name
            are Monday to Friday working days, weekends rest days).
        holidays: Its holidays (法定节假日, the weekend days of a holiday week included).
        make_up_days: Its 调休 make-up working days.
        source: Where it came from (its path), for the words.
        notices: The notices it follows, as the file names them (e.g. the State Council's).
    """

    years: frozenset[int]
    holidays: frozenset[dt.date]
    make_up_days: frozenset[dt.date]
    source: str = ""
    notices: tuple[str, ...] = ()


def parse_holiday_file(text: str, source: str = "") -> HolidayFile:
    """A holiday file from its TOML text (docs/supervision.md, "节假日日历")::

        [[year]]
        year = 2027
        notice = "国务院办公厅关于2027年部分节假日安排的通知"
        holidays = ["2027-01-01", "2027-02-10..2027-02-16"]
        make_up_days = ["2027-02-07"]

    A day is ``YYYY-MM-DD``, a run of days ``FIRST..LAST`` (both included); every day lies in its
    entry's year; a year is given once; a day is not both a holiday and a make-up day.

    Raises:
        HolidayFileError: Not TOML, or an entry that is not right (words name the entry).
    """
    where = source or "holidays"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HolidayFileError(Words("{w}：不是有效的 TOML：{e}", "{w}: not valid TOML: {e}").format(w=where, e=exc)) from None
    entries = data.get("year")
    if not isinstance(entries, list) or not entries or not all(isinstance(entry, dict) for entry in entries):
        raise HolidayFileError(
            Words("{w}：应有至少一个 [[year]] 表", "{w}: needs at least one [[year]] table").format(w=where)
        )
    years: set[int] = set()
    holidays: set[dt.date] = set()
    make_up: set[dt.date] = set()
    notices: list[str] = []
    for number, entry in enumerate(entries, start=1):
        label = f"{where}: [[year]] #{number}"
        unknown = set(entry) - {"year", "notice", "holidays", "make_up_days"}
        if unknown:
            raise HolidayFileError(Words("{l}：未知的键 {k}", "{l}: unknown key {k}").format(l=label, k=", ".join(sorted(unknown))))
        year = entry.get("year")
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year < 2100:
            raise HolidayFileError(Words("{l}：year 应为 2000–2099 的年份", "{l}: year must be a year from 2000 to 2099").format(l=label))
        if year in years:
            raise HolidayFileError(Words("{l}：{y} 年出现两次", "{l}: {y} is given twice").format(l=label, y=year))
        years.add(year)
        notice = entry.get("notice", "")
        if not isinstance(notice, str):
            raise HolidayFileError(Words("{l}：notice 应为文本", "{l}: notice must be a text").format(l=label))
        if notice:
            notices.append(notice)
        days_off = _days(entry.get("holidays", []), year, f"{label} holidays")
        days_on = _days(entry.get("make_up_days", []), year, f"{label} make_up_days")
        both = sorted(days_off & days_on)
        if both:
            raise HolidayFileError(
                Words("{l}：{d} 既是节假日又是调休上班日", "{l}: {d} is both a holiday and a make-up working day").format(
                    l=label, d=both[0].isoformat()
                )
            )
        holidays |= days_off
        make_up |= days_on
    return HolidayFile(frozenset(years), frozenset(holidays), frozenset(make_up), source, tuple(notices))


def _days(values: object, year: int, label: str) -> set[dt.date]:
    """The days of a list of ``YYYY-MM-DD`` and ``FIRST..LAST``, each in ``year``."""
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise HolidayFileError(Words("{l}：应为日期文本的列表", "{l}: must be a list of date texts").format(l=label))
    found: set[dt.date] = set()
    for value in values:
        first_text, _, last_text = value.partition("..")
        try:
            first = dt.date.fromisoformat(first_text.strip())
            last = dt.date.fromisoformat(last_text.strip()) if last_text else first
        except ValueError:
            raise HolidayFileError(
                Words("{l}：{v!r} 不是日期（YYYY-MM-DD 或 起..止）", "{l}: {v!r} is not a date (YYYY-MM-DD or FIRST..LAST)").format(
                    l=label, v=value
                )
            ) from None
        if last < first or first.year != year or last.year != year:
            raise HolidayFileError(
                Words("{l}：{v!r} 应在 {y} 年之内且起日不晚于止日", "{l}: {v!r} must lie in {y}, its first day not after its last").format(
                    l=label, v=value, y=year
                )
            )
        found.update(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return found


def with_holiday_file(calendar: WorkingCalendar, local: HolidayFile) -> WorkingCalendar:
    """``calendar`` with the years of ``local`` replaced by the file's days (the file first)."""

    def outside(days: Iterable[dt.date]) -> frozenset[dt.date]:
        return frozenset(day for day in days if day.year not in local.years)

    return WorkingCalendar(
        holidays=outside(calendar.holidays) | local.holidays,
        make_up_days=outside(calendar.make_up_days) | local.make_up_days,
        known_years=calendar.known_years | local.years,
    )


_local_file: HolidayFile | None = None
"""The window's local holiday file (``[calendar] holidays_file``), set by :func:`use_holiday_file`."""


def use_holiday_file(local: HolidayFile | None) -> None:
    """Put ``local`` before the package from now on (``None``: the package alone again)."""
    global _local_file
    if local == _local_file:
        return  # the same: the calendar (and its table of counted days) stays
    _local_file = local
    official_calendar.cache_clear()


def holiday_file() -> HolidayFile | None:
    """The local holiday file in use, if any."""
    return _local_file


@cache
def package_calendar() -> WorkingCalendar:
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


@cache
def official_calendar() -> WorkingCalendar:
    """The calendar every count uses: the local holiday file (if any) before ``chinesecalendar``."""
    base = package_calendar()
    return with_holiday_file(base, _local_file) if _local_file is not None else base


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
    """Words for the clerk when this year's or next year's holidays are not known, with how to
    fix it (update ``chinesecalendar`` or give the year in ``[calendar] holidays_file``);
    ``None`` when both are known."""
    missing = missing_years(today, calendar)
    if not missing:
        return None
    years = "、".join(str(year) for year in missing)
    years_en = " and ".join(str(year) for year in missing)
    return Words(
        f"节假日日历缺少{years}年，只按周末计算工作日。请升级 chinesecalendar，或在 [calendar] holidays_file 中给出该年安排",
        f"The holiday calendar lacks {years_en}: working days there skip weekends only. Update chinesecalendar, "
        f"or give that year in [calendar] holidays_file",
    )
