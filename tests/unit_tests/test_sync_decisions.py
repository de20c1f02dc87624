"""Events from the exchange → part and application states, stage release, the conclusion.

Real SQLite files: applications accepted through the real accept transaction (the small test
catalog), events applied the way the engine applies them (one transaction with the cursor).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from store_fixtures import (
    accept,
    newborn_intake,
    open_window_db,
    opening_intake,
    settings_for,
    signed_event,
    signer_for,
    window_signature_holds,
)

from offline_cache import outbox as outbox_store
from offline_cache import progress, sync_state
from offline_cache.audit import verify_chain
from tests.exchange_fixtures import opened
from window_app.domain.wire import DECISIONS
from window_app.sync.decisions import (
    ConclusionLine,
    apply_event,
    compose_conclusion,
    record_delivered,
    refresh_application,
)

ENDPOINT = "http://exchange.test"
NOW = "2026-11-27T10:00:00.000+08:00"


class Harness:
    """One window database and an exchange-like event sequence."""

    def __init__(self, tmp_path):
        self.settings = settings_for(tmp_path / "data")
        self.db = open_window_db(self.settings)
        self.signer = signer_for(self.db, self.settings)
        self.seq = 0

    def accept(self, intake=None):
        return accept(self.db, self.settings, intake)

    def envelopes(self, receipt_no: str) -> dict[tuple[str, int], Any]:
        """The parts' (application) envelopes by (department, stage); supplements left out."""
        parts = {p.envelope_id for p in progress.parts_of(self.db, receipt_no)}
        return {
            (e.envelope.department, e.envelope.stage): e
            for e in outbox_store.list_envelopes(self.db, receipt_no)
            if e.envelope.envelope_id in parts
        }

    def deliver(self, receipt_no: str, department: str, stage: int) -> None:
        row = outbox_store.get_row(self.db, self.envelopes(receipt_no)[(department, stage)].envelope.envelope_id)
        with sync_state.write_transaction(self.db):
            record_delivered(self.db, row, now=NOW, received_at=NOW, signer=self.signer)

    def event(self, receipt_no: str, department: str, stage: int, kind: str, item: str | None = None, **extra: Any) -> dict:
        self.seq += 1
        envelope = self.envelopes(receipt_no)[(department, stage)].envelope
        event = {
            "seq": self.seq,
            "kind": kind,
            "envelope_id": envelope.envelope_id,
            "idempotency_key": envelope.idempotency_key,
            "receipt_no": receipt_no,
            "department": department,
            "item": item,
            "at": f"2026-11-27T11:{self.seq:02d}:00+08:00",
            **extra,
        }
        return signed_event(event) if kind in DECISIONS else event

    def apply(self, *events: dict) -> int:
        applied = 0
        for event in events:
            with sync_state.write_transaction(self.db):
                applied += apply_event(self.db, ENDPOINT, event, now=NOW, signer=self.signer).applied
                sync_state.set_cursor(self.db, ENDPOINT, event["seq"])
        return applied

    def part_states(self, receipt_no: str) -> dict[tuple[str, int], str]:
        return {(p.department, p.stage): p.state for p in progress.parts_of(self.db, receipt_no)}

    def app_state(self, receipt_no: str) -> str:
        return progress.application_row(self.db, receipt_no).state

    def snapshot(self) -> dict[str, list]:
        tables = ("applications", "application_parts", "outbox", "item_decisions", "audit", "sync_endpoints", "exchange_events")
        return {t: self.db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


@pytest.fixture
def h(tmp_path) -> Harness:
    harness = Harness(tmp_path)
    yield harness
    harness.db.close()


def approve_licence(h: Harness, receipt: str, number: str = "营业执照 91522325MA6HXXXX1Q") -> None:
    h.deliver(receipt, "market_regulation", 1)
    h.apply(
        h.event(receipt, "market_regulation", 1, "received"),
        h.event(receipt, "market_regulation", 1, "approved", "business_licence", result=number, decided_by="张三"),
    )


# -- stage release ------------------------------------------------------------------------


def test_later_stage_waits_until_its_prerequisite_is_approved(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    assert h.part_states(receipt) == {
        ("market_regulation", 1): "queued",
        ("public_security", 2): "waiting",
        ("tax", 2): "waiting",
    }
    h.deliver(receipt, "market_regulation", 1)
    h.apply(h.event(receipt, "market_regulation", 1, "received"))
    assert h.part_states(receipt)[("tax", 2)] == "waiting"
    assert h.envelopes(receipt)[("tax", 2)].state == "waiting"
    assert h.app_state(receipt) == "in_progress"


def test_release_adds_the_prerequisite_result_and_re_signs_once(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    before = h.envelopes(receipt)[("tax", 2)].envelope
    approve_licence(h, receipt)
    after = h.envelopes(receipt)[("tax", 2)]
    assert after.state == "queued"
    assert h.part_states(receipt)[("tax", 2)] == "queued"
    document = opened(after.envelope)
    assert document["prerequisite_results"] == [
        {
            "item": "business_licence",
            "name": "企业设立登记",
            "department": "market_regulation",
            "result_name": "营业执照",
            "result": "营业执照 91522325MA6HXXXX1Q",
            "decided_by": "张三",
            "decided_at": "2026-11-27T11:02:00+08:00",
        }
    ]
    # Everything the department had before is still there, unchanged.
    original = opened(before)
    assert {k: v for k, v in document.items() if k not in ("prerequisite_results", "released_at")} == original
    assert json.loads(before.payload)["sealed"] == json.loads(after.envelope.payload)["sealed"]  # the same sealed bytes
    assert after.envelope.payload_sha256 == hashlib.sha256(after.envelope.payload).hexdigest()
    assert window_signature_holds(h.db, h.settings, after.envelope.payload, after.envelope.signature)
    assert after.envelope.idempotency_key == before.idempotency_key
    # The audit chain commits to the final payload.
    released = [e for e in progress_audit(h, receipt) if e["action"] == "part_released"]
    assert {r["data"]["payload_sha256"] for r in released} == {
        h.envelopes(receipt)[("tax", 2)].envelope.payload_sha256,
        h.envelopes(receipt)[("public_security", 2)].envelope.payload_sha256,
    }
    assert verify_chain(h.db) is None


def test_a_payload_is_never_finalised_after_its_first_attempt(h: Harness) -> None:
    """Only a waiting row with attempts = 0 can change; once queued its text is final."""
    receipt = h.accept(opening_intake()).receipt_no
    approve_licence(h, receipt)
    text = h.envelopes(receipt)[("tax", 2)].envelope.payload
    # A second approval of the licence (decided again with another number) changes nothing sent.
    h.apply(h.event(receipt, "market_regulation", 1, "approved", "business_licence", result="营业执照 其他"))
    assert h.envelopes(receipt)[("tax", 2)].envelope.payload == text
    envelope_id = h.envelopes(receipt)[("tax", 2)].envelope.envelope_id
    with sync_state.write_transaction(h.db):
        assert not outbox_store.finalise_held(h.db, envelope_id, "{}", "0" * 64, "x", NOW)


def test_refused_prerequisite_cancels_the_chain(h: Harness) -> None:
    receipt = h.accept(newborn_intake()).receipt_no
    h.deliver(receipt, "health", 1)
    h.apply(h.event(receipt, "health", 1, "rejected", "birth_certificate", reason="材料不实"))
    states = h.part_states(receipt)
    assert states[("health", 1)] == "rejected"
    assert states[("public_security", 2)] == "cancelled"
    # Stage 3 depends on stage 2's hukou registration: cancelled in turn.
    assert states[("medical_insurance", 3)] == "cancelled"
    assert states[("social_security", 3)] == "cancelled"
    assert {e.state for (d, s), e in h.envelopes(receipt).items() if s > 1} == {"cancelled"}
    assert h.app_state(receipt) == "rejected"
    detail = progress.application_row(h.db, receipt)
    assert detail.concluded_at == "2026-11-27T11:01:00+08:00"
    assert "不予办理" in detail.conclusion and "未办理" in detail.conclusion
    assert outbox_store.count_unsent(h.db) == 0


def test_supplement_needed_holds_the_next_stage(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    h.deliver(receipt, "market_regulation", 1)
    h.apply(
        h.event(receipt, "market_regulation", 1, "supplement_needed", "business_licence", material="premises_proof", reason="租赁合同过期")
    )
    assert h.part_states(receipt)[("market_regulation", 1)] == "supplement_needed"
    assert h.part_states(receipt)[("tax", 2)] == "waiting"
    assert h.app_state(receipt) == "supplement_needed"
    # The department decides again after the supplement: the latest decision counts.
    h.apply(h.event(receipt, "market_regulation", 1, "approved", "business_licence", result="营业执照 1"))
    assert h.part_states(receipt)[("market_regulation", 1)] == "approved"
    assert h.part_states(receipt)[("tax", 2)] == "queued"
    assert h.app_state(receipt) == "in_progress"


# -- idempotency -----------------------------------------------------------------------------


def test_applying_an_event_twice_changes_nothing(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    h.deliver(receipt, "market_regulation", 1)
    events = [
        h.event(receipt, "market_regulation", 1, "received"),
        h.event(receipt, "market_regulation", 1, "approved", "business_licence", result="营业执照 1"),
    ]
    assert h.apply(*events) == 2
    before = h.snapshot()
    assert h.apply(*events) == 0
    assert h.snapshot() == before
    # Re-running the aggregation without news changes nothing either.
    with sync_state.write_transaction(h.db):
        effect = refresh_application(h.db, receipt, now="2026-11-28T00:00:00+08:00", signer=h.signer)
    assert (effect.released, effect.cancelled, effect.concluded) == ([], [], [])
    assert h.snapshot() == before


def test_cursor_moves_with_the_event_in_one_transaction(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    event = h.event(receipt, "market_regulation", 1, "received")
    with pytest.raises(RuntimeError):
        with sync_state.write_transaction(h.db):
            apply_event(h.db, ENDPOINT, event, now=NOW, signer=h.signer)
            sync_state.set_cursor(h.db, ENDPOINT, event["seq"])
            raise RuntimeError("power cut before COMMIT")
    assert sync_state.endpoint_state(h.db, ENDPOINT).cursor == 0
    assert h.db.execute("SELECT count(*) FROM exchange_events").fetchone()[0] == 0
    assert h.part_states(receipt)[("market_regulation", 1)] == "queued"
    assert h.apply(event) == 1
    assert sync_state.endpoint_state(h.db, ENDPOINT).cursor == 1


def test_an_event_proves_delivery_after_a_lost_answer(h: Harness) -> None:
    """The exchange stored the envelope but its answer was lost: the event marks it delivered."""
    receipt = h.accept(opening_intake()).receipt_no
    h.apply(h.event(receipt, "market_regulation", 1, "received"))
    entry = h.envelopes(receipt)[("market_regulation", 1)]
    assert entry.state == "sent"
    assert h.part_states(receipt)[("market_regulation", 1)] == "received"


def test_unknown_envelopes_and_items_are_recorded_not_applied(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    h.deliver(receipt, "market_regulation", 1)
    stranger = {"seq": 50, "kind": "approved", "envelope_id": "f" * 32, "item": "x", "at": NOW}
    wrong_item = h.event(receipt, "market_regulation", 1, "approved", "tax_registration", result="?")
    assert h.apply(stranger, wrong_item) == 2
    assert progress.decisions_of(h.db, receipt) == {}
    assert h.part_states(receipt)[("market_regulation", 1)] == "sent"


# -- times and conclusion ------------------------------------------------------------------------


def test_each_part_records_when_it_was_sent_received_and_decided(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    approve_licence(h, receipt)
    part = next(p for p in progress.parts_of(h.db, receipt) if p.stage == 1)
    assert (part.sent_at, part.received_at, part.decided_at) == (NOW, "2026-11-27T11:01:00+08:00", "2026-11-27T11:02:00+08:00")


def test_every_item_decided_concludes_in_the_lead_departments_name(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    approve_licence(h, receipt, "营业执照 91522325MA6HXXXX1Q")
    for department, item, result in (("public_security", "seal_engraving", "印章备案 5223250001"), ("tax", "tax_registration", "")):
        h.deliver(receipt, department, 2)
        h.apply(h.event(receipt, department, 2, "approved", item, result=result))
    assert h.app_state(receipt) == "concluded"
    row = progress.application_row(h.db, receipt)
    assert row.conclusion.splitlines()[0] == "贞丰县市场监督管理局（牵头部门）办理结论"
    assert "营业执照 91522325MA6HXXXX1Q" in row.conclusion
    assert "印章备案 5223250001" in row.conclusion
    assert "共 3 项：准予办理 3 项。全部准予办理，本件办结。" in row.conclusion
    assert row.concluded_at == "2026-11-27T11:04:00+08:00"
    concluded = [e for e in progress_audit(h, receipt) if e["action"] == "concluded"]
    assert len(concluded) == 1
    assert verify_chain(h.db) is None


def test_compose_conclusion_lists_each_outcome() -> None:
    text = compose_conclusion(
        lead_name="贞丰县市场监督管理局",
        offering_name="企业开办",
        receipt_no="R-1",
        applicant_name="好运来",
        lines=[
            ConclusionLine("a", "经营主体设立登记", "市场监管局", "approved", result="营业执照 9152"),
            ConclusionLine("b", "新办纳税人", "税务局", "rejected", reason="经营范围不符"),
            ConclusionLine("c", "发票申领", "税务局", "cancelled"),
        ],
        concluded_at="2026-11-30T10:00:00+08:00",
    )
    assert text.splitlines() == [
        "贞丰县市场监督管理局（牵头部门）办理结论",
        "受理编号：R-1",
        "事项：企业开办",
        "申请人：好运来",
        "",
        "1. 经营主体设立登记（市场监管局）：准予办理；结果：营业执照 9152",
        "2. 新办纳税人（税务局）：不予办理；理由：经营范围不符",
        "3. 发票申领（税务局）：未办理（前置事项未获准予）",
        "",
        "结论：共 3 项：准予办理 1 项，不予办理 1 项，未办理 1 项。部分准予办理，本件办结。",
        "办结时间：2026-11-30T10:00:00+08:00",
    ]


def test_delivery_records_shared_materials_for_online_verification(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    h.deliver(receipt, "market_regulation", 1)
    verified = [e for e in progress_audit(h, receipt) if e["action"] == "verified_online"]
    assert [v["data"]["materials"] for v in verified] == [["id_card"]]
    h.deliver(receipt, "market_regulation", 1)  # a repeated answer changes nothing
    assert len([e for e in progress_audit(h, receipt) if e["action"] == "verified_online"]) == 1


def progress_audit(h: Harness, receipt: str) -> list[dict]:
    return [{"action": e.action, "data": e.data} for e in __import__("offline_cache.audit").audit.events_for(h.db, receipt)]
