"""Working days between two dates: the one place the statistics count them.

The count follows the same calendar the receipt's promised date is computed with
(:func:`window_app.receipt.add_working_days`): when that calendar learns China's holidays and
调休 make-up days, the statistics count them too, with no change here.
"""

from __future__ import annotations

import datetime as dt
import functools

from window_app import receipt


@functools.lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    """``day`` is a working day of the calendar the promised dates use."""
    return receipt.add_working_days(day - dt.timedelta(days=1), 1) == day


@functools.lru_cache(maxsize=65536)  # a month's report asks the same few hundred pairs again and again
def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days after ``start`` ``end`` is: 0 on the same day (or before), 1 on the
    next working day, … (the ``n`` with ``add_working_days(start, n) == end`` when ``end`` is a
    working day; a day off counts as the working day before it)."""
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days
