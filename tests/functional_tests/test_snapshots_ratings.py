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


def concluded_at_window(window) -> str:
    """A rent withdrawal (one class-1 item) concluded at the window by the sole approver."""
    import json
    from pathlib import Path

    from window_app.domain.intake import AtWindowDecision
    from window_app.intake.io import parse_intake

    example = Path(__file__).resolve().parents[2] / "examples" / "applications" / "housing_fund_rent_withdrawal.json"
    intake, problems = parse_intake(json.loads(example.read_text(encoding="utf-8")))
    assert not problems
    intake.at_window = {"housing_fund_rent_withdrawal": AtWindowDecision("approved", result="提取 9600 元")}
    receipt_no = window.accept(intake).receipt_no
    window.skip_rating(receipt_no)
    return receipt_no


@LANGUAGES
def test_rating_at_conclusion_snapshot(window, snap_compare, english):
    """C on the concluded application: the same rating step, its words for the conclusion."""
    receipt_no = concluded_at_window(window)

    async def hand_over(pilot) -> None:
        from screens.application_detail import ApplicationDetailScreen

        if english:
            await pilot.press("f2")
            await pilot.pause()
        pilot.app.push_screen(ApplicationDetailScreen(receipt_no))
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RatingScreen)
        await pilot.press("5")
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZE, run_before=hand_over)


@LANGUAGES
def test_detail_results_handed_over_snapshot(window, snap_compare, english):
    """The concluded application after the rating at conclusion: when the results were handed
    over, the key C in the footer, the events in the audit trail."""
    receipt_no = concluded_at_window(window)
    assert window.hand_over_results(receipt_no)
    window.rate_at_window(receipt_no, 4, ())

    async def open_detail(pilot) -> None:
        from screens.application_detail import ApplicationDetailScreen

        if english:
            await pilot.press("f2")
            await pilot.pause()
        pilot.app.push_screen(ApplicationDetailScreen(receipt_no))
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZE, run_before=open_detail)
