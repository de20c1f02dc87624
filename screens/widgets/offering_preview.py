"""What an offering involves, before the clerk starts it: the pick screen's right-hand pane."""

from __future__ import annotations

import collections.abc
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Container
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style as VisualStyle
from textual.visual import Visual, visualize

from screens.widgets.steady_scroll import SteadyScrollBar
from window_app.catalog.search import group_of
from window_app.domain.words import Words, counted, tr

if TYPE_CHECKING:
    from window_app.domain.catalog import Catalog
    from window_app.intake.guide import Guide  # built by the window once an offering is previewed

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


def describe(catalog: Catalog, guide: Guide, *, heading: bool = True, hot: collections.abc.Container[str] | None = None) -> Content:
    """What an offering involves under the guide's answers (:func:`describe_lines`, joined)."""
    return Content("\n").join(describe_lines(catalog, guide, heading=heading, hot=hot))


def describe_lines(catalog: Catalog, guide: Guide, *, heading: bool = True, hot: collections.abc.Container[str] | None = None) -> list[Content]:
    """What an offering involves under the guide's answers, line by line (unwrapped).

    Args:
        catalog: For department and item names.
        guide: From ``Window.preview`` (default answers) or ``Window.guide`` (the intake's).
        heading: Start with the offering's name, kind and description.
        hot: The window's hot list (``Window.hot_list``): 热点 by the region's use, not the
            catalog's flag.
    """
    offering = guide.offering
    bundle = offering.bundle
    group = group_of(offering, hot)
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


class PreviewText(SteadyScrollBar, ScrollView):
    """The description, drawn line by line (Textual's line API) under a steady scroll bar.

    A new description repaints the pane and lays nothing out: its length is this widget's own
    virtual size, set without a layout, and its scroll bar stays (:mod:`steady_scroll`). So a
    keystroke on the pick screen that changes the preview draws one frame (bench/pick_keys.py).
    It draws what a :class:`~textual.widgets.Static` of the same text would.
    """

    DEFAULT_CSS = """
    PreviewText {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
        overflow-x: hidden;
        /* Always there (drawn only when the text is longer than the pane): the lines are
        wrapped to one width, and a longer or shorter text never lays the screen out. */
        overflow-y: scroll;
    }
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Content] = []
        self._hang = False
        self._shown: list[Content] = []
        """The lines as shown: wrapped (:func:`hanging`), one per line of text."""
        self._heights: list[int] = []
        """Rows each line of ``_shown`` takes at the width drawn."""
        self._rows: list[tuple[int, int]] = []
        """Each row of the pane's virtual height: (index in ``_shown``, row within that line)."""
        self._strips: dict[int, list[Strip]] = {}
        """Lines drawn so far (only the rows scrolled into view are drawn)."""
        self._drawn_at: tuple[int, object] | None = None
        """The width and style ``_strips`` were drawn at."""

    def render(self) -> Content:
        """The text shown (drawn line by line by :meth:`render_line`; this is what it reads)."""
        return Content("\n").join(self._shown)

    def show(self, lines: list[Content], *, hang: bool, keep_scroll: bool = False) -> None:
        """Show ``lines``: each wrapped by :func:`hanging` if ``hang``, else as they come."""
        self._lines, self._hang = lines, hang
        self._draw()
        if not keep_scroll:
            self.scroll_to(y=0, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        """Wrap the lines at the current width; set the height and the scroll bar.

        Nothing is rendered here: :meth:`render_line` draws the rows scrolled into view.
        """
        width = self.scrollable_content_region.width
        wrap = (lambda line: hanging(line, width)) if self._hang else (lambda line: line)
        self._shown = [part for line in self._lines for part in wrap(line).split("\n", allow_blank=True)]
        self._strips, self._drawn_at = {}, None
        if width <= 0 or not self.is_mounted:
            self._rows = []
            return  # drawn when sized (on_resize)
        rows: list[tuple[int, int]] = []
        self._heights = []
        for index, line in enumerate(self._shown):
            height = 1 if line.cell_length <= width else line.get_height(self.styles, width)
            self._heights.append(height)
            rows += [(index, row) for row in range(height)]
        self._rows = rows
        self.virtual_size = Size(width, len(rows))
        window = self.container_size.height - self.scrollbar_size_horizontal
        bar = self.vertical_scrollbar
        bar.window_virtual_size = len(rows)
        bar.window_size = window
        self.show_bar_when_needed(len(rows) > window)
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        bar.position = self.scroll_y
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        style = self.visual_style
        index = self.scroll_offset.y + y
        if not 0 <= index < len(self._rows):
            return Strip.blank(width, style.rich_style)
        if self._drawn_at != (width, style):
            self._strips, self._drawn_at = {}, (width, style)
        number, row = self._rows[index]
        if number not in self._strips:
            self._draw_window(width, style)
        strips = self._strips[number]
        return strips[row] if row < len(strips) else Strip.blank(width, style.rich_style)

    def _draw_window(self, width: int, style: VisualStyle) -> None:
        """Render the lines in view not drawn yet, in one go (each call has a cost of its own)."""
        top = self.scroll_offset.y
        numbers = sorted({number for number, _row in self._rows[top : top + self.size.height]} - self._strips.keys())
        runs: list[list[int]] = []
        for number in numbers:  # consecutive lines, each run rendered as one text
            if runs and runs[-1][-1] == number - 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        for run in runs:
            text = Content("\n").join(self._shown[number] for number in run)
            strips = Visual.to_strips(self, visualize(self, text), width, None, style, pad=True)
            start = 0
            for number in run:
                height = self._heights[number] if len(run) > 1 else len(strips)
                self._strips[number] = strips[start : start + height]
                start += height


class OfferingPreview(Container):
    """A scrollable description of one offering (or a short note when there is none)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Held, not queried: the pick screen fills the pane before its child is mounted.
        self._text = PreviewText(id="preview-text")

    def compose(self) -> ComposeResult:
        yield self._text

    def show_guide(
        self, catalog: Catalog, guide: Guide, *, heading: bool = True, keep_scroll: bool = False, hot: collections.abc.Container[str] | None = None
    ) -> None:
        """Describe the offering of ``guide`` (see :func:`describe`)."""
        self._text.show(describe_lines(catalog, guide, heading=heading, hot=hot), hang=True, keep_scroll=keep_scroll)

    def show_text(self, text: str | Content) -> None:
        """Show a plain note (nothing highlighted, a draft, an error)."""
        self._text.show([Content(text) if isinstance(text, str) else text], hang=False)
