"""The real exchange in its own process (``python -m window_app exchange serve``), to be killed.

The in-thread :class:`tests.exchange_fixtures.ExchangeServer` can be stopped politely; a
process can be killed with SIGKILL in the middle of a batch and restarted on the same port and
database — what the fault tests and the sync benchmark need::

    exchange = ExchangeProcess(tmp_path / "exchange.db").start()
    ...
    exchange.kill()      # SIGKILL: no shutdown, no last commit
    exchange.start()     # same port, same file (SQLite recovers its WAL)
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 30.0
_URL = re.compile(r"http://[0-9.]+:(\d+)")


class ExchangeProcess:
    """``window-app exchange serve --demo --db DB_PATH --port PORT`` as a child process (``DB_PATH``:
    a SQLite file, or a ``postgresql://`` URI).

    Attributes:
        port: Chosen by the first start (``--port 0``) unless given; kept for restarts.
        url: ``http://127.0.0.1:<port>``.
        starts: How many times it was started.
    """

    def __init__(self, db_path: str | Path, *, port: int = 0, demo: bool = True, extra: tuple[str, ...] = ()):
        self.db_path: Any = db_path if str(db_path).startswith("postgresql://") else Path(db_path)
        self.port = port
        self.demo = demo
        self.extra = extra
        self.process: subprocess.Popen[str] | None = None
        self.starts = 0
        self.output: list[str] = []  # what it printed (stdout after the first line, stderr)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> ExchangeProcess:
        """Start (again) and return once it listens (its first stdout line names the port)."""
        if self.running:
            return self
        command = [sys.executable, "-m", "window_app", "exchange", "serve", "--db", str(self.db_path),
                   "--port", str(self.port), *(["--demo"] if self.demo else []), *self.extra]
        env = {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}
        env["PYTHONUNBUFFERED"] = "1"
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
            )
            line = self.process.stdout.readline() if self.process.stdout else ""
            match = _URL.search(line)
            if match:
                break
            self.process.wait(timeout=START_TIMEOUT_SECONDS)
            error = self.process.stderr.read() if self.process.stderr else ""
            # A port just freed by a killed server may still be held for a moment: try again.
            if "listen" not in error or time.monotonic() > deadline:
                raise RuntimeError(f"the exchange did not start: {line}{error}")
            time.sleep(0.05)
        self.port = int(match[1])
        self.starts += 1
        for pipe in (self.process.stdout, self.process.stderr):
            threading.Thread(target=self._drain, args=(pipe,), daemon=True).start()
        return self

    def _drain(self, pipe: Any) -> None:
        """Keep reading its pipes so it never blocks on a full one."""
        try:
            for line in pipe:
                self.output.append(line)
        except (ValueError, OSError):  # closed by stop()
            pass

    def kill(self) -> None:
        """SIGKILL, and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=START_TIMEOUT_SECONDS)

    def stop(self) -> None:
        """SIGTERM (uvicorn shuts down cleanly), SIGKILL if it does not."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()

    def __enter__(self) -> ExchangeProcess:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
