"""Helpers for the Pilot tests of the app shell and the first three steps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from screens.app import WindowApp
from tests.window_template import TEST_CLERK, TEST_CLERK_NAME, TEST_KDF, TEST_PIN
from window_app.domain.identifiers import resident_id_check_char, uscc_check_char
from window_app.domain.words import language
from window_app.trust.pins import KdfParams

# Valid identifiers, check characters computed (never a real person's number).
VALID_ID = "52232519900307121" + resident_id_check_char("52232519900307121")
OTHER_VALID_ID = "52232519850611002" + resident_id_check_char("52232519850611002")
# The same 17 digits with a wrong check digit.
WRONG_CHECK_ID = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")
VALID_USCC = "91522325MA6DKX0Y1" + uscc_check_char("91522325MA6DKX0Y1")
VALID_PHONE = "13985912345"

@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests run on asyncio (import this fixture into a test module with ``pytestmark = pytest.mark.anyio``)."""
    return "asyncio"


SIZE = (140, 45)
"""The terminal size of the Pilot and snapshot tests."""


def offering_id(window, name: str) -> str:
    """The id of the offering whose Chinese name starts with ``name``."""
    return next(o.id for o in window.offerings() if o.bundle.name.zh.startswith(name))


CHEAP_KDF = KdfParams(time_cost=1, memory_kib=8192)
"""argon2id parameters for test accounts: the real ones cost ~0.1 s a PIN."""

def signed_in(window):
    """``window`` with a clerk signed in: the fixture's own session, else the template's test
    clerk (every role; tests/window_template.py), made first on a window without accounts."""
    if window.session is None:
        if not window.has_clerks():
            window.create_first_administrator(TEST_CLERK, TEST_CLERK_NAME, TEST_PIN, kdf=TEST_KDF)
        else:
            window.sign_in(TEST_CLERK, TEST_PIN)
    return window


def make_app(window, *, sync: bool = False) -> WindowApp:
    """The app on a test window, signed in, cursors not blinking; no sync rounds of its own
    unless ``sync`` (the shipped config enables them, and a test must not depend on a stray
    exchange at 127.0.0.1:8700). F5 still syncs."""
    return WindowApp(signed_in(window), cursor_blink=False, sync=sync)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type text key by key (hanzi and ASCII; Pilot drops full-width punctuation)."""
    await pilot.press(*text)
    await pilot.pause()


async def paste(pilot: Pilot, text: str) -> None:
    """Paste text into the focused widget (the way to enter ，。？ in a test)."""
    focused = pilot.app.focused
    assert focused is not None
    focused.post_message(events.Paste(text))
    await pilot.pause()


async def fill(pilot: Pilot, selector: str, text: str, *, typed: bool = False) -> None:
    """Focus an input and put ``text`` in it: at once, or key by key with ``typed``."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = "" if typed else text
    await pilot.pause()
    if typed:
        await type_text(pilot, text)


def error_at(app: WindowApp, input_id: str) -> str:
    """The error shown under the field whose input has this id ("" for none)."""
    from screens.widgets.field_row import FieldRow

    row = app.screen.query_one(f"#{input_id}-row", FieldRow)
    if not row.has_class("-invalid"):
        return ""
    return str(row.query_one(".field-error").render())


async def start(pilot: Pilot, offering: str) -> None:
    """From the pick screen, start an offering by id (the clerk's Enter on it)."""
    pilot.app.start_intake(offering)
    await pilot.pause()
    await pilot.pause()


def footer_text(app: WindowApp) -> str:
    """The keys and descriptions the footer shows right now (a key group's keys, then its words)."""
    from textual.widgets import Footer

    footer = app.screen.query_one(Footer)
    return " ".join(str(key.render()) for key in footer.query("FooterKey, FooterLabel"))


async def until(pilot: Pilot, check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Let the app run until ``check()`` holds; fail naming ``what`` after a generous deadline
    (a loaded machine is slow: never a fixed number of pauses for work done a few messages later)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.03)


async def press_f2(pilot: Pilot) -> None:
    """F2, and the screen rebuilt in the other language: its footer offers F2 back to the first
    (the screens recompose a few messages after the key)."""
    await pilot.press("f2")
    back = "中文" if language() == "en" else "语言"
    await until(pilot, lambda: back in footer_text(pilot.app), f"the footer offering {back}")
