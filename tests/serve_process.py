"""``window-app serve`` in its own process on a free 127.0.0.1 port, with windows made by the
test helpers (copies of the signed-in template: the clerk :data:`TEST_CLERK`, PIN :data:`TEST_PIN`).

    with ServeProcess.of_windows(tmp_path, "w1", "w2") as served:
        httpx.get(served.url + "/")
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.window_template import seed_data_dir

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    """A port nobody listens on now (the server takes it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServeProcess:
    """The server process; ``with`` stops it (SIGTERM: its apps quit, its tickets go).

    Attributes:
        windows_dir: The directory of data dirs it serves (one window per sub-directory).
        url: ``http://127.0.0.1:<port>`` (``https`` with a certificate).
    """

    def __init__(self, windows_dir: Path, *, extra: tuple[str, ...] = (), host: str = "127.0.0.1", tls: bool = False):
        self.windows_dir = windows_dir
        self.port = free_port()
        self.host = host
        self.extra = extra
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self.stderr = ""

    @classmethod
    def of_windows(cls, base: Path, *window_ids: str, **options) -> ServeProcess:  # type: ignore[no-untyped-def]
        """Seed one data dir per id under ``base / "windows"`` and serve them."""
        windows_dir = base / "windows"
        for window_id in window_ids:
            seed_data_dir(windows_dir / window_id)
        return cls(windows_dir, **options)

    def data_dir(self, window_id: str) -> Path:
        return self.windows_dir / window_id

    def __enter__(self) -> ServeProcess:
        command = [sys.executable, "-m", "window_app", "serve", "--port", str(self.port), "--host", self.host,
                   "--data-dir", str(self.windows_dir), *self.extra]
        env = {key: value for key, value in os.environ.items() if not key.startswith("WINDOW_APP_")}
        env.update(PYTHONUNBUFFERED="1", WINDOW_APP_SYNC_ENABLED="false")  # no exchange here: no offline toast
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, encoding="utf-8")
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                httpx.get(self.url + "/", verify=False, timeout=2)
                return self
            except httpx.TransportError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"window-app serve did not start: {self.stderr}") from None
                time.sleep(0.1)

    def __exit__(self, *_exc: object) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
        try:
            _, self.stderr = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, self.stderr = self.process.communicate()
