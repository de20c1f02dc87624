"""Bench harness (b): the real window-app, through the real CLI, until its first screen is ready.

Runs ``window_app.cli.main(["--data-dir", DIR])`` exactly as ``window-app`` would, with
``screens.app.WindowApp`` swapped for a subclass that runs headless and exits as soon as the
screen asked for is ready. Prints ``READY <time.monotonic()>`` afterwards.

- ``--screen pick`` (default): the pick screen mounted with its list filled. The bench clerk is
  signed in (``Window.sign_in``) as the app is made, as the tests' windows are: what a clerk has
  after the sign-in screen. The account's argon2id cost is the weakest (a few milliseconds): the
  PIN's cost is a security setting, paid while the clerk waits for Enter, not start-up.
- ``--screen sign-in``: the sign-in screen mounted with its input focused: what a clerk sees
  first at every start.

``--prepare`` makes the bench clerk in DATA_DIR (its first start: database, catalog snapshot,
search keys) and exits.

Usage: ``python bench/app_ready.py [--prepare] [--screen pick|sign-in] DATA_DIR``
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from window_app.cli import main as cli_main  # noqa: E402  (what the console script imports)

LIST_WIDGETS = ("OptionList", "ListView", "DataTable", "Tree")
READY: dict[str, float] = {}  # "at": time.monotonic() when the screen was ready
BENCH_CLERK = "B001"
BENCH_PIN = "bench-pin-2468"


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


def ready_app(window_app_class: type, target: str) -> type:
    """The real app, signed in for ``pick``, ending itself once ``target`` is usable."""

    class ReadyApp(window_app_class):
        CSS_PATH = _css_paths(window_app_class)

        def __init__(self, window, **options) -> None:  # noqa: ANN001, ANN003 - as WindowApp
            if target == "pick":
                window.sign_in(BENCH_CLERK, BENCH_PIN)
            super().__init__(window, **options)

        def on_mount(self) -> None:  # after WindowApp's own (Textual calls every class's handler)
            self.set_interval(0.001, self._check_ready)

        def _check_ready(self) -> None:
            if "at" in READY:
                return
            screen = self.screen
            name = type(screen).__name__
            if target == "pick":
                ready = name == "PickScreen" and list_filled(screen)
            else:
                ready = name == "SignInScreen" and screen.is_mounted and screen.focused is not None
            if ready:
                READY["at"] = time.monotonic()
                self.exit()

        def run(self, *args, **kwargs):  # noqa: ANN002, ANN003 - same signature as App.run
            kwargs["headless"] = True
            return super().run(*args, **kwargs)

    return ReadyApp


class SwapApp:
    """Replaces ``screens.app.WindowApp`` by the ready-checking app as ``screens.app`` is imported.

    The CLI imports ``screens.app`` (and Textual) inside ``main``, after the window is open;
    swapping the class at that import keeps that order, and what ``main`` does around it.
    A meta path finder is any object with ``find_spec``: not derived from
    ``importlib.abc.MetaPathFinder``, whose import (``importlib.resources``) neither app makes.
    """

    def __init__(self, target: str) -> None:
        self.target = target

    def find_spec(self, name: str, path: object, target: object = None) -> object:
        if name != "screens.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module

        def exec_and_swap(module: object) -> None:
            exec_module(module)
            module.WindowApp = ready_app(module.WindowApp, self.target)

        spec.loader.exec_module = exec_and_swap
        return spec


def prepare(data_dir: str) -> int:
    """The bench clerk in a new window's data dir (its first start), weakest argon2id."""
    from window_app.config import load_settings
    from window_app.trust.pins import KdfParams
    from window_app.window import Window

    window = Window.open(load_settings(None, data_dir=data_dir))
    try:
        if not window.has_clerks():
            window.create_first_administrator(
                BENCH_CLERK, "基准", BENCH_PIN, kdf=KdfParams(time_cost=1, memory_kib=8, parallelism=1)
            )
    finally:
        window.close()
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("--screen", choices=("pick", "sign-in"), default="pick")
    parser.add_argument("--prepare", action="store_true")
    args = parser.parse_args(argv)
    if args.prepare:
        return prepare(args.data_dir)
    sys.meta_path.insert(0, SwapApp(args.screen))  # what run_tui imports
    code = cli_main(["--data-dir", args.data_dir])
    print(f"READY {READY.get('at')!r}", flush=True)
    return code if "at" in READY else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
