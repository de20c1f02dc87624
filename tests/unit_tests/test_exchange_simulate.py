"""The simulated reviewers of ``exchange serve --simulate``, stepped by hand on a real store."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.exchange_fixtures import exchange_db, make_envelope, receipt, register_test_window  # noqa: F401 - a fixture
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.domain.identifiers import check_uscc
from window_app.exchange.simulate import Simulation, plausible_result
from window_app.exchange.store import ExchangeStore

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(shipped_catalog_path())


@pytest.fixture
def clock():
    class Clock:
        now = dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST)

        def __call__(self):
            return self.now

    return Clock()


@pytest.fixture
def store(exchange_backend, exchange_db, clock):
    opened = ExchangeStore.open(exchange_db, clock=clock)
    register_test_window(opened)
    register_test_window(opened, "XL-02")
    yield opened
    opened.close()


def kinds(store: ExchangeStore) -> list[tuple[str, str | None]]:
    return [(e["kind"], e["item"]) for e in store.events("ZF-01")[0]]


def test_nothing_is_decided_before_the_delay(store, catalog, clock) -> None:
    simulation = Simulation(delay=3)
    store.ingest("ZF-01", [make_envelope()], catalog)
    clock.now += dt.timedelta(seconds=2)
    assert simulation.step(store) == 0 and kinds(store) == []
    clock.now += dt.timedelta(seconds=1)
    assert simulation.step(store) == 1
    assert kinds(store) == [("received", None), ("approved", "company_registration")]
    assert simulation.step(store) == 0  # decided once


def test_rejections_carry_a_reason(store, catalog, clock) -> None:
    store.ingest("ZF-01", [make_envelope()], catalog)
    Simulation(delay=0, reject_rate=1.0).step(store)
    (rejected,) = [e for e in store.events("ZF-01")[0] if e["kind"] == "rejected"]
    assert "不予许可" in rejected["reason"] and rejected["decided_by"]


def test_a_supplement_request_is_approved_when_the_supplement_arrives(store, catalog) -> None:
    simulation = Simulation(delay=0, supplement_rate=1.0)
    (created,) = store.ingest("ZF-01", [make_envelope()], catalog)
    simulation.step(store)
    assert kinds(store)[-1] == ("supplement_needed", "company_registration")
    assert simulation.step(store) == 0  # it waits for the supplement
    store.ingest("ZF-01", [make_envelope(kind="supplement", original_envelope_id=created["envelope_id"], items=())], catalog)
    assert simulation.step(store) == 1
    assert kinds(store)[-2:] == [("received", None), ("approved", "company_registration")]
    assert store.envelope(created["envelope_id"])["state"] == "decided"


def test_results_look_like_what_departments_issue() -> None:
    licence = plausible_result({"id": "company_registration", "result": "营业执照"}, {"window": {"region": "522325"}}, "e1", 2026)
    name, code = licence.split()
    assert name == "营业执照" and code.startswith("91522325") and check_uscc(code) is None
    tax = plausible_result({"id": "new_taxpayer_setup", "result": "税务信息确认书、发票"}, {}, "e1", 2026)
    assert tax.startswith("税务信息确认书、发票 522325-2026-")
    assert plausible_result({"id": "x", "result": ""}, {}, "e1", 2026).startswith("准予办理")


def test_rates_are_checked() -> None:
    with pytest.raises(ValueError):
        Simulation(reject_rate=0.7, supplement_rate=0.5)
    with pytest.raises(ValueError):
        Simulation(delay=-1)
