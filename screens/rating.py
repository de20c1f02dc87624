"""The rating step (好差评): the screen is turned to the applicant, after the receipt and again when
the results of a concluded application are handed over (the rating at conclusion).

Five big choices (5 非常满意 … 1 非常不满意), by mouse, touch or the number keys 1–5; the reasons
of the national list that go with the chosen level, to tick (optional); Enter or the button
records the rating, Esc skips. The rating is the applicant's own action at this window
(:meth:`window_app.window.Window.rate_at_window`): once per occasion, never changed, no clerk
path to it. ``[rating] at_window = false`` (a separate rating pad) never opens it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.widgets.choices import TickBox
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.window_screen import WindowScreen
from window_app.domain.errors import StorageError, WindowAppError
from window_app.domain.ratings import CONCLUSION, LEVEL_WORDS, LEVELS, RECEIPT, is_bad, reasons_for
from window_app.domain.words import Words, language, tr

STARS = {level: "★" * level + "☆" * (5 - level) for level in LEVELS}


def level_label(level: int) -> str:
    """A choice's text: the key and stars, then the words (English on two lines, to fit)."""
    words = str(LEVEL_WORDS[level])
    if language() == "en" and " " in words:
        words = words.replace(" ", "\n", 1)
    else:
        words = "\n" + words if language() == "en" else words + "\n"
    return f"{level}  {STARS[level]}\n{words}"


class RatingScreen(WindowScreen[int | None], ModalScreen[int | None]):
    """The applicant rates the service; dismisses with the level recorded, or ``None`` (skipped).

    Args:
        receipt_no: The application whose rating step is open (just accepted, or its results
            just handed over: the only one its applicant may rate here).
        occasion: ``receipt`` (after the receipt) or ``conclusion`` (the results handed over).
    """

    CSS_PATH = "rating.tcss"
    TURNED_TO_APPLICANT = True  # the app's keys other than F2 and F1 are refused here (WindowApp.check_action)

    BINDINGS = [
        WordsBinding("1", "choose(1)", words=Words("非常不满意", "Very dissatisfied"), show=False),
        WordsBinding("2", "choose(2)", words=Words("不满意", "Dissatisfied"), show=False),
        WordsBinding("3", "choose(3)", words=Words("基本满意", "Fairly satisfied"), show=False),
        WordsBinding("4", "choose(4)", words=Words("满意", "Satisfied"), show=False),
        WordsBinding("5", "choose(5)", words=Words("非常满意", "Very satisfied"), show=False),
        WordsBinding("f10", "submit", words=Words("提交评价", "Submit")),
        WordsBinding("escape", "skip", words=Words("跳过", "Skip")),
    ]

    def __init__(self, receipt_no: str, occasion: str = RECEIPT) -> None:
        super().__init__()
        self.receipt_no = receipt_no
        self.occasion = occasion
        self.level: int | None = None
        self.ticked: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="rating-box") as box:
            box.border_title = tr("请您评价本次服务", "Please rate our service")
            yield Static(
                self._intro(),
                id="rating-intro",
                markup=False,
            )
            with Horizontal(id="rating-levels"):
                for level in LEVELS:
                    yield Button(
                        level_label(level),
                        id=f"level-{level}",
                        classes=" ".join(["level", "-bad" if is_bad(level) else "-good", "-chosen" if level == self.level else ""]),
                    )
            yield Static(self._reasons_title(), id="rating-reasons-title", markup=False)
            with Grid(id="rating-reasons"):
                for reason in reasons_for(self.level) if self.level else ():
                    yield TickBox(str(reason.words), reason.code in self.ticked, id=f"reason-{reason.code}")
            with Horizontal(id="rating-actions"):
                yield Button(tr("提交评价 F10", "Submit F10"), id="rating-submit", variant="primary", disabled=self.level is None)
                yield Button(tr("跳过 Esc", "Skip Esc"), id="rating-skip")
        yield KeyFooter()

    def _intro(self) -> str:
        if self.occasion == CONCLUSION:
            return tr(
                "受理编号 {no}，已办结。请评价办理全过程：按 1–5 或点选；可勾选理由（可不选）。",
                "Receipt {no}, concluded. Rate the whole service: press 1–5 or tap a choice; tick reasons if you like.",
                no=self.receipt_no,
            )
        return tr(
            "受理编号 {no}。按 1–5 或点选；可勾选理由（可不选）。",
            "Receipt {no}. Press 1–5 or tap a choice; tick reasons if you like.",
            no=self.receipt_no,
        )

    def _reasons_title(self) -> str:
        if self.level is None:
            return tr("请先选择满意程度", "Choose how satisfied you are first")
        return tr("您选择了“{level}”。理由（可多选，可不选）：", "You chose “{level}”. Reasons (any, or none):", level=LEVEL_WORDS[self.level])

    def on_mount(self) -> None:
        self.query_one(f"#level-{self.level or 5}", Button).focus()

    async def recompose(self) -> None:
        await super().recompose()  # rebuilt in the other language (F2), the choice kept
        self.on_mount()

    async def action_choose(self, level: int) -> None:
        """Choose a level; the reasons offered follow it (ticks of the other side are dropped)."""
        if self.level is not None and is_bad(level) != is_bad(self.level):
            self.ticked.clear()
        self.level = level
        await self.recompose()
        self.query_one(f"#level-{level}", Button).focus()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button.startswith("level-"):
            await self.action_choose(int(button.removeprefix("level-")))
        elif button == "rating-submit":
            self.action_submit()
        elif button == "rating-skip":
            self.action_skip()

    def on_checkbox_changed(self, event: TickBox.Changed) -> None:
        code = (event.checkbox.id or "").removeprefix("reason-")
        if event.value:
            self.ticked.add(code)
        else:
            self.ticked.discard(code)

    def action_submit(self) -> None:
        if self.level is None:
            self.app.bell()
            return
        chosen = tuple(reason.code for reason in reasons_for(self.level) if reason.code in self.ticked)
        try:
            self.window.rate_at_window(self.receipt_no, self.level, chosen)
        except StorageError as error:
            self.window_app.report_storage_error(error)
            return
        except WindowAppError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss(None)
            return
        self.notify(tr("感谢您的评价！", "Thank you for your rating!"), markup=False)
        self.dismiss(self.level)

    def action_skip(self) -> None:
        self.window.skip_rating(self.receipt_no)
        self.dismiss(None)
