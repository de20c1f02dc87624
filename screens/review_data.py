"""The review's "what will be sent" list: per department, every value its part carries.

The rows come from the dispatch's own choice of a department's fields and applicant data
(:mod:`window_app.intake.parts`, which :func:`window_app.dispatch.build_envelopes` uses),
so the clerk checks exactly what each department will receive. A row knows where its value is
typed (a form field, or the applicant step), for the review's jump back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from screens.widgets.offering_preview import department_name
from window_app.domain.catalog import PREFILL_DATA, Catalog, FormField, applicant_data_for
from window_app.domain.intake import Intake
from window_app.domain.words import Words, counted, tr
from window_app.intake.form import form_values
from window_app.intake.guide import Guide
from window_app.intake.parts import applicant_part, department_form_lines, department_items, department_label

ROLES: dict[str, Words] = {
    "applicant": Words("申请人", "Applicant"),
    "enterprise": Words("企业", "Enterprise"),
    "legal_representative": Words("法定代表人", "Legal representative"),
    "contact": Words("联系人", "Contact"),
    "agent": Words("代办人", "Agent"),
}
"""Whose datum an applicant row shows (the role part of an ``applicant_data`` key)."""

WHATS: dict[str, Words] = {
    "name": Words("姓名", "name"),
    "id_number": Words("身份证号码", "ID number"),
    "phone": Words("联系电话", "phone"),
    "uscc": Words("统一社会信用代码", "unified social credit code"),
}
"""Which datum of the role an applicant row shows."""

LABEL_WIDTH = 24
"""The label column's width (cells) at least when a label is that long: long labels wrap in
it, values take the rest (:func:`label_width` widens it on a wide terminal)."""

LABEL_SHARE = 0.4
"""The label column's widest, as a share of the list's width."""


def label_width(rows: Iterable[SentRow], width: int) -> int:
    """The label column for ``rows`` in a list ``width`` cells wide: the longest label, capped
    at :data:`LABEL_SHARE` of the width (never below :data:`LABEL_WIDTH`)."""
    longest = max((cell_len(row.label) for row in rows), default=0)
    return max(1, min(longest, max(LABEL_WIDTH, int(width * LABEL_SHARE))))


@dataclass(frozen=True)
class SentRow:
    """One value a department receives.

    Attributes:
        department: The receiving department's id ("" for a department heading).
        label: What the value is, in the current language.
        value: The value as the clerk reads it (a choice's label, 是/否, a region's name).
        step: Where it is typed: ``form`` or ``applicant``.
        field: The form field's id (``form`` rows only).
    """

    department: str
    label: str
    value: str
    step: str
    field: str = ""


def datum_label(datum: str, kind: str) -> str:
    """An ``applicant_data`` key in words, e.g. 法定代表人身份证号码 / "Legal representative ID number"."""
    role, what = datum.split(".", 1)
    if role == "applicant" and kind == "enterprise":
        role = "enterprise"  # the enterprise applies: its own name and code
    role_words, what_words = ROLES.get(role, Words(role, role)), WHATS.get(what, Words(what, what))
    if role == "enterprise" and what == "name":
        what_words = Words("名称", "name")
    return tr(role_words.zh + what_words.zh, f"{role_words.en} {what_words.en}")


def shown_value(catalog: Catalog, field: FormField, value: str) -> str:
    """A form value as the clerk reads it: a choice's label, 是/否, a region's name."""
    if not value:
        return ""
    if field.type == "choice":
        return next((str(choice.label) for choice in field.choices if choice.value == value), value)
    if field.type == "bool":
        return tr("是", "yes") if value == "true" else tr("否", "no")
    if field.type == "region" and value in catalog.regions:
        return tr("{n}（{c}）", "{n} ({c})", n=catalog.regions[value].name, c=value)
    return value


def sent_rows(catalog: Catalog, intake: Intake, guide: Guide, region: str) -> dict[str, tuple[SentRow, ...]]:
    """Department id → the values its parts will carry, applicant data first, in stage order."""
    values = form_values(intake, guide.form, region)
    kind = intake.applicant.kind
    found: dict[str, tuple[SentRow, ...]] = {}
    for department, items in department_items(guide).items():
        rows: list[SentRow] = []
        data = applicant_data_for(items, kind)
        part = applicant_part(intake.applicant, data)
        lines = department_form_lines(guide, items)
        # A prefilled field carries the same datum: shown once, as the field (where it is changed).
        in_fields = {
            PREFILL_DATA[line.field.prefill][kind]: values.get(line.field.id, "")
            for line in lines
            if kind in PREFILL_DATA.get(line.field.prefill, {})
        }
        for datum in data:
            role, what = datum.split(".", 1)
            held = part if role == "applicant" else part.get(role)
            if not isinstance(held, dict) or what not in held:
                continue  # e.g. no agent acts
            if datum in in_fields and in_fields[datum] == held[what]:
                continue
            rows.append(SentRow(department, datum_label(datum, kind), str(held[what]), "applicant"))
        for line in lines:
            value = shown_value(catalog, line.field, values.get(line.field.id, ""))
            rows.append(SentRow(department, str(department_label(line, items)), value, "form", line.field.id))
        found[department] = tuple(rows)
    return found


def heading_text(catalog: Catalog, department: str, count: int) -> Text:
    """A department's heading in the list."""
    return Text.assemble(
        (department_name(catalog, department), "bold"),
        (tr("（{n} 项）", " ({values})", n=count, values=counted(count, "value")), "dim"),
    )


def row_renderable(row: SentRow, label_cells: int = LABEL_WIDTH) -> Table:
    """A row: the label on the left (wrapping within its column), the value on the right, wrapping."""
    grid = Table.grid(padding=(0, 2), expand=True)  # two spaces: label and value never run together
    grid.add_column(width=label_cells, overflow="fold")
    grid.add_column(ratio=1, overflow="fold")
    value = Text(row.value) if row.value else Text(tr("（未填）", "(empty)"), style="dim")
    value.stylize("bold")
    grid.add_row(Text(row.label), value)
    return grid
