"""Opening the window's SQLite file, and turning storage failures into words.

The SQLite file is the source of truth at the window. :func:`open_database` opens it in WAL
mode (readers never block the writer), migrates it, and makes sure the per-installation
values in ``meta`` exist. :func:`durable_transaction` is what the accept path writes through:
an accepted application is on disk, fsynced, when it returns.

Every ``sqlite3.Error`` or ``OSError`` that reaches a clerk goes through
:func:`storage_error_from` first, so the screen says "the disk is full" and not a traceback.

The window opens this file at every start, so the hot path uses the standard ``sqlite3`` module
only: importing sqlite-utils (click, dateutil, pluggy …) costs about as much as the rest of the
start-up together. The repositories run their SQL through :meth:`Database.execute`; sqlite-utils
does the schema work when the file is new or older than the program (:mod:`window_app.sqlite_kit`
migrates both databases) and the table work of the export (:attr:`Database.utils`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offline_cache.schema import MIGRATIONS
from window_app import sqlite_kit
from window_app.domain.errors import StorageError
from window_app.domain.words import Words

THIS_OPERATION = Words("本次操作", "This operation")

if TYPE_CHECKING:
    import sqlite_utils

    from window_app.trust.data_key import DataKey

DEFAULT_BUSY_TIMEOUT_SECONDS = 5.0
CROCKFORD_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: unambiguous on paper
INSTALLATION_TAG_LENGTH = 4  # 32**4 = 1,048,576 possible tags, see window_app/receipt.py


class Database:
    """The window's SQLite connection: what the repositories need, and sqlite-utils on demand.

    The connection is in autocommit mode (``isolation_level=None``): a statement outside
    ``BEGIN … COMMIT`` is its own transaction and is committed when it returns, and a statement
    inside one belongs to it (what ``sqlite_utils.Database.execute`` does too). Several writes
    that belong together say ``BEGIN`` themselves: :func:`durable_transaction`, :meth:`atomic`,
    :func:`migrate`.

    :attr:`utils` is a ``sqlite_utils.Database`` on the same connection (``db.utils["drafts"]``,
    ``db.utils.query(…)``), built when first asked for: its import is not paid at start.

    Attributes:
        conn: The ``sqlite3`` connection.
        data_key: The window data key while a clerk is signed in, else ``None``: personal
            columns are sealed under it (:mod:`offline_cache.vault`).
        synchronous: The connection's ``PRAGMA synchronous`` level (0–3) when this object set
            it (:func:`open_database`), else ``None`` (read when needed).
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.data_key: DataKey | None = None
        self.synchronous: int | None = None
        self._installation_tag: str | None = None
        self._utils: sqlite_utils.Database | None = None

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> sqlite3.Cursor:
        """Run one statement; a write outside a transaction is committed when this returns."""
        if parameters is None:
            return self.conn.execute(sql)
        return self.conn.execute(sql, parameters)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        """Run several ``;``-separated statements (outside a transaction: ``sqlite3`` commits
        an open one first)."""
        return self.conn.executescript(sql)

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction around the block (a savepoint when one is open): all or nothing."""
        if self.conn.in_transaction:
            savepoint = f"window_app_{os.urandom(8).hex()}"
            self.conn.execute(f"SAVEPOINT {savepoint}")
            try:
                yield self
            except BaseException:
                if self.conn.in_transaction:  # the error may have ended the transaction
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
                raise
            self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        self.conn.execute("BEGIN")
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def commit(self) -> None:
        """Commit the open transaction, if any."""
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        """Roll the open transaction back, if any."""
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    @property
    def utils(self) -> sqlite_utils.Database:
        """A ``sqlite_utils.Database`` on this connection (imported and built when first used)."""
        if self._utils is None:
            self._utils = sqlite_kit.schema_tools(self.conn)
        return self._utils

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Database {self.conn}>"


# SQLite primary result codes (the low byte of an extended code).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26


def storage_error_from(
    exc: sqlite3.Error | OSError,
    what: Words = THIS_OPERATION,
) -> StorageError:
    """Translate a low-level failure into a :class:`StorageError` a clerk can act on.

    Args:
        exc: The error raised by ``sqlite3`` or the operating system.
        what: What was being done (e.g. ``Words("本次受理", "This acceptance")``);
            the message says that it was not written.
    """
    what_zh, what_en = what.zh, what.in_language("en")
    kind = _classify(exc)
    detail = str(exc)
    if kind == "locked":
        return StorageError(
            Words(
                "数据库正被另一个程序占用，请关闭其他窗口程序后重试。" f"{what_zh}未写入。",
                f"The database is in use by another program; close other window programs and try again. "
                f"{what_en} was not written.",
            ),
            kind,
        )
    if kind == "full":
        return StorageError(
            Words(
                f"磁盘空间已满：{what_zh}未写入，已受理的办件均完好。请清理磁盘空间后重试。",
                f"The disk is full: {what_en.lower()} was not written; applications already accepted are intact. "
                "Free some disk space and try again.",
            ),
            kind,
        )
    if kind == "readonly":
        return StorageError(
            Words(
                f"数据库文件只读或没有写入权限：{what_zh}未写入。请检查数据目录的权限。",
                f"The database file is read-only or not writable: {what_en.lower()} was not written. "
                "Check the permissions of the data directory.",
            ),
            kind,
        )
    if kind == "corrupt":
        return StorageError(
            Words(
                "数据库文件已损坏或不是本程序的数据库。请勿继续使用，联系技术人员从备份恢复。",
                "The database file is damaged or is not a window-app database. "
                "Stop using it and ask technical support to restore it from a backup.",
            ),
            kind,
        )
    if kind == "io":
        return StorageError(
            Words(
                f"读写磁盘出错（{detail}）：{what_zh}未写入，已受理的办件均完好。请检查磁盘后重试。",
                f"A disk read/write error occurred ({detail}): {what_en.lower()} was not written; "
                "applications already accepted are intact. Check the disk and try again.",
            ),
            kind,
        )
    return StorageError(
            Words(
        f"数据库出错（{detail}）：{what_zh}未写入，已受理的办件均完好。",
        f"A database error occurred ({detail}): {what_en.lower()} was not written; "
        "applications already accepted are intact.",
            ),
            kind,
    )


def _classify(exc: sqlite3.Error | OSError) -> str:
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "full"
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return "readonly"
        return "io"
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    # Python's own messages (e.g. "database is locked") carry no code: fall back to the text.
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text or "busy" in text:
        return "locked"
    if primary == _SQLITE_FULL or "disk is full" in text:
        return "full"
    if primary in (_SQLITE_READONLY, _SQLITE_PERM, _SQLITE_CANTOPEN) or "readonly" in text or "read-only" in text:
        return "readonly"
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB) or "malformed" in text or "not a database" in text:
        return "corrupt"
    if primary == _SQLITE_IOERR or "disk i/o" in text:
        return "io"
    return "other"


@contextlib.contextmanager
def storage_errors(what: Words = THIS_OPERATION) -> Iterator[None]:
    """Re-raise ``sqlite3.Error`` / ``OSError`` from the block as :class:`StorageError`."""
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise storage_error_from(exc, what) from exc


def open_database(path: str | os.PathLike[str], *, busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS) -> Database:
    """Open (creating if needed) and migrate the window's database.

    Args:
        path: The SQLite file; missing parent directories are created.
        busy_timeout_seconds: How long a write waits for another program's lock before
            giving up with a ``locked`` :class:`StorageError`.

    Raises:
        StorageError: The file cannot be created, opened or migrated, or was written by a newer
            version of the program.
    """
    with storage_errors(Words("打开数据库", "Opening the database")):
        # Personal data: the data dir 0700, the file and its side files 0600, whatever the umask.
        sqlite_kit.private_database(Path(path), private_dir=True)
        conn = sqlite3.connect(
            str(path), timeout=busy_timeout_seconds, check_same_thread=False, isolation_level=None
        )
        db = Database(conn)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it
            # A deleted or replaced row (a draft accepted, a value re-sealed) is overwritten
            # with zeros, not left readable in a free page.
            db.execute("PRAGMA secure_delete = ON")
            db.execute("PRAGMA journal_mode = WAL")
            # NORMAL in WAL mode never corrupts; commits that must survive a power cut use
            # durable_transaction(), which switches to FULL for their duration.
            db.execute("PRAGMA synchronous = NORMAL")
            db.synchronous = sqlite_kit.SYNCHRONOUS_LEVELS.index("NORMAL")
            migrate(db)
            _ensure_meta(db)
        except BaseException:
            db.close()
            raise
    return db


def open_reader(path: str | os.PathLike[str], *, busy_timeout_seconds: float = DEFAULT_BUSY_TIMEOUT_SECONDS) -> Database:
    """A read-only connection of its own to the window's database (opened by
    :func:`open_database` before): for a thread that reads while the UI's connection writes
    (WAL: it reads the last committed state, never a transaction in progress). Close it after.

    Raises:
        StorageError: The file cannot be opened.
    """
    with storage_errors(Words("打开数据库", "Opening the database")):
        conn = sqlite3.connect(
            f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=busy_timeout_seconds, check_same_thread=False,
            isolation_level=None,
        )
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
    return Database(conn)


def migrate(db: Database) -> int:
    """Apply the migrations the file has not seen yet (:func:`window_app.sqlite_kit.migrate`);
    return the resulting schema version.

    Raises:
        StorageError: The file's schema is newer than this program knows.
    """
    return sqlite_kit.migrate(db.conn, MIGRATIONS, too_new=_too_new)


def _too_new(current: int, known: int) -> StorageError:
    return StorageError(
        Words(
            f"数据库由更新版本的窗口程序创建（结构版本 {current}，本程序只认识到 {known}）。请升级本程序后再打开。",
            f"The database was written by a newer version of window-app (schema {current}; this program "
            f"knows up to {known}). Upgrade the program before opening it.",
        ),
        "too_new",
    )


def _ensure_meta(db: Database) -> None:
    """Create this installation's random values once; later opens keep them."""
    if read_meta(db, "installation_tag"):
        return  # every start after the first: nothing to write
    tag = "".join(secrets.choice(CROCKFORD_BASE32) for _ in range(INSTALLATION_TAG_LENGTH))
    db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('installation_tag', ?)", [tag])


def read_meta(db: Database, key: str) -> str | None:
    """A value of the ``meta`` table, or ``None``."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def installation_tag(db: Database) -> str:
    """The random tag that keeps this database's receipt numbers apart from any other's.

    Read once per connection: it is written once, when the file is new, and never changed.
    """
    if db._installation_tag:
        return db._installation_tag
    tag = read_meta(db, "installation_tag")
    if not tag:
        raise StorageError(Words("数据库缺少安装标识。", "The database has no installation tag."), "corrupt")
    db._installation_tag = tag
    return tag


@contextlib.contextmanager
def durable_transaction(db: Database) -> Iterator[Database]:
    """One write transaction on the window's database that is fsynced when it commits
    (:func:`window_app.sqlite_kit.durable_transaction`, the one both databases use).

    ``BEGIN IMMEDIATE`` takes the write lock up front, so a busy database fails before anything
    is written rather than halfway. Any exception rolls everything back.

    ``PRAGMA synchronous`` is raised to ``FULL`` before ``BEGIN`` and put back after the commit
    (SQLite changes it only outside a transaction): the connection's level is known
    (:attr:`Database.synchronous`), so nothing is read for it; inside the transaction there are
    only the caller's statements.

    Raises:
        RuntimeError: Called inside another transaction (durability cannot be raised there).
    """
    with sqlite_kit.durable_transaction(db.conn, synchronous=db.synchronous):
        yield db
