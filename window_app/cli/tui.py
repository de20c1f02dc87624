"""No sub-command: the Textual app on this window, until the clerk quits.

Textual is imported here, inside :func:`run_tui`, and nowhere else in the CLI; the window (and
the context behind it) when :func:`run_tui` runs, through the package's lazy ``context``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os

import window_app.cli
from window_app.cli.errors import EXIT_OK
from window_app.web.tickets import TICKET_ENV, take_ticket


def run_tui(args: argparse.Namespace) -> int:
    """Run the window's screens; the app's return code, else 0.

    The app ends the start (:func:`window_app.start_up.start_finished`) once its first screen is drawn.

    Started by ``window-app serve`` for a browser (``$WINDOW_APP_WEB_TICKET`` names a one-time
    ticket, :mod:`window_app.web.tickets`), the clerk the server signed in is signed in here too
    before the first screen (no sign-in screen again); a bad ticket refuses the start in words.

    Raises:
        TicketRefused: The browser's ticket is missing, not private, malformed or too old.
        AccountError: The ticket's clerk could not be signed in (disabled, locked meanwhile).
    """
    context = window_app.cli.context
    ticket_path = os.environ.pop(TICKET_ENV, None)  # read once: not inherited by anything the app starts
    ticket = take_ticket(ticket_path, now=dt.datetime.now(dt.UTC)) if ticket_path else None
    settings = context.settings_from(args)
    with context.opened_window(settings) as window:
        if ticket is not None:
            window.sign_in(ticket.clerk_id, ticket.pin)
        from screens.app import WindowApp  # Textual is imported only here

        app = WindowApp(window)
        # What is loaded now (the catalog, its search index, Textual) lives until the clerk
        # quits: out of the garbage collector's full scans, which on a 10,000-offering catalog
        # took 0.3-0.9 s in the middle of typing (bench/pick_keys.py).
        gc.freeze()
        app.run()
        code = getattr(app, "return_code", None)
        return code if isinstance(code, int) else EXIT_OK
