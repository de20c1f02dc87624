"""``window-app survey``: propose with the defaults, see the answers, confirm a department's
other slot; the day before, the applicant's reminder is queued once and the clerk gets a line."""

from __future__ import annotations

import datetime as dt
import json

from offline_cache import notifications
from tests.functional_tests.test_survey_screen import accepted_survey, answered
from window_app.cli import main
from window_app.domain.notifications import SURVEY
from window_app.surveys.reminders import queue_reminders
from window_app.window import Window


def run(capsys, settings, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(settings.data_dir), "--lang", "en", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_propose_and_confirm_from_the_command_line(window: Window, settings, capsys) -> None:
    receipt = accepted_survey(window)  # acceptance proposed 09:30 (revision 1)
    later = (dt.date.today() + dt.timedelta(days=14)).isoformat()  # the command line's clock is the real one
    code, out, _ = run(capsys, settings, "survey", receipt, "propose", "--date", later, "--time", "10:00", "--phone", "0859-6612345")
    assert code == 0 and "proposed, no answer yet (revision 2)" in out and "10:00" in out
    other = answered(window, receipt)
    second = window.survey(receipt).counter_proposals()[0].department

    code, out, _ = run(capsys, settings, "survey")
    assert code == 0 and f"Joint site survey to confirm: {receipt}" in out
    code, _, err = run(capsys, settings, "survey", receipt, "confirm", "--department", "nobody")
    assert code == 1 and "proposed no other slot" in err
    code, out, _ = run(capsys, settings, "survey", receipt, "confirm", "--department", second, "--json")
    shown = json.loads(out)
    assert code == 0 and shown["state"] == "confirmed" and shown["slot"]["starts_at"] == other.starts_at
    code, _, err = run(capsys, settings, "survey", receipt, "propose")
    assert code == 1 and "confirmed already" in err


def test_the_day_before_the_applicant_is_reminded_once_and_the_clerk_sees_it(window: Window) -> None:
    receipt = accepted_survey(window)
    slot = window.default_survey_slot(receipt)
    window.propose_survey(receipt, slot)
    window.confirm_survey(receipt, slot)
    day_before = slot.local(window.zone) - dt.timedelta(days=1)
    two_days_before = day_before - dt.timedelta(days=1)
    assert queue_reminders(window.db, now=two_days_before, zone=window.zone) == 0
    assert queue_reminders(window.db, now=day_before, zone=window.zone) == 1
    assert queue_reminders(window.db, now=day_before + dt.timedelta(hours=2), zone=window.zone) == 0  # once
    assert [kind for kind, *_ in notifications.list_for(window.db, receipt) if kind == SURVEY] == [SURVEY]
    window.clock = lambda: day_before
    assert any(f"Joint site survey tomorrow: {receipt}" in line.en for line in window.survey_lines())


def test_the_windows_office_line_is_the_proposals_contact_phone(tmp_path) -> None:
    """``[window] phone``: acceptance's proposal offers the office line, so nobody has to type it."""
    from tests.window_template import open_signed_in
    from window_app.config import SHIPPED_CONFIG, load_settings

    settings = load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_WINDOW_PHONE": "0859-6612345"}, data_dir=str(tmp_path / "data"))
    friday = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    window = open_signed_in(settings, clock=lambda: friday)
    try:
        receipt = accepted_survey(window)
        slot = window.survey(receipt).slot
        assert (slot.contact_phone, slot.contact_name) == ("0859-6612345", window.clerk.name)
    finally:
        window.close()
