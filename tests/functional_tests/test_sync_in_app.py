"""The sync worker inside the app, against the REAL exchange on 127.0.0.1 (tests/exchange_fixtures.py).

The real app through Pilot; applications accepted with F10 on the review screen; the
departments decide over HTTP with their own tokens (``DepartmentClient``); what arrived is
counted in the exchange's own SQLite file. Most tests run the app with ``sync=False`` (no rounds
of its own) so that every round is the clerk's F5 and the test knows when one happened; one
test lets the worker run on its own.
"""

from __future__ import annotations

import datetime as dt
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from screens.application_detail import ApplicationDetailScreen
from screens.applications import ApplicationsScreen
from screens.receipt import ReceiptScreen
from screens.supplement import SupplementScreen
from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.rating_steps import skip_rating
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
)
from tests.functional_tests.shell_helpers import until as shell_until
from tests.window_template import open_signed_in, seed_window_database
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.window import Window

pytestmark = pytest.mark.anyio

FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TAX_RESULT = "完税证明 522325-2026-000123"
ROUND_TIMEOUT = 15.0


def settings_for(tmp_path: Path, url: str, **env: str):
    environ = {
        "WINDOW_APP_EXCHANGE_URL": url,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
        "WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS": "5",
        "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": "0.2",
        "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": "1",
        **env,
    }
    return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "window"))


@pytest.fixture
def open_window(tmp_path: Path) -> Iterator[Callable[..., Window]]:
    opened: list[Window] = []

    def opener(url: str, **env: str) -> Window:
        window = open_signed_in(settings_for(tmp_path, url, **env), clock=lambda: FIXED_NOW)
        opened.append(window)
        return window

    yield opener
    for window in opened:
        window.close()


def exchange_rows(server: ExchangeServer, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(server.db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def decide(server: ExchangeServer, department: str, decision: str = "approved", **extra: str) -> list[str]:
    """The department lists its open envelopes and decides every item; returns the items decided."""
    decided = []
    with DepartmentClient(server.url, server.department_token(department)) as client:
        for envelope in client.inbox("open"):
            if envelope["kind"] == "handover":  # 三类登记办: the department signs for the paper
                client.decide(envelope["envelope_id"], "", "acknowledged", decided_by="收件员", keys=DepartmentKeys.demo(department))
                decided += [item["id"] for item in envelope["items"]]
                continue
            if envelope["kind"] != "application":
                continue
            for item in envelope["payload"]["items"]:
                options = dict(extra)
                if decision == "approved":
                    options.setdefault("result", f"{item['result']} 522325-2026-000123")
                client.decide(envelope["envelope_id"], item["id"], decision, decided_by="审批员", keys=DepartmentKeys.demo(department), **options)
                decided.append(item["id"])
    return decided


def badge(app) -> str:
    return str(app.screen.query_one("#sync-status", Static).render())


async def until(pilot, check: Callable[[], bool], what: str, timeout: float = ROUND_TIMEOUT) -> None:
    """:func:`shell_helpers.until` with a sync round's deadline."""
    await shell_until(pilot, check, what, timeout)


async def f5(pilot) -> None:
    """The clerk's F5, and the round it asked for shown."""
    app = pilot.app
    shown = app.sync_link.rounds_shown
    await pilot.press("f5")
    await until(pilot, lambda: app.sync_link.rounds_shown > shown, "the F5 round")
    await pilot.pause()


async def accept_in_app(pilot, window: Window) -> str:
    """Take a house transfer to the review step and accept it with F10; back to the pick screen."""
    app = pilot.app
    app.intake = house_transfer(window, materials=True, fields=True)
    app.goto_step("review")
    await pilot.pause()
    await pilot.press("f10")
    await pilot.pause()
    assert isinstance(app.screen, ReceiptScreen)
    receipt_no = app.screen.receipt_no
    await pilot.press("escape")
    await skip_rating(pilot)  # the rating step (好差评) the applicant may skip
    await pilot.pause()
    return receipt_no


async def open_applications(pilot) -> ApplicationsScreen:
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ApplicationsScreen)
    return pilot.app.screen


def parts_cell(app, receipt_no: str) -> str:
    return str(app.screen.query_one("#apps-table", DataTable).get_row(receipt_no)[5])


def state_cell(app, receipt_no: str) -> str:
    return str(app.screen.query_one("#apps-table", DataTable).get_row(receipt_no)[4])


def progress(app) -> str:
    return str(app.screen.query_one("#apps-progress", Static).render())


# -- sending ------------------------------------------------------------------------------


async def test_f5_sends_what_was_accepted_and_the_header_counts_down(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        assert "f5 同步" in footer_text(app)
        receipt_no = await accept_in_app(pilot, window)
        assert "待发送 1 件" in badge(app)  # 税务 goes first; the later stages wait for its result
        assert exchange_rows(exchange_server, "SELECT count(*) FROM envelopes") == [(0,)]

        await f5(pilot)

        assert exchange_rows(exchange_server, "SELECT receipt_no, department, kind FROM envelopes") == [
            (receipt_no, "tax-522325", "application")
        ]
        assert badge(app) == "在线"  # nothing waits for the line any more
        assert app.sync_queued == 0
        await open_applications(pilot)
        assert parts_cell(app, receipt_no) == "税务→ 不动产◦ 供电◦ 供水◦"
        # F5 works on every screen, and is in every footer.
        assert "f5 同步" in footer_text(app)


async def test_the_worker_runs_on_its_own_when_enabled(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url, WINDOW_APP_SYNC_INTERVAL_SECONDS="60")
    app = make_app(window, sync=True)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: app.sync_link.rounds_shown >= 1, "the first round")
        assert badge(app) == "在线"
        receipt_no = await accept_in_app(pilot, window)
        # Accepting wakes the worker: no F5, no waiting for the 60 s interval.
        await until(
            pilot,
            lambda: exchange_rows(exchange_server, "SELECT count(*) FROM envelopes") == [(1,)] and app.sync_queued == 0,
            "the accepted envelope sent by the worker",
        )
        assert window.application(receipt_no).summary.parts[0].state == "sent"
    # Quitting stopped the worker's thread (its connection is closed there).
    assert app.sync_link.background is not None and app.sync_link.background.finished.is_set()


# -- decisions back -------------------------------------------------------------------------


async def test_decisions_come_back_with_times_and_the_conclusion(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no = await accept_in_app(pilot, window)
        await f5(pilot)
        await open_applications(pilot)
        await pilot.press("down")  # into the list: the application is highlighted
        await pilot.pause()

        assert decide(exchange_server, "tax-522325", result=TAX_RESULT) == ["house_transaction_tax"]
        await f5(pilot)  # the approval comes back; 不动产 is released and sent in the same round
        cell = parts_cell(app, receipt_no)
        assert cell.startswith("税务✓") and cell.split()[0].endswith("分")  # approved, with the time it took
        assert "不动产→" in cell
        assert state_cell(app, receipt_no) == "办理中"
        assert "用时" in progress(app) and f"结果：{TAX_RESULT}" in progress(app)

        assert decide(exchange_server, "real_estate_registry-522325") == ["real_estate_transfer_registration"]
        await f5(pilot)
        assert decide(exchange_server, "power_grid-522325") and decide(exchange_server, "water_supply-522325")
        await f5(pilot)

        assert state_cell(app, receipt_no) == "已办结"
        assert all(mark in parts_cell(app, receipt_no) for mark in ("税务✓", "不动产✓", "供电✓", "供水✓"))
        text = progress(app)
        # 供电/供水 过户 are 三类登记办: handed over and acknowledged, handled by the utilities.
        assert "已办结" in text and "结论：共 4 项：准予办理 2 项，移交部门办理 2 项。窗口环节全部完成，本件办结。" in text

        await pilot.press("enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ApplicationDetailScreen)
        conclusion = str(detail.query_one("#detail-conclusion", Static).render())
        # The catalog's lead department of house_transfer is the real-estate registry (not tax).
        assert conclusion.startswith("贞丰县不动产登记中心（牵头部门）办理结论"), conclusion
        assert "窗口环节全部完成，本件办结。" in conclusion
        parts = detail.query_one("#detail-parts", DataTable)
        first = [str(cell) for cell in parts.get_row_at(0)]
        assert first[3] == "✓ 已同意" and first[4] and first[5] and first[6] and first[7]  # sent, received, decided, took
        part = str(detail.query_one("#detail-part", Static).render())
        assert f"结果：{TAX_RESULT}" in part and "审批员" in part


async def test_a_round_that_changes_something_refreshes_the_open_screens(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url, WINDOW_APP_SYNC_INTERVAL_SECONDS="0.3")
    app = make_app(window, sync=True)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no = await accept_in_app(pilot, window)
        await open_applications(pilot)
        await until(pilot, lambda: parts_cell(app, receipt_no).startswith("税务→"), "delivered, shown without a key")
        decide(exchange_server, "tax-522325")
        await until(pilot, lambda: parts_cell(app, receipt_no).startswith("税务✓"), "the approval shown without a key")


# -- the line down ---------------------------------------------------------------------------


async def test_exchange_down_header_says_offline_and_why_nothing_lost(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        exchange_server.stop()
        receipt_no = await accept_in_app(pilot, window)
        await f5(pilot)
        words = badge(app)
        assert words.startswith("离线：") and "无法连接交换平台（连接被拒绝）" in words and "待发送 1 件" in words
        assert "Traceback" not in words
        assert app.sync_link.last.report.offline
        # Nothing lost: the envelope is still in the outbox, the application as accepted.
        assert window.sync_status().queued == 1
        assert window.application(receipt_no).summary.parts[0].state == "queued"

        exchange_server.start()
        await f5(pilot)  # F5 ignores the backoff
        assert badge(app) == "在线"
        assert exchange_rows(exchange_server, "SELECT count(*) FROM envelopes WHERE receipt_no = ?", (receipt_no,)) == [(1,)]


async def test_offline_in_english_too(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        exchange_server.stop()
        await f5(pilot)
        await pilot.press("f2")
        await pilot.pause()
        assert badge(app).startswith("Offline: Cannot reach the exchange (connection refused)")
        assert "f5 Sync" in footer_text(app)


async def test_a_refused_token_is_told_in_words(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url, WINDOW_APP_EXCHANGE_TOKEN="not-a-token")
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await accept_in_app(pilot, window)
        await f5(pilot)
        assert "令牌" in badge(app) and badge(app).startswith("离线")
        assert window.sync_status().queued == 1


class BlackHole:
    """A port that accepts connections and never answers (a stalled line)."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))  # any free port, bound at once: nothing can race for it
        self._socket.listen(16)
        self.port = self._socket.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self._held.append(connection)

    def close(self) -> None:
        self._socket.close()
        for connection in self._held:
            connection.close()


async def test_a_stalled_line_never_blocks_the_clerk_and_quitting_is_prompt(open_window) -> None:
    hole = BlackHole()
    try:
        window = open_window(hole.url, WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS="30")
        app = make_app(window, sync=True)
        async with app.run_test(size=SIZE) as pilot:
            # The worker starts a moment after the first screen (SYNC_START_DELAY_SECONDS); on a
            # busy machine that moment is later still, so wait for it rather than guess.
            deadline = time.monotonic() + 10
            while not app.sync_link.running and time.monotonic() < deadline:
                await pilot.pause(0.05)
            await pilot.pause(0.2)  # the first round is now waiting on the stalled line
            assert app.sync_link.running and app.sync_link.rounds_shown == 0
            assert badge(app) == "正在连接交换平台…"
            started = time.monotonic()
            await pilot.press(*"qykb")  # the pick screen's search answers meanwhile
            await pilot.pause()
            assert time.monotonic() - started < 5.0  # answered meanwhile, not after the 30 s request
            assert app.screen.query_one("#search").value == "qykb"
            await pilot.press("f3")
            await pilot.pause()
            assert isinstance(app.screen, ApplicationsScreen)
            quit_started = time.monotonic()
        quit_took = time.monotonic() - quit_started
        assert app.sync_link.background.finished.is_set()
        assert quit_took < 10.0  # the round in flight was cancelled, not waited for (30 s timeout)
    finally:
        hole.close()


# -- supplements ------------------------------------------------------------------------------


async def test_a_supplement_request_brings_the_clerk_back_to_the_material(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no = await accept_in_app(pilot, window)
        await f5(pilot)
        decide(exchange_server, "tax-522325", "supplement_needed", material="house_sale_contract", reason="合同缺少签字页")
        await f5(pilot)

        await open_applications(pilot)
        await pilot.press("down")
        await pilot.pause()
        assert state_cell(app, receipt_no) == "需补正"
        assert parts_cell(app, receipt_no).startswith("税务!")
        assert "补交：存量房买卖合同（网签备案）（合同缺少签字页）" in progress(app)
        assert "补正" in footer_text(app)

        await pilot.press("f7")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SupplementScreen)
        table = screen.query_one("#supplement-table", DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[:3] == ["存量房买卖合同（网签备案）", "税务", "合同缺少签字页"]
        # The checklist's rule: this contract must be seen in original.
        await pilot.press("2")
        await pilot.pause()
        assert "须核验原件" in str(screen.query_one("#supplement-problem", Static).render())
        await pilot.press("1")
        await pilot.pause()
        assert "原件已收" in str(table.get_row_at(0)[3])
        await pilot.press("ctrl+s", "n")  # n: no slip printed
        await pilot.pause()

        assert isinstance(app.screen, ApplicationsScreen)
        assert parts_cell(app, receipt_no).startswith("税务⇡")  # supplement queued
        assert "补正待发送" in progress(app)
        assert "待发送 1 件" in badge(app)
        assert window.application(receipt_no).intake.materials["house_sale_contract"].state == "original"

        await f5(pilot)
        rows = exchange_rows(exchange_server, "SELECT department, kind, original_envelope_id FROM envelopes ORDER BY id")
        assert [(department, kind) for department, kind, _ in rows] == [("tax-522325", "application"), ("tax-522325", "supplement")]
        assert rows[1][2] == window.application(receipt_no).summary.parts[0].envelope_id
        assert parts_cell(app, receipt_no).startswith("税务↑")  # supplement sent: the department has it
        assert "补正已送达" in progress(app)

        # The department approves after the supplement; the part is decided.
        decide(exchange_server, "tax-522325")
        await f5(pilot)
        assert parts_cell(app, receipt_no).startswith("税务✓")


async def test_f7_is_offered_only_where_a_supplement_is_asked(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await accept_in_app(pilot, window)
        await open_applications(pilot)
        await pilot.press("down")
        await pilot.pause()
        assert "补正" not in footer_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        assert "补正" not in footer_text(app)


async def test_supplement_and_detail_screens_switch_language(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no = await accept_in_app(pilot, window)
        await f5(pilot)
        decide(exchange_server, "tax-522325", "supplement_needed", material="house_sale_contract", reason="合同缺少签字页")
        await f5(pilot)
        await open_applications(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        await pilot.press("f2")
        await pilot.pause()
        part = str(app.screen.query_one("#detail-part", Static).render())
        assert "supplement needed" in part and "Press F7" in part
        assert "f7 Supplement" in footer_text(app)
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, SupplementScreen)
        await pilot.press("1")
        await pilot.press("f2")  # back to Chinese: what was recorded is kept
        await pilot.pause()
        table = app.screen.query_one("#supplement-table", DataTable)
        assert "原件已收" in str(table.get_row_at(0)[3]) and "已记录" in str(table.get_row_at(0)[4])
        await pilot.press("escape")  # unsaved: the first Esc says so and stays
        await pilot.pause()
        assert isinstance(app.screen, SupplementScreen)
        await pilot.press("ctrl+s", "n")  # n: no slip printed
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        assert "补正待发送" in str(app.screen.query_one("#detail-parts", DataTable).get_row_at(0)[3])
        assert window.application(receipt_no).summary.parts[0].shown_state == "supplement_queued"


async def test_f5_counts_the_applicants_notifications_still_to_send(exchange_server: ExchangeServer, open_window, tmp_path: Path) -> None:
    """A gateway whose token file is missing: the envelopes go, F5 says how many of the
    applicants' notifications wait, and why."""
    window = open_window(
        exchange_server.url,
        WINDOW_APP_NOTIFY_KIND="http",
        WINDOW_APP_NOTIFY_URL="http://127.0.0.1:9/sms",
        WINDOW_APP_NOTIFY_TOKEN_FILE=str(tmp_path / "missing.token"),
    )
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await accept_in_app(pilot, window)
        await f5(pilot)
        said = [n.message for n in app._notifications]
        assert any("已同步：发出 1 件" in m and "短信通知待发 1 条" in m and "missing.token" in m for m in said), said
