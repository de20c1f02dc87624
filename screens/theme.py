"""The light and the dark theme, and where the window remembers the clerk's choice.

Two of Textual's own themes (``textual-dark``, the default, and ``textual-light``); the shell's
stylesheet (``screens/app.tcss``) gives inputs a visible border and focus in both. The choice is
made from the command palette (Ctrl+P, 浅色主题 / 深色主题) and kept in the window's small
preferences file, ``<data dir>/prefs.json`` (``{"theme": "light"}``), beside its database: it is
this terminal's look, not a rule of the window (``config.toml``) nor a clerk's data. A missing or
unreadable file means the dark theme; a failed write is said in words and changes nothing else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from window_app.domain.words import Words

DARK = "textual-dark"
LIGHT = "textual-light"
THEMES = {"dark": DARK, "light": LIGHT}
"""The stored name → Textual's theme."""

PREFS_FILE = "prefs.json"


def prefs_path(data_dir: Path) -> Path:
    """The preferences file of the window whose data lives in ``data_dir``."""
    return data_dir / PREFS_FILE


def load_theme(data_dir: Path) -> str:
    """The Textual theme stored for this window (dark when nothing, or nothing readable, is)."""
    try:
        stored = json.loads(prefs_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return DARK
    name = stored.get("theme") if isinstance(stored, dict) else None
    return THEMES.get(name, DARK) if isinstance(name, str) else DARK


def save_theme(data_dir: Path, theme: str) -> None:
    """Store ``theme`` (a Textual theme of :data:`THEMES`) whole or not at all.

    Raises:
        OSError: The file could not be written (the old one, if any, is left as it was).
    """
    path = prefs_path(data_dir)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    if not isinstance(stored, dict):
        stored = {}
    stored["theme"] = next((name for name, value in THEMES.items() if value == theme), "dark")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(stored, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)  # a crash leaves the old file or the new one, never half


def other_theme(theme: str) -> str:
    """The theme a switch goes to."""
    return DARK if theme == LIGHT else LIGHT


def theme_command_words(theme: str) -> Words:
    """The palette's theme command, naming the theme it switches to."""
    if other_theme(theme) == LIGHT:
        return Words("切换为浅色主题", "Switch to the light theme")
    return Words("切换为深色主题", "Switch to the dark theme")
