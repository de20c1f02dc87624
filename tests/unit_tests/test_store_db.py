"""Opening the window's database: migrations, per-installation values, failures in words."""

from __future__ import annotations

import errno
import sqlite3

import pytest

from offline_cache import export
from offline_cache.db import (
    durable_transaction,
    installation_tag,
    open_database,
    storage_error_from,
    storage_errors,
)
from offline_cache.schema import APPLICATIONS_EXPORT, MIGRATIONS
from window_app.domain.errors import StorageError
from window_app.domain.words import Words


def test_a_new_file_is_created_with_every_table_in_wal_mode(tmp_path) -> None:
    path = tmp_path / "deep" / "er" / "window.sqlite"
    db = open_database(path)
    try:
        assert path.is_file()
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert {
            "meta",
            "drafts",
            "applications",
            "application_parts",
            "outbox",
            "audit",
            "receipt_sequence",
            "search_keys",
            "catalog_snapshots",
        } <= set(db.utils.table_names())
    finally:
        db.close()


def test_search_keys_table_has_the_columns_the_catalog_cache_writes(tmp_path) -> None:
    db = open_database(tmp_path / "w.sqlite")
    try:
        assert [column.name for column in db.utils["search_keys"].columns] == [
            "digest",
            "offering_id",
            "hanzi",
            "pinyin",
            "initials",
            "keywords",
            "synonyms",
        ]
        assert db.utils["search_keys"].pks == ["digest", "offering_id"]
    finally:
        db.close()


def test_installation_values_are_made_once_and_kept_across_reopening(tmp_path) -> None:
    path = tmp_path / "w.sqlite"
    db = open_database(path)
    tag = installation_tag(db)
    db.close()
    reopened = open_database(path)
    try:
        assert installation_tag(reopened) == tag
        assert len(tag) == 4 and not set(tag) & set("ILOU")
    finally:
        reopened.close()


def test_two_databases_get_different_tags(tmp_path) -> None:
    first, second = open_database(tmp_path / "a.sqlite"), open_database(tmp_path / "b.sqlite")
    try:
        # Equal tags happen once in 32**4 = 1,048,576 pairs.
        assert installation_tag(first) != installation_tag(second)
    finally:
        first.close()
        second.close()


def test_a_database_from_a_newer_program_is_refused_in_words(tmp_path) -> None:
    path = tmp_path / "w.sqlite"
    open_database(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()

    with pytest.raises(StorageError) as caught:
        open_database(path)
    assert caught.value.kind == "too_new"
    assert "更新版本" in caught.value.words.zh
    assert "newer version" in caught.value.words.en


def test_a_file_that_is_not_a_database_is_refused_in_words(tmp_path) -> None:
    path = tmp_path / "w.sqlite"
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 200)

    with pytest.raises(StorageError) as caught:
        open_database(path)
    assert caught.value.kind == "corrupt"
    assert "已损坏" in caught.value.words.zh
    assert "backup" in caught.value.words.en


def test_a_data_dir_that_is_a_file_is_refused_in_words(tmp_path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")

    with pytest.raises(StorageError) as caught:
        open_database(blocker / "window.sqlite")
    assert caught.value.words.zh  # words, not a traceback
    assert isinstance(caught.value.__cause__, OSError)


def test_a_locked_database_says_so_before_writing_anything(tmp_path) -> None:
    path = tmp_path / "w.sqlite"
    db = open_database(path, busy_timeout_seconds=0.1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StorageError) as caught:
            with storage_errors(Words("本次受理", "This acceptance")), durable_transaction(db):
                db.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
    finally:
        other.rollback()
        other.close()
    try:
        assert caught.value.kind == "locked"
        assert "数据库正被另一个程序占用" in caught.value.words.zh
        assert "in use by another program" in caught.value.words.en
        assert db.execute("SELECT count(*) FROM meta WHERE key = 'x'").fetchone()[0] == 0
    finally:
        db.close()


def test_durable_transaction_restores_normal_synchronous_and_rolls_back_on_error(tmp_path) -> None:
    db = open_database(tmp_path / "w.sqlite")
    try:
        with pytest.raises(ValueError):
            with durable_transaction(db):
                assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
                db.execute("INSERT INTO meta (key, value) VALUES ('half', 'written')")
                raise ValueError("interrupted")
        assert db.execute("SELECT count(*) FROM meta WHERE key = 'half'").fetchone()[0] == 0
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert not db.conn.in_transaction
    finally:
        db.close()


def test_durable_transactions_do_not_nest(tmp_path) -> None:
    db = open_database(tmp_path / "w.sqlite")
    try:
        with durable_transaction(db):
            with pytest.raises(RuntimeError):
                with durable_transaction(db):
                    pass
    finally:
        db.close()


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "full", "磁盘空间已满"),
        (OSError(errno.EROFS, "Read-only file system"), "readonly", "只读"),
        (OSError(errno.EACCES, "Permission denied"), "readonly", "权限"),
        (OSError(errno.EIO, "Input/output error"), "io", "读写磁盘出错"),
    ],
)
def test_operating_system_errors_become_plain_words(error: OSError, kind: str, words: str) -> None:
    translated = storage_error_from(error, Words("本次受理", "This acceptance"))
    assert translated.kind == kind
    assert words in translated.words.zh
    assert "本次受理未写入" in translated.words.zh
    assert "not written" in translated.words.en


def test_a_version_3_file_gains_the_export_view_and_keeps_its_rows(tmp_path) -> None:
    """The first migration written with sqlite-utils (``create_view``) upgrades a file as old
    programs left it: versions 1–3 applied as plain SQL, an application in it."""
    path = tmp_path / "old.sqlite"
    raw = sqlite3.connect(path)
    for migration in MIGRATIONS[:3]:
        for statement in migration:
            raw.execute(statement)
    raw.execute(
        "INSERT INTO applications (receipt_no, offering_id, offering_kind, offering_name, applicant_kind, applicant_name, "
        "state, catalog_version, lead_department, intake, guide, window_id, clerk, accepted_at, updated_at) "
        "VALUES ('r1', 'o', 'bundle', '企业开办', 'person', '张三', 'accepted', '1', 'market', '{}', '{}', 'ZF-01', 'c', "
        "'2026-11-27T09:30:00+08:00', 't')"
    )
    for department, stage in (("market", 1), ("tax", 2)):
        raw.execute(
            "INSERT INTO application_parts (receipt_no, department, stage, items, state, updated_at) "
            "VALUES ('r1', ?, ?, '[]', 'queued', 't')",
            [department, stage],
        )
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()

    db = open_database(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert APPLICATIONS_EXPORT in db.utils.view_names()
        rows = list(export.application_rows(db))
        assert [(row["receipt_no"], row["applicant_name"], row["department"], row["stage"]) for row in rows] == [
            ("r1", "张三", "market", 1),
            ("r1", "张三", "tax", 2),
        ]
    finally:
        db.close()
