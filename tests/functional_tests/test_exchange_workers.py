"""``window-app exchange serve --workers 2`` on PostgreSQL: two processes on one port and one
database, many windows posting at once; every batch answered, every envelope stored once, the
ledger one intact chain that ``window-app exchange audit verify`` checks, signed to its end at
the stop. On SQLite the option is refused in words."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.exchange_fixtures import fresh_postgresql_database, make_envelope, receipt
from tests.exchange_process import ExchangeProcess
from window_app.trust.demo import demo_signing_key

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = [f"W{n}" for n in range(1, 7)]


def window_batch(window: str, first: int, count: int) -> list[dict]:
    key = demo_signing_key(f"test-window:{window}")
    return [make_envelope(receipt_no=receipt(first + n, window), window_id=window, signing_key=key) for n in range(count)]


def test_several_workers_on_a_sqlite_file_are_refused_in_words(tmp_path: Path) -> None:
    for lang, words in (("en", "a SQLite file has one writer at a time"), ("zh", "SQLite 文件一次只能有一个写入者")):
        refused = subprocess.run(
            [sys.executable, "-m", "window_app", "exchange", "serve", "--db", str(tmp_path / "exchange.db"), "--port", "0",
             "--demo", "--workers", "2", "--lang", lang],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        assert refused.returncode == 1, refused.stderr
        assert words in refused.stderr and "postgresql://" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert not (tmp_path / "exchange.db").exists()  # refused before anything was opened


def test_two_workers_store_every_windows_batches_in_one_chain(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    db = fresh_postgresql_database(request)
    checkpoints = tmp_path / "checkpoints.jsonl"
    exchange = ExchangeProcess(db, extra=("--workers", "2", "--checkpoints", str(checkpoints))).start()
    answers: dict[str, list[list[dict]]] = {window: [] for window in WINDOWS}
    try:
        def send(window: str) -> None:
            with httpx.Client(base_url=exchange.url, headers={"Authorization": f"Bearer demo-window-{window}"},
                              timeout=30, trust_env=False) as client:
                for batch in range(3):
                    response = client.post("/v1/envelopes", json={"envelopes": window_batch(window, 1 + 5 * batch, 5)})
                    assert response.status_code == 200, response.text
                    answers[window].append(response.json()["results"])

        threads = [threading.Thread(target=send, args=(window,)) for window in WINDOWS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # A resend of a batch answers duplicates, whichever worker takes it.
        resent = httpx.post(f"{exchange.url}/v1/envelopes", json={"envelopes": window_batch("W1", 1, 5)},
                            headers={"Authorization": "Bearer demo-window-W1"}, timeout=30, trust_env=False)
        assert [r["status"] for r in resent.json()["results"]] == ["duplicate"] * 5
    finally:
        exchange.stop()
    assert exchange.process is not None and exchange.process.returncode == 0, "".join(exchange.output)
    statuses = [r["status"] for window in WINDOWS for batch in answers[window] for r in batch]
    assert statuses == ["created"] * (len(WINDOWS) * 15)

    checked = subprocess.run(
        [sys.executable, "-m", "window_app", "exchange", "audit", "verify", "--db", db, "--checkpoints", str(checkpoints),
         "--demo", "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    stored = len(WINDOWS) * 15
    match = re.search(r"intact: (\d+) entries, \d+ signed checkpoints? checked \(covering entries up to (\d+)\)", checked.stdout)
    assert match and match.groups() == (str(stored), str(stored)), checked.stdout
