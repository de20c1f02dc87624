"""Running the server: TLS when given a certificate, a warning in words when it is not and the
address is not this machine's own, the tickets' private directory, the event loop."""

from __future__ import annotations

import ipaddress
import logging
import shutil
import ssl
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from aiohttp import web

from window_app.config import ConfigError
from window_app.domain.words import Words
from window_app.web.server import WebServer
from window_app.web.windows import WebWindow

PLAIN_HTTP_WARNING = Words(
    "警告：未使用 TLS（--cert/--key），PIN 和办件内容将以明文在网络上传输。"
    "仅在办公内网、防火墙之后使用，切勿暴露在互联网上。",
    "Warning: no TLS (--cert/--key): PINs and applications cross the network in the clear. "
    "Use it on the office network only, behind the office firewall; never on the internet.",
)
SERVING = Words("在 {url} 提供窗口：{windows}（Ctrl+C 停止）", "Serving {windows} on {url} (Ctrl+C stops)")
BAD_CERTIFICATE = Words("无法读取证书或私钥：{e}", "Cannot read the certificate or key: {e}")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    """A server TLS context (TLS 1.2 at least) from a PEM certificate (chain) and its key.

    Raises:
        ConfigError: Either file is missing or not a matching PEM pair.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise ConfigError(BAD_CERTIFICATE.format(e=getattr(error, "strerror", None) or error)) from None
    return context


def serve(
    windows: Sequence[WebWindow],
    *,
    host: str,
    port: int,
    context: ssl.SSLContext | None,
    say: Callable[[Words], None],
) -> None:
    """Serve until interrupted (Ctrl+C, SIGTERM); every app quits and the tickets go with it."""
    if context is None and not is_loopback(host):
        say(PLAIN_HTTP_WARNING)
    ticket_dir = Path(tempfile.mkdtemp(prefix="window-app-serve-"))  # 0700
    try:
        server = WebServer(windows, ticket_dir, tls=context is not None)
        scheme = "https" if context else "http"
        say(SERVING.format(url=f"{scheme}://{host}:{port}/", windows=", ".join(w.id for w in windows)))
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        web.run_app(server.application(), host=host, port=port, ssl_context=context, print=None)
    finally:
        shutil.rmtree(ticket_dir, ignore_errors=True)
