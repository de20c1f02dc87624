"""The day before a confirmed survey: the applicant's message (once) and the clerk's lines.

:func:`queue_reminders` queues one ``survey`` notification per confirmed start, the day before
it (the window's calendar day), for applicants who gave a phone: the notifications queue's
unique ``(receipt_no, kind, cause)`` and the appointment's ``reminded_for`` make a second call a
no-op. The sync engine calls it each round, as it does the 容缺 reminders.
:func:`clerk_lines` is what the clerk reads: tomorrow's surveys, and those waiting for them.
"""

from __future__ import annotations

import datetime as dt

from offline_cache import notifications
from offline_cache import survey as store
from offline_cache.db import Database, durable_transaction, storage_errors
from window_app.domain.notifications import SURVEY
from window_app.domain.survey import needs_clerk, reminder_due, utc_stamp
from window_app.domain.words import Words

_WORDS = Words("记录踏勘提醒", "Queueing the survey reminders")


def queue_reminders(db: Database, *, now: dt.datetime, zone: dt.tzinfo) -> int:
    """Queue the day-before reminders due ``now`` (one transaction); how many were queued anew."""
    today = now.astimezone(zone).date()
    start_of_today = dt.datetime.combine(today, dt.time()).replace(tzinfo=zone)
    due = [a for a in store.confirmed_since(db, utc_stamp(start_of_today)) if reminder_due(a, today, zone)]
    if not due:
        return 0  # no write transaction for nothing
    queued = 0
    with storage_errors(_WORDS), durable_transaction(db):
        for appointment in due:
            if not store.mark_reminded(db, appointment.receipt_no, appointment.slot.starts_at):
                continue
            data = {"at": f"{appointment.slot.local(zone):%Y-%m-%d %H:%M}", "place": appointment.slot.place}
            queued += notifications.queue(
                db, appointment.receipt_no, SURVEY, f"survey/{appointment.slot.starts_at}", data, now.isoformat()
            )
    return queued


def clerk_lines(db: Database, *, now: dt.datetime, zone: dt.tzinfo, clerk_id: str | None = None) -> list[Words]:
    """Lines for the clerk: surveys tomorrow, and appointments waiting for them (all answered,
    or a department proposed another slot)."""
    today = now.astimezone(zone).date()
    start_of_today = dt.datetime.combine(today, dt.time()).replace(tzinfo=zone)
    lines = [
        Words("明日联合踏勘：{no} · {slot}", "Joint site survey tomorrow: {no} · {slot}").format(
            no=a.receipt_no, slot=a.slot.shown(zone))
        for a in store.confirmed_since(db, utc_stamp(start_of_today))
        if reminder_due(a, today, zone)
    ]
    for appointment in store.open_appointments(db, clerk_id):
        if needs_clerk(appointment, now):
            lines.append(Words("联合踏勘待确认：{no}", "Joint site survey to confirm: {no}").format(no=appointment.receipt_no))
    return lines
