"""The receipt (受理回执) of an accepted application, to read out and print.

P writes the receipt as a PDF (window_app/notices/) and sends it to the default printer; where
printing is not possible (SSH, browser mode, no printer command) the file stays in the documents
folder and the screen shows its path.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from screens.notice_printing import PRINT_WORDS, print_notice
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.errors import StorageError
from window_app.domain.words import NO_WORDS, Words, tr


class ReceiptScreen(WindowScreen[None], ModalScreen[None]):
    """The printable receipt in a box; P prints it (a PDF to the default printer, or saved
    where the clerk can find it, the path shown).

    The app's keys work over it (F5 syncs, F4 starts the next application …) and its footer
    lists them with its own.

    Args:
        receipt_no: The application's receipt number.
    """

    CSS_PATH = "receipt.tcss"
    AUTO_FOCUS = "#receipt-scroll"

    BINDINGS = [
        WordsBinding("escape", "close", words=Words("关闭", "Close")),
        WordsBinding("p", "print", words=PRINT_WORDS),
        WordsBinding("ctrl+p", "print", words=PRINT_WORDS, show=False),
    ]

    SHOW_APP_KEYS = True  # F2, F3, F4, F5, Ctrl+Q work here too: the footer says so

    def __init__(self, receipt_no: str) -> None:
        super().__init__()
        self.receipt_no = receipt_no
        self.outcome: Words = NO_WORDS  # what became of the last print: printed, or where it was saved
        self._printing = False

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
        if self._printing:
            return tr("正在生成并打印回执……", "Making and printing the receipt …")
        if not self.outcome:
            return tr("按 P 打印回执（含查询二维码），Esc 关闭", "P prints the receipt (with the tracking QR code), Esc closes")
        return str(self.outcome)

    def action_print(self) -> None:
        """Make the receipt's PDF and print it, off the UI thread (:mod:`screens.notice_printing`)."""
        if not self._found or self._printing:
            self.app.bell()
            return
        worker = print_notice(self, lambda: self.window.notice("receipt", self.receipt_no), on_done=self._printed)
        if worker is not None:
            self._printing = True
            self.query_one("#receipt-saved", Static).update(self._saved_note())

    def _printed(self, outcome: Words) -> None:
        """What became of the print, under the receipt (if the receipt is still shown)."""
        self._printing = False
        self.outcome = outcome
        if self.is_attached:
            self.query_one("#receipt-saved", Static).update(self._saved_note())

    def action_close(self) -> None:
        self.dismiss(None)
