"""A window database made once per test process and copied for every test that opens a window.

A window's first start on a fresh file migrates it, parses and checks the shipped catalog and
computes the pinyin search keys of every offering (about 80 ms, plus pypinyin's import); every
later start reads the catalog snapshot and the keys back from the file. The tests want fresh
files, not that first-start cost each time: :func:`seed_window_database` copies a template
made by a real first start (``Window.open`` on the shipped settings) into the test's data dir.

The template also holds one clerk account, :data:`TEST_CLERK` with every role (PIN
:data:`TEST_PIN`, argon2id at its cheapest, :data:`TEST_KDF`, so that signing in costs a few
milliseconds per test, not ~85 ms): the ``window`` fixture signs it in, and the CLI tests name it
through ``$WINDOW_APP_CLERK`` / ``$WINDOW_APP_PIN`` (tests/conftest.py).

The template keeps the schema, the catalog snapshot, the search keys and the account only: its
installation tag is deleted, so every copy gets its own at its first open (and its own window key),
as a new installation does. Each process (each pytest-xdist worker) makes its own template.
The tests of the first start itself (``tests/unit_tests/test_catalog_snapshots.py``,
``test_catalog_search.py``, ``test_store_db.py``) open files of their own, never a copy.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.clerks import Role
from window_app.trust.data_key import DataKey
from window_app.trust.pins import KdfParams
from window_app.window import Window

TEST_CLERK = "T001"
TEST_CLERK_NAME = "测试员"
TEST_PIN = "test-pin-2468"
TEST_KDF = KdfParams(time_cost=1, memory_kib=8, parallelism=1)
"""Tests only: the weakest argon2id argon2-cffi accepts (8 KiB, one pass). Real accounts get
the default cost; the cost is stored per account, so a test account is no weaker a path."""


CLERK_ENVIRON = {"WINDOW_APP_CLERK": TEST_CLERK, "WINDOW_APP_PIN": TEST_PIN}
"""What a subprocess given an environment of its own needs to act as the test clerk."""


def open_signed_in(settings: Settings, clock: Callable[[], dt.datetime] | None = None) -> Window:
    """The window of ``settings`` (a copy of the template unless its file exists), the test clerk
    signed in: what a clerk has after the sign-in screen."""
    window = Window.open(seed_window_database(settings), clock=clock)
    try:
        window.sign_in(TEST_CLERK, TEST_PIN)
    except BaseException:
        window.close()
        raise
    return window


@functools.cache
def template_data_key() -> DataKey:
    """The window data key of every copy of this process's template (what the test clerk's
    sign-in opens): for tests that read a database file's sealed columns themselves."""
    directory = Path(tempfile.mkdtemp(prefix="window-template-key-"))
    try:
        window = open_signed_in(load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(directory / "data")))
        try:
            assert window.db.data_key is not None
            return window.db.data_key
        finally:
            window.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def seed_data_dir(data_dir: Path) -> Path:
    """A data dir holding a copy of the template (the shipped window's settings otherwise)."""
    seed_window_database(load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(data_dir)))
    return data_dir


def seed_window_database(settings: Settings) -> Settings:
    """Copy the template to ``settings.database_path`` unless a file is already there; return
    ``settings`` (so a settings helper can end with ``return seed_window_database(…)``)."""
    target = Path(settings.database_path)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_template(), target)
    return settings


@functools.cache
def _template() -> Path:
    """The template file, made by a real first start of the shipped window (once per process)."""
    directory = Path(tempfile.mkdtemp(prefix="window-template-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(directory / "data"))
    window = Window.open(settings)
    try:
        window.create_first_administrator(TEST_CLERK, TEST_CLERK_NAME, TEST_PIN, kdf=TEST_KDF)
        window.set_clerk_roles(TEST_CLERK, tuple(Role))
    finally:
        window.close()
    path = Path(settings.database_path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DELETE FROM meta WHERE key = 'installation_tag'")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file: it alone is copied
    finally:
        conn.close()  # the last connection: SQLite removes the emptied WAL
    assert not Path(f"{path}-wal").exists(), "the template's WAL was not checkpointed"
    return path
