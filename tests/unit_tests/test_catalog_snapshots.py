"""The validated catalog read back from its SQLite snapshot, and never an outdated one."""

from __future__ import annotations

import json
import pickle
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_cache_fixtures import SMALL, catalog_dir, db  # noqa: F401 - fixtures

from offline_cache.catalog_cache import SNAPSHOT_FORMAT, SNAPSHOTS, read_snapshot_and_keys, write_snapshot
from offline_cache.db import Database, open_database
from window_app.catalog.cache import cached_catalog, cached_catalog_and_keys, snapshot_version
from window_app.catalog.loader import CatalogError, load_catalog
from window_app.catalog.search import compute_search_keys
from window_app.domain.words import language, set_language

ROOT = Path(__file__).resolve().parents[2]



def snapshots(db: Database) -> list[tuple[str, str]]:
    return db.execute(f"SELECT digest, app_version FROM {SNAPSHOTS} ORDER BY created_at").fetchall()


def refuse_to_load(path: Path):
    raise AssertionError(f"the files of {path} were parsed although a snapshot was stored")


def test_a_catalog_is_stored_once_and_read_back_equal(db: Database, catalog_dir: Path) -> None:
    loaded = cached_catalog(db, catalog_dir)
    assert loaded == load_catalog(catalog_dir)
    assert snapshots(db) == [(loaded.digest, snapshot_version())]

    again = cached_catalog(db, catalog_dir, load=refuse_to_load)
    assert again == loaded
    assert snapshots(db) == [(loaded.digest, snapshot_version())]


def test_an_edited_catalog_is_read_from_its_files_not_from_the_old_snapshot(db: Database, catalog_dir: Path) -> None:
    old = cached_catalog(db, catalog_dir)
    path = catalog_dir / "bundles" / "enterprise.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "企业注销"', 'name = "企业简易注销"'), encoding="utf-8")

    new = cached_catalog(db, catalog_dir)
    assert new.digest != old.digest
    assert new.bundles["enterprise_deregistration"].name.zh == "企业简易注销"
    assert cached_catalog(db, catalog_dir, load=refuse_to_load) == new
    # The older snapshot stays (a window may open an earlier catalog again), up to a few.
    assert {digest for digest, _version in snapshots(db)} == {old.digest, new.digest}


def test_a_new_file_in_the_catalog_changes_the_digest(db: Database, catalog_dir: Path) -> None:
    old = cached_catalog(db, catalog_dir)
    (catalog_dir / "items" / "notes.md").write_text("not a catalog file, but part of the directory\n", encoding="utf-8")
    assert cached_catalog(db, catalog_dir).digest != old.digest


def test_a_malformed_catalog_is_never_stored(db: Database, catalog_dir: Path) -> None:
    path = catalog_dir / "bundles" / "enterprise.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n[[bundle]]\nid = \n", encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        cached_catalog(db, catalog_dir)
    assert any(problem.file == "bundles/enterprise.toml" for problem in caught.value.problems)
    assert snapshots(db) == []


def test_a_missing_directory_is_reported_by_the_loader(db: Database, tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        cached_catalog(db, tmp_path / "nowhere")
    assert "no such directory" in str(caught.value.problems[0])


def test_a_damaged_snapshot_is_ignored_and_replaced(db: Database, catalog_dir: Path) -> None:
    good = cached_catalog(db, catalog_dir)
    db.execute(f"UPDATE {SNAPSHOTS} SET data = ?", [b"\x80\x05not a pickle at all"])
    assert cached_catalog(db, catalog_dir) == good
    assert cached_catalog(db, catalog_dir, load=refuse_to_load) == good


def test_a_snapshot_naming_anything_but_the_catalog_model_is_refused(
    db: Database, catalog_dir: Path, tmp_path: Path
) -> None:
    """Unpickling resolves only the model's classes: a tampered database cannot run code."""
    good = cached_catalog(db, catalog_dir)
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (Path.touch, (marker,))

    db.execute(f"UPDATE {SNAPSHOTS} SET data = ?", [pickle.dumps(Exploit())])
    assert cached_catalog(db, catalog_dir) == good
    assert not marker.exists()


def test_a_snapshot_may_name_the_words_class_but_nothing_else_of_its_module(db: Database, catalog_dir: Path) -> None:
    """The catalog's texts are Words, so the unpickler resolves that class; not its functions."""
    good = cached_catalog(db, catalog_dir)

    class SwitchesLanguage:
        def __reduce__(self):
            return (set_language, ("en",))

    db.execute(f"UPDATE {SNAPSHOTS} SET data = ?", [pickle.dumps(SwitchesLanguage())])
    assert cached_catalog(db, catalog_dir) == good
    assert language() == "zh"


def test_a_snapshot_of_another_program_version_is_not_read_and_is_dropped(db: Database, catalog_dir: Path) -> None:
    good = cached_catalog(db, catalog_dir)
    db.execute(f"UPDATE {SNAPSHOTS} SET app_version = '0.0.1+older', data = ?", [pickle.dumps(None)])

    assert cached_catalog(db, catalog_dir) == good
    assert snapshots(db) == [(good.digest, snapshot_version())]


def test_the_snapshot_version_follows_the_catalog_code() -> None:
    from window_app import __version__

    version = snapshot_version()
    assert version.startswith(f"{__version__}+") and len(version) > len(__version__) + 8
    assert snapshot_version() == version


def test_the_same_files_elsewhere_report_where_they_were_read(db: Database, catalog_dir: Path, tmp_path: Path) -> None:
    cached_catalog(db, catalog_dir)
    moved = tmp_path / "moved"
    shutil.copytree(catalog_dir, moved)
    catalog = cached_catalog(db, moved, load=refuse_to_load)
    assert catalog.source == str(moved)


def test_only_the_latest_few_snapshots_are_kept(db: Database, catalog_dir: Path) -> None:
    path = catalog_dir / "catalog.toml"
    original = path.read_text(encoding="utf-8")
    for number in range(12):
        path.write_text(original + f"\n# edit {number}\n", encoding="utf-8")
        latest = cached_catalog(db, catalog_dir)
    kept = snapshots(db)
    assert len(kept) == 8
    assert kept[-1][0] == latest.digest


def test_a_database_that_refuses_writes_still_gives_the_catalog(tmp_path: Path, catalog_dir: Path) -> None:
    """The snapshot is a cache: a read-only database slows the start, it does not stop it."""
    path = tmp_path / "window.db"
    open_database(path).close()
    read_only = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None))
    try:
        assert cached_catalog(read_only, catalog_dir) == load_catalog(catalog_dir)
        assert snapshots(read_only) == []
    finally:
        read_only.close()


def test_a_second_start_neither_imports_the_loader_nor_parses_toml(tmp_path: Path) -> None:
    """Two processes, as two window starts: the second reads the snapshot."""
    script = (
        "import json, sys\n"
        "from window_app.catalog.cache import cached_catalog\n"
        "from offline_cache.db import open_database\n"
        f"catalog = cached_catalog(open_database({str(tmp_path / 'window.db')!r}), {str(SMALL)!r})\n"
        "print(json.dumps({'loader': 'window_app.catalog.loader' in sys.modules,\n"
        "                  'digest': catalog.digest, 'bundles': sorted(catalog.bundles)}))\n"
    )

    def start() -> dict:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
        return json.loads(result.stdout)

    first, second = start(), start()
    assert first["loader"] is True
    assert second["loader"] is False
    assert second["digest"] == first["digest"] == load_catalog(SMALL).digest
    assert second["bundles"] == first["bundles"]


# -- the snapshot with its search keys (the window's start, issue 10) -------------------------


def test_a_window_start_reads_the_catalog_and_its_keys_back_from_one_snapshot(db: Database, catalog_dir: Path) -> None:
    catalog, keys = cached_catalog_and_keys(db, catalog_dir)
    assert catalog == load_catalog(catalog_dir)
    assert keys == compute_search_keys(catalog) and keys

    again, again_keys = cached_catalog_and_keys(db, catalog_dir, load=refuse_to_load)
    assert (again, again_keys) == (catalog, keys)
    # An offering's hanzi key is its name itself: held once, not as a second copy.
    bundle = next(iter(again.bundles.values()))
    assert again_keys[bundle.id].hanzi is bundle.name.zh
    # What the loader shares stays shared when read back (one list for many items).
    assert again.items["seal_engraving"].materials is again.items["tax_registration"].materials


def test_a_second_window_start_neither_parses_toml_nor_imports_pypinyin(tmp_path: Path) -> None:
    """Two processes, as two window starts: the second reads catalog and keys from the snapshot."""
    script = (
        "import json, sys\n"
        "from window_app.catalog.cache import cached_catalog_and_keys\n"
        "from offline_cache.db import open_database\n"
        f"catalog, keys = cached_catalog_and_keys(open_database({str(tmp_path / 'window.db')!r}), {str(SMALL)!r})\n"
        "print(json.dumps({'loader': 'window_app.catalog.loader' in sys.modules, 'pypinyin': 'pypinyin' in sys.modules,\n"
        "                  'keys': {k: [v.pinyin, v.initials] for k, v in keys.items()}}))\n"
    )

    def start() -> dict:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
        return json.loads(result.stdout)

    first, second = start(), start()
    assert first["loader"] is True and first["pypinyin"] is True
    assert second["loader"] is False and second["pypinyin"] is False
    assert second["keys"] == first["keys"] and first["keys"]


def test_a_snapshot_of_the_earlier_format_is_read_without_keys_and_rewritten(db: Database, catalog_dir: Path) -> None:
    """Format 1 (before issue 10) pickled the bare catalog; a row of it under this version's
    key (a checkout between the two) is read, its keys computed, and both stored again."""
    good = load_catalog(catalog_dir)
    write_snapshot(db, good, snapshot_version())
    db.execute(f"UPDATE {SNAPSHOTS} SET data = ?", [pickle.dumps(good)])
    assert read_snapshot_and_keys(db, good.digest, snapshot_version()) == (good, None)

    catalog, keys = cached_catalog_and_keys(db, catalog_dir, load=refuse_to_load)
    assert catalog == good and keys == compute_search_keys(good)
    assert read_snapshot_and_keys(db, good.digest, snapshot_version()) == (good, keys)


@pytest.mark.parametrize(
    "stored",
    [
        (99, None, None),  # a later format
        (2, "not a catalog", {}),
        "a string",
        (2,),
    ],
    ids=["later-format", "not-a-catalog", "string", "short-tuple"],
)
def test_a_snapshot_of_another_shape_is_ignored_never_a_crash(db: Database, catalog_dir: Path, stored: object) -> None:
    good, keys = cached_catalog_and_keys(db, catalog_dir)
    db.execute(f"UPDATE {SNAPSHOTS} SET data = ?", [pickle.dumps(stored)])
    assert cached_catalog_and_keys(db, catalog_dir) == (good, keys)
    assert cached_catalog(db, catalog_dir, load=refuse_to_load) == good


def test_damaged_keys_in_a_snapshot_are_computed_again(db: Database, catalog_dir: Path) -> None:
    good, keys = cached_catalog_and_keys(db, catalog_dir)
    db.execute(f"UPDATE {SNAPSHOTS} SET data = ?", [pickle.dumps((SNAPSHOT_FORMAT, good, {"x": "not keys"}))])
    assert cached_catalog_and_keys(db, catalog_dir, load=refuse_to_load) == (good, keys)
