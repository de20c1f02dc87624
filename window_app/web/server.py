"""The aiohttp routes of ``window-app serve``: sign-in first, then each clerk's own window.

=============================  =============================================================
``GET /``                      the sign-in page (``?lang=en`` in English), or to ``/app``
``POST /sign-in``              the PIN checked on the chosen window (:mod:`.sign_in`); a
                               session cookie (HttpOnly, SameSite=Strict, Secure under TLS)
``POST /sign-out``             the session ends, its app quits
``GET /app``                   the terminal page (signed in only)
``GET /ws``                    the terminal's websocket: refused (403) without a session or
                               from another origin; starts the window's app process, signed
                               in through a one-time ticket (:mod:`.tickets`)
``GET /download/{key}``        a file the session's own app delivered (a receipt's PDF …)
``GET /static/…``, ``/web/…``  textual-serve's terminal files and this package's, from here
=============================  =============================================================

Every answer carries the Content-Security-Policy of :func:`window_app.web.pages.security_headers`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote, urlsplit

from aiohttp import web

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words
from window_app.web import pages
from window_app.web.sessions import COOKIE, BrowserSession, Sessions
from window_app.web.sign_in import SLOW_DOWN, SignInLimiter, check_clerk
from window_app.web.textual_serve_link import STATIC_DIR, AppProcess, DownloadManager, download_of
from window_app.web.tickets import TICKET_ENV, write_ticket
from window_app.web.windows import WebWindow

log = logging.getLogger("window_app.web")

OWN_STATIC_DIR = Path(__file__).parent / "static"
UNKNOWN_WINDOW = Words("请选择窗口", "Choose a window")
WINDOW_TAKEN = Words(
    "窗口“{window}”正由 {clerk} 使用：请对方先退出登录或关闭页面",
    "The window “{window}” is in use by {clerk}: they sign out or close their page first",
)
NOT_SIGNED_IN = Words("请先登录", "Sign in first")
SERVER_KEY = web.AppKey("window_app_server", object)


class WebServer:
    """The routes' state: the windows, the sessions, the running apps, the tickets' directory.

    Args:
        windows: The windows offered (each its own data dir and settings).
        ticket_dir: A directory only this user may enter (0700), for the one-time tickets.
        tls: Served over TLS (the cookie is then ``Secure``; the websocket ``wss:``).
        python: The interpreter that runs the app processes (this one by default).
    """

    def __init__(self, windows: Sequence[WebWindow], ticket_dir: Path, *, tls: bool = False, python: str = sys.executable):
        self.windows = {w.id: w for w in windows}
        self.order = list(windows)
        self.ticket_dir = ticket_dir
        self.tls = tls
        self.python = python
        self.sessions = Sessions()
        self.limiter = SignInLimiter()
        self.downloads = DownloadManager()

    def application(self) -> web.Application:
        """The aiohttp application with every route."""
        app = web.Application(middlewares=[self._headers])
        app[SERVER_KEY] = self
        app.add_routes(
            [
                web.get("/", self.index),
                web.post("/sign-in", self.sign_in),
                web.post("/sign-out", self.sign_out),
                web.get("/app", self.app_page),
                web.get("/ws", self.websocket),
                web.get("/download/{key}", self.download),
                web.static("/static", STATIC_DIR),
                web.static("/web", OWN_STATIC_DIR),
            ]
        )
        app.on_shutdown.append(self._stop_all)
        return app

    # -- middleware ------------------------------------------------------------------------

    @web.middleware
    async def _headers(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        response = await handler(request)
        if not isinstance(response, web.WebSocketResponse) and not response.prepared:
            response.headers.update(pages.security_headers(request.host, tls=self.tls))
        return response

    # -- pages -----------------------------------------------------------------------------

    def _session(self, request: web.Request) -> BrowserSession | None:
        return self.sessions.get(request.cookies.get(COOKIE))

    def _sign_in_page(self, language: str, *, status: int = 200, **parts) -> web.Response:  # type: ignore[no-untyped-def]
        html = pages.sign_in_page(self.order, language=language, **parts)
        return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)

    async def index(self, request: web.Request) -> web.StreamResponse:
        if self._session(request) is not None:
            raise web.HTTPSeeOther("/app")
        return self._sign_in_page(pages.language_of(request.query.get("lang")))

    async def sign_in(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        language = pages.language_of(str(form.get("lang", "")))
        window_id, clerk_id, pin = (str(form.get(k, "")) for k in ("window", "clerk", "pin"))
        address = request.remote or "?"
        again = dict(language=language, chosen_window=window_id, clerk_id=clerk_id)
        wait = self.limiter.wait_seconds(address)
        if wait is not None:
            return self._sign_in_page(status=429, problem=SLOW_DOWN.format(s=wait), **again)
        window = self.windows.get(window_id)
        if window is None:
            return self._sign_in_page(status=400, problem=UNKNOWN_WINDOW, **again)
        try:
            clerk = await asyncio.to_thread(check_clerk, window, clerk_id, pin)
        except WindowAppError as error:
            self.limiter.failed(address)
            log.info("sign-in refused on %s for %r from %s", window.id, clerk_id, address)
            return self._sign_in_page(status=403, problem=error.words, **again)
        holder = self.sessions.holder(window.id)
        if holder is not None and holder.clerk.id != clerk.id and holder.app is not None:
            # Another clerk works on this window now (its app runs): one app per data dir.
            words = WINDOW_TAKEN.format(window=window.name, clerk=holder.clerk.label)
            return self._sign_in_page(status=409, problem=words, **again)
        for old in [s for s in self.sessions.all() if s.window_id == window.id]:
            await self._end(old)  # a session left without signing out, the same clerk's other tab
        session = self.sessions.start(window.id, clerk, pin, language)
        log.info("%s signed in on %s from %s", clerk.label, window.id, address)
        response = web.Response(status=303, headers={"Location": "/app"})
        response.set_cookie(COOKIE, session.token, httponly=True, samesite="Strict", secure=self.tls, path="/")
        return response

    async def sign_out(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        language = session.language if session else pages.language_of(request.query.get("lang"))
        if session is not None:
            await self._end(session)
            log.info("%s signed out of %s", session.clerk.label, session.window_id)
        response = self._sign_in_page(language, note=pages.SIGNED_OUT)
        response.del_cookie(COOKIE, path="/")
        return response

    async def app_page(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session is None:
            raise web.HTTPSeeOther("/")
        window = self.windows[session.window_id]
        scheme = "wss" if self.tls else "ws"
        html = pages.app_page(
            language=session.language,
            window_name=window.name,
            clerk_label=session.clerk.label,
            websocket_url=f"{scheme}://{request.host}/ws",
        )
        return web.Response(text=html, content_type="text/html", charset="utf-8")

    # -- the app ---------------------------------------------------------------------------

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        return origin is None or urlsplit(origin).netloc == request.host

    def command(self, window: WebWindow, ticket: Path, language: str) -> str:
        """The shell command of one app process: the ticket's path in its environment, the
        window's data dir (and config) and the language on its command line; no secret."""
        words = [self.python, "-m", "window_app", "--data-dir", str(window.data_dir), "--lang", language]
        if window.config is not None:
            words += ["--config", str(window.config)]
        return f"{TICKET_ENV}={shlex.quote(str(ticket))} exec " + " ".join(shlex.quote(w) for w in words)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session is None or not self._same_origin(request):
            raise web.HTTPForbidden(text=str(NOT_SIGNED_IN))
        if session.app is not None:  # a reload: the page's previous app quits first
            await self._stop_app(session)
        window = self.windows[session.window_id]
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        ticket = write_ticket(self.ticket_dir, session.clerk.id, session.pin, now=dt.datetime.now(dt.UTC))
        process = AppProcess(self.command(window, ticket, session.language), websocket, self.downloads)
        session.app = process
        try:
            await process.start(_size(request, "width", 80), _size(request, "height", 24))
            await process.relay()
        finally:
            if session.app is process:
                session.app = None
            await process.stop()
            with contextlib.suppress(OSError):
                ticket.unlink()  # the app never started (it deletes the ticket as it reads it)
        return websocket

    async def download(self, request: web.Request) -> web.StreamResponse:
        session = self._session(request)
        if session is None:
            raise web.HTTPForbidden(text=str(NOT_SIGNED_IN))
        key = request.match_info["key"]
        meta = await download_of(self.downloads, key, session.app)
        if meta is None:
            raise web.HTTPNotFound()
        response = web.StreamResponse()
        response.content_type = meta.mime_type
        if meta.encoding:
            response.charset = meta.encoding
        ascii_name = meta.file_name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
        response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(meta.file_name)}"
        response.headers.update(pages.security_headers(request.host, tls=self.tls))  # prepared here, not by the middleware
        await response.prepare(request)
        async for chunk in self.downloads.download(key):
            await response.write(chunk)
        await response.write_eof()
        return response

    async def _stop_app(self, session: BrowserSession) -> None:
        process, session.app = session.app, None
        if process is not None:
            await process.stop()
            await process.websocket.close()

    async def _end(self, session: BrowserSession) -> None:
        self.sessions.end(session.token)
        await self._stop_app(session)

    async def _stop_all(self, _app: web.Application) -> None:
        for session in self.sessions.all():
            await self._end(session)


def _size(request: web.Request, name: str, default: int) -> int:
    try:
        return max(10, min(500, int(request.query.get(name, default))))
    except ValueError:
        return default
