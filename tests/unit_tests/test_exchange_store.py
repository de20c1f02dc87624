"""The exchange's own SQLite store: idempotent ingest, checks, inbox, decisions, events."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from tests.exchange_fixtures import exchange_db, make_envelope, receipt, register_test_window  # noqa: F401 - a fixture
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.exchange.errors import ExchangeError
from window_app.exchange.store import ExchangeStore, token_hash

pytestmark = pytest.mark.usefixtures("exchange_backend")
CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(shipped_catalog_path())


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 27, 9, 31, 2, tzinfo=CST)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(exchange_db: str | Path, clock: Clock):
    opened = ExchangeStore.open(exchange_db, clock=clock)
    register_test_window(opened)
    register_test_window(opened, "XL-02")
    yield opened
    opened.close()


def rows(store: ExchangeStore, sql: str) -> list[tuple]:
    with store.backend.reading() as conn:
        return [tuple(row) for row in conn.execute(sql).fetchall()]


def sqlite_only(store: ExchangeStore) -> None:
    if store.backend.dialect.name != "sqlite":
        pytest.skip("about the SQLite file itself")


def test_the_file_is_wal_with_full_sync(store: ExchangeStore) -> None:
    sqlite_only(store)
    assert store.backend.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.backend.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_batch_is_created_once_and_a_repeat_answers_the_first_time(store, catalog, clock) -> None:
    batch = [make_envelope(receipt_no=receipt(n + 1)) for n in range(3)]
    first = store.ingest("ZF-01", batch, catalog)
    assert [r["status"] for r in first] == ["created"] * 3
    assert first[0]["received_at"] == "2026-11-27T09:31:02+08:00"

    clock.advance(60)
    again = store.ingest("ZF-01", batch, catalog)
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [(r["envelope_id"], r["received_at"]) for r in again] == [(r["envelope_id"], r["received_at"]) for r in first]
    assert rows(store, "SELECT count(*) FROM envelopes") == [(3,)]


def test_the_payload_is_stored_as_the_exact_text_received(store, catalog) -> None:
    envelope = make_envelope()
    store.ingest("ZF-01", [envelope], catalog)
    assert rows(store, "SELECT payload FROM envelopes") == [(envelope["payload"],)]


def test_the_same_key_twice_in_one_batch_is_one_row(store, catalog) -> None:
    envelope = make_envelope()
    results = store.ingest("ZF-01", [envelope, dict(envelope)], catalog)
    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert store.count_envelopes() == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda e: e.update(payload_sha256="0" * 64), "payload_sha256 does not match"),
        (lambda e: e.update(department="taxx"), "unknown department 'taxx'"),
        (lambda e: e.update(stage=2), "differs from the envelope"),
        (lambda e: e.update(kind="letter"), "kind 'letter'"),
        (lambda e: e.pop("signature"), "signature is missing"),
        (lambda e: e.update(stage="1"), "stage is missing or not a whole number"),
    ],
)
def test_a_bad_envelope_is_rejected_with_its_reason(store, catalog, change, words) -> None:
    good, bad = make_envelope(receipt_no=receipt(1)), make_envelope(receipt_no=receipt(2))
    change(bad)
    results = store.ingest("ZF-01", [good, bad], catalog)
    assert results[0]["status"] == "created"
    assert results[1]["status"] == "rejected"
    assert words in results[1]["reason"]
    assert results[1]["reason_zh"]
    assert store.count_envelopes() == 1


def test_a_payload_that_is_not_json_is_rejected(store, catalog) -> None:
    import hashlib

    envelope = make_envelope()
    envelope["payload"] = "{not json"
    envelope["payload_sha256"] = hashlib.sha256(b"{not json").hexdigest()
    (result,) = store.ingest("ZF-01", [envelope], catalog)
    assert result["status"] == "rejected" and result["reason"].startswith("payload is not JSON")


def test_an_item_of_another_department_is_rejected(store, catalog) -> None:
    envelope = make_envelope(department="tax-522325", items=(("company_registration", "企业设立登记", "营业执照"),))
    (result,) = store.ingest("ZF-01", [envelope], catalog)
    assert result["status"] == "rejected"
    assert "belongs to department 'market_regulation'" in result["reason"]


def test_a_window_cannot_send_another_windows_payload_or_reuse_its_key(store, catalog) -> None:
    (result,) = store.ingest("XL-02", [make_envelope(window_id="ZF-01")], catalog)
    assert result["status"] == "rejected" and "not by the caller" in result["reason"]
    envelope = make_envelope()
    store.ingest("ZF-01", [envelope], catalog)
    (stolen,) = store.ingest("XL-02", [envelope], catalog)
    assert stolen["status"] == "rejected" and "another window" in stolen["reason"]


def test_listing_the_inbox_receives_new_envelopes_once(store, catalog) -> None:
    store.ingest("ZF-01", [make_envelope(receipt_no=receipt(1)), make_envelope(receipt_no=receipt(2), department="tax-522325",
                                                                            items=(("tax_registration", "税务登记", ""),))], catalog)
    listed = store.inbox("market_regulation-522325", "new")
    assert [e["receipt_no"] for e in listed] == [receipt(1)]
    assert listed[0]["state"] == "new"
    assert listed[0]["payload"]["receipt_no"] == receipt(1)
    assert store.inbox("market_regulation-522325", "new") == []
    assert [e["state"] for e in store.inbox("market_regulation-522325", "all")] == ["received"]
    events, cursor, more = store.events("ZF-01")
    assert [(e["kind"], e["department"]) for e in events] == [("received", "market_regulation-522325")]
    assert (cursor, more) == (events[0]["seq"], False)


def test_decisions_become_events_in_seq_order(store, catalog) -> None:
    items = (("company_registration", "企业设立登记", "营业执照"), ("food_business_licence", "食品经营许可", "食品经营许可证"))
    (created,) = store.ingest("ZF-01", [make_envelope(items=items)], catalog)
    envelope_id = created["envelope_id"]
    store.decide("market_regulation-522325", envelope_id, "company_registration", "approved", result="营业执照 91522325MA0000001X")
    store.decide("market_regulation-522325", envelope_id, "food_business_licence", "supplement_needed", material="health_certificate")
    store.decide("market_regulation-522325", envelope_id, "food_business_licence", "approved", result="食品经营许可证 JY1")
    events, cursor, _ = store.events("ZF-01")
    assert [(e["kind"], e["item"]) for e in events] == [
        ("received", None),
        ("approved", "company_registration"),
        ("supplement_needed", "food_business_licence"),
        ("approved", "food_business_licence"),
    ]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4 and cursor == seqs[-1]
    assert store.envelope(envelope_id)["state"] == "decided"


def test_repeating_a_decision_is_idempotent_and_a_final_one_cannot_change(store, catalog) -> None:
    (created,) = store.ingest("ZF-01", [make_envelope()], catalog)
    envelope_id = created["envelope_id"]
    first, new = store.decide("market_regulation-522325", envelope_id, "company_registration", "approved", result="营业执照 X")
    again, new_again = store.decide("market_regulation-522325", envelope_id, "company_registration", "approved", result="营业执照 X")
    assert (new, new_again) == (True, False)
    assert again == first
    with pytest.raises(ExchangeError) as raised:
        store.decide("market_regulation-522325", envelope_id, "company_registration", "rejected", reason="no")
    assert raised.value.status == 409


def test_a_department_decides_only_items_of_its_own_envelopes(store, catalog) -> None:
    (created,) = store.ingest("ZF-01", [make_envelope()], catalog)
    with pytest.raises(ExchangeError) as other:
        store.decide("tax-522325", created["envelope_id"], "company_registration", "approved")
    assert other.value.status == 404
    with pytest.raises(ExchangeError) as missing:
        store.decide("market_regulation-522325", created["envelope_id"], "tax_registration", "approved")
    assert missing.value.status == 422


def test_events_page_by_the_since_cursor_and_stay_with_their_window(store, catalog) -> None:
    envelopes = [make_envelope(receipt_no=receipt(n + 1)) for n in range(5)]
    store.ingest("ZF-01", envelopes, catalog)
    store.ingest("XL-02", [make_envelope(receipt_no=receipt(1, "XL-02"), window_id="XL-02")], catalog)
    store.inbox("market_regulation-522325", "new")
    seen, cursor, pages = [], 0, 0
    while True:
        page, cursor, more = store.events("ZF-01", since=cursor, limit=2)
        seen += page
        pages += 1
        if not more:
            break
    assert pages == 3
    assert [e["receipt_no"] for e in seen] == [receipt(n + 1) for n in range(5)]
    assert store.events("ZF-01", since=cursor) == ([], cursor, False)
    assert [e["receipt_no"] for e in store.events("XL-02")[0]] == [receipt(1, "XL-02")]


def test_a_supplement_names_its_original_and_closes_with_it(store, catalog) -> None:
    (created,) = store.ingest("ZF-01", [make_envelope()], catalog)
    original = created["envelope_id"]
    store.decide("market_regulation-522325", original, "company_registration", "supplement_needed", material="premises_proof")
    supplement = make_envelope(kind="supplement", original_envelope_id=original, items=())
    (result,) = store.ingest("ZF-01", [supplement], catalog)
    assert result["status"] == "created"
    assert [e["kind"] for e in store.inbox("market_regulation-522325", "new")] == ["supplement"]
    with pytest.raises(ExchangeError):
        store.decide("market_regulation-522325", supplement["envelope_id"], "company_registration", "approved")
    store.decide("market_regulation-522325", original, "company_registration", "approved", result="营业执照 X")
    assert store.inbox("market_regulation-522325", "open") == []

    orphan = make_envelope(kind="supplement", original_envelope_id="nope", items=())
    (refused,) = store.ingest("ZF-01", [orphan], catalog)
    assert refused["status"] == "rejected" and "no envelope 'nope'" in refused["reason"]


def test_tokens_are_stored_only_as_hashes(store) -> None:
    token = store.issue_token("department", "tax-522325")
    assert store.authenticate(token).id == "tax-522325"
    assert store.authenticate(token + "x") is None
    stored = rows(store, "SELECT token_hash FROM tokens")
    assert stored == [(token_hash(token),)]
    assert token not in json.dumps(stored)
    with pytest.raises(ValueError):
        store.issue_token("window", "no spaces allowed")


def test_every_query_is_served_by_an_index(store, catalog, clock) -> None:
    """Trace every statement a day's work runs; none may scan a whole table."""
    sqlite_only(store)
    statements: list[str] = []
    store.backend.conn.set_trace_callback(statements.append)
    (created,) = store.ingest("ZF-01", [make_envelope()], catalog)
    store.ingest("ZF-01", [make_envelope()], catalog)
    store.authenticate("nothing")
    for state in ("new", "open", "all"):
        store.inbox("market_regulation-522325", state)
    store.decide("market_regulation-522325", created["envelope_id"], "company_registration", "supplement_needed", reason="x")
    store.events("ZF-01", since=0)
    store.waiting_since(clock().timestamp())
    store.backend.conn.set_trace_callback(None)
    for sql in {s for s in statements if s.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE"))}:
        plan = " / ".join(row[3] for row in store.backend.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SCAN" not in plan.replace("COVERING INDEX", ""), f"{sql}\n  → {plan}"
