"""Conclude a 一类直接办 item at the review step (独任审批员): F8, the box, F10, what is stored.

Driven with Pilot on a real SQLite window; the newborn bundle's household registration
(``newborn_hukou_registration``) is class 1, its bank card class 3.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, RadioButton, Static

from offline_cache.outbox import get_row
from screens.receipt import ReceiptScreen
from screens.review import ReviewScreen
from screens.widgets.at_window import AtWindowDialog
from screens.widgets.dialog import Dialog
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
    type_text,
)
from tests.window_template import TEST_KDF
from window_app.domain.clerks import Role
from window_app.domain.intake import AtWindowDecision, Intake
from window_app.intake.io import parse_intake

pytestmark = pytest.mark.anyio

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "applications"
HUKOU = "newborn_hukou_registration"
CARD = "newborn_social_security_card"


def newborn() -> Intake:
    intake, problems = parse_intake(json.loads((EXAMPLES / "newborn.json").read_text(encoding="utf-8")))
    assert not problems
    return intake


def as_clerk(window, clerk_id: str, role: Role):
    """``window`` with a new clerk holding only ``role`` signed in (the test clerk adds them)."""
    window.add_clerk(clerk_id, f"窗口{clerk_id}", (role,), "pin-2468", kdf=TEST_KDF)
    window.sign_in(clerk_id, "pin-2468")
    return window


async def open_review(pilot, intake: Intake) -> ReviewScreen:
    pilot.app.intake = intake
    pilot.app.goto_step("review")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


def at_window_lines(app) -> list[str]:
    option_list = app.screen.query_one("#review-at-window", OptionList)
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


async def test_a_sole_approver_concludes_the_hukou_item_and_f10_stores_the_decision(window):
    app = make_app(as_clerk(window, "A0107", Role.SOLE_APPROVER))
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, newborn())
        assert "窗口办结" in footer_text(app)
        hukou = next(line for line in at_window_lines(app) if "出生登记" in line)
        assert "送部门办理" in hukou

        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, AtWindowDialog)
        app.screen.query_one("#at-window-result", Input).focus()
        await type_text(pilot, "5223250001")
        await pilot.press("enter")
        await pilot.pause()

        assert isinstance(app.screen, ReviewScreen)
        assert app.intake.at_window[HUKOU] == AtWindowDecision("approved", result="5223250001")
        assert any("窗口办结：准予 5223250001" in line for line in at_window_lines(app))

        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen), app.screen
        receipt = app.screen.receipt_no
    decision = window.item_decisions(receipt)[HUKOU]
    assert (decision.decision, decision.result, decision.decided_by) == ("approved", "5223250001", "窗口A0107（A0107）")
    detail = window.application(receipt)
    hukou_part = next(part for part in detail.summary.parts if HUKOU in part.items)
    assert hukou_part.state == "approved"  # nothing left for the department to decide
    envelope = json.loads(get_row(window.db, hukou_part.envelope_id).payload)
    assert envelope["kind"] == "filing", envelope.get("kind")


async def test_a_conclusion_can_be_undone_and_the_item_goes_to_its_department(window):
    app = make_app(as_clerk(window, "A0107", Role.SOLE_APPROVER))
    async with app.run_test(size=SIZE) as pilot:
        intake = newborn()
        intake.at_window[HUKOU] = AtWindowDecision("approved", result="5223250001")
        intake.at_window[CARD] = AtWindowDecision("approved", result="卡号 001")  # needs the hukou's result
        await open_review(pilot, intake)
        screen_list = app.screen.query_one("#review-at-window", OptionList)
        screen_list.focus()
        screen_list.highlighted = next(i for i, line in enumerate(at_window_lines(app)) if "出生登记" in line)
        await pilot.press("enter")  # Enter on the item opens the box, as F8 does
        await pilot.pause()
        assert isinstance(app.screen, AtWindowDialog)
        assert "送部门办理" in footer_text(app)
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.intake.at_window == {}  # the card, concluded on the hukou's strength, went back too
        assert any("出生登记" in line and "送部门办理" in line for line in at_window_lines(app))
        assert any("社会保障卡" in line and "送部门办理（须先有" in line for line in at_window_lines(app))


async def test_refusing_without_a_reason_is_refused_in_words_in_the_box(window):
    app = make_app(as_clerk(window, "A0107", Role.SOLE_APPROVER))
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, newborn())
        await pilot.press("f8")
        await pilot.pause()
        await pilot.click("#at-window-refuse")  # the mouse works too
        await pilot.pause()
        assert app.screen.query_one("#at-window-refuse", RadioButton).value
        await pilot.click("#at-window-ok")
        await pilot.pause()
        assert isinstance(app.screen, AtWindowDialog)  # still open
        assert str(app.screen.query_one("#at-window-error", Static).render()) == "不予办理须写明理由"
        assert app.intake.at_window == {}

        app.screen.query_one("#at-window-reason", Input).focus()
        await type_text(pilot, "出生医学证明与申请人不符")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.intake.at_window[HUKOU] == AtWindowDecision("rejected", reason="出生医学证明与申请人不符")
        assert any("窗口办结：不予（出生医学证明与申请人不符）" in line for line in at_window_lines(app))


async def test_a_plain_acceptor_sees_no_key_and_the_item_goes_to_its_department(window):
    app = make_app(as_clerk(window, "A0108", Role.ACCEPTOR))
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, newborn())
        assert "窗口办结" not in footer_text(app)
        assert not app.screen.query("#review-at-window")
        await pilot.press("f8")  # nothing happens
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
        receipt = app.screen.receipt_no
    assert window.item_decisions(receipt) == {}


async def test_accept_refusing_a_conclusion_shows_its_words(window):
    """A draft concluded by a sole approver, resumed by a plain acceptor: refused in words, nothing written."""
    app = make_app(as_clerk(window, "A0108", Role.ACCEPTOR))
    async with app.run_test(size=SIZE) as pilot:
        intake = newborn()
        intake.at_window[HUKOU] = AtWindowDecision("approved")
        await open_review(pilot, intake)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, Dialog)
        body = str(app.screen.query_one("#dialog-body", Static).render())
        assert "只有独任审批员可以在窗口直接办结一类事项" in body
    assert window.applications() == []
