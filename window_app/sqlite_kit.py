"""The SQLite helpers both databases share: schema migrations and durable write transactions.

The window's file (:mod:`offline_cache.db`) and the exchange's (:mod:`window_app.exchange.store`)
are separate databases with separate schemas, but they migrate and commit the same way, so the
way lives here once. This module sits at the bottom of the layers, beside
:mod:`window_app.domain`: it imports only the standard library (and sqlite-utils while a
migration runs), so the window's storage and the exchange both import it without importing
each other or anything above them.

A schema is an append-only list of migrations; ``migrations[n - 1]`` brings a file from version
``n - 1`` to ``n``, tracked with ``PRAGMA user_version``. A migration is a sequence of steps, run
in one durable transaction; a step is one SQL statement, or a function that gets a
``sqlite_utils.Database`` on the same connection and changes the schema with it
(``db["t"].create(…)``, ``create_index``, ``add_column``, ``create_view`` …).

Both connections are opened with ``isolation_level=None`` (autocommit): these helpers say
``BEGIN IMMEDIATE`` / ``COMMIT`` themselves.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import sqlite_utils

MigrationStep: TypeAlias = str | Callable[["sqlite_utils.Database"], None]
"""One SQL statement, or a function that changes the schema through sqlite-utils."""

Migration: TypeAlias = Sequence[MigrationStep]
"""The steps from one schema version to the next, applied in one transaction."""

SYNCHRONOUS_LEVELS = ("OFF", "NORMAL", "FULL", "EXTRA")  # what PRAGMA synchronous reads as 0–3
SYNCHRONOUS_FULL = SYNCHRONOUS_LEVELS.index("FULL")


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version the file says it has (``PRAGMA user_version``; 0 for a new file)."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[Migration],
    *,
    too_new: Callable[[int, int], BaseException],
) -> int:
    """Apply the migrations the file has not seen yet; return the resulting schema version.

    Each version is applied in its own :func:`durable_transaction`, and the version is read
    again under the write lock: another process opening the same file at the same moment may
    have migrated it meanwhile, and then that version is skipped.

    sqlite-utils is imported only when there is something to migrate (a new file, or one from
    an older program): an up-to-date file, every start but the first, costs one ``PRAGMA``.

    Args:
        conn: An autocommit connection (``isolation_level=None``), outside a transaction.
        migrations: The schema, oldest first.
        too_new: Builds the error to raise when the file's version is above
            ``len(migrations)``; called with (the file's version, the newest this program knows).

    Raises:
        BaseException: What ``too_new`` built; nothing is written then.
        sqlite3.Error: A step failed; that version was rolled back, earlier ones stay.
    """
    known = len(migrations)
    current = user_version(conn)
    if current > known:
        raise too_new(current, known)
    if current == known:
        return current
    utils = schema_tools(conn)
    for version in range(current + 1, known + 1):
        with durable_transaction(conn):
            if user_version(conn) >= version:
                continue
            for step in migrations[version - 1]:
                if isinstance(step, str):
                    conn.execute(step)
                else:
                    step(utils)
            conn.execute(f"PRAGMA user_version = {version}")
    return known


def schema_tools(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """A ``sqlite_utils.Database`` on ``conn`` that leaves its pragmas alone and loads no plugins."""
    import sqlite_utils  # costs about as much as the rest of start-up: only when needed

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


@contextlib.contextmanager
def durable_transaction(
    conn: sqlite3.Connection,
    *,
    busy: Callable[[sqlite3.OperationalError], BaseException] | None = None,
    synchronous: int | None = None,
) -> Iterator[sqlite3.Connection]:
    """One write transaction that is on disk, fsynced, when the block ends without an error.

    ``BEGIN IMMEDIATE`` takes the write lock up front, so a busy database fails before anything
    is written rather than halfway. ``PRAGMA synchronous`` is raised to ``FULL`` for the
    transaction (it can only be set outside one) and put back afterwards. Any exception rolls
    everything back and is raised again.

    Args:
        conn: An autocommit connection (``isolation_level=None``).
        busy: Builds what to raise when the write lock cannot be taken (``BEGIN IMMEDIATE``
            fails); default: the ``sqlite3.OperationalError`` itself.
        synchronous: The connection's ``PRAGMA synchronous`` level when the caller knows it
            (it set it); ``None``: read it first.

    Raises:
        RuntimeError: Called inside an open transaction (durability cannot be raised there).
    """
    if conn.in_transaction:
        raise RuntimeError("durable_transaction() cannot be nested in an open transaction")
    if synchronous is None:
        synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
    if synchronous < SYNCHRONOUS_FULL:
        conn.execute("PRAGMA synchronous = FULL")
    try:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if busy is None:
                raise
            raise busy(exc) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            # The failure may already have ended the transaction (e.g. SQLITE_FULL on COMMIT).
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
    finally:
        if synchronous < SYNCHRONOUS_FULL:
            with contextlib.suppress(sqlite3.Error):
                conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS_LEVELS[synchronous]}")


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_database(path: Path, *, private_dir: bool) -> None:
    """Make a database file (and its WAL/SHM side files) readable by its owner only, before
    SQLite opens it: created 0600 when missing; group and others lose their bits when a looser
    umask made it 0644. SQLite gives the side files the database file's permissions; existing
    ones are tightened too. With ``private_dir`` the directory is made 0700 (or loses its group
    and other bits) as well —
    for a directory the program owns (the window's data dir), never for one it merely writes
    into (``/tmp``). POSIX only; elsewhere the file system's ACLs decide.

    Raises:
        OSError: The directory or file cannot be made or changed.
    """
    if os.name != "posix":
        return
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if private_dir:
        _owner_only(directory)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE))
    for candidate in (path, *(path.with_name(path.name + side) for side in SIDE_FILES)):
        if candidate.exists():
            _owner_only(candidate)


def _owner_only(path: Path) -> None:
    # Group and others lose every bit; the owner's stay as they were (a deliberately read-only
    # file stays read-only). Only what this user owns is touched.
    info = path.stat()
    if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
        path.chmod(stat.S_IMODE(info.st_mode) & 0o700)
