"""Snapshots of the footer in a browser (``is_web``) at 80×24, the smallest terminal, zh and en.

Where a terminal's footer says ``^n 下一步``, a browser's says ``alt+n 下一步``: Ctrl+N never
reaches a page (docs/browser-keys.md). Update after an intended change with
``pytest -n 0 --snapshot-update <these ids>`` and read the SVGs' text.
"""

from __future__ import annotations

import pytest

from tests.functional_tests.browser_helpers import browser_app
from tests.functional_tests.shell_helpers import offering_id

SMALL = (80, 24)


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_pick_in_a_browser(snap_compare, window, english):
    """The pick screen after typing ``esf``: Alt+N starts (Enter too), Esc clears."""
    assert snap_compare(browser_app(window), press=[*(["f2"] if english else []), "e", "s", "f"], terminal_size=SMALL)


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_applicant_in_a_browser(snap_compare, window, english):
    """The applicant step of 二手房…: Alt+N next, Esc back, Ctrl+S save (a browser passes it)."""
    house = offering_id(window, "二手房")

    async def run_before(pilot) -> None:
        if english:
            await pilot.press("f2")
        pilot.app.start_intake(house)
        await pilot.pause()

    assert snap_compare(browser_app(window), terminal_size=SMALL, run_before=run_before)


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_help_in_a_browser(snap_compare, window, english):
    """F1 on the applicant step in a browser: the keys the browser keeps and their Alt twins said
    under the how-to, then the keys, ``Ctrl+N / Alt+N`` on one line."""
    house = offering_id(window, "二手房")

    async def run_before(pilot) -> None:
        if english:
            await pilot.press("f2")
        pilot.app.start_intake(house)
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(browser_app(window), terminal_size=SMALL, run_before=run_before)
