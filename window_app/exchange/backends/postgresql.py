"""The exchange on PostgreSQL (psycopg 3 with a ``psycopg_pool`` connection pool).

Each transaction takes a connection from the pool, so the server's handler threads (and
several worker processes, ``serve --workers``) write at once; PostgreSQL's own group commit
makes a commit durable (``synchronous_commit = on``) before it returns. What must be done one at
a time is said in SQL, never by a lock in this process:

- the ledger's append, and the numbering of the event feed, under one transaction-scoped
  advisory lock taken as late as possible and held until the commit (:meth:`lock_ledger`);
- a claim on a department's new envelopes with ``FOR UPDATE SKIP LOCKED``;
- idempotent ingest with ``INSERT … ON CONFLICT DO NOTHING``.

The store's SQL uses ``?`` parameters; :class:`PgConnection` turns them into psycopg's ``%s``.
The schema lives in the database's current schema (``search_path``: a URI may name one with
``?options=-csearch_path%3D…``), its version in ``exchange_schema_version``.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import zlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
import psycopg_pool

from window_app.domain.words import Words
from window_app.exchange.backends.base import POSTGRESQL, DatabaseUnavailable
from window_app.exchange.errors import ExchangeError

T = TypeVar("T")

POOL_SIZE = 16
"""Connections per process: the server's handler threads wait for one beyond that."""
POOL_TIMEOUT_SECONDS = 10.0
_MIGRATION_LOCK = 0x5749_4E44  # "WIND": one process migrates at a time


def without_password(uri: str) -> str:
    """``uri`` without the password (to print it)."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


@functools.lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    """``?`` parameters as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgConnection:
    """A psycopg connection that takes the store's ``?`` SQL (see the module's text)."""

    def __init__(self, conn: psycopg.Connection[Any]):
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        return self.raw.execute(_pg_sql(sql), params or None)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> psycopg.Cursor[Any]:
        cursor = self.raw.cursor()
        cursor.executemany(_pg_sql(sql), rows)
        return cursor


class PostgresBackend:
    """A PostgreSQL database of the exchange (see the module's text). Open with :meth:`open`."""

    dialect = POSTGRESQL

    def __init__(self, pool: psycopg_pool.ConnectionPool, uri: str):
        self.pool = pool
        self.uri = uri
        self.location = without_password(uri)
        self.after_commit: Callable[[Any], None] | None = None
        self._ledger_key = 0
        self._after = threading.Lock()

    @classmethod
    def open(cls, uri: str) -> PostgresBackend:
        """Connect (a pool of :data:`POOL_SIZE`); the first connection is made before returning.

        Raises:
            DatabaseUnavailable: The server cannot be reached or refuses the connection.
        """
        try:
            # One direct connection first: it says why, where a pool would only time out.
            psycopg.connect(uri, connect_timeout=int(POOL_TIMEOUT_SECONDS)).close()
        except psycopg.Error as exc:
            raise DatabaseUnavailable(_SPACES.sub(" ", str(exc)).strip()) from exc
        pool = psycopg_pool.ConnectionPool(
            uri, min_size=1, max_size=POOL_SIZE, timeout=POOL_TIMEOUT_SECONDS, open=False,
            kwargs={"autocommit": True}, name="exchange",
        )
        try:
            pool.open(wait=True, timeout=POOL_TIMEOUT_SECONDS)
        except psycopg_pool.PoolTimeout as exc:
            pool.close()
            raise DatabaseUnavailable(str(exc)) from exc
        backend = cls(pool, uri)
        with backend.reading() as conn:
            # One ledger per schema: its lock is keyed by the schema's name.
            schema = conn.execute("SELECT current_schema()").fetchone()[0]
        backend._ledger_key = zlib.crc32(f"window-app ledger {schema}".encode())
        return backend

    def close(self) -> None:
        self.pool.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        """One transaction on a pooled connection, committed (durably) when the block ends."""
        with _translated(), self.pool.connection() as raw:
            conn = PgConnection(raw)
            with raw.transaction():
                yield conn
            if self.after_commit is not None:
                with self._after:  # the checkpoint log is one file
                    self.after_commit(conn)

    @contextlib.contextmanager
    def reading(self) -> Iterator[PgConnection]:
        with _translated(), self.pool.connection() as raw:
            yield PgConnection(raw)

    def write(self, work: Callable[[Any], T]) -> T:
        with self.transaction() as conn:
            return work(conn)

    def lock_ledger(self, conn: PgConnection) -> None:
        """The ledger's turn: a transaction-scoped advisory lock, released by the commit.

        Held from here to the commit, it orders both what the ledger appends and the numbers
        the event feed hands out (``events.seq`` is drawn only under it): a transaction that
        drew a lower number has committed before the next one can draw (docs/exchange-api.md).
        """
        conn.execute("SELECT pg_advisory_xact_lock(?)", [self._ledger_key])

    def migrate(self, migrations: Sequence[Sequence[Any]], too_new: Callable[[int, int], BaseException]) -> int:
        """Apply what the database has not seen yet, one transaction per version, one process at
        a time (an advisory lock: several workers start together)."""
        known = len(migrations)
        with self.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(?)", [_MIGRATION_LOCK])
            conn.execute("CREATE TABLE IF NOT EXISTS exchange_schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT version FROM exchange_schema_version").fetchone()
            if row is None:
                conn.execute("INSERT INTO exchange_schema_version (version) VALUES (0)")
            current = row[0] if row else 0
            if current > known:
                raise too_new(current, known)
            for version in range(current + 1, known + 1):
                with conn.raw.transaction():  # a savepoint per version
                    for step in migrations[version - 1]:
                        step = step.postgresql() if hasattr(step, "postgresql") else step
                        if isinstance(step, str):
                            conn.raw.execute(step)
                        elif step is not None:
                            step(conn)
                    conn.execute("UPDATE exchange_schema_version SET version = ?", [version])
        return known

    def real_columns(self, table: str) -> frozenset[str]:
        return frozenset()  # RETURNING gives what a read gives


_RETRY = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure, psycopg.errors.LockNotAvailable)
_SPACES = re.compile(r"\s+")


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """What the server cannot wait for becomes a 503 the client retries: no connection free
    in the pool, the server unreachable, a deadlock PostgreSQL broke by aborting this one."""
    try:
        yield
    except psycopg_pool.PoolTimeout as exc:
        raise _busy("no free connection") from exc
    except _RETRY as exc:
        raise _busy(_SPACES.sub(" ", str(exc)).strip()) from exc
    except psycopg.OperationalError as exc:
        raise _busy(_SPACES.sub(" ", str(exc)).strip()) from exc


def _busy(why: str) -> ExchangeError:
    return ExchangeError(
        503,
        Words(f"交换平台数据库正忙（{why}），请稍后重试", f"the exchange database is busy ({why}); try again shortly"),
        retry_after=1,
    )
