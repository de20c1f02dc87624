"""Bilingual key bindings: a binding's words are :class:`~window_app.domain.words.Words`.

Bind a key with :class:`WordsBinding` (a group with :class:`WordsGroup`):
``WordsBinding("ctrl+n", "next", words=Words("下一步", "Next"))``. Textual builds a node's
bindings from the class's ``BINDINGS`` once; :func:`localize_bindings` rebuilds the node's map
with each description in the current language (``str(words)``, a group's too), so the footer
speaks the clerk's language and switches with it.

A modal screen whose class sets ``SHOW_APP_KEYS = True`` also gets the app's keys
(:data:`APP_BINDINGS`: Ctrl+Q, Ctrl+L, F2, F3, F4, F5) in its map: they work over a modal screen (they
are the app's priority bindings), but Textual's footer of a modal screen lists only that
screen's own keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

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
    WordsBinding("ctrl+l", "lock", words=Words("锁屏", "Lock"), priority=True),
    WordsBinding("f2", "toggle_language", words=Words("语言", "Language"), priority=True),
    WordsBinding("f3", "show_applications", words=Words("办件", "Applications"), priority=True),
    WordsBinding("f4", "new_intake", words=Words("新办件", "New"), priority=True),
    WordsBinding("f5", "sync_now", words=Words("立即同步", "Sync now"), priority=True),
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
    words_of = class_words(type(node))
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


def app_keys() -> list[Binding]:
    """Copies of the app's shown keys, in the order the other screens' footers show them.

    A key press (or a click on the footer, which simulates the key) still reaches the app's
    priority binding first; the copy's action names the app's in case it is ever run.
    """
    return [replace(binding, action=f"app.{binding.action}", priority=False) for binding in APP_BINDINGS if binding.show]
