"""The database schema, as an append-only list of migrations.

``MIGRATIONS[n - 1]`` brings a file from schema version ``n - 1`` to ``n`` (tracked with
``PRAGMA user_version``; :func:`window_app.sqlite_kit.migrate` applies them). Never edit a
migration that has shipped: append a new one. A step is one SQL statement, or a function that
changes the schema through sqlite-utils (``db["t"].add_column(…)``, ``create_index``,
``create_view`` …): new migrations use sqlite-utils where it says the change as well as SQL.
Every query the repositories run has an index behind it; the comment above each index names
the query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.sqlite_kit import Migration

if TYPE_CHECKING:
    import sqlite_utils

_V1 = (
    # Per-installation values: installation_tag (receipt numbers), (signing_secret until v8).
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

_V2 = (
    # -- the sync engine (window_app/sync/) ----------------------------------------------------
    # next_attempt_at is compared as text: from now on it is always UTC, fixed width
    # (offline_cache.outbox.utc_stamp); rows written with a local offset are converted.
    """
    UPDATE outbox SET next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', next_attempt_at)
    WHERE next_attempt_at IS NOT NULL AND next_attempt_at NOT LIKE '%Z'
    """,
    # ``application`` (a department's part) or ``supplement`` (materials supplied after a
    # supplement request; ``original_envelope_id`` names the part's envelope).
    "ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'application'",
    "ALTER TABLE outbox ADD COLUMN original_envelope_id TEXT NOT NULL DEFAULT ''",
    # When the last attempt started (written before the request goes out: a payload whose row
    # has ``attempts > 0`` has been on the wire and is never finalised again).
    "ALTER TABLE outbox ADD COLUMN last_attempt_at TEXT",
    # The exchange's answer: its ``received_at`` of the FIRST delivery.
    "ALTER TABLE outbox ADD COLUMN received_at TEXT",
    # Due envelopes of the departments that have an endpoint of their own (and of the rest):
    # ``department IN (…) AND state = 'queued' AND next_attempt_at <= now``.
    "CREATE INDEX outbox_department_state_next ON outbox (department, state, next_attempt_at)",
    # The time each part took: sent, received by the department, decided.
    "ALTER TABLE application_parts ADD COLUMN sent_at TEXT",
    "ALTER TABLE application_parts ADD COLUMN received_at TEXT",
    "ALTER TABLE application_parts ADD COLUMN decided_at TEXT",
    "ALTER TABLE application_parts ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
    # An event names an envelope: find its part.
    "CREATE INDEX application_parts_envelope_id ON application_parts (envelope_id)",
    # The latest decision on each item of an application (the one that counts).
    """
    CREATE TABLE item_decisions (
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        item TEXT NOT NULL,
        department TEXT NOT NULL,
        stage INTEGER NOT NULL,
        decision TEXT NOT NULL,
        result TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        material TEXT NOT NULL DEFAULT '',
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at TEXT NOT NULL,
        endpoint TEXT NOT NULL DEFAULT '',
        event_seq INTEGER NOT NULL DEFAULT 0,
        -- A supplement_needed decision answered: when the supplement envelope was delivered.
        supplied_at TEXT,
        PRIMARY KEY (receipt_no, item)
    )
    """,
    # Every event pulled from an endpoint, applied once: (endpoint, seq) is the proof.
    """
    CREATE TABLE exchange_events (
        endpoint TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        envelope_id TEXT NOT NULL DEFAULT '',
        receipt_no TEXT,
        department TEXT NOT NULL DEFAULT '',
        item TEXT,
        at TEXT NOT NULL DEFAULT '',
        data TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        PRIMARY KEY (endpoint, seq)
    )
    """,
    # An application's decision history.
    "CREATE INDEX exchange_events_receipt_no ON exchange_events (receipt_no)",
    # One row per endpoint (the shared exchange, or a department's own): the events cursor,
    # whether it answered last time, and when to try again after failures.
    """
    CREATE TABLE sync_endpoints (
        endpoint TEXT PRIMARY KEY,
        cursor INTEGER NOT NULL DEFAULT 0,
        online INTEGER,
        failures INTEGER NOT NULL DEFAULT 0,
        retry_at TEXT,
        last_delay REAL,
        last_ok_at TEXT,
        last_attempt_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        held_token TEXT NOT NULL DEFAULT '',
        updated_at TEXT
    )
    """,
)

_V3 = (
    # The validated catalog, pickled, per catalog digest and program version: a start reads it
    # back instead of parsing and checking the TOML again (offline_cache/catalog_cache.py).
    # Only the few most recently made snapshots are kept.
    """
    CREATE TABLE catalog_snapshots (
        digest TEXT NOT NULL,
        app_version TEXT NOT NULL,
        data BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (digest, app_version)
    )
    """,
)

APPLICATIONS_EXPORT = "applications_export"
"""The view ``window-app export applications`` writes out (offline_cache/export.py)."""

APPLICATIONS_EXPORT_SQL = """
SELECT
    a.receipt_no, a.accepted_at, a.window_id, a.centre, a.clerk,
    a.offering_id, a.offering_kind, a.offering_name, a.offering_name_en,
    a.applicant_kind, a.applicant_name, a.applicant_number, a.phone, a.agent_name,
    a.state, a.lead_department, a.promised_days, a.promised_by, a.concluded_at, a.conclusion,
    p.department, p.stage, p.state AS part_state, p.sent_at, p.received_at, p.decided_at, p.reason
FROM applications a
LEFT JOIN application_parts p ON p.receipt_no = a.receipt_no
"""
"""One row per department part of each accepted application: the summary columns and the
part's progress, no JSON (the full intake stays in the database)."""


def _create_applications_export(db: sqlite_utils.Database) -> None:
    # A view, so that the export and anyone reading the file with sqlite-utils or a
    # spreadsheet tool see the same flat rows.
    db.create_view(APPLICATIONS_EXPORT, APPLICATIONS_EXPORT_SQL)


_V4: Migration = (_create_applications_export,)

def _words_from_pair(table: str, column: str) -> str:
    """``中文 / English`` (how words were stored before) → ``{"zh": …, "en": …}``
    (:mod:`offline_cache.stored_words`); text without the separator is the same in both."""
    zh = f"CASE WHEN instr({column}, ' / ') > 0 THEN substr({column}, 1, instr({column}, ' / ') - 1) ELSE {column} END"
    en = f"CASE WHEN instr({column}, ' / ') > 0 THEN substr({column}, instr({column}, ' / ') + 3) ELSE {column} END"
    return f"UPDATE {table} SET {column} = json_object('zh', {zh}, 'en', {en}) WHERE {column} <> ''"


_V5: Migration = (
    # Failures and quarantine reasons are stored as words (``{"zh": …, "en": …}``), no longer as
    # one ``中文 / English`` string that every reader split again.
    _words_from_pair("outbox", "last_error"),
    _words_from_pair("sync_endpoints", "last_error"),
    # A part the window cancelled (its prerequisite refused) had its reason stored the same way;
    # departments' own reasons stay as they came.
    _words_from_pair("application_parts", "reason") + " AND state = 'cancelled'",
)


_V6: Migration = (
    # Server errors (5xx) in a row for an envelope: past a ceiling it is quarantined in words
    # instead of being retried for ever (window_app/sync/engine.py, MAX_SERVER_ERRORS).
    "ALTER TABLE outbox ADD COLUMN server_errors INTEGER NOT NULL DEFAULT 0",
)

_V7: Migration = (
    # Signed heads of the audit chain (offline_cache/audit.py): the chain's last seq and hash at
    # a moment, signed with the window's Ed25519 key over canonical JSON of {purpose, window_id,
    # seq, hash, at} (window_app/domain/audit_head.py). One per chain position at most: written
    # in the accept transaction and at the end of a sync round that left events unsigned.
    # ``seq`` is the key: latest_head reads the last one, the check walks them in order.
    """
    CREATE TABLE audit_heads (
        seq INTEGER PRIMARY KEY,
        hash TEXT NOT NULL,
        at TEXT NOT NULL,
        window_id TEXT NOT NULL,
        key_id TEXT NOT NULL,
        signature TEXT NOT NULL,
        cause TEXT NOT NULL
    )
    """,
)

_V8: Migration = (
    # Envelopes are signed with the window's Ed25519 key, kept in a file of its own: the HMAC
    # secret that lived in this file beside the payloads it "protected" is gone.
    "DELETE FROM meta WHERE key = 'signing_secret'",
)

_V9: Migration = (
    # Clerk accounts (offline_cache/clerks.py, window_app/clerks.py). The PIN is never stored:
    # ``verifier`` proves it (argon2id with ``kdf`` and ``salt``, window_app/trust/pins.py);
    # ``private_key`` is the clerk's X25519 key wrapped with a key only the PIN derives.
    """
    CREATE TABLE clerks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        roles TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        kdf TEXT NOT NULL,
        salt TEXT NOT NULL,
        verifier TEXT NOT NULL,
        public_key TEXT NOT NULL,
        private_key TEXT NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        last_sign_in_at TEXT NOT NULL DEFAULT ''
    )
    """,
    # The window data key sealed to each active clerk's public key: signing in opens it.
    """
    CREATE TABLE data_key_wraps (
        clerk_id TEXT PRIMARY KEY REFERENCES clerks (id),
        key_id TEXT NOT NULL,
        sealed TEXT NOT NULL,
        created_at TEXT NOT NULL
    )
    """,
    # Who accepted an application, by 工号: a clerk sees their own, a supervisor all.
    "ALTER TABLE applications ADD COLUMN clerk_id TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX applications_clerk_id ON applications (clerk_id, accepted_at)",
)


_V10: Migration = (
    # A 材料移交单 per class-3 department part (三类登记办, window_app/domain/handling.py): the
    # paper materials handed to the department at acceptance, by whom and when, and the
    # department's acknowledgement (who received them, when) from its ``acknowledged`` event.
    """
    CREATE TABLE handover_lists (
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        department TEXT NOT NULL,
        stage INTEGER NOT NULL,
        envelope_id TEXT NOT NULL,
        department_name TEXT NOT NULL,
        items TEXT NOT NULL,
        materials TEXT NOT NULL,
        handed_by TEXT NOT NULL,
        handed_at TEXT NOT NULL,
        acknowledged_at TEXT,
        acknowledged_by TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (receipt_no, department, stage)
    )
    """,
    # handover_of_envelope: the acknowledgement event names the envelope.
    "CREATE INDEX handover_lists_envelope_id ON handover_lists (envelope_id)",
    # list_handovers(pending only): the lists still awaiting acknowledgement, oldest first.
    "CREATE INDEX handover_lists_pending ON handover_lists (acknowledged_at, handed_at)",
)


_V11: Migration = (
    # Personal data at rest (offline_cache/vault.py): applicant_name, applicant_number, phone,
    # agent_name, intake and guide of applications, and applicant_name and data of drafts, hold
    # sealed BLOBs (window_app/trust/field_cipher.py) once the window has a data key; the rows
    # written before are sealed then by vault.encrypt_plaintext_rows, not here (no key yet).
    # Blind indexes: an exact resident ID / USCC, an exact phone (HMAC-SHA256, 16 bytes) …
    "ALTER TABLE applications ADD COLUMN number_index BLOB",
    "ALTER TABLE applications ADD COLUMN phone_index BLOB",
    # … and every 1 … 4 character prefix of the applicant's name, one row each.
    """
    CREATE TABLE application_name_index (
        token BLOB NOT NULL,
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        PRIMARY KEY (token, receipt_no)
    ) WITHOUT ROWID
    """,
    # The index and its rebuild (rekey) by application.
    "CREATE INDEX application_name_index_receipt_no ON application_name_index (receipt_no)",
    # list_applications(query) by ID number / phone.
    "CREATE INDEX applications_number_index ON applications (number_index)",
    "CREATE INDEX applications_phone_index ON applications (phone_index)",
    # The plain-text ID number index is gone with the plain text; the list's covering index no
    # longer carries the applicant's name and number (sealed, they cannot be searched in it),
    # and carries the blind indexes instead: a search walks it without reading the rows.
    "DROP INDEX applications_applicant_number",
    "DROP INDEX applications_accepted_at",
    """
    CREATE INDEX applications_accepted_at ON applications (
        accepted_at, receipt_no, offering_id, offering_name, offering_name_en, offering_kind,
        state, number_index, phone_index
    )
    """,
    # The materials the window marked "verified by data sharing" (material ids, JSON): the sync
    # engine records them when a part is delivered, and it runs locked, without the intake.
    "ALTER TABLE applications ADD COLUMN verify_online TEXT NOT NULL DEFAULT '[]'",
    """
    UPDATE applications SET verify_online = coalesce((
        SELECT json_group_array(m.key) FROM json_each(applications.intake, '$.materials') AS m
        WHERE json_extract(m.value, '$.verify_online')
    ), '[]')
    WHERE typeof(intake) = 'text' AND json_valid(intake)
    """,
    # The export view reads the sealed columns as they are; offline_cache/export.py opens them.
)

_V12: Migration = (
    # What needs the clerk (offline_cache/actions.py): a refusal (不予办理) counts until the
    # clerk opened the application; the mark is per clerk and per decision (a later refusal of
    # the same item counts again). clerk_id '*': seen by everyone.
    """
    CREATE TABLE refusals_seen (
        clerk_id TEXT NOT NULL,
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        item TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (clerk_id, receipt_no, item)
    ) WITHOUT ROWID
    """,
    # Refusals decided before this version were dealt with without it: none of them is news.
    """
    INSERT INTO refusals_seen (clerk_id, receipt_no, item, decided_at, seen_at)
    SELECT '*', receipt_no, item, decided_at, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
    FROM item_decisions WHERE decision = 'rejected'
    """,
    # needs_action: the open supplement requests and the refusals, without walking every decision.
    "CREATE INDEX item_decisions_open ON item_decisions (decision, supplied_at)",
)

_V13: Migration = (
    # The catalog's synonyms of an offering (房产过户 for 二手房转移登记) and their pinyin, found
    # like its name (window_app/catalog/search.py). Rows stored before are right as they are
    # (NULL: none): a catalog could not declare synonyms then.
    "ALTER TABLE search_keys ADD COLUMN synonyms TEXT",
)

_V14: Migration = (
    # One clerk's applications page by page, newest first (list_applications with a clerk_id):
    # the receipt number ends the key, so the index gives the list's whole order and a page
    # is read without sorting. It replaces applications_clerk_id (clerk_id, accepted_at).
    "DROP INDEX IF EXISTS applications_clerk_id",
    "CREATE INDEX applications_clerk_accepted ON applications (clerk_id, accepted_at, receipt_no)",
)

_V15: Migration = (
    # What a catalog directory's files were (names, sizes, times) when they last hashed to a
    # digest: a start whose files are unchanged takes the digest from here instead of reading and
    # hashing them all again (10 MB for a 10,000-offering catalog; window_app/catalog/cache.py).
    # Only a cache: a missing or outdated row means the files are hashed.
    """
    CREATE TABLE catalog_fingerprints (
        root TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        digest TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    )
    """,
)

_V16: Migration = (
    # The tracking code printed on the receipt (window_app/domain/tracking_code.py): the applicant
    # looks the application up with it from a phone. Applications accepted before have none ('').
    "ALTER TABLE applications ADD COLUMN tracking_code TEXT NOT NULL DEFAULT ''",
)

_V17: Migration = (
    # The applicant's notifications (offline_cache/notifications.py, docs/sync.md). Where they go:
    # the phone and masked name, sealed under the recipient key (window_app/trust/recipient_key.py),
    # erased once the application's last notification is out.
    """
    CREATE TABLE notification_recipients (
        receipt_no TEXT PRIMARY KEY REFERENCES applications (receipt_no),
        recipient BLOB NOT NULL,
        created_at TEXT NOT NULL
    ) WITHOUT ROWID
    """,
    # The queue: one row per (receipt_no, kind, cause), so a replayed event queues nothing more
    # (the unique index also serves the recipient's erasure: "anything still queued for it?").
    """
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        receipt_no TEXT NOT NULL,
        kind TEXT NOT NULL,
        cause TEXT NOT NULL,
        data TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_attempt_at TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        last_error TEXT NOT NULL DEFAULT '',
        UNIQUE (receipt_no, kind, cause)
    )
    """,
    # claim_due (state = 'queued' AND next_attempt_at <= now), count_by_state, next_due_at.
    "CREATE INDEX notifications_state_next ON notifications (state, next_attempt_at)",
)

_V18: Migration = (
    # The tracking records the sync sends to the exchange's public tracking page
    # (offline_cache/tracking_outbox.py, docs/tracking.md): queued in the accept transaction,
    # without the code's digest (the sync adds it: scrypt stays off the clerk's accept), marked
    # delivered once the exchange stored it. No personal data but the masked name.
    """
    CREATE TABLE tracking_outbox (
        receipt_no TEXT PRIMARY KEY REFERENCES applications (receipt_no),
        record TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'delivered', 'refused')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        delivered_at TEXT
    ) WITHOUT ROWID
    """,
    # due(): the queued records whose time has come, oldest first.
    "CREATE INDEX tracking_outbox_due ON tracking_outbox (state, next_attempt_at)",
)

_V19: Migration = (
    # 好差评 (offline_cache/ratings.py, window_app/ratings/): one rating per application and
    # occasion, never changed (the primary key is <receipt no>/<occasion>); sync_state 'queued'
    # until the exchange has it ('sent'). departments: the JSON list the application went to
    # (counted per department).
    """
    CREATE TABLE ratings (
        rating_id TEXT PRIMARY KEY,
        receipt_no TEXT NOT NULL,
        occasion TEXT NOT NULL,
        level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
        reasons TEXT NOT NULL DEFAULT '[]',
        channel TEXT NOT NULL,
        window_id TEXT NOT NULL,
        clerk_id TEXT NOT NULL,
        offering_id TEXT NOT NULL,
        departments TEXT NOT NULL DEFAULT '[]',
        rated_at TEXT NOT NULL,
        sync_state TEXT NOT NULL DEFAULT 'queued',
        synced_at TEXT,
        UNIQUE (receipt_no, occasion)
    ) WITHOUT ROWID
    """,
    # The sender's queue (sync_state = 'queued'); the counts walk rated_at ranges.
    "CREATE INDEX ratings_sync ON ratings (sync_state)",
    "CREATE INDEX ratings_rated_at ON ratings (rated_at)",
    # A 差评's rectification case: every change bumps revision; the sender sends a case while
    # synced_revision < revision (the exchange keeps the highest revision it was sent).
    """
    CREATE TABLE rectification_cases (
        case_id TEXT PRIMARY KEY,
        rating_id TEXT NOT NULL UNIQUE REFERENCES ratings (rating_id),
        receipt_no TEXT NOT NULL,
        state TEXT NOT NULL,
        opened_at TEXT NOT NULL,
        due_on TEXT NOT NULL,
        assignee TEXT NOT NULL DEFAULT '',
        assignee_department TEXT NOT NULL DEFAULT '',
        callback TEXT NOT NULL DEFAULT '',
        callback_at TEXT NOT NULL DEFAULT '',
        fix TEXT NOT NULL DEFAULT '',
        fixed_at TEXT NOT NULL DEFAULT '',
        closed_at TEXT NOT NULL DEFAULT '',
        closed_by TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        history TEXT NOT NULL DEFAULT '[]',
        revision INTEGER NOT NULL DEFAULT 1,
        synced_revision INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    # The supervisor's list (open first, by due date) and the overdue count.
    "CREATE INDEX rectification_cases_state_due ON rectification_cases (state, due_on)",
    # The sender's cases to send (a partial index: only the changed ones are in it).
    "CREATE INDEX rectification_cases_unsent ON rectification_cases (case_id) WHERE synced_revision < revision",
)

_V20: Migration = (
    # The region's hot list (热点) the sync fetched from the exchange (GET /v1/hot): which
    # offerings the windows of this region accepted most in the last days
    # (offline_cache/reports.py, window_app/reporting/hot.py). Only a cache: none means the
    # window's own use counts, and with no use either the catalog's hot flag.
    """
    CREATE TABLE hot_lists (
        region TEXT PRIMARY KEY,
        days INTEGER NOT NULL,
        fetched_at TEXT NOT NULL
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE hot_offerings (
        region TEXT NOT NULL REFERENCES hot_lists (region),
        rank INTEGER NOT NULL,
        offering_id TEXT NOT NULL,
        uses INTEGER NOT NULL,
        PRIMARY KEY (region, rank)
    ) WITHOUT ROWID
    """,
    # What each application's merged checklist and unified form saved (offline_cache/reports.py):
    # counted from its sealed guide the first time a report covers it, kept here unsealed (four
    # numbers, nothing personal), so a month's report does not open thousands of guides again.
    """
    CREATE TABLE application_counts (
        receipt_no TEXT PRIMARY KEY REFERENCES applications (receipt_no),
        materials_merged INTEGER NOT NULL,
        materials_separate INTEGER NOT NULL,
        fields_merged INTEGER NOT NULL,
        fields_separate INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
)

_V21: Migration = (
    # 容缺 promises followed after acceptance (offline_cache/waived.py): the material's catalog id
    # and the promised day (nothing personal); received_at once a supplement brought it.
    # Applications accepted before this migration have none: their intakes are sealed and a
    # migration runs without the window's key.
    """
    CREATE TABLE waived_materials (
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        material TEXT NOT NULL,
        promised_on TEXT NOT NULL,
        received_at TEXT,
        PRIMARY KEY (receipt_no, material)
    ) WITHOUT ROWID
    """,
    # open_promises: the promises not yet kept, by promised day (the header's count, the reminders).
    "CREATE INDEX waived_materials_open ON waived_materials (received_at, promised_on)",
)

_V22: Migration = (
    # 联合踏勘 (offline_cache/survey.py): an application's survey appointment at its latest
    # revision (the slot's start in UTC, the site, the clerk's office line: nothing of the
    # applicant's), synced_revision what the exchange took; reminded_for the confirmed start
    # whose day-before reminder was queued. The departments' answers, once per revision.
    """
    CREATE TABLE survey_appointments (
        receipt_no TEXT PRIMARY KEY REFERENCES applications (receipt_no),
        revision INTEGER NOT NULL,
        slot TEXT NOT NULL,
        departments TEXT NOT NULL,
        confirmed_at TEXT,
        proposed_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        synced_revision INTEGER NOT NULL DEFAULT 0,
        reminded_for TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE survey_answers (
        receipt_no TEXT NOT NULL REFERENCES applications (receipt_no),
        department TEXT NOT NULL,
        revision INTEGER NOT NULL,
        answer TEXT NOT NULL,
        slot TEXT NOT NULL,
        note TEXT NOT NULL,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (receipt_no, department, revision)
    ) WITHOUT ROWID
    """,
)

_V23: Migration = (
    # The USB courier (window_app/courier/, docs/courier.md): each file exported, numbered per
    # window (the exchange refuses a number it has seen: replay and reordering), and when its
    # answer was applied. Nothing personal: ids, counts, digests and times (UTC).
    """
    CREATE TABLE courier_files (
        file_id TEXT PRIMARY KEY,
        sequence INTEGER NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        envelopes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        answer_id TEXT,
        answered_at TEXT
    ) WITHOUT ROWID
    """,
    # An envelope carried on a courier file: still 'queued' (the network sends it too if the
    # line comes back first), with the id of the last file that carried it.
    "ALTER TABLE outbox ADD COLUMN courier_file TEXT",
    # The header's "on a courier" count: only the few rows with a file are in this index.
    "CREATE INDEX outbox_on_courier ON outbox (state, courier_file) WHERE courier_file IS NOT NULL",
)

MIGRATIONS: tuple[Migration, ...] = (
    _V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9, _V10, _V11, _V12, _V13, _V14, _V15, _V16,
    _V17, _V18, _V19, _V20, _V21, _V22, _V23,
)
"""Each migration is a sequence of steps (SQL statements or sqlite-utils functions), run in one
transaction."""
