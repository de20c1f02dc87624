"""Departments resolved by region: the same bundle at a 贞丰县 window and at a 兴义市 window
reaches each county's own offices, at a real exchange (tests/exchange_fixtures.py).

An item names its department's kind (卫健); the window's region resolves the office
(贞丰县卫生健康局 / 兴义市卫生健康局), falling back up the region levels where a county has none
(兴义市's 住房公积金 is 黔西南州住房公积金管理中心); where a county has several (banks), the applicant
chooses. Each office has its own inbox, token and keys at the exchange.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
import pytest

from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401  (fixtures)
from tests.functional_tests.test_accept import BY_FIELD, filled_intake, typed_value
from tests.window_template import open_signed_in
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.catalog.local_names import as_seen_from, choice_question_id
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.intake import Intake, MaterialStatus
from window_app.domain.words import Words
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.sync.engine import SyncEngine
from window_app.window import Window

FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
XINGYI = "522301"  # 兴义市
ZHENFENG = "522325"  # 贞丰县
COUNTIES = {ZHENFENG: ("ZF-01", "贞丰县政务服务中心"), XINGYI: ("XY-01", "兴义市政务服务中心")}


def county_window(tmp_path: Path, region: str, url: str = "http://127.0.0.1:9") -> Window:
    window_id, centre = COUNTIES[region]
    environ = {
        "WINDOW_APP_WINDOW_REGION": region,
        "WINDOW_APP_WINDOW_ID": window_id,
        "WINDOW_APP_WINDOW_CENTRE": centre,
        "WINDOW_APP_EXCHANGE_URL": url,
        "WINDOW_APP_EXCHANGE_TOKEN": f"demo-window-{window_id}",
        "WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS": "5",
    }
    settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / window_id))
    return open_signed_in(settings, clock=lambda: FIXED_NOW)


@pytest.fixture
def windows(tmp_path: Path, exchange_server: ExchangeServer):  # noqa: F811
    opened = {region: county_window(tmp_path, region, exchange_server.url) for region in COUNTIES}
    try:
        yield opened
    finally:
        for window in opened.values():
            window.close()


def newborn_with_the_bank(window: Window, bank: str | None = None) -> Intake:
    """新生儿出生一件事 with the child's bank card activated at the bank the applicant chose."""
    intake = filled_intake(window, "newborn")
    intake.chosen_optional.append("newborn_bank_card")
    intake.fields["child_name"] = "王小明"  # printed on the receipt (a key fact): a name, not a 贞丰 place
    if bank:
        intake.answers[choice_question_id("bank")] = bank
    guide = window.guide(intake)
    for line in guide.checklist.lines:
        intake.materials.setdefault(line.material.id, MaterialStatus("shared" if line.material.shareable else "original"))
    for line in guide.form.lines:
        intake.fields.setdefault(line.field.id, BY_FIELD.get(line.field.id) or typed_value(line.field))
    assert window.validate(intake) == []
    return intake


def sync(window: Window) -> None:
    engine = SyncEngine(window.db, window.settings, catalog_etag=window.catalog.digest, refresh_catalog=False)
    try:
        report = asyncio.run(engine.run_once())
    finally:
        engine.release_lock()
    assert report.online and report.sent, report


def inbox(server: ExchangeServer, office: str) -> list[dict]:
    with DepartmentClient(server.url, server.department_token(office)) as client:
        return client.inbox("all", department=office)


def test_each_county_sees_its_own_offices_and_falls_back_to_the_prefectures() -> None:
    catalog = load_catalog(shipped_catalog_path())
    zhenfeng, xingyi = as_seen_from(catalog, ZHENFENG), as_seen_from(catalog, XINGYI)
    assert zhenfeng.departments["health"].name == Words("贞丰县卫生健康局", "Zhenfeng County Health Bureau")
    assert xingyi.departments["health"].name == Words("兴义市卫生健康局", "Xingyi City Health Bureau")
    assert xingyi.departments["tax"].name.zh == "国家税务总局兴义市税务局"
    # 兴义市 has no county body of these: the prefecture's serves it.
    assert xingyi.departments["housing_fund"].name.zh == "黔西南州住房公积金管理中心"
    assert xingyi.departments["power_grid"].name.zh == "贵州电网有限责任公司兴义供电局"
    assert zhenfeng.departments["housing_fund"].name.zh == "黔西南州住房公积金管理中心贞丰县管理部"
    assert not any("贞丰" in department.name.zh for department in xingyi.departments.values())
    # Several banks in a county: the applicant chooses, the kind keeps its name.
    assert str(xingyi.departments["bank"].name) == "申请人选择的开户银行"
    question = next(q for q in xingyi.bundles["newborn"].questions if q.id == choice_question_id("bank"))
    assert [option.value for option in question.options] == ["bank-522301-abc", "bank-522301-rcb"]
    assert question.default == "bank-522301-abc"
    assert question.option("bank-522301-rcb").label.zh == "贵州兴义农村商业银行股份有限公司"
    # Outside 黔西南州 the provincial body serves (the catalog has no office of that county).
    assert as_seen_from(catalog, "520102").departments["tax"].name.zh == "国家税务总局贵州省税务局"


def test_the_same_bundle_at_two_county_windows_reaches_each_countys_offices(
    windows: dict[str, Window], exchange_server: ExchangeServer  # noqa: F811
) -> None:
    zhenfeng, xingyi = windows[ZHENFENG], windows[XINGYI]
    receipts = {
        ZHENFENG: zhenfeng.accept(newborn_with_the_bank(zhenfeng)).receipt_no,  # the first bank, as preselected
        XINGYI: xingyi.accept(newborn_with_the_bank(xingyi, "bank-522301-rcb")).receipt_no,
    }
    for window in windows.values():
        sync(window)

    # What each window addressed: only its own county's offices, and the bank its applicant chose.
    for region, window in windows.items():
        addressed = {row[0] for row in window.db.execute("SELECT department FROM outbox")}
        assert addressed and all(office.split("-")[1] == region for office in addressed), addressed
    assert "bank-522301-rcb" in {row[0] for row in xingyi.db.execute("SELECT department FROM outbox")}
    assert "bank-522325-abc" in {row[0] for row in zhenfeng.db.execute("SELECT department FROM outbox")}

    # At the exchange: each office's inbox, with its own token, holds its own county's application,
    # opened with its own key and with no other county's.
    for kind in ("health", "public_security"):  # stage 1 of 新生儿出生一件事
        for region, other in ((ZHENFENG, XINGYI), (XINGYI, ZHENFENG)):
            office = f"{kind}-{region}"
            [envelope] = inbox(exchange_server, office)
            assert envelope["receipt_no"] == receipts[region]
            assert isinstance(DepartmentKeys.demo(office).open(envelope), dict)
            assert isinstance(DepartmentKeys.demo(f"{kind}-{other}").open(envelope), Words)
    # A kind is no office: its token is refused.
    answer = httpx.get(f"{exchange_server.url}/v1/inbox", headers={"Authorization": "Bearer demo-health"}, trust_env=False)
    assert answer.status_code == 401

    # The 兴义市 receipt names 兴义市's bodies, never 贞丰县's.
    receipt = xingyi.receipt_text(receipts[XINGYI])
    assert "贞丰" not in receipt, receipt
    assert "兴义市卫生健康局" in "".join(receipt.split())  # the lead department
    assert "贞丰县卫生健康局" in "".join(zhenfeng.receipt_text(receipts[ZHENFENG]).split())
