"""Bilingual key bindings: a binding's words are :class:`~window_app.domain.words.Words`.

Bind a key with :class:`WordsBinding` (a group with :class:`WordsGroup`):
``WordsBinding("ctrl+n", "next", words=Words("下一步", "Next"))``. Textual builds a node's
bindings from the class's ``BINDINGS`` once; :func:`localize_bindings` rebuilds the node's map
with each description in the current language (``str(words)``, a group's too), so the footer
speaks the clerk's language and switches with it.

A modal screen whose class sets ``SHOW_APP_KEYS = True`` also gets the app's keys
(:data:`APP_BINDINGS`: Ctrl+Q or Alt+Q, Ctrl+L, F2, F3, F4, F5, F1) in its map: they work over a modal screen (they
are the app's priority bindings), but Textual's footer of a modal screen lists only that
screen's own keys.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from functools import cache

from rich.align import Align
from rich.text import Text
from textual.binding import Binding, BindingsMap
from textual.command import CommandList, CommandPalette
from textual.dom import DOMNode
from textual.widgets.option_list import Option

from window_app.domain.words import NO_WORDS, Words


@dataclass(frozen=True)
class WordsBinding(Binding):
    """A key binding described in both languages (``description`` is filled in per language).

    Attributes:
        words: What the key does, as the footer says it.
    """

    words: Words = NO_WORDS

    def __post_init__(self) -> None:
        # Textual copies BINDINGS into plain bindings (losing ``words``) and shows only those
        # with a description: the Chinese half stands in until localize_bindings runs.
        if not self.description:
            object.__setattr__(self, "description", self.words.zh)


@dataclass(frozen=True)
class WordsGroup(Binding.Group):
    """A binding group described in both languages.

    Attributes:
        words: The group's description (``12345 收取情况``).
    """

    words: Words = NO_WORDS


APP_BINDINGS: list[Binding] = [
    # Ctrl+Q first, as every footer lists it: Textual's ``App`` binds it first, and a subclass's
    # binding of the same key keeps that place in the app's map.
    WordsBinding("ctrl+q", "quit", words=Words("退出", "Quit"), priority=True),
    # Firefox on Linux keeps Ctrl+Q (screens/browser_keys.py): the footer shows Alt+Q in a browser.
    WordsBinding("alt+q", "quit", words=Words("退出", "Quit"), priority=True),
    WordsBinding("ctrl+l", "lock", words=Words("锁屏", "Lock"), priority=True),
    WordsBinding("f2", "toggle_language", words=Words("语言", "中文"), priority=True),
    WordsBinding("f3", "show_applications", words=Words("办件", "Applications"), priority=True),
    WordsBinding("f4", "new_intake", words=Words("新办件", "New"), priority=True),
    WordsBinding("f5", "sync_now", words=Words("同步", "Sync"), priority=True),
    # Not in the footers (their width is the steps' keys'): F1 and the palette list it.
    WordsBinding("f12", "show_report", words=Words("统计", "Statistics"), show=False, priority=True),
    WordsBinding("f1", "help", words=Words("帮助", "Help"), priority=True),
    # Not a priority binding: on the receipt Ctrl+P saves it for printing (the screen's key wins).
    WordsBinding("ctrl+p", "command_palette", words=Words("命令面板", "Commands"), show=False),
]
"""The app's keys (``WindowApp.BINDINGS``): they work on every screen, over modal ones too."""


def localize_bindings(node: DOMNode) -> None:
    """Re-derive ``node``'s bindings from its class ``BINDINGS`` in the current language."""
    source = type(node)._merged_bindings
    if source is None:
        return
    bindings = [binding for _key, binding in source]
    if getattr(type(node), "SHOW_APP_KEYS", False):
        bindings += app_keys()
    words_of = {**TEXTUAL_SCREEN_WORDS, **class_words(type(node))}
    localized = BindingsMap()
    for binding in bindings:
        group = binding.group
        if isinstance(group, WordsGroup):
            # Groups are compared by value: the localized copies still form one group.
            group = replace(group, description=str(group.words))
        words = binding.words if isinstance(binding, WordsBinding) else words_of.get((binding.key, binding.action))
        if words is not None:
            binding = replace(binding, description=str(words), group=group)
        elif group is not binding.group:
            binding = replace(binding, group=group)
        localized._add_binding(binding)
    node._bindings = localized


@cache
def class_words(cls: type[DOMNode]) -> dict[tuple[str, str], Words]:
    """``(key, action)`` → words, for every :class:`WordsBinding` in ``cls``'s and its bases' ``BINDINGS``.

    Textual's map of a class holds plain copies (one per key of ``"a,b"``, keys normalised):
    the words are found again by key and action.
    """
    found: dict[tuple[str, str], Words] = {}
    for base in reversed(cls.__mro__):
        for binding in base.__dict__.get("BINDINGS", ()):
            if isinstance(binding, WordsBinding):
                for plain in Binding.make_bindings([binding]):
                    found[(plain.key, plain.action)] = binding.words
    return found


TEXTUAL_SCREEN_WORDS: dict[tuple[str, str], Words] = {
    ("tab", "app.focus_next"): Words("下一项", "Next field"),
    ("shift+tab", "app.focus_previous"): Words("上一项", "Previous field"),
    ("ctrl+c", "screen.copy_text"): Words("复制所选文字", "Copy the selected text"),
    ("super+c", "screen.copy_text"): Words("复制所选文字", "Copy the selected text"),
}
"""Textual's ``Screen`` keys (``textual.screen.Screen.BINDINGS``), in the interface language."""

KEY_NAMES = {
    "ctrl": "Ctrl",
    "shift": "Shift",
    "alt": "Alt",
    "super": "Super",
    "escape": "Esc",
    "enter": "Enter",
    "tab": "Tab",
    "delete": "Del",
    "backspace": "Backspace",
    "space": "Space",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
}


def key_name(key: str) -> str:
    """A key as a clerk reads it: ``ctrl+q`` → ``Ctrl+Q``, ``f5`` → ``F5``, ``escape`` → ``Esc``."""
    parts = []
    for part in key.split("+"):
        if part in KEY_NAMES:
            parts.append(KEY_NAMES[part])
        elif len(part) == 1 or (part[0] == "f" and part[1:].isdigit()):
            parts.append(part.upper())
        else:
            parts.append(part.replace("_", " "))
    return "+".join(parts)


def app_keys() -> list[Binding]:
    """Copies of the app's shown keys, in the order the other screens' footers show them.

    A key press (or a click on the footer, which simulates the key) still reaches the app's
    priority binding first; the copy's action names the app's in case it is ever run.
    """
    return [replace(binding, action=f"app.{binding.action}", priority=False) for binding in APP_BINDINGS if binding.show]


# -- Textual's own words ---------------------------------------------------------------------
#
# What Textual itself may show a clerk, said in the interface language. Everything that reaches
# into Textual's internals to do so is here, and tests/unit_tests/test_localized_textual.py
# fails when an upgrade of Textual moves what is overridden.

PALETTE_PLACEHOLDER = Words("搜索命令…（如 同步、语言、主题）", "Search for commands… (e.g. sync, language, theme)")
"""The command palette's search field (Textual: "Search for commands…")."""

NO_MATCHES = Words("没有匹配的命令", "No matching command")
"""What the palette says when nothing matches (Textual: "No matches found")."""

QUIT_TITLE = Words("要退出吗？", "Do you want to quit?")
QUIT_HINT = Words("按 {key} 退出（未受理的申请存为草稿）", "Press {key} to quit (an application in progress is kept as a draft)")
"""Ctrl+C does not quit (Textual: "Do you want to quit?" / "Press ctrl+q to quit the app")."""

TEXTUAL_BINDING_WORDS: dict[str, dict[tuple[str, str], Words]] = {
    # Shown in the footer while a Select's list is open.
    "textual.widgets._select.SelectOverlay": {
        ("escape", "dismiss"): Words("收起列表", "Close the list"),
    },
    "textual.command.CommandPalette": {
        ("escape", "escape"): Words("关闭命令面板", "Close the commands"),
        ("down", "cursor_down"): Words("下一条命令", "Next command"),
        ("up", "command_list('cursor_up')"): Words("上一条命令", "Previous command"),
        ("pagedown", "command_list('page_down')"): Words("下一页", "Next page"),
        ("pageup", "command_list('page_up')"): Words("上一页", "Previous page"),
        ("ctrl+end", "command_list('last')"): Words("最后一条", "Last command"),
        ("shift+end", "command_list('last')"): Words("最后一条", "Last command"),
        ("ctrl+home", "command_list('first')"): Words("第一条", "First command"),
        ("shift+home", "command_list('first')"): Words("第一条", "First command"),
    },
}
"""Descriptions of Textual widgets' own keys, by class (``module.Name``) and ``(key, action)``."""


def textual_class(qualified: str) -> type[DOMNode]:
    """The Textual class named ``module.Name``."""
    module_name, _, name = qualified.rpartition(".")
    module = importlib.import_module(module_name)
    found: type[DOMNode] = getattr(module, name)
    return found


def localize_textual() -> None:
    """Describe Textual widgets' own keys in the current language.

    Textual copies a class's bindings into each new widget; the class's map is rewritten here,
    so widgets made from now on (a screen is recomposed when the language changes) carry the
    clerk's words.
    """
    for qualified, words_of in TEXTUAL_BINDING_WORDS.items():
        cls = textual_class(qualified)
        if cls._merged_bindings is not None:
            cls._merged_bindings = localized_map(cls._merged_bindings, words_of)


def localized_map(source: BindingsMap, words_of: dict[tuple[str, str], Words]) -> BindingsMap:
    """A copy of ``source`` whose descriptions found in ``words_of`` are in the current language."""
    localized = BindingsMap()
    for _key, binding in source:
        words = words_of.get((binding.key, binding.action))
        localized._add_binding(replace(binding, description=str(words)) if words is not None else binding)
    return localized


class WindowCommandPalette(CommandPalette):
    """Textual's command palette, with its words in the clerk's language."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder=str(PALETTE_PLACEHOLDER), id=id)
        self._bindings = localized_map(self._bindings, TEXTUAL_BINDING_WORDS["textual.command.CommandPalette"])

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own method (textual/command.py) with its words in the clerk's language;
        # the unit test pins Textual's source of it, so an upgrade that changes it is noticed.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                command_list = self.query_one(CommandList)
                command_list.add_option(
                    Option(
                        Align.center(Text(str(NO_MATCHES), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
