"""联合踏勘's pure rules: the slot in UTC and in the window's zone, the answers and the states."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from window_app.domain import survey
from window_app.domain.calendar import add_working_days
from window_app.domain.words import Words

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SHANGHAI)


def appointment(**kwargs) -> survey.Appointment:
    slot = survey.slot_at(dt.date(2026, 12, 8), dt.time(9, 30), SHANGHAI, "者相镇纳孔村", "李娜", "0859-6612345")
    return survey.Appointment("ZF-1", 1, slot, ("agriculture", "natural_resources"), **kwargs)


def test_a_slot_is_stored_in_utc_and_shown_in_the_windows_zone() -> None:
    slot = appointment().slot
    assert slot.starts_at == "2026-12-08T01:30:00Z"
    assert slot.shown(SHANGHAI).startswith("2026-12-08 09:30 · 者相镇纳孔村")
    assert survey.slot_from_json(slot.to_json()) == slot


def test_typed_slots_are_checked_in_words() -> None:
    assert isinstance(survey.parse_slot("12/08", "09:30", SHANGHAI, "x"), Words)
    assert isinstance(survey.parse_slot("2026-12-08", "9h", SHANGHAI, "x"), Words)
    assert isinstance(survey.parse_slot("2026-12-08", "09:30", SHANGHAI, " "), Words)
    assert survey.parse_slot("2026-12-08", "14:00", SHANGHAI, "site").starts_at == "2026-12-08T06:00:00Z"


def test_states_follow_the_answers_and_the_confirmation() -> None:
    proposed = appointment()
    assert survey.survey_state(proposed, NOW) == survey.PROPOSED
    assert not survey.needs_clerk(proposed, NOW)

    one = survey.SurveyAnswer("agriculture", 1, survey.ACCEPT)
    partly = appointment(answers=(one,))
    assert survey.survey_state(partly, NOW) == survey.PENDING and not survey.needs_clerk(partly, NOW)

    both = appointment(answers=(one, survey.SurveyAnswer("natural_resources", 1, survey.ACCEPT)))
    assert survey.survey_state(both, NOW) == survey.AGREED and survey.needs_clerk(both, NOW)

    other = survey.slot_at(dt.date(2026, 12, 9), dt.time(9, 30), SHANGHAI, "者相镇纳孔村")
    counter = appointment(answers=(survey.SurveyAnswer("natural_resources", 1, survey.PROPOSE, other, "当天有会"),))
    assert survey.survey_state(counter, NOW) == survey.PENDING and survey.needs_clerk(counter, NOW)
    assert [a.slot for a in counter.counter_proposals()] == [other]

    done = survey.confirmed(counter, other, "T001", NOW)
    assert done.revision == 2 and done.slot == other and done.current_answers() == {}
    assert survey.survey_state(done, NOW) == survey.CONFIRMED and not survey.needs_clerk(done, NOW)
    assert survey.survey_state(done, dt.datetime(2026, 12, 9, 9, 30, tzinfo=SHANGHAI)) == survey.DONE


def test_answers_of_an_older_revision_do_not_count() -> None:
    again = survey.proposed_again(appointment(answers=(survey.SurveyAnswer("agriculture", 1, survey.ACCEPT),)),
                                  appointment().slot, "T001")
    assert again.revision == 2 and survey.survey_state(again, NOW) == survey.PROPOSED


def test_answers_from_the_wire_are_checked() -> None:
    assert isinstance(survey.answer_from_json({"answer": "maybe", "revision": 1}), Words)
    assert isinstance(survey.answer_from_json({"answer": "propose", "revision": 1}), Words)
    assert isinstance(survey.answer_from_json({"answer": "accept", "revision": True}), Words)
    good = survey.answer_from_json({"answer": "accept", "revision": 2, "department": "agriculture"})
    assert good == survey.SurveyAnswer("agriculture", 2, survey.ACCEPT)
    assert survey.answer_from_json(good.to_json()) == good


def test_the_reminder_is_due_the_day_before_and_the_default_is_the_next_working_day() -> None:
    done = survey.confirmed(appointment(), appointment().slot, "T001", NOW)
    assert survey.reminder_due(done, dt.date(2026, 12, 7), SHANGHAI)
    assert not survey.reminder_due(done, dt.date(2026, 12, 8), SHANGHAI)
    assert not survey.reminder_due(appointment(), dt.date(2026, 12, 7), SHANGHAI)
    friday = dt.date(2026, 12, 11)
    assert survey.default_start(friday, add_working_days, SHANGHAI) == dt.datetime(2026, 12, 14, 9, 30, tzinfo=SHANGHAI)
