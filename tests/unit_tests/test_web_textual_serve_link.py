"""What ``window-app serve`` uses of textual-serve is still there (none of it is a documented API:
an upgrade that changes it fails here, not in a clerk's browser). See window_app/web/textual_serve_link.py."""

from __future__ import annotations

import inspect

from textual_serve.app_service import AppService
from textual_serve.download_manager import Download, DownloadManager

from window_app.web.textual_serve_link import STATIC_DIR


def test_the_app_service_is_made_and_driven_as_the_link_expects():
    parameters = inspect.signature(AppService.__init__).parameters
    assert list(parameters)[:2] == ["self", "command"]
    assert {"write_bytes", "write_str", "close", "download_manager"} <= set(parameters)
    for method in ("start", "send_bytes", "set_terminal_size", "blur", "focus", "stop"):
        assert inspect.iscoroutinefunction(getattr(AppService, method)), method
    assert list(inspect.signature(AppService.start).parameters) == ["self", "width", "height"]


def test_downloads_are_looked_up_and_streamed_as_the_link_expects():
    for method in ("get_download_metadata", "download"):
        assert hasattr(DownloadManager, method), method
    fields = set(Download.__dataclass_fields__)
    assert {"app_service", "file_name", "mime_type", "encoding"} <= fields


def test_the_static_files_the_page_links_are_in_the_package():
    for name in ("js/textual.js", "css/xterm.css", "fonts/RobotoMono-VariableFont_wght.ttf"):
        assert (STATIC_DIR / name).is_file(), name
    script = (STATIC_DIR / "js/textual.js").read_text(encoding="utf-8")
    # what the page's own script and stylesheet rely on
    assert "deliver_file_start" in script and "window.open" in script and "-first-byte" in script and "-closed" in script
    assert "sessionWebsocketUrl" in script and "Roboto Mono" in script
