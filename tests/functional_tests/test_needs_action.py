"""What needs the clerk (需处理): a 补正 or a refusal arriving is told, counted in the header and
listed first in F3, which opens on what needs action and today's and searches every date."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import DataTable, Label

from offline_cache import outbox, progress
from offline_cache.db import durable_transaction
from screens.application_detail import ApplicationDetailScreen
from screens.applications import ApplicationsScreen
from screens.supplement import SupplementScreen
from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401
from tests.functional_tests.shell_helpers import (
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    paste,
)
from tests.functional_tests.test_applications_screen import accept, rows
from tests.functional_tests.test_sync_in_app import (  # noqa: F401  (open_window: a fixture)
    accept_in_app,
    decide,
    f5,
    open_window,
)
from tests.window_template import TEST_CLERK, TEST_KDF, TEST_PIN
from window_app.domain.clerks import Role
from window_app.domain.progress import ItemDecision
from window_app.domain.words import Words

pytestmark = pytest.mark.anyio

NARROW = (80, 24)


def header_count(app) -> str:
    badge = app.screen.query_one("#action-status", Label)
    return str(badge.render()) if badge.display else ""


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def labels(app) -> list[str]:
    table = app.screen.query_one("#apps-table", DataTable)
    return [str(row.label or "") for row in table.ordered_rows]


def department_decides(window, receipt_no: str, decision: str, **extra: str) -> None:
    """The tax department's decision on every item of its part, stored as the sync applies it."""
    now = window.now().astimezone(dt.UTC).isoformat()
    part = next(part for part in window.application(receipt_no).summary.parts if part.department == "tax-522325")
    state = {"rejected": "rejected", "supplement_needed": "supplement_needed"}[decision]
    with durable_transaction(window.db):
        for item in part.items:
            progress.put_decision(
                window.db,
                ItemDecision(receipt_no, item, "tax-522325", part.stage, decision, decided_by="审批员", decided_at=now, **extra),
            )
        progress.update_part(window.db, receipt_no, "tax-522325", part.stage, now=now, state=state, decided_at=now)


async def test_a_supplement_arriving_is_told_counted_first_and_gone_once_answered(
    exchange_server: ExchangeServer, open_window
) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=NARROW) as pilot:
        asked = await accept_in_app(pilot, window)
        await f5(pilot)
        assert header_count(app) == ""
        decide(exchange_server, "tax-522325", "supplement_needed", material="house_sale_contract", reason="合同缺少签字页")
        newer = await accept_in_app(pilot, window)  # newer: by date it would come first
        await f5(pilot)

        told = [message for message in messages(app) if "要求补正" in message]
        assert told == [f"国家税务总局贞丰县税务局要求补正：{asked}（存量房买卖合同（网签备案））"], messages(app)
        assert header_count(app) == "需处理 1"

        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        assert rows(app) == [asked, newer]
        assert labels(app) == ["!", ""]
        assert header_count(app) == "需处理 1"

        await pilot.press("down", "f7")
        await pilot.pause()
        assert isinstance(app.screen, SupplementScreen)
        await pilot.press("1", "ctrl+s", "n")  # n: no slip printed
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        assert header_count(app) == ""  # answered: recorded and on its way
        assert labels(app) == ["", ""]
        assert rows(app) == [newer, asked]


async def test_the_count_and_toast_in_english(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    app = make_app(window)
    async with app.run_test(size=NARROW) as pilot:
        receipt_no = await accept_in_app(pilot, window)
        await pilot.press("f2")  # English
        await pilot.pause()
        await f5(pilot)
        decide(exchange_server, "tax-522325", "rejected", reason="计税价格明显偏低")
        await f5(pilot)
        assert header_count(app) == "1 to act on"
        assert any(message.endswith(f"refused: {receipt_no} (计税价格明显偏低)") for message in messages(app)), messages(app)


async def test_yesterdays_supplement_shows_on_opening_and_a_search_looks_at_every_date(window) -> None:
    yesterday = accept(window, days_ago=1)
    older = accept(window, "李梅", days_ago=1)  # yesterday too, nothing to do on it
    today = accept(window, "赵强")
    department_decides(window, yesterday, "supplement_needed", material="house_sale_contract", reason="缺签字页")
    app = make_app(window)
    async with app.run_test(size=NARROW) as pilot:
        assert header_count(app) == "需处理 1"  # there at sign-in: counted, not told as news
        assert not [message for message in messages(app) if "要求补正" in message]
        await pilot.press("f3")
        await pilot.pause()
        assert rows(app) == [yesterday, today]  # needs action, then today's
        assert labels(app)[0] == "!"
        await paste(pilot, "李梅")
        assert rows(app) == [older]  # a search is not limited to today
        assert "全部日期" in str(app.screen.query_one("#apps-scope").label)


async def test_a_refusal_counts_until_the_clerk_opened_the_application(window) -> None:
    refused = accept(window, days_ago=2)
    department_decides(window, refused, "rejected", reason="计税价格明显偏低")
    app = make_app(window)
    async with app.run_test(size=NARROW) as pilot:
        assert header_count(app) == "需处理 1"
        await pilot.press("f3")
        await pilot.pause()
        assert rows(app) == [refused]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        assert header_count(app) == ""
        await pilot.press("escape")
        await pilot.pause()
        assert rows(app) == []  # seen, two days old: not in "needs action or today"
    # Seen is per clerk and per decision: the same refusal is no news to this clerk again.
    assert window.needs_action() == []


def test_a_plain_acceptor_counts_only_their_own(window) -> None:
    mine = accept(window)
    department_decides(window, mine, "supplement_needed", material="house_sale_contract")
    assert {action.receipt_no for action in window.needs_action()} == {mine}
    window.add_clerk("B002", "李四", (Role.ACCEPTOR,), "246810", kdf=TEST_KDF)
    window.lock()
    window.sign_in("B002", "246810")
    assert window.needs_action() == []


def test_a_refused_envelope_needs_the_supervisor_and_goes_once_requeued(window) -> None:
    window.add_clerk("B003", "王五", (Role.ACCEPTOR,), "246810", kdf=TEST_KDF)
    window.lock()
    window.sign_in("B003", "246810")
    receipt_no = accept(window)  # the acceptor's own
    envelope_id = window.application(receipt_no).summary.parts[0].envelope_id
    with durable_transaction(window.db):
        outbox.record_quarantined(window.db, envelope_id, Words("未知事项", "unknown item"))
    assert window.needs_action() == []  # not the acceptor's to send again (F9 is the supervisor's)
    window.lock()
    window.sign_in(TEST_CLERK, TEST_PIN)
    assert [(action.kind, action.receipt_no) for action in window.needs_action()] == [("quarantined", receipt_no)]
    assert str(window.needs_action()[0].reason) == "未知事项"
    window.requeue_quarantined([envelope_id])
    assert window.needs_action() == []
