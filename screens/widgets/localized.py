"""Bilingual key bindings: write descriptions as ``"中文|English"``.

Textual builds a node's bindings from the class's ``BINDINGS`` once; :func:`localize_bindings`
rebuilds the node's map with the half of each description that matches the current language,
so the footer speaks the clerk's language and switches with it.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import BindingsMap
from textual.dom import DOMNode

from window_app.i18n import language


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
    localized = BindingsMap()
    for _key, binding in source:
        localized._add_binding(
            replace(binding, description=choose(binding.description), tooltip=choose(binding.tooltip))
        )
    node._bindings = localized
