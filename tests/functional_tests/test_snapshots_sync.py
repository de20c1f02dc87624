"""Snapshots of what syncing shows: the applications list and the detail screen with department
parts in every state, the conclusion, and the header offline with its reason.

The parts are moved the way the sync engine moves them — delivery answers and department events
applied through ``window_app.sync.decisions`` in one transaction each — with every moment
pinned, so the durations (``市场监管✓2时14分``) are the same on every run. Update on purpose with
``pytest --snapshot-update`` and look at the SVGs.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from offline_cache import outbox as outbox_store
from offline_cache import progress, sync_state
from tests.exchange_fixtures import signed_event
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import make_app
from tests.window_template import seed_window_database
from window_app.accepting import window_signer
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.words import Words
from window_app.intake.io import parse_intake
from window_app.sync.decisions import apply_event, record_delivered, record_rejected

SNAPSHOT_SIZE = (120, 40)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "applications"
ENDPOINT = "http://exchange.test"
LICENCE = "营业执照 91522325MA6HXXXX1Q"


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The shipped window, with a clerk named (the OS user would differ from machine to machine)."""
    shipped = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    return seed_window_database(shipped)


@pytest.fixture(autouse=True)
def _pinned_installation_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("window_app.accepting.installation_tag", lambda db: "TEST")


def at(hhmm: str) -> str:
    return f"2026-11-27T{hhmm}:00+08:00"


class Departments:
    """Plays the exchange for one window database: deliveries and events at pinned moments."""

    def __init__(self, window) -> None:
        self.db = window.db
        self.signer = window_signer(window.db, window.catalog, window.settings)
        self.seq = sync_state.endpoint_state(self.db, ENDPOINT).cursor  # events are applied once per seq

    def envelope(self, receipt_no: str, department: str):
        part = next(p for p in progress.parts_of(self.db, receipt_no) if p.department == department)
        return outbox_store.get_row(self.db, part.envelope_id)

    def deliver(self, receipt_no: str, department: str, when: str) -> None:
        with sync_state.write_transaction(self.db):
            record_delivered(self.db, self.envelope(receipt_no, department), now=at(when), received_at=at(when), signer=self.signer)

    def quarantine(self, receipt_no: str, department: str, reason: str, when: str) -> None:
        with sync_state.write_transaction(self.db):
            record_rejected(self.db, self.envelope(receipt_no, department), reason=reason, now=at(when))

    def event(self, receipt_no: str, department: str, kind: str, when: str, item: str | None = None, **extra: str) -> None:
        self.seq += 1
        row = self.envelope(receipt_no, department)
        event = {
            "seq": self.seq,
            "kind": kind,
            "envelope_id": row.envelope_id,
            "idempotency_key": row.idempotency_key,
            "receipt_no": receipt_no,
            "department": department,
            "item": item,
            "at": at(when),
            **extra,
        }
        if kind != "received":
            event = signed_event(event)
        with sync_state.write_transaction(self.db):
            apply_event(self.db, ENDPOINT, event, now=at(when), signer=self.signer)
            sync_state.set_cursor(self.db, ENDPOINT, self.seq)

    def decide(self, receipt_no: str, department: str, received: str, decided: str, kind: str = "approved", **extra: str) -> None:
        item = self.envelope(receipt_no, department)
        items = json.loads(item.payload)["items"]
        self.event(receipt_no, department, "received", received)
        for entry in items:
            self.event(receipt_no, department, kind, decided, entry["id"], decided_by="审批员", **extra)


def business_startup_in_every_state(window) -> str:
    """企业开办 with its seven parts in seven states, each step at a pinned moment."""
    intake, problems = parse_intake(json.loads((EXAMPLES / "business_startup.json").read_text(encoding="utf-8")))
    assert not problems
    receipt_no = window.accept(intake).receipt_no  # 09:30 (conftest's pinned clock)
    exchange = Departments(window)
    exchange.deliver(receipt_no, "market_regulation-522325", "09:32")
    exchange.decide(receipt_no, "market_regulation-522325", "09:40", "11:46", result=LICENCE)  # 2时14分; stage 2 released
    for department in ("tax-522325", "hrss-522325", "medical_insurance-522325", "public_security-522325", "housing_fund-522325"):
        exchange.deliver(receipt_no, department, "11:50")
    exchange.quarantine(receipt_no, "bank-522325-abc", "unknown item 'bank_account_opening'", "11:50")
    exchange.decide(receipt_no, "tax-522325", "12:05", "12:35", result="税务登记 5223252026000123")  # 45分
    exchange.decide(receipt_no, "hrss-522325", "12:10", "15:20", kind="rejected", reason="参保人员名册缺少身份证号码")
    exchange.event(receipt_no, "medical_insurance-522325", "received", "12:20")
    exchange.event(receipt_no, "public_security-522325", "received", "12:00")
    exchange.event(
        receipt_no, "public_security-522325", "supplement_needed", "13:05", "seal_engraving_filing",
        material="appointment_docs", reason="法定代表人任职文件未盖章", decided_by="审批员",
    )
    return receipt_no  # housing_fund: delivered, not yet received


def concluded_house_transfer(window) -> str:
    """二手房转移登记, every part approved or handed over: concluded with the lead department's conclusion."""
    receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no
    exchange = Departments(window)
    exchange.deliver(receipt_no, "tax-522325", "09:31")
    exchange.decide(receipt_no, "tax-522325", "09:35", "10:02", result="完税凭证 522325-2026-000088")
    exchange.deliver(receipt_no, "real_estate_registry-522325", "10:03")
    exchange.decide(receipt_no, "real_estate_registry-522325", "10:20", "14:41", result="不动产权证书 黔（2026）贞丰县不动产权第0004567号")
    for department, decided in (("power_grid-522325", "15:12"), ("water_supply-522325", "16:05")):
        # 三类登记办: the utilities sign for the paper materials handed over.
        exchange.deliver(receipt_no, department, "14:42")
        exchange.event(receipt_no, department, "received", "14:50")
        exchange.event(receipt_no, department, "acknowledged", decided, decided_by="收件员")
    return receipt_no


def open_applications(*, then=None, row: int = 0):
    async def run_before(pilot) -> None:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press("down")  # the first application highlighted: its parts in words below
        for _ in range(row):
            await pilot.press("down")
        await pilot.pause()
        if then is not None:
            await then(pilot)
            await pilot.pause()

    return run_before


def test_applications_with_parts_in_every_state_snapshot(window, snap_compare):
    concluded_house_transfer(window)
    business_startup_in_every_state(window)  # needs action (a 补正): first in the list, marked !, highlighted
    assert snap_compare(make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=open_applications())


def test_applications_concluded_snapshot(window, snap_compare):
    business_startup_in_every_state(window)  # needs action (a 补正): first, above the newer one
    concluded_house_transfer(window)  # the newest: second, highlighted, its conclusion under the list
    assert snap_compare(make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=open_applications(row=1))


def test_detail_with_parts_in_every_state_snapshot(window, snap_compare):
    business_startup_in_every_state(window)

    async def open_detail(pilot) -> None:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "down", "down", "down", "down")  # 公安: the supplement request
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=open_applications(then=open_detail))


def test_detail_concluded_snapshot(window, snap_compare):
    concluded_house_transfer(window)

    async def open_detail(pilot) -> None:
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=(120, 50), run_before=open_applications(then=open_detail))


def test_header_offline_with_its_reason_snapshot(window, snap_compare):
    window.accept(house_transfer(window, materials=True, fields=True))

    async def offline(pilot) -> None:
        app = pilot.app
        app.sync_online = False
        app.sync_reason = Words("无法连接交换平台（连接被拒绝），稍后自动重试", "Cannot reach the exchange (connection refused); will retry")
        app.sync_quarantined = 1
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SNAPSHOT_SIZE, run_before=offline)
