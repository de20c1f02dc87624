"""The window's side of the exchange API (``docs/exchange-api.md``), over httpx.

:class:`ExchangeClient` speaks to ONE endpoint (the shared exchange, or a department's own)
and turns every way a request can go wrong into a :class:`TransportFailure` that says what
happened in words, Chinese and English, and whether trying again later can help:

- ``offline``: no connection (refused, unreachable, name unknown, reset) — transient;
- ``timeout``: no answer within ``[exchange] timeout_seconds`` — transient;
- ``busy``: ``429`` / ``503``, with ``Retry-After`` when the server gave one — transient;
- ``server``: other ``5xx`` (and ``408``) — transient;
- ``garbage``: an answer that is not the JSON the contract promises (not JSON, wrong shape,
  a results list of the wrong length) — transient: a proxy's error page is not the exchange;
- ``auth``: ``401`` / ``403`` — permanent until the token is fixed;
- ``too_large``: ``413`` — the caller halves its batch;
- ``refused``: any other ``4xx`` (``400`` malformed body …) — permanent for that request.

The client never changes a payload: it sends the outbox's stored text as the string the
contract asks for, so the bytes hashed and signed at acceptance are the bytes that arrive.
"""

from __future__ import annotations

import errno
import json
import socket
from typing import Any

import httpx

from window_app.domain.errors import WindowAppError
from window_app.domain.wire import EnvelopeResult, WireEnvelope, event_problem, result_from_json
from window_app.domain.words import NO_WORDS, Words, counted
from window_app.sync.backoff import parse_retry_after
from window_app.sync.endpoints import Endpoint

TRANSIENT_KINDS = frozenset({"offline", "timeout", "busy", "server", "garbage"})
MAX_ENVELOPES_PER_REQUEST = 200  # the contract's limit
POOL_CONNECTIONS = 4  # httpx's async pool degrades past a few concurrent requests (encode/httpx#3215)


class TransportFailure(WindowAppError):
    """A request to an endpoint failed; its words say why.

    Attributes:
        kind: See the module docstring.
        status: The HTTP status, if an answer came.
        retry_after: Seconds the server asked to wait (``Retry-After``), if it said.
    """

    def __init__(self, kind: str, words: Words, status: int | None = None, retry_after: float | None = None):
        super().__init__(words)
        self.kind = kind
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.kind in TRANSIENT_KINDS


def new_http_client(timeout_seconds: float) -> httpx.AsyncClient:
    """One small pool for every endpoint of a sync round."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_seconds),
        limits=httpx.Limits(max_connections=POOL_CONNECTIONS, max_keepalive_connections=POOL_CONNECTIONS),
        # A county office's proxy settings apply, but never to the loopback (tests, local relays).
        trust_env=True,
        follow_redirects=False,
    )


class ExchangeClient:
    """Requests to one endpoint through a shared ``httpx.AsyncClient``."""

    def __init__(self, http: httpx.AsyncClient, endpoint: Endpoint, timeout_seconds: float):
        self.http = http
        self.endpoint = endpoint
        self.timeout_seconds = timeout_seconds

    # -- the API -----------------------------------------------------------------------------

    async def send_envelopes(self, envelopes: list[WireEnvelope], audit_head: dict[str, Any] | None = None) -> list[EnvelopeResult]:
        """``POST /v1/envelopes``; one result per envelope, in order.

        Args:
            envelopes: ``payload`` is the outbox's stored text, untouched.
            audit_head: The window's latest signed audit head (``"audit_head"`` of the body).

        Raises:
            TransportFailure: The request as a whole failed (nothing to say per envelope), or
                the answer is not the contract's shape (:func:`~window_app.domain.wire.result_from_json`).
        """
        keys = [envelope.idempotency_key for envelope in envelopes]
        wire = [envelope.to_json() for envelope in envelopes]
        document: dict[str, Any] = {"envelopes": wire}
        if audit_head is not None:
            document["audit_head"] = audit_head
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        response = await self._request("POST", "/v1/envelopes", content=body, headers={"Content-Type": "application/json"})
        data = self._json(response)
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise self._garbage(Words("回答中没有 results 列表", "the answer has no results list"))
        if len(results) != len(envelopes):
            raise self._garbage(
                Words(
                    f"回答的结果数（{len(results)}）与发送的件数（{len(envelopes)}）不符",
                    f"{counted(len(results), 'result')} came back for {counted(len(envelopes), 'part')} sent",
                )
            )
        parsed = []
        for key, answer in zip(keys, results):
            result = result_from_json(answer, key)
            if isinstance(result, Words):
                raise self._garbage(result)
            parsed.append(result)
        return parsed

    async def fetch_events(self, since: int, limit: int = 500) -> tuple[list[dict[str, Any]], int, bool]:
        """``GET /v1/events?since=…``: the events after ``since`` (oldest first), the new cursor,
        and whether more are waiting.

        Raises:
            TransportFailure: Also when the answer is not the contract's shape.
        """
        response = await self._request("GET", "/v1/events", params={"since": since, "limit": limit})
        data = self._json(response)
        events = data.get("events") if isinstance(data, dict) else None
        cursor = data.get("cursor", since) if isinstance(data, dict) else None
        if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
            raise self._garbage(Words("回答中没有 events 列表", "the answer has no events list"))
        if cursor is None and events:
            cursor = events[-1].get("seq")
        if cursor is None:
            cursor = since
        if isinstance(cursor, bool) or not isinstance(cursor, int):
            raise self._garbage(Words("回答中的游标不是整数", "the answer's cursor is not an integer"))
        for event in events:
            problem = event_problem(event)
            if problem:
                raise self._garbage(problem)
        more = data.get("more")
        return events, cursor, bool(more) if isinstance(more, bool) else len(events) >= limit

    async def post_audit_head(self, head: dict[str, Any]) -> dict[str, Any]:
        """``POST /v1/audit/head``: the exchange's answer (``{"status", "verified", "head"}``).

        Raises:
            TransportFailure: ``refused`` with status 409 when the exchange holds a later head (or
                another hash at the same position): its words say so.
        """
        body = json.dumps(head, ensure_ascii=False).encode("utf-8")
        response = await self._request("POST", "/v1/audit/head", content=body, headers={"Content-Type": "application/json"})
        data = self._json(response)
        if not isinstance(data, dict) or not isinstance(data.get("status"), str):
            raise self._garbage(Words("回答中没有 status", "the answer has no status"))
        return data

    async def post_tracking(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``POST /v1/tracking``: the signed tracking records; one answer per record, in order
        (``{"receipt_no", "status": "stored" | "rejected", "reason"?}``)."""
        body = json.dumps({"records": records}, ensure_ascii=False).encode("utf-8")
        response = await self._request("POST", "/v1/tracking", content=body, headers={"Content-Type": "application/json"})
        data = self._json(response)
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(records) or not all(isinstance(r, dict) for r in results):
            raise self._garbage(Words("回答中没有与记录一一对应的 results", "the answer has no results, one per record"))
        return results

    async def fetch_audit_head(self) -> dict[str, Any]:
        """``GET /v1/audit/head``: ``{"head": {…} | null, "verified", "received_at"}``: the latest
        audit head of this window the exchange holds."""
        response = await self._request("GET", "/v1/audit/head")
        data = self._json(response)
        if not isinstance(data, dict) or "head" not in data or not (data["head"] is None or isinstance(data["head"], dict)):
            raise self._garbage(Words("回答中没有 head", "the answer has no head"))
        return data

    async def fetch_catalog(self, etag: str | None) -> tuple[int, str, dict[str, Any] | None]:
        """``GET /v1/catalog`` with ``If-None-Match``: ``(304, etag, None)`` or ``(200, etag, body)``."""
        headers = {"If-None-Match": f'"{etag}"'} if etag else {}
        response = await self._request("GET", "/v1/catalog", headers=headers, accept_304=True)
        new_etag = response.headers.get("ETag", "").strip().removeprefix("W/").strip('"')
        if response.status_code == 304:
            return 304, etag or new_etag, None
        data = self._json(response)
        if not isinstance(data, dict) or not isinstance(data.get("files"), dict) or not isinstance(data.get("version"), str):
            raise self._garbage(Words("目录回答缺少 version 或 files", "the catalog answer lacks version or files"))
        return 200, new_etag or str(data.get("digest") or ""), data

    # -- plumbing ------------------------------------------------------------------------------

    async def _request(self, method: str, path: str, *, accept_304: bool = False, **kwargs: Any) -> httpx.Response:
        label = self.endpoint.label
        headers = dict(kwargs.pop("headers", {}) or {})
        if self.endpoint.token:
            headers["Authorization"] = f"Bearer {self.endpoint.token}"
        url = self.endpoint.url + path
        try:
            response = await self.http.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException:
            raise TransportFailure(
                "timeout",
                Words(
                    "{label}无响应（{seconds} 秒超时），稍后自动重试", "{label} did not answer within {seconds} s; will retry"
                ).format(label=label, seconds=f"{self.timeout_seconds:g}"),
            ) from None
        except httpx.ConnectError as exc:
            raise TransportFailure(
                "offline",
                Words("无法连接{label}（{why}），稍后自动重试", "Cannot reach {label} ({why}); will retry").format(
                    label=label, why=_connect_words(exc)
                ),
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.NetworkError) as exc:
            raise TransportFailure(
                "offline",
                Words(
                    "与{label}的连接中断（{name}），稍后自动重试", "The connection to {label} broke off ({name}); will retry"
                ).format(label=label, name=type(exc).__name__),
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # unsupported protocol, invalid URL …
            raise TransportFailure(
                "offline",
                Words(
                    "无法访问{label}（{exc}），请检查 config.toml 中的地址", "Cannot use {label} ({exc}); check its URL in config.toml"
                ).format(label=label, exc=str(exc)),
            ) from None
        status = response.status_code
        if 200 <= status < 300 or (accept_304 and status == 304):
            return response
        raise self._status_failure(response)

    def _status_failure(self, response: httpx.Response) -> TransportFailure:
        label = self.endpoint.label
        status = response.status_code
        detail = _error_detail(response)
        suffix = Words("：", ": ") + detail if detail else NO_WORDS
        if status == 401:
            where = "[exchange] token" if self.endpoint.shared else f"[departments.{self.endpoint.departments[0]}] token"
            what = Words("未配置", "is not set") if not self.endpoint.token else Words("不被接受", "was not accepted")
            return TransportFailure(
                "auth",
                Words(
                    "{label}拒绝了本窗口的令牌（HTTP 401，令牌{what}）。请在 config.toml 的 {where} 中填写正确的窗口令牌",
                    "{label} refused this window's token (HTTP 401; the token {what}). "
                    "Put the window's token in {where} of config.toml",
                ).format(label=label, what=what, where=where),
                status,
            )
        if status == 403:
            return TransportFailure(
                "auth",
                Words(
                    "{label}拒绝访问（HTTP 403）：所配置的令牌不是本窗口的窗口令牌{suffix}",
                    "{label} refused access (HTTP 403): the configured token is not a window token{suffix}",
                ).format(label=label, suffix=suffix),
                status,
            )
        if status == 413:
            return TransportFailure(
                "too_large",
                Words("{label}认为这一批过大（HTTP 413）", "{label} found the batch too large (HTTP 413)").format(label=label),
                status,
            )
        if status in (429, 503):
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None:
                when = Words("，{s} 秒后重试", "; retrying in {s} s").format(s=f"{retry_after:g}")
            else:
                when = Words("，稍后自动重试", "; will retry")
            return TransportFailure(
                "busy",
                Words("{label}繁忙（HTTP {status}）{when}", "{label} is busy (HTTP {status}){when}").format(
                    label=label, status=status, when=when
                ),
                status,
                retry_after,
            )
        if status >= 500 or status == 408:
            return TransportFailure(
                "server",
                Words("{label}内部出错（HTTP {status}{suffix}），稍后自动重试", "{label} failed (HTTP {status}{suffix}); will retry").format(
                    label=label, status=status, suffix=suffix
                ),
                status,
                parse_retry_after(response.headers.get("Retry-After")),
            )
        if 400 <= status < 500:
            return TransportFailure(
                "refused",
                Words("{label}拒收（HTTP {status}{suffix}）", "{label} refused the request (HTTP {status}{suffix})").format(
                    label=label, status=status, suffix=suffix
                ),
                status,
            )
        return TransportFailure(
            "garbage",
            Words(
                "{label}的回答无法识别（HTTP {status}），稍后自动重试",
                "{label} gave an answer that cannot be used (HTTP {status}); will retry",
            ).format(label=label, status=status),
            status,
        )

    def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise self._garbage(Words("不是 JSON", "not JSON")) from None

    def _garbage(self, what: Words) -> TransportFailure:
        return TransportFailure(
            "garbage",
            Words(
                "{label}的回答无法识别（{what}），稍后自动重试", "{label} gave an answer that cannot be used ({what}); will retry"
            ).format(label=self.endpoint.label, what=what),
        )


def _connect_words(exc: Exception) -> Words:
    # anyio says "All connection attempts failed"; the cause chain holds the OS error.
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for error in chain:
        if isinstance(error, ConnectionRefusedError):
            return _REFUSED
        if isinstance(error, socket.gaierror):
            return _NAME_UNKNOWN
        if isinstance(error, OSError) and error.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return _UNREACHABLE
        if isinstance(error, ConnectionResetError):
            return _RESET
    text = " ".join(str(error) for error in chain).lower()
    if "refused" in text:
        return _REFUSED
    if "name or service" in text or "nodename" in text or "getaddrinfo" in text or "name resolution" in text:
        return _NAME_UNKNOWN
    if "unreachable" in text:
        return _UNREACHABLE
    if "reset" in text:
        return _RESET
    return Words("网络不通", "no network")


_REFUSED = Words("连接被拒绝", "connection refused")
_NAME_UNKNOWN = Words("找不到服务器地址", "server name not found")
_UNREACHABLE = Words("网络不可达", "network unreachable")
_RESET = Words("连接被重置", "connection reset")


def _error_detail(response: httpx.Response) -> Words:
    """The reason an error answer gives, read back into words: the exchange's body is
    ``{"error": English, "error_zh": 中文}`` (``docs/exchange-api.md``); another server's
    ``detail`` / ``reason`` / ``message`` is taken for both. Empty if none."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return NO_WORDS
    if not isinstance(data, dict):
        return NO_WORDS
    english = ""
    for key in ("error", "detail", "reason", "message"):
        value = data.get(key)
        if isinstance(value, str) and value:
            english = value[:200]
            break
    chinese = data.get("error_zh")
    chinese = chinese[:200] if isinstance(chinese, str) and chinese else english
    return Words(chinese, english)
