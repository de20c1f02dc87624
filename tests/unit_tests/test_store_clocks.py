"""The clocks read from what the window stores: acceptance, a 补正 asked and handed in, a
prerequisite approved. Real SQLite file (the small test catalog), events applied the way the sync
engine applies them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from catalog_builders import build_catalog
from store_fixtures import accept, open_window_db, opening_intake, settings_for, signed_event, signer_for

from offline_cache import outbox as outbox_store
from offline_cache import progress, sync_state
from window_app.clocks import clock_of, clock_warnings, open_clocks
from window_app.domain.clocks import OVERDUE
from window_app.sync.decisions import apply_event, record_delivered
from window_app.sync.supplements import supplement

ENDPOINT = "http://exchange.test"
ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date


def _event(receipt: str, envelope, seq: int, kind: str, at: str, **extra) -> dict:
    return {
        "seq": seq, "kind": kind, "envelope_id": envelope.envelope_id, "idempotency_key": envelope.idempotency_key,
        "receipt_no": receipt, "department": "market_regulation", "item": None, "at": at, **extra,
    }


def test_clocks_follow_acceptance_supplements_and_prerequisites(tmp_path) -> None:
    catalog = build_catalog()
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        signer = signer_for(db, settings)
        receipt = accept(db, settings, opening_intake()).receipt_no  # Friday 27 November 2026
        [clock] = open_clocks(db, catalog, zone=ZONE, today=D(2026, 11, 27))
        market = next(p for p in clock.parts if p.department == "market_regulation")
        assert (market.state, market.limit_days, market.due_on) == ("running", 3, D(2026, 12, 2))
        assert {p.state for p in clock.parts if p.stage > 1} == {"waiting"}

        def warned(day: dt.date) -> tuple[list[str], list[str]]:
            found = clock_warnings(db, catalog, zone=ZONE, today=day)
            return [c.receipt_no for c in found.overdue], [c.receipt_no for c in found.due_soon]

        assert warned(D(2026, 12, 1)) == ([], [])
        assert warned(D(2026, 12, 2)) == ([], [receipt])  # 3 of 3
        assert warned(D(2026, 12, 3)) == ([receipt], [])
        assert warned(D(2026, 12, 3)) == warned(D(2026, 12, 3))
        assert clock_warnings(db, catalog, zone=ZONE, today=D(2026, 12, 3), clerk_id="nobody").receipt_nos == []

        # The department asks for a supplement on Monday; it is handed in on Wednesday.
        parts = {p.department: p for p in progress.parts_of(db, receipt)}
        licence = outbox_store.get_row(db, parts["market_regulation"].envelope_id)
        with sync_state.write_transaction(db):
            record_delivered(db, licence, now="2026-11-27T09:32:00+08:00", received_at="2026-11-27T09:32:00+08:00", signer=signer)
        asked = _event(receipt, licence, 1, "supplement_needed", "2026-11-30T10:02:00+08:00",
                       item="business_licence", material="premises_proof", reason="租赁合同已过期")
        with sync_state.write_transaction(db):
            apply_event(db, ENDPOINT, signed_event(asked), now="2026-11-30T10:05:00+08:00", signer=signer)
        paused = clock_of(db, catalog, receipt, zone=ZONE, today=D(2026, 12, 1))
        market = next(p for p in paused.parts if p.department == "market_regulation")
        assert (market.state, market.used_days, market.paused_days) == ("paused", 1, 1)
        assert warned(D(2026, 12, 9)) == ([], [])  # a pause does not run out

        supplement(db, receipt, "market_regulation", "premises_proof", "original",
                   now=dt.datetime(2026, 12, 2, 11, 0, tzinfo=ZONE), signer=signer)
        clock = clock_of(db, catalog, receipt, zone=ZONE, today=D(2026, 12, 3))
        market = next(p for p in clock.parts if p.department == "market_regulation")
        assert (market.state, market.used_days, market.paused_days, market.due_on) == ("running", 2, 2, D(2026, 12, 4))
        assert warned(D(2026, 12, 3)) == ([], [])
        assert warned(D(2026, 12, 4)) == ([], [receipt])

        # Approved on Thursday 3 December: its clock stops, stage 2's start.
        approved = _event(receipt, licence, 2, "approved", "2026-12-03T15:00:00+08:00",
                          item="business_licence", result="营业执照 91522325MA000001")
        with sync_state.write_transaction(db):
            apply_event(db, ENDPOINT, signed_event(approved), now="2026-12-03T15:01:00+08:00", signer=signer)
        clock = clock_of(db, catalog, receipt, zone=ZONE, today=D(2026, 12, 7))
        by_part = {(p.department, p.stage): p for p in clock.parts}
        market = by_part[("market_regulation", 1)]
        assert (market.state, market.ended_on, market.late) == ("stopped", D(2026, 12, 3), False)
        seal = by_part[("public_security", 2)]
        assert (seal.state, seal.started_on, seal.used_days, seal.warning) == ("running", D(2026, 12, 3), 2, OVERDUE)
        tax = by_part[("tax", 2)]
        assert (tax.limit_days, tax.used_days, tax.warning) == (5, 2, "")
        assert clock.warning == OVERDUE
        assert clock.due_on is not None and clock.due_on > D(2026, 12, 3)
    finally:
        db.close()


def test_a_supplement_keeps_a_deficiency_promise(tmp_path) -> None:
    from offline_cache import waived as waived_store
    from window_app.domain.intake import MaterialStatus

    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        signer = signer_for(db, settings)
        intake = opening_intake()
        intake.materials["premises_proof"] = MaterialStatus(state="deficient", promised_date="2026-11-30")
        receipt = accept(db, settings, intake).receipt_no
        assert [(p.material, p.received_at) for p in waived_store.promises_of(db, receipt)] == [("premises_proof", None)]
        parts = {p.department: p for p in progress.parts_of(db, receipt)}
        licence = outbox_store.get_row(db, parts["market_regulation"].envelope_id)
        with sync_state.write_transaction(db):
            record_delivered(db, licence, now="2026-11-27T09:32:00+08:00", received_at="2026-11-27T09:32:00+08:00", signer=signer)
        supplement(db, receipt, "market_regulation", "premises_proof", "original",
                   now=dt.datetime(2026, 11, 30, 10, 0, tzinfo=ZONE), signer=signer)
        [kept] = waived_store.promises_of(db, receipt)
        assert kept.received_at == "2026-11-30T02:00:00.000Z"
    finally:
        db.close()
