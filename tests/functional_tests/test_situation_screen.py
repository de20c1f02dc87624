"""The situation step: answers switch optional items, the applicant chooses, counts follow."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Checkbox, Label, RadioButton, RadioSet

from screens.situation import SituationScreen
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    offering_id,
    start,
)

pytestmark = pytest.mark.anyio


async def open_situation(pilot, window, name: str) -> SituationScreen:
    await start(pilot, offering_id(window, name))
    pilot.app.goto_step("situation")
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, SituationScreen)
    return screen


def checkbox(screen, item_id: str) -> Checkbox:
    return next(box for box in screen.query(".optional").results(Checkbox) if box.name == item_id)


def answer(screen, question_id: str, value: str) -> RadioButton:
    radio_set = next(rs for rs in screen.query(RadioSet) if rs.name == question_id)
    return next(button for button in radio_set.query(RadioButton) if button.name == value)


def count_text(screen) -> str:
    return str(screen.query_one("#situation-count", Label).render())


async def test_declining_an_optional_item_changes_the_count(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "企业开办")
        before = len(window.guide(app.intake).items)
        assert f"共 {before} 项事项" in count_text(screen)
        bank = checkbox(screen, "bank_account_opening")
        assert bank.value  # switched on by the default answer
        bank.focus()
        await pilot.press("space")
        await pilot.pause()
        assert not bank.value
        assert app.intake.declined_optional == ["bank_account_opening"]
        assert len(window.guide(app.intake).items) == before - 1
        assert f"共 {before - 1} 项事项" in count_text(screen)
        await pilot.press("space")  # changed their mind
        await pilot.pause()
        assert app.intake.declined_optional == []
        assert f"共 {before} 项事项" in count_text(screen)


async def test_an_answer_switches_its_optional_item(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "企业开办")
        before = len(window.guide(app.intake).items)
        answer(screen, "open_bank_account", "no").value = True
        await pilot.pause()
        assert app.intake.answers["open_bank_account"] == "no"
        assert not checkbox(screen, "bank_account_opening").value
        assert f"共 {before - 1} 项事项" in count_text(screen)
        answer(screen, "open_bank_account", "yes").value = True
        await pilot.pause()
        assert checkbox(screen, "bank_account_opening").value


async def test_choosing_an_item_no_answer_suggests(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "新生儿")
        before = len(window.guide(app.intake).items)
        card = checkbox(screen, "newborn_bank_card")
        assert not card.value
        card.value = True
        await pilot.pause()
        assert app.intake.chosen_optional == ["newborn_bank_card"]
        assert f"共 {before + 1} 项事项" in count_text(screen)
        maternity = checkbox(screen, "maternity_allowance_claim")
        assert not maternity.value
        answer(screen, "mother_employee_insured", "yes").value = True
        await pilot.pause()
        assert maternity.value
        assert "建议办理" in str(screen.query_one("#suggested", Label).render())


async def test_materials_follow_the_answers(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "新生儿")
        for value in ("yes", "no"):
            answer(screen, "parents_married", value).value = True
            await pilot.pause()
            guide = window.guide(app.intake)
            assert f"材料 {len(guide.checklist.lines)} 份" in count_text(screen)
            # materials that no longer apply are not kept in the intake
            wanted = {line.material.id for line in guide.checklist.lines}
            assert set(app.intake.materials) <= wanted


async def test_keyboard_answers_a_question(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "企业开办")
        first = screen.query(RadioSet).first()
        assert app.focused is first  # the first question has focus
        await pilot.press("right", "enter")
        await pilot.pause()
        assert app.intake.answers[first.name] == first.pressed_button.name
        assert first.pressed_button.name != window.offering(app.intake.offering).bundle.questions[0].default


async def test_mandatory_items_are_listed_as_fixed(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "企业开办")
        bundle = window.offering(app.intake.offering).bundle
        listed = [str(label.render()) for label in screen.query(".mandatory").results(Label)]
        assert len(listed) == len(bundle.mandatory)
        for item_id, text in zip(bundle.mandatory, listed):
            assert window.catalog.items[item_id].name.zh in text


async def test_next_goes_to_the_checklist_and_back_returns(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "企业开办")
        checkbox(screen, "bank_account_opening").value = False
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.intake.step == "checklist"
        assert type(app.screen).__name__ == "ChecklistScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SituationScreen)
        assert not checkbox(app.screen, "bank_account_opening").value  # the choice was kept


async def test_questions_in_english(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "企业开办")
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        bundle = window.offering(app.intake.offering).bundle
        texts = [str(label.render()) for label in screen.query(".question-text").results(Label)]
        assert bundle.questions[0].text.en in texts[0]
        assert "items" in count_text(screen)


async def test_the_buyers_marital_status_starts_unanswered_and_next_waits_for_it(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_situation(pilot, window, "二手房转移登记")
        marital = next(rs for rs in screen.query(RadioSet) if rs.name == "buyer_marital")
        assert marital.pressed_button is None  # no 未婚 assumed
        assert "buyer_marital" not in app.intake.answers
        answer(screen, "has_gas", "no").value = True
        await pilot.pause()
        screen.action_next()
        await pilot.pause()
        assert app.screen is screen  # refused: still on the situation step
        said = [str(n.message) for n in app._notifications]
        assert any("请回答：买受人婚姻状况？" in text for text in said), said
        answer(screen, "buyer_marital", "married").value = True
        await pilot.pause()
        assert app.intake.answers["buyer_marital"] == "married"
        screen.action_next()
        await pilot.pause()
        await pilot.pause()
        assert app.screen is not screen  # on to the materials


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_questions_and_answers_are_whole_in_english(window, size):
    """Long English questions and answers wrap inside the choices column; nothing is cut."""
    app = make_app(window)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        screen = await open_situation(pilot, window, "新生儿")
        column = screen.query_one("#situation-choices").content_region
        bundle = window.offering(app.intake.offering).bundle
        texts = [label for label in screen.query(".question-text").results(Label)]
        assert [str(label.render()) for label in texts] == [question.text.en for question in bundle.questions]
        for label in texts:
            assert label.region.right <= column.right
            assert label.size.height == len(label.render().wrap(label.size.width))  # every line shown
        buttons = [*screen.query(RadioButton), *screen.query(".optional").results(Checkbox)]
        labels = {str(button.label) for button in buttons}
        assert "Parents registered elsewhere (cross-region service)" in labels
        for button in buttons:
            assert button.region.right <= column.right, f"{button.label} runs off the column"
            lines = button.render().split("\n")
            assert len(lines) == button.content_region.height, f"{button.label}: lines cut off"
            assert " ".join(line.plain.strip() for line in lines).endswith(str(button.label).split()[-1])
            assert all(cell_len(line.plain.rstrip()) <= button.content_region.width for line in lines)
