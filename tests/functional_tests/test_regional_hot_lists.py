"""Each region's own hot bundles, and the exchange's report across windows, on SQLite and on
PostgreSQL: a 贞丰县 window and a 兴义市 window accept different bundles at one real exchange;
``GET /v1/hot`` answers each region its own use, each window's sync stores it and its pick
screen's 热点 group follows; ``window-app exchange report --region`` counts per window,
bundle, department and item, a prefecture's code taking in both counties."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tests.exchange_fixtures import ExchangeServer, exchange_db, exchange_server, exchange_server_factory  # noqa: F401  (fixtures)
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401  (fixture)
from tests.functional_tests.test_accept import filled_intake
from tests.functional_tests.test_departments_by_region import XINGYI, ZHENFENG, county_window, inbox, sync
from window_app.catalog.search import group_of
from window_app.exchange.cli import main as exchange_main
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.window import Window

pytestmark = pytest.mark.usefixtures("exchange_backend")

ZF_USE = ("newborn", "newborn", "death_affairs")
XY_USE = ("retirement", "retirement", "newborn")


@pytest.fixture
def windows(tmp_path: Path, exchange_server: ExchangeServer):  # noqa: F811
    opened = {region: county_window(tmp_path, region, exchange_server.url) for region in (ZHENFENG, XINGYI)}
    try:
        yield opened
    finally:
        for window in opened.values():
            window.close()


def accept_and_sync(window: Window, bundles: tuple[str, ...]) -> list[str]:
    receipts = [window.accept(filled_intake(window, bundle)).receipt_no for bundle in bundles]
    sync(window)
    return receipts


def hot_at(server: ExchangeServer, region: str, window_id: str) -> list[dict]:
    answer = httpx.get(f"{server.url}/v1/hot", params={"region": region, "days": 90}, headers={"Authorization": f"Bearer {server.window_token(window_id)}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["offerings"]


def test_two_regions_with_different_use_get_different_hot_lists(windows: dict[str, Window], exchange_server: ExchangeServer) -> None:  # noqa: F811
    zhenfeng, xingyi = windows[ZHENFENG], windows[XINGYI]
    # Before any use: the catalog's flag, the same in both.
    assert zhenfeng.hot_list().source == xingyi.hot_list().source == "catalog"

    accept_and_sync(zhenfeng, ZF_USE)
    accept_and_sync(xingyi, XY_USE)

    # The exchange counts applications (receipt numbers), not the envelopes they went as.
    assert hot_at(exchange_server, ZHENFENG, "ZF-01") == [{"id": "newborn", "uses": 2}, {"id": "death_affairs", "uses": 1}]
    assert hot_at(exchange_server, XINGYI, "ZF-01") == [{"id": "retirement", "uses": 2}, {"id": "newborn", "uses": 1}]
    both = {entry["id"]: entry["uses"] for entry in hot_at(exchange_server, "522300", "XY-01")}  # 黔西南州
    assert both == {"newborn": 3, "retirement": 2, "death_affairs": 1}

    # Each window's sync stored its own region's list (after sending: its own use counted);
    # the pick screen's 热点 follows it.
    zf_hot, xy_hot = zhenfeng.refresh_hot_list(), xingyi.refresh_hot_list()
    assert (zf_hot.source, xy_hot.source) == ("exchange", "exchange")
    assert zf_hot.ids[:2] == ("newborn", "death_affairs")
    assert xy_hot.ids[:2] == ("retirement", "newborn")
    assert zf_hot.ids != xy_hot.ids
    assert group_of(xingyi.offering("retirement"), xy_hot) == "hot"
    assert "retirement" not in zf_hot or zf_hot.rank("retirement") >= 2
    assert [offering.id for offering in zhenfeng.hot_first()[:2]] == ["newborn", "death_affairs"]


def test_the_exchange_reports_a_region_across_windows(windows: dict[str, Window], exchange_server: ExchangeServer, capsys) -> None:  # noqa: F811
    zhenfeng, xingyi = windows[ZHENFENG], windows[XINGYI]
    accept_and_sync(zhenfeng, ("newborn",))
    accept_and_sync(xingyi, ("newborn", "retirement"))
    # 贞丰县's health office approves what it has.
    office = f"health-{ZHENFENG}"
    with DepartmentClient(exchange_server.url, exchange_server.department_token(office)) as client:
        for envelope in client.inbox("new"):
            for item in envelope["payload"]["items"]:
                client.decide(envelope["envelope_id"], item["id"], "approved", result="0001", decided_by="审批员", keys=DepartmentKeys.demo(office))
    assert inbox(exchange_server, office)

    def report(region: str) -> dict:
        assert exchange_main(["report", "--db", str(exchange_server.db_path), "--region", region, "--json"]) == 0
        return json.loads(capsys.readouterr().out)

    county = report(ZHENFENG)
    assert county["totals"]["applications"] == 1
    assert [w["id"] for w in county["windows"]] == ["ZF-01"]
    assert county["offerings"] == [{"id": "newborn", "kind": "bundle", "name": "新生儿出生一件事", "applications": 1}]
    health = next(d for d in county["departments"] if d["id"] == office)
    assert health["approved"] == health["decided"] >= 1 and health["rejected"] == 0
    assert health["avg_days"] == 0.0 and health["p90_days"] == 0.0  # decided within the minute
    assert all(d["id"] != f"health-{XINGYI}" for d in county["departments"])

    prefecture = report("522300")
    assert prefecture["totals"]["applications"] == 3
    assert {w["id"]: w["applications"] for w in prefecture["windows"]} == {"ZF-01": 1, "XY-01": 2}
    assert {o["id"]: o["applications"] for o in prefecture["offerings"]} == {"newborn": 2, "retirement": 1}

    assert exchange_main(["report", "--db", str(exchange_server.db_path), "--region", "5223"]) == 1
    assert "六位" in capsys.readouterr().err
