"""Fixtures of the catalog cache's tests: a window database and a copy of the small catalog."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache.db import Database, open_database

SMALL = Path(__file__).parent / "catalogs" / "small"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "window.db")
    yield database
    database.close()


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    """A copy of the small catalog the test may change."""
    copy = tmp_path / "catalog"
    shutil.copytree(SMALL, copy)
    return copy
