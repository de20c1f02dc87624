"""The sync worker's loop (window_app/sync/background.py) in a thread of its own, without Textual.

Real SQLite files and the real engine; the "exchange" is a closed port (connection refused at
once) or a port that accepts and never answers (a stalled line).
"""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from store_fixtures import accept, open_window_db

from tests.exchange_fixtures import refused_url  # noqa: F401  (fixture)
from window_app.config import SHIPPED_CONFIG, load_settings
from window_app.sync.background import BackgroundSync, SyncRound
from window_app.sync.engine import SyncEngine

WAIT = 10.0


def settings_at(tmp_path: Path, url: str, **env: str):
    environ = {
        "WINDOW_APP_EXCHANGE_URL": url,
        "WINDOW_APP_EXCHANGE_TOKEN": "demo-window-ZF-01",
        "WINDOW_APP_SYNC_BACKOFF_INITIAL_SECONDS": "30",
        "WINDOW_APP_SYNC_BACKOFF_MAX_SECONDS": "60",
        "WINDOW_APP_SYNC_INTERVAL_SECONDS": "60",
        **env,
    }
    return load_settings(SHIPPED_CONFIG, environ=environ, data_dir=str(tmp_path / "data"))


class Rounds:
    """Collects what the worker reports (from its thread)."""

    def __init__(self) -> None:
        self.seen: list[SyncRound] = []
        self.threads: set[int] = set()
        self._changed = threading.Condition()

    def __call__(self, outcome: SyncRound) -> None:
        with self._changed:
            self.seen.append(outcome)
            self.threads.add(threading.get_ident())
            self._changed.notify_all()

    def wait_for(self, count: int) -> list[SyncRound]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.seen) >= count, timeout=WAIT), f"{len(self.seen)} rounds, not {count}"
            return list(self.seen)


def started(background: BackgroundSync) -> threading.Thread:
    thread = threading.Thread(target=background.run, daemon=True)
    thread.start()
    return thread


def stop(background: BackgroundSync, thread: threading.Thread) -> float:
    begun = time.monotonic()
    background.stop()
    thread.join(WAIT)
    assert not thread.is_alive() and background.finished.is_set()
    return time.monotonic() - begun


@pytest.fixture
def closed_port_settings(tmp_path, refused_url: str):
    settings = settings_at(tmp_path, refused_url)
    db = open_window_db(settings)
    accept(db, settings)
    db.close()
    return settings


def test_rounds_run_in_the_worker_thread_on_their_own_connection(closed_port_settings) -> None:
    engines: list[SyncEngine] = []

    def open_engine() -> SyncEngine:
        engines.append(SyncEngine.open(closed_port_settings, refresh_catalog=False))
        return engines[-1]

    rounds = Rounds()
    background = BackgroundSync(open_engine, rounds)
    thread = started(background)
    [first] = rounds.wait_for(1)
    assert rounds.threads == {thread.ident} != {threading.get_ident()}
    assert not first.requested and first.report is not None and first.report.offline
    assert first.status is not None and first.status.queued == 1 and first.status.online is False
    assert "连接被拒绝" in first.words()
    stop(background, thread)
    # The worker closed its own connection in its own thread.
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        engines[0].db.execute("SELECT 1")


def test_a_request_gets_a_round_now_that_answers_its_ticket(closed_port_settings) -> None:
    rounds = Rounds()
    background = BackgroundSync(lambda: SyncEngine.open(closed_port_settings, refresh_catalog=False), rounds)
    thread = started(background)
    rounds.wait_for(1)  # the first round; the next would be a backoff (30 s) away
    ticket = background.request()
    second = rounds.wait_for(2)[1]
    assert second.answers == (ticket,) and second.requested
    # retry-now: the endpoint was tried again although its backoff had not passed.
    assert second.report.endpoints[0].online is False
    stop(background, thread)


def test_without_automatic_rounds_it_waits_for_a_request(closed_port_settings) -> None:
    rounds = Rounds()
    background = BackgroundSync(lambda: SyncEngine.open(closed_port_settings, refresh_catalog=False), rounds, automatic=False)
    thread = started(background)
    background.nudge()  # ignored: nothing runs on its own
    time.sleep(0.3)
    assert rounds.seen == []
    ticket = background.request()
    [only] = rounds.wait_for(1)
    assert only.answers == (ticket,)
    stop(background, thread)


def test_an_engine_that_will_not_open_is_told_in_words_and_tried_again(closed_port_settings) -> None:
    from window_app.domain.errors import StorageError
    from window_app.domain.words import Words

    attempts: list[int] = []

    def open_engine() -> SyncEngine:
        attempts.append(1)
        if len(attempts) == 1:
            raise StorageError(Words("数据库被其他程序锁定", "The database is locked by another program"), "locked")
        return SyncEngine.open(closed_port_settings, refresh_catalog=False)

    rounds = Rounds()
    background = BackgroundSync(open_engine, rounds, automatic=False)
    thread = started(background)
    background.request()
    [failed] = rounds.wait_for(1)
    assert failed.report is None and failed.words() == "同步无法启动：数据库被其他程序锁定"
    background.request()
    assert rounds.wait_for(2)[1].report is not None
    stop(background, thread)


def test_a_screen_that_fails_to_take_the_report_does_not_stop_the_worker(closed_port_settings) -> None:
    rounds = Rounds()

    def flaky(outcome: SyncRound) -> None:
        rounds(outcome)
        if len(rounds.seen) == 1:
            raise RuntimeError("the screens are closing")

    background = BackgroundSync(lambda: SyncEngine.open(closed_port_settings, refresh_catalog=False), flaky, automatic=False)
    thread = started(background)
    background.request()
    rounds.wait_for(1)
    background.request()
    rounds.wait_for(2)
    stop(background, thread)


def test_stop_cancels_a_round_stalled_on_the_line_and_loses_nothing(tmp_path) -> None:
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    try:
        settings = settings_at(tmp_path, f"http://127.0.0.1:{hole.getsockname()[1]}", WINDOW_APP_EXCHANGE_TIMEOUT_SECONDS="30")
        db = open_window_db(settings)
        accept(db, settings)
        rounds = Rounds()
        background = BackgroundSync(lambda: SyncEngine.open(settings, refresh_catalog=False), rounds)
        thread = started(background)
        time.sleep(0.5)  # the first round now waits for an answer that never comes
        assert rounds.seen == [] and background.running
        assert stop(background, thread) < 2.0  # not the 30 s timeout
        assert rounds.seen == []  # nothing reported after stop
        # The envelope whose request was cut off is still in the outbox, to be sent again.
        state, attempts = db.execute("SELECT state, attempts FROM outbox WHERE stage = 1").fetchone()
        assert state == "queued" and attempts == 1
        db.close()
    finally:
        hole.close()


def test_stop_before_it_ever_ran() -> None:
    background = BackgroundSync(lambda: pytest.fail("no engine should be opened"), lambda outcome: None)
    background.stop()
    background.run()
    assert background.finished.is_set() and not background.running
