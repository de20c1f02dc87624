"""Statutory clocks: start, pauses for 补正 and prerequisites, 80% and overdue, the slowest stage."""

from __future__ import annotations

import datetime as dt

from window_app.domain.calendar import official_calendar
from window_app.domain.clocks import (
    DUE_SOON,
    OVERDUE,
    ClockFacts,
    PartFacts,
    Pause,
    application_clock,
    clock_words,
)

D = dt.date


def facts(**changes) -> ClockFacts:
    """A house bundle accepted Monday 2026-11-02: 不动产 (10 days) at stage 1, 税务 (5 days) at stage 2."""
    base = {
        "receipt_no": "R1",
        "accepted_on": D(2026, 11, 2),
        "parts": (
            PartFacts("bdc", 1, ("transfer",), "sent"),
            PartFacts("tax", 2, ("deed_tax",), "waiting"),
        ),
        "limits": {"transfer": 10, "deed_tax": 5},
    }
    base.update(changes)
    return ClockFacts(**base)


def test_stage_one_runs_from_acceptance_and_stage_two_waits() -> None:
    clock = application_clock(facts(), D(2026, 11, 4))
    bdc, tax = clock.parts
    assert (bdc.state, bdc.started_on, bdc.used_days, bdc.due_on) == ("running", D(2026, 11, 2), 2, D(2026, 11, 16))
    assert bdc.warning == ""
    assert (tax.state, tax.started_on, tax.due_on) == ("waiting", None, None)
    # The bundle follows its slowest stage: stage 1's due day plus stage 2's 5 working days.
    assert clock.due_on == D(2026, 11, 23)


def test_eighty_percent_warns_and_past_the_limit_is_overdue() -> None:
    calm = application_clock(facts(), D(2026, 11, 11))
    assert calm.parts[0].used_days == 7 and calm.parts[0].warning == "" and calm.warning == ""
    assert application_clock(facts(), D(2026, 11, 16)).parts[0].warning == DUE_SOON  # the due day itself
    late = application_clock(facts(), D(2026, 11, 17))
    assert late.parts[0].warning == OVERDUE and late.warning == OVERDUE
    assert clock_words(late.parts[0]).zh.startswith("已超期：已用11/10个工作日")


def test_eight_of_ten_is_due_soon() -> None:
    # 80% exactly: 8 of 10 working days used (the 8th working day after Monday 2 November).
    clock = application_clock(facts(), D(2026, 11, 12))
    assert clock.parts[0].used_days == 8
    assert clock.parts[0].warning == DUE_SOON


def test_a_supplement_pauses_the_clock_until_handed_in() -> None:
    # Asked on Wednesday 4 Nov, handed in on Tuesday 10 Nov: 4 working days paused (5, 6, 9, 10).
    handed = facts(pauses=(Pause("bdc", 1, D(2026, 11, 4), D(2026, 11, 10)),))
    clock = application_clock(handed, D(2026, 11, 12)).parts[0]
    assert (clock.state, clock.paused_days, clock.used_days) == ("running", 4, 4)
    assert clock.due_on == D(2026, 11, 20)
    outstanding = facts(pauses=(Pause("bdc", 1, D(2026, 11, 4)),))
    clock = application_clock(outstanding, D(2026, 11, 30)).parts[0]
    assert clock.state == "paused" and clock.used_days == 2 and clock.warning == ""
    assert clock_words(clock).en == "2 of 10 working days used, due 2026-12-10 (paused for a supplement)"


def test_a_pause_on_another_part_does_not_stop_this_one() -> None:
    other = facts(pauses=(Pause("tax", 2, D(2026, 11, 4)),))
    assert application_clock(other, D(2026, 11, 12)).parts[0].used_days == 8


def test_stage_two_starts_when_its_prerequisite_is_concluded() -> None:
    done = facts(
        parts=(PartFacts("bdc", 1, ("transfer",), "approved"), PartFacts("tax", 2, ("deed_tax",), "sent")),
        concluded_on={"transfer": D(2026, 11, 6)},
    )
    clock = application_clock(done, D(2026, 11, 12))
    bdc, tax = clock.parts
    assert (bdc.state, bdc.ended_on, bdc.late) == ("stopped", D(2026, 11, 6), False)
    assert (tax.state, tax.started_on, tax.used_days, tax.due_on) == ("running", D(2026, 11, 6), 4, D(2026, 11, 13))
    assert tax.warning == DUE_SOON  # 4 of 5
    assert clock.due_on == D(2026, 11, 13)


def test_holidays_do_not_count() -> None:
    # Accepted Wednesday 30 September 2026: the National Day week is not counted, Saturday 10 October is.
    national = facts(accepted_on=D(2026, 9, 30))
    bdc = application_clock(national, D(2026, 10, 12)).parts[0]
    assert bdc.used_days == 4  # 8, 9, 10 (调休), 12
    assert bdc.due_on == official_calendar().add_working_days(D(2026, 9, 30), 10) == D(2026, 10, 20)


def test_the_longest_item_limit_of_a_part_counts_and_cancelled_parts_have_no_clock() -> None:
    two_items = facts(
        parts=(PartFacts("bdc", 1, ("transfer", "mortgage"), "sent"), PartFacts("tax", 2, ("deed_tax",), "cancelled")),
        limits={"transfer": 10, "mortgage": 15, "deed_tax": 5},
    )
    clock = application_clock(two_items, D(2026, 11, 3))
    assert clock.parts[0].limit_days == 15
    assert clock.parts[1].state == "cancelled" and clock.parts[1].warning == ""
    assert clock.due_on == clock.parts[0].due_on


def test_an_on_the_spot_item_warns_only_once_a_day_has_passed() -> None:
    spot = facts(parts=(PartFacts("bdc", 1, ("transfer",), "sent"),), limits={"transfer": 0})
    assert application_clock(spot, D(2026, 11, 2)).warning == ""
    assert application_clock(spot, D(2026, 11, 3)).warning == OVERDUE
