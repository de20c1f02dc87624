"""The exchange's own SQLite schema: a list of migrations, applied in order (``user_version``).

The exchange never shares tables with a window (``offline_cache``): it is a separate service
with its own file. Every query of :mod:`window_app.exchange.store` has an index below; the
comment above each index names the query it serves.

The ledger (:mod:`window_app.exchange.ledger`) keeps a digest of every envelope and event row
over all their columns, NULL and ``''`` values left out: a column added to ``envelopes`` or
``events`` later must default to NULL or ``''``, so the rows already recorded keep their digests.
"""

from __future__ import annotations

from window_app.exchange import ledger
from window_app.sqlite_kit import MigrationStep

MIGRATIONS: list[list[MigrationStep]] = [
    [
        # Bearer tokens, stored as sha256 hex: the database never holds a usable token.
        """
        CREATE TABLE tokens (
            token_hash TEXT PRIMARY KEY,
            subject_kind TEXT NOT NULL CHECK (subject_kind IN ('window', 'department')),
            subject_id TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT
        ) WITHOUT ROWID
        """,
        # One row per envelope ever created; the payload is the exact text received.
        """
        CREATE TABLE envelopes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
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
            received_epoch REAL NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('new', 'received', 'supplement_needed', 'decided'))
        )
        """,
        # inbox(department, state=new|open): the department's envelopes in one state, oldest first.
        "CREATE INDEX envelopes_department_state ON envelopes (department, state, id)",
        # inbox(department, state=all): all of the department's envelopes, oldest first.
        "CREATE INDEX envelopes_department ON envelopes (department, id)",
        # The simulation: envelopes waiting longer than its delay.
        "CREATE INDEX envelopes_state_received ON envelopes (state, received_epoch)",
        # Supplements of an original envelope.
        "CREATE INDEX envelopes_original ON envelopes (original_envelope_id) WHERE original_envelope_id IS NOT NULL",
        # The items of each envelope and the latest decision on each (history: the events).
        """
        CREATE TABLE items (
            envelope_id TEXT NOT NULL REFERENCES envelopes (envelope_id),
            item TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            result_name TEXT NOT NULL,
            decision TEXT CHECK (decision IN ('approved', 'rejected', 'supplement_needed')),
            event_seq INTEGER,
            PRIMARY KEY (envelope_id, item)
        ) WITHOUT ROWID
        """,
        # What happened to envelopes, for the windows: seq is monotonic and never reused.
        """
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
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
        """,
        # events(window, since): a window's events after its cursor.
        "CREATE INDEX events_window_seq ON events (window_id, seq)",
    ],
    [
        # The latest signed audit head of each window (POST /v1/audit/head, and the "audit_head"
        # of POST /v1/envelopes): its chain's seq and hash, signed with the window's key. Only
        # ever moves forward. ``verified``: 1 the signature was checked against the window's
        # registered key, 0 no key registered to check it with (ExchangeStore.window_key).
        """
        CREATE TABLE audit_heads (
            window_id TEXT PRIMARY KEY,
            seq INTEGER NOT NULL,
            hash TEXT NOT NULL,
            at TEXT NOT NULL,
            key_id TEXT NOT NULL,
            signature TEXT NOT NULL,
            verified INTEGER NOT NULL,
            received_at TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        # Heads refused (going back, another hash at the same seq, a bad signature): evidence
        # that a window's history was rewritten. The same refusal again only counts up, so a
        # window that keeps posting it (every sync round) does not grow the table.
        """
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
        ) WITHOUT ROWID
        """,
    ],
    [
        # The exchange's audit chain (window_app.exchange.ledger): one entry per envelope stored
        # and per event, in the transaction that writes it. seq is the position: 1, 2, 3 …
        """
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
        """,
        # Append-only for the program: a bug cannot rewrite history (a tamperer drops these, and
        # the chain and the signed checkpoints show it).
        "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
        "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
        # A database from before the ledger: its rows are recorded now, in the order stored.
        lambda db: ledger.backfill(db.conn),
    ],
]
