"""Run every bench that reports figures, then list what holds.

    python bench/all.py [--quick] [--only NAME ...] [--strict]

A bench reports a figure through :func:`figures.report` (``FIGURE: VALUE (goal GOAL) met`` or
``… missed``); every ``bench/*.py`` that imports it is run here, one after another (never two at
once: they measure the same two cores), each in its own process with this interpreter and
``--quick`` passed on. Their output streams through as it comes; at the end the figure lines are
listed again together. A bench that fails or times out is listed too, with its exit status.

Exit status 0, or with ``--strict`` 1 when a figure is missed or a bench failed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
from pathlib import Path

BENCH = Path(__file__).resolve().parent
FIGURE_LINE = re.compile(r"^.+: .+ \(goal .+\) (met|missed)$")
USES_FIGURES = re.compile(r"^from figures import .*\breport\b|^import figures\b", re.MULTILINE)


def benches() -> list[Path]:
    """The bench scripts that report figures, by name."""
    return sorted(
        path
        for path in BENCH.glob("*.py")
        if path.name not in {"all.py", "figures.py"} and USES_FIGURES.search(path.read_text(encoding="utf-8"))
    )


def run(path: Path, quick: bool, timeout: float) -> tuple[int | str, list[str]]:
    """Run one bench, echoing its output; its exit status (or ``"timeout"``) and figure lines."""
    command = [sys.executable, str(path)] + (["--quick"] if quick else [])
    print(f"\n=== {path.name} {'--quick' if quick else ''}".rstrip(), flush=True)
    figures: list[str] = []
    process = subprocess.Popen(command, cwd=BENCH.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(timeout, process.kill)  # a bench that hangs silently is stopped too
    watchdog.start()
    try:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if FIGURE_LINE.match(line.rstrip()):
                figures.append(line.rstrip())
        status = process.wait()
    finally:
        timed_out = not watchdog.is_alive() and process.returncode not in (None, 0)
        watchdog.cancel()
    return ("timeout" if timed_out and status < 0 else status), figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each bench's shorter run")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these benches (file names, .py optional)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per bench (default 1800)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure is missed or a bench fails")
    args = parser.parse_args(argv)
    chosen = benches()
    if args.only:
        wanted = {name.removesuffix(".py") for name in args.only}
        unknown = wanted - {path.stem for path in chosen}
        if unknown:
            parser.error(f"no bench reporting figures named {', '.join(sorted(unknown))}; "
                         f"there are: {', '.join(path.stem for path in chosen)}")
        chosen = [path for path in chosen if path.stem in wanted]
    results = [(path, *run(path, args.quick, args.timeout)) for path in chosen]
    print("\n=== figures")
    failed = missed = 0
    for path, status, figures in results:
        for line in figures:
            print(f"  {line}")
            missed += line.endswith(" missed")
        if status != 0:
            failed += 1
            print(f"  {path.name}: exited with {status}")
    held = sum(len(figures) for _, _, figures in results) - missed
    print(f"{held} met, {missed} missed, {failed} bench(es) failed")
    return 1 if args.strict and (missed or failed) else 0


if __name__ == "__main__":
    sys.exit(main())
