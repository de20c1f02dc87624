"""Personal data at rest is the owner's alone: the window's data dir 0700, its database and the
WAL/SHM side files 0600, whatever the umask; an installation made before is tightened on open.
The exchange's file too (its directory may be anyone's, e.g. /tmp, and is left alone)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.db import open_database
from window_app.exchange.store import ExchangeStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """The usual umask of a desktop session: files 0644, directories 0755."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_a_new_window_database_is_readable_by_its_owner_only(tmp_path, loose_umask) -> None:
    data_dir = tmp_path / "data"
    db = open_database(data_dir / "window.sqlite")
    try:
        db.execute("CREATE TABLE probe (x)")  # a write: the WAL and SHM files exist now
        files = sorted(p.name for p in data_dir.iterdir())
        assert {"window.sqlite", "window.sqlite-wal", "window.sqlite-shm"} <= set(files)
        assert mode(data_dir) == 0o700
        assert {name: mode(data_dir / name) for name in files} == {name: 0o600 for name in files}
    finally:
        db.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_an_installation_made_before_is_tightened_when_opened(tmp_path, loose_umask) -> None:
    data_dir = tmp_path / "data"
    open_database(data_dir / "window.sqlite").close()
    data_dir.chmod(0o755)
    (data_dir / "window.sqlite").chmod(0o644)
    db = open_database(data_dir / "window.sqlite")
    db.close()
    assert (mode(data_dir), mode(data_dir / "window.sqlite")) == (0o700, 0o600)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_the_exchanges_file_is_private_and_its_directory_left_alone(tmp_path, loose_umask) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    store = ExchangeStore.open(shared / "exchange.db")
    try:
        assert mode(shared / "exchange.db") == 0o600
        assert mode(shared) == 0o755
    finally:
        store.close()
