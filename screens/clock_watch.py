"""The statutory clocks' warnings for the header (``超期 N · 将超期 M``) and the F3 filter.

:meth:`ClockWatch.refresh` asks ``Window.clock_warnings()`` (the applications the signed-in clerk
sees) and sets the app's ``clock_warnings`` reactive: (overdue, due soon). It runs at start-up, at
every sign-in and lock, after every sync round that changed anything (a decision stops a clock,
starts the next stage's), when the applications screen reloads, and every few minutes (a clock
moves with the day, not only with what happens).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from window_app.domain.calendar import missing_years
from window_app.domain.errors import WindowAppError
from window_app.domain.words import tr

if TYPE_CHECKING:
    from window_app.clocks import ClockWarnings

REFRESH_SECONDS = 600.0
"""How often the count is read again on its own (a day turns over, a clock passes 80%)."""


class ClockWatch:
    """The app's clock warnings.

    Args:
        app: The :class:`~screens.app.WindowApp` (its ``window`` and ``clock_warnings``).
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.warnings: ClockWarnings | None = None

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

    def refresh(self, _value: object = None) -> None:
        """Read again and set the app's count (nothing while nobody is signed in)."""
        window = self.app.window
        if window.clerk is None:
            self.warnings = None
            self.app.clock_warnings = (0, 0)
            return
        try:
            warnings = window.clock_warnings()
        except WindowAppError:  # a storage failure here is no reason to interrupt the clerk
            return
        self.warnings = warnings
        self.app.clock_warnings = warnings.counts
