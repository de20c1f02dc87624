"""A fault-injecting HTTP/TCP proxy on 127.0.0.1, for the sync fault tests and the benchmark.

The machine has no ``netem``: this proxy stands between the window and the exchange and breaks
the line the ways a county line breaks, switchable at runtime from the test's thread::

    with FaultProxy(exchange.port) as proxy:          # a thread with its own event loop
        settings = ... WINDOW_APP_EXCHANGE_URL=proxy.url ...
        proxy.set_mode("reset_before")                # every request: RST before forwarding
        proxy.set_mode("lost_ack", times=1, paths=("/v1/envelopes",))  # the next POST only
        proxy.set_mode("latency", seconds=0.1)        # +100 ms per round trip
        proxy.pass_through()

It works per HTTP/1.1 exchange on each kept-alive connection: it reads one whole request
(``Content-Length`` or chunked body), decides what to do from the mode current at that moment,
and — when it forwards — reads the exchange's whole answer before passing it on. The modes:

``pass``
    Forward, answer.
``latency`` (``seconds``)
    Half of ``seconds`` before forwarding, half before answering; a new connection pays one
    more round trip (its handshake). Concurrent requests wait concurrently (a slow line, not a
    narrow one).
``trickle`` (``chunk``, ``interval``)
    Forward; pass the answer on ``chunk`` bytes at a time with ``interval`` seconds between.
``reset_before``
    Close the window's connection with an RST (``SO_LINGER`` 0) without forwarding: the
    exchange never sees the request.
``reset_after``
    Forward the whole request, then RST the window at once (the exchange's answer is read and
    thrown away): the exchange may commit while — or after — the window hears of the failure.
``garbage`` (``kind``: ``bytes`` | ``http`` | ``json``; ``forward``)
    Answer garbage: bytes that are not HTTP (then close), an ``HTTP 200`` whose body is not JSON
    (an HTML error page of some middlebox; the connection stays usable), or ``HTTP 200`` with a
    JSON body of the wrong shape. With ``forward=True`` the request reaches the exchange first.
``lost_ack`` (``how``: ``rst`` | ``fin``)
    Forward the request, wait for the exchange's complete answer (it has committed), then drop
    the window's connection before any byte of that answer reaches it.
``black_hole``
    Take the request and never answer (the connection stays open until the window gives up).

``set_mode(..., times=N)`` applies the mode to the next N matching requests only, then falls
back to pass-through; ``paths=(prefix, ...)`` limits it to requests whose path starts with one
of the prefixes (others pass through). :attr:`FaultProxy.seen` records every request (method,
path, body, the mode applied): the tests read the exact bytes each attempt carried.

The upstream can be moved (:meth:`FaultProxy.retarget`) to a restarted exchange; when it does
not accept connections the window's connection is reset, as a dead line would.

``python tests/fault_proxy.py --upstream PORT [--port N] [--latency 0.1]`` runs one in its own
process with a fixed mode (the benchmark uses it so the proxy does not share the client's GIL);
the first line on stdout is ``PROXY <port>``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

MODES = ("pass", "latency", "trickle", "reset_before", "reset_after", "garbage", "lost_ack", "black_hole")
HEADER_LIMIT = 64 * 1024
START_TIMEOUT_SECONDS = 10.0
_NOT_HTTP = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\xff\xfe\x00 not an HTTP answer \x00\x07"
_HTML = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>\xe7\xbd\x91\xe5\x85\xb3\xe9\x94\x99\xe8\xaf\xaf</h1><p>county gateway</p></body></html>"
)
_WRONG_JSON = b'{"ok": true, "message": "accepted"}'


@dataclass(frozen=True)
class Fault:
    """A mode and its options; ``remaining`` None = until changed."""

    mode: str = "pass"
    options: dict[str, Any] = field(default_factory=dict)
    paths: tuple[str, ...] | None = None
    remaining: int | None = None

    def matches(self, path: str) -> bool:
        return self.paths is None or any(path.startswith(prefix) for prefix in self.paths)


@dataclass(frozen=True)
class Seen:
    """One request the proxy took: what it carried and what was done to it."""

    method: str
    path: str
    body: bytes
    mode: str
    at: float


class _Request:
    __slots__ = ("method", "path", "raw", "body", "close")

    def __init__(self, method: str, path: str, raw: bytes, body: bytes, close: bool):
        self.method = method
        self.path = path
        self.raw = raw
        self.body = body
        self.close = close


class _Closed(Exception):
    """The peer closed (or broke) the connection."""


class FaultProxy:
    """A proxy from ``127.0.0.1:<port>`` to ``upstream_host:upstream_port``.

    Args:
        upstream_port: The exchange's port.
        port: Where to listen (0: any free port; :attr:`port` says which after :meth:`start`).
    """

    def __init__(self, upstream_port: int, *, upstream_host: str = "127.0.0.1", host: str = "127.0.0.1", port: int = 0):
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.port = port
        self._fault = Fault()
        self._lock = threading.Lock()
        self.seen: list[Seen] = []
        self.connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # -- control (any thread) ------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def set_mode(self, mode: str, *, times: int | None = None, paths: Sequence[str] | None = None, **options: Any) -> None:
        """Apply ``mode`` from the next request on (to ``times`` requests, on ``paths`` only)."""
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
        with self._lock:
            self._fault = Fault(mode, dict(options), tuple(paths) if paths is not None else None, times)

    def pass_through(self) -> None:
        self.set_mode("pass")

    @property
    def mode(self) -> str:
        with self._lock:
            return self._fault.mode

    def retarget(self, upstream_port: int, upstream_host: str = "127.0.0.1") -> None:
        """Send new connections to another upstream (e.g. a restarted exchange)."""
        self.upstream = (upstream_host, upstream_port)

    def requests(self, mode: str | None = None, path: str | None = None) -> list[Seen]:
        """The requests taken so far, optionally only those of one mode / path prefix."""
        with self._lock:
            seen = list(self.seen)
        return [s for s in seen if (mode is None or s.mode == mode) and (path is None or s.path.startswith(path))]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError("the proxy did not see what was expected in time")
            time.sleep(0.01)

    def _take(self, method: str, path: str, body: bytes) -> Fault:
        """The fault for this request (counting down a limited one) and its record."""
        with self._lock:
            fault = self._fault
            applied = fault if fault.matches(path) else Fault()
            if applied is fault and fault.remaining is not None:
                left = fault.remaining - 1
                self._fault = Fault() if left <= 0 else Fault(fault.mode, fault.options, fault.paths, left)
            self.seen.append(Seen(method, path, body, applied.mode, time.monotonic()))
        return applied

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        self._thread = threading.Thread(target=self._run, name=f"fault-proxy-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_SECONDS) or self._error is not None:
            raise RuntimeError(f"the fault proxy did not start: {self._error!r}")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(START_TIMEOUT_SECONDS)
        if self._thread is not None:
            self._thread.join(START_TIMEOUT_SECONDS)
        self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._listen())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accepted, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        asyncio.get_running_loop().call_soon(asyncio.get_running_loop().stop)

    async def serve_forever(self) -> None:
        """Run on the caller's loop (the command-line use) until cancelled."""
        await self._listen()
        self._loop = asyncio.get_running_loop()
        await asyncio.Event().wait()

    # -- one connection --------------------------------------------------------------------------

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        first = True
        try:
            while True:
                try:
                    request = await _read_request(reader)
                except _Closed:
                    return
                fault = self._take(request.method, request.path, request.body)
                if fault.mode == "latency" and first:
                    await asyncio.sleep(float(fault.options.get("seconds", 0.1)))  # the handshake's round trip
                first = False
                upstream, keep = await self._exchange(fault, request, reader, writer, upstream)
                if not keep:
                    return
        except (_Closed, ConnectionError, OSError, asyncio.IncompleteReadError):
            _reset(writer)
        except asyncio.CancelledError:  # the proxy stops: the line goes dead
            _reset(writer)
        finally:
            if upstream is not None:
                _close(upstream[1])
            _close(writer)
            self._tasks.discard(task)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.open_connection(*self.upstream)
        except OSError as exc:
            raise _Closed(f"upstream {self.upstream}: {exc}") from exc

    async def _forward(
        self, request: _Request, upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None
    ) -> tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter], bytes, bool]:
        """Send the request upstream and read the whole answer: (connection, answer, keep-alive)."""
        if upstream is None:
            upstream = await self._connect()
        up_reader, up_writer = upstream
        up_writer.write(request.raw)
        await up_writer.drain()
        answer, close = await _read_response(up_reader, request.method)
        return upstream, answer, not (close or request.close)

    async def _exchange(
        self,
        fault: Fault,
        request: _Request,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None,
    ) -> tuple[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None, bool]:
        """Handle one request under ``fault``: (upstream connection to keep, keep the window's)."""
        mode, options = fault.mode, fault.options
        if mode == "reset_before":
            _reset(writer)
            return upstream, False
        if mode == "black_hole":
            while await reader.read(65536):  # never answer; until the window gives up
                pass
            return upstream, False
        if mode == "reset_after":
            if upstream is None:
                upstream = await self._connect()
            upstream[1].write(request.raw)
            await upstream[1].drain()
            _reset(writer)
            # The exchange goes on with the request; its answer is read and thrown away.
            with contextlib.suppress(_Closed, ConnectionError, OSError, asyncio.IncompleteReadError):
                await _read_response(upstream[0], request.method)
            return upstream, False
        if mode == "garbage":
            if options.get("forward"):
                upstream, _answer, _keep = await self._forward(request, upstream)
            kind = options.get("kind", "http")
            if kind == "bytes":
                writer.write(_NOT_HTTP)
                await writer.drain()
                return upstream, False
            body, content_type = (_HTML, "text/html; charset=utf-8") if kind == "http" else (_WRONG_JSON, "application/json")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type.encode()
                + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
            )
            await writer.drain()
            return upstream, True
        if mode == "latency":
            half = float(options.get("seconds", 0.1)) / 2
            await asyncio.sleep(half)
            upstream, answer, keep = await self._forward(request, upstream)
            await asyncio.sleep(half)
            writer.write(answer)
            await writer.drain()
            return upstream, keep
        upstream, answer, keep = await self._forward(request, upstream)
        if mode == "lost_ack":
            if options.get("how", "rst") == "fin":
                writer.close()
            else:
                _reset(writer)
            return upstream, False
        if mode == "trickle":
            chunk = max(1, int(options.get("chunk", 64)))
            interval = float(options.get("interval", 0.02))
            for start in range(0, len(answer), chunk):
                writer.write(answer[start : start + chunk])
                await writer.drain()
                await asyncio.sleep(interval)
            return upstream, keep
        writer.write(answer)
        await writer.drain()
        return upstream, keep


# -- HTTP/1.1 framing ---------------------------------------------------------------------------


async def _read_head(reader: asyncio.StreamReader) -> bytes:
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        raise _Closed("closed before a complete head") from exc
    except asyncio.LimitOverrunError as exc:
        raise _Closed("head too long") from exc
    except (ConnectionError, OSError) as exc:
        raise _Closed(str(exc)) from exc


def _headers(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return lines[0], headers


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str], *, until_close: bool) -> bytes:
    """The body as it travels (chunked framing kept), per Content-Length / chunked / close."""
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size_line = await reader.readuntil(b"\r\n")
                parts.append(size_line)
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    while True:  # trailers, up to the empty line
                        line = await reader.readuntil(b"\r\n")
                        parts.append(line)
                        if line == b"\r\n":
                            return b"".join(parts)
                parts.append(await reader.readexactly(size + 2))
        length = headers.get("content-length")
        if length is not None:
            return await reader.readexactly(int(length))
        if until_close:
            return await reader.read()
        return b""
    except (asyncio.IncompleteReadError, ConnectionError, OSError, ValueError) as exc:
        raise _Closed(f"body: {exc}") from exc


async def _read_request(reader: asyncio.StreamReader) -> _Request:
    head = await _read_head(reader)
    start, headers = _headers(head)
    parts = start.split(" ")
    if len(parts) < 3:
        raise _Closed(f"not an HTTP request: {start!r}")
    body = await _read_body(reader, headers, until_close=False)
    close = headers.get("connection", "").lower() == "close"
    return _Request(parts[0], parts[1], head + body, body, close)


async def _read_response(reader: asyncio.StreamReader, method: str) -> tuple[bytes, bool]:
    """One whole answer (the raw bytes) and whether the upstream will close after it."""
    while True:
        head = await _read_head(reader)
        start, headers = _headers(head)
        try:
            status = int(start.split(" ")[1])
        except (IndexError, ValueError) as exc:
            raise _Closed(f"not an HTTP answer: {start!r}") from exc
        if 100 <= status < 200:
            continue  # an interim answer: the real one follows
        break
    close = headers.get("connection", "").lower() == "close"
    if method == "HEAD" or status in (204, 304):
        return head, close
    no_length = "content-length" not in headers and "chunked" not in headers.get("transfer-encoding", "").lower()
    body = await _read_body(reader, headers, until_close=True)
    return head + body, close or no_length


def _reset(writer: asyncio.StreamWriter) -> None:
    """Drop the connection with an RST (SO_LINGER 0), not a polite FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()


# -- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A fault-injecting proxy to a local exchange (fixed mode).")
    parser.add_argument("--upstream", type=int, required=True, help="the exchange's port on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every round trip")
    args = parser.parse_args(argv)
    proxy = FaultProxy(args.upstream, port=args.port)
    if args.latency > 0:
        proxy.set_mode("latency", seconds=args.latency)

    async def run() -> None:
        serving = asyncio.ensure_future(proxy.serve_forever())
        while not proxy.port:
            await asyncio.sleep(0.01)
        print(f"PROXY {proxy.port}", flush=True)
        await serving

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
