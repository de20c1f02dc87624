"""The rating step (Pilot): after the receipt the applicant rates by number keys or by clicking,
ticks reasons, submits or skips; a 差评 opens a rectification case, which the supervisor's
screen (Ctrl+R) takes to its end; overdue cases show there."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Button, DataTable, Input, Static

from screens.pick import PickScreen
from screens.rating import RatingScreen
from screens.receipt import ReceiptScreen
from screens.rectification import RectificationScreen
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import SIZE, anyio_backend, make_app  # noqa: F401  (fixture)
from window_app.domain.clerks import Clerk, Role
from window_app.window import Window

pytestmark = pytest.mark.anyio


async def accepted_to_rating(pilot, window: Window) -> str:
    """Accept a house transfer at the review (F10), close the receipt: the rating step shows."""
    app = pilot.app
    app.intake = house_transfer(window, materials=True, fields=True)
    app.goto_step("review")
    await pilot.pause()
    await pilot.press("f10")
    await pilot.pause()
    assert isinstance(app.screen, ReceiptScreen)
    receipt_no = app.screen.receipt_no
    await pilot.press("escape")
    await pilot.pause()
    assert isinstance(app.screen, RatingScreen) and app.screen.receipt_no == receipt_no
    return receipt_no


async def test_the_applicant_rates_with_number_keys_and_ticks_reasons(window: Window) -> None:
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no = await accepted_to_rating(pilot, window)
        assert app.screen.query_one("#rating-submit", Button).disabled  # nothing chosen yet
        await pilot.press("2")
        await pilot.pause()
        title = str(app.screen.query_one("#rating-reasons-title", Static).render())
        assert "不满意" in title
        await pilot.click("#reason-B03")
        await pilot.click("#reason-B08")
        await pilot.click("#reason-B08")  # unticked again
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
    [rating] = window.ratings_of(receipt_no)
    assert (rating.level, rating.reasons, rating.channel) == (2, ("B03",), "window")
    [case] = window.rectification_cases()
    assert case.receipt_no == receipt_no and case.state == "open"


async def test_a_click_rates_and_switching_sides_drops_the_ticks(window: Window) -> None:
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no = await accepted_to_rating(pilot, window)
        await pilot.click("#level-1")
        await pilot.pause()
        await pilot.click("#reason-B05")
        await pilot.click("#level-5")  # changed their mind: the good side's reasons
        await pilot.pause()
        assert not app.screen.query("#reason-B05")
        await pilot.click("#reason-G06")
        await pilot.click("#rating-submit")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
    [rating] = window.ratings_of(receipt_no)
    assert (rating.level, rating.reasons) == (5, ("G06",))
    assert window.rectification_cases() == []


async def test_the_clerks_keys_do_nothing_under_the_applicants_hands(window: Window) -> None:
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await accepted_to_rating(pilot, window)
        for key in ("f3", "f4", "ctrl+r", "ctrl+p", "ctrl+l"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, RatingScreen), key
        await pilot.press("f2")  # the applicant may read it in English
        await pilot.pause()
        assert isinstance(app.screen, RatingScreen)
        assert "Please rate" in str(app.screen.query_one("#rating-box").border_title)


async def test_skipping_records_nothing_and_the_step_does_not_come_back(window: Window) -> None:
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no = await accepted_to_rating(pilot, window)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        assert window.rating_step == ""
    assert window.ratings_of(receipt_no) == []


async def test_the_supervisor_takes_a_case_to_its_end_and_sees_overdue_ones(window: Window) -> None:
    receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no
    window.rate_at_window(receipt_no, 1, ("B05",))
    start = window.now()
    window.clock = lambda: start + dt.timedelta(days=40)  # past 15 working days
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, RectificationScreen)
        summary = str(screen.query_one("#cases-summary", Static).render())
        assert "逾期 1" in summary, summary
        table = screen.query_one("#cases-table", DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert any("!" in cell for cell in row), row

        for key, value in (("a", "A0107 税务"), ("c", "已电话回访，申请人接受说明"), ("x", "窗口服务规范培训一次")):
            await pilot.press(key)
            await pilot.pause()
            field = app.screen.query_one("#case-note", Input)
            field.value = value
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, RectificationScreen), app.screen
        await pilot.press("k")
        await pilot.pause()
        await pilot.press("y")  # confirm closing
        await pilot.pause()
        assert app.screen.query_one("#cases-table", DataTable).row_count == 0
    [case] = window.rectification_cases(include_closed=True)
    assert (case.state, case.assignee, case.assignee_department, case.callback) == (
        "closed", "A0107", "税务", "已电话回访，申请人接受说明"
    )


async def test_ctrl_e_is_refused_to_an_acceptor(window: Window) -> None:
    assert window.session is not None
    acceptor = Clerk("A0107", "窗口A0107", (Role.ACCEPTOR,))
    window.session = type(window.session)(acceptor, window.session.data_key, window.session.signed_in_at)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not isinstance(app.screen, RectificationScreen)
