"""The app as a browser tab shows it (``textual-serve``), for the Pilot and snapshot tests.

:class:`BrowserWindowApp` answers ``is_web`` with True, and :func:`browser_sends` presses keys
the way the page delivers them: as the bytes xterm.js writes for a key, read by Textual's own
parser (``alt+n`` arrives as ``ESC n``, a key Textual calls printable, with the character ``n``;
Pilot's ``press("alt+n")`` would give it no character and miss what an input does with it).
"""

from __future__ import annotations

from pathlib import Path

from textual._xterm_parser import XTermParser
from textual.pilot import Pilot

import screens.app
from screens.app import WindowApp
from tests.functional_tests.shell_helpers import signed_in

ALT_N = "\x1bn"
"""What xterm.js sends for Alt+N (ESC, then the letter)."""
ALT_T = "\x1bt"
ALT_Q = "\x1bq"
F10 = "\x1b[21~"
ESC = "\x1b"


class BrowserWindowApp(WindowApp):
    """The window app as served to a browser, as far as its screens can tell.

    Textual answers ``App.is_web`` from its driver: True under the web driver, which talks to a
    textual-serve process over its pipes. Pilot runs the headless driver, and the screens only
    ever ask ``is_web``; overriding that one property keeps every other part real.
    """

    # Textual reads a class's CSS files beside the module that defines it: these are beside WindowApp's.
    CSS_PATH = [Path(screens.app.__file__).parent / name for name in WindowApp.CSS_PATH]

    @property
    def is_web(self) -> bool:
        return True


def browser_app(window) -> BrowserWindowApp:
    """Like ``shell_helpers.make_app``: signed in, cursors still, no sync rounds of its own."""
    return BrowserWindowApp(signed_in(window), cursor_blink=False, sync=False)


async def browser_sends(pilot: Pilot, *keys: str) -> None:
    """Deliver each of ``keys`` (what the page's terminal writes for one key press: ``"a"``,
    :data:`ALT_N` …) to the app, one press after the other, then let the app settle.

    Each press is read on its own, as the web driver reads each message of the page.
    """
    for data in keys:
        parser = XTermParser()
        for event in [*parser.feed(data), *parser.feed("")]:  # the empty feed ends a lone ESC
            pilot.app.post_message(event)
            await pilot.pause()
    await pilot.pause()
