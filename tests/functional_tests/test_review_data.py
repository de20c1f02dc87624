"""The review shows, per department, every value it will receive, and leads back to its field."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import OptionList

from screens.applicant import ApplicantScreen
from screens.form import FormScreen, widget_id
from screens.review import ReviewScreen
from screens.review_data import SentRow
from tests.exchange_fixtures import opened
from tests.functional_tests.shell_helpers import (
    anyio_backend,  # noqa: F401  (fixture)
    footer_text,
    make_app,
)
from window_app.intake.io import parse_intake

pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "applications" / "business_startup.json"
ADDRESS = "贵州省黔西南布依族苗族自治州贞丰县珉谷街道三合社区环城东路18号"


def business_startup():
    intake, problems = parse_intake(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert not problems and intake is not None
    return intake


async def open_review(pilot) -> ReviewScreen:
    pilot.app.intake = business_startup()
    pilot.app.goto_step("review")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


def text_of(prompt, width: int = 70) -> str:
    """An option as the clerk reads it at ``width`` cells (wrapped lines joined)."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(prompt)
    return console.export_text()


def by_heading(screen: ReviewScreen) -> dict[str, list[str]]:
    """Department heading as shown → its value rows as shown, read from the list the clerk sees."""
    options = screen.query_one("#review-data", OptionList)
    shown: dict[str, list[str]] = {}
    heading = ""
    for index in range(options.option_count):
        option = options.get_option_at_index(index)
        if option.disabled:
            heading = text_of(option.prompt).strip()
            shown[heading] = []
        else:
            shown[heading].append(text_of(option.prompt))
    return shown


def row_of(rows: list[str], label: str) -> str:
    """The value of the row labelled ``label``: the label column is the text before the first
    run of spaces on each line (a long label wraps in its column, as a long value does in its)."""
    for row in rows:
        labels, values = [], []
        for line in row.splitlines():
            left, _, right = line.partition("  ")
            labels.append(left.strip())
            values.append(right.strip())
        if " ".join(part for part in labels if part) == label:
            return "".join(values)  # a wrapped value's lines (the CJK values wrap without spaces)
    raise AssertionError(f"no row {label!r} in {rows}")


def under(shown: dict[str, list[str]], department: str) -> list[str]:
    return next(rows for heading, rows in shown.items() if heading.startswith(department))


async def test_capital_and_address_are_shown_under_market_regulation_and_not_where_not_sent(window):
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        shown = by_heading(screen)
        market = under(shown, "贞丰县市场监督管理局")
        assert row_of(market, "注册资本（出资额，万元）") == "100"
        assert row_of(market, "住所（经营场所）") == ADDRESS  # wrapped, not cut
        assert row_of(market, "企业（经营主体）名称") == "贞丰县花江峡谷农旅开发有限公司"
        police = "".join("".join(under(shown, "贞丰县公安局")).split())
        assert "注册资本" not in police and "住所" not in police and ADDRESS not in police
        assert "刻制印章枚数" in police
        bank = "".join("".join(under(shown, "申请人选择的开户银行")).split())
        assert ADDRESS in bank and "注册资本" not in bank  # the bank gets the address, not the capital


async def test_english_labels_and_values(window):
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot)
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        shown = by_heading(screen)
        market = under(shown, "Zhenfeng County Administration for Market Regulation")
        assert row_of(market, "Registered capital (contribution, 10,000 yuan)") == "100"
        assert row_of(market, "Name of the enterprise (business entity)") == "贞丰县花江峡谷农旅开发有限公司"
        await pilot.press("f2")
        await pilot.pause()


async def test_enter_on_a_value_goes_to_its_field_on_the_form(window):
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        options = screen.query_one("#review-data", OptionList)
        rows = screen.data_rows()
        index = next(i for i, row in enumerate(rows) if isinstance(row, SentRow) and row.field == "registered_capital")
        options.focus()
        options.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert app.screen.focused is not None and app.screen.focused.id == widget_id("registered_capital")
        assert app.screen.focused.value == "100"



async def test_the_review_shows_exactly_the_fields_each_department_is_sent(window):
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        shown: dict[str, set[str]] = {}
        for row in screen.data_rows():
            if row is not None and row.step == "form":
                shown.setdefault(row.department, set()).add(row.field)
        accepted = window.accept(app.intake)
        sent: dict[str, set[str]] = {}
        for envelope in accepted.envelopes:
            sent.setdefault(window.catalog.kind_of(envelope.department), set()).update(opened(envelope)["fields"])  # an office of the kind
        assert shown == sent
        assert "registered_capital" in sent["market_regulation"] and "registered_capital" not in sent["public_security"]


async def test_g_on_an_applicant_value_goes_to_the_applicant_step(window):
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        rows = screen.data_rows()
        index = next(i for i, row in enumerate(rows) if isinstance(row, SentRow) and row.step == "applicant")
        options = screen.query_one("#review-data", OptionList)
        assert "去修改" not in footer_text(app)  # nothing to fix, no value chosen
        options.focus()
        options.highlighted = index
        await pilot.pause()
        assert "去修改" in footer_text(app)
        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
