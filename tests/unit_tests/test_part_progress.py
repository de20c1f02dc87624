"""How a department's part is shown: its times, the state its envelopes add, the time it took.

Real SQLite file (the small test catalog), parts moved the way the sync engine moves them.
"""

from __future__ import annotations

import pytest
from store_fixtures import accept, open_window_db, opening_intake, settings_for, signed_event, signer_for

from offline_cache import applications as application_store
from offline_cache import outbox as outbox_store
from offline_cache import progress, sync_state
from window_app.domain.applications import DepartmentPart
from window_app.domain.states import duration_words, part_state_label, part_took
from window_app.domain.words import Words, set_language
from window_app.sync.decisions import apply_event, record_delivered, record_rejected
from window_app.sync.supplements import supplement

ENDPOINT = "http://exchange.test"


@pytest.fixture(autouse=True)
def _chinese():
    set_language("zh")
    yield
    set_language("zh")


def test_durations_in_words() -> None:
    start = "2026-11-27T09:30:00+08:00"
    assert duration_words(start, "2026-11-27T11:44:59+08:00") == "2时14分"
    assert duration_words(start, "2026-11-27T10:05:00+08:00") == "35分"
    assert duration_words(start, "2026-11-27T11:30:00+08:00") == "2时"
    assert duration_words(start, "2026-11-30T12:31:00+08:00") == "3天3时"
    assert duration_words(start, "2026-11-29T09:30:00+08:00") == "2天"
    assert duration_words(start, "2026-11-27T09:30:20+08:00") == "<1分"
    # The exchange stamps whole seconds: a decision "before" a delivery by a second is no time at all.
    assert duration_words("2026-11-27T09:30:00.700+08:00", "2026-11-27T09:30:00+08:00") == "<1分"
    assert duration_words(start, "2026-11-27T09:00:00+08:00") == ""  # clocks that disagree: nothing
    assert duration_words(start, None) == duration_words(None, start) == duration_words("soon", start) == ""
    set_language("en")
    assert duration_words(start, "2026-11-27T11:44:00+08:00") == "2h 14m"
    assert duration_words(start, "2026-11-28T10:30:00+08:00") == "1d 1h"


def test_a_part_took_from_delivery_to_its_decision_and_only_once_decided() -> None:
    sent, received, decided = "2026-11-27T09:32:00+08:00", "2026-11-27T09:40:00+08:00", "2026-11-27T11:46:00+08:00"
    part = DepartmentPart("tax", 1, ("t",), "approved", decided, sent_at=sent, received_at=received, decided_at=decided)
    assert part_took(part) == "2时14分"
    assert part_took(DepartmentPart("tax", 1, ("t",), "rejected", decided, received_at=received, decided_at=decided)) == "2时6分"
    # A supplement request is not the department's last word.
    assert part_took(DepartmentPart("tax", 1, ("t",), "supplement_needed", decided, sent_at=sent, decided_at=decided)) == ""
    assert part_took(DepartmentPart("tax", 1, ("t",), "received", received, sent_at=sent, received_at=received)) == ""


def test_shown_state_adds_what_the_envelopes_say() -> None:
    def part(state: str, **extra) -> DepartmentPart:
        return DepartmentPart("tax", 1, ("t",), state, "", **extra)

    assert part("queued", envelope_state="queued").shown_state == "queued"
    assert part("queued", envelope_state="quarantined").shown_state == "quarantined"
    assert part("supplement_needed").shown_state == "supplement_needed"
    assert part("supplement_needed", supplement="queued").shown_state == "supplement_queued"
    assert part("supplement_needed", supplement="quarantined").shown_state == "quarantined"
    assert part("received", supplement="sent").shown_state == "supplement_sent"
    assert part("approved", supplement="sent").shown_state == "approved"
    assert [part_state_label(s) for s in ("quarantined", "supplement_queued", "supplement_sent")] == ["已退回", "补正待发送", "补正已送达"]


def test_the_list_reads_times_envelope_states_and_supplements(tmp_path) -> None:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        signer = signer_for(db, settings)
        receipt = accept(db, settings, opening_intake()).receipt_no
        parts = {p.department: p for p in progress.parts_of(db, receipt)}
        licence = outbox_store.get_row(db, parts["market_regulation"].envelope_id)
        with sync_state.write_transaction(db):
            record_delivered(db, licence, now="2026-11-27T09:32:00+08:00", received_at="2026-11-27T09:32:00+08:00", signer=signer)
        seq = 0
        for kind, extra in (("received", {}), ("supplement_needed", {"item": "business_licence", "material": "premises_proof", "reason": "租赁合同已过期"})):
            seq += 1
            event = {"seq": seq, "kind": kind, "envelope_id": licence.envelope_id, "idempotency_key": licence.idempotency_key,
                     "receipt_no": receipt, "department": "market_regulation", "item": None, "at": f"2026-11-27T10:0{seq}:00+08:00", **extra}
            with sync_state.write_transaction(db):
                apply_event(db, ENDPOINT, signed_event(event) if kind != "received" else event, now="2026-11-27T10:05:00+08:00", signer=signer)

        [summary] = application_store.list_applications(db)
        shown = {p.department: p for p in summary.parts}
        market = shown["market_regulation"]
        assert (market.state, market.sent_at[:16], market.received_at, market.decided_at) == (
            "supplement_needed", "2026-11-27T09:32", "2026-11-27T10:01:00+08:00", "2026-11-27T10:02:00+08:00"
        )
        assert market.envelope_state == "sent" and market.attempts == 0 and market.supplement == ""
        assert shown["tax"].state == "waiting" and shown["tax"].envelope_state == "waiting"

        import datetime as dt

        supplement(db, receipt, "market_regulation", "premises_proof", "original", now=dt.datetime.fromisoformat("2026-11-27T11:00:00+08:00"), signer=signer)
        [summary] = application_store.list_applications(db)
        market = next(p for p in summary.parts if p.department == "market_regulation")
        assert market.supplement == "queued" and market.shown_state == "supplement_queued"

        # An envelope the exchange refused for good is shown quarantined, with the reason.
        other = accept(db, settings, opening_intake()).receipt_no
        first = next(p for p in progress.parts_of(db, other) if p.stage == 1)
        with sync_state.write_transaction(db):
            record_rejected(db, outbox_store.get_row(db, first.envelope_id), reason="unknown department 'x'", now="2026-11-27T11:00:00+08:00")
        detail = application_store.get_application(db, other)
        refused = next(p for p in detail.summary.parts if p.stage == 1)
        assert (refused.state, refused.shown_state) == ("queued", "quarantined")
        assert refused.envelope_error == Words(
            "交换平台退回此件：unknown department 'x'", "The exchange returned this part: unknown department 'x'"
        )
    finally:
        db.close()
