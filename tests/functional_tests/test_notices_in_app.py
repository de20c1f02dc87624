"""Notices printed from the TUI with one key: the file is written and says what the applicant checks.

Every test runs as over SSH (``SSH_CONNECTION`` set): no local printer is reachable, so
``window_app.notices.printing`` does not call ``lp`` or the Windows print verb and the PDF stays
in the window's documents folder, its path told to the clerk — what a clerk on a remote
session sees, and no test ever reaches a real printer. The PDF is read back with ``pdftotext``.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList

from screens.application_detail import ApplicationDetailScreen
from screens.checklist import ChecklistScreen
from screens.situation import SituationScreen
from screens.supplement import SupplementScreen
from screens.widgets.dialog import Dialog
from screens.widgets.notice_chooser import NoticeChooser
from tests.functional_tests.end_steps import BUYER, house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    offering_id,
    start,
)
from tests.functional_tests.test_snapshots_sync import (
    Departments,
    business_startup_in_every_state,
    concluded_house_transfer,
)
from window_app.receipt import department_name

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _no_printer(monkeypatch: pytest.MonkeyPatch) -> None:
    """As over SSH: no local printer is reachable, the file is saved and its path told."""
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.9 52000 10.0.0.5 22")


def compact(text: str) -> str:
    """Text without white space: a value wrapped across lines still reads as one."""
    return re.sub(r"\s", "", text)


def pdf_text(path: Path) -> str:
    assert path.is_file() and path.read_bytes().startswith(b"%PDF"), path
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return compact(done.stdout)


def documents(window) -> Path:
    return Path(window.settings.data_dir) / "documents"


def toasts(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def printed(pilot, *keys: str) -> None:
    """Press ``keys``, then wait for the print worker and the words it leaves."""
    await pilot.press(*keys)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def told_saved(app, path: Path) -> bool:
    """The clerk was told why it was not printed (SSH) and where the file is."""
    return any("SSH" in toast and str(path) in toast for toast in toasts(app))


# -- the one-time notice (一次性告知书), before accepting ------------------------------------


async def test_p_on_the_situation_step_prints_the_one_time_notice_under_the_answers(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        app.goto_step("situation")
        await pilot.pause()
        assert isinstance(app.screen, SituationScreen)
        await printed(pilot, "p")
        guide = window.guide(app.intake)
        path = documents(window) / f"one-time-{guide.offering.bundle.id}-{window.today():%Y%m%d}.pdf"
        text = pdf_text(path)
        assert "一次性告知书" in text and compact(str(guide.offering.bundle.name)) in text
        for line in guide.checklist.lines:  # everything to bring, at once
            assert compact(str(line.material.name)) in text, line.material.id
        for item in guide.items:
            assert compact(str(item.name)) in text
        assert told_saved(app, path)
        assert isinstance(app.screen, SituationScreen)  # nothing accepted, the clerk goes on


async def test_p_on_the_checklist_lists_what_the_applicant_still_has_to_bring_first(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        app.intake = house_transfer(window)
        app.goto_step("checklist")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ChecklistScreen)
        lines = [line for line in window.guide(app.intake).checklist.lines if not line.material.shareable]
        brought, lacking = lines[0].material, lines[1].material
        table = screen.query_one("#checklist-table", DataTable)
        table.move_cursor(row=table.get_row_index(brought.id))
        await pilot.press("1")  # the applicant has the first one in original …
        await printed(pilot, "p")  # … and lacks the rest: they take the notice home
        path = next(documents(window).glob("one-time-*.pdf"))
        text = pdf_text(path)
        still = text[text.index("尚需补齐的材料") : text.index("申请材料清单")]
        assert compact(str(lacking.name)) in still
        assert compact(str(brought.name)) not in still
        assert compact(BUYER.name) in text and BUYER.id_number not in text  # masked
        assert told_saved(app, path)


# -- an accepted application's notices, from its detail ------------------------------------


async def open_detail(pilot, receipt_no: str) -> ApplicationDetailScreen:
    pilot.app.push_screen(ApplicationDetailScreen(receipt_no))
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ApplicationDetailScreen)
    return screen


def highlight_part(screen: ApplicationDetailScreen, department: str) -> None:
    assert screen._detail is not None
    row = next(i for i, part in enumerate(screen._detail.summary.parts) if part.department == department)
    screen.query_one("#detail-parts", DataTable).move_cursor(row=row)


def offered(app) -> tuple[list[str], str]:
    """The chooser's notices as listed, and the highlighted one."""
    chooser = app.screen
    assert isinstance(chooser, NoticeChooser)
    options = chooser.query_one(OptionList)
    listed = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    return listed, listed[options.highlighted or 0]


async def test_p_on_the_detail_offers_only_the_notices_there_are_and_prints_the_supplement_notice(window):
    receipt_no = business_startup_in_every_state(window)
    catalog = window.catalog
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, receipt_no)
        highlight_part(screen, "public_security-522325")  # it asks for a supplement
        await pilot.pause()
        assert "P 打印补正告知书" in str(screen.query_one("#detail-part").render())
        await pilot.press("p")
        await pilot.pause()
        listed, highlighted = offered(app)
        # A supplement asked, an item refused, a class-3 part; nothing handed in yet.
        assert listed == ["1  受理回执", "2  补正告知书", "3  不予受理（不予许可）告知书", "4  材料移交单"]
        assert highlighted == "2  补正告知书"
        await printed(pilot, "enter")
        assert isinstance(app.screen, ApplicationDetailScreen)
        path = documents(window) / f"{receipt_no}-supplement.pdf"
        text = pdf_text(path)
        assert "补正告知书" in text and receipt_no in text
        assert "法定代表人任职文件未盖章" in text
        assert compact(str(catalog.materials["appointment_docs"].name)) in text
        assert compact(department_name(catalog, "public_security-522325")) in text
        assert told_saved(app, path)


async def test_the_refusal_notice_from_the_english_screen(window):
    receipt_no = business_startup_in_every_state(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        screen = await open_detail(pilot, receipt_no)
        highlight_part(screen, "hrss-522325")  # it refused
        await pilot.pause()
        assert "P to print the notice of refusal" in str(screen.query_one("#detail-part").render())
        await pilot.press("p")
        await pilot.pause()
        listed, highlighted = offered(app)
        assert highlighted == "3  Notice of Refusal"
        await printed(pilot, "enter")
        text = pdf_text(documents(window) / f"{receipt_no}-refusal.pdf")
        # The paper is in [print] language (the shipped config: zh), whatever the clerk's screen says.
        assert "不予受理（不予许可）告知书" in text and "参保人员名册缺少身份证号码" in text  # the department's own words


async def test_the_handover_list_is_offered_where_there_are_class_3_parts(window):
    receipt_no = concluded_house_transfer(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(pilot, receipt_no)
        highlight_part(screen, "power_grid-522325")  # handed over
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        listed, highlighted = offered(app)
        assert listed == ["1  受理回执", "2  材料移交单"]
        assert highlighted == "2  材料移交单"
        await printed(pilot, "enter")
        text = pdf_text(documents(window) / f"{receipt_no}-handover.pdf")
        for department in ("power_grid-522325", "water_supply-522325"):
            assert compact(department_name(window.catalog, department)) in text
        assert "收件员" in text  # who signed for the paper


async def test_escape_closes_the_chooser_without_printing(window):
    receipt_no = concluded_house_transfer(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, receipt_no)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, NoticeChooser)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        assert not documents(window).exists() or not list(documents(window).iterdir())


# -- the supplement slip (补正材料收取凭证) ------------------------------------------------------


def tax_asks_for_the_contract(window) -> str:
    """A house transfer whose tax office asks for the sale contract again (as the sync applies it)."""
    receipt_no = window.accept(house_transfer(window, materials=True, fields=True)).receipt_no
    exchange = Departments(window)
    exchange.deliver(receipt_no, "tax-522325", "09:31")
    exchange.event(receipt_no, "tax-522325", "received", "09:35")
    item = json.loads(exchange.envelope(receipt_no, "tax-522325").payload)["items"][0]["id"]
    exchange.event(
        receipt_no, "tax-522325", "supplement_needed", "10:02", item,
        material="house_sale_contract", reason="合同缺少签字页", decided_by="审批员",
    )
    return receipt_no


async def test_saving_a_supplement_offers_the_slip_and_y_prints_it(window):
    receipt_no = tax_asks_for_the_contract(window)
    material = window.catalog.materials["house_sale_contract"]
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, receipt_no)
        app.push_screen(SupplementScreen(receipt_no))
        await pilot.pause()
        await pilot.press("p")  # nothing handed in yet: words, no file
        await pilot.pause()
        assert any("尚未收取补正材料" in toast for toast in toasts(app))
        await pilot.press("1", "ctrl+s")  # the original handed in, saved and queued
        await pilot.pause()
        assert isinstance(app.screen, Dialog), toasts(app)
        await printed(pilot, "y")
        assert isinstance(app.screen, ApplicationDetailScreen)  # back where the clerk came from
        path = documents(window) / f"{receipt_no}-supplement-received.pdf"
        text = pdf_text(path)
        assert "补正材料收取凭证" in text and receipt_no in text
        assert compact(str(material.name)) in text and "原件" in text
        assert told_saved(app, path)


async def test_the_slip_need_not_be_printed_and_p_prints_it_later(window):
    receipt_no = tax_asks_for_the_contract(window)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(pilot, receipt_no)
        app.push_screen(SupplementScreen(receipt_no))
        await pilot.pause()
        await pilot.press("1", "ctrl+s")
        await pilot.pause()
        await pilot.press("escape")  # not now
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ApplicationDetailScreen)
        path = documents(window) / f"{receipt_no}-supplement-received.pdf"
        assert not path.exists()
        await pilot.press("p")
        await pilot.pause()
        listed, _ = offered(app)
        assert listed == ["1  受理回执", "2  补正告知书", "3  补正材料收取凭证", "4  材料移交单"]
        await printed(pilot, "3")
        assert "补正材料收取凭证" in pdf_text(path)
