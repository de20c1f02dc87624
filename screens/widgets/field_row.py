"""A labelled field whose problem is shown right under it, in red, in the clerk's language.

Any screen that edits intake values uses it: the applicant step, the unified form. A row knows
the :class:`~window_app.domain.intake.Problem` path it answers for (``applicant.person.id_number``,
``fields.house_area``), so a list of problems from ``Window.validate`` can be spread over the
rows with :func:`mark_problems`; what no row claims is left for the screen to show otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input, Label

from window_app.domain.intake import Problem


def problem_text(problem: Problem) -> str:
    """A problem's message in the current language."""
    return str(problem.words)


class CodeInput(Input):
    """An input for codes (resident ID ``X``, USCC letters): letters typed become capitals.

    Nothing is refused silently: a wrong length or character is for the validation message
    under the field to explain.
    """

    def replace(self, text: str, start: int, end: int) -> None:
        super().replace(text.upper(), start, end)


class FieldRow(Vertical):
    """One field: label, the control that edits it, its error, and an optional hint.

    The label and the control share one line (controls that can be compact are made so);
    the error, in red, takes the line below while there is one, the hint otherwise.

    Args:
        label: The field's name (already in the current language).
        control: The widget that edits the value (``Input``, ``Select``, ``YesNo`` …).
        path: The problem path this row answers for, e.g. ``applicant.person.id_number``.
        required: Mark the label with a red asterisk.
        hint: A line of guidance under the field (shown while there is no error).
        id: The row's id (the control keeps its own id).
    """

    DEFAULT_CSS = """
    FieldRow {
        height: auto;
        margin-bottom: 1;
    }
    FieldRow > .field-line { height: auto; }
    FieldRow .field-label {
        width: 20;
        height: auto;
        padding: 0 1 0 0;
        text-align: right;
        color: $text-muted;
    }
    FieldRow:focus-within .field-label { color: $text-accent; text-style: bold; }
    FieldRow .field-line > Input, FieldRow .field-line > Select { width: 1fr; }
    FieldRow .field-line > Input.-textual-compact { background: $boost; padding: 0 1; }
    FieldRow .field-line > Input.-textual-compact:focus { background-tint: $primary 25%; }
    FieldRow .field-line > RadioSet { width: auto; }
    FieldRow .field-line > RadioSet > RadioButton { width: auto; margin-right: 2; }
    FieldRow .field-error {
        display: none;
        width: 1fr;  /* a long message (a rule naming two fields) wraps instead of being cut */
        margin-left: 20;
        color: $text-error;
        text-style: bold;
    }
    FieldRow.-invalid .field-error { display: block; }
    FieldRow.-invalid .field-line > Input { background-tint: $error 25%; }
    FieldRow.-invalid .field-label { color: $text-error; }
    FieldRow .field-hint {
        width: 1fr;
        margin-left: 20;
        color: $text-muted;
    }
    FieldRow.-invalid .field-hint { display: none; }
    /* Too narrow for label and control side by side: the label goes above its control. */
    FieldRow.-stacked > .field-line { layout: vertical; }
    FieldRow.-stacked .field-label { width: 1fr; text-align: left; }
    """

    def __init__(
        self,
        label: str,
        control: Widget,
        *,
        path: str,
        required: bool = False,
        hint: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label
        self.control = control
        if hasattr(control, "compact"):
            control.compact = True  # type: ignore[attr-defined]  # one line per field
        self.path = path
        self.required = required
        self.hint = hint
        self._problem: Problem | None = None

    def _label_text(self) -> str:
        return f"{self.label}[$text-error]*[/]" if self.required else self.label

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-line"):
            yield Label(self._label_text(), classes="field-label")
            yield self.control
        yield Label("", classes="field-error", markup=False)
        if self.hint:
            yield Label(self.hint, classes="field-hint", markup=False)

    def on_mount(self) -> None:
        self._render_problem()

    @property
    def label_cells(self) -> int:
        """Cells the label needs on one line (asterisk and the gap before the control included)."""
        return cell_len(self.label) + (1 if self.required else 0) + 1

    def set_label_width(self, width: int) -> None:
        """Put the label in a column ``width`` cells wide left of the control (0: above it).

        Error and hint start under the control, where the clerk's eye is.
        """
        self.set_class(width == 0, "-stacked")
        self.query_one(".field-label", Label).styles.width = width or "1fr"
        for line in self.query(".field-error, .field-hint"):
            line.styles.margin = (0, 0, 0, width)

    def set_required(self, required: bool) -> None:
        """Show or hide the red asterisk (when whether the field is required changes)."""
        self.required = required
        if self.is_mounted:
            self.query_one(".field-label", Label).update(self._label_text())

    @property
    def problem(self) -> Problem | None:
        """The problem shown at this field, if any."""
        return self._problem

    def show_problem(self, problem: Problem | None) -> None:
        """Show ``problem`` under the field (``None`` clears it)."""
        self._problem = problem
        if self.is_mounted:
            self._render_problem()

    def clear_problem(self) -> None:
        """Remove the error shown under the field."""
        self.show_problem(None)

    def _render_problem(self) -> None:
        self.set_class(self._problem is not None, "-invalid")
        error = self.query_one(".field-error", Label)
        error.update(problem_text(self._problem) if self._problem else "")


SHORT_HEIGHT = 30
"""Below this many lines a screen of fields closes up: no blank line between rows, only the
focused row's hint (a screen sets ``-short`` on itself; its .tcss says what closes up)."""

LABEL_SHARE = 0.4
"""A label column never takes more than this share of the row: a longer label wraps in its column."""

CONTROL_MIN = 28
"""When less than this is left for the control, every label goes above its control."""


def fit_labels(rows: Iterable[FieldRow], width: int) -> None:
    """One label column for ``rows`` in ``width`` cells: as wide as the longest label, capped
    at :data:`LABEL_SHARE` of the width; labels above the controls when too narrow."""
    rows = list(rows)
    if not rows or width <= 0:
        return
    longest = max(row.label_cells for row in rows)
    label_width = min(longest, max(int(width * LABEL_SHARE), 12))
    if width - label_width < CONTROL_MIN:
        label_width = 0
    for row in rows:
        row.set_label_width(label_width)


def is_shown(widget: Widget) -> bool:
    """Whether the widget and every container up to its screen are displayed."""
    node: DOMNode | None = widget
    while isinstance(node, Widget):
        if not node.display:
            return False
        node = node.parent
    return True


def mark_problems(root: DOMNode, problems: Iterable[Problem], *, paths: Iterable[str] | None = None) -> list[Problem]:
    """Show each problem at the :class:`FieldRow` with its path; clear rows without one.

    Args:
        root: Where to look for rows (a screen or a container).
        problems: From ``Window.validate``.
        paths: Only touch rows with these paths (validate-as-typed marks one field and leaves
            the others as they are). ``None`` touches every row.

    Returns:
        The problems no (touched) row showed, for the screen to tell otherwise.
    """
    by_path: dict[str, Problem] = {}
    for problem in problems:
        by_path.setdefault(problem.path, problem)
    for problem in problems:  # a cross-field rule's words show at each field it names
        for related in problem.related:
            by_path.setdefault(related, problem)
    wanted = set(paths) if paths is not None else None
    shown: set[str] = set()
    for row in root.query(FieldRow):
        if wanted is not None and row.path not in wanted:
            continue
        if not is_shown(row):
            continue
        row.show_problem(by_path.get(row.path))
        if row.path in by_path:
            shown.add(row.path)
    return [problem for problem in problems if not shown.intersection((problem.path, *problem.related))]
