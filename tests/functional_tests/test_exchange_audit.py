"""The exchange's ledger end to end: the real server (in a thread, and as a process that is
killed), real HTTP, then ``window-app exchange audit verify`` as a user runs it; on SQLite and
on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.exchange_fixtures import (  # noqa: F401
    ExchangeServer,
    exchange_server,
    exchange_server_factory,
    fresh_postgresql_database,
    make_envelope,
    query,
)
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from tests.exchange_process import ExchangeProcess
from window_app.domain.wire import DecisionRequest
from window_app.exchange.department_keys import DepartmentKeys

pytestmark = pytest.mark.usefixtures("exchange_backend")
ROOT = Path(__file__).resolve().parents[2]
WINDOW = "demo-window-ZF-01"
MARKET = "demo-market_regulation-522325"
ITEM = "company_registration"


def audit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "window_app", "exchange", "audit", *args, "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


def post(url: str, envelopes: list[dict]) -> list[dict]:
    response = httpx.post(f"{url}/v1/envelopes", json={"envelopes": envelopes}, headers={"Authorization": f"Bearer {WINDOW}"},
                          timeout=10, trust_env=False)
    assert response.status_code == 200, response.text
    return response.json()["results"]


def decide(url: str, envelope_id: str, decision: str, **words: str) -> None:
    signed = DepartmentKeys.demo("market_regulation-522325").signed(DecisionRequest(envelope_id, ITEM, decision, **words))
    response = httpx.post(f"{url}/v1/decisions", json=signed.to_json(),
                          headers={"Authorization": f"Bearer {MARKET}"}, timeout=10, trust_env=False)
    assert response.status_code == 201, response.text


def test_a_demo_exchange_keeps_a_ledger_an_auditor_can_check(exchange_server: ExchangeServer) -> None:
    created = post(exchange_server.url, [make_envelope(receipt_no=f"522325-261127-ZF-01-TEST-000{n}-4P") for n in range(1, 4)])
    decide(exchange_server.url, created[0]["envelope_id"], "approved", result="营业执照 91522325MA6DXXXX1X")
    decide(exchange_server.url, created[1]["envelope_id"], "rejected", reason="名称重复")
    exchange_server.stop()  # a clean stop signs the head

    log = ("--checkpoints", str(exchange_server.checkpoints)) if exchange_server.checkpoints else ()
    checked = audit("verify", "--db", str(exchange_server.db_path), "--demo", *log)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # 3 stored, 2 received (by deciding), 2 decisions; the checkpoint at the stop covers them all
    assert "intact: 7 entries, 1 signed checkpoint checked (covering entries up to 7)." in checked.stdout

    query(exchange_server.db_path, "UPDATE events SET reason = '' , kind = 'approved' WHERE kind = 'rejected'")
    ((seq,),) = query(exchange_server.db_path, "SELECT seq FROM ledger WHERE kind = 'rejected'")
    tampered = audit("verify", "--db", str(exchange_server.db_path), "--demo", *log)
    assert tampered.returncode == 1
    assert f"the first at entry {seq}." in tampered.stdout and "which was changed after it was recorded" in tampered.stdout


def test_an_exchange_with_its_own_key_survives_a_kill_and_still_verifies(
    tmp_path: Path, exchange_backend: str, request: pytest.FixtureRequest
) -> None:
    key = tmp_path / "keys" / "exchange.pem"
    made = audit("init", "--key", str(key))
    assert made.returncode == 0, made.stderr
    public = made.stdout.strip()
    postgresql = exchange_backend == "postgresql"
    db = fresh_postgresql_database(request) if postgresql else tmp_path / "exchange.db"
    log = ("--checkpoints", str(tmp_path / "checkpoints.jsonl")) if postgresql else ()
    exchange = ExchangeProcess(db, extra=("--key", str(key), "--checkpoint-every", "2", *log)).start()
    try:
        post(exchange.url, [make_envelope(receipt_no=f"522325-261127-ZF-01-TEST-010{n}-4P") for n in range(3)])
        exchange.kill()  # no last checkpoint: the one at entry 2 stands
        exchange.start()
        post(exchange.url, [make_envelope(receipt_no="522325-261127-ZF-01-TEST-0200-4P")])
    finally:
        exchange.stop()
    assert any("账本检查点" in line and "每 2 条签署一次" in line for line in exchange.output), exchange.output
    checked = audit("verify", "--db", str(db), "--key-public", public, *log)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "intact: 4 entries" in checked.stdout and "(covering entries up to 4)" in checked.stdout
    assert audit("verify", "--db", str(db), "--demo", *log).returncode == 1  # not signed with the demo key
