"""The rating at conclusion (Pilot): the applicant comes back for the results of a concluded
application, the clerk hands them over (C on the application), and the same rating step as after
the receipt is turned to the applicant; once per occasion, never when the tracking page was
first; ``[rating] at_window = false`` (a separate rating pad) offers neither step."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Footer, Static

from offline_cache import ratings as rating_store
from screens.application_detail import ApplicationDetailScreen
from screens.pick import PickScreen
from screens.rating import RatingScreen
from screens.receipt import ReceiptScreen
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import SIZE, anyio_backend, make_app  # noqa: F401  (fixture)
from tests.window_template import TEST_KDF
from window_app.config import RatingSettings, load_settings
from window_app.domain.clerks import Role
from window_app.domain.intake import AtWindowDecision
from window_app.domain.ratings import TRACKING, Rating, rating_id_of
from window_app.intake.io import parse_intake
from window_app.ratings.recording import RatingRefused, record
from window_app.window import Window

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "applications"
RENT = "housing_fund_rent_withdrawal"  # one class-1 item: a sole approver concludes it at the window


def concluded_at_window(window: Window) -> str:
    """A rent withdrawal concluded at the window by the (sole approver) clerk: concluded at once."""
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{RENT}.json").read_text(encoding="utf-8")))
    assert not problems
    intake.at_window = {RENT: AtWindowDecision("approved", result="提取 9600 元")}
    receipt_no = window.accept(intake).receipt_no
    window.skip_rating(receipt_no)  # the applicant left without rating after the receipt
    assert window.application(receipt_no).summary.state == "concluded"
    return receipt_no


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def footer_keys(screen) -> set[str]:
    return {key.key for key in screen.query_one(Footer).query("FooterKey")}


async def open_detail(pilot, receipt_no: str) -> ApplicationDetailScreen:
    pilot.app.push_screen(ApplicationDetailScreen(receipt_no))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ApplicationDetailScreen)
    return screen


async def test_handing_over_the_results_opens_the_rating_at_conclusion_once(window: Window) -> None:
    receipt_no = concluded_at_window(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, receipt_no)
        assert "c" in footer_keys(detail)
        await pilot.press("c")
        await pilot.pause()
        rating = app.screen
        assert isinstance(rating, RatingScreen) and (rating.receipt_no, rating.occasion) == (receipt_no, "conclusion")
        assert "已办结" in text_of(app, "#rating-intro")
        for key in ("f3", "f4", "ctrl+r", "f12"):  # the clerk's keys do nothing here
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is rating, key
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        assert app.screen is detail
        assert "领取结果：2026-11-27 09:30" in text_of(app, "#detail-summary")
        # Pressed again (the applicant came back once more): recorded once, no second rating step.
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is detail
    [rated] = window.ratings_of(receipt_no)
    assert (rated.occasion, rated.level, rated.channel) == ("conclusion", 4, "window")
    actions = [event.action for event in window.application(receipt_no).audit]
    assert actions.count("results_collected") == 1 and actions.count("rated") == 1


async def test_after_the_receipt_and_at_conclusion_both_count(window: Window) -> None:
    receipt_no = concluded_at_window(window)
    window.rating_step, window.rating_occasion = receipt_no, "receipt"  # as the accept left it
    window.rate_at_window(receipt_no, 5, ())
    assert window.hand_over_results(receipt_no)
    window.rate_at_window(receipt_no, 3, ())
    assert [(r.occasion, r.level) for r in window.ratings_of(receipt_no)] == [("receipt", 5), ("conclusion", 3)]
    total = window.report("today").total
    assert (total.ratings, total.rating_avg) == (2, 4.0)
    [by_window] = window.rating_counts("window")
    assert by_window.total == 2 and (by_window.by_level[5], by_window.by_level[3]) == (1, 1)
    with pytest.raises(RatingRefused):  # the step is over: nothing more at this window
        window.rate_at_window(receipt_no, 1, ())


async def test_a_rating_from_the_tracking_page_is_the_conclusion_s(window: Window) -> None:
    receipt_no = concluded_at_window(window)
    window_id, clerk_id, offering_id, departments = rating_store.application_facts(window.db, receipt_no)
    phone = Rating(
        rating_id=rating_id_of(receipt_no, "conclusion"), receipt_no=receipt_no, occasion="conclusion", level=5,
        reasons=(), channel=TRACKING, window_id=window_id, clerk_id=clerk_id, offering_id=offering_id,
        departments=departments, rated_at="2026-11-27T01:00:00.000Z",
    )
    assert record(window.db, phone, now=window.now(), zone=window.zone)  # as the sync records a pulled one
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, receipt_no)
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is detail  # rated from the phone already: no second conclusion rating
        assert any("已记录申请人领取结果" in str(toast.message) for toast in app._notifications)
    assert [r.channel for r in window.ratings_of(receipt_no)] == [TRACKING]


async def test_results_are_handed_over_only_once_concluded(window: Window) -> None:
    receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no
    window.skip_rating(receipt_no)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        detail = await open_detail(pilot, receipt_no)
        assert "c" not in footer_keys(detail)  # not offered before the conclusion
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is detail
    with pytest.raises(RatingRefused) as refused:
        window.hand_over_results(receipt_no)
    assert "尚未办结" in refused.value.words.zh
    assert window.results_collected_at(receipt_no) is None


async def test_a_helper_hands_nothing_over(window: Window) -> None:
    receipt_no = concluded_at_window(window)
    window.add_clerk("H0001", "帮办员", (Role.HELPER,), "pin-1357", kdf=TEST_KDF)
    window.sign_in("H0001", "pin-1357")
    with pytest.raises(Exception) as refused:
        window.hand_over_results(receipt_no)
    assert type(refused.value).__name__ == "NotPermitted"


async def test_without_the_window_s_rating_step_neither_occasion_opens_it(window: Window, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[rating]\nat_window = false\n", encoding="utf-8")
    assert load_settings(config, environ={}).rating == RatingSettings(at_window=False)
    assert load_settings(config, environ={"WINDOW_APP_RATING_AT_WINDOW": "true"}).rating.at_window
    window.settings = replace(window.settings, rating=RatingSettings(at_window=False))
    concluded = concluded_at_window(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        # After the receipt: straight back to the pick screen, no rating step.
        app.intake = house_transfer(window, materials=True, fields=True)
        app.goto_step("review")
        await pilot.pause()
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
        accepted = app.screen.receipt_no
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        # At conclusion: the results handed over (recorded), no rating step either.
        detail = await open_detail(pilot, concluded)
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is detail
    assert window.results_collected_at(concluded) is not None
    assert window.ratings_of(accepted) == window.ratings_of(concluded) == []
    with pytest.raises(RatingRefused):
        window.rate_at_window(accepted, 5, ())


def test_the_time_of_handing_over_is_stored_in_utc(window: Window) -> None:
    receipt_no = concluded_at_window(window)
    window.hand_over_results(receipt_no)
    stamp = window.results_collected_at(receipt_no)
    assert stamp is not None and dt.datetime.fromisoformat(stamp).utcoffset() == dt.timedelta(0)
