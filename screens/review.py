"""Step 6, review and accept (审核受理): the dispatch plan, what was received, what is wrong.

The clerk sees the whole application once more: which departments receive it at once and which
wait for a result (并联审批 in stages), what the applicant must already hold, how each material
was received (deficient ones with their promised dates), and who applies. Every problem of the
whole intake is listed, each with the step that fixes it. F10 accepts: one transaction writes
the application, one outbox envelope per department and the audit event; the receipt follows.
"""

from __future__ import annotations

import logging

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from screens.review_data import SentRow, heading_text, label_width, row_renderable, sent_rows
from screens.step import StepScreen
from screens.widgets.at_window import AtWindowDialog
from screens.widgets.dialog import Dialog
from screens.widgets.field_row import problem_text
from screens.widgets.localized import WordsBinding
from screens.widgets.offering_preview import department_name, handling_class_name, hanging
from screens.widgets.step_header import applicant_summary, step_label
from window_app.domain.catalog import Item
from window_app.domain.clerks import Clerk, NotPermitted, Permission, Role
from window_app.domain.errors import WindowAppError
from window_app.domain.intake import AtWindowDecision, Intake, Problem
from window_app.domain.words import Words, counted, language, tr
from window_app.intake.guide import Guide
from window_app.intake.validate import VALIDATED_STEPS, material_status
from window_app.window import IntakeInvalid

log = logging.getLogger(__name__)

MATERIAL_STATE_LABELS: dict[str, Words] = {
    "original": Words("原件", "original"),
    "copy": Words("复印件", "copy"),
    "shared": Words("数据共享核验", "data sharing"),
    "deficient": Words("容缺", "deficient"),
    "not_applicable": Words("不适用", "not applicable"),
    "pending": Words("待确认", "to record"),
}
"""Material state → how the review counts it."""


def promised(days: int) -> str:
    """A promised time limit in words: on the spot, or working days."""
    return tr("即办", "on the spot") if days == 0 else tr("{d} 个工作日", "{days}", d=days, days=counted(days, "working day"))


def may_not_accept(clerk: Clerk | None) -> Words | None:
    """Why the signed-in clerk may not accept (``None`` if they may): a helper is sent to an acceptor."""
    if not isinstance(clerk, Clerk):
        return NotPermitted(Permission.ACCEPT, None).words
    if clerk.may(Permission.ACCEPT):
        return None
    if Role.HELPER in clerk.roles:
        return Words("帮办代办员不能受理：请受理员受理", "A helper cannot accept: ask an acceptor to accept it")
    return NotPermitted(Permission.ACCEPT, clerk).words


DATA_FRAME = 12
"""Cells around the data list's text: paddings, margins, borders and scroll bars."""

PLAN_FRAME = 8
"""Cells around the plan's text: the step body's, the review's and the plan's padding, the scroll bar."""


def step_of(problem: Problem, by_step: dict[str, list[Problem]]) -> str | None:
    """The step whose check reports ``problem`` (``pick`` for the offering itself)."""
    if problem.path == "offering":
        return "pick"
    return next((step for step, problems in by_step.items() if problem in problems), None)


class ReviewScreen(StepScreen):
    """Everything once more, every problem with its step, and F10 to accept."""

    STEP = "review"
    CSS_PATH = "review.tcss"

    BINDINGS = [
        WordsBinding("f10", "accept", words=Words("受理", "Accept")),
        WordsBinding("g", "fix", words=Words("去修改", "Fix")),
        WordsBinding("f8", "conclude_at_window", words=Words("窗口办结", "Conclude here")),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._problems: list[tuple[Problem, str | None]] = []
        self._at_window_items: list[Item] = []
        self._data_rows: list[SentRow | None] = []  # the data list's rows; None for a heading

    # -- layout ---------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        guide = self.window.guide(self.intake)
        with VerticalScroll(id="review-body"):
            if self._class_1():  # first: what a sole approver decides before F10
                yield Static(
                    tr("窗口办结（一类直接办，F8）", "Conclude at the window (class 1, F8)"), classes="review-heading"
                )
                yield OptionList(id="review-at-window")
            yield Static(tr("办理流程", "Dispatch plan"), classes="review-heading")
            yield Static(self._plan(guide, self.app.size.width - PLAN_FRAME), id="review-plan")
            yield Static(tr("各部门将收到的信息", "What each department receives"), classes="review-heading")
            yield Static(
                tr(
                    "每个部门只收到其事项所需的信息。选中一项按 Enter（或 g）转到该处修改。",
                    "Each department receives only what its items need. Choose a value and press Enter (or g) to change it.",
                ),
                id="review-data-hint",
                markup=False,
            )
            yield OptionList(id="review-data")
            yield Static(tr("申请人", "Applicant"), classes="review-heading")
            yield Static(self._applicant(self.intake), id="review-applicant", markup=False)
            yield Static(tr("材料", "Materials"), classes="review-heading")
            yield Static(self._materials(guide), id="review-materials", markup=False)
            yield Static(tr("检查结果", "Check"), classes="review-heading")
            yield Static("", id="review-verdict", markup=False)
            yield OptionList(id="review-problems")
        with Horizontal(id="review-actions"):
            yield Button(tr("F10 受理", "F10 Accept"), id="review-accept", variant="success")
            yield Static("", id="review-accept-note", markup=False)

    def on_resize(self, event: events.Resize) -> None:
        # The plan's long lines wrap under their own text, not under the bullet.
        self.query_one("#review-plan", Static).update(self._plan(self.window.guide(self.intake), event.size.width - PLAN_FRAME))

    def on_mount(self) -> None:
        self._list_at_window()
        self._list_data()
        self.check()

    def _list_data(self) -> None:
        """Per department (its name the heading), every value its parts will carry."""
        catalog = self.window.catalog
        guide = self.window.guide(self.intake)
        option_list = self.query_one("#review-data", OptionList)
        option_list.clear_options()
        self._data_rows = []
        by_department = sent_rows(catalog, self.intake, guide, self.window.settings.window.region)
        cells = label_width((row for rows in by_department.values() for row in rows), self.app.size.width - DATA_FRAME)
        for department, rows in by_department.items():
            option_list.add_option(
                Option(heading_text(catalog, department, len(rows)), id=f"department-{len(self._data_rows)}", disabled=True)
            )
            self._data_rows.append(None)
            for row in rows:
                option_list.add_option(Option(row_renderable(row, cells), id=f"value-{len(self._data_rows)}"))
                self._data_rows.append(row)

    def data_rows(self) -> list[SentRow | None]:
        """The list's rows in order: ``None`` for a department heading."""
        return list(self._data_rows)

    def _change(self, index: int) -> None:
        """Back to where the value of row ``index`` is typed: the form with its field focused."""
        if not 0 <= index < len(self._data_rows):
            return
        row = self._data_rows[index]
        if row is None:
            return
        self.commit()
        self.window_app.goto_step(row.step, field=row.field)

    def _plan(self, guide: Guide, width: int) -> Content:
        """The stages: who receives the application at once, who waits for whose result.

        Each line is wrapped to ``width`` cells, continuation lines indented as the line's text.
        """
        catalog = self.window.catalog
        bundle = guide.offering.bundle

        def item_name(item_id: str) -> str:
            return str(catalog.items[item_id].name) if item_id in catalog.items else item_id

        lines = [
            Content.from_markup(
                tr("牵头部门：[b]$lead[/]　承诺时限：[b]$days[/]", "Lead department: [b]$lead[/]    Promised: [b]$days[/]"),
                lead=department_name(catalog, bundle.lead_department),
                days=promised(guide.promised_days),
            )
        ]
        for stage in guide.plan.stages:
            if stage.number == 1:
                when = tr("受理后即发送", "sent on acceptance")
            else:
                when = tr("第 {n} 阶段办结后发送", "sent once stage {n} is done", n=stage.number - 1)
            if len(stage.departments) > 1:
                when += tr("，{n} 个部门并联办理", ", {n} departments in parallel", n=len(stage.departments))
            lines.append(
                Content.styled(tr("第 {n} 阶段（{when}）", "Stage {n} ({when})", n=stage.number, when=when), "bold")
            )
            for item in stage.items:
                days = promised(item.promised_days)
                waits = [item_name(p) for p in item.prerequisites if any(p == other.id for other in guide.items)]
                lines.append(Content.assemble("  · ", (department_name(catalog, item.department), "bold")))
                lines.append(
                    Content.assemble(
                        "    ",
                        str(item.name),
                        "  ",
                        (f"{handling_class_name(item.handling_class)} · {days}", "$text-muted"),
                        ("  " + tr("需联合踏勘", "joint site survey"), "$text-warning") if item.site_survey else "",
                    )
                )
                if waits:
                    lines.append(
                        Content.styled(
                            tr("      需先办结：{w}", "      after: {w}", w=tr("、", ", ").join(waits)), "$text-muted"
                        )
                    )
        for prerequisite, needers in guide.plan.external_prerequisites.items():
            item = catalog.items.get(prerequisite)
            result = f"（{item.result}）" if item is not None and item.result and language() == "zh" else ""
            lines.append(
                Content.styled(
                    tr(
                        "申请人须已取得：{name}{result}，{users}需要",
                        "The applicant must already hold: {name}{result}, needed by {users}",
                        name=item_name(prerequisite),
                        result=result,
                        users="、".join(item_name(n) for n in needers),
                    ),
                    "$text-warning",
                )
            )
        return Content("\n").join(hanging(line, width) for line in lines)

    def _applicant(self, intake: Intake) -> str:
        applicant = intake.applicant
        lines = [applicant_summary(intake)]
        if applicant.kind == "enterprise":
            enterprise = applicant.enterprise
            lines.append(
                tr("统一社会信用代码：{v}", "Unified social credit code: {v}", v=enterprise.uscc or tr("（未填）", "(none)"))
            )
            if enterprise.legal_representative.name:
                lines.append(tr("法定代表人：{v}", "Legal representative: {v}", v=enterprise.legal_representative.name))
            if applicant.person.name:
                lines.append(
                    tr("联系人：{n}  {p}", "Contact: {n}  {p}", n=applicant.person.name, p=applicant.person.phone)
                )
        else:
            person = applicant.person
            lines.append(tr("身份证号码：{v}", "Resident ID: {v}", v=person.id_number))
            lines.append(tr("联系电话：{v}", "Phone: {v}", v=person.phone))
        agent = applicant.agent
        if agent is not None and agent.name:
            lines.append(
                tr("代办人：{n}  {i}  {p}", "Agent: {n}  {i}  {p}", n=agent.name, i=agent.id_number, p=agent.phone)
            )
        return "\n".join(lines)

    def _materials(self, guide: Guide) -> str:
        online = bool(self.window_app.sync_online)
        counts: dict[str, int] = {}
        deficient: list[str] = []
        for line in guide.checklist.lines:
            status = material_status(self.intake, line.material)
            counts[status.state] = counts.get(status.state, 0) + 1
            if status.state == "deficient":
                deficient.append(
                    tr(
                        "  · {m}：承诺 {d} 前补交",
                        "  · {m}: promised by {d}",
                        m=str(line.material.name),
                        d=status.promised_date or "?",
                    )
                )
        parts = []
        for state, words in MATERIAL_STATE_LABELS.items():
            if counts.get(state):
                label = str(words)
                if state == "shared" and not online:
                    label = tr("联网后核验", "verify when online")
                parts.append(f"{label} {counts[state]}")
        lines = [
            tr(
                "共 {n} 份（逐项提交需 {r} 份）：",
                "{materials} ({r} item by item): ",
                materials=counted(len(guide.checklist.lines), "material"),
                n=len(guide.checklist.lines),
                r=guide.checklist.requirements,
            )
            + tr("，", ", ").join(parts)
        ]
        if deficient:
            lines.append(tr("容缺受理：", "Accepted as deficient:"))
            lines += deficient
        return "\n".join(lines)

    # -- problems -------------------------------------------------------------------------

    def check(self) -> list[Problem]:
        """Ask the window for every problem of the intake and list them with their steps."""
        problems = self.window.validate(self.intake)
        self._list(problems)
        return problems

    def _list(self, problems: list[Problem]) -> None:
        by_step = {step: self.window.validate(self.intake, step) for step in VALIDATED_STEPS} if problems else {}
        self._problems = [(problem, step_of(problem, by_step)) for problem in problems]
        option_list = self.query_one("#review-problems", OptionList)
        option_list.clear_options()
        for index, (problem, step) in enumerate(self._problems):
            where = f"[{step_label(step)}] " if step else ""
            option_list.add_option(Option(Content(where + problem_text(problem)), id=str(index)))
        option_list.display = bool(problems)
        verdict = self.query_one("#review-verdict", Static)
        accept_note = self.query_one("#review-accept-note", Static)
        if problems:
            verdict.update(
                tr(
                    "还有 {n} 个问题，改正后才能受理。选中一项按 Enter（或 g）转到相应步骤。",
                    "{problems} to correct before accepting. Choose one and press Enter (or g) to go to its step.",
                    n=len(problems),
                    problems=counted(len(problems), "problem"),
                )
            )
            accept_note.update(
                tr("尚不能受理：还有 {n} 个问题（见上方列表）", "Cannot accept yet: {problems} (listed above)", n=len(problems), problems=counted(len(problems), "problem"))
            )
        else:
            verdict.update(tr("✓ 检查通过，可以受理", "✓ All checks pass: ready to accept"))
            accept_note.update(
                tr("✓ 检查通过。按 F10 受理，随后出具受理回执", "✓ All checks pass. F10 accepts, then the receipt follows")
            )
        refusal = may_not_accept(self.window.clerk)
        if refusal is not None and not problems:
            accept_note.update(str(refusal))  # checked, but this clerk hands it to an acceptor
        verdict.set_class(bool(problems), "-problems")
        accept_note.set_class(bool(problems) or refusal is not None, "-problems")
        self.query_one("#review-accept", Button).disabled = bool(problems) or refusal is not None
        self.refresh_bindings()

    def problems(self) -> list[Problem]:
        return self.window.validate(self.intake)

    def show_problems(self, problems: list[Problem]) -> None:
        self._list(problems)
        if problems:
            option_list = self.query_one("#review-problems", OptionList)
            option_list.highlighted = 0
            option_list.focus()
            self.query_one("#review-body", VerticalScroll).scroll_to_widget(option_list, animate=False)
        super().show_problems(problems)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "review-at-window":
            self._conclude(event.option_index)
        elif event.option_list.id == "review-data":
            self._change(event.option_index)
        else:
            self._go_to(event.option_index)

    def action_fix(self) -> None:
        """Go to where the highlighted value is typed (the data list focused), else to the step of
        the highlighted problem."""
        data = self.query_one("#review-data", OptionList)
        if self.focused is data:
            if data.highlighted is not None:
                self._change(data.highlighted)
            return
        highlighted = self.query_one("#review-problems", OptionList).highlighted
        if highlighted is not None:
            self._go_to(highlighted)

    def _go_to(self, index: int) -> None:
        if not 0 <= index < len(self._problems):
            return
        step = self._problems[index][1]
        if step is None:
            return
        self.commit()
        self.window_app.goto_step(step)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix":  # a problem's step, or where the focused value of the data list is typed
            return bool(self._problems) or (self.focused is not None and self.focused.id == "review-data")
        if action == "next":
            return False  # the last step: F10 accepts, nothing comes after
        if action == "conclude_at_window":
            return bool(self._class_1())  # a plain acceptor never sees it
        return True

    # -- conclusions at the window (一类直接办) ----------------------------------------------

    def _may_conclude(self) -> bool:
        """Whether the signed-in clerk may conclude class-1 items here (a 独任审批员)."""
        return self.window_app.may(Permission.DECIDE_AT_WINDOW)

    def _class_1(self) -> list[Item]:
        """This application's 一类直接办 items, for a clerk who may conclude them (else none)."""
        if not self._may_conclude() or self.window_app.intake is None:
            return []
        guide = self.window.guide(self.intake)
        return [item for stage in guide.plan.stages for item in stage.items if item.handling_class == 1]

    def _waiting_for(self, item: Item) -> list[str]:
        """The names of ``item``'s prerequisites in this application that go to a department."""
        in_application = {other.id: other for stage in self.window.guide(self.intake).plan.stages for other in stage.items}
        return [
            str(in_application[p].name) for p in item.prerequisites if p in in_application and p not in self.intake.at_window
        ]

    def _list_at_window(self) -> None:
        """One line per class-1 item: its conclusion at the window, or that its department decides it."""
        if self.intake.at_window:  # an item since dropped (another situation answer): nothing to conclude
            guide = self.window.guide(self.intake)
            kept = {item.id for stage in guide.plan.stages for item in stage.items if item.handling_class == 1}
            for item_id in set(self.intake.at_window) - kept:
                del self.intake.at_window[item_id]
        found = list(self.query("#review-at-window"))
        if not found:
            return
        option_list = found[0]
        assert isinstance(option_list, OptionList)
        highlighted = option_list.highlighted
        self._at_window_items = self._class_1()
        option_list.clear_options()
        for index, item in enumerate(self._at_window_items):
            option_list.add_option(Option(self._at_window_line(item), id=str(index)))
        if highlighted is not None and self._at_window_items:
            option_list.highlighted = min(highlighted, len(self._at_window_items) - 1)

    def _at_window_line(self, item: Item) -> Content:
        conclusion = self.intake.at_window.get(item.id)
        if conclusion is None:
            waiting = self._waiting_for(item)
            state = (
                tr("送部门办理（须先有“{p}”的结果）", "sent to its department (needs “{p}” first)", p=waiting[0])
                if waiting
                else tr("送部门办理", "sent to its department")
            )
            style = "$text-muted"
        elif conclusion.decision == "approved":
            state = tr("窗口办结：准予", "concluded here: approved")
            if conclusion.result:
                state += f" {conclusion.result}"
            style = "$text-success"
        else:
            state = tr("窗口办结：不予（{r}）", "concluded here: refused ({r})", r=conclusion.reason)
            style = "$text-warning"
        return Content.assemble(str(item.name), "  ", (state, style))

    def action_conclude_at_window(self) -> None:
        """Conclude the highlighted class-1 item at the window (F8), or undo its conclusion."""
        found = list(self.query("#review-at-window"))
        if not found or not self._at_window_items:
            return
        option_list = found[0]
        assert isinstance(option_list, OptionList)
        self._conclude(option_list.highlighted or 0)

    def _conclude(self, index: int) -> None:
        if not 0 <= index < len(self._at_window_items):
            return
        item = self._at_window_items[index]
        waiting = self._waiting_for(item)
        if waiting:
            self.notify(
                tr(
                    "“{i}”须先有“{p}”的结果：请先在窗口办结“{p}”，或将两者都送部门办理。",
                    "“{i}” needs the result of “{p}” first: conclude “{p}” here first, or send both to their departments.",
                    i=str(item.name),
                    p=waiting[0],
                ),
                title=tr("不能窗口办结", "Cannot conclude here"),
                severity="warning",
                markup=False,
            )
            return

        def taken(choice: AtWindowDecision | str | None) -> None:
            if choice is None:
                return
            if isinstance(choice, AtWindowDecision):
                self.intake.at_window[item.id] = choice
            else:
                also = self._send_to_department(item.id)
                if also:
                    self.notify(
                        tr(
                            "需要其结果的事项也改为送部门办理：{a}",
                            "The items that needed its result go to their departments too: {a}",
                            a=tr("、", ", ").join(also),
                        ),
                        markup=False,
                    )
            self._list_at_window()
            self.refresh_bindings()

        self.app.push_screen(AtWindowDialog(str(item.name), self.intake.at_window.get(item.id)), taken)

    def _send_to_department(self, item_id: str) -> list[str]:
        """Undo a conclusion (the box's :data:`SEND_TO_DEPARTMENT`), and those that needed its
        result: they all go to their departments. Returns the names of the latter."""
        self.intake.at_window.pop(item_id, None)
        also: list[str] = []
        changed = True
        while changed:  # an item concluded on the strength of an undone one goes back too
            changed = False
            for item in self._class_1():
                if item.id in self.intake.at_window and self._waiting_for(item):
                    self.intake.at_window.pop(item.id)
                    also.append(str(item.name))
                    changed = True
        return also

    # -- accepting ------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "review-accept":
            event.stop()
            self.action_accept()

    def action_accept(self) -> None:
        """Accept: on success the receipt; otherwise the problems or the storage's words."""
        if self.window_app.intake is None:
            return
        self.commit()
        refusal = may_not_accept(self.window.clerk)
        if refusal is not None:  # the draft stays; an acceptor resumes it from the drafts
            self.notify(str(refusal), title=tr("不能受理", "Cannot accept"), severity="warning", markup=False)
            return
        try:
            accepted = self.window.accept(self.intake)
        except IntakeInvalid as invalid:
            self.show_problems(invalid.problems)
            return
        except WindowAppError as error:  # storage, the window's key file, a catalog without keys: in words
            self.app.push_screen(
                Dialog(
                    tr("未能受理", "Not accepted"),
                    "\n".join(error.lines())
                    + "\n\n"
                    + tr(
                        "没有写入任何数据，本申请仍保留（草稿未删除），可稍后再次受理。",
                        "Nothing was written; this application is kept (the draft stays) and can be accepted again later.",
                    ),
                    error=True,
                )
            )
            return
        except Exception as error:  # never a traceback at the window
            log.exception("accept failed")
            self.app.push_screen(
                Dialog(
                    tr("未能受理", "Not accepted"),
                    tr("受理时出现意外错误：{e}", "An unexpected error stopped accepting: {e}", e=error)
                    + "\n\n"
                    + tr("本申请仍保留，可保存草稿后重试。", "This application is kept; save a draft and try again."),
                    error=True,
                )
            )
            return
        self.window_app.finish_intake(accepted.receipt_no)
