"""The exchange's store: its own SQLite file (tokens, envelopes, items, events).

One connection, serialised by a lock: SQLite has one writer at a time anyway, and the server's
handlers call in from a thread pool. The file is in WAL mode with ``synchronous = FULL``: every
write transaction is on disk when :meth:`ExchangeStore.ingest` (or any other writer) returns,
so the server only answers after the batch is durable.

Ingest holds the lock only for what needs the database: each entry is checked first without it
(:func:`~window_app.exchange.checks.precheck`: shape, payload parsed once, the signature
verified), and the batches that wait for the lock together are written in one transaction, one
savepoint each, one fsync (:mod:`~window_app.exchange.group_commit`). A batch costs three
statements per envelope (the envelope ``RETURNING`` its row for the ledger's digest, its items,
its ledger entry) and two lookups for the whole batch (repeated keys, envelope ids).

Envelope states: ``new`` (not yet seen by its department) → ``received`` (listed or decided
on) → ``supplement_needed`` (an item waits for a supplement) → ``decided`` (every item approved
or rejected). A supplement envelope is ``received`` once listed and ``decided`` together with its
original. Events (``received``, ``approved``, ``rejected``, ``supplement_needed``) carry a
monotonically increasing ``seq`` that is never reused (``AUTOINCREMENT``).

Every envelope stored and every event is also appended to the ledger
(:mod:`~window_app.exchange.ledger`) in the same transaction; with a :class:`CheckpointLog` the
store signs the ledger's head after commits and when it closes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_app.domain.audit_head import AuditHead
from window_app.domain.catalog import Catalog
from window_app.domain.receipt_no import receipt_owner
from window_app.domain.wire import ACKNOWLEDGED, DECISIONS, FINAL_DECISIONS, EnvelopeResult, Event, entry_key
from window_app.domain.words import NO_WORDS, Words
from window_app.exchange import key_registry, ledger
from window_app.exchange.checks import SUBJECT_ID, CheckedEnvelope, Prechecked, finish_check, precheck
from window_app.exchange.errors import ExchangeError
from window_app.exchange.group_commit import GroupCommit
from window_app.exchange.key_registry import WindowKey
from window_app.exchange.ledger import CheckpointLog
from window_app.exchange.schema import MIGRATIONS
from window_app.sqlite_kit import durable_transaction, migrate, private_database
from window_app.trust.keys import PublicSigningKey
from window_app.trust.signing import Signature, verify

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
INBOX_STATES = {
    "new": ("new",),
    "open": ("new", "received", "supplement_needed"),
    "all": None,
}
SUBJECT_KINDS = ("window", "department")
BUSY_TIMEOUT_SECONDS = 5.0

Clock = Callable[[], dt.datetime]


def china_now() -> dt.datetime:
    """Now, in China Standard Time (the exchange's timestamps are local to its centres)."""
    return dt.datetime.now(CHINA_TIME)


def token_hash(token: str) -> str:
    """The stored form of a token: its sha256 (tokens are 256-bit random, so no slow KDF)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Subject:
    """Who a token belongs to: ``window`` ``ZF-01`` or ``department`` ``tax``."""

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class HeadOutcome:
    """What became of a window's audit head.

    Attributes:
        status: ``stored`` (newer than the one held), ``unchanged`` (the one held), ``refused``.
        verified: Its signature was checked against the window's registered key (``False``: no
            key registered to check it with; a bad signature is refused, never stored).
        http_status: 200, or the refusal's: 409 going back (a lower seq, or another hash at
            the held seq), 403 a signature that does not verify (a signature is a credential).
        reason: Why it was refused (empty otherwise).
        held: The head the exchange holds for the window after this (``None``: none yet).
    """

    status: str
    verified: bool
    http_status: int = 200
    reason: Words = NO_WORDS
    held: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The outcome as the answer carries it (``docs/exchange-api.md``)."""
        data: dict[str, Any] = {"status": self.status, "verified": self.verified, "head": self.held}
        if self.reason:
            data["reason"] = self.reason.in_language("en")
            data["reason_zh"] = self.reason.zh
        return data


class ExchangeStore:
    """The exchange's SQLite file. Open with :meth:`open`; thread-safe."""

    def __init__(self, conn: sqlite3.Connection, path: Path, clock: Clock):
        self._conn = conn
        self._lock = threading.RLock()
        self.path = path
        self.clock = clock
        self.closed = False
        self.demo_windows = False
        """A demo exchange registers a window's key on first sight (``--demo``, loopback only)."""
        self.checkpoints: CheckpointLog | None = None
        self._group = GroupCommit(self._lock, self._transaction)
        # As many batches checked at once as there are cores: a signature's verification runs
        # outside the interpreter lock, the rest of the checks inside it; dozens of threads
        # taking turns at that lock only slow the batch being written and the event loop.
        self._checking = threading.BoundedSemaphore(max(2, os.cpu_count() or 1))
        self._real: frozenset[str] = frozenset()
        self._writer: int | None = None  # the lock file's descriptor, when shared

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | Path, *, clock: Clock | None = None, checkpoints: CheckpointLog | None = None, shared: bool = False
    ) -> ExchangeStore:
        """Open (creating and migrating if needed) the exchange database at ``path``.

        Args:
            checkpoints: Where to sign the ledger's head (none: the ledger is kept, unsigned).
            shared: Several server processes write this file at once (``serve --workers``):
                their write transactions take turns through a lock file beside it
                (:func:`writer_lock_path`), which wakes the next one as soon as one commits
                (SQLite's own busy wait polls, sleeping up to 100 ms between tries).

        Raises:
            ExchangeError: The file is from a newer version of the exchange (status 500).
            LedgerError: The database no longer holds what the checkpoint log last signed.
            sqlite3.Error, OSError: The file cannot be opened.
        """
        path = Path(path)
        private_database(path, private_dir=False)  # the file 0600; its directory may be anyone's
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # every commit survives a power cut
            conn.execute("PRAGMA foreign_keys = ON")
            store = cls(conn, path, clock or china_now)
            if shared:
                store._writer = _open_writer_lock(path)
            store._migrate()
            store._real = ledger.real_columns(conn, "envelopes")
            if checkpoints is not None:
                checkpoints.check(conn)
                store.checkpoints = checkpoints
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        """Close the connection (waits for the operation in progress, if any)."""
        with self._lock:
            if self.checkpoints is not None and not self.closed:
                self.checkpoints.close(self._conn)
            self._conn.close()
            if self._writer is not None:
                os.close(self._writer)
                self._writer = None
            self.closed = True

    def _migrate(self) -> None:
        migrate(self._conn, MIGRATIONS, too_new=self._too_new)

    def _too_new(self, current: int, known: int) -> ExchangeError:
        return ExchangeError(
            500,
            Words(
                f"交换平台数据库 {self.path} 由更新的版本创建（结构版本 {current}）",
                f"the exchange database {self.path} is from a newer version (schema {current})",
            ),
        )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), durable when it returns.

        Raises:
            ExchangeError: 503 with ``Retry-After`` when another process holds the write lock.
        """
        with self._lock, _turn(self._writer):
            with durable_transaction(self._conn, busy=_busy) as conn:
                yield conn
            if self.checkpoints is not None:  # after the commit: a checkpoint signs only what is stored
                self.checkpoints.after_commit(self._conn)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise _busy(exc) from exc
                raise

    def _now(self) -> tuple[str, float]:
        now = self.clock()
        return now.isoformat(timespec="seconds"), now.timestamp()

    # -- tokens --------------------------------------------------------------------------------

    def issue_token(self, kind: str, subject_id: str) -> str:
        """Create a new random token for a window or a department and return it (shown once).

        Raises:
            ValueError: Unknown kind, or an id that is not ``[A-Za-z0-9][A-Za-z0-9_.-]*``.
        """
        if kind not in SUBJECT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SUBJECT_KINDS)}, not {kind!r}")
        if not SUBJECT_ID.fullmatch(subject_id):
            raise ValueError(f"{subject_id!r} is not a valid id (letters, digits, '_', '.', '-'; at most 64)")
        token = f"{'w' if kind == 'window' else 'd'}_{secrets.token_urlsafe(32)}"
        at, _ = self._now()
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO tokens (token_hash, subject_kind, subject_id, issued_at) VALUES (?, ?, ?, ?)",
                [token_hash(token), kind, subject_id, at],
            )
        return token

    def authenticate(self, token: str) -> Subject | None:
        """The subject of a token issued into this database, or ``None``."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT subject_kind, subject_id FROM tokens WHERE token_hash = ? AND revoked_at IS NULL",
                [token_hash(token)],
            ).fetchone()
        return Subject(row[0], row[1]) if row else None

    # -- keys ----------------------------------------------------------------------------------

    def register_window(self, request: dict[str, Any], by: str = "operator") -> WindowKey:
        """Register a window's key from its checked, self-signed request
        (:func:`window_app.exchange.key_registry.registration_problem`)."""
        at, _ = self._now()
        with self._transaction() as conn:
            return key_registry.register_window(conn, request, at, by)

    def window_keys(self) -> list[WindowKey]:
        with self._reading() as conn:
            return key_registry.window_keys(conn)

    def revoke_window_key(self, key_id: str) -> bool:
        at, _ = self._now()
        with self._transaction() as conn:
            return key_registry.revoke_window_key(conn, key_id, at)

    def revoke_department_key(self, department: str, key_id: str) -> bool:
        at, _ = self._now()
        with self._transaction() as conn:
            return key_registry.revoke_department_key(conn, department, key_id, at)

    def revoked_department_keys(self) -> dict[str, str]:
        with self._reading() as conn:
            return key_registry.revoked_department_keys(conn)

    # -- envelopes in --------------------------------------------------------------------------

    def ingest(self, window_id: str, submitted: Sequence[Any], catalog: Catalog) -> list[dict[str, Any]]:
        """Store a window's batch durably; one result per entry, in order.

        Each entry is checked as far as it can be before the write lock
        (:func:`~window_app.exchange.checks.precheck`: shape, payload, signature), then the
        batch is written in one savepoint of a transaction it may share with other windows'
        batches that arrived with it (:mod:`~window_app.exchange.group_commit`): it returns once
        that transaction is on disk, and an error in it rolls back this batch only.

        A repeated idempotency key (earlier or in the same batch) answers ``duplicate`` with the
        first answer's ``envelope_id`` and ``received_at`` and writes nothing.
        """
        received_at, epoch = self._now()
        # entry_key: None too for a key with a lone surrogate (SQLite cannot bind it).
        with self._checking:
            prechecked = [(entry_key(entry), precheck(entry, window_id, catalog)) for entry in submitted]
        return self._group.run(lambda conn: self._write_batch(conn, window_id, prechecked, received_at, epoch))

    def _write_batch(
        self, conn: sqlite3.Connection, window_id: str, prechecked: list[tuple[str | None, Prechecked]], received_at: str,
        epoch: float,
    ) -> list[dict[str, Any]]:
        """The checks that need the store, and the rows, of one batch (in its savepoint)."""
        # What the batch refers to, looked up at once; kept up to date with what it adds.
        by_key = _rows_by(conn, "idempotency_key", "envelope_id, received_at, window_id", {k for k, _ in prechecked if k})
        named = {pre.envelope.envelope_id for _, pre in prechecked if pre.envelope is not None}
        named |= {pre.original for _, pre in prechecked if pre.original}
        by_id = _rows_by(conn, "envelope_id", "window_id, department, kind", named)
        keys: dict[str, WindowKey] = {}
        after = ledger.head(conn)

        def key_of(key_id: str, document: dict[str, Any]) -> WindowKey | None:
            found = keys.get(key_id) or key_registry.window_key(conn, key_id)
            if found is None and self.demo_windows:
                found = _demo_registration(conn, key_id, document, received_at)
            if found is not None:
                keys[key_id] = found
            return found

        results: list[dict[str, Any]] = []
        for key, pre in prechecked:
            if key is not None and key in by_key:
                first_id, first_at, sender = by_key[key]
                if sender != window_id:
                    results.append(EnvelopeResult.rejected(
                        key, Words("该幂等键已被另一个窗口使用", "idempotency_key is already used by another window")
                    ).to_json())
                else:
                    results.append(EnvelopeResult(key, "duplicate", envelope_id=first_id, received_at=first_at).to_json())
                continue
            checked = finish_check(pre, window_id, by_id.get, key_of)
            if isinstance(checked, Words):
                results.append(EnvelopeResult.rejected(key, checked).to_json())
                continue
            envelope = checked.envelope
            if envelope.envelope_id in by_id:
                results.append(EnvelopeResult.rejected(envelope.idempotency_key, Words(
                    f"信封编号“{envelope.envelope_id}”已被另一个信封使用",
                    f"envelope_id '{envelope.envelope_id}' is already used by another envelope",
                )).to_json())
                continue
            after = self._insert(conn, window_id, checked, received_at, epoch, after, self._real)
            by_key[envelope.idempotency_key] = (envelope.envelope_id, received_at, window_id)
            by_id[envelope.envelope_id] = (window_id, envelope.department, envelope.kind)
            results.append(EnvelopeResult(envelope.idempotency_key, "created", envelope.envelope_id, received_at).to_json())
        return results

    @staticmethod
    def _insert(
        conn: sqlite3.Connection, window_id: str, checked: CheckedEnvelope, received_at: str, epoch: float,
        after: tuple[int, str], real: frozenset[str],
    ) -> tuple[int, str]:
        """Insert an envelope, its items and its ledger entry (after ``after``); the new head."""
        e = checked.envelope
        stored = conn.execute(
            "INSERT INTO envelopes (envelope_id, idempotency_key, kind, window_id, receipt_no, department, stage, "
            "payload, payload_sha256, signature, original_envelope_id, received_at, received_epoch, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new') RETURNING *",
            [
                e.envelope_id, e.idempotency_key, e.kind, window_id, e.receipt_no, e.department, e.stage,
                e.payload, e.payload_sha256, e.signature, checked.original_envelope_id, received_at, epoch,
            ],
        )
        items = [(item.id, position, item.name, item.result_name) for position, item in enumerate(checked.items)]
        entry = ledger.record_created(conn, stored, items, after, real)
        conn.executemany(
            "INSERT INTO items (envelope_id, item, position, name, result_name, decision, filed) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (e.envelope_id, item.id, position, item.name, item.result_name,
                 item.filed["decision"] if item.filed else None, _canonical(item.filed) if item.filed else None)
                for position, item in enumerate(checked.items)
            ],
        )
        return entry.seq, entry.hash

    # -- the department's side -----------------------------------------------------------------

    def inbox(self, department: str, state: str = "new", limit: int = 100) -> list[dict[str, Any]]:
        """The department's envelopes, oldest first; listing marks ``new`` ones ``received``.

        Args:
            state: ``new``, ``open`` (not yet fully decided) or ``all``.

        Each entry's ``state`` is the state it had when listed (``new`` for the ones this call
        received).
        """
        states = INBOX_STATES[state]
        sql = (
            "SELECT envelope_id, idempotency_key, receipt_no, kind, stage, department, window_id, received_at, "
            "state, payload, payload_sha256, signature, original_envelope_id FROM envelopes WHERE department = ?"
        )
        params: list[Any] = [department]
        if states is not None:
            sql += f" AND state IN ({', '.join('?' * len(states))})"
            params.extend(states)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        with self._transaction() as conn:
            rows = conn.execute(sql, params).fetchall()
            entries = [self._inbox_entry(conn, row) for row in rows]
            at, _ = self._now()
            for entry in entries:
                if entry["state"] == "new":
                    self._receive(conn, entry["envelope_id"], at)
        return entries

    @staticmethod
    def _inbox_entry(conn: sqlite3.Connection, row: Sequence[Any]) -> dict[str, Any]:
        (envelope_id, key, receipt_no, kind, stage, department, window_id, received_at, state, payload, sha256,
         signature, original) = row
        entry: dict[str, Any] = {
            "envelope_id": envelope_id,
            "idempotency_key": key,
            "receipt_no": receipt_no,
            "kind": kind,
            "stage": stage,
            "department": department,
            "window": window_id,
            "received_at": received_at,
            "state": state,
            "payload": json.loads(payload),
            "payload_sha256": sha256,
            "signature": json.loads(signature),
            "window_key": _window_key_text(conn, signature),
            "items": _items_of(conn, envelope_id),
        }
        if original is not None:
            entry["original_envelope_id"] = original
        return entry

    def envelope(self, envelope_id: str) -> dict[str, Any] | None:
        """One envelope as an inbox entry (without marking it received), or ``None``."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT envelope_id, idempotency_key, receipt_no, kind, stage, department, window_id, received_at, "
                "state, payload, payload_sha256, signature, original_envelope_id FROM envelopes WHERE envelope_id = ?",
                [envelope_id],
            ).fetchone()
            return self._inbox_entry(conn, row) if row else None

    def receive(self, envelope_id: str) -> bool:
        """Mark a ``new`` envelope ``received`` (with its event); ``False`` if it was not new."""
        at, _ = self._now()
        with self._transaction() as conn:
            return self._receive(conn, envelope_id, at)

    @staticmethod
    def _receive(conn: sqlite3.Connection, envelope_id: str, at: str) -> bool:
        row = conn.execute(
            "SELECT window_id, state, original_envelope_id, kind FROM envelopes WHERE envelope_id = ?", [envelope_id]
        ).fetchone()
        if row is None or row[1] != "new":
            return False
        state = "decided" if row[3] == "filing" else "received"  # a filing asks for nothing
        if row[2] is not None:  # a supplement: done already if its original is
            original_state = conn.execute("SELECT state FROM envelopes WHERE envelope_id = ?", [row[2]]).fetchone()
            if original_state and original_state[0] == "decided":
                state = "decided"
        conn.execute("UPDATE envelopes SET state = ? WHERE envelope_id = ?", [state, envelope_id])
        received = conn.execute(
            "INSERT INTO events (window_id, envelope_id, kind, at) VALUES (?, ?, 'received', ?)",
            [row[0], envelope_id, at],
        )
        ledger.record_event(conn, received.lastrowid)
        return True

    def decide(
        self,
        department: str,
        envelope_id: str,
        item: str,
        decision: str,
        *,
        result: str = "",
        reason: str = "",
        material: str = "",
        decided_by: str = "",
        signature: str = "",
    ) -> tuple[dict[str, Any], bool]:
        """Record a department's decision on one item; returns (the event, whether it is new).

        Repeating the item's latest decision (same decision, result, reason, material) is
        idempotent: the first event comes back and nothing is written.

        Raises:
            ExchangeError: 404 the envelope is not in this department's inbox; 422 the item is
                not in the envelope, or the envelope is a supplement; 409 the item already has a
                final decision (approved or rejected) that differs.
        """
        if decision not in (*DECISIONS, ACKNOWLEDGED):
            raise ValueError(f"decision must be one of {DECISIONS} or {ACKNOWLEDGED}")
        at, _ = self._now()
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT window_id, kind, original_envelope_id, state FROM envelopes "
                "WHERE envelope_id = ? AND department = ?",
                [envelope_id, department],
            ).fetchone()
            if row is None:
                raise ExchangeError(
                    404,
                    Words(
                        f"部门“{department}”的收件箱中没有信封“{envelope_id}”",
                        f"no envelope '{envelope_id}' in the inbox of department '{department}'",
                    ),
                )
            window_id, kind, original, _state = row
            if decision == ACKNOWLEDGED or kind == "handover":
                return self._acknowledge(conn, envelope_id, kind, decision, decided_by, signature, window_id, at)
            if kind == "supplement":
                raise ExchangeError(
                    422,
                    Words(
                        f"信封“{envelope_id}”是补正材料，请对原信封“{original}”作出决定",
                        f"envelope '{envelope_id}' is a supplement: decide on its original envelope '{original}'",
                    ),
                )
            current = conn.execute(
                "SELECT decision, event_seq, filed FROM items WHERE envelope_id = ? AND item = ?", [envelope_id, item]
            ).fetchone()
            if current is None:
                raise ExchangeError(
                    422,
                    Words(f"信封“{envelope_id}”中没有事项“{item}”", f"item '{item}' is not in envelope '{envelope_id}'"),
                )
            latest_decision, latest_seq, filed = current
            if filed is not None:
                raise ExchangeError(
                    409,
                    Words(
                        f"事项“{item}”已由窗口独任审批员当场办结（{latest_decision}），本信封是备案，无需部门决定",
                        f"item '{item}' was concluded at the window by a sole approver ({latest_decision}); "
                        "this is a filing: there is nothing for the department to decide",
                    ),
                )
            if latest_seq is not None:
                latest = _event(conn, latest_seq)
                if (latest["kind"], latest["result"], latest["reason"], latest["material"]) == (
                    decision, result, reason, material
                ):
                    return latest, False
                if latest_decision in FINAL_DECISIONS:
                    raise ExchangeError(
                        409,
                        Words(
                            f"信封“{envelope_id}”的事项“{item}”已有最终决定：{latest_decision}",
                            f"item '{item}' of envelope '{envelope_id}' is already decided: {latest_decision}",
                        ),
                    )
            self._receive(conn, envelope_id, at)
            cursor = conn.execute(
                "INSERT INTO events (window_id, envelope_id, kind, item, result, reason, material, decided_by, at, "
                "signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [window_id, envelope_id, decision, item, result, reason, material, decided_by, at, signature],
            )
            seq = cursor.lastrowid
            ledger.record_event(conn, seq)
            conn.execute(
                "UPDATE items SET decision = ?, event_seq = ? WHERE envelope_id = ? AND item = ?",
                [decision, seq, envelope_id, item],
            )
            _refresh_state(conn, envelope_id)
            return _event(conn, seq), True

    def _acknowledge(
        self, conn: sqlite3.Connection, envelope_id: str, kind: str, decision: str, decided_by: str, signature: str,
        window_id: str, at: str,
    ) -> tuple[dict[str, Any], bool]:
        """A department confirms receipt of a handover's paper materials (三类登记办): one
        ``acknowledged`` event for the whole envelope; the first one counts, a repeat returns it."""
        if kind != "handover":
            raise ExchangeError(
                409,
                Words(
                    f"信封“{envelope_id}”不是材料移交（handover），无需确认接收；请对其事项作出决定",
                    f"envelope '{envelope_id}' is not a handover: there is nothing to acknowledge; decide its items",
                ),
            )
        if decision != ACKNOWLEDGED:
            raise ExchangeError(
                409,
                Words(
                    f"信封“{envelope_id}”是三类登记办的材料移交：请确认接收（acknowledged），事项由部门自行办理",
                    f"envelope '{envelope_id}' is a handover of paper materials (class 3): acknowledge its receipt "
                    "(decision acknowledged); the department handles its items itself",
                ),
            )
        earlier = conn.execute(
            "SELECT seq FROM events WHERE envelope_id = ? AND kind = ? ORDER BY seq LIMIT 1", [envelope_id, ACKNOWLEDGED]
        ).fetchone()
        if earlier is not None:
            return _event(conn, earlier[0]), False
        self._receive(conn, envelope_id, at)
        cursor = conn.execute(
            "INSERT INTO events (window_id, envelope_id, kind, item, decided_by, at, signature) VALUES (?, ?, ?, NULL, ?, ?, ?)",
            [window_id, envelope_id, ACKNOWLEDGED, decided_by, at, signature],
        )
        seq = cursor.lastrowid
        ledger.record_event(conn, seq)
        conn.execute("UPDATE envelopes SET state = 'decided' WHERE envelope_id = ?", [envelope_id])
        return _event(conn, seq), True

    # -- the window's side ---------------------------------------------------------------------

    def events(self, window_id: str, since: int = 0, limit: int = 100) -> tuple[list[dict[str, Any]], int, bool]:
        """The window's events after ``since``, oldest first: (events, cursor, more).

        ``cursor`` is the last seq returned, or ``since`` when there is nothing new; ``more``
        says whether another page is waiting.
        """
        with self._reading() as conn:
            rows = conn.execute(
                f"{_EVENT_SELECT} WHERE e.window_id = ? AND e.seq > ? ORDER BY e.seq LIMIT ?",
                [window_id, since, limit + 1],
            ).fetchall()
        events = [_event_from_row(row) for row in rows[:limit]]
        cursor = events[-1]["seq"] if events else since
        return events, cursor, len(rows) > limit

    # -- audit heads ---------------------------------------------------------------------------

    def window_key(self, window_id: str, key_id: str) -> PublicSigningKey | None:
        """The registered, active key ``key_id`` of ``window_id``, to check its audit heads with;
        ``None`` when there is none (a head is then stored *unverified*: still only forward)."""
        with self._reading() as conn:
            found = key_registry.window_key(conn, key_id)
        if found is None or not found.active or found.window_id != window_id.upper():
            return None
        return found.public

    def has_window_key(self, window_id: str) -> bool:
        with self._reading() as conn:
            return key_registry.has_active_key(conn, window_id)

    def record_audit_head(self, window_id: str, head: AuditHead) -> HeadOutcome:
        """Keep ``head`` as the window's latest if it goes forward; refuse (and record) one that
        goes back or whose signature does not verify. The caller checked that ``head`` is the
        caller's own (``head.window_id`` is ``window_id``)."""
        key = self.window_key(window_id, head.key_id)
        problem: Words | None = None
        if key is None and self.has_window_key(window_id):
            # The window has registered keys and this is none of them: a head from no one.
            problem = Words("签名密钥 {k} 不是此窗口登记的有效密钥", "key {k} is not an active key registered for this window").format(k=head.key_id)
        if key is not None:
            signature = Signature.from_json(head.signature)
            problem = signature if isinstance(signature, Words) else verify(key, head.message(), signature)
        received_at, _ = self._now()
        with self._transaction() as conn:
            row = conn.execute(f"SELECT {_HEAD_COLUMNS} FROM audit_heads WHERE window_id = ?", [window_id]).fetchone()
            held = _head_json(row) if row else None
            if problem is not None:
                reason = Words("审计链头签名无效：{p}", "the audit head's signature does not verify: {p}").format(p=problem)
                self._refuse_head(conn, window_id, head, "signature", held, received_at)
                return HeadOutcome("refused", False, 403, reason, _public_head(held))
            if held is not None:
                held_seq, held_hash = held["seq"], held["hash"]
                if head.seq < held_seq or (head.seq == held_seq and head.hash != held_hash):
                    if head.seq < held_seq:
                        kind = "behind"
                        reason = Words(
                            "审计链头倒退：交换平台已保存第 {held} 条的链头，收到的是第 {seq} 条——窗口的审计记录被截短或改写",
                            "the audit head goes back: the exchange holds the head at event {held}, this one is at "
                            "event {seq}; the window's audit trail was cut short or rewritten",
                        ).format(held=held_seq, seq=head.seq)
                    else:
                        kind = "forked"
                        reason = Words(
                            "第 {seq} 条的审计链头与交换平台保存的哈希不同——窗口的审计记录被改写",
                            "the audit head at event {seq} has another hash than the one the exchange holds; "
                            "the window's audit trail was rewritten",
                        ).format(seq=head.seq)
                    self._refuse_head(conn, window_id, head, kind, held, received_at)
                    return HeadOutcome("refused", bool(row[6]), 409, reason, _public_head(held))
                if head.seq == held_seq:
                    return HeadOutcome("unchanged", bool(row[6]), held=_public_head(held))
            conn.execute(
                "INSERT INTO audit_heads (window_id, seq, hash, at, key_id, signature, verified, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (window_id) DO UPDATE SET seq = excluded.seq, "
                "hash = excluded.hash, at = excluded.at, key_id = excluded.key_id, signature = excluded.signature, "
                "verified = excluded.verified, received_at = excluded.received_at",
                [window_id, head.seq, head.hash, head.at, head.key_id, _canonical(head.signature), int(key is not None),
                 received_at],
            )
            stored = {**head.to_json(), "verified": key is not None, "received_at": received_at}
            return HeadOutcome("stored", key is not None, held=_public_head(stored))

    @staticmethod
    def _refuse_head(
        conn: sqlite3.Connection, window_id: str, head: AuditHead, reason: str, held: dict[str, Any] | None, at: str
    ) -> None:
        conn.execute(
            "INSERT INTO audit_head_refusals (window_id, seq, hash, reason, at, signature, held_seq, held_hash, "
            "first_received_at, last_received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (window_id, seq, hash, reason) DO UPDATE SET count = count + 1, "
            "last_received_at = excluded.last_received_at",
            [window_id, head.seq, head.hash, reason, head.at, _canonical(head.signature),
             held["seq"] if held else None, held["hash"] if held else None, at, at],
        )

    def audit_head(self, window_id: str) -> dict[str, Any]:
        """``{"head": … | None, "verified", "received_at", "refusals"}``: the window's latest
        head as the exchange holds it, and how many refused heads it has recorded."""
        with self._reading() as conn:
            row = conn.execute(f"SELECT {_HEAD_COLUMNS} FROM audit_heads WHERE window_id = ?", [window_id]).fetchone()
            refusals = conn.execute(
                "SELECT coalesce(sum(count), 0) FROM audit_head_refusals WHERE window_id = ?", [window_id]
            ).fetchone()[0]
        held = _head_json(row) if row else None
        return {
            "head": _public_head(held) if held else None,
            "verified": bool(held and held["verified"]),
            "received_at": held["received_at"] if held else None,
            "refusals": refusals,
        }

    # -- the simulation ------------------------------------------------------------------------

    def waiting_since(self, before_epoch: float, limit: int = 200) -> list[dict[str, Any]]:
        """Envelopes the departments have not finished with, that arrived before ``before_epoch``:
        application envelopes ``new`` or ``received``, supplements ``new``. Oldest first."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT envelope_id FROM envelopes WHERE state IN ('new', 'received') AND received_epoch <= ? "
                "ORDER BY received_epoch, id LIMIT ?",
                [before_epoch, limit],
            ).fetchall()
        found = [self.envelope(row[0]) for row in rows]
        return [e for e in found if e is not None and (e["kind"] in ("application", "handover") or e["state"] == "new")]

    def count_envelopes(self) -> int:
        """How many envelopes the exchange holds."""
        with self._reading() as conn:
            return conn.execute("SELECT count(*) FROM envelopes").fetchone()[0]


# -- helpers ---------------------------------------------------------------------------------

_HEAD_COLUMNS = "window_id, seq, hash, at, key_id, signature, verified, received_at"


def _head_json(row: Sequence[Any]) -> dict[str, Any]:
    window_id, seq, digest, at, _key_id, signature, verified, received_at = row
    return {
        "window_id": window_id, "seq": seq, "hash": digest, "at": at, "signature": json.loads(signature),
        "verified": bool(verified), "received_at": received_at,
    }


def _public_head(held: dict[str, Any] | None) -> dict[str, Any] | None:
    """The head as the window signed it (what ``GET /v1/audit/head`` answers under ``head``)."""
    if held is None:
        return None
    return {k: held[k] for k in ("window_id", "seq", "hash", "at", "signature")}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

_EVENT_SELECT = (
    "SELECT e.seq, e.kind, e.envelope_id, v.idempotency_key, v.receipt_no, v.department, e.item, e.result, "
    "e.reason, e.material, e.decided_by, e.at, e.signature FROM events e JOIN envelopes v ON v.envelope_id = e.envelope_id"
)


def writer_lock_path(db_path: str | Path) -> Path:
    """The lock file the processes of a shared exchange database take turns writing through."""
    return Path(f"{db_path}-writer.lock")


def _open_writer_lock(db_path: Path) -> int:
    return os.open(writer_lock_path(db_path), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


@contextlib.contextmanager
def _turn(writer: int | None) -> Iterator[None]:
    """This process's turn to write (an exclusive ``flock``), when the file is shared."""
    if writer is None:
        yield
        return
    fcntl.flock(writer, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(writer, fcntl.LOCK_UN)


def _rows_by(conn: sqlite3.Connection, column: str, columns: str, values: set[str]) -> dict[str, tuple[Any, ...]]:
    """``value → (columns…)`` of the envelopes whose ``column`` is one of ``values`` (one query)."""
    found: dict[str, tuple[Any, ...]] = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        rows = conn.execute(
            f"SELECT {column}, {columns} FROM envelopes WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk
        ).fetchall()
        found.update((row[0], tuple(row[1:])) for row in rows)
    return found


_IN_CHUNK = 500  # well under SQLite's limit of bound parameters


def _window_key_text(conn: sqlite3.Connection, signature: str) -> str:
    """The registered public key that signed an envelope (the department verifies with it)."""
    key_id = json.loads(signature).get("key_id", "")
    found = key_registry.window_key(conn, key_id)
    return found.public_key if found else ""


def _demo_registration(conn: sqlite3.Connection, key_id: str, document: dict[str, Any], at: str) -> WindowKey | None:
    """A demo exchange registers a window's key the first time it sees it: bound, as any
    registration, to the region, window id and installation tag of the receipt number."""
    window = document.get("window")
    public_key = window.get("key") if isinstance(window, dict) else None
    owner = receipt_owner(str(document.get("receipt_no") or ""))
    key = PublicSigningKey.from_text(public_key)
    if owner is None or isinstance(key, Words) or key.key_id != key_id:
        return None
    region, window_id, tag = owner
    request = {"key_id": key_id, "id": window_id, "region": region, "installation_tag": tag,
               "public_key": key.text, "centre": str(window.get("centre") or "") if isinstance(window, dict) else ""}
    return key_registry.register_window(conn, request, at, "demo")


def _event(conn: sqlite3.Connection, seq: int) -> dict[str, Any]:
    return _event_from_row(conn.execute(f"{_EVENT_SELECT} WHERE e.seq = ?", [seq]).fetchone())


def _event_from_row(row: Sequence[Any]) -> dict[str, Any]:
    seq, kind, envelope_id, key, receipt_no, department, item, result, reason, material, decided_by, at, signature = row
    return Event(
        seq, kind, envelope_id, key, receipt_no, department, item, at,
        result=result, reason=reason, material=material, decided_by=decided_by, signature=signature,
    ).to_json()


def _items_of(conn: sqlite3.Connection, envelope_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT item, name, result_name, event_seq, filed FROM items WHERE envelope_id = ? ORDER BY position", [envelope_id]
    ).fetchall()
    items = []
    for item, name, result_name, seq, filed in rows:
        latest = None
        if seq is not None:
            event = _event(conn, seq)
            latest = {k: event[k] for k in ("seq", "kind", "result", "reason", "material", "decided_by", "at")}
            latest["decision"] = latest.pop("kind")
        entry = {"id": item, "name": name, "result": result_name, "decision": latest}
        if filed is not None:
            entry["filed"] = json.loads(filed)  # concluded at the window: nothing to decide
        items.append(entry)
    return items


def _refresh_state(conn: sqlite3.Connection, envelope_id: str) -> None:
    """An application envelope's state from its items' latest decisions (and its supplements')."""
    decisions = [row[0] for row in conn.execute("SELECT decision FROM items WHERE envelope_id = ?", [envelope_id])]
    if "supplement_needed" in decisions:
        state = "supplement_needed"
    elif decisions and all(d in FINAL_DECISIONS for d in decisions):
        state = "decided"
    else:
        state = "received"
    conn.execute("UPDATE envelopes SET state = ? WHERE envelope_id = ?", [state, envelope_id])
    if state == "decided":
        conn.execute(
            "UPDATE envelopes SET state = 'decided' WHERE original_envelope_id = ? AND state = 'received'", [envelope_id]
        )


def _busy(exc: sqlite3.OperationalError) -> ExchangeError:
    return ExchangeError(
        503,
        Words(f"交换平台数据库正忙（{exc}），请稍后重试", f"the exchange database is busy ({exc}); try again shortly"),
        retry_after=1,
    )
