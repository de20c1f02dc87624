"""Supplements (补正): recorded with the material's new status, queued as their own envelope,
and answering the department's request once delivered."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from store_fixtures import opening_intake, window_signature_holds
from test_sync_decisions import NOW, Harness, progress_audit

from offline_cache import outbox as outbox_store
from offline_cache import progress
from offline_cache.audit import verify_chain
from tests.exchange_fixtures import opened
from window_app.sync.supplements import SupplementRefused, supplement

LATER = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def h(tmp_path):
    harness = Harness(tmp_path)
    yield harness
    harness.db.close()


def asked(h: Harness) -> str:
    receipt = h.accept(opening_intake()).receipt_no
    h.deliver(receipt, "market_regulation", 1)
    h.apply(
        h.event(receipt, "market_regulation", 1, "supplement_needed", "business_licence", material="premises_proof", reason="租赁合同已过期")
    )
    return receipt


def test_supplement_records_the_material_and_queues_its_own_envelope(h: Harness) -> None:
    receipt = asked(h)
    envelope_id = supplement(h.db, receipt, "market_regulation", "premises_proof", "original", now=LATER, signer=h.signer, clerk="张敏")
    row = outbox_store.get_row(h.db, envelope_id)
    original = h.envelopes(receipt)[("market_regulation", 1)].envelope
    assert (row.kind, row.original_envelope_id, row.stage) == ("supplement", original.envelope_id, 1)
    assert row.idempotency_key == f"{original.idempotency_key}/supplement/1"
    assert outbox_store.state_of(h.db, envelope_id) == "queued"
    document = opened(row.payload, "market_regulation")
    assert "premises_proof" in row.payload and "租赁" not in row.payload  # the material's id in the clear, its note sealed
    assert document["kind"] == "supplement" and document["original_envelope_id"] == original.envelope_id
    assert document["material"] == {"id": "premises_proof", "name": "住所（经营场所）使用证明", "state": "original", "promised_date": "", "note": ""}
    assert row.payload_sha256 == hashlib.sha256(row.payload.encode()).hexdigest()
    assert window_signature_holds(h.db, h.settings, row.payload.encode(), row.signature)
    intake = progress.intake_json(h.db, receipt)
    assert intake["materials"]["premises_proof"]["state"] == "original"
    assert [e["action"] for e in progress_audit(h, receipt)][-1] == "supplement_queued"
    # Still asked for until the supplement is delivered …
    assert h.part_states(receipt)[("market_regulation", 1)] == "supplement_needed"
    # … then the department has it again, and decides anew.
    with __import__("offline_cache.sync_state").sync_state.write_transaction(h.db):
        from window_app.sync.decisions import record_delivered

        record_delivered(h.db, row, now=NOW, received_at=NOW, signer=h.signer)
    assert h.part_states(receipt)[("market_regulation", 1)] == "received"
    assert h.app_state(receipt) == "in_progress"
    assert verify_chain(h.db) is None


def test_a_second_supplement_gets_the_next_key(h: Harness) -> None:
    receipt = asked(h)
    first = supplement(h.db, receipt, "market_regulation", "premises_proof", "copy", now=LATER, signer=h.signer)
    second = supplement(h.db, receipt, "market_regulation", "premises_proof", "original", now=LATER, signer=h.signer)
    keys = [outbox_store.get_row(h.db, e).idempotency_key for e in (first, second)]
    assert [k.rsplit("/", 1)[1] for k in keys] == ["1", "2"]


def test_supplement_refusals_say_why_and_write_nothing(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    before = h.snapshot()
    with pytest.raises(SupplementRefused) as never_sent:
        supplement(h.db, receipt, "market_regulation", "premises_proof", "original", now=LATER, signer=h.signer)
    assert "尚未送达" in never_sent.value.words.zh
    h.deliver(receipt, "market_regulation", 1)
    before = h.snapshot()
    with pytest.raises(SupplementRefused) as not_needed:
        supplement(h.db, receipt, "market_regulation", "seal_form", "original", now=LATER, signer=h.signer)
    assert "seal_form" in not_needed.value.words.en
    with pytest.raises(SupplementRefused):
        supplement(h.db, receipt, "market_regulation", "premises_proof", "lost", now=LATER, signer=h.signer)
    with pytest.raises(KeyError):
        supplement(h.db, receipt, "bank", "premises_proof", "original", now=LATER, signer=h.signer)
    with pytest.raises(KeyError):
        supplement(h.db, "NO-SUCH", "market_regulation", "premises_proof", "original", now=LATER, signer=h.signer)
    assert h.snapshot() == before
