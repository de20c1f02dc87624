"""容缺 promises followed after acceptance: which are due soon or overdue, and the applicant's reminders.

The promises are rows written at acceptance (:mod:`offline_cache.waived`); a supplement that
brings the material marks it received. :func:`queue_reminders` queues one ``waived`` notification
per material and state (due soon: the working day before the promised day and that day;
overdue: after it) for applicants who gave a phone — the notifications queue's unique
``(receipt_no, kind, cause)`` makes a second call a no-op. The sync engine calls it before it
sends (each round), so a window that syncs reminds without the TUI open.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from offline_cache import notifications
from offline_cache import waived as waived_store
from offline_cache.db import Database, durable_transaction, storage_errors
from window_app.domain.calendar import add_working_days
from window_app.domain.catalog import Catalog
from window_app.domain.clocks import DUE_SOON, OVERDUE
from window_app.domain.notifications import WAIVED
from window_app.domain.waived import WaivedPromise, waived_state
from window_app.domain.words import Words

_WORDS = Words("提醒申请人补交容缺材料", "Reminding applicants of deficiency promises")


@dataclass(frozen=True)
class WaivedWarnings:
    """The 容缺 promises not kept that warn today (applications still open)."""

    overdue: tuple[WaivedPromise, ...] = ()
    due_soon: tuple[WaivedPromise, ...] = ()


def waived_warnings(db: Database, *, today: dt.date, clerk_id: str | None = None) -> WaivedWarnings:
    """The promises due soon or overdue on ``today`` (one clerk's applications, or all)."""
    promises = waived_store.open_promises(db, clerk_id=clerk_id, by=add_working_days(today, 1))
    overdue = tuple(p for p in promises if waived_state(p, today) == OVERDUE)
    due_soon = tuple(p for p in promises if waived_state(p, today) == DUE_SOON)
    return WaivedWarnings(overdue, due_soon)


def queue_reminders(db: Database, catalog: Catalog, *, today: dt.date, now: str) -> int:
    """Queue the reminders due today (one transaction); how many were queued anew."""
    warnings = waived_warnings(db, today=today)
    queued = 0
    if not warnings.overdue and not warnings.due_soon:
        return 0  # no write transaction for nothing
    with storage_errors(_WORDS), durable_transaction(db):
        for state, promises in ((DUE_SOON, warnings.due_soon), (OVERDUE, warnings.overdue)):
            for promise in promises:
                material = catalog.materials.get(promise.material)
                data = {
                    "material": (material.name if material is not None else Words(promise.material)).to_json(),
                    "promised_on": promise.promised_on.isoformat(),
                    "state": state,
                }
                queued += notifications.queue(db, promise.receipt_no, WAIVED, f"{promise.material}/{state}", data, now)
    return queued
