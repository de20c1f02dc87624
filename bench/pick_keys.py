"""How long the pick screen takes to answer a keystroke, on the shipped catalog and on 10,000 offerings.

    python bench/pick_keys.py                       # this checkout: shipped and 10k catalogs
    python bench/pick_keys.py --baseline main       # … and the same on main's code, side by side
    python bench/pick_keys.py --quick               # fewer rounds (bench/all.py)
    python bench/pick_keys.py --profile 10k         # cProfile of the keystrokes on one catalog

The real app (``WindowApp``, headless through Textual's ``run_test``, 80×24 unless ``--size``)
on a fresh window in a temp data dir, a clerk signed in, the pick screen showing. Realistic
queries are typed key by key as a terminal sends them (``Key`` events through the driver:
pinyin letters, spaces, Backspace, Esc to clear) and hanzi as an input method commits them (one
``Paste`` event per word). For every keystroke:

- **first frame**: from sending the key to the first frame the app hands to the terminal
  (``App._display``, wrapped by the bench; headless, the frame is composed but not written)
  in which the search box holds the new text and the list shows its results: the count line
  names the number of hits and the highlight is on the best one (hits are computed beforehand
  by a second index of the same code, so the measured one is not warmed by the bench);
- **settled**: to the last frame the keystroke caused (the app then drew nothing for
  ``QUIET`` seconds). The issue's "one keystroke to settled frame".

Plus the index alone: ``OfferingIndex.search`` for every text the same typing goes through,
on a fresh index per typed query (the narrowing a clerk's index does within one query counts,
nothing is kept from one round to the next).

Every measurement runs in a child process of the code under test (``--code``): with
``--baseline REF`` the same child runs on a ``git worktree`` of REF, so "before" and "after"
come from one run of one bench on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from figures import median, percentile, report  # noqa: E402

QUIET = 0.06
"""Seconds without a new frame after which a keystroke counts as settled (above Textual's
1/60 s refresh: an animation would draw within it)."""

# A typing plan: ("type", text) key by key, ("paste", text) one input-method commit,
# ("back", n) Backspace n times, ("clear",) Esc. Every plan ends with the search empty.
SHIPPED_PLANS: list[list[tuple]] = [
    [("type", "qykb"), ("back", 2), ("type", "zx"), ("clear",)],
    [("type", "xinshenger"), ("clear",)],
    [("paste", "新生儿"), ("back", 1), ("clear",)],
    [("type", "yyzz"), ("clear",)],
    [("type", "birth"), ("clear",)],
    [("paste", "营业执照"), ("clear",)],
    [("type", "tuixiu"), ("back", 6)],
    [("type", "gjj"), ("clear",)],
    [("type", "starting a"), ("clear",)],
    [("type", "xse"), ("back", 3)],
]
SCALE_PLANS: list[list[tuple]] = [
    [("type", "spjy"), ("back", 1), ("type", "sc"), ("clear",)],  # 食品经营 → 食品生产
    [("type", "shipinjingying"), ("clear",)],
    [("paste", "许可证"), ("type", "x"), ("back", 1), ("clear",)],
    [("type", "xkz"), ("clear",)],
    [("type", "food business"), ("clear",)],
    [("paste", "食品经营许可证核发"), ("back", 2), ("clear",)],
    [("type", "jiulei"), ("back", 6)],
    [("type", "qykb"), ("clear",)],
    [("type", "yyzz"), ("clear",)],
    [("type", "birth"), ("clear",)],
]


def keystrokes(plan: list[tuple]) -> list[tuple[str, str]]:
    """The plan as (kind, payload) events: ("key", key name or character) or ("paste", text)."""
    events: list[tuple[str, str]] = []
    for step in plan:
        if step[0] == "type":
            events += [("key", char) for char in step[1]]
        elif step[0] == "paste":
            events.append(("paste", step[1]))
        elif step[0] == "back":
            events += [("key", "backspace")] * step[1]
        else:
            events.append(("key", "escape"))
    return events


def texts(plan: list[tuple]) -> list[str]:
    """The search box's text after each keystroke of the plan."""
    value, out = "", []
    for kind, payload in keystrokes(plan):
        if kind == "paste":
            value += payload
        elif payload == "backspace":
            value = value[:-1]
        elif payload == "escape":
            value = ""
        else:
            value += payload
        out.append(value)
    return out


# -- the child: one catalog, the code on sys.path -----------------------------------------


def child(args: argparse.Namespace) -> None:
    """Measure one catalog with the code in ``args.code``; print the samples as JSON."""
    sys.path.insert(0, str(Path(args.code).resolve()))
    os.chdir(args.code)
    result = asyncio.run(measure(args))
    print("JSON " + json.dumps(result))


async def measure(args: argparse.Namespace) -> dict:
    from textual import events

    from screens.app import WindowApp
    from window_app.catalog.cache import cached_search_keys
    from window_app.config import SHIPPED_CONFIG, load_settings
    from window_app.trust.pins import KdfParams
    from window_app.window import Window

    plans = SCALE_PLANS if args.catalog else SHIPPED_PLANS
    plans = plans[: args.plans] if args.plans else plans
    environ = {"WINDOW_APP_CATALOG_PATH": args.catalog} if args.catalog else {}
    columns, rows = (int(part) for part in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="bench-pick-") as directory:
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(Path(directory) / "data"))
        started = time.perf_counter()
        window = Window.open(settings)
        open_seconds = time.perf_counter() - started
        window.create_first_administrator("B001", "基准", "bench-pin-1357", kdf=KdfParams(time_cost=1, memory_kib=8, parallelism=1))
        keys = cached_search_keys(window.db, window.catalog)
        make_index = type(window.index)
        offerings = window.index.offerings
        # Expected hits from a second index of the same code: the measured one stays unwarmed.
        expect_index = make_index(offerings, keys)
        expected: dict[str, list[str]] = {}
        for plan in plans:
            for text in texts(plan):
                expected.setdefault(text, [o.id for o in expect_index.search(text)])

        index_samples: list[float] = []
        index_cpu: list[float] = []
        for _round in range(args.rounds):
            for plan in plans:
                index = make_index(offerings, keys)
                for text in texts(plan):
                    start, cpu_start = time.perf_counter(), time.process_time()
                    index.search(text)
                    index_samples.append(time.perf_counter() - start)
                    index_cpu.append(time.process_time() - cpu_start)

        app = WindowApp(window, cursor_blink=False, sync=False)
        if "gc.freeze()" in (Path(args.code) / "window_app" / "cli" / "tui.py").read_text(encoding="utf-8"):
            gc.freeze()  # as that code's window_app/cli/tui.py does before running the app
        frames: list[tuple[float, bool]] = []
        display = app._display
        state = {"text": "", "count": "", "first": None}

        def recording(screen, renderable) -> None:  # noqa: ANN001 - Textual's private signature
            if renderable is not None and getattr(screen, "STEP", "") == "pick":
                frames.append((time.perf_counter(), shows(screen)))
            display(screen, renderable)

        def shows(screen) -> bool:  # noqa: ANN001
            """The screen shows the results of the text being measured."""
            try:
                value = screen.query_one("#search").value
                count = str(screen.query_one("#result-count").render())
                results = screen.query_one("#results")
                highlighted = results.highlighted
                first = results.get_option_at_index(highlighted).id if highlighted is not None else None
            except Exception:  # noqa: BLE001 - mid-recompose: not showing it
                return False
            return value == state["text"] and state["count"] in count and first == state["first"]

        app._display = recording  # type: ignore[method-assign]
        collections: list[tuple[int, float]] = []  # (generation, seconds) of the garbage collector

        def collecting(phase: str, info: dict) -> None:
            if phase == "start":
                collecting.started = time.perf_counter()  # type: ignore[attr-defined]
            else:
                collections.append((info["generation"], time.perf_counter() - collecting.started))  # type: ignore[attr-defined]

        gc.callbacks.append(collecting)
        first_frames: list[float] = []
        settled: list[float] = []
        frame_counts: list[int] = []  # frames drawn per keystroke (the screen's 60 Hz timer spaces a second one 17–33 ms after the first)
        cpu: list[float] = []
        labels: list[str] = []
        missed: list[str] = []
        profiler = cProfile.Profile()
        async with app.run_test(size=(columns, rows)) as pilot:
            await pilot.pause()
            while getattr(app.screen, "STEP", "") != "pick":
                await pilot.pause(0.05)
            await pilot.pause(0.2)
            driver = app._driver
            for _round in range(args.rounds + 1):  # the first round warms up (imports, CSS, caches)
                for plan in plans:
                    for (kind, payload), text in zip(keystrokes(plan), texts(plan), strict=True):
                        hits = expected[text]
                        count = (str(len(hits)) if hits else text.strip()) if text.strip() else ""
                        state.update(text=text, count=count, first=hits[0] if hits else None)
                        frames.clear()
                        if _round and args.profile:
                            profiler.enable()
                        t0, c0 = time.perf_counter(), time.process_time()
                        if kind == "paste":
                            event = events.Paste(payload)
                        elif payload == "backspace" or payload == "escape":
                            event = events.Key(payload, None)
                        elif payload == " ":
                            event = events.Key("space", " ")
                        else:
                            event = events.Key(payload, payload)
                        event.set_sender(app)
                        driver.send_message(event)
                        await settle(app, frames, t0)
                        c1 = time.process_time()
                        if _round and args.profile:
                            profiler.disable()
                        good = [t for t, ok in frames if ok]
                        if not good:
                            missed.append(f"{payload if kind == 'key' else 'paste ' + payload!r} → {text!r}")
                            continue
                        if _round:
                            first_frames.append(good[0] - t0)
                            settled.append(frames[-1][0] - t0)
                            frame_counts.append(len(frames))
                            cpu.append(c1 - c0)  # the quiet wait is idle: CPU of the keystroke's work
                            labels.append(f"{payload if kind == 'key' else 'paste ' + payload!r} → {text!r}")
        window.close()
        gc.callbacks.remove(collecting)
    if args.profile:
        profiler.dump_stats(Path(tempfile.gettempdir()) / f"pick_keys_{args.profile}.prof")
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    return {
        "offerings": len(offerings),
        "open": open_seconds,
        "first": first_frames,
        "settled": settled,
        "frames": frame_counts,
        "cpu": cpu,
        "index": index_samples,
        "index_cpu": index_cpu,
        "missed": missed,
        "labels": labels,
        "gc": collections,
    }


async def settle(app, frames: list[tuple[float, bool]], t0: float, timeout: float = 60.0) -> None:  # noqa: ANN001
    """Return once the results were shown, nothing was drawn for ``QUIET`` s and no message waits."""
    while time.perf_counter() - t0 < timeout:
        await asyncio.sleep(0.002)
        last = frames[-1][0] if frames else t0
        if time.perf_counter() - last <= QUIET or not any(ok for _t, ok in frames):
            continue
        nodes = [app, *app.screen.walk_children(with_self=True)]
        if all(node._message_queue.empty() for node in nodes):
            return


# -- the parent: children per code and catalog, the figures ------------------------------


def run_child(code: Path, catalog: str, args: argparse.Namespace) -> dict:
    command = [
        sys.executable, str(BENCH / "pick_keys.py"), "--child", "--code", str(code), "--rounds", str(args.rounds),
        "--size", args.size, "--plans", str(args.plans),
    ]
    if catalog:
        command += ["--catalog", catalog]
    if args.profile and (args.profile == "10k") == bool(catalog):
        command += ["--profile", args.profile]
    env = dict(os.environ, PYTHONPATH=str(code))
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=code)
    if args.profile:
        print(done.stderr)
    line = next((line for line in done.stdout.splitlines() if line.startswith("JSON ")), None)
    if line is None:
        raise SystemExit(f"the child failed on {code}:\n{done.stdout}\n{done.stderr}")
    return json.loads(line[5:])


def line(name: str, samples: list[float]) -> str:
    if not samples:
        return f"  {name:<14} no samples"
    return (
        f"  {name:<14} p50 {median(samples) * 1e3:7.1f}  p90 {percentile(samples, 0.9) * 1e3:7.1f}"
        f"  p99 {percentile(samples, 0.99) * 1e3:7.1f}  max {max(samples) * 1e3:7.1f} ms  (n={len(samples)})"
    )


def show(label: str, result: dict, verbose: int = 0) -> None:
    print(f"{label}: {result['offerings']} offerings, Window.open {result['open']:.2f} s")
    print(line("first frame", result["first"]))
    print(line("settled", result["settled"]))
    print(line("cpu/keystroke", result["cpu"]))
    if result.get("frames"):
        counts = result["frames"]
        spread = ", ".join(f"{n}: {counts.count(n)}" for n in sorted(set(counts)))
        print(f"  frames drawn per keystroke (count: keystrokes): {spread}")
        several = sorted({label for count, label in zip(counts, result["labels"], strict=True) if count > 1})
        if verbose and several:
            print(f"    more than one frame: {', '.join(several[:12])}{' …' if len(several) > 12 else ''}")
    print(line("index search", result["index"]))
    print(line("index cpu", result["index_cpu"]))
    full = [seconds for generation, seconds in result["gc"] if generation == 2]
    if full:
        print(f"  garbage collector: {len(full)} full collections while typing, longest {max(full) * 1e3:.0f} ms")
    if verbose:
        counts = result.get("frames") or [0] * len(result["settled"])
        rows = zip(result["settled"], result["first"], result["cpu"], counts, result["labels"], strict=True)
        for settled, first, cpu, count, label in sorted(rows, reverse=True)[:verbose]:
            print(f"    settled {settled * 1e3:6.1f}  first {first * 1e3:6.1f}  cpu {cpu * 1e3:6.1f} ms  {count} frames  {label}")
    if result["missed"]:
        print(f"  {len(result['missed'])} keystrokes never showed their results (left out): {', '.join(result['missed'])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="one round, fewer queries (under a minute)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--plans", type=int, default=0, help="only the first N typing plans")
    parser.add_argument("--size", default="80x24", help="terminal size, COLSxROWS")
    parser.add_argument("--catalog", default="", help="a 10,000-offering catalog (default: made by synth_catalog.py)")
    parser.add_argument("--baseline", default="", help="also measure this git ref's code (e.g. main)")
    parser.add_argument("--only", choices=("shipped", "10k"), default="")
    parser.add_argument("--worst", type=int, default=0, help="print the N slowest keystrokes")
    parser.add_argument("--profile", choices=("", "shipped", "10k"), default="")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=str(ROOT), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return 0
    if args.quick:
        args.rounds, args.plans = 1, args.plans or 4
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-pick-keys-") as scratch:
        catalog = args.catalog
        if not catalog and args.only != "shipped":
            from synth_catalog import write_catalog

            catalog = str(write_catalog(Path(scratch) / "cat10k"))
        codes = [("this checkout", ROOT)]
        if args.baseline:
            baseline = Path(scratch) / "baseline"
            subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT, check=True, capture_output=True)
            codes.insert(0, (f"baseline {args.baseline}", baseline))
        try:
            results: dict[tuple[str, str], dict] = {}
            for label, code in codes:
                for name, path in (("shipped", ""), ("10k", catalog)):
                    if args.only and args.only != name:
                        continue
                    results[label, name] = result = run_child(code, path, args)
                    show(f"{label}, {name} catalog", result, args.worst)
        finally:
            if args.baseline:
                subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, check=False)
    mine = {name: result for (label, name), result in results.items() if label == "this checkout"}
    if "shipped" in mine:
        p99 = percentile(mine["shipped"]["settled"], 0.99) * 1e3
        report("pick keystroke p99 (shipped)", f"{p99:.0f} ms", "≤ 33 ms", p99 <= 33)
    if "10k" in mine:
        p99 = percentile(mine["10k"]["first"], 0.99) * 1e3
        report("pick first frame p99 (10k)", f"{p99:.0f} ms", "≤ 50 ms", p99 <= 50)
        p99 = percentile(mine["10k"]["index"], 0.99) * 1e3
        report("search index p99 (10k)", f"{p99:.1f} ms", "≤ 5 ms", p99 <= 5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
