"""Bench (not a test): the statutory clocks' count behind the header (``超期 N · 将超期 M``).

    python bench/clock_count.py [--open 10000] [--rounds 5] [--quick] [--in-app]

A window holding OPEN applications not concluded (``synth_applications``: four real accepts of
the shipped examples, the rest SQL copies with their department parts; every copy is open, the
worst case: a real window concludes most of what it accepts), then ROUNDS reads of
``Window.clock_warnings()`` — the open applications, their parts, decisions, 补正 requests and
supplements, a clock for every part on the official calendar, the 容缺 promises — as the header
does at sign-in, after a sync round that changed anything and every ten minutes. The figure is
the median round. The first read also builds the calendar's table (printed apart).

``--in-app``: the real app (headless, ``run_test``) on the same window; the longest the event
loop stalls (a ticker every 2 ms records the gaps) while the header's count is read, as it is
now (``ClockWatch.refresh``: a thread on a read-only connection, the last count shown
meanwhile) and as it was (the same read on the UI thread). The UI is free between the
interpreter's switches (5 ms), so the stall stays a few milliseconds instead of the whole read.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import median, report  # noqa: E402
from synth_applications import accepted_window  # noqa: E402

GOAL_MS = 1000.0
"""At 10,000 open applications (all of them open: the worst case): a second, at sign-in, after a sync round that changed anything and every ten minutes."""


async def stalls(window, rounds: int) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """The longest loop stall (ms) per read: through the watch's thread, and on the UI thread."""
    from screens.app import WindowApp

    app = WindowApp(window, cursor_blink=False, sync=False)
    threaded, inline = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        for _ in range(rounds):
            for way, samples in (("thread", threaded), ("inline", inline)):
                done = asyncio.Event()
                worst = 0.0
                last = time.perf_counter()

                async def tick(done: asyncio.Event = done) -> None:
                    nonlocal worst, last
                    while not done.is_set():
                        await asyncio.sleep(0.002)
                        now = time.perf_counter()
                        worst, last = max(worst, now - last), now

                ticker = asyncio.create_task(tick())
                await asyncio.sleep(0.01)
                worst, last = 0.0, time.perf_counter()
                if way == "thread":
                    reads = app.clock_watch.reads
                    app.clock_watch.refresh()
                    while app.clock_watch.reads == reads:
                        await asyncio.sleep(0.001)
                else:
                    app.clock_warnings = window.clock_warnings().counts  # the header's read as it was
                    await asyncio.sleep(0.005)
                done.set()
                await ticker
                samples.append(worst * 1000)
    return threaded, inline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=10_000, help="open applications (default 10000)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2,000 open applications, 3 rounds")
    parser.add_argument("--in-app", action="store_true", help="the event loop's stalls while the header's count is read")
    args = parser.parse_args()
    total, rounds = (2_000, 3) if args.quick else (args.open, args.rounds)
    with tempfile.TemporaryDirectory() as tmp:
        window = accepted_window(Path(tmp) / "data", total)
        try:
            started = time.perf_counter()
            first = window.clock_warnings()
            print(f"first read (with the calendar's table): {(time.perf_counter() - started) * 1000:.0f} ms", flush=True)
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                warnings = window.clock_warnings()
                samples.append((time.perf_counter() - started) * 1000)
            assert warnings.counts == first.counts
            overdue, due_soon = warnings.counts
            print(f"{total} open: {overdue} overdue, {due_soon} due soon; rounds (ms): "
                  + ", ".join(f"{s:.0f}" for s in samples), flush=True)
            if args.in_app:
                threaded, inline = asyncio.run(stalls(window, rounds))
                print("longest loop stall per read (ms), in a thread: " + ", ".join(f"{s:.0f}" for s in threaded)
                      + "; on the UI thread (as before): " + ", ".join(f"{s:.0f}" for s in inline), flush=True)
                report(f"header count, {total} open: the loop's longest stall", f"{median(threaded):.0f} ms",
                       f"was {median(inline):.0f} ms on the UI thread", median(threaded) < median(inline))
        finally:
            window.close()
    value = median(samples)
    goal = GOAL_MS * total / 10_000
    met = report(f"clock count, {total} open applications", f"{value:.0f} ms", f"≤ {goal:.0f} ms", value <= goal)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
