"""A vertical scroll bar that never comes or goes: drawn when there is more to see, invisible otherwise.

Textual lays the whole screen out again when a scroll bar appears or disappears, and a layout
while any scroll bar is shown costs a second frame, 17–33 ms after the first (the scroll bar
is repainted once more after the layout, and the screen draws at most 60 times a second, on
its own beat). A widget styled ``overflow-y: scroll`` keeps its bar, so its length can change
without a layout; :class:`SteadyScrollBar` paints the bar in the widget's own background
while everything fits (the space it takes stays free, as ``scrollbar-gutter: stable`` keeps
it), in the theme's colours once there is more than fits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.widget import Widget

BAR_COLOURS = (
    "scrollbar_background",
    "scrollbar_background_hover",
    "scrollbar_background_active",
    "scrollbar_color",
    "scrollbar_color_hover",
    "scrollbar_color_active",
)
"""The style rules a scroll bar is drawn with (see :class:`textual.scrollbar.ScrollBar`)."""


class SteadyScrollBar:
    """Mixed into a widget styled ``overflow-y: scroll``: :meth:`show_bar_when_needed` after
    its length changes."""

    _bar_needed = True

    def show_bar_when_needed(self, needed: bool) -> None:
        """Draw the vertical scroll bar when ``needed``, else keep its room blank.

        Inline styles (set at once, unlike a CSS class, which is applied a message later and
        would draw a frame of its own): the widget's own background colour for the whole bar
        while everything fits, the CSS colours back once it does not.
        """
        widget = cast("Widget", self)
        self._bar_needed = needed
        styles = widget.styles
        if needed:
            changed = [styles.clear_rule(rule) for rule in BAR_COLOURS]
            if any(changed):
                widget.vertical_scrollbar.refresh()
            return
        _behind, background = widget.background_colors
        if styles.get_rule("scrollbar_background") != background:
            for rule in BAR_COLOURS:
                setattr(styles, rule, background)
            widget.vertical_scrollbar.refresh()

    def notify_style_update(self) -> None:
        """The widget's background may have changed (focus tints it): the hidden bar follows."""
        super().notify_style_update()  # type: ignore[misc]
        if not self._bar_needed:
            self.show_bar_when_needed(False)
