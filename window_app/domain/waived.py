"""容缺 promises followed after acceptance: each material accepted as missing, the day the
applicant promised to bring it, and whether it was received.

A promise is *due soon* from the working day before its promised day up to that day, *overdue*
after it, *received* once the material is recorded at the window (a supplement), else *open*.
Pure: :mod:`offline_cache.waived` reads the rows, :mod:`window_app.waived` queues the reminders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from window_app.domain.calendar import WorkingCalendar, official_calendar
from window_app.domain.clocks import DUE_SOON, OVERDUE
from window_app.domain.words import Words

RECEIVED = "received"
OPEN = "open"

WAIVED_STATE_WORDS: dict[str, Words] = {
    OPEN: Words("待补交", "to be brought"),
    DUE_SOON: Words("即将到期", "due soon"),
    OVERDUE: Words("逾期未补交", "overdue"),
    RECEIVED: Words("已补交", "received"),
}


@dataclass(frozen=True)
class WaivedPromise:
    """One material accepted as missing (容缺).

    Attributes:
        receipt_no: The application.
        material: The catalog's material id.
        promised_on: The day the applicant promised to bring it.
        received_at: When it was recorded at the window (ISO, UTC); ``None`` while missing.
        clerk: The 工号 of the clerk who accepted the application.
    """

    receipt_no: str
    material: str
    promised_on: dt.date
    received_at: str | None = None
    clerk: str = ""


def waived_state(promise: WaivedPromise, today: dt.date, calendar: WorkingCalendar | None = None) -> str:
    """``received``, ``overdue``, ``due_soon`` or ``open`` on ``today``."""
    if promise.received_at:
        return RECEIVED
    if today > promise.promised_on:
        return OVERDUE
    calendar = calendar or official_calendar()
    if calendar.working_days_between(today, promise.promised_on) <= 1:
        return DUE_SOON
    return OPEN
