"""联合踏勘 on the application detail: the appointment and each department's answer are shown,
T proposes a slot in a small box, C confirms one slot to all (the department's other slot is
offered when one proposed it). Snapshots of the confirm box at 80×24, zh and en."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from offline_cache import survey as survey_store
from offline_cache.sync_state import write_transaction
from screens.application_detail import ApplicationDetailScreen
from tests.functional_tests.shell_helpers import anyio_backend, make_app  # noqa: F401  (fixture)
from tests.functional_tests.test_snapshots_tables import _pinned_installation_tag, in_language  # noqa: F401  (fixture)
from tests.functional_tests.test_sync_engine import EXAMPLES
from window_app.domain import survey
from window_app.intake.io import parse_intake

pytestmark = pytest.mark.anyio


def accepted_survey(window) -> str:
    intake, problems = parse_intake(json.loads((EXAMPLES / "construction_land_survey.json").read_text(encoding="utf-8")))
    assert not problems
    return window.accept(intake).receipt_no


def answered(window, receipt: str) -> survey.Slot:
    """Two departments answered the current proposal (as a sync round stores them): one accepts,
    one proposes 14:00 the day after."""
    appointment = window.survey(receipt)
    revision = appointment.revision
    first, second = appointment.departments[:2]
    other = survey.slot_at(appointment.slot.local(window.zone).date() + dt.timedelta(days=1), dt.time(14, 0),
                           window.zone, appointment.slot.place, "张工", "0859-6610000")
    with write_transaction(window.db):
        survey_store.record_answer(window.db, receipt, survey.SurveyAnswer(first, revision, survey.ACCEPT, None, "", "2026-11-27T02:00:00Z"), "x")
        survey_store.record_answer(window.db, receipt, survey.SurveyAnswer(second, revision, survey.PROPOSE, other, "上午有会", "2026-11-27T02:05:00Z"), "x")
    return other


def screen_text(pilot) -> str:
    return "\n".join("".join(segment.text for segment in strip) for strip in pilot.app.screen._compositor.render_strips())


async def test_the_clerk_proposes_sees_the_answers_and_confirms_the_other_slot(window) -> None:
    receipt = accepted_survey(window)
    app = make_app(window)
    async with app.run_test(size=(100, 60)) as pilot:
        await in_language(pilot, "en")
        app.push_screen(ApplicationDetailScreen(receipt))
        await pilot.pause()
        # Acceptance proposed the default: the next working day 09:30 at the site, the clerk.
        assert "proposed, no answer yet (revision 1)" in screen_text(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert "Joint site survey" in screen_text(pilot)
        app.screen.query_one("#survey-time").value = "10:00"  # the clerk moves it before anyone answered
        await pilot.press("enter")
        await pilot.pause()
        proposed = window.survey(receipt)
        assert proposed.revision == 2 and proposed.slot.local(window.zone).strftime("%H:%M") == "10:00"
        assert proposed.slot.place == "贞丰县者相镇纳孔村三岔河景区入口东侧"

        other = answered(window, receipt)
        app.screen.show()
        await pilot.pause()
        text = screen_text(pilot)
        assert "answers pending" in text and "proposes another slot" in text and "上午有会" in text
        assert "Press C to confirm" in text
        # F3's 需处理 and the header's count include it, naming the department with another slot.
        [action] = [a for a in window.needs_action() if a.kind == "survey"]
        assert (action.receipt_no, action.department) == (receipt, window.survey(receipt).counter_proposals()[0].department)

        await pilot.press("c")
        await pilot.pause()
        assert app.screen.query_one("#survey-time").value == "14:00"  # the department's other slot offered
        await pilot.press("enter")
        await pilot.pause()
        held = window.survey(receipt)
        assert held.confirmed and held.slot.starts_at == other.starts_at
        assert "confirmed" in screen_text(pilot)
        assert not [a for a in window.needs_action() if a.kind == "survey"]


async def test_a_bad_date_is_refused_in_words_in_the_box(window) -> None:
    receipt = accepted_survey(window)
    app = make_app(window)
    async with app.run_test(size=(100, 40)) as pilot:
        await in_language(pilot, "en")
        app.push_screen(ApplicationDetailScreen(receipt))
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one("#survey-date").value = "12/08"
        await pilot.press("enter")
        await pilot.pause()
        assert "the date must be YYYY-MM-DD" in screen_text(pilot)
        assert window.survey(receipt).revision == 1  # acceptance's proposal, unchanged


@pytest.mark.parametrize("wanted", ["zh", "en"])
def test_snapshot_confirm_box(window, snap_compare, wanted):
    receipt = accepted_survey(window)  # acceptance proposed the default slot
    answered(window, receipt)

    async def run_before(pilot) -> None:
        await in_language(pilot, wanted)
        pilot.app.push_screen(ApplicationDetailScreen(receipt))
        await pilot.pause()
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=(80, 24), run_before=run_before)
