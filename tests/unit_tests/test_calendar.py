"""The one working-day calendar: official holidays and 调休 make-up days (2026), weekends-only years."""

from __future__ import annotations

import datetime as dt

from window_app import receipt
from window_app.domain.calendar import (
    WorkingCalendar,
    add_working_days,
    calendar_warning,
    missing_years,
    official_calendar,
    working_days_between,
)
from window_app.domain.words import Words
from window_app.intake import validate

D = dt.date


def test_the_shipped_package_knows_2026() -> None:
    assert official_calendar().knows(2026)


def test_national_day_2026_is_skipped() -> None:
    # 10月1日–7日 holidays; Wednesday 30 September plus one working day is Thursday 8 October.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 7)) == 0
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2


def test_national_day_2026_make_up_days_count() -> None:
    # 调休: Sunday 20 September and Saturday 10 October are working days.
    assert add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)
    assert add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert working_days_between(D(2026, 10, 9), D(2026, 10, 12)) == 2  # Sat 10 (make-up), Mon 12


def test_spring_festival_2026() -> None:
    # 2月15日–23日 holidays; Saturdays 14 and 28 February are make-up working days.
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_working_days(D(2026, 2, 14), 1) == D(2026, 2, 24)
    assert add_working_days(D(2026, 2, 13), 5) == D(2026, 2, 27)  # 14, 24, 25, 26, 27
    assert add_working_days(D(2026, 2, 27), 1) == D(2026, 2, 28)
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6


def test_a_plain_week_and_zero_days() -> None:
    friday = D(2026, 11, 27)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == D(2026, 11, 30)
    assert working_days_between(friday, friday) == 0
    assert working_days_between(D(2026, 12, 4), friday) == 0  # backwards: nothing


def test_between_is_the_inverse_of_add() -> None:
    start = D(2026, 9, 25)
    for days in range(0, 30):
        assert working_days_between(start, add_working_days(start, days)) == days


def test_every_caller_uses_the_one_calendar() -> None:
    assert receipt.add_working_days is add_working_days
    assert validate.add_working_days is add_working_days


def test_an_unknown_year_counts_weekends_only_and_says_so() -> None:
    known_2026 = WorkingCalendar(
        holidays=frozenset({D(2026, 10, 1)}), make_up_days=frozenset(), known_years=frozenset({2026})
    )
    # 2027: Friday 1 October is counted as a working day (its holiday is not known).
    assert known_2026.add_working_days(D(2027, 9, 30), 1) == D(2027, 10, 1)
    assert missing_years(D(2026, 12, 7), known_2026) == (2027,)
    warning = calendar_warning(D(2026, 12, 7), known_2026)
    assert isinstance(warning, Words)
    assert "2027" in warning.zh and "周末" in warning.zh and "chinesecalendar" in warning.zh
    assert "2027" in warning.en and "weekends only" in warning.en
    assert calendar_warning(D(2026, 6, 1), WorkingCalendar(frozenset(), frozenset(), frozenset({2026, 2027}))) is None
    both = calendar_warning(D(2028, 1, 2), known_2026)
    assert both is not None and "2028、2029" in both.zh and "2028 and 2029" in both.en


def test_the_counted_table_agrees_with_counting_day_by_day() -> None:
    calendar = official_calendar()

    def by_hand(start: dt.date, days: int) -> dt.date:
        current = start
        while days > 0:
            current += dt.timedelta(days=1)
            days -= calendar.is_working_day(current)
        return current

    start = D(2025, 12, 1)
    for offset in range(0, 800, 7):
        day = start + dt.timedelta(days=offset)
        for days in (1, 5, 20, 60):
            assert calendar.add_working_days(day, days) == by_hand(day, days)
            assert calendar.working_days_between(day, by_hand(day, days)) == days
    # Beyond the table (2100): counted day by day, weekends only.
    assert calendar.add_working_days(D(2100, 1, 1), 1) == D(2100, 1, 4)  # a Friday, then Monday
