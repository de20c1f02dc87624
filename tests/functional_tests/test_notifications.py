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
from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401  (fixtures)
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
        self.requests: list[tuple[dict, dict]] = []
        self.taken: dict[str, dict] = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
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
                self.wfile.write(payload)

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
