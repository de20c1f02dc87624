"""Snapshots of 好差评 at 80×24, in Chinese and English: the rating step with a 差评 chosen and a
reason ticked, and the supervisor's rectification cases with an overdue one."""

from __future__ import annotations

import datetime as dt

import pytest

from screens.rating import RatingScreen
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import make_app
from tests.window_template import seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings

SIZE = (80, 24)
LANGUAGES = pytest.mark.parametrize("english", [False, True], ids=["zh", "en"])


@pytest.fixture
def settings(tmp_path) -> Settings:
    shipped = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    return seed_window_database(shipped)


@pytest.fixture(autouse=True)
def _pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Receipt numbers and tracking codes as every snapshot has them."""
    monkeypatch.setattr("window_app.accepting.installation_tag", lambda db: "TEST")
    monkeypatch.setattr("window_app.accepting.new_tracking_code", lambda: "K7QM3XH9")


@LANGUAGES
def test_rating_step_snapshot(window, snap_compare, english):
    receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no

    async def rate(pilot) -> None:
        if english:
            await pilot.press("f2")
            await pilot.pause()
        pilot.app.push_screen(RatingScreen(receipt_no))
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        await pilot.click("#reason-B03")
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZE, run_before=rate)


@LANGUAGES
def test_rectification_snapshot(window, snap_compare, english):
    start = window.now()  # Friday 27 November 2026
    # Rated on 27 November (due 18 December) and on 10 December (due 31 December), looked at on
    # 22 December: the first overdue, the second not. All in 2026, a year the calendar knows.
    for days, level, reasons, assign in ((0, 1, ("B05", "B06"), False), (13, 2, ("B03",), True)):
        window.clock = lambda days=days: start + dt.timedelta(days=days)
        receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no
        window.rate_at_window(receipt_no, level, reasons)
        if assign:
            [case] = [c for c in window.rectification_cases() if c.receipt_no == receipt_no]
            window.assign_case(case.case_id, "A0107", "税务")
    window.clock = lambda: start + dt.timedelta(days=25)

    async def open_cases(pilot) -> None:
        if english:
            await pilot.press("f2")
            await pilot.pause()
        await pilot.press("ctrl+r")
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZE, run_before=open_cases)
