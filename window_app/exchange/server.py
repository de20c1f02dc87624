"""The exchange's HTTP server: a Starlette app over :class:`~window_app.exchange.store.ExchangeStore`.

Endpoints and their rules are the contract in ``docs/exchange-api.md``; the machine-readable
description is ``openapi.json`` beside this module (served at ``GET /openapi.json``). Store
calls are blocking SQLite, so handlers run them in Starlette's thread pool.

Importing this module needs Starlette (the ``exchange`` extra); the rest of the package does not.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import socket
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.domain.audit_head import AuditHead, head_from_json
from window_app.domain.wire import (
    MAX_CURSOR,
    DecisionRequest,
    decision_from_json,
    json_problem,
    parse_json,
)
from window_app.domain.words import Words
from window_app.exchange import ratings, reports
from window_app.exchange.checks import SUBJECT_ID, decision_signature_problem
from window_app.exchange.errors import ExchangeError, error_body
from window_app.exchange.ledger import checkpoint_log
from window_app.exchange.published_catalog import PublishedCatalog, publish
from window_app.exchange.simulate import Simulation
from window_app.exchange.store import INBOX_STATES, Clock, ExchangeStore, Subject
from window_app.trust.keys import SigningKey

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
MAX_BATCH = 200
MAX_BATCH_BYTES = 32 * 1024 * 1024
MAX_DECISION_BYTES = 256 * 1024  # the longest decision the schema allows, every character \u-escaped
MAX_HEAD_BYTES = 16 * 1024
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
DEMO_WINDOW_PREFIX = "demo-window-"
DEMO_DEPARTMENT_PREFIX = "demo-"

log = logging.getLogger("window_app.exchange")


def create_app(
    db_path: str | Path,
    catalog_path: str | Path | None = None,
    *,
    demo: bool = False,
    simulate: float | Simulation | None = None,
    clock: Clock | None = None,
    key: SigningKey | None = None,
    checkpoints: str | Path | None = None,
    checkpoint_every: int | None = None,
    shared: bool = False,
    signs: bool = True,
    track_limits: Any = None,
) -> Starlette:
    """Build the exchange app on the database ``db_path``.

    Args:
        db_path: The exchange's own database (created if missing): a SQLite file, or a
            ``postgresql://`` URI (:mod:`window_app.exchange.backends`).
        catalog_path: The catalog directory to serve and validate against (default: shipped).
        demo: Accept the fixed demo tokens ``demo-window-<WINDOW_ID>`` (any window id) and
            ``demo-<department_id>`` (every department of the catalog). They are never stored.
        simulate: Seconds after which a simulated reviewer decides every new envelope (or a
            :class:`Simulation` with rates of rejections and supplement requests); ``None``: off.
        clock: Where timestamps come from (default: now, China Standard Time).
        key: The exchange's own key: signs its ledger's checkpoints (``--demo``: the demo key).
        checkpoints: The checkpoint log (default: ``<db_path>-checkpoints.jsonl``); with
            neither ``key`` nor ``demo`` no checkpoints are signed.
        checkpoint_every: Sign a checkpoint every this many ledger entries (default 100).
        shared: Other processes serve the same database (``serve --workers``, PostgreSQL).
        signs: This process signs the ledger's checkpoints (of several workers, one does: it
            signs every worker's entries, the chain being one).
        track_limits: The public tracking look-up's rate limits
            (:class:`~window_app.exchange.tracking_routes.TrackLimits`; default: its defaults).

    Raises:
        CatalogError: The catalog does not load.
        LedgerError: The checkpoint log is unreadable or the database no longer holds what it signed.
        sqlite3.Error, OSError: The database cannot be opened (``DatabaseUnavailable``, an
            ``OSError``: a PostgreSQL server that cannot be reached).
    """
    root = Path(catalog_path) if catalog_path else shipped_catalog_path()
    catalog = load_catalog(root)
    published = publish(catalog, root, demo=demo)
    signed = checkpoint_log(db_path, key, checkpoints, checkpoint_every, demo=demo) if signs else None
    store = ExchangeStore.open(db_path, clock=clock, checkpoints=signed, shared=shared)
    simulation = Simulation(delay=float(simulate)) if isinstance(simulate, (int, float)) else simulate
    if simulation is not None:  # survey bundles' survey items wait for their appointment (simulate.py)
        simulation = dataclasses.replace(simulation, survey_bundles=frozenset(b.id for b in catalog.bundles.values() if b.survey))
    from window_app.exchange import (  # they use this module's request helpers
        courier_route,
        survey_routes,
        tracking_routes,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette):
        task = simulation.start(store) if simulation is not None else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            store.close()  # waits for a simulation step still running in its thread

    app = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/openapi.json", openapi_document, methods=["GET"]),
            Route("/v1/envelopes", post_envelopes, methods=["POST"]),
            Route("/v1/inbox", get_inbox, methods=["GET"]),
            Route("/v1/decisions", post_decision, methods=["POST"]),
            Route("/v1/events", get_events, methods=["GET"]),
            Route("/v1/catalog", get_catalog, methods=["GET"]),
            Route("/v1/hot", get_hot, methods=["GET"]),
            # One route for both methods, so a 405 there names both in its Allow header.
            Route("/v1/audit/head", audit_head, methods=["GET", "POST"]),
            *tracking_routes.routes(),
            *survey_routes.routes(),
            Route("/v1/ratings", ratings_route, methods=["GET", "POST"]),
            *courier_route.routes(),  # POST /v1/courier: a courier file handed in by a relay (docs/courier.md)
        ],
        middleware=[Middleware(RequestGuard), Middleware(GZipMiddleware, minimum_size=4096)],
        exception_handlers={ExchangeError: _exchange_error, HTTPException: _http_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    store.demo_windows = demo
    app.state.store = store
    app.state.catalog = published
    app.state.demo_departments = frozenset(catalog.receivers()) if demo else frozenset()
    app.state.demo = demo
    app.state.simulation = simulation
    app.state.track_limits = track_limits or tracking_routes.TrackLimits()
    app.state.hot_cache = reports.HotCache()
    app.state.answer_key = courier_route.answer_key(key, demo)  # signs courier answers (every worker)
    return app


# -- endpoints -------------------------------------------------------------------------------


async def healthz(request: Request) -> JSONResponse:
    """``GET /healthz``: alive, no token needed."""
    return JSONResponse({"ok": True})


async def openapi_document(request: Request) -> Response:
    """``GET /openapi.json``: the OpenAPI 3.1 description of these endpoints, no token needed."""
    return Response(_openapi_bytes(), media_type="application/json")


def _openapi_bytes(cache: dict[str, bytes] = {}) -> bytes:  # noqa: B006 - a deliberate cache
    if "body" not in cache:
        cache["body"] = OPENAPI_PATH.read_bytes()
    return cache["body"]


async def post_envelopes(request: Request) -> JSONResponse:
    """``POST /v1/envelopes``: a window's batch, stored in one durable transaction."""
    subject = await _subject(request, "window")
    body = await _json_body(request, MAX_BATCH_BYTES)
    envelopes = body.get("envelopes") if isinstance(body, dict) else None
    if not isinstance(envelopes, list):
        raise ExchangeError(400, Words('请求体必须是 {"envelopes": [...]}', 'the body must be {"envelopes": [...]}'))
    # Depth and text outside the entries are checked here; inside an entry, only that entry is
    # refused (wire.envelope_from_json), so the rest of the batch goes on.
    problem = json_problem({key: value for key, value in body.items() if key != "envelopes"}, _BODY)
    if problem:
        raise _bad_request(problem)
    if len(envelopes) > MAX_BATCH:
        raise ExchangeError(
            413,
            Words(
                f"一次请求含 {len(envelopes)} 个信封，最多 {MAX_BATCH} 个",
                f"{len(envelopes)} envelopes in one request; at most {MAX_BATCH}",
            ),
        )
    head = _own_head(subject, body["audit_head"]) if "audit_head" in body else None
    store: ExchangeStore = request.app.state.store
    catalog = request.app.state.catalog.catalog
    results = await run_in_threadpool(store.ingest, subject.id, envelopes, catalog)
    answer: dict[str, Any] = {"results": results}
    if head is not None:  # after the envelopes: a refused head never fails the batch
        outcome = await run_in_threadpool(store.record_audit_head, subject.id, head)
        answer["audit_head"] = outcome.to_json()
    return JSONResponse(answer)


async def audit_head(request: Request) -> JSONResponse:
    """``/v1/audit/head``: ``POST`` records the caller's head, ``GET`` (and ``HEAD``) reads it."""
    return await (post_audit_head if request.method == "POST" else get_audit_head)(request)


async def post_audit_head(request: Request) -> JSONResponse:
    """``POST /v1/audit/head``: the calling window's latest signed audit head; kept only forward."""
    subject = await _subject(request, "window")
    body = await _json_body(request, MAX_HEAD_BYTES)
    problem = json_problem(body, _BODY)
    if problem:
        raise _bad_request(problem)
    head = _own_head(subject, body)
    store: ExchangeStore = request.app.state.store
    outcome = await run_in_threadpool(store.record_audit_head, subject.id, head)
    if outcome.status == "refused":
        raise ExchangeError(outcome.http_status, outcome.reason)
    return JSONResponse(outcome.to_json())


async def get_audit_head(request: Request) -> JSONResponse:
    """``GET /v1/audit/head``: the latest audit head of the calling window the exchange holds."""
    subject = await _subject(request, "window")
    store: ExchangeStore = request.app.state.store
    return JSONResponse(await run_in_threadpool(store.audit_head, subject.id))


def _own_head(subject: Subject, obj: object) -> AuditHead:
    """The caller's audit head from a body: 400 malformed, 403 another window's."""
    head = head_from_json(obj)
    if isinstance(head, Words):
        raise _bad_request(head)
    if head.window_id.upper() != subject.id.upper():
        raise ExchangeError(
            403,
            Words(
                f"审计链头属于窗口“{head.window_id}”，调用方为 {subject}",
                f"the audit head is window '{head.window_id}''s; the caller is {subject}",
            ),
        )
    return head


async def ratings_route(request: Request) -> JSONResponse:
    """``/v1/ratings`` (好差评, :mod:`window_app.exchange.ratings`): ``POST`` a window's ratings
    and rectification cases; ``GET`` the tracking page's ratings of the window's applications."""
    subject = await _subject(request, "window")
    store: ExchangeStore = request.app.state.store
    if request.method != "POST":
        since = _int_param(request, "since", 0, 0, MAX_CURSOR)
        limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
        return JSONResponse(await run_in_threadpool(ratings.tracking_ratings, store, subject.id, since, limit))
    body = await _json_body(request, MAX_BATCH_BYTES)
    problem = json_problem(body, _BODY)
    if problem:
        raise _bad_request(problem)
    return JSONResponse(await run_in_threadpool(ratings.store_batch, store, subject.id, body))


async def get_inbox(request: Request) -> JSONResponse:
    """``GET /v1/inbox``: the calling department's envelopes; lists ``new`` ones as received."""
    subject = await _subject(request, "department")
    wanted = _param(request, "department")
    if wanted is not None and wanted != subject.id:
        raise ExchangeError(
            403,
            Words(
                f"此令牌属于部门“{subject.id}”，而非“{wanted}”",
                f"this token belongs to department '{subject.id}', not '{wanted}'",
            ),
        )
    state = _param(request, "state")
    if state is None:  # absent; an empty one is refused below like any other
        state = "new"
    if state not in INBOX_STATES:
        raise ExchangeError(
            400, Words(f"state 须为 {'、'.join(INBOX_STATES)} 之一", f"state must be one of {', '.join(INBOX_STATES)}")
        )
    limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    store: ExchangeStore = request.app.state.store
    entries = await run_in_threadpool(store.inbox, subject.id, state, limit)
    return JSONResponse({"envelopes": entries})


async def post_decision(request: Request) -> JSONResponse:
    """``POST /v1/decisions``: a department decides one item of one of its envelopes."""
    subject = await _subject(request, "department")
    body = await _json_body(request, MAX_DECISION_BYTES)
    problem = json_problem(body, _BODY)
    if problem:
        raise _bad_request(problem)
    decision = decision_from_json(body)
    if isinstance(decision, Words):
        raise _bad_request(decision)
    store: ExchangeStore = request.app.state.store
    revoked = await run_in_threadpool(store.revoked_department_keys)
    problem = decision_signature_problem(request.app.state.catalog.catalog, subject.id, decision, revoked)
    if problem:
        raise ExchangeError(403, problem)  # a signature is a credential: it does not prove this department
    event, created = await run_in_threadpool(_decide, store, subject, decision)
    return JSONResponse({"event": event}, status_code=201 if created else 200)


def _decide(store: ExchangeStore, subject: Subject, decision: DecisionRequest) -> tuple[dict[str, Any], bool]:
    return store.decide(
        subject.id,
        decision.envelope_id,
        decision.item,
        decision.decision,
        result=decision.result,
        reason=decision.reason,
        material=decision.material,
        decided_by=decision.decided_by,
        signature=decision.signature,
    )


async def get_events(request: Request) -> JSONResponse:
    """``GET /v1/events``: the calling window's events after its cursor."""
    subject = await _subject(request, "window")
    since = _int_param(request, "since", 0, 0, MAX_CURSOR)
    limit = _int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    store: ExchangeStore = request.app.state.store
    events, cursor, more = await run_in_threadpool(store.events, subject.id, since, limit)
    return JSONResponse({"events": events, "cursor": cursor, "more": more})


async def get_hot(request: Request) -> JSONResponse:
    """``GET /v1/hot?region=CODE&days=N``: the bundles most used in a region (window_app/exchange/reports.py)."""
    await _subject(request, "window")
    region = _param(request, "region") or ""
    reports.region_prefix(region)  # a bad code is refused before anything is counted
    days = _int_param(request, "days", reports.HOT_DAYS, 1, 366)
    store: ExchangeStore = request.app.state.store
    now = store.clock().timestamp()
    offerings = await run_in_threadpool(
        request.app.state.hot_cache.get, (region, days), lambda: reports.hot_offerings(store.backend, region, now=now, days=days)
    )
    return JSONResponse({"region": region, "days": days, "offerings": offerings})


async def get_catalog(request: Request) -> Response:
    """``GET /v1/catalog``: the published catalog; ``304`` when ``If-None-Match`` is current."""
    await _subject(request, None)
    published: PublishedCatalog = request.app.state.catalog
    headers = {"ETag": published.etag, "Cache-Control": "no-cache"}
    if published.matches(request.headers.get("if-none-match")):
        return Response(status_code=304, headers=headers)
    return Response(published.body, media_type="application/json", headers=headers)


# -- request helpers -------------------------------------------------------------------------

_BEARER = re.compile(r"Bearer\s+(\S+)\s*", re.IGNORECASE)


async def _subject(request: Request, kind: str | None) -> Subject:
    """Who calls, from ``Authorization: Bearer``; 401 unknown token, 403 wrong kind."""
    match = _BEARER.fullmatch(request.headers.get("authorization", ""))
    if not match:
        raise ExchangeError(
            401, Words("缺少令牌（Authorization: Bearer <令牌>）", "missing bearer token (Authorization: Bearer <token>)")
        )
    token = match[1]
    subject = _demo_subject(request, token)
    if subject is None:
        store: ExchangeStore = request.app.state.store
        subject = await run_in_threadpool(store.authenticate, token)
    if subject is None:
        raise ExchangeError(401, Words("令牌无效或已吊销", "unknown or revoked token"))
    if kind is not None and subject.kind != kind:
        raise ExchangeError(
            403,
            Words(
                f"此接口须使用{'窗口' if kind == 'window' else '部门'}令牌；调用方为 {subject}",
                f"this endpoint is for a {kind} token; the caller is {subject}",
            ),
        )
    return subject


def _demo_subject(request: Request, token: str) -> Subject | None:
    if not request.app.state.demo:
        return None
    if token.startswith(DEMO_WINDOW_PREFIX):
        window_id = token[len(DEMO_WINDOW_PREFIX) :]
        return Subject("window", window_id) if SUBJECT_ID.fullmatch(window_id) else None
    if token.startswith(DEMO_DEPARTMENT_PREFIX):
        department = token[len(DEMO_DEPARTMENT_PREFIX) :]
        return Subject("department", department) if department in request.app.state.demo_departments else None
    return None


_BODY = Words("请求体", "the body")


async def _json_body(request: Request, limit: int) -> Any:
    """The request's JSON body: 415 if it says it is not JSON (UTF-8), 413 above ``limit`` bytes,
    400 if it is not strict JSON (:func:`~window_app.domain.wire.parse_json`). Depth and lone
    surrogates are the endpoint's to check (a batch checks them entry by entry)."""
    content_type = request.headers.get("content-type")
    if content_type is not None and not _is_json(content_type):
        raise ExchangeError(
            415,
            Words(
                f"请求体须为 application/json（UTF-8），而非 {content_type}",
                f"the body must be application/json (UTF-8), not {content_type}",
            ),
        )
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    body = parse_json(b"".join(chunks), _BODY)
    if isinstance(body, Words):
        raise _bad_request(body)
    return body


def _is_json(content_type: str) -> bool:
    """``application/json`` (or ``…+json``), with no charset other than UTF-8."""
    media_type, *params = (part.strip().lower() for part in content_type.split(";"))
    if media_type != "application/json" and not (media_type.startswith("application/") and media_type.endswith("+json")):
        return False
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in ("utf-8", "utf8"):
            return False
    return True


def _too_large(limit: int) -> ExchangeError:
    return ExchangeError(413, Words(f"请求体超过 {limit} 字节", f"the body is larger than {limit} bytes"))


_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,30}")


def _param(request: Request, name: str) -> str | None:
    """A query parameter given at most once (twice is ambiguous: 400)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ExchangeError(
            400, Words(f"查询参数 {name} 出现了 {len(values)} 次，至多一次", f"{name} is given {len(values)} times; once at most")
        )
    return values[0] if values else None


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    """A whole-number parameter in ``low…high``: ASCII digits only (Python's ``int`` would also
    take ``1_0``, `` 5 `` and other scripts' digits, which the document does not allow)."""
    raw = _param(request, name)
    if raw is None:
        return default
    value = int(raw) if _WHOLE_NUMBER.fullmatch(raw) else low - 1
    if value < low or (high is not None and value > high):
        span = f"{low}…{high}" if high is not None else f"≥ {low}"
        raise ExchangeError(400, Words(f"{name} 须为整数 {span}", f"{name} must be a whole number {span}"))
    return value


def _bad_request(problem: Words) -> ExchangeError:
    """A 400 saying what the wire check found."""
    return ExchangeError(400, problem)


# -- what every request must be ------------------------------------------------------------

_READ_HEADERS = (b"authorization", b"if-none-match", b"content-type")
_NOT_VISIBLE_ASCII = re.compile(rb"[^\x20-\x7e]")


def _request_problem(scope: Scope) -> Words | None:
    """Why a request is refused before any endpoint sees it: a query string that is not UTF-8
    once percent-decoded, or a header the exchange reads holding more than printable ASCII."""
    for part in scope.get("query_string", b"").split(b"&"):
        try:
            unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return Words("查询字符串解码后不是合法的 UTF-8", "the query string is not valid UTF-8 once percent-decoded")
    for name, value in scope.get("headers", ()):
        if name in _READ_HEADERS and _NOT_VISIBLE_ASCII.search(value):
            header = name.decode("ascii")
            return Words(f"请求头 {header} 含有可打印 ASCII 以外的字符", f"header {header} holds characters other than printable ASCII")
    return None


class RequestGuard:
    """ASGI middleware: refuses what no endpoint may see (:func:`_request_problem`) with 400, and
    answers an unforeseen exception with a JSON 500 on a connection that stays open.

    Starlette's own last-resort handler answers too, but then re-raises, and uvicorn drops the
    connection; here the exception is logged and the keep-alive connection serves the next
    request.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _request_problem(scope)
        if problem is not None:
            await JSONResponse(error_body(problem), status_code=400)(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            if started:  # half an answer is out: nothing better than dropping the connection
                raise
            log.exception("internal error on %s %s", scope.get("method"), scope.get("path"))
            await _internal_response(exc)(scope, receive, send)


def _internal_response(exc: Exception) -> JSONResponse:
    name = type(exc).__name__
    return JSONResponse(error_body(Words(f"交换平台内部错误：{name}", f"internal error: {name}")), status_code=500)


# -- errors as JSON --------------------------------------------------------------------------


async def _exchange_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ExchangeError)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else {}
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


_HTTP_WORDS = {404: Words("没有此接口", "no such endpoint"), 405: Words("此接口不支持该方法", "method not allowed here")}


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    words = _HTTP_WORDS.get(exc.status_code, Words(str(exc.detail), str(exc.detail)))
    return JSONResponse(error_body(words), status_code=exc.status_code, headers=exc.headers)


async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return _internal_response(exc)


def routes_of(app: Starlette) -> list[tuple[str, str]]:
    """(path, method) of every endpoint, lower-case methods, HEAD left out."""
    found = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                found.append((route.path, method.lower()))
    return found


def serve(app: Starlette, sock: socket.socket) -> None:
    """Serve ``app`` on the listening ``sock`` until interrupted (uvicorn, one process)."""
    uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on")).run(sockets=[sock])
