"""The receipt (受理回执) of an accepted application, to read out, save and print."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from window_app.domain.errors import StorageError
from screens.safety import GuardedDispatch
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import localize_bindings
from window_app.domain.words import tr


class ReceiptScreen(GuardedDispatch, ModalScreen[None]):
    """The printable receipt in a box; P saves it as a text file for the printer.

    The app's keys work over it (F5 syncs, F4 starts the next application …) and its footer
    lists them with its own.

    Args:
        receipt_no: The application's receipt number.
    """

    CSS_PATH = "receipt.tcss"
    AUTO_FOCUS = "#receipt-scroll"

    BINDINGS = [
        Binding("escape", "close", "关闭|Close"),
        Binding("p", "save", "保存待打印|Save to print"),
        Binding("ctrl+p", "save", "保存待打印|Save to print", show=False),
    ]

    SHOW_APP_KEYS = True  # F2, F3, F4, F5, Ctrl+Q work here too: the footer says so

    def __init__(self, receipt_no: str) -> None:
        super().__init__()
        self.receipt_no = receipt_no
        self.saved_to: Path | None = None
        localize_bindings(self)

    @property
    def window(self):
        return self.app.window  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        try:
            text = self.window.receipt_text(self.receipt_no)
            found = True
        except KeyError:
            text = tr("没有受理编号为 {no} 的办件", "No application has receipt number {no}", no=self.receipt_no)
            found = False
        except StorageError as error:
            text = str(error)
            found = False
        self._found = found
        self._text = text
        with Vertical(id="receipt-box") as box:
            box.border_title = tr("受理回执 {no}", "Receipt {no}", no=self.receipt_no)
            with VerticalScroll(id="receipt-scroll"):
                yield Static(text, id="receipt-text", markup=False, classes="" if found else "-missing")
            yield Static(self._saved_note(), id="receipt-saved", markup=False)
        yield KeyFooter()

    async def recompose(self) -> None:
        await super().recompose()  # rebuilt in the other language (F2)
        self.query_one("#receipt-scroll").focus()

    def _saved_note(self) -> str:
        if self.saved_to is None:
            return tr("按 P 保存为文本文件以便打印，Esc 关闭", "P saves a text file to print, Esc closes")
        return tr("已保存：{path}", "Saved: {path}", path=self.saved_to)

    def action_save(self) -> None:
        """Write the receipt to the data dir and say where."""
        if not self._found:
            self.app.bell()
            return
        try:
            path = self.window.save_receipt(self.receipt_no)
        except OSError as error:
            self.notify(
                tr("回执未能保存：{reason}", "The receipt could not be saved: {reason}",
                   reason=error.strerror or error),
                severity="error",
                timeout=10,
                markup=False,
            )
            return
        self.saved_to = path
        self.query_one("#receipt-saved", Static).update(self._saved_note())
        self.notify(tr("回执已保存：{path}", "Receipt saved: {path}", path=path), markup=False, timeout=8)

    def action_close(self) -> None:
        self.dismiss(None)
