"""Type-ahead: keys typed while a step is being built go to the step that appears.

The keys are posted to the app in one burst, without waiting between them (``pilot.press``
waits until the app is idle after every key, so the screen would be ready before the next one):
the clerk who types ``qykb``, Enter and the applicant's name without looking up.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from screens.applicant import ApplicantScreen
from screens.checklist import ChecklistScreen
from screens.pick import PickScreen
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    type_text,
)

pytestmark = pytest.mark.anyio


def burst(app, *keys: str) -> None:
    """Post key events to the app at once, as a fast typist's terminal delivers them."""
    for key in keys:
        character = {"enter": "\r", "escape": "\x1b"}.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, character))


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause()


async def test_keys_typed_after_enter_on_pick_go_to_the_applicant_step(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        burst(app, "enter", "A", "B", "C")
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        focused = app.focused
        assert isinstance(focused, Input) and focused.id == "enterprise-name"
        assert focused.value == "ABC"


async def test_keys_typed_while_going_back_go_to_the_screen_that_appears(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        burst(app, "escape", "x", "y")
        await settle(pilot)
        assert isinstance(app.screen, PickScreen)
        search = app.screen.query_one("#search", Input)
        assert app.focused is search
        assert search.value.endswith("xy")


async def test_keys_typed_while_a_step_builds_are_not_lost(window):
    """Keys arriving after the switch began (no key caused it: the app moved) wait for the step."""
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        await pilot.press("enter")
        await settle(pilot)
        app.goto_step("checklist")  # what a click or a handler does
        burst(app, "down")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        table = app.screen.query_one("#checklist-table")
        assert app.focused is table
        assert table.cursor_row == 1


async def test_keys_stay_on_the_step_when_enter_does_not_move(window):
    """Enter on a step that refuses to move on: the keys typed after it still arrive there."""
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        await pilot.press("enter")
        await settle(pilot)
        burst(app, "ctrl+n", "D", "E")  # nothing typed yet: the step refuses
        await settle(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        focused = app.focused
        assert isinstance(focused, Input)
        assert focused.value.endswith("DE")
