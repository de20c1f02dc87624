"""One syncing engine per database (``<data dir>/sync.lock``), and rounds that never overlap.

Real SQLite files and real lock files; the exchange is the scripted one of
``test_sync_engine_rounds.py``. Processes (a second ``window-app sync``, SIGKILL) are in
``tests/functional_tests/test_sync_processes.py``; here: the words, the engine's API, the worker.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3
import threading
import time

import httpx
import pytest
from store_fixtures import accept, open_window_db
from test_sync_engine_rounds import Clock, Exchange, accept_many, engine_for, make_settings, run  # noqa: F401 - Clock for the fixture

from tests.exchange_fixtures import refused_url  # noqa: F401  (fixture)
from window_app.domain.times import window_zone
from window_app.domain.words import Words
from window_app.sync.background import BackgroundSync, SyncRound
from window_app.sync.engine import SyncEngine
from window_app.sync.lock import LockHolder, SyncBusy, SyncLock, busy_words, lock_path, read_holder

WAIT = 10.0


@pytest.fixture
def clock() -> Clock:
    return Clock()


# -- the words -----------------------------------------------------------------------------------


def test_the_words_name_the_holder_its_program_and_since_when() -> None:
    # The holder wrote its machine's time; the words say it in the window's zone (China time by default).
    since = dt.datetime.now(window_zone("Asia/Shanghai")).replace(hour=9, minute=30, second=12, microsecond=0)
    words = busy_words(LockHolder(pid=1234, since=since.isoformat(), program="window-app sync"))
    assert words.zh == "另一个同步进程正在运行（进程 1234：window-app sync，09:30:12 起）"
    assert words.en == "Another sync process is running (process 1234: window-app sync, since 09:30:12)"
    yesterday = since - dt.timedelta(days=1)
    assert f"{yesterday:%Y-%m-%d} 09:30:12 起" in busy_words(LockHolder(pid=1234, since=yesterday.isoformat())).zh
    as_utc = since.astimezone(dt.UTC).isoformat()
    assert "09:30:12 起" in busy_words(LockHolder(pid=1234, since=as_utc)).zh
    assert "07:30:12 起" in busy_words(LockHolder(pid=1234, since=as_utc), window_zone("Asia/Urumqi")).zh
    assert busy_words(None) == Words("另一个同步进程正在运行", "Another sync process is running")
    assert busy_words(LockHolder(pid=os.getpid())).zh == "本进程中另一个同步引擎正在使用该数据库"


def test_the_holder_is_read_from_the_file_whatever_it_holds(tmp_path) -> None:
    path = tmp_path / "sync.lock"
    assert read_holder(path) is None  # no file
    path.write_text("")
    assert read_holder(path) is None  # empty
    path.write_text("not json at all")
    assert read_holder(path) is None
    # A shorter holder text over a longer older one (the tail is ignored).
    path.write_text(json.dumps({"pid": 77, "since": "", "program": "x"}) + '\n, "program": "an older, longer text"}\n')
    assert read_holder(path) == LockHolder(pid=77, since="", program="x")


# -- the engine -------------------------------------------------------------------------------------


def test_a_second_engine_on_the_database_is_refused_in_words_and_sends_nothing(tmp_path, clock) -> None:
    exchange = Exchange()
    first = engine_for(tmp_path, exchange, clock)
    accept_many(first, 1)
    assert not first.holds_lock
    assert run(first).sent == 1
    assert first.holds_lock  # kept between rounds, until close()
    accept_many(first, 1)
    second = SyncEngine(open_window_db(first.settings), first.settings, clock=clock, http=first.http, refresh_catalog=False)
    with pytest.raises(SyncBusy) as refused:
        run(second)
    assert len(exchange.posts) == 1  # nothing sent by the second
    assert refused.value.holder is not None and refused.value.holder.pid == os.getpid()
    assert refused.value.path == lock_path(first.settings.data_dir)
    # run_forever and the app's worker turn it into a report in words (not "this round failed").
    report = second.failed_round(refused.value)
    assert report.error == refused.value.words
    assert not report.endpoints and report.sent == 0

    first.release_lock()  # e.g. the other process ended
    assert run(second).sent == 1
    assert second.holds_lock and not first.holds_lock
    with pytest.raises(SyncBusy):
        first.acquire_lock()
    second.close()  # lets go too
    first.acquire_lock()
    assert first.holds_lock


def test_an_engine_dropped_without_close_lets_go_when_collected(tmp_path, clock) -> None:
    exchange = Exchange()
    engine = engine_for(tmp_path, exchange, clock)
    settings, db, http = engine.settings, engine.db, engine.http
    engine.acquire_lock()
    del engine  # its last reference: collected at once
    other = SyncEngine(db, settings, clock=clock, http=http, refresh_catalog=False)
    other.acquire_lock()
    assert other.holds_lock


def test_the_lock_file_names_the_holder_and_stays_after_release(tmp_path) -> None:
    path = tmp_path / "data" / "sync.lock"
    lock = SyncLock(path, "window-app sync")
    lock.acquire()
    holder = read_holder(path)
    assert holder is not None and holder.pid == os.getpid() and holder.program == "window-app sync"
    assert dt.datetime.fromisoformat(holder.since).tzinfo is not None
    lock.release()
    assert path.exists()  # never deleted: a newcomer must lock the same file
    again = SyncLock(path, "window-app")
    again.acquire()
    assert read_holder(path).program == "window-app"
    again.release()


def test_rounds_of_one_engine_never_overlap(tmp_path) -> None:
    """A round started while another runs waits for it. Without that, a "retry now" round
    started while a slow batch is on the wire would claim and send the same envelopes again
    (the claim's provisional next attempt does not hold back a round that ignores backoff)."""
    exchange = Exchange()
    in_flight = 0
    overlapped = []

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight
        if request.url.path != "/v1/envelopes":
            return exchange.handler(request)
        in_flight += 1
        overlapped.append(in_flight > 1)
        await asyncio.sleep(0.2)  # a county line
        in_flight -= 1
        return exchange.handler(request)

    settings = make_settings(tmp_path, WINDOW_APP_SYNC_BATCH_SIZE="50")
    # The real clock: the second round starts after the first claimed its batch.
    engine = SyncEngine(open_window_db(settings), settings, http=httpx.AsyncClient(transport=httpx.MockTransport(slow)), refresh_catalog=False)
    accept_many(engine, 3)

    async def both():
        first = asyncio.ensure_future(engine.run_once())
        await asyncio.sleep(0.05)  # the first round's batch is on the wire now
        second = await engine.run_once(retry_now=True)  # the clerk's "sync now"
        return await first, second

    first, second = asyncio.run(both())
    keys = [envelope["idempotency_key"] for post in exchange.posts for envelope in post]
    assert len(keys) == len(set(keys)) == 3  # each envelope on the wire once
    assert (first.sent, second.sent, second.duplicate) == (3, 0, 0)
    assert not any(overlapped)
    assert first.finished_at <= second.started_at


def test_a_round_cut_off_by_a_keyboard_interrupt_does_not_block_the_next(tmp_path, clock) -> None:
    exchange = Exchange()

    def crash(envelopes):
        raise KeyboardInterrupt

    exchange.answer = crash
    engine = engine_for(tmp_path, exchange, clock)
    accept_many(engine, 1)
    with pytest.raises(KeyboardInterrupt):
        run(engine)
    exchange.answer = exchange.accept_all
    clock.advance(120)
    begun = time.monotonic()
    assert run(engine).sent == 1
    assert time.monotonic() - begun < 5


# -- the app's worker -------------------------------------------------------------------------------


class Rounds:
    def __init__(self) -> None:
        self.seen: list[SyncRound] = []
        self.cond = threading.Condition()

    def __call__(self, outcome: SyncRound) -> None:
        with self.cond:
            self.seen.append(outcome)
            self.cond.notify_all()

    def wait_for(self, check, what: str) -> SyncRound:
        deadline = time.monotonic() + WAIT
        with self.cond:
            while not (self.seen and check(self.seen[-1])):
                left = deadline - time.monotonic()
                assert left > 0, f"not within {WAIT} s: {what}"
                self.cond.wait(left)
            return self.seen[-1]


def test_the_worker_says_another_process_syncs_and_takes_over_when_it_ends(tmp_path, refused_url: str) -> None:
    settings = make_settings(tmp_path, WINDOW_APP_EXCHANGE_URL=refused_url)  # nothing listens there
    db = open_window_db(settings)
    accept(db, settings)
    other = SyncLock(lock_path(settings.data_dir), "window-app sync")  # "another process" (its own open file)
    other.acquire()
    rounds = Rounds()
    background = BackgroundSync(lambda: SyncEngine.open(settings, refresh_catalog=False, program="window-app"), rounds)
    background.busy_retry_seconds = 0.1
    thread = threading.Thread(target=background.run, daemon=True)
    thread.start()
    try:
        elsewhere = rounds.wait_for(lambda r: r.elsewhere, "a round that finds the lock held")
        assert elsewhere.report is None and elsewhere.holder_pid == os.getpid()
        assert elsewhere.words() == "本进程中另一个同步引擎正在使用该数据库"
        assert elsewhere.status is not None and elsewhere.status.queued == 1  # the outbox as the other leaves it
        assert not elsewhere.changed
        # The other process delivers something meanwhile: the screens are told to read again.
        with sqlite3.connect(settings.database_path) as conn:
            conn.execute("UPDATE outbox SET state = 'sent' WHERE state = 'queued'")
        conn.close()
        moved = rounds.wait_for(lambda r: r.elsewhere and r.changed, "the other process's progress noticed")
        assert moved.status.queued == 0
        # A request is answered at once, in the same words.
        background.busy_retry_seconds = 60  # from now on the worker looks only when asked
        ticket = background.request()
        answered = rounds.wait_for(lambda r: ticket in r.answers, "the request answered")
        assert answered.elsewhere and answered.requested
        # The other process does a last thing and ends; the worker takes over at the next request.
        with sqlite3.connect(settings.database_path) as conn:
            conn.execute("UPDATE outbox SET state = 'queued' WHERE state = 'sent'")
        conn.close()
        other.release()
        ticket = background.request()
        taken = rounds.wait_for(lambda r: ticket in r.answers, "the worker taking over")
        assert not taken.elsewhere and taken.report is not None
        assert taken.report.offline  # it synced itself (nothing listens there)
        assert taken.changed  # the other process's last change: the screens read again
        assert read_holder(lock_path(settings.data_dir)).program == "window-app"
    finally:
        background.stop()
        thread.join(WAIT)
        db.close()
    assert not thread.is_alive()
    # Stopped: its engine closed, the lock is free for the next one.
    other.acquire()
    other.release()
