"""Start-up benchmark: window-app's first screen against a bare Textual app.

Measures, in the same run and alternating, N rounds of

(a) process start → a bare Textual app's ``on_mount`` (``bench/bare_app.py``),
(b) process start → window-app's pick screen mounted with its list filled
    (``bench/app_ready.py``: the real CLI path, the real ``WindowApp``, headless), and
(c) for reference, process start → first refresh of a plain Textual app with the pick
    screen's widgets and no window-app code (``bench/widgets_app.py``),

after one warm-up run of (b) that creates the database and the search-key cache in a temporary
data dir (a clerk's machine has them after its first start). Prints median and minimum of each
and the ratio (b)/(a); the target is a ratio under 1.3. (b)/(c) shows what window-app itself
adds to what Textual pays for drawing such a screen.

Usage::

    python bench/startup.py [--rounds N] [--importtime]

``--importtime`` then runs each harness once under ``python -X importtime`` and lists the
imports that cost most (cumulative), to see what could be made lazy.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_RATIO = 1.3


PYCACHE = tempfile.mkdtemp(prefix="window-app-bench-pycache-")


def child_env() -> dict[str, str]:
    """The environment of a measured process, as on a clerk's machine after its first start.

    The source tree is importable, the user's WINDOW_APP_* overrides are dropped, and compiled
    bytecode is cached (in a temp prefix, not in the work tree): with PYTHONDONTWRITEBYTECODE
    set, as in some developer shells and CI, every start would recompile every module of the
    project, which no installed window-app does.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = PYCACHE
    return env


def time_to_ready(script: Path, *args: str, cpu: list[float] | None = None) -> float:
    """Seconds from spawning ``python script args`` to the ``READY <monotonic>`` it reports.

    Args:
        cpu: If given, the child's CPU time (user + system, whole process) is appended: less
            sensitive than wall time to other load on a shared machine.

    Raises:
        RuntimeError: The harness failed or did not report readiness.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        timeout=120,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    ready = _ready_time(result.stdout)
    if result.returncode != 0 or ready is None:
        raise RuntimeError(f"{script.name} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return ready - started


def _ready_time(stdout: str) -> float | None:
    for line in stdout.splitlines():
        if line.startswith("READY "):
            value = line.split(" ", 1)[1].strip()
            return None if value == "None" else float(value)
    return None


@dataclass
class Series:
    """Wall times to ready and CPU times of one harness, in seconds."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def measure(rounds: int, data_dir: str) -> tuple[Series, Series, Series]:
    """Alternating rounds of (a) bare app, (b) window-app and (c) the widgets reference,
    after a warm-up of each."""
    time_to_ready(BENCH / "bare_app.py")  # warm-up: bytecode cache
    time_to_ready(BENCH / "widgets_app.py")
    time_to_ready(BENCH / "app_ready.py", data_dir)  # warm-up: bytecode, DB + search-key cache
    bare, app, widgets = Series(), Series(), Series()
    for round_no in range(1, rounds + 1):
        bare.wall.append(time_to_ready(BENCH / "bare_app.py", cpu=bare.cpu))
        app.wall.append(time_to_ready(BENCH / "app_ready.py", data_dir, cpu=app.cpu))
        widgets.wall.append(time_to_ready(BENCH / "widgets_app.py", cpu=widgets.cpu))
        print(
            f"  round {round_no:2d}: bare {bare.wall[-1] * 1000:7.1f} ms (cpu {bare.cpu[-1] * 1000:6.1f})"
            f"   window-app {app.wall[-1] * 1000:7.1f} ms (cpu {app.cpu[-1] * 1000:6.1f})"
            f"   widgets {widgets.wall[-1] * 1000:7.1f} ms",
            flush=True,
        )
    return bare, app, widgets


def report_reference(app: Series, widgets: Series) -> None:
    """(c): how much of (b) any Textual app with such a first screen pays."""
    median = statistics.median(widgets.wall)
    print(
        f"(c) reference: plain Textual app with the pick screen's widgets   median {median * 1000:7.1f} ms"
        f"   min {min(widgets.wall) * 1000:7.1f} ms   (b)/(c) median {statistics.median(app.wall) / median:.2f}×"
    )


def report(bare: Series, app: Series) -> bool:
    """Print median/min and the ratio; ``True`` when the ratio of medians meets the target."""
    bare_median, app_median = statistics.median(bare.wall), statistics.median(app.wall)
    ratio = app_median / bare_median
    print()
    print(f"(a) bare Textual app → on_mount      median {bare_median * 1000:7.1f} ms   min {min(bare.wall) * 1000:7.1f} ms")
    print(f"(b) window-app → pick screen ready   median {app_median * 1000:7.1f} ms   min {min(app.wall) * 1000:7.1f} ms")
    print(f"ratio (b)/(a): median {ratio:.2f}×   min {min(app.wall) / min(bare.wall):.2f}×   target < {TARGET_RATIO}×")
    cpu_ratio = statistics.median(app.cpu) / statistics.median(bare.cpu)
    print(
        f"CPU time, whole process (less sensitive to other load): bare {statistics.median(bare.cpu) * 1000:.1f} ms,"
        f" window-app {statistics.median(app.cpu) * 1000:.1f} ms, ratio {cpu_ratio:.2f}×"
    )
    ok = ratio < TARGET_RATIO
    print("OK" if ok else "ABOVE TARGET: see --importtime")
    return ok


def import_profile(script: Path, *args: str, top: int = 15) -> None:
    """Run ``script`` once under ``-X importtime`` and print the costliest top-level imports."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", str(script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        timeout=120,
    )
    rows = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((int(cumulative), depth, name.strip()))
    print(f"\n{script.name}: costliest imports (cumulative, µs; depth ≤ 1)")
    for cumulative, depth, name in sorted((r for r in rows if r[1] <= 1), reverse=True)[:top]:
        print(f"  {cumulative / 1000:8.1f} ms  {'  ' * depth}{name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="window-app start-up against a bare Textual app")
    parser.add_argument("--rounds", type=int, default=10, help="measured rounds of each (default 10)")
    parser.add_argument("--importtime", action="store_true", help="also profile imports of both harnesses")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="window-app-bench-") as data_dir:
            print(f"python {sys.version.split()[0]} ({sys.executable}), {args.rounds} rounds, data dir {data_dir}")
            bare, app, widgets = measure(args.rounds, data_dir)
            ok = report(bare, app)
            report_reference(app, widgets)
            if args.importtime:
                import_profile(BENCH / "bare_app.py")
                import_profile(BENCH / "app_ready.py", data_dir)
    finally:
        shutil.rmtree(PYCACHE, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
