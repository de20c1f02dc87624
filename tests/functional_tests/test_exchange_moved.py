"""The exchange moves to another address with its data: the window, pointed at the new URL,
goes on where it was and does not live its history again.

An endpoint's cursor is kept per URL, so the new address is pulled from the start and sends
every event again. Applied a second time, they would record each department's answer twice in
the audit trail and count as news in the clerk's 已同步 toast; a round cut short half-way
through the replay would even bring back a 补正 request the clerk answered long ago.

The real exchange (in a thread, tests/exchange_fixtures.py) serves one SQLite file first on one
port, then on another; the window is opened again with ``WINDOW_APP_EXCHANGE_URL`` changed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.exchange_fixtures import ExchangeServer, exchange_server_factory  # noqa: F401  (fixture)
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.morning_helpers import department_decides
from tests.functional_tests.test_sync_engine import settings_for, sync
from tests.window_template import open_signed_in
from window_app.domain.intake import MaterialStatus


def audit_actions(window, receipt_no: str) -> list[str]:
    db = sqlite3.connect(window.settings.database_path)
    try:
        return [action for (action,) in db.execute("SELECT action FROM audit WHERE receipt_no = ? ORDER BY seq", [receipt_no])]
    finally:
        db.close()


def test_an_exchange_at_a_new_address_does_not_replay_what_was_applied(tmp_path: Path, exchange_server_factory) -> None:
    old = exchange_server_factory()
    window = open_signed_in(settings_for(tmp_path, old.url))
    try:
        receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no
        sync(window)
        department_decides(old.url, "tax-522325", receipt_no, "supplement_needed", material="house_sale_contract", reason="合同缺少签字页")
        sync(window)
        window.supply_material(receipt_no, "tax-522325", "house_sale_contract", MaterialStatus(state="original"))
        sync(window)
        assert department_decides(old.url, "tax-522325", receipt_no) == ["house_transaction_tax"]
        assert sync(window).events_applied >= 1
        before = audit_actions(window, receipt_no)
        assert before.count("supplement_requested") == 1
    finally:
        window.close()
    old.stop()

    moved = exchange_server_factory(db_path=old.db_path)  # the same data, another port
    assert moved.url != old.url
    window = open_signed_in(settings_for(tmp_path, moved.url))
    try:
        report = sync(window)
        assert report.online and report.events_applied == 0  # 已同步：收到部门意见 0 条
        assert audit_actions(window, receipt_no)[: len(before)] == before
        assert audit_actions(window, receipt_no).count("supplement_requested") == 1
        assert window.needs_action() == []
        tax = next(part for part in window.application(receipt_no).summary.parts if part.department == "tax-522325")
        assert tax.state == "approved"

        # What the departments decide after the move comes through as before.
        assert department_decides(moved.url, "real_estate_registry-522325", receipt_no) == ["real_estate_transfer_registration"]
        assert sync(window).events_applied >= 1
        registry = next(p for p in window.application(receipt_no).summary.parts if p.department == "real_estate_registry-522325")
        assert registry.state == "approved"
    finally:
        window.close()
