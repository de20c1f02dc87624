"""The database schema, as an append-only list of migrations.

``MIGRATIONS[n - 1]`` brings a file from schema version ``n - 1`` to ``n`` (tracked with
``PRAGMA user_version``). Never edit a migration that has shipped: append a new one. Every query
the repositories run has an index behind it; the comment above each index names the query.
"""

from __future__ import annotations

_V1 = (
    # Per-installation values: installation_tag (receipt numbers), signing_secret (envelopes).
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    # An intake being taken: survives quitting, resumed from the drafts list.
    """
    CREATE TABLE drafts (
        id TEXT PRIMARY KEY,
        offering_id TEXT NOT NULL,
        offering_name TEXT NOT NULL DEFAULT '',
        applicant_name TEXT NOT NULL DEFAULT '',
        step TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    # list_drafts: newest first.
    "CREATE INDEX drafts_updated_at ON drafts (updated_at)",
    # One accepted application (办件). The summary columns are copies of the intake kept for
    # listing and searching; ``intake`` and ``guide`` are the full record as accepted.
    """
    CREATE TABLE applications (
        receipt_no TEXT PRIMARY KEY,
        offering_id TEXT NOT NULL,
        offering_kind TEXT NOT NULL,
        offering_name TEXT NOT NULL,
        offering_name_en TEXT NOT NULL DEFAULT '',
        applicant_kind TEXT NOT NULL,
        applicant_name TEXT NOT NULL,
        applicant_number TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        agent_name TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        catalog_version TEXT NOT NULL,
        lead_department TEXT NOT NULL,
        intake TEXT NOT NULL,
        guide TEXT NOT NULL,
        window_id TEXT NOT NULL,
        centre TEXT NOT NULL DEFAULT '',
        clerk TEXT NOT NULL,
        accepted_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        promised_days INTEGER NOT NULL DEFAULT 0,
        promised_by TEXT NOT NULL DEFAULT '',
        concluded_at TEXT,
        conclusion TEXT
    )
    """,
    # list_applications: newest first, filtered while walking this index. It covers every
    # column the list shows and searches, so a search never reads the large JSON rows
    # (100k applications: a search that matches nothing scans in about 50 ms, not 80).
    """
    CREATE INDEX applications_accepted_at ON applications (
        accepted_at, receipt_no, offering_id, offering_name, offering_name_en, offering_kind,
        applicant_name, applicant_number, state
    )
    """,
    # Supervisor views and the sync engine: applications by state.
    "CREATE INDEX applications_state ON applications (state)",
    # Looking an applicant up by resident ID / USCC.
    "CREATE INDEX applications_applicant_number ON applications (applicant_number)",
    # One department's share of one stage of an application.
    """
    CREATE TABLE application_parts (
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        department TEXT NOT NULL,
        stage INTEGER NOT NULL,
        items TEXT NOT NULL,
        state TEXT NOT NULL,
        envelope_id TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (receipt_no, department, stage)
    )
    """,
    # Parts waiting for / in a given state (dispatch of later stages, supervisor counts).
    "CREATE INDEX application_parts_state ON application_parts (state)",
    # Envelopes to send. The payload is written once and never changes; the sync engine
    # drains queued rows whose next_attempt_at has come.
    """
    CREATE TABLE outbox (
        envelope_id TEXT PRIMARY KEY,
        idempotency_key TEXT NOT NULL UNIQUE,
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        department TEXT NOT NULL,
        stage INTEGER NOT NULL,
        payload TEXT NOT NULL,
        payload_sha256 TEXT NOT NULL,
        signature TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        sent_at TEXT
    )
    """,
    # The sync engine: due envelopes; count_waiting.
    "CREATE INDEX outbox_state_next_attempt ON outbox (state, next_attempt_at)",
    # Per-department isolation: one department's backlog at a time.
    "CREATE INDEX outbox_department_state ON outbox (department, state)",
    # list_envelopes(receipt_no).
    "CREATE INDEX outbox_receipt_no ON outbox (receipt_no)",
    # Tamper-evident event log: each row's hash covers the previous row's hash.
    """
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        receipt_no TEXT,
        data TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    )
    """,
    # An application's trail.
    "CREATE INDEX audit_receipt_no ON audit (receipt_no)",
    # Per-day, per-window receipt sequence, bumped in the accept transaction.
    """
    CREATE TABLE receipt_sequence (
        day TEXT NOT NULL,
        window_id TEXT NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (day, window_id)
    )
    """,
    # Search keys (pinyin, initials) per catalog digest: offline_cache/catalog_cache.py.
    """
    CREATE TABLE search_keys (
        digest TEXT NOT NULL,
        offering_id TEXT NOT NULL,
        hanzi TEXT,
        pinyin TEXT,
        initials TEXT,
        keywords TEXT,
        PRIMARY KEY (digest, offering_id)
    )
    """,
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1,)
"""Each migration is a sequence of single SQL statements, run in one transaction."""
