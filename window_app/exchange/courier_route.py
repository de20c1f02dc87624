"""``POST /v1/courier``: a window's USB courier file handed in over the line by another window
(the county centre's, when a township reaches the exchange only through it; docs/courier.md).

The body is ``{"file": "<the courier file's text>"}``; the answer ``{"status", "answer",
"words"}`` with the signed answer file's text, which goes back to the township on the stick.
The caller's window token only lets it in: what the file may do is decided by the file's own
signature against the township's registered key (:mod:`window_app.exchange.courier_import`),
so the township's signatures stay intact and a relay can neither forge nor alter a file.
A refused file is answered ``{"status": "refused", "reason", "words"}`` (``reason``: ``damaged``,
``key`` — not signed by the window's registered key —, ``replayed``): the request was sound, the
file is not, and nothing was stored. 503: the exchange signs no answers (started without
``--key`` and not ``--demo``).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from window_app.domain.words import Words
from window_app.exchange import ledger, server
from window_app.exchange.courier_import import CourierImportRefused, import_courier
from window_app.exchange.errors import ExchangeError
from window_app.trust.courier_file import MAX_BYTES
from window_app.trust.demo import demo_signing_key
from window_app.trust.keys import SigningKey

MAX_COURIER_BYTES = min(MAX_BYTES, 256 * 1024 * 1024)


def answer_key(key: SigningKey | None, demo: bool) -> SigningKey | None:
    """The key the answers are signed with: the exchange's own (``--key``), the demo key for a
    demo exchange, else none (courier files are then refused with 503)."""
    if key is None and demo:
        return demo_signing_key(ledger.DEMO_KEY_NAME)
    return key


def routes() -> list[Route]:
    """The courier's route, for :func:`window_app.exchange.server.create_app`."""
    return [Route("/v1/courier", post_courier, methods=["POST"])]


async def post_courier(request: Request) -> JSONResponse:
    """Take a courier file in and answer with the signed answer file (see the module)."""
    await server._subject(request, "window")
    body = await server._json_body(request, MAX_COURIER_BYTES)
    text = body.get("file") if isinstance(body, dict) else None
    if not isinstance(text, str):
        raise ExchangeError(400, Words('请求体必须是 {"file": 文本}', 'the body must be {"file": text}'))
    store = request.app.state.store
    key = request.app.state.answer_key
    if key is None:
        raise ExchangeError(
            503,
            Words("交换平台未配置签名密钥（--key），无法签发U盘回执", "the exchange has no signing key (--key): it cannot sign a courier answer"),
        )
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ExchangeError(400, Words("文件不是合法的 UTF-8 文本", "the file is not valid UTF-8 text")) from None
    try:
        outcome = await run_in_threadpool(import_courier, store, request.app.state.catalog.catalog, data, key)
    except CourierImportRefused as refused:
        # The request was fine; the file is refused (as a batch's entry is): said, nothing stored.
        return JSONResponse({"status": "refused", "reason": refused.kind, "words": refused.words.to_json()})
    return JSONResponse({"status": outcome.status, "answer": outcome.answer.decode("utf-8"), "words": outcome.words().to_json()})
