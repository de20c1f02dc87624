"""Storage for what a start would otherwise derive from the catalog again, per catalog digest.

- ``search_keys``: the pinyin search keys of every offering of one catalog content.
- ``catalog_snapshots``: the validated :class:`~window_app.domain.catalog.Catalog` and its
  search keys, pickled together, with the program version that made it.

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

from offline_cache.db import Database
from window_app.domain.catalog import Catalog, SearchKeys
from window_app.domain.words import Words

TABLE = "search_keys"  # created by the schema migrations (offline_cache/schema.py)
SNAPSHOTS = "catalog_snapshots"  # likewise
SNAPSHOT_FORMAT = 2  # what a row's pickle holds: (2, Catalog, search keys or None); 1 was the bare Catalog
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
    """Pickle is used for our own frozen dataclasses only: it rebuilds the whole object graph in
    about 2 ms, with no schema of our own to keep in step with the model. To read nothing but
    that, this unpickler resolves only the catalog model's classes and :class:`Words` (the
    model's texts): a snapshot cannot name any other callable, so even a tampered database
    cannot make loading it run code."""

    def find_class(self, module: str, name: str) -> type:
        if (module == _MODEL_MODULE and not name.startswith("_")) or (module, name) == _WORDS:
            found = getattr(__import__(module, fromlist=[name]), name, None)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a catalog snapshot may not name {module}.{name}")


def read_snapshot_and_keys(
    db: Database, digest: str, version: str
) -> tuple[Catalog, dict[str, SearchKeys] | None] | None:
    """The catalog stored for ``digest`` by program ``version`` and the search keys stored with
    it (``None`` when the snapshot was stored without them); ``None`` when there is no snapshot
    or it cannot be read back (locked, damaged, another shape: never an exception)."""
    try:
        row = db.execute(
            f"SELECT data FROM [{SNAPSHOTS}] WHERE digest = ? AND app_version = ?", [digest, version]
        ).fetchone()
    except sqlite3.Error:
        return None  # locked, damaged, or a database without the table: load from the files
    if row is None:
        return None
    try:
        stored = _CatalogUnpickler(io.BytesIO(row[0])).load()
    except Exception:  # noqa: BLE001 - any damaged snapshot means: read the files instead
        return None
    # Format 1 (until issue 10) pickled the bare Catalog; format 2 a tuple (2, catalog, keys).
    if isinstance(stored, Catalog):
        catalog, keys = stored, None
    elif isinstance(stored, tuple) and len(stored) == 3 and stored[0] == SNAPSHOT_FORMAT:
        _format, catalog, keys = stored
    else:
        return None
    if not isinstance(catalog, Catalog) or catalog.digest != digest:
        return None
    if keys is not None and not (isinstance(keys, dict) and all(isinstance(k, SearchKeys) for k in keys.values())):
        keys = None  # the catalog is good; its keys are computed again
    return catalog, keys


def write_snapshot(db: Database, catalog: Catalog, version: str, keys: dict[str, SearchKeys] | None = None) -> None:
    """Store ``catalog`` (and its search ``keys``, when given) for the next start of program
    ``version``; failing to is dropped.

    Pickled together, the keys share their strings with the catalog (an offering's ``hanzi`` is
    its name): read back in one load, without a decode per offering.
    """
    try:
        data = pickle.dumps((SNAPSHOT_FORMAT, catalog, keys), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
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
