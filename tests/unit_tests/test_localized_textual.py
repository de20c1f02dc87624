"""What screens/widgets/localized.py and screens/widgets/choices.py assume of Textual's internals.

Each test names one thing the app overrides or relies on inside Textual. After an upgrade of
Textual one of them fails when the thing moved: then look at the override it names, adapt it,
and update the pinned text here.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Checkbox, RadioButton, RadioSet
from textual.widgets._toggle_button import ToggleButton

from screens.help import wrap
from screens.widgets.choices import ChoiceButton, ChoiceSet, TickBox
from screens.widgets.localized import (
    TEXTUAL_BINDING_WORDS,
    TEXTUAL_SCREEN_WORDS,
    WindowCommandPalette,
    key_name,
    textual_class,
)

SCREENS = Path(__file__).resolve().parents[2] / "screens"


def test_every_textual_key_given_words_is_still_bound_by_textual():
    """Textual's own keys we describe (Select's list, the palette) still exist, same key and action."""
    for qualified, words_of in TEXTUAL_BINDING_WORDS.items():
        cls = textual_class(qualified)
        bound = {(binding.key, binding.action) for binding in Binding.make_bindings(cls.BINDINGS)}
        assert set(words_of) <= bound, qualified
    select_overlay = textual_class("textual.widgets._select.SelectOverlay")
    assert [b for b in Binding.make_bindings(select_overlay.BINDINGS) if b.show and b.description] == [
        Binding("escape", "dismiss", "Dismiss menu")
    ], "SelectOverlay shows a new key in the footer: give it words in TEXTUAL_BINDING_WORDS"
    shown = [b.key for b in Binding.make_bindings(CommandPalette.BINDINGS) if b.show and b.description]
    assert shown == ["escape"]


def test_textual_screen_keys_are_the_ones_given_words():
    plain = {(binding.key, binding.action) for binding in Binding.make_bindings(Screen.BINDINGS) if binding.description}
    assert plain == set(TEXTUAL_SCREEN_WORDS)


def test_no_textual_widget_shows_an_english_key_we_do_not_know():
    """A Textual widget this app uses that shows a described key in the footer has words here."""
    import textual.widgets as widgets

    known = {qualified.rpartition(".")[2] for qualified in TEXTUAL_BINDING_WORDS}
    for name in ("Button", "Checkbox", "DataTable", "Input", "Label", "OptionList", "RadioButton",
                 "RadioSet", "Select", "Static", "TabbedContent", "TabPane", "Footer"):
        cls = getattr(widgets, name)
        shown = [b for b in Binding.make_bindings(cls.BINDINGS if "BINDINGS" in cls.__dict__ else [])
                 if b.show and b.description]
        assert not shown or name in known, (name, shown)


def test_the_copied_no_matches_method_is_still_textuals():
    """WindowCommandPalette._start_no_matches_countdown is a copy of Textual's with our words."""
    source = inspect.getsource(CommandPalette._start_no_matches_countdown)
    assert '"No matches found"' in source
    digest = hashlib.sha256(re.sub(r"\s+", " ", source).encode()).hexdigest()[:16]
    assert digest == "f93c0df6694353d1", digest  # Textual 8.2.8
    assert "_start_no_matches_countdown" in WindowCommandPalette.__dict__


def test_the_palette_still_takes_a_placeholder_and_is_found_open_by_its_class():
    assert "placeholder" in inspect.signature(CommandPalette.__init__).parameters
    assert "--textual-command-palette" in inspect.getsource(CommandPalette.__init__)


def test_ctrl_c_still_runs_help_quit_which_we_say_in_words():
    assert any(b.key == "ctrl+c" and b.action == "help_quit" for b in Binding.make_bindings(App.BINDINGS))
    assert "Do you want to quit?" in inspect.getsource(App.action_help_quit)
    assert App.action_command_palette.__qualname__ == "App.action_command_palette"


def test_toggle_buttons_draw_button_inner_each_time_and_radio_sets_place_the_first_highlight_by_next():
    assert "self.BUTTON_INNER" in inspect.getsource(ToggleButton._button.fget)
    assert "self.action_next_button()" in inspect.getsource(RadioSet._on_mount)
    assert ChoiceButton(value=True).BUTTON_INNER == "●" and ChoiceButton().BUTTON_INNER == "○"
    assert TickBox(value=True).BUTTON_INNER == "☑" and TickBox().BUTTON_INNER == "☐"


def test_screens_use_the_choices_that_say_their_state_not_textuals():
    """No screen builds Textual's RadioButton, RadioSet, Checkbox or Switch directly."""
    offenders = []
    for path in SCREENS.rglob("*.py"):
        if path.name == "choices.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(RadioButton|RadioSet|Checkbox|Switch)\(", line):
                offenders.append(f"{path.relative_to(SCREENS)}:{number}: {line.strip()}")
    assert offenders == []
    assert issubclass(ChoiceSet, RadioSet) and issubclass(ChoiceButton, RadioButton) and issubclass(TickBox, Checkbox)


def test_keys_are_named_as_a_clerk_reads_them():
    assert [key_name(k) for k in ("ctrl+q", "f5", "escape", "shift+tab", "down", "g", "delete")] == [
        "Ctrl+Q", "F5", "Esc", "Shift+Tab", "↓", "G", "Del"
    ]


def test_help_text_breaks_before_hanzi_never_inside_a_latin_word():
    lines = wrap("按 Enter 或 Ctrl+N 开始办理；未完成的草稿列在最前。", 14)
    assert all("Ent" not in line or "Enter" in line for line in lines)
    assert "".join(lines).replace(" ", "") == "按Enter或Ctrl+N开始办理；未完成的草稿列在最前。"
    assert not any(line.startswith(("；", "。")) for line in lines)
    assert wrap("Tab and Shift+Tab move", 9) == ["Tab and", "Shift+Tab", "move"]
