"""容缺 promises followed after acceptance: due soon, overdue, received; the applicant reminded once
per material and state through the notifications queue (real SQLite file, the shipped catalog)."""

from __future__ import annotations

import datetime as dt

from offline_cache import notifications
from offline_cache import waived as waived_store
from tests.conftest import FIXED_NOW
from tests.functional_tests.end_steps import house_transfer
from window_app.domain.notifications import WAIVED, QueuedNotification
from window_app.domain.waived import RECEIVED, WaivedPromise, waived_state
from window_app.domain.words import Words
from window_app.notify.texts import message_words
from window_app.waived import queue_reminders, waived_warnings

D = dt.date


def accept_with_a_promise(window) -> str:
    """A house transfer (the buyer gave a phone) with the utility bill to follow by Wednesday 2 December."""
    intake = house_transfer(window, materials=True, fields=True)
    intake.materials["utility_bill"].state = "deficient"
    intake.materials["utility_bill"].promised_date = "2026-12-02"
    return window.accept(intake).receipt_no


def test_a_promise_is_open_then_due_soon_then_overdue_until_received() -> None:
    promise = WaivedPromise("R", "utility_bill", D(2026, 12, 2))
    assert waived_state(promise, D(2026, 11, 27)) == "open"
    assert waived_state(promise, D(2026, 12, 1)) == "due_soon"  # the working day before
    assert waived_state(promise, D(2026, 12, 2)) == "due_soon"
    assert waived_state(promise, D(2026, 12, 3)) == "overdue"
    kept = WaivedPromise("R", "utility_bill", D(2026, 12, 2), received_at="2026-12-01T02:00:00.000Z")
    assert waived_state(kept, D(2026, 12, 9)) == RECEIVED


def test_accepting_writes_the_promise_and_reminders_go_once_per_state(window) -> None:
    receipt = accept_with_a_promise(window)
    db, catalog = window.db, window.catalog
    [promise] = waived_store.promises_of(db, receipt)
    assert (promise.material, promise.promised_on, promise.received_at) == ("utility_bill", D(2026, 12, 2), None)

    assert waived_warnings(db, today=D(2026, 11, 27)) == waived_warnings(db, today=D(2026, 11, 30))
    assert waived_warnings(db, today=D(2026, 11, 27)).due_soon == ()
    assert [p.receipt_no for p in waived_warnings(db, today=D(2026, 12, 1)).due_soon] == [receipt]

    now = (FIXED_NOW + dt.timedelta(days=4)).isoformat()
    assert queue_reminders(db, catalog, today=D(2026, 12, 1), now=now) == 1
    assert queue_reminders(db, catalog, today=D(2026, 12, 1), now=now) == 0  # never twice
    assert queue_reminders(db, catalog, today=D(2026, 12, 2), now=now) == 0  # the same state the next day
    assert queue_reminders(db, catalog, today=D(2026, 12, 3), now=now) == 1  # overdue: one more
    assert queue_reminders(db, catalog, today=D(2026, 12, 4), now=now) == 0
    waived_kinds = [(kind, cause) for kind, cause, _state, _n in notifications.list_for(db, receipt) if kind == WAIVED]
    assert waived_kinds == [(WAIVED, "utility_bill/due_soon"), (WAIVED, "utility_bill/overdue")]

    # The window's warnings count the application; the header's count follows.
    window.clock = lambda: FIXED_NOW + dt.timedelta(days=6)  # Thursday 3 December
    warnings = window.clock_warnings()
    assert receipt in warnings.overdue_receipts
    assert [p.material for p in warnings.waived.overdue] == ["utility_bill"]

    # Brought in: no longer followed.
    assert waived_store.mark_received(db, receipt, "utility_bill", "2026-12-03T10:00:00+08:00")
    assert not waived_store.mark_received(db, receipt, "utility_bill", "2026-12-03T10:00:00+08:00")
    [promise] = waived_store.promises_of(db, receipt)
    assert promise.received_at == "2026-12-03T02:00:00.000Z"  # stored in UTC
    assert waived_warnings(db, today=D(2026, 12, 3)).overdue == ()


def test_the_reminder_in_words() -> None:
    data = {"material": Words("水电气缴费凭证", "utility bill").to_json(), "promised_on": "2026-12-02"}
    due = QueuedNotification(1, "522325-261127-ZF-01-TEST-0001-AB", WAIVED, "utility_bill/due_soon", {**data, "state": "due_soon"})
    words = message_words(due, "王*")
    assert words.zh == "王*：请于12月2日前到窗口补交“水电气缴费凭证”（编号522325-261127-ZF-01-TEST-0001-AB）。"
    assert words.en.startswith("王*, please bring utility bill to the window by 2026-12-02")
    late = QueuedNotification(2, "R-1", WAIVED, "utility_bill/overdue", {**data, "state": "overdue"})
    assert "尚未收到" in message_words(late, "").zh
    assert message_words(late, "").en.startswith("Utility bill, promised by 2026-12-02, has not arrived")
