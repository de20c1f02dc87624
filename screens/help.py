"""F1: the keys of the current screen and a short how-to for it, in the interface language.

A modal box over the screen it explains: the screen's how-to (:mod:`screens.how_to`), then a
table of every key that works there now — the screen's own, the focused field's shown keys,
the app's (F1–F5, Ctrl+L, Ctrl+P, Ctrl+Q) — built from the live bindings, so it cannot drift
from the footer; what the clerk may not do there (refused by ``check_action``) is left out.
A key and the one that replaces it in a browser share a line (``Ctrl+N / Alt+N``); in a
browser (``App.is_web``) a paragraph says which keys the browser keeps
(:data:`screens.browser_keys.IN_A_BROWSER`).
The box scrolls (↑↓, PgUp/PgDn); Esc or F1 closes it.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from screens.browser_keys import IN_A_BROWSER
from screens.commands import PALETTE_WORDS
from screens.how_to import GENERAL, HOW_TO
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding, key_name, localize_bindings
from screens.window_screen import WindowScreen
from window_app.domain.words import Words, tr

_TOKENS = re.compile(r"[\u3000-\u9fff\uff00-\uffef]|[^\s\u3000-\u9fff\uff00-\uffef]+|\s+")
"""A hanzi or full-width mark (a line may break before it), a run of other characters, spaces."""

_NO_LINE_START = set("，。、；：？！）」』》")
"""Marks that never begin a line (they stay with the character before them)."""


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken as Chinese and English text break.

    Textual breaks lines at spaces only: a Chinese sentence with ``Ctrl+N 开始办理`` in it
    would break at each such space and leave half-empty lines, or cut ``Enter`` in two.
    Here a line may break before any hanzi and at any space, never inside a Latin word.
    """
    width = max(width, 1)
    lines: list[str] = []
    for source in text.split("\n"):
        line = ""
        for token in _TOKENS.findall(source):
            if token.isspace():
                line += " " if line else ""
                continue
            if cell_len(line + token) <= width or not line.strip() or token in _NO_LINE_START:
                line += token
                continue
            lines.append(line.rstrip())
            line = token
        lines.append(line.rstrip())
    return lines


class Prose(Widget):
    """A paragraph wrapped by :func:`wrap` to the widget's width (plain text, no markup)."""

    DEFAULT_CSS = "Prose { height: auto; }"

    def __init__(self, text: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(wrap(self.text, width))

    def render(self) -> Content:
        return Content("\n".join(wrap(self.text, self.content_size.width)))


def screen_keys(screen: Screen) -> list[tuple[str, str]]:
    """``(key, what it does)`` for every described key active on ``screen``, screen's first.

    Keys doing the same thing under one description (``Enter`` and ``Ctrl+N`` 开始办理) share
    a line.
    """
    lines: dict[str, list[str]] = {}
    app_lines: dict[str, list[str]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        if active.node is not screen and active.node is not screen.app and not binding.show:
            continue  # a field's editing keys (Textual's, described only in English)
        if active.node is screen.app:
            # The palette's longer words say more than the footer's (切换语言为 English, not 语言).
            words = PALETTE_WORDS.get(binding.action)
            app_lines.setdefault(str(words) if words else binding.description, []).append(key_name(key))
        else:
            lines.setdefault(binding.description, []).append(key_name(key))
    return [(" / ".join(keys), words) for words, keys in [*lines.items(), *app_lines.items()]]


class HelpScreen(WindowScreen[None], ModalScreen[None]):
    """The keys and how-to of ``screen`` (the one under the box)."""

    CSS_PATH = "help.tcss"

    BINDINGS = [
        WordsBinding("escape", "close", words=Words("关闭", "Close")),
        WordsBinding("f1", "close", words=Words("关闭", "Close"), show=False, priority=True),
    ]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.explained = screen

    def compose(self) -> ComposeResult:
        localize_bindings(self.explained)  # a step screen under the box keeps its words until rebuilt
        how_to = HOW_TO.get(type(self.explained).__name__)
        with VerticalScroll(id="help-box") as box:
            box.border_title = tr("帮助", "Help")
            box.border_subtitle = tr("Esc 关闭", "Esc closes")
            if how_to is not None:
                yield Prose(str(how_to), id="help-how-to")
            yield Prose(str(GENERAL), id="help-general")
            if self.app.is_web:
                yield Prose(str(IN_A_BROWSER), id="help-browser")
            yield Static(tr("本页按键", "Keys here"), classes="help-heading")
            rows = screen_keys(self.explained)
            width = max((len(key) for key, _words in rows), default=0)
            yield Static(
                "\n".join(f"{key.ljust(width)}  {words}" for key, words in rows),
                id="help-keys",
                markup=False,
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_close(self) -> None:
        self.dismiss(None)
