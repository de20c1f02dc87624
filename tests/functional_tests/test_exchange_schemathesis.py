"""Schemathesis against the real exchange: generated requests, checked against its own OpenAPI.

The exchange runs as its own process (``window-app exchange serve --demo``) on 127.0.0.1 with a
fresh database (SQLite, and PostgreSQL: every operation on both), seeded with a few envelopes and decisions so that inboxes and events have
something to answer with. Schemathesis takes the document the server serves at
``GET /openapi.json`` (read from the same package file at collection time, so pytest-xdist can
spread the operations over its workers; the fixture checks the served one is identical) and,
per operation, sends requests the document calls valid and invalid (coverage phase: its
boundaries and unexpected methods; fuzzing phase: ``MAX_EXAMPLES`` generated ones; examples,
where the document has any), with a window or a department token as the operation's tag says,
demo or issued, and now and then the other kind of token or none.

Every built-in check runs: no 5xx; a documented status, content type and headers; bodies that
match their schemas; a 4xx (400, 401, 403, 404, 405, 413, 415, 422) for what the document calls
invalid; for what it calls valid, nothing but 2xx, 401, 403, 404 or 409; 405 with ``Allow``
for an unexpected method; 401 without a token.

Bounded and reproducible: a fixed seed, derandomized, no example database, and the same fresh
exchange for every operation, so the same requests go out on every run. With
``EXCHANGE_SCHEMATHESIS_TALLY=FILE`` each request adds a line (operation, phase, mode, caller,
status) to FILE: the figures of a run.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core import NotSet

from tests.exchange_fixtures import exchange_db, is_postgresql, make_envelope  # noqa: F401 - a fixture
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from tests.exchange_process import ExchangeProcess
from window_app.domain.wire import DecisionRequest
from window_app.exchange.department_keys import DepartmentKeys
from window_app.exchange.server import OPENAPI_PATH
from window_app.exchange.store import ExchangeStore

SEED = 20261127
MAX_EXAMPLES = 100
WINDOW_ID = "ZF-01"
DEPARTMENT = "market_regulation-522325"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                       "with-security-parameters": False},
        "phases": {"examples": {"enabled": True}, "coverage": {"enabled": True}, "fuzzing": {"enabled": True}},
        "checks": {
            # 413 is how the exchange refuses a batch over maxItems: the window halves it and sends again.
            "negative_data_rejection": {"expected-statuses": [400, 401, 403, 404, 405, 413, 415, 422]},
        },
    }
)

# The document the server serves is this file (tests/functional_tests/test_exchange_server.py
# checks it byte for byte, and the fixture below again): operations are known at collection time,
# so pytest-xdist can spread them over its workers.
schema = schemathesis.openapi.from_dict(json.loads(OPENAPI_PATH.read_text("utf-8")), config=CONFIG)


class Exchange:
    """The running exchange and the tokens to call it with."""

    def __init__(self, process: ExchangeProcess, tokens: dict[str, dict[str, str]]):
        self.process = process
        self.tokens = tokens  # kind → {"demo": token, "issued": token}
        self.session = requests.Session()
        self.session.trust_env = False

    @property
    def url(self) -> str:
        return self.process.url


@pytest.fixture
def exchange(exchange_backend: str, exchange_db: str | Path, tmp_path: Path) -> Iterator[Exchange]:
    """A demo exchange process on a free port, with issued tokens and a few envelopes decided.

    A fresh one for each operation: what schemathesis generates next learns from the answers so
    far, so the same seed gives the same requests only if every run starts from the same state
    (whatever the order pytest-xdist runs the operations in, on whichever worker).
    """
    db = exchange_db
    store = ExchangeStore.open(db)
    try:
        issued = {"window": store.issue_token("window", WINDOW_ID), "department": store.issue_token("department", DEPARTMENT)}
    finally:
        store.close()
    log = ("--checkpoints", str(tmp_path / "checkpoints.jsonl")) if is_postgresql(db) else ()
    process = ExchangeProcess(db, extra=log).start()
    exchange = Exchange(
        process,
        {
            "window": {"demo": f"demo-window-{WINDOW_ID}", "issued": issued["window"]},
            "department": {"demo": f"demo-{DEPARTMENT}", "issued": issued["department"]},
        },
    )
    try:
        served = httpx.get(f"{exchange.url}/openapi.json", timeout=10, trust_env=False)
        assert served.json() == json.loads(OPENAPI_PATH.read_text("utf-8"))
        _seed(exchange)
        yield exchange
    finally:
        exchange.session.close()
        process.stop()


def _seed(exchange: Exchange) -> None:
    """Envelopes in every inbox state and decision events, so answers have bodies to check."""
    with httpx.Client(base_url=exchange.url, timeout=10, trust_env=False) as client:
        window = {"Authorization": f"Bearer {exchange.tokens['window']['demo']}"}
        department = {"Authorization": f"Bearer {exchange.tokens['department']['demo']}"}
        batch = [make_envelope(receipt_no=f"522325-261127-ZF-01-SCHE-{n:04d}-4P", window_id=WINDOW_ID) for n in range(4)]
        answer = client.post("/v1/envelopes", json={"envelopes": batch}, headers=window)
        assert [r["status"] for r in answer.json()["results"]] == ["created"] * 4, answer.text
        ids = [r["envelope_id"] for r in answer.json()["results"]]
        decisions = [
            {"envelope_id": ids[0], "item": "company_registration", "decision": "approved", "result": "营业执照"},
            {"envelope_id": ids[1], "item": "company_registration", "decision": "rejected", "reason": "材料不实"},
            {"envelope_id": ids[2], "item": "company_registration", "decision": "supplement_needed", "material": "id_card"},
        ]
        keys = DepartmentKeys.demo("market_regulation-522325")  # the demo department signs as its client does
        for decision in decisions:
            signed = keys.signed(DecisionRequest(**decision)).to_json()
            assert client.post("/v1/decisions", json=signed, headers=department).status_code == 201


def _caller(exchange: Exchange, operation: Any, choice: str) -> dict[str, str]:
    """The Authorization header for this operation: its own kind of token (demo or issued, by the
    operation's tag), or — ``choice == "other"`` — a token of the other kind."""
    tags = operation.definition.raw.get("tags", [])
    kind = "department" if "department" in tags else "window"
    if choice == "none":
        return {}
    if choice == "other":
        kind = "window" if kind == "department" else "department"
        choice = "demo"
    return {"Authorization": f"Bearer {exchange.tokens[kind][choice]}"}


def _tally(case: schemathesis.Case, choice: str, status: int) -> None:
    """One line per request to ``$EXCHANGE_SCHEMATHESIS_TALLY``, if set (for the figures in a report)."""
    path = os.environ.get("EXCHANGE_SCHEMATHESIS_TALLY")
    if path:
        phase = case.meta.phase.name.value if case.meta else "?"
        mode = case.meta.generation.mode.value if case.meta else "?"
        with open(path, "a", encoding="utf-8") as tally:
            tally.write(f"{case.operation.label}\t{phase}\t{mode}\t{choice}\t{status}\n")


# Who calls, by a stable hash of the case (so a replayed or shrunk case calls the same way):
# mostly the operation's own kind of token, demo or issued; now and then the other kind, or none.
# (Not drawn with `schema.given`: extra strategies turn the coverage phase off.)
CHOICES = ("demo", "demo", "demo", "issued", "issued", "issued", "other", "none")


def _choice(case: schemathesis.Case) -> str:
    body = None if isinstance(case.body, NotSet) else case.body  # NotSet's repr holds its address
    seen = repr((case.method, case.path, case.query, case.headers, body)).encode("utf-8", "surrogatepass")
    return CHOICES[zlib.crc32(seen) % len(CHOICES)]


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # one exchange per operation, on purpose
def test_the_exchange_answers_as_its_openapi_says(case: schemathesis.Case, exchange: Exchange) -> None:
    choice = _choice(case)
    headers = _caller(exchange, case.operation, choice)
    response = case.call(base_url=exchange.url, session=exchange.session, headers=headers)
    _tally(case, choice, response.status_code)
    case.validate_response(response, headers=headers)
