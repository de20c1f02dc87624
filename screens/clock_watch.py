"""The statutory clocks' warnings for the header (``超期 N · 将超期 M``) and the F3 filter.

:meth:`ClockWatch.refresh` reads ``Window.clock_warnings_apart()`` (the applications the signed-in
clerk sees) in a thread, on a read-only connection of its own, and then sets the app's
``clock_warnings`` reactive: (overdue, due soon). Counting every open application's clock takes a
noticeable moment on a busy window (about 130 ms at 2,000 open applications), too long for the UI
thread: meanwhile the header keeps showing the last count, and the keys keep working. A newer
read replaces one still running (the newest answer counts). It runs at start-up, at every sign-in
and lock, after every sync round that changed anything (a decision stops a clock, starts the next
stage's), when the applications screen reloads, and every few minutes (a clock moves with the
day, not only with what happens).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from window_app.domain.calendar import missing_years
from window_app.domain.errors import WindowAppError
from window_app.domain.words import tr

if TYPE_CHECKING:
    from textual.worker import Worker

    from window_app.clocks import ClockWarnings

REFRESH_SECONDS = 600.0
"""How often the count is read again on its own (a day turns over, a clock passes 80%)."""

WORKER_GROUP = "clock-watch"
"""The app's worker group of the reads (exclusive: a newer read cancels the older one)."""


class ClockWatch:
    """The app's clock warnings.

    Args:
        app: The :class:`~screens.app.WindowApp` (its ``window`` and ``clock_warnings``).

    Attributes:
        warnings: What the last read found (``None`` before the first, and while nobody is
            signed in).
        reads: How many reads were finished (tests wait for a number).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.warnings: ClockWarnings | None = None
        self.reads = 0
        self._asked = 0  # reads asked for: only the newest one's answer is kept
        self._waiting: list[Callable[[], None]] = []  # to call once the newest read is in

    def start(self) -> None:
        """After the first screen is drawn: read the count, keep it current, say a missing year."""
        self.refresh()
        self.app.set_interval(REFRESH_SECONDS, self.refresh)
        self.tell_calendar()

    def tell_calendar(self) -> None:
        """At start-up: a warning when the holiday calendar lacks this year (today's dates would
        be counted weekends only). A missing *next* year is said on the F8 list and by
        ``window-app overdue``: for most of a year it cannot be known yet (announced each
        November or December), and a toast at every start would teach clerks to ignore it."""
        window = self.app.window
        if window.today().year not in missing_years(window.today()):
            return
        words = window.calendar_warning()
        if words is not None:
            self.app.notify(str(words), title=tr("节假日日历", "Holiday calendar"), severity="warning", timeout=20, markup=False)

    def refresh(self, _value: object = None, *, then: Callable[[], None] | None = None) -> Worker[None] | None:
        """Read again in a thread, then set the app's count and call ``then`` (nothing is read
        while nobody is signed in: the count is 0 at once). Returns the worker, if one started."""
        window = self.app.window
        self._asked += 1
        if then is not None:
            self._waiting.append(then)
        clerk = window.clerk
        if clerk is None:
            self.warnings = None
            self.app.clock_warnings = (0, 0)
            self._done()
            return None
        return self.app.run_worker(
            partial(self._read, self._asked, clerk.id),  # a callable: a read cancelled before it began leaves no coroutine behind
            name="clock count",
            group=WORKER_GROUP,
            description="the statutory clocks' warnings",
            exclusive=True,
            exit_on_error=False,
        )

    async def _read(self, asked: int, clerk_id: str) -> None:
        """One read in a thread; its answer is kept only if it is still the newest read asked
        for and the same clerk is signed in (runs on the app's event loop)."""
        window = self.app.window
        try:
            warnings = await asyncio.to_thread(window.clock_warnings_apart)
        except WindowAppError:  # a storage failure here is no reason to interrupt the clerk: the last count stays
            warnings = None
        except Exception as error:  # a bug: the safety net's box says so (as when the read ran on the UI thread)
            warnings = None
            self.app.report_unexpected(error)
        if asked != self._asked:
            return  # a newer read was asked for: its answer counts
        clerk = window.clerk
        if warnings is not None and clerk is not None and clerk.id == clerk_id:
            self.warnings = warnings
            self.app.clock_warnings = warnings.counts
        self._done()

    def _done(self) -> None:
        self.reads += 1
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then()
