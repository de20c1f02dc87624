"""Every screen's footer fits 80 and 120 columns, in Chinese and in English, with its keys first.

The clerk reads the keys off the footer all day; a key cut off at the right edge is a key that
does not exist. Each case opens a screen in the state that shows the most keys (an application
that both asks for a supplement and has a refused envelope: F7 and F9; the drafts tab: Delete;
an enterprise applicant: F6 …) and checks that nothing lies beyond the edge and that the keys
that matter there are shown, the screen's own first — at 120 columns F5 and the other app keys
too, on modal boxes as well; at 80 at least F5.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer, OptionList

from screens.pick import DRAFT_PREFIX
from screens.supplement import SupplementScreen
from screens.widgets.dialog import Dialog
from screens.widgets.promise_date import PromiseDateDialog
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import anyio_backend, make_app, offering_id, press_f2  # noqa: F401  (fixture)
from tests.functional_tests.test_snapshots_sync import business_startup_in_every_state
from window_app.intake.io import parse_intake

pytestmark = pytest.mark.anyio

NARROW = (120, 40)
"""The terminal the window's PCs are set up with (and the snapshots' size)."""
SMALLEST = (80, 24)
"""The smallest terminal the app is made for (a county office's old console)."""

APP_KEYS = ["ctrl+q", "ctrl+l", "f2", "f3", "f4", "f5"]
MAIN_APP_KEYS: dict[str, list[str]] = {}
"""At 80 columns, the app keys a case must still show (default F5, Sync now)."""
TURNED_TO_APPLICANT = {"rating"}
"""Cases whose footer shows no app keys at all (the rating step: the clerk's keys are refused there)."""
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "applications"

Setup = Callable[[Pilot, object], Awaitable[None]]


async def at_step(pilot: Pilot, step: str, intake) -> None:
    pilot.app.intake = intake
    pilot.app.goto_step(step)
    await pilot.pause()


async def pick(pilot: Pilot, window) -> None:
    window.save_draft(house_transfer(window))
    pilot.app.goto_step("pick")
    await pilot.pause()
    results = pilot.app.screen.query_one("#results", OptionList)  # the draft highlighted: Del
    results.highlighted = next(
        index for index, option in enumerate(results.options) if (option.id or "").startswith(DRAFT_PREFIX)
    )
    await pilot.pause()


async def applicant(pilot: Pilot, window) -> None:
    intake = window.new_intake(offering_id(window, "企业开办"))
    intake.applicant.kind = "enterprise"  # F6: contact = legal representative
    await at_step(pilot, "applicant", intake)


async def situation(pilot: Pilot, window) -> None:
    await at_step(pilot, "situation", window.new_intake(offering_id(window, "企业开办")))


async def checklist(pilot: Pilot, window) -> None:
    await at_step(pilot, "checklist", house_transfer(window))


async def form(pilot: Pilot, window) -> None:
    await at_step(pilot, "form", house_transfer(window, materials=True))


async def review(pilot: Pilot, window) -> None:
    await at_step(pilot, "review", house_transfer(window, materials=True, fields=True))


async def receipt(pilot: Pilot, window) -> None:
    await review(pilot, window)
    await pilot.press("f10")
    await pilot.pause()


async def applications(pilot: Pilot, window) -> None:
    business_startup_in_every_state(window)  # asks a supplement (F7) and has a refused envelope (F9)
    await pilot.press("f3")
    await pilot.pause()


async def drafts(pilot: Pilot, window) -> None:
    window.save_draft(house_transfer(window))
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press("f6")
    await pilot.pause()


async def detail(pilot: Pilot, window) -> None:
    await applications(pilot, window)
    await pilot.press("down", "enter")
    await pilot.pause()


async def supplement(pilot: Pilot, window) -> None:
    receipt_no = business_startup_in_every_state(window)
    pilot.app.push_screen(SupplementScreen(receipt_no))
    await pilot.pause()


async def question(pilot: Pilot, window) -> None:
    await drafts(pilot, window)
    await pilot.press("delete")
    await pilot.pause()


async def message(pilot: Pilot, window) -> None:
    pilot.app.push_screen(Dialog("title", "words"))
    await pilot.pause()


async def notices(pilot: Pilot, window) -> None:
    await detail(pilot, window)
    await pilot.press("p")  # the application's notices, to print one
    await pilot.pause()


async def promise(pilot: Pilot, window) -> None:
    await checklist(pilot, window)
    pilot.app.push_screen(PromiseDateDialog("material", check=lambda value: None, suggested="2026-12-01"))
    await pilot.pause()


async def rating(pilot: Pilot, window) -> None:
    from screens.rating import RatingScreen

    receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no
    pilot.app.push_screen(RatingScreen(receipt_no))
    await pilot.pause()


async def rectification(pilot: Pilot, window) -> None:
    await pilot.press("ctrl+r")
    await pilot.pause()


CASES: dict[str, tuple[Setup, str, list[str]]] = {
    # case: (how to get there, the screen's class, the keys its footer must show besides the app's)
    "pick": (pick, "PickScreen", ["escape", "ctrl+n", "delete"]),
    "applicant": (applicant, "ApplicantScreen", ["escape", "ctrl+n", "ctrl+s", "f6"]),
    "situation": (situation, "SituationScreen", ["escape", "ctrl+n", "ctrl+s", "p"]),
    "checklist": (checklist, "ChecklistScreen", ["escape", "ctrl+n", "ctrl+s", "1", "2", "3", "4", "5", "a", "p"]),
    "form": (form, "FormScreen", ["escape", "ctrl+n", "ctrl+s"]),
    "review": (review, "ReviewScreen", ["escape", "ctrl+s", "f10"]),
    "receipt": (receipt, "ReceiptScreen", ["escape", "p"]),
    "applications": (applications, "ApplicationsScreen", ["escape", "f6", "f7", "f8", "f9"]),
    "drafts": (drafts, "ApplicationsScreen", ["escape", "f6", "delete"]),
    "detail": (detail, "ApplicationDetailScreen", ["escape", "r", "p", "f7", "f9"]),
    "supplement": (supplement, "SupplementScreen", ["1", "2", "3", "5", "ctrl+s", "p", "escape"]),
    "question": (question, "Dialog", ["y", "escape"]),
    "message": (message, "Dialog", ["escape"]),
    "promise": (promise, "PromiseDateDialog", ["escape"]),
    "notices": (notices, "NoticeChooser", ["enter", "escape"]),
    "rating": (rating, "RatingScreen", ["f10", "escape"]),
    "rectification": (rectification, "RectificationScreen", ["a", "c", "x", "k", "h", "escape"]),
}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("size", [NARROW, SMALLEST], ids=["120", "80"])
async def test_the_footer_fits_with_its_keys(window, case: str, language: str, size: tuple[int, int]) -> None:
    """At 120 columns every key is shown; at 80 the screen's own keys, and F5 unless there is no
    room left for it, then F1 (the help lists the rest) whenever a key had to go."""
    setup, screen_name, keys = CASES[case]
    app = make_app(window)
    async with app.run_test(size=size) as pilot:
        if language == "en":
            await pilot.press("f2")
            await pilot.pause()
        await setup(pilot, window)
        await pilot.pause()
        assert type(app.screen).__name__ == screen_name
        footer = app.screen.query_one(Footer)
        shown = [key.key for key in footer.query("FooterKey")]
        words = " ".join(str(widget.render()) for widget in footer.query("FooterKey, FooterLabel"))
        assert footer.max_scroll_x == 0, f"{case} ({language}) is {footer.virtual_size.width} cells wide: {words}"
        for widget in footer.query("FooterKey, FooterLabel"):
            assert widget.region.right <= footer.region.right, f"{case} ({language}): cut off at {widget}"
        wanted = [*keys, *APP_KEYS] if size == NARROW else [*keys, *MAIN_APP_KEYS.get(case, ["f5"])]
        if case in TURNED_TO_APPLICANT:
            wanted = keys
        missing = [key for key in wanted if key not in shown]
        assert not missing, f"{case} ({language}) lacks {missing}: {words}"
        assert shown[: len(keys)] != [] and set(shown[: len(keys)]) <= set(keys), f"{case}: its own keys come first: {words}"
        bound = {key for key, *_ in app.screen.active_bindings.items()}
        if "f1" in bound and set(APP_KEYS) - set(shown):
            assert "f1" in shown, f"{case} ({language}) drops keys without F1: {words}"


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_the_footer_shows_more_keys_when_the_terminal_grows(window, language: str) -> None:
    app = make_app(window)
    async with app.run_test(size=SMALLEST) as pilot:
        if language == "en":
            await pilot.press("f2")
            await pilot.pause()
        await applicant(pilot, window)
        footer = app.screen.query_one(Footer)
        assert "ctrl+q" not in [key.key for key in footer.query("FooterKey")]
        await pilot.resize_terminal(*NARROW)
        await pilot.pause()
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert [key.key for key in footer.query("FooterKey")][-1] == "ctrl+q"


async def test_the_material_keys_are_one_group_with_their_words_on_hover_and_buttons(window) -> None:
    app = make_app(window)
    async with app.run_test(size=NARROW) as pilot:
        await checklist(pilot, window)
        footer = app.screen.query_one(Footer)
        [label] = footer.query("FooterLabel")
        assert str(label.render()) == "收取情况"
        grouped = {key.key: key.tooltip for key in footer.query("FooterKey") if key.has_class("-grouped")}
        assert grouped == {"1": "原件", "2": "复印件", "3": "共享", "4": "容缺", "5": "不适用", "a": "其余原件"}
        await press_f2(pilot)
        footer = app.screen.query_one(Footer)
        assert [str(label.render()) for label in footer.query("FooterLabel")] == ["Received"]
        # Clicking a key in the footer does what the key does.
        first = window.guide(app.intake).checklist.lines[0].material.id  # the highlighted row
        assert app.intake.materials[first].state != "original"
        await pilot.click(next(key for key in footer.query("FooterKey") if key.key == "1"))
        await pilot.pause()
        assert app.intake.materials[first].state == "original"


async def test_the_app_keys_work_on_the_receipt_as_its_footer_says(window) -> None:
    intake, problems = parse_intake(json.loads((EXAMPLES / "house_transfer.json").read_text(encoding="utf-8")))
    assert not problems
    receipt_no = window.accept(intake).receipt_no
    from screens.receipt import ReceiptScreen

    app = make_app(window)
    async with app.run_test(size=NARROW) as pilot:
        app.push_screen(ReceiptScreen(receipt_no))
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
        footer = app.screen.query_one(Footer)
        assert "f5 Sync" in " ".join(str(key.render()) for key in footer.query("FooterKey"))
        await pilot.press("f3")
        await pilot.pause()
        assert type(app.screen).__name__ == "ApplicationsScreen"
