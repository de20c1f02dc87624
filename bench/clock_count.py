"""Bench (not a test): the statutory clocks' count behind the header (``超期 N · 将超期 M``).

    python bench/clock_count.py [--open 10000] [--rounds 5] [--quick]

A window holding OPEN applications not concluded (``synth_applications``: four real accepts of
the shipped examples, the rest SQL copies with their department parts; every copy is open, the
worst case: a real window concludes most of what it accepts), then ROUNDS reads of
``Window.clock_warnings()`` — the open applications, their parts, decisions, 补正 requests and
supplements, a clock for every part on the official calendar, the 容缺 promises — as the header
does at sign-in, after a sync round that changed anything and every ten minutes. The figure is
the median round. The first read also builds the calendar's table (printed apart).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import median, report  # noqa: E402
from synth_applications import accepted_window  # noqa: E402

GOAL_MS = 1000.0
"""At 10,000 open applications (all of them open: the worst case): a second, at sign-in, after a sync round that changed anything and every ten minutes."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=10_000, help="open applications (default 10000)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2,000 open applications, 3 rounds")
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
        finally:
            window.close()
    value = median(samples)
    goal = GOAL_MS * total / 10_000
    met = report(f"clock count, {total} open applications", f"{value:.0f} ms", f"≤ {goal:.0f} ms", value <= goal)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
