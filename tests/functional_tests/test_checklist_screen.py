"""Step 4, the merged checklist: each material once, its departments, and how it was received."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static

from screens.checklist import ChecklistScreen
from screens.form import FormScreen
from screens.widgets.promise_date import PromiseDateDialog
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
    type_text,
)
from window_app.domain.intake import MaterialStatus

pytestmark = pytest.mark.anyio


async def open_checklist(pilot, intake) -> ChecklistScreen:
    pilot.app.intake = intake
    pilot.app.goto_step("checklist")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ChecklistScreen)
    return screen


def table(app) -> DataTable:
    return app.screen.query_one("#checklist-table", DataTable)


COLUMNS = {2: "departments", 3: "original", 4: "shareable", 5: "state"}
"""The columns the tests read, by their place at 140 columns (every column fits there)."""


def row_of(app, material_id: str) -> dict[int, str]:
    """A material's cells by the column's place at full width (columns are chosen by width)."""
    grid = table(app)
    return {place: str(grid.get_cell(material_id, key)) for place, key in COLUMNS.items() if key in grid.columns}


async def highlight(pilot, material_id: str) -> None:
    grid = table(pilot.app)
    grid.focus()
    grid.move_cursor(row=grid.get_row_index(material_id))
    await pilot.pause()


def shown(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_each_shared_material_once_with_its_departments_and_the_saving(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        checklist = window.guide(intake).checklist
        keys = [row.key.value for row in table(app).ordered_rows]
        assert keys == [line.material.id for line in checklist.lines]
        assert keys.count("id_card") == 1  # four items need it; the applicant brings it once
        id_card = row_of(app, "id_card")
        assert id_card[2] == "税务、不动产、供电、供水"
        assert id_card[4] == "可共享"
        assert id_card[5] == "联网后核验"  # shareable defaults to data sharing, verified once online
        assert row_of(app, "house_sale_contract")[3] == "需原件"
        assert shown(app, "#checklist-headline") == (
            f"本次共需 {checklist.requirements} 份材料，免于重复提交 {checklist.saved} 份，"
            f"其中 {checklist.shareable_count} 份通过数据共享核验"
        )
        assert (checklist.requirements, checklist.saved, checklist.shareable_count) == (12, 7, 3)
        # Keys 1–5 and a once in the footer, their words on the buttons under the table (and
        # the footer still has room for P and the app's keys at 120 columns: test_footers.py).
        footer = footer_text(app)
        for words in ("1 2 3 4 5 a 收取情况", "p 告知书", "下一步", "f5 同步"):
            assert words in footer
        buttons = [str(button.label) for button in app.screen.query("#checklist-actions Button")]
        assert buttons == ["1 原件", "2 复印件", "3 共享核验", "4 容缺", "5 不适用", "a 其余收原件"]


async def test_number_keys_record_and_move_down(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "house_sale_contract")
        await pilot.press("1")
        assert intake.materials["house_sale_contract"].state == "original"
        assert row_of(app, "house_sale_contract")[5] == "原件已收"
        # the cursor went on to the next material: 5 marks it not applicable
        await pilot.press("5")
        next_id = table(app).ordered_rows[table(app).get_row_index("house_sale_contract") + 1].key.value
        assert intake.materials[next_id].state == "not_applicable"


async def test_key_material_cannot_be_deficient_and_the_row_says_why(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "house_sale_contract")
        await pilot.press("4")
        await pilot.pause()
        assert not isinstance(app.screen, PromiseDateDialog)  # no date asked: refused at once
        assert "house_sale_contract" not in intake.materials
        assert shown(app, "#checklist-problem") == "关键材料不能容缺受理"
        assert row_of(app, "house_sale_contract")[5].startswith("✗")


async def test_data_sharing_is_refused_for_a_material_the_government_does_not_hold(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "utility_bill")
        await pilot.press("3")
        assert "utility_bill" not in intake.materials
        assert shown(app, "#checklist-problem") == "该材料不能通过数据共享核验"
        # a correct key clears the message
        await pilot.press("1")
        assert intake.materials["utility_bill"].state == "original"
        await highlight(pilot, "utility_bill")
        assert shown(app, "#checklist-problem") == ""


async def test_deficient_material_asks_a_promised_date_checked_as_typed(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "utility_bill")
        await pilot.press("4")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromiseDateDialog)
        date_input = dialog.query_one("#promise-date", Input)
        assert date_input.value  # a date the window accepts is suggested
        date_input.value = ""
        await type_text(pilot, "2026-11-27")  # today (the suite's pinned clock)
        assert str(dialog.query_one("#promise-error", Static).render()) == "承诺补交日期应晚于今天"
        await pilot.press("enter")
        assert app.screen is dialog  # refused: the box stays
        date_input.value = ""
        await type_text(pilot, "2026-12-02")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        assert intake.materials["utility_bill"] == MaterialStatus(state="deficient", promised_date="2026-12-02")
        assert row_of(app, "utility_bill")[5] == "容缺·2026-12-02前补交"


async def test_escape_in_the_date_box_changes_nothing(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "utility_bill")
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, PromiseDateDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        assert "utility_bill" not in intake.materials


async def test_pending_materials_block_next_and_are_marked(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        assert row_of(app, "house_sale_contract")[5].startswith("✗")
        assert not row_of(app, "id_card")[5].startswith("✗")  # shared by default: nothing to record
        assert shown(app, "#checklist-problem") == "请确认该材料的收取情况"


async def test_rest_as_original_then_next_goes_to_the_form(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await pilot.press("a")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert intake.materials["id_card"].state == "shared"
        assert intake.materials["house_sale_contract"].state == "original"
        assert intake.materials["utility_bill"].state == "original"
        assert window.validate(intake, "checklist") == []


async def test_buttons_work_with_the_mouse(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "utility_bill")
        await pilot.click("#mark-copy")
        assert intake.materials["utility_bill"].state == "copy"


async def test_english_keeps_the_states_and_the_row(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "utility_bill")
        await pilot.press("2")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        assert shown(app, "#checklist-headline").startswith("12 materials in all, 7 need not be brought twice")
        assert row_of(app, "utility_bill")[5] == "copy received"
        assert row_of(app, "id_card")[5] == "verify when online"
        assert table(app).cursor_row == table(app).get_row_index("utility_bill")  # the last row: it stays
        await pilot.press("f2")
        await pilot.pause()


async def test_english_shows_short_names_sources_and_notes_in_english(window):
    app = make_app(window)
    async with app.run_test(size=(180, 45)) as pilot:  # wide enough for the departments' names
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await pilot.press("f2")
        await pilot.pause()
        assert row_of(app, "id_card")[2] == "Tax, Real Estate, Power, Water"
        await highlight(pilot, "id_card")
        detail = shown(app, "#checklist-detail")
        assert "can be verified by data sharing (E-licence database of the national integrated" in detail
        assert "Check the applicant's own ID card; when an agent applies" in detail
        assert "(Tax)" in detail and "（" not in detail and not any("\u4e00" <= c <= "\u9fff" for c in detail)
        await pilot.press("f2")
        await pilot.pause()


async def test_language_switch_inside_the_date_box_keeps_what_was_typed(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window)
        await open_checklist(pilot, intake)
        await highlight(pilot, "utility_bill")
        await pilot.press("4")
        await pilot.pause()
        app.screen.query_one("#promise-date", Input).value = ""
        await type_text(pilot, "2026-12-0")
        await pilot.press("f2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PromiseDateDialog)
        assert dialog.query_one("#promise-date", Input).value == "2026-12-0"
        assert str(dialog.query_one("#promise-error", Static).render()) == "The promised date is written YYYY-MM-DD"
        await type_text(pilot, "2")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        assert intake.materials["utility_bill"] == MaterialStatus(state="deficient", promised_date="2026-12-02")
        assert row_of(app, "utility_bill")[5] == "deficient · by 2026-12-02"
        await pilot.press("f2")
        await pilot.pause()
