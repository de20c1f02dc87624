"""How long a step takes to show: pick → applicant → situation → checklist → form → review.

The real app (headless, Textual's ``run_test``) on a fresh window in a temp data dir, a clerk
signed in, the intake of ``examples/applications/business_startup.json`` (企业开办: every step
has something to show, the form is the longest one shipped). Each round shows the six steps in
order through :meth:`screens.app.WindowApp.goto_step` (what Ctrl+N / Enter / Esc call after the
step's check); a step counts as shown when its screen is the app's, mounted, and the app has
nothing left to do (Pilot's ``pause()``: every widget composed, mounted and laid out).

The first round is a warm-up (imports, CSS of each screen parsed once, caches); then ``--rounds``
rounds. Prints median and p90 per step, in ms.

Usage::

    python bench/step_change.py                      # 10 rounds at 80×24
    python bench/step_change.py --rounds 30 --size 120x40
    python bench/step_change.py --profile form       # cProfile of one step change, top 30
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screens.app import WindowApp  # noqa: E402
from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.domain.intake import Intake  # noqa: E402
from window_app.trust.pins import KdfParams  # noqa: E402
from window_app.window import Window  # noqa: E402

STEPS = ("pick", "applicant", "situation", "checklist", "form", "review")
EXAMPLE = ROOT / "examples" / "applications" / "business_startup.json"


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


async def run(rounds: int, size: tuple[int, int], profile_step: str) -> dict[str, list[float]]:
    """Show the six steps ``rounds`` + 1 times; the seconds each took, warm-up round left out."""
    times: dict[str, list[float]] = {step: [] for step in STEPS}
    cpu: dict[str, list[float]] = {step: [] for step in STEPS}
    frames: dict[str, list[float]] = {step: [] for step in STEPS}
    with tempfile.TemporaryDirectory(prefix="bench-step-") as directory:
        settings = load_settings(SHIPPED_CONFIG, environ={}, data_dir=str(Path(directory) / "data"))
        window = Window.open(settings)
        window.create_first_administrator("B001", "基准", "bench-pin-1357", kdf=KdfParams(time_cost=1, memory_kib=8, parallelism=1))
        example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
        app = WindowApp(window, cursor_blink=False, sync=False)
        first_frame = watch_frames(app)
        profiler = cProfile.Profile()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            draft_id = ""
            for round_no in range(rounds + 1):
                for step in STEPS:
                    if step != "pick" and app.intake is None:
                        app.intake = Intake.from_json(example)
                        app.intake.draft_id = draft_id
                    before = app.screen
                    profiling = round_no == rounds and step == profile_step
                    if profiling:
                        profiler.enable()
                    started, cpu_started = time.perf_counter(), time.process_time()
                    app.goto_step(step)
                    await shown(app, before)
                    elapsed = time.perf_counter() - started
                    cpu_elapsed = time.process_time() - cpu_started
                    if profiling:
                        profiler.disable()
                    if round_no:
                        times[step].append(elapsed)
                        cpu[step].append(cpu_elapsed)
                        frames[step].append(first_frame.get(app.screen, started + elapsed) - started)
                    await pilot.pause()  # toasts, timers: settled before the next step
                    if app.intake is not None:
                        draft_id = app.intake.draft_id
        window.close()
    if profile_step:
        stats = pstats.Stats(profiler).sort_stats("cumulative")
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(45)
        stats.print_stats("wt-c/(screens|window_app|offline_cache)", 40)
    return times, cpu, frames


def watch_frames(app: WindowApp) -> dict[object, float]:
    """Record when each screen's first frame goes to the (headless) terminal.

    Wraps ``App._display``, Textual's private hand-over of a frame to the driver: the bench
    only, the app never relies on it.
    """
    first: dict[object, float] = {}
    display = app._display

    def recording(screen, renderable) -> None:  # noqa: ANN001 - Textual's private signature
        if renderable is not None:
            first.setdefault(screen, time.perf_counter())
        display(screen, renderable)

    app._display = recording  # type: ignore[method-assign]
    return first


async def shown(app: WindowApp, before: object) -> None:
    """Wait until a new screen replaced ``before``, is mounted, and was drawn once."""
    while app.screen is before or not app.screen.is_mounted:
        await asyncio.sleep(0.001)
    drawn = asyncio.Event()
    app.screen.call_after_refresh(drawn.set)
    await drawn.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--size", default="80x24", help="terminal size, COLSxROWS")
    parser.add_argument("--profile", default="", choices=("", *STEPS), help="cProfile this step's last change")
    options = parser.parse_args(argv)
    columns, rows = (int(part) for part in options.size.split("x"))
    times, cpu, frames = asyncio.run(run(options.rounds, (columns, rows), options.profile))
    print(f"step change, {options.rounds} rounds at {options.size} (ms)")
    print("  first frame: the new screen's first frame sent to the terminal; ready: mounted, lazy")
    print("  parts too, and refreshed; cpu: this process's CPU time until ready")
    print(f"{'step':<10} {'frame med':>9} {'frame p90':>9} {'ready med':>9} {'ready p90':>9} {'cpu med':>8} {'cpu p90':>8}")
    for step, values in times.items():
        print(
            f"{step:<10} {statistics.median(frames[step]) * 1000:9.1f} {percentile(frames[step], 0.9) * 1000:9.1f}"
            f" {statistics.median(values) * 1000:9.1f} {percentile(values, 0.9) * 1000:9.1f}"
            f" {statistics.median(cpu[step]) * 1000:8.1f} {percentile(cpu[step], 0.9) * 1000:8.1f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
