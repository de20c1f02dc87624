"""Shared fixtures: a real window on a real SQLite file in a temporary data dir."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.window_template import TEST_CLERK, TEST_PIN, seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.words import set_language
from window_app.window import Window

# Snapshots and receipt numbers print dates: the clock is pinned to one moment in the
# window's time zone (China Standard Time) so they are stable.
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _no_user_config_file(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A developer's own ``~/.config/window-app/config.toml`` (``window-app config init``) is in
    the search order before the package default: keep it out of every case and subprocess."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "no-user-config"))


@pytest.fixture(autouse=True)
def _chinese_first() -> Iterator[None]:
    """Every case starts in the default language, Chinese. The language is process-wide and a
    worker runs many cases: one that switches to English (F2, ``--lang en``) must not decide the
    language of whatever case runs next on that worker."""
    set_language("zh")
    yield
    set_language("zh")


@pytest.fixture(autouse=True)
def _test_clerk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands that need a clerk (``accept``, ``applications`` …) act as the template's test
    clerk, as a script would: ``$WINDOW_APP_CLERK`` and ``$WINDOW_APP_PIN``. A test of what
    happens without them deletes them."""
    monkeypatch.setenv("WINDOW_APP_CLERK", TEST_CLERK)
    monkeypatch.setenv("WINDOW_APP_PIN", TEST_PIN)


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The shipped window settings (贞丰县, 522325) with the data dir in ``tmp_path``, its
    database a copy of the session's template (tests/window_template.py)."""
    return seed_window_database(load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data")))


@pytest.fixture
def window(settings: Settings) -> Iterator[Window]:
    """A :class:`window_app.window.Window` on the shipped catalog and a fresh SQLite file, the
    test clerk (every role) signed in."""
    opened = Window.open(settings, clock=lambda: FIXED_NOW)
    opened.sign_in(TEST_CLERK, TEST_PIN)
    try:
        yield opened
    finally:
        opened.close()
