"""The server side of the browser sessions: who is signed in on which window, and its app.

A session is a random token in a cookie (HttpOnly, SameSite=Strict, Secure under TLS); the
server keeps, per token, the window, the clerk and the PIN (in memory only, to write each new
app process its ticket: a reload starts a new process, which must open the data key again), and
forgets all of it at sign-out, after :data:`IDLE_HOURS` without a request, or when the server
stops. One window runs one app at a time: a second clerk cannot sign in on a window while another
clerk's app runs on it (the two would share the data dir); a session left without signing out,
its page closed, ends when the next clerk signs in on that window; and the same session's new
connection (a reload) ends its previous app first.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from window_app.domain.clerks import Clerk

COOKIE = "window_app_session"
IDLE_HOURS = 12.0
"""A session unused this long is forgotten (a working day and some)."""


@dataclass
class BrowserSession:
    """One signed-in clerk on one window.

    Attributes:
        token: The cookie's value.
        window_id: The window it is on.
        clerk: Who signed in.
        language: ``zh`` or ``en`` (chosen on the sign-in page; the app starts in it).
        pin: Kept to write each new app process its ticket; forgotten with the session.
        app: The running app's handle (the websocket's), if any.
    """

    token: str
    window_id: str
    clerk: Clerk
    language: str
    pin: str = field(repr=False)
    last_used: float = 0.0
    app: Any = field(default=None, repr=False)


@dataclass
class Sessions:
    """Every live session, by token."""

    clock: Callable[[], float] = time.monotonic
    idle_seconds: float = IDLE_HOURS * 3600
    _by_token: dict[str, BrowserSession] = field(default_factory=dict)

    def start(self, window_id: str, clerk: Clerk, pin: str, language: str) -> BrowserSession:
        """A new session (the clerk's older sessions on this window end)."""
        for old in [s for s in self._by_token.values() if s.window_id == window_id and s.clerk.id == clerk.id]:
            self.end(old.token)
        session = BrowserSession(secrets.token_urlsafe(32), window_id, clerk, language, pin, self.clock())
        self._by_token[session.token] = session
        return session

    def get(self, token: str | None) -> BrowserSession | None:
        """The live session of ``token`` (its idle time starts again), or ``None``."""
        self._expire()
        session = self._by_token.get(token or "")
        if session is not None:
            session.last_used = self.clock()
        return session

    def holder(self, window_id: str) -> BrowserSession | None:
        """The live session on ``window_id``, if any."""
        self._expire()
        return next((s for s in self._by_token.values() if s.window_id == window_id), None)

    def end(self, token: str) -> BrowserSession | None:
        """Forget the session (its PIN with it); the caller stops its app."""
        session = self._by_token.pop(token, None)
        if session is not None:
            session.pin = ""
        return session

    def all(self) -> list[BrowserSession]:
        return list(self._by_token.values())

    def _expire(self) -> None:
        now = self.clock()
        for session in [s for s in self._by_token.values() if now - s.last_used > self.idle_seconds and s.app is None]:
            self.end(session.token)
