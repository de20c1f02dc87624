"""What an offering involves, before the clerk starts it: the pick screen's right-hand pane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from window_app.catalog.search import group_of
from window_app.domain.words import Words, counted, tr
from window_app.intake.guide import Guide

if TYPE_CHECKING:
    from window_app.domain.catalog import Catalog

HANDLING_CLASS: dict[int, Words] = {
    1: Words("一类直接办", "class 1, at the window"),
    2: Words("二类融通办", "class 2, department system"),
    3: Words("三类登记办", "class 3, registered and forwarded"),
}
"""Handling class → name."""

GROUP_LABELS: dict[str, Words] = {
    "drafts": Words("草稿（未办完）", "Drafts (unfinished)"),
    "hot": Words("热点套餐", "Popular bundles"),
    "local": Words("本地特色", "Local bundles"),
    "personal": Words("个人事项", "For individuals"),
    "enterprise": Words("企业事项", "For enterprises"),
    "item": Words("单项事项", "Single items"),
}
"""Pick-screen group → heading."""


def handling_class_name(handling_class: int) -> str:
    """A handling class in words, in the current language."""
    return str(HANDLING_CLASS.get(handling_class, handling_class))


def promised_days_text(days: int) -> str:
    """``即办`` for 0, else the number of working days, in the current language."""
    if days == 0:
        return tr("即办", "on the spot")
    return tr("{d} 个工作日", "{d} working day" if days == 1 else "{d} working days", d=days)


def group_label(group: str) -> str:
    """A pick-screen group heading in the current language."""
    return str(GROUP_LABELS.get(group, group))


def department_name(catalog: Catalog, department_id: str, *, short: bool = False) -> str:
    """A department's (short) name in the current language.

    ``short`` (for narrow columns) gives 市场监管 / "Market Reg." where the catalog has a short
    name in the current language, the full name otherwise.
    """
    department = catalog.body(department_id)
    if department is None:
        return department_id
    short_name = str(department.short_name)
    if short and short_name:
        return short_name
    return str(department.name)


BULLETS = ("· ", "✓ ", "- ")
"""A line starting with one of these continues under the text after it."""


def wrapped(line: Content, width: int) -> list[Content]:
    """``line`` in lines of at most ``width`` cells: at spaces, or between any two hanzi.

    Textual wraps at spaces only, so ``· 新办纳税人套餐服务（…）`` would leave the bullet alone
    on its line; Chinese breaks between any two characters.
    """
    lines = line.wrap(width)
    if len(lines) > 1 and cell_len(line.plain) != len(line.plain):  # wide characters in it
        if any(cell_len(part.plain.rstrip()) < width * 2 // 3 for part in lines[:-1]):
            return line.fold(width)
    return lines


def hanging(line: Content, width: int, indent: int | None = None) -> Content:
    """``line`` wrapped to ``width`` cells, continuation lines indented as far as its text
    (a plan's item wraps under its name, not under the bullet), or by ``indent`` cells."""
    plain = line.plain
    if indent is None:
        text = plain.lstrip(" ")
        indent = len(plain) - len(text) + (2 if text[:2] in BULLETS else 0)
    if cell_len(plain) <= width or width <= indent + 10:
        return line
    head = wrapped(line, width)[0]
    rest = line[len(head.plain) :]
    tail = rest[len(rest.plain) - len(rest.plain.lstrip(" ")) :]
    return Content("\n").join([head, *(Content(" " * indent) + part for part in wrapped(tail, width - indent))])


def describe(catalog: Catalog, guide: Guide, *, heading: bool = True) -> Content:
    """What an offering involves under the guide's answers (:func:`describe_lines`, joined)."""
    return Content("\n").join(describe_lines(catalog, guide, heading=heading))


def describe_lines(catalog: Catalog, guide: Guide, *, heading: bool = True) -> list[Content]:
    """What an offering involves under the guide's answers, line by line (unwrapped).

    Args:
        catalog: For department and item names.
        guide: From ``Window.preview`` (default answers) or ``Window.guide`` (the intake's).
        heading: Start with the offering's name, kind and description.
    """
    offering = guide.offering
    bundle = offering.bundle
    group = group_of(offering)
    kind = tr("集成套餐", "Bundle") if offering.kind == "bundle" else tr("单项事项", "Single item")
    tags = [kind, group_label(group)] if group != "item" else [kind]
    if bundle.survey:
        tags.append(tr("联合踏勘", "Joint site survey"))
    lines: list[Content] = []
    if heading:
        lines += [
            Content.from_markup("[b $accent]$name[/]", name=str(bundle.name)),
            Content.styled(" · ".join(tags), "$text-muted"),
        ]
        description = str(bundle.description)
        if description:
            lines += [Content(""), Content(description)]
        lines.append(Content(""))
    lines.append(
        Content.from_markup(
            tr("牵头部门：[b]$lead[/]", "Lead department: [b]$lead[/]"),
            lead=department_name(catalog, bundle.lead_department),
        )
    )
    summary = tr(
        "事项 {items} 项 · 部门 {departments} 个 · {stages} 个阶段 · 承诺时限 {days}",
        "{item_count} · {department_count} · {stage_count} · promised: {days}",
        item_count=counted(len(guide.items), "item"),
        department_count=counted(len(guide.departments), "department"),
        stage_count=counted(len(guide.plan.stages), "stage"),
        items=len(guide.items),
        departments=len(guide.departments),
        stages=len(guide.plan.stages),
        days=promised_days_text(guide.promised_days),
    )
    lines.append(Content(summary))
    before, after = guide.checklist.requirements, len(guide.checklist.lines)
    lines.append(
        Content(
            tr(
                "材料：逐项提交 {before} 份 → 合并后 {after} 份（少交 {saved} 份），其中 {shared} 份可数据共享核验",
                "Materials: {before} item by item → {after} merged ({saved} fewer), {shared} verified by data sharing",
                before=before,
                after=after,
                saved=before - after,
                shared=guide.checklist.shareable_count,
            )
        )
    )
    if heading and (bundle.questions or bundle.optional):
        lines.append(
            Content.styled(
                tr(
                    "情形问题 {q} 个 · 可选事项 {o} 项（下方按默认回答计算）",
                    "{questions} · {optional} (counted below under default answers)",
                    questions=counted(len(bundle.questions), "question"),
                    optional=counted(len(bundle.optional), "optional item"),
                    q=len(bundle.questions),
                    o=len(bundle.optional),
                ),
                "$text-muted",
            )
        )
    for stage in guide.plan.stages:
        lines.append(Content(""))
        parallel = tr("（并联办理）", " (in parallel)") if len(stage.items) > 1 else ""
        lines.append(
            Content.styled(
                tr("第 {n} 阶段{p}", "Stage {n}{p}", n=stage.number, p=parallel),
                "bold",
            )
        )
        for item in stage.items:
            lines.append(Content.assemble("  · ", (str(item.name), "bold")))
            lines.append(
                Content.assemble(
                    "    ",
                    (department_name(catalog, item.department), "$text-secondary"),
                    " · ",
                    (handling_class_name(item.handling_class), "$text-muted"),
                    " · ",
                    (promised_days_text(item.promised_days), "$text-muted"),
                    (" · " + tr("需踏勘", "site survey"), "$text-warning") if item.site_survey else "",
                )
            )
    if guide.plan.external_prerequisites:
        lines.append(Content(""))
        names = [
            str(catalog.items[item_id].name) if item_id in catalog.items else item_id
            for item_id in guide.plan.external_prerequisites
        ]
        lines.append(
            Content.styled(
                tr("需先取得：{names}", "Needs first: {names}", names="、".join(names)),
                "$text-warning",
            )
        )
    return lines


class OfferingPreview(VerticalScroll):
    """A scrollable description of one offering (or a short note when there is none)."""

    DEFAULT_CSS = """
    OfferingPreview {
        padding: 0 1;
        /* The scroll bar's room is kept whether it shows or not: the lines are wrapped to a
        width that does not shrink when a long guide brings the bar in. */
        scrollbar-gutter: stable;
    }
    OfferingPreview > #preview-text { width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Content] = []
        # Held, not queried: the pick screen may fill the pane before its child is mounted
        # (a preview deferred until after the list's refresh, on a screen being recomposed).
        self._text = Static("", id="preview-text")

    def compose(self):
        yield self._text

    def show_guide(self, catalog: Catalog, guide: Guide, *, heading: bool = True, keep_scroll: bool = False) -> None:
        """Describe the offering of ``guide`` (see :func:`describe`)."""
        self._lines = describe_lines(catalog, guide, heading=heading)
        self._show_lines()
        if not keep_scroll:
            self.scroll_home(animate=False)

    def _show_lines(self) -> None:
        width = self.scrollable_content_region.width
        self._text.update(Content("\n").join(hanging(line, width) for line in self._lines))

    def on_resize(self) -> None:
        if self._lines:
            self._show_lines()

    def show_text(self, text: str | Content) -> None:
        """Show a plain note (nothing highlighted, a draft, an error)."""
        self._lines = []
        self._text.update(Content(text) if isinstance(text, str) else text)
        self.scroll_home(animate=False)
