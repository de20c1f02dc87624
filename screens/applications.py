"""Applications and drafts (办件与草稿): find what was accepted, continue what was not.

Accepted applications are listed newest first with each department's part at a glance
(``市场监管✓ 税务…``); typing filters at once (receipt number, applicant, ID number, bundle).
Drafts are applications put aside before accepting: Enter continues one at the step it was
left on, Delete removes one after asking.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Input, Static, TabbedContent, TabPane
from textual.widgets.data_table import RowDoesNotExist

from offline_cache.db import StorageError
from screens.safety import GuardedDispatch
from screens.widgets.dialog import Dialog
from screens.widgets.localized import localize_bindings
from screens.widgets.part_state import application_state_label, parts_compact
from screens.widgets.step_header import step_label
from screens.widgets.window_header import WindowHeader
from window_app.i18n import language, tr

if TYPE_CHECKING:
    from window_app.applications import ApplicationSummary, DraftSummary
    from window_app.window import Window


def local_time(stamp: str, tz: dt.tzinfo | None) -> dt.datetime | None:
    """An ISO timestamp in the window's time zone (``None`` when it is not one)."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is not None and tz is not None:
        moment = moment.astimezone(tz)
    return moment


def folded(text: str) -> str:
    """Text for matching: full-width forms folded (IME input), case ignored."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


class ApplicationsScreen(GuardedDispatch, Screen):
    """Accepted applications and drafts, searchable, over whatever step was open."""

    CSS_PATH = "applications.tcss"
    AUTO_FOCUS = "#apps-search"

    BINDINGS = [
        Binding("escape", "close", "返回|Back"),
        Binding("ctrl+f", "search", "搜索|Search"),
        Binding("ctrl+t", "toggle_scope", "今天/全部|Today/All"),
        Binding("f6", "toggle_tab", "办件/草稿|Applications/Drafts"),
        Binding("delete", "delete_draft", "删除草稿|Delete draft"),
        Binding("down", "focus_list", "列表|List", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_text = ""
        self.today_only = True
        self.tab = "apps-tab-applications"
        self._applications: list[ApplicationSummary] = []
        self._drafts: list[DraftSummary] = []
        localize_bindings(self)

    @property
    def window(self) -> Window:
        return self.app.window  # type: ignore[attr-defined]

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
                yield DataTable(id="apps-table", cursor_type="row", zebra_stripes=True)
            with TabPane(tr("草稿", "Drafts"), id="apps-tab-drafts"):
                yield DataTable(id="apps-drafts", cursor_type="row", zebra_stripes=True)
        yield Static("", id="apps-status", markup=False)
        yield Footer()

    def _scope_label(self) -> str:
        scope = tr("今天", "Today") if self.today_only else tr("全部", "All")
        return tr("范围：{s}（Ctrl+T）", "Showing: {s} (Ctrl+T)", s=scope)

    def on_mount(self) -> None:
        self._build_columns()
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
        self.reload()  # a draft may have been deleted or an application accepted meanwhile

    def _build_columns(self) -> None:
        applications = self.query_one("#apps-table", DataTable)
        applications.add_column(tr("受理编号", "Receipt no."), key="receipt")
        applications.add_column(tr("受理时间", "Accepted"), key="time")
        applications.add_column(tr("事项", "Bundle / item"), key="offering")
        applications.add_column(tr("申请人", "Applicant"), key="applicant")
        applications.add_column(tr("状态", "State"), key="state")
        applications.add_column(tr("各部门进度", "Departments"), key="parts")
        drafts = self.query_one("#apps-drafts", DataTable)
        drafts.add_column(tr("保存时间", "Saved"), key="time")
        drafts.add_column(tr("事项", "Bundle / item"), key="offering")
        drafts.add_column(tr("申请人", "Applicant"), key="applicant")
        drafts.add_column(tr("停在", "Left at"), key="step")

    # -- data -----------------------------------------------------------------------------

    def reload(self) -> None:
        """Read applications and drafts again, filtered by the search text and the scope."""
        try:
            applications = self.window.applications(self.query_text)
            drafts = self.window.drafts()
        except StorageError as error:
            self.query_one("#apps-status", Static).update(
                tr(error.message, getattr(error, "message_en", "") or error.message)
            )
            return
        now = self.window.now()
        if self.today_only:
            applications = [
                summary
                for summary in applications
                if (moment := local_time(summary.accepted_at, now.tzinfo)) is not None and moment.date() == now.date()
            ]
        wanted = folded(self.query_text)
        if wanted:
            drafts = [
                draft
                for draft in drafts
                if wanted in folded(draft.applicant_name) or wanted in folded(draft.offering_name)
                or wanted in folded(draft.id)
            ]
        self._applications = applications
        self._drafts = drafts
        self._fill_applications()
        self._fill_drafts()
        self._refresh_status()

    def _when(self, stamp: str) -> str:
        now = self.window.now()
        moment = local_time(stamp, now.tzinfo)
        if moment is None:
            return stamp
        if moment.date() == now.date():
            return moment.strftime("%H:%M")
        return moment.strftime("%Y-%m-%d %H:%M")

    def _fill_applications(self) -> None:
        table = self.query_one("#apps-table", DataTable)
        keep = self._cursor_key(table)
        table.clear()
        catalog = self.window.catalog
        for summary in self._applications:
            name = summary.offering_name_en if language() == "en" and summary.offering_name_en else summary.offering_name
            table.add_row(
                summary.receipt_no,
                self._when(summary.accepted_at),
                name,
                summary.applicant_name,
                application_state_label(summary.state),
                parts_compact(summary.parts, catalog),
                key=summary.receipt_no,
            )
        self._restore_cursor(table, keep)

    def _fill_drafts(self) -> None:
        table = self.query_one("#apps-drafts", DataTable)
        keep = self._cursor_key(table)
        table.clear()
        for draft in self._drafts:
            offering = draft.offering_name
            if language() == "en":
                try:
                    offering = self.window.offering(draft.offering_id).bundle.name_en or offering
                except KeyError:
                    pass
            table.add_row(
                self._when(draft.updated_at),
                offering,
                draft.applicant_name or tr("（未填）", "(not entered)"),
                step_label(draft.step),
                key=draft.id,
            )
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

    def _refresh_status(self) -> None:
        scope = tr("今天", "today") if self.today_only else tr("全部", "all")
        text = tr(
            "办件 {a} 件（{scope}）· 草稿 {d} 件",
            "{a} applications ({scope}) · {d} drafts",
            a=len(self._applications),
            scope=scope,
            d=len(self._drafts),
        )
        if self.query_text:
            text += tr("  · 搜索“{q}”", "  · search “{q}”", q=self.query_text)
        if self.today_only and not self._applications:
            text += tr("  · 按 Ctrl+T 查看全部", "  · Ctrl+T shows all")
        self.query_one("#apps-status", Static).update(text)
        self.query_one("#apps-scope", Button).label = self._scope_label()
        tabs = self.query_one("#apps-tabs", TabbedContent)
        tabs.get_tab("apps-tab-applications").label = tr("办件（{n}）", "Applications ({n})", n=len(self._applications))
        tabs.get_tab("apps-tab-drafts").label = tr("草稿（{n}）", "Drafts ({n})", n=len(self._drafts))

    # -- events ---------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "apps-search":
            self.query_text = event.value
            self.reload()

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
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if key is None:
            return
        if event.data_table.id == "apps-drafts":
            self.app.resume_draft(key)  # type: ignore[attr-defined]
        else:
            from screens.application_detail import ApplicationDetailScreen

            self.app.push_screen(ApplicationDetailScreen(key))

    # -- actions --------------------------------------------------------------------------

    def _active_table(self) -> DataTable:
        return self.query_one("#apps-drafts" if self.tab == "apps-tab-drafts" else "#apps-table", DataTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_draft":
            return self.tab == "apps-tab-drafts" and bool(self._drafts)
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
        """Today only ↔ every application."""
        self.today_only = not self.today_only
        self.reload()

    def action_toggle_tab(self) -> None:
        """Applications ↔ drafts."""
        self.tab = "apps-tab-applications" if self.tab == "apps-tab-drafts" else "apps-tab-drafts"
        self.query_one("#apps-tabs", TabbedContent).active = self.tab
        self._active_table().focus()
        self.refresh_bindings()

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
                self.app.report_storage_error(error)  # type: ignore[attr-defined]
                return
            current = getattr(self.app, "intake", None)
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
