"""The one migrator and the one durable transaction, shared by the window's and the exchange's
databases: real SQLite files, a second connection where another process matters."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from window_app.sqlite_kit import durable_transaction, migrate, user_version

ROOT = Path(__file__).resolve().parents[2]


class TooNew(Exception):
    pass


def too_new(current: int, known: int) -> TooNew:
    return TooNew(f"{current} > {known}")


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def add_phone_and_index(db) -> None:
    # a step through sqlite-utils, as new migrations are written
    db["people"].add_column("phone", str, not_null_default="")
    db["people"].create_index(["phone"], index_name="people_phone")


SCHEMA = (
    ("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",),
    (add_phone_and_index, "INSERT INTO people (name, phone) VALUES ('张三', '13800000000')"),
)


def test_a_new_file_gets_every_version_sql_and_sqlite_utils_steps_alike(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.sqlite")
    assert migrate(conn, SCHEMA, too_new=too_new) == 2
    assert user_version(conn) == 2
    assert conn.execute("SELECT name, phone FROM people").fetchall() == [("张三", "13800000000")]
    assert [row[1] for row in conn.execute("PRAGMA index_list(people)")] == ["people_phone"]
    assert not conn.in_transaction


def test_an_old_file_gets_only_what_it_lacks_and_keeps_its_rows(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.sqlite")
    migrate(conn, SCHEMA[:1], too_new=too_new)
    conn.execute("INSERT INTO people (name) VALUES ('李四')")
    assert migrate(conn, SCHEMA, too_new=too_new) == 2
    assert conn.execute("SELECT name, phone FROM people ORDER BY id").fetchall() == [("李四", ""), ("张三", "13800000000")]


def test_an_up_to_date_file_does_not_import_sqlite_utils(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    migrate(connect(path), SCHEMA[:1], too_new=too_new)
    script = (
        "import sqlite3, sys\n"
        "from window_app.sqlite_kit import migrate\n"
        f"conn = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "migrate(conn, [['CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)']], too_new=lambda current, known: RuntimeError())\n"
        "print('sqlite_utils' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_file_from_a_newer_program_is_refused_and_left_alone(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.sqlite")
    migrate(conn, SCHEMA, too_new=too_new)
    with pytest.raises(TooNew, match="2 > 1"):
        migrate(conn, SCHEMA[:1], too_new=too_new)
    assert user_version(conn) == 2


def test_a_failing_step_rolls_its_version_back_and_keeps_the_earlier_ones(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.sqlite")
    broken = (SCHEMA[0], ("ALTER TABLE people ADD COLUMN phone TEXT", "INSERT INTO nowhere VALUES (1)"))
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        migrate(conn, broken, too_new=too_new)
    assert user_version(conn) == 1
    assert [row[1] for row in conn.execute("PRAGMA table_info(people)")] == ["id", "name"]
    assert not conn.in_transaction


def test_sqlite_utils_steps_join_the_migration_transaction_and_roll_back_with_it(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.sqlite")
    broken = (SCHEMA[0], (add_phone_and_index, "INSERT INTO nowhere VALUES (1)"))
    with pytest.raises(sqlite3.OperationalError, match="nowhere"):
        migrate(conn, broken, too_new=too_new)
    assert user_version(conn) == 1
    assert [row[1] for row in conn.execute("PRAGMA table_info(people)")] == ["id", "name"]
    assert conn.execute("PRAGMA index_list(people)").fetchall() == []


def test_a_version_another_process_applied_meanwhile_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    ours, theirs = connect(path), connect(path)
    migrate(ours, SCHEMA[:1], too_new=too_new)
    ran: list[str] = []

    def ours_version_2(db) -> None:
        ran.append("ours")

    def other_process_migrates(statement: str) -> None:
        # After we read version 1, before we take the write lock, the other process migrates.
        if statement == "PRAGMA synchronous" and not ran:
            ran.append("theirs")
            migrate(theirs, SCHEMA, too_new=too_new)

    ours.set_trace_callback(other_process_migrates)
    assert migrate(ours, (SCHEMA[0], (ours_version_2,)), too_new=too_new) == 2
    ours.set_trace_callback(None)
    assert ran == ["theirs"]  # version 2 was there when we looked again under the lock
    assert ours.execute("SELECT name FROM people").fetchall() == [("张三",)]


def test_durable_transaction_is_full_while_open_and_puts_the_level_back(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.sqlite")
    migrate(conn, SCHEMA[:1], too_new=too_new)
    with durable_transaction(conn):
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        conn.execute("INSERT INTO people (name) VALUES ('王五')")
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL again
    with pytest.raises(ValueError), durable_transaction(conn):
        conn.execute("INSERT INTO people (name) VALUES ('赵六')")
        raise ValueError("interrupted")
    assert [row[0] for row in conn.execute("SELECT name FROM people")] == ["王五"]
    with pytest.raises(RuntimeError), durable_transaction(conn), durable_transaction(conn):
        pass
    assert not conn.in_transaction


def test_a_held_write_lock_fails_before_anything_is_written_as_the_caller_says(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    conn, other = connect(path), connect(path)
    migrate(conn, SCHEMA[:1], too_new=too_new)
    conn.execute("PRAGMA busy_timeout = 50")
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(TooNew, match="busy") as caught:
            with durable_transaction(conn, busy=lambda exc: TooNew(f"busy: {exc}")):
                pytest.fail("the block must not run without the write lock")
        assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
        with pytest.raises(sqlite3.OperationalError, match="locked"), durable_transaction(conn):
            pass
    finally:
        other.execute("ROLLBACK")
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1
