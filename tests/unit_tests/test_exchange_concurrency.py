"""The exchange with several writers at once: nothing skipped, nothing taken twice, one chain.

On SQLite one writer at a time makes these true trivially; on PostgreSQL many transactions run
at once and they hold by construction (docs/exchange-api.md, *The event feed*). Every test runs
on both; the ones that hold a transaction open on purpose to interleave two of them are
PostgreSQL's (on SQLite the second writer would simply wait for the first).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.exchange_fixtures import exchange_db, make_envelope, receipt, register_test_window  # noqa: F401 - a fixture
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.exchange import ledger
from window_app.exchange.store import ExchangeStore

pytestmark = pytest.mark.usefixtures("exchange_backend")

DEPARTMENT = "market_regulation-522325"
ITEM = "company_registration"
WAIT_SECONDS = 20.0  # a bound for a wait that should end at once; never a measurement


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(shipped_catalog_path())


@pytest.fixture
def store(exchange_db: str | Path):
    opened = ExchangeStore.open(exchange_db)
    register_test_window(opened)
    yield opened
    opened.close()


def postgresql_only(store: ExchangeStore) -> None:
    if store.backend.dialect.name != "postgresql":
        pytest.skip("holds one transaction open while another runs: SQLite's second writer would wait")


def stored(store: ExchangeStore, catalog, count: int, start: int = 1) -> list[str]:
    results = store.ingest("ZF-01", [make_envelope(receipt_no=receipt(n)) for n in range(start, start + count)], catalog)
    assert [r["status"] for r in results] == ["created"] * count
    return [r["envelope_id"] for r in results]


def in_threads(*works: Callable[[], object]) -> list[object]:
    """Run each work in its own thread, all at once; their answers (or exceptions), in order."""
    answers: list[object] = [None] * len(works)
    start = threading.Barrier(len(works))

    def run(index: int, work: Callable[[], object]) -> None:
        start.wait()
        try:
            answers[index] = work()
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    return answers


def waiting_for_a_lock(store: ExchangeStore) -> bool:
    """Whether some transaction of this database waits for a lock (PostgreSQL's own view)."""
    with store.backend.reading() as conn:
        return conn.execute("SELECT count(*) FROM pg_locks WHERE NOT granted").fetchone()[0] > 0


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


def assert_ledger_intact(store: ExchangeStore) -> None:
    with store.backend.reading() as conn:
        report = ledger.verify(conn, None, [])
        seqs = [row[0] for row in conn.execute("SELECT seq FROM ledger ORDER BY seq").fetchall()]
    assert report.intact, [str(p.words) for p in report.problems]
    assert seqs == list(range(1, len(seqs) + 1))


# -- the event feed --------------------------------------------------------------------------


def test_an_event_numbered_first_but_committed_last_is_not_skipped(store, catalog) -> None:
    """Writer A takes its event's number and stays open; writer B tries to commit after it. A
    window reads its feed meanwhile and after: it gets both events, in order, none skipped."""
    postgresql_only(store)
    first, second = stored(store, catalog, 2)
    a_numbered, a_may_commit = threading.Event(), threading.Event()
    numbers: dict[str, int] = {}

    def writer_a() -> None:
        with store.backend.transaction() as conn:
            numbers["a"] = store._insert_event(conn, "ZF-01", first, "received", "2026-11-27T09:31:02+08:00")
            a_numbered.set()
            assert a_may_commit.wait(WAIT_SECONDS)

    def writer_b() -> None:
        with store.backend.transaction() as conn:
            numbers["b"] = store._insert_event(conn, "ZF-01", second, "received", "2026-11-27T09:31:03+08:00")

    a = threading.Thread(target=writer_a)
    a.start()
    assert a_numbered.wait(WAIT_SECONDS)
    b = threading.Thread(target=writer_b)
    b.start()
    until(lambda: waiting_for_a_lock(store))  # B waits for its turn: it cannot number (or commit) before A ends

    events, cursor, _ = store.events("ZF-01", since=0)
    assert events == [] and cursor == 0  # neither is committed: the cursor stays where it was

    a_may_commit.set()
    a.join(WAIT_SECONDS)
    b.join(WAIT_SECONDS)
    assert numbers["a"] < numbers["b"]
    events, cursor, _ = store.events("ZF-01", since=0)
    assert [(e["seq"], e["envelope_id"]) for e in events] == [(numbers["a"], first), (numbers["b"], second)]
    assert cursor == numbers["b"]
    assert_ledger_intact(store)


def test_a_feed_numbered_outside_the_turn_would_skip_what_commits_late(store, catalog) -> None:
    """The control: the same two writers drawing their numbers without the turn. The one that
    drew the lower number commits second, and a window that read in between never sees it —
    what the turn prevents (the test above)."""
    postgresql_only(store)
    first, second = stored(store, catalog, 2)
    insert = (
        "INSERT INTO events (window_id, envelope_id, kind, at) VALUES ('ZF-01', ?, 'received', '2026-11-27T09:31:02+08:00') "
        "RETURNING seq"
    )
    a_numbered, b_committed = threading.Event(), threading.Event()
    numbers: dict[str, int] = {}

    def writer_a() -> None:
        with store.backend.transaction() as conn:
            numbers["a"] = conn.execute(insert, [first]).fetchone()[0]
            a_numbered.set()
            assert b_committed.wait(WAIT_SECONDS)

    a = threading.Thread(target=writer_a)
    a.start()
    assert a_numbered.wait(WAIT_SECONDS)
    with store.backend.transaction() as conn:
        numbers["b"] = conn.execute(insert, [second]).fetchone()[0]
    events, cursor, _ = store.events("ZF-01", since=0)
    b_committed.set()
    a.join(WAIT_SECONDS)
    assert numbers["a"] < numbers["b"] == cursor
    assert [e["seq"] for e in events] == [numbers["b"]]
    assert store.events("ZF-01", since=cursor)[0] == []  # A's event, committed now, is behind the cursor


def test_many_writers_at_once_leave_one_intact_chain_and_a_gapless_feed(store, catalog) -> None:
    """Four reviewers deciding and four windows' batches at once: every event reaches the feed
    in the order of its number, the ledger is one chain with no gap."""
    ids = stored(store, catalog, 8)
    store.inbox(DEPARTMENT, "new", limit=100)
    decide = [
        (lambda envelope_id=envelope_id: store.decide(DEPARTMENT, envelope_id, ITEM, "approved", result="营业执照"))
        for envelope_id in ids
    ]
    batches = [
        (lambda n=n: store.ingest("ZF-01", [make_envelope(receipt_no=receipt(100 + 10 * n + k)) for k in range(5)], catalog))
        for n in range(4)
    ]
    answers = in_threads(*decide, *batches)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    events, _, _ = store.events("ZF-01", since=0, limit=1000)
    assert Counter(e["kind"] for e in events) == {"received": 8, "approved": 8}
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert store.count_envelopes() == 8 + 20
    assert_ledger_intact(store)


# -- idempotent ingest -----------------------------------------------------------------------


def test_the_same_batch_from_two_connections_at_once_is_stored_once(store, catalog) -> None:
    batch = [make_envelope(receipt_no=receipt(n)) for n in range(1, 6)]
    answers = in_threads(*[lambda: store.ingest("ZF-01", batch, catalog)] * 3)
    assert not [a for a in answers if isinstance(a, Exception)], answers
    for position in range(5):
        statuses = sorted(answer[position]["status"] for answer in answers)  # type: ignore[index]
        assert statuses == ["created", "duplicate", "duplicate"], answers
        assert len({answer[position]["envelope_id"] for answer in answers}) == 1  # type: ignore[index]
    assert store.count_envelopes() == 5
    assert_ledger_intact(store)


# -- claims ----------------------------------------------------------------------------------


def test_two_reviewers_listing_new_envelopes_at_once_never_get_the_same_one(store, catalog) -> None:
    ids = stored(store, catalog, 30)

    def reviewer() -> list[str]:
        taken: list[str] = []
        while batch := store.inbox(DEPARTMENT, "new", limit=4):
            taken += [entry["envelope_id"] for entry in batch]
        return taken

    one, two = in_threads(reviewer, reviewer)
    assert isinstance(one, list) and isinstance(two, list), (one, two)
    assert not set(one) & set(two)
    assert sorted(one + two) == sorted(ids)
    events, _, _ = store.events("ZF-01", since=0, limit=1000)
    assert Counter(e["envelope_id"] for e in events if e["kind"] == "received") == dict.fromkeys(ids, 1)
    assert_ledger_intact(store)


def test_a_claim_in_progress_is_skipped_not_waited_for(store, catalog) -> None:
    """Reviewer 1's claim on the three oldest is still open; reviewer 2 gets the other two at
    once; once reviewer 1 is done, nothing new is left for anyone."""
    postgresql_only(store)
    ids = stored(store, catalog, 5)
    claimed, may_finish = threading.Event(), threading.Event()
    first: list[str] = []

    def reviewer_one() -> None:
        with store.backend.transaction() as conn:
            rows = conn.execute(
                "SELECT envelope_id FROM envelopes WHERE department = ? AND state = 'new' ORDER BY id LIMIT 3"
                + store.backend.dialect.claim,
                [DEPARTMENT],
            ).fetchall()
            first.extend(row[0] for row in rows)
            claimed.set()
            assert may_finish.wait(WAIT_SECONDS)
            for envelope_id in first:
                store._receive(conn, envelope_id, "2026-11-27T09:31:02+08:00")

    one = threading.Thread(target=reviewer_one)
    one.start()
    assert claimed.wait(WAIT_SECONDS)
    second = [entry["envelope_id"] for entry in store.inbox(DEPARTMENT, "new")]
    may_finish.set()
    one.join(WAIT_SECONDS)
    assert first == ids[:3]
    assert second == ids[3:]
    assert store.inbox(DEPARTMENT, "new") == []
    assert_ledger_intact(store)
