"""The engine's rounds against a scripted transport: every answer the contract allows, and the
garbage it does not. The exchange itself is real in tests/functional_tests/test_sync_engine.py;
here each failure mode is produced exactly, on a real SQLite file."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import re
from collections.abc import Callable

import httpx
import pytest
from store_fixtures import accept, newborn_intake, open_window_db, opening_intake, signed_event, signer_for

from offline_cache import outbox as outbox_store
from offline_cache import progress, sync_state
from tests.exchange_fixtures import opened
from window_app.catalog.authority import message
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.domain.words import Words
from window_app.sync.engine import MAX_SERVER_ERRORS, SyncEngine
from window_app.trust.keys import SigningKey
from window_app.trust.signing import sign

CST = dt.timezone(dt.timedelta(hours=8))
URL = "http://exchange.test"
OWN = "http://grid.test"


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 27, 10, 0, tzinfo=CST)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class Exchange:
    """A scripted exchange: ``answer`` decides each POST; events/catalog are empty."""

    def __init__(self) -> None:
        self.posts: list[list[dict]] = []
        self.answer: Callable[[list[dict]], httpx.Response] = self.accept_all
        self.events: list[dict] = []
        self.seen_keys: set[str] = set()
        self.calls: list[str] = []

    def accept_all(self, envelopes: list[dict]) -> httpx.Response:
        results = []
        for e in envelopes:
            status = "duplicate" if e["idempotency_key"] in self.seen_keys else "created"
            self.seen_keys.add(e["idempotency_key"])
            results.append({"idempotency_key": e["idempotency_key"], "status": status, "envelope_id": e["envelope_id"], "received_at": "2026-11-27T10:00:01+08:00"})
        return httpx.Response(200, json={"results": results})

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.host}{request.url.path}")
        if request.url.path == "/v1/envelopes":
            envelopes = json.loads(request.content)["envelopes"]
            self.posts.append(envelopes)
            return self.answer(envelopes)
        if request.url.path == "/v1/events":
            since = int(request.url.params["since"])
            events = [e for e in self.events if e["seq"] > since]
            return httpx.Response(200, json={"events": events, "cursor": events[-1]["seq"] if events else since, "more": False})
        if request.url.path == "/v1/catalog":
            return httpx.Response(304, headers={"ETag": '"x"'})
        return httpx.Response(404)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_settings(tmp_path, **env: str):
    environ = {
        "WINDOW_APP_EXCHANGE_URL": URL,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
        "WINDOW_APP_SYNC_BATCH_SIZE": "4",
        "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": "1",
        "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": "60",
        **env,
    }
    return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "data"))


def engine_for(tmp_path, exchange: Exchange, clock: Clock, **env: str) -> SyncEngine:
    settings = make_settings(tmp_path, **env)
    db = open_window_db(settings)
    http = httpx.AsyncClient(transport=httpx.MockTransport(exchange.handler))
    # The applications are accepted against the small test catalog: the engine seals and checks with it too.
    return SyncEngine(
        db, settings, clock=clock, rng=random.Random(5), http=http, refresh_catalog=False, signer=signer_for(db, settings)
    )


def run(engine: SyncEngine, **kwargs):
    return asyncio.run(engine.run_once(**kwargs))


def accept_many(engine: SyncEngine, n: int) -> list[str]:
    return [accept(engine.db, engine.settings, opening_intake()).receipt_no for _ in range(n)]


def states(engine: SyncEngine) -> dict[str, int]:
    return outbox_store.count_by_state(engine.db)


# -- sending -----------------------------------------------------------------------------------


def test_sends_due_envelopes_in_batches_of_batch_size(tmp_path, clock) -> None:
    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 10)  # 10 stage-1 envelopes, 20 held for the licence
    report = run(engine)
    assert [len(batch) for batch in exchange.posts] == [4, 4, 2]
    assert (report.sent, report.duplicate, report.failed, report.quarantined) == (10, 0, 0, 0)
    assert report.online and report.ok
    assert report.unsent == 20 and report.held == 20
    assert states(engine) == {"sent": 10, "waiting": 20}


def test_the_stored_text_is_what_is_sent(tmp_path, clock) -> None:
    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock)
    receipt = accept_many(engine, 1)[0]
    run(engine)
    sent = exchange.posts[0][0]
    stored = outbox_store.list_envelopes(engine.db, receipt)[0].envelope
    assert sent["payload"].encode("utf-8") == stored.payload
    assert sent["payload_sha256"] == stored.payload_sha256 and sent["signature"] == json.loads(stored.signature)


def test_transient_failure_backs_off_and_resends_the_same_bytes(tmp_path, clock) -> None:
    exchange = Exchange()
    exchange.answer = lambda envelopes: httpx.Response(503, headers={"Retry-After": "30"}, json={"error": "busy", "error_zh": "繁忙"})
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 2)
    report = run(engine)
    assert report.failed == 2 and not report.online and report.offline
    assert "繁忙（HTTP 503）" in report.error.zh and "30 秒后重试" in report.error.zh
    assert "busy (HTTP 503)" in report.error.en
    first = exchange.posts[0]
    rows = engine.db.execute("SELECT attempts, next_attempt_at, last_error FROM outbox WHERE state = 'queued'").fetchall()
    assert {r[0] for r in rows} == {1}
    assert all(dt.datetime.fromisoformat(r[1]) >= clock.now + dt.timedelta(seconds=30) for r in rows)
    assert all("HTTP 503" in r[2] for r in rows)
    # Before the backoff has passed, the endpoint is not asked again.
    clock.advance(10)
    report = run(engine)
    assert len(exchange.posts) == 1 and report.endpoints[0].retry_at is not None
    clock.advance(60)
    exchange.answer = exchange.accept_all
    report = run(engine)
    assert report.sent == 2 and report.online
    assert exchange.posts[-1] == first  # the very same envelopes, byte for byte
    assert engine.db.execute("SELECT max(attempts) FROM outbox").fetchone()[0] == 2


@pytest.mark.parametrize(
    ("response", "words"),
    [
        (httpx.Response(200, text="<html>proxy error</html>"), "不是 JSON"),
        (httpx.Response(200, json={"oops": []}), "没有 results"),
        (httpx.Response(200, json={"results": []}), "结果数（0）与发送的件数（1）不符"),
        (httpx.Response(500, json={"error": "boom", "error_zh": "内部错误"}), "内部出错（HTTP 500"),
    ],
)
def test_garbage_and_server_errors_are_transient(tmp_path, clock, response, words) -> None:
    exchange = Exchange()
    exchange.answer = lambda envelopes: response
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 1)
    report = run(engine)
    assert report.failed == 1 and report.quarantined == 0
    assert words in report.error.zh
    assert states(engine)["queued"] == 1


def test_connection_refused_says_so_in_words(tmp_path, clock) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused")

    settings = make_settings(tmp_path)
    engine = SyncEngine(
        open_window_db(settings), settings, clock=clock, http=httpx.AsyncClient(transport=httpx.MockTransport(refuse)), refresh_catalog=False
    )
    accept_many(engine, 1)
    report = run(engine)
    assert report.error == Words(
        "无法连接交换平台（连接被拒绝），稍后自动重试", "Cannot reach the exchange (connection refused); will retry"
    )
    assert report.offline


def test_rejected_envelopes_are_quarantined_with_the_reason(tmp_path, clock) -> None:
    exchange = Exchange()

    def answer(envelopes):
        results = [
            {"idempotency_key": e["idempotency_key"], "status": "rejected", "reason": "unknown department 'taxx'"}
            if i == 0
            else {"idempotency_key": e["idempotency_key"], "status": "created", "envelope_id": e["envelope_id"], "received_at": "t"}
            for i, e in enumerate(envelopes)
        ]
        return httpx.Response(200, json={"results": results})

    exchange.answer = answer
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 3)
    report = run(engine)
    assert (report.sent, report.quarantined) == (2, 1)
    quarantined = outbox_store.list_by_state(engine.db, "quarantined")
    assert len(quarantined) == 1 and "unknown department 'taxx'" in quarantined[0].last_error.en
    clock.advance(3600)
    run(engine, retry_now=True)
    assert len(exchange.posts) == 1  # never retried blindly
    assert states(engine)["quarantined"] == 1  # never deleted


def test_an_envelope_the_exchange_answers_5xx_to_in_a_row_is_quarantined_in_words_and_the_rest_go(
    tmp_path, clock
) -> None:
    # A scripted exchange: the real one answers no input with a 500 (test_exchange_server), so a
    # server error can only be had from a fake.
    exchange = Exchange()
    poison: list[str] = []

    def answer(envelopes):
        poison[:] = poison or [envelopes[0]["idempotency_key"]]
        if any(e["idempotency_key"] == poison[0] for e in envelopes):
            return httpx.Response(500, text="Internal Server Error")
        return exchange.accept_all(envelopes)

    exchange.answer = answer
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 2)
    for _ in range(MAX_SERVER_ERRORS - 1):
        run(engine, retry_now=True)
        clock.advance(3600)
    assert states(engine).get("quarantined", 0) == 0  # below the ceiling: retried, as any 5xx
    report = run(engine, retry_now=True)
    assert report.quarantined == 1
    (quarantined,) = outbox_store.list_by_state(engine.db, "quarantined")
    assert quarantined.envelope.idempotency_key == poison[0]
    assert quarantined.last_error.zh.startswith(f"交换平台对此件连续 {MAX_SERVER_ERRORS} 次回答服务器错误，已退回")
    assert quarantined.last_error.en.startswith(f"The exchange answered this part with a server error {MAX_SERVER_ERRORS} times")
    clock.advance(3600)
    run(engine, retry_now=True)
    assert states(engine).get("queued", 0) == 0  # every other envelope was delivered
    assert exchange.seen_keys and poison[0] not in exchange.seen_keys


def test_a_server_error_count_starts_again_after_any_other_failure(tmp_path, clock) -> None:
    exchange = Exchange()
    exchange.answer = lambda envelopes: httpx.Response(503, text="busy")
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 1)
    for _ in range(MAX_SERVER_ERRORS + 2):  # 503: busy, not a server error about the envelope
        run(engine, retry_now=True)
        clock.advance(3600)
    assert states(engine).get("quarantined", 0) == 0


def test_413_halves_the_batch(tmp_path, clock) -> None:
    exchange = Exchange()
    exchange.answer = lambda envelopes: (
        httpx.Response(413, json={"error": "too large"}) if len(envelopes) > 1 else exchange.accept_all(envelopes)
    )
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 4)
    report = run(engine)
    assert report.sent == 4 and report.quarantined == 0
    assert [len(b) for b in exchange.posts][:3] == [4, 2, 1]


def test_400_finds_the_one_bad_envelope(tmp_path, clock) -> None:
    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock)
    receipts = accept_many(engine, 4)
    bad_key = f"{receipts[2]}/market_regulation/1"
    exchange.answer = lambda envelopes: (
        httpx.Response(400, json={"error": "malformed body", "error_zh": "请求体有误"})
        if any(e["idempotency_key"] == bad_key for e in envelopes)
        else exchange.accept_all(envelopes)
    )
    report = run(engine)
    assert (report.sent, report.quarantined) == (3, 1)
    [entry] = outbox_store.list_by_state(engine.db, "quarantined")
    assert entry.envelope.idempotency_key == bad_key and "HTTP 400" in entry.last_error.en


def test_refused_token_holds_the_endpoint_until_the_token_changes(tmp_path, clock) -> None:
    exchange = Exchange()
    exchange.answer = lambda envelopes: httpx.Response(401, json={"error": "unknown token"})
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 2)
    report = run(engine)
    assert "拒绝了本窗口的令牌（HTTP 401" in report.error.zh and "[exchange] token" in report.error.zh
    assert report.endpoints[0].held and not report.online and not report.offline
    assert states(engine) == {"queued": 2, "waiting": 4}  # nothing quarantined for a config mistake
    clock.advance(3600)
    run(engine)
    assert len(exchange.posts) == 1  # held: no blind retries
    # The administrator fixes the token and starts sync again: the next round sends.
    exchange.answer = exchange.accept_all
    engine.release_lock()  # the old engine is gone: one syncing engine per database
    fixed = SyncEngine(
        engine.db,
        make_settings(tmp_path, WINDOW_APP_EXCHANGE_TOKEN="a-new-token"),
        clock=clock,
        http=engine.http,
        refresh_catalog=False,
    )
    report = run(fixed)
    assert report.sent == 2 and report.online


def test_a_dead_department_endpoint_backs_off_only_its_own_envelopes(tmp_path, clock) -> None:
    exchange = Exchange()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "grid.test":
            raise httpx.ConnectError("[Errno 111] Connection refused")
        return exchange.handler(request)

    settings = make_settings(tmp_path, WINDOW_APP_DEPARTMENTS_HEALTH_URL=OWN)
    engine = SyncEngine(
        open_window_db(settings), settings, clock=clock, http=httpx.AsyncClient(transport=httpx.MockTransport(handler)), refresh_catalog=False
    )
    accept(engine.db, settings, newborn_intake())  # stage 1: health (own endpoint) …
    accept(engine.db, settings, opening_intake())  # … and market_regulation (shared)
    report = run(engine)
    by_url = {e.url: e for e in report.endpoints}
    assert by_url[URL].online and by_url[URL].sent == 1
    assert by_url[OWN].online is False and "health的部门接口" in by_url[OWN].error.zh
    assert not report.online and not report.offline  # partly online
    rows = dict(engine.db.execute("SELECT department, state FROM outbox WHERE stage = 1").fetchall())
    assert rows == {"health": "queued", "market_regulation": "sent"}


def test_events_release_the_next_stage_in_the_same_round(tmp_path, clock) -> None:
    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock)
    receipt = accept_many(engine, 1)[0]
    run(engine)
    licence = exchange.posts[0][0]
    exchange.events = [
        {"seq": 1, "kind": "received", "envelope_id": licence["envelope_id"], "receipt_no": receipt, "department": "market_regulation", "item": None, "at": "2026-11-27T10:05:00+08:00"},
        signed_event({"seq": 2, "kind": "approved", "envelope_id": licence["envelope_id"], "receipt_no": receipt, "department": "market_regulation", "item": "business_licence", "result": "营业执照 9152", "at": "2026-11-27T10:06:00+08:00"}),
    ]
    report = run(engine)
    assert report.events_applied == 2 and report.released == 2
    assert report.sent == 2  # released and sent in the same round
    assert sorted(e["department"] for e in exchange.posts[-1]) == ["public_security", "tax"]
    assert all("营业执照 9152" not in e["payload"] for e in exchange.posts[-1])  # sealed to the next department …
    assert all(opened(e["payload"], e["department"])["prerequisite_results"][0]["result"] == "营业执照 9152" for e in exchange.posts[-1])
    assert sync_state.endpoint_state(engine.db, URL).cursor == 2
    report = run(engine)
    assert report.events_applied == 0


def test_a_crash_mid_request_means_a_later_resend_not_a_loss(tmp_path, clock) -> None:
    """The attempt is recorded before the request: an interrupted round leaves the envelope
    queued with a later next attempt, and the resend carries the same key and bytes."""
    exchange = Exchange()

    def crash(envelopes):
        raise KeyboardInterrupt  # the process dies while the request is in flight

    exchange.answer = crash
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 1)
    with pytest.raises(KeyboardInterrupt):
        run(engine)
    [(state, attempts)] = engine.db.execute("SELECT state, attempts FROM outbox WHERE stage = 1").fetchall()
    assert (state, attempts) == ("queued", 1)
    exchange.answer = exchange.accept_all
    clock.advance(120)
    report = run(engine)
    assert report.sent == 1
    assert exchange.posts[0] == exchange.posts[1]


def test_a_catalog_that_does_not_validate_is_not_installed(tmp_path, clock) -> None:
    from window_app.catalog.loader import shipped_catalog_path
    from window_app.sync.catalog_refresh import catalog_dir

    files = {p.relative_to(shipped_catalog_path()).as_posix(): p.read_text(encoding="utf-8") for p in shipped_catalog_path().rglob("*.toml")}
    files["catalog.toml"] = re.sub(r'version = "[^"]+"', 'version = "9999.1"', files["catalog.toml"], count=1)
    files["departments.toml"] = "[[department]]\nid = 'tax'\n"  # most departments gone: items refer to nothing
    exchange = Exchange()

    # Signed by an authority the window trusts: the loader's checks are what refuses it.
    authority = SigningKey.generate()
    anchors = tmp_path / "authorities.toml"
    anchors.write_text(f'[[authority]]\nname = "test"\nkey = "{authority.public.text}"\n', encoding="utf-8")
    signature = {"signature": sign(authority, message("", "9999.1", "abc")).to_json()}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/catalog":
            body = {"version": "9999.1", "digest": "abc", "files": files, "signature": signature}
            return httpx.Response(200, headers={"ETag": '"abc"'}, json=body)
        return exchange.handler(request)

    settings = make_settings(tmp_path, WINDOW_APP_TRUST_AUTHORITIES=str(anchors))
    engine = SyncEngine(open_window_db(settings), settings, clock=clock, http=httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    report = run(engine)
    assert report.catalog.status == "invalid"
    assert "校验未通过" in report.error.zh and "keeping the current one" in report.error.en
    assert [p.name for p in (settings.data_dir / "catalogs").iterdir()] == []  # the temporary copy is gone
    assert catalog_dir(settings) == shipped_catalog_path()


def test_the_next_round_waits_for_the_backoff_of_a_dead_endpoint(tmp_path, clock) -> None:
    """Envelopes still due at a backing-off endpoint must not spin the worker."""
    exchange = Exchange()
    exchange.answer = lambda envelopes: httpx.Response(503, headers={"Retry-After": "20"})
    engine = engine_for(tmp_path, exchange, clock, WINDOW_APP_SYNC_INTERVAL_SECONDS="60")
    accept_many(engine, 10)  # 10 due; one batch of 4 fails, 6 stay due
    report = run(engine)
    pause = engine.pause_after(report)
    assert 5 <= pause <= 60
    exchange.answer = exchange.accept_all
    report = run(engine)
    assert report.sent == 0  # not before the endpoint's own retry time
    clock.advance(pause + 1)
    report = run(engine)
    assert report.sent >= 6


def test_run_forever_reports_each_round_and_stops(tmp_path, clock) -> None:
    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock, WINDOW_APP_SYNC_INTERVAL_SECONDS="0.05")
    accept_many(engine, 1)
    reports = []

    async def main() -> None:
        stop = asyncio.Event()

        def on_report(report) -> None:
            reports.append(report)
            if len(reports) == 3:
                stop.set()

        await asyncio.wait_for(engine.run_forever(stop, on_report=on_report), timeout=10)

    asyncio.run(main())
    assert [r.sent for r in reports] == [1, 0, 0]
    assert all(r.online for r in reports)


def test_a_damaged_downloaded_catalog_falls_back_to_the_shipped_one(tmp_path) -> None:
    import shutil

    from window_app.catalog.loader import load_catalog, shipped_catalog_path
    from window_app.sync.catalog_refresh import catalog_dir, load_preferred_catalog

    settings = make_settings(tmp_path)
    installed = settings.data_dir / "catalogs" / "9999.1-deadbeef"
    shutil.copytree(shipped_catalog_path(), installed)
    toml = installed / "catalog.toml"
    toml.write_text(re.sub(r'version = "[^"]+"', 'version = "9999.1"', toml.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    assert catalog_dir(settings) == installed
    assert load_preferred_catalog(settings).version == "9999.1"
    (installed / "departments.toml").write_text("[[department]]\nid = 'x'\n", encoding="utf-8")  # the disk went bad
    assert load_preferred_catalog(settings).version == load_catalog(shipped_catalog_path()).version


def test_a_locked_database_is_reported_in_words_and_the_round_goes_on(tmp_path, clock) -> None:
    from offline_cache.db import open_database

    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 1)
    other = open_database(engine.settings.database_path, busy_timeout_seconds=0.1)
    engine.db.execute("PRAGMA busy_timeout = 100")
    other.execute("BEGIN IMMEDIATE")  # the screens hold the write lock
    try:
        report = run(engine)
    finally:
        other.rollback()
        other.close()
    assert report.sent == 0 and "数据库正被另一个程序占用" in report.error.zh
    assert report.endpoints[0].online is None and not report.offline and not report.ok
    report = run(engine)
    assert report.sent == 1


@pytest.mark.parametrize("retry_now", [False, True])
def test_batches_in_flight_together_never_carry_the_same_envelope(tmp_path, clock, retry_now) -> None:
    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 25)
    report = run(engine, retry_now=retry_now)
    keys = [e["idempotency_key"] for batch in exchange.posts for e in batch]
    assert len(keys) == len(set(keys)) == 25
    assert (report.sent, report.duplicate) == (25, 0)
