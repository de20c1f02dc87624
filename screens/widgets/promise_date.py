"""Ask the date by which the applicant promises to bring a deficient material (容缺承诺)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.words import Words, tr


class PromiseDateDialog(WindowScreen[str | None], ModalScreen[str | None]):
    """The promised date of a deficiency acceptance, checked as typed.

    Dismisses with the ISO date, or ``None`` when the clerk cancels.

    Args:
        material: The material's name, shown in the question.
        check: Returns the reason a date is refused, or ``None`` when it is acceptable. The
            screen that asks owns the rule (it asks the window), this box only shows the answer.
        suggested: The date to start from (the clerk overwrites it).
    """

    CSS_PATH = "promise_date.tcss"

    BINDINGS = [
        WordsBinding("escape", "cancel", words=Words("取消", "Cancel")),
    ]

    SHOW_APP_KEYS = True  # F2, F3, F4, F5, Ctrl+Q work here too: the footer says so

    def __init__(self, material: str, check: Callable[[str], str | None], suggested: str = "") -> None:
        super().__init__()
        self._material = material
        self._check = check
        self._suggested = suggested
        self._rebuilt = False

    def compose(self) -> ComposeResult:
        with Vertical(id="promise-box") as box:
            box.border_title = tr("容缺受理", "Accept as deficient")
            yield Static(
                tr(
                    "“{m}”暂缺，申请人书面承诺在以下日期前补交：",
                    "“{m}” is missing; the applicant promises in writing to bring it by:",
                    m=self._material,
                ),
                id="promise-question",
                markup=False,
            )
            yield Label(tr("承诺补交日期（YYYY-MM-DD）", "Promised date (YYYY-MM-DD)"), id="promise-label")
            # The suggestion is selected, so typing replaces it; a rebuilt box keeps what was typed.
            yield Input(
                self._suggested, placeholder="YYYY-MM-DD", id="promise-date", select_on_focus=not self._rebuilt
            )
            yield Static("", id="promise-error", markup=False)
            with Horizontal(id="promise-buttons"):
                yield Button(tr("确定", "OK"), id="promise-ok", variant="primary")
                yield Button(tr("取消", "Cancel"), id="promise-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#promise-date", Input).focus()

    async def recompose(self) -> None:
        # Rebuilt in the other language (F2): the clerk goes on typing where they were.
        self._rebuilt = True
        await super().recompose()
        self.on_mount()
        value = self.query_one("#promise-date", Input).value.strip()
        self._show(self._check(value) if value else None)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._suggested = event.value  # kept if the box is rebuilt (F2)
        self._show(self._check(event.value.strip()) if event.value.strip() else None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "promise-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _submit(self) -> None:
        value = self.query_one("#promise-date", Input).value.strip()
        reason = self._check(value)
        if reason:
            self._show(reason)
            self.query_one("#promise-date", Input).focus()
            return
        self.dismiss(value)

    def _show(self, reason: str | None) -> None:
        error = self.query_one("#promise-error", Static)
        error.update(reason or "")
        error.set_class(bool(reason), "-shown")
        self.query_one("#promise-date", Input).set_class(bool(reason), "-invalid")
