"""补正: what the departments asked for on one application, recorded when the applicant brings it.

A department that needs a missing or corrected material answers ``supplement_needed`` naming
the material (or only a reason). This screen lists those open requests — material, the
department that asked, its reason — with the material's state as the checklist shows it; keys
1, 2, 3 and 5 record how it was received now, exactly as on the checklist (the same keys,
buttons, words and rules: a copy where the original must be seen, or data sharing for a
material the government does not hold, is refused at the row). Deficiency (4) is not offered:
the department asked precisely because the material was missing.

Ctrl+S saves: each recorded material goes through :meth:`window_app.window.Window.supply_material`
(the material's new state in the application and a ``supplement`` envelope for the department,
in one durable transaction), the sync worker is woken, and the part shows "supplement queued",
then "supplement sent" once the exchange has it. Once saved, the window offers to print the
补正材料收取凭证 for the applicant (Y prints it); P prints it at any time once a supplement was
recorded (:mod:`screens.notice_printing`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Static

from screens.checklist import MARK_BINDINGS, mark_buttons, state_text
from screens.notice_printing import print_notice
from screens.widgets.dialog import Dialog
from screens.widgets.field_row import problem_text
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.widgets.offering_preview import department_name
from screens.widgets.table_fit import FitColumn, Form, fill_table, fit_columns, table_width
from screens.widgets.window_header import WindowHeader
from screens.window_screen import WindowScreen
from window_app.domain.errors import StorageError
from window_app.domain.intake import MaterialStatus
from window_app.domain.words import Words, counted, language, tr
from window_app.sync.supplements import SupplementRefused

if TYPE_CHECKING:
    from window_app.domain.applications import ApplicationDetail
    from window_app.domain.intake import Problem
    from window_app.domain.progress import ItemDecision

SUPPLEMENT_STATES = ("original", "copy", "shared", "not_applicable")
"""How a requested material may be recorded here (the checklist's states but deficiency)."""

GIVE_UP = ("reason", "material:cut", "department")
"""What a narrow table gives up first (:func:`fit_columns`): the reason, the material's name
(cut), the department; the lines under the table have the highlighted request whole."""

MATERIAL_MIN_WIDTH = 10
"""Cells a material's name keeps at the narrowest."""


RECEIVED_WORDS = Words("收取凭证", "Receipt slip")
"""P: the 补正材料收取凭证 (a slip saying what the window received)."""

OFFER_TITLE = Words("补正材料收取凭证", "Receipt for supplementary materials")
OFFER_BODY = Words(
    "补正材料已记录。现在打印补正材料收取凭证交给申请人吗？\nY 打印，Esc 不打印（稍后可在办件详情按 P 打印）。",
    "The supplementary materials are recorded. Print the receipt for them for the applicant now?\n"
    "Y prints it, Esc does not (P on the application prints it later).",
)


class Request:
    """One material a department asked for (or, when it named none, one it may have meant)."""

    def __init__(self, department: str, material: str, name: str, reason: str, *, shareable: bool, original_required: bool):
        self.department = department
        self.material = material
        self.name = name
        self.reason = reason
        self.shareable = shareable
        self.original_required = original_required

    @property
    def key(self) -> str:
        return f"{self.department}/{self.material}"


def open_requests(detail: ApplicationDetail, decisions: Mapping[str, ItemDecision]) -> list[Request]:
    """The application's unanswered supplement requests, one row per (department, material)."""
    materials = {entry["id"]: entry for entry in detail.guide.get("materials", []) if isinstance(entry, dict)}
    by_key: dict[str, Request] = {}

    def add(department: str, material_id: str, reason: str) -> None:
        entry = materials.get(material_id, {})
        name = entry.get("name_en") if language() == "en" and entry.get("name_en") else entry.get("name", material_id)
        request = Request(
            department,
            material_id,
            name,
            reason,
            shareable=bool(entry.get("shareable")),
            original_required=bool(entry.get("original_required")),
        )
        known = by_key.get(request.key)
        if known is None:
            by_key[request.key] = request
        elif reason and reason not in known.reason:
            known.reason = "；".join(filter(None, (known.reason, reason)))

    for part in detail.summary.parts:
        if part.state != "supplement_needed":
            continue
        for item in part.items:
            decision = decisions.get(item)
            if decision is None or not decision.pending_supplement:
                continue
            if decision.material:
                add(part.department, decision.material, decision.reason)
            else:  # a reason only: any of the materials this department receives
                for material_id, entry in materials.items():
                    if part.department in entry.get("departments", ()):
                        add(part.department, material_id, decision.reason)
    return list(by_key.values())


class SupplementScreen(WindowScreen[None]):
    """Record the materials the departments asked for on one application, then send them.

    Args:
        receipt_no: The application.
    """

    CSS_PATH = "supplement.tcss"
    AUTO_FOCUS = "#supplement-table"

    BINDINGS = [
        *(binding for binding in MARK_BINDINGS if binding.key != "4"),  # no deficiency for a supplement
        WordsBinding("ctrl+s", "save", words=Words("保存并发送", "Save and send")),
        WordsBinding("p", "print_received", words=RECEIVED_WORDS),
        WordsBinding("escape", "close", words=Words("返回", "Back")),
    ]

    def __init__(self, receipt_no: str) -> None:
        super().__init__()
        self.receipt_no = receipt_no
        self.detail: ApplicationDetail | None = None
        self.requests: list[Request] = []
        self.recorded: dict[str, MaterialStatus] = {}
        self._problems: dict[str, str] = {}
        self._queued_parts: set[str] = set()
        self._warned = False

    def compose(self) -> ComposeResult:
        yield WindowHeader()
        with VerticalScroll(id="supplement-body"):
            yield Static(tr("补正 · 办件 {no}", "Supplement · application {no}", no=self.receipt_no), id="supplement-title", markup=False)
            yield Static("", id="supplement-summary", markup=False)
            yield DataTable(id="supplement-table", cursor_type="row", zebra_stripes=True)
            # Right under the table, in view on any terminal: why a key was refused.
            yield Static("", id="supplement-problem", markup=False)
            yield Static("", id="supplement-row", markup=False)
            with Horizontal(id="supplement-actions"):
                yield from mark_buttons(SUPPLEMENT_STATES)
                yield Button(tr("Ctrl+S 保存并发送", "Ctrl+S Save and send"), id="supplement-save", classes="mark", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()
        self.watch(self.app, "sync_generation", self._synced, init=False)

    async def recompose(self) -> None:
        await super().recompose()
        self.load()

    def _synced(self, _generation: int) -> None:
        if self.is_current:
            self.load()

    # -- reading ----------------------------------------------------------------------------

    def load(self) -> None:
        """Read the application and its open requests (what was recorded here is kept)."""
        summary = self.query_one("#supplement-summary", Static)
        try:
            detail = self.window.application(self.receipt_no)
            decisions = self.window.item_decisions(self.receipt_no)
        except KeyError:
            summary.update(tr("没有受理编号为 {no} 的办件", "No application has receipt number {no}", no=self.receipt_no))
            return
        except StorageError as error:
            summary.update(str(error))
            return
        self.detail = detail
        self.requests = open_requests(detail, decisions)
        self._queued_parts = {
            part.department for part in detail.summary.parts if part.shown_state == "supplement_queued"
        }
        offering = str(detail.summary.offering_name)
        text = tr(
            "{o} · 申请人 {a} · {n} 份材料待补正",
            "{o} · applicant {a} · {materials} asked for",
            materials=counted(len(self.requests), "material"),
            o=offering,
            a=detail.summary.applicant_name,
            n=len(self.requests),
        )
        if not self.requests:
            text += "\n" + tr("没有待补正的材料：部门尚未要求补正，或补正已全部记录。", "Nothing is asked for: no open supplement request.")
        summary.update(text)
        self._fill()

    def _fill(self) -> None:
        """The requests, with as many columns as the width allows (the row under it has the rest)."""
        table = self.query_one("#supplement-table", DataTable)
        catalog = self.window.catalog
        requests = self.requests
        columns = [
            FitColumn("material", [Form(tr("材料", "Material"), [request.name for request in requests])], min_width=MATERIAL_MIN_WIDTH),
            FitColumn(
                "department",
                [Form(tr("要求部门", "Asked by"), [department_name(catalog, request.department, short=True) for request in requests])],
                optional=True,
            ),
            FitColumn("reason", [Form(tr("补正原因", "Reason"), [request.reason for request in requests])], optional=True),
            FitColumn("state", [Form(tr("收取情况", "Received as"), [self._state_cell(request) for request in requests])]),
            FitColumn("supplement", [Form(tr("补正", "Supplement"), [self._supplement_cell(request) for request in requests])]),
        ]
        width = table_width(table, fallback=self.app.size.width - 4)
        shown = fit_columns(columns, width, GIVE_UP, padding=table.cell_padding)
        fill_table(table, shown, [request.key for request in requests])
        self._show_problem()

    def on_resize(self, event: events.Resize) -> None:
        # The columns follow the width there is.
        if self.detail is not None:
            self.call_after_refresh(self._fill)

    def _status(self, request: Request) -> MaterialStatus:
        recorded = self.recorded.get(request.key)
        if recorded is not None:
            return recorded
        assert self.detail is not None
        return self.detail.intake.materials.get(request.material) or MaterialStatus(state="pending")

    def _state_cell(self, request: Request) -> Text:
        text = state_text(self._status(request), online=bool(self.window_app.sync_online))
        if request.key in self._problems:
            text = Text.assemble(("✗ ", "bold red"), text)
        return text

    def _supplement_cell(self, request: Request) -> Text:
        if request.key in self.recorded:
            return Text(tr("已记录，按 Ctrl+S 发送", "recorded, Ctrl+S sends"), style="bold")
        if request.department in self._queued_parts:
            return Text(tr("补正待发送", "supplement queued"), style="cyan")
        return Text(tr("待补交", "to bring"), style="yellow")

    def _current(self) -> Request | None:
        table = self.query_one("#supplement-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((request for request in self.requests if request.key == key), None)

    # -- recording ----------------------------------------------------------------------------

    def _problem(self, request: Request, status: MaterialStatus) -> Problem | None:
        """The checklist's rule for this material in this state (the window decides)."""
        assert self.detail is not None
        trial = copy.deepcopy(self.detail.intake)
        trial.materials[request.material] = status
        try:
            problems = self.window.validate(trial, "checklist")
        except KeyError:  # the offering is no longer in this window's catalog: nothing to check against
            return None
        path = f"materials.{request.material}"
        return next((problem for problem in problems if problem.path == path), None)

    def action_mark(self, state: str) -> None:
        """Record how the highlighted material was received now (not saved until Ctrl+S)."""
        request = self._current()
        if request is None or state not in SUPPLEMENT_STATES:
            return
        status = MaterialStatus(state=state)
        problem = self._problem(request, status)
        if problem is not None:
            self._problems[request.key] = problem_text(problem)
            self.app.bell()
        else:
            self._problems.pop(request.key, None)
            self.recorded[request.key] = status
        self._fill()  # the new words may be wider than their column: the columns are chosen again
        table = self.query_one("#supplement-table", DataTable)
        if problem is None and table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def _show_problem(self) -> None:
        """Why the highlighted material's key was refused, and the highlighted request whole."""
        label = self.query_one("#supplement-problem", Static)
        request = self._current()
        words = self._problems.get(request.key, "") if request is not None else ""
        label.update(words)
        label.set_class(bool(words), "-shown")
        row = self.query_one("#supplement-row", Static)
        row.set_class(request is not None, "-shown")
        if request is None:
            row.update("")
            return
        catalog = self.window.catalog
        text = Text.assemble(
            (request.name, "bold"),
            tr("：", ": "),
            self._state_cell(request),
            " · ",
            self._supplement_cell(request),
            "\n",
            tr("要求部门：{d}", "Asked by: {d}", d=department_name(catalog, request.department)),
        )
        if request.reason:
            text.append(tr("；补正原因：{r}", "; reason: {r}", r=request.reason))
        row.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_problem()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id == "supplement-save":
            event.stop()
            self.action_save()
        elif button_id.startswith("mark-"):
            event.stop()
            self.action_mark(button_id.removeprefix("mark-"))

    def action_save(self) -> None:
        """Queue a supplement envelope for each material recorded here, then go back."""
        if not self.recorded:
            self.notify(
                tr("还没有记录补交的材料（按 1、2、3 或 5）", "Nothing recorded yet (keys 1, 2, 3 or 5)"),
                severity="warning",
                markup=False,
            )
            return
        saved: list[Request] = []
        for request in [r for r in self.requests if r.key in self.recorded]:
            try:
                self.window.supply_material(self.receipt_no, request.department, request.material, self.recorded[request.key])
            except SupplementRefused as refused:
                self._problems[request.key] = str(refused)
                continue
            except KeyError as missing:
                self._problems[request.key] = tr("找不到该部门的办理部分：{k}", "No part for this department: {k}", k=missing)
                continue
            except StorageError as error:
                self.window_app.report_storage_error(error)
                break
            saved.append(request)
            del self.recorded[request.key]
        if saved:
            catalog = self.window.catalog
            departments = tr("、", ", ").join(dict.fromkeys(department_name(catalog, r.department, short=True) for r in saved))
            self.notify(
                tr(
                    "已记录 {n} 份补正材料，将发送给 {d}",
                    "{materials} recorded, to be sent to {d}",
                    materials=counted(len(saved), "supplement material"),
                    n=len(saved),
                    d=departments,
                ),
                title=tr("补正", "Supplement"),
                markup=False,
            )
            self.window_app.refresh_sync_counts()  # the header, and the worker is woken
        if self._problems or self.recorded:
            self.load()
            return
        if not saved:
            self.app.pop_screen()
            return
        # The applicant is at the window now: offer the slip for what was handed in.
        self.app.push_screen(
            Dialog(str(OFFER_TITLE), str(OFFER_BODY), confirm=True, confirm_label=tr("打印", "Print")),
            callback=self._offered,
        )

    def _offered(self, wanted: bool | None) -> None:
        if wanted:
            self.action_print_received()
        self.app.pop_screen()

    def action_print_received(self) -> None:
        """P: print the 补正材料收取凭证 of every supplement recorded for this application."""
        print_notice(self, lambda: self.window.notice("supplement-received", self.receipt_no))

    def action_close(self) -> None:
        """Back; with materials recorded and not saved, the first Esc says so."""
        if self.recorded and not self._warned:
            self._warned = True
            self.notify(
                tr(
                    "记录的补正材料尚未保存：Ctrl+S 保存并发送，再按 Esc 放弃",
                    "The recorded materials are not saved: Ctrl+S saves and sends, Esc again drops them",
                ),
                severity="warning",
                markup=False,
            )
            return
        self.app.pop_screen()

