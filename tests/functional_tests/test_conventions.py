"""Textual conventions (issue 9 point 10): the command palette, F1 help, themes, choices in text,
Textual's own words in the interface language."""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from screens.applications import ApplicationsScreen
from screens.form import FormScreen
from screens.help import HelpScreen
from screens.pick import PickScreen
from screens.review import ReviewScreen
from screens.situation import SituationScreen
from screens.theme import DARK, LIGHT, prefs_path
from screens.widgets.choices import ChoiceButton, ChoiceSet, TickBox, YesNo
from tests.functional_tests.end_steps import house_transfer
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401  (fixture)
    make_app,
    offering_id,
    start,
    type_text,
)
from tests.window_template import TEST_KDF
from window_app.domain.clerks import Role

pytestmark = pytest.mark.anyio


async def open_palette(pilot) -> CommandPalette:
    await pilot.press("ctrl+p")
    await pilot.pause()
    palette = pilot.app.screen
    assert isinstance(palette, CommandPalette)
    await settled(pilot)
    return palette


async def settled(pilot) -> None:
    """Let the palette's search (a worker) finish and show its list."""
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not pilot.app.screen.query_one(CommandList).loading:
            break
    await pilot.pause(0.05)


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Let the palette search as it types (each key restarts it) until ``condition()`` holds or
    the deadline passes (a loaded machine is slow; the test's assert then says what was shown)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)


def options(palette: CommandPalette) -> list[str]:
    """The palette's lines as text (a "nothing matches" line is a centred Rich text)."""
    command_list = palette.query_one(CommandList)
    prompts = [command_list.get_option_at_index(i).prompt for i in range(command_list.option_count)]
    return [str(getattr(getattr(prompt, "renderable", None), "plain", prompt)) for prompt in prompts]


# -- the command palette -------------------------------------------------------------------------


async def test_ctrl_p_offers_the_apps_commands_in_chinese_and_enter_runs_one(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        palette = await open_palette(pilot)
        assert palette.query_one(Input).placeholder.startswith("搜索命令")
        shown = "\n".join(options(palette))
        for words in ("新办件", "办件与草稿  F3", "立即同步  F5", "切换语言", "锁屏  Ctrl+L", "帮助", "浅色主题", "退出  Ctrl+Q"):
            assert words in shown
        assert "Quit" not in shown and "Keys" not in shown  # none of Textual's English commands
        await type_text(pilot, "办件与草稿")
        await until(pilot, lambda: options(palette)[:1] == ["办件与草稿  F3"])
        assert options(palette)[0] == "办件与草稿  F3"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ApplicationsScreen)


async def test_the_palette_filters_in_either_language_and_says_when_nothing_matches(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        palette = await open_palette(pilot)
        await type_text(pilot, "sync")  # English words match in the Chinese interface too
        await until(pilot, lambda: options(palette) == ["立即同步  F5"])
        assert options(palette) == ["立即同步  F5"]
        await pilot.press(*"qqqq")
        await until(pilot, lambda: options(palette) == ["没有匹配的命令"])  # after Textual's half second
        assert options(palette) == ["没有匹配的命令"]


async def test_the_palette_offers_a_screens_own_commands(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.intake = house_transfer(window, materials=True, fields=True)
        app.goto_step("review")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        shown = options(await open_palette(pilot))
        assert shown[0] == "受理  F10"  # the screen's own first
        assert "上一步  Esc" in shown


async def test_a_helper_is_not_offered_accept(window):
    window.add_clerk("H003", "赵敏", (Role.HELPER,), "975310", kdf=TEST_KDF)
    window.lock()
    window.sign_in("H003", "975310")
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.intake = house_transfer(window, materials=True, fields=True)
        app.goto_step("review")
        await pilot.pause()
        shown = "\n".join(options(await open_palette(pilot)))
        assert "上一步" in shown
        assert "受理  F10" not in shown
        assert "窗口办结" not in shown


async def test_in_english_the_palette_speaks_english(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        palette = await open_palette(pilot)
        assert palette.query_one(Input).placeholder.startswith("Search for commands")
        shown = "\n".join(options(palette))
        assert "Sync now  F5" in shown and "Switch the language to 中文" in shown
        assert "立即同步" not in shown


# -- F1 help -------------------------------------------------------------------------------------


def help_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return "\n".join(str(widget.render()) for widget in screen.query("#help-how-to, #help-general, #help-keys"))


async def test_f1_on_the_pick_screen_lists_its_keys_and_how_to_and_esc_closes(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(app)
        assert "首字母" in text  # the pick screen's how-to
        # Keys doing the same share a line, the browser's key beside the terminal's (docs/browser-keys.md).
        for key, words in (("Ctrl+N / Alt+N", "开始办理"), ("Esc", "清除搜索"), ("F5", "立即同步"), ("Ctrl+P", "命令面板"),
                           ("F2", "切换语言为 English"), ("Ctrl+Q / Alt+Q", "退出")):
            assert f"{key:<14}  {words}" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)


async def test_f1_on_the_form_lists_its_keys_in_english(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        app.intake = house_transfer(window, materials=True)
        app.goto_step("form")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        await pilot.press("f1")
        await pilot.pause()
        text = help_text(app)
        assert "One form" in text
        for key, words in (("Ctrl+N / Alt+N", "Next"), ("Esc", "Back"), ("Ctrl+S", "Save"),
                           ("F1", "Help: this screen's keys and how-to")):
            assert f"{key:<14}  {words}" in text
        assert "下一步" not in text
        await pilot.press("f1")  # F1 again closes it too
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)


# -- themes ----------------------------------------------------------------------------------------


async def test_the_theme_chosen_in_the_palette_is_kept_across_a_restart(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == DARK
        palette = await open_palette(pilot)
        await type_text(pilot, "浅色主题")
        await until(pilot, lambda: options(palette) == ["切换为浅色主题"])
        await pilot.press("enter")
        await pilot.pause()
        assert app.theme == LIGHT
    assert prefs_path(window.settings.data_dir).is_file()
    again = make_app(window)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.theme == LIGHT
        shown = "\n".join(options(await open_palette(pilot)))
        assert "切换为深色主题" in shown


# -- choices say their state in text ---------------------------------------------------------------


async def test_a_radio_sets_highlight_starts_on_the_chosen_option(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start(pilot, offering_id(window, "企业开办"))
        bundle = window.offering(app.intake.offering).bundle
        question = bundle.questions[0]
        app.intake.answers[question.id] = question.options[1].value  # not the first option
        app.goto_step("situation")
        await pilot.pause()
        assert isinstance(app.screen, SituationScreen)
        answered = [radio_set for radio_set in app.screen.query(ChoiceSet) if radio_set.pressed_index > 0]
        assert answered, "a question whose answer is not its first option"
        for radio_set in answered:
            highlighted = radio_set.query_one(".-selected")
            assert highlighted is radio_set.pressed_button


async def test_choices_show_their_state_in_characters(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await start(pilot, offering_id(window, "企业开办"))
        app.goto_step("situation")
        await pilot.pause()
        buttons = list(app.screen.query(ChoiceButton))
        assert {str(b.render())[1] for b in buttons if b.value} == {"●"}
        assert {str(b.render())[1] for b in buttons if not b.value} == {"○"}
        box = app.screen.query(TickBox).first()
        before = str(box.render())
        box.toggle()
        await pilot.pause()
        assert {before[1], str(box.render())[1]} == {"☑", "☐"}


async def test_the_yes_no_question_shows_shi_fou_with_nothing_chosen_until_answered(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        intake = house_transfer(window, materials=True)
        intake.fields.pop("first_home", None)
        app.intake = intake
        app.goto_step("form")
        await pilot.pause()
        answer = app.screen.query_one("#field-first_home", YesNo)
        assert [str(b.render()).strip() for b in answer.query(ChoiceButton)] == ["▐○▌ 是", "▐○▌ 否"]
        assert answer.answer == ""
        answer.focus()
        await pilot.press("right", "enter")  # 否
        await pilot.pause()
        assert [str(b.render()).strip() for b in answer.query(ChoiceButton)] == ["▐○▌ 是", "▐●▌ 否"]
        assert intake.fields["first_home"] == "false"


# -- Textual's own words ---------------------------------------------------------------------------


async def test_ctrl_c_says_how_to_quit_in_chinese(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.screen.set_focus(None)
        await pilot.press("ctrl+c")
        await pilot.pause()
        said = [(n.title, n.message) for n in app._notifications]
        assert ("要退出吗？", "按 Ctrl+Q 退出（未受理的申请存为草稿）") in said


async def test_an_open_select_list_is_closed_in_the_clerks_words(window):
    from tests.functional_tests.shell_helpers import footer_text

    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        app.intake = house_transfer(window, materials=True)
        app.goto_step("form")
        await pilot.pause()
        app.screen.query_one("#field-house_use").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "收起列表" in footer_text(app)
        assert "Dismiss" not in footer_text(app)


async def test_while_locked_the_palette_offers_only_what_works_without_a_clerk(window):
    app = make_app(window)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.lock_window()
        await pilot.pause()
        shown = "\n".join(options(await open_palette(pilot)))
        assert "切换语言为 English" in shown and "退出" in shown and "帮助" in shown
        for refused in ("办件与草稿", "新办件", "立即同步", "锁屏", "主题"):
            assert refused not in shown
