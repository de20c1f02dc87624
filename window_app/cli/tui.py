"""No sub-command: the Textual app on this window, until the clerk quits.

Textual is imported here, inside :func:`run_tui`, and nowhere else in the CLI; the window (and
the context behind it) when :func:`run_tui` runs, through the package's lazy ``context``.
"""

from __future__ import annotations

import argparse
import gc

import window_app.cli
from window_app.cli.errors import EXIT_OK


def run_tui(args: argparse.Namespace) -> int:
    """Run the window's screens; the app's return code, else 0.

    The app ends the start (:func:`window_app.start_up.start_finished`) once its first screen is drawn.
    """
    context = window_app.cli.context
    settings = context.settings_from(args)
    with context.opened_window(settings) as window:
        from screens.app import WindowApp  # Textual is imported only here

        app = WindowApp(window)
        # What is loaded now (the catalog, its search index, Textual) lives until the clerk
        # quits: out of the garbage collector's full scans, which on a 10,000-offering catalog
        # took 0.3-0.9 s in the middle of typing (bench/pick_keys.py).
        gc.freeze()
        app.run()
        code = getattr(app, "return_code", None)
        return code if isinstance(code, int) else EXIT_OK
