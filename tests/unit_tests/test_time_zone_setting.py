"""The window's time zone: ``[window] time_zone`` is checked on load, stored moments are shown in it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from window_app.config import SHIPPED_CONFIG, ConfigError, load_settings
from window_app.domain.times import in_zone, shown, window_zone
from window_app.domain.words import set_language

SHANGHAI = window_zone("Asia/Shanghai")


def test_the_shipped_window_shows_china_time() -> None:
    settings = load_settings(SHIPPED_CONFIG, environ={})
    assert settings.window.time_zone == "Asia/Shanghai"
    assert settings.zone.utcoffset(dt.datetime(2026, 12, 7)) == dt.timedelta(hours=8)


def test_another_zone_from_the_file_or_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[window]\ntime_zone = "Asia/Urumqi"\n', encoding="utf-8")
    assert str(load_settings(config, environ={}).zone) == "Asia/Urumqi"
    assert str(load_settings(config, environ={"WINDOW_APP_WINDOW_TIME_ZONE": "UTC"}).zone) == "UTC"


@pytest.mark.parametrize("name", ["Asia/Beijing", "CST", "../etc/passwd", ""])
def test_an_unknown_zone_is_refused_in_words(tmp_path: Path, name: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[window]\ntime_zone = "{name}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    set_language("zh")
    assert f"[window] time_zone {name!r}：不是已知的时区" in str(caught.value)
    assert "Asia/Shanghai" in str(caught.value)  # says what to write
    set_language("en")
    try:
        assert "not a known time zone" in str(caught.value)
    finally:
        set_language("zh")


@pytest.mark.parametrize(
    "stored",
    [
        "2026-12-06T18:10:00Z",  # UTC, as stored now
        "2026-12-06T18:10:00.000+00:00",
        "2026-12-06T18:10:00",  # naive: UTC
        "2026-12-07T02:10:00+08:00",  # older columns: ISO with the writer's offset
        "2026-12-06T19:10:00+01:00",
        dt.datetime(2026, 12, 6, 18, 10, tzinfo=dt.UTC),
    ],
)
def test_every_stored_form_of_one_moment_is_shown_alike(stored: str | dt.datetime) -> None:
    assert shown(stored, SHANGHAI) == "2026-12-07 02:10"
    assert shown(stored, window_zone("Asia/Urumqi"), "%m-%d %H:%M") == "12-07 00:10"
    assert shown(stored, window_zone("UTC")) == "2026-12-06 18:10"
    assert in_zone(stored, SHANGHAI).date() == dt.date(2026, 12, 7)


def test_what_is_not_a_moment_is_shown_as_it_is() -> None:
    assert shown(None, SHANGHAI) == ""
    assert shown("", SHANGHAI) == ""
    assert shown("soon", SHANGHAI) == "soon"
    assert in_zone("soon", SHANGHAI) is None
