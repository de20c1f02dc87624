"""Snapshots of every step at 80×24 (the smallest terminal the app is made for) and 120×40, in
Chinese and in English: pick with a query, applicant, situation, the form with an error, review,
receipt, and the sign-in screen of a locked window. (The checklist's are with the table screens.)

What to look for in them: the step bar on one line, footers within the line with the step's
own keys first, question texts, answers and form labels whole (wrapped, never cut).

Update on purpose with ``pytest -n 0 --snapshot-update tests/functional_tests/test_snapshots_steps.py``
and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

import window_app.accepting
from tests.functional_tests.end_steps import BROKEN_ID, house_transfer
from tests.functional_tests.shell_helpers import WRONG_CHECK_ID, make_app, offering_id
from tests.window_template import seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings


@pytest.fixture(autouse=True)
def _pinned_tracking_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """The receipt's tracking code is random (secrets): pinned here like the clock."""
    monkeypatch.setattr(window_app.accepting, "new_tracking_code", lambda: "K7QM3XH9")

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

Setup = Callable[[Pilot, object], Awaitable[None]]


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The shipped window, with a clerk named (the OS user would differ from machine to machine)."""
    shipped = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    return seed_window_database(shipped)


@pytest.fixture(autouse=True)
def _pinned_installation_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("window_app.accepting.installation_tag", lambda db: "TEST")


async def at_step(pilot: Pilot, step: str, intake) -> None:
    pilot.app.intake = intake
    pilot.app.goto_step(step)
    await pilot.pause()


async def pick(pilot: Pilot, window) -> None:
    """``qykb`` typed: 企业开办 found and previewed."""
    await pilot.press("q", "y", "k", "b")


async def applicant(pilot: Pilot, window) -> None:
    """新生儿: a wrong check digit at the ID, the phone typed, the name still missing."""
    pilot.app.start_intake(offering_id(window, "新生儿"))
    await pilot.pause()
    pilot.app.screen.query_one("#person-phone").value = "13985912345"
    pilot.app.screen.query_one("#person-id").focus()
    await pilot.pause()
    await pilot.press(*WRONG_CHECK_ID)


async def situation(pilot: Pilot, window) -> None:
    """新生儿: three questions with long answers, two optional items, four mandatory ones."""
    await at_step(pilot, "situation", window.new_intake(offering_id(window, "新生儿")))


async def form(pilot: Pilot, window) -> None:
    """The house transfer's form, the seller's ID number with a wrong check digit."""
    intake = house_transfer(window, materials=True, fields=True)
    intake.fields["seller_id_number"] = BROKEN_ID
    await at_step(pilot, "form", intake)


async def review(pilot: Pilot, window) -> None:
    await at_step(pilot, "review", house_transfer(window, materials=True, fields=True))


async def receipt(pilot: Pilot, window) -> None:
    await review(pilot, window)
    await pilot.press("f10")


async def sign_in(pilot: Pilot, window) -> None:
    """Locked with Ctrl+L: the clerk's 工号 filled in, the PIN awaited."""
    await pilot.press("ctrl+l")


CASES: dict[str, Setup] = {
    "pick": pick,
    "applicant": applicant,
    "situation": situation,
    "form": form,
    "review": review,
    "receipt": receipt,
    "sign_in": sign_in,
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("case", list(CASES))
def test_step(snap_compare, window, case: str, size: str, language: str) -> None:
    async def run_before(pilot: Pilot) -> None:
        if language == "en":
            await pilot.press("f2")
            await pilot.pause()
        await CASES[case](pilot, window)
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZES[size], run_before=run_before)
