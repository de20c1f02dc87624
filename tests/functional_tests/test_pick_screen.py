"""The pick screen: search as typed, grouped results, preview, Enter/mouse to start."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Label, OptionList

from screens.applicant import ApplicantScreen
from screens.pick import DRAFT_PREFIX, PickScreen
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    offering_id,
    type_text,
)

pytestmark = pytest.mark.anyio


def highlighted_id(app) -> str | None:
    results = app.screen.query_one("#results", OptionList)
    if results.highlighted is None:
        return None
    return results.get_option_at_index(results.highlighted).id


def preview_text(app) -> str:
    return str(app.screen.query_one("#preview-text").render())


async def test_qykb_highlights_enterprise_opening(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        assert window.offering(highlighted_id(app)).bundle.name.zh.startswith("企业开办")
        assert "企业开办" in preview_text(app)


async def test_unfiltered_list_is_grouped(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        results = app.screen.query_one("#results", OptionList)
        headings = [
            results.get_option_at_index(i).id
            for i in range(results.option_count)
            if results.get_option_at_index(i).disabled
        ]
        assert headings[0] == "group:hot"
        assert "group:item" in headings
        # headings only for groups that have something, in the documented order
        order = ["group:hot", "group:local", "group:personal", "group:enterprise", "group:item"]
        assert headings == [h for h in order if h in headings]
        count = str(app.screen.query_one("#result-count", Label).render())
        assert str(len(window.offerings())) in count


async def test_hanzi_and_full_pinyin_find_too(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "新生儿")
        assert highlighted_id(app) == offering_id(window, "新生儿")
        await pilot.press("escape")  # clears the search
        assert app.screen.query_one("#search", Input).value == ""
        await type_text(pilot, "xinshenger")
        assert highlighted_id(app) == offering_id(window, "新生儿")


async def test_nothing_found_says_so(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "zzzzqqq")
        assert highlighted_id(app) is None
        assert "没有找到" in str(app.screen.query_one("#result-count", Label).render())
        await pilot.press("enter")  # nothing to start: stays
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)


async def test_arrows_from_search_move_the_highlight_and_preview(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = highlighted_id(app)
        await pilot.press("down")
        await pilot.pause()
        second = highlighted_id(app)
        assert second != first
        assert window.offering(second).bundle.name.zh in preview_text(app)
        await pilot.press("up")
        await pilot.pause()
        assert highlighted_id(app) == first
        assert app.focused is app.screen.query_one("#search", Input)


async def test_typing_in_the_list_goes_to_search(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.query_one("#results", OptionList).focus()
        await pilot.pause()
        await type_text(pilot, "qykb")
        search = app.screen.query_one("#search", Input)
        assert search.value == "qykb"
        assert app.focused is search
        await pilot.press("backspace")
        assert search.value == "qyk"


async def test_preview_counts_materials_before_and_after_merging(window):
    app = make_app(window)
    startup = offering_id(window, "企业开办")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        guide = window.preview(startup)
        text = preview_text(app)
        assert f"逐项提交 {guide.checklist.requirements} 份" in text
        assert f"合并后 {len(guide.checklist.lines)} 份" in text
        assert f"部门 {len(guide.departments)} 个" in text
        assert f"{len(guide.plan.stages)} 个阶段" in text
        for item in guide.items:
            assert item.name.zh in text
        assert "牵头部门" in text


async def test_survey_bundle_is_flagged(window):
    survey = next(o for o in window.offerings() if o.bundle.survey)
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, survey.bundle.name.zh)
        assert highlighted_id(app) == survey.id
        assert "联合踏勘" in preview_text(app)


async def test_enter_starts_the_intake(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert app.intake.offering == offering_id(window, "企业开办")
        assert app.intake.step == "applicant"


async def test_mouse_click_starts_the_intake(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "新生儿")
        results = app.screen.query_one("#results", OptionList)
        index = results.highlighted
        # row 0 is the group heading; the option is on the next line inside the border
        assert await pilot.click("#results", offset=(4, 1 + index))
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert app.intake.offering == offering_id(window, "新生儿")


async def test_pick_has_no_save_key(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert window.drafts() == []
        assert isinstance(app.screen, PickScreen)


async def test_del_deletes_the_highlighted_draft_and_only_edits_the_search_otherwise(window):
    # Del deletes, as on the applications list (F3); F8 no longer does.
    draft_id = window.save_draft(house_transfer(window))
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        search = app.screen.query_one("#search", Input)
        await type_text(pilot, "ab")
        await pilot.press("left", "delete")  # the cursor before "b": Del edits the search
        await pilot.pause()
        assert search.value == "a"
        await pilot.press("backspace")
        await pilot.pause()
        results = app.screen.query_one("#results", OptionList)
        results.highlighted = next(
            index for index, option in enumerate(results.options) if option.id == DRAFT_PREFIX + draft_id
        )
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)  # F8 does nothing here
        await pilot.press("delete")
        await pilot.pause()
        await pilot.press("y")  # the box asks first
        await pilot.pause()
        await pilot.pause()
        assert [draft.id for draft in window.drafts()] == []


async def test_a_long_guide_preview_scrolls_from_the_keyboard(window):
    """Tab to the guide preview: Down and PageDown show what is below, Home its top again."""
    app = make_app(window)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_text(pilot, "qykb")
        preview = app.screen.query_one("#preview-text")
        assert preview.max_scroll_y > 0  # 企业开办's guide is longer than the pane at 80×24
        await pilot.press("tab", "tab")
        assert app.focused is preview
        await pilot.press("down", "pagedown")
        await pilot.pause()
        assert preview.scroll_y > 1
        await pilot.press("home")
        await pilot.pause()
        assert preview.scroll_y == 0
        assert "企业开办" in preview_text(app)
