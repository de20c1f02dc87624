"""The sync engine's storage: every queue query has an index behind it; the v2 migration."""

from __future__ import annotations

import sqlite3

import pytest
from store_fixtures import accept, open_window_db, settings_for

from offline_cache.outbox import utc_stamp

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
