"""The one module that touches textual-serve: its static files, its app process, its downloads.

textual-serve's own :class:`textual_serve.server.Server` serves any browser (no sign-in, one shared
command, a page that links a font from an outside host), so ``window-app serve`` has routes of
its own (:mod:`window_app.web.server`) and uses only these parts of the package:

- ``textual_serve.app_service.AppService``: one app process per browser connection (its
  constructor's keywords; ``start``, ``send_bytes``, ``set_terminal_size``, ``blur``, ``focus``,
  ``stop``);
- ``textual_serve.download_manager.DownloadManager``: the files the app delivers
  (``get_download_metadata``, ``download``; a download's ``app_service``, ``file_name``,
  ``mime_type``, ``encoding``);
- the package's ``static/`` directory (``js/textual.js``, ``css/xterm.css``, ``fonts/``).

None of them is a documented API: ``tests/unit_tests/test_web_textual_serve_link.py`` checks
each one, so an upgrade that changes them fails there, not in a clerk's browser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import textual_serve
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

STATIC_DIR = Path(textual_serve.__file__).parent / "static"
"""textual-serve's own static files (the terminal's JS and CSS, Roboto Mono), served as they are."""

__all__ = ["STATIC_DIR", "AppProcess", "DownloadManager", "download_of"]


class AppProcess:
    """The app process one browser connection drives (started by :meth:`start`).

    Args:
        command: The shell command that starts it (no secret in it: see :mod:`window_app.web.tickets`).
        websocket: The browser's websocket (aiohttp's ``WebSocketResponse``).
        downloads: The server's download manager (files the app delivers).
    """

    def __init__(self, command: str, websocket: Any, downloads: DownloadManager) -> None:
        self.websocket = websocket
        self.service = AppService(
            command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=downloads,
        )

    async def start(self, width: int, height: int) -> None:
        await self.service.start(width, height)

    async def relay(self) -> None:
        """Pass what the browser sends to the app until the websocket closes."""
        async for message in self.websocket:
            if not isinstance(message.data, str):
                continue
            try:
                kind, data = json.loads(message.data)[:2]
            except (ValueError, TypeError):
                continue  # not the terminal's JSON: ignored, as textual-serve would fail on it
            if kind == "stdin" and isinstance(data, str):
                await self.service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await self.service.set_terminal_size(int(data.get("width", 80)), int(data.get("height", 24)))
            elif kind == "ping":
                await self.websocket.send_json(["pong", data])
            elif kind == "blur":
                await self.service.blur()
            elif kind == "focus":
                await self.service.focus()

    async def stop(self) -> None:
        """Ask the app to quit and wait for it (its draft is saved as at Ctrl+Q)."""
        await self.service.stop()


async def download_of(downloads: DownloadManager, key: str, process: AppProcess | None) -> Any | None:
    """The download ``key`` if the app of ``process`` delivered it, else ``None``."""
    try:
        meta = await downloads.get_download_metadata(key)
    except KeyError:
        return None
    if process is None or meta.app_service is not process.service:
        return None
    return meta
