"""F9 on the applications list and the detail screen: send refused envelopes again.

The exchange refuses an envelope for good when something outside the window is wrong — a
department or item its catalog does not know yet, a department endpoint set up wrong: the
envelope is quarantined, kept with the reason, and never resent on its own. Once the cause is
fixed (support updated the exchange's catalog, corrected the address …), the clerk puts the
application's quarantined envelopes back in the queue: the very same bytes and keys go again
(:meth:`window_app.window.Window.requeue_quarantined`), so a department never gets a second case.

The key asks first, naming each refused envelope and its reason, and says afterwards what
happened; the sync worker is woken at once (F5 sends now).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from screens.widgets.dialog import Dialog
from screens.widgets.offering_preview import department_name
from screens.window_screen import WindowScreen
from window_app.domain.errors import StorageError
from window_app.domain.words import counted, tr

if TYPE_CHECKING:
    from window_app.domain.applications import DepartmentPart
    from window_app.domain.outbox import OutboxEntry
    from window_app.window import Window

ALL_QUARANTINED = 1_000_000
"""``Window.quarantined`` limit: every quarantined envelope (they are few; none may be missed)."""


def has_quarantined(parts: list[DepartmentPart] | tuple[DepartmentPart, ...]) -> bool:
    """Whether any part shows a refused envelope (its own, or its supplement's): F9 is offered."""
    return any(part.shown_state == "quarantined" for part in parts)


def quarantined_of(window: Window, receipt_no: str) -> list[OutboxEntry]:
    """The application's quarantined envelopes (application parts and supplements), with reasons."""
    return [entry for entry in window.quarantined(ALL_QUARANTINED) if entry.envelope.receipt_no == receipt_no]


def reason_words(entry: OutboxEntry) -> str:
    """The quarantine reason in the current language."""
    return str(entry.last_error) or tr("（交换平台未说明原因）", "(the exchange gave no reason)")


def envelope_label(window: Window, entry: OutboxEntry) -> str:
    """``银行`` or ``公安（补正材料）``: whose envelope, and whether it carries a supplement."""
    name = department_name(window.catalog, entry.envelope.department, short=True)
    try:
        supplement = "original_envelope_id" in entry.envelope.document()
    except ValueError:
        supplement = False
    return name + (tr("（补正材料）", " (supplement)") if supplement else "")


def ask_requeue(screen: WindowScreen, receipt_no: str, done: Callable[[], None]) -> None:
    """Show the application's refused envelopes and their reasons; on yes, queue them again.

    Args:
        screen: The screen the key was pressed on (its app, window and notifications).
        receipt_no: The application.
        done: Called after a requeue (or a failure told in words), to show the parts anew.
    """
    app, window = screen.app, screen.window
    try:
        entries = quarantined_of(window, receipt_no)
    except StorageError as error:
        screen.window_app.report_storage_error(error)
        return
    if not entries:
        screen.notify(
            tr("办件 {no} 没有被交换平台退回的件", "Application {no} has no part the exchange returned", no=receipt_no),
            severity="warning",
            markup=False,
        )
        done()
        return
    lines = [
        tr(
            "办件 {no} 有 {n} 件被交换平台退回（不会自动重发）：",
            "Application {no} has {parts} the exchange returned (never resent on their own):",
            parts=counted(len(entries), "part"),
            no=receipt_no,
            n=len(entries),
        )
    ]
    lines += [
        tr("  · {d}：{r}", "  · {d}: {r}", d=envelope_label(window, entry), r=reason_words(entry)) for entry in entries
    ]
    lines += [
        "",
        tr(
            "请先确认拒收原因已经排除（例如交换平台已更新事项目录、部门地址已改正）。"
            "重新发送的是原件，内容不变，部门不会收到重复的办件；原因未排除的，会再次被退回。",
            "First make sure the cause is fixed (e.g. the exchange has the new catalog, the department's "
            "address was corrected). The very same part goes again, so the department never gets a "
            "second case; if the cause is still there, it is returned again.",
        ),
    ]
    envelope_ids = [entry.envelope.envelope_id for entry in entries]
    departments = tr("、", ", ").join(dict.fromkeys(envelope_label(window, entry) for entry in entries))

    def answered(confirmed: bool | None) -> None:
        if not confirmed:
            return
        try:
            count = window.requeue_quarantined(envelope_ids)
        except StorageError as error:
            screen.window_app.report_storage_error(error)
            done()
            return
        if count:
            app.notify(
                tr(
                    "已将 {n} 件（{d}）重新排队，下一轮同步时发送（F5 立即同步）",
                    "{parts} ({d}) queued again; they go with the next sync round (F5 syncs now)",
                    parts=counted(count, "part"),
                    n=count,
                    d=departments,
                ),
                title=tr("重新发送", "Resend"),
                markup=False,
            )
        else:
            app.notify(
                tr(
                    "这些件已不在退回状态（可能已重新发送），没有改动",
                    "These parts are no longer returned (perhaps already resent): nothing changed",
                ),
                severity="warning",
                markup=False,
            )
        screen.window_app.refresh_sync_counts()  # the header's counts, and the sync worker is woken
        done()

    app.push_screen(
        Dialog(
            tr("重新发送被退回的件", "Resend returned parts"),
            "\n".join(lines),
            confirm=True,
            confirm_label=tr("重新发送", "Resend"),
        ),
        callback=answered,
    )
