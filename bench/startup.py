"""Start-up benchmark: window-app's first screen against a bare Textual app.

Measures, in the same run and alternating, N rounds of

(a) process start → a bare Textual app's ``on_mount`` (``bench/bare_app.py``),
(b) process start → window-app's pick screen mounted with its list filled, the clerk signed in
    as the app is made (``bench/app_ready.py``: the real CLI path, the real ``WindowApp``,
    headless),
(s) process start → window-app's sign-in screen mounted with its input focused (what every
    start shows first: ``app_ready.py --screen sign-in``), and
(c) for reference, process start → first refresh of a plain Textual app with the pick
    screen's widgets and no window-app code (``bench/widgets_app.py``),

after a first start that creates the database, the search-key cache and the bench clerk in a
temporary data dir (a clerk's machine has them after its first start) and one warm-up of each.
Prints median and minimum of each, the ratios, and the issue's figure (issue 10):
``start-up / bare Textual``, (b)/(a) of the medians, goal ≤ 1.25×; and the same for the first
screen every start shows, ``start-up to sign-in / bare Textual``, (s)/(a). (b)/(c) shows what
window-app itself adds to what Textual pays for drawing such a screen.

Usage::

    python bench/startup.py [--rounds N] [--quick] [--importtime] [--profile] [--instructions]

``--quick`` runs 5 rounds. ``--importtime`` then runs (a) and (b) once under
``python -X importtime`` and lists the imports that cost most (cumulative), to see what could
be made lazy; ``--profile`` runs (b) once under cProfile and prints the costliest calls;
``--instructions`` counts, with valgrind's callgrind, the instructions each harness runs until
it calls ``App.run`` (imports, settings, opening the window, signing in): a count that does not
move with the machine's load, unlike the times, and leaves out Textual's timers (which, slowed
down 50× under valgrind, would fire more often).
Exits 0 whether the goal is met or not (``bench/all.py`` collects the FIGURE line).
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

from figures import report as figure

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
GOAL_RATIO = 1.25
QUICK_ROUNDS = 5


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


def prepare(data_dir: str) -> None:
    """The window's first start in ``data_dir``: database, catalog snapshot, search keys, the
    bench clerk (``app_ready.py --prepare``)."""
    result = subprocess.run(
        [sys.executable, str(BENCH / "app_ready.py"), "--prepare", data_dir],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=child_env(),
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"app_ready.py --prepare failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


def measure(rounds: int, data_dir: str) -> tuple[Series, Series, Series, Series]:
    """Alternating rounds of (a) bare app, (b) window-app to pick, (s) window-app to sign-in and
    (c) the widgets reference, after a warm-up of each."""
    prepare(data_dir)
    time_to_ready(BENCH / "bare_app.py")  # warm-up: bytecode cache
    time_to_ready(BENCH / "widgets_app.py")
    time_to_ready(BENCH / "app_ready.py", data_dir)
    time_to_ready(BENCH / "app_ready.py", "--screen", "sign-in", data_dir)
    bare, app, sign_in, widgets = Series(), Series(), Series(), Series()
    for round_no in range(1, rounds + 1):
        bare.wall.append(time_to_ready(BENCH / "bare_app.py", cpu=bare.cpu))
        app.wall.append(time_to_ready(BENCH / "app_ready.py", data_dir, cpu=app.cpu))
        sign_in.wall.append(time_to_ready(BENCH / "app_ready.py", "--screen", "sign-in", data_dir, cpu=sign_in.cpu))
        widgets.wall.append(time_to_ready(BENCH / "widgets_app.py", cpu=widgets.cpu))
        print(
            f"  round {round_no:2d}: bare {bare.wall[-1] * 1000:7.1f} ms (cpu {bare.cpu[-1] * 1000:6.1f})"
            f"   pick {app.wall[-1] * 1000:7.1f} ms (cpu {app.cpu[-1] * 1000:6.1f})"
            f"   sign-in {sign_in.wall[-1] * 1000:7.1f} ms (cpu {sign_in.cpu[-1] * 1000:6.1f})"
            f"   widgets {widgets.wall[-1] * 1000:7.1f} ms (cpu {widgets.cpu[-1] * 1000:6.1f})",
            flush=True,
        )
    return bare, app, sign_in, widgets


def report_reference(bare: Series, app: Series, sign_in: Series, widgets: Series) -> None:
    """(c): how much of (b) and (s) any Textual app with such a first screen pays."""
    median = statistics.median(widgets.wall)
    print(
        f"(c) reference: plain Textual app with the pick screen's widgets   median {median * 1000:7.1f} ms"
        f"   min {min(widgets.wall) * 1000:7.1f} ms"
    )
    print(
        f"ratio (c)/(a): median {median / statistics.median(bare.wall):.2f}× (the floor of (b)/(a) on this machine)"
        f"   (b)/(c) median {statistics.median(app.wall) / median:.2f}×"
        f"   (s)/(c) median {statistics.median(sign_in.wall) / median:.2f}×"
    )
    cpu = {name: statistics.median(series.cpu) for name, series in (("a", bare), ("b", app), ("s", sign_in), ("c", widgets))}
    print(
        f"CPU (c) {cpu['c'] * 1000:.1f} ms: (c)/(a) {cpu['c'] / cpu['a']:.2f}×, (b)/(c) {cpu['b'] / cpu['c']:.2f}×,"
        f" (s)/(c) {cpu['s'] / cpu['c']:.2f}×"
    )


def print_ratios(bare: Series, app: Series, sign_in: Series) -> tuple[float, float]:
    """Print median/min and the ratios; return (b)/(a) and (s)/(a) of the medians."""
    bare_median, app_median = statistics.median(bare.wall), statistics.median(app.wall)
    sign_in_median = statistics.median(sign_in.wall)
    ratio = app_median / bare_median
    print()
    print(f"(a) bare Textual app → on_mount       median {bare_median * 1000:7.1f} ms   min {min(bare.wall) * 1000:7.1f} ms")
    print(f"(b) window-app → pick screen ready    median {app_median * 1000:7.1f} ms   min {min(app.wall) * 1000:7.1f} ms")
    print(f"(s) window-app → sign-in screen ready median {sign_in_median * 1000:7.1f} ms   min {min(sign_in.wall) * 1000:7.1f} ms")
    print(f"ratio (b)/(a): median {ratio:.2f}×   min {min(app.wall) / min(bare.wall):.2f}×   goal ≤ {GOAL_RATIO}×")
    print(f"ratio (s)/(a): median {sign_in_median / bare_median:.2f}×   min {min(sign_in.wall) / min(bare.wall):.2f}×")
    cpu = {name: statistics.median(series.cpu) for name, series in (("a", bare), ("b", app), ("s", sign_in))}
    print(
        f"CPU time, whole process (less sensitive to other load): bare {cpu['a'] * 1000:.1f} ms,"
        f" pick {cpu['b'] * 1000:.1f} ms ({cpu['b'] / cpu['a']:.2f}×), sign-in {cpu['s'] * 1000:.1f} ms ({cpu['s'] / cpu['a']:.2f}×)"
    )
    return ratio, sign_in_median / bare_median


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


STOP_AT_RUN = """
import importlib.util, runpy, sys
class StopAtRun:  # patches textual.app.App.run as textual.app is imported
    def find_spec(self, name, path, target=None):
        if name != "textual.app":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        exec_module = spec.loader.exec_module
        def exec_and_patch(module):
            exec_module(module)
            module.App.run = lambda app, *args, **kwargs: None
        spec.loader.exec_module = exec_and_patch
        return spec
sys.meta_path.insert(0, StopAtRun())
script, *sys.argv[1:] = sys.argv[1:]
sys.path.insert(0, str(__import__("pathlib").Path(script).parent))
sys.argv[0] = script
try:
    runpy.run_path(script, run_name="__main__")
except SystemExit:
    pass
"""


def instructions(data_dir: str) -> None:
    """Instructions (callgrind) of each harness up to its ``App.run``; one run each after a
    warm-up. Skipped when valgrind is not installed."""
    if shutil.which("valgrind") is None:
        print("\n--instructions: valgrind is not installed")
        return
    cases = {
        "(a) bare": [str(BENCH / "bare_app.py")],
        "(c) widgets": [str(BENCH / "widgets_app.py")],
        "(b) pick": [str(BENCH / "app_ready.py"), data_dir],
        "(s) sign-in": [str(BENCH / "app_ready.py"), "--screen", "sign-in", data_dir],
    }
    counts: dict[str, int] = {}
    for name, script_args in cases.items():
        command = [sys.executable, "-c", STOP_AT_RUN, *script_args]
        subprocess.run(command, capture_output=True, cwd=ROOT, env=child_env(), timeout=120)  # bytecode
        result = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=child_env(),
            timeout=600,
        )
        found = [line for line in result.stderr.splitlines() if "Collected :" in line]
        if not found:
            print(f"{name}: no count (exit {result.returncode})")
            continue
        counts[name] = int(found[-1].rsplit(":", 1)[1])
    print("\nInstructions until App.run (callgrind, one run each):")
    bare = counts.get("(a) bare")
    for name, count in counts.items():
        ratio = f"   {count / bare:.2f}× (a)" if bare else ""
        print(f"  {name:12s} {count / 1e9:6.3f} G{ratio}")


def cprofile(data_dir: str, top: int = 30) -> None:
    """Run (b) once under cProfile and print the costliest calls (cumulative)."""
    with tempfile.NamedTemporaryFile(suffix=".prof", delete=False) as handle:
        stats_path = handle.name
    try:
        subprocess.run(
            [sys.executable, "-m", "cProfile", "-o", stats_path, str(BENCH / "app_ready.py"), data_dir],
            capture_output=True,
            cwd=ROOT,
            env=child_env(),
            timeout=120,
            check=True,
        )
        import pstats

        print(f"\napp_ready.py under cProfile: top {top} by cumulative time")
        pstats.Stats(stats_path).sort_stats("cumulative").print_stats(top)
    finally:
        os.unlink(stats_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="window-app start-up against a bare Textual app")
    parser.add_argument("--rounds", type=int, default=10, help="measured rounds of each (default 10)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROUNDS} rounds")
    parser.add_argument("--importtime", action="store_true", help="also profile imports of (a) and (b)")
    parser.add_argument("--profile", action="store_true", help="also run (b) once under cProfile")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions until App.run (valgrind)"
    )
    args = parser.parse_args(argv)
    rounds = QUICK_ROUNDS if args.quick else args.rounds
    try:
        with tempfile.TemporaryDirectory(prefix="window-app-bench-") as data_dir:
            print(f"python {sys.version.split()[0]} ({sys.executable}), {rounds} rounds, data dir {data_dir}")
            print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
            bare, app, sign_in, widgets = measure(rounds, data_dir)
            ratio, sign_in_ratio = print_ratios(bare, app, sign_in)
            report_reference(bare, app, sign_in, widgets)
            if args.importtime:
                import_profile(BENCH / "bare_app.py")
                import_profile(BENCH / "app_ready.py", data_dir)
            if args.instructions:
                instructions(data_dir)
            if args.profile:
                cprofile(data_dir)
            print()
            figure("start-up / bare Textual", f"{ratio:.2f}×", f"≤ {GOAL_RATIO}×", ratio <= GOAL_RATIO)
            # What every start shows first, before the clerk types a PIN: the same goal.
            figure(
                "start-up to sign-in / bare Textual",
                f"{sign_in_ratio:.2f}×",
                f"≤ {GOAL_RATIO}×",
                sign_in_ratio <= GOAL_RATIO,
            )
    finally:
        shutil.rmtree(PYCACHE, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
