"""Bench (not a test): does the clerk's screen stay responsive while the sync worker works?

    python bench/sync_in_app.py [--applications 200] [--simulate 0.2] [--runs 1]

The real app (``screens.app.WindowApp``, headless through ``run_test``), a real window database
with a backlog made through ``Window.accept`` (construction-land survey: six stage-1 envelopes
each), the real exchange in its own process (``window-app exchange serve --demo --simulate S``:
every envelope is received and approved S seconds after it arrives, so the window has events
to apply — each in its own durable transaction — and applications to conclude). The same
backlog, a fresh exchange database, for each way of running the engine:

- (a) **thread**: the app's sync worker as shipped (``window_app/sync/background.py``: a Textual
  thread worker, its own asyncio loop and SQLite connection), rounds on their own;
- (b) **on the app's loop**: the same engine (its own connection too) run by an async worker on
  the app's event loop, round after round.

While it works, a 5 ms timer on the app's loop records how late each tick comes (the time a key
press would wait), until every application is concluded. Printed per case: the time to drain
and conclude, and the loop's lateness — median, p99 and worst.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from screens.app import WindowApp  # noqa: E402
from tests.exchange_process import ExchangeProcess  # noqa: E402
from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.window import Window  # noqa: E402

EXAMPLES = ROOT / "examples" / "applications"
TICK = 0.005
DEADLINE_SECONDS = 300.0


def settings_for(data_dir: Path, url: str):
    environ = {
        "WINDOW_APP_EXCHANGE_URL": url,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
        "WINDOW_APP_SYNC_INTERVAL_SECONDS": "0.2",
        "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": "0.1",
        "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": "0.5",
    }
    return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(data_dir))


def make_backlog(data_dir: Path, applications: int) -> None:
    intake, problems = parse_intake(json.loads((EXAMPLES / "construction_land_survey.json").read_text(encoding="utf-8")))
    assert not problems, problems
    window = Window.open(settings_for(data_dir, "http://127.0.0.1:9"))
    try:
        for _ in range(applications):
            window.accept(intake)
    finally:
        window.close()


def concluded(window: Window) -> int:
    return sum(1 for summary in window.applications(limit=100_000) if summary.state in ("concluded", "rejected"))


async def measure(window: Window, applications: int, mode: str) -> dict[str, float]:
    app = WindowApp(window, cursor_blink=False, sync=(mode == "thread"))
    late: list[float] = []
    started = time.monotonic()
    async with app.run_test(size=(120, 40)) as pilot:
        if mode == "loop":

            async def rounds() -> None:
                engine = window.sync_engine()
                try:
                    while True:
                        await engine.run_once(retry_now=True)
                        await asyncio.sleep(0.05)
                finally:
                    engine.close()

            app.run_worker(rounds(), name="sync-on-loop", exit_on_error=False)
        last = time.monotonic()
        deadline = started + DEADLINE_SECONDS
        checked = 0.0
        while time.monotonic() < deadline:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            late.append(max(0.0, now - last - TICK))
            last = now
            if now - checked > 0.5:
                checked = now
                if concluded(window) >= applications:
                    break
                last = time.monotonic()  # the check itself is not the worker's doing
        took = time.monotonic() - started
        await pilot.pause()
    late.sort()
    return {
        "seconds": took,
        "median_ms": statistics.median(late) * 1000,
        "p99_ms": late[int(len(late) * 0.99) - 1] * 1000,
        "worst_ms": late[-1] * 1000,
        "done": float(concluded(window) >= applications),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=200)
    parser.add_argument("--simulate", type=float, default=0.2)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sync-in-app-") as tmp:
        base = Path(tmp)
        backlog = base / "backlog"
        make_backlog(backlog, args.applications)
        print(f"backlog: {args.applications} applications, {args.applications * 6} envelopes; exchange --simulate {args.simulate}")
        print(f"{'case':<22}{'drain+conclude s':>18}{'lag median ms':>15}{'p99 ms':>10}{'worst ms':>10}")
        for run in range(args.runs):
            for mode in ("thread", "loop"):
                data = base / f"{mode}-{run}"
                shutil.copytree(backlog, data)
                exchange = ExchangeProcess(base / f"exchange-{mode}-{run}.db", extra=("--simulate", str(args.simulate))).start()
                try:
                    window = Window.open(settings_for(data, exchange.url))
                    try:
                        result = asyncio.run(measure(window, args.applications, mode))
                    finally:
                        window.close()
                finally:
                    exchange.stop()
                label = "(a) thread worker" if mode == "thread" else "(b) on the app's loop"
                flag = "" if result["done"] else "  (not all concluded!)"
                print(
                    f"{label:<22}{result['seconds']:>18.2f}{result['median_ms']:>15.2f}"
                    f"{result['p99_ms']:>10.1f}{result['worst_ms']:>10.1f}{flag}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
