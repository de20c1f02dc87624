"""The table screens at a county terminal's 80×24 and at 120×40, in Chinese and in English.

Snapshots of each state — the checklist with materials in mixed states and a refused key, a
long checklist, the applications list with a row that needs action, the detail with the
supplement request highlighted, the supplement screen with a refused key, the F9 resend
question — and Pilot tests of what a clerk checks there: every visible row's state is on the
screen, nothing needs a sideways scroll, a refused key says why in view, the list keeps several
rows in view under a long pane. Update the snapshots on purpose with ``--snapshot-update`` and
look at the SVGs.

The screen's text is read from Textual's compositor (``screen._compositor.render_strips()``:
the characters a terminal shows, one string a line), not from pixels; Textual has no public
call for it.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from screens.application_detail import ApplicationDetailScreen
from screens.applications import ApplicationsScreen
from screens.checklist import ChecklistScreen
from screens.supplement import SupplementScreen
from tests.functional_tests.end_steps import BUYER, house_transfer
from tests.functional_tests.shell_helpers import anyio_backend, make_app  # noqa: F401  (fixture)
from tests.functional_tests.test_snapshots_sync import business_startup_in_every_state, concluded_house_transfer
from tests.window_template import seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.domain.intake import MaterialStatus, Person
from window_app.domain.words import language

pytestmark = pytest.mark.anyio

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
LANGUAGES = ("zh", "en")


@pytest.fixture
def settings(tmp_path) -> Settings:
    """The shipped window, with a clerk named (the OS user would differ from machine to machine)."""
    shipped = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(tmp_path / "data"))
    return seed_window_database(shipped)


@pytest.fixture(autouse=True)
def _pinned_installation_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("window_app.accepting.installation_tag", lambda db: "TEST")


# -- the states ---------------------------------------------------------------------------


def mixed_checklist(window):
    """二手房: shared, original, deficient, and the key material refused as deficient (4)."""
    intake = house_transfer(window)
    intake.materials["house_sale_contract"] = MaterialStatus(state="original")
    intake.materials["utility_bill"] = MaterialStatus(state="deficient", promised_date="2026-12-02")
    return intake


def long_checklist(window):
    """开办餐饮店: eleven materials, longer than a 24-row terminal's table."""
    intake = window.new_intake("restaurant_opening")
    intake.applicant.kind = "person"
    intake.applicant.person = Person(BUYER.name, BUYER.id_number, BUYER.phone)
    return intake


async def in_language(pilot, wanted: str) -> None:
    if language() != wanted:
        await pilot.press("f2")
        await pilot.pause()


async def at_checklist(pilot, intake, wanted: str) -> None:
    await in_language(pilot, wanted)
    pilot.app.intake = intake
    pilot.app.goto_step("checklist")
    await pilot.pause()
    await pilot.pause()


async def refuse_deficiency(pilot) -> None:
    """4 on the title certificate, a key material: refused, the reason under the table."""
    table = pilot.app.screen.query_one("#checklist-table", DataTable)
    table.move_cursor(row=table.get_row_index("property_certificate"))
    await pilot.pause()
    await pilot.press("4")
    await pilot.pause()


def accepted_day(window) -> str:
    """A concluded 二手房 and a 企业开办 with parts in every state (a 补正 and a refusal: it needs action)."""
    concluded_house_transfer(window)
    return business_startup_in_every_state(window)


async def at_applications(pilot, wanted: str) -> None:
    await in_language(pilot, wanted)
    await pilot.press("f3")
    await pilot.pause()
    await pilot.press("down")  # into the list: the first row (it needs action) highlighted
    await pilot.pause()
    await pilot.pause()


async def at_detail(pilot, receipt_no: str, wanted: str) -> None:
    await in_language(pilot, wanted)
    pilot.app.push_screen(ApplicationDetailScreen(receipt_no))
    await pilot.pause()
    await pilot.pause()
    await pilot.press(*["down"] * 5)  # 公安: the supplement request
    await pilot.pause()


async def at_supplement(pilot, receipt_no: str, wanted: str) -> None:
    await in_language(pilot, wanted)
    pilot.app.push_screen(SupplementScreen(receipt_no))
    await pilot.pause()
    await pilot.pause()


# -- snapshots ----------------------------------------------------------------------------

parametrized = pytest.mark.parametrize(
    ("size", "wanted"), [(size, wanted) for size in SIZES for wanted in LANGUAGES]
)


@parametrized
def test_checklist_mixed_states_and_a_refused_key(window, snap_compare, size, wanted):
    intake = mixed_checklist(window)

    async def run_before(pilot) -> None:
        await at_checklist(pilot, intake, wanted)
        await refuse_deficiency(pilot)

    assert snap_compare(make_app(window), terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("wanted", LANGUAGES)
def test_long_checklist_at_80x24(window, snap_compare, wanted):
    intake = long_checklist(window)

    async def run_before(pilot) -> None:
        await at_checklist(pilot, intake, wanted)

    assert snap_compare(make_app(window), terminal_size=SIZES["80x24"], run_before=run_before)


@parametrized
def test_applications_with_a_row_that_needs_action(window, snap_compare, size, wanted):
    accepted_day(window)

    async def run_before(pilot) -> None:
        await at_applications(pilot, wanted)

    assert snap_compare(make_app(window), terminal_size=SIZES[size], run_before=run_before)


@parametrized
def test_detail_with_the_supplement_request_highlighted(window, snap_compare, size, wanted):
    receipt_no = accepted_day(window)

    async def run_before(pilot) -> None:
        await at_detail(pilot, receipt_no, wanted)

    assert snap_compare(make_app(window), terminal_size=SIZES[size], run_before=run_before)


@parametrized
def test_supplement_with_a_refused_key(window, snap_compare, size, wanted):
    receipt_no = accepted_day(window)

    async def run_before(pilot) -> None:
        await at_supplement(pilot, receipt_no, wanted)
        await pilot.press("3")  # the appointment documents are not held by the government
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZES[size], run_before=run_before)


@parametrized
def test_resend_question(window, snap_compare, size, wanted):
    accepted_day(window)

    async def run_before(pilot) -> None:
        await at_applications(pilot, wanted)
        await pilot.press("f9")  # the highlighted application has a refused envelope
        await pilot.pause()

    assert snap_compare(make_app(window), terminal_size=SIZES[size], run_before=run_before)


# -- what a clerk checks ------------------------------------------------------------------


def screen_lines(app) -> list[str]:
    """The characters on the terminal, one string a line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def visible_rows(table: DataTable) -> list[tuple[int, str]]:
    """(screen line, row key) of each row the table shows now."""
    top = int(table.scroll_y)
    shown = table.scrollable_content_region.height - table.header_height
    rows = []
    for index, row in enumerate(table.ordered_rows):
        if top <= index < top + shown:
            rows.append((table.region.y + table.header_height + index - top, str(row.key.value)))
    return rows


def assert_fits(table: DataTable) -> None:
    """No sideways scrolling: every column is in view."""
    assert table.max_scroll_x == 0, f"{table.id} is {table.virtual_size.width} cells wide in {table.size.width}"


def assert_cells_shown(app, table: DataTable, column: str) -> list[str]:
    """Each visible row's cell of ``column`` is on its screen line, whole; returns them."""
    lines = screen_lines(app)
    cells = []
    for y, key in visible_rows(table):
        cell = str(table.get_cell(key, column))
        assert cell and cell in lines[y], (column, cell, lines[y])
        cells.append(cell)
    assert cells, f"no row of {table.id} is in view"
    return cells


def on_screen(app, text: str) -> bool:
    return any(text in line for line in screen_lines(app))


narrow = pytest.mark.parametrize("wanted", LANGUAGES)


@narrow
async def test_checklist_states_are_in_view_at_80x24(window, wanted):
    app = make_app(window)
    async with app.run_test(size=SIZES["80x24"]) as pilot:
        await at_checklist(pilot, mixed_checklist(window), wanted)
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        table = screen.query_one("#checklist-table", DataTable)
        assert_fits(table)
        states = assert_cells_shown(app, table, "state")
        assert len(states) == 5  # every material of the bundle, with its state
        deficient = "容缺·2026-12-02前补交" if wanted == "zh" else "deficient · by 2026-12-02"
        assert deficient in states
        # The material's full name is in the row under the table, cut or not in the table.
        await refuse_deficiency(pilot)
        name = "不动产权证书" if wanted == "zh" else "Real estate title certificate"
        reason = "关键材料不能容缺受理" if wanted == "zh" else "A key material cannot be accepted as deficient"
        assert on_screen(app, reason)  # why the key was refused, in view
        assert on_screen(app, name)
        assert app.screen is screen


@narrow
async def test_a_long_checklist_scrolls_and_keeps_the_lines_under_it_in_view(window, wanted):
    app = make_app(window)
    async with app.run_test(size=SIZES["80x24"]) as pilot:
        intake = long_checklist(window)
        await at_checklist(pilot, intake, wanted)
        table = app.screen.query_one("#checklist-table", DataTable)
        assert_fits(table)
        assert_cells_shown(app, table, "state")
        # Down to the last material: it is in view, and the keys' line and the row under the
        # table are still on the screen.
        table.focus()
        await pilot.press(*["down"] * (table.row_count - 1))
        await pilot.pause()
        last = str(table.ordered_rows[-1].key.value)
        assert last in [key for _y, key in visible_rows(table)]
        await pilot.press("3")  # not shared by the government: refused
        await pilot.pause()
        assert last not in intake.materials
        problem = app.screen.query_one("#checklist-problem")
        assert problem.region.height and problem.region.bottom <= app.screen.query_one("#step-body").region.bottom
        assert on_screen(app, str(problem.render()))
        assert on_screen(app, "1 原件" if wanted == "zh" else "1 Original")


async def test_the_checklist_columns_follow_the_width(window):
    """Columns chosen by the width, not by a fixed 80: wide shows everything, narrow the essentials."""
    app = make_app(window)
    async with app.run_test(size=(160, 40)) as pilot:
        await at_checklist(pilot, mixed_checklist(window), "zh")
        table = app.screen.query_one("#checklist-table", DataTable)
        wide = [str(key.value) for key in table.columns]
        assert wide == ["number", "material", "state", "departments", "original", "shareable"]
        assert str(table.get_cell("id_card", "departments")) == "税务、不动产、供电、供水"
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        narrow_columns = [str(key.value) for key in table.columns]
        assert narrow_columns[:3] == ["number", "material", "state"]
        assert len(narrow_columns) < len(wide)
        assert_fits(table)
        assert_cells_shown(app, table, "state")


@narrow
async def test_applications_keep_several_rows_and_their_states_in_view_at_80x24(window, wanted):
    accepted_day(window)
    for _ in range(6):
        window.accept(house_transfer(window, materials=True, fields=True))
    app = make_app(window)
    async with app.run_test(size=SIZES["80x24"]) as pilot:
        await at_applications(pilot, wanted)
        screen = app.screen
        assert isinstance(screen, ApplicationsScreen)
        table = screen.query_one("#apps-table", DataTable)
        assert_fits(table)
        states = assert_cells_shown(app, table, "state")
        assert len(states) >= 5  # several rows, though the highlighted one's pane is long
        assert_cells_shown(app, table, "parts")  # a mark for every department of each
        # The row that needs action is first, marked, and its 补正 is in the pane in view.
        assert str(table.ordered_rows[0].label) == "!"
        wanted_words = "需补正" if wanted == "zh" else "supplement needed"
        assert states[0] == wanted_words
        asked = "公安 ! 需补正" if wanted == "zh" else "Police ! supplement needed"
        assert on_screen(app, asked)
        full_receipt = str(table.ordered_rows[0].key.value)
        assert on_screen(app, full_receipt)  # the whole receipt number, though the list has its tail
        assert screen_lines(app)[-1].startswith("esc")  # the footer is still at the bottom


@narrow
async def test_the_detail_shows_every_part_state_and_the_highlighted_part_at_80x24(window, wanted):
    receipt_no = accepted_day(window)
    app = make_app(window)
    async with app.run_test(size=SIZES["80x24"]) as pilot:
        await at_detail(pilot, receipt_no, wanted)
        table = app.screen.query_one("#detail-parts", DataTable)
        assert_fits(table)
        states = assert_cells_shown(app, table, "state")
        assert len(states) == 7
        reason = "法定代表人任职文件未盖章"
        assert on_screen(app, reason)  # the highlighted part (公安) in words, in view
        f7 = "按 F7 记录申请人补交的材料" if wanted == "zh" else "Press F7 to record what the applicant brought"
        assert on_screen(app, f7)


@narrow
async def test_the_supplement_row_and_a_refused_key_are_in_view_at_80x24(window, wanted):
    receipt_no = accepted_day(window)
    app = make_app(window)
    async with app.run_test(size=SIZES["80x24"]) as pilot:
        await at_supplement(pilot, receipt_no, wanted)
        table = app.screen.query_one("#supplement-table", DataTable)
        assert_fits(table)
        assert_cells_shown(app, table, "state")
        assert_cells_shown(app, table, "supplement")
        await pilot.press("3")
        await pilot.pause()
        problem = str(app.screen.query_one("#supplement-problem").render())
        assert problem and on_screen(app, problem)
        assert on_screen(app, "法定代表人任职文件未盖章")  # the department's reason, under the table
        await pilot.press("2")  # a copy is accepted
        await pilot.pause()
        assert_fits(table)
        recorded = assert_cells_shown(app, table, "supplement")
        assert recorded == ["已记录，按 Ctrl+S 发送" if wanted == "zh" else "recorded, Ctrl+S sends"]
