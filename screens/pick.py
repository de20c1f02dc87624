"""Step 1, the home screen: find the bundle or single item the applicant came for.

Typing searches at once (hanzi, pinyin, initials such as ``qykb``, keywords), whatever has
focus; the best 100 results are listed (a last line says how many more matched), grouped
热点 / 本地 / 个人 / 企业 / 单项事项, with unfinished drafts on top of the unfiltered list. A
keystroke redraws the search box, the count line and the list without laying the screen out
again (bench/pick_keys.py). The right-hand pane previews the highlighted offering: its items by
stage, departments, materials before and after merging, promised days.
"""

from __future__ import annotations

from collections.abc import Callable
from weakref import ref

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size, Spacing
from textual.reactive import Reactive
from textual.visual import Padding
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from screens.step import StepScreen
from screens.widgets.dialog import Dialog
from screens.widgets.localized import WordsBinding
from screens.widgets.offering_preview import (
    OfferingPreview,
    department_name,
    group_label,
)
from screens.widgets.steady_scroll import SteadyScrollBar
from screens.widgets.step_header import step_label
from window_app.catalog.search import GROUP_ORDER, group_of
from window_app.domain.catalog import Offering
from window_app.domain.clerks import Permission
from window_app.domain.errors import StorageError
from window_app.domain.times import shown
from window_app.domain.words import Words, counted, language, tr

INDENT = Spacing(0, 0, 0, 2)

SHOWN_LIMIT = 100
"""At most this many results are listed, the best ones (a few screenfuls at any size; the
shipped catalog offers at most 63 at a window): filling the list costs per option, and a
clerk narrows a long list by typing on. A last line says how many more matched."""

NARROW_WIDTH = 100
"""Below this many columns the list takes more of the width than the preview (``-narrow``)."""

MADE_LIMIT = 1000
"""Options kept per window (:meth:`PickScreen._made`): a few screenfuls of every search."""

MADE_OPTIONS: dict[int, tuple[ref, dict[tuple[str, str], Option]]] = {}
"""Per window (by identity, a weak reference to tell a new one at a reused address): (language,
option id) → the option listed for it."""

DRAFT_PREFIX = "draft:"
GROUP_PREFIX = "group:"
MORE_ID = "more"


def indented(name: str, *details: tuple[str, str]) -> Padding:
    """An option under its group heading: indented, a long one wrapping under its own text.

    A :class:`~textual.content.Content` padded on the left (not a Rich table): the list
    measures every option's height when it is filled, and a table costs a render for that.
    """
    parts: list[str | tuple[str, str]] = [name]
    for detail, style in details:
        parts += ["  ", (detail, style)]
    return Padding(Content.assemble(*parts), INDENT)


class SearchBox(Input):
    """The search box: its text grows without laying out the screen again (see :class:`ResultList`).

    An input's virtual size is its text's width, for scrolling within the box; the box itself
    keeps its size.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)


class ResultList(SteadyScrollBar, OptionList):
    """The results: an option list whose length changes without laying out the screen again.

    Textual's widgets lay the screen out whenever their virtual size changes or their scroll
    bar comes or goes; this list scrolls inside a fixed box and keeps its scroll bar, drawn
    only when the list is longer than the box (:mod:`screens.widgets.steady_scroll`). A
    keystroke then redraws the list, not the screen.
    """

    virtual_size = Reactive(Size(0, 0), layout=False)

    def fitted(self) -> None:
        """Draw the scroll bar if the options are more than the box shows (after a change)."""
        self.show_bar_when_needed(self.virtual_size.height > self.scrollable_content_region.height)

    def on_resize(self) -> None:
        self.fitted()


class PickScreen(StepScreen):
    """Search and choose an offering; Enter starts taking the application."""

    STEP = "pick"
    CSS_PATH = "pick.tcss"

    BINDINGS = [
        WordsBinding("escape", "back", words=Words("清除搜索", "Clear search")),
        WordsBinding("ctrl+n", "next", words=Words("开始办理", "Start")),
        # A browser keeps Ctrl+N (screens/browser_keys.py); priority, or the search would type the n.
        WordsBinding("alt+n", "next", words=Words("开始办理", "Start"), priority=True),
        WordsBinding("enter", "next", words=Words("开始办理", "Start"), show=False),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
        # Del deletes, as on the applications list; a priority binding that steps aside
        # (check_action) unless a draft is highlighted, so Del still edits the search text.
        WordsBinding("delete", "discard_draft", words=Words("删除草稿", "Delete draft"), priority=True),
    ]

    def compose_body(self) -> ComposeResult:
        # Set before the children exist: set on mount, it restyled the whole screen once more
        # before the first frame (bench/startup.py --profile).
        self.set_class(self.app.size.width < NARROW_WIDTH, "-narrow")
        with Horizontal(id="pick-main"):
            with Vertical(id="pick-left"):
                yield SearchBox(
                    placeholder=tr(
                        "输入名称、拼音或首字母搜索，如 qykb", "Type a name, pinyin or initials, e.g. qykb"
                    ),
                    id="search",
                    select_on_focus=False,  # typing in the list carries on the query
                )
                yield Label("", id="result-count")
                yield ResultList(id="results")
            yield OfferingPreview(id="preview")

    _listed: tuple[object, ...] = ()
    """What the list shows (the widget, language, drafts, offerings, how many more): rebuilt when it changes."""
    _previewed = ""
    """The option the preview shows."""
    _on_draft = False
    """A draft is highlighted (Del deletes it)."""

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    def on_mount(self) -> None:
        self.query_one("#results", OptionList).border_title = tr("事项", "Offerings")
        self.query_one("#preview", OfferingPreview).border_title = tr("办事指南预览", "Guide preview")
        search = self.query_one("#search", Input)
        self._fill("")
        # The list follows the text as it changes, in the handler of the key that changed it
        # (not on ``Input.Changed``, a message later): the search box, count line, list and
        # preview then reach the screen in one frame, laid out at most once.
        self.watch(search, "value", self._search, init=False)
        search.focus()

    def carry_over(self, old: StepScreen) -> None:
        query = old.query_one("#search", Input).value if isinstance(old, PickScreen) else ""
        if query:
            self.call_after_refresh(self._restore_query, query)

    def _restore_query(self, query: str) -> None:
        self.query_one("#search", Input).value = query

    # -- results -------------------------------------------------------------------------

    @property
    def results(self) -> OptionList:
        return self.query_one("#results", OptionList)

    def _fill(self, query: str) -> None:
        """Search and list the best results, grouped; highlight the best match.

        The list is rebuilt only when what it shows changes (typing on often keeps the same
        hits); the count line keeps its size, so updating it lays nothing out again.
        """
        offerings = self.window.search(query)
        hot = self.window.hot_list()  # made when the window opened or the sync stored a new one
        if not query.strip():
            offerings = self.window.hot_first()  # the region's most used first, in their order
        drafts = [] if query.strip() else self._drafts()
        shown = offerings[:SHOWN_LIMIT]
        more = len(offerings) - len(shown)
        results = self.results
        listed = (results, language(), tuple(option.id for option in drafts), tuple(offering.id for offering in shown), more, hot)
        if listed != self._listed:
            self._listed = listed
            options: list[Option] = []
            if drafts:
                options.append(self._heading("drafts"))
                options += drafts
            grouped: dict[str, list[Offering]] = {group: [] for group in GROUP_ORDER}
            for offering in shown:
                grouped[group_of(offering, hot)].append(offering)
            for group in GROUP_ORDER:
                if grouped[group]:
                    options.append(self._heading(group))
                    options += [self._option(offering) for offering in grouped[group]]
            if more:
                words = tr(
                    "…还有 {n} 项，输入更多字缩小范围", "… {n} more: type more to narrow the search", n=more
                )
                options.append(Option(Content.styled(words, "italic"), id=MORE_ID, disabled=True))
            # One replacement (clearing first would hide the scroll bar, then show it again:
            # two layouts of the screen for nothing). No options: cleared, which measures the
            # list now (set_options leaves that to the frame, which then draws a second one).
            if options:
                results.set_options(options)
            else:
                results.clear_options()
            results.fitted()
        count = self.query_one("#result-count", Label)
        if offerings:
            found = (
                tr("找到 {n} 项", "{n} found", n=len(offerings))
                if query.strip()
                else tr("本窗口可办 {n} 项", "{n} offered at this window", n=len(offerings))
            )
            if more:
                found += tr(" · 列出前 {n} 项", " · {n} listed", n=len(shown))
            count.update(found, layout=False)
            results.highlighted = results.get_option_index(offerings[0].id)
            if offerings[0].id != self._previewed:
                self._preview(offerings[0].id)  # now, not on the highlight's message: the same frame
        else:
            count.update(tr("没有找到“{q}”", "Nothing matches “{q}”", q=query.strip()), layout=False)
            self._show_in_preview(
                tr(
                    "试试汉字、全拼或首字母，例如：企业开办、qiyekaiban、qykb。",
                    "Try hanzi, full pinyin or initials, e.g. 企业开办, qiyekaiban, qykb.",
                )
            )

    def _heading(self, group: str) -> Option:
        return self._made(GROUP_PREFIX + group, lambda: Option(Content.styled(group_label(group), "bold"), id=GROUP_PREFIX + group, disabled=True))

    def _option(self, offering: Offering) -> Option:
        return self._made(offering.id, lambda: Option(self._prompt(offering), id=offering.id))

    def _made(self, option_id: str, make: Callable[[], Option]) -> Option:
        """The option ``option_id`` of this window's catalog in the current language, made once.

        An option keeps its prompt's wrapped height and rendering, so listing it again (Esc,
        Backspace, the next application's search) costs no new wrapping. Kept per window for
        the app's life, at most :data:`MADE_LIMIT` (then made afresh).
        """
        window = self.window
        kept = MADE_OPTIONS.get(id(window))
        if kept is None or kept[0]() is not window:  # a new window (tests open many)
            for gone in [key for key, (window_ref, _made) in MADE_OPTIONS.items() if window_ref() is None]:
                del MADE_OPTIONS[gone]
            kept = MADE_OPTIONS[id(window)] = (ref(window), {})
        made = kept[1]
        key = (language(), option_id)
        option = made.get(key)
        if option is None:
            if len(made) >= MADE_LIMIT:
                made.clear()
            option = made[key] = make()
        return option

    def _prompt(self, offering: Offering) -> Content:
        bundle = offering.bundle
        if offering.kind == "item":
            detail = department_name(self.window.catalog, bundle.lead_department, short=True)
        else:
            count = len(bundle.mandatory) + len(bundle.optional)
            detail = tr("{n} 项", "{items}", n=count, items=counted(count, "item"))
        return indented(str(bundle.name), (detail, "dim"))

    def _drafts(self) -> list[Option]:
        if not self.window_app.may(Permission.DRAFT):
            return []  # an administrator only takes no applications, so has no drafts to resume
        try:
            drafts = self.window.drafts()
        except StorageError as error:
            self.window_app.report_storage_error(error)
            return []
        options = []
        for draft in drafts:
            try:
                name = str(self.window.offering(draft.offering_id).bundle.name)
            except KeyError:
                name = draft.offering_name or draft.offering_id
            who = draft.applicant_name or tr("（未填申请人）", "(no applicant yet)")
            when = shown(draft.updated_at, self.window.zone, "%m-%d %H:%M")
            where = tr("停在：{step}", "at: {step}", step=step_label(draft.step))
            options.append(
                Option(indented(name, (who, "dim"), (where, "dim"), (when, "dim")), id=DRAFT_PREFIX + draft.id)
            )
        return options

    def _highlighted_id(self) -> str | None:
        results = self.results
        if results.highlighted is None:
            return None
        return results.get_option_at_index(results.highlighted).id

    # -- events --------------------------------------------------------------------------

    def _search(self, value: str) -> None:
        self._fill(value)

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id or ""
        results = self.results
        if event.option_index == results.option_count - 2 and results.get_option_at_index(-1).id == MORE_ID:
            results.scroll_end(animate=False)  # the last offering listed: show the "more" line under it
        if option_id != self._previewed and self.query("#preview"):
            # A typed query previewed its best hit already (``_fill``); the arrows land here.
            self._preview(option_id)
        # Del is offered on a draft only: the footer is rebuilt when that changes, not per key.
        on_draft = option_id.startswith(DRAFT_PREFIX)
        if on_draft != self._on_draft:
            self._on_draft = on_draft
            self.refresh_bindings()

    @on(OptionList.OptionSelected, "#results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id or "")

    def on_key(self, event: events.Key) -> None:
        # Typing while the list has focus goes to the search box.
        search = self.query_one("#search", Input)
        if search.has_focus:
            return
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            search.focus()
            search.insert_text_at_cursor(event.character)
        elif event.key == "backspace":
            event.stop()
            search.focus()
            search.action_delete_left()

    def on_paste(self, event: events.Paste) -> None:
        search = self.query_one("#search", Input)
        if not search.has_focus and event.text:
            event.stop()
            search.focus()
            search.insert_text_at_cursor(event.text.splitlines()[0])

    def _show_in_preview(self, text: str) -> None:
        self._previewed = ""
        self.query_one("#preview", OfferingPreview).show_text(text)

    def _preview(self, option_id: str) -> None:
        pane = self.query_one("#preview", OfferingPreview)
        self._previewed = option_id
        if option_id.startswith(DRAFT_PREFIX):
            pane.show_text(
                tr(
                    "未办完的申请（草稿）。\n\n按 Enter 从上次停下的步骤继续；按 Del 删除草稿。",
                    "An unfinished application (draft).\n\nEnter continues where it was left; Del deletes it.",
                )
            )
            return
        try:
            guide = self.window.preview(option_id)
        except (KeyError, ValueError) as error:
            self._show_in_preview(tr("无法预览：{e}", "Cannot preview: {e}", e=error))
            return
        pane.show_guide(self.window.catalog, guide, hot=self.window.hot_list())

    def _choose(self, option_id: str) -> None:
        if not option_id or option_id.startswith(GROUP_PREFIX) or option_id == MORE_ID:
            return
        if option_id.startswith(DRAFT_PREFIX):
            self.window_app.resume_draft(option_id[len(DRAFT_PREFIX) :])
        else:
            self.window_app.start_intake(option_id)

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_draft":
            return False
        if action == "discard_draft":
            return bool((self._highlighted_id() or "").startswith(DRAFT_PREFIX))
        return True

    def action_move(self, delta: int) -> None:
        """Move the highlight in the results (from the search box)."""
        results = self.results
        if abs(delta) == 1:
            results.action_cursor_down() if delta > 0 else results.action_cursor_up()
        else:
            results.action_page_down() if delta > 0 else results.action_page_up()

    def action_next(self) -> None:
        """Start (or continue) the highlighted offering or draft."""
        self._choose(self._highlighted_id() or "")

    def action_back(self) -> None:
        """Clear the search."""
        search = self.query_one("#search", Input)
        search.value = ""
        search.focus()

    def action_discard_draft(self) -> None:
        """Delete the highlighted draft (after asking)."""
        option_id = self._highlighted_id() or ""
        if not option_id.startswith(DRAFT_PREFIX):
            return

        def discard(confirmed: bool | None) -> None:
            if not confirmed:
                return
            try:
                self.window.discard_draft(option_id[len(DRAFT_PREFIX) :])
            except KeyError:
                pass
            except StorageError as error:
                self.window_app.report_storage_error(error)
                return
            self._fill(self.query_one("#search", Input).value)
            self.notify(tr("草稿已删除", "Draft discarded"))

        self.app.push_screen(
            Dialog(
                tr("删除草稿", "Discard draft"),
                tr("删除这份未办完的申请？删除后无法恢复。", "Discard this unfinished application? This cannot be undone."),
                confirm=True,
                confirm_label=tr("删除", "Discard"),
                error=True,
            ),
            discard,
        )
