"""The base of the sign-in and first-run screens: a box of labelled inputs, words under them,
and the PIN's work (argon2id, ~0.1 s) run in a thread so the screen keeps answering.

A subclass yields its rows from :meth:`PinFormScreen.compose_form` (:func:`field_line` makes one)
and notes under them from :meth:`PinFormScreen.compose_notes`, says what Enter does in :meth:`PinFormScreen.submit` (check what needs no PIN work, then
:meth:`PinFormScreen.run_pin_work`), and gets the clerk back in :meth:`PinFormScreen.succeeded`.
A refusal (:class:`~window_app.domain.errors.WindowAppError`: wrong PIN, locked, id taken …)
stays in words under the inputs until the clerk tries again; anything else goes to the safety
net (:meth:`screens.app.WindowApp.report_unexpected`).

The work runs on the window's connection from the worker thread (it is opened with
``check_same_thread=False``): nothing else writes while the box is up, the sync worker has a
connection of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.binding import BindingsMap
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static
from textual.worker import Worker, WorkerState

from screens.widgets.key_footer import KeyFooter
from screens.widgets.window_header import WindowHeader
from screens.window_screen import WindowScreen
from window_app.domain.clerks import Clerk
from window_app.domain.errors import WindowAppError
from window_app.domain.words import NO_WORDS, Words

PIN_WORK_GROUP = "pin-work"


class FormInput(Input):
    """A compact input whose Enter the footer names with the screen's words (登录, 开设账号).

    Enter is the input's own key, not a priority key of the screen: a priority key would act
    before the characters typed just before it reached the input.
    """

    def __init__(self, value: str = "", *, enter: Words, **options: Any) -> None:
        super().__init__(value, compact=True, **options)
        bindings = BindingsMap()
        for _key, binding in type(self)._merged_bindings or ():
            if binding.key == "enter":
                binding = replace(binding, description=str(enter), show=True)
            bindings._add_binding(binding)
        self._bindings = bindings


def field_line(label: Words, control: Input) -> Horizontal:
    """One row of the box: the label, then the input."""
    return Horizontal(Label(str(label), classes="pin-label"), control, classes="pin-line")


class PinFormScreen(WindowScreen[None]):
    """A box of inputs that ends in PIN work; Enter in any input submits.

    Attributes:
        TITLE_WORDS: The box's title.
        ENTER_WORDS: What Enter does (the footer).
        PROGRESS_WORDS: What the line under the inputs says while the PIN is checked.
    """

    DEFAULT_CSS = """
    PinFormScreen #pin-centre { height: 1fr; align: center middle; }
    PinFormScreen #pin-box {
        width: 76;
        max-width: 100%;
        height: auto;
        border: round $primary;
        border-title-style: bold;
        padding: 0 1;
    }
    PinFormScreen .pin-text { height: auto; margin-bottom: 1; }
    PinFormScreen .pin-line { height: 1; margin-bottom: 1; }
    PinFormScreen .pin-label { width: 14; }
    PinFormScreen .pin-line Input { width: 1fr; max-width: 32; }
    PinFormScreen #pin-message { height: auto; min-height: 1; margin-bottom: 1; color: $text-muted; }
    PinFormScreen .pin-note { height: auto; color: $text-muted; }
    PinFormScreen #pin-message.-error { color: $text-error; }
    """
    TITLE_WORDS: Words = NO_WORDS
    PROGRESS_WORDS: Words = Words("正在核对 PIN…", "Checking the PIN…")

    ENTER_WORDS: Words = Words("确定", "OK")
    """What Enter does, as the footer says it (:class:`FormInput`)."""

    def __init__(self) -> None:
        super().__init__()
        self._message: Words = NO_WORDS
        self._error = False
        self._busy = False

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield WindowHeader()
        with Vertical(id="pin-centre"):
            with Vertical(id="pin-box") as box:
                box.border_title = str(self.TITLE_WORDS)
                yield from self.compose_form()
                yield Static("", id="pin-message", markup=False)
                yield from self.compose_notes()
        yield KeyFooter()

    def compose_form(self) -> ComposeResult:
        """The box's rows (text, :func:`field_line` rows)."""
        yield from ()

    def compose_notes(self) -> ComposeResult:
        """What the box says under the words of the last try (default: nothing)."""
        yield from ()

    def on_mount(self) -> None:
        self._show_message()

    async def recompose(self) -> None:
        # F2: rebuilt in the other language, with what was typed and what was said.
        values = {field.id: field.value for field in self.query(Input) if field.id}
        focused = self.focused.id if self.focused is not None else None
        await super().recompose()
        for field in self.query(Input):
            if field.id in values:
                field.value = values[field.id]
        self._show_message()
        target = self.query(f"#{focused}").first() if focused else None
        if target is not None:
            target.focus()

    # -- what the box says ----------------------------------------------------------------

    def say(self, words: Words, *, error: bool = True) -> None:
        """Put ``words`` under the inputs (they stay until the next try)."""
        self._message, self._error = words, error
        self._show_message()

    def _show_message(self) -> None:
        message = self.query_one("#pin-message", Static)
        message.update(str(self._message))
        message.set_class(self._error and bool(self._message), "-error")

    @property
    def message(self) -> str:
        """The words under the inputs, as shown."""
        return str(self._message)

    # -- Enter ----------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if not self._busy:
            self.submit()

    def form_input(self, value: str = "", **options: Any) -> FormInput:
        """An input of this box (Enter: :attr:`ENTER_WORDS`)."""
        return FormInput(value, enter=self.ENTER_WORDS, **options)

    def submit(self) -> None:
        """Check the inputs and start :meth:`run_pin_work` (subclasses)."""

    def run_pin_work(self, work: Callable[[], Clerk]) -> None:
        """Run ``work`` (signs a clerk in) in a thread; the inputs wait meanwhile."""
        self._busy = True
        self.say(self.PROGRESS_WORDS, error=False)
        for field in self.query(Input):
            field.disabled = True
        self.run_worker(work, group=PIN_WORK_GROUP, thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != PIN_WORK_GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        event.stop()
        self._busy = False
        for field in self.query(Input):
            field.disabled = False
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, Clerk):
            self.say(NO_WORDS)
            self.succeeded(event.worker.result)
            return
        error = event.worker.error
        if isinstance(error, WindowAppError):
            self.say(error.words)
            self.refused(error)
        elif error is not None:
            self.say(NO_WORDS)
            self.window_app.report_unexpected(error)

    def succeeded(self, clerk: Clerk) -> None:
        """The work signed ``clerk`` in (default: tell the app)."""
        self.window_app.signed_in(clerk)

    def refused(self, error: WindowAppError) -> None:
        """The work was refused; its words are shown (subclasses put the cursor where to fix)."""
