"""The sync engine beside the screens: rounds in a thread of their own, on their own connection.

:class:`BackgroundSync` is what the app runs as its sync worker (``screens/sync_link.py`` starts
:meth:`BackgroundSync.run` as a Textual *thread* worker). Everything the engine does happens in
that thread: its own asyncio loop, its own SQLite connection (opened and closed there; the
window's connection stays the screens'), httpx. The screens hear of it only through the
``on_round`` callback, which receives a :class:`SyncRound` — the report, and where the outbox
stands after it, read on the worker's connection — and must be thread-safe (the app posts a
message). Nothing here imports Textual.

Why a thread and not a task on the app's loop: a round's database work is short transactions,
but not always short enough for a screen that must answer every key at once — each applied
event is its own durable commit (fsync), a release re-signs payloads, a downloaded catalog is
parsed and validated before it is installed. On the app's loop all of that would be time the
clerk's keys wait; in a thread, SQLite's WAL lets the screens read and write meanwhile (a write
of theirs waits for the worker's at most the length of one transaction). ``bench/sync_in_app.py``
measures both.

Rounds: at once when started (if ``automatic``), then whenever the engine's pause has passed
(the interval, or sooner when a backoff ends), and at once on :meth:`request` (the clerk's
"sync now": that round ignores backoff) or :meth:`nudge` (something was just queued: an
ordinary round now). With ``automatic=False`` (``[sync] enabled = false``) it runs only the
rounds asked for.

Another process syncing the same database (a headless ``window-app sync``, another app on the
same data dir) holds its sync lock (:mod:`window_app.sync.lock`): the engine raises
:class:`~window_app.sync.lock.SyncBusy` and sends nothing. The worker then reports a round
with ``elsewhere`` set (the words name the holder; the status read from the database shows how
the other process is doing), and tries to take the lock again every ``busy_retry_seconds``
(and at once on :meth:`request`) until the other process has ended; from then on it syncs.

:meth:`stop` ends it from any thread: a round in flight is cancelled at its next ``await``
(an HTTP request). That is safe by the engine's design: each batch's attempt is recorded before
the request, so a cancelled request only means the same bytes are sent again later under the
same idempotency key, and no transaction spans an ``await``.

The engine's scheduling API it uses: :meth:`SyncEngine.run_once`, :meth:`SyncEngine.pause_after`
(how long until the next round), :meth:`SyncEngine.failed_round` (a round that raised, as a
report in words).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from window_app.domain.words import NO_WORDS, Words
from window_app.sync.engine import failure_words
from window_app.sync.lock import SyncBusy
from window_app.sync.status import sync_status

if TYPE_CHECKING:
    from window_app.domain.sync import SyncStatus
    from window_app.sync.engine import SyncEngine, SyncReport

RETRY_OPEN_SECONDS = 15.0
"""After the worker could not open the database (or a round failed in a way the engine did not
foresee), try again this much later."""

BUSY_RETRY_SECONDS = 5.0
"""While another process syncs this database, try to take its sync lock this often."""


@dataclass(frozen=True)
class SyncRound:
    """One round as the screens hear of it.

    Attributes:
        report: What the round did (``None`` if it could not run at all: see ``error``).
        status: Where the outbox stands after it (``None`` if it could not be read).
        answers: The :meth:`BackgroundSync.request` tickets this round answers (the clerk's
            "sync now"); empty for a round of its own accord.
        error: Why the round could not run (the database would not open, another
            process syncs it …), in words.
        elsewhere: Another process syncs this database (it holds the sync lock): this worker
            sent nothing; ``error`` names the holder, ``status`` shows the outbox as that
            process leaves it.
        holder_pid: That process's id, if its lock file says.
        changed_elsewhere: The other process changed the outbox or applied events since the
            worker last looked (the screens should read again); also on the round that takes
            over, for what it did after the last look.
    """

    report: SyncReport | None
    status: SyncStatus | None
    answers: tuple[int, ...] = ()
    error: Words = NO_WORDS
    elsewhere: bool = False
    holder_pid: int | None = None
    changed_elsewhere: bool = False

    @property
    def requested(self) -> bool:
        return bool(self.answers)

    @property
    def changed(self) -> bool:
        """Whether the round changed what the screens show (delivered, refused, applied …)."""
        report = self.report
        if report is None or self.changed_elsewhere:
            return self.changed_elsewhere
        return bool(
            report.sent or report.duplicate or report.quarantined or report.events_applied
            or report.released or report.cancelled or report.concluded
        )

    def words(self) -> str:
        """The round's outcome in one line, in the current language."""
        if self.report is None:
            return str(self.error)
        return self.report.summary()


@dataclass
class _Requests:
    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0
    pending: list[int] = field(default_factory=list)
    nudged: bool = False


class BackgroundSync:
    """Sync rounds in the calling thread until :meth:`stop` (see the module docstring).

    Args:
        open_engine: Opens an engine on its OWN database connection; called in the worker's
            thread (e.g. ``window.sync_engine``).
        on_round: Called in the worker's thread after each round; must be thread-safe.
        automatic: Run rounds on a schedule; ``False``: only those asked for.
    """

    def __init__(
        self,
        open_engine: Callable[[], SyncEngine],
        on_round: Callable[[SyncRound], Any],
        *,
        automatic: bool = True,
    ):
        self.open_engine = open_engine
        self.on_round = on_round
        self.automatic = automatic
        self.retry_seconds = RETRY_OPEN_SECONDS
        self.busy_retry_seconds = BUSY_RETRY_SECONDS
        self.finished = threading.Event()
        self.rounds = 0
        self._requests = _Requests()
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._main: asyncio.Task[None] | None = None
        self._seen_elsewhere: tuple[Any, ...] | None = None

    # -- from any thread -------------------------------------------------------------------

    def request(self) -> int:
        """Ask for a round now that ignores backoff (the clerk's "sync now"); returns the ticket
        the answering :class:`SyncRound` carries in ``answers``."""
        with self._requests.lock:
            self._requests.issued += 1
            ticket = self._requests.issued
            self._requests.pending.append(ticket)
        self._poke()
        return ticket

    def nudge(self) -> None:
        """Something was just queued (an application accepted, a supplement recorded): an
        ordinary round now, if automatic; otherwise it waits for the next one asked for."""
        if not self.automatic:
            return
        with self._requests.lock:
            self._requests.nudged = True
        self._poke()

    def stop(self) -> None:
        """End the worker soon: a round in flight is cancelled at its next ``await``."""
        self._stopping = True
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self._cancel)
        except RuntimeError:  # the loop has already closed
            pass

    @property
    def running(self) -> bool:
        return self._loop is not None and not self.finished.is_set()

    # -- the worker's thread ---------------------------------------------------------------

    def run(self) -> None:
        """Run rounds until :meth:`stop` (blocks; the worker thread's body)."""
        try:
            if not self._stopping:
                asyncio.run(self._run())
        finally:
            self._loop = None
            self.finished.set()

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._main = asyncio.current_task()
        engine: SyncEngine | None = None
        try:
            while not self._stopping:
                self._wake.clear()
                answers = self._take()
                if not (self.automatic or answers):
                    await self._pause(None)
                    continue
                if engine is None:
                    try:
                        engine = self.open_engine()
                    except Exception as exc:  # noqa: BLE001 - a worker says why, it does not die
                        self._deliver(SyncRound(None, None, answers, _failure(_CANNOT_START, exc)))
                        await self._pause(RETRY_OPEN_SECONDS if self.automatic else None)
                        continue
                try:
                    outcome = await self._round(engine, answers)
                    if not self.automatic:
                        pause = None
                    elif outcome.elsewhere:
                        pause = self.busy_retry_seconds
                    else:
                        pause = engine.pause_after(outcome.report)
                except Exception as exc:  # noqa: BLE001 - whatever went wrong, the next round may go well
                    outcome = SyncRound(None, None, answers, _failure(_ROUND_FAILED, exc))
                    pause = self.retry_seconds if self.automatic else None
                self._deliver(outcome)
                await self._pause(pause)
        except asyncio.CancelledError:
            pass  # stop(): nothing half-written (no transaction spans an await)
        finally:
            if engine is not None:
                try:
                    engine.close()
                except Exception:  # noqa: BLE001 - closing at the end: nothing left to tell
                    pass

    async def _round(self, engine: SyncEngine, answers: tuple[int, ...]) -> SyncRound:

        try:
            report = await engine.run_once(retry_now=bool(answers))
        except SyncBusy as busy:
            return self._elsewhere(engine, answers, busy)
        except Exception as exc:  # noqa: BLE001 - a storage error in a round is reported, retried next round
            report = engine.failed_round(exc)
        self.rounds += 1
        try:
            status = sync_status(engine.db, engine.settings)
        except Exception:  # noqa: BLE001 - the report alone still says what happened
            status = None
        # Taking over: what the other process did after the last look counts as a change too.
        moved = self._seen_elsewhere is not None and status is not None and _signature(status) != self._seen_elsewhere
        self._seen_elsewhere = None
        return SyncRound(report, status, answers, changed_elsewhere=moved)

    def _elsewhere(self, engine: SyncEngine, answers: tuple[int, ...], busy: SyncBusy) -> SyncRound:
        """Another process holds the sync lock: where the outbox stands as it leaves it."""

        try:
            status: SyncStatus | None = sync_status(engine.db, engine.settings)
        except Exception:  # noqa: BLE001 - the words alone still say what happens
            status = None
        seen = _signature(status) if status is not None else None
        changed = seen is not None and self._seen_elsewhere is not None and seen != self._seen_elsewhere
        self._seen_elsewhere = seen
        pid = busy.holder.pid if busy.holder is not None else None
        return SyncRound(None, status, answers, busy.words, elsewhere=True, holder_pid=pid, changed_elsewhere=changed)

    def _take(self) -> tuple[int, ...]:
        """The tickets the coming round answers (a nudge only wakes the loop)."""
        with self._requests.lock:
            answers = tuple(self._requests.pending)
            self._requests.pending.clear()
            self._requests.nudged = False
        return answers

    def _has_requests(self) -> bool:
        with self._requests.lock:
            return bool(self._requests.pending) or self._requests.nudged

    async def _pause(self, seconds: float | None) -> None:
        """Until the pause is over, a request comes, or stop."""
        if self._stopping or self._has_requests():
            return
        assert self._wake is not None
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=seconds)
        except TimeoutError:
            pass

    def _poke(self) -> None:
        loop, wake = self._loop, self._wake
        if loop is None or wake is None:
            return  # not started yet: the first round takes the request
        try:
            loop.call_soon_threadsafe(wake.set)
        except RuntimeError:  # the loop has already closed
            pass

    def _cancel(self) -> None:
        if self._wake is not None:
            self._wake.set()
        if self._main is not None:
            self._main.cancel()

    def _deliver(self, outcome: SyncRound) -> None:
        if self._stopping:
            return
        try:
            self.on_round(outcome)
        except Exception:  # noqa: BLE001 - the screens are closing; the next round tells again
            pass


def _signature(status: SyncStatus) -> tuple[Any, ...]:
    """What the screens show that another process's rounds change: the outbox per state and
    each endpoint's event cursor."""
    cursors = tuple((endpoint.endpoint, endpoint.cursor) for endpoint in status.endpoints)
    return (status.queued, status.held, status.quarantined, status.sent, status.cancelled, cursors)


_CANNOT_START = Words("同步无法启动：{why}", "Sync could not start: {why}")
_ROUND_FAILED = Words("本轮同步出错：{why}", "This sync round failed: {why}")


def _failure(what: Words, exc: Exception) -> Words:
    """``同步无法启动：数据库被占用……`` — a StorageError's own words, else the exception's."""
    return what.format(why=failure_words(exc))
