"""Applications and drafts: find an accepted application by typing, continue a draft."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Button, DataTable, Input, Static, TabbedContent

from screens.application_detail import ApplicationDetailScreen
from screens.applications import ApplicationsScreen
from screens.form import FormScreen
from screens.receipt import ReceiptScreen
from screens.widgets.dialog import Dialog
from tests.conftest import FIXED_NOW
from tests.functional_tests.end_steps import BUYER, house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
    paste,
    type_text,
)
from window_app.domain.intake import Person

pytestmark = pytest.mark.anyio


def accept(window, name: str = BUYER.name, *, days_ago: int = 0) -> str:
    """Accept a complete house transfer for ``name`` (``days_ago`` days before the pinned now)."""
    intake = house_transfer(window, materials=True, fields=True)
    intake.applicant.person = Person(name, BUYER.id_number, BUYER.phone)
    intake.fields.pop("applicant_name", None)
    clock = window.clock
    window.clock = lambda: FIXED_NOW - dt.timedelta(days=days_ago)
    try:
        return window.accept(intake).receipt_no
    finally:
        window.clock = clock


def rows(app, table_id: str = "#apps-table") -> list[str]:
    table = app.screen.query_one(table_id, DataTable)
    return [row.key.value for row in table.ordered_rows]


async def open_applications(pilot) -> ApplicationsScreen:
    await pilot.press("f3")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ApplicationsScreen)
    return screen


async def test_lists_todays_applications_with_department_parts(window):
    receipt_no = accept(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        assert rows(app) == [receipt_no]
        cells = [str(cell) for cell in app.screen.query_one("#apps-table", DataTable).get_row(receipt_no)]
        assert cells[1] == "09:30"
        assert cells[2] == "二手房转移登记及水 …"  # 20 cells at most: the pane under the list has it whole
        assert "二手房转移登记及水电气联动过户" in str(app.screen.query_one("#apps-progress").render())
        assert cells[3] == BUYER.name
        assert cells[4] == "已受理"
        assert cells[5] == "税务… 不动产◦ 供电◦ 供水◦"  # stage 1 queued to send, later stages wait
        assert app.focused is app.screen.query_one("#apps-search", Input)
        footer = footer_text(app)
        for words in ("返回", "办件/草稿", "f5 同步"):
            assert words in footer
        # Ctrl+F and Ctrl+T are on the screen itself (the search box, the scope button), not in
        # the footer; they work the same (test_today_all_toggle below).
        assert "搜索" not in footer and "今天/全部" not in footer
        assert "Ctrl+T" in str(app.screen.query_one("#apps-scope", Button).label)
        assert "重新发送" not in footer  # nothing refused


async def test_typing_part_of_the_applicant_name_finds_it_at_once(window):
    wang = accept(window)
    li = accept(window, "李梅")
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        assert rows(app) == [li, wang]
        await paste(pilot, "建国")
        assert rows(app) == [wang]
        await type_text(pilot, "x")
        assert rows(app) == []
        assert "搜索“建国x”" in str(app.screen.query_one("#apps-status", Static).render())
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, wang[-2:])  # the end of a receipt number works too
        assert wang in rows(app)


async def test_today_all_toggle(window):
    old = accept(window, days_ago=3)
    new = accept(window, "李梅")
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        assert rows(app) == [new]
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert rows(app) == [new, old]
        cells = [str(cell) for cell in app.screen.query_one("#apps-table", DataTable).get_row(old)]
        assert cells[1] == "2026-11-24 09:30"
        await pilot.click("#apps-scope")  # the mouse too
        assert rows(app) == [new]


async def test_enter_opens_the_detail_and_r_the_receipt(window):
    receipt_no = accept(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, ApplicationDetailScreen)
        assert detail.receipt_no == receipt_no
        parts = detail.query_one("#detail-parts", DataTable)
        assert parts.row_count == 4
        assert "待发送" in str(parts.get_row_at(0)[3])
        audit = detail.query_one("#detail-audit", DataTable)
        assert [str(audit.get_row_at(i)[3]) for i in range(audit.row_count)] == ["受理"]
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReceiptScreen)
        assert receipt_no in str(app.screen.query_one("#receipt-text", Static).render())
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)


async def test_a_draft_resumes_on_its_step(window):
    intake = house_transfer(window, materials=True)
    intake.step = "form"
    draft_id = window.save_draft(intake)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        await pilot.press("f6")
        await pilot.pause()
        assert app.screen.query_one("#apps-tabs", TabbedContent).active == "apps-tab-drafts"
        assert rows(app, "#apps-drafts") == [draft_id]
        cells = [str(cell) for cell in app.screen.query_one("#apps-drafts", DataTable).get_row(draft_id)]
        assert cells[2] == BUYER.name and cells[3] == "一表申请"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert app.intake is not None and app.intake.draft_id == draft_id
        assert app.intake.materials == intake.materials


async def test_deleting_a_draft_asks_first(window):
    intake = house_transfer(window)
    intake.step = "checklist"
    draft_id = window.save_draft(intake)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        await pilot.press("f6")
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, Dialog)
        await pilot.press("escape")  # no: kept
        await pilot.pause()
        assert [d.id for d in window.drafts()] == [draft_id]
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        assert window.drafts() == []
        assert rows(app, "#apps-drafts") == []


async def test_english_keeps_query_and_scope(window):
    receipt_no = accept(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        await paste(pilot, "建国")
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        assert app.screen.query_one("#apps-search", Input).value == "建国"
        assert rows(app) == [receipt_no]
        cells = [str(cell) for cell in app.screen.query_one("#apps-table", DataTable).get_row(receipt_no)]
        assert cells[4] == "accepted"
        await pilot.press("f2")
        await pilot.pause()


async def test_f3_reads_the_list_once_and_again_when_the_clerk_comes_back(window):
    """Opening F3 reads the applications once (not at mount and again at the first show: each
    read of a long list costs a frame); coming back from the detail reads them again, so an
    application accepted meanwhile is listed."""
    first = accept(window)
    reads = []
    applications = window.applications
    window.applications = lambda *args, **kwargs: reads.append(args) or applications(*args, **kwargs)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_applications(pilot)
        assert len(reads) == 1 and rows(app) == [first]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        second = accept(window, "蒙小兰")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        assert len(reads) == 2 and set(rows(app)) == {first, second}


async def test_a_long_list_is_read_a_page_at_a_time_and_every_application_is_reached(window, monkeypatch):
    """The list holds a page (here 4, a screenful and some in the app); ↓ past its end, End,
    Home and PageUp read the applications there; the status line says how many there are and
    which are shown, in both languages."""
    monkeypatch.setattr("screens.applications.PAGE_ROWS", 4)  # in the app: the height and some
    receipts = [accept(window, days_ago=days) for days in range(9, -1, -1)]  # oldest first
    newest = receipts[::-1]
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_applications(pilot)
        await pilot.press("ctrl+t")  # every date: ten applications
        await pilot.pause()
        assert rows(app) == newest[:4]
        status = str(screen.query_one("#apps-status", Static).render())
        assert "办件 10 件（全部）" in status and "第 1–4 件" in status
        await pilot.press("down", "down", "down", "down")  # the fourth, the page's last
        await pilot.pause()
        await pilot.press("down")  # past it: the fifth, read now
        await pilot.pause()
        table = screen.query_one("#apps-table", DataTable)
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == newest[4]
        assert newest[4] in rows(app)
        await pilot.press("end")
        await pilot.pause()
        assert rows(app) == newest[-4:]
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == receipts[0]  # the oldest
        assert "第 7–10 件" in str(screen.query_one("#apps-status", Static).render())
        await pilot.press("home")
        await pilot.pause()
        assert rows(app)[0] == newest[0]
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == newest[0]
        await pilot.press("f2")  # English
        await pilot.pause()
        status = str(app.screen.query_one("#apps-status", Static).render())
        assert "10 applications (all)" in status and "1–4 shown" in status
        await pilot.press("f2")
        await pilot.pause()
