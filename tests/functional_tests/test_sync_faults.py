"""The sync engine on a bad line: nothing lost, nothing sent twice.

Everything here is real: the exchange (uvicorn on 127.0.0.1, in a thread or in its own process
to be SIGKILLed), httpx, the window's SQLite outbox filled through ``Window.accept``. The line
is broken by ``tests/fault_proxy.py`` (RST, garbage, lost answers, black holes, slow answers)
or by killing a process. After each ordeal the outbox and the exchange's own SQLite file must
agree: every envelope ``sent`` at the window is exactly one row at the exchange, with the same
id and the very bytes stored at acceptance (see :func:`assert_exactly_once`).

Short backoff (``WINDOW_APP_SYNC_BACKOFF_*``) and timeouts keep the file's runtime low.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401 - fixtures
from tests.exchange_process import ExchangeProcess
from tests.fault_proxy import FaultProxy
from tests.window_template import open_signed_in, seed_window_database
from window_app.config import SHIPPED_CONFIG, Settings, load_settings
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.intake.io import parse_intake
from window_app.sync.backoff import Backoff
from window_app.sync.engine import SyncEngine, SyncReport
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"
TOKEN = "demo-window-ZF-01"
BACKOFF_INITIAL = 0.05
BACKOFF_MAX = 0.4
TIMEOUT = 1.0  # seconds; short keeps the file fast, not so short that a loaded machine misses it
# Applications whose envelopes are all stage 1 (queued at once): 6, 4, 3 and 3 of them.
BACKLOG_EXAMPLES = ("construction_land_survey", "utilities_installation", "restaurant_opening", "facility_farmland_survey")


# -- the window, its backlog, the engine ------------------------------------------------------


def window_env(url: str, **extra: str) -> dict[str, str]:
    return {
        "WINDOW_APP_EXCHANGE_URL": url,
        "WINDOW_APP_EXCHANGE_TOKEN": TOKEN,
        "WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS": str(TIMEOUT),
        "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": str(BACKOFF_INITIAL),
        "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": str(BACKOFF_MAX),
        "WINDOW_APP_SYNC_INTERVAL_SECONDS": "0.2",
        "WINDOW_APP_SYNC_BATCH_SIZE": "20",
        **extra,
    }


def settings_for(data_dir: Path, url: str, **extra: str) -> Settings:
    return load_settings(SHIPPED_CONFIG, environ=window_env(url, **extra), data_dir=str(data_dir))


@pytest.fixture
def open_window(tmp_path: Path) -> Iterator[Callable[..., Window]]:
    """Open the window of ``tmp_path/window`` against ``url`` (real clock: its envelopes are due)."""
    opened: list[Window] = []

    def opener(url: str, **extra: str) -> Window:
        window = open_signed_in(settings_for(tmp_path / "window", url, **extra))
        opened.append(window)
        return window

    yield opener
    for window in opened:
        window.close()


def _intake(name: str, cache: dict = {}):  # noqa: B006 - parsed once per example
    if name not in cache:
        data = json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))
        # These windows run on the real clock: a 容缺 promise is the window's tomorrow (China
        # time, the shipped time zone), not the example's date.
        tomorrow = (dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)).isoformat()
        for material in data.get("materials", {}).values():
            if material.get("promised_date"):
                material["promised_date"] = tomorrow
        parsed, problems = parse_intake(data)
        assert not problems
        cache[name] = parsed
    return cache[name]


def accept_backlog(window: Window, at_least: int) -> int:
    """Accept real applications (a new receipt number each) until ``at_least`` envelopes are
    queued; returns how many are. ~1 ms per envelope: ``Window.accept`` is fast enough."""
    names = iter(BACKLOG_EXAMPLES * (at_least // 4 + 1))
    while (queued := queued_count(window)) < at_least:
        window.accept(_intake(next(names)))
    return queued


def queued_count(window: Window) -> int:
    return window.db.execute("SELECT count(*) FROM outbox WHERE state = 'queued'").fetchone()[0]


def outbox_payloads(db_path: Path) -> dict[str, tuple[str, str, str]]:
    """idempotency key → (envelope id, sha256 of the stored payload, state), read from the file."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT idempotency_key, envelope_id, payload, state FROM outbox").fetchall()
    finally:
        conn.close()
    return {key: (envelope_id, sha(payload), state) for key, envelope_id, payload, state in rows}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def engine_for(window: Window, seed: int = 7) -> SyncEngine:
    return SyncEngine(window.db, window.settings, catalog_etag=window.catalog.digest, refresh_catalog=False, rng=random.Random(seed))


def run_round(engine: SyncEngine, **kwargs) -> SyncReport:
    return asyncio.run(engine.run_once(**kwargs))


def wait_out_backoff(report: SyncReport) -> None:
    """Sleep until every endpoint that failed may be asked again."""
    now = dt.datetime.now().astimezone()
    waits = [(dt.datetime.fromisoformat(e.retry_at) - now).total_seconds() for e in report.endpoints if e.retry_at]
    if waits:
        time.sleep(max(0.0, max(waits)) + 0.01)


def drain(engine: SyncEngine, window: Window, rounds: int = 50) -> list[SyncReport]:
    """Rounds (each after the backoff, as the worker runs them) until nothing is queued."""
    reports = []
    for _ in range(rounds):
        report = run_round(engine)
        reports.append(report)
        if report.queued == 0:
            return reports
        wait_out_backoff(report)
    raise AssertionError(f"still {queued_count(window)} queued after {rounds} rounds: {reports[-1].summary()}")


# -- the exchange's side -------------------------------------------------------------------------


def exchange_envelopes(db_path: Path) -> list[tuple[str, str, str, str]]:
    """(idempotency key, envelope id, payload text, payload_sha256) of every row, read from the file."""
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return conn.execute("SELECT idempotency_key, envelope_id, payload, payload_sha256 FROM envelopes").fetchall()
    finally:
        conn.close()


def exchange_count(db_path: Path) -> int:
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return conn.execute("SELECT count(*) FROM envelopes").fetchone()[0]
    finally:
        conn.close()


def assert_exactly_once(window_db: Path, exchange_db: Path, accepted: dict[str, tuple[str, str, str]]) -> None:
    """The outbox and the exchange agree, envelope by envelope.

    Args:
        accepted: :func:`outbox_payloads` of the envelopes meant to arrive, taken before their
            first send attempt. Every other outbox row must be undelivered.
    """
    now = outbox_payloads(window_db)
    assert set(accepted) <= set(now), "the outbox lost rows"
    states = {now[key][2] for key in accepted}
    assert states == {"sent"}, f"not everything was delivered: {states}"
    stray = [key for key, (_, _, state) in now.items() if key not in accepted and state == "sent"]
    assert not stray, f"delivered without being counted: {stray[:3]}"
    for key in accepted:
        assert now[key][:2] == accepted[key][:2], f"{key}: the outbox row changed after its first attempt"
    rows = exchange_envelopes(exchange_db)
    keys = [key for key, *_ in rows]
    assert len(keys) == len(set(keys)), "an idempotency key is stored twice at the exchange"
    assert set(keys) == set(accepted), "the exchange and the outbox hold different envelopes"
    assert len(rows) == len(accepted)
    for key, envelope_id, payload, payload_sha256 in rows:
        assert envelope_id == now[key][0], f"{key}: another envelope id at the exchange"
        assert sha(payload) == payload_sha256 == now[key][1], f"{key}: the exchange stored other bytes"


def queued_payloads(window: Window) -> dict[str, tuple[str, str, str]]:
    """:func:`outbox_payloads` of the queued envelopes only (the ones a round may send)."""
    return {key: row for key, row in outbox_payloads(window.settings.database_path).items() if row[2] == "queued"}


def wire_envelopes(proxy: FaultProxy) -> list[dict]:
    """Every envelope every POST /v1/envelopes carried through the proxy, in order."""
    return [e for seen in proxy.requests(path="/v1/envelopes") for e in json.loads(seen.body)["envelopes"]]


@pytest.fixture
def proxy(exchange_server: ExchangeServer) -> Iterator[FaultProxy]:  # noqa: F811
    with FaultProxy(exchange_server.port) as started:
        yield started


# -- 1. slow answers, resets, garbage: back off, say why, lose nothing --------------------------

FAILING = [
    pytest.param("reset_before", {}, ("连接中断", "broke off"), id="rst-before-forwarding"),
    pytest.param("reset_after", {}, ("连接中断", "broke off"), id="rst-after-forwarding"),
    pytest.param("garbage", {"kind": "bytes"}, ("连接中断", "RemoteProtocolError"), id="not-http"),
    pytest.param("garbage", {"kind": "http"}, ("回答无法识别（不是 JSON）", "not JSON"), id="http-200-html"),
    pytest.param("garbage", {"kind": "json"}, ("回答中没有 results 列表", "no results list"), id="http-200-wrong-json"),
    pytest.param("black_hole", {}, (f"无响应（{TIMEOUT:g} 秒超时）", f"did not answer within {TIMEOUT:g} s"), id="black-hole"),
    pytest.param("trickle", {"chunk": 8, "interval": TIMEOUT * 1.5}, ("无响应", "did not answer"), id="trickle-past-timeout"),
]


@pytest.mark.parametrize(("mode", "options", "words"), FAILING)
def test_a_broken_line_backs_off_says_why_and_then_delivers_everything_exactly_once(
    mode: str, options: dict, words: tuple[str, str], proxy: FaultProxy, exchange_server: ExchangeServer, open_window  # noqa: F811
) -> None:
    """Five rounds on a broken line: each round's requests all fail and are counted as failed;
    the report and every attempted envelope say why in words; the endpoint's consecutive
    failures grow and each wait stays within its ceiling (initial · 2^(n-1)) and the cap; each
    retried envelope is scheduled after the failure and never past the cap; no envelope leaves
    the queue; the attempts recorded equal the envelopes the proxy saw. Then the line heals:
    every envelope arrives exactly once (a committed-but-unanswered batch as ``duplicate``)."""
    window = open_window(proxy.url)
    total = accept_backlog(window, 50)
    accepted = queued_payloads(window)
    engine = engine_for(window)
    backoff = Backoff(BACKOFF_INITIAL, BACKOFF_MAX)

    proxy.set_mode(mode, **options)
    delays, attempt_stamps = [], []
    for failures in range(1, 6):
        on_the_wire = len(wire_envelopes(proxy))
        report = run_round(engine)
        this_round = len(wire_envelopes(proxy)) - on_the_wire
        # Every envelope that went out this round failed, and is counted as failed.
        assert report.offline and report.delivered == 0 and report.failed == this_round > 0, report.summary()
        # Why, in words, in the report and on the envelopes.
        assert words[0] in report.error.zh and words[1] in report.error.en, report.error
        # Backing off: one more failure each round, a wait within its ceiling, never past the cap.
        [state] = window.db.execute("SELECT failures, last_delay FROM sync_endpoints").fetchall()
        assert state[0] == failures
        assert 0 < state[1] <= backoff.ceiling(failures) <= BACKOFF_MAX
        delays.append(state[1])
        # Nothing lost: every envelope is still queued; every attempt on the wire is counted.
        assert queued_count(window) == total
        assert window.db.execute("SELECT sum(attempts) FROM outbox").fetchone()[0] == len(wire_envelopes(proxy))
        # This round's envelopes wait their own backoff from the failure on, never past the cap.
        started, finished = (dt.datetime.fromisoformat(stamp) for stamp in (report.started_at, report.finished_at))
        retried = [
            dt.datetime.fromisoformat(next_at)
            for last_at, next_at in window.db.execute("SELECT last_attempt_at, next_attempt_at FROM outbox WHERE attempts > 0")
            if dt.datetime.fromisoformat(last_at) >= started - dt.timedelta(milliseconds=1)
        ]
        assert len(retried) == this_round
        assert all(started < when <= finished + dt.timedelta(seconds=BACKOFF_MAX) for when in retried)
        attempt_stamps.append(max(retried))
        failed_words = {error for (error,) in window.db.execute("SELECT DISTINCT last_error FROM outbox WHERE attempts > 0")}
        assert failed_words and all(words[0] in error for error in failed_words), failed_words
        wait_out_backoff(report)
    assert max(delays) > BACKOFF_INITIAL  # the ceiling grew (seeded jitter)
    assert attempt_stamps == sorted(attempt_stamps)  # each retry is scheduled later
    assert window.db.execute("SELECT max(attempts) FROM outbox").fetchone()[0] >= 2

    proxy.pass_through()
    reports = drain(engine, window)
    assert sum(r.sent + r.duplicate for r in reports) == total
    assert sum(r.failed for r in reports) == 0
    if mode in ("reset_before", "garbage", "black_hole"):
        assert sum(r.duplicate for r in reports) == 0  # the exchange never saw the failed requests
    assert_exactly_once(window.settings.database_path, exchange_server.db_path, accepted)


SLOW_BUT_IN_TIME = [
    pytest.param("latency", {"seconds": 0.1}, id="100ms-per-round-trip"),
    pytest.param("trickle", {"chunk": 256, "interval": 0.01}, id="trickle-within-timeout"),
]


@pytest.mark.parametrize(("mode", "options"), SLOW_BUT_IN_TIME)
def test_a_slow_line_within_the_timeout_is_not_a_failure(
    mode: str, options: dict, proxy: FaultProxy, exchange_server: ExchangeServer, open_window  # noqa: F811
) -> None:
    """100 ms per round trip, or an answer trickling in: one round delivers everything, each
    envelope on the wire once (batches in flight together never resend one still waiting
    for its answer), no failure, no backoff."""
    window = open_window(proxy.url)
    total = accept_backlog(window, 60)
    accepted = queued_payloads(window)
    proxy.set_mode(mode, **options)
    report = run_round(engine_for(window))
    assert report.ok and report.online and report.queued == 0, report.summary()
    # Sent once: no envelope went on the wire twice (a slow answer is not a reason to resend).
    keys = [envelope["idempotency_key"] for envelope in wire_envelopes(proxy)]
    twice = sorted({key for key in keys if keys.count(key) > 1})
    assert not twice, f"{len(twice)} envelope(s) sent again while their first request was still in flight, e.g. {twice[0]}"
    assert (report.sent, report.duplicate) == (total, 0)
    assert window.db.execute("SELECT max(attempts) FROM outbox").fetchone()[0] == 1
    assert_exactly_once(window.settings.database_path, exchange_server.db_path, accepted)


# -- 2. the lost acknowledgement -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["rst", "fin"])
def test_a_lost_acknowledgement_is_answered_duplicate_and_stored_once(
    how: str, proxy: FaultProxy, exchange_server: ExchangeServer, open_window  # noqa: F811
) -> None:
    """The exchange commits a batch, then the connection drops (RST or FIN) before a byte of
    its answer reaches the window: the batch stays queued, is resent after the backoff with
    the same keys, is answered ``duplicate`` (with the first answer's ``received_at``), and
    the exchange holds one row per key."""
    window = open_window(proxy.url)
    total = accept_backlog(window, 45)
    accepted = queued_payloads(window)
    engine = engine_for(window)

    proxy.set_mode("lost_ack", how=how, times=1, paths=("/v1/envelopes",))
    report = run_round(engine)
    # The exchange committed the first batch; the window never heard (and stopped for the round).
    [lost] = proxy.requests(mode="lost_ack")
    lost_keys = {e["idempotency_key"] for e in json.loads(lost.body)["envelopes"]}
    assert report.failed == len(lost_keys) == 20 and report.offline
    stored = dict(_exchange_received(exchange_server.db_path))
    assert lost_keys <= set(stored) and len(stored) == 20 + report.delivered
    still_queued = {key for (key,) in window.db.execute("SELECT idempotency_key FROM outbox WHERE state = 'queued'")}
    assert lost_keys <= still_queued

    wait_out_backoff(report)
    reports = [report, *drain(engine, window)]
    assert sum(r.duplicate for r in reports) == 20  # exactly the lost batch, answered duplicate
    assert sum(r.sent for r in reports) == total - 20
    # The duplicates carry the first answer's time, and the outbox records that one.
    marks = ",".join("?" * len(lost_keys))
    query = f"SELECT idempotency_key, received_at FROM outbox WHERE idempotency_key IN ({marks})"
    received_at = dict(window.db.execute(query, sorted(lost_keys)).fetchall())
    assert received_at == {key: stored[key] for key in lost_keys}
    assert_exactly_once(window.settings.database_path, exchange_server.db_path, accepted)


def _exchange_received(db_path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT idempotency_key, received_at FROM envelopes").fetchall()
    finally:
        conn.close()


# -- 3. the exchange SIGKILLed while a backlog drains ----------------------------------------------


def test_the_exchange_killed_mid_backlog_and_restarted_loses_and_duplicates_nothing(tmp_path: Path, open_window) -> None:
    """A 300-envelope backlog drains in batches of 20 through the sync worker (run_forever on
    its own connection and loop); the exchange process is SIGKILLed three times (after 40, 120,
    200 stored, plus a seeded random 0-20 ms: mid-commit, mid-answer or between batches) and
    restarted on the same port and file. The worker notices in words, backs off, resumes;
    the window's delivered count adds up to the backlog and the exchange holds each once."""
    exchange = ExchangeProcess(tmp_path / "exchange.db").start()
    try:
        window = open_window(exchange.url)
        total = accept_backlog(window, 300)
        window_db = window.settings.database_path
        accepted = queued_payloads(window)
        reports: list[SyncReport] = []
        stop = threading.Event()
        worker = threading.Thread(target=_run_worker, args=(window.settings, stop, reports), daemon=True)
        worker.start()
        killed_at = []
        rng = random.Random(300)
        try:
            for threshold in (40, 120, 200):
                deadline = time.monotonic() + 30
                while (count := exchange_count(exchange.db_path)) < threshold:
                    assert time.monotonic() < deadline, f"the backlog stalled at {count}"
                    time.sleep(0.001)
                time.sleep(rng.uniform(0, 0.02))  # somewhere in a batch's cycle (~10-20 ms here)
                exchange.kill()  # SIGKILL: whatever batch is in flight dies with it
                killed_at.append(exchange_count(exchange.db_path))
                time.sleep(0.3)  # the window meets a refused connection and backs off
                exchange.start()  # same port, same file
            _wait_until(lambda: _queued(window_db) == 0, 60)
        finally:
            stop.set()
            worker.join(30)
    finally:
        exchange.stop()
    assert all(count < total for count in killed_at), f"the kills came after the drain: {killed_at}"
    assert exchange.starts == 4
    failed = [r for r in reports if r.failed or r.error]
    assert failed, "no round noticed the exchange going away"
    assert any("无法连接交换平台" in r.error.zh or "连接中断" in r.error.zh for r in failed), [r.error for r in failed]
    assert sum(r.sent for r in reports) + sum(r.duplicate for r in reports) == total
    assert_exactly_once(window_db, exchange.db_path, accepted)


def _run_worker(settings: Settings, stop: threading.Event, reports: list[SyncReport]) -> None:
    """The sync worker on its own connection and loop (as the TUI runs it)."""
    engine = SyncEngine.open(settings, refresh_catalog=False, rng=random.Random(3))
    done = asyncio.Event()

    async def main() -> None:
        async def watch() -> None:
            while not stop.is_set():
                await asyncio.sleep(0.02)
            done.set()

        watcher = asyncio.ensure_future(watch())
        await engine.run_forever(done, on_report=reports.append)
        await watcher

    try:
        asyncio.run(main())
    finally:
        engine.close()


def _queued(db_path: Path) -> int:
    conn = sqlite3.connect(db_path, timeout=10)
    try:
        return conn.execute("SELECT count(*) FROM outbox WHERE state = 'queued'").fetchone()[0]
    finally:
        conn.close()


def _wait_until(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- 4. the window SIGKILLed during sync, again and again -------------------------------------------


def test_the_window_killed_at_random_points_and_restarted_loses_and_duplicates_nothing(
    tmp_path: Path, exchange_server: ExchangeServer, open_window  # noqa: F811
) -> None:
    """``window-app sync`` (the headless worker, its own process) drains a 500-envelope backlog
    in batches of 10 over a 30 ms line and is SIGKILLed 5-8 times, each at a seeded random
    point after it started delivering (claims written, requests in flight, answers being
    recorded), then started again. A last ``sync --once --retry-now`` finishes: the window's
    SQLite file is intact, every part is ``sent``, and outbox and exchange agree one for one."""
    rng = random.Random(20261127)
    with FaultProxy(exchange_server.port) as line:
        line.set_mode("latency", seconds=0.03)  # a county line: the drain takes long enough to be interrupted
        window = open_window(line.url, WINDOW_APP_SYNC_BATCH_SIZE="10")
        total = accept_backlog(window, 500)
        window_db = window.settings.database_path
        accepted = queued_payloads(window)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WINDOW_APP_")},
            **window_env(line.url, WINDOW_APP_SYNC_BATCH_SIZE="10"),
        }
        command = [sys.executable, "-m", "window_app", "sync", "--json", "--data-dir", str(window_db.parent)]

        kills = []
        while len(kills) < 8 and exchange_count(exchange_server.db_path) < total - 40:
            before = exchange_count(exchange_server.db_path)
            worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                # Wait for this run to deliver something (it is draining), then kill it at a random point.
                _wait_until(
                    lambda before=before, worker=worker: exchange_count(exchange_server.db_path) > before
                    or worker.poll() is not None,
                    60,
                )
                time.sleep(rng.uniform(0.0, 0.2))
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(30)
                assert worker.returncode == -signal.SIGKILL, worker.stderr.read().decode() if worker.stderr else ""
                if worker.stderr:
                    worker.stderr.close()
            kills.append(exchange_count(exchange_server.db_path))
        assert len(kills) >= 5, f"the backlog drained after {len(kills)} kills: make it bigger"

        line.pass_through()
        final = subprocess.run(
            [*command[:4], "--once", "--retry-now", *command[4:]], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    assert final.returncode == 0, final.stdout + final.stderr
    report = json.loads(final.stdout)
    assert report["queued"] == 0 and report["failed"] == 0
    conn = sqlite3.connect(window_db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        resent = conn.execute("SELECT count(*) FROM outbox WHERE attempts > 1").fetchone()[0]
        parts = dict(conn.execute("SELECT state, count(*) FROM application_parts GROUP BY state").fetchall())
    finally:
        conn.close()
    assert resent > 0  # some batches were in flight (or claimed) when their window died
    assert set(parts) <= {"sent", "awaiting_acknowledgement"}, parts  # class-3 handovers await their acknowledgement
    assert_exactly_once(window_db, exchange_server.db_path, accepted)


# -- 5. the bytes never change ------------------------------------------------------------------------


def test_an_envelope_carries_the_same_bytes_on_every_attempt(
    proxy: FaultProxy, exchange_server: ExchangeServer, open_window  # noqa: F811
) -> None:
    """Every copy of every envelope that went over the wire — through a reset after
    forwarding, a lost answer, garbage after a commit, an answer too slow — is byte-identical
    to the outbox row as accepted, and to what the exchange stored. A stage-2 envelope is
    finalised once (the licence number added) before its first attempt, never after."""
    window = open_window(proxy.url)
    receipt = window.accept(_intake("business_startup")).receipt_no  # 1 queued, 6 held for the licence
    accept_backlog(window, 40)
    accepted = queued_payloads(window)
    held = {key: row for key, row in outbox_payloads(window.settings.database_path).items() if row[2] == "waiting"}
    assert len(held) == 6
    engine = engine_for(window)
    faults = [
        ("reset_after", {}),
        ("lost_ack", {}),
        ("garbage", {"kind": "http", "forward": True}),
        ("trickle", {"chunk": 4, "interval": TIMEOUT * 1.5}),
        ("reset_before", {}),
    ]
    for mode, options in faults:
        proxy.set_mode(mode, times=1, paths=("/v1/envelopes",), **options)
        # "Retry now": each envelope has its own jittered backoff, which may end after the
        # endpoint's; every fault must meet a real attempt.
        report = run_round(engine, retry_now=True)
        assert report.failed, (mode, report.summary())
        wait_out_backoff(report)
    drain(engine, window)

    # 市场监管 decides: the six stage-2 envelopes are finalised once, then sent through faults too.
    with DepartmentClient(exchange_server.url, exchange_server.department_token("market_regulation-522325")) as department:
        [envelope] = [e for e in department.inbox("new") if e["receipt_no"] == receipt]
        department.decide(envelope["envelope_id"], "company_registration", "approved", result="营业执照 91522325MA6HXXXX1Q", decided_by="审批员", keys=DepartmentKeys.demo("market_regulation-522325"))
    proxy.set_mode("lost_ack", times=1, paths=("/v1/envelopes",))
    report = run_round(engine)
    assert report.released == 6 and report.failed == 6
    finalised = {key: row for key, row in outbox_payloads(window.settings.database_path).items() if key in held}
    assert all(row[1] != held[key][1] for key, row in finalised.items())  # the licence number went in, once
    wait_out_backoff(report)
    drain(engine, window)

    wire = wire_envelopes(proxy)
    first_copy: dict[str, dict] = {}
    for envelope in wire:
        first_copy.setdefault(envelope["idempotency_key"], envelope)
        assert envelope == first_copy[envelope["idempotency_key"]], "a retry carried other bytes"
    copies = [sum(1 for e in wire if e["idempotency_key"] == key) for key in first_copy]
    assert max(copies) >= 3, "the faults did not make any envelope go out three times"
    everything = {**accepted, **finalised}
    for key, envelope in first_copy.items():
        assert sha(envelope["payload"]) == envelope["payload_sha256"] == everything[key][1]
    assert set(first_copy) == set(everything)
    assert_exactly_once(window.settings.database_path, exchange_server.db_path, everything)


# -- 6. one department's endpoint is a black hole -------------------------------------------------------


def test_a_departments_black_hole_endpoint_times_out_while_the_others_complete(
    exchange_server: ExchangeServer, open_window  # noqa: F811
) -> None:
    """Extends test_sync_engine's dead (refused) endpoint: a timeout costs the round no more than
    the timeout, the others deliver meanwhile, and once the line is back the envelope arrives
    exactly once."""
    with FaultProxy(exchange_server.port) as health_line:
        health_line.set_mode("black_hole")
        window = open_window(exchange_server.url, WINDOW_APP_DEPARTMENTS_HEALTH_URL=health_line.url)
        for _ in range(10):
            window.accept(_intake("newborn"))  # stage 1: public_security, health, medical_insurance
        accepted = queued_payloads(window)
        engine = engine_for(window)

        started = time.monotonic()
        report = run_round(engine)
        took = time.monotonic() - started
        by_url = {endpoint.url: endpoint for endpoint in report.endpoints}
        assert by_url[exchange_server.url].online and by_url[exchange_server.url].sent == 20
        dead = by_url[health_line.url]
        assert dead.online is False and dead.failed == 10 and f"无响应（{TIMEOUT:g} 秒超时）" in dead.error.zh
        assert took < TIMEOUT + 2.0  # the shared exchange was not held up behind the black hole
        assert exchange_count(exchange_server.db_path) == 20

        wait_out_backoff(report)
        report = run_round(engine)
        assert {e.url: e for e in report.endpoints}[health_line.url].online is False
        health = window.db.execute("SELECT min(attempts), max(attempts) FROM outbox WHERE department = 'health-522325'").fetchone()
        assert health == (2, 2)

        health_line.pass_through()
        wait_out_backoff(report)
        reports = drain(engine, window)
    assert sum(r.sent for r in reports) == 10 and sum(r.duplicate for r in reports) == 0
    assert_exactly_once(window.settings.database_path, exchange_server.db_path, accepted)
