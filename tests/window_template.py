"""A window database made once per test process and copied for every test that opens a window.

A window's first start on a fresh file migrates it, parses and checks the shipped catalog and
computes the pinyin search keys of every offering (about 80 ms, plus pypinyin's import); every
later start reads the catalog snapshot and the keys back from the file. The tests want fresh
files, not that first-start cost each time: :func:`seed_window_database` copies a template
made by a real first start (``Window.open`` on the shipped settings) into the test's data dir.

The template keeps the schema, the catalog snapshot and the search keys only: its
installation tag is deleted, so every copy gets its own at its first open (and its own window key),
as a new installation does. Each process (each pytest-xdist worker) makes its own template.
The tests of the first start itself (``tests/unit_tests/test_catalog_snapshots.py``,
``test_catalog_search.py``, ``test_store_db.py``) open files of their own, never a copy.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sqlite3
import tempfile
from pathlib import Path

from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.trust.data_key import DataKey
from window_app.window import Window

TEST_DATA_KEY = DataKey(bytes(range(32)))
"""The window data key of the test windows (``window`` fixture, tests/conftest.py): a fixed one,
so a failed test's database can be read."""


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
    Window.open(settings).close()
    path = Path(settings.database_path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("DELETE FROM meta WHERE key = 'installation_tag'")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the main file: it alone is copied
    finally:
        conn.close()  # the last connection: SQLite removes the emptied WAL
    assert not Path(f"{path}-wal").exists(), "the template's WAL was not checkpointed"
    return path
