"""F12 anywhere: the statistics (统计) of today, this week or this month.

A supervisor's covers every clerk; anyone else's their own applications only (the services
decide: :meth:`window_app.window.Window.report`). One table at a time (bundles, departments,
items, clerks: F6 switches), fitted to the width; the highlighted row whole under it; the
period switched with 1 / 2 / 3. The numbers and their definitions: :mod:`window_app.reporting`
and docs/supervision.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.widgets.table_fit import FitColumn, Form, fill_table, fit_columns, fit_height, table_width
from screens.widgets.window_header import WindowHeader
from screens.window_screen import WindowScreen
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words, tr

if TYPE_CHECKING:
    from window_app.reporting.numbers import Report, ReportRow

SECTIONS = ("bundle", "department", "item", "clerk")
COLUMN_TITLES = {
    "bundle": Words("套餐", "Bundle"),
    "department": Words("部门", "Department"),
    "item": Words("事项", "Item"),
    "clerk": Words("工号", "Clerk"),
}
SECTION_TITLES = {
    "bundle": Words("按套餐", "By bundle"),
    "department": Words("按部门", "By department"),
    "item": Words("按事项", "By item"),
    "clerk": Words("按工作人员", "By clerk"),
}


def number(value: float | int | None) -> str:
    """A report number as shown: "—" for none (not applicable, or not connected)."""
    return "—" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def rating_text(row: ReportRow) -> str:
    if row.ratings is None:
        return "—"
    return f"{row.ratings}·{row.rating_avg:g}" if row.rating_avg is not None else str(row.ratings)


class ReportScreen(WindowScreen[None]):
    """The statistics over whatever screen was open (Esc goes back to it)."""

    CSS_PATH = "report.tcss"

    BINDINGS = [
        WordsBinding("escape", "close", words=Words("返回", "Back")),
        WordsBinding("1", "period('today')", words=Words("今日", "Today")),
        WordsBinding("2", "period('week')", words=Words("本周", "Week")),
        WordsBinding("3", "period('month')", words=Words("本月", "Month")),
        WordsBinding("f6", "next_section", words=Words("切换分组", "Next table")),
    ]

    def __init__(self, period: str = "today") -> None:
        super().__init__()
        self.period = period
        self.section = "bundle"
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield WindowHeader()
        yield Static("", id="report-title", markup=False)
        yield Static("", id="report-totals", markup=False)
        yield DataTable(id="report-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="report-row", markup=False)
        yield Static("", id="report-sources", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.reload()

    async def recompose(self) -> None:
        # The app recomposes a screen when the language changes: the same period and table.
        await super().recompose()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if self.is_mounted and self.report is not None:
            self.call_after_refresh(self._fill)

    # -- data -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Make the report of the period again (the services read it; a refusal is told here)."""
        try:
            self.report = self.window.report(self.period)
        except WindowAppError as error:
            self.report = None
            self.query_one("#report-title", Static).update(str(error))
            return
        self._show_totals()
        self._fill()

    def _show_totals(self) -> None:
        report = self.report
        assert report is not None
        whose = tr("全部工作人员", "every clerk") if not report.clerk_id else tr("本人（{c}）", "own ({c})", c=report.clerk_id)
        self.query_one("#report-title", Static).update(
            tr("统计 · {p} · {w} · {s}", "Statistics · {p} · {w} · {s}", p=str(report.period.words), w=whose, s=str(SECTION_TITLES[self.section]))
        )
        total = report.total
        self.query_one("#report-totals", Static).update(
            tr(
                "受理 {a} · 办结 {c} · 窗口办结 {w} · 平均 {avg} / P90 {p90} 个工作日\n"
                "材料少交 {m} 份（{ms}→{mm}） · 表单少填 {f} 项（{fs}→{fm}） · 超期 {o} · 评价 {r}",
                "{a} accepted · {c} concluded · {w} at the window · avg {avg} / p90 {p90} working days\n"
                "Materials saved {m} ({ms}→{mm}) · fields saved {f} ({fs}→{fm}) · overdue {o} · ratings {r}",
                a=total.applications,
                c=total.concluded,
                w=total.at_window,
                avg=number(total.avg_working_days),
                p90=number(total.p90_working_days),
                m=number(total.materials_saved),
                ms=number(total.materials_separate),
                mm=number(total.materials_merged),
                f=number(total.fields_saved),
                fs=number(total.fields_separate),
                fm=number(total.fields_merged),
                o=number(total.overdue_parts),
                r=rating_text(total),
            )
        )
        unconnected = [str(words) for words in report.sources.values() if "未接入" in words.zh]
        self.query_one("#report-sources", Static).update(
            tr("“—”：{w}", "“—”: {w}", w=tr("；", "; ").join(unconnected)) if unconnected else ""
        )

    # -- the table --------------------------------------------------------------------------

    def _rows(self) -> list[ReportRow]:
        return self.report.section(self.section) if self.report is not None else []

    def _columns(self, rows: list[ReportRow]) -> list[FitColumn]:
        names = [str(row.name) for row in rows]
        savings = self.section in ("bundle", "clerk")
        columns = [
            FitColumn("name", [Form(str(COLUMN_TITLES[self.section]), names)], min_width=8),
            FitColumn("count", [Form(tr("件数", "Count"), [str(row.applications) for row in rows])]),
            FitColumn("done", [Form(tr("办结", "Done"), [str(row.concluded) for row in rows])]),
            FitColumn("window", [Form(tr("窗口办结", "At window"), [str(row.at_window) for row in rows]), Form(tr("窗口", "Win"), [str(row.at_window) for row in rows])], optional=True),
            FitColumn("avg", [Form(tr("平均工作日", "Avg days"), [number(row.avg_working_days) for row in rows]), Form(tr("平均", "Avg"), [number(row.avg_working_days) for row in rows])]),
            FitColumn("p90", [Form("P90", [number(row.p90_working_days) for row in rows])], optional=True),
        ]
        if savings:
            columns.append(FitColumn("saved", [Form(tr("少交材料", "Mat. saved"), [number(row.materials_saved) for row in rows]), Form(tr("少交", "Saved"), [number(row.materials_saved) for row in rows])], optional=True))
            columns.append(FitColumn("fields", [Form(tr("少填字段", "Fields saved"), [number(row.fields_saved) for row in rows]), Form(tr("少填", "Fields"), [number(row.fields_saved) for row in rows])], optional=True))
        columns.append(FitColumn("overdue", [Form(tr("超期", "Overdue"), [number(row.overdue_parts) for row in rows])], optional=True))
        columns.append(FitColumn("ratings", [Form(tr("评价", "Ratings"), [rating_text(row) for row in rows])], optional=True))
        return columns

    def _fill(self) -> None:
        table = self.query_one("#report-table", DataTable)
        rows = self._rows()
        columns = self._columns(rows)
        give_up = ["ratings", "overdue", "window", "saved", "fields", "avg", "name:cut", "p90", "window", "saved", "fields"]
        shown = fit_columns(columns, table_width(table, fallback=self.app.size.width - 2), give_up)
        fill_table(table, shown, [f"{index}" for index in range(len(rows))])
        self._show_row()
        self.call_after_refresh(fit_height, table, self)

    def _show_row(self) -> None:
        rows = self._rows()
        table = self.query_one("#report-table", DataTable)
        line = self.query_one("#report-row", Static)
        if not rows:
            line.update(tr("本期没有受理办件", "Nothing accepted in this period"))
            return
        row = rows[min(table.cursor_row, len(rows) - 1)] if table.row_count else rows[0]
        text = Text(str(row.name), style="bold")
        text.append(
            tr(
                "  {a} 件 · 办结 {c} · 窗口办结 {w} · 平均 {avg} / P90 {p90} 工作日 · 超期 {o} · 评价 {r}",
                "  {a} · {c} concluded · {w} at the window · avg {avg} / p90 {p90} days · overdue {o} · ratings {r}",
                a=row.applications,
                c=row.concluded,
                w=row.at_window,
                avg=number(row.avg_working_days),
                p90=number(row.p90_working_days),
                o=number(row.overdue_parts),
                r=rating_text(row),
            )
        )
        line.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_row()

    # -- keys -----------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_period(self, period: str) -> None:
        """1 / 2 / 3: today, this week, this month."""
        if period != self.period:
            self.period = period
            self.reload()

    def action_next_section(self) -> None:
        """F6: the next table (bundles → departments → items → clerks)."""
        self.section = SECTIONS[(SECTIONS.index(self.section) + 1) % len(SECTIONS)]
        if self.report is not None:
            self._show_totals()
            self._fill()
