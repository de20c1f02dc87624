"""The local holiday file (``[calendar] holidays_file``): read before chinesecalendar, for a year
the package does not know yet (2027 with chinesecalendar 1.11), its mistakes said in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.window_template import open_signed_in
from window_app.clocks import install_holiday_file
from window_app.config import CalendarSettings, Settings
from window_app.domain.calendar import (
    HolidayFileError,
    add_working_days,
    calendar_warning,
    holiday_file,
    missing_years,
    official_calendar,
    package_calendar,
    parse_holiday_file,
    use_holiday_file,
    working_days_between,
)
from window_app.window import Window

D = dt.date
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "holidays.toml"

# A MADE-UP year (not the official 2027 arrangement, which is not known to this code base):
# a holiday week Monday 4 – Sunday 10 October, a make-up working day on Saturday 9 October.
MADE_UP_2027 = """
[[year]]
year = 2027
notice = "made up for a test"
holidays = ["2027-10-04..2027-10-10"]
make_up_days = ["2027-10-16"]
"""


@pytest.fixture(autouse=True)
def package_only() -> Iterator[None]:
    """Each test starts and ends on the package's calendar (the local file is process-wide)."""
    use_holiday_file(None)
    yield
    use_holiday_file(None)


def settings_with(settings: Settings, path: str) -> Settings:
    return replace(settings, calendar=CalendarSettings(holidays_file=path))


def test_the_package_lacks_2027_so_it_counts_weekends_only_and_says_how_to_fix_it() -> None:
    if package_calendar().knows(2027):
        pytest.skip("this chinesecalendar knows 2027 already")
    assert missing_years(D(2026, 12, 7)) == (2027,)
    assert add_working_days(D(2027, 10, 1), 1) == D(2027, 10, 4)  # a Monday, counted as work
    warning = calendar_warning(D(2026, 12, 7))
    assert warning is not None
    assert "升级 chinesecalendar" in warning.zh and "[calendar] holidays_file" in warning.zh
    assert "Update chinesecalendar" in warning.en and "[calendar] holidays_file" in warning.en


def test_a_local_file_gives_the_missing_year(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(MADE_UP_2027, encoding="utf-8")
    local = install_holiday_file(settings_with(settings, str(path)))
    assert local is not None and local.years == {2027} and holiday_file() == local
    assert official_calendar().knows(2027)
    assert missing_years(D(2026, 12, 7)) == ()
    assert calendar_warning(D(2026, 12, 7)) is None
    # Friday 1 October plus one working day skips the made-up holiday week.
    assert add_working_days(D(2027, 10, 1), 1) == D(2027, 10, 11)
    assert working_days_between(D(2027, 10, 15), D(2027, 10, 16)) == 1  # the make-up Saturday
    # 2026 is still the package's: National Day 2026 is skipped.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_the_file_replaces_the_package_for_its_years(tmp_path: Path, settings: Settings) -> None:
    # A file that names 2026 without National Day: for 2026 the file is the whole truth.
    path = tmp_path / "holidays.toml"
    path.write_text('[[year]]\nyear = 2026\nholidays = ["2026-01-01"]\n', encoding="utf-8")
    install_holiday_file(settings_with(settings, str(path)))
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 1)
    install_holiday_file(settings)  # no file set: the package alone again
    assert holiday_file() is None
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_the_shipped_example_is_the_official_2026_as_the_package_has_it() -> None:
    local = parse_holiday_file(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))
    package = package_calendar()
    assert local.years == {2026}
    assert local.holidays == {day for day in package.holidays if day.year == 2026}
    assert local.make_up_days == {day for day in package.make_up_days if day.year == 2026}


def test_a_relative_path_is_beside_the_config_file(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "holidays.toml").write_text(MADE_UP_2027, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    install_holiday_file(replace(settings_with(settings, "holidays.toml"), source=str(config)))
    assert official_calendar().knows(2027)


def test_the_window_opens_with_the_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(MADE_UP_2027, encoding="utf-8")
    window = open_signed_in(settings_with(settings, str(path)), clock=lambda: dt.datetime(2026, 12, 7, 9, 0, tzinfo=settings.zone))
    try:
        assert window.calendar_warning() is None
    finally:
        window.close()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("year = [", "TOML"),
        ("", "[[year]]"),
        ("[[year]]\nyear = 1999\n", "2000"),
        ('[[year]]\nyear = 2027\nholidays = ["2027-13-01"]\n', "2027-13-01"),
        ('[[year]]\nyear = 2027\nholidays = ["2026-12-31"]\n', "2026-12-31"),
        ('[[year]]\nyear = 2027\nholidays = ["2027-10-07..2027-10-01"]\n', "2027-10-07..2027-10-01"),
        ('[[year]]\nyear = 2027\nholidays = ["2027-10-01"]\nmake_up_days = ["2027-10-01"]\n', "2027-10-01"),
        ("[[year]]\nyear = 2027\n[[year]]\nyear = 2027\n", "2027"),
        ('[[year]]\nyear = 2027\nholiday = ["2027-10-01"]\n', "holiday"),
    ],
)
def test_a_wrong_file_is_refused_in_words(tmp_path: Path, settings: Settings, text: str, said: str) -> None:
    path = tmp_path / "holidays.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(HolidayFileError) as caught:
        install_holiday_file(settings_with(settings, str(path)))
    assert str(path) in caught.value.words.zh and said in caught.value.words.en
    assert holiday_file() is None  # nothing half-installed


def test_a_missing_file_stops_the_window_in_words(tmp_path: Path, settings: Settings) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(HolidayFileError) as caught:
        Window.open(settings_with(settings, str(missing)))
    assert str(missing) in caught.value.words.en and "cannot read" in caught.value.words.en
