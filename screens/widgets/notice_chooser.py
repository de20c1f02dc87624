"""A small box offering the notices an application has, to print one.

Only the notices that exist for the application are listed (a 补正告知书 once a department
asked for a supplement, a 不予受理告知书 once one refused …); the one the clerk most likely
wants is highlighted. Enter, a click or the option's number prints it; Esc closes the box.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.words import Words, tr
from window_app.notices.model import NOTICE_KINDS


class NoticeChooser(WindowScreen["str | None"], ModalScreen["str | None"]):
    """Choose one of an application's notices; dismissed with its kind, or ``None`` (Esc).

    The caller builds the chosen notice then, in the language of that moment (F2 may be
    pressed over the box).

    Args:
        title: The box's border title.
        subject: What the notices are about, over the question (the application's number).
        kinds: The kinds of notice there are (:data:`~window_app.notices.model.NOTICE_KINDS`), in order.
        highlighted: The index of the one highlighted first.
    """

    CSS_PATH = "notice_chooser.tcss"
    AUTO_FOCUS = "#notice-options"

    BINDINGS = [
        # A priority binding: over the list's own Enter (hidden), so that the footer shows it.
        WordsBinding("enter", "choose", words=Words("打印", "Print"), priority=True),
        WordsBinding("escape", "close", words=Words("取消", "Cancel")),
        *(WordsBinding(str(number), f"choose({number - 1})", show=False) for number in range(1, 10)),
    ]

    SHOW_APP_KEYS = True  # F2, F5 … work over the box: the footer says so

    def __init__(self, title: str, kinds: Sequence[str], *, subject: str = "", highlighted: int = 0) -> None:
        super().__init__()
        self._title = title
        self._subject = subject
        self.kinds = list(kinds)
        self._highlighted = highlighted

    def compose(self) -> ComposeResult:
        with Vertical(id="notice-box") as box:
            box.border_title = self._title
            if self._subject:
                yield Static(self._subject, id="notice-subject", markup=False)
            yield Static(tr("打印哪份告知书？", "Which notice to print?"), id="notice-question", markup=False)
            yield OptionList(
                *(Option(f"{number}  {NOTICE_KINDS[kind]}", id=kind) for number, kind in enumerate(self.kinds, start=1)),
                id="notice-options",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        options = self.query_one("#notice-options", OptionList)
        options.highlighted = min(self._highlighted, len(self.kinds) - 1) if self.kinds else None

    async def recompose(self) -> None:
        highlighted = self.query_one("#notice-options", OptionList).highlighted
        await super().recompose()  # rebuilt in the other language (F2)
        self._highlighted = highlighted or 0
        self.on_mount()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose(event.option_index)

    def action_choose(self, index: int | None = None) -> None:
        """Print the notice at ``index`` (default: the highlighted one)."""
        if index is None:
            index = self.query_one("#notice-options", OptionList).highlighted
        if index is None or not 0 <= index < len(self.kinds):
            self.app.bell()
            return
        self.dismiss(self.kinds[index])

    def action_close(self) -> None:
        self.dismiss(None)
