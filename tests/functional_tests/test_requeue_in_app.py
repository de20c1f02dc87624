"""F9: an envelope the exchange refused is sent again from the screens, once the cause is fixed.

Against REAL exchanges on 127.0.0.1 (tests/exchange_fixtures.py): the shared one, and 卫健's
own endpoint (``[departments.health] url``) running a catalog that names the department
differently — the way an endpoint left on an older catalog refuses ``unknown department
'health'``. The clerk accepts a 新生儿出生 application in the app (F10); F5 sends its three
first-stage parts: 医保 and 公安 are delivered, 卫健's envelope is quarantined with the reason.
Then the endpoint gets the right catalog (the fix, outside the window), and F9 on the
applications list or the detail screen puts the very same envelope back in the queue.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from screens.application_detail import ApplicationDetailScreen
from screens.applications import ApplicationsScreen
from screens.receipt import ReceiptScreen
from screens.widgets.dialog import Dialog
from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401
from tests.functional_tests.rating_steps import skip_rating
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
)
from tests.functional_tests.test_sync_in_app import (  # noqa: F401  (open_window: fixture)
    badge,
    exchange_rows,
    f5,
    open_applications,
    open_window,
    progress,
)
from window_app.catalog.loader import shipped_catalog_path
from window_app.intake.io import parse_intake
from window_app.window import Window

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "applications"
REASON = "unknown department 'health-522325'"


@pytest.fixture
def health_endpoint(exchange_server_factory, tmp_path: Path) -> ExchangeServer:
    """卫健's own endpoint, on a catalog where the department is called ``health_commission``."""
    catalog = tmp_path / "older-catalog"
    shutil.copytree(shipped_catalog_path(), catalog)
    for path in catalog.rglob("*.toml"):
        text = path.read_text(encoding="utf-8")
        text = text.replace('"health"', '"health_commission"').replace('"health-', '"health_commission-')
        path.write_text(text, encoding="utf-8")
    return exchange_server_factory(catalog_path=catalog)


def fix_the_cause(endpoint: ExchangeServer) -> None:
    """Support updates the endpoint's catalog (same port, same database)."""
    endpoint.stop()
    endpoint.catalog_path = None  # the shipped catalog: it knows 'health'
    endpoint.start()


def notes(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def parts_row(app, receipt_no: str) -> str:
    return str(app.screen.query_one("#apps-table", DataTable).get_row(receipt_no)[5])


async def accept_newborn(pilot, window: Window) -> str:
    """新生儿出生 from its example file, accepted with F10 on the review step."""
    intake, problems = parse_intake(json.loads((EXAMPLES / "newborn.json").read_text(encoding="utf-8")))
    assert not problems
    app = pilot.app
    app.intake = intake
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


def health_part(window: Window, receipt_no: str):
    return next(part for part in window.application(receipt_no).summary.parts if part.department == "health-522325")


async def refused_health_envelope(pilot, window: Window) -> tuple[str, str, bytes]:
    """Accept, F5: 卫健's envelope is quarantined with the reason. Returns receipt, id, payload."""
    receipt_no = await accept_newborn(pilot, window)
    await f5(pilot)
    [entry] = window.quarantined()
    assert entry.envelope.department == "health-522325" and REASON in entry.last_error.en
    assert pilot.app.sync_quarantined == 1
    assert health_part(window, receipt_no).shown_state == "quarantined"
    return receipt_no, entry.envelope.envelope_id, entry.envelope.payload


async def test_f9_on_the_list_asks_with_the_reason_then_the_same_envelope_goes(
    exchange_server: ExchangeServer, health_endpoint: ExchangeServer, open_window
) -> None:
    window = open_window(exchange_server.url, WINDOW_APP_DEPARTMENTS_HEALTH_URL=health_endpoint.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no, envelope_id, payload = await refused_health_envelope(pilot, window)
        assert badge(app) == "在线 · 被退回 1 件"

        await open_applications(pilot)
        assert "f9 重新发送" in footer_text(app)  # the newest application is highlighted
        assert parts_row(app, receipt_no) == "卫健⊘ 医保→ 公安→ 人社◦ 医保◦ 开户银行◦"
        assert REASON in progress(app) and "F9 重新发送" in progress(app)

        # F9 asks first, naming the department and the exchange's reason; Esc changes nothing.
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, Dialog)
        body = str(app.screen.query_one("#dialog-body", Static).render())
        assert f"办件 {receipt_no} 有 1 件被交换平台退回" in body
        assert f"卫健：交换平台退回此件：{REASON}" in body
        assert "请先确认拒收原因已经排除" in body and "重新发送的是原件" in body
        assert "y 确定" in footer_text(app) and "f5 同步" in footer_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        assert [entry.envelope.envelope_id for entry in window.quarantined()] == [envelope_id]

        fix_the_cause(health_endpoint)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        assert any("已将 1 件（卫健）重新排队" in note and "F5" in note for note in notes(app))
        assert window.quarantined() == [] and app.sync_quarantined == 0
        assert health_part(window, receipt_no).shown_state == "queued"
        assert "重新发送" not in footer_text(app)  # nothing refused any more
        assert "⊘" not in parts_row(app, receipt_no)

        await f5(pilot)
        assert health_part(window, receipt_no).state == "sent"
        # The very same bytes, at 卫健's endpoint; the shared exchange never had it.
        sent = exchange_rows(health_endpoint, "SELECT payload FROM envelopes WHERE envelope_id = ?", (envelope_id,))
        assert sent == [(payload.decode("utf-8"),)]
        assert exchange_rows(exchange_server, "SELECT count(*) FROM envelopes WHERE department = 'health-522325'") == [(0,)]


async def test_f9_on_the_detail_in_english_refused_again_until_the_cause_is_fixed(
    exchange_server: ExchangeServer, health_endpoint: ExchangeServer, open_window
) -> None:
    window = open_window(exchange_server.url, WINDOW_APP_DEPARTMENTS_HEALTH_URL=health_endpoint.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        receipt_no, envelope_id, payload = await refused_health_envelope(pilot, window)
        await open_applications(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert "f9 Resend" in footer_text(app)
        part = str(app.screen.query_one("#detail-part", Static).render())  # 卫健: the first part
        assert part.startswith("Zhenfeng County Health Bureau · ⊘ returned")
        assert f"Returned by the exchange, never resent on its own: The exchange returned this part: {REASON}" in part
        assert "F9 sends the same part again" in part

        # Requeued before the cause is fixed: the endpoint refuses the same envelope again, and
        # it is quarantined again with the reason (nothing lost, nothing sent twice).
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, Dialog)
        body = str(app.screen.query_one("#dialog-body", Static).render())
        assert f"Application {receipt_no} has 1 part the exchange returned" in body
        assert f": The exchange returned this part: {REASON}" in body
        assert "if the cause is still there, it is returned again" in body
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        assert any("1 part (" in note and "queued again" in note for note in notes(app))
        assert "f9 Resend" not in footer_text(app)
        await f5(pilot)
        assert [entry.envelope.envelope_id for entry in window.quarantined()] == [envelope_id]
        assert "f9 Resend" in footer_text(app)  # the screen followed the round

        fix_the_cause(health_endpoint)
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        await f5(pilot)
        assert window.quarantined() == [] and app.sync_quarantined == 0
        assert health_part(window, receipt_no).state == "sent"
        assert str(app.screen.query_one("#detail-parts", DataTable).get_row_at(0)[3]) == "→ sent"
        sent = exchange_rows(health_endpoint, "SELECT payload FROM envelopes WHERE envelope_id = ?", (envelope_id,))
        assert sent == [(payload.decode("utf-8"),)]
        assert "f9 Resend" not in footer_text(app)


async def test_f9_is_offered_only_where_an_envelope_was_refused(
    exchange_server: ExchangeServer, health_endpoint: ExchangeServer, open_window
) -> None:
    window = open_window(exchange_server.url, WINDOW_APP_DEPARTMENTS_HEALTH_URL=health_endpoint.url)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        refused, _envelope_id, _payload = await refused_health_envelope(pilot, window)
        waiting = await accept_newborn(pilot, window)  # a second one, not sent yet
        await open_applications(pilot)  # the refused one needs action: first, and highlighted
        table = app.screen.query_one("#apps-table", DataTable)
        assert str(table.get_row_at(0)[0]) == refused and str(table.get_row_at(1)[0]) == waiting
        assert "f9 重新发送" in footer_text(app)
        await pilot.press("down", "down")  # the newest, nothing refused
        await pilot.pause()
        assert "重新发送" not in footer_text(app)
        await pilot.press("f9")  # nothing happens
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        await pilot.press("up")
        await pilot.pause()
        assert "f9 重新发送" in footer_text(app)
