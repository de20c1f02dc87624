"""The app shell: start-up, the header, F2/F3/F4, drafts surviving a quit, storage errors."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Label

from screens import flow
from screens.app import WindowApp
from screens.applicant import ApplicantScreen
from screens.pick import PickScreen
from screens.widgets.step_header import StepHeader
from tests.functional_tests.shell_helpers import (
    SIZE,
    VALID_PHONE,
    anyio_backend,  # noqa: F401  (fixture)
    fill,
    footer_text,
    make_app,
    offering_id,
    press_f2,
    start,
)
from window_app.domain.errors import StorageError
from window_app.domain.words import Words, language

pytestmark = pytest.mark.anyio


async def test_starts_on_pick_with_search_focused(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        assert app.focused is app.screen.query_one("#search", Input)
        assert app.intake is None
        footer = footer_text(app)
        for words in ("开始办理", "语言", "办件", "新办件", "退出"):
            assert words in footer


async def test_header_shows_centre_window_and_region(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        title = str(app.screen.query_one("#window-title", Label).render())
        assert "贞丰县政务服务中心" in title
        assert "ZF-01" in title
        assert "贞丰县" in title
        badge = str(app.screen.query_one("#sync-status", Label).render())
        assert "离线" in badge  # honest until a sync worker reports
        app.sync_online, app.sync_queued = True, 3
        await pilot.pause()
        badge = str(app.screen.query_one("#sync-status", Label).render())
        assert "在线" in badge and "3" in badge


async def test_f2_switches_footer_and_labels_to_english_and_back(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await press_f2(pilot)
        assert language() == "en"
        footer = footer_text(app)
        assert "中文" in footer and "Start" in footer and "Quit" in footer
        assert "语言" not in footer
        steps = str(app.screen.query_one(StepHeader).query_one("#steps").render())
        assert "Applicant" in steps
        assert "Zhenfeng" in str(app.screen.query_one("#window-title", Label).render())
        await press_f2(pilot)
        assert language() == "zh"
        assert "语言" in footer_text(app)


async def test_f2_keeps_what_was_typed(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-name", "王小明")
        await press_f2(pilot)
        assert isinstance(app.screen, ApplicantScreen)
        assert app.screen.query_one("#person-name", Input).value == "王小明"
        assert "Next" in footer_text(app)
        assert "Applicant" in str(app.screen.query_one("#person-title", Label).render())


async def test_initial_language_comes_from_settings(window):
    from dataclasses import replace

    window.settings = replace(window.settings, window=replace(window.settings.window, language="en"))
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert language() == "en"
        assert "Start" in footer_text(app)


async def test_cursor_blink_can_be_switched_off_everywhere(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#search", Input).cursor_blink is False
        await start(pilot, offering_id(window, "新生儿"))
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        assert app.focused.cursor_blink is False


async def test_draft_survives_quitting(window):
    newborn = offering_id(window, "新生儿")
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, newborn)
        await fill(pilot, "#person-name", "王小明")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0
    drafts = window.drafts()
    assert [(d.offering_id, d.applicant_name) for d in drafts] == [(newborn, "王小明")]

    # A new app on the same data: the pick screen lists the draft first; Enter resumes it.
    again = make_app(window)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        results = again.screen.query_one("#results")
        draft_option = results.get_option_at_index(1)
        assert draft_option.id == f"draft:{drafts[0].id}"
        results.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(again.screen, ApplicantScreen)
        assert again.screen.query_one("#person-name", Input).value == "王小明"
        assert again.intake.draft_id == drafts[0].id


async def test_untouched_intake_leaves_no_draft(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        assert isinstance(app.screen, ApplicantScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        assert app.intake is None
    assert window.drafts() == []


async def test_f4_goes_back_to_pick_and_keeps_the_draft(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-phone", VALID_PHONE)
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        assert app.intake is None
    assert len(window.drafts()) == 1


async def test_ctrl_s_saves_a_draft_and_says_so(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-name", "王小明")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("草稿已保存" in n.message for n in app._notifications)
    assert window.drafts()[0].applicant_name == "王小明"


async def test_storage_error_is_told_in_words(window, monkeypatch):
    def refuse(intake):
        raise StorageError(Words("磁盘已满，草稿未保存", "The disk is full; the draft was not saved"), "full")

    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        monkeypatch.setattr(window, "save_draft", refuse)
        await pilot.press("ctrl+s")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("磁盘已满" in message for message in messages)
        assert isinstance(app.screen, ApplicantScreen)  # still working


async def test_f3_opens_the_applications_list(window):
    from screens.applications import ApplicationsScreen

    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)


def test_flow_skips_situation_when_nothing_to_ask(window):
    plain = next(o for o in window.offerings() if not o.bundle.questions and not o.bundle.optional)
    intake = window.new_intake(plain.id)
    assert flow.next_step(window, intake, "applicant") == "checklist"
    assert flow.previous_step(window, intake, "checklist") == "applicant"
    bundle = window.new_intake(offering_id(window, "企业开办"))
    assert flow.next_step(window, bundle, "applicant") == "situation"
    assert flow.previous_step(window, bundle, "applicant") == "pick"
    assert flow.next_step(window, bundle, "review") is None


def test_every_step_has_a_screen():
    from window_app.domain.intake import STEPS

    assert set(flow.STEP_SCREENS) == set(STEPS)
    for step in STEPS:
        assert flow.screen_class(step).STEP == step


def test_app_takes_the_window(window):
    app = WindowApp(window)
    assert app.window is window
    assert app.intake is None
    assert app.cursor_blink is True


async def test_f2_over_another_screen_rebuilds_the_step_beneath(window):
    from screens.applications import ApplicationsScreen

    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, offering_id(window, "新生儿"))
        await fill(pilot, "#person-name", "王小明")
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)
        await pilot.press("f2")
        await pilot.pause()
        assert "f2 中文" in footer_text(app)
        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ApplicantScreen)
        assert app.screen.language == "en"
        assert "Next" in footer_text(app)
        assert app.screen.query_one("#person-name", Input).value == "王小明"
