"""Applications and drafts (办件与草稿): find what was accepted, continue what was not.

Accepted applications are listed newest first with each department's part at a glance
(``市场监管✓35分 税务…``: the mark of its state, and for a decided part the time from delivery
to decision); under the list, the highlighted application's parts in words — results, reasons,
a quarantined envelope's reason — and its conclusion (一张结论) once concluded. What needs the
clerk (需处理: a 补正 asked, a refusal not yet seen, a refused envelope for a supervisor) comes
first, marked ``!``. The screen opens on what needs action and today's applications (Ctrl+T:
all); typing searches every date at once (receipt number, applicant, ID number, bundle). The
list follows the sync worker: a round that changed anything is shown at once. It holds a page of
the whole list (the terminal's height and some): filtering, counting and paging are SQL, so
100,000 applications open about as fast as 2; moving past the page's ends (↓ ↑ PageDown PageUp,
Home End) reads the applications there. F7 opens the materials a department asked for (补正) on
the highlighted application; F9, offered when one of its envelopes was refused by the exchange
(⊘), sends them again once the cause is fixed (:mod:`screens.quarantine`).

Drafts are applications put aside before accepting: Enter continues one at the step it was
left on, Delete removes one after asking.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Static, TabbedContent, TabPane
from textual.widgets.data_table import RowDoesNotExist

from screens.application_detail import ApplicationDetailScreen
from screens.browser_keys import key_here
from screens.quarantine import ask_requeue, has_quarantined
from screens.supplement import SupplementScreen
from screens.widgets.dialog import Dialog
from screens.widgets.key_footer import KeyFooter
from screens.widgets.localized import WordsBinding
from screens.widgets.offering_preview import department_name
from screens.widgets.part_state import (
    application_state_label,
    part_words,
    parts_compact,
)
from screens.widgets.step_header import step_label
from screens.widgets.table_fit import FitColumn, Form, fill_table, fit_columns, table_width
from screens.widgets.window_header import WindowHeader
from screens.window_screen import WindowScreen
from window_app.domain.clerks import Permission
from window_app.domain.clocks import DUE_SOON, OVERDUE, clock_words
from window_app.domain.errors import StorageError
from window_app.domain.states import duration_words, part_took
from window_app.domain.times import in_zone
from window_app.domain.waived import WAIVED_STATE_WORDS
from window_app.domain.words import Words, counted, language, tr

if TYPE_CHECKING:
    from window_app.domain.applications import (
        ApplicationDetail,
        ApplicationSummary,
        DepartmentPart,
        DraftSummary,
    )
    from window_app.domain.catalog import Catalog
    from window_app.domain.progress import ItemDecision


def local_time(stamp: str, zone: dt.tzinfo) -> dt.datetime | None:
    """A stored moment in the window's time zone (``None`` when it is not one)."""
    return in_zone(stamp, zone)


def folded(text: str) -> str:
    """Text for matching: full-width forms folded (IME input), case ignored."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def conclusion_verdict(conclusion: str | None) -> str:
    """The conclusion's verdict line (``结论：共 7 项：准予办理 7 项。全部准予办理，本件办结。``)."""
    if not conclusion:
        return ""
    return next((line for line in conclusion.splitlines() if line.startswith("结论：")), conclusion.splitlines()[0])


def part_line(part: DepartmentPart, catalog: Catalog, decisions: Mapping[str, ItemDecision]) -> str:
    """One department's part in words: state, time taken, results, reasons."""
    words = [f"{department_name(catalog, part.department, short=True)} {part_words(part)}"]
    took = part_took(part)
    if took:
        words.append(tr("用时 {t}", "took {t}", t=took))
    elif part.sent_at and part.state in ("sent", "received") and part.received_at:
        waited = duration_words(part.sent_at, part.received_at)
        if waited:
            words.append(tr("{t} 后接收", "received after {t}", t=waited))
    decided = [decision for item in part.items if (decision := decisions.get(item)) is not None]
    results = [decision.result for decision in decided if decision.decision == "approved" and decision.result]
    if results:
        words.append(tr("结果：{r}", "result: {r}", r="；".join(results)))
    shown = part.shown_state
    asked = [decision for decision in decided if decision.pending_supplement]
    if shown == "quarantined":
        words.append(str(part.envelope_error))
    elif part.state == "supplement_needed" and asked:
        for decision in asked:
            material = catalog.materials.get(decision.material) if decision.material else None
            text = tr("补交：{m}", "to bring: {m}", m=str(material.name)) if material else (
                tr("补交：{m}", "to bring: {m}", m=decision.material) if decision.material else ""
            )
            if decision.reason:
                text += (tr("（{r}）", " ({r})", r=decision.reason) if text else tr("理由：{r}", "reason: {r}", r=decision.reason))
            words.append(text)
    elif part.state == "rejected":
        reasons = [decision.reason for decision in decided if decision.decision == "rejected" and decision.reason]
        reasons = reasons or ([str(part.reason)] if part.reason else [])
        if reasons:
            words.append(tr("理由：{r}", "reason: {r}", r="；".join(reasons)))
    elif part.reason and part.state in ("supplement_needed", "cancelled"):
        words.append(tr("理由：{r}", "reason: {r}", r=part.reason))
    elif part.state == "queued" and part.attempts and part.envelope_error:
        words.append(tr("上次发送未成功：{e}", "last attempt failed: {e}", e=part.envelope_error))
    return " · ".join(words)



OFFERING_WIDTH = 20
APPLICANT_WIDTH = 12
"""Cells of the offering and applicant columns at most (longer names are cut with ``…``; the
pane under the list and the detail have them whole)."""

OFFERING_MIN_WIDTH = 8
APPLICANT_MIN_WIDTH = 6
"""Cells they keep on the narrowest terminals."""

GIVE_UP = ("receipt", "time")
"""What a narrow list gives up first (:func:`fit_columns`): the receipt number for its tail
(``…0002-7A``), an older application's time of day; then the bundle's and the applicant's
names are cut. The departments' progress gets what is left (at least one mark each)."""

LIST_ROWS = 5
"""Rows the list keeps in view before the pane under it may have more lines."""

PANE_LINES = 12
"""Lines of the pane under the list at most (Enter opens the application whole)."""

TALL = 30
"""Rows from which the screen keeps its blank line above the search box (below: ``-short``)."""

PAGE_MARGIN = 8
"""Applications the list holds beyond the terminal's height (a page: a screenful and some).
Moving past either end (↓ ↑ PageDown PageUp, Home End) reads the next ones; the status line says
which of how many are shown (the count is SQL, the page is SQL: 100,000 applications open about
as fast as 2)."""

PAGE_ROWS: int | None = None
"""A fixed page size instead (tests walk a long list with a short page); ``None``: as above."""


def receipt_tail(receipt_no: str) -> str:
    """``…0002-7A``: the part of a receipt number that tells today's applications apart."""
    parts = receipt_no.split("-")
    if len(parts) < 3:
        return receipt_no
    return "…" + "-".join(parts[-2:])


def cut_line(text: str, width: int) -> str:
    """One line of at most ``width`` cells, ``…`` at its end when cut."""
    if cell_len(text) <= width:
        return text
    out = Text(text)
    out.truncate(max(width, 1), overflow="ellipsis")
    return out.plain


URGENT_PARTS = frozenset({"supplement_needed", "rejected", "quarantined"})
"""Parts shown first when the pane cannot show them all: what the clerk must act on."""


class PagedTable(DataTable):
    """The applications list: a page of the whole list; the keys that move past its ends ask
    the screen for the applications there (:meth:`ApplicationsScreen.page_to`)."""

    BINDINGS = [
        Binding("home,ctrl+home", "first", show=False),
        Binding("end,ctrl+end", "last", show=False),
    ]

    def _paged(self) -> ApplicationsScreen | None:
        screen = self.screen
        return screen if isinstance(screen, ApplicationsScreen) and self.row_count else None

    def _visible(self) -> int:
        return max(1, self.scrollable_content_region.height - (self.header_height if self.show_header else 0))

    def _top(self) -> int:
        return int(self.scroll_y)

    def action_cursor_down(self) -> None:
        screen = self._paged()
        if screen is not None and self.cursor_row == self.row_count - 1 and screen.has_after():
            row = self.cursor_row + 1
            screen.page_to(row, max(self._top(), row - self._visible() + 1))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        screen = self._paged()
        if screen is not None and self.cursor_row == 0 and screen.has_before():
            screen.page_to(-1, -1)
            return
        super().action_cursor_up()

    def action_page_down(self) -> None:
        screen = self._paged()
        visible = self._visible()
        if screen is not None and self.cursor_row + visible >= self.row_count and screen.has_after():
            screen.page_to(self.cursor_row + visible, self._top() + visible)
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        screen = self._paged()
        visible = self._visible()
        if screen is not None and self.cursor_row - visible < 0 and screen.has_before():
            screen.page_to(self.cursor_row - visible, self._top() - visible)
            return
        super().action_page_up()

    def action_first(self) -> None:
        """Home: the first application of the whole list."""
        screen = self._paged()
        if screen is not None and screen.has_before():
            screen.page_to(-screen.page_start, -screen.page_start)
            return
        self.action_scroll_top()

    def action_last(self) -> None:
        """End: the last (oldest) application of the whole list."""
        screen = self._paged()
        if screen is not None and screen.has_after():
            last = screen.list_total - screen.page_start - 1
            screen.page_to(last, last - self._visible() + 1)
            return
        self.action_scroll_bottom()


class ApplicationsScreen(WindowScreen[None]):
    """Accepted applications and drafts, searchable, over whatever step was open."""

    CSS_PATH = "applications.tcss"
    AUTO_FOCUS = "#apps-search"

    BINDINGS = [
        WordsBinding("escape", "close", words=Words("返回", "Back")),
        # Shown on the screen itself, so not in the footer: typing anywhere goes to the search
        # box, and the scope button says Ctrl+T.
        WordsBinding("ctrl+f", "search", words=Words("搜索", "Search"), show=False),
        WordsBinding("ctrl+t", "toggle_scope", words=Words("需处理和今天/全部", "To act on + today/All"), show=False),
        # A browser keeps Ctrl+T (screens/browser_keys.py); priority, or the search would type the t.
        WordsBinding(
            "alt+t", "toggle_scope", words=Words("需处理和今天/全部", "To act on + today/All"), show=False, priority=True
        ),
        WordsBinding("f6", "toggle_tab", words=Words("办件/草稿", "Switch tab")),
        WordsBinding("delete", "delete_draft", words=Words("删除草稿", "Delete draft")),
        WordsBinding("f7", "supplement", words=Words("补正", "Supplement")),
        WordsBinding("f8", "toggle_clocks", words=Words("超期提醒", "Late")),
        WordsBinding("f9", "requeue", words=Words("重新发送", "Resend")),
        WordsBinding("down", "focus_list", words=Words("列表", "List"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.today_only = True
        self.clocks_only = False
        """F8: only the applications whose statutory clock warns (overdue first, then due soon)."""
        self.tab = "apps-tab-applications"
        self._applications: list[ApplicationSummary] = []
        self._drafts: list[DraftSummary] = []
        self._to_act: set[str] = set()
        self._shown_before = False
        self.page_start = 0
        """Where the page held (``_applications``) starts in the whole list."""
        self.list_total = 0
        """Applications in the whole list (every page)."""
        self._listing: tuple[str, dt.date | None, tuple[str, ...], tuple[str, ...] | None] = ("", None, (), None)
        self._filled_for = 0  # the list's width when it was filled (or the width assumed then)
        self._marked = False

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield WindowHeader()
        with Horizontal(id="apps-bar"):
            yield Input(
                self.query_text,
                placeholder=tr(
                    "输入受理编号、申请人、证件号码或事项名称",
                    "Type a receipt number, applicant, ID number or bundle",
                ),
                id="apps-search",
            )
            yield Button(self._scope_label(), id="apps-scope", compact=True)
        with TabbedContent(initial=self.tab, id="apps-tabs"):
            with TabPane(tr("办件", "Applications"), id="apps-tab-applications"):
                yield PagedTable(id="apps-table", cursor_type="row", zebra_stripes=True)
            with TabPane(tr("草稿", "Drafts"), id="apps-tab-drafts"):
                yield DataTable(id="apps-drafts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="apps-progress", markup=False)
        yield Static("", id="apps-status", markup=False)
        yield KeyFooter()

    def _scope_words(self) -> str:
        if self.clocks_only:
            return tr("超期和即将超期", "overdue + due soon")
        if self.query_text:
            return tr("全部日期", "all dates")  # a search looks everywhere
        return tr("需处理和今天", "to act on + today") if self.today_only else tr("全部", "all")

    def _scope_label(self) -> str:
        if self.clocks_only:
            return tr("范围：超期提醒（F8）", "Showing: due/overdue (F8)")
        scope = self._scope_words()
        return tr("范围：{s}（{key}）", "Showing: {s} ({key})", s=scope, key=key_here(self.app, "ctrl+t", "alt+t"))

    def on_mount(self) -> None:
        self._build_columns()
        self.reload()
        # A sync round that changed anything (delivered, decided, concluded) shows at once.
        self.watch(self.app, "sync_generation", self._synced, init=False)

    def _synced(self, _generation: int) -> None:
        if self.is_current:
            self.reload()

    async def recompose(self) -> None:
        # The app recomposes this screen when the language changes: same query, same tab.
        focused_id = self.focused.id if self.focused is not None else None
        await super().recompose()
        self._build_columns()
        self.reload()
        target = self.query(f"#{focused_id}").first() if focused_id else None
        (target or self.query_one("#apps-search")).focus()

    def on_screen_resume(self) -> None:
        # Textual also sends this when the screen is first shown, right after on_mount's load:
        # read the database again only when coming back (a draft may have been deleted or an
        # application accepted meanwhile).
        if self._shown_before:
            self._read_clocks()  # a supplement recorded meanwhile pauses a clock
            self.reload()
        self._shown_before = True

    def on_resize(self, event: events.Resize) -> None:
        # The columns follow the width (see _fill_applications), the pane under the list the height.
        self.set_class(event.size.height < TALL, "-short")
        if self.is_mounted and self.query("#apps-table"):
            self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        if len(self._applications) < self.page_rows() and self.has_after():
            self.reload()  # a taller terminal than the page was read for
            return
        table = self.query_one("#apps-table", DataTable)
        if (table.size.width or self.app.size.width - 2) != self._filled_for:  # else: as filled
            self._fill_applications()
        self._fill_drafts()
        self._refresh_progress()

    def _build_columns(self) -> None:
        """The columns are chosen by the width at each fill (_fill_applications, _fill_drafts)."""

    # -- data -----------------------------------------------------------------------------

    def reload(self, *, from_top: bool = False) -> None:
        """Read applications and drafts again, filtered by the search text and the scope.

        The list is read a page at a time (:meth:`page_rows`): what needs the clerk first, then
        the rest newest first, filtered, counted and paged by SQL. ``from_top``: the first page
        (a new search or scope); else the page the clerk was on.
        """
        first = self._needing_action()
        only = self._clock_warned()
        # A search looks at every date; else what needs action and today's, or everything.
        on_day = self.window.now().date() if self.today_only and not self.query_text else None
        listing = (self.query_text, on_day, tuple(first), only)
        page_rows = self.page_rows()
        try:
            offset = 0 if from_top else self.page_start
            applications = self.window.applications(
                self.query_text, page_rows, offset=offset, on_day=on_day, first=first, only=only
            )
            if offset == 0 and len(applications) < page_rows:
                total = len(applications)  # all of them: no count to make (a search that finds few)
            else:
                total = self.window.count_applications(self.query_text, on_day=on_day, first=first, only=only)
                if offset and not applications:
                    # The list got shorter than where the page was (a sync round): its last page.
                    offset = max(0, total - page_rows)
                    applications = self.window.applications(
                        self.query_text, page_rows, offset=offset, on_day=on_day, first=first, only=only
                    )
            drafts = self.window.drafts()
        except StorageError as error:
            self.query_one("#apps-status", Static).update(str(error))
            return
        wanted = folded(self.query_text)
        if wanted:
            drafts = [
                draft
                for draft in drafts
                if wanted in folded(draft.applicant_name) or wanted in folded(draft.offering_name)
                or wanted in folded(draft.id)
            ]
        self._listing, self.list_total, self.page_start = listing, total, offset
        self._applications = applications
        self._drafts = drafts
        self._fill_applications()
        self._fill_drafts()
        self._refresh_status()
        self._refresh_progress()
        self.refresh_bindings()

    def _needing_action(self) -> list[str]:
        """The receipt numbers of what needs the clerk, most urgent kind first (listed first, marked).

        The app's count follows (:class:`screens.needs_action.NeedsAction`): a supplement just
        recorded or a refusal just seen is no longer counted.
        """
        tracker = getattr(self.app, "needing_action", None)
        if tracker is None:
            self._to_act = set()
            return []
        tracker.refresh()
        order = list(dict.fromkeys(action.receipt_no for action in tracker.actions))
        self._to_act = set(order)
        return order

    def _clock_warned(self) -> tuple[str, ...] | None:
        """With F8 on: the receipt numbers whose clocks warn, overdue first (``None``: F8 off).

        As the app last read them (:class:`screens.clock_watch.ClockWatch`: F8, coming back to
        this screen, a sync round that changed anything): typing a search reads no clocks.
        """
        if not self.clocks_only:
            return None
        watch = getattr(self.app, "clock_watch", None)
        warnings = watch.warnings if watch is not None else None
        return tuple(warnings.receipt_nos) if warnings is not None else ()

    def page_rows(self) -> int:
        """Applications the list holds at a time: the terminal's height and some (the list is
        never taller), so that only what is in view, and a little, is read and drawn."""
        return PAGE_ROWS or self.app.size.height + PAGE_MARGIN

    def has_before(self) -> bool:
        """Whether applications come before the page held."""
        return self.page_start > 0

    def has_after(self) -> bool:
        """Whether applications come after the page held."""
        return self.page_start + len(self._applications) < self.list_total

    def page_to(self, row: int, top: int) -> None:
        """Highlight the application at ``row`` with the one at ``top`` first in view (both
        counted from the page held, either side of it), reading the page around them."""
        index = max(0, min(self.page_start + row, self.list_total - 1))
        table = self.query_one("#apps-table", DataTable)
        visible = max(1, table.scrollable_content_region.height - table.header_height)
        top = max(0, min(self.page_start + top, index, self.list_total - visible))
        top = max(top, index - visible + 1)
        # Room either side of what is in view, so that the next keys move within the page.
        page_rows = self.page_rows()
        offset = max(0, min(top - (page_rows - visible) // 2, self.list_total - page_rows))
        offset = min(max(offset, index - page_rows + 1), index)  # the page holds the one highlighted
        query, on_day, first, only = self._listing
        try:
            applications = self.window.applications(
                query, page_rows, offset=offset, on_day=on_day, first=first, only=only
            )
        except StorageError as error:
            self.query_one("#apps-status", Static).update(str(error))
            return
        if not applications:
            return
        self.page_start, self._applications = offset, applications
        self._fill_applications(keep=False)
        table.move_cursor(row=min(index - offset, table.row_count - 1), scroll=False)
        table.call_after_refresh(table.scroll_to, y=top - offset, animate=False, force=True)
        self._refresh_status()

    def _when(self, stamp: str, *, short: bool = False) -> str:
        """``09:30`` today, ``2026-11-24 09:30`` before (``11-24`` when ``short``)."""
        zone = self.window.zone
        now = self.window.now().astimezone(zone)
        moment = local_time(stamp, zone)
        if moment is None:
            return stamp
        if moment.date() == now.date():
            return moment.strftime("%H:%M")
        return moment.strftime("%m-%d" if short else "%Y-%m-%d %H:%M")

    def _fill_applications(self, *, keep: bool = True) -> None:
        """The list, with as many columns as the width allows (the pane under it has the rest).

        Always shown: the receipt number (at least its tail), when, the bundle and the
        applicant (cut with ``…`` when long), the state, and one mark per department's part.
        The page held only: a screenful and some (:meth:`page_rows`).
        """
        table = self.query_one("#apps-table", DataTable)
        kept = self._cursor_key(table) if keep else None
        catalog = self.window.catalog
        summaries = self._applications
        # "!": needs action (the row label column shows when one row of the list has it: those
        # come first, so the first page says; later pages keep the column).
        labels: list[str | None] = ["!" if summary.receipt_no in self._to_act else None for summary in summaries]
        if self.page_start == 0 or not self._to_act:
            self._marked = any(labels)
        marked = self._marked
        # Before the first layout: the screen's width less the tabs' padding (as laid out, so that
        # the fill after it finds nothing to change).
        self._filled_for = table.size.width or self.app.size.width - 2
        width = table_width(table, fallback=self.app.size.width - 2, labels=1 if marked else 0)
        receipt_label, time_label = tr("受理编号", "Receipt no."), tr("受理", "Accepted")
        columns = [
            FitColumn(
                "receipt",
                [
                    Form(receipt_label, [summary.receipt_no for summary in summaries]),
                    Form(receipt_label, [receipt_tail(summary.receipt_no) for summary in summaries]),
                ],
            ),
            FitColumn(
                "time",
                [
                    Form(time_label, [self._when(summary.accepted_at) for summary in summaries]),
                    Form(time_label, [self._when(summary.accepted_at, short=True) for summary in summaries]),
                ],
            ),
            FitColumn(
                "offering",
                [Form(tr("事项", "Bundle / item"), [cut_line(str(summary.offering_name), OFFERING_WIDTH) for summary in summaries])],
                min_width=OFFERING_MIN_WIDTH,
            ),
            FitColumn(
                "applicant",
                [Form(tr("申请人", "Applicant"), [cut_line(summary.applicant_name, APPLICANT_WIDTH) for summary in summaries])],
                min_width=APPLICANT_MIN_WIDTH,
            ),
            FitColumn("state", [Form(tr("状态", "State"), [application_state_label(summary.state) for summary in summaries])]),
            # One mark per part at the least; it gets whatever the others leave (below).
            FitColumn("parts", [Form(tr("进度", "Parts"), [parts_compact(summary.parts, catalog, 0) for summary in summaries])]),
        ]
        shown = fit_columns(columns, width, GIVE_UP, padding=table.cell_padding)
        parts = columns[-1]
        rest = width - sum(column.used(table.cell_padding) for column in shown) + parts.natural()
        label = tr("各部门进度", "Departments")
        parts.forms = [
            Form(
                label if cell_len(label) <= rest else parts.form.label,
                [parts_compact(summary.parts, catalog, rest) for summary in summaries],
            )
        ]
        fill_table(table, shown, [summary.receipt_no for summary in summaries], labels=labels if marked else None)
        self._restore_cursor(table, kept)

    def _fill_drafts(self) -> None:
        table = self.query_one("#apps-drafts", DataTable)
        keep = self._cursor_key(table)
        offerings = []
        for draft in self._drafts:
            offering = draft.offering_name
            if language() == "en":
                try:
                    offering = str(self.window.offering(draft.offering_id).bundle.name) or offering
                except KeyError:
                    pass
            offerings.append(offering)
        time_label = tr("保存时间", "Saved")
        columns = [
            FitColumn(
                "time",
                [
                    Form(time_label, [self._when(draft.updated_at) for draft in self._drafts]),
                    Form(time_label, [self._when(draft.updated_at, short=True) for draft in self._drafts]),
                ],
            ),
            FitColumn("offering", [Form(tr("事项", "Bundle / item"), offerings)], min_width=OFFERING_MIN_WIDTH),
            FitColumn(
                "applicant",
                [Form(tr("申请人", "Applicant"), [draft.applicant_name or tr("（未填）", "(not entered)") for draft in self._drafts])],
                min_width=APPLICANT_MIN_WIDTH,
            ),
            FitColumn("step", [Form(tr("停在", "Left at"), [step_label(draft.step) for draft in self._drafts])]),
        ]
        width = table_width(table, fallback=self.app.size.width - 2)
        shown = fit_columns(columns, width, ("time",), padding=table.cell_padding)
        fill_table(table, shown, [draft.id for draft in self._drafts])
        self._restore_cursor(table, keep)

    @staticmethod
    def _cursor_key(table: DataTable) -> str | None:
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @staticmethod
    def _restore_cursor(table: DataTable, key: str | None) -> None:
        if key is None:
            return
        try:
            table.move_cursor(row=table.get_row_index(key))
        except RowDoesNotExist:  # the row is gone: the cursor stays at the top
            pass

    def _highlighted(self) -> ApplicationSummary | None:
        if self.tab != "apps-tab-applications":
            return None
        key = self._cursor_key(self.query_one("#apps-table", DataTable))
        return next((summary for summary in self._applications if summary.receipt_no == key), None)

    def _refresh_progress(self) -> None:
        """The highlighted application's parts in words, and its conclusion once concluded.

        As many lines as the height leaves once the list shows a few rows: when they do not
        all fit, one line each (cut with ``…``), what needs the clerk first, and how many more
        the detail (Enter) has.
        """
        pane = self.query_one("#apps-progress", Static)
        summary = self._highlighted()
        pane.set_class(summary is not None, "-shown")
        if summary is None:
            pane.update("")
            return
        catalog = self.window.catalog
        try:
            decisions = self.window.item_decisions(summary.receipt_no)
            detail: ApplicationDetail | None = (
                self.window.application(summary.receipt_no) if summary.state in ("concluded", "rejected") else None
            )
        except (KeyError, StorageError):
            decisions, detail = {}, None
        offering = str(summary.offering_name)
        head = f"{summary.receipt_no} · {offering} · {summary.applicant_name} · {application_state_label(summary.state)}"
        parts = [("  " + part_line(part, catalog, decisions), part.shown_state in URGENT_PARTS) for part in summary.parts]
        parts[:0] = [(line, True) for line in self._clock_lines(summary.receipt_no)]
        tails = []
        if detail is not None and detail.conclusion:
            tails.append(tr("{v}（Enter 查看全文）", "{v} (Enter shows it all)", v=conclusion_verdict(detail.conclusion)))
        if has_quarantined(summary.parts):
            tails.append(
                tr(
                    "⊘ 被交换平台退回的件不会自动重发：原因排除后按 F9 重新发送",
                    "⊘ A part the exchange returned is never resent on its own: once the cause is fixed, F9 sends it again",
                )
            )
        pane.update("\n".join(self._fit_pane(head, parts, tails)))

    def _clock_lines(self, receipt_no: str) -> list[str]:
        """The highlighted application's warnings: ``  税务 已超期：已用2/1个工作日，2026-11-27到期``,
        ``  容缺 结婚证 逾期未补交（承诺2026-12-02前）``."""
        watch = getattr(self.app, "clock_watch", None)
        warnings = watch.warnings if watch is not None else None
        if warnings is None:
            return []
        catalog = self.window.catalog
        lines = []
        clock = next((c for c in (*warnings.overdue, *warnings.due_soon) if c.receipt_no == receipt_no), None)
        if clock is not None:
            lines += [
                f"  {department_name(catalog, part.department, short=True)} {clock_words(part)}"
                for part in clock.parts
                if part.warning
            ]
        for state, promises in ((OVERDUE, warnings.waived.overdue), (DUE_SOON, warnings.waived.due_soon)):
            for promise in promises:
                if promise.receipt_no == receipt_no:
                    material = catalog.materials.get(promise.material)
                    lines.append(
                        tr(
                            "  容缺 {m} {s}（承诺{d}前补交）",
                            "  deficient {m}: {s} (promised by {d})",
                            m=str(material.name) if material else promise.material,
                            s=WAIVED_STATE_WORDS[state],
                            d=promise.promised_on.isoformat(),
                        )
                    )
        return lines

    def _fit_pane(self, head: str, parts: list[tuple[str, bool]], tails: list[str]) -> list[str]:
        """The pane's lines within the height there is (see :meth:`_refresh_progress`).

        When the lines do not all fit whole: the heading, the parts that need the clerk, the
        conclusion and the F9 hint always, the other parts as they fit (then how many more);
        each on one line, cut with ``…``, unless there is room to show it whole.
        """
        pane = self.query_one("#apps-progress", Static)
        width = pane.content_region.width or max(self.app.size.width - 6, 10)
        budget = self._pane_budget()
        console = self.app.console

        def height(text: str) -> int:
            return len(Text(text).wrap(console, width))

        whole = [head, *(text for text, _urgent in parts), *tails]
        if sum(height(text) for text in whole) <= budget:
            return whole
        urgent = [text for text, is_urgent in parts if is_urgent]
        others = [text for text, is_urgent in parts if not is_urgent]
        room = budget - 1 - len(urgent) - len(tails)
        if room < len(others):
            room -= 1  # the line that says how many more there are
        kept = others[: max(room, 0)]
        more = len(others) - len(kept)
        lines = [head, *urgent, *kept, *tails]
        # Lines cut to one row; then, most important first, whole again while there is room.
        spare = budget - len(lines) - (1 if more else 0)
        shown = {}
        for text in [head, *urgent, *tails, *kept]:
            extra = height(text) - 1
            if 0 < extra <= spare:
                shown[text] = text
                spare -= extra
        result = [shown.get(text) or cut_line(text, width) for text in lines]
        if more:
            at = 1 + len(urgent) + len(kept)
            result.insert(at, tr("  ……另有 {n} 个部门，Enter 查看办件详情", "  … {n} more departments, Enter shows the application", n=more))
        return result

    def _pane_budget(self) -> int:
        """Lines the pane may take: the list keeps :data:`LIST_ROWS` rows (or all it has) in view."""
        table = self.query_one("#apps-table", DataTable)
        pane = self.query_one("#apps-progress", Static)
        if not table.region.height:
            return PANE_LINES
        # The list's height and the pane's add up to the same whatever the pane holds.
        space = table.region.height + (pane.region.height if pane.display else 0)
        wanted = 1 + min(max(len(self._applications), 1), LIST_ROWS)  # the heading and a few rows
        return max(2, min(PANE_LINES, space - wanted))

    def _refresh_status(self) -> None:
        scope = self._scope_words()
        text = tr(
            "办件 {a} 件（{scope}）· 草稿 {d} 件",
            "{apps} ({scope}) · {drafts}",
            apps=counted(self.list_total, "application"),
            drafts=counted(len(self._drafts), "draft"),
            a=self.list_total,
            scope=scope,
            d=len(self._drafts),
        )
        if self._to_act:
            text += tr("  · 需处理 {n} 件（标 !）", "  · {n} to act on (marked !)", n=len(self._to_act))
        if self.query_text:
            text += tr("  · 搜索“{q}”", "  · search “{q}”", q=self.query_text)
        if len(self._applications) < self.list_total:  # a page of a longer list: which part of it
            text += tr(
                "  · 第 {a}–{b} 件", "  · {a}–{b} shown", a=self.page_start + 1, b=self.page_start + len(self._applications)
            )
        if self.clocks_only:
            text += self._clock_status()
        elif self.today_only and not self.query_text and not self._applications:
            text += tr("  · 按 {key} 查看全部", "  · {key} shows all", key=key_here(self.app, "ctrl+t", "alt+t"))
        self.query_one("#apps-status", Static).update(text)
        self.query_one("#apps-scope", Button).label = self._scope_label()
        tabs = self.query_one("#apps-tabs", TabbedContent)
        tabs.get_tab("apps-tab-applications").label = tr("办件（{n}）", "Applications ({n})", n=self.list_total)
        tabs.get_tab("apps-tab-drafts").label = tr("草稿（{n}）", "Drafts ({n})", n=len(self._drafts))

    # -- events ---------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "apps-search":
            self.query_text = event.value
            self.reload(from_top=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter in the search box goes to the (first) result.
        event.stop()
        self.action_focus_list()

    def on_key(self, event: events.Key) -> None:
        # Typing while a list has the focus goes on typing into the search box.
        if isinstance(self.focused, DataTable) and event.is_printable and event.character:
            search = self.query_one("#apps-search", Input)
            search.focus()
            search.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        # IME text (pasted as a whole) goes into the search box, wherever the focus is.
        search = self.query_one("#apps-search", Input)
        if self.focused is not search:
            search.focus()
            search.insert_text_at_cursor(event.text)
            event.stop()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apps-scope":
            event.stop()
            self.action_toggle_scope()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.tab = event.pane.id or self.tab
        self._refresh_progress()
        self.refresh_bindings()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "apps-table":
            self._refresh_progress()
            self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "apps-drafts":
            self.window_app.resume_draft(key)
        else:
            self.app.push_screen(ApplicationDetailScreen(key))

    # -- actions --------------------------------------------------------------------------

    def _active_table(self) -> DataTable:
        return self.query_one("#apps-drafts" if self.tab == "apps-tab-drafts" else "#apps-table", DataTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_draft":
            return self.tab == "apps-tab-drafts" and bool(self._drafts)
        if action == "toggle_clocks":
            return self.tab != "apps-tab-drafts"
        if action == "supplement" and not self.window_app.may(Permission.SUPPLEMENT):
            return False  # hidden: the clerk may not (a helper, a supervisor alone)
        if action == "requeue" and not self.window_app.may(Permission.QUARANTINE):
            return False  # hidden: refused envelopes are the supervisor's (值班长)
        if action == "supplement":
            summary = self._highlighted() if self.is_mounted else None
            return summary is not None and summary.state == "supplement_needed"
        if action == "requeue":
            summary = self._highlighted() if self.is_mounted else None
            return summary is not None and has_quarantined(summary.parts)
        return True

    def action_close(self) -> None:
        self.app.pop_screen()

    def action_search(self) -> None:
        self.query_one("#apps-search", Input).focus()

    def action_focus_list(self) -> None:
        """From the search box down into the list shown."""
        table = self._active_table()
        if table.row_count:
            table.focus()

    def action_toggle_scope(self) -> None:
        """What needs action and today's ↔ every application (a search looks at every date anyway);
        from the F8 list, back to the list as it was."""
        if self.clocks_only:
            self.clocks_only = False
        else:
            self.today_only = not self.today_only
        self.reload(from_top=True)

    def action_toggle_clocks(self) -> None:
        """F8: only the applications past 80% of a statutory limit or past it ↔ the list as before."""
        self.clocks_only = not self.clocks_only
        self._read_clocks()
        self.reload(from_top=True)

    def _read_clocks(self) -> None:
        """Read the clocks again (in a thread: the list shows the last read meanwhile, and the
        F8 list is shown again once the new one is in)."""
        watch = getattr(self.app, "clock_watch", None)
        if watch is not None:
            watch.refresh(then=self._clocks_read)

    def _clocks_read(self) -> None:
        if self.clocks_only and self.is_attached:
            self.reload()

    def _clock_status(self) -> str:
        """``  · 超期 2 件，将超期 3 件 · F8 返回`` and, when the holiday calendar lacks a year, its words."""
        overdue, due_soon = getattr(self.app, "clock_warnings", (0, 0))
        text = tr(
            "  · 超期 {o} 件，将超期 {s} 件 · F8 返回",
            "  · {o} overdue, {s} due soon · F8 goes back",
            o=overdue,
            s=due_soon,
        )
        missing = self.window.calendar_warning()
        if missing:
            text += "\n" + str(missing)
        return text

    def action_toggle_tab(self) -> None:
        """Applications ↔ drafts."""
        self.tab = "apps-tab-applications" if self.tab == "apps-tab-drafts" else "apps-tab-drafts"
        self.query_one("#apps-tabs", TabbedContent).active = self.tab
        self._active_table().focus()
        self.refresh_bindings()

    def action_supplement(self) -> None:
        """F7: the materials the departments asked for on the highlighted application."""
        summary = self._highlighted()
        if summary is None:
            return
        self.app.push_screen(SupplementScreen(summary.receipt_no))

    def action_requeue(self) -> None:
        """F9: the highlighted application's refused envelopes, sent again once the cause is fixed."""
        summary = self._highlighted()
        if summary is None or not has_quarantined(summary.parts):
            return
        ask_requeue(self, summary.receipt_no, self.reload)

    def action_delete_draft(self) -> None:
        """Delete the highlighted draft, after asking."""
        table = self.query_one("#apps-drafts", DataTable)
        key = self._cursor_key(table)
        draft = next((draft for draft in self._drafts if draft.id == key), None)
        if draft is None:
            return

        def answered(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                self.window.discard_draft(draft.id)
            except KeyError:
                pass  # already gone
            except StorageError as error:
                self.window_app.report_storage_error(error)
                return
            current = self.window_app.intake
            if current is not None and current.draft_id == draft.id:
                current.draft_id = ""  # the open application is saved again as a new draft
            self.notify(tr("草稿已删除", "Draft deleted"), markup=False)
            self.reload()

        self.app.push_screen(
            Dialog(
                tr("删除草稿", "Delete draft"),
                tr(
                    "删除“{o}”（{a}）的草稿？删除后无法恢复。",
                    "Delete the draft of “{o}” ({a})? This cannot be undone.",
                    o=draft.offering_name,
                    a=draft.applicant_name or tr("未填申请人", "no applicant"),
                ),
                confirm=True,
                confirm_label=tr("删除", "Delete"),
                error=True,
            ),
            callback=answered,
        )
