"""The tracking endpoints of the exchange's server.

- ``POST /v1/tracking`` (window token): the window's signed tracking records.
- ``GET /t/{receipt_no}`` (public): the tracking page, HTML; ``?c=<code>``, ``?lang=en``.
- ``POST /v1/track`` (public): the same answer as JSON, ``{"receipt_no", "code"}``.

The public two are rate-limited per client address and per receipt number
(:class:`TrackLimits`, in memory, per process: ``docs/tracking.md``), answer a wrong code and
an unknown number alike (:mod:`window_app.exchange.tracking`) and send pages no browser may
cache, index or refer on (the code is in the link).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from window_app.domain.words import Words
from window_app.exchange import server, tracking, tracking_store
from window_app.exchange.errors import ExchangeError, error_body
from window_app.exchange.rate_limit import RateLimit
from window_app.exchange.tracking_page import page_language, render

MAX_RECORDS = 200
MAX_RECORDS_BYTES = 4 * 1024 * 1024
MAX_TRACK_BYTES = 4 * 1024

_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    # Nothing from anywhere: the page's own inline style, a form back to itself.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
}
NOT_FOUND_WORDS = Words("受理编号或查询码不正确", "the receipt number or the tracking code is not right")


@dataclass
class TrackLimits:
    """How often the public look-up may be asked: per client address and per receipt number,
    each in any minute (``serve --track-per-client``, ``--track-per-receipt``; 0: no limit)."""

    per_client: int = 30
    per_receipt: int = 10
    period: float = 60.0
    clients: RateLimit = field(init=False)
    receipts: RateLimit = field(init=False)

    def __post_init__(self) -> None:
        self.clients = RateLimit(self.per_client, self.period)
        self.receipts = RateLimit(self.per_receipt, self.period)

    def check(self, client: str, receipt_no: str) -> int | None:
        """Count one look-up; ``None`` if allowed, else the seconds to wait."""
        wait = self.clients.hit(client)
        if wait is None:
            wait = self.receipts.hit(receipt_no.strip().upper()[:tracking.MAX_RECEIPT_CHARS])
        return wait


def routes() -> list[Route]:
    """The tracking routes, for :func:`window_app.exchange.server.create_app`."""
    tracking.dummy_digest()  # made now, so the first unknown number costs what a wrong code does
    return [
        Route("/v1/tracking", post_tracking, methods=["POST"]),
        Route("/v1/track", post_track, methods=["POST"]),
        Route("/t/{receipt_no}", get_page, methods=["GET"]),
    ]


async def post_tracking(request: Request) -> JSONResponse:
    """``POST /v1/tracking``: the calling window's tracking records, each stored or refused."""
    subject = await server._subject(request, "window")
    body = await server._json_body(request, MAX_RECORDS_BYTES)
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        raise ExchangeError(400, Words('请求体必须是 {"records": [...]}', 'the body must be {"records": [...]}'))
    if len(records) > MAX_RECORDS:
        raise ExchangeError(413, Words(f"一次最多 {MAX_RECORDS} 条", f"at most {MAX_RECORDS} records at once"))
    results = await run_in_threadpool(tracking_store.store_records, request.app.state.store, subject.id, records)
    return JSONResponse({"results": results})


async def post_track(request: Request) -> JSONResponse:
    """``POST /v1/track``: ``{"receipt_no", "code"}`` → the progress, or 404 (unknown number
    and wrong code alike)."""
    body = await server._json_body(request, MAX_TRACK_BYTES)
    if not isinstance(body, dict) or not isinstance(body.get("receipt_no"), str) or not isinstance(body.get("code"), str):
        raise ExchangeError(400, Words('请求体必须是 {"receipt_no": 文本, "code": 文本}', 'the body must be {"receipt_no": text, "code": text}'))
    receipt_no, code = body["receipt_no"].strip(), body["code"]
    wait = request.app.state.track_limits.check(_client(request), receipt_no)
    if wait is not None:
        raise ExchangeError(429, Words(f"查询过于频繁，请 {wait} 秒后再试", f"too many look-ups: try again in {wait} seconds"), retry_after=wait)
    answer = await run_in_threadpool(tracking.look_up, request.app.state.store, request.app.state.catalog.catalog, receipt_no, code)
    if answer is None:
        return JSONResponse(error_body(NOT_FOUND_WORDS), status_code=404, headers={"Cache-Control": "no-store"})
    return JSONResponse(answer.to_json(), headers={"Cache-Control": "no-store"})


async def get_page(request: Request) -> Response:
    """``GET /t/{receipt_no}``: the tracking page (a form asking for the code when ``c`` is missing)."""
    receipt_no = request.path_params["receipt_no"].strip()
    language = page_language(server._param(request, "lang"), request.headers.get("accept-language", ""))
    code = server._param(request, "c")
    if not code:
        return _page(render(receipt_no, language, None, code_given=False), 200)
    wait = request.app.state.track_limits.check(_client(request), receipt_no)
    if wait is not None:
        headers = {"Retry-After": str(wait)}
        return _page(render(receipt_no, language, None, code_given=True, retry_after=wait), 429, headers)
    answer = await run_in_threadpool(tracking.look_up, request.app.state.store, request.app.state.catalog.catalog, receipt_no, code)
    return _page(render(receipt_no, language, answer, code_given=True), 200 if answer is not None else 404)


def _page(html: str, status: int, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(html, status_code=status, headers={**_PAGE_HEADERS, **(headers or {})})


def _client(request: Request) -> str:
    """The client's address (behind a reverse proxy: the one it forwards, uvicorn's
    ``--forwarded-allow-ips``; docs/deploy.md)."""
    return request.client.host if request.client else "-"
