"""A window's start from the catalog snapshot (format 3): entries decoded on first use, the
offerings and their search read from the stored table, the files not hashed while unchanged."""

from __future__ import annotations

import copy
import dataclasses
import marshal
import os
import pickle
import shutil
import zlib
from pathlib import Path

import pytest
from catalog_cache_fixtures import SMALL, catalog_dir, db  # noqa: F401 - fixtures

import window_app.catalog.cache as catalog_cache
from offline_cache import catalog_snapshot
from offline_cache.catalog_cache import SNAPSHOTS, read_snapshot
from offline_cache.db import Database, open_database
from window_app.catalog.cache import cached_catalog, cached_catalog_and_offerings, snapshot_version
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.catalog.offerings import LazyOffering, OfferingTable
from window_app.catalog.search import OfferingIndex, compute_search_keys, offerings_for_region
from window_app.domain.catalog import Catalog, Offering


def refuse_to_load(path: Path):
    raise AssertionError(f"the files of {path} were parsed although a snapshot was stored")


def ids(offerings) -> list[str]:
    return [offering.id for offering in offerings]


def test_a_second_start_decodes_an_entry_when_it_is_first_looked_up(db: Database, catalog_dir: Path) -> None:
    loaded = load_catalog(catalog_dir)
    cached_catalog_and_offerings(db, catalog_dir)
    catalog, _table = cached_catalog_and_offerings(db, catalog_dir, load=refuse_to_load)

    items = catalog.items
    assert isinstance(items, catalog_snapshot.LazyTable)
    assert list(items) == list(loaded.items) and len(items) == len(loaded.items)
    assert items._made == {}  # nothing decoded by reading the snapshot
    assert items["seal_engraving"] == loaded.items["seal_engraving"]
    assert items["seal_engraving"] is items["seal_engraving"]  # decoded once, then kept
    assert "seal_engraving" in items and "no_such_item" not in items and items.get("no_such_item") is None
    with pytest.raises(KeyError):
        items["no_such_item"]
    # What the loader shares is shared again (one material list for several items).
    assert items["seal_engraving"].materials is items["tax_registration"].materials
    assert catalog == loaded


@pytest.mark.parametrize("region", ["522325", "522300", "522301", "520102", "520900", "110000"])
def test_the_stored_table_gives_the_offerings_and_search_of_every_region(db: Database, catalog_dir: Path, region: str) -> None:
    loaded = load_catalog(catalog_dir)
    expected = OfferingIndex(offerings_for_region(loaded, region), compute_search_keys(loaded))
    cached_catalog_and_offerings(db, catalog_dir)
    catalog, table = cached_catalog_and_offerings(db, catalog_dir, load=refuse_to_load)

    index = table.index(catalog, region)
    assert ids(index.offerings) == ids(expected.offerings)
    assert index.offerings == expected.offerings  # a lazy offering equals the eager one
    assert all(isinstance(offering, LazyOffering) for offering in index.offerings)
    for query in ["", "qykb", "企业", "kaiye", "newborn", "yyzz", "开", "q", "zzzz", "enterprise opening"]:
        assert ids(index.search(query)) == ids(expected.search(query)), query
    for offering in expected.offerings:
        assert index.get(offering.id) == offering


def test_a_lazy_offering_is_an_offering_in_every_way(db: Database, catalog_dir: Path) -> None:
    loaded = load_catalog(catalog_dir)
    cached_catalog_and_offerings(db, catalog_dir)
    catalog, table = cached_catalog_and_offerings(db, catalog_dir, load=refuse_to_load)
    lazy = {offering.id: offering for offering in table.index(catalog, "522325").offerings}
    eager = {offering.id: offering for offering in offerings_for_region(loaded, "522325")}

    for offering_id, offering in eager.items():
        assert lazy[offering_id] == offering and offering == lazy[offering_id]
        assert hash(lazy[offering_id]) == hash(offering)
        assert lazy[offering_id].kind == offering.kind
        assert lazy[offering_id].bundle == offering.bundle
    item = next(offering for offering in lazy.values() if offering.kind == "item")
    assert item.bundle is item.bundle  # the one-item bundle is made once
    assert type(pickle.loads(pickle.dumps(item))) is Offering and pickle.loads(pickle.dumps(item)) == item
    assert copy.deepcopy(item) == item
    assert dataclasses.replace(item, kind="bundle").bundle == item.bundle


def test_the_shipped_catalog_table_equals_offerings_for_region() -> None:
    shipped = load_catalog(shipped_catalog_path())
    keys = compute_search_keys(shipped)
    table = OfferingTable.from_plain(marshal.loads(marshal.dumps(OfferingTable.build(shipped, keys).to_plain())))
    for region in sorted(shipped.regions):
        assert table.index(shipped, region).offerings == offerings_for_region(shipped, region), region


def test_a_damaged_offering_table_is_built_again(db: Database, catalog_dir: Path) -> None:
    catalog, table = cached_catalog_and_offerings(db, catalog_dir)
    for damaged in [None, (1, 2), (0, ("a",), (), b"", (), (), ())]:
        with pytest.raises(ValueError):
            OfferingTable.from_plain(damaged) if damaged is not None else OfferingTable.from_plain("x")
    # A snapshot stored without the table (cached_catalog, as the sync engine stores one) gets it.
    db.execute(f"DELETE FROM {SNAPSHOTS}")
    cached_catalog(db, catalog_dir)
    assert read_snapshot(db, catalog.digest, snapshot_version()).extra is None
    again, again_table = cached_catalog_and_offerings(db, catalog_dir, load=refuse_to_load)
    assert again_table == table and again == catalog
    assert read_snapshot(db, catalog.digest, snapshot_version()).extra is not None


def test_a_snapshot_with_a_flipped_byte_is_ignored_and_replaced(db: Database, catalog_dir: Path) -> None:
    good, _table = cached_catalog_and_offerings(db, catalog_dir)
    data = bytearray(db.execute(f"SELECT data FROM {SNAPSHOTS}").fetchone()[0])
    data[len(data) // 2] ^= 0x01  # in an entry: found by the checksum, not when it is decoded
    db.execute(f"UPDATE {SNAPSHOTS} SET data = ?", [bytes(data)])
    assert read_snapshot(db, good.digest, snapshot_version()) is None
    assert cached_catalog(db, catalog_dir) == good
    assert cached_catalog(db, catalog_dir, load=refuse_to_load) == good


def test_a_snapshot_entry_naming_anything_but_the_model_is_never_built(db: Database, catalog_dir: Path, tmp_path: Path) -> None:
    """Decoding calls only the catalog model's constructors, whatever the bytes say."""
    good, _table = cached_catalog_and_offerings(db, catalog_dir)
    marker = tmp_path / "pwned"
    entry = marshal.dumps((Ellipsis, "Path", str(marker)))
    tables = {"items": (("x",), len(entry).to_bytes(8, "little"), entry)}
    payload = marshal.dumps((catalog_snapshot.FORMAT, {"version": "1", "name": "n", "digest": good.digest, "source": ""},
                             {**{name: ((), b"", b"") for name in _mapping_fields()}, **tables},
                             (b"", b""), None))
    forged = catalog_snapshot.MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload
    stored = catalog_snapshot.decode_snapshot(forged)
    with pytest.raises(ValueError, match="may not name 'Path'"):
        stored.catalog.items["x"]
    assert not marker.exists()


def _mapping_fields() -> list[str]:
    """The catalog's look-up tables (each stored as a table in a snapshot)."""
    return [field.name for field in dataclasses.fields(Catalog) if str(field.type).startswith("dict[")]


# -- the files' digest without reading them ---------------------------------------------------


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written a moment ago count as settled (the tests cannot wait two seconds)."""
    monkeypatch.setattr(catalog_cache, "RACY_SECONDS", 0)


def test_unchanged_files_are_not_read_again_for_their_digest(
    db: Database, catalog_dir: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cached_catalog(db, catalog_dir)

    def no_hashing(root: Path) -> str:
        raise AssertionError("the files were hashed although they did not change")

    monkeypatch.setattr(catalog_cache, "catalog_digest", no_hashing)
    assert cached_catalog(db, catalog_dir, load=refuse_to_load) == first


def test_an_edit_is_seen_even_when_the_modification_time_is_put_back(db: Database, catalog_dir: Path, settled: None) -> None:
    old = cached_catalog(db, catalog_dir)
    path = catalog_dir / "bundles" / "enterprise.toml"
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert 'name = "企业注销"' in text
    path.write_text(text.replace('name = "企业注销"', 'name = "企业撤销"'), encoding="utf-8")  # the same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns

    new = cached_catalog(db, catalog_dir)
    assert new.digest != old.digest
    assert new.bundles["enterprise_deregistration"].name.zh == "企业撤销"


def test_a_new_file_is_seen(db: Database, catalog_dir: Path, settled: None) -> None:
    old = cached_catalog(db, catalog_dir)
    (catalog_dir / "items" / "notes.md").write_text("a note\n", encoding="utf-8")
    assert cached_catalog(db, catalog_dir).digest != old.digest


def test_files_changed_a_moment_ago_are_hashed_and_not_recorded(db: Database, catalog_dir: Path) -> None:
    cached_catalog(db, catalog_dir)  # the copy was just made: too recent to be trusted
    assert db.execute("SELECT COUNT(*) FROM catalog_fingerprints").fetchone()[0] == 0
