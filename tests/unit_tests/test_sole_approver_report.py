"""Statistics: what a sole approver (独任审批员) concludes at the window counts as concluded at the
window (issue 13), on a real window database: the account holds only that role, the supervisor
reads the report."""

from __future__ import annotations

import json
from pathlib import Path

from tests.window_template import TEST_CLERK, TEST_KDF, TEST_PIN
from window_app.domain.clerks import Role
from window_app.domain.intake import AtWindowDecision
from window_app.intake.io import parse_intake
from window_app.window import Window

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "applications"
RENT = "housing_fund_rent_withdrawal"  # one class-1 item (一类直接办)
APPROVER, APPROVER_PIN = "S0001", "pin-8642"


def intake_of(name: str):
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))
    assert not problems
    return intake


def test_a_sole_approver_s_conclusions_count_as_concluded_at_the_window(window: Window) -> None:
    window.add_clerk(APPROVER, "独任审批员", (Role.SOLE_APPROVER,), APPROVER_PIN, kdf=TEST_KDF)
    window.sign_in(APPROVER, APPROVER_PIN)
    concluded = intake_of(RENT)
    concluded.at_window = {RENT: AtWindowDecision("approved", result="提取 9600 元")}
    at_window = window.accept(concluded).receipt_no
    sent_on = window.accept(intake_of(RENT)).receipt_no  # the same item sent to its department
    assert window.application(at_window).summary.state == "concluded"
    assert window.application(sent_on).summary.state != "concluded"

    window.sign_in(TEST_CLERK, TEST_PIN)  # the supervisor reads everyone's day
    report = window.report("today")
    total = report.total
    assert (total.applications, total.concluded, total.at_window) == (2, 1, 1)
    assert total.avg_working_days == 0.0  # concluded the day it was accepted
    [clerk] = report.section("clerk")
    assert (clerk.id, clerk.applications, clerk.concluded, clerk.at_window) == (APPROVER, 2, 1, 1)
    [bundle] = report.section("bundle")
    assert (bundle.id, bundle.at_window, bundle.concluded) == (RENT, 1, 1)
    [item] = report.section("item")
    assert (item.id, item.applications, item.at_window, item.concluded) == (RENT, 2, 1, 1)
    [department] = report.section("department")
    # The part concluded at the window took the department no time: it is not timed as theirs.
    assert (department.applications, department.at_window) == (2, 1)
    assert department.avg_working_days is None

    # The approver's own report says the same of their applications.
    window.sign_in(APPROVER, APPROVER_PIN)
    own = window.report("today").total
    assert (own.applications, own.concluded, own.at_window) == (2, 1, 1)
