"""Bench harness (b): the real window-app, through the real CLI, until the pick screen is ready.

Runs ``window_app.cli.main(["--data-dir", DIR])`` exactly as ``window-app`` would, with
``screens.app.WindowApp`` swapped for a subclass that runs headless and exits as soon as the
pick screen is mounted and its list is filled. Prints ``READY <time.monotonic()>`` afterwards.

Usage: ``python bench/app_ready.py DATA_DIR``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import screens.app  # noqa: E402  (the CLI imports it at TUI start anyway)
from window_app.cli import main as cli_main  # noqa: E402

LIST_WIDGETS = ("OptionList", "ListView", "DataTable", "Tree")
READY: dict[str, float] = {}  # "at": time.monotonic() when the pick screen was ready


def list_filled(screen) -> bool:
    """Whether the screen shows a list (option list, list view, table) with at least one row."""
    for widget in screen.walk_children(with_self=False):
        names = {cls.__name__ for cls in type(widget).__mro__}
        if not names.intersection(LIST_WIDGETS):
            continue
        for attribute in ("option_count", "row_count"):
            count = getattr(widget, attribute, None)
            if isinstance(count, int):
                return count > 0
        if len(getattr(widget, "children", ())) > 0:
            return True
    return False


def _css_paths(app_class: type) -> object:
    """The real app's CSS_PATH, made absolute (Textual resolves a relative one against the
    file of the subclass, which lives here)."""
    base = Path(sys.modules[app_class.__module__].__file__).parent
    paths = app_class.CSS_PATH
    if paths is None:
        return None
    if isinstance(paths, (str, Path)):
        return str(base / paths)
    return [str(base / path) for path in paths]


class ReadyApp(screens.app.WindowApp):
    """The real app, ending itself once the pick screen is usable."""

    CSS_PATH = _css_paths(screens.app.WindowApp)

    def on_mount(self) -> None:
        self.set_interval(0.001, self._check_ready)

    def _check_ready(self) -> None:
        if "at" in READY:
            return
        screen = self.screen
        if type(screen).__name__ == "PickScreen" and list_filled(screen):
            READY["at"] = time.monotonic()
            self.exit()

    def run(self, *args, **kwargs):  # noqa: ANN002, ANN003 - same signature as App.run
        kwargs["headless"] = True
        return super().run(*args, **kwargs)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    screens.app.WindowApp = ReadyApp  # what cmd_tui imports
    code = cli_main(["--data-dir", argv[0]])
    print(f"READY {READY.get('at')!r}", flush=True)
    return code if "at" in READY else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
