"""Step 4, the merged checklist (材料清单): each material once, and how it was received.

The paper's first complaint is the ID card fetched eight times for one bundle. Here each
material appears once, with every department that will receive it, and the clerk records once
how it was received: original, copy, verified by data sharing, accepted as deficient (容缺) on a
promised date, or not applicable. The headline says how many copies the applicant was spared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Static

from screens.notice_printing import ONE_TIME_WORDS, print_one_time_notice
from screens.step import StepScreen
from screens.widgets.field_row import problem_text
from screens.widgets.localized import WordsBinding, WordsGroup
from screens.widgets.offering_preview import department_name
from screens.widgets.promise_date import PromiseDateDialog
from screens.widgets.table_fit import FitColumn, Form, fill_table, fit_columns, fit_height, table_width
from window_app.domain.intake import ChecklistLine, MaterialStatus, Problem
from window_app.domain.words import Words, counted, tr
from window_app.intake.guide import Guide
from window_app.intake.validate import material_status

SUGGESTED_PROMISE_DAYS = (7, 5, 3, 2, 1)
"""Promised dates offered first (days from today), the first one the window accepts is used."""

STATE_KEYS: dict[str, str] = {
    "original": "1",
    "copy": "2",
    "shared": "3",
    "deficient": "4",
    "not_applicable": "5",
}
"""Material state → the key that records it."""

MARK_CHOICES: tuple[tuple[str, Words], ...] = (
    ("original", Words("原件", "Original")),
    ("copy", Words("复印件", "Copy")),
    ("shared", Words("共享核验", "Shared")),
    ("deficient", Words("容缺", "Deficient")),
    ("not_applicable", Words("不适用", "N/A")),
)
"""Material state → the words on its button, in key order."""

GIVE_UP = ("shareable", "departments", "original", "departments")
"""What a narrow checklist gives up first, one step a mention (:func:`fit_columns`)."""

MATERIAL_MIN_WIDTH = 12
"""Cells a material's name keeps at the narrowest (the row under the table has it whole)."""

TALL = 30
"""Rows from which the checklist keeps its blank lines between parts (below: ``-short``)."""

MARK_GROUP = WordsGroup(words=Words("收取情况", "Received"), compact=True)
"""Keys 1–5 in the footer: shown once, side by side (``12345 收取情况``); each key's words are
its tooltip and on the buttons under the table."""

MARK_BINDINGS: list[Binding] = [
    WordsBinding("1", "mark('original')", words=Words("原件", "Original"), group=MARK_GROUP),
    WordsBinding("2", "mark('copy')", words=Words("复印件", "Copy"), group=MARK_GROUP),
    WordsBinding("3", "mark('shared')", words=Words("共享", "Shared"), group=MARK_GROUP),
    WordsBinding("4", "mark('deficient')", words=Words("容缺", "Deficient"), group=MARK_GROUP),
    WordsBinding("5", "mark('not_applicable')", words=Words("不适用", "N/A"), group=MARK_GROUP),
]
"""Keys 1–5 record the highlighted material's state (``action_mark(state)``): the checklist's,
and the supplement screen's (screens/supplement.py)."""


def mark_buttons(states: tuple[str, ...] | None = None) -> list[Button]:
    """The buttons under a materials table that do what keys 1–5 do (``#mark-<state>``)."""
    return [
        Button(f"{STATE_KEYS[state]} {words}", id=f"mark-{state}", classes="mark", compact=True)
        for state, words in MARK_CHOICES
        if states is None or state in states
    ]


def state_text(status: MaterialStatus, *, online: bool) -> Text:
    """A material's state as shown in its row (styled)."""
    state = status.state
    if state == "original":
        return Text(tr("原件已收", "original received"), style="green")
    if state == "copy":
        return Text(tr("复印件已收", "copy received"), style="green")
    if state == "shared":
        if online:
            return Text(tr("共享核验", "verified by sharing"), style="cyan")
        return Text(tr("联网后核验", "verify when online"), style="cyan")
    if state == "deficient":
        date = status.promised_date or "?"
        return Text(tr("容缺·{d}前补交", "deficient · by {d}", d=date), style="yellow")
    if state == "not_applicable":
        return Text(tr("不适用", "not applicable"), style="dim")
    if state == "pending":
        return Text(tr("待确认", "to record"), style="bold")
    return Text(state)


class ChecklistScreen(StepScreen):
    """Record, once per material, how it was received.

    Keys 1–5 record the highlighted material's state; ``a`` records every material still to
    record as received in original. Buttons under the table do the same with the mouse. P prints
    the 一次性告知书: the materials not received yet first, for an applicant who lacks one.
    """

    STEP = "checklist"
    CSS_PATH = "checklist.tcss"
    AUTO_FOCUS = "#checklist-table"

    BINDINGS = [
        *MARK_BINDINGS,
        # In the group of 1–5 (``12345a 收取情况``): its words are its tooltip and on its button,
        # which leaves the footer room for P at 80 columns and every app key at 120.
        WordsBinding("a", "all_original", words=Words("其余原件", "Rest original"), group=MARK_GROUP),
        WordsBinding("p", "one_time_notice", words=ONE_TIME_WORDS),
    ]

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._guide: Guide | None = None
        self._lines: dict[str, ChecklistLine] = {}
        self._problems: dict[str, Problem] = {}
        self._start_row = 0
        self._numbers: dict[str, int] = {}

    # -- what is shown ------------------------------------------------------------------

    @property
    def guide(self) -> Guide:
        """The guide of the intake (built once per screen: the checklist cannot change here)."""
        if self._guide is None:
            self._guide = self.window.guide(self.intake)
        return self._guide

    @property
    def online(self) -> bool:
        """Whether the exchange answers (shared materials are verified now, not later)."""
        return bool(self.window_app.sync_online)

    def compose_body(self) -> ComposeResult:
        checklist = self.guide.checklist
        yield Static(
            tr(
                "本次共需 {n} 份材料，免于重复提交 {m} 份，其中 {k} 份通过数据共享核验",
                "{materials} in all, {m} need not be brought twice, {k} verified by data sharing",
                materials=counted(checklist.requirements, "material"),
                n=checklist.requirements,
                m=checklist.saved,
                k=checklist.shareable_count,
            ),
            id="checklist-headline",
            markup=False,
        )
        yield DataTable(id="checklist-table", cursor_type="row", zebra_stripes=True)
        # Right under the table, so that it is in view on any terminal: why a key was refused.
        yield Static("", id="checklist-problem", markup=False)
        yield Static("", id="checklist-row", markup=False)
        with Horizontal(id="checklist-actions"):
            yield from mark_buttons()
            yield Button(tr("a 其余收原件", "a Rest as original"), id="mark-all", classes="mark", compact=True)
        yield Static("", id="checklist-progress", markup=False)
        yield Static("", id="checklist-detail", markup=False)

    def on_mount(self) -> None:
        for number, line in enumerate(self.guide.checklist.lines, start=1):
            self._lines[line.material.id] = line
            self._numbers[line.material.id] = number
        self._fill_table(row=self._start_row)
        self._refresh_summary()
        self._refresh_detail()

    def on_resize(self, event: events.Resize) -> None:
        # The columns follow the width there is (see _fill_table); the spacing, the height.
        self.set_class(event.size.height < TALL, "-short")
        self.call_after_refresh(self._fill_table)

    def _columns(self) -> list[FitColumn]:
        """The table's columns, each with the forms it may take (richest first)."""
        catalog = self.window.catalog
        lines = list(self._lines.values())
        names = []
        for line in lines:
            name = Text(str(line.material.name))
            if line.material.key:
                name.append(" ★", style="bold")
            names.append(name)
        departments = [
            tr("、", ", ").join(department_name(catalog, d, short=True) for d in line.departments) for line in lines
        ]
        counts = [tr("{n} 个部门", "{n} depts", n=len(line.departments)) for line in lines]
        return [
            FitColumn("number", [Form("#", [str(self._numbers[line.material.id]) for line in lines])]),
            FitColumn("material", [Form(tr("材料", "Material"), names)], min_width=MATERIAL_MIN_WIDTH),
            FitColumn("state", [Form(tr("收取情况", "Received as"), [self._state_cell(line.material.id) for line in lines])]),
            FitColumn(
                "departments",
                [Form(tr("接收部门", "Departments"), departments), Form(tr("部门", "Depts"), counts)],
                optional=True,
            ),
            FitColumn(
                "original",
                [Form(tr("原件", "Original"), [tr("需原件", "required") if line.original_required else "" for line in lines])],
                optional=True,
            ),
            FitColumn(
                "shareable",
                [Form(tr("共享", "Shared"), [tr("可共享", "shareable") if line.material.shareable else "" for line in lines])],
                optional=True,
            ),
        ]

    def _fill_table(self, row: int | None = None) -> None:
        """Fill the table with as many columns as the width allows (the row under it has the rest).

        Given up first: whether the material may be shared (its state says how it is
        verified), the departments' names for their count, whether the original is required,
        the departments' count; then the material's name is cut. The number, the name and the state always stay.
        """
        table = self.query_one("#checklist-table", DataTable)
        keep = table.cursor_row if row is None and table.row_count else (row or 0)
        width = table_width(table, fallback=self.app.size.width - 2)
        columns = fit_columns(self._columns(), width, GIVE_UP, padding=table.cell_padding)
        fill_table(table, columns, list(self._lines))
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1), animate=False)
        self.call_after_refresh(self._fit_height)

    def _fit_height(self) -> None:
        """A long list scrolls; the lines under it (row, reason, keys, what it is for) stay in view."""
        fit_height(self.query_one("#checklist-table", DataTable), self.query_one("#step-body"))

    def carry_over(self, old: StepScreen) -> None:
        if isinstance(old, ChecklistScreen):
            self._start_row = old.query_one("#checklist-table", DataTable).cursor_row
            self._problems = dict(old._problems)

    # -- reading and writing the intake ------------------------------------------------

    def _status(self, material_id: str) -> MaterialStatus:
        return material_status(self.intake, self._lines[material_id].material)

    def _state_cell(self, material_id: str) -> Text:
        text = state_text(self._status(material_id), online=self.online)
        if material_id in self._problems:
            text = Text.assemble(("✗ ", "bold red"), text)
        return text

    def _current(self) -> ChecklistLine | None:
        table = self.query_one("#checklist-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._lines.get(key) if key is not None else None

    def _record(self, material_id: str, status: MaterialStatus) -> None:
        """Store a material's state in the intake; the row shows it (and any problem left)."""
        self.intake.materials[material_id] = status
        problem = self._problem_of(material_id)
        if problem is None:
            self._problems.pop(material_id, None)
        else:
            self._problems[material_id] = problem
        self._refresh_row(material_id)

    def _problem_of(self, material_id: str) -> Problem | None:
        """The window's problem with one material as the intake records it now."""
        path = f"materials.{material_id}"
        return next((p for p in self.window.validate(self.intake, "checklist") if p.path == path), None)

    def _trial(self, material_id: str, status: MaterialStatus) -> Problem | None:
        """The window's problem with a material if it had ``status`` (the intake is unchanged)."""
        current = self.intake.materials.get(material_id)
        self.intake.materials[material_id] = status
        try:
            return self._problem_of(material_id)
        finally:
            if current is None:
                self.intake.materials.pop(material_id, None)
            else:
                self.intake.materials[material_id] = current

    def _refresh_row(self, material_id: str) -> None:
        self._fill_table()  # a state's words may be wider than the column: the columns are chosen again
        self._refresh_summary()
        self._refresh_detail()

    def _refresh_summary(self) -> None:
        counts: dict[str, int] = {}
        for material_id in self._lines:
            state = self._status(material_id).state
            counts[state] = counts.get(state, 0) + 1
        pending = counts.get("pending", 0)
        text = tr(
            "已记录 {done}/{all} 份",
            "{done} of {all} recorded",
            done=len(self._lines) - pending,
            all=len(self._lines),
        )
        if pending:
            text += tr("，还有 {n} 份待确认", ", {n} still to record", n=pending)
        if counts.get("deficient"):
            text += tr("，容缺 {n} 份", ", {n} deficient", n=counts["deficient"])
        self.query_one("#checklist-progress", Static).update(text)

    def _refresh_detail(self) -> None:
        line = self._current()
        detail = self.query_one("#checklist-detail", Static)
        row_label = self.query_one("#checklist-row", Static)
        problem_label = self.query_one("#checklist-problem", Static)
        if line is None:
            detail.update(tr("本次申请无需提交材料", "This application needs no materials"))
            row_label.update("")
            problem_label.update("")
            problem_label.set_class(False, "-shown")
            return
        material = line.material
        catalog = self.window.catalog
        # The highlighted row whole: what a narrow table cuts or leaves out is below.
        row_label.update(
            Text.assemble(
                (f"{self._numbers[material.id]} ", "dim"),
                (str(material.name), "bold"),
                (" ★" if material.key else "", "bold"),
                tr("：", ": "),
                self._state_cell(material.id),
            )
        )
        parts = [
            tr("用于：", "Needed by: ")
            + tr("、", "; ").join(
                tr(
                    "{item}（{department}）",
                    "{item} ({department})",
                    item=str(catalog.items[item_id].name),
                    department=department_name(catalog, catalog.items[item_id].department, short=True),
                )
                for item_id in line.needed_by
            )
        ]
        marks = []
        if material.key:
            marks.append(tr("★ 关键材料，不能容缺", "★ key material, cannot be deficient"))
        if line.original_required:
            marks.append(tr("须核验原件", "the original must be seen"))
        if material.shareable:
            marks.append(
                tr("可通过数据共享核验", "can be verified by data sharing")
                + (tr("（{s}）", " ({s})", s=str(material.source)) if material.source else "")
            )
        if marks:
            parts.append(tr("；", "; ").join(marks))
        if material.note:
            parts.append(str(material.note))
        detail.update("\n".join(parts))
        problem = self._problems.get(material.id)
        problem_label.update(problem_text(problem) if problem else "")
        problem_label.set_class(problem is not None, "-shown")
        self.call_after_refresh(self._fit_height)  # the lines under the table may have grown

    # -- the rhythm -----------------------------------------------------------------------

    def commit(self) -> None:
        """Every material of the checklist gets an explicit state in the intake.

        Shareable materials the clerk did not touch are written as ``shared``; materials no
        longer on the checklist are dropped.
        """
        self.intake.materials = {
            line.material.id: material_status(self.intake, line.material) for line in self.guide.checklist.lines
        }

    def show_problems(self, problems: list[Problem]) -> None:
        """Mark the rows with problems, jump to the first, tell the rest."""
        self._problems = {}
        rest = []
        for problem in problems:
            material_id = problem.path.removeprefix("materials.")
            if problem.path.startswith("materials.") and material_id in self._lines:
                self._problems.setdefault(material_id, problem)
            else:
                rest.append(problem)
        self._fill_table()
        table = self.query_one("#checklist-table", DataTable)
        if self._problems:
            first = next(iter(self._problems))
            table.move_cursor(row=table.get_row_index(first))
            table.focus()
        self._refresh_detail()
        if self._problems:
            self.notify(
                tr("有 {n} 份材料尚未处理好，已用 ✗ 标出", "{materials} to see to (marked ✗)", n=len(self._problems), materials=counted(len(self._problems), "material")),
                title=tr("还不能进入下一步", "Cannot go on yet"),
                severity="error",
                markup=False,
            )
        super().show_problems(rest)

    # -- keys and clicks ----------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._refresh_detail()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id == "mark-all":
            event.stop()
            self.action_all_original()
        elif button_id.startswith("mark-"):
            event.stop()
            self.action_mark(button_id.removeprefix("mark-"))

    def action_mark(self, state: str) -> None:
        """Record the highlighted material's state (4 asks the promised date first).

        A state the window would refuse for this material (data sharing for a material the
        government does not hold, a copy where the original must be seen, a key material as
        deficient) is not recorded: the row says why.
        """
        line = self._current()
        if line is None:
            return
        material = line.material
        if state == "deficient":
            if material.key:
                self._refuse(material.id, self._trial(material.id, MaterialStatus(state="deficient")))
                return
            self.app.push_screen(
                PromiseDateDialog(
                    str(material.name),
                    check=lambda value, material_id=material.id: self._check_promise(material_id, value),
                    suggested=self._status(material.id).promised_date or self._suggest_promise(material.id),
                ),
                callback=lambda date, material_id=material.id: self._promised(material_id, date),
            )
            return
        status = replace(self._status(material.id), state=state, promised_date="")
        problem = self._trial(material.id, status)
        if problem is not None:
            self._refuse(material.id, problem)
            return
        self._record(material.id, status)
        self._advance()

    def action_all_original(self) -> None:
        """Every material still to record: original received."""
        changed = 0
        for material_id in self._lines:
            if self._status(material_id).state == "pending":
                self.intake.materials[material_id] = MaterialStatus(state="original")
                self._problems.pop(material_id, None)
                changed += 1
        self._fill_table()
        self._refresh_summary()
        self._refresh_detail()
        self.notify(
            tr("{n} 份材料记为原件已收", "{materials} recorded as original received", n=changed, materials=counted(changed, "material")),
            markup=False,
        )

    def _refuse(self, material_id: str, problem: Problem | None) -> None:
        """Keep the state, and say at the row why the key was refused."""
        if problem is None:
            return
        self._problems[material_id] = problem
        self._refresh_row(material_id)
        self.app.bell()

    def _check_promise(self, material_id: str, value: str) -> str | None:
        """Why a promised date is refused (the window's rule), or ``None``."""
        problem = self._trial(material_id, MaterialStatus(state="deficient", promised_date=value))
        return problem_text(problem) if problem else None

    def _suggest_promise(self, material_id: str) -> str:
        today = self.window.today()
        for days in SUGGESTED_PROMISE_DAYS:
            candidate = (today + dt.timedelta(days=days)).isoformat()
            if self._check_promise(material_id, candidate) is None:
                return candidate
        return ""

    def _promised(self, material_id: str, date: str | None) -> None:
        if not date:
            return
        self._record(material_id, MaterialStatus(state="deficient", promised_date=date))
        self._advance()

    def action_one_time_notice(self) -> None:
        """P: print the 一次性告知书 of the application as recorded so far."""
        print_one_time_notice(self)

    def _advance(self) -> None:
        """After recording, move to the next row (the clerk goes down the list)."""
        table = self.query_one("#checklist-table", DataTable)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
