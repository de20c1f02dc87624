"""Snapshots of F1 help and the command palette at 80×24, in Chinese and in English, and the form's
yes/no question in the light theme.

Update after an intended change with ``pytest -n 0 --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import pytest
from textual.command import CommandList

from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import make_app

SMALL = (80, 24)


async def palette_shown(pilot) -> None:
    """Ctrl+P, then wait for the palette's list (its search runs in a worker)."""
    await pilot.press("ctrl+p")
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if pilot.app.screen.query(CommandList) and pilot.app.screen.query_one(CommandList).option_count:
            break


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_help_on_pick(snap_compare, window, english):
    """F1 on the pick screen: its how-to, what holds everywhere, its keys."""
    assert snap_compare(make_app(window), press=[*(["f2"] if english else []), "f1"], terminal_size=SMALL)


@pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])
def test_palette_on_pick(snap_compare, window, english):
    """Ctrl+P on the pick screen: the screen's commands, then the app's, with their keys."""

    async def run_before(pilot) -> None:
        if english:
            await pilot.press("f2")
        await palette_shown(pilot)

    assert snap_compare(make_app(window), terminal_size=SMALL, run_before=run_before)


def test_form_yes_no_light(snap_compare, window):
    """The light theme on the form: fields with a visible edge, 是否家庭唯一住房 as 是/否 (unanswered)."""

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        intake = house_transfer(window, materials=True)
        pilot.app.intake = intake
        pilot.app.goto_step("form")
        await pilot.pause()
        pilot.app.screen.query_one("#field-first_home").focus()
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SMALL, run_before=run_before)
