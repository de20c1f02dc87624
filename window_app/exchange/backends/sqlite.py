"""The exchange on one SQLite file: the embedded default (demos, tests, a single county).

One connection, serialised by a lock: SQLite has one writer at a time anyway, and the server's
handlers call in from a thread pool. The file is in WAL mode with ``synchronous = FULL``: every
write transaction is on disk when it returns. Writes that arrive together share one transaction
(:mod:`~window_app.exchange.group_commit`). The exchange's commands that open the file while a
server runs wait for its write lock (``busy_timeout``); several server processes on one file are
refused (``serve --workers``: PostgreSQL only).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from window_app.domain.words import Words
from window_app.exchange.backends.base import SQLITE
from window_app.exchange.errors import ExchangeError
from window_app.exchange.group_commit import GroupCommit
from window_app.sqlite_kit import durable_transaction, migrate, private_database

BUSY_TIMEOUT_SECONDS = 5.0

T = TypeVar("T")


class SQLiteBackend:
    """The exchange's SQLite file (see the module's text). Open with :meth:`open`; thread-safe."""

    dialect = SQLITE

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self.location = str(path)
        self.lock = threading.RLock()
        self.after_commit: Callable[[Any], None] | None = None
        self.group = GroupCommit(self.lock, self.transaction)

    @classmethod
    def open(cls, path: Path) -> SQLiteBackend:
        """Open (creating if needed) the file at ``path``, 0600.

        Raises:
            sqlite3.Error, OSError: The file cannot be opened.
        """
        private_database(path, private_dir=False)  # the file 0600; its directory may be anyone's
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_SECONDS, check_same_thread=False, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")  # every commit survives a power cut
            conn.execute("PRAGMA foreign_keys = ON")
            backend = cls(conn, path)
        except BaseException:
            conn.close()
            raise
        return backend

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), durable when it returns.

        Raises:
            ExchangeError: 503 with ``Retry-After`` when another process holds the write lock.
        """
        with self.lock:
            with durable_transaction(self.conn, busy=_busy) as conn:
                yield conn
            if self.after_commit is not None:  # after the commit: a checkpoint signs only what is stored
                self.after_commit(self.conn)

    @contextlib.contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            try:
                yield self.conn
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise _busy(exc) from exc
                raise

    def write(self, work: Callable[[Any], T]) -> T:
        return self.group.run(work)

    def lock_ledger(self, conn: Any) -> None:
        """Nothing to do: the transaction holds SQLite's one write lock from its ``BEGIN``."""

    def migrate(self, migrations: Sequence[Sequence[Any]], too_new: Callable[[int, int], BaseException]) -> int:
        steps = [[_for_sqlite(step) for step in migration] for migration in migrations]
        return migrate(self.conn, [[step for step in migration if step is not None] for migration in steps], too_new=too_new)

    def real_columns(self, table: str) -> frozenset[str]:
        """The columns declared REAL: ``RETURNING`` gives a whole one back as an int (SQLite
        stores it so), a read as a float."""
        return frozenset(row[1] for row in self.conn.execute(f"PRAGMA table_info({table})") if row[2].upper() == "REAL")


def _for_sqlite(step: Any) -> Any:
    """A schema step as SQLite runs it (:mod:`window_app.exchange.schema`)."""
    return step.sqlite() if hasattr(step, "sqlite") else step


def _busy(exc: sqlite3.OperationalError) -> ExchangeError:
    return ExchangeError(
        503,
        Words(f"交换平台数据库正忙（{exc}），请稍后重试", f"the exchange database is busy ({exc}); try again shortly"),
        retry_after=1,
    )
