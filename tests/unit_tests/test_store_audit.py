"""The audit chain: every accepted application leaves an event; tampering is found."""

from __future__ import annotations

import hashlib
import json

import pytest
from store_fixtures import NOW, accept, open_window_db, opening_intake, settings_for

from offline_cache.audit import GENESIS_HASH, append_event, event_hash, verify_chain
from offline_cache.db import durable_transaction


def _three_events(tmp_path):
    settings = settings_for(tmp_path)
    db = open_window_db(settings)
    accept(db, settings)
    accept(db, settings, opening_intake())
    with durable_transaction(db):
        append_event(db, "张敏", "printed", None, {"copies": 2}, NOW.isoformat())
    return db


def test_an_untouched_chain_verifies(tmp_path) -> None:
    db = _three_events(tmp_path)
    try:
        assert verify_chain(db) is None
        rows = db.execute("SELECT seq, prev_hash, hash FROM audit ORDER BY seq").fetchall()
        assert len(rows) == 3
        assert rows[0][1] == GENESIS_HASH
        assert rows[1][1] == rows[0][2] and rows[2][1] == rows[1][2]
    finally:
        db.close()


def test_an_edited_event_is_found(tmp_path) -> None:
    db = _three_events(tmp_path)
    try:
        data = json.loads(db.execute("SELECT data FROM audit WHERE seq = 2").fetchone()[0])
        data["window_id"] = "ZF-99"
        db.execute("UPDATE audit SET data = ? WHERE seq = 2", [json.dumps(data, ensure_ascii=False)])
        assert verify_chain(db) == 2
    finally:
        db.close()


def test_a_changed_actor_is_found(tmp_path) -> None:
    db = _three_events(tmp_path)
    try:
        db.execute("UPDATE audit SET actor = '李四' WHERE seq = 1")
        assert verify_chain(db) == 1
    finally:
        db.close()


def test_a_deleted_event_breaks_the_next_link(tmp_path) -> None:
    db = _three_events(tmp_path)
    try:
        db.execute("DELETE FROM audit WHERE seq = 2")
        assert verify_chain(db) == 3
    finally:
        db.close()


def test_a_rehashed_forgery_still_breaks_the_following_link(tmp_path) -> None:
    """Recomputing the forged event's own hash is not enough: the next event points at the old one."""
    from offline_cache.audit import event_hash

    db = _three_events(tmp_path)
    try:
        seq, at, actor, action, receipt_no, data, prev_hash = db.execute(
            "SELECT seq, at, actor, action, receipt_no, data, prev_hash FROM audit WHERE seq = 1"
        ).fetchone()
        forged = {**json.loads(data), "offering": "enterprise_opening"}
        new_hash = event_hash(prev_hash, at, actor, action, receipt_no, forged)
        db.execute(
            "UPDATE audit SET data = ?, hash = ? WHERE seq = 1", [json.dumps(forged, ensure_ascii=False), new_hash]
        )
        assert verify_chain(db) == 2
    finally:
        db.close()


def test_the_accepted_event_commits_to_every_envelope_payload(tmp_path) -> None:
    settings = settings_for(tmp_path)
    db = open_window_db(settings)
    try:
        accepted = accept(db, settings)
        data = json.loads(db.execute("SELECT data FROM audit WHERE action = 'accepted'").fetchone()[0])
        assert {(e["envelope_id"], e["payload_sha256"]) for e in data["envelopes"]} == {
            (envelope.envelope_id, envelope.payload_sha256) for envelope in accepted.envelopes
        }
    finally:
        db.close()


@pytest.mark.parametrize("receipt_no", ["520102-261127-ZF-01-AB12-0001", None])
def test_an_event_hash_is_over_the_canonical_json_of_the_whole_event(receipt_no) -> None:
    # The chain's definition (docs): sha256(prev_hash + canonical JSON of the event), whatever
    # shortcut the code takes to build that text.
    data = {"说明": "王小红 \"引号\" \\ 斜杠", "envelopes": [{"b": 2, "a": 1}], "n": 1.5, "none": None}
    event = {"at": "2026-11-27T09:30:00+08:00", "actor": "张敏（ZM01）", "action": "accepted", "receipt_no": receipt_no, "data": data}
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    expected = hashlib.sha256((GENESIS_HASH + canonical).encode("utf-8")).hexdigest()
    assert event_hash(GENESIS_HASH, event["at"], event["actor"], "accepted", receipt_no, data) == expected
