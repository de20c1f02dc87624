"""Bench harness (c), a reference: a plain Textual app with the pick screen's widgets.

Header, a search Input, a Label, an OptionList of 63 entries (what 贞丰县 offers), a preview and
a Footer with four bindings; no window-app code. Ready = the list is mounted and filled, as
seen by the same 1 ms timer of the app that ``app_ready.py`` uses. Tells how much of (b) is
Textual drawing a real first screen rather than window-app.
Prints ``READY <time.monotonic()>`` after the app has exited.
"""

from __future__ import annotations

import time

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Label, OptionList, Static

READY: dict[str, float] = {}


class WidgetsApp(App):
    """The pick screen's shape without its data or logic."""

    CSS = "#left { width: 1fr; } #preview { width: 1fr; }"
    BINDINGS = [("f2", "noop", "语言"), ("f3", "noop", "办件"), ("f4", "noop", "新办件"), ("ctrl+q", "quit", "退出")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            with Vertical(id="left"):
                yield Input(placeholder="输入名称、拼音或首字母搜索，如 qykb")
                yield Label("63 项")
                yield OptionList(*[f"企业开办一件事 {number}" for number in range(63)])
            yield Static("办事指南预览 " * 120, id="preview")
        yield Footer()

    def on_mount(self) -> None:
        # The same test of readiness as app_ready.py's: a 1 ms timer of the app that looks for
        # the filled list. (Not named ``_ready``: that would replace Textual's own
        # ``App._ready`` hook, which is awaited before the first screen is even composed.)
        self.set_interval(0.001, self._check_ready)

    def _check_ready(self) -> None:
        if "at" in READY:
            return
        if self.screen.query(OptionList) and self.screen.query_one(OptionList).option_count > 0:
            READY["at"] = time.monotonic()
            self.exit()

    def action_noop(self) -> None:
        """Bindings only show in the footer."""


def main() -> int:
    WidgetsApp().run(headless=True)
    print(f"READY {READY.get('at')!r}", flush=True)
    return 0 if "at" in READY else 1


if __name__ == "__main__":
    raise SystemExit(main())
