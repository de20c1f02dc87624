"""Who works at the window now: the first screen, signing in, the lock key and the idle lock.

The app (:class:`screens.app.WindowApp`) holds one :class:`ClerkSession`; the decisions:

- **Start.** A window handed over signed in (the tests, ``window-app`` given a clerk) starts at
  the pick screen; a window without accounts at the first-run screen
  (:mod:`screens.first_run`); any other at the sign-in screen (:mod:`screens.sign_in`).
- **Locking** (Ctrl+L, or ``[clerks] idle_lock_minutes`` without a key or a click): the step
  on screen is committed and the application in progress saved as a draft (while the data key
  is still open), the window forgets the session (``Window.lock``), and the sign-in screen is
  pushed over whatever was shown. Nothing behind it is reachable: it is a full screen, and the
  app refuses its own keys but F2 and Ctrl+Q while nobody is signed in
  (:meth:`screens.app.WindowApp.check_action`). The sync worker goes on (it needs no clerk).
- **The same clerk signs in again**: the sign-in screen is popped, they are exactly where they
  were (the step, what was typed, even in the field not yet committed, a box that was open).
- **Another clerk signs in**: the screens of the one before are closed, the application in
  progress is put aside (it is in the drafts, saved at the lock), and the new clerk starts at
  the pick screen.
- The 工号 of the last clerk is kept in memory (never on disk, never the PIN) and filled in on
  the sign-in screen, so switching back takes a PIN and Enter.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

import screens
from screens import flow

if TYPE_CHECKING:
    from screens.app import WindowApp
    from window_app.domain.clerks import Clerk

IDLE_CHECKS_PER_PERIOD = 4
"""The idle time is checked this often within one idle period (at most every 5 s)."""


class ClerkSession:
    """The app's side of the clerk's session: first screen, lock, idle lock, sign-in outcome.

    Args:
        app: The app whose screens it shows.
    """

    def __init__(self, app: WindowApp) -> None:
        self.app = app
        self.last_clerk_id = ""
        """The 工号 of the clerk signed in last (filled in on the sign-in screen)."""
        self._locked_by: Clerk | None = None
        self._last_input = monotonic()

    @property
    def locked(self) -> bool:
        """Nobody is signed in (at start, or locked)."""
        return self.app.window.session is None

    @property
    def idle_seconds(self) -> float:
        """How long without a key or a click locks the window (0: never)."""
        return max(0.0, float(self.app.window.settings.clerks.idle_lock_minutes)) * 60.0

    # -- start ----------------------------------------------------------------------------

    def start(self) -> None:
        """Show the first screen and start watching the idle time."""
        window = self.app.window
        if window.session is not None:
            self._signed_in_now(window.session.clerk)
            self.app.push_screen(flow.screen_for("pick"))
        elif window.has_clerks():
            self.app.push_screen(screens.SignInScreen())
        else:
            self.app.push_screen(screens.FirstRunScreen())
        idle = self.idle_seconds
        if idle > 0:
            self.app.set_interval(min(5.0, idle / IDLE_CHECKS_PER_PERIOD), self._check_idle)

    # -- idle -----------------------------------------------------------------------------

    def touched(self) -> None:
        """A key or a mouse event: the idle time starts again."""
        self._last_input = monotonic()

    def _check_idle(self) -> None:
        if not self.locked and monotonic() - self._last_input >= self.idle_seconds:
            self.lock()

    # -- lock -----------------------------------------------------------------------------

    def lock(self) -> None:
        """Save the application in progress, forget the session, show the sign-in screen on top."""
        app = self.app
        clerk = app.window.clerk
        if clerk is None:
            return
        app._commit_screen()
        intake = app.intake
        if intake is not None and (intake.draft_id or not app.is_untouched(intake)):
            app._autosave()  # a refusal is told in words; the intake stays in memory anyway
        self._locked_by = clerk
        app.window.lock()
        app.clerk_id = ""
        app.clear_notifications()  # nothing of the clerk's work stays in view
        app.push_screen(screens.SignInScreen(locked_by=clerk))

    # -- signed in ------------------------------------------------------------------------

    def signed_in(self, clerk: Clerk) -> None:
        """A clerk signed in on the sign-in or first-run screen: where they go next."""
        app = self.app
        returning = self._locked_by is not None and self._locked_by.id == clerk.id
        self._locked_by = None
        self._signed_in_now(clerk)
        if returning:
            app.pop_screen()  # the sign-in screen: back where they were
            app.refresh_after_lock()
        else:
            self._start_fresh()

    def _signed_in_now(self, clerk: Clerk) -> None:
        self.last_clerk_id = clerk.id
        self.app.clerk_id = clerk.id
        self.touched()

    def _start_fresh(self) -> None:
        """Close every screen (the one before's), put their application aside, show pick."""
        app = self.app
        app.intake = None  # saved as a draft at the lock (if anything was typed)
        app.forget_stale_screens()
        for screen in app.screen_stack[1:]:  # above Textual's default screen
            screen.discarded = True  # type: ignore[attr-defined]  # its resume is ignored
        while len(app.screen_stack) > 1:
            app.pop_screen()
        app.push_screen(flow.screen_for("pick"))
