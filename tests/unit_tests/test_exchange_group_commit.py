"""Group commit: batches that arrive together share one durable transaction, each answered only
after it, each rolled back alone if it fails, all refused if the commit fails. SQLite's only
(its one writer is why batches are grouped; PostgreSQL runs them at once and groups its flushes
itself)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.exchange_fixtures import make_envelope, receipt, register_test_window
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.exchange import ledger
from window_app.exchange.group_commit import GroupCommit
from window_app.exchange.store import ExchangeStore
from window_app.sqlite_kit import durable_transaction


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "group.db", isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE rows (name TEXT PRIMARY KEY)")
    yield connection
    connection.close()


def arriving_together(group: GroupCommit, lock: threading.RLock, works: list[Callable[[sqlite3.Connection], Any]]) -> list[Any]:
    """Run ``works`` from one thread each while the lock is held, so that all of them wait
    together; then let them go. What each caller got: its answer, or the exception it raised."""
    outcomes: list[Any] = [None] * len(works)

    def call(n: int) -> None:
        try:
            outcomes[n] = group.run(works[n])
        except Exception as exc:
            outcomes[n] = exc

    threads = [threading.Thread(target=call, args=(n,)) for n in range(len(works))]
    with lock:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while len(group._waiting) < len(works) and time.monotonic() < deadline:  # every unit queued
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    return outcomes


def insert(name: str) -> Callable[[sqlite3.Connection], str]:
    def work(conn: sqlite3.Connection) -> str:
        conn.execute("INSERT INTO rows VALUES (?)", [name])
        return name

    return work


def rows(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM rows")}


def test_units_that_arrive_together_share_one_commit(conn: sqlite3.Connection) -> None:
    lock = threading.RLock()
    group = GroupCommit(lock, lambda: durable_transaction(conn))
    outcomes = arriving_together(group, lock, [insert(f"batch {n}") for n in range(5)])
    assert outcomes == [f"batch {n}" for n in range(5)]
    assert rows(conn) == {f"batch {n}" for n in range(5)}
    assert group.groups == 1


def test_a_failing_unit_is_rolled_back_alone(conn: sqlite3.Connection) -> None:
    def half_then_fail(c: sqlite3.Connection) -> str:
        c.execute("INSERT INTO rows VALUES ('half of B')")
        c.execute("INSERT INTO rows VALUES ('A')")  # A is there already: a constraint error
        return "never"

    lock = threading.RLock()
    group = GroupCommit(lock, lambda: durable_transaction(conn))
    a, b, c = arriving_together(group, lock, [insert("A"), half_then_fail, insert("C")])
    assert (a, c) == ("A", "C")
    assert isinstance(b, sqlite3.IntegrityError)
    assert rows(conn) == {"A", "C"}  # nothing of B, not even its first row


def test_a_failed_commit_acknowledges_no_one(conn: sqlite3.Connection) -> None:
    @contextlib.contextmanager
    def disk_full() -> Iterator[sqlite3.Connection]:
        with durable_transaction(conn) as c:
            yield c
            raise sqlite3.OperationalError("database or disk is full")

    lock = threading.RLock()
    group = GroupCommit(lock, disk_full)
    outcomes = arriving_together(group, lock, [insert("A"), insert("B")])
    assert all(isinstance(outcome, sqlite3.OperationalError) for outcome in outcomes)
    assert rows(conn) == set()


def test_windows_batches_stored_together_are_each_answered_and_chained(tmp_path: Path) -> None:
    """Several windows' batches in one transaction: each gets its own answers, a resend of an
    envelope in another batch of the same group is a duplicate, and the ledger chains them all."""
    catalog = load_catalog(shipped_catalog_path())
    store = ExchangeStore.open(tmp_path / "exchange.db")
    register_test_window(store)
    register_test_window(store, "XL-02")
    first = make_envelope(receipt_no=receipt(1))
    batches = [
        ("ZF-01", [first, make_envelope(receipt_no=receipt(2))]),
        ("XL-02", [make_envelope(receipt_no=receipt(1, "XL-02"), window_id="XL-02")]),
        ("ZF-01", [dict(first), make_envelope(receipt_no=receipt(3))]),
    ]
    answers: dict[int, list[dict[str, Any]]] = {}

    def send(n: int) -> None:
        answers[n] = store.ingest(batches[n][0], batches[n][1], catalog)

    try:
        threads = [threading.Thread(target=send, args=(n,)) for n in range(len(batches))]
        with store.backend.lock:  # as if a commit were under way: the batches wait together
            for thread in threads:
                thread.start()
                deadline = time.monotonic() + 10
                while len(store.backend.group._waiting) < threads.index(thread) + 1 and time.monotonic() < deadline:
                    time.sleep(0.001)  # queued in this order
        for thread in threads:
            thread.join()
        assert [[r["status"] for r in answers[n]] for n in range(3)] == [["created", "created"], ["created"], ["duplicate", "created"]]
        assert answers[2][0]["envelope_id"] == answers[0][0]["envelope_id"]
        assert store.backend.group.groups == 1
        assert store.count_envelopes() == 4
        report = ledger.verify(store.backend.conn, None, [])
        assert not report.problems
        assert ledger.head(store.backend.conn)[0] == 4
    finally:
        store.close()
