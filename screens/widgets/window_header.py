"""The top line of every screen: which centre, which window, which region, and the line's state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from window_app.i18n import pick, tr


class SyncBadge(Label):
    """Online/offline and how many envelopes wait to be sent.

    It shows the app's ``sync_online`` / ``sync_waiting`` reactives (``None`` = unknown: no
    sync worker runs yet), and follows them as they change.
    """

    DEFAULT_CSS = """
    SyncBadge { padding: 0 1; }
    SyncBadge.-online { color: $text-success; }
    SyncBadge.-offline { color: $text-warning; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "sync_online", self._show, init=False)
        self.watch(self.app, "sync_waiting", self._show, init=False)
        self._show()

    def _show(self, _value: object = None) -> None:
        online = getattr(self.app, "sync_online", None)
        waiting = getattr(self.app, "sync_waiting", None)
        if online is None:
            text = tr("离线 · 未配置同步", "Offline · sync not set up")
        elif online:
            text = tr("在线", "Online")
        else:
            text = tr("离线", "Offline")
        if waiting:
            text += tr(" · 待发送 {n} 件", " · {n} waiting", n=waiting)
        self.set_class(bool(online), "-online")
        self.set_class(not online, "-offline")
        self.update(text)


class WindowHeader(Horizontal):
    """Centre, window id and region name on the left; the sync badge on the right."""

    DEFAULT_CSS = """
    WindowHeader {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    WindowHeader #window-title { width: 1fr; padding: 0 1; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        yield Label(window_title(self.app), id="window-title")
        yield SyncBadge(id="sync-status")


def window_title(app: object) -> str:
    """``贞丰县政务服务中心 · 窗口 ZF-01 · 贞丰县`` in the current language."""
    window = getattr(app, "window", None)
    if window is None:
        return ""
    settings = window.settings.window
    region = window.catalog.regions.get(settings.region)
    region_name = pick(region) if region is not None else settings.region
    return tr(
        "{centre} · 窗口 {id} · {region}",
        "{centre} · window {id} · {region}",
        centre=settings.centre,
        id=settings.id,
        region=region_name,
    )
