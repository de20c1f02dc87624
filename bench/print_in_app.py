"""Bench (not a test): the window stays responsive while P makes and prints a notice.

    python bench/print_in_app.py [--rounds 5] [--quick]

The real app, headless (Textual's ``run_test``), the printer unreachable as over SSH (the PDF is
written, nothing is spooled). For the receipt screen's P (受理回执 of 企业开办, the longest) and
the detail screen's P (the chooser: every notice of the application built to see which exist,
then the 补正告知书 printed), it measures (and, for a control, the same toast and a worker thread
that only sleeps):

- **on the UI thread**: the key's own work before the app can draw again (building the notice
  from SQLite; for the chooser, building each kind to list those there are);
- **longest stall** of the event loop while the PDF is made in its worker thread (a 5 ms ticker
  on the loop; what a clerk typing meanwhile would feel);
- **to the outcome**: key → the words saying where the file went.

The figure is the longest stall of the median round (goal ≤ 100 ms: a key typed meanwhile still
echoes at once); every round's is printed (the first print of a session also imports fpdf2 and
fontTools: loading their byte code holds Python's GIL). A print made on the UI thread would
stall it for the whole render (``bench/notice_render.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from figures import report  # noqa: E402

from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.notices.fonts import find_chinese_font  # noqa: E402
from window_app.trust.pins import KdfParams  # noqa: E402
from window_app.window import Window  # noqa: E402

EXAMPLES_DAY = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
GOAL_STALL = 0.100
_BENCH_KDF = KdfParams(time_cost=1, memory_kib=8, parallelism=1)  # sign-in is not what is measured


def intake_of(name: str):
    return parse_intake(json.loads((ROOT / "examples" / "applications" / f"{name}.json").read_text("utf-8")))[0]


async def timed_print(app, pilot, start_print) -> tuple[float, float, float]:
    """(UI-thread seconds of the key, longest loop stall while printing, key → outcome seconds)."""
    stalls: list[float] = []
    running = True

    async def ticker() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            stalls.append(now - last - 0.005)
            last = now

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    stalls.clear()
    started = time.perf_counter()
    start_print()
    on_thread = time.perf_counter() - started
    await app.workers.wait_for_complete()
    done = time.perf_counter() - started
    running = False
    await tick
    await pilot.pause()
    return on_thread, max(stalls, default=0.0), done


async def run(window: Window, receipt_no: str, rounds: int) -> dict[str, list[tuple[float, float, float]]]:
    from screens.app import WindowApp  # noqa: PLC0415 - Textual only once the window is ready
    from screens.application_detail import ApplicationDetailScreen  # noqa: PLC0415
    from screens.receipt import ReceiptScreen  # noqa: PLC0415

    results: dict[str, list[tuple[float, float, float]]] = {"control": [], "receipt": [], "detail": []}
    app = WindowApp(window, cursor_blink=False, sync=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(rounds):

            def control() -> None:
                # The same toast and a worker thread as long as a print that holds no lock:
                # what the app itself costs the loop meanwhile.
                app.notify("……", timeout=3)
                app.run_worker(lambda: time.sleep(1.5), thread=True)

            results["control"].append(await timed_print(app, pilot, control))

            receipt = ReceiptScreen(receipt_no)
            app.push_screen(receipt)
            await pilot.pause()
            results["receipt"].append(await timed_print(app, pilot, receipt.action_print))
            app.pop_screen()
            await pilot.pause()

            detail = ApplicationDetailScreen(receipt_no)
            app.push_screen(detail)
            await pilot.pause()

            def chooser_then_supplement(detail=detail) -> None:
                detail.action_notices()  # the chooser: every kind built to list those there are
                detail._print_chosen("supplement")

            results["detail"].append(await timed_print(app, pilot, chooser_then_supplement))
            app.pop_screen()  # the chooser
            app.pop_screen()
            await pilot.pause()
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 rounds")
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    if find_chinese_font() is None:
        print("no Chinese font on this machine: notices are HTML, nothing to time")
        return 0
    os.environ["SSH_CONNECTION"] = "bench 0 bench 22"  # no printer reached: the file is saved
    with tempfile.TemporaryDirectory(prefix="print-in-app-") as tmp:
        environ = {"WINDOW_APP_TRUST_KEYS_DIR": f"{tmp}/keys"}
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=f"{tmp}/data")
        window = Window.open(settings, clock=lambda: EXAMPLES_DAY)
        try:
            window.create_first_administrator("B001", "基准", "bench-pin-1357", kdf=_BENCH_KDF)
            receipt_no = window.accept(intake_of("business_startup")).receipt_no
            ask_for_a_supplement(window, receipt_no)
            results = asyncio.run(run(window, receipt_no, rounds))
        finally:
            window.close()
    stalls = []
    for name, samples in results.items():
        if name == "control":
            print(f"control (a toast, a thread that sleeps): longest stall {statistics.median(s for _, s, _ in samples) * 1000:.0f} ms")
            continue
        on_thread, stall, done = (statistics.median(column) for column in zip(*samples, strict=True))
        stalls.append(stall)
        print(f"{name}: on the UI thread {on_thread * 1000:.0f} ms, longest stall {stall * 1000:.0f} ms, "
              f"to the outcome {done:.2f} s (medians of {rounds}; stalls "
              + ", ".join(f"{s * 1000:.0f}" for _, s, _ in samples) + " ms)")
    worst = max(stalls)
    report("UI stall while printing (median round)", f"{worst * 1000:.0f} ms", f"≤ {GOAL_STALL * 1000:.0f} ms", worst <= GOAL_STALL)
    return 0  # a bench reports; bench/all.py --strict decides on the figure lines


def ask_for_a_supplement(window: Window, receipt_no: str) -> None:
    """A department's supplement request, stored as the sync engine stores it."""
    from offline_cache import progress  # noqa: PLC0415
    from offline_cache.sync_state import write_transaction  # noqa: PLC0415
    from window_app.domain.progress import ItemDecision  # noqa: PLC0415

    part = progress.parts_of(window.db, receipt_no)[0]
    with write_transaction(window.db):
        progress.put_decision(window.db, ItemDecision(
            receipt_no=receipt_no, item=part.items[0], department=part.department, stage=part.stage,
            decision="supplement_needed", reason="（基准）", decided_at="2026-11-27T10:00:00+08:00",
        ))


if __name__ == "__main__":
    raise SystemExit(main())
