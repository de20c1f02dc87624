"""The receipt (受理回执) of an accepted application, to read out and print.

P writes the receipt as a PDF (window_app/notices/) and sends it to the default printer; where
printing is not possible (SSH, browser mode, no printer command) the file stays in the documents
folder and the screen shows its path.
"""

from __future__ import annotations

from functools import partial

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.errors import StorageError, WindowAppError
from window_app.domain.words import NO_WORDS, Words, tr

PRINT_GROUP = "receipt-print"
PRINT_WORDS = Words("打印", "Print")


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
        """Make the receipt's PDF and print it, in a thread (the font is megabytes to read)."""
        if not self._found or self._printing:
            self.app.bell()
            return
        try:
            notice = self.window.notice("receipt", self.receipt_no)  # read here: the database is this thread's
        except (KeyError, WindowAppError) as error:
            self.notify(str(error.words) if isinstance(error, WindowAppError) else str(error), severity="error", markup=False)
            return
        self._printing = True
        self.query_one("#receipt-saved", Static).update(self._saved_note())
        self.run_worker(partial(self.window.print_notice, notice), group=PRINT_GROUP, thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != PRINT_GROUP or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        event.stop()
        self._printing = False
        if event.state == WorkerState.SUCCESS:
            rendered, outcome = event.worker.result
            self.outcome = outcome.words if not rendered.note else rendered.note + "\n" + outcome.words
            self.notify(str(outcome.words), markup=False, timeout=10, severity="information" if outcome.printed else "warning")
        else:
            error = event.worker.error
            if not isinstance(error, OSError | WindowAppError):
                self.window_app.report_unexpected(error)  # a bug: the safety net says so
                return
            reason = error.words if isinstance(error, WindowAppError) else (error.strerror or str(error))
            self.outcome = Words("回执未能生成：{reason}", "The receipt could not be made: {reason}").format(reason=reason)
            self.notify(str(self.outcome), severity="error", timeout=10, markup=False)
        self.query_one("#receipt-saved", Static).update(self._saved_note())

    def action_close(self) -> None:
        self.dismiss(None)
