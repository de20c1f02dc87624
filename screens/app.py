"""The window's Textual application: the shell around the six steps.

The app holds the one :class:`~window_app.window.Window` (every rule, every read and write) and
the :class:`~window_app.domain.intake.Intake` being taken. Step screens edit the intake and ask the
app to move; the app saves a draft at every move, and half a second after the clerk stops typing
(:mod:`screens.draft_keeper`), so closing the terminal, or killing the process, loses at most
the last moment's typing (and Ctrl+Q saves the rest). Keys typed while a step is being built go
to that step once it is shown (:mod:`screens.type_ahead`).

Keys anywhere: F1 help (:mod:`screens.help`), F2 language, F3 applications, F4 new application,
F5 sync now, F12 statistics (:mod:`screens.report`), Ctrl+L lock, Ctrl+P the command palette (:mod:`screens.commands`), Ctrl+Q quit. While
nobody is signed in only F1, F2, Ctrl+P (what it offers then) and Ctrl+Q act
(:meth:`WindowApp.check_action`). The light or dark theme is chosen from the palette and kept in
``<data dir>/prefs.json`` (:mod:`screens.theme`). Textual's own words are said in the interface
language (:mod:`screens.widgets.localized`).

A clerk signs in first (or, on a window without accounts, makes the first administrator); the
header names who is signed in; Ctrl+L and the idle time lock the window. What happens at start,
at a lock and at the next sign-in is decided in :mod:`screens.clerk_session`. What a clerk may
not do is hidden or refused with words by the screens; the services refuse it anyway
(:class:`~window_app.domain.clerks.NotPermitted`), and its words are shown in a box.

The sync worker (``[sync] enabled``) runs beside the screens in a thread of its own
(:mod:`screens.sync_link`, :mod:`window_app.sync.background`); the header shows what it reports.

An exception no screen expected never ends the clerk's session with a traceback: the app says
what happened in a box, saves the application in progress as a draft, and writes the traceback
to ``<data dir>/logs/window-app.log`` (see :mod:`screens.safety` for how, and for the few cases
where Textual cannot go on: then the app stops with the same words on stderr).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events
from textual._context import active_message_pump
from textual.app import App
from textual.reactive import reactive
from textual.screen import Screen

import screens
from screens import flow
from screens.clerk_session import ClerkSession
from screens.clock_watch import ClockWatch
from screens.draft_keeper import DraftKeeper
from screens.needs_action import NeedsAction
from screens.safety import GuardedDispatch
from screens.step import StepScreen
from screens.sync_link import SyncLink, SyncRoundDone
from screens.theme import load_theme, other_theme, save_theme
from screens.type_ahead import TypeAhead
from screens.widgets.dialog import Dialog
from screens.widgets.localized import (
    APP_BINDINGS,
    QUIT_HINT,
    QUIT_TITLE,
    WindowCommandPalette,
    WordsBinding,
    key_name,
    localize_bindings,
    localize_textual,
)
from window_app.domain.clerks import Clerk, NotPermitted, Permission
from window_app.domain.errors import StorageError, WindowAppError
from window_app.domain.intake import STEPS, Intake
from window_app.domain.words import NO_WORDS, Words, language, set_language, tr
from window_app.incidents import incident_message, record_incident, summary
from window_app.start_up import start_finished

if TYPE_CHECKING:
    from textual.command import Provider

    from window_app.window import Window


SYNC_START_DELAY_SECONDS = 0.3
"""How long after the first screen is drawn the sync worker starts (the first screen comes first)."""

START_FINISHED_SECONDS = 0.5
"""How long after the first screen is drawn the start counts as over
(:func:`window_app.start_up.start_finished`: the garbage collector, deferred by ``window-app``
while it starts, collects once and is on again), a moment the clerk is unlikely to be typing in."""


def window_commands() -> type[Provider]:
    """The command palette's provider: the app's own commands only (not Textual's English ones),
    imported when the palette first opens."""
    return screens.WindowCommands


class WindowApp(App):
    """The comprehensive window (综合窗口) terminal.

    Args:
        window: The opened window (settings, catalog, database).
        cursor_blink: Let text cursors blink. Snapshot tests pass ``False``: a blinking cursor
            makes a screenshot depend on the moment it is taken.

    Attributes:
        window: The facade every screen calls.
        intake: The application being taken, or ``None`` on the pick screen.
        sync_online: Whether the exchange answers (``None``: not known yet / no sync worker).
        sync_queued: Envelopes ready to go that wait for the line (``queued``; ``None``:
            unknown). Later stages held for a prerequisite's result wait for a department,
            not for the line: the applications screen shows them.
        sync_quarantined: Envelopes the exchange refused for good (kept, not resent).
        sync_on_courier: Queued envelopes carried on a USB courier file (在途U盘, docs/courier.md).
        sync_reason: Why the window is offline, in words; empty when it is not.
        sync_running: The sync worker runs rounds on its own (the header says "connecting"
            until the first one is done).
        sync_generation: Goes up whenever a sync round changed what screens show (they watch it).
        sync_elsewhere: Words while another process syncs this database (it holds the sync
            lock; the worker takes over when it ends); empty otherwise.
        sync_link: Starts, wakes and stops the sync worker (:class:`screens.sync_link.SyncLink`).
        clerk_id: The signed-in clerk's 工号, ``""`` while nobody is (the header follows it).
        needs_action: Applications with something that needs the signed-in clerk (补正, a
            refusal not yet seen, a quarantined envelope): the header's ``需处理 N``.
        needing_action: Keeps ``needs_action`` and toasts what is new (:class:`screens.needs_action.NeedsAction`).
        clock_warnings: (overdue, due soon): applications the signed-in clerk sees whose statutory
            clock is past its limit / past 80% of it (the header's ``超期 N · 将超期 M``).
        clock_watch: Keeps ``clock_warnings`` (:class:`screens.clock_watch.ClockWatch`).
        clerk_session: First screen, lock, idle lock (:class:`screens.clerk_session.ClerkSession`).
        type_ahead: Holds keys typed while a screen changes (:class:`screens.type_ahead.TypeAhead`).
        draft_keeper: Saves the draft as the clerk types, debounced (:class:`screens.draft_keeper.DraftKeeper`).
    """

    # The first screens' files too (sign-in, then pick): their rules are then parsed with the
    # app's, instead of Textual parsing the whole stylesheet again (every file and every
    # widget's default CSS, in a new stylesheet: its parse cache is lost) and re-applying it to
    # every widget when such a screen is first pushed. A screen's CSS_PATH is global in Textual
    # either way, not scoped to the screen; their rules name their screen.
    CSS_PATH = ["app.tcss", "pick.tcss", "sign_in.tcss"]
    COMMANDS = {window_commands}

    BINDINGS = [
        *APP_BINDINGS,
        # 差评整改 (supervisors): not in the footer, in the palette for those who may.
        WordsBinding("ctrl+r", "show_rectification", words=Words("差评整改", "Rectification"), show=False),
        # U盘传递 (supervisors, docs/courier.md): not in the footer, in the palette for those who may.
        WordsBinding("f11", "show_courier", words=Words("U盘传递", "USB courier"), show=False),
    ]

    sync_online: reactive[bool | None] = reactive(None)
    sync_queued: reactive[int | None] = reactive(None)
    sync_on_courier: reactive[int] = reactive(0)
    sync_quarantined: reactive[int] = reactive(0)
    sync_reason: reactive[Words] = reactive(NO_WORDS)
    sync_running: reactive[bool] = reactive(False)
    sync_generation: reactive[int] = reactive(0)
    sync_elsewhere: reactive[Words] = reactive(NO_WORDS)
    clerk_id: reactive[str] = reactive("")
    needs_action: reactive[int] = reactive(0)
    clock_warnings: reactive[tuple[int, int]] = reactive((0, 0))

    def __init__(self, window: Window, *, cursor_blink: bool = True, sync: bool | None = None) -> None:
        """``sync``: run the sync worker on its own (default: ``[sync] enabled``); F5 always
        syncs, whatever this says."""
        set_language(window.settings.window.language)
        super().__init__()
        self.window = window
        self.sync_link = SyncLink(self, enabled=window.settings.sync.enabled if sync is None else sync)
        self.intake: Intake | None = None
        self.clerk_session = ClerkSession(self)
        self.needing_action = NeedsAction(self)
        self.clock_watch = ClockWatch(self)
        self.type_ahead = TypeAhead(self)
        self.draft_keeper = DraftKeeper(self)
        self._stale_while_locked: list[Screen] = []
        self.cursor_blink = cursor_blink
        self._quit_despite_error = False
        self._error_dialog: Screen | None = None
        self._stopping_for_error = False
        self._stop_words = ""
        localize_bindings(self)
        localize_textual()
        self.theme = load_theme(window.settings.data_dir)
        self._set_titles()

    def _set_titles(self) -> None:
        settings = self.window.settings.window
        region = self.window.catalog.regions.get(settings.region)
        self.title = settings.centre
        self.sub_title = f"{settings.id} · {region.name if region else settings.region}"

    def on_mount(self) -> None:
        # Pushed, not the default screen: Textual loads a screen's CSS_PATH only when it is
        # pushed or switched to.
        self.sync_running = self.sync_link.enabled  # "connecting" until the first round
        try:
            self.clerk_session.start()  # pick, sign-in or first run
        except StorageError as error:  # the accounts cannot be read: said, and Ctrl+Q still quits
            self.push_screen(Dialog(tr("无法读取账号", "Cannot read the accounts"), str(error), error=True))
        self.refresh_sync_counts()
        self.needing_action.refresh()
        # Once the first screen is drawn: the calendar and the clocks' queries wait for it.
        self.screen.call_after_refresh(self.clock_watch.start)
        self.screen.call_after_refresh(self.set_timer, START_FINISHED_SECONDS, start_finished)
        if self.sync_link.enabled:
            # A moment after the first screen is drawn (counted from its first refresh, not from
            # now: on a slow or busy machine drawing it can take longer than the delay): the
            # worker's imports (httpx …) and its first round do not compete with the first
            # screen for the interpreter.
            self.screen.call_after_refresh(self.set_timer, SYNC_START_DELAY_SECONDS, self.sync_link.start)

    async def on_unmount(self) -> None:
        await self.sync_link.stop()  # its thread closes its own connection

    def watch_clerk_id(self, _clerk_id: str) -> None:
        # Another clerk sees other applications: their count, not told as news.
        self.needing_action.refresh()
        self.clock_watch.refresh()

    def watch_sync_generation(self, _generation: int) -> None:
        # A decision stops a part's clock and starts the next stage's.
        self.clock_watch.refresh()

    def on_sync_round_done(self, message: SyncRoundDone) -> None:
        self.sync_link.show(message.outcome)

    async def on_event(self, event: events.Event) -> None:
        # Any key or mouse event, wherever it goes, starts the idle time again.
        if isinstance(event, (events.Key, events.MouseEvent)):
            self.clerk_session.touched()
        self.draft_keeper.touched(event)  # the draft is written once the typing pauses
        # A key typed while the screen changes is held, then replayed to the screen that appears.
        await self.type_ahead.dispatch(event, super().on_event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Textual has no app-wide switch: a focused Input/TextArea is told not to blink.
        if not self.cursor_blink and getattr(event.widget, "cursor_blink", False):
            event.widget.cursor_blink = False  # type: ignore[attr-defined]

    # -- words for failures --------------------------------------------------------------

    def refresh_sync_counts(self) -> None:
        """Show in the header how many envelopes are queued (and how many are quarantined),
        from the database; and send what was just queued."""
        try:
            status = self.window.sync_status()
        except StorageError as error:
            self.report_storage_error(error)
            return
        self.sync_queued = status.queued
        self.sync_quarantined = status.quarantined
        self.sync_on_courier = status.on_courier
        self.sync_link.nudge()

    def report_storage_error(self, error: WindowAppError) -> None:
        """Tell the clerk, in words, that the database refused (nothing is shown as a traceback)."""
        self.notify(
            str(error),
            title=tr("数据未能保存", "Could not save"),
            severity="error",
            timeout=15,
            markup=False,
        )

    # -- the safety net: unexpected exceptions -------------------------------------------

    async def _dispatch_message(self, message: Any) -> None:
        # Key bindings run their actions here (Ctrl+N, Esc, F10 …): guarded like the screens'
        # handlers, so a failing action leaves the app running (see screens/safety.py).
        try:
            await super()._dispatch_message(message)
        except Exception as error:
            self.report_unexpected(error)

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last resort for an exception nobody caught (replaces its traceback exit).

        When the pump that raised goes on (the app's own, a guarded screen's, a timer's
        callback), the clerk gets the box and carries on; otherwise (a widget's own pump, an
        unguarded screen: Textual stops processing its messages) the app saves the draft,
        logs, and stops with words on stderr.
        """
        pump = active_message_pump.get(None)
        if pump is self or isinstance(pump, GuardedDispatch):
            self.report_unexpected(error)
        else:
            self.stop_for_error(error)

    def report_unexpected(self, error: Exception) -> None:
        """Say in a box that something went wrong; save the draft; log the traceback. Never raises.

        A :class:`~window_app.domain.clerks.NotPermitted` a screen did not catch is no program
        error: its words are shown (who may do it), nothing is logged.
        """
        if isinstance(error, NotPermitted):
            try:
                self.push_screen(Dialog(tr("无权办理", "Not permitted"), str(error), error=True))
                return
            except Exception:
                pass
        try:
            if self._exception is None:
                # run_test() re-raises this when a test's app ends, so no test passes over a
                # failure the net caught; run() never looks at it.
                self._exception = error
            if not self.is_running or self._exit or not self.screen_stack:
                self.stop_for_error(error)
                return
            draft = self._rescue_intake()
            log = self._record_incident(error)
            if self._error_dialog is not None and self._error_dialog in self.screen_stack:
                return  # one box at a time; every error is in the log
            self._error_dialog = Dialog(
                tr("程序出错", "Program error"), incident_message(error, draft=draft, log=log), error=True
            )
            self.push_screen(self._error_dialog)
        except Exception:  # the net itself failed: stop with words rather than loop
            self.stop_for_error(error)

    def stop_for_error(self, error: Exception) -> None:
        """The app cannot go on: save the draft, log, and exit with words on stderr (exit code 1)."""
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        if self._stopping_for_error:
            self._record_incident(error)
            return
        self._stopping_for_error = True
        draft = self._rescue_intake()
        log = self._record_incident(error)
        self._stop_words = incident_message(error, draft=draft, log=log, stopping=True)
        self.exit(return_code=1)

    def _print_error_renderables(self) -> None:
        # Textual calls this once the terminal is restored. The words go out as plain text:
        # Rich would break the log's path at the console width, and support staff copy it.
        if self._stop_words:
            print(self._stop_words, file=sys.stderr)
            self._stop_words = ""
            self._exit_renderables.clear()
            return
        super()._print_error_renderables()

    def _rescue_intake(self) -> str:
        """Store the application in progress as a draft: ``saved``, ``none`` or why not."""
        intake = self.intake
        if intake is None:
            return "none"
        screen = self.screen_stack[-1] if self.screen_stack else None
        if isinstance(screen, StepScreen) and screen.is_mounted:
            with contextlib.suppress(Exception):  # the failure may be in commit() itself
                screen.commit()
        try:
            if not intake.draft_id and self.is_untouched(intake):
                return "none"
            intake.draft_id = self.window.save_draft(intake)
        except StorageError as failure:
            return str(failure)
        except Exception as failure:
            return summary(failure)
        return "saved"

    def _record_incident(self, error: Exception) -> Path | None:
        """Append the traceback, and where the clerk was, to the support log."""
        try:
            now = self.window.now()
        except Exception:
            now = dt.datetime.now().astimezone()
        intake = self.intake
        settings = self.window.settings
        context = {
            "window": f"{settings.window.id} ({settings.window.region})",
            "screen": type(self.screen_stack[-1]).__name__ if self.screen_stack else "-",
            "offering": intake.offering if intake is not None else "-",
            "step": intake.step if intake is not None else "-",
            "draft": (intake.draft_id or "-") if intake is not None else "-",
        }
        return record_incident(settings.data_dir, error, now=now, context=context)

    def _commit_screen(self) -> None:
        """Copy the current step's widgets into the intake before leaving it.

        A step that cannot (it failed to build) must not keep the clerk from F3, F4 or Ctrl+Q:
        the intake keeps what was committed before, and the failure goes to the log.
        """
        screen = self.screen
        if not isinstance(screen, StepScreen):
            return
        try:
            screen.commit()
        except Exception as error:
            self._record_incident(error)
            self.notify(
                tr("本步骤刚填写的内容未能保存（已记录错误）", "What was just entered on this step could not be kept (the error was logged)"),
                severity="warning",
                markup=False,
            )

    # -- moving between steps ------------------------------------------------------------

    def _show_step(self, screen: Screen) -> None:
        """Make ``screen`` the current step, closing whatever was pushed over the steps.

        Keys typed until it is ready go to it (:mod:`screens.type_ahead`).
        """
        self.type_ahead.screen_changing()
        while not isinstance(self.screen, StepScreen) and any(
            isinstance(below, StepScreen) for below in self.screen_stack[:-1]
        ):
            self.pop_screen()
        if isinstance(self.screen, StepScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def _autosave(self) -> bool:
        """Store the intake as a draft, quietly; ``False`` (and words) when the disk refused."""
        if self.intake is None:
            return True
        try:
            self.intake.draft_id = self.window.save_draft(self.intake)
        except StorageError as error:
            self.report_storage_error(error)
            return False
        self.draft_keeper.saved(self.intake)
        return True

    def is_untouched(self, intake: Intake) -> bool:
        """Nothing typed or chosen yet (the intake equals a fresh one): not worth a draft."""
        try:
            fresh = self.window.new_intake(intake.offering).to_json()
        except KeyError:
            return False
        current = intake.to_json()
        for key in ("step", "draft_id"):
            fresh.pop(key, None)
            current.pop(key, None)
        return current == fresh

    def _park_intake(self) -> None:
        """Put the current intake aside: kept as a draft, or dropped when nothing was typed."""
        intake, self.intake = self.intake, None
        if intake is None:
            return
        if self.is_untouched(intake):
            if intake.draft_id:
                try:
                    self.window.discard_draft(intake.draft_id)
                except (KeyError, StorageError):
                    pass
            return
        try:
            intake.draft_id = self.window.save_draft(intake)
        except StorageError as error:
            self.report_storage_error(error)
            return
        self.notify(tr("当前申请已存为草稿", "The application was kept as a draft"), markup=False)

    def goto_step(self, step: str, field: str = "") -> None:
        """Show a step: record it in the intake, save the draft, switch to its screen.

        ``pick`` puts the current intake aside (kept as a draft if anything was typed).

        Args:
            field: A form field's id to focus on arrival (the review's jump back to a value).
        """
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}")
        if step == "pick":
            self._park_intake()
        elif self.intake is None:
            return
        else:
            self.intake.step = step
            if self.intake.draft_id or not self.is_untouched(self.intake):
                self._autosave()
        screen = flow.screen_for(step)
        if field and isinstance(screen, StepScreen):
            screen.focus_field(field)
        self._show_step(screen)

    def next_step(self, current: str) -> None:
        """Go to the step after ``current`` (situation is skipped when there is nothing to ask)."""
        if self.intake is None:
            return
        target = flow.next_step(self.window, self.intake, current)
        if target is not None:
            self.goto_step(target)

    def previous_step(self, current: str) -> None:
        """Go to the step before ``current``; before the applicant step is the pick screen."""
        if self.intake is None:
            return
        self.goto_step(flow.previous_step(self.window, self.intake, current) or "pick")

    def start_intake(self, offering_id: str) -> None:
        """Begin taking an application for an offering (bundle or single item).

        Picking the offering already in progress goes back to it instead of starting over. A
        clerk who may not take applications (an administrator only) is told so.
        """
        if not self.refuse_unless(Permission.DRAFT):
            return
        if self.intake is not None:
            if self.intake.offering == offering_id:
                self.goto_step(self.intake.step if self.intake.step not in ("", "pick") else "applicant")
                return
            self._park_intake()
        try:
            intake = self.window.new_intake(offering_id)
        except KeyError:
            self.notify(
                tr("本窗口不办理该事项：{id}", "Not offered at this window: {id}", id=offering_id),
                severity="error",
                markup=False,
            )
            return
        self.intake = intake
        self.goto_step("applicant")

    def resume_draft(self, draft_id: str) -> None:
        """Continue a stored draft at the step it was left on."""
        try:
            intake = self.window.load_draft(draft_id)
            self.window.offering(intake.offering)
        except KeyError:
            self.notify(
                tr("草稿无法继续：事项已不在本窗口目录中，或草稿已删除",
                   "The draft cannot be continued: its offering is no longer offered here, or it was deleted"),
                severity="error",
                markup=False,
            )
            return
        except StorageError as error:
            self.report_storage_error(error)
            return
        self._commit_screen()
        if self.intake is not None and self.intake.draft_id != draft_id:
            self._park_intake()
        intake.draft_id = intake.draft_id or draft_id
        self.intake = intake
        self.goto_step(intake.step if intake.step in STEPS and intake.step != "pick" else "applicant")

    def save_draft(self) -> None:
        """Store the intake as a draft and say so."""
        if self.intake is None:
            self.notify(tr("没有正在办理的申请", "No application in progress"), severity="warning")
            return
        if self._autosave():
            self.notify(
                tr("草稿已保存（{id}）", "Draft saved ({id})", id=self.intake.draft_id),
                title=tr("保存草稿", "Save draft"),
                markup=False,
            )

    def finish_intake(self, receipt_no: str) -> None:
        """After a successful accept: clear the intake, back to pick, show the receipt."""
        intake, self.intake = self.intake, None
        if intake is not None and intake.draft_id:
            try:
                self.window.discard_draft(intake.draft_id)
            except (KeyError, StorageError):
                pass  # the accept may already have removed it
        self._show_step(flow.screen_for("pick"))
        self.refresh_sync_counts()
        # Then the rating step (好差评), turned to the applicant: once the receipt is closed.
        self.push_screen(screens.ReceiptScreen(receipt_no), callback=lambda _: self._rating_step(receipt_no))

    def _rating_step(self, receipt_no: str) -> None:
        """The applicant rates the service just received (skipped when the step is gone: the
        window was locked and another clerk signed in meanwhile)."""
        if self.window.rating_step == receipt_no and self.window.clerk is not None:
            self.push_screen(screens.RatingScreen(receipt_no, self.window.rating_occasion))

    def show_applications(self) -> None:
        """Open the list of accepted applications over the current step (imported on first use)."""
        if isinstance(self.screen, screens.ApplicationsScreen) or not self.refuse_unless(Permission.VIEW_APPLICATIONS):
            return
        self._commit_screen()
        self.push_screen(screens.ApplicationsScreen())

    # -- clerks --------------------------------------------------------------------------

    def may(self, permission: Permission) -> bool:
        """Whether the signed-in clerk may do ``permission`` (``False`` while nobody is signed in)."""
        clerk = self.window.clerk
        return clerk is not None and clerk.may(permission)

    def refuse_unless(self, permission: Permission) -> bool:
        """``True`` if the clerk may do ``permission``; else say who may (words) and ``False``."""
        if self.may(permission):
            return True
        self.notify(
            str(NotPermitted(permission, self.window.clerk)), title=tr("无权办理", "Not permitted"), severity="warning", markup=False
        )
        return False

    def signed_in(self, clerk: Clerk) -> None:
        """A clerk signed in (sign-in or first-run screen): back where they were, or pick."""
        self.clerk_session.signed_in(clerk)
        self.screen.refresh_bindings()

    def lock_window(self) -> None:
        """Save the application in progress, sign out, show the sign-in screen over everything."""
        self.clerk_session.lock()
        self.screen.refresh_bindings()

    def forget_stale_screens(self) -> None:
        """The screens left in the other language while locked are closed (another clerk came)."""
        self._stale_while_locked = []

    def refresh_after_lock(self) -> None:
        """The clerk who locked is back: screens left behind in the other language are rebuilt."""
        stale, self._stale_while_locked = self._stale_while_locked, []
        for screen in stale:
            if screen in self.screen_stack:
                localize_bindings(screen)
                self.call_next(screen.recompose)
        self.refresh_sync_counts()

    # -- language ------------------------------------------------------------------------

    def toggle_language(self) -> None:
        """Switch between Chinese and English; every text on screen changes at once.

        The current step screen is committed and replaced by a new one; other screens (lists,
        receipts, dialogs) re-derive their bindings and recompose; a step screen under them is
        rebuilt when it is shown again.
        """
        current = self.screen
        if isinstance(current, StepScreen):
            current.commit()
        set_language("en" if language() == "zh" else "zh")
        localize_bindings(self)
        localize_textual()
        self._set_titles()
        locked = self.clerk_session.locked
        for screen in list(self.screen_stack):
            if isinstance(screen, StepScreen):
                continue  # rebuilt now if on top, else when it is shown again
            if locked and screen is not current:
                # What the clerk left open reads applications: rebuilt once they are back.
                self._stale_while_locked.append(screen)
                continue
            localize_bindings(screen)
            self.call_next(screen.recompose)
        if isinstance(current, StepScreen):
            self.rebuild_step(current)
        self.screen.refresh_bindings()

    def rebuild_step(self, screen: StepScreen) -> None:
        """Replace the current step screen by a new one (new language); keeps what was typed."""
        if screen is not self.screen:
            return
        screen.commit()
        replacement = type(screen)()
        replacement.carry_over(screen)
        replacement.keep_focus(screen)
        self.type_ahead.screen_changing()
        self.switch_screen(replacement)

    # -- actions (keys) ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While nobody is signed in only the language and quitting act (the keys are hidden).
        if action in ("show_applications", "new_intake", "sync_now", "lock", "toggle_theme") and self.clerk_session.locked:
            return False
        # The rating step is turned to the applicant: only the language and the help act there
        # (no list of applications, no new intake, no palette under the applicant's hands).
        if getattr(self.screen, "TURNED_TO_APPLICANT", False) and action not in ("toggle_language", "help"):
            return False
        if action == "show_applications":
            return self.may(Permission.VIEW_APPLICATIONS)
        return True

    def action_help(self) -> None:
        """F1: the keys and a short how-to of the current screen (F1 again or Esc closes it)."""
        if isinstance(self.screen, screens.HelpScreen):
            self.screen.dismiss(None)
            return
        self.push_screen(screens.HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        """Ctrl+P: the command palette, its words in the interface language."""
        if self.use_command_palette and not WindowCommandPalette.is_open(self):
            self.push_screen(WindowCommandPalette(id="--command-palette"))

    def action_toggle_theme(self) -> None:
        """Switch between the light and the dark theme and remember the choice for this window."""
        self.theme = other_theme(self.theme)
        try:
            save_theme(self.window.settings.data_dir, self.theme)
        except OSError as error:
            self.notify(
                tr("主题已切换，但未能保存：{reason}", "The theme changed but could not be kept: {reason}", reason=str(error)),
                severity="warning",
                markup=False,
            )

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies): say which key does, in the clerk's language."""
        quit_key = next(
            (key for key, active in self.active_bindings.items() if active.binding.action in ("quit", "app.quit")),
            "ctrl+q",
        )
        self.notify(str(QUIT_HINT.format(key=key_name(quit_key))), title=str(QUIT_TITLE), markup=False)

    def action_lock(self) -> None:
        """Ctrl+L: lock the window now (the application in progress stays)."""
        self.lock_window()

    def action_toggle_language(self) -> None:
        self.toggle_language()

    def action_show_rectification(self) -> None:
        """The supervisor's 差评 rectification cases (imported on first use)."""
        if isinstance(self.screen, screens.RectificationScreen) or not self.refuse_unless(Permission.RECTIFY):
            return
        self._commit_screen()
        self.push_screen(screens.RectificationScreen())

    def action_show_courier(self) -> None:
        """F11: export to / import from a USB stick (screens/courier.py; the backup permission)."""
        if isinstance(self.screen, screens.CourierScreen) or not self.refuse_unless(Permission.BACKUP):
            return
        self._commit_screen()
        self.push_screen(screens.CourierScreen())

    def action_show_applications(self) -> None:
        self.show_applications()

    def action_show_report(self) -> None:
        """F12: the statistics (screens/report.py) over the current screen."""
        if isinstance(self.screen, screens.ReportScreen) or not self.refuse_unless(Permission.VIEW_APPLICATIONS):
            return
        self._commit_screen()
        self.push_screen(screens.ReportScreen())

    def action_sync_now(self) -> None:
        """F5: a sync round now (backoff ignored); the outcome is told in words."""
        self.sync_link.sync_now()

    def action_new_intake(self) -> None:
        """Back to pick; the current application stays as a draft."""
        self._commit_screen()
        self.goto_step("pick")

    async def action_quit(self) -> None:
        """Save the application in progress as a draft, then quit."""
        if self.clerk_session.locked:
            self.exit()  # the draft was saved when the window locked; nobody may write now
            return
        self._commit_screen()
        if self.intake is not None and not self.is_untouched(self.intake) and not self._autosave():
            if not self._quit_despite_error:
                self._quit_despite_error = True
                self.notify(
                    tr("草稿未能保存。再按 Ctrl+Q 仍然退出。", "The draft was not saved. Press Ctrl+Q again to quit anyway."),
                    severity="error",
                    markup=False,
                )
                return
        self.exit()
