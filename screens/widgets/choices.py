"""Choices that say their state in characters, not by colour alone.

Textual's :class:`~textual.widgets.RadioButton` draws ``●`` whether it is on or off, and its
:class:`~textual.widgets.Checkbox` draws ``X`` either way: only the colour tells them apart,
which a clerk with a washed-out monitor, a light theme or colour blindness cannot read. Here:

- :class:`ChoiceButton` shows ``●`` when chosen, ``○`` when not;
- :class:`TickBox` shows ``☑`` when ticked, ``☐`` when not;
- :class:`ChoiceSet` is a radio set whose highlight starts on the chosen option (Textual's
  starts on the first one, so Enter would choose it);
- :class:`YesNo` is the yes/no question of a form (是/否): nothing is chosen until the clerk
  answers, because a factual question must have no default (a bare switch showed "no").

Every screen uses these, never Textual's own (``tests/unit_tests/test_choices.py`` checks).
"""

from __future__ import annotations

from textual.widgets import Checkbox, RadioButton, RadioSet

from window_app.domain.words import tr

CHOSEN = "●"
NOT_CHOSEN = "○"
TICKED = "☑"
NOT_TICKED = "☐"

_STATE_CSS = """
{name} > .toggle--button {{ color: $text-muted; }}
{name}.-on > .toggle--button {{ color: $text-success; text-style: bold; }}
"""


class ChoiceButton(RadioButton):
    """A radio button: ``●`` chosen, ``○`` not chosen."""

    DEFAULT_CSS = _STATE_CSS.format(name="ChoiceButton")

    @property  # type: ignore[override]  # Textual reads ``self.BUTTON_INNER`` at each render
    def BUTTON_INNER(self) -> str:  # noqa: N802  (Textual's name)
        return CHOSEN if self.value else NOT_CHOSEN


class TickBox(Checkbox):
    """A checkbox: ``☑`` ticked, ``☐`` not ticked."""

    DEFAULT_CSS = _STATE_CSS.format(name="TickBox")

    @property  # type: ignore[override]
    def BUTTON_INNER(self) -> str:  # noqa: N802
        return TICKED if self.value else NOT_TICKED


class ChoiceSet(RadioSet):
    """A radio set whose highlight (where Enter or Space acts) starts on the chosen option.

    Give it :class:`ChoiceButton` s (plain labels become :class:`ChoiceButton` s too).
    """

    def __init__(self, *buttons: str | RadioButton, **kwargs) -> None:
        super().__init__(
            *(button if isinstance(button, RadioButton) else ChoiceButton(button) for button in buttons), **kwargs
        )
        self._highlight_placed = False

    def action_next_button(self) -> None:
        # Textual's mount handler places the first highlight with this action (on the first
        # enabled option); the first time, it goes to the chosen option instead, if any.
        if not self._highlight_placed:
            self._highlight_placed = True
            chosen = next(
                (index for index, node in enumerate(self._nodes) if isinstance(node, RadioButton) and node.value), None
            )
            if chosen is not None:
                self._selected = chosen
                return
        super().action_next_button()


YES = "true"
NO = "false"


class YesNo(ChoiceSet):
    """A yes/no answer: 是 / 否 (Yes / No), neither chosen until answered.

    Args:
        value: ``"true"``, ``"false"`` or ``""`` (not answered yet).

    The value is read as :attr:`answer` (the form's stored text). A change posts
    :class:`~textual.widgets.RadioSet.Changed`, as any radio set does.
    """

    DEFAULT_CSS = """
    YesNo { layout: horizontal; width: auto; height: auto; }
    YesNo > ChoiceButton { width: auto; margin-right: 2; }
    """

    def __init__(self, value: str = "", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            ChoiceButton(tr("是", "Yes"), value=value == YES, name=YES),
            ChoiceButton(tr("否", "No"), value=value == NO, name=NO),
            id=id,
            classes=classes,
        )

    @property
    def answer(self) -> str:
        """``"true"``, ``"false"``, or ``""`` while not answered."""
        pressed = self.pressed_button
        return pressed.name or "" if pressed is not None else ""
