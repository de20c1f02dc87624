"""``POST|GET /v1/audit/head`` and the ``audit_head`` of ``POST /v1/envelopes`` on the real exchange.

Answers are checked against ``openapi.json``'s schemas; a refused head is recorded and never fails
the envelopes it travels with.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema
import pytest

from tests.exchange_fixtures import (  # noqa: F401
    ExchangeServer,
    exchange_server,
    exchange_server_factory,
    key_of_test_window,
    make_envelope,
)
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from window_app.domain.audit_head import AuditHead
from window_app.exchange.server import OPENAPI_PATH
from window_app.trust.keys import SigningKey
from window_app.trust.signing import sign

pytestmark = pytest.mark.usefixtures("exchange_backend")
WINDOW = "demo-window-ZF-01"
KEY = key_of_test_window("ZF-01")  # the key the demo exchange registers from the test envelopes
DOCUMENT = json.loads(OPENAPI_PATH.read_text("utf-8"))


def head(seq: int, digest: str = "a" * 64, window_id: str = "ZF-01") -> dict[str, Any]:
    unsigned = AuditHead(window_id, seq, digest, "2026-11-27T01:30:00Z", {})
    return AuditHead(window_id, seq, digest, unsigned.at, sign(KEY, unsigned.message()).to_json()).to_json()


def call(server: ExchangeServer, method: str, path: str, token: str | None = WINDOW, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.request(method, server.url + path, headers=headers, timeout=10, trust_env=False, **kwargs)


def check(schema: str, value: Any) -> None:
    jsonschema.Draft202012Validator({**DOCUMENT, "$ref": f"#/components/schemas/{schema}"}).validate(value)


def test_a_window_posts_its_head_and_reads_it_back(exchange_server: ExchangeServer) -> None:
    empty = call(exchange_server, "GET", "/v1/audit/head")
    assert empty.status_code == 200 and empty.json()["head"] is None
    check("AuditHeadAnswer", empty.json())
    check("AuditHead", head(4))

    stored = call(exchange_server, "POST", "/v1/audit/head", json=head(4))
    assert stored.status_code == 200, stored.text
    assert stored.json() == {"status": "stored", "verified": False, "head": head(4)}
    check("HeadOutcome", stored.json())
    again = call(exchange_server, "POST", "/v1/audit/head", json=head(4))
    assert again.json()["status"] == "unchanged"

    answer = call(exchange_server, "GET", "/v1/audit/head").json()
    check("AuditHeadAnswer", answer)
    assert answer["head"] == head(4) and answer["refusals"] == 0
    other = call(exchange_server, "GET", "/v1/audit/head", token="demo-window-ZF-02").json()
    assert other["head"] is None  # each window sees its own


def test_a_head_that_goes_back_is_refused_with_words_and_recorded(exchange_server: ExchangeServer) -> None:
    assert call(exchange_server, "POST", "/v1/audit/head", json=head(9)).status_code == 200
    refused = call(exchange_server, "POST", "/v1/audit/head", json=head(5))
    assert refused.status_code == 409
    check("Error", refused.json())
    assert "the audit head goes back" in refused.json()["error"] and "审计链头倒退" in refused.json()["error_zh"]
    forked = call(exchange_server, "POST", "/v1/audit/head", json=head(9, "b" * 64))
    assert forked.status_code == 409 and "another hash" in forked.json()["error"]
    answer = call(exchange_server, "GET", "/v1/audit/head").json()
    assert answer["head"]["seq"] == 9 and answer["head"]["hash"] == "a" * 64 and answer["refusals"] == 2


@pytest.mark.parametrize(
    ("token", "body", "status"),
    [
        (None, head(1), 401),
        ("demo-market_regulation-522325", head(1), 403),
        (WINDOW, head(1, window_id="ZF-02"), 403),
        (WINDOW, {**head(1), "seq": -1}, 400),
        (WINDOW, [], 400),
    ],
)
def test_what_is_not_the_callers_head_is_refused(exchange_server: ExchangeServer, token, body, status) -> None:
    answer = call(exchange_server, "POST", "/v1/audit/head", token=token, json=body)
    assert answer.status_code == status
    check("Error", answer.json())
    assert call(exchange_server, "GET", "/healthz").status_code == 200  # the connection stays usable


def test_a_batch_carries_the_head_and_a_refused_head_never_fails_it(exchange_server: ExchangeServer) -> None:
    first = call(exchange_server, "POST", "/v1/envelopes", json={"envelopes": [make_envelope()], "audit_head": head(7)})
    assert first.status_code == 200, first.text
    check("EnvelopeResults", first.json())
    assert first.json()["audit_head"] == {"status": "stored", "verified": True, "head": head(7)}

    behind = call(
        exchange_server,
        "POST",
        "/v1/envelopes",
        json={"envelopes": [make_envelope("522325-261127-ZF-01-TEST-0002-4P")], "audit_head": head(3)},
    )
    assert behind.status_code == 200
    check("EnvelopeResults", behind.json())
    assert behind.json()["results"][0]["status"] == "created"
    assert behind.json()["audit_head"]["status"] == "refused" and "goes back" in behind.json()["audit_head"]["reason"]

    foreign = SigningKey.generate()  # a head from a key the window never registered
    unsigned = AuditHead("ZF-01", 9, "b" * 64, "2026-11-27T01:30:00Z", {})
    forged = AuditHead("ZF-01", 9, "b" * 64, unsigned.at, sign(foreign, unsigned.message()).to_json()).to_json()
    answer = call(exchange_server, "POST", "/v1/envelopes", json={"envelopes": [], "audit_head": forged}).json()
    assert answer["audit_head"]["status"] == "refused" and "not an active key registered" in answer["audit_head"]["reason"]

    malformed = call(exchange_server, "POST", "/v1/envelopes", json={"envelopes": [make_envelope()], "audit_head": {"seq": 1}})
    assert malformed.status_code == 400 and "audit head" in malformed.json()["error"]
