"""好差评 at the window: a rating is the applicant's, once, right after the receipt; a 差评
opens a rectification case due in 15 working days, which a supervisor takes to its end; the
counts per window, clerk, bundle and department."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from offline_cache.audit import events_for
from window_app.domain.clerks import Clerk, NotPermitted, Role
from window_app.domain.ratings import rating_problem, reasons, reasons_for
from window_app.intake.io import parse_intake
from window_app.ratings.recording import RatingRefused
from window_app.ratings.rectification import CaseRefused
from window_app.receipt import add_working_days
from window_app.window import Window

EXAMPLES = Path(__file__).parents[2] / "examples" / "applications"


def accepted(window: Window, name: str = "house_transfer") -> str:
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text("utf-8")))
    assert not problems
    return window.accept(intake).receipt_no


def test_the_shipped_reasons_have_both_languages_and_sides() -> None:
    listed = reasons()
    assert {reason.side for reason in listed} == {"good", "bad"}
    assert len({reason.code for reason in listed}) == len(listed)
    bad = {reason.words.zh for reason in reasons_for(2)}
    assert {"办事指南不清晰", "多次跑动", "超时办结", "服务态度差", "要求提供规定外材料"} <= bad
    assert all(reason.words.en and reason.words.en != reason.words.zh for reason in listed)
    assert rating_problem(5, ["B03"]) is not None  # a 差评 reason with 非常满意
    assert rating_problem(6, []) is not None and rating_problem(True, []) is not None
    assert rating_problem(1, ["B03", "B04"]) is None


def test_the_applicant_rates_once_right_after_the_receipt(window: Window) -> None:
    receipt_no = accepted(window)
    rating = window.rate_at_window(receipt_no, 4, ("G03",))
    assert (rating.level, rating.reasons, rating.channel, rating.clerk_id) == (4, ("G03",), "window", "T001")
    assert rating.departments  # counted per department the application went to
    event = events_for(window.db, receipt_no)[-1]
    assert (event.actor, event.action, event.data["window_clerk"]) == ("applicant", "rated", "T001")
    # once: the step is closed; no later or second rating, and no case for a good one
    with pytest.raises(RatingRefused):
        window.rate_at_window(receipt_no, 1, ())
    assert [r.level for r in window.ratings_of(receipt_no)] == [4]
    assert window.rectification_cases() == []


def test_no_rating_without_the_step_the_accept_opened(window: Window) -> None:
    first = accepted(window)
    second = accepted(window, "newborn")
    with pytest.raises(RatingRefused) as refused:
        window.rate_at_window(first, 5)  # an earlier application: only the latest one's applicant is here
    assert "只有申请人" in refused.value.words.zh or "申请人" in refused.value.words.zh
    window.skip_rating(second)
    with pytest.raises(RatingRefused):
        window.rate_at_window(second, 5)  # skipped: the step is gone
    assert window.ratings_of(first) == [] and window.ratings_of(second) == []


def test_bad_reasons_are_refused_in_words_and_nothing_is_written(window: Window) -> None:
    receipt_no = accepted(window)
    with pytest.raises(RatingRefused) as refused:
        window.rate_at_window(receipt_no, 5, ("B05",))
    assert "服务态度差" not in str(refused.value) and "B05" in refused.value.words.zh
    assert window.ratings_of(receipt_no) == []
    window.rate_at_window(receipt_no, 5, ("G06",))  # the step is still open after a refusal


def test_a_bad_rating_opens_a_case_the_supervisor_takes_to_its_end(window: Window) -> None:
    receipt_no = accepted(window)
    rated = window.rate_at_window(receipt_no, 2, ("B03", "B05"))
    [case] = window.rectification_cases()
    day = dt.datetime.fromisoformat(rated.rated_at).astimezone(window.zone).date()
    assert case.due_on == add_working_days(day, 15).isoformat()
    assert (case.state, case.level, case.reasons, case.receipt_no) == ("open", 2, ("B03", "B05"), receipt_no)
    with pytest.raises(CaseRefused):
        window.close_case(case.case_id)  # not fixed yet
    with pytest.raises(CaseRefused):
        window.assign_case(case.case_id, "  ")
    case = window.assign_case(case.case_id, "A0107", "tax")
    case = window.record_case_callback(case.case_id, "申请人表示理解，已说明补正原因")
    case = window.record_case_fix(case.case_id, "对窗口人员进行了一次性告知培训")
    case = window.close_case(case.case_id)
    assert (case.state, case.assignee, case.closed_by, case.revision) == ("closed", "A0107", "T001", 5)
    assert [step[2] for step in case.history] == ["opened", "assigned", "called_back", "fixed", "closed"]
    assert window.rectification_cases() == [] and len(window.rectification_cases(include_closed=True)) == 1
    actions = [event.action for event in events_for(window.db, receipt_no)]
    assert actions[-6:] == ["rated", "rectification_opened", "rectification_assigned", "rectification_called_back",
                            "rectification_fixed", "rectification_closed"]


def test_overdue_cases_are_counted(window: Window) -> None:
    receipt_no = accepted(window)
    window.rate_at_window(receipt_no, 1, ())
    assert window.overdue_cases() == 0
    start = window.now()
    window.clock = lambda: start + dt.timedelta(days=30)  # beyond 15 working days, whatever the holidays
    assert window.overdue_cases() == 1
    [count] = window.rating_counts("window")
    assert (count.total, count.bad, count.open_cases, count.overdue_cases) == (1, 1, 1, 1)


def test_counts_per_window_clerk_bundle_and_department(window: Window) -> None:
    first = accepted(window)
    window.rate_at_window(first, 5, ())
    second = accepted(window, "newborn")
    window.rate_at_window(second, 2, ("B08",))
    by_clerk = window.rating_counts("clerk")
    assert [(c.key, c.total, c.bad) for c in by_clerk] == [("T001", 2, 1)]
    by_bundle = {c.key: c for c in window.rating_counts("bundle")}
    assert len(by_bundle) == 2 and sum(c.total for c in by_bundle.values()) == 2
    by_department = window.rating_counts("department")
    departments = set(window.ratings_of(first)[0].departments) | set(window.ratings_of(second)[0].departments)
    assert {c.key for c in by_department} == departments
    assert sum(c.total for c in by_department) == len(window.ratings_of(first)[0].departments) + len(
        window.ratings_of(second)[0].departments
    )
    [by_window] = window.rating_counts("window")
    assert by_window.average == 3.5 and by_window.satisfied_share == 0.5


def test_only_a_supervisor_rectifies(window: Window) -> None:
    receipt_no = accepted(window)
    window.rate_at_window(receipt_no, 1, ())
    assert window.session is not None
    acceptor = Clerk("A0107", "窗口A0107", (Role.ACCEPTOR,))
    window.session = type(window.session)(acceptor, window.session.data_key, window.session.signed_in_at)
    with pytest.raises(NotPermitted):
        window.rectification_cases()
    with pytest.raises(NotPermitted):
        window.rating_counts("clerk")
