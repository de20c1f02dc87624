"""Bench harness (a): a bare Textual app that exits in its first ``on_mount``.

Prints ``READY <time.monotonic()>`` after the app has exited (Textual captures stdout while it
runs), so ``bench/startup.py`` can measure process start → first mount.
"""

from __future__ import annotations

import time

from textual.app import App


class BareApp(App):
    """Nothing but an app: the floor any Textual program pays."""

    ready_at: float | None = None

    def on_mount(self) -> None:
        self.ready_at = time.monotonic()
        self.exit()


def main() -> int:
    app = BareApp()
    app.run(headless=True)
    print(f"READY {app.ready_at!r}", flush=True)
    return 0 if app.ready_at is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
