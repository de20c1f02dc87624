"""Bilingual key bindings: write descriptions as ``"中文|English"``.

Textual builds a node's bindings from the class's ``BINDINGS`` once; :func:`localize_bindings`
rebuilds the node's map with the half of each description that matches the current language
(a binding group's description too), so the footer speaks the clerk's language and switches
with it.

A modal screen whose class sets ``SHOW_APP_KEYS = True`` also gets the app's keys (F2, F3, F4,
F5, Ctrl+Q) in its map: they work over a modal screen (they are the app's priority bindings),
but Textual's footer of a modal screen lists only that screen's own keys.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from window_app.domain.words import language


def choose(text: str) -> str:
    """The current language's half of ``"中文|English"`` (text without ``|`` is returned as is)."""
    if "|" not in text:
        return text
    zh, en = text.split("|", 1)
    return en if language() == "en" else zh


def localize_bindings(node: DOMNode) -> None:
    """Re-derive ``node``'s bindings from its class ``BINDINGS`` in the current language."""
    source = type(node)._merged_bindings
    if source is None:
        return
    bindings = [binding for _key, binding in source]
    if getattr(type(node), "SHOW_APP_KEYS", False):
        bindings += app_keys()
    localized = BindingsMap()
    for binding in bindings:
        group = binding.group
        if group is not None:
            # Groups are compared by value: the localized copies still form one group.
            group = replace(group, description=choose(group.description))
        localized._add_binding(
            replace(binding, description=choose(binding.description), tooltip=choose(binding.tooltip), group=group)
        )
    node._bindings = localized


def app_keys() -> list[Binding]:
    """Copies of the app's shown keys, in the order the other screens' footers show them.

    A key press (or a click on the footer, which simulates the key) still reaches the app's
    priority binding first; the copy's action names the app's in case it is ever run.
    """
    from screens.app import WindowApp  # at run time: the app module is loaded by then

    return [
        replace(binding, action=f"app.{binding.action}", priority=False)
        for _key, binding in (WindowApp._merged_bindings or ())
        if binding.show
    ]
