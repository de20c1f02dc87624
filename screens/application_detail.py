"""One accepted application: what it is, where each department's part stands, what happened.

Each department's part shows its state and its times — delivered to the exchange, received by
the department, decided — with how long each step took; under the table, the highlighted
part in full: each item's decision with its result (the licence number …) or reason, who
decided, a supplement request's material, a quarantined envelope's reason. Once concluded, the
lead department's conclusion (一张结论) in full. The screen follows the sync worker: a round
that changed anything is shown at once. F7 opens the materials a department asked for (补正);
F9, offered when an envelope was refused by the exchange, sends it again once the cause is
fixed (:mod:`screens.quarantine`). P offers the notices the application has (受理回执, 补正告知书,
补正材料收取凭证, 不予受理告知书, 材料移交单), the highlighted part's first, and prints the chosen one
(:mod:`screens.notice_printing`). For a joint site survey (联合踏勘) the appointment and each
department's answer are shown; T proposes the slot (or another one), C confirms one slot to
all (:mod:`screens.widgets.survey_slot`). C, once the application is concluded, hands the
results to the applicant (recorded once) and turns the screen to them for the rating at
conclusion (:class:`screens.rating.RatingScreen`, unless ``[rating] at_window = false`` or it
was rated at conclusion already, e.g. from the tracking page). The two C's are never offered
together: the survey's T and C end with the conclusion.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from screens.notice_printing import print_notice
from screens.quarantine import ask_requeue, has_quarantined
from screens.rating import RatingScreen
from screens.receipt import ReceiptScreen
from screens.supplement import SupplementScreen
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.widgets.notice_chooser import NoticeChooser
from screens.widgets.offering_preview import department_name
from screens.widgets.part_state import application_state_label, part_words
from screens.widgets.survey_slot import SurveySlotDialog
from screens.widgets.table_fit import FitColumn, Form, cut, fill_table, fit_columns, table_width
from screens.widgets.window_header import WindowHeader
from screens.window_screen import WindowScreen
from window_app.domain.clerks import Permission
from window_app.domain.clocks import WARNING_WORDS
from window_app.domain.errors import StorageError, WindowAppError
from window_app.domain.states import duration_words, part_took
from window_app.domain.survey import AGREED, ANSWER_WORDS, STATE_WORDS, Appointment, needs_clerk, survey_state
from window_app.domain.times import shown
from window_app.domain.words import Words, counted, tr
from window_app.notices.model import NoticeUnavailable

if TYPE_CHECKING:
    from window_app.domain.applications import ApplicationDetail, DepartmentPart
    from window_app.domain.progress import ItemDecision

AUDIT_ACTIONS: dict[str, Words] = {
    "accepted": Words("受理", "accepted"),
    "delivered": Words("送达交换平台", "delivered to the exchange"),
    "verified_online": Words("移交数据共享核验", "handed over for data-sharing checks"),
    "quarantined": Words("被交换平台退回", "returned by the exchange"),
    "department_received": Words("部门接收", "received by the department"),
    "item_approved": Words("部门同意", "approved by the department"),
    "handover_acknowledged": Words("部门签收移交材料", "handover acknowledged by the department"),
    "item_rejected": Words("部门不予许可", "refused by the department"),
    "supplement_requested": Words("部门要求补正", "supplement requested"),
    "supplement_queued": Words("记录补正材料", "supplement recorded"),
    "supplement_delivered": Words("补正送达", "supplement delivered"),
    "part_released": Words("前置结果已到，发出后续部分", "prerequisite met: next part released"),
    "part_cancelled": Words("前置未获准予，部分取消", "prerequisite refused: part cancelled"),
    "state_changed": Words("状态变更", "state changed"),
    "concluded": Words("办结", "concluded"),
    "event_ignored": Words("忽略无法对应的意见", "an event that matched nothing was ignored"),
    "results_collected": Words("申请人领取结果", "results handed to the applicant"),
    "rated": Words("申请人评价", "rated by the applicant"),
}
"""Audit action → words; actions not listed are shown by their code."""

APPLICATION_NOTICES = ("receipt", "supplement", "supplement-received", "refusal", "handover")
"""The notices an accepted application may have, in the order P offers them."""

NOTICE_OF_PART: dict[str, str] = {
    "supplement_needed": "supplement",
    "supplement_queued": "supplement-received",
    "supplement_sent": "supplement-received",
    "rejected": "refusal",
    "awaiting_acknowledgement": "handover",
    "handed_over": "handover",
}
"""A part's shown state → the notice P highlights first when that part is highlighted."""

DECISION_WORDS: dict[str, Words] = {
    "approved": Words("同意", "approved"),
    "rejected": Words("不予许可", "refused"),
    "supplement_needed": Words("需补正", "supplement needed"),
}


ITEMS_WIDTH = 24
"""Cells of the parts table's items column at most: the times stay in view; the highlighted
part's items are listed in full under the table."""

ITEMS_MIN_WIDTH = 8
"""Cells the items column keeps on the narrowest terminals."""

PARTS_GIVE_UP = ("sent", "received", "items:cut", "decided")
"""What a narrow parts table gives up first (:func:`fit_columns`): the delivery and receipt
times, the items' names (cut), the decision's time; the department, its state and the time it
took stay (the lines under the table have every time)."""

AUDIT_GIVE_UP = ("at", "actor:cut", "action:cut")
"""A narrow audit trail: the time without the year, then the clerk's and the action's words cut."""

TALL = 30
"""Rows from which the summary has a line per fact (below, ``-short``: the facts run on)."""


def short_time(stamp: str | None, zone: dt.tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``2026-11-27 09:30`` in the window's zone from a stored moment (the text itself when it is not one)."""
    return shown(stamp, zone, fmt)


def part_time(stamp: str | None, zone: dt.tzinfo) -> str:
    """``11-27 09:32``: a part's moment, short enough for three in a row."""
    return short_time(stamp, zone, "%m-%d %H:%M")


class ApplicationDetailScreen(WindowScreen[None]):
    """The application's summary, its department parts by stage, and its audit trail.

    Args:
        receipt_no: The application's receipt number.
    """

    CSS_PATH = "application_detail.tcss"
    AUTO_FOCUS = "#detail-parts"

    BINDINGS = [
        WordsBinding("escape", "close", words=Words("返回", "Back")),
        WordsBinding("r", "receipt", words=Words("回执", "Receipt")),
        WordsBinding("p", "notices", words=Words("告知书", "Notices")),
        WordsBinding("f7", "supplement", words=Words("补正", "Supplement")),
        WordsBinding("f9", "requeue", words=Words("重新发送", "Resend")),
        WordsBinding("t", "propose_survey", words=Words("踏勘预约", "Survey slot")),
        WordsBinding("c", "confirm_survey", words=Words("确认踏勘", "Confirm survey")),
        WordsBinding("c", "hand_over", words=Words("领取结果", "Hand over")),
    ]

    def __init__(self, receipt_no: str) -> None:
        super().__init__()
        self.receipt_no = receipt_no
        self._detail: ApplicationDetail | None = None
        self._decisions: dict[str, ItemDecision] = {}
        self._suspended = False
        self._follow = False  # the highlighted part is scrolled into view once the screen is shown
        self._survey: Appointment | None = None
        self._is_survey = False

    def compose(self) -> ComposeResult:
        yield WindowHeader()
        with VerticalScroll(id="detail-body"):
            yield Static(tr("办件 {no}", "Application {no}", no=self.receipt_no), id="detail-title", markup=False)
            yield Static("", id="detail-summary", markup=False)
            yield Static(tr("各部门办理情况", "Department parts"), classes="detail-heading")
            yield DataTable(id="detail-parts", cursor_type="row", zebra_stripes=True)
            yield Static("", id="detail-part", markup=False)
            yield Static(tr("办理结论（一张结论）", "Conclusion"), id="detail-conclusion-heading", classes="detail-heading")
            yield Static("", id="detail-conclusion", markup=False)
            yield Static(tr("联合踏勘", "Joint site survey"), id="detail-survey-heading", classes="detail-heading")
            yield Static("", id="detail-survey", markup=False)
            yield Static(tr("操作记录", "Audit trail"), classes="detail-heading")
            yield DataTable(id="detail-audit", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._build_columns()
        self.show()
        self.call_after_refresh(self._opened)
        self.watch(self.app, "sync_generation", self._synced, init=False)

    def _synced(self, _generation: int) -> None:
        if self.is_current:
            self.show()

    def on_screen_suspend(self) -> None:
        self._suspended = True

    def on_screen_resume(self) -> None:
        if self._suspended:  # back from the supplement screen or the receipt: read again
            self._suspended = False
            self.show()

    async def recompose(self) -> None:
        await super().recompose()
        self._build_columns()
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
            summary_label.update(str(error))
            return
        try:
            self._decisions = dict(self.window.item_decisions(self.receipt_no))
        except StorageError:
            self._decisions = {}
        self._detail = detail
        # The clerk has the application before them: its refusals are no longer news.
        try:
            self.window.mark_seen(self.receipt_no)
        except StorageError as error:
            self.window_app.report_storage_error(error)
        tracker = getattr(self.app, "needing_action", None)
        if tracker is not None:
            tracker.refresh()
        summary_label.update(self._summary(detail))
        self._fill_parts(detail)
        self._fill_conclusion(detail)
        self._fill_survey()
        self._fill_audit(detail)
        self.refresh_bindings()

    def _summary(self, detail: ApplicationDetail) -> str:
        summary = detail.summary
        catalog = self.window.catalog
        offering = str(summary.offering_name)
        lines = [
            tr("事项：{v}", "Applying for: {v}", v=offering),
            tr("申请人：{n}（{i}）", "Applicant: {n} ({i})", n=summary.applicant_name, i=summary.applicant_number),
            tr("状态：{v}", "State: {v}", v=application_state_label(summary.state)),
            tr("受理时间：{v}", "Accepted: {v}", v=short_time(summary.accepted_at, self.window.zone)),
        ]
        if detail.promised_by:
            lines.append(
                tr(
                    "承诺办结：{d} 个工作日，{by} 前",
                    "Promised: {days}, by {by}",
                    d=detail.promised_days,
                    days=counted(detail.promised_days, "working day"),
                    by=detail.promised_by,
                )
            )
        if not self.has_class("-short"):  # a short terminal keeps the parts in view instead
            lines += self._clock_lines(summary.receipt_no, summary.state)
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
        if detail.concluded_at:
            lines.append(tr("办结时间：{v}", "Concluded: {v}", v=short_time(detail.concluded_at, self.window.zone)))
            collected = self._collected_at()
            if collected:
                lines.append(tr("领取结果：{v}", "Results handed over: {v}", v=short_time(collected, self.window.zone)))
        # A short terminal: the facts run on, so that the parts and the highlighted one stay in view.
        return (" · " if self.has_class("-short") else "\n").join(lines)

    def _fill_survey(self) -> None:
        """The survey appointment: its state, the slot, each department's answer (hidden when
        the application needs no survey)."""
        try:
            self._is_survey = self.window.needs_survey(self.receipt_no)
            self._survey = self.window.survey(self.receipt_no) if self._is_survey else None
        except WindowAppError:
            self._is_survey, self._survey = False, None
        self.query_one("#detail-survey-heading").display = self._is_survey
        label = self.query_one("#detail-survey", Static)
        label.display = self._is_survey
        label.update("\n".join(self.survey_lines()))

    def survey_lines(self) -> list[str]:
        """What the survey section says, in the interface language."""
        appointment = self._survey
        if appointment is None:
            return [tr("尚未预约；按 T 提出踏勘时间", "No appointment yet; press T to propose a slot")]
        zone = self.window.zone
        now = self.window.now()
        state = survey_state(appointment, now)
        lines = [
            tr("状态：{s}（第 {r} 版）", "State: {s} (revision {r})", s=STATE_WORDS[state], r=appointment.revision),
            tr("时间地点：{v}", "Slot: {v}", v=appointment.slot.shown(zone)),
        ]
        if appointment.confirmed:
            return lines
        answers = appointment.current_answers()
        for department in appointment.departments:
            name = department_name(self.window.catalog, department, short=True)
            answer = answers.get(department)
            if answer is None:
                lines.append(tr("  {d}：待答复", "  {d}: no answer yet", d=name))
                continue
            line = tr("  {d}：{a}", "  {d}: {a}", d=name, a=ANSWER_WORDS[answer.answer])
            if answer.slot is not None:
                line += f" → {answer.slot.shown(zone)}"
            if answer.note:
                line += tr("（{n}）", " ({n})", n=answer.note)
            lines.append(line)
        if needs_clerk(appointment, now):
            lines.append(tr("请按 C 确认一个时间，通知所有部门", "Press C to confirm one slot to every department"))
        return lines

    def _collected_at(self) -> str | None:
        try:
            return self.window.results_collected_at(self.receipt_no)
        except (KeyError, WindowAppError):
            return None

    def _clock_lines(self, receipt_no: str, state: str) -> list[str]:
        """While open: the statutory date its slowest stage comes to (window_app/domain/clocks.py), warned."""
        if state in ("concluded", "rejected"):
            return []
        try:
            clock = self.window.application_clock(receipt_no)
        except WindowAppError:
            return []
        if clock is None or clock.due_on is None:
            return []
        line = tr("法定时限：{d} 前", "Statutory: by {d}", d=clock.due_on.isoformat())
        if clock.warning:
            line += f" · {WARNING_WORDS[clock.warning]}"
        return [line]

    def _fill_parts(self, detail: ApplicationDetail) -> None:
        """The parts by stage, with as many columns as the width allows (the lines under the
        table have the highlighted part whole)."""
        catalog = self.window.catalog
        zone = self.window.zone
        table = self.query_one("#detail-parts", DataTable)
        parts = detail.summary.parts

        def column(key: str, label: str, cells: list[str], **options: object) -> FitColumn:
            return FitColumn(key, [Form(label, cells)], **options)  # type: ignore[arg-type]

        columns = [
            FitColumn(
                "stage",
                [Form(tr("阶段", "Stage"), [str(part.stage) for part in parts]), Form("#", [str(part.stage) for part in parts])],
            ),
            column("department", tr("部门", "Department"), [department_name(catalog, part.department, short=True) for part in parts]),
            column(
                "items",
                tr("事项", "Items"),
                [cut(self._item_names(part), ITEMS_WIDTH).plain for part in parts],
                min_width=ITEMS_MIN_WIDTH,
            ),
            column("state", tr("状态", "State"), [part_words(part) for part in parts]),
            column("sent", tr("送达", "Delivered"), [part_time(part.sent_at, zone) for part in parts], optional=True),
            column("received", tr("接收", "Received"), [part_time(part.received_at, zone) for part in parts], optional=True),
            column("decided", tr("决定", "Decided"), [part_time(part.decided_at, zone) for part in parts], optional=True),
            column("took", tr("用时", "Took"), [part_took(part) for part in parts]),
        ]
        width = table_width(table, fallback=self.app.size.width - 4)
        shown = fit_columns(columns, width, ("stage", *PARTS_GIVE_UP), padding=table.cell_padding)
        fill_table(table, shown, [str(index) for index in range(len(parts))])
        self._fill_part()

    def _build_columns(self) -> None:
        """The columns are chosen by the width at each fill (_fill_parts, _fill_audit)."""

    def _item_names(self, part: DepartmentPart) -> str:
        catalog = self.window.catalog
        return tr("、", ", ").join(str(catalog.items[item].name) if item in catalog.items else item for item in part.items)

    def _current_part(self) -> DepartmentPart | None:
        if self._detail is None:
            return None
        parts = self._detail.summary.parts
        row = self.query_one("#detail-parts", DataTable).cursor_row
        return parts[row] if 0 <= row < len(parts) else None

    def _fill_part(self) -> None:
        """The highlighted part in full: times, each item's decision, reasons."""
        label = self.query_one("#detail-part", Static)
        part = self._current_part()
        if part is None:
            label.update("")
            return
        label.update("\n".join(self.part_lines(part)))

    def part_lines(self, part: DepartmentPart) -> list[str]:
        catalog = self.window.catalog
        lines = [f"{department_name(catalog, part.department)} · {part_words(part)}"]
        steps = []
        if part.sent_at:
            steps.append(tr("{t} 送达交换平台", "delivered {t}", t=part_time(part.sent_at, self.window.zone)))
        if part.received_at:
            waited = duration_words(part.sent_at, part.received_at)
            steps.append(
                tr("{t} 部门接收", "received {t}", t=part_time(part.received_at, self.window.zone))
                + (tr("（{d}）", " ({d})", d=waited) if waited else "")
            )
        if part.decided_at:
            took = duration_words(part.received_at or part.sent_at, part.decided_at)
            decided = (
                tr("{t} 作出决定", "decided {t}", t=part_time(part.decided_at, self.window.zone))
                if part.state in ("approved", "rejected")
                else tr("{t} 要求补正", "supplement asked {t}", t=part_time(part.decided_at, self.window.zone))
            )
            steps.append(decided + (tr("（{d}）", " ({d})", d=took) if took else ""))
        total = part_took(part)
        if total:
            steps.append(tr("共用时 {d}", "{d} in all", d=total))
        if steps:
            lines.append(tr("；", "; ").join(steps))
        for item in part.items:
            name = str(catalog.items[item].name) if item in catalog.items else item
            decision = self._decisions.get(item)
            if decision is None:
                lines.append("  " + name)
                continue
            kind = decision.decision
            text = tr("{n}：{d}", "{n}: {d}", n=name, d=DECISION_WORDS.get(kind, kind))
            if decision.result:
                text += tr("；结果：{v}", "; result: {v}", v=decision.result)
            if decision.material:
                material = catalog.materials.get(decision.material)
                text += tr("；补正材料：{v}", "; material: {v}", v=str(material.name) if material else decision.material)
                if decision.supplied_at:
                    text += tr("（已补正送达）", " (supplied)")
            if decision.reason:
                text += tr("；理由：{v}", "; reason: {v}", v=decision.reason)
            if decision.decided_by:
                text += tr("；{v}", "; by {v}", v=decision.decided_by)
            lines.append("  " + text)
        shown = part.shown_state
        if shown == "quarantined":
            lines.append(
                tr("被交换平台退回，不会自动重发：", "Returned by the exchange, never resent on its own: ")
                + str(part.envelope_error)
            )
            lines.append(
                tr(
                    "请运维排除原因（如交换平台的事项目录、部门地址）后，按 F9 重新发送原件",
                    "Once support has fixed the cause (the exchange's catalog, the department's address …), F9 sends the same part again",
                )
            )
        elif part.state == "cancelled" and part.reason:
            lines.append(tr("取消原因：{v}", "Cancelled because: {v}", v=part.reason))
        elif part.state == "queued" and part.attempts and part.envelope_error:
            lines.append(
                tr("已尝试发送 {n} 次，上次：{e}", "{tries}; last: {e}", n=part.attempts, tries=counted(part.attempts, "attempt"), e=part.envelope_error)
            )
        if shown == "supplement_queued":
            lines.append(tr("补正材料已记录，待发送", "The supplement is recorded and waits to be sent"))
        elif part.state == "supplement_needed":
            lines.append(
                tr(
                    "按 F7 记录申请人补交的材料，按 P 打印补正告知书",
                    "Press F7 to record what the applicant brought; P prints the notice",
                )
            )
        if part.state == "rejected":
            lines.append(tr("按 P 打印不予受理（不予许可）告知书", "Press P to print the notice of refusal"))
        return lines

    def _fill_conclusion(self, detail: ApplicationDetail) -> None:
        shown = bool(detail.conclusion)
        self.query_one("#detail-conclusion-heading").display = shown
        conclusion = self.query_one("#detail-conclusion", Static)
        conclusion.display = shown
        conclusion.update(detail.conclusion or "")

    def _fill_audit(self, detail: ApplicationDetail) -> None:
        zone = self.window.zone
        table = self.query_one("#detail-audit", DataTable)
        events_ = detail.audit
        time_label = tr("时间", "Time")
        columns = [
            FitColumn("seq", [Form("#", [str(event.seq) for event in events_])]),
            FitColumn(
                "at",
                [
                    Form(time_label, [short_time(event.at, zone) for event in events_]),
                    Form(time_label, [short_time(event.at, zone, "%m-%d %H:%M") for event in events_]),
                ],
            ),
            FitColumn("actor", [Form(tr("操作人", "By"), [event.actor for event in events_])], min_width=6),
            FitColumn(
                "action",
                [Form(tr("操作", "Action"), [str(AUDIT_ACTIONS.get(event.action, event.action)) for event in events_])],
                min_width=10,
            ),
        ]
        width = table_width(table, fallback=self.app.size.width - 4)
        shown = fit_columns(columns, width, AUDIT_GIVE_UP, padding=table.cell_padding)
        fill_table(table, shown, [str(event.seq) for event in events_])

    def on_resize(self, event: events.Resize) -> None:
        # The columns follow the width; the summary's layout, the height.
        self.set_class(event.size.height < TALL, "-short")
        if self._detail is not None:
            self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if self._detail is None:
            return
        self.query_one("#detail-summary", Static).update(self._summary(self._detail))
        self._fill_parts(self._detail)
        self._fill_audit(self._detail)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "detail-parts":
            self._fill_part()
            if self._follow:
                # A short terminal: the clerk going down the parts sees the highlighted one whole.
                self.call_after_refresh(self._part_in_view)

    def _part_in_view(self) -> None:
        self.query_one("#detail-part").scroll_visible(animate=False, immediate=True)

    def _opened(self) -> None:
        # Focusing the parts table must not scroll the application's title out of view.
        self.query_one("#detail-body").scroll_home(animate=False)
        self._follow = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "supplement" and not self.window_app.may(Permission.SUPPLEMENT):
            return False  # hidden: the clerk may not (a helper, a supervisor alone)
        if action == "requeue" and not self.window_app.may(Permission.QUARANTINE):
            return False  # hidden: refused envelopes are the supervisor's (值班长)
        if action in ("propose_survey", "confirm_survey") and not self.window_app.may(Permission.ACCEPT):
            return False  # hidden: a helper or a supervisor alone does not make appointments
        if action == "propose_survey":
            return self._is_survey and (self._survey is None or not self._survey.confirmed) and not self._concluded()
        if action == "confirm_survey":  # C is the hand-over once concluded: never both
            return self._survey is not None and not self._survey.confirmed and not self._concluded()
        if action == "supplement":
            return self._detail is not None and self._detail.summary.state == "supplement_needed"
        if action == "requeue":
            return self._detail is not None and has_quarantined(self._detail.summary.parts)
        if action == "hand_over":  # shown once concluded, to a clerk who serves applicants
            return self.window_app.may(Permission.ACCEPT) and self._concluded()
        return True

    def _concluded(self) -> bool:
        return self._detail is not None and self._detail.summary.state == "concluded"

    def action_hand_over(self) -> None:
        """C: the concluded application's results handed to the applicant (recorded once), then
        the rating at conclusion, turned to the applicant, when the window offers it."""
        try:
            rating_open = self.window.hand_over_results(self.receipt_no)
        except StorageError as error:
            self.window_app.report_storage_error(error)
            return
        except KeyError:
            self.notify(tr("没有受理编号为 {no} 的办件", "No application has receipt number {no}", no=self.receipt_no), severity="error", markup=False)
            return
        except WindowAppError as error:  # not concluded, not permitted: in words
            self.notify(str(error), severity="error", markup=False)
            return
        self.show()
        if rating_open:
            self.app.push_screen(RatingScreen(self.receipt_no, "conclusion"))
        else:
            self.notify(tr("已记录申请人领取结果", "The results were handed over (recorded)"), markup=False)

    def action_requeue(self) -> None:
        """F9: this application's refused envelopes, sent again once the cause is fixed."""
        if self._detail is None or not has_quarantined(self._detail.summary.parts):
            return
        ask_requeue(self, self.receipt_no, self.show)

    def action_propose_survey(self) -> None:
        """T: propose the survey slot (next working day 09:30 at the site), or another one."""
        if not self.check_action("propose_survey", ()):
            return
        try:
            slot = self.window.default_survey_slot(self.receipt_no)
        except WindowAppError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        question = tr("向各部门提出踏勘时间和地点：", "Propose the survey's time and place to every department:")
        self.app.push_screen(
            SurveySlotDialog(tr("联合踏勘预约", "Joint site survey"), question, slot, self.window.zone),
            callback=lambda chosen: self._survey_chosen(chosen, confirm=False),
        )

    def action_confirm_survey(self) -> None:
        """C: confirm one slot to all (the proposal when all agree, else the latest other slot)."""
        appointment = self._survey
        if appointment is None or appointment.confirmed:
            return
        counters = appointment.counter_proposals()
        slot = appointment.slot
        if survey_state(appointment, self.window.now()) != AGREED and counters:
            slot = counters[-1].slot or slot
        question = tr("确认后通知所有部门，不再更改：", "Once confirmed, every department is told; it is final:")
        self.app.push_screen(
            SurveySlotDialog(tr("确认踏勘时间", "Confirm the survey slot"), question, slot, self.window.zone),
            callback=lambda chosen: self._survey_chosen(chosen, confirm=True),
        )

    def _survey_chosen(self, slot: object, *, confirm: bool) -> None:
        if slot is None:
            return
        try:
            if confirm:
                self.window.confirm_survey(self.receipt_no, slot)  # type: ignore[arg-type]
            else:
                self.window.propose_survey(self.receipt_no, slot)  # type: ignore[arg-type]
        except WindowAppError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.notify(
            tr("已确认，下次同步时通知各部门", "Confirmed; the departments are told at the next sync") if confirm
            else tr("已提出，下次同步时发给各部门", "Proposed; sent to the departments at the next sync"),
            markup=False,
        )
        self.show()

    def action_supplement(self) -> None:
        """F7: record the materials the departments asked for."""
        self.app.push_screen(SupplementScreen(self.receipt_no))

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_notices(self) -> None:
        """P: offer the notices this application has; print the one chosen."""
        kinds = []
        for kind in APPLICATION_NOTICES:
            try:
                self.window.notice(kind, self.receipt_no)
            except NoticeUnavailable:
                continue  # nothing of this kind (no supplement asked, nothing refused …)
            except KeyError:
                self.notify(
                    tr("没有受理编号为 {no} 的办件", "No application has receipt number {no}", no=self.receipt_no),
                    severity="error",
                    markup=False,
                )
                return
            except StorageError as error:
                self.window_app.report_storage_error(error)
                return
            kinds.append(kind)
        part = self._current_part()
        wanted = NOTICE_OF_PART.get(part.shown_state if part is not None else "", "receipt")
        self.app.push_screen(
            NoticeChooser(
                tr("告知书", "Notices"),
                kinds,
                subject=tr("办件 {no}", "Application {no}", no=self.receipt_no),
                highlighted=kinds.index(wanted) if wanted in kinds else 0,
            ),
            callback=self._print_chosen,
        )

    def _print_chosen(self, kind: str | None) -> None:
        if kind:
            print_notice(self, lambda: self.window.notice(kind, self.receipt_no))

    def action_receipt(self) -> None:
        """Show the application's receipt (to read out, save, print)."""
        self.app.push_screen(ReceiptScreen(self.receipt_no))
