"""What a start would otherwise derive from the catalog again, cached in the window's database.

- The search keys (pinyin): deriving them needs pypinyin, whose import alone takes about half a
  second; they are computed once per catalog content (``Catalog.digest``) and read back at
  every later start.
- The validated catalog itself: parsing and checking the TOML takes ~25 ms at every start; the
  resulting :class:`~window_app.domain.catalog.Catalog` is stored as a snapshot and read back
  while the files hash to the same digest. The digest is computed from the files whenever their
  names, sizes or times differ from the last start's (:func:`files_digest`), so an edited or
  replaced catalog is never served from an old snapshot.

Storage is :mod:`offline_cache.catalog_cache`; this module decides when to compute.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import offline_cache.catalog_cache
import offline_cache.catalog_snapshot
import window_app
import window_app.catalog
from offline_cache.catalog_cache import (
    read_fingerprint,
    read_search_keys,
    read_snapshot,
    write_fingerprint,
    write_search_keys,
    write_snapshot,
)
from offline_cache.db import Database
from window_app.catalog.offerings import OfferingTable
from window_app.catalog.reading import catalog_digest
from window_app.catalog.search import compute_search_keys
from window_app.domain import catalog as catalog_model
from window_app.domain import words as words_model
from window_app.domain.catalog import Catalog, SearchKeys


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a catalog is read (and its index built).

    Reading a 10,000-offering catalog allocates several hundred thousand objects, none of them
    garbage: the collector would walk them again and again as they are made (a third of a warm
    start, a fifth of a cold one). It runs as usual again afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cached_search_keys(db: Database, catalog: Catalog) -> dict[str, SearchKeys]:
    """The search keys of ``catalog``, by offering id, computed only if not stored yet.

    When they are computed, the keys of other (older) catalogs are dropped. The table is only a
    cache: if the keys cannot be written (disk full, database locked by another program), they
    are returned all the same and the next start tries again.
    """
    names = {bundle.id: bundle.name.zh for bundle in catalog.bundles.values()}
    names.update((item.id, item.name.zh) for item in catalog.items.values() if item.standalone)
    stored = read_search_keys(db, catalog.digest, names)
    if stored:
        return stored
    keys = compute_search_keys(catalog)
    write_search_keys(db, catalog.digest, keys)
    return keys


def cached_catalog(db: Database, root: str | Path, load: Callable[[Path], Catalog] | None = None) -> Catalog:
    """The validated catalog in ``root``: its snapshot when the files are the ones it was made
    from, else ``load(root)`` (parsed and checked), stored for the next start.

    The snapshot is only a cache: when it cannot be read (locked, damaged, written by another
    version of the program) the catalog is loaded from its files, and when it cannot be
    written the next start loads them again.

    Args:
        load: How to read the files (default :func:`window_app.catalog.loader.load_catalog`).

    Raises:
        window_app.catalog.problems.CatalogError: From ``load``; a malformed catalog is never stored.
    """
    return _cached(db, root, load, want="catalog")[0]


def cached_catalog_and_keys(
    db: Database, root: str | Path, load: Callable[[Path], Catalog] | None = None
) -> tuple[Catalog, dict[str, SearchKeys]]:
    """The validated catalog in ``root`` and its search keys, as :func:`cached_catalog` and
    :func:`cached_search_keys` give them, read back together from one snapshot at every start
    after the first.

    Raises:
        window_app.catalog.problems.CatalogError: From ``load``; a malformed catalog is never stored.
    """
    catalog, keys, _table = _cached(db, root, load, want="keys")
    assert keys is not None
    return catalog, keys


def cached_catalog_and_offerings(
    db: Database, root: str | Path, load: Callable[[Path], Catalog] | None = None
) -> tuple[Catalog, OfferingTable]:
    """The validated catalog in ``root`` and its :class:`~window_app.catalog.offerings.OfferingTable`
    (what the search index of any window needs), read back together from one snapshot at every
    start after the first: the window's start. The catalog's entries are decoded on first use.

    Raises:
        window_app.catalog.problems.CatalogError: From ``load``; a malformed catalog is never stored.
    """
    catalog, _keys, table = _cached(db, root, load, want="offerings")
    assert table is not None
    return catalog, table


def _cached(
    db: Database, root: str | Path, load: Callable[[Path], Catalog] | None, *, want: str
) -> tuple[Catalog, Mapping[str, SearchKeys] | None, OfferingTable | None]:
    """The snapshot's catalog, else the catalog loaded and stored; with its search keys
    (``want`` "keys": from the ``search_keys`` table, computed if not there) and its offering
    table ("keys", "offerings"; built and stored with the catalog when the snapshot holds none)."""
    root = Path(root)
    digest = files_digest(db, root)
    version = snapshot_version()
    if digest:
        stored = read_snapshot(db, digest, version)
        if stored is not None:
            catalog, table = _from(stored.catalog, root), _table(stored.extra)
            keys = None
            if want != "catalog":
                if want == "keys" or table is None:
                    keys = _readable_keys(stored.keys) or cached_search_keys(db, catalog)
                if table is None:  # stored without it (by cached_catalog, or an earlier format)
                    table = OfferingTable.build(catalog, keys)
                    write_snapshot(db, stored.catalog, version, table.to_plain())
            return catalog, keys, table
    catalog = (load or window_app.catalog.loader.load_catalog)(root)
    keys = table = None
    if want != "catalog":
        keys = cached_search_keys(db, catalog)
        table = OfferingTable.build(catalog, keys)
    if digest and catalog.digest == digest:  # not stored if the files changed while being read
        write_snapshot(db, catalog, version, table.to_plain() if table else None)
    return catalog, keys, table


RACY_SECONDS = 2
"""A file changed this recently may change again within its timestamp's resolution (a second
or two on some file systems) without its times showing it: its fingerprint is not trusted."""


def files_digest(db: Database, root: Path) -> str:
    """:func:`~window_app.catalog.reading.catalog_digest` of ``root``, taken from the last
    start's record while the directory's files have the same names, sizes, times and inodes.

    Hashing a 10,000-offering catalog reads 10 MB at every start; looking at its files'
    metadata takes well under a millisecond. An edit changes a file's modification time and
    (whatever tool made it, even one that puts the time back) its change time; a replaced
    file has another inode; an added or removed one changes the list. Files changed in the last
    :data:`RACY_SECONDS` are hashed and not recorded.
    """
    fingerprint = files_fingerprint(root)
    if fingerprint is not None:
        recorded = read_fingerprint(db, str(root))
        if recorded is not None and recorded[0] == fingerprint:
            return recorded[1]
    digest = catalog_digest(root)
    if fingerprint is not None and digest and files_fingerprint(root) == fingerprint:  # unchanged while hashed
        write_fingerprint(db, str(root), fingerprint, digest)
    return digest


def files_fingerprint(root: Path) -> str | None:
    """The names, sizes, times and inodes of every file below ``root`` (the catalog's and any
    other, hidden ones too: a superset of what the digest reads), hashed; ``None`` when one
    cannot be looked at or changed in the last :data:`RACY_SECONDS`."""
    settled = time.time_ns() - RACY_SECONDS * 1_000_000_000
    hasher = hashlib.sha256()
    try:
        for directory, subdirectories, files in os.walk(root, onerror=_raise):
            subdirectories.sort()
            for name in sorted(files):
                path = os.path.join(directory, name)
                found = os.stat(path)
                if max(found.st_mtime_ns, found.st_ctime_ns) >= settled:
                    return None
                fields = (os.path.relpath(path, root), found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev)
                hasher.update(repr(fields).encode("utf-8", "surrogateescape"))
    except OSError:
        return None
    return hasher.hexdigest()


def _raise(error: OSError) -> None:
    raise error


def _table(extra: object) -> OfferingTable | None:
    """The offering table stored in a snapshot; ``None`` if it holds none (or a damaged one)."""
    if extra is None:
        return None
    try:
        return OfferingTable.from_plain(extra)
    except ValueError:
        return None


def _readable_keys(keys: Mapping[str, SearchKeys] | None) -> dict[str, SearchKeys] | None:
    """Stored keys as a dictionary; ``None`` when there are none or they do not decode."""
    if keys is None:
        return None
    try:
        found = dict(keys)
    except Exception:  # noqa: BLE001 - damaged keys are computed again
        return None
    return found if all(isinstance(k, SearchKeys) for k in found.values()) else None


def _from(catalog: Catalog, root: Path) -> Catalog:
    """The snapshot's catalog with ``source`` naming where it is read from now."""
    source = str(root)
    return catalog if catalog.source == source else dataclasses.replace(catalog, source=source)


def snapshot_version() -> str:
    """The program's version and a hash of the catalog code (the model, its texts, the loader and
    the snapshot's storage).

    A snapshot is read back only by the code that made it: the model's classes or the loader's
    defaults can change without a version bump (in every developer's checkout), and objects of
    an older shape must then be rebuilt from the files, not served.
    """
    sources = [
        Path(catalog_model.__file__),
        Path(words_model.__file__),
        Path(offline_cache.catalog_cache.__file__),  # the snapshot's storage
        Path(offline_cache.catalog_snapshot.__file__),  # and its format
        *sorted(Path(__file__).parent.glob("*.py")),
    ]
    hasher = hashlib.sha256()
    for path in sources:
        hasher.update(path.name.encode("utf-8"))
        hasher.update(path.read_bytes())
    return f"{window_app.__version__}+{hasher.hexdigest()[:16]}"
