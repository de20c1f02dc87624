"""The sync and exchange errors carry words; the HTTP error body is their wire form, both ways."""

from __future__ import annotations

import httpx

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words, set_language
from window_app.exchange.client import ExchangeClientError, _answer_words
from window_app.exchange.errors import ExchangeError
from window_app.sync.client import Endpoint, ExchangeClient, TransportFailure
from window_app.sync.lock import SyncBusy
from window_app.sync.supplements import SupplementRefused

DECIDED = Words("事项已有最终决定", "the item is already decided")


def test_every_sync_and_exchange_error_is_a_window_app_error_with_words(tmp_path) -> None:
    errors = [
        ExchangeError(409, DECIDED),
        ExchangeClientError(409, DECIDED),
        TransportFailure("refused", DECIDED, 409),
        SupplementRefused(DECIDED),
        SyncBusy(tmp_path / "sync.lock", None),
    ]
    for error in errors:
        assert isinstance(error, WindowAppError) and error.words
    try:
        set_language("en")
        assert [str(error) for error in errors[:4]] == ["the item is already decided"] * 4
        assert str(errors[4]) == "Another sync process is running"
    finally:
        set_language("zh")
    assert str(errors[0]) == "事项已有最终决定"


def test_the_error_body_is_built_from_the_words_and_read_back_into_words() -> None:
    body = ExchangeError(409, DECIDED, retry_after=None).body()
    assert body == {"error": "the item is already decided", "error_zh": "事项已有最终决定"}  # docs/exchange-api.md
    response = httpx.Response(409, json=body)
    # The department's client: the status, then the words.
    assert _answer_words(response) == Words("409：事项已有最终决定", "409: the item is already decided")
    # The window's sync client: the words inside its own.
    failure = ExchangeClient(None, Endpoint("http://exchange.test", "t"), 5)._status_failure(response)  # type: ignore[arg-type]
    assert failure.kind == "refused" and failure.status == 409
    assert failure.words == Words(
        "交换平台拒收（HTTP 409：事项已有最终决定）", "the exchange refused the request (HTTP 409: the item is already decided)"
    )
