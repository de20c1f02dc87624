"""Bench (not a test): how fast does the sync engine drain a backlog, against bare httpx?

    python bench/sync_drain.py [--count 1000] [--latency 0.1] [--rounds 1] [--batch N]

One run, one machine, the real exchange (``window-app exchange serve --demo``) in its own
process on 127.0.0.1 with a FRESH database for every case:

- (a) the sync engine (``SyncEngine.run_once``, the window's own settings: batch size, pool,
  catalog check) draining COUNT queued envelopes of a real window's outbox;
- (b) bare httpx: one keep-alive ``httpx.Client`` posting the SAME envelopes (the outbox rows'
  contract form), one envelope per ``POST /v1/envelopes``, sequentially;
- (c) (a) and (b) again through ``tests/fault_proxy.py`` (its own process) adding LATENCY
  seconds to every round trip (and one to every new connection) — a slow county line.

The backlog is made once through the real ``Window.accept`` (construction-land survey
applications: six stage-1 envelopes each, plus one utilities installation for the remainder)
and copied for every engine run, so (a) always starts from the same outbox. Every case checks
that the exchange holds exactly COUNT envelopes afterwards.

Figures are envelopes per second (wall time of the drain only: not the backlog, not the
server's start). The aims: (a)/(b) ≥ 2 on loopback, ≥ 10 on the slow line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

import httpx  # noqa: E402

from tests.exchange_process import ExchangeProcess  # noqa: E402
from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.window import Window  # noqa: E402

EXAMPLES = ROOT / "examples" / "applications"
TOKEN = "demo-window-ZF-01"


def settings_for(data_dir: Path, url: str, batch: int | None):
    environ = {"WINDOW_APP_EXCHANGE_URL": url, "WINDOW_APP_EXCHANGE_TOKEN": TOKEN}
    if batch:
        environ["WINDOW_APP_SYNC_BATCH_SIZE"] = str(batch)
    return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(data_dir))


def intake(name: str):
    parsed, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))
    assert not problems, problems
    return parsed


def make_backlog(data_dir: Path, count: int) -> tuple[list[dict], float]:
    """Accept applications until exactly ``count`` envelopes are queued; their contract form."""
    window = Window.open(settings_for(data_dir, "http://127.0.0.1:9", None))
    started = time.perf_counter()
    try:
        six, one = intake("construction_land_survey"), intake("social_security_card_replacement")
        queued = 0
        while queued < count:
            before = window.outbox_unsent()
            window.accept(six if count - queued >= 6 else one)
            queued += window.outbox_unsent() - before
        elapsed = time.perf_counter() - started
        rows = window.db.execute(
            "SELECT envelope_id, idempotency_key, kind, receipt_no, department, stage, payload, payload_sha256, signature "
            "FROM outbox WHERE state = 'queued' ORDER BY created_at, envelope_id"
        ).fetchall()
    finally:
        window.close()
    names = ("envelope_id", "idempotency_key", "kind", "receipt_no", "department", "stage", "payload", "payload_sha256", "signature")
    return [dict(zip(names, row)) for row in rows], elapsed


def exchange_count(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT count(*) FROM envelopes").fetchone()[0]
    finally:
        conn.close()


def engine_drain(template: Path, work: Path, url: str, batch: int | None) -> tuple[float, int]:
    """(a): copy the backlog, drain it with the engine; (seconds, rounds)."""
    from window_app.sync.engine import SyncEngine

    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(template, work)
    settings = settings_for(work, url, batch)
    window = Window.open(settings)
    try:
        engine = SyncEngine(window.db, settings, catalog_etag=window.catalog.digest)
        rounds = 0

        async def drain() -> None:
            nonlocal rounds
            while True:
                rounds += 1
                report = await engine.run_once()
                if report.error:
                    raise RuntimeError(f"round {rounds}: {report.error.in_language('en')}")
                if report.queued == 0:
                    return

        started = time.perf_counter()
        asyncio.run(drain())
        return time.perf_counter() - started, rounds
    finally:
        window.close()


def bare_httpx(envelopes: list[dict], url: str) -> float:
    """(b): one envelope per request, sequentially, one keep-alive client."""
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, trust_env=False, timeout=60) as client:
        started = time.perf_counter()
        for envelope in envelopes:
            response = client.post("/v1/envelopes", json={"envelopes": [envelope]})
            response.raise_for_status()
            status = response.json()["results"][0]["status"]
            if status != "created":
                raise RuntimeError(f"bare httpx: {status} for {envelope['idempotency_key']}: {response.text}")
        return time.perf_counter() - started


def start_proxy(upstream: int, latency: float) -> tuple[subprocess.Popen, str]:
    proxy = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "fault_proxy.py"), "--upstream", str(upstream), "--latency", str(latency)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    line = proxy.stdout.readline() if proxy.stdout else ""
    if not line.startswith("PROXY "):
        proxy.kill()
        raise RuntimeError(f"the fault proxy did not start: {line!r}")
    return proxy, f"http://127.0.0.1:{line.split()[1]}"


def one_case(directory: Path, name: str, run, count: int, latency: float) -> float:
    """Run a case against a fresh exchange (through the proxy if ``latency``); seconds."""
    db = directory / f"exchange-{name}.db"
    exchange = ExchangeProcess(db).start()
    proxy = None
    try:
        url = exchange.url
        if latency:
            proxy, url = start_proxy(exchange.port, latency)
        httpx.get(f"{exchange.url}/healthz", trust_env=False).raise_for_status()
        seconds = run(url)
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait()
        exchange.stop()
    stored = exchange_count(db)
    if stored != count:
        raise RuntimeError(f"{name}: the exchange holds {stored} envelopes, expected {count}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="envelopes in the backlog (default 1000)")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added per round trip on the slow line")
    parser.add_argument("--rounds", type=int, default=1, help="best of this many runs of each case")
    parser.add_argument("--batch", type=int, default=None, help="[sync] batch_size (default: the shipped setting)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sync-drain-") as tmp:
        directory = Path(tmp)
        template = directory / "window-template"
        envelopes, accept_seconds = make_backlog(template, args.count)
        assert len(envelopes) == args.count, len(envelopes)
        settings = settings_for(template, "http://127.0.0.1:9", args.batch)
        print(f"backlog: {args.count} envelopes from {len({e['receipt_no'] for e in envelopes})} applications "
              f"accepted through Window.accept in {accept_seconds:.2f} s")
        print(f"engine: batch_size {settings.sync.batch_size}, pool {pool_size()}; exchange: its own process, "
              f"fresh database per case; best of {args.rounds}")
        figures: dict[str, float] = {}
        rounds_used: dict[str, int] = {}
        for line, latency in (("loopback", 0.0), (f"+{args.latency * 1000:g} ms", args.latency)):
            for label in ("engine", "httpx"):
                times = []
                for r in range(args.rounds):
                    name = f"{label}-{'slow' if latency else 'fast'}-{r}"
                    if label == "engine":
                        def run(url: str, name: str = name, line: str = line) -> float:
                            seconds, rounds = engine_drain(template, directory / name, url, args.batch)
                            rounds_used[line] = rounds
                            return seconds
                    else:
                        def run(url: str) -> float:
                            return bare_httpx(envelopes, url)
                    times.append(one_case(directory, name, run, args.count, latency))
                figures[f"{label} {line}"] = min(times)
                seconds = min(times)
                what = "(a) sync engine" if label == "engine" else "(b) bare httpx, 1 per request"
                extra = f"  ({rounds_used[line]} round{'s' if rounds_used[line] > 1 else ''})" if label == "engine" else ""
                print(f"  {line:<10} {what:<32} {seconds:7.2f} s  {args.count / seconds:8.0f} envelopes/s{extra}", flush=True)
        fast = figures["httpx loopback"] / figures["engine loopback"]
        slow_line = f"+{args.latency * 1000:g} ms"
        slow = figures[f"httpx {slow_line}"] / figures[f"engine {slow_line}"]
        print(f"(a)/(b) loopback:  {fast:5.1f}×   (aim ≥ 2)")
        print(f"(a)/(b) {slow_line}:  {slow:5.1f}×   (aim ≥ 10)")
    return 0


def pool_size() -> int:
    from window_app.sync.client import POOL_CONNECTIONS

    return POOL_CONNECTIONS


if __name__ == "__main__":
    sys.exit(main())
