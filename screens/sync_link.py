"""The app's side of the sync worker: start it, wake it, stop it, and tell the clerk in words.

The worker is :class:`window_app.sync.background.BackgroundSync`, run as a Textual *thread*
worker with its own SQLite connection and its own asyncio loop (why a thread: see that module).
Each round comes back as a :class:`SyncRoundDone` message, posted to the app from the worker's
thread (``post_message`` is thread-safe); :meth:`SyncLink.show` then, on the app's loop:

- sets the header's reactives: ``sync_online``, ``sync_queued`` (envelopes ready to go:
  ``queued``), ``sync_quarantined`` and ``sync_reason`` (why offline, in words), read on the
  worker's connection after the round;
- bumps ``sync_generation`` when the round changed anything a screen shows (delivered,
  refused, a department's decision, a conclusion): the applications, detail and supplement
  screens watch it and read again;
- asks what needs the clerk (:class:`screens.needs_action.NeedsAction`): the header's
  ``需处理 N``, and a toast for each new 补正, refusal or quarantine;
- notifies: the outcome of every round the clerk asked for (F5), in words; otherwise only
  what changed — the line went down (and why) or came back, envelopes quarantined, an
  application concluded, a newer catalog downloaded (used for new applications after a restart).

While another process syncs this database (a headless ``window-app sync``, another app on the
same data dir: it holds ``<data dir>/sync.lock``), the worker sends nothing and says so:
``sync_elsewhere`` holds the header's words (``另一进程正在同步（进程 1234）``), the other
reactives follow the database as that process leaves it, F5 answers in words that the other
process syncs, and the worker takes over by itself once that process has ended (it tries every
few seconds: :data:`window_app.sync.background.BUSY_RETRY_SECONDS`).

Nothing here raises into the clerk's session: a round that failed is a sentence in the header.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from textual.message import Message

import screens
from window_app.domain.words import NO_WORDS, Words, counted, tr

if TYPE_CHECKING:
    from textual.app import App
    from textual.worker import Worker

    from window_app.sync.background import BackgroundSync, SyncRound

STOP_TIMEOUT_SECONDS = 3.0
"""How long quitting waits for the worker's thread (a round is cancelled at its next await)."""


class SyncRoundDone(Message):
    """A sync round finished (posted from the worker's thread)."""

    def __init__(self, outcome: SyncRound) -> None:
        super().__init__()
        self.outcome = outcome


class SyncLink:
    """Starts, wakes and stops the sync worker of one app, and shows what it reports.

    Args:
        app: The :class:`~screens.app.WindowApp` (its ``window`` and its sync reactives).
        enabled: Run rounds on their own (``[sync] enabled``); otherwise only on F5.
    """

    def __init__(self, app: App, *, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled
        self.background: BackgroundSync | None = None
        self.worker: Worker[Any] | None = None
        self.rounds_shown = 0
        """Rounds shown so far (tests wait on it)."""
        self.last: SyncRound | None = None
        """The last round shown."""
        self._asked: set[int] = set()

    @property
    def running(self) -> bool:
        return self.background is not None and not self.background.finished.is_set()

    def start(self) -> None:
        """Start the worker (rounds on their own if enabled; else it waits for F5)."""
        if self.running:
            return
        window = self.app.window  # type: ignore[attr-defined]

        def open_engine() -> Any:
            return window.sync_engine(program="window-app")

        self.background = screens.BackgroundSync(open_engine, self._posted, automatic=self.enabled)
        self.worker = self.app.run_worker(
            self.background.run, name="sync", group="sync", description="sync rounds", exit_on_error=False, thread=True
        )
        self.app.sync_running = self.enabled  # type: ignore[attr-defined]

    def sync_now(self) -> None:
        """The clerk's F5: a round now, ignoring backoff; its outcome is told in words."""
        if not self.running:
            self.start()
        assert self.background is not None
        self._asked.add(self.background.request())
        self.app.notify(tr("正在同步……", "Syncing…"), timeout=2, markup=False)

    def nudge(self) -> None:
        """Something was just queued: send it now (if rounds run on their own)."""
        if self.running and self.background is not None:
            self.background.nudge()

    async def stop(self) -> None:
        """End the worker and wait (a little) for its thread: its connection is closed there."""
        background = self.background
        if background is None:
            return
        background.stop()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while not background.finished.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    # -- rounds --------------------------------------------------------------------------

    def _posted(self, outcome: SyncRound) -> None:
        # The worker's thread: hand the outcome to the app's loop.
        self.app.post_message(SyncRoundDone(outcome))

    def show(self, outcome: SyncRound) -> None:
        """Header, screens and notifications after a round (on the app's loop)."""
        app: Any = self.app
        was_online = app.sync_online
        was_elsewhere = bool(getattr(app, "sync_elsewhere", NO_WORDS))
        self.last = outcome
        report, status = outcome.report, outcome.status
        if hasattr(app, "sync_elsewhere"):
            app.sync_elsewhere = elsewhere_words(outcome.holder_pid) if outcome.elsewhere else NO_WORDS
        if status is not None:
            app.sync_online = status.online
            app.sync_queued = status.queued
            app.sync_quarantined = status.quarantined
            app.sync_on_courier = status.on_courier
            reason = status.error if status.online is False else NO_WORDS
        elif report is not None:
            app.sync_online = report.online if not report.offline else False
            app.sync_queued = report.queued
            app.sync_quarantined = report.quarantined_total
            app.sync_on_courier = report.on_courier
            reason = report.error if report.offline else NO_WORDS
        elif outcome.elsewhere:
            reason = app.sync_reason  # the database could not be read: what was known stands
        else:
            app.sync_online = False
            reason = outcome.error
        app.sync_reason = reason
        app.sync_running = self.enabled
        if report is not None and getattr(report, "hot_stored", False) and getattr(app, "window", None) is not None:
            app.window.refresh_hot_list()  # the pick screen groups by it from its next search
        if outcome.changed:
            # Told before the screens read again (they refresh the count quietly).
            if hasattr(app, "needing_action"):
                app.needing_action.refresh(tell=True)
            app.sync_generation += 1
        asked = bool(self._asked.intersection(outcome.answers))
        self._asked.difference_update(outcome.answers)
        if asked:
            self._tell_outcome(outcome)
        elif outcome.elsewhere:
            if not was_elsewhere:
                app.notify(_elsewhere_sentence(outcome), title=tr("同步", "Sync"), timeout=10, markup=False)
        else:
            self._tell_changes(outcome, was_online)
        self.rounds_shown += 1

    def _tell_outcome(self, outcome: SyncRound) -> None:
        """The answer to F5: what the round did, or why it could not."""
        app: Any = self.app
        report = outcome.report
        title = tr("立即同步", "Sync now")
        if outcome.elsewhere:
            app.notify(_elsewhere_sentence(outcome), title=title, severity="warning", timeout=10, markup=False)
            return
        if report is None:
            app.notify(outcome.words(), title=title, severity="error", timeout=10, markup=False)
            return
        queued = report.queued
        if report.offline:
            why = _reason(report) or tr("交换平台无法连接", "the exchange cannot be reached")
            app.notify(
                tr(
                    "未能同步：{why}。{n} 件待发送的办件保存在本机，联网后自动发送。",
                    "Not synced: {why}. {parts} waiting to be sent are kept on this computer and go out once online.",
                    why=why,
                    n=queued,
                    parts=counted(queued, "part"),
                )
                if queued
                else tr("未能同步：{why}。本机没有待发送的办件。", "Not synced: {why}. Nothing is waiting to be sent.", why=why),
                title=title,
                severity="warning",
                timeout=10,
                markup=False,
            )
            return
        text = tr(
            "已同步：发出 {d} 件，收到部门意见 {e} 条，待发送 {w} 件",
            "Synced: {d} sent, {events} received, {w} waiting",
            events=counted(report.decisions, "department decision"),
            d=report.delivered,
            e=report.decisions,
            w=queued,
        )
        if report.concluded:
            text += tr("；办结 {n} 件", "; {n} concluded", n=len(report.concluded))
        if report.notify.pending:
            text += tr(
                "；短信通知待发 {n} 条",
                "; {notes} to applicants pending",
                n=report.notify.pending,
                notes=counted(report.notify.pending, "notification"),
            )
        if report.notify.error:
            text += tr("（短信：{why}）", " (notifications: {why})", why=report.notify.error)
        severity = "information"
        if not report.ok or not report.online:
            text += tr("。注意：{why}", ". Note: {why}", why=_reason(report))
            severity = "error" if report.quarantined else "warning"
        app.notify(text, title=title, severity=severity, timeout=8 if severity == "information" else 12, markup=False)

    def _tell_changes(self, outcome: SyncRound, was_online: bool | None) -> None:
        """A round of its own accord: only what the clerk should know now."""
        app: Any = self.app
        report = outcome.report
        if report is None:
            if was_online is not False:
                app.notify(outcome.words(), title=tr("同步", "Sync"), severity="error", timeout=10, markup=False)
            return
        online = app.sync_online
        if online is False and was_online is not False:
            app.notify(
                tr(
                    "与交换平台的连接中断：{why}。已受理的办件保存在本机，联网后自动发送。",
                    "The line to the exchange is down: {why}. Accepted applications are kept on this computer and go out once online.",
                    why=app.sync_reason or _reason(report),
                ),
                title=tr("离线", "Offline"),
                severity="warning",
                timeout=10,
                markup=False,
            )
        elif online and was_online is False:
            app.notify(
                tr(
                    "已恢复联网：发出 {d} 件，待发送 {n} 件",
                    "Back online: {d} sent, {n} waiting",
                    d=report.delivered,
                    n=app.sync_queued or 0,
                ),
                title=tr("在线", "Online"),
                markup=False,
            )
        if report.quarantined:
            app.notify(
                tr(
                    "{n} 件被交换平台退回（不会自动重发）：{why}",
                    "{parts} returned by the exchange (not resent on their own): {why}",
                    parts=counted(report.quarantined, "part"),
                    n=report.quarantined,
                    why=_reason(report),
                ),
                title=tr("被交换平台退回", "Returned by the exchange"),
                severity="error",
                timeout=15,
                markup=False,
            )
        for receipt_no in report.concluded:
            app.notify(
                tr("办件 {no} 已办结", "Application {no} concluded", no=receipt_no),
                title=tr("办结", "Concluded"),
                markup=False,
            )
        catalog = report.catalog
        if catalog is not None and catalog.status == "installed" and catalog.message:
            app.notify(
                str(catalog.message),
                title=tr("事项目录", "Catalog"),
                timeout=15,
                markup=False,
            )


def elsewhere_words(pid: int | None) -> Words:
    """The header's words while another process syncs: ``另一进程正在同步（进程 1234）``."""
    if pid is None:
        return Words("另一进程正在同步", "Syncing in another process")
    return Words("另一进程正在同步（进程 {pid}）", "Syncing in another process ({pid})").format(pid=pid)


def _elsewhere_sentence(outcome: SyncRound) -> str:
    return tr(
        "{who}，由它发送和接收；本窗口程序不同步，它结束后自动接手。",
        "{who}: it sends and receives. This window app does not sync meanwhile and takes over once it has ended.",
        who=outcome.error,
    )


def _reason(report: Any) -> str:
    return str(report.error)
