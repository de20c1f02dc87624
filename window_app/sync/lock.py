"""One sync process per database: ``<data dir>/sync.lock``, held while a sync engine lives.

Two processes syncing the same database (the app's worker and a headless ``window-app sync``,
or two apps pointed at one data dir) would each claim due envelopes; the provisional next
attempt written at the claim is short (full jitter: as little as 0.05 s), so the second could
resend rows the first still has on the wire. The exchange deduplicates, but a ``duplicate``
answer would no longer mean "a lost answer", and a slow county line carries everything twice.
So rounds are exclusive per database:

- **between processes**: an exclusive ``flock`` on ``<data dir>/sync.lock``, taken (without
  waiting) by an engine's first round and kept until the engine is closed. The kernel lets go
  of it when the process dies however it dies (SIGKILL, power cut): nothing to clean up, no
  stale lock to expire. The file itself stays (deleting it would let a newcomer lock a new
  file while the old holder still holds the unlinked one); its text names the holder (process
  id, since when, which program), for the words the others show.
- **within one process**: the lock belongs to one engine (a ``flock`` is held by an open
  file, not by a process: a second engine on the same database in the same process is refused
  like another process), and that engine's rounds take turns (:meth:`SyncLock.round`): a
  second :meth:`~window_app.sync.engine.SyncEngine.run_once` starts when the first has ended.

Why not a lease row in SQLite (holder, expiry renewed every round)? It also survives a killed
holder, but only after the lease expires (a clerk would wait out the lease), a round longer
than the lease (a slow line, a big backlog) must renew from inside the round or lose it, and
the expiry depends on every process's clock. ``flock`` is released by the kernel the moment
the holder is gone, and a round's length does not matter.

Limit: one machine. Data dirs on network shares are not supported (the database is in WAL
mode, which already requires every process to be on the same host; ``flock`` across NFS/SMB
clients is not reliable either). On Windows the same is done with ``msvcrt.locking`` on one
byte far past the holder's text (released by the system when the process ends); that path is
not exercised by the tests, which run on Linux.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import json
import os
import threading
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from window_app.domain.errors import WindowAppError
from window_app.domain.times import DEFAULT_ZONE, in_zone, window_zone
from window_app.domain.words import Words

LOCK_NAME = "sync.lock"
ROUND_POLL_SECONDS = 0.01
"""How often a round waiting for another round of this process looks again."""
_WINDOWS_LOCK_OFFSET = 1 << 30  # msvcrt locks a byte range: one byte far past the holder's text


@dataclass(frozen=True)
class LockHolder:
    """Who holds a database's sync lock, as its holder wrote it in the lock file.

    Attributes:
        pid: The holder's process id.
        since: When it took the lock (ISO, local time).
        program: What it is (``window-app sync``, ``window-app``), may be empty.
    """

    pid: int
    since: str = ""
    program: str = ""


class SyncBusy(WindowAppError):
    """Another process syncs this database: this one must not run rounds now; the words name it.

    Attributes:
        holder: The holder as its lock file says (``None`` if it could not be read).
        path: The lock file.
    """

    def __init__(self, path: Path, holder: LockHolder | None, zone: dt.tzinfo | None = None):
        super().__init__(busy_words(holder, zone))
        self.path = path
        self.holder = holder


def busy_words(holder: LockHolder | None, zone: dt.tzinfo | None = None) -> Words:
    """``另一个同步进程正在运行（进程 1234：window-app sync，09:30:12 起）``, and in English;
    the time in ``zone`` (the window's ``[window] time_zone``; China time when not given)."""
    if holder is None:
        return Words("另一个同步进程正在运行", "Another sync process is running")
    if holder.pid == os.getpid():
        return Words("本进程中另一个同步引擎正在使用该数据库", "Another sync engine of this process is using the database")
    details_zh = [f"进程 {holder.pid}"]
    details_en = [f"process {holder.pid}"]
    if holder.program:
        details_zh[0] += f"：{holder.program}"
        details_en[0] += f": {holder.program}"
    since = _clock_time(holder.since, zone or window_zone(DEFAULT_ZONE))
    if since:
        details_zh.append(f"{since} 起")
        details_en.append(f"since {since}")
    return Words(
        f"另一个同步进程正在运行（{'，'.join(details_zh)}）",
        f"Another sync process is running ({', '.join(details_en)})",
    )


def _clock_time(iso: str, zone: dt.tzinfo) -> str:
    moment = in_zone(iso, zone)
    if moment is None:
        return ""
    today = dt.datetime.now(zone).date()
    return moment.strftime("%H:%M:%S" if moment.date() == today else "%Y-%m-%d %H:%M:%S")


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_NAME


def read_holder(path: Path) -> LockHolder | None:
    """The holder named in a lock file (the last one to take it: it may have ended since)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
        data, _ = json.JSONDecoder().raw_decode(text.strip())  # a longer older text may trail it
        return LockHolder(pid=int(data["pid"]), since=str(data.get("since", "")), program=str(data.get("program", "")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


# -- the lock ------------------------------------------------------------------------------------


def _lock_file(fd: int) -> bool:
    """Take the OS lock without waiting; ``False`` if another open file holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:  # BlockingIOError (EWOULDBLOCK) when held elsewhere
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


def _write_holder(fd: int, program: str) -> None:
    text = json.dumps(
        {"pid": os.getpid(), "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "program": program},
        ensure_ascii=False,
    ).encode("utf-8") + b"\n"
    # Written in place, then cut: a reader never finds the file empty (it may find an older,
    # longer text's tail after ours, which read_holder ignores).
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text)
    os.ftruncate(fd, len(text))


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)  # the last descriptor of the open file: the kernel releases the lock


class SyncLock:
    """One engine's hold on its database's sync lock.

    :meth:`acquire` takes it (at once, or :class:`SyncBusy`); :meth:`release` lets it go (so
    do the engine's garbage collection and the end of the process, however it ends).
    :meth:`round` makes the holder's rounds take turns.

    Args:
        path: The lock file (``<data dir>/sync.lock``: :func:`lock_path`).
        program: Written in the file for the words others show (``window-app sync``).
        zone: The window's time zone, for the holder's time in those words.
    """

    def __init__(self, path: Path, program: str = "", zone: dt.tzinfo | None = None):
        self.path = Path(path)
        self.program = program
        self.zone = zone
        self._fd: int | None = None
        self._closer: weakref.finalize | None = None
        self._guard = threading.Lock()  # a file's lock is per open file; this is per SyncLock
        self._round_task: asyncio.Task[Any] | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock now (no-op if held); :class:`SyncBusy` if another holds it."""
        with self._guard:
            if self._fd is not None:
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Not inherited by child processes (PEP 446): a program it starts does not keep it.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
            try:
                if not _lock_file(fd):
                    raise SyncBusy(self.path, read_holder(self.path), self.zone)
                _write_holder(fd, self.program)
            except BaseException:
                os.close(fd)
                raise
            self._fd = fd
            # An engine dropped without close() lets go when it is collected; the closer takes
            # no Python lock, so it may run wherever the garbage collector runs it.
            self._closer = weakref.finalize(self, _close, fd)

    def release(self) -> None:
        """Let go (no-op if not held). Another process may take it from now on."""
        with self._guard:
            closer, self._closer, self._fd = self._closer, None, None
        if closer is not None:
            closer()

    def holder(self) -> LockHolder | None:
        """Who the lock file names (this process, if held)."""
        return read_holder(self.path)

    @contextlib.asynccontextmanager
    async def round(self) -> AsyncIterator[None]:
        """One round: waits (without blocking the loop) for the holder's running round to end,
        and keeps the turn until this one ends. Requires :meth:`acquire`.

        The turn belongs to the round's task: a round whose loop died under it (a
        ``KeyboardInterrupt`` out of ``asyncio.run`` can leave its task pending on a closed
        loop) does not keep it.
        """
        if self._fd is None:
            raise RuntimeError("SyncLock.round() before acquire()")
        me = asyncio.current_task()
        while self._round_running():
            await asyncio.sleep(ROUND_POLL_SECONDS)
        self._round_task = me
        try:
            yield
        finally:
            if self._round_task is me:
                self._round_task = None

    def _round_running(self) -> bool:
        task = self._round_task
        return task is not None and not task.done() and not task.get_loop().is_closed()
