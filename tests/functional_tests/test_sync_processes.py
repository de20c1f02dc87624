"""One sync process per database, with real processes and real files.

``window-app sync`` runs as its own process (``python -m window_app sync``) against the real
exchange on 127.0.0.1; the window's data dir is a real directory with its SQLite file and its
``sync.lock``. A second ``window-app sync`` on the same data dir says which process syncs and
exits 5; a holder killed with SIGKILL leaves nothing to clean up; the app's worker (Pilot)
shows in its header that another process syncs, answers F5 in the same words, and takes over
by itself once that process has ended.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.exchange_fixtures import ExchangeServer, exchange_server, exchange_server_factory  # noqa: F401 - fixtures
from tests.fault_proxy import FaultProxy
from tests.functional_tests.shell_helpers import (
    SIZE,
    anyio_backend,  # noqa: F401 - fixture
    make_app,
)
from tests.functional_tests.test_sync_faults import (
    accept_backlog,
    assert_exactly_once,
    exchange_count,
    queued_payloads,
    settings_for,
    window_env,
)
from tests.functional_tests.test_sync_in_app import accept_in_app, badge, exchange_rows, f5, until
from tests.window_template import open_signed_in
from window_app.sync.lock import lock_path, read_holder
from window_app.window import Window

ROOT = Path(__file__).resolve().parents[2]
EXIT_BUSY = 5
START_TIMEOUT = 30.0


def env_for(url: str, **extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("WINDOW_APP_")}, **window_env(url, **extra)}


def sync_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "window_app", "sync", *args, "--data-dir", str(data_dir)]


class Holder:
    """A headless ``window-app sync`` (rounds until stopped) in its own process."""

    def __init__(self, data_dir: Path, url: str, **extra: str) -> None:
        self.data_dir = data_dir
        # Its lines go to a file: a pipe nobody reads would fill up and stall it.
        self.log = data_dir.parent / f"holder-{time.monotonic_ns()}.log"
        with open(self.log, "w", encoding="utf-8") as out:
            self.process = subprocess.Popen(
                sync_command(data_dir, "--json"), cwd=ROOT, env=env_for(url, **extra), stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for_the_lock(self) -> None:
        """Until its pid is in ``sync.lock`` (it took the lock)."""
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            holder = read_holder(lock_path(self.data_dir))
            if holder is not None and holder.pid == self.pid:
                return
            assert self.process.poll() is None, f"the holder ended: {self.log.read_text(encoding='utf-8')}"
            assert time.monotonic() < deadline, "the holder never took the lock"
            time.sleep(0.02)

    def stop(self, signum: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        self.process.wait(30)
        return self.process.returncode


@pytest.fixture
def holders() -> Iterator[list[Holder]]:
    started: list[Holder] = []
    yield started
    for holder in started:
        holder.stop(signal.SIGKILL)


def wait_until(condition, what: str, seconds: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.02)


# -- two headless processes -------------------------------------------------------------------------


def test_a_second_sync_says_which_process_syncs_and_exits_5(
    tmp_path: Path, exchange_server: ExchangeServer, holders: list[Holder]  # noqa: F811
) -> None:
    window_dir = tmp_path / "window"
    window = open_signed_in(settings_for(window_dir, exchange_server.url))
    try:
        queued = accept_backlog(window, 1)  # one application: its envelopes queued
    finally:
        window.close()
    holder = Holder(window_dir, exchange_server.url)
    holders.append(holder)
    holder.wait_for_the_lock()
    env = env_for(exchange_server.url)

    second = subprocess.run(sync_command(window_dir, "--once"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == EXIT_BUSY, second.stdout + second.stderr
    assert f"另一个同步进程正在运行（进程 {holder.pid}：window-app sync，" in second.stderr
    assert "本进程未同步" in second.stderr and str(lock_path(window_dir)) in second.stderr
    assert "Traceback" not in second.stderr and second.stdout == ""

    english = subprocess.run(
        sync_command(window_dir, "--once", "--lang", "en"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert english.returncode == EXIT_BUSY
    assert f"Another sync process is running (process {holder.pid}: window-app sync, since " in english.stderr
    assert "this one did not sync" in english.stderr

    # For a script: one JSON object on stdout, both languages.
    scripted = subprocess.run(
        sync_command(window_dir, "--once", "--json"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert scripted.returncode == EXIT_BUSY
    answer = json.loads(scripted.stdout)
    assert answer["busy"] is True and answer["holder"]["pid"] == holder.pid and answer["holder"]["program"] == "window-app sync"
    assert answer["error"]["zh"].startswith("另一个同步进程正在运行")
    assert answer["error"]["en"].startswith("Another sync process is running")

    # The loop refuses the same way; --status (no network, no lock) still answers.
    loop = subprocess.run(sync_command(window_dir), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert loop.returncode == EXIT_BUSY and "另一个同步进程正在运行" in loop.stderr
    status = subprocess.run(sync_command(window_dir, "--status"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr

    # The holder did the work, and only it: each envelope went once.
    wait_until(lambda: exchange_count(exchange_server.db_path) == queued, "the holder delivering")
    assert holder.stop(signal.SIGTERM) == 0  # stopped gracefully: it lets go …
    after = subprocess.run(sync_command(window_dir, "--once", "--json"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert after.returncode == 0, after.stdout + after.stderr  # … and the next one syncs
    assert json.loads(after.stdout)["unsent"] == 0
    taken = read_holder(lock_path(window_dir))
    assert taken is not None and taken.pid != holder.pid and taken.program == "window-app sync"
    assert exchange_count(exchange_server.db_path) == queued


def test_after_sigkill_of_the_holder_the_next_sync_runs_without_cleanup(
    tmp_path: Path, exchange_server: ExchangeServer, holders: list[Holder]  # noqa: F811
) -> None:
    """The holder drains a backlog over a slow line and is SIGKILLed with batches on the wire.
    Nobody removes anything: the next ``window-app sync --once`` takes the lock at once and
    finishes; every envelope is at the exchange exactly once."""
    with FaultProxy(exchange_server.port) as line:
        line.set_mode("latency", seconds=0.05)
        data_dir = tmp_path / "window"
        window = open_signed_in(settings_for(data_dir, line.url, WINDOW_APP_SYNC_BATCH_SIZE="10"))
        try:
            accept_backlog(window, 300)
            accepted = queued_payloads(window)
        finally:
            window.close()
        holder = Holder(data_dir, line.url, WINDOW_APP_SYNC_BATCH_SIZE="10")
        holders.append(holder)
        holder.wait_for_the_lock()
        wait_until(lambda: exchange_count(exchange_server.db_path) > 0, "the holder draining")  # batches in flight
        assert holder.stop(signal.SIGKILL) == -signal.SIGKILL
        assert exchange_count(exchange_server.db_path) < len(accepted), "drained before the kill: make the backlog bigger"
        # No cleanup: the lock file is still there and still names the dead process.
        assert lock_path(data_dir).exists() and read_holder(lock_path(data_dir)).pid == holder.pid

        line.pass_through()
        begun = time.monotonic()
        final = subprocess.run(
            sync_command(data_dir, "--once", "--retry-now", "--json"),
            cwd=ROOT,
            env=env_for(line.url, WINDOW_APP_SYNC_BATCH_SIZE="10"),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert final.returncode == 0, final.stdout + final.stderr
    assert time.monotonic() - begun < 60
    report = json.loads(final.stdout)
    assert report["queued"] == 0 and report["failed"] == 0
    assert read_holder(lock_path(data_dir)).pid != holder.pid
    assert_exactly_once(data_dir / "window.sqlite", exchange_server.db_path, accepted)


# -- the app's worker and a headless sync --------------------------------------------------------------

pytest_anyio = pytest.mark.anyio


@pytest.fixture
def fast_takeover(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker tries the lock every 0.2 s (5 s in the app)."""
    import window_app.sync.background as background

    monkeypatch.setattr(background, "BUSY_RETRY_SECONDS", 0.2)


@pytest_anyio
async def test_the_app_says_another_process_syncs_and_takes_over_when_it_exits(
    tmp_path: Path, exchange_server: ExchangeServer, holders: list[Holder], fast_takeover  # noqa: F811
) -> None:
    data_dir = tmp_path / "window"
    window = open_signed_in(settings_for(data_dir, exchange_server.url, WINDOW_APP_SYNC_INTERVAL_SECONDS="60"))
    holder = Holder(data_dir, exchange_server.url, WINDOW_APP_SYNC_INTERVAL_SECONDS="0.2")
    holders.append(holder)
    holder.wait_for_the_lock()
    try:
        app = make_app(window, sync=True)
        notes: list[str] = []
        notify = app.notify

        def recording(message, *args, **kwargs):
            notes.append(str(message))
            return notify(message, *args, **kwargs)

        app.notify = recording  # type: ignore[method-assign]
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.sync_link.rounds_shown >= 1, "the worker's first look")
            assert badge(app).startswith(f"另一进程正在同步（进程 {holder.pid}）"), badge(app)
            assert app.sync_link.last.elsewhere and app.sync_link.last.report is None
            assert any(f"另一个同步进程正在运行（进程 {holder.pid}：window-app sync" in note for note in notes)

            # Accepted in the app: the other process sends it; the header follows the database.
            receipt_no = await accept_in_app(pilot, window)
            await until(
                pilot,
                lambda: exchange_rows(exchange_server, "SELECT count(*) FROM envelopes WHERE receipt_no = ?", (receipt_no,)) == [(1,)],
                "the accepted envelope sent by the other process",
            )
            await until(pilot, lambda: "待发送" not in badge(app) and "在线" in badge(app), "the header following the other process")
            assert badge(app).startswith("另一进程正在同步")

            # F5 answers in words: it is the other process that syncs.
            notes.clear()
            await f5(pilot)
            assert any("另一个同步进程正在运行" in note and "它结束后自动接手" in note for note in notes), notes
            assert badge(app).startswith("另一进程正在同步")

            # English too.
            await pilot.press("f2")
            await pilot.pause()
            assert badge(app).startswith(f"Syncing in another process ({holder.pid})")
            await pilot.press("f2")
            await pilot.pause()

            # The other process ends: the worker takes over by itself.
            assert holder.stop(signal.SIGTERM) == 0
            await until(pilot, lambda: not app.sync_link.last.elsewhere, "the worker taking over")
            assert app.sync_link.last.report is not None
            await until(pilot, lambda: badge(app) == "在线", "the header after the takeover")
            mine = read_holder(lock_path(data_dir))
            assert mine.pid == os.getpid() and mine.program == "window-app"
            # From now on the app syncs: a new application goes out without F5.
            second = await accept_in_app(pilot, window)
            await until(
                pilot,
                lambda: exchange_rows(exchange_server, "SELECT count(*) FROM envelopes WHERE receipt_no = ?", (second,)) == [(1,)],
                "the next application sent by the app's worker",
            )
            # And a headless sync started now is the one refused.
            refused = subprocess.run(
                sync_command(data_dir, "--once"), cwd=ROOT, env=env_for(exchange_server.url), capture_output=True, text=True, timeout=60
            )
            assert refused.returncode == EXIT_BUSY and f"（进程 {os.getpid()}：window-app，" in refused.stderr
    finally:
        window.close()


@pytest_anyio
async def test_f5_only_app_says_so_and_syncs_after_the_holder_is_killed(
    tmp_path: Path, exchange_server: ExchangeServer, holders: list[Holder]  # noqa: F811
) -> None:
    data_dir = tmp_path / "window"
    window = open_signed_in(settings_for(data_dir, exchange_server.url))
    holder = Holder(data_dir, exchange_server.url, WINDOW_APP_SYNC_INTERVAL_SECONDS="30")
    holders.append(holder)
    holder.wait_for_the_lock()
    try:
        app = make_app(window)  # no rounds of its own: only F5
        async with app.run_test(size=SIZE) as pilot:
            await f5(pilot)
            assert app.sync_link.last.elsewhere
            assert badge(app).startswith(f"另一进程正在同步（进程 {holder.pid}）")
            assert holder.stop(signal.SIGKILL) == -signal.SIGKILL  # no cleanup after it
            receipt_no = await accept_in_app(pilot, window)
            await f5(pilot)
            assert not app.sync_link.last.elsewhere and app.sync_link.last.report is not None
            assert badge(app) == "在线"
            assert exchange_rows(exchange_server, "SELECT count(*) FROM envelopes WHERE receipt_no = ?", (receipt_no,)) == [(1,)]
    finally:
        window.close()
