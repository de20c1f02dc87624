"""Bench (not a test): how fast does the exchange take envelopes, in batches vs one by one?

    python bench/exchange_ingest.py [--count 1000] [--batch 50]

A real exchange (uvicorn on 127.0.0.1, the same as the tests' ``exchange_server``) on a fresh
SQLite file for each run; one keep-alive httpx client posts COUNT signed envelopes
(``tests/exchange_fixtures.make_envelope``: sealed, Ed25519-signed) in requests of BATCH, then — on another fresh file —
one per request. Every request is one durable transaction (WAL, ``synchronous = FULL``)
committed before its answer, so one-by-one pays an fsync per envelope. The store alone (no HTTP)
is timed too, to show what HTTP adds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import httpx  # noqa: E402

from tests.exchange_fixtures import ExchangeServer, make_envelope, receipt, register_test_window  # noqa: E402
from window_app.catalog.loader import load_catalog, shipped_catalog_path  # noqa: E402
from window_app.exchange.store import ExchangeStore  # noqa: E402


def envelopes(count: int, tag: str) -> list[dict]:
    # Sealed to the department and signed by the test window, as a window's outbox holds them
    # (every run is on a fresh file, so the same receipt numbers serve each).
    return [make_envelope(receipt_no=receipt(n + 1)) for n in range(count)]


def over_http(directory: Path, name: str, batch: list[dict], size: int) -> float:
    server = ExchangeServer(directory / f"{name}.db").start()
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": "Bearer demo-window-ZF-01"}, trust_env=False, timeout=60) as client:
            client.get("/healthz")
            started = time.perf_counter()
            for start in range(0, len(batch), size):
                response = client.post("/v1/envelopes", json={"envelopes": batch[start : start + size]})
                response.raise_for_status()
                assert all(r["status"] == "created" for r in response.json()["results"]), response.text
            elapsed = time.perf_counter() - started
        assert server.app.state.store.count_envelopes() == len(batch)
    finally:
        server.stop()
    return elapsed


def in_store(directory: Path, name: str, batch: list[dict], size: int) -> float:
    catalog = load_catalog(shipped_catalog_path())
    store = ExchangeStore.open(directory / f"{name}.db")
    register_test_window(store)
    try:
        started = time.perf_counter()
        for start in range(0, len(batch), size):
            store.ingest("ZF-01", batch[start : start + size], catalog)
        return time.perf_counter() - started
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many runs, each on a fresh file")
    args = parser.parse_args()
    cases = [
        (f"HTTP, batches of {args.batch}", over_http, args.batch),
        ("HTTP, one per request", over_http, 1),
        (f"store only, batches of {args.batch}", in_store, args.batch),
        ("store only, one per transaction", in_store, 1),
    ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="exchange-bench-") as tmp:
        directory = Path(tmp)
        for number, (label, run, size) in enumerate(cases):
            times = [run(directory, f"{number}-{r}", envelopes(args.count, f"C{number}R{r}"), size) for r in range(args.rounds)]
            rows.append((label, min(times)))
    print(f"{args.count} envelopes into a fresh exchange (WAL, synchronous=FULL, one transaction per request), "
          f"best of {args.rounds}")
    for label, seconds in rows:
        print(f"  {label:<36} {seconds:7.2f} s   {args.count / seconds:8.0f} envelopes/s")
    print(f"  batching speed-up over HTTP: {rows[1][1] / rows[0][1]:.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
