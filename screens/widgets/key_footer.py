"""The footer of every screen: the keys that matter most first, in one line that fits the terminal.

Textual's :class:`~textual.widgets.Footer` in its compact style (one space less around each
key), with two differences:

- **Order.** The screen's own keys come first (in the order of its ``BINDINGS``, or the actions
  its ``FOOTER_ORDER`` names first), then the app's keys in :data:`APP_KEY_ORDER`: F5, F3, F4,
  F2, F1, Ctrl+L, Ctrl+Q. A clerk reads the footer from the left.
- **In a browser** (``App.is_web``: the app served by ``textual-serve``), a key the browser
  keeps for itself (:data:`~screens.browser_keys.KEPT_BY_BROWSERS`: Ctrl+N, Ctrl+T, Ctrl+Q …)
  gives its place to another key of the same action that reaches the page (Alt+N, Enter,
  Alt+Q): the footer shows what works there. In a terminal nothing changes.
- **Fit.** The footer shows only as many keys as fit its width (:func:`fitting`), dropping the
  least important from the end, and shows them again when the terminal grows. A dropped key
  still works; the F1 help lists every key of the screen, so F1 is kept whenever a key was
  dropped.

Keys bound with a :class:`~textual.binding.Binding.Group` are shown once, side by side, under
the group's description (the checklist's ``12345 收取情况``): each key is still its own
clickable cap, its own words in the tooltip and on the buttons of the screen. A group is
kept or dropped as a whole.

``tests/functional_tests/test_footers.py`` checks every screen at 80 and 120 columns in both
languages: nothing beyond the edge, and the screen's main keys shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import groupby

from rich.cells import cell_len
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey, FooterLabel, KeyGroup

from screens.browser_keys import kept_by_browsers

APP_KEY_ORDER: tuple[str, ...] = ("f5", "f3", "f4", "f2", "f1", "ctrl+l", "ctrl+q", "alt+q", "ctrl+p")
"""The app's keys, most important first: syncing and the applications list are what a clerk
reaches for between applications; quitting is always Ctrl+Q and never needs reading."""

HELP_KEY = "f1"
"""Kept whenever another key is dropped: the help lists the keys the footer has no room for."""


@dataclass(frozen=True)
class FooterItem:
    """One thing in the footer: a key with its words, or a group of keys under one label.

    Attributes:
        keys: ``(binding, enabled, tooltip)`` of each key (one unless a group).
        group: The group's description when the keys are shown as a group, else ``""``.
        compact_group: The group is drawn compact (no margin between its keys).
        rank: Where it stands in importance (lower first).
    """

    keys: tuple[tuple[Binding, bool, str], ...]
    group: str
    compact_group: bool
    rank: tuple[int, int]

    def width(self, key_display: dict[str, str]) -> int:
        """Cells the item takes in the compact footer, its right margin included."""
        if not self.group:
            binding = self.keys[0][0]
            return cell_len(key_display[binding.key]) + 1 + cell_len(binding.description) + 1
        caps = sum(cell_len(key_display[binding.key]) for binding, _e, _t in self.keys)
        if self.compact_group:  # padding-left 1, margin-right 1
            caps += 2
        else:  # a margin of 1 between caps and at both ends
            caps += len(self.keys) + 1
        return caps + cell_len(self.group) + 1

    @property
    def is_help(self) -> bool:
        return not self.group and self.keys[0][0].key == HELP_KEY


def fitting(items: list[FooterItem], width: int, key_display: dict[str, str]) -> list[FooterItem]:
    """The items to show in ``width`` cells, most important first; F1 kept whenever one is dropped."""
    ordered = sorted(items, key=lambda item: item.rank)
    widths = [item.width(key_display) for item in ordered]
    if sum(widths) <= width:
        return ordered
    help_item = next((item for item in ordered if item.is_help), None)
    room = width - (help_item.width(key_display) if help_item is not None else 0)
    shown: list[FooterItem] = []
    for item, item_width in zip(ordered, widths, strict=True):
        if item is help_item:
            continue
        if item_width > room:
            break  # keep the order: a less important key never jumps ahead of a dropped one
        shown.append(item)
        room -= item_width
    if help_item is not None:
        shown.append(help_item)
    return shown


def browser_keys_first(
    shown: dict[str, list[tuple[Binding, bool, str]]], hidden: dict[str, list[tuple[Binding, bool, str]]]
) -> defaultdict[str, list[tuple[Binding, bool, str]]]:
    """``shown`` (action → its shown keys) with the keys a browser keeps put out of the way.

    An action keeps the shown keys that reach the page; if it has none, a hidden key of the
    same action that does (the pick screen's Enter for Ctrl+N) is shown in their place, in
    the words of the key it replaces. An action with no such key stays as it is (a unit test
    sees that none is left so).
    """
    chosen: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
    for action, keys in shown.items():
        passing = [key for key in keys if not kept_by_browsers(key[0].key)]
        if not passing:
            described = keys[0][0].description
            passing = [
                (replace(binding, description=described), enabled, tooltip)
                for binding, enabled, tooltip in hidden.get(action, [])
                if not kept_by_browsers(binding.key)
            ]
        chosen[action] = passing or keys
    return chosen


class KeyFooter(Footer):
    """The compact footer, most important keys first, cut to the terminal's width."""

    DEFAULT_CSS = """
    KeyFooter.-compact FooterLabel {
        margin: 0 1 0 0;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True, show_command_palette=False)
        self._laid_out_for = -1

    @property
    def available_width(self) -> int:
        """The cells the footer has (the terminal's width before the first layout)."""
        return self.size.width or self.app.size.width

    def items(self) -> list[FooterItem]:
        """Everything the screen's footer could show, each with its rank."""
        screen = self.screen
        first: tuple[str, ...] = getattr(type(screen), "FOOTER_ORDER", ())
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        hidden: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        from_app: set[str] = set()
        for namespace, binding, enabled, tooltip in screen.active_bindings.values():
            if not binding.show:
                hidden[binding.action].append((binding, enabled, tooltip))
                continue
            by_action[binding.action].append((binding, enabled, tooltip))
            if isinstance(namespace, App) or binding.action.startswith("app."):
                from_app.add(binding.action)
        if self.app.is_web:
            by_action = browser_keys_first(by_action, hidden)
        items: list[FooterItem] = []
        for position, (group, members) in enumerate(
            groupby(by_action.items(), lambda pair: pair[1][0][0].group)
        ):
            members = list(members)
            if group is not None and len(members) > 1:
                keys = tuple(bindings[0] for _action, bindings in members)
                items.append(FooterItem(keys, group.description, group.compact, (1 if first else 0, position)))
                continue
            for action, bindings in members:
                binding = bindings[0][0]
                if action in from_app:
                    rank = (2, APP_KEY_ORDER.index(binding.key) if binding.key in APP_KEY_ORDER else len(APP_KEY_ORDER))
                elif action in first:
                    rank = (0, first.index(action) - len(first))
                else:
                    rank = (1 if first else 0, position)
                items.append(FooterItem((bindings[0],), "", False, rank))
        return items

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._laid_out_for = self.available_width
        items = self.items()
        key_display = {
            binding.key: self.app.get_key_display(binding) for item in items for binding, _e, _t in item.keys
        }
        for item in fitting(items, self._laid_out_for, key_display):
            yield from self._widgets(item, key_display)

    def _widgets(self, item: FooterItem, key_display: dict[str, str]) -> Iterable[FooterKey | KeyGroup | FooterLabel]:
        if not item.group:
            binding, enabled, tooltip = item.keys[0]
            yield FooterKey(
                binding.key,
                key_display[binding.key],
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
                classes=self._compact_class,
            ).data_bind(compact=Footer.compact)
            return
        with KeyGroup(classes="-compact" if item.compact_group else ""):
            for binding, enabled, tooltip in item.keys:
                yield FooterKey(
                    binding.key,
                    key_display[binding.key],
                    "",
                    binding.action,
                    disabled=not enabled,
                    tooltip=tooltip or binding.description,
                    classes=f"-grouped {self._compact_class}",
                ).data_bind(compact=Footer.compact)
        yield FooterLabel(item.group)

    @property
    def _compact_class(self) -> str:
        # A key is born with the class its ``compact`` watcher would add once mounted: adding
        # it then would restyle every key again before the first frame.
        return "-compact" if self.compact else ""

    def on_resize(self, event: events.Resize) -> None:
        # Another width may fit more (or fewer) keys.
        if self._bindings_ready and event.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)
