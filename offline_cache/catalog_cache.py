"""What a start would otherwise derive from the catalog again, cached in SQLite per catalog digest.

- The search keys (pinyin): deriving them needs pypinyin, whose import alone takes about half a
  second; they are computed once per catalog content (``Catalog.digest``) and read back from
  the ``search_keys`` table at every later start.
- The validated catalog itself: parsing and checking the TOML takes ~25 ms at every start; the
  resulting :class:`~window_app.domain.catalog.Catalog` is stored in ``catalog_snapshots``
  (pickled) and read back while the files hash to the same digest. The digest is computed
  from the files at every start (about a millisecond), so an edited or replaced catalog is
  never served from an old snapshot.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
import pickle
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from window_app.catalog.reading import catalog_digest
from window_app.catalog.search import SearchKeys, compute_search_keys

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.domain.catalog import Catalog

TABLE = "search_keys"  # created by the schema migrations (offline_cache/schema.py)
SNAPSHOTS = "catalog_snapshots"  # likewise
KEEP_SNAPSHOTS = 8  # a window uses one or two catalogs at a time; older snapshots are dropped
_MODEL_MODULE = "window_app.domain.catalog"


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


# -- the validated catalog -------------------------------------------------------------------


def cached_catalog(db: Database, root: str | Path, load: Callable[[Path], Catalog] | None = None) -> Catalog:
    """The validated catalog in ``root``: its snapshot when the files are the ones it was made
    from, else ``load(root)`` (parsed and checked), stored for the next start.

    The snapshot is only a cache: when it cannot be read (locked, damaged, written by another
    version of the program) the catalog is loaded from its files, and when it cannot be
    written the next start loads them again.

    Args:
        load: How to read the files (default :func:`window_app.catalog.loader.load_catalog`).

    Raises:
        window_app.catalog.loader.CatalogError: From ``load``; a malformed catalog is never stored.
    """
    root = Path(root)
    digest = catalog_digest(root)
    version = snapshot_version()
    if digest:
        catalog = _read_snapshot(db, digest, version)
        if catalog is not None:
            source = str(root)
            return catalog if catalog.source == source else dataclasses.replace(catalog, source=source)
    if load is None:
        from window_app.catalog.loader import load_catalog as load
    catalog = load(root)
    if digest and catalog.digest == digest:  # not stored if the files changed while being read
        _write_snapshot(db, catalog, version)
    return catalog


def snapshot_version() -> str:
    """The program's version and a hash of the catalog code (``window_app/catalog/*.py``).

    A snapshot is read back only by the code that made it: the model's classes or the loader's
    defaults can change without a version bump (in every developer's checkout), and objects of
    an older shape must then be rebuilt from the files, not served.
    """
    from window_app import __version__

    package = Path(__file__).resolve().parent.parent / "window_app" / "catalog"
    hasher = hashlib.sha256()
    for path in sorted(package.glob("*.py")):
        hasher.update(path.name.encode("utf-8"))
        hasher.update(path.read_bytes())
    return f"{__version__}+{hasher.hexdigest()[:16]}"


class _CatalogUnpickler(pickle.Unpickler):
    """Pickle is used for our own frozen dataclasses only: it rebuilds the whole object graph in
    about 2 ms, with no schema of our own to keep in step with the model. To read nothing but
    that, this unpickler resolves only the catalog model's classes: a snapshot cannot name any
    other callable, so even a tampered database cannot make loading it run code."""

    def find_class(self, module: str, name: str) -> type:
        if module == _MODEL_MODULE and not name.startswith("_"):
            found = getattr(__import__(module, fromlist=[name]), name, None)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a catalog snapshot may not name {module}.{name}")


def _read_snapshot(db: Database, digest: str, version: str) -> Catalog | None:
    from window_app.domain.catalog import Catalog

    try:
        row = db.execute(
            f"SELECT data FROM [{SNAPSHOTS}] WHERE digest = ? AND app_version = ?", [digest, version]
        ).fetchone()
    except sqlite3.Error:
        return None  # locked, damaged, or a database without the table: load from the files
    if row is None:
        return None
    try:
        catalog = _CatalogUnpickler(io.BytesIO(row[0])).load()
    except Exception:  # noqa: BLE001 - any damaged snapshot means: read the files instead
        return None
    if not isinstance(catalog, Catalog) or catalog.digest != digest:
        return None
    return catalog


def _write_snapshot(db: Database, catalog: Catalog, version: str) -> None:
    try:
        data = pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # the start goes on with the catalog just loaded
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    try:
        with db.atomic():
            # Snapshots of other program versions can never be read again by this one.
            db.execute(f"DELETE FROM [{SNAPSHOTS}] WHERE app_version != ?", [version])
            db.execute(
                f"INSERT OR REPLACE INTO [{SNAPSHOTS}] (digest, app_version, data, created_at) VALUES (?, ?, ?, ?)",
                [catalog.digest, version, data, now],
            )
            db.execute(
                f"DELETE FROM [{SNAPSHOTS}] WHERE rowid NOT IN "
                f"(SELECT rowid FROM [{SNAPSHOTS}] ORDER BY created_at DESC LIMIT {KEEP_SNAPSHOTS})"
            )
    except sqlite3.Error:
        pass  # rolled back (read-only, locked, disk full): the next start loads the files again
