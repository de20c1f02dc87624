"""The sync engine's storage: every queue query has an index behind it; the v2 and v5 migrations."""

from __future__ import annotations

import json
import sqlite3

import pytest
from store_fixtures import accept, open_window_db, settings_for

from offline_cache.outbox import utc_stamp
from window_app.domain.words import NO_WORDS, Words

QUERIES = {
    # claim_due, shared exchange (departments with their own endpoint excluded)
    "due, shared": (
        "SELECT envelope_id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? AND department NOT IN (?) "
        "ORDER BY next_attempt_at, envelope_id LIMIT 50",
        ["2026-11-27T01:30:00.000Z", "health"],
        "outbox_state_next_attempt",
    ),
    # claim_due, a department's own endpoint
    "due, own endpoint": (
        "SELECT envelope_id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ? AND department IN (?) "
        "ORDER BY next_attempt_at, envelope_id LIMIT 50",
        ["2026-11-27T01:30:00.000Z", "health"],
        "outbox_department_state_next",
    ),
    "next due": ("SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'", [], "outbox_state_next_attempt"),
    "held of an application": (
        "SELECT envelope_id FROM outbox WHERE receipt_no = ? AND state = 'waiting' AND attempts = 0", ["r"], "outbox_receipt_no"
    ),
    "by state": ("SELECT receipt_no FROM outbox WHERE state = ? GROUP BY receipt_no", ["quarantined"], "outbox_state_next_attempt"),
    "part of an envelope": ("SELECT state FROM application_parts WHERE envelope_id = ?", ["e"], "application_parts_envelope_id"),
    "decisions": ("SELECT decision FROM item_decisions WHERE receipt_no = ?", ["r"], "sqlite_autoindex_item_decisions_1"),
    "event applied?": ("SELECT 1 FROM exchange_events WHERE endpoint = ? AND seq = ?", ["u", 1], "sqlite_autoindex_exchange_events_1"),
    "events of an application": ("SELECT data FROM exchange_events WHERE receipt_no = ?", ["r"], "exchange_events_receipt_no"),
    "endpoint": ("SELECT cursor FROM sync_endpoints WHERE endpoint = ?", ["u"], "sqlite_autoindex_sync_endpoints_1"),
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_queue_queries_use_an_index(tmp_path, name: str) -> None:
    sql, params, index = QUERIES[name]
    db = open_window_db(settings_for(tmp_path / "data"))
    try:
        plan = " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    finally:
        db.close()
    assert index in plan, plan
    assert "SCAN outbox" not in plan and "SCAN application_parts" not in plan


def test_next_attempt_at_is_stored_in_utc_so_text_order_is_time_order(tmp_path) -> None:
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    try:
        accept(db, settings)
        stamps = {row[0] for row in db.execute("SELECT next_attempt_at FROM outbox WHERE state = 'queued'")}
        assert stamps == {"2026-11-27T01:30:00.000Z"}  # 09:30 China Standard Time
    finally:
        db.close()
    assert utc_stamp("2026-11-27T09:30:00+08:00") < utc_stamp("2026-11-27T02:00:00+00:00")


def test_v2_converts_next_attempt_at_written_with_an_offset(tmp_path) -> None:
    from offline_cache.db import open_database
    from offline_cache.schema import MIGRATIONS

    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("INSERT INTO applications (receipt_no, offering_id, offering_kind, offering_name, applicant_kind, applicant_name, "
                "state, catalog_version, lead_department, intake, guide, window_id, clerk, accepted_at, updated_at) "
                "VALUES ('r', 'o', 'bundle', 'n', 'person', 'a', 'accepted', '1', 'x', '{}', '{}', 'w', 'c', 't', 't')")
    raw.execute("INSERT INTO outbox (envelope_id, idempotency_key, receipt_no, department, stage, payload, payload_sha256, "
                "signature, state, next_attempt_at, created_at) VALUES ('e', 'k', 'r', 'd', 1, '{}', 's', 'g', 'queued', "
                "'2026-11-27T09:30:00+08:00', 't')")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    db = open_database(path)
    try:
        assert db.execute("SELECT next_attempt_at, kind, attempts FROM outbox").fetchone() == ("2026-11-27T01:30:00.000Z", "application", 0)
    finally:
        db.close()


def test_v5_turns_stored_pairs_into_words(tmp_path) -> None:
    """Failures and quarantine reasons written as one ``中文 / English`` string before v5 read
    back as words; text without the separator is the same in both languages."""
    from offline_cache import outbox as outbox_store
    from offline_cache import sync_state
    from offline_cache.db import open_database
    from offline_cache.schema import MIGRATIONS

    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    for migration in MIGRATIONS[:3]:
        for statement in migration:
            raw.execute(statement)
    raw.execute("INSERT INTO applications (receipt_no, offering_id, offering_kind, offering_name, applicant_kind, applicant_name, "
                "state, catalog_version, lead_department, intake, guide, window_id, clerk, accepted_at, updated_at) "
                "VALUES ('r', 'o', 'bundle', 'n', 'person', 'a', 'accepted', '1', 'x', '{}', '{}', 'w', 'c', 't', 't')")
    old_rows = [
        ("e1", 1, "quarantined", "交换平台拒收此信封：unknown department 'x' / The exchange refused this envelope: unknown department 'x'"),
        ("e2", 2, "queued", "无法连接交换平台（连接被拒绝），稍后自动重试 / Cannot reach the exchange (connection refused); will retry"),
        ("e3", 3, "queued", "database is locked"),
        ("e4", 4, "sent", ""),
    ]
    for envelope_id, stage, state, last_error in old_rows:
        raw.execute("INSERT INTO outbox (envelope_id, idempotency_key, receipt_no, department, stage, payload, payload_sha256, "
                    "signature, state, last_error, created_at) VALUES (?, ?, 'r', 'd', ?, '{}', 's', 'g', ?, ?, 't')",
                    [envelope_id, envelope_id, stage, state, last_error])
    raw.execute("INSERT INTO sync_endpoints (endpoint, last_error) VALUES ('http://a', ?), ('http://b', '')",
                ["交换平台繁忙（HTTP 503），稍后自动重试 / the exchange is busy (HTTP 503); will retry"])
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    db = open_database(path)
    try:
        assert {entry.envelope.envelope_id: entry.last_error for entry in outbox_store.list_envelopes(db, "r")} == {
            "e1": Words("交换平台拒收此信封：unknown department 'x'", "The exchange refused this envelope: unknown department 'x'"),
            "e2": Words("无法连接交换平台（连接被拒绝），稍后自动重试", "Cannot reach the exchange (connection refused); will retry"),
            "e3": Words("database is locked", "database is locked"),
            "e4": NO_WORDS,
        }
        assert {state.endpoint: state.last_error for state in sync_state.all_endpoint_states(db)} == {
            "http://a": Words("交换平台繁忙（HTTP 503），稍后自动重试", "the exchange is busy (HTTP 503); will retry"),
            "http://b": NO_WORDS,
        }
        # Stored from now on as words: {"zh": …, "en": …}.
        stored = db.execute("SELECT last_error FROM outbox WHERE envelope_id = 'e1'").fetchone()[0]
        assert Words.from_json(json.loads(stored)) == Words(
            "交换平台拒收此信封：unknown department 'x'", "The exchange refused this envelope: unknown department 'x'"
        )
    finally:
        db.close()


def test_words_in_a_column_round_trip() -> None:
    from offline_cache.stored_words import words_from_column, words_to_column

    words = Words("交换平台拒收 / 隔离", "refused / quarantined")
    assert words_from_column(words_to_column(words)) == words
    assert words_to_column(NO_WORDS) == "" and words_from_column("") == NO_WORDS and words_from_column(None) == NO_WORDS
    assert words_from_column("not json") == Words("not json")
