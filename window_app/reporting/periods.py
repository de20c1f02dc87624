"""The periods a report covers, as days of the window's calendar and as moments to query."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words

PERIODS = ("today", "week", "month")
"""The named periods: today, this week (from Monday), this month (from the 1st)."""

PERIOD_WORDS = {
    "today": Words("今日", "Today"),
    "week": Words("本周", "This week"),
    "month": Words("本月", "This month"),
    "range": Words("自定", "Range"),
}


class BadPeriod(WindowAppError):
    """A period that cannot be reported on; the words say why."""


@dataclass(frozen=True)
class Period:
    """Days ``first`` … ``last`` (both included) of the window's calendar.

    Attributes:
        name: ``today``, ``week``, ``month`` or ``range``.
    """

    name: str
    first: dt.date
    last: dt.date

    @property
    def words(self) -> Words:
        """How the period is named: ``本周 2026-12-07 – 2026-12-09``."""
        days = self.first.isoformat() if self.first == self.last else f"{self.first.isoformat()} – {self.last.isoformat()}"
        label = PERIOD_WORDS[self.name]
        return Words(f"{label.zh} {days}", f"{label.en} {days}")

    def bounds(self, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The moments the period starts and ends (the end excluded) in ``zone``."""
        start = dt.datetime.combine(self.first, dt.time(), tzinfo=zone)
        return start, dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(), tzinfo=zone)


def named_period(name: str, today: dt.date) -> Period:
    """``today``, ``week`` or ``month`` as of ``today`` (up to and including today).

    Raises:
        BadPeriod: Not one of :data:`PERIODS`.
    """
    if name == "today":
        return Period(name, today, today)
    if name == "week":
        return Period(name, today - dt.timedelta(days=today.weekday()), today)
    if name == "month":
        return Period(name, today.replace(day=1), today)
    raise BadPeriod(
        Words("没有统计周期“{n}”，可选：today、week、month", "No period “{n}”: today, week or month").format(n=name)
    )


def date_range(first: str, last: str) -> Period:
    """Days ``first`` … ``last`` given as ``YYYY-MM-DD`` texts (both included).

    Raises:
        BadPeriod: A text that is no date, or ``last`` before ``first``.
    """
    days = []
    for text in (first, last):
        try:
            days.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise BadPeriod(
                Words("“{t}”不是日期，请写成 2026-12-01 的形式", "“{t}” is not a date: write it as 2026-12-01").format(t=text)
            ) from None
    if days[1] < days[0]:
        raise BadPeriod(
            Words("结束日期 {b} 早于开始日期 {a}", "The end date {b} is before the start date {a}").format(
                a=days[0].isoformat(), b=days[1].isoformat()
            )
        )
    return Period("range", days[0], days[1])
