"""U盘传递 (the USB courier): a supervisor's box to export what waits for the exchange to a
stick, and to import the exchange's answer from it (docs/courier.md).

F11 (or the command palette) opens it for a clerk with the backup permission. It says how many
envelopes wait and how many are on a courier already, proposes a folder (a mounted stick, else
the data dir's ``courier/``), and answers in plain words: F7 writes the file there (the
envelopes stay queued: the line sends them too if it comes back first), F8 applies the newest
answer file found there (or the file named) as a sync round would. A refused file is said in
words and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words, counted, tr

EXPORT_WORDS = Words("导出到U盘", "Export to USB")
IMPORT_WORDS = Words("从U盘导入", "Import from USB")


class CourierScreen(WindowScreen[None], ModalScreen[None]):
    """The courier box (see the module)."""

    CSS_PATH = "courier.tcss"

    BINDINGS = [
        WordsBinding("f7", "export", words=EXPORT_WORDS),
        WordsBinding("f8", "import_answer", words=IMPORT_WORDS),
        WordsBinding("escape", "close", words=Words("关闭", "Close")),
    ]

    SHOW_APP_KEYS = True

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self._folder = folder
        self._result = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="courier-box") as box:
            box.border_title = tr("U盘传递", "USB courier")
            yield Static(self._counts(), id="courier-counts", markup=False)
            yield Static(tr("文件夹或文件：", "Folder or file:"), classes="courier-label")
            yield Input(str(self._folder or self._default_folder()), id="courier-path")
            yield Static(self._result or self._hint(), id="courier-result", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#courier-path", Input).focus()

    async def recompose(self) -> None:
        self._folder = Path(self.query_one("#courier-path", Input).value)
        await super().recompose()  # rebuilt in the other language (F2)
        self.on_mount()

    def _default_folder(self) -> Path:
        try:
            return self.window.courier_folder()
        except OSError:
            return Path(".")

    def _counts(self) -> str:
        try:
            waiting, carried = self.window.courier_waiting(), self.window.on_courier()
        except WindowAppError as error:
            return str(error.words)
        return tr(
            "待发送 {w} 件，其中在途U盘 {c} 件。断网时导出到U盘带到县中心，回执带回后从U盘导入。",
            "{ws} for the exchange, {c} of them on a courier. While the line is down, export them "
            "to a stick for the county centre; import the answer it brings back.",
            w=waiting,
            ws=counted(waiting, "part waits", "parts wait"),
            c=carried,
        )

    def _hint(self) -> str:
        return tr("F7 导出到U盘 · F8 从U盘导入回执", "F7 export to USB · F8 import the answer from USB")

    def _show(self, text: str) -> None:
        self._result = text
        self.query_one("#courier-result", Static).update(text)
        self.query_one("#courier-counts", Static).update(self._counts())
        refresh = getattr(self.app, "refresh_sync_counts", None)
        if refresh is not None:
            refresh()

    def _path(self) -> Path:
        return Path(self.query_one("#courier-path", Input).value.strip() or ".").expanduser()

    def action_export(self) -> None:
        """F7: write the courier file into the folder (or as the file named)."""
        try:
            result = self.window.courier_export(self._path())
        except WindowAppError as error:
            self._show(str(error.words))
            return
        self._show(
            tr(
                "已导出第 {n} 号U盘文件：{e} 件 → {p}。这些件仍在待发送队列中，线路恢复后照常发送，不会重复办理。",
                "Exported courier file {n}: {es} → {p}. They stay queued and still go over the line if it "
                "comes back; nothing is handled twice.",
                n=result.sequence,
                e=result.envelopes,
                es=counted(result.envelopes, "part"),
                p=result.path,
            )
        )

    def action_import_answer(self) -> None:
        """F8: apply the answer file named, or the newest answer in the folder."""
        path = self._path()
        if path.is_dir():
            found = self.window.courier_newest_answer(path)
            if found is None:
                self._show(tr("{p} 中没有回执文件。", "No answer file in {p}.", p=path))
                return
            path = found
        try:
            result = self.window.courier_import(path)
        except WindowAppError as error:
            self._show(str(error.words))
            return
        self._show(str(result.words()))

    def action_close(self) -> None:
        self.dismiss(None)
