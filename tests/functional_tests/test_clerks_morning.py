"""A clerk's morning at an 80×24 county terminal, walked through with the real exchange.

The real app through Pilot (the keys a clerk presses: tests/functional_tests/morning_helpers.py)
and the real exchange as its own process on 127.0.0.1 (tests/exchange_process.py); the
departments act over the exchange's HTTP API with their own tokens. Asserted is what the clerk
checks on screen (the header's line state and 需处理 count, toasts, F3's rows, receipt numbers)
and what the department sees in its inbox.

1. Sign in; accept 二手房转移登记, 企业开办 and 新生儿出生 through every step; F5 sends them.
   The market regulator asks for a 补正 of the middle one: toast, 需处理 1, first in F3; F7
   records the material, F5 sends it, the regulator approves. The tax office refuses the first
   one: toast, 需处理 1, first in F3 until the clerk has opened it.
2. The exchange goes away (the header says offline, accepting goes on and queues) and comes
   back at another address; the window is restarted pointed at it (``WINDOW_APP_EXCHANGE_URL``:
   a running app keeps its settings); the queue drains, the header says online, and what was
   settled before the move is not news again.
3. The app is killed (SIGKILL, its own process) in the middle of the form and started again:
   the clerk signs in, F3, the draft, and what was typed before the last step change is there.
"""

from __future__ import annotations

import datetime as dt
import json
import signal
import socket
from pathlib import Path

import pytest

from screens.application_detail import ApplicationDetailScreen
from screens.form import FormScreen
from screens.supplement import SupplementScreen
from tests.conftest import FIXED_NOW
from tests.exchange_fixtures import opened
from tests.exchange_process import ExchangeProcess
from tests.functional_tests.morning_helpers import (
    FATHER_ID,
    MOTHER_ID,
    NARROW,
    KilledWindow,
    accept_business_startup,
    accept_house_transfer,
    accept_newborn,
    clerk_shown,
    department_decides,
    f3,
    f5,
    fill_form,
    form_value,
    highlight,
    inbox,
    line_state,
    listed,
    marks,
    quit_app,
    resume_the_draft,
    row_of,
    settings_at,
    sign_in,
    start_window,
    to_act_on,
    toasts,
    until,
)
from tests.functional_tests.shell_helpers import anyio_backend  # noqa: F401  (fixture)
from tests.functional_tests.test_applications_screen import accept
from tests.functional_tests.test_full_flow import accept_at_review
from tests.window_template import TEST_CLERK, TEST_PIN

pytestmark = pytest.mark.anyio


def pinned_clock() -> dt.datetime:
    return FIXED_NOW


def receipt_nos(envelopes: list[dict]) -> list[str]:
    return [envelope["receipt_no"] for envelope in envelopes if envelope["kind"] == "application"]


async def test_three_bundles_through_every_step_and_f5_sends_them(tmp_path: Path) -> None:
    with ExchangeProcess(tmp_path / "exchange.db") as exchange:
        window, app = start_window(tmp_path / "window", exchange.url, clock=pinned_clock)
        try:
            async with app.run_test(size=NARROW) as pilot:
                await sign_in(pilot)
                assert "T001" in clerk_shown(app)

                house = await accept_house_transfer(pilot)
                business = await accept_business_startup(pilot)
                newborn = await accept_newborn(pilot)
                assert len({house, business, newborn}) == 3
                assert "待发送" in line_state(app)

                await f5(pilot)
                assert line_state(app) == "在线"
                assert to_act_on(app) == ""
                await f3(pilot)
                assert listed(app) == [newborn, business, house]  # today's, newest first
        finally:
            window.close()
        # Each department has its own part, and only its own.
        assert receipt_nos(inbox(exchange.url, "tax-522325")) == [house]
        assert receipt_nos(inbox(exchange.url, "market_regulation-522325")) == [business]
        assert receipt_nos(inbox(exchange.url, "public_security-522325")) == [newborn]
        assert receipt_nos(inbox(exchange.url, "health-522325")) == [newborn]
        (registration,) = inbox(exchange.url, "public_security-522325")
        fields = opened(json.dumps(registration["payload"]), "public_security-522325")["fields"]
        assert fields["father_id_number"]["value"] == FATHER_ID
        assert fields["mother_id_number"]["value"] == MOTHER_ID


async def test_a_supplement_is_answered_and_a_refusal_read(tmp_path: Path) -> None:
    with ExchangeProcess(tmp_path / "exchange.db") as exchange:
        window, app = start_window(tmp_path / "window", exchange.url, clock=pinned_clock)
        try:
            # Earlier this morning, at this window: two house transfers (the first one refused later).
            window.sign_in(TEST_CLERK, TEST_PIN)
            house = accept(window, "罗明")
            other_house = accept(window, "李梅")
            window.lock()
            async with app.run_test(size=NARROW) as pilot:
                await sign_in(pilot)
                business = await accept_business_startup(pilot)
                await f5(pilot)
                assert line_state(app) == "在线"

                # -- the market regulator asks for a 补正 of the business startup --------------
                assert department_decides(
                    exchange.url, "market_regulation-522325", business, "supplement_needed",
                    material="articles_of_association", reason="章程缺少全体股东签字",
                ) == ["company_registration"]
                await f5(pilot)
                told = [message for message in toasts(app) if business in message]
                assert len(told) == 1 and "补正" in told[0], toasts(app)
                assert to_act_on(app) == "需处理 1"

                await f3(pilot)
                assert listed(app) == [business, other_house, house]  # what needs the clerk first
                assert marks(app)[0] == "!"
                assert "需补正" in row_of(app, business)
                await highlight(pilot, business)
                await pilot.press("f7")
                await until(pilot, lambda: isinstance(app.screen, SupplementScreen), "F7: the supplement")
                await pilot.press("1", "ctrl+s", "n")  # the signed articles, seen in original; no slip printed
                await until(pilot, lambda: not isinstance(app.screen, SupplementScreen), "the supplement saved")
                assert to_act_on(app) == ""
                assert "待发送" in line_state(app)

                await f5(pilot)
                assert line_state(app) == "在线"
                supplements = [e for e in inbox(exchange.url, "market_regulation-522325") if e["kind"] == "supplement"]
                assert [e["receipt_no"] for e in supplements] == [business]
                assert department_decides(exchange.url, "market_regulation-522325", business) == ["company_registration"]
                await f5(pilot)  # the licence is issued: the other departments get their parts
                assert "✓" in row_of(app, business)
                assert business in receipt_nos(inbox(exchange.url, "tax-522325"))

                # -- the tax office refuses the first house transfer ----------------------------
                department_decides(exchange.url, "tax-522325", house, "rejected", reason="计税价格明显偏低")
                await f5(pilot)
                told = [message for message in toasts(app) if house in message]
                assert len(told) == 1 and "计税价格明显偏低" in told[0], toasts(app)
                assert to_act_on(app) == "需处理 1"
                assert listed(app)[0] == house  # the list open on screen is refreshed: first
                assert marks(app)[0] == "!"
                await highlight(pilot, house)
                await pilot.press("enter")  # the clerk reads it, to call the applicant
                await until(pilot, lambda: isinstance(app.screen, ApplicationDetailScreen), "the refusal's detail")
                assert to_act_on(app) == ""
                await pilot.press("escape")
                await pilot.pause()
                assert marks(app) == ["", "", ""]
        finally:
            window.close()


def hold_port(port: int) -> socket.socket:
    """Keep the old address dead: bound, not listening (connections refused), never reused."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the stopped server's TIME_WAITs
    sock.bind(("127.0.0.1", port))
    return sock


async def test_the_exchange_goes_away_and_comes_back_at_another_address(tmp_path: Path) -> None:
    exchange = ExchangeProcess(tmp_path / "exchange.db").start()
    old_url = exchange.url
    held: socket.socket | None = None
    try:
        window, app = start_window(tmp_path / "window", old_url, clock=pinned_clock)
        try:
            window.sign_in(TEST_CLERK, TEST_PIN)
            house = accept(window, "罗明")  # earlier this morning
            window.lock()
            async with app.run_test(size=NARROW) as pilot:
                await sign_in(pilot)
                await f5(pilot)
                assert line_state(app) == "在线"
                # A 补正 asked and answered before the move: settled.
                department_decides(old_url, "tax-522325", house, "supplement_needed", material="house_sale_contract", reason="合同缺少签字页")
                await f5(pilot)
                assert to_act_on(app) == "需处理 1"
                await f3(pilot)
                await highlight(pilot, house)
                await pilot.press("f7")
                await until(pilot, lambda: isinstance(app.screen, SupplementScreen), "F7: the supplement")
                await pilot.press("1", "ctrl+s", "n")  # n: no slip printed
                await until(pilot, lambda: not isinstance(app.screen, SupplementScreen), "the supplement saved")
                await f5(pilot)
                assert to_act_on(app) == "" and line_state(app) == "在线"

                # -- the exchange goes away ---------------------------------------------------
                exchange.stop()
                await f5(pilot)
                assert line_state(app).startswith("离线")
                await pilot.press("escape")  # from F3 back to the pick screen
                await pilot.pause()
                newborn = await accept_newborn(pilot)  # accepting goes on, the envelopes wait
                state = line_state(app)
                assert state.startswith("离线") and "待发送 2 件" in state, state
                await quit_app(pilot)
        finally:
            window.close()

        # -- … and comes back at another address, with its data --------------------------------
        held = hold_port(exchange.port)
        exchange.port = 0
        exchange.start()
        assert exchange.url != old_url
        # Support sets WINDOW_APP_EXCHANGE_URL (a running app keeps its settings): the clerk
        # starts the window again, as shipped (syncing on its own), and signs in.
        window, app = start_window(tmp_path / "window", exchange.url, clock=pinned_clock, sync=True)
        try:
            async with app.run_test(size=NARROW) as pilot:
                # The old address's refusal is history, not the state of the line now.
                assert not line_state(app).startswith("离线"), line_state(app)
                await sign_in(pilot)
                await until(pilot, lambda: line_state(app) == "在线", "the queue drained without a key")
                assert to_act_on(app) == ""  # what was settled before the move is not news again
                assert not [message for message in toasts(app) if "补正" in message], toasts(app)
                await f3(pilot)
                assert listed(app) == [newborn, house]
                assert marks(app) == ["", ""]
        finally:
            window.close()
        assert receipt_nos(inbox(exchange.url, "public_security-522325")) == [newborn]
        assert receipt_nos(inbox(exchange.url, "health-522325")) == [newborn]
    finally:
        exchange.stop()
        if held is not None:
            held.close()


def killed_mid_form(data_dir: Path, url: str, stop: str) -> None:
    """The window in its own process, driven into the form as ``stop`` says, then SIGKILL."""
    killed = KilledWindow(data_dir, url, stop)
    try:
        killed.wait_until_ready()
    finally:
        code = killed.kill()
    assert code == -signal.SIGKILL


async def test_killed_mid_form_and_started_again_the_draft_holds_what_was_typed(tmp_path: Path) -> None:
    data_dir = tmp_path / "window"
    with ExchangeProcess(tmp_path / "exchange.db") as exchange:
        settings_at(data_dir, exchange.url)  # the window's data dir, as installed
        # 新生儿出生: the form filled but for the father; to the review (a step change), back
        # to the form, the father's name half typed: the power goes.
        killed_mid_form(data_dir, exchange.url, "after-step-change")

        window, app = start_window(data_dir, exchange.url)
        try:
            async with app.run_test(size=NARROW) as pilot:
                await sign_in(pilot)
                await resume_the_draft(pilot)
                assert isinstance(app.screen, FormScreen)
                assert form_value(app, "child_name") == "韦子睿"
                assert form_value(app, "mother_id_number") == MOTHER_ID
                assert form_value(app, "hukou_address") == "贞丰县珉谷街道双峰社区解放路12号"
                assert form_value(app, "child_gender") == "male"
                await fill_form(pilot, {"father_name": "韦振华", "father_id_number": FATHER_ID})
                newborn = await accept_at_review(pilot)
                await f5(pilot)
                assert line_state(app) == "在线"
        finally:
            window.close()
        (registration,) = inbox(exchange.url, "public_security-522325")
        assert registration["receipt_no"] == newborn
        fields = opened(json.dumps(registration["payload"]), "public_security-522325")["fields"]
        assert fields["child_name"]["value"] == "韦子睿"
        assert fields["father_name"]["value"] == "韦振华"


async def test_killed_two_seconds_after_typing_a_field_without_a_step_change_keeps_it(tmp_path: Path) -> None:
    """Drafts save on every field change (debounced, crash-safe): a SIGKILL loses at most the
    last second, so a value typed two seconds before it is there."""
    data_dir = tmp_path / "window"
    with ExchangeProcess(tmp_path / "exchange.db") as exchange:
        settings_at(data_dir, exchange.url)
        killed_mid_form(data_dir, exchange.url, "typed-in-a-field")
        window, app = start_window(data_dir, exchange.url)
        try:
            async with app.run_test(size=NARROW) as pilot:
                await sign_in(pilot)
                await resume_the_draft(pilot)
                assert isinstance(app.screen, FormScreen)
                assert form_value(app, "father_name") == "韦振华"
                assert form_value(app, "child_name") == "韦子睿"
        finally:
            window.close()
