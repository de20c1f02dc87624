"""Snapshots of the first three steps at a fixed terminal size, cursors not blinking.

Update after an intended change with ``pytest --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

from tests.functional_tests.shell_helpers import SIZE, WRONG_CHECK_ID, make_app, offering_id


def test_pick_screen(snap_compare, window):
    """Home screen after typing ``qykb``: 企业开办 highlighted, its guide previewed."""
    assert snap_compare(make_app(window), press=["q", "y", "k", "b"], terminal_size=SIZE)


def test_pick_screen_english(snap_compare, window):
    """The unfiltered, grouped list in English."""
    assert snap_compare(make_app(window), press=["f2"], terminal_size=SIZE)


def test_applicant_with_error(snap_compare, window):
    """Applicant step: a wrong check digit shown in red at the ID field, name still missing."""
    newborn = offering_id(window, "新生儿")

    async def run_before(pilot) -> None:
        pilot.app.start_intake(newborn)
        await pilot.pause()
        pilot.app.screen.query_one("#person-phone").value = "13985912345"
        pilot.app.screen.query_one("#person-id").focus()
        await pilot.pause()
        await pilot.press(*WRONG_CHECK_ID)
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZE, run_before=run_before)


def test_situation(snap_compare, window):
    """Situation step of 企业开办 with the bank account declined."""
    startup = offering_id(window, "企业开办")

    async def run_before(pilot) -> None:
        pilot.app.start_intake(startup)
        await pilot.pause()
        pilot.app.goto_step("situation")
        await pilot.pause()
        box = next(b for b in pilot.app.screen.query(".optional") if b.name == "bank_account_opening")
        box.value = False
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZE, run_before=run_before)
