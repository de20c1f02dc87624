"""The applicant's notifications end to end: accepted through ``Window.accept``, queued with the
event, sent by real sync rounds against the REAL exchange on 127.0.0.1 (its ``--simulate``
departments decide), through the log notifier (a real file) or the http notifier (a real HTTP
gateway on 127.0.0.1 started here) — each message exactly once."""

from __future__ import annotations

import asyncio
import json
import stat
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from offline_cache import notifications as store
from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory, refused_url  # noqa: F401  (fixtures)
from tests.functional_tests.test_sync_engine import accept_example, open_window, sync  # noqa: F401  (fixture)
from window_app.cli import main
from window_app.config import SHIPPED_CONFIG, ConfigError, load_settings
from window_app.exchange.client import DepartmentClient
from window_app.exchange.department_keys import DepartmentKeys
from window_app.notify.choose import log_path
from window_app.notify.log_notifier import read_log
from window_app.notify.message import Message
from window_app.window import Window

ID_NUMBER = "520502198307200559"  # the social security card example's applicant


def messages(window: Window, receipt: str) -> list[dict]:
    return [m for m in read_log(log_path(window.settings)) if m["receipt_no"] == receipt]


def sync_until_concluded(window: Window, receipt: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while window.application(receipt).summary.state not in ("concluded", "rejected"):
        assert time.monotonic() < deadline, "the simulated departments did not conclude"
        sync(window)
        time.sleep(0.1)
    sync(window)  # the round that concluded queued the conclusion; it went out in that same round


def test_acceptance_and_conclusion_reach_the_phone_exactly_once(exchange_server_factory, open_window) -> None:
    server = exchange_server_factory(simulate=0.2)
    window = open_window(server.url)
    receipt = accept_example(window, "social_security_card_replacement")
    assert store.list_for(window.db, receipt) == [("accepted", "accepted", "queued", 0)]

    report = sync(window)
    assert report.notify.sent == 1 and report.sent >= 1
    [accepted] = messages(window, receipt)
    assert accepted["kind"] == "accepted" and accepted["to"] == "18722851940"
    assert accepted["idempotency_key"] == f"{receipt}/accepted/accepted"
    text = accepted["text"]
    assert receipt in text and "王*" in text and "已受理" in text and "承诺" in text
    assert "王兴国" not in text and ID_NUMBER not in text
    assert text.endswith(window.tracking_link(window.application(receipt)))  # the receipt's link, code and all
    assert stat.S_IMODE(log_path(window.settings).stat().st_mode) == 0o600

    sync_until_concluded(window, receipt)
    sent = messages(window, receipt)
    assert [m["kind"] for m in sent] == ["accepted", "concluded"]
    assert "已办结" in sent[1]["text"] and "准予办理" in sent[1]["text"] and ID_NUMBER not in sent[1]["text"]
    # The phone is no longer kept once the last notification is out.
    assert window.db.execute("SELECT count(*) FROM notification_recipients WHERE receipt_no = ?", [receipt]).fetchone()[0] == 0

    # Replayed: the exchange's whole history again (the cursor back to 0), more rounds.
    window.db.execute("UPDATE sync_endpoints SET cursor = 0")
    for _ in range(2):
        report = sync(window, retry_now=True)
        assert report.notify.sent == 0
    assert [m["kind"] for m in messages(window, receipt)] == ["accepted", "concluded"]
    assert [row[2] for row in store.list_for(window.db, receipt)] == ["sent", "sent"]


def test_a_supplement_request_is_notified_once(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    receipt = accept_example(window, "retirement")
    sync(window)
    part = next(p for p in window.application(receipt).summary.parts if p.stage == 1)
    department = part.department
    with DepartmentClient(exchange_server.url, exchange_server.department_token(department)) as client:
        [envelope] = client.inbox("new")
        item = envelope["payload"]["items"][0]["id"]
        material = next(iter(DepartmentKeys.demo(department).open(envelope)["materials"]))
        client.decide(envelope["envelope_id"], item, "supplement_needed", material=material, reason="请补交原件", decided_by="李审", keys=DepartmentKeys.demo(department))
    report = sync(window)
    assert report.notify.sent == 1
    window.db.execute("UPDATE sync_endpoints SET cursor = 0")
    sync(window, retry_now=True)
    [asked] = [m for m in messages(window, receipt) if m["kind"] == "supplement"]
    material_name = window.catalog.materials[material].name.zh
    assert material_name in asked["text"] and "补正" in asked["text"] and receipt in asked["text"]


def test_a_crash_between_send_and_mark_resends_under_the_same_key_and_the_log_drops_it(exchange_server: ExchangeServer, open_window) -> None:
    window = open_window(exchange_server.url)
    receipt = accept_example(window, "social_security_card_replacement")
    # What a process killed after the send and before the mark leaves: the message in the log,
    # the notification still queued (its attempt counted).
    from window_app.notify.log_notifier import LogNotifier

    asyncio.run(
        LogNotifier(log_path(window.settings)).send(
            Message(key=f"{receipt}/accepted/accepted", to="18722851940", text="…", receipt_no=receipt, kind="accepted")
        )
    )
    report = sync(window)
    assert report.notify.sent == 1  # the notifier answered sent: the key was there already
    assert len(messages(window, receipt)) == 1
    assert store.list_for(window.db, receipt)[0][2] == "sent"


# -- the http notifier against a real gateway ---------------------------------------------------


class Gateway:
    """A tiny SMS gateway on 127.0.0.1: answers each POST from a script, keeps what it took."""

    def __init__(self, answers: list[int]) -> None:
        self.answers = answers
        self.delay = 0.0
        self.requests: list[tuple[dict, dict]] = []
        self.taken: dict[str, dict] = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(gateway.delay)  # a slow platform: a kill can land while a request is on the wire
                gateway.requests.append((dict(self.headers), body))
                status = gateway.answers.pop(0) if gateway.answers else 200
                if status == 200:
                    gateway.taken.setdefault(body["idempotency_key"], body)
                payload = json.dumps({"error": "号码无效"} if status == 400 else {"ok": status == 200}).encode()
                self.send_response(status)
                if status == 503:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except OSError:
                    pass  # the caller was killed while waiting: what it took is recorded above

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    running = Gateway([503, 200])
    yield running
    running.close()


def token_file(tmp_path: Path, mode: int = 0o600) -> Path:
    path = tmp_path / "sms.token"
    path.write_text("gateway-secret\n", encoding="utf-8")
    path.chmod(mode)
    return path


def test_the_http_gateway_failing_then_taking_it_gets_the_message_once(exchange_server: ExchangeServer, open_window, gateway: Gateway, tmp_path: Path) -> None:
    window = open_window(
        exchange_server.url,
        WINDOW_APP_NOTIFY_KIND="http",
        WINDOW_APP_NOTIFY_URL=gateway.url,
        WINDOW_APP_NOTIFY_TOKEN_FILE=str(token_file(tmp_path)),
    )
    receipt = accept_example(window, "social_security_card_replacement")
    first = sync(window)
    assert (first.notify.sent, first.notify.failed, first.notify.pending) == (0, 1, 1)
    assert "503" in str(first.notify.error)
    assert first.sent >= 1  # the envelopes went regardless
    second = sync(window, retry_now=True)
    assert (second.notify.sent, second.notify.pending) == (1, 0)
    third = sync(window, retry_now=True)
    assert third.notify.sent == 0
    assert len(gateway.requests) == 2
    headers, body = gateway.requests[-1]
    assert headers["Authorization"] == "Bearer gateway-secret"
    assert headers["Idempotency-Key"] == body["idempotency_key"] == f"{receipt}/accepted/accepted"
    assert list(gateway.taken) == [f"{receipt}/accepted/accepted"]
    assert ID_NUMBER not in json.dumps(body, ensure_ascii=False)


def test_a_number_the_gateway_refuses_is_kept_with_its_words_not_retried(exchange_server: ExchangeServer, open_window, tmp_path: Path) -> None:
    refusing = Gateway([400])
    try:
        window = open_window(
            exchange_server.url,
            WINDOW_APP_NOTIFY_KIND="http",
            WINDOW_APP_NOTIFY_URL=refusing.url,
            WINDOW_APP_NOTIFY_TOKEN_FILE=str(token_file(tmp_path)),
        )
        receipt = accept_example(window, "social_security_card_replacement")
        report = sync(window)
        assert report.notify.refused == 1 and "号码无效" in report.notify.error.zh
        sync(window, retry_now=True)
        assert len(refusing.requests) == 1
        assert store.list_for(window.db, receipt)[0][2] == "refused"
    finally:
        refusing.close()


# -- bad settings: words, never a traceback ------------------------------------------------------


def test_an_unknown_kind_is_refused_in_words() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_NOTIFY_KIND": "pigeon"})
    assert "[notify] kind 'pigeon'" in caught.value.words.en and "log、http 或 off" in caught.value.words.zh


def test_http_without_a_token_file_is_refused_in_words() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(SHIPPED_CONFIG, environ={"WINDOW_APP_NOTIFY_KIND": "http", "WINDOW_APP_NOTIFY_URL": "http://127.0.0.1:9/sms"})
    assert "token_file" in caught.value.words.en


def test_a_missing_or_open_token_file_is_words_in_the_round_and_the_envelopes_still_go(exchange_server: ExchangeServer, open_window, tmp_path: Path) -> None:
    window = open_window(
        exchange_server.url,
        WINDOW_APP_NOTIFY_KIND="http",
        WINDOW_APP_NOTIFY_URL="http://127.0.0.1:9/sms",
        WINDOW_APP_NOTIFY_TOKEN_FILE=str(tmp_path / "missing.token"),
    )
    accept_example(window, "social_security_card_replacement")
    report = sync(window)
    assert report.sent >= 1 and report.notify.pending == 1
    assert "missing.token" in report.notify.error.en and "does not exist" in report.notify.error.en


def test_the_cli_says_so_in_words(exchange_server: ExchangeServer, tmp_path: Path, capsys, monkeypatch) -> None:
    path = token_file(tmp_path, mode=0o644)
    monkeypatch.setenv("WINDOW_APP_EXCHANGE_URL", exchange_server.url)
    monkeypatch.setenv("WINDOW_APP_NOTIFY_KIND", "http")
    monkeypatch.setenv("WINDOW_APP_NOTIFY_URL", "http://127.0.0.1:9/sms")
    monkeypatch.setenv("WINDOW_APP_NOTIFY_TOKEN_FILE", str(path))
    from tests.window_template import seed_data_dir

    data_dir = seed_data_dir(tmp_path / "window")
    code = main(["sync", "--once", "--data-dir", str(data_dir), "--lang", "en"])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert "chmod 600" in out.out + out.err
    assert code in (0, 4)


def test_the_headless_sync_sends_while_the_window_is_locked(exchange_server: ExchangeServer, open_window) -> None:
    """The phone is not under the clerks' data key: a sync with nobody signed in opens it."""
    from window_app.sync.engine import SyncEngine

    window = open_window(exchange_server.url)
    receipt = accept_example(window, "social_security_card_replacement")
    engine = SyncEngine.open(window.settings, refresh_catalog=False)  # its own connection: no data key
    try:
        assert getattr(engine.db, "data_key", None) is None
        report = asyncio.run(engine.run_once())
    finally:
        engine.close()
    assert report.notify.sent == 1 and [m["kind"] for m in messages(window, receipt)] == ["accepted"]


def test_sync_status_counts_pending_notifications(exchange_server: ExchangeServer, tmp_path: Path, capsys, monkeypatch) -> None:
    from tests.window_template import seed_data_dir

    monkeypatch.setenv("WINDOW_APP_EXCHANGE_URL", exchange_server.url)
    monkeypatch.setenv("WINDOW_APP_NOTIFY_KIND", "off")
    data_dir = seed_data_dir(tmp_path / "window")
    example = Path(__file__).resolve().parents[2] / "examples" / "applications" / "social_security_card_replacement.json"
    assert main(["accept", str(example), "--data-dir", str(data_dir)]) == 0
    assert main(["sync", "--once", "--data-dir", str(data_dir)]) == 0  # kind = "off": queued, not sent
    capsys.readouterr()
    assert main(["sync", "--status", "--data-dir", str(data_dir), "--lang", "en"]) == 0
    assert "notifications pending 1" in capsys.readouterr().out
    assert main(["sync", "--status", "--json", "--data-dir", str(data_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["notifications_pending"] == 1


def test_the_sync_killed_at_random_points_loses_no_notification_and_the_gateway_takes_each_once(
    refused_url: str, open_window, tmp_path: Path  # noqa: F811
) -> None:
    """``window-app sync`` (its own process) sends 40 acceptance notifications to a slow gateway
    and is SIGKILLed 3-6 times at seeded random points (claims written, a request on the wire,
    a mark being written), then started again; a last ``sync --once --retry-now`` finishes. Every
    notification is ``sent``, and the gateway — which drops a key it has taken, as the http
    notifier's contract asks — took each one exactly once. The exchange is unreachable all along:
    the notifications never wait for it."""
    import os
    import random
    import signal
    import subprocess
    import sys

    from tests.functional_tests.test_sync_faults import _intake

    rng = random.Random(20261207)
    slow = Gateway([])
    slow.delay = 0.03
    try:
        window = open_window(
            refused_url,
            WINDOW_APP_NOTIFY_KIND="http",
            WINDOW_APP_NOTIFY_URL=slow.url,
            WINDOW_APP_NOTIFY_TOKEN_FILE=str(token_file(tmp_path)),
            WINDOW_APP_SYNC_BATCH_SIZE="5",
        )
        receipts = {window.accept(_intake("social_security_card_replacement")).receipt_no for _ in range(40)}
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WINDOW_APP_")},
            "WINDOW_APP_EXCHANGE_URL": refused_url,
            "WINDOW_APP_SYNC_INTERVAL_SECONDS": "0.1",
            "WINDOW_APP_SYNC_BATCH_SIZE": "5",
            "WINDOW_APP_NOTIFY_KIND": "http",
            "WINDOW_APP_NOTIFY_URL": slow.url,
            "WINDOW_APP_NOTIFY_TOKEN_FILE": str(tmp_path / "sms.token"),
        }
        data_dir = str(window.settings.data_dir)
        command = [sys.executable, "-m", "window_app", "sync", "--data-dir", data_dir]
        root = Path(__file__).resolve().parents[2]
        kills = 0
        while kills < 6 and len(slow.taken) < len(receipts) - 8:
            before = len(slow.requests)
            worker = subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                deadline = time.monotonic() + 60
                while len(slow.requests) == before and worker.poll() is None:
                    assert time.monotonic() < deadline, "the worker sent nothing"
                    time.sleep(0.01)
                time.sleep(rng.uniform(0.0, 0.15))
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(30)
                assert worker.returncode == -signal.SIGKILL, worker.stderr.read().decode() if worker.stderr else ""
                if worker.stderr:
                    worker.stderr.close()
            kills += 1
        assert kills >= 3, f"all sent after {kills} kills: make the backlog bigger"
        for _ in range(len(receipts)):  # a round sends [sync] batch_size of them
            final = subprocess.run(
                [*command[:4], "--once", "--retry-now", "--json", *command[4:]], cwd=root, env=env, capture_output=True, text=True, timeout=120
            )
            if json.loads(final.stdout)["notify"]["pending"] == 0:
                break
        assert json.loads(final.stdout)["notify"]["pending"] == 0, final.stdout + final.stderr
    finally:
        slow.close()
    print(f"gateway: {len(slow.requests)} requests, {len(slow.taken)} keys taken, {kills} kills")
    assert set(slow.taken) == {f"{receipt}/accepted/accepted" for receipt in receipts}
    states = {row[2] for receipt in receipts for row in store.list_for(window.db, receipt)}
    assert states == {"sent"}


def test_the_gateway_s_other_answers(exchange_server: ExchangeServer, open_window, tmp_path: Path) -> None:
    """401: retried (the token file named), nothing refused; 409 (a key it has taken): sent."""
    gateway = Gateway([401, 409])
    try:
        window = open_window(
            exchange_server.url,
            WINDOW_APP_NOTIFY_KIND="http",
            WINDOW_APP_NOTIFY_URL=gateway.url,
            WINDOW_APP_NOTIFY_TOKEN_FILE=str(token_file(tmp_path)),
            WINDOW_APP_NOTIFY_LANGUAGE="en",
        )
        receipt = accept_example(window, "social_security_card_replacement")
        first = sync(window)
        assert first.notify.failed == 1 and "token_file" in first.notify.error.en and "sms.token" in first.notify.error.en
        second = sync(window, retry_now=True)
        assert second.notify.sent == 1 and store.list_for(window.db, receipt)[0][2] == "sent"
        assert gateway.requests[-1][1]["text"].startswith("王**, your application")
    finally:
        gateway.close()
