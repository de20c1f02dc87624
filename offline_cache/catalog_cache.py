"""Storage for what a start would otherwise derive from the catalog again, per catalog digest.

- ``search_keys``: the pinyin search keys of every offering of one catalog content.
- ``catalog_fingerprints``: per catalog directory, what its files were (names, sizes, times)
  when they last hashed to a digest.
- ``catalog_snapshots``: the validated :class:`~window_app.domain.catalog.Catalog` and what the
  window prepares of it and its search keys for its index, together in one row
  (:mod:`offline_cache.catalog_snapshot`, format 3), with the program version that made it.

Both tables are only caches: every read that fails (locked, damaged) answers "nothing stored"
and every write that fails is dropped, so a start always goes on. When to read, compute and
store is :mod:`window_app.catalog.cache`'s decision.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
import sqlite3
from collections.abc import Mapping

from offline_cache import catalog_snapshot
from offline_cache.catalog_snapshot import StoredCatalog
from offline_cache.db import Database
from window_app.domain.catalog import Catalog, SearchKeys
from window_app.domain.words import Words

TABLE = "search_keys"  # created by the schema migrations (offline_cache/schema.py)
SNAPSHOTS = "catalog_snapshots"  # likewise
FINGERPRINTS = "catalog_fingerprints"  # likewise
SNAPSHOT_FORMAT = 2  # the last pickled format, (2, Catalog, search keys or None), still read; 1 was the bare Catalog
KEEP_SNAPSHOTS = 8  # a window uses one or two catalogs at a time; older snapshots are dropped
_MODEL_MODULE = Catalog.__module__
_WORDS = (Words.__module__, Words.__qualname__)  # the catalog's texts: the one class a snapshot may name outside the model


# -- search keys -----------------------------------------------------------------------------


def read_search_keys(db: Database, digest: str, names: Mapping[str, str] | None = None) -> dict[str, SearchKeys]:
    """The stored keys of the catalog with ``digest``, by offering id; empty when none are
    stored or the table cannot be read.

    Args:
        names: The Chinese name of each offering, by id: a stored ``hanzi`` equal to it is
            replaced by that very string, so the name is held once, not twice.
    """
    names = names or {}
    try:
        cursor = db.execute(
            f"SELECT offering_id, hanzi, pinyin, initials, keywords, synonyms FROM [{TABLE}] WHERE digest = ?",
            [digest],
        )
        rows = cursor.fetchall()
    except sqlite3.OperationalError:
        return {}  # unreadable (locked, damaged): the caller computes them
    # Many offerings share the same keywords (a tuple and its pinyin): each distinct JSON text
    # is decoded once, into one tuple every row with that text holds.
    lists: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str] = {}
    keys: dict[str, SearchKeys] = {}
    try:
        for offering_id, hanzi, pinyin, initials, keywords, synonyms in rows:
            synonyms = synonyms or "[]"
            found_keywords = lists.get(keywords)
            if found_keywords is None:
                found_keywords = lists[keywords] = tuple(texts.setdefault(w, w) for w in json.loads(keywords))
            found_synonyms = lists.get(synonyms)
            if found_synonyms is None:
                found_synonyms = lists[synonyms] = tuple(texts.setdefault(w, w) for w in json.loads(synonyms))
            name = names.get(offering_id)
            keys[offering_id] = SearchKeys(
                hanzi=name if name == hanzi else hanzi,
                pinyin=pinyin,
                initials=texts.setdefault(initials, initials),
                keywords=found_keywords,
                synonyms=found_synonyms,
            )
    except (ValueError, TypeError):
        return {}  # a damaged row: the caller computes them again
    return keys


def write_search_keys(db: Database, digest: str, keys: dict[str, SearchKeys]) -> None:
    """Store ``keys`` as the only keys kept (rows of other digests are deleted in the same
    transaction, so the table never holds a half-written set). Failing to write is dropped:
    the next start computes them again."""
    encoded: dict[tuple[str, ...], str] = {}  # the same keyword lists recur in many offerings

    def encode(words: tuple[str, ...]) -> str:
        text = encoded.get(words)
        if text is None:
            text = encoded[words] = json.dumps(list(words), ensure_ascii=False)
        return text

    rows = [
        (digest, offering_id, found.hanzi, found.pinyin, found.initials, encode(found.keywords), encode(found.synonyms))
        for offering_id, found in keys.items()
    ]
    try:
        with db.atomic():
            db.execute(f"DELETE FROM [{TABLE}] WHERE digest != ?", [digest])
            # ``OR REPLACE``: another process may have written the same rows meanwhile.
            db.conn.executemany(
                f"INSERT OR REPLACE INTO [{TABLE}] (digest, offering_id, hanzi, pinyin, initials, keywords, synonyms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    except sqlite3.OperationalError:
        pass  # rolled back; searching works from the keys the caller computed


# -- the validated catalog -------------------------------------------------------------------


class _CatalogUnpickler(pickle.Unpickler):
    """Snapshots of formats 1 and 2 were pickles of our own frozen dataclasses. To read nothing
    but that, this unpickler resolves only the catalog model's classes and :class:`Words` (the
    model's texts): a snapshot cannot name any other callable, so even a tampered database
    cannot make loading it run code."""

    def find_class(self, module: str, name: str) -> type:
        if (module == _MODEL_MODULE and not name.startswith("_")) or (module, name) == _WORDS:
            found = getattr(__import__(module, fromlist=[name]), name, None)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a catalog snapshot may not name {module}.{name}")


def read_snapshot(db: Database, digest: str, version: str) -> StoredCatalog | None:
    """The catalog stored for ``digest`` by program ``version``, with what was stored with it;
    ``None`` when there is none or it cannot be read back (locked, damaged, another shape:
    never an exception).

    A snapshot of format 3 (:mod:`offline_cache.catalog_snapshot`) decodes its entries on first
    use; one of the earlier formats (a pickle: 1, the bare catalog; 2, the catalog and its keys)
    is read whole, with no ``extra``.
    """
    try:
        row = db.execute(
            f"SELECT data FROM [{SNAPSHOTS}] WHERE digest = ? AND app_version = ?", [digest, version]
        ).fetchone()
    except sqlite3.Error:
        return None  # locked, damaged, or a database without the table: load from the files
    if row is None:
        return None
    data = row[0]
    try:
        if isinstance(data, bytes) and data.startswith(catalog_snapshot.MAGIC):
            stored = catalog_snapshot.decode_snapshot(data)
        else:
            stored = _unpickled(data)
    except Exception:  # noqa: BLE001 - any damaged snapshot means: read the files instead
        return None
    if stored is None or not isinstance(stored.catalog, Catalog) or stored.catalog.digest != digest:
        return None
    return stored


def _unpickled(data: bytes) -> StoredCatalog | None:
    """A snapshot of format 1 or 2 (pickled), or ``None`` when it is of another shape."""
    stored = _CatalogUnpickler(io.BytesIO(data)).load()
    # Format 1 (until issue 10) pickled the bare Catalog; format 2 a tuple (2, catalog, keys).
    if isinstance(stored, Catalog):
        catalog, keys = stored, None
    elif isinstance(stored, tuple) and len(stored) == 3 and stored[0] == SNAPSHOT_FORMAT:
        _format, catalog, keys = stored
    else:
        return None
    if keys is not None and not (isinstance(keys, dict) and all(isinstance(k, SearchKeys) for k in keys.values())):
        keys = None  # the catalog is good; its keys are computed again
    return StoredCatalog(catalog, keys, None)


def read_snapshot_and_keys(
    db: Database, digest: str, version: str
) -> tuple[Catalog, dict[str, SearchKeys] | None] | None:
    """The catalog stored for ``digest`` by program ``version`` and the search keys stored with
    it (``None`` when the snapshot was stored without them); ``None`` when there is no snapshot
    or it cannot be read back (see :func:`read_snapshot`).

    A snapshot of format 3 is stored with the keys when it holds what the window prepares of
    them (its ``extra``); they are those of the ``search_keys`` table.
    """
    stored = read_snapshot(db, digest, version)
    if stored is None:
        return None
    keys = dict(stored.keys) if stored.keys is not None else None
    if keys is None and stored.extra is not None:
        keys = read_search_keys(db, digest) or None
    return stored.catalog, keys


def write_snapshot(db: Database, catalog: Catalog, version: str, extra: object = None) -> None:
    """Store ``catalog`` (and ``extra``, plain data of the caller's, when given) for the next
    start of program ``version``, in format 3 (:mod:`offline_cache.catalog_snapshot`); failing
    to is dropped.
    """
    try:
        data = catalog_snapshot.encode_snapshot(catalog, extra)
    except (TypeError, ValueError, RecursionError):
        return  # the start goes on with the catalog just loaded
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
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


# -- what a catalog directory's files were ---------------------------------------------------


def read_fingerprint(db: Database, root: str) -> tuple[str, str] | None:
    """``(fingerprint, digest)`` last recorded for the catalog directory ``root``; ``None`` when
    none is (or the table cannot be read)."""
    try:
        row = db.execute(f"SELECT fingerprint, digest FROM [{FINGERPRINTS}] WHERE root = ?", [root]).fetchone()
    except sqlite3.Error:
        return None
    return (row[0], row[1]) if row else None


def write_fingerprint(db: Database, root: str, fingerprint: str, digest: str) -> None:
    """Record that the files of ``root`` with ``fingerprint`` hash to ``digest``; failing to is
    dropped (the next start hashes them again)."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    try:
        db.execute(
            f"INSERT OR REPLACE INTO [{FINGERPRINTS}] (root, fingerprint, digest, recorded_at) VALUES (?, ?, ?, ?)",
            [root, fingerprint, digest, now],
        )
    except sqlite3.Error:
        pass
