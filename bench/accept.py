"""Bench (not a test): how long does accepting one application take, end to end?

    python bench/accept.py [--count 40] [--rounds 3]

``Window.accept`` on a fresh window database (a temporary data dir and keys dir), the shipped
catalog, each example application of ``examples/applications/`` in turn, COUNT accepts per
round: validation, receipt number, envelopes (sealed to each department and signed, where the
program does so), the durable transaction (``synchronous = FULL``) and the audit event. Prints
the median and the 90th percentile per accept, best round. Run it on two checkouts to compare
(``PYTHONPATH=<checkout> python bench/accept.py``): it uses the public facade only.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] or Path(__file__).resolve().parents[1])
sys.path[:0] = [str(ROOT)]

from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.window import Window  # noqa: E402


def one_round(count: int, examples: list[dict]) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="accept-bench-") as tmp:
        environ = {"WINDOW_APP_TRUST_KEYS_DIR": str(Path(tmp) / "keys")}
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(Path(tmp) / "data"))
        os.environ.update(environ)
        window = Window.open(settings)
        try:
            window.accept(parse_intake(examples[0])[0])  # the first accept makes the key: not timed
            times = []
            for n in range(count):
                intake, _ = parse_intake(examples[n % len(examples)])
                started = time.perf_counter()
                window.accept(intake)
                times.append(time.perf_counter() - started)
            return times
        finally:
            window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    examples = [json.loads(path.read_text("utf-8")) for path in sorted((ROOT / "examples" / "applications").glob("*.json"))]
    rounds = [one_round(args.count, examples) for _ in range(args.rounds)]
    best = min(rounds, key=statistics.median)
    p90 = sorted(best)[int(len(best) * 0.9) - 1]
    print(f"{ROOT.name}: accept median {statistics.median(best) * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms "
          f"({args.count} accepts of {len(examples)} examples, best of {args.rounds} rounds)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
