"""What the sync engine remembers between rounds: per endpoint, and the events it applied.

``sync_endpoints`` holds one row per endpoint (the shared exchange, or a department's own,
keyed by URL): the events cursor, whether it answered last time, the consecutive failures and
when to try it again, and — after a ``401``/``403`` — a fingerprint of the refused token (the
endpoint is held until the configured token changes).

``exchange_events`` keeps every event pulled, keyed by (endpoint, seq): inserting it is the
proof it was applied, in the same transaction as its effects and the new cursor. An exchange
that moved to another URL sends its history again from cursor 0: an event already applied
from the old address (same content but ``seq``) is recorded and not applied again.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from offline_cache.db import Database, storage_errors
from offline_cache.stored_words import words_from_column, words_to_column
from window_app.domain.sync import EndpointState
from window_app.domain.words import Words

_READ_WORDS = Words("读取同步状态", "Reading the sync state")
_WRITE_WORDS = Words("记录同步状态", "Recording the sync state")


_COLUMNS = "endpoint, cursor, online, failures, retry_at, last_delay, last_ok_at, last_attempt_at, last_error, held_token"


def _state(row: Any) -> EndpointState:
    endpoint, cursor, online, failures, retry_at, last_delay, last_ok_at, last_attempt_at, last_error, held = row
    return EndpointState(
        endpoint=endpoint,
        cursor=cursor,
        online=None if online is None else bool(online),
        failures=failures,
        retry_at=retry_at,
        last_delay=last_delay,
        last_ok_at=last_ok_at,
        last_attempt_at=last_attempt_at,
        last_error=words_from_column(last_error),
        held_token=held,
    )


def endpoint_state(db: Database, endpoint: str) -> EndpointState:
    """The stored state of an endpoint (a fresh one if never seen)."""
    with storage_errors(_READ_WORDS):
        row = db.execute(f"SELECT {_COLUMNS} FROM sync_endpoints WHERE endpoint = ?", [endpoint]).fetchone()
    return _state(row) if row else EndpointState(endpoint=endpoint)


def all_endpoint_states(db: Database) -> list[EndpointState]:
    with storage_errors(_READ_WORDS):
        rows = db.execute(f"SELECT {_COLUMNS} FROM sync_endpoints ORDER BY endpoint").fetchall()
    return [_state(row) for row in rows]


def _ensure(db: Database, endpoint: str) -> None:
    db.execute("INSERT OR IGNORE INTO sync_endpoints (endpoint) VALUES (?)", [endpoint])


def record_ok(db: Database, endpoint: str, now: str) -> None:
    """The endpoint answered: online, failures reset, no hold."""
    with storage_errors(_WRITE_WORDS), db.atomic():
        _ensure(db, endpoint)
        db.execute(
            "UPDATE sync_endpoints SET online = 1, failures = 0, retry_at = NULL, last_delay = NULL, last_ok_at = ?, "
            "last_attempt_at = ?, last_error = '', held_token = '', updated_at = ? WHERE endpoint = ?",
            [now, now, now, endpoint],
        )


def record_failure(
    db: Database, endpoint: str, now: str, *, error: Words, retry_at: str | None, delay: float | None, online: bool = False
) -> None:
    """A round at the endpoint failed: one more consecutive failure, next try not before ``retry_at``."""
    with storage_errors(_WRITE_WORDS), db.atomic():
        _ensure(db, endpoint)
        db.execute(
            "UPDATE sync_endpoints SET online = ?, failures = failures + 1, retry_at = ?, last_delay = ?, "
            "last_attempt_at = ?, last_error = ?, updated_at = ? WHERE endpoint = ?",
            [int(online), retry_at, delay, now, words_to_column(error), now, endpoint],
        )


def record_held(db: Database, endpoint: str, now: str, *, error: Words, token_fingerprint: str) -> None:
    """The endpoint refused the token: hold it until the configured token changes."""
    with storage_errors(_WRITE_WORDS), db.atomic():
        _ensure(db, endpoint)
        db.execute(
            "UPDATE sync_endpoints SET online = 1, held_token = ?, last_attempt_at = ?, last_error = ?, updated_at = ? "
            "WHERE endpoint = ?",
            [token_fingerprint, now, words_to_column(error), now, endpoint],
        )


def set_cursor(db: Database, endpoint: str, cursor: int) -> None:
    """Move the events cursor (call inside the transaction that applied the events); it never
    moves backwards."""
    _ensure(db, endpoint)
    db.execute(
        "UPDATE sync_endpoints SET cursor = max(cursor, ?) WHERE endpoint = ?",
        [cursor, endpoint],
    )


def insert_event(db: Database, endpoint: str, event: dict[str, Any], receipt_no: str | None, now: str) -> bool:
    """Record a pulled event (inside the applying transaction); ``False`` if it was applied before:
    from this endpoint (its ``seq``), or from the same exchange at its old address
    (:func:`_applied_elsewhere`)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO exchange_events (endpoint, seq, kind, envelope_id, receipt_no, department, item, at, "
        "data, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            endpoint,
            event["seq"],
            event.get("kind", ""),
            str(event.get("envelope_id") or ""),
            receipt_no,
            str(event.get("department") or ""),
            event.get("item"),
            str(event.get("at") or ""),
            json.dumps(event, ensure_ascii=False, sort_keys=True),
            now,
        ],
    )
    return cursor.rowcount > 0 and not _applied_elsewhere(db, endpoint, event, receipt_no)


def _content(event: dict[str, Any]) -> dict[str, Any]:
    """An event without its place in one endpoint's sequence."""
    return {name: value for name, value in event.items() if name != "seq"}


def _applied_elsewhere(db: Database, endpoint: str, event: dict[str, Any], receipt_no: str | None) -> bool:
    """The very same event was applied from another endpoint: the exchange moved (an endpoint is
    keyed by its URL, so the new address starts from cursor 0 and sends its history again).

    Replaying that history would record every department's answer a second time in the audit
    trail and, were a round cut short half-way, bring back a 补正 request long answered. Only
    the same envelope's event with the same content (everything but ``seq``: kind, item, time,
    decision, signature) counts; another exchange's events differ in their times at least.
    """
    if receipt_no is None:
        return False  # not one of this window's envelopes: nothing was applied anyway
    rows = db.execute(
        "SELECT data FROM exchange_events WHERE receipt_no = ? AND envelope_id = ? AND kind = ? AND endpoint != ?",
        [receipt_no, str(event.get("envelope_id") or ""), event.get("kind", ""), endpoint],
    ).fetchall()
    content = _content(json.loads(json.dumps(event, ensure_ascii=False, sort_keys=True)))
    return any(_content(json.loads(data)) == content for (data,) in rows)


def events_of(db: Database, receipt_no: str) -> list[dict[str, Any]]:
    """The events applied to an application, in the order they were applied."""
    with storage_errors(_READ_WORDS):
        rows = db.execute(
            "SELECT data FROM exchange_events WHERE receipt_no = ? ORDER BY applied_at, endpoint, seq", [receipt_no]
        ).fetchall()
    return [json.loads(row[0]) for row in rows]


def read_value(db: Database, key: str) -> str | None:
    """A sync value kept in ``meta`` (``sync.<key>``)."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [f"sync.{key}"]).fetchone()
    return row[0] if row else None


def write_value(db: Database, key: str, value: str) -> None:
    with storage_errors(_WRITE_WORDS):
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [f"sync.{key}", value],
        )


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """One write transaction that takes the write lock up front (``BEGIN IMMEDIATE``).

    The sync engine reads before it writes (which envelope, which part …); taking the lock
    first means a busy database (the screens accepting at the same moment) makes it wait for
    ``busy_timeout`` instead of failing on the upgrade from reader to writer.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
