"""差评整改 (Ctrl+R, supervisors): every rectification case a 差评 opened, overdue ones marked.

A row per case not closed (H shows the closed ones too), the earliest due first; the line under
the table shows the highlighted case whole (the applicant's reasons, who has it, the call-back,
the fix, its steps). A assigns it (工号 or contact, then the department), C records the call-back
(回访), X the fix (整改措施), K closes it once fixed (asked first). The services check
``Permission.RECTIFY`` anyway; each step is written with its audit event.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from screens.widgets.dialog import Dialog
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.widgets.table_fit import FitColumn, Form, fill_table, fit_columns, fit_height, table_width
from screens.window_screen import WindowScreen
from window_app.domain.errors import StorageError, WindowAppError
from window_app.domain.ratings import (
    CASE_STATE_WORDS,
    LEVEL_WORDS,
    RECTIFY_WORKING_DAYS,
    RectificationCase,
    reasons_words,
)
from window_app.domain.words import Words, tr

GIVE_UP = ("receipt", "reasons:cut", "level", "assignee")


class NoteDialog(WindowScreen[str | None], ModalScreen[str | None]):
    """One line to type (an assignee, a call-back, a fix): Enter keeps it, Esc cancels."""

    CSS_PATH = "rectification.tcss"

    BINDINGS = [WordsBinding("escape", "cancel", words=Words("取消", "Cancel"))]

    def __init__(self, title: str, prompt: str, value: str = "") -> None:
        super().__init__()
        self._title = title
        self._prompt = prompt
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical(id="note-box") as box:
            box.border_title = self._title
            yield Static(self._prompt, id="note-prompt", markup=False)
            yield Input(self._value, id="case-note")
        yield KeyFooter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RectificationScreen(WindowScreen[None]):
    """The supervisor's list of 差评 rectification cases."""

    CSS_PATH = "rectification.tcss"
    AUTO_FOCUS = "#cases-table"

    BINDINGS = [
        WordsBinding("a", "assign", words=Words("分派", "Assign")),
        WordsBinding("c", "callback", words=Words("回访", "Call-back")),
        WordsBinding("x", "fix", words=Words("整改", "Fix")),
        WordsBinding("k", "close_case", words=Words("办结", "Close")),
        WordsBinding("h", "toggle_closed", words=Words("含已办结", "Closed too")),
        WordsBinding("escape", "back", words=Words("返回", "Back")),
    ]
    FOOTER_ORDER = ("assign", "callback", "fix", "close_case", "toggle_closed", "back")

    def __init__(self) -> None:
        super().__init__()
        self.include_closed = False
        self.cases: list[RectificationCase] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="cases-body") as body:
            body.border_title = tr("差评整改", "Rectification of poor ratings")
            yield Static("", id="cases-summary", markup=False)
            table: DataTable = DataTable(id="cases-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static("", id="case-detail", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()

    async def recompose(self) -> None:
        await super().recompose()  # rebuilt in the other language (F2)
        self.reload()

    def on_resize(self) -> None:
        self._fill()

    def reload(self) -> None:
        """Read the cases again (after a step, on mount)."""
        try:
            self.cases = self.window.rectification_cases(include_closed=self.include_closed)
            overdue = self.window.overdue_cases()
        except StorageError as error:
            self.window_app.report_storage_error(error)
            return
        open_cases = sum(1 for case in self.cases if not case.is_closed)
        self.query_one("#cases-summary", Static).update(
            tr(
                "未办结 {n} 件，逾期 {m} 件。差评须在 {d} 个工作日内整改办结。",
                "{n} open, {m} overdue. A poor rating is rectified within {d} working days.",
                n=open_cases,
                m=overdue,
                d=RECTIFY_WORKING_DAYS,
            )
        )
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#cases-table", DataTable)
        today = self.window.today()
        due = [("! " if case.overdue_on(today) else "  ") + case.due_on for case in self.cases]
        columns = [
            FitColumn("due", [Form(tr("到期", "Due"), due)]),
            FitColumn("state", [Form(tr("状态", "State"), [str(CASE_STATE_WORDS[c.state]) for c in self.cases])]),
            FitColumn(
                "receipt",
                [
                    Form(tr("受理编号", "Receipt"), [c.receipt_no for c in self.cases]),
                    Form(tr("编号尾号", "Receipt"), [c.receipt_no[-9:] for c in self.cases]),
                ],
            ),
            FitColumn("level", [Form(tr("评价", "Rating"), [str(LEVEL_WORDS[c.level]) for c in self.cases])], optional=True),
            FitColumn("assignee", [Form(tr("责任人", "Assignee"), [c.assignee or "—" for c in self.cases])], optional=True),
            FitColumn(
                "reasons", [Form(tr("理由", "Reasons"), [str(reasons_words(c.reasons)) or "—" for c in self.cases])],
                min_width=8,
            ),
        ]
        shown = fit_columns(columns, table_width(table, fallback=max(self.size.width - 4, 40)), GIVE_UP)
        fill_table(table, shown, [c.case_id for c in self.cases])
        self._show_detail()
        fit_height(table, self.query_one("#cases-body"))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _current(self) -> RectificationCase | None:
        table = self.query_one("#cases-table", DataTable)
        if not self.cases or not table.row_count:
            return None
        return self.cases[min(table.cursor_row, len(self.cases) - 1)]

    def _show_detail(self) -> None:
        case = self._current()
        detail = self.query_one("#case-detail", Static)
        if case is None:
            detail.update(tr("没有待整改的差评。", "No poor rating waits for rectification."))
            return
        lines = [
            tr("{no}：{level}；理由：{reasons}", "{no}: {level}; reasons: {reasons}", no=case.receipt_no,
               level=LEVEL_WORDS[case.level], reasons=reasons_words(case.reasons) or "—"),
            tr("{state}，{due} 前办结；责任人：{who}", "{state}, due {due}; assignee: {who}", state=CASE_STATE_WORDS[case.state],
               due=case.due_on, who=" ".join(filter(None, (case.assignee, case.assignee_department))) or "—"),
        ]
        if case.callback:
            lines.append(tr("回访：{t}", "Call-back: {t}", t=case.callback))
        if case.fix:
            lines.append(tr("整改：{t}", "Fix: {t}", t=case.fix))
        detail.update(Text("\n".join(lines)))

    # -- the steps --------------------------------------------------------------------------

    def _ask(self, title: Words, prompt: Words, then: Callable[[RectificationCase, str], object]) -> None:
        case = self._current()
        if case is None:
            self.app.bell()
            return

        def answered(value: str | None) -> None:
            if value is not None:
                self._do(lambda: then(case, value))

        self.app.push_screen(NoteDialog(str(title), str(prompt)), answered)

    def _do(self, step: Callable[[], object]) -> None:
        try:
            step()
        except StorageError as error:
            self.window_app.report_storage_error(error)
            return
        except WindowAppError as error:
            self.notify(str(error), severity="error", markup=False)
        self.reload()

    def action_assign(self) -> None:
        def assign(case: RectificationCase, value: str) -> object:
            who, _, department = value.strip().partition(" ")
            return self.window.assign_case(case.case_id, who, department)

        self._ask(
            Words("分派整改", "Assign"),
            Words("责任人（工号或联系人），空格后可写部门：", "Assignee (a clerk's id or a contact), then a space and the department if any:"),
            assign,
        )

    def action_callback(self) -> None:
        self._ask(
            Words("回访", "Call-back"),
            Words("回访申请人的情况：", "What the applicant said when called back:"),
            lambda case, value: self.window.record_case_callback(case.case_id, value),
        )

    def action_fix(self) -> None:
        self._ask(
            Words("整改措施", "Fix"),
            Words("采取的整改措施：", "What was done about it:"),
            lambda case, value: self.window.record_case_fix(case.case_id, value),
        )

    def action_close_case(self) -> None:
        case = self._current()
        if case is None:
            self.app.bell()
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._do(lambda: self.window.close_case(case.case_id))

        self.app.push_screen(
            Dialog(
                tr("办结整改", "Close the case"),
                tr("办结 {no} 的整改单？办结后不能再修改。", "Close the case of {no}? It cannot be changed afterwards.", no=case.receipt_no),
                confirm=True,
            ),
            confirmed,
        )

    def action_toggle_closed(self) -> None:
        self.include_closed = not self.include_closed
        self.reload()

    def action_back(self) -> None:
        self.dismiss(None)
