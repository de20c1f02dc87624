"""A small modal box: a message to acknowledge, or a question to answer yes or no."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.words import Words, tr


class Dialog(WindowScreen[bool], ModalScreen[bool]):
    """Tell the clerk something, or ask before doing something that cannot be undone.

    Dismisses with ``True`` (confirmed / acknowledged) or ``False`` (cancelled). A message
    (``confirm=False``) has one button; a question has a confirm and a cancel button. The
    footer lists the box's keys and the app's (which work over the box).

    Args:
        title: One line on the box's border.
        body: The words; plain text (no markup is interpreted).
        confirm: Ask a question (two buttons) instead of telling (one button).
        confirm_label: The confirm button's text (default 确定 / OK).
        error: Draw the box as an error.
    """

    CSS_PATH = "dialog.tcss"

    BINDINGS = [
        # A question: y confirms, Esc or n cancels. A message: Esc or y closes it.
        WordsBinding("y", "answer(True)", words=Words("确定", "Confirm")),
        WordsBinding("escape", "answer(False)", words=Words("取消", "Cancel")),
        WordsBinding("n", "answer(False)", words=Words("取消", "Cancel"), show=False),
        WordsBinding("escape", "close", words=Words("关闭", "Close")),
        WordsBinding("y", "close", words=Words("关闭", "Close"), show=False),
    ]

    SHOW_APP_KEYS = True  # F2, F3, F4, F5, Ctrl+Q work here too: the footer says so

    def __init__(
        self,
        title: str,
        body: str,
        *,
        confirm: bool = False,
        confirm_label: str = "",
        error: bool = False,
    ) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._confirm = confirm
        self._confirm_label = confirm_label or tr("确定", "OK")
        self._error = error

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="-error" if self._error else "") as box:
            box.border_title = self._title
            yield Static(self._body, id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    self._confirm_label,
                    id="dialog-confirm",
                    variant="error" if self._error and self._confirm else "primary",
                )
                if self._confirm:
                    yield Button(tr("取消", "Cancel"), id="dialog-cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        # A question defaults to the harmless answer: Enter on a question cancels.
        focus = "#dialog-cancel" if self._confirm else "#dialog-confirm"
        self.query_one(focus, Button).focus()

    async def recompose(self) -> None:
        await super().recompose()  # rebuilt in the other language (F2)
        self.on_mount()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "dialog-confirm")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Hidden and not run: the other kind of box's keys (the key falls to the next binding).
        if action == "answer":
            return self._confirm
        if action == "close":
            return not self._confirm
        return True

    def action_answer(self, answer: bool) -> None:
        """Close with ``answer`` (a question's y, n, Esc)."""
        self.dismiss(answer if self._confirm else True)

    def action_close(self) -> None:
        """A message acknowledged (Esc or y)."""
        self.dismiss(True)
