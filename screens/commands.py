"""The command palette's commands (Ctrl+P): the app's own, then the current screen's.

Each command is a key's action said in the interface language, with its key beside it, so the
palette also teaches the keys. Typing filters (in either language: ``同步`` or ``sync``); Enter
runs the highlighted command on the screen the palette was opened from.

What the signed-in clerk may not do is not offered: an action a screen's or the app's
``check_action`` refuses, and the actions of :data:`ACTION_PERMISSIONS` without the
permission (a helper is not offered 受理). The services refuse them anyway.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.actions import parse as parse_action
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from screens.browser_keys import kept_by_browsers, key_here
from screens.theme import theme_command_words
from screens.widgets.localized import APP_BINDINGS, WordsBinding, class_words, key_name
from window_app.domain.clerks import Permission
from window_app.domain.words import Words

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen

ACTION_PERMISSIONS: dict[str, Permission] = {
    "accept": Permission.ACCEPT,
    "conclude_at_window": Permission.DECIDE_AT_WINDOW,
    "supplement": Permission.SUPPLEMENT,
    "requeue": Permission.QUARANTINE,
    "new_intake": Permission.DRAFT,
    "show_applications": Permission.VIEW_APPLICATIONS,
    "show_rectification": Permission.RECTIFY,
    "show_report": Permission.VIEW_APPLICATIONS,
    "show_courier": Permission.BACKUP,
}
"""Actions offered only to a clerk with the permission (by the action's name)."""

NOT_IN_PALETTE = {"command_palette", "quit"}
"""App actions the palette does not list among the keys (it is open; quit comes last)."""

PALETTE_WORDS: dict[str, Words] = {
    "new_intake": Words("新办件（回到选择事项）", "New application (back to the start)"),
    "show_applications": Words("办件与草稿", "Applications and drafts"),
    "sync_now": Words("立即同步", "Sync now"),
    "show_report": Words("统计：办件量、精简、用时", "Statistics: applications, savings, times"),
    "toggle_language": Words("切换语言为 English", "Switch the language to 中文"),
    "lock": Words("锁屏", "Lock the window"),
    "help": Words("帮助：本页按键与说明", "Help: this screen's keys and how-to"),
    "command_palette": Words("命令面板", "Commands"),
}
"""The app's commands in the palette and in F1's list: longer than the footer's words (there is room)."""


@dataclass(frozen=True)
class Command:
    """One line of the palette.

    Attributes:
        words: What it does.
        key: The key that does the same (``F5``), empty if none.
        action: The action run on ``target``.
        target: The node that runs it (the screen or the app).
    """

    words: Words
    key: str
    action: str
    target: DOMNode

    @property
    def text(self) -> str:
        """The line shown: words, then the key."""
        return f"{self.words}  {self.key}" if self.key else str(self.words)


def app_commands(screen: Screen) -> Iterator[Command]:
    """The app's keys (F1–F5, Ctrl+L …), the theme, and quit last."""
    app = screen.app
    for binding in APP_BINDINGS:
        if isinstance(binding, WordsBinding) and binding.action not in NOT_IN_PALETTE:
            words = PALETTE_WORDS.get(binding.action, binding.words)
            yield Command(words, key_name(binding.key), binding.action, app)
    yield Command(theme_command_words(app.theme), "", "toggle_theme", app)
    yield Command(Words("退出", "Quit"), key_here(app, "ctrl+q", "alt+q"), "quit", app)


def screen_commands(screen: Screen) -> Iterator[Command]:
    """The screen's keys that have words (one line per action), its class's own first (the
    review's 受理 before the 上一步 every step has)."""
    words_of = class_words(type(screen))
    own = {(binding.key, binding.action) for binding in Binding.make_bindings(type(screen).__dict__.get("BINDINGS", ()))}
    bindings = sorted((binding for _key, binding in screen._bindings), key=lambda b: (b.key, b.action) not in own)
    seen: set[str] = set()
    for binding in bindings:
        words = words_of.get((binding.key, binding.action))
        if words is None or binding.action in seen or binding.action.startswith("app."):
            continue
        seen.add(binding.action)
        yield Command(words, key_name(usable_key(screen, binding, bindings)), binding.action, screen)


def usable_key(screen: Screen, binding: Binding, bindings: list[Binding]) -> str:
    """``binding``'s key, or in a browser, if the browser keeps it, another key of its action
    that it passes (Alt+N for Ctrl+N: screens/browser_keys.py)."""
    if not (screen.app.is_web and kept_by_browsers(binding.key)):
        return binding.key
    return next(
        (other.key for other in bindings if other.action == binding.action and not kept_by_browsers(other.key)),
        binding.key,
    )


def allowed(command: Command) -> bool:
    """Whether the signed-in clerk may run ``command`` here now."""
    _namespace, name, parameters = parse_action(command.action)
    if command.target.check_action(name, parameters) in (False, None):
        return False
    permission = ACTION_PERMISSIONS.get(name)
    if permission is None:
        return True
    may = getattr(command.target.app, "may", None)
    return may is None or bool(may(permission))


def commands_for(screen: Screen) -> list[Command]:
    """Every command offered on ``screen``: its own first, then the app's."""
    found = [*screen_commands(screen), *app_commands(screen)]
    return [command for command in found if allowed(command)]


class WindowCommands(Provider):
    """The palette's provider: the app's and the current screen's commands."""

    def _commands(self) -> list[Command]:
        return commands_for(self.screen)

    def _run(self, command: Command) -> Callable[[], Awaitable[bool]]:
        """What the palette calls (and awaits) when the command is chosen."""
        return partial(self.app.run_action, command.action, command.target)

    async def discover(self) -> Hits:
        """All commands, before anything is typed."""
        for command in self._commands():
            yield DiscoveryHit(command.text, self._run(command), help=None)

    async def search(self, query: str) -> Hits:
        """The commands whose words (either language) or key match ``query``."""
        matcher = self.matcher(query)
        for command in self._commands():
            shown = command.text
            other = f"{command.words.en} {command.words.zh}"
            score = max(matcher.match(shown), matcher.match(other) * 0.9)
            if score > 0:
                display = matcher.highlight(shown) if matcher.match(shown) else shown
                yield Hit(score, display, self._run(command), text=shown)
