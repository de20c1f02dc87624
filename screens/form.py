"""Step 5, the unified form (一表申请): every field of every item asked once, prefilled.

The paper's second complaint is basic information typed again into every department's form.
Here each field appears once, whatever number of items use it (the row says how many, and
which on hover), fields known from the applicant step are filled in already, and every value
is checked as it is typed, with the window's message right under the field.
"""

from __future__ import annotations

import re

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Input, RadioSet, Select, Static

from screens.step import StepScreen
from screens.widgets.choices import YesNo
from screens.widgets.field_row import SHORT_HEIGHT, CodeInput, FieldRow, fit_labels, mark_problems
from window_app.domain.intake import FormLine, Problem
from window_app.domain.words import Words, counted, tr
from window_app.intake.fields import is_blank
from window_app.intake.guide import Guide
from window_app.intake.rules import applicable_rules, fields_ruled_with

ROW_MAX = 110
"""The widest a field row gets (``#form-fields FieldRow`` in form.tcss)."""

FRAME = 6
"""Cells around the rows: the step body's and the form's padding, the scroll bar."""

PLACEHOLDERS: dict[str, Words] = {
    "id_number": Words("18位居民身份证号码", "18-character resident ID number"),
    "uscc": Words("18位统一社会信用代码", "18-character unified social credit code"),
    "phone": Words("手机或座机，如 0859-4612345", "mobile or landline, e.g. 0859-4612345"),
    "date": Words("YYYY-MM-DD", "YYYY-MM-DD"),
    "number": Words("数字", "a number"),
}
"""Field type → what an empty input suggests."""


def widget_id(field_id: str) -> str:
    """A Textual id for a field's control (catalog ids may hold characters ids cannot)."""
    return "field-" + re.sub(r"[^A-Za-z0-9_-]", "_", field_id)


class FormScreen(StepScreen):
    """The merged form, grouped as the catalog groups fields, checked as typed."""

    STEP = "form"
    CSS_PATH = "form.tcss"

    def __init__(self, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._guide: Guide | None = None
        self._controls: dict[str, Widget] = {}  # field id → control
        self._focus_field = ""

    @property
    def guide(self) -> Guide:
        """The guide of the intake (built once: answers cannot change on this step)."""
        if self._guide is None:
            self._guide = self.window.guide(self.intake)
        return self._guide

    # -- layout ---------------------------------------------------------------------------

    def compose_body(self) -> ComposeResult:
        form = self.guide.form
        self.window.prefill(self.intake)
        yield Static(
            tr(
                "本表合并了 {items} 个事项的表单：共 {n} 项，免于重复填写 {m} 项",
                "One form for {item_count}: {fields}, {m} not typed twice",
                item_count=counted(len(self.guide.items), "item"),
                fields=counted(len(form.lines), "field"),
                items=len(self.guide.items),
                n=len(form.lines),
                m=form.saved,
            ),
            id="form-headline",
            markup=False,
        )
        with VerticalScroll(id="form-fields", can_focus=False):
            if not form.lines:
                yield Static(tr("本次申请无需填写表单", "This application has no form to fill in"), id="form-empty")
            group = None
            for line in form.lines:
                if line.field.group != group:  # the form groups by the Chinese heading
                    group = line.field.group
                    heading = str(line.field.group) if group else tr("其他", "Other")
                    yield Static(heading, classes="form-group", markup=False)
                yield self._row(line)

    def _row(self, line: FormLine) -> FieldRow:
        control = self._control(line)
        self._controls[line.field.id] = control
        catalog = self.window.catalog
        count = len(line.used_by)
        usage = tr("{n} 个事项使用", "used by {n} item" + ("s" if count != 1 else ""), n=count)
        hint_parts = [usage]
        if line.field.prefill.startswith("window."):
            hint_parts.append(tr("预填为本窗口所在地", "prefilled with this window's region"))
        elif line.field.prefill:
            hint_parts.append(tr("可由申请人信息预填", "prefilled from the applicant"))
        if line.field.hint:
            hint_parts.append(str(line.field.hint))
        row = FieldRow(
            str(line.field.label),
            control,
            path=f"fields.{line.field.id}",
            required=line.required,
            hint=" · ".join(hint_parts),
            id=f"{widget_id(line.field.id)}-row",
        )
        row.tooltip = tr("使用此字段的事项：", "Items using this field:") + "\n" + "\n".join(
            f"· {catalog.items[item_id].name}" for item_id in line.used_by if item_id in catalog.items
        )
        return row

    def _control(self, line: FormLine) -> Widget:
        field = line.field
        value = self.intake.fields.get(field.id, "")
        control_id = widget_id(field.id)
        if field.type == "choice":
            options = [(str(choice.label), choice.value) for choice in field.choices]
            known = {choice.value for choice in field.choices}
            return Select(
                options,
                value=value if value in known else Select.NULL,
                prompt=tr("请选择", "Choose"),
                id=control_id,
            )
        if field.type == "region":
            regions = sorted(self.window.catalog.regions.values(), key=lambda region: region.code)
            return Select(
                [(f"{region.name}（{region.code}）", region.code) for region in regions],
                value=value if value in self.window.catalog.regions else Select.NULL,
                prompt=tr("请选择行政区划", "Choose a region"),
                id=control_id,
            )
        if field.type == "bool":
            return YesNo(value, id=control_id)  # 是/否, nothing chosen until answered
        placeholder = str(PLACEHOLDERS.get(field.type, ""))
        control_class = CodeInput if field.type in ("id_number", "uscc") else Input
        return control_class(value, placeholder=placeholder, id=control_id)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        """Label column for the width; on a short terminal rows close up and only the focused
        row shows its hint (every row's hint is also in its tooltip)."""
        fit_labels(self.query(FieldRow), min(ROW_MAX, width - FRAME))
        self.set_class(height < SHORT_HEIGHT, "-short")

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)
        # What a draft brought back wrong is shown at once; blank fields wait for the clerk.
        typed = [f"fields.{field_id}" for field_id in self._controls if not is_blank(self.intake.fields.get(field_id))]
        if typed:
            mark_problems(self, self.window.validate(self.intake, "form"), paths=typed)
        target = self._controls.get(self._focus_field) or next(iter(self._controls.values()), None)
        if target is not None:
            target.focus()

    def focus_field(self, field_id: str) -> None:
        self._focus_field = field_id

    def carry_over(self, old: StepScreen) -> None:
        if isinstance(old, FormScreen):
            focused = old.focused
            self._focus_field = next(
                (field_id for field_id, control in old._controls.items() if control is focused), ""
            )

    # -- values -----------------------------------------------------------------------------

    def _value_of(self, control: Widget) -> str:
        if isinstance(control, YesNo):
            return control.answer
        if isinstance(control, Select):
            return "" if control.value is Select.NULL else str(control.value)
        if isinstance(control, Input):
            return control.value.strip()
        return ""

    def _field_of(self, control: Widget) -> str | None:
        return next((field_id for field_id, candidate in self._controls.items() if candidate is control), None)

    def _changed(self, control: Widget) -> None:
        """A value changed: store it and check that one field now."""
        field_id = self._field_of(control)
        if field_id is None:
            return
        value = self._value_of(control)
        if self.intake.fields.get(field_id) == value:
            return  # a control reporting the value it was built with (on_mount checked those)
        self.intake.fields[field_id] = value
        # A field sharing a cross-field rule with this one may have become right or wrong too.
        touched = (field_id, *fields_ruled_with(applicable_rules(self.guide.offering, self.guide.form), field_id))
        mark_problems(self, self.window.validate(self.intake, "form"), paths=[f"fields.{f}" for f in touched])

    def on_input_changed(self, event: Input.Changed) -> None:
        self._changed(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._changed(event.select)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self._changed(event.radio_set)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter moves on to the next field, as Tab does.
        event.stop()
        self.focus_next()

    # -- the rhythm -----------------------------------------------------------------------------

    def commit(self) -> None:
        """Write every field's value into the intake (only this form's fields)."""
        if not self._controls:
            return
        self.intake.fields = {field_id: self._value_of(control) for field_id, control in self._controls.items()}

    def show_problems(self, problems: list[Problem]) -> None:
        """Every problem under its field; the first such field is focused and scrolled to."""
        rest = mark_problems(self, problems)
        marked = [row for row in self.query(FieldRow) if row.problem is not None]
        # A cross-field rule marks each field it names; the field it is about is the one to fix.
        first = next((row for row in marked if row.problem and row.problem.path == row.path), None) or next(iter(marked), None)
        if first is not None:
            first.control.focus()
            self.query_one("#form-fields", VerticalScroll).scroll_to_widget(first, animate=False)
            self.notify(
                tr(
                    "有 {n} 项需要修改，已在字段下方标出",
                    "{fields} to correct (shown under each)",
                    n=len(problems) - len(rest),
                    fields=counted(len(problems) - len(rest), "field"),
                ),
                title=tr("还不能进入下一步", "Cannot go on yet"),
                severity="error",
                markup=False,
            )
        super().show_problems(rest)
