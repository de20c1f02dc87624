"""Step 5, the unified form: every field once, prefilled, checked as typed."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select

from screens.form import FormScreen
from screens.review import ReviewScreen
from screens.widgets.choices import YesNo
from screens.widgets.field_row import FieldRow
from tests.functional_tests.end_steps import BROKEN_ID, BUYER, HOUSE_FIELDS, SELLER_ID, house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    error_at,
    make_app,
    paste,
    type_text,
)

pytestmark = pytest.mark.anyio


async def open_form(pilot, intake) -> FormScreen:
    pilot.app.intake = intake
    pilot.app.goto_step("form")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, FormScreen)
    return screen


def control(app, field_id: str):
    return app.screen.query_one(f"#field-{field_id}")


async def test_applicant_fields_are_prefilled_once_for_every_item(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        await open_form(pilot, intake)
        assert control(app, "applicant_name").value == BUYER.name
        assert control(app, "applicant_id_number").value == BUYER.id_number
        assert control(app, "applicant_phone").value == BUYER.phone
        assert intake.fields["applicant_name"] == BUYER.name  # the prefill is written to the intake
        # every field once
        rows = list(app.screen.query(FieldRow))
        assert [row.path for row in rows] == [f"fields.{line.field.id}" for line in window.guide(intake).form.lines]
        # nothing typed yet: no error shown before the clerk gets there
        assert error_at(app, "field-seller_name") == ""


async def test_each_field_says_how_many_items_use_it(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        await open_form(pilot, intake)
        row = app.screen.query_one("#field-applicant_name-row", FieldRow)
        assert str(row.query_one(".field-hint").render()).startswith("4 个事项使用")
        tooltip = str(row.tooltip)
        items = next(line.used_by for line in window.guide(intake).form.lines if line.field.id == "applicant_name")
        assert len(items) == 4
        for item_id in items:
            assert f"· {window.catalog.items[item_id].name.zh}" in tooltip.splitlines()
        assert row.required
        single = app.screen.query_one("#field-first_home-row", FieldRow)
        assert str(single.query_one(".field-hint").render()).startswith("1 个事项使用")


async def test_english_group_headings_and_hints(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        await open_form(pilot, intake)
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        headings = [str(heading.render()) for heading in app.screen.query(".form-group")]
        assert "Applicant" in headings and "Property" in headings
        row = app.screen.query_one("#field-first_home-row", FieldRow)
        hint = str(row.query_one(".field-hint").render())
        assert hint == "used by 1 item · Decides whether the preferential deed tax rate applies."
        await pilot.press("f2")
        await pilot.pause()


async def test_controls_follow_the_field_types(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        await open_form(pilot, intake)
        assert isinstance(control(app, "house_use"), Select)
        assert isinstance(control(app, "first_home"), YesNo)
        assert isinstance(control(app, "house_area"), Input)
        control(app, "house_use").value = "commercial"
        control(app, "first_home").query_one("ChoiceButton").value = True  # 是
        await pilot.pause()
        assert intake.fields["house_use"] == "commercial"
        assert intake.fields["first_home"] == "true"


async def test_invalid_id_number_is_shown_at_the_field_as_typed_and_blocks_next(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True, fields=True)
        del intake.fields["seller_id_number"]
        await open_form(pilot, intake)
        control(app, "seller_id_number").focus()
        await type_text(pilot, BROKEN_ID)
        message = error_at(app, "field-seller_id_number")
        assert message
        expected = [p for p in window.validate(intake, "form") if p.path == "fields.seller_id_number"]
        assert message == expected[0].words.zh
        assert error_at(app, "field-seller_name") == ""  # only the field being typed is judged
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert app.focused is control(app, "seller_id_number")
        # corrected: the message goes, and the form lets the clerk on
        control(app, "seller_id_number").value = ""
        await type_text(pilot, SELLER_ID)
        assert error_at(app, "field-seller_id_number") == ""
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)


async def test_next_with_blank_required_fields_marks_each_of_them(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        await open_form(pilot, intake)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        for field_id in ("seller_name", "house_location", "house_use", "water_account"):
            assert error_at(app, f"field-{field_id}"), field_id
        assert error_at(app, "field-applicant_name") == ""  # prefilled
        assert app.focused is control(app, "seller_name")


async def test_hanzi_typed_through_the_ime_is_kept(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        await open_form(pilot, intake)
        control(app, "house_location").focus()
        await pilot.pause()
        await paste(pilot, HOUSE_FIELDS["house_location"])
        assert intake.fields["house_location"] == HOUSE_FIELDS["house_location"]
        assert error_at(app, "field-house_location") == ""


async def test_values_survive_going_back_and_the_language_switch(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        await open_form(pilot, intake)
        control(app, "water_account").focus()
        await pilot.pause()  # focused before the paste arrives
        await paste(pilot, "ZF08812")  # typing key by key: test_invalid_id_number_is_shown_at_the_field_as_typed…
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert control(app, "water_account").value == "ZF08812"
        assert app.focused is control(app, "water_account")
        label = str(app.screen.query_one("#field-water_account-row .field-label").render())
        assert label.startswith("Water account number")
        await pilot.press("f2")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.STEP == "checklist"
        assert intake.fields["water_account"] == "ZF08812"


@pytest.mark.parametrize(("size", "language"), [((140, 40), "en"), ((140, 40), "zh"), ((80, 24), "zh")])
async def test_labels_take_one_line_when_there_is_room(window, size, language):
    """One label column as wide as the longest label: no label wraps at 140 columns, nor in
    Chinese at 80; errors start under the controls."""
    app = make_app(window)
    async with app.run_test(size=size) as pilot:
        if language == "en":
            await pilot.press("f2")
            await pilot.pause()
        intake = house_transfer(window, materials=True, fields=True)
        intake.fields["seller_id_number"] = BROKEN_ID
        await open_form(pilot, intake)
        await pilot.pause()
        rows = list(app.screen.query(FieldRow))
        labels = [row.query_one(".field-label") for row in rows]
        assert {label.outer_size.width for label in labels} == {max(row.label_cells for row in rows)}
        assert all(label.size.height == 1 for label in labels), [str(label.render()) for label in labels]
        seller = app.screen.query_one("#field-seller_id_number-row", FieldRow)
        error = seller.query_one(".field-error")
        assert error.region.x == seller.control.region.x - 1 or error.region.x == seller.control.region.x


async def test_labels_wrap_in_their_column_or_go_above_the_controls_when_narrow(window):
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        await open_form(pilot, house_transfer(window, materials=True, fields=True))
        await pilot.pause()
        rows = list(app.screen.query(FieldRow))
        widths = {row.query_one(".field-label").outer_size.width for row in rows}
        assert len(widths) == 1 and widths.pop() <= 80 * 2 // 5  # one column, two fifths at most
        for row in rows:  # a long label wraps, whole, beside its control
            label = row.query_one(".field-label")
            assert label.size.height == len(label.render().wrap(label.content_region.width))
        await pilot.resize_terminal(50, 24)
        await pilot.pause()
        await pilot.pause()
        row = app.screen.query_one("#field-seller_id_number-row", FieldRow)
        assert row.has_class("-stacked")
        assert row.control.region.y > row.query_one(".field-label").region.y  # under its label
