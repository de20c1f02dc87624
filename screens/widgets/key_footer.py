"""The footer of every screen: the keys that work there, in one line that fits 120 columns.

Textual's :class:`~textual.widgets.Footer` in its compact style (one space less around each
key). Keys bound with a :class:`~textual.binding.Binding.Group` are shown once, side by side,
under the group's description (the checklist's ``12345 收取情况``): each key is still its own
clickable cap, its own words in the tooltip and on the buttons of the screen.

A screen keeps its footer within 120 columns in both languages
(``tests/functional_tests/test_footers.py`` checks every screen): keys already visible on the
screen as labelled buttons or hints (Ctrl+F, Ctrl+T on the applications list) are bound with
``show=False`` — they work the same, the footer keeps its room for the rest.
"""

from __future__ import annotations

from textual.widgets import Footer


class KeyFooter(Footer):
    """The compact footer (no command palette: this app has none)."""

    DEFAULT_CSS = """
    KeyFooter.-compact FooterLabel {
        margin: 0 1 0 0;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True, show_command_palette=False)
