"""Signed audit heads: their shape, signing at the window, and the exchange keeping them only forward."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from store_fixtures import accept, open_window_db, settings_for

from offline_cache.audit import latest_head, sign_head, unsigned_tail, utc_at
from offline_cache.db import durable_transaction, installation_tag
from tests.exchange_fixtures import exchange_db  # noqa: F401 - a fixture
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from window_app.domain.audit_head import AuditHead, head_from_json, head_message
from window_app.domain.words import Words
from window_app.exchange.store import ExchangeStore
from window_app.identity import window_signing_key
from window_app.trust.keys import SigningKey
from window_app.trust.signing import Signature, sign, verify

CST = dt.timezone(dt.timedelta(hours=8))
KEY = SigningKey.generate()


def signed(seq: int, digest: str = "a" * 64, key: SigningKey = KEY, window_id: str = "ZF-01") -> AuditHead:
    head = AuditHead(window_id, seq, digest, "2026-11-27T01:30:00Z", {})
    return AuditHead(window_id, seq, digest, head.at, sign(key, head.message()).to_json())


# -- the shape ------------------------------------------------------------------------------------


def test_a_head_round_trips_and_its_message_is_canonical() -> None:
    head = signed(7)
    assert head_from_json(head.to_json()) == head
    assert head.message() == head_message("ZF-01", 7, "a" * 64, "2026-11-27T01:30:00Z")
    assert head.message().startswith(b'{"at":"2026-11-27T01:30:00Z","hash":"aaaa')
    assert b'"purpose":"window-audit-head"' in head.message()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"seq": 0}, "seq must be a whole number"),
        ({"seq": True}, "seq must be a whole number"),
        ({"seq": 2**63}, "seq must be a whole number"),
        ({"hash": "A" * 64}, "64 lower-case hex digits"),
        ({"at": "2026-11-27T09:30:00+08:00"}, "must be a UTC time"),
        ({"window_id": "ZF 01"}, "not a window id"),
        ({"signature": {"suite": "ed25519"}}, "signature must be {suite, key_id, value}"),
        ({"extra": 1}, "unknown fields: extra"),
    ],
)
def test_a_malformed_head_is_refused_in_words(change: dict, words: str) -> None:
    problem = head_from_json({**signed(1).to_json(), **change})
    assert isinstance(problem, Words) and words in problem.en


def test_a_head_that_is_not_an_object_is_refused() -> None:
    assert isinstance(head_from_json([1]), Words)


# -- signing at the window ------------------------------------------------------------------------


def test_every_accept_signs_the_head_in_its_transaction(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        accept(db, settings)
        accept(db, settings)
        heads = db.execute("SELECT seq, hash, at, window_id, key_id, cause FROM audit_heads ORDER BY seq").fetchall()
        chain = db.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
        key = window_signing_key(settings, installation_tag(db), create=False)
        assert [(seq, digest) for seq, digest, *_ in heads] == chain
        assert {(at, window_id, key_id, cause) for _, _, at, window_id, key_id, cause in heads} == {
            ("2026-11-27T01:30:00Z", "ZF-01", key.key_id, "accept")
        }
        head = latest_head(db)
        assert head is not None and head.seq == 2
        assert verify(key.public, head.message(), Signature.from_json(head.signature)) is None
        assert not unsigned_tail(db)
    finally:
        db.close()


def test_a_head_is_signed_once_per_position(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        with durable_transaction(db):
            assert sign_head(db, KEY, "ZF-01", utc_at(dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST)), cause="sync") is None
        accept(db, settings)
        with durable_transaction(db):
            assert sign_head(db, KEY, "ZF-01", "2026-11-27T01:31:00Z", cause="sync") is None  # the accept signed it
        assert db.execute("SELECT count(*) FROM audit_heads").fetchone()[0] == 1
    finally:
        db.close()


# -- the exchange keeps the latest, only forward --------------------------------------------------


@pytest.fixture
def store(exchange_backend: str, exchange_db: str | Path):
    opened = ExchangeStore.open(exchange_db, clock=lambda: dt.datetime(2026, 11, 27, 9, 31, tzinfo=CST))
    yield opened
    opened.close()


def refusals(store: ExchangeStore) -> list[tuple]:
    with store.backend.reading() as conn:
        rows = conn.execute("SELECT window_id, seq, reason, held_seq, count FROM audit_head_refusals ORDER BY seq").fetchall()
    return [tuple(row) for row in rows]


def test_the_exchange_keeps_heads_only_going_forward(store: ExchangeStore) -> None:
    assert store.audit_head("ZF-01") == {"head": None, "verified": False, "received_at": None, "refusals": 0}
    first = store.record_audit_head("ZF-01", signed(5))
    assert (first.status, first.verified, first.held) == ("stored", False, signed(5).to_json())
    assert store.record_audit_head("ZF-01", signed(5)).status == "unchanged"
    assert store.record_audit_head("ZF-01", signed(9, "b" * 64)).status == "stored"

    behind = store.record_audit_head("ZF-01", signed(6))
    assert (behind.status, behind.http_status) == ("refused", 409)
    assert "the exchange holds the head at event 9, this one is at event 6" in behind.reason.en
    forked = store.record_audit_head("ZF-01", signed(9, "c" * 64))
    assert (forked.status, forked.http_status) == ("refused", 409) and "another hash" in forked.reason.en
    store.record_audit_head("ZF-01", signed(6))  # posted again next round: counted, not a new row

    assert refusals(store) == [("ZF-01", 6, "behind", 9, 2), ("ZF-01", 9, "forked", 9, 1)]
    held = store.audit_head("ZF-01")
    assert held["head"] == signed(9, "b" * 64).to_json() and held["refusals"] == 3
    assert held["received_at"] == "2026-11-27T09:31:00+08:00" and held["verified"] is False
    assert store.audit_head("ZF-02")["head"] is None  # per window


def test_with_a_registered_key_the_signature_is_checked(store: ExchangeStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "window_key", lambda window_id, key_id: KEY.public)
    good = store.record_audit_head("ZF-01", signed(3))
    assert (good.status, good.verified) == ("stored", True)
    forged = store.record_audit_head("ZF-01", signed(4, key=SigningKey.generate()))
    assert (forged.status, forged.http_status) == ("refused", 403)
    assert "signature does not verify" in forged.reason.en
    assert store.audit_head("ZF-01")["head"]["seq"] == 3 and refusals(store)[0][2] == "signature"
