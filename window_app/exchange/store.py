"""The exchange's store: tokens, envelopes, items, events, and every rule about them.

The data lives in one SQLite file or in PostgreSQL (:mod:`~window_app.exchange.backends`: they
differ in connections, transactions and a few words of SQL, never in rules). Every write
transaction is durable when :meth:`ExchangeStore.ingest` (or any other writer) returns, so the
server only answers after the batch is stored.

Ingest checks each entry first outside any transaction
(:func:`~window_app.exchange.checks.precheck`: shape, payload parsed once, the signature
verified); on SQLite the batches that wait for the writer together are written in one
transaction, one savepoint each, one fsync (:mod:`~window_app.exchange.group_commit`). A batch
costs five statements however many envelopes it holds (one round trip each on PostgreSQL): two
lookups (repeated keys, envelope ids), its envelopes in one ``INSERT … ON CONFLICT DO NOTHING
RETURNING`` (the rows for the ledger's digests), their items, their ledger entries. A key
another transaction stored meanwhile (PostgreSQL) makes its row's insert do nothing: the
envelope is then answered as that transaction's duplicate.

Concurrent writers (PostgreSQL) are safe by construction: the ledger's append and the event
feed's numbers are drawn under one lock held to the commit
(:meth:`~window_app.exchange.backends.base.Backend.lock_ledger`, taken as late as each
transaction allows); a department's claim on its new envelopes skips the ones another
reviewer's transaction holds (``FOR UPDATE SKIP LOCKED``); a decision locks its envelope's row.

Envelope states: ``new`` (not yet seen by its department) → ``received`` (listed or decided
on) → ``supplement_needed`` (an item waits for a supplement) → ``decided`` (every item approved
or rejected). A supplement envelope is ``received`` once listed and ``decided`` together with its
original. Events (``received``, ``approved``, ``rejected``, ``supplement_needed``) carry a
monotonically increasing ``seq`` that is never reused, and a transaction that took a lower
``seq`` has committed before any higher one is taken: a window reading ``seq > cursor`` never
skips an event (docs/exchange-api.md, *The event feed*).

Every envelope stored and every event is also appended to the ledger
(:mod:`~window_app.exchange.ledger`) in the same transaction; with a :class:`CheckpointLog` the
store signs the ledger's head after commits and when it closes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_app.domain.audit_head import AuditHead
from window_app.domain.catalog import Catalog
from window_app.domain.receipt_no import receipt_owner
from window_app.domain.wire import ACKNOWLEDGED, DECISIONS, FINAL_DECISIONS, EnvelopeResult, Event, entry_key
from window_app.domain.words import NO_WORDS, Words
from window_app.exchange import key_registry, ledger
from window_app.exchange.backends import Backend, open_backend
from window_app.exchange.checks import SUBJECT_ID, CheckedEnvelope, Prechecked, finish_check, precheck
from window_app.exchange.errors import ExchangeError
from window_app.exchange.key_registry import WindowKey
from window_app.exchange.ledger import CheckpointLog
from window_app.exchange.schema import MIGRATIONS
from window_app.trust.keys import PublicSigningKey
from window_app.trust.signing import Signature, verify

CHINA_TIME = dt.timezone(dt.timedelta(hours=8), "CST")
INBOX_STATES = {
    "new": ("new",),
    "open": ("new", "received", "supplement_needed"),
    "all": None,
}
SUBJECT_KINDS = ("window", "department")
NUL = "\x00"
"""A character no PostgreSQL text can hold: refused in every text the exchange would store."""

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
    """The exchange's data on a backend. Open with :meth:`open`; thread-safe."""

    def __init__(self, backend: Backend, clock: Clock):
        self.backend = backend
        self.location = backend.location
        self.clock = clock
        self.closed = False
        self.demo_windows = False
        """A demo exchange registers a window's key on first sight (``--demo``, loopback only)."""
        self.checkpoints: CheckpointLog | None = None
        # As many batches checked at once as there are cores: a signature's verification runs
        # outside the interpreter lock, the rest of the checks inside it; dozens of threads
        # taking turns at that lock only slow the batch being written and the event loop.
        self._checking = threading.BoundedSemaphore(max(2, os.cpu_count() or 1))
        self._real: frozenset[str] = frozenset()
        self._closing = threading.Lock()

    @property
    def path(self) -> Path:
        """The SQLite file (a PostgreSQL database has none: see :attr:`location`)."""
        return Path(self.location)

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, db: str | Path, *, clock: Clock | None = None, checkpoints: CheckpointLog | None = None, shared: bool = False
    ) -> ExchangeStore:
        """Open (creating and migrating if needed) the exchange database ``db``: a SQLite file's
        path, or a ``postgresql://`` URI.

        Args:
            checkpoints: Where to sign the ledger's head (none: the ledger is kept, unsigned).
            shared: Several server processes use this database at once (``serve --workers``,
                PostgreSQL).

        Raises:
            ExchangeError: The database is from a newer version of the exchange (status 500).
            LedgerError: The database no longer holds what the checkpoint log last signed.
            sqlite3.Error, psycopg.Error, OSError: The database cannot be opened.
        """
        backend = open_backend(db, shared=shared)
        try:
            store = cls(backend, clock or china_now)
            backend.migrate(MIGRATIONS, store._too_new)
            store._real = backend.real_columns("envelopes")
            if checkpoints is not None:
                with backend.reading() as conn:
                    checkpoints.check(conn)
                store.checkpoints = checkpoints
                backend.after_commit = checkpoints.after_commit
        except BaseException:
            backend.close()
            raise
        return store

    def close(self) -> None:
        """Close the database (waits for the operation in progress, if any, on SQLite)."""
        with self._closing:
            if self.closed:
                return
            if self.checkpoints is not None:
                with self.backend.reading() as conn:
                    self.checkpoints.close(conn)
            self.backend.close()
            self.closed = True

    def _too_new(self, current: int, known: int) -> ExchangeError:
        return ExchangeError(
            500,
            Words(
                f"交换平台数据库 {self.location} 由更新的版本创建（结构版本 {current}）",
                f"the exchange database {self.location} is from a newer version (schema {current})",
            ),
        )

    def _transaction(self) -> contextlib.AbstractContextManager[Any]:
        """One write transaction, durable when it returns (the backend's)."""
        return self.backend.transaction()

    def _reading(self) -> contextlib.AbstractContextManager[Any]:
        return self.backend.reading()

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
        return self.backend.write(lambda conn: self._write_batch(conn, window_id, prechecked, received_at, epoch))

    def _write_batch(
        self, conn: Any, window_id: str, prechecked: list[tuple[str | None, Prechecked]], received_at: str, epoch: float,
    ) -> list[dict[str, Any]]:
        """The checks that need the store, and the rows, of one batch (in its transaction or
        savepoint); the ledger's entries last, in the transaction's turn at the ledger."""
        # What the batch refers to, looked up at once; kept up to date with what it adds. The ids
        # first, the keys second: on PostgreSQL each statement sees what was committed when it
        # began, so the keys' look-up sees every envelope the ids' look-up saw. The other order
        # let a copy of this batch committed in between show as "envelope id used by another
        # envelope" instead of a duplicate (tests/unit_tests/test_exchange_concurrency.py).
        named = {pre.envelope.envelope_id for _, pre in prechecked if pre.envelope is not None}
        named |= {pre.original for _, pre in prechecked if pre.original}
        by_id = _rows_by(conn, "envelope_id", "window_id, department, kind", named)
        by_key = _rows_by(conn, "idempotency_key", "envelope_id, received_at, window_id", {k for k, _ in prechecked if k})
        keys: dict[str, WindowKey] = {}

        def key_of(key_id: str, document: dict[str, Any]) -> WindowKey | None:
            found = keys.get(key_id) or key_registry.window_key(conn, key_id)
            if found is None and self.demo_windows:
                found = _demo_registration(conn, key_id, document, received_at)
            if found is not None:
                keys[key_id] = found
            return found

        results: list[dict[str, Any]] = []
        accepted: list[tuple[int, CheckedEnvelope]] = []  # (its place in results, the envelope) to insert
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
            accepted.append((len(results), checked))
            by_key[envelope.idempotency_key] = (envelope.envelope_id, received_at, window_id)
            by_id[envelope.envelope_id] = (window_id, envelope.department, envelope.kind)
            results.append(EnvelopeResult(envelope.idempotency_key, "created", envelope.envelope_id, received_at).to_json())
        if accepted:
            entries = self._insert(conn, window_id, [checked for _, checked in accepted], received_at, epoch, self._real)
            lost = {checked.envelope.idempotency_key: checked.envelope.envelope_id
                    for _, checked in accepted if checked.envelope.envelope_id not in entries}
            if lost:  # another transaction stored these keys or ids meanwhile: answered as it stands
                for place, result in enumerate(results):
                    if result["idempotency_key"] in lost and result["status"] in ("created", "duplicate"):
                        results[place] = _stored_meanwhile(conn, window_id, result["idempotency_key"], lost[result["idempotency_key"]])
            if entries:
                self.backend.lock_ledger(conn)
                ledger.append_all(conn, list(entries.values()), ledger.head(conn))
        return results

    @staticmethod
    def _insert(
        conn: Any, window_id: str, batch: list[CheckedEnvelope], received_at: str, epoch: float, real: frozenset[str],
    ) -> dict[str, ledger.Entry]:
        """Insert a batch's envelopes and their items, one statement each (one round trip each
        on PostgreSQL); envelope id → its ledger entry, to append at the batch's end, in the
        batch's order. An envelope missing from it was not written: its key or id was stored
        by another transaction meanwhile."""
        stored = conn.execute(
            "INSERT INTO envelopes (envelope_id, idempotency_key, kind, window_id, receipt_no, department, stage, "
            "payload, payload_sha256, signature, original_envelope_id, received_at, received_epoch, state) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new')"] * len(batch))
            + " ON CONFLICT DO NOTHING RETURNING *",
            [
                value
                for checked in batch
                for e in (checked.envelope,)
                for value in (
                    e.envelope_id, e.idempotency_key, e.kind, window_id, e.receipt_no, e.department, e.stage,
                    e.payload, e.payload_sha256, e.signature, checked.original_envelope_id, received_at, epoch,
                )
            ],
        )
        columns = [column[0] for column in stored.description]
        rows = {row[columns.index("envelope_id")]: row for row in stored.fetchall()}
        written = [checked for checked in batch if checked.envelope.envelope_id in rows]
        entries = {}
        for checked in written:
            items = [(item.id, position, item.name, item.result_name) for position, item in enumerate(checked.items)]
            entries[checked.envelope.envelope_id] = ledger.created(columns, rows[checked.envelope.envelope_id], items, real)
        conn.executemany(
            "INSERT INTO items (envelope_id, item, position, name, result_name, decision, filed) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (checked.envelope.envelope_id, item.id, position, item.name, item.result_name,
                 item.filed["decision"] if item.filed else None, _canonical(item.filed) if item.filed else None)
                for checked in written
                for position, item in enumerate(checked.items)
            ],
        )
        return entries

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
        # Listing the new ones claims them: on PostgreSQL two reviewers listing at once get
        # different envelopes (the rows one holds, the other skips), never the same one.
        sql += " ORDER BY id LIMIT ?" + (self.backend.dialect.claim if state == "new" else "")
        params.append(limit)
        with self._transaction() as conn:
            rows = conn.execute(sql, params).fetchall()
            entries = [self._inbox_entry(conn, row) for row in rows]
            at, _ = self._now()
            # Every row this takes first, the ledger's turn after: no transaction waits for a
            # row while it holds the ledger (no deadlock with a decision).
            marked = [(entry["envelope_id"], self._mark_received(conn, entry["envelope_id"]))
                      for entry in entries if entry["state"] == "new"]
            for envelope_id, window_id in marked:
                if window_id is not None:
                    self._insert_event(conn, window_id, envelope_id, "received", at)
        return entries

    @staticmethod
    def _inbox_entry(conn: Any, row: Sequence[Any]) -> dict[str, Any]:
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

    def _receive(self, conn: Any, envelope_id: str, at: str) -> bool:
        window_id = self._mark_received(conn, envelope_id)
        if window_id is None:
            return False
        self._insert_event(conn, window_id, envelope_id, "received", at)
        return True

    @staticmethod
    def _mark_received(conn: Any, envelope_id: str) -> str | None:
        """Move a ``new`` envelope on (``received``; ``decided`` for a filing, or a supplement
        whose original is decided); its window, or ``None`` when it was not new. The update
        says ``AND state = 'new'``: of two transactions receiving it at once, one does."""
        row = conn.execute(
            "SELECT window_id, state, original_envelope_id, kind FROM envelopes WHERE envelope_id = ?", [envelope_id]
        ).fetchone()
        if row is None or row[1] != "new":
            return None
        state = "decided" if row[3] == "filing" else "received"  # a filing asks for nothing
        if row[2] is not None:  # a supplement: done already if its original is
            original_state = conn.execute("SELECT state FROM envelopes WHERE envelope_id = ?", [row[2]]).fetchone()
            if original_state and original_state[0] == "decided":
                state = "decided"
        updated = conn.execute(
            "UPDATE envelopes SET state = ? WHERE envelope_id = ? AND state = 'new' RETURNING window_id", [state, envelope_id]
        ).fetchall()
        return updated[0][0] if updated else None

    def _insert_event(
        self, conn: Any, window_id: str, envelope_id: str, kind: str, at: str, *, item: str | None = None,
        result: str = "", reason: str = "", material: str = "", decided_by: str = "", signature: str = "",
    ) -> int:
        """Insert an event and its ledger entry; its ``seq``. The number is drawn in the
        transaction's turn at the ledger (held to the commit), so numbers commit in order."""
        self.backend.lock_ledger(conn)
        seq = conn.execute(
            "INSERT INTO events (window_id, envelope_id, kind, item, result, reason, material, decided_by, at, signature) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
            [window_id, envelope_id, kind, item, result, reason, material, decided_by, at, signature],
        ).fetchall()[0][0]
        ledger.record_event(conn, seq)
        return seq

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
        texts = {"envelope_id": envelope_id, "item": item, "result": result, "reason": reason, "material": material,
                 "decided_by": decided_by}
        held = [name for name, text in texts.items() if NUL in text]
        if held:  # PostgreSQL cannot store it; the rule is the same on SQLite
            raise ExchangeError(400, Words(
                "{f} 含有 NUL 字符（U+0000），无法保存", "{f} holds the NUL character (U+0000), which cannot be stored",
            ).format(f=", ".join(held)))
        at, _ = self._now()
        with self._transaction() as conn:
            row = conn.execute(  # locked: decisions on one envelope take turns
                "SELECT window_id, kind, original_envelope_id, state FROM envelopes "
                "WHERE envelope_id = ? AND department = ?" + self.backend.dialect.for_update,
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
            seq = self._insert_event(
                conn, window_id, envelope_id, decision, at, item=item, result=result, reason=reason, material=material,
                decided_by=decided_by, signature=signature,
            )
            conn.execute(
                "UPDATE items SET decision = ?, event_seq = ? WHERE envelope_id = ? AND item = ?",
                [decision, seq, envelope_id, item],
            )
            _refresh_state(conn, envelope_id)
            return _event(conn, seq), True

    def _acknowledge(
        self, conn: Any, envelope_id: str, kind: str, decision: str, decided_by: str, signature: str,
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
        seq = self._insert_event(conn, window_id, envelope_id, ACKNOWLEDGED, at, decided_by=decided_by, signature=signature)
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
            row = conn.execute(
                f"SELECT {_HEAD_COLUMNS} FROM audit_heads WHERE window_id = ?" + self.backend.dialect.for_update, [window_id]
            ).fetchone()
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
        conn: Any, window_id: str, head: AuditHead, reason: str, held: dict[str, Any] | None, at: str
    ) -> None:
        conn.execute(
            "INSERT INTO audit_head_refusals (window_id, seq, hash, reason, at, signature, held_seq, held_hash, "
            "first_received_at, last_received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (window_id, seq, hash, reason) DO UPDATE SET count = audit_head_refusals.count + 1, "
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


def _stored_meanwhile(conn: Any, window_id: str, key: str, envelope_id: str) -> dict[str, Any]:
    """The answer for an envelope whose insert did nothing: another transaction stored its
    idempotency key (a duplicate, or another window's key) or its envelope id meanwhile."""
    found = _rows_by(conn, "idempotency_key", "envelope_id, received_at, window_id", {key}).get(key)
    if found is not None and found[2] == window_id:
        return EnvelopeResult(key, "duplicate", envelope_id=found[0], received_at=found[1]).to_json()
    if found is not None:
        return EnvelopeResult.rejected(key, Words("该幂等键已被另一个窗口使用", "idempotency_key is already used by another window")).to_json()
    return EnvelopeResult.rejected(key, Words(
        f"信封编号“{envelope_id}”已被另一个信封使用", f"envelope_id '{envelope_id}' is already used by another envelope",
    )).to_json()

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


def _rows_by(conn: Any, column: str, columns: str, values: set[str]) -> dict[str, tuple[Any, ...]]:
    """``value → (columns…)`` of the envelopes whose ``column`` is one of ``values`` (one query)."""
    found: dict[str, tuple[Any, ...]] = {}
    ordered = sorted(value for value in values if NUL not in value)  # none stored: PostgreSQL cannot hold one
    for start in range(0, len(ordered), _IN_CHUNK):
        chunk = ordered[start : start + _IN_CHUNK]
        rows = conn.execute(
            f"SELECT {column}, {columns} FROM envelopes WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk
        ).fetchall()
        found.update((row[0], tuple(row[1:])) for row in rows)
    return found


_IN_CHUNK = 500  # well under SQLite's limit of bound parameters


def _window_key_text(conn: Any, signature: str) -> str:
    """The registered public key that signed an envelope (the department verifies with it)."""
    key_id = json.loads(signature).get("key_id", "")
    found = key_registry.window_key(conn, key_id)
    return found.public_key if found else ""


def _demo_registration(conn: Any, key_id: str, document: dict[str, Any], at: str) -> WindowKey | None:
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


def _event(conn: Any, seq: int) -> dict[str, Any]:
    return _event_from_row(conn.execute(f"{_EVENT_SELECT} WHERE e.seq = ?", [seq]).fetchone())


def _event_from_row(row: Sequence[Any]) -> dict[str, Any]:
    seq, kind, envelope_id, key, receipt_no, department, item, result, reason, material, decided_by, at, signature = row
    return Event(
        seq, kind, envelope_id, key, receipt_no, department, item, at,
        result=result, reason=reason, material=material, decided_by=decided_by, signature=signature,
    ).to_json()


def _items_of(conn: Any, envelope_id: str) -> list[dict[str, Any]]:
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


def _refresh_state(conn: Any, envelope_id: str) -> None:
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

