"""What a backup takes from the window's database: a consistent copy, and who may open it.

:func:`snapshot` uses SQLite's online backup (the copy is of one moment, even while the sync
worker writes). :func:`account_keys` gives, per active clerk, what signing in needs to open the
window data key (argon2id cost and salt, verifier, the wrapped private key, the sealed data key):
a backup carries it in its clear header, so exactly the clerks who can read the live data can
open the backup — on a new PC too, before any database is there.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from offline_cache.db import Database, storage_errors
from window_app.domain.words import Words
from window_app.sqlite_kit import PRIVATE_FILE_MODE

_WORDS = Words("备份数据库", "Backing up the database")


def snapshot(db: Database, target: Path) -> None:
    """Copy the whole database, as of now, to ``target`` (a new file, mode 0600)."""
    with storage_errors(_WORDS):
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
        copy = sqlite3.connect(target)
        try:
            db.conn.backup(copy)
        finally:
            copy.close()


def account_keys(db: Database) -> list[dict[str, Any]]:
    """Per active clerk with a copy of the data key: what opens it with their PIN (no secret)."""
    with storage_errors(_WORDS):
        rows = db.execute(
            """
            SELECT c.id, c.name, c.kdf, c.salt, c.verifier, c.private_key, w.key_id, w.sealed
            FROM clerks c JOIN data_key_wraps w ON w.clerk_id = c.id
            WHERE c.active = 1 ORDER BY c.id
            """
        ).fetchall()
    names = ("id", "name", "kdf", "salt", "verifier", "private_key", "key_id", "sealed")
    return [dict(zip(names, row)) for row in rows]


def integrity_problem(path: Path) -> str | None:
    """SQLite's own check of a database file: ``None`` when it is sound, else what it says."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    return None if result == "ok" else str(result)
