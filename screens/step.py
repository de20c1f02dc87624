"""The base of the six step screens: keys, header, and the commit → check → move rhythm.

Every step screen is a :class:`StepScreen`. It copies its widgets' values into the app's
:class:`~window_app.domain.intake.Intake` in :meth:`StepScreen.commit`, asks the window what is
wrong in :meth:`StepScreen.problems`, and shows that in :meth:`StepScreen.show_problems`. The
keys are the same on every step: Esc back, Ctrl+N next (Alt+N too: a browser keeps Ctrl+N),
Ctrl+S save draft.

A subclass either yields its own widgets from :meth:`StepScreen.compose_body` (the base then
adds the window header, the step header and the footer around them) or overrides ``compose``
entirely.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input
from textual.widgets.input import Selection

from screens.flow import skipped_steps
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.widgets.step_header import StepHeader
from screens.widgets.window_header import WindowHeader
from screens.window_screen import WindowScreen
from window_app.domain.intake import Intake, Problem
from window_app.domain.words import Words, language, tr


class StepScreen(WindowScreen[None]):
    """One step of taking an application.

    Like every :class:`~screens.window_screen.WindowScreen`, an exception in one of its
    handlers becomes words in a box: the draft is saved, the session goes on.

    Attributes:
        STEP: Which step this screen is, one of :data:`~window_app.domain.intake.STEPS`.
    """

    STEP: ClassVar[str] = ""

    BINDINGS = [
        WordsBinding("escape", "back", words=Words("上一步", "Back")),
        WordsBinding("ctrl+n", "next", words=Words("下一步", "Next")),
        # A browser keeps Ctrl+N (screens/browser_keys.py); priority, or a field would type the n.
        WordsBinding("alt+n", "next", words=Words("下一步", "Next"), priority=True),
        # "Save", not "Save draft": the English checklist footer keeps Ctrl+L within 120 columns.
        WordsBinding("ctrl+s", "save_draft", words=Words("保存草稿", "Save")),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.language = language()
        """The language the screen was built in (a stale screen is rebuilt when resumed)."""
        self._kept_focus: tuple[str, Selection | None] | None = None

    # -- what every step can reach -------------------------------------------------------

    @property
    def intake(self) -> Intake:
        """The application being taken (``None`` only on the pick step)."""
        return self.window_app.intake  # type: ignore[return-value]

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield WindowHeader()
        yield self.step_header()
        with Vertical(id="step-body"):
            yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        """The step's own widgets (between the headers and the footer)."""
        yield from ()

    def step_header(self) -> StepHeader:
        """The six steps, this one highlighted, with offering and applicant."""
        skipped: tuple[str, ...] = ()
        intake = self.window_app.intake
        if intake is not None and intake.offering:
            skipped = skipped_steps(self.window, intake)
        return StepHeader(self.STEP, skipped=skipped)

    def refresh_step_header(self) -> None:
        """Re-read offering and applicant into the step header (after editing them)."""
        for header in self.query(StepHeader):
            header.refresh_subject()

    # -- the rhythm ----------------------------------------------------------------------

    def commit(self) -> None:
        """Copy the widgets' values into :attr:`intake` (default: nothing to copy)."""

    def problems(self) -> list[Problem]:
        """What keeps the clerk from moving on (default: the window's check of this step)."""
        return self.window.validate(self.intake, self.STEP)

    def show_problems(self, problems: list[Problem]) -> None:
        """Tell the clerk what is wrong (default: one notification with the first few).

        Subclasses mark their fields and call this with what no field showed.
        """
        if not problems:
            return
        # The field rows' module (their widget classes) is the form steps'; not the pick screen's.
        from screens.widgets.field_row import problem_text

        lines = [problem_text(problem) for problem in problems[:5]]
        if len(problems) > 5:
            lines.append(tr("……另有 {n} 项", "… and {n} more", n=len(problems) - 5))
        self.notify(
            "\n".join(lines),
            title=tr("还不能进入下一步", "Cannot go on yet"),
            severity="error",
            markup=False,
        )

    def action_next(self) -> None:
        """Commit, check, and go on when nothing is wrong."""
        self.commit()
        problems = self.problems()
        if problems:
            self.show_problems(problems)
            return
        self.window_app.next_step(self.STEP)

    def action_back(self) -> None:
        """Commit (nothing typed is lost) and go one step back."""
        self.commit()
        self.window_app.previous_step(self.STEP)

    def action_save_draft(self) -> None:
        """Commit and store the application as a draft."""
        self.commit()
        self.window_app.save_draft()

    # -- language ------------------------------------------------------------------------

    def carry_over(self, old: StepScreen) -> None:
        """Take over what the intake does not hold from the screen this one replaces (F2).

        Default: nothing (the intake holds it all, :meth:`commit` was called on ``old``).
        """

    def focus_field(self, field_id: str) -> None:
        """Focus, once built, the control of field ``field_id`` (default: this step has none)."""

    def keep_focus(self, old: StepScreen) -> None:
        """Focus, once built, the widget ``old`` had focused, text cursor where it was (F2).

        Without this the clerk who switches language mid-field finds the cursor elsewhere, or
        the field's text selected, so that the next key typed replaces it.
        """
        focused = old.focused
        if focused is not None and focused.id:
            self._kept_focus = (focused.id, focused.selection if isinstance(focused, Input) else None)

    def on_mount(self) -> None:
        # Textual calls every class's on_mount, the subclass's first: this one comes last.
        if self._kept_focus is not None:
            target = next(iter(self.query(f"#{self._kept_focus[0]}")), None)
            if target is not None and target.focusable:
                target.focus()
            else:
                self._kept_focus = None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # After the input's own focus handling (which selects all its text): put the cursor back.
        kept = self._kept_focus
        if kept is None or event.widget.id != kept[0]:
            return
        self._kept_focus = None
        widget, selection = event.widget, kept[1]
        if isinstance(widget, Input) and selection is not None:
            end = len(widget.value)
            widget.selection = Selection(min(selection.start, end), min(selection.end, end))

    def on_screen_resume(self) -> None:
        # F2 pressed while another screen was on top: rebuild this one in the new language.
        if self.language != language():
            self.app.call_later(self.window_app.rebuild_step, self)
