"""The top line of every screen: which centre, which window, which region, who is signed in,
and the line's state."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from window_app.domain.clerks import Clerk, Role
from window_app.domain.words import NO_WORDS, Words, tr

ROLE_RANK = (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.SOLE_APPROVER, Role.ACCEPTOR, Role.HELPER)
"""Which of a clerk's roles the header names (the first they have); the tooltip names them all."""


def clerk_words(clerk: Clerk | None) -> Words:
    """``王芳 A001 管理员`` / ``王芳 A001 administrator``: who is signed in, in a few columns."""
    if clerk is None:
        return Words("未登录", "Not signed in")
    role = next((role for role in ROLE_RANK if role in clerk.roles), None)
    name = f"{clerk.name} {clerk.id}" if clerk.name else clerk.id
    if role is None:
        return Words(name, name)
    return Words(f"{name} {role.words.zh}", f"{name} {role.words.en}")


class Badge(Label):
    """A label of the header whose classes follow the app's state."""

    def set_classes_for(self, classes: dict[str, bool]) -> None:
        """Add and remove classes as ``classes`` says (name → wanted)."""
        for name, wanted in classes.items():
            self.set_class(wanted, name)


def initial_classes(classes: dict[str, bool]) -> str:
    """The ``classes`` argument of a badge made in this state."""
    return " ".join(name for name, wanted in classes.items() if wanted)


class ClerkBadge(Label):
    """The signed-in clerk: name, 工号 and the main role (all roles in the tooltip).

    It follows the app's ``clerk_id`` (set at every sign-in and lock).
    """

    DEFAULT_CSS = """
    ClerkBadge { padding: 0 1; text-style: bold; color: $text-accent; }
    """

    def on_mount(self) -> None:
        if hasattr(self.app, "clerk_id"):
            self.watch(self.app, "clerk_id", self._show, init=False)
        self._show()

    def _show(self, _value: object = None) -> None:
        window = getattr(self.app, "window", None)
        clerk = window.clerk if window is not None else None
        self.update(str(clerk_words(clerk)))
        self.tooltip = str(clerk.roles_words()) if clerk is not None else None


class ActionBadge(Badge):
    """``需处理 N`` / ``N to act on``: applications with a 补正, a refusal not yet seen or a
    quarantined envelope (the app's ``needs_action``); hidden while there is none."""

    DEFAULT_CSS = """
    ActionBadge { padding: 0 1; text-style: bold; color: $text-error; text-wrap: nowrap; display: none; }
    ActionBadge.-shown { display: block; }
    """

    def on_mount(self) -> None:
        if hasattr(self.app, "needs_action"):
            self.watch(self.app, "needs_action", self._show, init=False)
        self._show()

    @staticmethod
    def classes_for(app: object) -> dict[str, bool]:
        """The badge's classes for the app's state (given at compose too: adding one to a
        mounted badge restyles it again before the first frame)."""
        return {"-shown": bool(getattr(app, "needs_action", 0))}

    def _show(self, _value: object = None) -> None:
        count = getattr(self.app, "needs_action", 0)
        self.set_classes_for(self.classes_for(self.app))
        self.update(tr("需处理 {n}", "{n} to act on", n=count) if count else "")


def clock_badge_words(app: object) -> str:
    """``超期 2 · 将超期 3`` / ``2 overdue · 3 due soon``: the app's ``clock_warnings``; empty when none."""
    overdue, due_soon = getattr(app, "clock_warnings", (0, 0))
    said = []
    if overdue:
        said.append(tr("超期 {n}", "{n} overdue", n=overdue))
    if due_soon:
        said.append(tr("将超期 {n}", "{n} due soon", n=due_soon))
    return " · ".join(said)


class ClockBadge(Badge):
    """The statutory clocks' warnings (the app's ``clock_warnings``): applications past their
    limit, and past 80% of it; hidden while there is none. F3 lists them (F8 there)."""

    DEFAULT_CSS = """
    ClockBadge { padding: 0 1; text-style: bold; color: $text-warning; text-wrap: nowrap; display: none; }
    ClockBadge.-shown { display: block; }
    ClockBadge.-overdue { color: $text-error; }
    """

    def on_mount(self) -> None:
        if hasattr(self.app, "clock_warnings"):
            self.watch(self.app, "clock_warnings", self._show, init=False)
        self._show()

    @staticmethod
    def classes_for(app: object) -> dict[str, bool]:
        """The badge's classes for the app's state (given at compose too)."""
        overdue, due_soon = getattr(app, "clock_warnings", (0, 0))
        return {"-shown": bool(overdue or due_soon), "-overdue": bool(overdue)}

    def _show(self, _value: object = None) -> None:
        self.set_classes_for(self.classes_for(self.app))
        self.update(clock_badge_words(self.app))


class SyncBadge(Badge):
    """Online/offline (and why not), how many envelopes are queued, how many are quarantined.

    It shows the app's sync reactives and follows them as they change: ``sync_online``
    (``None`` = not known: "connecting" while the sync worker runs, else "sync not set up"),
    ``sync_reason`` (why offline, in words), ``sync_queued``, ``sync_quarantined``, and
    ``sync_elsewhere`` (another process syncs this database: said first).
    """

    DEFAULT_CSS = """
    SyncBadge { padding: 0 1; max-width: 60%; text-wrap: nowrap; text-overflow: ellipsis; }
    SyncBadge.-online { color: $text-success; }
    SyncBadge.-offline { color: $text-warning; }
    SyncBadge.-quarantined { color: $text-error; }
    """

    WATCHED = ("sync_online", "sync_queued", "sync_quarantined", "sync_reason", "sync_running", "sync_elsewhere", "sync_on_courier")

    def on_mount(self) -> None:
        for name in self.WATCHED:
            if hasattr(self.app, name):
                self.watch(self.app, name, self._show, init=False)
        self._show()

    @staticmethod
    def classes_for(app: object) -> dict[str, bool]:
        """The badge's classes for the app's state (given at compose too)."""
        online = getattr(app, "sync_online", None)
        return {"-online": online is True, "-offline": online is not True, "-quarantined": bool(getattr(app, "sync_quarantined", 0))}

    def _show(self, _value: object = None) -> None:
        self.set_classes_for(self.classes_for(self.app))
        self.update(sync_words(self.app))


def sync_words(app: object) -> str:
    """The badge's text: ``离线：无法连接交换平台（连接被拒绝） · 待发送 3 件 · 被退回 1 件``;
    while another process syncs: ``另一进程正在同步（进程 1234） · 在线 · 待发送 3 件``."""
    online = getattr(app, "sync_online", None)
    queued = getattr(app, "sync_queued", None)
    quarantined = getattr(app, "sync_quarantined", 0)
    reason = getattr(app, "sync_reason", NO_WORDS)
    elsewhere = getattr(app, "sync_elsewhere", NO_WORDS)
    if elsewhere:
        text = str(elsewhere)
        if online is not None:  # as the other process's last round left it
            text += " · " + (tr("在线", "Online") if online else tr("离线", "Offline"))
    elif online is None:
        if getattr(app, "sync_running", False):
            text = tr("正在连接交换平台…", "Connecting to the exchange…")
        else:
            text = tr("离线 · 未配置同步", "Offline · sync not set up")
    elif online:
        text = tr("在线", "Online")
    elif reason:
        text = tr("离线：{why}", "Offline: {why}", why=short_reason(str(reason)))
    else:
        text = tr("离线", "Offline")
    if queued:
        text += tr(" · 待发送 {n} 件", " · {n} waiting", n=queued)
    if quarantined:
        text += tr(" · 被退回 {n} 件", " · {n} returned", n=quarantined)
    on_courier = getattr(app, "sync_on_courier", 0)
    if on_courier:  # carried on a USB courier file (docs/courier.md), not delivered yet
        text += tr(" · 在途U盘 {n} 件", " · {n} on a courier", n=on_courier)
    return text


def short_reason(words: str) -> str:
    """A failure's words without the promise to retry (the header says offline already)."""
    for tail in ("，稍后自动重试", "; will retry"):
        words = words.removesuffix(tail)
    return words


class WindowHeader(Horizontal):
    """Centre, window id and region name on the left (shortened, then cut, first when the line is narrow);
    the signed-in clerk, what needs action (``需处理 N``), the clocks' warnings (``超期 N · 将超期 M``)
    and the sync badge on the right."""

    DEFAULT_CSS = """
    WindowHeader {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    WindowHeader #window-title {
        width: 1fr; padding: 0 1; text-style: bold; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    SYNC_SHARE = 0.6
    """The sync badge's widest (the rest of the line is the title's), as ``max-width: 60%``."""
    TITLE_CELLS = 2
    """What the title keeps at least, so that the badges beside it never run off the line."""

    def compose(self) -> ComposeResult:
        yield Label(window_title(self.app), id="window-title")
        yield ClerkBadge(id="clerk-status")
        yield ActionBadge(id="action-status", classes=initial_classes(ActionBadge.classes_for(self.app)))
        yield ClockBadge(id="clock-status", classes=initial_classes(ClockBadge.classes_for(self.app)))
        yield SyncBadge(id="sync-status", classes=initial_classes(SyncBadge.classes_for(self.app)))

    def on_mount(self) -> None:
        # Textual does not shrink an auto-width label: the sync badge gives way (ellipsis) to
        # the clerk and the count on a narrow line (80 columns, English).
        for name in ("needs_action", "clerk_id", "clock_warnings"):
            if hasattr(self.app, name):
                self.watch(self.app, name, self._fit, init=False)
        self._fit()

    def on_resize(self, _event: events.Resize) -> None:
        self._fit()

    def _fit(self, _value: object = None) -> None:
        width = self.size.width or self.app.size.width
        window = getattr(self.app, "window", None)
        clerk = cell_len(str(clerk_words(window.clerk if window is not None else None))) + 2
        count = getattr(self.app, "needs_action", 0)
        action = cell_len(tr("需处理 {n}", "{n} to act on", n=count)) + 2 if count else 0
        clocks = clock_badge_words(self.app)
        action += cell_len(clocks) + 2 if clocks else 0
        room = width - clerk - action - self.TITLE_CELLS
        sync = self.query_one(SyncBadge)
        sync.styles.max_width = room if room < int(width * self.SYNC_SHARE) else f"{int(self.SYNC_SHARE * 100)}%"
        sync_cells = min(cell_len(sync_words(self.app)) + 2, max(room, 0), int(width * self.SYNC_SHARE))
        title_room = width - clerk - action - sync_cells - 2
        titles = window_titles(self.app)
        title = next((title for title in titles if cell_len(title) <= title_room), titles[-1] if titles else "")
        self.query_one("#window-title", Label).update(title)


def window_titles(app: object) -> list[str]:
    """The title from longest to shortest: centre, window and region; centre and window; window;
    the window's id alone."""
    window = getattr(app, "window", None)
    if window is None:
        return []
    settings = window.settings.window
    return [
        window_title(app),
        tr("{centre} · 窗口 {id}", "{centre} · window {id}", centre=settings.centre, id=settings.id),
        tr("窗口 {id}", "Window {id}", id=settings.id),
        settings.id,
    ]


def window_title(app: object) -> str:
    """``贞丰县政务服务中心 · 窗口 ZF-01 · 贞丰县`` in the current language."""
    window = getattr(app, "window", None)
    if window is None:
        return ""
    settings = window.settings.window
    region = window.catalog.regions.get(settings.region)
    region_name = str(region.name) if region is not None else settings.region
    return tr(
        "{centre} · 窗口 {id} · {region}",
        "{centre} · window {id} · {region}",
        centre=settings.centre,
        id=settings.id,
        region=region_name,
    )
