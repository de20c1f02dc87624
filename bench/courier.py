"""Bench (not a test): what the USB courier costs for a county's backlog.

    python bench/courier.py [--applications 1000] [--quick]

Accepts ``--applications`` applications (six examples of ``examples/applications/``) at a window whose line
is down, then times, on one machine, each step of a courier round trip: the export at the window
(the tracking records' scrypt digests are most of it), the exchange taking the file in (a SQLite
exchange; the window's key registered), and the window applying the answer. Prints the file's
size and each step's time; no goal, so no FIGURE line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from window_app.catalog.loader import load_catalog, shipped_catalog_path  # noqa: E402
from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.exchange.courier_import import import_courier  # noqa: E402
from window_app.exchange.store import ExchangeStore  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.trust import courier_file  # noqa: E402
from window_app.trust.demo import demo_signing_key  # noqa: E402
from window_app.trust.pins import KdfParams  # noqa: E402
from window_app.window import Window  # noqa: E402

EXAMPLES = [
    ROOT / "examples" / "applications" / f"{name}.json"
    for name in ("social_security_card_replacement", "housing_fund_rent_withdrawal", "unemployment_benefit_claim",
                 "remote_medical_filing", "retirement", "newborn")
]
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # the examples' dates hold
CLERK, PIN = "B001", "bench-2468"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 applications")
    args = parser.parse_args()
    count = 200 if args.quick else args.applications
    with tempfile.TemporaryDirectory() as tmp:
        environ = {"WINDOW_APP_TRUST_KEYS_DIR": f"{tmp}/keys", "WINDOW_APP_EXCHANGE_URL": "http://127.0.0.1:9"}
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=f"{tmp}/data")
        window = Window.open(settings, clock=lambda: MONDAY)
        window.create_first_administrator(CLERK, "基准", PIN, kdf=KdfParams(time_cost=1, memory_kib=8, parallelism=1))
        window.sign_in(CLERK, PIN)
        intakes = [parse_intake(json.loads(path.read_text(encoding="utf-8")))[0] for path in EXAMPLES]
        started = time.perf_counter()
        for n in range(count):
            window.accept(intakes[n % len(intakes)])
        print(f"accepted {count} applications in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        exported = window.courier_export(Path(tmp))
        took = time.perf_counter() - started
        size = exported.path.stat().st_size
        print(f"export: {exported.envelopes} envelopes, {exported.tracking} tracking records, "
              f"{size / 1e6:.1f} MB in {took:.2f} s")

        store = ExchangeStore.open(Path(tmp) / "exchange.db")
        store.register_window(window.registration())
        catalog = load_catalog(shipped_catalog_path())
        started = time.perf_counter()
        outcome = import_courier(store, catalog, exported.path.read_bytes(), demo_signing_key("exchange"))
        print(f"exchange courier import: {outcome.created} created in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        import_courier(store, catalog, exported.path.read_bytes(), demo_signing_key("exchange"))
        print(f"the same file again (nothing stored): {time.perf_counter() - started:.2f} s")
        store.close()

        answer = Path(tmp) / "answer.courier"
        courier_file.write_whole(answer, outcome.answer)
        started = time.perf_counter()
        result = window.courier_import(answer)
        print(f"courier import at the window: {result.delivered} delivered in {time.perf_counter() - started:.2f} s")
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
