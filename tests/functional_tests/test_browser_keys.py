"""In a browser tab (textual-serve) the footer shows keys the browser passes, and they work.

A real Chrome or Edge window keeps Ctrl+N, Ctrl+T and Ctrl+W for itself (Firefox on Linux
Ctrl+Q too: ``screens/browser_keys.py``). The app is run with ``is_web`` true
(:class:`~tests.functional_tests.browser_helpers.BrowserWindowApp`) and given its keys as the
page's terminal writes them (``ESC n`` for Alt+N), read by Textual's own parser. A clerk takes
an application from the pick screen to the receipt without a key the browser keeps.
"""

from __future__ import annotations

import pytest
from textual.widgets import Button, DataTable, Footer, Input

from screens.applicant import ApplicantScreen
from screens.applications import ApplicationsScreen
from screens.browser_keys import kept_by_browsers
from screens.checklist import ChecklistScreen
from screens.form import FormScreen
from screens.help import HelpScreen, Prose
from screens.pick import PickScreen
from screens.receipt import ReceiptScreen
from screens.review import ReviewScreen
from screens.situation import SituationScreen
from tests.functional_tests.browser_helpers import ALT_N, ALT_Q, ALT_T, ESC, F10, browser_app, browser_sends
from tests.functional_tests.end_steps import BUYER, house_transfer
from tests.functional_tests.rating_steps import skip_rating
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
    paste,
)
from tests.functional_tests.test_applications_screen import accept, rows
from tests.functional_tests.test_conventions import open_palette, options
from tests.functional_tests.test_footers import CASES, SMALLEST
from tests.functional_tests.test_full_flow import answer

pytestmark = pytest.mark.anyio

WIDE = (120, 40)


def footer_keys(app) -> list[str]:
    return [key.key for key in app.screen.query("FooterKey")]


async def test_the_footer_in_a_browser_shows_alt_n_and_alt_q_and_in_a_terminal_ctrl(window) -> None:
    in_browser = browser_app(window)
    async with in_browser.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert isinstance(in_browser.screen, PickScreen)
        keys = footer_keys(in_browser)
        assert "alt+n" in keys and "alt+q" in keys, footer_text(in_browser)
        assert "ctrl+n" not in keys and "ctrl+q" not in keys
        assert "alt+n 开始办理" in footer_text(in_browser)
    in_terminal = make_app(window)
    async with in_terminal.run_test(size=WIDE) as pilot:
        await pilot.pause()
        keys = footer_keys(in_terminal)
        assert "ctrl+n" in keys and "ctrl+q" in keys, footer_text(in_terminal)
        assert "alt+n" not in keys and "alt+q" not in keys


async def test_from_pick_to_the_receipt_with_keys_a_browser_passes(window) -> None:
    app = browser_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await browser_sends(pilot, "e", "s", "f", ALT_N)  # 二手房…: Alt+N starts it
        assert isinstance(app.screen, ApplicantScreen)
        assert app.focused is not None and app.focused.id == "person-name"
        assert "alt+n 下一步" in footer_text(app) and "ctrl+n" not in footer_keys(app)

        await browser_sends(pilot, ALT_N)  # nothing typed yet: refused, and no "n" in the field
        assert isinstance(app.screen, ApplicantScreen)
        assert app.screen.query_one("#person-name", Input).value == ""

        for value in (BUYER.name, BUYER.id_number, BUYER.phone):
            await paste(pilot, value)  # an IME commits the name in one piece
            await browser_sends(pilot, "\r")
        await browser_sends(pilot, ALT_N)
        assert isinstance(app.screen, SituationScreen), [n.message for n in app._notifications][-3:]
        await answer(pilot, "buyer_marital", "married")  # Tab, arrows and Enter: no browser keeps them
        await answer(pilot, "has_gas", "no")
        await browser_sends(pilot, ALT_N)
        assert isinstance(app.screen, ChecklistScreen)
        await browser_sends(pilot, "a", ALT_N)  # the rest as originals
        assert isinstance(app.screen, FormScreen)
        assert app.screen.query_one("#step-body") is not None

        # The form's fields as the clerk would have typed them; the keys from here on are the test.
        app.intake.fields.update(house_transfer(window, materials=True, fields=True).fields)
        app.goto_step("form")
        await pilot.pause()
        await browser_sends(pilot, ALT_N)
        assert isinstance(app.screen, ReviewScreen), [n.message for n in app._notifications][-3:]
        await browser_sends(pilot, F10)
        assert isinstance(app.screen, ReceiptScreen)
        await browser_sends(pilot, ESC)
        await skip_rating(pilot)
        assert isinstance(app.screen, PickScreen)
    [application] = window.applications()
    assert application.applicant_name == BUYER.name


async def test_alt_t_switches_the_applications_scope_even_from_the_search_field(window) -> None:
    old = accept(window, days_ago=3)
    new = accept(window, "李梅")
    app = browser_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await browser_sends(pilot, "\x1bOR")  # F3
        assert isinstance(app.screen, ApplicationsScreen)
        assert rows(app) == [new]
        assert "Alt+T" in str(app.screen.query_one("#apps-scope", Button).label)  # the key it names works here
        search = app.screen.query_one("#apps-search", Input)
        search.focus()
        await pilot.pause()
        await browser_sends(pilot, ALT_T)
        assert rows(app) == [new, old]
        assert search.value == ""
        assert isinstance(app.screen.query_one("#apps-table"), DataTable)


async def test_alt_q_quits_and_keeps_the_draft(window) -> None:
    app = browser_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await browser_sends(pilot, "e", "s", "f", ALT_N)
        await paste(pilot, "王小明")
        await browser_sends(pilot, ALT_Q)
    assert app.return_code == 0
    assert [draft.applicant_name for draft in window.drafts()] == ["王小明"]


async def test_the_palette_in_a_browser_names_the_keys_that_work_there(window) -> None:
    app = browser_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await browser_sends(pilot, "e", "s", "f", ALT_N)
        palette = await open_palette(pilot)  # Ctrl+P: xterm.js keeps the browser from printing
        lines = options(palette)
        assert "下一步  Alt+N" in lines and "退出  Alt+Q" in lines, lines
        assert not [line for line in lines if "Ctrl+N" in line or "Ctrl+Q" in line]
    terminal = make_app(window)
    async with terminal.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = options(await open_palette(pilot))
        assert "开始办理  Ctrl+N" in lines and "退出  Ctrl+Q" in lines, lines


async def test_f1_in_a_browser_names_the_keys_the_browser_keeps(window) -> None:
    app = browser_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await browser_sends(pilot, "e", "s", "f", ALT_N, "\x1bOP")  # F1
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys").render())
        assert "Ctrl+N / Alt+N  下一步" in keys and "Ctrl+Q / Alt+Q  退出" in keys
        said = app.screen.query_one("#help-browser", Prose).text
        assert "Ctrl+W" in said and "Alt+N 下一步" in said  # the keys the browser keeps, said
    terminal = make_app(window)
    async with terminal.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert not terminal.screen.query("#help-browser")


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("case", list(CASES))
async def test_every_footer_fits_80_columns_in_a_browser_with_its_keys(window, case: str, language: str) -> None:
    """The cases of test_footers.py in a browser at 80×24: Alt+N is wider than ^n, and still
    every screen's own keys are shown, none beyond the edge, none a browser keeps."""
    setup, screen_name, keys = CASES[case]
    app = browser_app(window)
    async with app.run_test(size=SMALLEST) as pilot:
        if language == "en":
            await pilot.press("f2")
            await pilot.pause()
        await setup(pilot, window)
        await pilot.pause()
        assert type(app.screen).__name__ == screen_name
        footer = app.screen.query_one(Footer)
        words = footer_text(app)
        assert footer.max_scroll_x == 0, f"{case} ({language}) is {footer.virtual_size.width} cells wide: {words}"
        shown = footer_keys(app)
        assert not [key for key in shown if kept_by_browsers(key)], words
        wanted = ["alt+n" if key == "ctrl+n" else key for key in keys]
        assert not [key for key in wanted if key not in shown], f"{case} ({language}): {words}"
