"""Conclude a 一类直接办 item at the window (独任审批员): approve with a result, or refuse with a reason."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioSet, Static

from screens.widgets.choices import ChoiceButton, ChoiceSet
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.intake import AtWindowDecision
from window_app.domain.words import Words, tr

SEND_TO_DEPARTMENT = "department"
"""What the box dismisses with when the clerk undoes a conclusion: the item goes to its department."""

REASON_REQUIRED = Words("不予办理须写明理由", "Refusing needs a reason")


class AtWindowDialog(WindowScreen["AtWindowDecision | str | None"], ModalScreen["AtWindowDecision | str | None"]):
    """准予 or 不予 for one class-1 item, with the result number or the reason.

    Dismisses with the :class:`AtWindowDecision`, :data:`SEND_TO_DEPARTMENT` (undo an earlier
    conclusion), or ``None`` when the clerk cancels.

    Args:
        item: The item's name, shown in the question.
        current: The item's conclusion so far (``None``: it goes to its department).
    """

    CSS_PATH = "at_window.tcss"

    BINDINGS = [
        WordsBinding("ctrl+s", "save", words=Words("确定", "OK")),
        WordsBinding("ctrl+d", "to_department", words=Words("送部门办理", "Send to department")),
        WordsBinding("escape", "cancel", words=Words("取消", "Cancel")),
    ]

    SHOW_APP_KEYS = True  # F2, F3, F4, F5, Ctrl+Q work here too: the footer says so

    def __init__(self, item: str, current: AtWindowDecision | None = None) -> None:
        super().__init__()
        self._item = item
        self._had = current is not None
        # What the clerk has chosen and typed; kept if the box is rebuilt in the other language (F2).
        self._draft = AtWindowDecision(**vars(current)) if current else AtWindowDecision()

    def compose(self) -> ComposeResult:
        refusing = self._draft.decision == "rejected"
        with Vertical(id="at-window-box") as box:
            box.border_title = tr("窗口办结（一类直接办）", "Conclude at the window (class 1)")
            yield Static(
                tr("“{i}”由本窗口独任审批员当场决定：", "“{i}” is decided here by the window's sole approver:", i=self._item),
                id="at-window-question",
                markup=False,
            )
            with ChoiceSet(id="at-window-decision"):
                yield ChoiceButton(tr("准予", "Approve"), value=not refusing, id="at-window-approve")
                yield ChoiceButton(tr("不予", "Refuse"), value=refusing, id="at-window-refuse")
            yield Label(tr("结果编号（证照号等，可不填）", "Result number (certificate no., optional)"), id="at-window-result-label")
            yield Input(self._draft.result, id="at-window-result")
            yield Label(tr("不予办理的理由（必填）", "Reason for refusing (required)"), id="at-window-reason-label")
            yield Input(self._draft.reason, id="at-window-reason")
            yield Static("", id="at-window-error", markup=False)
            with Horizontal(id="at-window-buttons"):
                yield Button(tr("确定", "OK"), id="at-window-ok", variant="primary")
                if self._had:
                    yield Button(tr("送部门办理", "Send to department"), id="at-window-department")
                yield Button(tr("取消", "Cancel"), id="at-window-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._show_fields()
        self.query_one("#at-window-decision", RadioSet).focus()

    async def recompose(self) -> None:
        await super().recompose()  # rebuilt in the other language (F2)
        self.on_mount()

    def _show_fields(self) -> None:
        refusing = self._draft.decision == "rejected"
        for name, shown in (("result", not refusing), ("reason", refusing)):
            self.query_one(f"#at-window-{name}-label", Label).display = shown
            self.query_one(f"#at-window-{name}", Input).display = shown

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self._draft.decision = "rejected" if event.pressed.id == "at-window-refuse" else "approved"
        self._show_fields()
        self._show_error(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "at-window-result":
            self._draft.result = event.value
        elif event.input.id == "at-window-reason":
            self._draft.reason = event.value
            if event.value.strip():
                self._show_error(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "at-window-ok":
            self.action_save()
        elif event.button.id == "at-window-department":
            self.action_to_department()
        else:
            self.action_cancel()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_department":
            return self._had  # nothing to undo on an item that goes to its department anyway
        return True

    def action_save(self) -> None:
        """Take the conclusion; a refusal without a reason is refused in words."""
        decision = self._draft.decision
        if decision == "rejected" and not self._draft.reason.strip():
            self._show_error(str(REASON_REQUIRED))
            self.query_one("#at-window-reason", Input).focus()
            return
        self.dismiss(
            AtWindowDecision(decision, result=self._draft.result.strip())
            if decision == "approved"
            else AtWindowDecision(decision, reason=self._draft.reason.strip())
        )

    def action_to_department(self) -> None:
        """Undo the conclusion: the item goes to its department as a request."""
        self.dismiss(SEND_TO_DEPARTMENT)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _show_error(self, words: str | None) -> None:
        error = self.query_one("#at-window-error", Static)
        error.update(words or "")
        error.set_class(bool(words), "-shown")
        self.query_one("#at-window-reason", Input).set_class(bool(words), "-invalid")
