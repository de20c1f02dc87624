"""Several exchange processes serving one listening socket (``window-app exchange serve --workers N``).

One Python process checks envelopes on one core at a time (the interpreter lock); the checks are
most of an envelope's cost, so on a machine with several cores the exchange can run several
processes. The parent binds the socket, forks the workers, and waits; each worker builds its own
app (its own connection pool to the PostgreSQL database) and serves the shared socket — the
kernel hands each new connection to one of them. Their transactions run at once; they take
turns only at the ledger (:mod:`~window_app.exchange.backends.postgresql`). The command refuses
several workers on a SQLite file (one writer at a time: they would only wait for each other).

One worker (the first) signs the ledger's checkpoints and runs the simulation: the ledger is one
chain, whichever worker appended its entries. SIGTERM or SIGINT to the parent stops every worker
cleanly; a worker whose parent dies gets SIGTERM (Linux), so none is left holding the port. Once
all have stopped, the caller signs the last checkpoint.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import traceback
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def serve_workers(sock: socket.socket, count: int, build: Callable[[int], Any], serve: Callable[[Any, socket.socket], None]) -> int:
    """Fork ``count`` workers; worker ``n`` serves ``build(n)`` on ``sock`` with ``serve``.
    Wait until every one has stopped; the highest exit status (``build`` may return one
    instead of an app). One that fails makes the others stop."""
    parent = os.getpid()
    children: list[int] = []
    for number in range(count):
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            _run_worker(parent, number, sock, build, serve)
        children.append(pid)

    def stop_all(signum: int = signal.SIGTERM, frame: Any = None) -> None:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    previous = {signum: signal.signal(signum, stop_all) for signum in (signal.SIGTERM, signal.SIGINT)}
    worst = 0
    try:
        running = set(children)
        while running:
            pid, status = os.wait()
            if pid not in running:
                continue
            running.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            if code in (-signal.SIGTERM, -signal.SIGINT):
                code = 0  # uvicorn stops cleanly, then raises the signal it caught again
            if code != 0 and running:
                stop_all()
            worst = max(worst, abs(code))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return worst


def _run_worker(parent: int, number: int, sock: socket.socket, build: Callable[[int], Any], serve: Callable[[Any, socket.socket], None]) -> None:
    code = 1
    try:
        _stop_with(parent)
        app = build(number)
        if isinstance(app, int):
            code = app
        else:
            serve(app, sock)
            code = 0
    except KeyboardInterrupt:
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _stop_with(parent: int) -> None:
    """SIGTERM to this worker when its parent dies (Linux); elsewhere workers outlive a killed parent."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # died before the request was made
        os._exit(0)
