"""Bench (not a test): the exchange under many windows at once, per backend and worker count.

    python bench/exchange_load.py [--windows 1,10,50] [--cases sqlite:1,postgresql:1,postgresql:2]
                                  [--batches 10] [--batch 50] [--rounds 2] [--quick] [--baseline REF]

For each number of windows N and each case (backend : server processes), N windows post at the
same time, each its own keep-alive ``httpx.Client`` on its own thread (the threads split over
two client processes), each BATCHES requests of BATCH signed envelopes one after the other (a
window waits for its answer before it sends the next, as the sync engine does). The server is
the real ``window-app exchange serve --demo`` in its own process(es) on 127.0.0.1, on a fresh
database for every run: a SQLite file (WAL, ``synchronous = FULL``), or a fresh schema of a
PostgreSQL this bench starts itself (``pgserver``, ``synchronous_commit = on``), stopped at the
end. A batch is answered only once it is durable on either.

The envelopes come from real accepts (``Window.accept`` on the shipped catalog, examples of
``examples/applications/``), made once; every window gets its own copy, re-keyed: new receipt
numbers of that window, new envelope ids and keys, the payload's header rewritten and signed by
that window's own key (a demo exchange registers a window's key on first sight). All bodies
are serialised before the clock starts: what is timed is the exchange, and the clients' HTTP.

The figures are the best round's aggregate (envelopes/s over the wall time of the whole load)
and the p99 of every request's time in it (the median of the rounds in brackets). The goal
(issue 11): PostgreSQL with 2 workers at 50 windows ≥ 2× SQLite's single process, p99 ≤ 250 ms.
``--baseline REF`` adds a SQLite case of another checkout (``today``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import httpx  # noqa: E402
from figures import percentile, report  # noqa: E402

from tests.window_template import open_signed_in  # noqa: E402
from window_app.config import SHIPPED_CONFIG, load_settings  # noqa: E402
from window_app.domain.receipt_no import format_receipt_no  # noqa: E402
from window_app.domain.wire import canonical_json, idempotency_key, payload_sha256  # noqa: E402
from window_app.intake.io import parse_intake  # noqa: E402
from window_app.trust.demo import demo_signing_key  # noqa: E402
from window_app.trust.signing import sign  # noqa: E402
from window_app.window import IntakeInvalid  # noqa: E402

EXAMPLES = ROOT / "examples" / "applications"
CLIENT_PROCESSES = 2
REGION = "522325"
TAG = "LOAD"
_URL = re.compile(r"http://[0-9.]+:(\d+)")


# -- the envelopes ---------------------------------------------------------------------------


def real_envelopes(count: int) -> list[dict]:
    """At least ``count`` envelopes of real accepts, in their contract form (outbox rows)."""
    with tempfile.TemporaryDirectory(prefix="exchange-load-accepts-") as tmp:
        environ = {"WINDOW_APP_TRUST_KEYS_DIR": str(Path(tmp) / "keys"), "WINDOW_APP_EXCHANGE_URL": "http://127.0.0.1:9"}
        settings = load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(Path(tmp) / "data"))
        os.environ.update(environ)
        window = open_signed_in(settings)  # the test clerk, every role
        try:
            examples = sorted(EXAMPLES.glob("*.json"))
            n = 0
            while window.db.execute("SELECT count(*) FROM outbox").fetchone()[0] < count:
                parsed, problems = parse_intake(json.loads(examples[n % len(examples)].read_text("utf-8")))
                n += 1
                if not problems:
                    with contextlib.suppress(IntakeInvalid):  # an example that needs another day or clerk
                        window.accept(parsed)
            rows = window.db.execute(
                "SELECT envelope_id, idempotency_key, kind, receipt_no, department, stage, payload, payload_sha256, "
                "signature FROM outbox ORDER BY created_at, envelope_id"
            ).fetchall()
        finally:
            window.close()
    names = ("envelope_id", "idempotency_key", "kind", "receipt_no", "department", "stage", "payload", "payload_sha256", "signature")
    return [dict(zip(names, row, strict=True)) for row in rows[:count]]


def window_id(number: int) -> str:
    return f"LD-{number:02d}"


def rekeyed(template: list[dict], window: str, batch_number: int) -> bytes:
    """One request body: ``template`` as window ``window`` would have sent it in its batch
    ``batch_number`` (its own receipt numbers, ids and signature)."""
    key = demo_signing_key(f"bench-window:{window}")
    receipts: dict[str, str] = {}
    entries = []
    for envelope in template:
        receipt = receipts.setdefault(
            envelope["receipt_no"],
            format_receipt_no(REGION, _day(batch_number), window, TAG, len(receipts) + 1 + 100 * (batch_number % 50)),
        )
        document = json.loads(envelope["payload"])
        document.pop("audit_head", None)  # the original window's head: not this window's to carry
        envelope_id = uuid.uuid4().hex
        old_key = envelope["idempotency_key"]
        new_key = (
            idempotency_key(receipt, envelope["department"], envelope["stage"])
            if old_key == idempotency_key(envelope["receipt_no"], envelope["department"], envelope["stage"])
            else old_key.replace(envelope["receipt_no"], receipt, 1)
        )
        document.update(envelope_id=envelope_id, idempotency_key=new_key, receipt_no=receipt)
        document["window"] = {**document["window"], "id": window, "region": REGION, "key": key.public.text}
        payload = canonical_json(document)
        entries.append({
            **envelope, "envelope_id": envelope_id, "idempotency_key": new_key, "receipt_no": receipt,
            "payload": payload.decode("utf-8"), "payload_sha256": payload_sha256(payload),
            "signature": sign(key, payload).to_json(),
        })
    return json.dumps({"envelopes": entries}, ensure_ascii=False).encode("utf-8")


def _day(batch_number: int):
    import datetime as dt

    return dt.date(2026, 1, 1) + dt.timedelta(days=batch_number // 50)


# -- the server ------------------------------------------------------------------------------


class Server:
    """``window-app exchange serve --demo`` of ``checkout`` in its own process."""

    def __init__(self, checkout: Path, db: str | Path, extra: tuple[str, ...] = ()):
        env = {k: v for k, v in os.environ.items() if not k.startswith("WINDOW_APP_")}
        env.update(PYTHONPATH=str(checkout), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "window_app", "exchange", "serve", "--demo", "--db", str(db), "--port", "0", *extra],
            cwd=checkout, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        match = _URL.search(line)
        if not match:
            self.stop()
            raise RuntimeError(f"the exchange of {checkout} did not start: {line!r}")
        self.url = f"http://127.0.0.1:{match[1]}"
        threading.Thread(target=self.process.stdout.read, daemon=True).start()

    def cpu_seconds(self) -> float:
        """User + system CPU time the server's processes (its workers too) have used so far (Linux ``/proc``)."""
        return process_tree_cpu(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid``, its live children, and the children it has reaped (Linux ``/proc``)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    pids = [pid, *(int(p) for p in children.read_text().split())] if children.exists() else [pid]
    ticks = 0
    for each in pids:
        with contextlib.suppress(OSError):  # a child gone meanwhile: its parent counts it now
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if each == pid else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


# -- the clients -----------------------------------------------------------------------------


def _post_all(url: str, window: str, bodies: list[bytes], start: threading.Event, times: list[float], errors: list[str]) -> None:
    headers = {"Authorization": f"Bearer demo-window-{window}", "Content-Type": "application/json"}
    with httpx.Client(base_url=url, headers=headers, trust_env=False, timeout=120) as client:
        client.get("/healthz")  # connected before the clock starts
        start.wait()
        for body in bodies:
            began = time.perf_counter()
            response = client.post("/v1/envelopes", content=body)
            times.append(time.perf_counter() - began)
            if response.status_code != 200 or any(r["status"] != "created" for r in response.json()["results"]):
                errors.append(f"{window}: {response.status_code} {response.text[:300]}")


def client_process(url: str, work: dict[str, list[bytes]], ready, go, results) -> None:
    """Post every window's bodies from its own thread, once ``go`` is set; report the times."""
    start = threading.Event()
    times: dict[str, list[float]] = {window: [] for window in work}
    errors: list[str] = []
    threads = [
        threading.Thread(target=_post_all, args=(url, window, bodies, start, times[window], errors)) for window, bodies in work.items()
    ]
    for thread in threads:
        thread.start()
    ready.wait()
    go.wait()
    start.set()
    for thread in threads:
        thread.join()
    results.put(([t for each in times.values() for t in each], errors, time.perf_counter()))


@dataclass
class Load:
    envelopes: int
    seconds: float
    request_times: list[float]
    server_cpu: float
    database_cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.envelopes / self.seconds

    @property
    def p99(self) -> float:
        return percentile(self.request_times, 0.99)


def run_load(
    checkout: Path, directory: Path, bodies: dict[str, list[bytes]], per_batch: int, extra: tuple[str, ...] = (),
    postgresql: str | None = None, postmaster: int | None = None,
) -> Load:
    """All windows of ``bodies`` at once against a fresh exchange of ``checkout`` (``serve`` given
    ``extra``): a SQLite file in ``directory``, or a fresh schema of the PostgreSQL at ``postgresql``."""
    name = f"exchange-{uuid.uuid4().hex[:8]}"
    db: str | Path = directory / f"{name}.db"
    if postgresql is not None:
        db = fresh_schema(postgresql, name.replace("-", "_"))
        extra = (*extra, "--checkpoints", str(directory / f"{name}.db-checkpoints.jsonl"))
    server = Server(checkout, db, extra)
    context = multiprocessing.get_context("fork")
    windows = list(bodies)
    groups = [windows[n::CLIENT_PROCESSES] for n in range(min(CLIENT_PROCESSES, len(windows)))]
    ready = context.Barrier(len(groups) + 1)
    go = context.Event()
    results = context.Queue()
    processes = [
        context.Process(target=client_process, args=(server.url, {w: bodies[w] for w in group}, ready, go, results))
        for group in groups
    ]
    try:
        for process in processes:
            process.start()
        ready.wait()
        time.sleep(0.2)  # every client connected
        cpu = server.cpu_seconds()
        database = process_tree_cpu(postmaster) if postmaster else 0.0
        started = time.perf_counter()
        go.set()
        gathered = [results.get(timeout=600) for _ in processes]
        cpu = server.cpu_seconds() - cpu
        database = process_tree_cpu(postmaster) - database if postmaster else 0.0
        for process in processes:
            process.join()
    finally:
        server.stop()
        for path in directory.glob(f"{name}.db*"):
            path.unlink()
    ended = max(end for _, _, end in gathered)
    errors = [e for _, each, _ in gathered for e in each]
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, the first: {errors[0]}")
    times = [t for each, _, _ in gathered for t in each]
    return Load(len(times) * per_batch, ended - started, times, cpu, database)


# -- the run ---------------------------------------------------------------------------------


def start_postgresql(directory: Path):
    """A PostgreSQL of this bench's own (``pgserver``: offline, also as root); ``.cleanup()`` stops it."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR
        import pgserver

        return pgserver.get_server(directory, cleanup_mode="stop")


def fresh_schema(uri: str, name: str) -> str:
    """A URI of a new, empty schema ``name`` of the PostgreSQL at ``uri``."""
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    return f"{uri}{'&' if '?' in uri else '?'}options=-csearch_path%3D{name}"


def baseline_checkout(ref: str, tmp: Path) -> tuple[Path, bool]:
    """A checkout of ``ref`` (a directory as it is, or a git ref checked out in ``tmp``)."""
    if Path(ref).is_dir():
        return Path(ref).resolve(), False
    path = tmp / "baseline"
    subprocess.run(["git", "worktree", "add", "--detach", str(path), ref], cwd=ROOT, check=True, capture_output=True)
    return path, True


@dataclass(frozen=True)
class Case:
    label: str
    checkout: Path
    backend: str
    workers: int

    @property
    def extra(self) -> tuple[str, ...]:
        return ("--workers", str(self.workers)) if self.workers > 1 else ()


def parse_cases(text: str) -> list[tuple[str, int]]:
    cases = []
    for part in text.split(","):
        backend, _, workers = part.strip().partition(":")
        if backend not in ("sqlite", "postgresql"):
            raise SystemExit(f"--cases: {backend!r} is neither sqlite nor postgresql")
        cases.append((backend, int(workers or 1)))
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", default="1,10,50", help="numbers of windows posting at once (default 1,10,50)")
    parser.add_argument("--cases", default="sqlite:1,postgresql:1,postgresql:2",
                        help="backend:server processes, each a case (default sqlite:1,postgresql:1,postgresql:2)")
    parser.add_argument("--batches", type=int, default=10, help="requests per window")
    parser.add_argument("--batch", type=int, default=50, help="envelopes per request")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", help="also another checkout's exchange on SQLite: a git ref or a directory")
    parser.add_argument("--quick", action="store_true", help="a short run")
    args = parser.parse_args()
    if args.quick:
        args.batches, args.rounds = 4, 1
    counts = [int(n) for n in args.windows.split(",")]

    started = time.perf_counter()
    template = real_envelopes(args.batch)
    windows = [window_id(n + 1) for n in range(max(counts))]
    bodies = {w: [rekeyed(template, w, b) for b in range(args.batches)] for w in windows}
    print(f"{len(template)} envelopes from real accepts, re-keyed for {len(windows)} windows × {args.batches} batches "
          f"in {time.perf_counter() - started:.1f} s")

    results: dict[tuple[int, str], list[Load]] = {}
    with tempfile.TemporaryDirectory(prefix="exchange-load-") as tmp:
        directory = Path(tmp)
        cases = [Case(f"{b}, {w} process{'es' if w > 1 else ''}", ROOT, b, w) for b, w in parse_cases(args.cases)]
        postgresql = start_postgresql(directory / "pg") if any(c.backend == "postgresql" for c in cases) else None
        base, made = (baseline_checkout(args.baseline, directory) if args.baseline else (None, False))
        if base is not None:
            cases.insert(0, Case(f"today ({args.baseline}), sqlite", base, "sqlite", 1))
        try:
            for _ in range(args.rounds):
                for count in counts:
                    chosen = {w: bodies[w] for w in windows[:count]}
                    for case in cases:
                        uri = postgresql.get_uri() if case.backend == "postgresql" and postgresql is not None else None
                        pid = postgresql.get_pid() if uri is not None and postgresql is not None else None
                        load = run_load(case.checkout, directory, chosen, args.batch, case.extra, uri, pid)
                        results.setdefault((count, case.label), []).append(load)
        finally:
            if postgresql is not None:
                postgresql.cleanup()
            if made and base is not None:
                subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, check=False, capture_output=True)
                shutil.rmtree(base, ignore_errors=True)

    print(f"load: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} cores; {args.rounds} round(s), best (median) of each; "
          f"{args.batches} requests of {args.batch} envelopes per window")
    print(f"{'':<36} {'envelopes/s':>20} {'p50 request':>14} {'p99 request':>20} {'CPU/envelope: exchange':>23} "
          f"{'+ PostgreSQL':>13}")
    for (count, label), loads in results.items():
        best = max(loads, key=lambda load: load.rate)
        print(f"{f'{count} window(s), {label}':<36} {best.rate:>9.0f} ({statistics.median(load.rate for load in loads):>7.0f})"
              f" {statistics.median(best.request_times) * 1000:>11.0f} ms"
              f" {best.p99 * 1000:>8.0f} ms ({statistics.median(load.p99 for load in loads) * 1000:>5.0f})"
              f" {best.server_cpu / best.envelopes * 1e6:>20.0f} µs {best.database_cpu / best.envelopes * 1e6:>10.0f} µs")
    most = max(counts)
    reference = results.get((most, "sqlite, 1 process"))
    goal = results.get((most, "postgresql, 2 processes"))
    if reference and goal:
        sqlite_rate = max(load.rate for load in reference)
        best = max(goal, key=lambda load: load.rate)
        ratio = best.rate / sqlite_rate
        report(f"exchange ingest aggregate, PostgreSQL 2 workers ({most} windows)",
               f"{best.rate:.0f} envelopes/s = {ratio:.2f}× SQLite's single process {sqlite_rate:.0f}", "≥ 2× SQLite's", ratio >= 2)
        report(f"exchange ingest p99, PostgreSQL 2 workers ({most} windows)", f"{best.p99 * 1000:.0f} ms", "≤ 250 ms", best.p99 <= 0.25)
    return 0


if __name__ == "__main__":
    sys.exit(main())
