"""The window's theme preference (``<data dir>/prefs.json``): read forgivingly, written whole."""

from __future__ import annotations

import json

from screens.theme import DARK, LIGHT, load_theme, other_theme, prefs_path, save_theme, theme_command_words


def test_nothing_stored_means_the_dark_theme(tmp_path):
    assert load_theme(tmp_path) == DARK


def test_a_stored_choice_is_read_back_and_other_preferences_are_kept(tmp_path):
    prefs_path(tmp_path).write_text(json.dumps({"something": 1}), encoding="utf-8")
    save_theme(tmp_path, LIGHT)
    assert load_theme(tmp_path) == LIGHT
    assert json.loads(prefs_path(tmp_path).read_text(encoding="utf-8")) == {"something": 1, "theme": "light"}
    assert not list(tmp_path.glob("*.tmp"))


def test_an_unreadable_or_strange_file_means_the_dark_theme(tmp_path):
    for content in ("{not json", "[1, 2]", json.dumps({"theme": "neon"}), json.dumps({"theme": 3})):
        prefs_path(tmp_path).write_text(content, encoding="utf-8")
        assert load_theme(tmp_path) == DARK
    save_theme(tmp_path, LIGHT)  # a broken file is replaced, not a reason to refuse
    assert load_theme(tmp_path) == LIGHT


def test_the_palette_names_the_theme_it_switches_to():
    assert other_theme(DARK) == LIGHT and other_theme(LIGHT) == DARK
    assert theme_command_words(DARK).zh == "切换为浅色主题"
    assert theme_command_words(LIGHT).en == "Switch to the dark theme"
