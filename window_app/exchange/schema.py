"""The exchange's schema, for SQLite and PostgreSQL: one list of migrations, applied in order
(SQLite: ``user_version``; PostgreSQL: the ``exchange_schema_version`` table).

The exchange never shares tables with a window (``offline_cache``): it is a separate service
with its own database. The dialects differ in a few words, said once: a step is portable SQL
(``{serial}``, ``{without_rowid}`` and ``{real}`` stand for what each database writes there,
:class:`~window_app.exchange.backends.base.Dialect`), or :class:`Each` gives each database its
own step (a function, or ``None``: nothing to do there). A SQLite file keeps the exact table
texts it always had. Every query of :mod:`window_app.exchange.store` has an index below; the
comment above each index names the query it serves.

The ledger (:mod:`window_app.exchange.ledger`) keeps a digest of every envelope and event row
over all their columns, NULL and ``''`` values left out: a column added to ``envelopes`` or
``events`` later must default to NULL or ``''``, so the rows already recorded keep their digests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from window_app.exchange import ledger
from window_app.exchange.backends.base import POSTGRESQL, SQLITE
from window_app.sqlite_kit import MigrationStep


@dataclass(frozen=True)
class Portable:
    """One SQL statement both databases run, with the dialect's ``{tokens}`` filled in."""

    sql: str

    def sqlite(self) -> str:
        return self.sql.format(**SQLITE.tokens)

    def postgresql(self) -> str:
        return self.sql.format(**POSTGRESQL.tokens)


@dataclass(frozen=True)
class Each:
    """A step each database does its own way (``None``: nothing to do there).

    Attributes:
        sqlite: SQL, or a function given a ``sqlite_utils.Database``.
        postgresql: SQL, or a function given the backend's connection.
    """

    sqlite_step: MigrationStep | None
    postgresql_step: str | Callable[[Any], None] | None

    def sqlite(self) -> MigrationStep | None:
        return self.sqlite_step

    def postgresql(self) -> str | Callable[[Any], None] | None:
        return self.postgresql_step


def _table_sql(conn: sqlite3.Connection, name: str) -> str:
    return conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone()[0]


def _widen(conn: sqlite3.Connection, table: str, changes: dict[str, str]) -> None:
    """Copy ``table`` to ``{table}_new`` with its CREATE text changed by ``changes`` (old → new
    text; each must occur), keeping every row and its AUTOINCREMENT counter."""
    sql = _table_sql(conn, table).replace(f"CREATE TABLE {table} (", f"CREATE TABLE {table}_new (", 1)
    for old, new in changes.items():
        if old not in sql:
            raise RuntimeError(f"migration: {old!r} not found in the definition of {table}")
        sql = sql.replace(old, new)
    conn.execute(sql)
    conn.execute(f"INSERT INTO {table}_new SELECT * FROM {table}")


def _handling_kinds(conn: sqlite3.Connection) -> None:
    """Envelopes of kind ``filing`` (一类 concluded at the window) and ``handover`` (三类), and
    ``acknowledged`` events: SQLite cannot widen a CHECK in place, so ``envelopes``, ``items``
    and ``events`` are copied into new tables (same columns, same rows, same ``seq`` counters:
    the ledger's digests do not change) and renamed over the old ones. The children are
    rebuilt against ``envelopes_new`` first, so no foreign key ever points at a dropped row;
    renaming ``envelopes_new`` rewrites their references back to ``envelopes``."""
    (envelopes_sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'envelopes'").fetchone()
    if "'filing'" in envelopes_sql:
        return  # widened already (a file taken back to an older version by hand runs this again)
    counters = dict(conn.execute("SELECT name, seq FROM sqlite_sequence WHERE name IN ('envelopes', 'events')").fetchall())
    _widen(conn, "envelopes", {"CHECK (kind IN ('application', 'supplement'))": "CHECK (kind IN ('application', 'supplement', 'filing', 'handover'))"})
    _widen(conn, "items", {"REFERENCES envelopes (envelope_id)": "REFERENCES envelopes_new (envelope_id)"})
    _widen(conn, "events", {
        "REFERENCES envelopes (envelope_id)": "REFERENCES envelopes_new (envelope_id)",
        "CHECK (kind IN ('received', 'approved', 'rejected', 'supplement_needed'))":
            "CHECK (kind IN ('received', 'approved', 'rejected', 'supplement_needed', 'acknowledged'))",
    })
    for table in ("items", "events", "envelopes"):
        conn.execute(f"DROP TABLE {table}")  # their indexes go with them
    for table in ("envelopes", "items", "events"):
        conn.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
    for name, seq in counters.items():
        conn.execute("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?", [seq, name])
    for index in _INDEXES:
        conn.execute(index)


_INDEXES = (
    "CREATE INDEX envelopes_department_state ON envelopes (department, state, id)",
    "CREATE INDEX envelopes_department ON envelopes (department, id)",
    "CREATE INDEX envelopes_state_received ON envelopes (state, received_epoch)",
    "CREATE INDEX envelopes_original ON envelopes (original_envelope_id) WHERE original_envelope_id IS NOT NULL",
    "CREATE INDEX events_window_seq ON events (window_id, seq)",
)

HANDLING_MIGRATION: list[Any] = [
    # Handling classes (docs/catalog-format.md): filings and handovers, and their acknowledgement.
    # PostgreSQL widens a CHECK in place.
    Each(
        lambda db: _handling_kinds(db.conn),
        "ALTER TABLE envelopes DROP CONSTRAINT envelopes_kind_check, ADD CONSTRAINT envelopes_kind_check "
        "CHECK (kind IN ('application', 'supplement', 'filing', 'handover'))",
    ),
    Each(None, "ALTER TABLE events DROP CONSTRAINT events_kind_check, ADD CONSTRAINT events_kind_check "
               "CHECK (kind IN ('received', 'approved', 'rejected', 'supplement_needed', 'acknowledged'))"),
    # A filed item (一类, concluded at the window): the window's decision as JSON; NULL otherwise.
    # A department's decision on it is refused (409). Not in the ledger's digest: it is a copy
    # of what the envelope's payload (which is) says.
    Each(lambda db: _add_column(db.conn, "items", "filed TEXT"), "ALTER TABLE items ADD COLUMN IF NOT EXISTS filed TEXT"),
]


def _add_column(conn: sqlite3.Connection, table: str, definition: str) -> None:
    """``ALTER TABLE … ADD COLUMN`` unless the column is there already."""
    name = definition.split()[0]
    if name not in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
        conn.execute(f"ALTER TABLE {table} ADD COLUMN {definition}")


RATINGS_MIGRATION = [
    # Every step may run again (IF NOT EXISTS): a database taken back to before the ledger runs
    # the steps after it once more (tests/unit_tests/test_exchange_ledger.py).
    # 好差评 (window_app/exchange/ratings.py): one rating per application and occasion (rating_id
    # is <receipt no>/<occasion>), never changed; id orders a window's pull of the tracking
    # page's ratings (GET /v1/ratings: window_id, channel, id).
    Portable("""
    CREATE TABLE IF NOT EXISTS ratings (
        id {serial},
        rating_id TEXT NOT NULL UNIQUE,
        receipt_no TEXT NOT NULL,
        occasion TEXT NOT NULL,
        level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
        reasons TEXT NOT NULL,
        channel TEXT NOT NULL CHECK (channel IN ('window', 'tracking')),
        window_id TEXT NOT NULL,
        clerk_id TEXT NOT NULL,
        offering_id TEXT NOT NULL,
        departments TEXT NOT NULL,
        rated_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        UNIQUE (receipt_no, occasion)
    )
    """),
    "CREATE INDEX IF NOT EXISTS ratings_window_channel ON ratings (window_id, channel, id)",
    # The counts by rating time.
    "CREATE INDEX IF NOT EXISTS ratings_rated_at ON ratings (rated_at)",
    # A rating counted for each department its application went to.
    Portable("""
    CREATE TABLE IF NOT EXISTS rating_departments (
        rating_id TEXT NOT NULL,
        department TEXT NOT NULL,
        PRIMARY KEY (rating_id, department)
    ){without_rowid}
    """),
    "CREATE INDEX IF NOT EXISTS rating_departments_department ON rating_departments (department)",
    # A 差评's rectification case as the window last sent it (the highest revision).
    Portable("""
    CREATE TABLE IF NOT EXISTS rectification_cases (
        case_id TEXT PRIMARY KEY,
        rating_id TEXT NOT NULL UNIQUE,
        receipt_no TEXT NOT NULL,
        window_id TEXT NOT NULL,
        state TEXT NOT NULL,
        due_on TEXT NOT NULL,
        revision INTEGER NOT NULL,
        document TEXT NOT NULL,
        received_at TEXT NOT NULL
    ){without_rowid}
    """),
    "CREATE INDEX IF NOT EXISTS rectification_cases_state_due ON rectification_cases (state, due_on)",
]


TRACKING_MIGRATION: list[Any] = [
    # The public tracking page (window_app.exchange.tracking): one record per application, sent
    # by its window (POST /v1/tracking), signed by it. ``digest`` is the scrypt digest of the
    # tracking code printed on the receipt (window_app.domain.tracking_code), never the code;
    # ``record`` the window's signed text (masked name, bundle, departments and stages, dates).
    # Not in the ledger: it names no decision and no envelope, only what the receipt says.
    # Re-runnable (IF NOT EXISTS), as every step after the ledger's: a database taken back to
    # before the ledger runs them again (tests/unit_tests/test_exchange_ledger.py).
    Portable("""
    CREATE TABLE IF NOT EXISTS tracking (
        receipt_no TEXT PRIMARY KEY,
        window_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        record TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at TEXT NOT NULL
    ){without_rowid}
    """),
    # The tracking page: an application's envelopes by its receipt number.
    "CREATE INDEX IF NOT EXISTS envelopes_receipt ON envelopes (receipt_no, id)",
]

SURVEY_MIGRATION: list[Any] = [
    # 联合踏勘 (window_app/exchange/surveys.py): one appointment per application, as its window
    # last signed it (the highest revision); the departments' answers, each once per revision,
    # ``id`` ordering the window's pull (GET /v1/surveys). Not in the ledger: no decision, no
    # envelope. Re-runnable (IF NOT EXISTS), as every step after the ledger's.
    Portable("""
    CREATE TABLE IF NOT EXISTS survey_appointments (
        receipt_no TEXT PRIMARY KEY,
        window_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('proposed', 'confirmed')),
        record TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at TEXT NOT NULL
    ){without_rowid}
    """),
    Portable("""
    CREATE TABLE IF NOT EXISTS survey_answers (
        id {serial},
        receipt_no TEXT NOT NULL,
        window_id TEXT NOT NULL,
        department TEXT NOT NULL,
        revision INTEGER NOT NULL,
        answer TEXT NOT NULL CHECK (answer IN ('accept', 'propose')),
        slot TEXT NOT NULL,
        note TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        UNIQUE (receipt_no, department, revision)
    )
    """),
    # The window's pull of its answers (window_id, id).
    "CREATE INDEX IF NOT EXISTS survey_answers_window ON survey_answers (window_id, id)",
    # A department's survey inbox: its envelopes' applications.
    "CREATE INDEX IF NOT EXISTS envelopes_department_receipt ON envelopes (department, receipt_no)",
]

COURIER_MIGRATION: list[Any] = [
    # The USB courier (window_app/exchange/courier_import.py): each window's courier files
    # imported, by the window's own sequence number (a number seen before with another file is a
    # replay or a reordering: refused), with the acknowledgements given (a file carried twice
    # gets them again and changes nothing). Not in the ledger: the envelopes it brought are.
    Portable("""
    CREATE TABLE IF NOT EXISTS courier_imports (
        window_id TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        file_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        acks TEXT NOT NULL,
        PRIMARY KEY (window_id, sequence)
    ){without_rowid}
    """),
]

MIGRATIONS: list[list[Any]] = [
    [
        # Bearer tokens, stored as sha256 hex: the database never holds a usable token.
        Portable("""
        CREATE TABLE tokens (
            token_hash TEXT PRIMARY KEY,
            subject_kind TEXT NOT NULL CHECK (subject_kind IN ('window', 'department')),
            subject_id TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT
        ){without_rowid}
        """),
        # One row per envelope ever created; the payload is the exact text received.
        Portable("""
        CREATE TABLE envelopes (
            id {serial},
            envelope_id TEXT NOT NULL UNIQUE,
            idempotency_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('application', 'supplement')),
            window_id TEXT NOT NULL,
            receipt_no TEXT NOT NULL,
            department TEXT NOT NULL,
            stage INTEGER NOT NULL,
            payload TEXT NOT NULL,
            payload_sha256 TEXT NOT NULL,
            signature TEXT NOT NULL,
            original_envelope_id TEXT,
            received_at TEXT NOT NULL,
            received_epoch {real} NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('new', 'received', 'supplement_needed', 'decided'))
        )
        """),
        # inbox(department, state=new|open): the department's envelopes in one state, oldest first.
        "CREATE INDEX envelopes_department_state ON envelopes (department, state, id)",
        # inbox(department, state=all): all of the department's envelopes, oldest first.
        "CREATE INDEX envelopes_department ON envelopes (department, id)",
        # The simulation: envelopes waiting longer than its delay.
        "CREATE INDEX envelopes_state_received ON envelopes (state, received_epoch)",
        # Supplements of an original envelope.
        "CREATE INDEX envelopes_original ON envelopes (original_envelope_id) WHERE original_envelope_id IS NOT NULL",
        # The items of each envelope and the latest decision on each (history: the events).
        Portable("""
        CREATE TABLE items (
            envelope_id TEXT NOT NULL REFERENCES envelopes (envelope_id),
            item TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            result_name TEXT NOT NULL,
            decision TEXT CHECK (decision IN ('approved', 'rejected', 'supplement_needed')),
            event_seq INTEGER,
            PRIMARY KEY (envelope_id, item)
        ){without_rowid}
        """),
        # What happened to envelopes, for the windows: seq is monotonic and never reused.
        Portable("""
        CREATE TABLE events (
            seq {serial},
            window_id TEXT NOT NULL,
            envelope_id TEXT NOT NULL REFERENCES envelopes (envelope_id),
            kind TEXT NOT NULL CHECK (kind IN ('received', 'approved', 'rejected', 'supplement_needed')),
            item TEXT,
            result TEXT NOT NULL DEFAULT '',
            reason TEXT NOT NULL DEFAULT '',
            material TEXT NOT NULL DEFAULT '',
            decided_by TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )
        """),
        # events(window, since): a window's events after its cursor.
        "CREATE INDEX events_window_seq ON events (window_id, seq)",
    ],
    [
        # The latest signed audit head of each window (POST /v1/audit/head, and the "audit_head"
        # of POST /v1/envelopes): its chain's seq and hash, signed with the window's key. Only
        # ever moves forward. ``verified``: 1 the signature was checked against the window's
        # registered key, 0 no key registered to check it with (ExchangeStore.window_key).
        Portable("""
        CREATE TABLE audit_heads (
            window_id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            at TEXT NOT NULL,
            key_id TEXT NOT NULL,
            signature TEXT NOT NULL,
            verified INTEGER NOT NULL,
            received_at TEXT NOT NULL
        ){without_rowid}
        """),
        # Heads refused (going back, another hash at the same seq, a bad signature): evidence
        # that a window's history was rewritten. The same refusal again only counts up, so a
        # window that keeps posting it (every sync round) does not grow the table.
        Portable("""
        CREATE TABLE audit_head_refusals (
            window_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            signature TEXT NOT NULL,
            held_seq INTEGER,
            held_hash TEXT,
            first_received_at TEXT NOT NULL,
            last_received_at TEXT NOT NULL,
            count INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (window_id, seq, hash, reason)
        ){without_rowid}
        """),
    ],
    [
        # Windows' public Ed25519 keys, each bound to one window id, region and installation
        # tag: envelopes under receipt numbers of that prefix verify against it, no other.
        Portable("""
        CREATE TABLE window_keys (
            key_id TEXT PRIMARY KEY,
            window_id TEXT NOT NULL,
            region TEXT NOT NULL,
            installation_tag TEXT NOT NULL,
            public_key TEXT NOT NULL,
            centre TEXT NOT NULL DEFAULT '',
            registered_at TEXT NOT NULL,
            registered_by TEXT NOT NULL CHECK (registered_by IN ('operator', 'demo')),
            revoked_at TEXT
        ){without_rowid}
        """),
        # keys list (per window) and the check that a window has an active key.
        "CREATE INDEX window_keys_window ON window_keys (window_id, registered_at)",
        # Department keys come from the published catalog; the exchange can revoke one.
        Portable("""
        CREATE TABLE department_key_revocations (
            key_id TEXT PRIMARY KEY,
            department TEXT NOT NULL,
            revoked_at TEXT NOT NULL
        ){without_rowid}
        """),
        # A decision's signature by its department, passed on to the window (canonical JSON).
        "ALTER TABLE events ADD COLUMN signature TEXT NOT NULL DEFAULT ''",
    ],
    [
        # The exchange's audit chain (window_app.exchange.ledger): one entry per envelope stored
        # and per event, in the transaction that writes it. seq is the position: 1, 2, 3 …
        Portable("""
        CREATE TABLE ledger (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            envelope_id TEXT NOT NULL,
            receipt_no TEXT NOT NULL,
            event_seq INTEGER,
            item TEXT,
            digest TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )
        """),
        # Append-only for the program: a bug cannot rewrite history (a tamperer drops these, and
        # the chain and the signed checkpoints show it).
        Each(None, "CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   "$$ BEGIN RAISE EXCEPTION 'the ledger is append-only'; END $$"),
        Each("CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
             "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"),
        Each("CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
             "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"),
        # A database from before the ledger: its rows are recorded now, in the order stored.
        Each(lambda db: ledger.backfill(db.conn), ledger.backfill),
    ],
    HANDLING_MIGRATION,
    [
        # PostgreSQL: a payload is stored as it came, uncompressed (its sealed parts are
        # ciphertext: compressing them only costs CPU). SQLite never compresses.
        Each(None, "ALTER TABLE envelopes ALTER COLUMN payload SET STORAGE EXTERNAL"),
    ],
    RATINGS_MIGRATION,
    TRACKING_MIGRATION,
    [
        # The region report and the hot list (window_app/exchange/reports.py): the envelopes
        # received in a span of days (IF NOT EXISTS: a database brought back to before the ledger
        # runs the steps after it again).
        "CREATE INDEX IF NOT EXISTS envelopes_received_epoch ON envelopes (received_epoch)",
    ],
    SURVEY_MIGRATION,
    COURIER_MIGRATION,
]
