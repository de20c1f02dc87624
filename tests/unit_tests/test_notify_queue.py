"""The applicant's notifications are queued with the event that causes them, once per cause,
and the phone they go to is sealed at rest."""

from __future__ import annotations

import pytest
from store_fixtures import opening_intake
from test_sync_decisions import Harness

from offline_cache import notifications
from offline_cache.notifications import recipient_of
from window_app.domain.notifications import masked_name
from window_app.domain.words import Words
from window_app.trust.recipient_key import recipient_cipher


@pytest.fixture
def h(tmp_path):
    harness = Harness(tmp_path)
    yield harness
    harness.db.close()


def queued(h: Harness, receipt_no: str) -> list[tuple[str, str, str, int]]:
    return notifications.list_for(h.db, receipt_no)


def test_accepting_queues_one_acceptance_notification_in_the_same_transaction(h: Harness) -> None:
    receipt = h.accept().receipt_no
    assert queued(h, receipt) == [("accepted", "accepted", "queued", 0)]
    recipient = recipient_of(h.db, recipient_cipher(h.signer.key), receipt)
    assert recipient is not None and recipient.phone.isdigit() and "*" in recipient.name
    # Sealed at rest: the phone's digits are nowhere in the row.
    (blob,) = h.db.execute("SELECT recipient FROM notification_recipients WHERE receipt_no = ?", [receipt]).fetchone()
    assert isinstance(blob, bytes) and recipient.phone.encode() not in blob


def test_a_failed_accept_queues_nothing(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h.accept()
    before = h.db.execute("SELECT count(*) FROM notifications").fetchone()[0]

    def broken(*args, **kwargs):
        raise RuntimeError("the head could not be signed")

    # The head is signed after the notification is queued, inside the same transaction: a
    # failure there (the last write) must take the queued notification with it.
    monkeypatch.setattr("offline_cache.applications.sign_head", broken)
    with pytest.raises(RuntimeError):
        h.accept()
    assert h.db.execute("SELECT count(*) FROM notifications").fetchone()[0] == before
    assert h.db.execute("SELECT count(*) FROM notification_recipients").fetchone()[0] == before


def test_a_supplement_request_queues_one_and_a_replay_none(h: Harness) -> None:
    receipt = h.accept(opening_intake()).receipt_no
    h.deliver(receipt, "market_regulation", 1)
    ask = h.event(receipt, "market_regulation", 1, "supplement_needed", "business_licence", material="premises_proof", reason="过期")
    h.apply(ask)
    h.apply(ask)  # the same event again: applied before, a no-op
    kinds = [row[0] for row in queued(h, receipt)]
    assert kinds == ["accepted", "supplement"]
    (data,) = [n.data for n in _claimed(h) if n.kind == "supplement"]
    assert data["material"]["zh"] == "住所（经营场所）使用证明"


def test_conclusion_queues_one(h: Harness) -> None:
    receipt = h.accept().receipt_no
    for (department, stage) in h.envelopes(receipt):
        h.deliver(receipt, department, stage)
    from offline_cache import progress

    for part in progress.parts_of(h.db, receipt):
        h.apply(*[h.event(receipt, part.department, part.stage, "approved", item, result="R1") for item in part.items])
    assert h.app_state(receipt) == "concluded"
    assert [row[:3] for row in queued(h, receipt)] == [("accepted", "accepted", "queued"), ("concluded", "concluded", "queued")]


def test_the_name_is_masked() -> None:
    assert masked_name("张三") == "张*"
    assert masked_name("张三丰") == "张**"
    assert masked_name("") == ""


def _claimed(h: Harness):
    return notifications.claim_due(h.db, "2099-01-01T00:00:00+00:00", limit=50, retry_at=lambda n: "2099-01-01T00:00:01+00:00")


def test_the_recipient_goes_once_the_conclusion_is_out_and_nothing_else_waits(h: Harness) -> None:
    receipt = h.accept().receipt_no
    later = "2026-11-27T10:00:00+08:00"
    notifications.queue(h.db, receipt, "supplement", "tax/x/1", {}, later)
    notifications.queue(h.db, receipt, "concluded", "concluded", {}, later)
    by_kind = {n.kind: n for n in _claimed(h)}

    def recipients() -> int:
        return h.db.execute("SELECT count(*) FROM notification_recipients WHERE receipt_no = ?", [receipt]).fetchone()[0]

    notifications.record_sent(h.db, by_kind["accepted"], later)
    notifications.record_sent(h.db, by_kind["concluded"], later)
    assert recipients() == 1  # the 补正 notice still waits for it
    notifications.record_refused(h.db, by_kind["supplement"], Words("号码无效", "no such number"))
    assert recipients() == 0
    (sent_at,) = h.db.execute("SELECT sent_at FROM notifications WHERE kind = 'concluded'").fetchone()
    assert sent_at.endswith("Z")  # stored in UTC
