"""Search keys (pinyin) cached in SQLite, one set per catalog digest.

Deriving pinyin needs pypinyin, whose import alone takes about half a second; the catalog
changes rarely, so the keys are computed once per catalog content (``Catalog.digest``) and
read back from the ``search_keys`` table at every later start.
"""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING

from window_app.catalog.search import SearchKeys, compute_search_keys

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.catalog.model import Catalog

TABLE = "search_keys"  # created by the schema migrations (offline_cache/schema.py)


def cached_search_keys(db: Database, catalog: Catalog) -> dict[str, SearchKeys]:
    """The search keys of ``catalog``, by offering id, computed only if not stored yet.

    When they are computed, rows of other (older) digests are deleted in the same transaction,
    so the table only ever holds the current catalog's keys. The table is only a cache: if the
    keys cannot be written (disk full, database locked by another program), they are returned
    all the same and the next start tries again.

    ``db`` is the migrated window database (:func:`offline_cache.db.open_database`): the table
    is the migrations', and nothing here creates it.
    """
    try:
        stored = _read(db, catalog.digest)
    except sqlite3.OperationalError:
        stored = {}  # unreadable (locked, damaged): compute, and try storing below
    if stored:
        return stored
    keys = compute_search_keys(catalog)
    rows = [
        (
            catalog.digest,
            offering_id,
            found.hanzi,
            found.pinyin,
            found.initials,
            json.dumps(list(found.keywords), ensure_ascii=False),
        )
        for offering_id, found in keys.items()
    ]
    try:
        with db.atomic():  # one transaction: never a half-written set of keys
            db.execute(f"DELETE FROM [{TABLE}] WHERE digest != ?", [catalog.digest])
            # ``OR REPLACE``: another process may have written the same rows meanwhile.
            db.conn.executemany(
                f"INSERT OR REPLACE INTO [{TABLE}] (digest, offering_id, hanzi, pinyin, initials, keywords) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
    except sqlite3.OperationalError:
        pass  # rolled back; searching works from the keys computed just now
    return keys


def _read(db: Database, digest: str) -> dict[str, SearchKeys]:
    cursor = db.execute(
        f"SELECT offering_id, hanzi, pinyin, initials, keywords FROM [{TABLE}] WHERE digest = ?",
        [digest],
    )
    return {
        offering_id: SearchKeys(hanzi=hanzi, pinyin=pinyin, initials=initials, keywords=tuple(json.loads(keywords)))
        for offering_id, hanzi, pinyin, initials, keywords in cursor.fetchall()
    }
