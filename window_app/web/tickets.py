"""The one-time ticket that hands a signed-in clerk to the app process the browser talks to.

The server checked the clerk's PIN (:mod:`window_app.web.sign_in`); the app process must sign the
same clerk in to open the window data key, which only the PIN opens. The PIN never goes on a
command line or into the environment (both readable by other users of the machine through
``ps`` / ``/proc``): the server writes it into a file only its user may read (0600, in a
directory only its user may enter), names the file in the child's environment
(:data:`TICKET_ENV`), and the child reads the file once and deletes it at once
(:func:`take_ticket`). A ticket older than :data:`TICKET_SECONDS` is refused.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words

TICKET_ENV = "WINDOW_APP_WEB_TICKET"
"""The environment variable naming the ticket file (its path, never its content)."""

TICKET_SECONDS = 60
"""How long a ticket is good for: the app process starts within seconds of the browser's connection."""

REFUSED = Words("浏览器登录凭据无效或已过期：请重新登录", "The browser sign-in ticket is invalid or expired: sign in again")


class TicketRefused(WindowAppError):
    """The ticket is missing, not the server's own private file, malformed or too old."""


@dataclass(frozen=True)
class Ticket:
    """Who the app process signs in as (``pin`` only in memory, never logged)."""

    clerk_id: str
    pin: str = field(repr=False)


def write_ticket(directory: Path, clerk_id: str, pin: str, *, now: dt.datetime) -> Path:
    """A new ticket file in ``directory`` (made 0700 if missing), readable by this user only.

    Returns:
        Its path (what :data:`TICKET_ENV` is set to).
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    path = directory / f"ticket-{secrets.token_hex(16)}.json"
    body = json.dumps({"clerk": clerk_id, "pin": pin, "at": now.astimezone(dt.UTC).isoformat()}).encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.write(descriptor, body)
    finally:
        os.close(descriptor)
    return path


def take_ticket(path: str, *, now: dt.datetime) -> Ticket:
    """Read the ticket at ``path`` and delete it (whatever it holds: it is good once).

    Raises:
        TicketRefused: Missing, a link, readable by others, not this user's, malformed, too old.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        raise TicketRefused(REFUSED) from None
    try:
        info = os.fstat(descriptor)
        private = stat.S_ISREG(info.st_mode) and not info.st_mode & 0o077
        owned = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        body = os.read(descriptor, 64 * 1024) if private and owned else b""
    finally:
        os.close(descriptor)
        try:
            os.unlink(path)
        except OSError:
            pass
    try:
        raw = json.loads(body)
        at = dt.datetime.fromisoformat(raw["at"])
        clerk_id, pin = str(raw["clerk"]), str(raw["pin"])
    except (ValueError, KeyError, TypeError):
        raise TicketRefused(REFUSED) from None
    age = (now - at).total_seconds()
    if not -5 <= age <= TICKET_SECONDS:
        raise TicketRefused(REFUSED)
    return Ticket(clerk_id, pin)
