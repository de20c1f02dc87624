"""One accepted application: what it is, where each department's part stands, what happened."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from offline_cache.db import StorageError
from screens.widgets.localized import localize_bindings
from screens.widgets.offering_preview import department_name
from screens.widgets.part_state import application_state_label, part_label, part_mark
from screens.widgets.window_header import WindowHeader
from window_app.i18n import language, pick, tr

if TYPE_CHECKING:
    from window_app.applications import ApplicationDetail
    from window_app.window import Window

AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "accepted": ("受理", "accepted"),
}
"""Audit action → words (Chinese, English); actions not listed are shown by their code."""


def short_time(stamp: str | None) -> str:
    """``2026-11-27 09:30`` from an ISO timestamp (the text itself when it is not one)."""
    if not stamp:
        return ""
    try:
        return dt.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


class ApplicationDetailScreen(Screen):
    """The application's summary, its department parts by stage, and its audit trail.

    Args:
        receipt_no: The application's receipt number.
    """

    CSS_PATH = "application_detail.tcss"
    AUTO_FOCUS = "#detail-parts"

    BINDINGS = [
        Binding("escape", "close", "返回|Back"),
        Binding("r", "receipt", "回执|Receipt"),
    ]

    def __init__(self, receipt_no: str) -> None:
        super().__init__()
        self.receipt_no = receipt_no
        localize_bindings(self)

    @property
    def window(self) -> Window:
        return self.app.window  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield WindowHeader()
        with VerticalScroll(id="detail-body"):
            yield Static(tr("办件 {no}", "Application {no}", no=self.receipt_no), id="detail-title", markup=False)
            yield Static("", id="detail-summary", markup=False)
            yield Static(tr("各部门办理情况", "Department parts"), classes="detail-heading")
            yield DataTable(id="detail-parts", cursor_type="row", zebra_stripes=True)
            yield Static(tr("操作记录", "Audit trail"), classes="detail-heading")
            yield DataTable(id="detail-audit", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    async def recompose(self) -> None:
        await super().recompose()
        self.show()
        self.query_one("#detail-parts").focus()

    def show(self) -> None:
        """Read the application and show it (words instead when it cannot be read)."""
        summary_label = self.query_one("#detail-summary", Static)
        try:
            detail = self.window.application(self.receipt_no)
        except KeyError:
            summary_label.update(tr("没有受理编号为 {no} 的办件", "No application has receipt number {no}", no=self.receipt_no))
            return
        except StorageError as error:
            summary_label.update(tr(error.message, getattr(error, "message_en", "") or error.message))
            return
        summary_label.update(self._summary(detail))
        self._fill_parts(detail)
        self._fill_audit(detail)

    def _summary(self, detail: ApplicationDetail) -> str:
        summary = detail.summary
        catalog = self.window.catalog
        offering = summary.offering_name_en if language() == "en" and summary.offering_name_en else summary.offering_name
        lines = [
            tr("事项：{v}", "Applying for: {v}", v=offering),
            tr("申请人：{n}（{i}）", "Applicant: {n} ({i})", n=summary.applicant_name, i=summary.applicant_number),
            tr("状态：{v}", "State: {v}", v=application_state_label(summary.state)),
            tr("受理时间：{v}", "Accepted: {v}", v=short_time(summary.accepted_at)),
        ]
        if detail.promised_by:
            lines.append(
                tr(
                    "承诺办结：{d} 个工作日，{by} 前",
                    "Promised: {d} working days, by {by}",
                    d=detail.promised_days,
                    by=detail.promised_by,
                )
            )
        if detail.lead_department:
            lines.append(tr("牵头部门：{v}", "Lead department: {v}", v=department_name(catalog, detail.lead_department)))
        lines.append(
            tr(
                "受理人：{c} · 窗口 {w} · 目录版本 {v}",
                "Clerk: {c} · window {w} · catalog {v}",
                c=detail.clerk,
                w=detail.window_id,
                v=detail.catalog_version,
            )
        )
        if detail.conclusion:
            lines.append(tr("结论：{v}", "Conclusion: {v}", v=detail.conclusion))
        return "\n".join(lines)

    def _fill_parts(self, detail: ApplicationDetail) -> None:
        catalog = self.window.catalog
        table = self.query_one("#detail-parts", DataTable)
        table.clear(columns=True)
        table.add_column(tr("阶段", "Stage"), key="stage")
        table.add_column(tr("部门", "Department"), key="department")
        table.add_column(tr("事项", "Items"), key="items")
        table.add_column(tr("状态", "State"), key="state")
        table.add_column(tr("更新时间", "Updated"), key="updated")
        for part in detail.summary.parts:
            items = "、".join(pick(catalog.items[item]) if item in catalog.items else item for item in part.items)
            table.add_row(
                str(part.stage),
                department_name(catalog, part.department),
                items,
                f"{part_mark(part.state)} {part_label(part.state)}",
                short_time(part.updated_at),
            )

    def _fill_audit(self, detail: ApplicationDetail) -> None:
        table = self.query_one("#detail-audit", DataTable)
        table.clear(columns=True)
        table.add_column("#", key="seq")
        table.add_column(tr("时间", "Time"), key="at")
        table.add_column(tr("操作人", "By"), key="actor")
        table.add_column(tr("操作", "Action"), key="action")
        for event in detail.audit:
            words = AUDIT_ACTIONS.get(event.action)
            table.add_row(
                str(event.seq),
                short_time(event.at),
                event.actor,
                tr(*words) if words else event.action,
            )

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_receipt(self) -> None:
        """Show the application's receipt (to read out, save, print)."""
        from screens.receipt import ReceiptScreen

        self.app.push_screen(ReceiptScreen(self.receipt_no))
