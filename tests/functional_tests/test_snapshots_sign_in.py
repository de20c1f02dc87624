"""Snapshots of the first-run and sign-in screens at 80×24, in Chinese and in English.

Update after an intended change with ``pytest -n 0 --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest

from screens.app import WindowApp
from tests.functional_tests.shell_helpers import CHEAP_KDF
from tests.functional_tests.test_sign_in import ADMIN, SIZE, fresh_window, put, settle, with_accounts


@pytest.fixture
def window(tmp_path):  # a window without accounts
    opened = fresh_window(tmp_path)
    yield opened
    opened.close()


def make(window) -> WindowApp:
    return WindowApp(window, cursor_blink=False, sync=False)


def test_first_run(snap_compare, window):
    """A fresh data dir: the first administrator's account, what it is, what the PIN protects."""
    assert snap_compare(make(window), terminal_size=SIZE)


def test_first_run_english(snap_compare, window):
    assert snap_compare(make(window), press=["f2"], terminal_size=SIZE)


def test_sign_in_wrong_pin(snap_compare, window):
    """The words of a wrong PIN under the inputs, the 工号 kept, the PIN emptied."""
    app = make(with_accounts(window))

    async def run_before(pilot) -> None:
        await put(pilot, "#sign-in-id", ADMIN[0])
        await put(pilot, "#sign-in-pin", "999999")
        await pilot.press("enter")
        await settle(pilot, lambda: "4" in app.screen.message)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_sign_in_locked_english(snap_compare, window):
    """Locked by Ctrl+L: the clerk's 工号 filled in, the PIN awaited, only F2 and Ctrl+Q besides."""
    window.create_first_administrator(*ADMIN, kdf=CHEAP_KDF)
    app = make(window)

    async def run_before(pilot) -> None:
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
