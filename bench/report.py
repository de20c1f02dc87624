"""The statistics' speed at a busy window: ``Window.report`` for today, this week and this month,
and the 热点 list a window makes at open (its own use of 90 days), over a year of applications.

The window holds ``--total`` applications spread over 365 days (bench/synth_applications.py),
every copy given the sealed guide of a real application of its bundle (a report opens each
guide of its period: the materials and fields counts), so a month is a twelfth of them.

    python bench/report.py             # 100,000 applications (~8,300 a month)
    python bench/report.py --quick     # 20,000

Figures: ``report month`` (30 days: what a supervisor waits for after pressing 3 at the month's
end, every guide's counts already kept; goal ≤ 1 s) and
``hot list at open`` (goal ≤ 50 ms: the pick screen's first fill waits for it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import report  # noqa: E402
from synth_applications import accepted_window  # noqa: E402

from offline_cache.vault import read_cipher, reveal, seal  # noqa: E402
from window_app.domain.words import Words  # noqa: E402

_WORDS = Words("基准数据", "Bench data")


def real_guides(window) -> int:
    """Give every copy the sealed guide of a real application of its bundle; how many."""
    db = window.db
    cipher = read_cipher(db, _WORDS)
    guides = {
        offering: reveal(cipher, guide, "applications", "guide", receipt_no, _WORDS)
        for receipt_no, offering, guide in db.execute("SELECT receipt_no, offering_id, guide FROM applications WHERE guide <> '{}'")
    }
    rows = db.execute("SELECT receipt_no, offering_id FROM applications WHERE guide = '{}'").fetchall()
    db.execute("BEGIN")
    db.conn.executemany(
        "UPDATE applications SET guide = ? WHERE receipt_no = ?",
        [(seal(cipher, guides[offering], "applications", "guide", receipt_no), receipt_no) for receipt_no, offering in rows],
    )
    db.execute("COMMIT")
    return len(rows)


def timed(work, rounds: int) -> tuple[float, object]:
    samples, answer = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        answer = work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--total", type=int)
    args = parser.parse_args()
    total = args.total or (20_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        window = accepted_window(Path(directory) / "data", total=total)
        real_guides(window)
        print(f"{total} applications over 365 days in {time.perf_counter() - started:.1f} s", flush=True)
        try:
            today = window.today()
            month = {"first": (today - dt.timedelta(days=29)).isoformat(), "last": today.isoformat()}  # a whole month, whatever today's date
            for period, dates in (("today", {}), ("week", {}), ("30 days", month)):
                first, _ = timed(lambda period=period, dates=dates: window.report(period, **dates), 1)  # opens each guide once
                seconds, made = timed(lambda period=period, dates=dates: window.report(period, **dates), 3)
                print(
                    f"report {period}: {made.total.applications} applications, first {first * 1000:.0f} ms, then {seconds * 1000:.0f} ms",
                    flush=True,
                )
            hot_seconds, hot = timed(window.refresh_hot_list, 5)
            print(f"hot list ({hot.source}): {hot_seconds * 1000:.1f} ms", flush=True)
        finally:
            window.close()
    report("report month", f"{seconds:.2f} s for {made.total.applications} applications", "≤ 1 s", seconds <= 1.0)
    report("hot list at open", f"{hot_seconds * 1000:.0f} ms", "≤ 50 ms", hot_seconds <= 0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
