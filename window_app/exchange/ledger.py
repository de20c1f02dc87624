"""The exchange's ledger: a hash chain over what it stored and decided, and signed checkpoints
of its head kept outside the database.

**Entries.** One per envelope stored (kind ``created``, written by ingest) and one per event
(``received``, ``approved``, ``rejected``, ``supplement_needed``), appended in the same
transaction as the row it records. An entry holds its position ``seq`` (1, 2, 3 … with no gap),
``at`` (UTC: the recorded row's own time), ``kind``, what it concerns (``envelope_id``,
``receipt_no``; for an event ``event_seq`` and ``item``), ``digest`` — SHA-256 over the recorded
row as stored (see :func:`row_digest`) — ``prev_hash`` (the previous entry's hash; 64 zeros
before the first) and ``hash = sha256(prev_hash + canonical JSON of the other fields)``.

**What the chain shows on its own:** a recorded row edited (its digest no longer matches) or
deleted, an entry edited, deleted or moved (a link breaks, a position is missing), a row with no
entry. **What it cannot show on its own:** entries cut off the end, or a history rewritten with
every hash computed again — whoever can write the file can do both. Hence checkpoints.

**Checkpoints.** Every N entries, and when it stops, the exchange signs its chain head with its
own Ed25519 key and appends the signed checkpoint as one JSON line to a log file
*outside* the database (:class:`CheckpointLog`). A checkpoint also lists the first 16 hex digits
of every entry's hash since the previous checkpoint, so a verifier names the first entry that was
rewritten, not only that something was. Checkpoints are written after the transaction commits:
a crash can lose one (the next covers its entries) but a checkpoint never names an entry the
database does not hold.

:func:`verify` walks all of it (``window-app exchange audit verify``); ``docs/exchange-audit.md``
says what an auditor can rely on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from window_app.domain.errors import WindowAppError
from window_app.domain.wire import canonical_json
from window_app.domain.words import Words, counted

# window_app.trust (cryptography) is imported where a checkpoint is signed or verified: the CLI
# registry imports the store, hence this module, for every window-app command.
if TYPE_CHECKING:
    from window_app.trust.keys import PublicSigningKey, SigningKey
    from window_app.trust.signing import Signature

GENESIS_HASH = "0" * 64
CHECKPOINT_TYPE = "window-app exchange ledger checkpoint"
CHECKPOINT_FORMAT = 1
DEFAULT_CHECKPOINT_EVERY = 100
MAX_CHECKPOINT_EVERY = 10_000
"""Also the most hashes one checkpoint lists (a new log on a long chain starts this far back)."""
HASH_PREFIX = 16
SYNC_SECONDS = 1.0
"""A checkpoint line is fsynced if the last fsync of the log is this old (and always at close)."""
DEMO_KEY_NAME = "exchange"
"""``demo_signing_key(DEMO_KEY_NAME)`` signs the checkpoints of a ``--demo`` exchange."""

CHANGING_COLUMNS = {"envelopes": frozenset({"state"})}
"""Columns a recorded row may change without a ledger entry of its own (derived state)."""

_ENTRY_SELECT = "SELECT seq, at, kind, envelope_id, receipt_no, event_seq, item, digest, prev_hash, hash FROM ledger"
_HEAD_SELECT = "SELECT seq, hash FROM ledger WHERE seq = (SELECT max(seq) FROM ledger)"  # max(): one lookup
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX_PREFIX = re.compile(rf"[0-9a-f]{{{HASH_PREFIX}}}")
_MAX_SHOWN = 20
_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode

log = logging.getLogger("window_app.exchange")

Clock = Callable[[], dt.datetime]
Connection = Any
"""A ``sqlite3`` connection, or the PostgreSQL backend's (:mod:`window_app.exchange.backends`)."""


class LedgerError(WindowAppError):
    """The checkpoint log cannot be used, or contradicts the database it protects."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_text(moment: dt.datetime | str) -> str:
    """``moment`` in UTC as ISO 8601 with ``Z`` (a naive time is taken as UTC)."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@functools.lru_cache(maxsize=64)
def _utc(at: str) -> str:
    """:func:`utc_text` of a stored time (a batch's envelopes share theirs)."""
    return utc_text(at)


def default_checkpoints_path(db_path: str | Path) -> Path:
    """Where the checkpoint log of ``db_path`` goes unless told: beside it, not in it."""
    return Path(f"{db_path}-checkpoints.jsonl")


# -- entries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One link of the chain (a ``ledger`` row)."""

    seq: int
    at: str
    kind: str
    envelope_id: str
    receipt_no: str
    event_seq: int | None
    item: str | None
    digest: str
    prev_hash: str = ""
    hash: str = ""

    def content(self) -> dict[str, Any]:
        """What the hash covers besides ``prev_hash``."""
        return {
            "seq": self.seq, "at": self.at, "kind": self.kind, "envelope_id": self.envelope_id,
            "receipt_no": self.receipt_no, "event_seq": self.event_seq, "item": self.item, "digest": self.digest,
        }


def entry_hash(prev_hash: str, entry: Entry) -> str:
    """``sha256(prev_hash + canonical JSON of the entry's content)``, hex."""
    return hashlib.sha256(str(prev_hash).encode("utf-8") + _canonical(entry.content())).hexdigest()


def row_digest(table: str, columns: Sequence[str], values: Sequence[Any], items: Iterable[Sequence[Any]] | None = None) -> str:
    """SHA-256 (hex) of one stored row, generically: every column by name, the payload text as
    stored, nothing parsed.

    The bytes hashed: the table's name, then for each column in name order
    ``<name>=<type><length>:<value>;`` — type ``i`` integer (decimal), ``r`` real (shortest
    repr), ``t`` text (UTF-8), ``b`` blob, ``n`` NULL; length in bytes — then, for an envelope,
    ``item:`` and its id, position, name and result the same way (named ``0`` … ``3``). Every
    value is length-prefixed, so two rows never give the same bytes; it is several times
    cheaper than JSON, whose escaping of the payload text would cost more than the rest of the
    entry.

    Left out: the columns of :data:`CHANGING_COLUMNS`, and values that are NULL or ``''`` — so a
    column added later with ``DEFAULT NULL`` or ``DEFAULT ''`` leaves the digests of older rows as
    they were.
    """
    digest = hashlib.sha256(table.encode("utf-8"))
    skip = CHANGING_COLUMNS.get(table, frozenset())
    for name, value in sorted(zip(columns, values, strict=True), key=_first):
        if name not in skip and value is not None and value != "":
            _field(digest, name, value)
    for item in items or ():
        digest.update(b"item:")
        for position, value in enumerate(item):
            _field(digest, str(position), value)
    return digest.hexdigest()


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


def _field(digest: Any, name: str, value: Any) -> None:
    if isinstance(value, str):
        kind, data = b"t", value.encode("utf-8")
    elif isinstance(value, bytes):
        kind, data = b"b", value
    elif isinstance(value, int):
        kind, data = b"i", str(value).encode("ascii")
    elif isinstance(value, float):
        kind, data = b"r", repr(value).encode("ascii")
    else:
        kind, data = b"n", b""
    digest.update(b"%s=%s%d:" % (name.encode("utf-8"), kind, len(data)))
    digest.update(data)
    digest.update(b";")


def _canonical(value: dict[str, Any]) -> bytes:
    """Canonical JSON (as :func:`~window_app.domain.wire.canonical_json`, with one encoder built
    once); a BLOB a tamperer put in the ledger as ``{"blob": hex}``."""
    try:
        return _ENCODE(value).encode("utf-8")
    except TypeError:
        return _ENCODE({key: {"blob": item.hex()} if isinstance(item, bytes) else item for key, item in value.items()}).encode("utf-8")


def envelope_record(conn: Connection, envelope_id: str) -> tuple[str, dict[str, Any]] | None:
    """(digest, the row by column) of a stored envelope, or ``None`` when there is no such row."""
    cursor = conn.execute("SELECT * FROM envelopes WHERE envelope_id = ?", [envelope_id])
    row = cursor.fetchone()
    if row is None:
        return None
    columns = [column[0] for column in cursor.description]
    items = conn.execute(
        "SELECT item, position, name, result_name FROM items WHERE envelope_id = ? ORDER BY position, item", [envelope_id]
    ).fetchall()
    return row_digest("envelopes", columns, row, items), dict(zip(columns, row, strict=True))


def event_record(conn: Connection, seq: int) -> tuple[str, dict[str, Any]] | None:
    """(digest, the row by column) of a stored event, or ``None``."""
    cursor = conn.execute("SELECT * FROM events WHERE seq = ?", [seq])
    row = cursor.fetchone()
    if row is None:
        return None
    columns = [column[0] for column in cursor.description]
    return row_digest("events", columns, row), dict(zip(columns, row, strict=True))


def record_envelope(conn: Connection, envelope_id: str) -> Entry:
    """Append the ``created`` entry of an envelope just inserted (with its items), in the
    caller's transaction."""
    found = envelope_record(conn, envelope_id)
    if found is None:
        raise LookupError(f"no envelope {envelope_id!r} to record")
    digest, row = found
    return _append(conn, "created", envelope_id, row["receipt_no"], None, None, digest, _utc(row["received_at"]))


def record_event(conn: Connection, seq: int) -> Entry:
    """Append the entry of an event just inserted, in the caller's transaction."""
    found = event_record(conn, seq)
    if found is None:
        raise LookupError(f"no event #{seq} to record")
    digest, row = found
    receipt = conn.execute("SELECT receipt_no FROM envelopes WHERE envelope_id = ?", [row["envelope_id"]]).fetchone()
    return _append(
        conn, row["kind"], row["envelope_id"], receipt[0] if receipt else "", seq, row["item"], digest, _utc(row["at"])
    )


def created(columns: Sequence[str], row: Sequence[Any], items: Iterable[Sequence[Any]], real: frozenset[str]) -> Entry:
    """The ``created`` entry of an envelope from the row its ``INSERT … RETURNING *`` gave back
    (``columns``, ``row``) and its items (id, position, name, result, by position): what
    :func:`record_envelope` appends, without reading the rows back, and without taking the
    ledger's turn yet (a batch appends all its entries at its end): an entry not yet placed
    (``seq`` 0, no links). ``real``: the columns a read gives back as floats (the backend's
    ``real_columns``)."""
    # SQLite's RETURNING gives a whole REAL back as an int (it stores it so); a read gives a float.
    row = [float(value) if type(value) is int and name in real else value for name, value in zip(columns, row, strict=True)]
    fields = dict(zip(columns, row, strict=True))
    digest = row_digest("envelopes", columns, row, items)
    return Entry(0, _utc(fields["received_at"]), "created", fields["envelope_id"], fields["receipt_no"], None, None, digest)


def append_all(conn: Any, pending: Sequence[Entry], after: tuple[int, str]) -> tuple[int, str]:
    """Append the entries ``pending`` (not yet placed: :func:`created`) after the entry ``after``
    (:func:`head`, read in this transaction's turn at the ledger), in one statement (one round
    trip on PostgreSQL); the new head."""
    rows = []
    for entry in pending:
        fields = (after[0] + 1, entry.at, entry.kind, entry.envelope_id, entry.receipt_no, entry.event_seq, entry.item,
                  entry.digest)
        digest_of_entry = entry_hash(after[1], Entry(*fields))
        rows.append((*fields, after[1], digest_of_entry))
        after = (fields[0], digest_of_entry)
    conn.executemany(_INSERT_ENTRY, rows)
    return after


def _append(
    conn: Connection, kind: str, envelope_id: str, receipt_no: str, event_seq: int | None, item: str | None,
    digest: str, at: str, after: tuple[int, str] | None = None,
) -> Entry:
    if after is None:
        after = head(conn)
    seq, prev_hash = after[0] + 1, after[1]
    fields = (seq, at, kind, envelope_id, receipt_no, event_seq, item, digest)
    digest_of_entry = entry_hash(prev_hash, Entry(*fields))
    conn.execute(_INSERT_ENTRY, [*fields, prev_hash, digest_of_entry])
    return Entry(*fields, prev_hash, digest_of_entry)


_INSERT_ENTRY = (
    "INSERT INTO ledger (seq, at, kind, envelope_id, receipt_no, event_seq, item, digest, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def backfill(conn: Connection) -> None:
    """Record the rows a database held before it had a ledger (the migration that adds it):
    envelopes in the order stored, then events in theirs. Their checkpoints begin with the
    first one the upgraded exchange signs."""
    for (envelope_id,) in conn.execute("SELECT envelope_id FROM envelopes ORDER BY id").fetchall():
        record_envelope(conn, envelope_id)
    for (seq,) in conn.execute("SELECT seq FROM events ORDER BY seq").fetchall():
        record_event(conn, seq)


def head(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the last entry; (0, the genesis hash) for an empty chain."""
    row = conn.execute(_HEAD_SELECT).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


# -- checkpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """The exchange's signed word that its chain held entry ``seq`` with ``hash`` at ``at``.

    Attributes:
        first: The first entry ``hashes`` covers (the one after the previous checkpoint).
        hashes: The first :data:`HASH_PREFIX` hex digits of the hashes of entries
            ``first`` … ``seq``, in order: where a rewritten history begins.
    """

    seq: int
    hash: str
    at: str
    first: int
    hashes: tuple[str, ...]
    signature: Signature | None = None

    def body(self) -> dict[str, Any]:
        """The signed part."""
        return {
            "type": CHECKPOINT_TYPE, "format": CHECKPOINT_FORMAT, "seq": self.seq, "hash": self.hash, "at": self.at,
            "first": self.first, "hashes": list(self.hashes),
        }

    def signed_bytes(self) -> bytes:
        return canonical_json(self.body())

    def to_json(self) -> dict[str, Any]:
        signature = self.signature.to_json() if self.signature is not None else None
        return {**self.body(), "signature": signature}

    @classmethod
    def from_json(cls, obj: object) -> Checkpoint | Words:
        """A checkpoint as written in the log, or why it is not one."""
        if not isinstance(obj, dict) or obj.get("type") != CHECKPOINT_TYPE:
            return Words("不是账本检查点", "not a ledger checkpoint")
        if obj.get("format") != CHECKPOINT_FORMAT:
            return Words("检查点格式 {f} 不受支持", "checkpoint format {f} is not supported").format(f=obj.get("format"))
        seq, first, digest, at, hashes = (obj.get(name) for name in ("seq", "first", "hash", "at", "hashes"))
        if not (_is_int(seq) and _is_int(first) and 1 <= first <= seq and isinstance(digest, str) and _HEX64.fullmatch(digest)
                and isinstance(at, str) and isinstance(hashes, list) and len(hashes) == seq - first + 1
                and all(isinstance(h, str) and _HEX_PREFIX.fullmatch(h) for h in hashes)):
            return Words("检查点的字段不完整或有误", "the checkpoint's fields are missing or malformed")
        from window_app.trust.signing import Signature

        signature = Signature.from_json(obj.get("signature"))
        if isinstance(signature, Words):
            return signature
        return cls(seq, digest, at, first, tuple(hashes), signature)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def make_checkpoint(conn: Connection, key: SigningKey, since: int, at: str) -> Checkpoint | None:
    """The signed checkpoint of the chain head, listing the entries after ``since``; ``None``
    when there is nothing after ``since``."""
    from window_app.trust.signing import sign

    last, _ = head(conn)
    if last <= since:
        return None
    since = max(since, last - MAX_CHECKPOINT_EVERY)
    rows = conn.execute("SELECT seq, hash FROM ledger WHERE seq > ? ORDER BY seq", [since]).fetchall()
    checkpoint = Checkpoint(rows[-1][0], rows[-1][1], at, rows[0][0], tuple(h[:HASH_PREFIX] for _, h in rows))
    return dataclasses.replace(checkpoint, signature=sign(key, checkpoint.signed_bytes()))


class CheckpointLog:
    """The file the exchange appends its signed checkpoints to: JSON lines, fsynced at close and
    at most once a second otherwise.

    Opening it repairs a last line cut short by a crash (drops it) and reads the last checkpoint;
    :meth:`check` then makes sure the database still holds what that checkpoint signed. The store
    calls :meth:`after_commit` after each write transaction and :meth:`close` when it closes.
    """

    def __init__(self, path: str | Path, key: SigningKey, *, every: int = DEFAULT_CHECKPOINT_EVERY, clock: Clock = utc_now):
        if not 1 <= every <= MAX_CHECKPOINT_EVERY:
            raise ValueError(f"every must be between 1 and {MAX_CHECKPOINT_EVERY}, not {every}")
        self.path = Path(path)
        self.key = key
        self.every = every
        self.clock = clock
        self.last: Checkpoint | None = None
        self._failing = False
        self._synced_at = float("-inf")
        try:
            self.last = _last_checkpoint(self.path)
            _append_line(self.path, "")  # a log that cannot be written fails now, not silently later
        except OSError as exc:
            raise LedgerError(
                Words("无法使用检查点日志 {p}：{e}", "cannot use the checkpoint log {p}: {e}").format(p=self.path, e=exc.strerror or exc)
            ) from exc

    @property
    def signed_up_to(self) -> int:
        return self.last.seq if self.last is not None else 0

    def check(self, conn: Connection) -> None:
        """Raise :class:`LedgerError` if the chain no longer holds the last signed entry as signed."""
        if self.last is None:
            return
        row = conn.execute("SELECT hash FROM ledger WHERE seq = ?", [self.last.seq]).fetchone()
        if row is not None and row[0] == self.last.hash:
            return
        last, _ = head(conn)
        what = (
            Words("数据库只有 {n} 条记录", "the database holds only {entries}").format(n=last, entries=counted(last, "entry"))
            if row is None
            else Words("数据库中的该条记录已不同", "the database holds a different entry there")
        )
        raise LedgerError(
            Words(
                "检查点日志 {p} 已签署至第 {k} 条账本记录，但{what}：数据库被截短、改写或换成了旧的副本。"
                "请运行 window-app exchange audit verify；如确是有意恢复的备份，请将检查点日志移开后再启动",
                "the checkpoint log {p} signs ledger entry {k}, but {what}: the database was cut short, rewritten or "
                "replaced by an older copy. Run window-app exchange audit verify; if a backup was restored on purpose, "
                "move the checkpoint log aside and start again",
            ).format(p=self.path, k=self.last.seq, what=what)
        )

    def after_commit(self, conn: Connection) -> None:
        """Write a checkpoint if ``every`` entries have been appended since the last one."""
        last, _ = head(conn)
        if last - self.signed_up_to >= self.every:
            self.write(conn)

    def close(self, conn: Connection) -> None:
        """The last checkpoint, at shutdown: nothing stays unsigned after a clean stop."""
        self.write(conn, sync=True)

    def write(self, conn: Connection, *, sync: bool = False) -> Checkpoint | None:
        """Sign the head and append it (if it moved). A failure to write is logged, not raised:
        the data is committed already, and the next checkpoint covers these entries too.

        The line is fsynced when ``sync`` or when the last fsync is a second old: a checkpoint
        lost with the OS's buffers only leaves its entries unsigned until the next one (it is
        written after the database's commit, so it never runs ahead of it), and under load this
        keeps the log's fsyncs to one a second.
        """
        try:
            checkpoint = make_checkpoint(conn, self.key, self.signed_up_to, utc_text(self.clock()))
            if checkpoint is None:
                return None
            sync = sync or time.monotonic() - self._synced_at >= SYNC_SECONDS
            line = json.dumps(checkpoint.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n"
            _append_line(self.path, line, sync=sync)
            if sync:
                self._synced_at = time.monotonic()
        except Exception as exc:  # noqa: BLE001 - a file or a database error: the data is committed already
            if not self._failing:
                log.error("cannot write a ledger checkpoint to %s: %s", self.path, exc)
            self._failing = True
            return None
        self._failing = False
        self.last = checkpoint
        return checkpoint


def checkpoint_log(
    db_path: str | Path, key: SigningKey | None, path: str | Path | None = None, every: int | None = None, *, demo: bool = False
) -> CheckpointLog | None:
    """The checkpoint log an exchange on ``db_path`` writes: signed with ``key`` (a demo exchange:
    the demo key), at ``path`` (default: beside the database); ``None`` without a key.

    Raises:
        LedgerError: The log cannot be read, or its last line is not a checkpoint.
    """
    if key is None and demo:
        from window_app.trust.demo import demo_signing_key

        key = demo_signing_key(DEMO_KEY_NAME)
    if key is None:
        return None
    if path is None and "://" in str(db_path):  # PostgreSQL: no file to put it beside
        raise LedgerError(Words(
            "交换平台使用 PostgreSQL 时，请用 --checkpoints FILE 指明签名检查点日志的位置（最好在另一块盘或另一台机器上）",
            "with the exchange on PostgreSQL, name the signed checkpoint log with --checkpoints FILE (better on another "
            "disk or host)",
        ))
    return CheckpointLog(path or default_checkpoints_path(db_path), key, every=every or DEFAULT_CHECKPOINT_EVERY)


def _append_line(path: Path, line: str, *, sync: bool = True) -> None:
    created = not path.exists()
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if line:
            os.write(descriptor, line.encode("utf-8"))
        if line and sync:
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if created and os.name == "posix":  # the new name survives a power cut too
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _last_checkpoint(path: Path) -> Checkpoint | None:
    """The last checkpoint of the log (after dropping a torn last line), ``None`` if it has none.

    Raises:
        LedgerError: The last complete line is not a checkpoint.
    """
    if not path.exists():
        return None
    with open(path, "rb+") as handle:
        size = handle.seek(0, os.SEEK_END)
        tail, start = b"", size
        while start > 0:
            step = min(65536, start)
            start -= step
            handle.seek(start)
            tail = handle.read(step) + tail
            if tail.count(b"\n") >= 2 or (start == 0 and tail):
                break
        if tail and not tail.endswith(b"\n"):  # a write cut short by a crash: drop it
            cut = tail.rfind(b"\n") + 1
            handle.truncate(start + cut)
            os.fsync(handle.fileno())
            tail = tail[:cut]
    lines = tail.splitlines()
    if not lines:
        return None
    try:
        parsed = Checkpoint.from_json(json.loads(lines[-1]))
    except ValueError:
        parsed = Words("不是 JSON", "not JSON")
    if isinstance(parsed, Words):
        raise LedgerError(
            Words("检查点日志 {p} 的最后一行不是检查点（{w}）：日志已损坏，请运行 window-app exchange audit verify",
                  "the last line of the checkpoint log {p} is not a checkpoint ({w}): the log is damaged; run "
                  "window-app exchange audit verify").format(p=path, w=parsed)
        )
    return parsed


def read_checkpoints(path: Path) -> tuple[list[tuple[int, Checkpoint | Words]], bool]:
    """Every line of a checkpoint log: (line number, the checkpoint or why it is not one), and
    whether the last line was cut short (a crash while writing it; not counted).

    Raises:
        OSError: The file cannot be read.
    """
    data = path.read_bytes()
    lines = data.split(b"\n")
    torn = lines[-1] != b""
    found: list[tuple[int, Checkpoint | Words]] = []
    for number, line in enumerate(lines[:-1], start=1):
        try:
            found.append((number, Checkpoint.from_json(json.loads(line))))
        except (ValueError, UnicodeDecodeError):
            found.append((number, Words("不是 JSON", "not JSON")))
    return found, torn


# -- verifying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One sign of tampering: where in the chain (an entry's seq; ``None`` outside it) and what."""

    position: int | None
    words: Words


@dataclass
class Report:
    """What :func:`verify` found.

    Attributes:
        entries: How many entries the chain holds.
        last_entry: The seq of its last entry.
        checkpoints: How many signed checkpoints verified (signature and chain).
        signed_up_to: The last entry a verified checkpoint covers.
        problems: Every sign of tampering, the first position first.
        notes: What the report should say but is no tampering.
    """

    entries: int = 0
    last_entry: int = 0
    checkpoints: int = 0
    signed_up_to: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Words] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def first_bad(self) -> int | None:
        positions = [p.position for p in self.problems if p.position is not None]
        return min(positions) if positions else None

    def lines(self, checked_checkpoints: bool = True) -> list[Words]:
        """The report in words: a headline, then one line per problem (at most 20) or note."""
        if self.problems:
            first = self.first_bad
            headline = (
                Words("交换平台账本被篡改：{n} 处问题，第一处在第 {p} 条记录。",
                      "The exchange's ledger has been tampered with: {problems}, the first at entry {p}.")
                if first is not None
                else Words("交换平台账本被篡改：{n} 处问题（在链外）。", "The exchange's ledger has been tampered with: {problems} (outside the chain).")
            ).format(n=len(self.problems), p=first, problems=counted(len(self.problems), "problem"))
            shown = [Words("  ") + p.words for p in self.problems[:_MAX_SHOWN]]
            if len(self.problems) > _MAX_SHOWN:
                shown.append(Words("  ……另有 {n} 处", "  … and {n} more").format(n=len(self.problems) - _MAX_SHOWN))
            return [headline, *shown, *(Words("  ") + note for note in self.notes)]
        headline = Words("交换平台账本完好：{n} 条记录", "The exchange's ledger is intact: {entries}").format(
            n=self.entries, entries=counted(self.entries, "entry")
        )
        if not checked_checkpoints:
            headline += Words(
                "；未核对检查点（--chain-only），末尾被截去或整体改写的历史不会被发现。",
                "; checkpoints not checked (--chain-only), so a cut-off tail or a rewritten history would not show.",
            )
        else:
            headline += Words("，核对了 {c} 个签名检查点（签署至第 {k} 条）", ", {checkpoints} checked (covering entries up to {k})").format(
                c=self.checkpoints, k=self.signed_up_to, checkpoints=counted(self.checkpoints, "signed checkpoint")
            )
            if self.last_entry > self.signed_up_to:
                headline += Words("；第 {a} 至 {b} 条尚未签署", "; entries {a} to {b} are not signed yet").format(
                    a=self.signed_up_to + 1, b=self.last_entry
                )
            headline += Words("。", ".")
        return [headline, *(Words("  ") + note for note in self.notes)]


def verify(
    conn: Connection,
    checkpoints: Sequence[tuple[int, Checkpoint | Words]] | None,
    keys: Sequence[PublicSigningKey],
) -> Report:
    """Check the chain, every recorded row, every row's entry and (unless ``checkpoints`` is
    ``None``) every checkpoint against ``keys`` (the exchange's public keys, old ones included)."""
    report = Report()
    _walk(conn, report)
    _unrecorded(conn, report)
    if checkpoints is not None:
        _check_checkpoints(conn, checkpoints, keys, report)
    report.problems.sort(key=lambda p: (p.position is None, p.position or 0))
    return report


def _walk(conn: Connection, report: Report) -> None:
    expected, prev = 1, GENESIS_HASH
    for row in conn.execute(f"{_ENTRY_SELECT} ORDER BY seq"):
        entry = Entry(*row)
        report.entries += 1
        report.last_entry = entry.seq
        problem = None
        if entry.seq != expected:
            problem = (
                Words("第 {a} 条记录缺失（被删除）", "entry {a} is missing (deleted)")
                if entry.seq == expected + 1
                else Words("第 {a} 至 {b} 条记录缺失（被删除）", "entries {a} to {b} are missing (deleted)")
            ).format(a=expected, b=entry.seq - 1)
            report.problems.append(Problem(expected, problem))
        elif entry.prev_hash != prev:
            problem = Words(
                "第 {n} 条记录与前一条接不上：它之前的记录被删除、挪动或改动，或它本身被挪动",
                "entry {n} does not link to the entry before it: an entry before it was deleted, moved or altered, "
                "or it was moved itself",
            ).format(n=entry.seq)
        elif entry_hash(entry.prev_hash, entry) != entry.hash:
            problem = Words("第 {n} 条记录被改动：其哈希与内容不符", "entry {n} was altered: its hash does not match its content").format(n=entry.seq)
        if problem is not None and entry.seq == expected:
            report.problems.append(Problem(entry.seq, problem))
        row_problem = _row_problem(conn, entry)
        if row_problem is not None:
            report.problems.append(Problem(entry.seq, row_problem))
        expected, prev = entry.seq + 1, entry.hash
    for kind, column in (("created", "envelope_id"), (None, "event_seq")):
        where = "kind = 'created'" if kind else "event_seq IS NOT NULL"
        repeated: dict[Any, list[int]] = {}
        for value, seq in conn.execute(
            f"SELECT {column}, seq FROM ledger WHERE {where} AND {column} IN "
            f"(SELECT {column} FROM ledger WHERE {where} GROUP BY {column} HAVING count(*) > 1) ORDER BY seq"
        ):
            repeated.setdefault(value, []).append(seq)
        for value, positions in repeated.items():
            what = _envelope_words(value, "") if kind else Words("事件 #{s}", "event #{s}").format(s=value)
            report.problems.append(Problem(positions[1], Words(
                "{what}在账本中记录了不止一次（第 {list} 条）", "{what} is recorded more than once (entries {list})"
            ).format(what=what, list=", ".join(map(str, positions)))))


def _row_problem(conn: Connection, entry: Entry) -> Words | None:
    if entry.kind == "created":
        found = envelope_record(conn, entry.envelope_id)
        digest = found[0] if found else None
        what = _envelope_words(entry.envelope_id, entry.receipt_no)
    else:
        event = event_record(conn, entry.event_seq) if _is_int(entry.event_seq) else None
        digest = event[0] if event else None
        what = _event_words(entry)
    if digest is None:
        return Words("第 {n} 条记录所记的{what}已不在数据库中（被删除）", "entry {n} records {what}, which is no longer in the database (deleted)").format(
            n=entry.seq, what=what
        )
    if digest != entry.digest:
        return Words("第 {n} 条记录所记的{what}在记录之后被改动", "entry {n} records {what}, which was changed after it was recorded").format(
            n=entry.seq, what=what
        )
    return None


def _envelope_words(envelope_id: object, receipt_no: object) -> Words:
    if receipt_no:
        return Words("信封 {e}（受理编号 {r}）", "envelope {e} (receipt {r})").format(e=envelope_id, r=receipt_no)
    return Words("信封 {e}", "envelope {e}").format(e=envelope_id)


def _event_words(entry: Entry) -> Words:
    return Words("事件 #{s}（{k}，信封 {e}，受理编号 {r}）", "event #{s} ({k}, envelope {e}, receipt {r})").format(
        s=entry.event_seq, k=entry.kind, e=entry.envelope_id, r=entry.receipt_no
    )


def _unrecorded(conn: Connection, report: Report) -> None:
    """Rows with no entry: written around the exchange, or their entry erased."""
    unrecorded = Words("{what}在数据库中，却不在账本中：它绕过交换平台写入，或其记录被抹去",
                       "{what} is in the database but not in the ledger: written around the exchange, or its entry was erased")
    for envelope_id, receipt_no in conn.execute(
        "SELECT envelope_id, receipt_no FROM envelopes e WHERE NOT EXISTS "
        "(SELECT 1 FROM ledger l WHERE l.kind = 'created' AND l.envelope_id = e.envelope_id) ORDER BY id"
    ):
        report.problems.append(Problem(None, unrecorded.format(what=_envelope_words(envelope_id, receipt_no))))
    for seq, kind, envelope_id in conn.execute(
        "SELECT seq, kind, envelope_id FROM events WHERE seq NOT IN "
        "(SELECT event_seq FROM ledger WHERE event_seq IS NOT NULL) ORDER BY seq"
    ):
        what = Words("事件 #{s}（{k}，信封 {e}）", "event #{s} ({k}, envelope {e})").format(s=seq, k=kind, e=envelope_id)
        report.problems.append(Problem(None, unrecorded.format(what=what)))


def _check_checkpoints(
    conn: Connection, checkpoints: Sequence[tuple[int, Checkpoint | Words]], keys: Sequence[PublicSigningKey], report: Report
) -> None:
    from window_app.trust.signing import verify as verify_signature

    by_id = {key.key_id: key for key in keys}
    cut_off: Checkpoint | None = None  # the furthest checkpoint beyond the chain's end
    rewritten: tuple[int, Checkpoint] | None = None  # the first entry that differs from a signed one
    for line, checkpoint in checkpoints:
        if isinstance(checkpoint, Words):
            report.problems.append(Problem(None, Words("检查点日志第 {l} 行不是检查点：{w}", "line {l} of the checkpoint log is not a checkpoint: {w}").format(
                l=line, w=checkpoint)))
            continue
        assert checkpoint.signature is not None
        key = by_id.get(checkpoint.signature.key_id)
        why = (
            verify_signature(key, checkpoint.signed_bytes(), checkpoint.signature)
            if key is not None
            else Words("签名所用密钥 {k} 不是给定的交换平台公钥", "it is signed with key {k}, not with a public key given for the exchange").format(
                k=checkpoint.signature.key_id)
        )
        if why is not None:
            report.problems.append(Problem(None, Words(
                "检查点日志第 {l} 行（第 {k} 条的检查点）不可信：{w}", "line {l} of the checkpoint log (the checkpoint of entry {k}) cannot be trusted: {w}"
            ).format(l=line, k=checkpoint.seq, w=why)))
            continue
        report.checkpoints += 1
        stored = dict(conn.execute("SELECT seq, hash FROM ledger WHERE seq BETWEEN ? AND ?", [checkpoint.first, checkpoint.seq]))
        differs = None
        for position, prefix in enumerate(checkpoint.hashes, start=checkpoint.first):
            held = stored.get(position)
            if held is None:
                continue  # missing inside the chain is the walk's finding; past its end, cut_off's
            if not isinstance(held, str) or held[:HASH_PREFIX] != prefix:
                differs = position
                break
        if differs is None and isinstance(stored.get(checkpoint.seq), str) and stored[checkpoint.seq] != checkpoint.hash:
            differs = checkpoint.seq
        if differs is not None and (rewritten is None or differs < rewritten[0]):
            rewritten = (differs, checkpoint)
        if checkpoint.seq > report.last_entry and (cut_off is None or checkpoint.seq > cut_off.seq):
            cut_off = checkpoint
        if differs is None and checkpoint.seq <= report.last_entry:
            report.signed_up_to = max(report.signed_up_to, checkpoint.seq)
    found = [p.position for p in report.problems if p.position is not None]
    if rewritten is not None and not any(at <= rewritten[0] for at in found):  # else the chain shows it already
        position, checkpoint = rewritten
        report.problems.append(Problem(position, Words(
            "第 {p} 条记录不是交换平台于 {at} 签署的那一条（第 {k} 条的检查点）：自第 {p} 条起的历史被改写、哈希被重新计算",
            "entry {p} is not the entry the exchange signed at {at} (the checkpoint of entry {k}): the history from "
            "entry {p} on was rewritten and its hashes computed again",
        ).format(p=position, at=checkpoint.at, k=checkpoint.seq)))
    if cut_off is not None:
        start = report.last_entry + 1
        report.problems.append(Problem(start, Words(
            "交换平台于 {at} 签署了第 {k} 条记录，但链只到第 {m} 条：第 {a} 至 {k} 条被截去",
            "the exchange signed entry {k} at {at}, but the chain ends at entry {m}: entries {a} to {k} were cut off",
        ).format(at=cut_off.at, k=cut_off.seq, m=report.last_entry, a=start)))
    if not checkpoints:
        report.notes.append(Words("检查点日志中还没有检查点。", "The checkpoint log holds no checkpoint yet."))
