"""Group commit: write units of work that arrive together in ONE durable transaction.

Every write transaction of the exchange's SQLite file pays an fsync when it commits
(``synchronous = FULL``; :mod:`~window_app.exchange.backends.sqlite`). PostgreSQL groups its
commits' flushes itself.
When several windows' batches arrive at once, the first caller to get the write lock becomes
the leader: it takes every unit waiting at that moment (its own among them) and runs them in
one transaction, each inside its own ``SAVEPOINT``, then commits once. The others find their
unit done when they get the lock after it — or lead the next group if theirs came too late.

What each caller is told is what it would be told alone:

- a unit's answer is handed back only after the commit returned: acknowledged means on disk;
- a unit that raises is rolled back to its savepoint, alone; the others of the group still
  commit, and the caller gets its exception;
- if the commit itself fails (disk full, database busy), every unit of the group gets that
  error and nothing of the group is written.

The units must keep no state outside the database across calls (a unit may be rolled back
after it ran): each reads what it needs inside its transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_SAVEPOINT = "group_member"


@dataclass
class _Unit(Generic[T]):
    work: Callable[[sqlite3.Connection], T]
    done: bool = False
    result: T | None = None
    error: BaseException | None = None


class GroupCommit:
    """Runs units of work in shared durable transactions (see the module's text).

    Args:
        lock: The store's lock: held while a group is written (the store's other readers and
            writers take it too).
        transaction: Opens one durable write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``,
            fsynced when the block ends) and yields the connection.
    """

    def __init__(self, lock: threading.RLock, transaction: Callable[[], contextlib.AbstractContextManager[sqlite3.Connection]]):
        self._lock = lock
        self._transaction = transaction
        self._waiting: list[_Unit[Any]] = []
        self._queue = threading.Lock()
        self.groups = 0
        """How many transactions were committed (for benches and tests)."""

    def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in a write transaction, maybe shared with units that came with it;
        return its answer once that transaction is on disk.

        Raises:
            BaseException: What ``work`` raised (only it was rolled back), or what the
                transaction raised (nothing of its group was written).
        """
        unit: _Unit[T] = _Unit(work)
        with self._queue:
            self._waiting.append(unit)
        with self._lock:
            if not unit.done:
                with self._queue:
                    group, self._waiting = self._waiting, []
                self._commit(group)
        if unit.error is not None:
            raise unit.error
        return unit.result  # type: ignore[return-value]  # set by the group that ran it

    def _commit(self, group: list[_Unit[Any]]) -> None:
        try:
            with self._transaction() as conn:
                for unit in group:
                    with _savepoint(conn, unit):
                        unit.result = unit.work(conn)
            self.groups += 1
        except BaseException as exc:
            for unit in group:  # nothing of the group was written: no one is acknowledged
                unit.result = None
                if unit.error is None:
                    unit.error = exc
        finally:
            for unit in group:
                unit.done = True


@contextlib.contextmanager
def _savepoint(conn: sqlite3.Connection, unit: _Unit[Any]) -> Iterator[None]:
    """The unit's own savepoint: an exception rolls back this unit only and is kept for its
    caller (an error rolling back ends the whole group)."""
    conn.execute(f"SAVEPOINT {_SAVEPOINT}")
    try:
        yield
    except Exception as exc:
        unit.error = exc
        conn.execute(f"ROLLBACK TO {_SAVEPOINT}")
    conn.execute(f"RELEASE {_SAVEPOINT}")
