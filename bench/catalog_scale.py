"""The catalog at scale: ``Window.open`` cold and warm, and the memory a window holds, with the
shipped catalog and with a 10,000-offering one (issue 10).

    python bench/catalog_scale.py [--rounds 5] [--quick] [--catalog DIR] [--profile cold|warm]

- *cold*: a fresh data dir (no catalog snapshot, no search keys): the TOML is parsed and
  checked, the pinyin keys computed, both stored; what a window pays at its first start with a
  catalog (and after every catalog update).
- *warm*: the same data dir opened again: the files' digest taken from their fingerprint (names,
  sizes, times), the snapshot read back (the offering table whole; bundles and items decoded
  when first used); every later start.
- *RSS*: ``VmRSS`` after a warm ``Window.open`` (the clerk's every start), next to the same
  process with the shipped catalog and a bare baseline (the same imports, no window opened);
  the cold start's peak (``VmHWM``) is printed too.

Every measurement runs in a fresh process (imports and module caches as at a clerk's start;
bytecode compiled by a warm-up run first), each cold one on a fresh data dir. The process
imports what a clerk's does (``screens.app``, ``window_app.window``) before the clock starts;
the time is ``Window.open`` alone. Rounds alternate catalogs; min and median are printed with the
load average (the machine is shared: CPU time is printed too, it is steadier).

The 10,000-offering catalog is made by ``bench/synth_catalog.py`` into a temp dir (or ``--catalog``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from figures import median, report  # noqa: E402

TODAY = "cold 10.9 s / warm 0.75 s, RSS 151–221 MB (issue 10, before this work)"
COLD_GOAL = 2.0
WARM_GOAL = 0.100
RSS_GOAL_MB = 100.0


# -- the measured process ----------------------------------------------------------------------


def child(mode: str, data_dir: str, catalog: str, profile: str) -> None:
    """One measurement: imports, then ``Window.open`` (unless ``mode`` is ``bare``); prints JSON."""
    import screens.app  # noqa: F401 - a clerk's process holds the app's modules too
    from window_app.config import SHIPPED_CONFIG, load_settings
    from window_app.window import Window

    environ = {} if catalog == "-" else {"WINDOW_APP_CATALOG_PATH": catalog}
    settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=data_dir)
    result: dict[str, float | int | str] = {"mode": mode}
    if mode != "bare":
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        window = Window.open(settings)
        result["seconds"] = time.perf_counter() - wall
        result["cpu"] = time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile)
        result["offerings"] = len(window.index.offerings)
    result.update(_memory_kib())
    print(json.dumps(result), flush=True)


def _memory_kib() -> dict[str, int]:
    """VmRSS (now) and VmHWM (peak) in KiB; ru_maxrss where /proc is not there."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            found = {key: int(rest.split()[0]) for key, _, rest in (line.partition(":") for line in status) if key in ("VmRSS", "VmHWM")}
        return {"rss": found["VmRSS"], "hwm": found["VmHWM"]}
    except (OSError, KeyError, ValueError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return {"rss": peak, "hwm": peak}


# -- the parent --------------------------------------------------------------------------------


def spawn(mode: str, data_dir: Path, catalog: str, profile: str = "") -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, str(data_dir), catalog, profile]
    done = subprocess.run(command, capture_output=True, text=True, cwd=BENCH.parent, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {mode} {catalog} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="two rounds (under a minute)")
    parser.add_argument("--catalog", help="a 10,000-offering catalog already made (default: made in a temp dir)")
    parser.add_argument("--profile", choices=("cold", "warm"), help="print cProfile's view of one 10k open")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    rounds = 2 if args.quick else args.rounds

    work = Path(tempfile.mkdtemp(prefix="catalog-scale-"))
    try:
        if args.catalog:
            big = args.catalog
        else:
            from synth_catalog import write_catalog

            started = time.perf_counter()
            big = str(write_catalog(work / "cat10k"))
            print(f"10,000-offering catalog written in {time.perf_counter() - started:.1f} s: {big}")
        catalogs = {"shipped": "-", "10k": big}
        spawn("bare", work / "warmup", "-")  # bytecode compiled, as on a clerk's machine
        if args.profile:
            return _profile(work, big, args.profile)

        results: dict[tuple[str, str], list[dict]] = {}
        for round_no in range(rounds):
            for name, catalog in catalogs.items():
                data_dir = work / f"{name}-{round_no}"
                results.setdefault((name, "cold"), []).append(spawn("open", data_dir, catalog))
                results.setdefault((name, "warm"), []).append(spawn("open", data_dir, catalog))
                shutil.rmtree(data_dir, ignore_errors=True)
            results.setdefault(("bare", "bare"), []).append(spawn("bare", work / f"bare-{round_no}", "-"))
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

        print(f"\n{rounds} rounds, load average {load:.2f}; today: {TODAY}")
        print(f"{'Window.open':<22}{'min':>10}{'median':>10}{'cpu med':>10}  offerings")
        for (name, phase), samples in results.items():
            if phase == "bare":
                continue
            seconds = [s["seconds"] for s in samples]
            cpu = [s["cpu"] for s in samples]
            print(f"{name + ' ' + phase:<22}{_ms(min(seconds)):>10}{_ms(median(seconds)):>10}{_ms(median(cpu)):>10}  {samples[0]['offerings']}")
        print(f"\n{'memory (MB)':<22}{'RSS med':>10}{'peak med':>10}")
        for label, key in (("bare imports", ("bare", "bare")), ("shipped warm", ("shipped", "warm")),
                           ("shipped cold", ("shipped", "cold")), ("10k warm", ("10k", "warm")), ("10k cold", ("10k", "cold"))):
            samples = results[key]
            print(f"{label:<22}{median([s['rss'] for s in samples]) / 1024:>10.1f}{median([s['hwm'] for s in samples]) / 1024:>10.1f}")
        print()

        cold = median([s["seconds"] for s in results[("10k", "cold")]])
        warm = median([s["seconds"] for s in results[("10k", "warm")]])
        rss = median([s["rss"] for s in results[("10k", "warm")]]) / 1024
        report("Window.open 10k cold", f"{cold:.2f} s median", f"≤ {COLD_GOAL:.0f} s", cold <= COLD_GOAL)
        report("Window.open 10k warm", f"{warm * 1000:.0f} ms median", f"≤ {WARM_GOAL * 1000:.0f} ms", warm <= WARM_GOAL)
        report("RSS 10k catalog", f"{rss:.0f} MB after a warm open", f"≤ {RSS_GOAL_MB:.0f} MB", rss <= RSS_GOAL_MB)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _profile(work: Path, catalog: str, phase: str) -> int:
    import pstats

    data_dir = work / "profiled"
    if phase == "warm":
        spawn("open", data_dir, catalog)
    stats = work / "open.prof"
    print(spawn("open", data_dir, catalog, str(stats)))
    pstats.Stats(str(stats)).sort_stats("cumulative").print_stats(40)
    return 0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


if __name__ == "__main__":
    sys.exit(main())
