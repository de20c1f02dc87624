"""The sync engine against the REAL exchange on 127.0.0.1 (tests/exchange_fixtures.py).

Applications are accepted through ``Window.accept`` from ``examples/applications/``; the
departments decide through the exchange's HTTP API with their own tokens; what arrived is
counted in the exchange's own SQLite file.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.exchange_fixtures import (  # noqa: F401  (fixtures)
    ExchangeServer,
    exchange_server,
    exchange_server_factory,
    opened,
    refused_url,
    reserve_port,
    url_of,
)
from tests.window_template import CLERK_ENVIRON, open_signed_in, seed_data_dir, seed_window_database
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.words import Words
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.intake.io import parse_intake
from window_app.sync.catalog_refresh import catalog_dir
from window_app.sync.engine import SyncEngine
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "applications"
FIXED_NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LICENCE = "营业执照 91522325MA6HXXXX1Q"


def settings_for(tmp_path: Path, url: str, **env: str):
    environ = {
        "WINDOW_APP_EXCHANGE_URL": url,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
        "WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS": "5",
        "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": "0.2",
        "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": "1",
        **env,
    }
    return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "window"))


@pytest.fixture
def open_window(tmp_path: Path) -> Iterator:
    opened: list[Window] = []

    def opener(url: str, **env: str) -> Window:
        window = open_signed_in(settings_for(tmp_path, url, **env), clock=lambda: FIXED_NOW)
        opened.append(window)
        return window

    yield opener
    for window in opened:
        window.close()


def accept_example(window: Window, name: str) -> str:
    intake, problems = parse_intake(json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8")))
    assert not problems
    return window.accept(intake).receipt_no


def sync(window: Window, **kwargs):
    """One round on a fresh engine (as ``window-app sync --once`` runs it)."""
    engine = SyncEngine(window.db, window.settings, catalog_etag=window.catalog.digest, refresh_catalog=False)
    try:
        return asyncio.run(engine.run_once(**kwargs))
    finally:
        engine.release_lock()  # the engine's hold on the database: the next call makes its own


def exchange_rows(server: ExchangeServer, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(server.db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def decide_all(server: ExchangeServer, department: str, decision: str = "approved", result: str = "", **extra: str) -> list[str]:
    """The department lists its new envelopes and decides every item; returns the items decided."""
    decided = []
    with DepartmentClient(server.url, server.department_token(department)) as client:
        for envelope in client.inbox("new"):
            if envelope["kind"] == "handover":  # 三类登记办: the department signs for the paper
                client.decide(envelope["envelope_id"], "", "acknowledged", decided_by="收件员", keys=DepartmentKeys.demo(department))
                decided += [item["id"] for item in envelope["items"]]
                continue
            for item in envelope["payload"]["items"]:
                client.decide(envelope["envelope_id"], item["id"], decision, result=result or f"{item['result']} 0001", decided_by="审批员", keys=DepartmentKeys.demo(department), **extra)
                decided.append(item["id"])
    return decided


def test_end_to_end_accept_sync_decide_conclude(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    receipt = accept_example(window, "business_startup")

    report = sync(window)
    assert (report.sent, report.failed, report.quarantined) == (1, 0, 0) and report.online
    assert report.held == 6

    # 市场监管 registers the company: the licence number travels to the six stage-2 departments.
    decide_all(exchange_server, "market_regulation-522325", result=LICENCE)
    report = sync(window)
    assert report.released == 6 and report.sent == 6 and report.unsent == 0
    # One decision is news for the clerk; the department opening its inbox is not.
    assert report.decisions == 1 and report.events_applied > report.decisions
    payloads = exchange_rows(exchange_server, "SELECT department, payload FROM envelopes WHERE stage = 2")
    assert len(payloads) == 6
    for department, payload in payloads:
        assert LICENCE not in payload  # the hub holds it sealed …
        [prerequisite] = opened(payload, department)["prerequisite_results"]  # … to the next department
        assert prerequisite["item"] == "company_registration" and prerequisite["result"] == LICENCE

    for department in ("tax-522325", "hrss-522325", "medical_insurance-522325", "public_security-522325", "bank-522325-abc", "housing_fund-522325"):
        assert decide_all(exchange_server, department)
    report = sync(window)
    assert report.concluded == [receipt]
    assert report.decisions == 5  # the bank acknowledges its handover: no decision of its own

    detail = window.application(receipt)
    assert detail.summary.state == "concluded"
    assert detail.concluded_at and detail.conclusion
    assert detail.conclusion.startswith("贞丰县市场监督管理局（牵头部门）办理结论")
    assert LICENCE in detail.conclusion
    # The bank's account opening is 三类登记办: handed over and acknowledged, not decided here.
    assert "共 7 项：准予办理 6 项，移交部门办理 1 项" in detail.conclusion
    assert {part.state for part in detail.summary.parts} == {"approved", "handed_over"}
    actions = [event.action for event in detail.audit]
    assert actions.count("delivered") == 7 and actions.count("item_approved") == 6 and actions[-1] == "concluded"
    assert actions.count("handover_acknowledged") == 1
    # Exactly once at the exchange.
    assert exchange_rows(exchange_server, "SELECT count(*) FROM envelopes")[0][0] == 7
    status = window.sync_status()
    assert status.online and (status.unsent, status.sent, status.quarantined) == (0, 7, 0) and not status.error
    assert window.item_decisions(receipt)["company_registration"].result == LICENCE


def test_exchange_down_at_start_then_up_everything_arrives_exactly_once(
    exchange_server_factory, open_window, tmp_path: Path
) -> None:
    reserved = reserve_port()  # held until the exchange starts on it: connections are refused
    window = open_window(url_of(reserved))
    receipts = [accept_example(window, name) for name in ("business_startup", "newborn", "retirement", "death_affairs")]
    stage_one = window.db.execute("SELECT count(*) FROM outbox WHERE state = 'queued'").fetchone()[0]

    report = sync(window)
    assert report.offline and report.failed == stage_one
    assert "无法连接交换平台（连接被拒绝）" in report.error.zh
    assert report.unsent == window.outbox_unsent()

    server = exchange_server_factory(sock=reserved)
    report = sync(window, retry_now=True)
    assert report.online and report.sent == stage_one and report.duplicate == 0
    report = sync(window, retry_now=True)  # nothing left to send, nothing sent twice
    assert report.sent == 0 and report.duplicate == 0
    keys = exchange_rows(server, "SELECT idempotency_key FROM envelopes")
    assert len(keys) == len(set(keys)) == stage_one
    ours = {r[0] for r in window.db.execute("SELECT idempotency_key FROM outbox WHERE state = 'sent'")}
    assert ours == {k for (k,) in keys}
    assert all(window.application(r).summary.state == "accepted" for r in receipts)


def test_one_departments_dead_endpoint_does_not_hold_up_the_others(
    exchange_server: ExchangeServer, open_window, refused_url: str
) -> None:
    dead = refused_url
    window = open_window(exchange_server.url, WINDOW_APP_DEPARTMENTS_HEALTH_URL=dead)
    receipt = accept_example(window, "newborn")  # stage 1: public_security, health, medical_insurance

    for _ in range(3):
        report = sync(window, retry_now=True)
        by_url = {endpoint.url: endpoint for endpoint in report.endpoints}
        assert by_url[exchange_server.url].online and by_url[dead].online is False
        assert "health的部门接口" in by_url[dead].error.zh
        for department in ("public_security-522325", "medical_insurance-522325", "hrss-522325", "bank-522325-abc"):
            decide_all(exchange_server, department)
    sync(window)
    states = {(p.department, p.stage): p.state for p in window.application(receipt).summary.parts}
    assert states[("health-522325", 1)] == "queued"  # still waiting for its own endpoint
    assert all(state in ("approved", "handed_over") for key, state in states.items() if key != ("health-522325", 1)), states
    assert exchange_rows(exchange_server, "SELECT count(*) FROM envelopes WHERE department = 'health-522325'")[0][0] == 0
    attempts = window.db.execute("SELECT attempts, last_error FROM outbox WHERE department = 'health-522325'").fetchone()
    assert attempts[0] >= 3 and "连接被拒绝" in attempts[1]


def test_a_retry_sends_the_same_bytes(exchange_server: ExchangeServer, open_window) -> None:
    """A lost answer: the exchange stored the batch but the window never heard. The resend is
    byte-identical, answered ``duplicate``, and the stored payload is the outbox's text."""
    window = open_window(exchange_server.url)
    receipt = accept_example(window, "business_startup")
    [(envelope_id, key, payload)] = window.db.execute(
        "SELECT envelope_id, idempotency_key, payload FROM outbox WHERE state = 'queued'"
    ).fetchall()

    from window_app.sync.client import ExchangeClient, TransportFailure

    real_send = ExchangeClient.send_envelopes

    async def lose_the_answer(self, envelopes, **options):
        await real_send(self, envelopes, **options)  # the exchange stores the batch …
        # … and the connection breaks before its answer arrives (what the client reports then).
        raise TransportFailure(
            "offline", Words("与交换平台的连接中断（ReadError）", "The connection to the exchange broke off (ReadError)")
        )

    mp = pytest.MonkeyPatch()
    mp.setattr(ExchangeClient, "send_envelopes", lose_the_answer)
    try:
        report = sync(window)
    finally:
        mp.undo()
    assert report.failed == 1 and "连接中断" in report.error.zh
    assert window.db.execute("SELECT state, attempts FROM outbox WHERE envelope_id = ?", [envelope_id]).fetchone() == ("queued", 1)

    report = sync(window, retry_now=True)
    assert (report.sent, report.duplicate) == (0, 1)
    stored = exchange_rows(exchange_server, "SELECT payload, idempotency_key FROM envelopes")
    assert stored == [(payload, key)]
    assert window.application(receipt).summary.parts[0].state == "sent"


def test_headless_sync_once_from_a_subprocess(exchange_server: ExchangeServer, tmp_path: Path, refused_url: str) -> None:
    """``python -m window_app sync --once --data-dir DIR``: what the fault tests drive."""
    data_dir = seed_data_dir(tmp_path / "headless")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WINDOW_APP_")},
        "WINDOW_APP_EXCHANGE_URL": exchange_server.url,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
    }

    def cli(*args: str, clerk: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "window_app", *args, "--data-dir", str(data_dir)],
            capture_output=True, text=True, cwd=ROOT, env={**env, **(clerk or {})}, timeout=120,
        )

    # A clerk accepts; the headless sync runs with nobody signed in (it moves sealed envelopes).
    accepted = cli("accept", str(EXAMPLES / "newborn.json"), clerk=CLERK_ENVIRON)
    assert accepted.returncode == 0, accepted.stderr
    done = cli("sync", "--once", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["sent"] == 3 and report["online"] and report["ok"]
    status = cli("sync", "--status")
    assert status.returncode == 0 and "已送达 3" in status.stdout

    env["WINDOW_APP_EXCHANGE_URL"] = refused_url
    offline = cli("sync", "--once")
    assert offline.returncode == 3, offline.stdout + offline.stderr


def test_catalog_refresh_installs_a_newer_catalog_for_new_applications(exchange_server_factory, open_window, tmp_path: Path) -> None:
    import shutil

    from window_app.catalog.loader import shipped_catalog_path

    published = tmp_path / "published"
    shutil.copytree(shipped_catalog_path(), published)
    toml = published / "catalog.toml"
    shipped_version = window_catalog_version()
    newer = f"{shipped_version}.1"
    text = toml.read_text(encoding="utf-8")
    assert f'version = "{shipped_version}"' in text
    toml.write_text(text.replace(f'version = "{shipped_version}"', f'version = "{newer}"'), encoding="utf-8")
    server = exchange_server_factory(catalog_path=published)
    window = open_window(server.url)
    receipt = accept_example(window, "newborn")  # in flight, on the shipped version
    pinned = {json.loads(p)["catalog_version"] for (p,) in window.db.execute("SELECT payload FROM outbox")}

    engine = SyncEngine(window.db, window.settings, catalog_etag=window.catalog.digest)
    report = asyncio.run(engine.run_once())
    assert report.catalog.status == "installed" and report.catalog.version == newer
    installed = Path(report.catalog.path)
    assert installed.parent == window.settings.data_dir / "catalogs" and installed.name.startswith(f"{newer}-")
    assert catalog_dir(window.settings) == installed
    assert asyncio.run(engine.run_once()).catalog.status == "unchanged"  # 304 on its ETag

    reopened = open_signed_in(window.settings, clock=lambda: FIXED_NOW)
    try:
        assert reopened.catalog.version == newer
    finally:
        reopened.close()
    # Applications in flight keep the version pinned in their envelopes.
    assert {json.loads(p)["catalog_version"] for (p,) in window.db.execute("SELECT payload FROM outbox")} == pinned == {shipped_version}
    assert window.application(receipt).catalog_version == shipped_version


def window_catalog_version() -> str:
    from window_app.catalog.loader import load_catalog, shipped_catalog_path

    return load_catalog(shipped_catalog_path()).version


def test_supplement_round_trip_through_the_exchange(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    receipt = accept_example(window, "retirement")
    sync(window)
    [part] = [p for p in window.application(receipt).summary.parts if p.stage == 1][:1]
    department = part.department
    with DepartmentClient(exchange_server.url, exchange_server.department_token(department)) as client:
        [envelope] = client.inbox("new")
        item = envelope["payload"]["items"][0]["id"]
        material = next(iter(DepartmentKeys.demo(department).open(envelope)["materials"]))
        client.decide(envelope["envelope_id"], item, "supplement_needed", material=material, reason="请补交原件", decided_by="李审", keys=DepartmentKeys.demo(department))
    sync(window)
    assert window.application(receipt).summary.state == "supplement_needed"

    supplement_id = window.supply_material(receipt, department, material, "original")
    report = sync(window)
    assert report.sent == 1 and report.quarantined == 0
    [(kind, original)] = exchange_rows(
        exchange_server, "SELECT kind, original_envelope_id FROM envelopes WHERE envelope_id = ?", (supplement_id,)
    )
    assert (kind, original) == ("supplement", envelope["envelope_id"])
    states = {(p.department, p.stage): p.state for p in window.application(receipt).summary.parts}
    assert states[(department, 1)] == "received"
    assert window.application(receipt).intake.materials[material].state == "original"
    actions = [e.action for e in window.application(receipt).audit]
    assert "supplement_requested" in actions and "supplement_queued" in actions and "supplement_delivered" in actions


def test_headless_sync_loop_prints_a_line_per_round_and_stops_on_sigterm(exchange_server: ExchangeServer, tmp_path: Path) -> None:
    import signal
    import time

    data_dir = tmp_path / "loop"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WINDOW_APP_")},
        "WINDOW_APP_EXCHANGE_URL": exchange_server.url,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
        "WINDOW_APP_SYNC_INTERVAL_SECONDS": "0.2",
    }
    command = [sys.executable, "-m", "window_app", "sync", "--data-dir", str(data_dir), "--lang", "en"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while len(lines) < 2 and time.monotonic() < deadline:
            line = process.stdout.readline()
            if line:
                lines.append(line)
        assert len(lines) == 2 and all("online: delivered 0" in line for line in lines), lines
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_quarantined_envelope_can_be_requeued_once_the_cause_is_fixed(exchange_server: ExchangeServer, open_window) -> None:
    """The exchange refuses an envelope for good (here: a row addressed to a department it does
    not know); it stays quarantined with the reason until someone fixes the cause and requeues
    it — then the very same payload goes."""
    window = open_window(exchange_server.url)
    receipt = accept_example(window, "newborn")
    [(envelope_id, payload)] = window.db.execute("SELECT envelope_id, payload FROM outbox WHERE department = 'health-522325'").fetchall()
    window.db.execute("UPDATE outbox SET department = 'healthx' WHERE envelope_id = ?", [envelope_id])
    report = sync(window)
    assert report.quarantined == 1 and report.sent == 2
    [entry] = window.quarantined()
    assert "healthx" in entry.last_error.en and entry.envelope.envelope_id == envelope_id
    assert sync(window, retry_now=True).quarantined == 0  # never retried blindly
    window.db.execute("UPDATE outbox SET department = 'health-522325' WHERE envelope_id = ?", [envelope_id])
    assert window.requeue_quarantined([envelope_id]) == 1
    report = sync(window)
    assert report.sent == 1 and report.quarantined == 0
    assert exchange_rows(exchange_server, "SELECT payload FROM envelopes WHERE envelope_id = ?", (envelope_id,)) == [(payload,)]
    assert window.application(receipt).summary.state == "accepted"
