"""The department exchange over real HTTP: a uvicorn server on 127.0.0.1, httpx clients.

The server comes from ``tests/exchange_fixtures.py`` (demo tokens: ``demo-window-ZF-01``,
``demo-<department>``); its database is read directly to count rows. Every test runs on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema  # comes with openapi-spec-validator (the test extra): never skipped
import openapi_spec_validator
import pytest

from tests.exchange_fixtures import (  # noqa: F401 - the fixtures, also without the conftest plugin
    ExchangeServer,
    exchange_server,
    exchange_server_factory,
    fresh_postgresql_database,
    key_of_test_window,
    make_envelope,
    query,
    receipt,
    refused_url,
    register_test_window,
)
from tests.exchange_fixtures import on_both_backends as exchange_backend  # noqa: F401 - a fixture
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.domain.identifiers import check_uscc
from window_app.domain.wire import DecisionRequest
from window_app.domain.words import Words
from window_app.exchange.department_keys import DepartmentKeys
from window_app.exchange.server import OPENAPI_PATH, routes_of

pytestmark = pytest.mark.usefixtures("exchange_backend")
ROOT = Path(__file__).resolve().parents[2]
WINDOW = "demo-window-ZF-01"
MARKET = "demo-market_regulation-522325"


def call(server: ExchangeServer, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
    headers = dict(kwargs.pop("headers", {}))
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.request(method, server.url + path, headers=headers, timeout=10, trust_env=False, **kwargs)


def post(server: ExchangeServer, envelopes: list[dict], token: str = WINDOW) -> list[dict]:
    response = call(server, "POST", "/v1/envelopes", token, json={"envelopes": envelopes})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def envelope_rows(server: ExchangeServer) -> int:
    return query(server.db_path, "SELECT count(*) FROM envelopes")[0][0]


def events(server: ExchangeServer, token: str = WINDOW, since: int = 0, limit: int = 100) -> dict:
    response = call(server, "GET", "/v1/events", token, params={"since": since, "limit": limit})
    assert response.status_code == 200, response.text
    return response.json()


# -- envelopes in ----------------------------------------------------------------------------


def test_a_batch_is_created_and_a_repeat_is_a_duplicate_with_the_first_time(exchange_server) -> None:
    batch = [make_envelope(receipt_no=receipt(n + 1)) for n in range(3)]
    first = post(exchange_server, batch)
    assert [r["status"] for r in first] == ["created"] * 3
    time.sleep(1.1)  # a later answer would carry a later time
    again = post(exchange_server, batch)
    assert [r["status"] for r in again] == ["duplicate"] * 3
    assert [(r["envelope_id"], r["received_at"]) for r in again] == [(r["envelope_id"], r["received_at"]) for r in first]
    assert envelope_rows(exchange_server) == 3


def test_a_duplicate_survives_a_restart_on_the_same_port_and_database(exchange_server) -> None:
    envelope = make_envelope()
    (first,) = post(exchange_server, [envelope])
    exchange_server.stop()
    with pytest.raises(httpx.ConnectError):
        call(exchange_server, "GET", "/healthz")
    exchange_server.start()
    (again,) = post(exchange_server, [envelope])
    assert again["status"] == "duplicate" and again["received_at"] == first["received_at"]
    assert envelope_rows(exchange_server) == 1


def test_bad_envelopes_are_rejected_one_by_one_with_reasons(exchange_server) -> None:
    good = make_envelope(receipt_no=receipt(1))
    altered = make_envelope(receipt_no=receipt(2))
    altered["payload"] = altered["payload"].replace("企业设立登记", "企业注销登记")
    unknown = make_envelope(receipt_no=receipt(3), department="taxx")
    results = post(exchange_server, [good, altered, unknown])
    assert [r["status"] for r in results] == ["created", "rejected", "rejected"]
    assert "payload_sha256 does not match" in results[1]["reason"]
    assert results[2]["reason"] == "unknown department 'taxx'"
    assert results[2]["reason_zh"] == "未知部门“taxx”"
    assert envelope_rows(exchange_server) == 1


def test_envelopes_a_window_wrote_at_acceptance_are_accepted(exchange_server, window) -> None:
    from offline_cache.outbox import list_envelopes
    from window_app.intake.io import parse_intake

    intake, problems = parse_intake(json.loads((ROOT / "examples/applications/business_startup.json").read_text("utf-8")))
    assert not problems
    accepted = window.accept(intake)
    entries = list_envelopes(window.db, accepted.receipt_no)
    batch = [
        {
            "envelope_id": e.envelope.envelope_id,
            "idempotency_key": e.envelope.idempotency_key,
            "kind": "application",
            "receipt_no": e.envelope.receipt_no,
            "department": e.envelope.department,
            "stage": e.envelope.stage,
            "payload": e.envelope.payload.decode("utf-8"),
            "payload_sha256": e.envelope.payload_sha256,
            "signature": json.loads(e.envelope.signature),
        }
        for e in entries
    ]
    results = post(exchange_server, batch, token=f"demo-window-{window.settings.window.id}")
    assert [r["status"] for r in results] == ["created"] * len(batch), results
    inbox = call(exchange_server, "GET", "/v1/inbox", MARKET).json()["envelopes"]
    assert [e["receipt_no"] for e in inbox] == [accepted.receipt_no]
    # The hub holds ciphertext: the applicant is in no stored payload; the department opens its own.
    applicant = intake.applicant.enterprise.name if intake.applicant.kind == "enterprise" else intake.applicant.person.name
    stored = [row[0] for row in query(exchange_server.db_path, "SELECT payload FROM envelopes")]
    assert stored and not any(applicant in payload for payload in stored)
    opened = DepartmentKeys.demo("market_regulation-522325").open(inbox[0])
    assert isinstance(opened, dict) and opened["applicant"]["name"] == applicant
    assert isinstance(DepartmentKeys.demo("tax-522325").open(inbox[0]), Words)  # not sealed to the tax office
    assert "applicant" not in inbox[0]["payload"] and opened["applicant"]["name"] == "贞丰县花江峡谷农旅开发有限公司"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"envelope": []}', 400),
        (b"[]", 400),
    ],
)
def test_a_malformed_body_is_400_with_words(exchange_server, body, status) -> None:
    response = call(exchange_server, "POST", "/v1/envelopes", WINDOW, content=body)
    assert response.status_code == status
    assert response.json()["error"] and response.json()["error_zh"]


def test_too_many_envelopes_is_413(exchange_server) -> None:
    response = call(exchange_server, "POST", "/v1/envelopes", WINDOW, json={"envelopes": [{}] * 201})
    assert response.status_code == 413
    assert "at most 200" in response.json()["error"]


def test_tokens_401_unknown_403_wrong_kind(exchange_server) -> None:
    missing = call(exchange_server, "POST", "/v1/envelopes", None, json={"envelopes": []})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert call(exchange_server, "GET", "/v1/events", "demo-nobody").status_code == 401
    assert call(exchange_server, "POST", "/v1/envelopes", MARKET, json={"envelopes": []}).status_code == 403
    assert call(exchange_server, "GET", "/v1/inbox", WINDOW).status_code == 403
    assert call(exchange_server, "GET", "/v1/events", MARKET).status_code == 403


def test_issued_tokens_work_and_demo_tokens_do_not_without_demo(exchange_server_factory) -> None:
    server = exchange_server_factory(demo=False)
    window_token = server.issue_token("window", "ZF-01")
    department_token = server.issue_token("department", "market_regulation-522325")
    assert call(server, "GET", "/v1/events", WINDOW).status_code == 401
    refused = post(server, [make_envelope()], token=window_token)[0]  # a real exchange knows no key yet
    assert refused["status"] == "rejected" and "is not registered" in refused["reason"]
    register_test_window(server.app.state.store)
    assert post(server, [make_envelope()], token=window_token)[0]["status"] == "created"
    assert len(call(server, "GET", "/v1/inbox", department_token).json()["envelopes"]) == 1


# -- who sees what ---------------------------------------------------------------------------


def test_a_window_sees_only_its_own_events(exchange_server) -> None:
    post(exchange_server, [make_envelope(receipt_no=receipt(9))])
    post(exchange_server, [make_envelope(receipt_no=receipt(9, "XL-02"), window_id="XL-02")], token="demo-window-XL-02")
    call(exchange_server, "GET", "/v1/inbox", MARKET)
    assert [e["receipt_no"] for e in events(exchange_server)["events"]] == [receipt(9)]
    assert [e["receipt_no"] for e in events(exchange_server, "demo-window-XL-02")["events"]] == [receipt(9, "XL-02")]


def test_a_department_sees_only_its_inbox(exchange_server) -> None:
    (created,) = post(exchange_server, [make_envelope()])
    assert call(exchange_server, "GET", "/v1/inbox", "demo-tax-522325", params={"state": "all"}).json() == {"envelopes": []}
    other = call(exchange_server, "GET", "/v1/inbox", "demo-tax-522325", params={"department": "market_regulation-522325"})
    assert other.status_code == 403
    signed = DepartmentKeys.demo("tax-522325").signed(DecisionRequest(created["envelope_id"], "company_registration", "approved"))
    decide = call(exchange_server, "POST", "/v1/decisions", "demo-tax-522325", json=signed.to_json())
    assert decide.status_code == 404
    mine = call(exchange_server, "GET", "/v1/inbox", MARKET, params={"department": "market_regulation-522325"})
    assert [e["envelope_id"] for e in mine.json()["envelopes"]] == [created["envelope_id"]]


# -- decisions and events --------------------------------------------------------------------


def decide(server: ExchangeServer, envelope_id: str, item: str, decision: str, **words: str) -> httpx.Response:
    """A decision of the market regulator, signed with its (demo) key as its client signs."""
    request = DepartmentKeys.demo("market_regulation-522325").signed(DecisionRequest(envelope_id, item, decision, **words))
    return call(server, "POST", "/v1/decisions", MARKET, json=request.to_json())


def test_decisions_come_back_as_events_in_seq_order(exchange_server) -> None:
    items = (("company_registration", "企业设立登记", "营业执照"), ("food_business_licence", "食品经营许可", "食品经营许可证"))
    (created,) = post(exchange_server, [make_envelope(items=items)])
    envelope_id = created["envelope_id"]
    first = decide(exchange_server, envelope_id, "company_registration", "approved", result="营业执照 91522325MA00000000", decided_by="张三")
    assert first.status_code == 201
    assert decide(exchange_server, envelope_id, "food_business_licence", "supplement_needed", material="health_certificate").status_code == 201
    assert decide(exchange_server, envelope_id, "food_business_licence", "approved", result="食品经营许可证 JY15223250000001").status_code == 201
    repeat = decide(exchange_server, envelope_id, "company_registration", "approved", result="营业执照 91522325MA00000000", decided_by="张三")
    assert repeat.status_code == 200 and repeat.json()["event"] == first.json()["event"]

    answer = events(exchange_server)
    kinds = [(e["kind"], e["item"]) for e in answer["events"]]
    assert kinds == [
        ("received", None),
        ("approved", "company_registration"),
        ("supplement_needed", "food_business_licence"),
        ("approved", "food_business_licence"),
    ]
    seqs = [e["seq"] for e in answer["events"]]
    assert seqs == sorted(seqs) and answer["cursor"] == seqs[-1] and answer["more"] is False
    assert answer["events"][1]["decided_by"] == "张三"
    assert answer["events"][1]["idempotency_key"] == f"{receipt(1)}/market_regulation-522325/1"


def test_decisions_that_cannot_be_taken_say_why(exchange_server) -> None:
    (created,) = post(exchange_server, [make_envelope()])
    envelope_id = created["envelope_id"]
    assert decide(exchange_server, envelope_id, "tax_registration", "approved").status_code == 422
    assert decide(exchange_server, envelope_id, "company_registration", "rejected").status_code == 400  # no reason
    assert decide(exchange_server, envelope_id, "company_registration", "maybe").status_code == 400
    assert decide(exchange_server, "no-such-envelope", "company_registration", "approved").status_code == 404
    assert decide(exchange_server, envelope_id, "company_registration", "approved", result="营业执照 X").status_code == 201
    conflict = decide(exchange_server, envelope_id, "company_registration", "rejected", reason="材料不实")
    assert conflict.status_code == 409 and "already decided" in conflict.json()["error"]


def test_text_no_utf8_can_hold_is_a_refusal_in_words_never_a_500(exchange_server) -> None:
    # JSON's "\\ud800" escapes parse to a lone surrogate: neither the digest nor SQLite can take it.
    entry = json.dumps(make_envelope(receipt_no=receipt(1)), ensure_ascii=True)
    entry = entry.replace('"value": "', '"value": "\\ud800', 1)
    body = ('{"envelopes": [' + entry + "]}").encode("ascii")
    response = call(exchange_server, "POST", "/v1/envelopes", WINDOW, content=body)
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    assert result["status"] == "rejected" and "signature.value holds characters" in result["reason"] and result["reason_zh"]
    (created,) = post(exchange_server, [make_envelope()])
    signed = DepartmentKeys.demo("market_regulation-522325").signed(
        DecisionRequest(created["envelope_id"], "company_registration", "approved", decided_by="PLACEHOLDER")
    )
    body = json.dumps(signed.to_json()).replace('"PLACEHOLDER"', '"\\udfff"').encode("ascii")
    refused = call(exchange_server, "POST", "/v1/decisions", MARKET, content=body)
    assert refused.status_code == 400 and "decided_by" in refused.json()["error"] and refused.json()["error_zh"]
    assert envelope_rows(exchange_server) == 1


def test_the_nul_character_is_a_refusal_in_words_on_either_backend(exchange_server) -> None:
    (refused,) = post(exchange_server, [make_envelope(key="k\x00ey")])
    assert refused["status"] == "rejected" and "idempotency_key" in refused["reason"] and refused["reason_zh"]
    (created,) = post(exchange_server, [make_envelope()])
    answer = decide(exchange_server, created["envelope_id"], "company_registration", "rejected", reason="材料\x00不实")
    assert answer.status_code == 400, answer.text
    assert "reason holds the NUL character" in answer.json()["error"] and answer.json()["error_zh"]
    assert envelope_rows(exchange_server) == 1
    assert decide(exchange_server, created["envelope_id"], "company_registration", "rejected", reason="材料不实").status_code == 201


def test_the_since_cursor_pages_through_events(exchange_server) -> None:
    post(exchange_server, [make_envelope(receipt_no=receipt(n + 1)) for n in range(7)])
    call(exchange_server, "GET", "/v1/inbox", MARKET)
    seen, cursor, pages = [], 0, 0
    while True:
        page = events(exchange_server, since=cursor, limit=3)
        seen += page["events"]
        cursor = page["cursor"]
        pages += 1
        if not page["more"]:
            break
    assert pages == 3
    assert [e["receipt_no"] for e in seen] == [receipt(n + 1) for n in range(7)]
    assert events(exchange_server, since=cursor) == {"events": [], "cursor": cursor, "more": False}
    assert call(exchange_server, "GET", "/v1/events", WINDOW, params={"since": "-1"}).status_code == 400


# -- catalog ---------------------------------------------------------------------------------


def test_the_catalog_has_an_etag_and_answers_304_when_current(exchange_server, tmp_path) -> None:
    response = call(exchange_server, "GET", "/v1/catalog", WINDOW)
    assert response.status_code == 200
    shipped = load_catalog(shipped_catalog_path())
    assert response.headers["etag"] == f'"{shipped.digest}"'
    body = response.json()
    assert (body["version"], body["digest"]) == (shipped.version, shipped.digest)
    for rel, text in body["files"].items():
        target = tmp_path / "downloaded" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    assert load_catalog(tmp_path / "downloaded").digest == shipped.digest

    unchanged = call(exchange_server, "GET", "/v1/catalog", MARKET, headers={"If-None-Match": response.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    stale = call(exchange_server, "GET", "/v1/catalog", WINDOW, headers={"If-None-Match": '"old"'})
    assert stale.status_code == 200
    assert call(exchange_server, "GET", "/v1/catalog").status_code == 401


# -- simulation ------------------------------------------------------------------------------


def test_the_simulation_decides_within_its_delay(exchange_server_factory) -> None:
    delay = 1.0
    server = exchange_server_factory(simulate=delay)
    (created,) = post(server, [make_envelope()])
    posted = time.monotonic()
    assert events(server)["events"] == []  # not before the delay
    deadline = posted + delay + 5.0
    decided: list[dict] = []
    while time.monotonic() < deadline and not decided:
        decided = [e for e in events(server)["events"] if e["kind"] == "approved"]
        time.sleep(0.05)
    assert decided, "the simulation did not decide"
    assert time.monotonic() - posted >= delay * 0.9
    result = decided[0]["result"]
    assert result.startswith("营业执照 91522325")
    assert check_uscc(result.split()[1]) is None  # a valid unified social credit code
    assert decided[0]["envelope_id"] == created["envelope_id"]


def test_the_simulation_can_ask_for_a_supplement_and_approve_when_it_comes(exchange_server_factory) -> None:
    from window_app.exchange.simulate import Simulation

    server = exchange_server_factory(simulate=Simulation(delay=0.2, supplement_rate=1.0))
    (created,) = post(server, [make_envelope()])
    asked = wait_for(server, "supplement_needed")
    assert asked["material"] == "id_card"
    supplement = make_envelope(kind="supplement", original_envelope_id=created["envelope_id"], items=())
    assert post(server, [supplement])[0]["status"] == "created"
    approved = wait_for(server, "approved")
    assert approved["item"] == "company_registration"


def wait_for(server: ExchangeServer, kind: str, timeout: float = 5.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in events(server)["events"] if e["kind"] == kind]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no {kind} event within {timeout} s")


# -- the OpenAPI document --------------------------------------------------------------------


def test_the_openapi_document_covers_every_route(exchange_server) -> None:
    served = call(exchange_server, "GET", "/openapi.json")
    assert served.status_code == 200
    document = served.json()
    assert document == json.loads(OPENAPI_PATH.read_text("utf-8"))
    assert document["openapi"].startswith("3.1")
    routes = routes_of(exchange_server.app)
    assert len(routes) >= 7
    for path, method in routes:
        assert method in document["paths"].get(path, {}), f"{method.upper()} {path} is not in openapi.json"
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == set(routes)


def test_the_openapi_document_is_valid_and_answers_match_its_schemas(exchange_server) -> None:
    document = json.loads(OPENAPI_PATH.read_text("utf-8"))
    openapi_spec_validator.validate(document)

    def check(schema_name: str, value: Any) -> None:
        jsonschema.Draft202012Validator({**document, "$ref": f"#/components/schemas/{schema_name}"}).validate(value)

    (created,) = post(exchange_server, [make_envelope()])
    rejected = post(exchange_server, [make_envelope(department="taxx")])
    check("EnvelopeResults", {"results": [created, *rejected]})
    check("Inbox", call(exchange_server, "GET", "/v1/inbox", MARKET).json())
    check("EventAnswer", decide(exchange_server, created["envelope_id"], "company_registration", "approved", result="营业执照").json())
    check("Events", events(exchange_server))
    check("Catalog", call(exchange_server, "GET", "/v1/catalog", WINDOW).json())
    check("Error", call(exchange_server, "GET", "/v1/events").json())
    check("Health", call(exchange_server, "GET", "/healthz").json())


def test_unknown_paths_and_methods_answer_json(exchange_server) -> None:
    missing = call(exchange_server, "GET", "/v2/nothing")
    assert missing.status_code == 404 and missing.json()["error"] == "no such endpoint"
    assert call(exchange_server, "DELETE", "/v1/envelopes", WINDOW).status_code == 405


# -- the command line ------------------------------------------------------------------------


def test_exchange_serve_starts_and_answers_healthz(tmp_path, exchange_backend, request) -> None:
    postgresql = exchange_backend == "postgresql"
    db = fresh_postgresql_database(request) if postgresql else tmp_path / "exchange.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "window_app", "exchange", "serve", "--port", "0", "--db", str(db), "--demo", "--lang", "en",
         *(["--checkpoints", str(tmp_path / "checkpoints.jsonl")] if postgresql else [])],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline()
        assert "Department exchange listening on http://127.0.0.1:" in line, process.stderr.read()
        url = line.split()[-1]
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.get(f"{url}/healthz", timeout=2, trust_env=False)
                break
            except httpx.ConnectError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        assert response.json() == {"ok": True}
        assert httpx.get(f"{url}/v1/events", headers={"Authorization": "Bearer demo-window-ZF-01"}, trust_env=False).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=10)
    assert code == 0
    assert query(db, "SELECT count(*) FROM ledger") == [(0,)]  # created and migrated


def test_exchange_serve_on_an_unreachable_postgresql_says_so_without_the_password(exchange_backend) -> None:
    if exchange_backend != "postgresql":
        pytest.skip("about a PostgreSQL URI")
    done = subprocess.run(
        [sys.executable, "-m", "window_app", "exchange", "serve", "--port", "0", "--lang", "en",
         "--db", "postgresql://clerk:s3cret@127.0.0.1:1/exchange?connect_timeout=2"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Cannot open the exchange database postgresql://clerk:***@127.0.0.1:1/exchange" in done.stderr
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_exchange_serve_says_what_is_wrong_with_a_busy_port(tmp_path, exchange_server) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "window_app", "exchange", "serve", "--port", str(exchange_server.port), "--db", str(tmp_path / "x.db"), "--lang", "en"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert done.returncode == 2
    assert f"Cannot listen on 127.0.0.1:{exchange_server.port}" in done.stderr
    assert "Traceback" not in done.stderr


def run_cli(argv: list[str], capsys) -> tuple[int, str, str]:
    """``window-app exchange …`` in-process, through the real entry point."""
    from window_app.cli import main

    code = main(["exchange", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_exchange_inbox_and_decide_work_against_a_real_server(exchange_server, capsys) -> None:
    (created,) = post(exchange_server, [make_envelope()])
    code, out, _ = run_cli(["inbox", "market_regulation-522325", "--url", exchange_server.url], capsys)
    assert code == 0
    for words in (receipt(1), "新到", "company_registration", "企业设立登记", "待决定",
                  "黄丽", "52232519930726048X", "申请人姓名：黄丽", "居民身份证", "数据共享核验"):
        assert words in out, f"{words!r} missing from:\n{out}"

    code, out, _ = run_cli(
        ["decide", created["envelope_id"], "company_registration", "approved", "--result", "营业执照 91522325MA6DXXXX1X",
         "--by", "张三", "--url", exchange_server.url, "--token", MARKET],
        capsys,
    )
    assert code == 0 and "已记录" in out
    code, out, _ = run_cli(["inbox", "market_regulation-522325", "--url", exchange_server.url, "--all", "--json"], capsys)
    (entry,) = json.loads(out)["envelopes"]
    assert entry["items"][0]["decision"]["result"] == "营业执照 91522325MA6DXXXX1X"
    assert entry["state"] == "decided"
    assert [e["kind"] for e in events(exchange_server)["events"]] == ["received", "approved"]

    code, _, err = run_cli(
        ["decide", created["envelope_id"], "company_registration", "rejected", "--reason", "x", "--url", exchange_server.url,
         "--token", MARKET, "--lang", "en"],
        capsys,
    )
    assert code == 1 and "already decided" in err


def test_exchange_inbox_says_when_the_exchange_is_down(capsys, refused_url: str) -> None:
    code, _, err = run_cli(["inbox", "tax-522325", "--url", refused_url], capsys)
    assert code == 2 and "无法连接交换平台" in err


def test_exchange_token_issue_prints_a_token_that_works(
    exchange_server_factory, exchange_backend, tmp_path, capsys, request
) -> None:
    db = fresh_postgresql_database(request) if exchange_backend == "postgresql" else tmp_path / "issued.db"
    code, out, err = run_cli(["token", "issue", "--db", str(db), "department", "tax-522325"], capsys)
    assert code == 0 and "摘要" in err
    token = out.strip()
    server = exchange_server_factory(db_path=db, demo=False)
    assert call(server, "GET", "/v1/inbox", token).status_code == 200
    code, _, err = run_cli(["token", "issue", "--db", str(db), "department", "taxx"], capsys)
    assert code == 1 and "taxx" in err


def test_the_database_can_come_from_the_environment(exchange_server_factory, exchange_backend, tmp_path, capsys,
                                                    request, monkeypatch) -> None:
    db = fresh_postgresql_database(request) if exchange_backend == "postgresql" else tmp_path / "from-env.db"
    monkeypatch.setenv("WINDOW_APP_EXCHANGE_DB", str(db))
    code, out, err = run_cli(["token", "issue", "window", "ZF-09"], capsys)  # no --db
    assert code == 0, err
    server = exchange_server_factory(db_path=db, demo=False)
    assert call(server, "GET", "/v1/events", out.strip()).status_code == 200
    monkeypatch.delenv("WINDOW_APP_EXCHANGE_DB")
    code, _, err = run_cli(["token", "issue", "window", "ZF-09"], capsys)  # neither: --db is required
    assert code == 1 and "--db" in err  # a usage error, in words


def test_without_starlette_the_cli_says_what_to_install(tmp_path) -> None:
    script = (
        "import sys; sys.modules['starlette'] = None; sys.modules['uvicorn'] = None\n"
        "import window_app.exchange, window_app.exchange.store, window_app.exchange.client, window_app.exchange.simulate\n"
        "from window_app.exchange.cli import main\n"
        f"sys.exit(main(['serve', '--db', {str(tmp_path / 'x.db')!r}, '--lang', 'en']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "pip install 'window-app[exchange]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_exchange_commands_also_run_on_their_own(capsys) -> None:
    from window_app.exchange.cli import main

    with pytest.raises(SystemExit) as shown:
        main(["--help"])
    assert shown.value.code == 0
    assert "serve" in capsys.readouterr().out


# -- input at the limits: a 4xx in words, the connection still usable ---------------------------


def test_a_stage_beyond_its_bound_is_refused_alone_and_the_batch_goes_on(exchange_server) -> None:
    huge = make_envelope(receipt_no=receipt(2), stage=2**63)
    good = make_envelope(receipt_no=receipt(1))
    refused, created = post(exchange_server, [huge, good])
    assert refused["status"] == "rejected" and "stage is missing or not a whole number from 1 to 99" in refused["reason"]
    assert refused["reason_zh"]
    assert created["status"] == "created"
    assert envelope_rows(exchange_server) == 1


def test_cursors_and_nesting_beyond_their_bounds_are_refused_in_words_on_a_connection_that_stays(
    exchange_server,
) -> None:
    headers = {"Authorization": f"Bearer {WINDOW}"}
    with httpx.Client(base_url=exchange_server.url, headers=headers, timeout=10, trust_env=False) as client:
        too_far = client.get("/v1/events", params={"since": 2**63})
        assert too_far.status_code == 400 and "since must be a whole number 0…9223372036854775807" in too_far.json()["error"]
        assert client.get("/v1/events", params={"since": 2**63 - 1}).status_code == 200
        deep = b'{"envelopes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        nested = client.post("/v1/envelopes", content=deep, headers={"Content-Type": "application/json"})
        assert nested.status_code == 400, nested.text
        assert nested.json() == {
            "error": "the body nests arrays and objects deeper than 32 levels",
            "error_zh": "请求体的数组与对象嵌套超过 32 层",
        }
        # The same connection answers the next request.
        assert client.get("/v1/events").status_code == 200


# -- who may sign what -----------------------------------------------------------------------


def test_a_window_cannot_post_under_another_windows_receipt_numbers(exchange_server_factory) -> None:
    server = exchange_server_factory(demo=False)
    store = server.app.state.store
    register_test_window(store, "ZF-01")
    register_test_window(store, "XL-02")
    intruder = server.issue_token("window", "XL-02")
    # XL-02 signs with its own registered key, under ZF-01's next number: refused.
    squat = post(server, [make_envelope(receipt_no=receipt(2, "ZF-01"), window_id="XL-02")], token=intruder)[0]
    assert squat["status"] == "rejected" and "is not of the window this key is registered to" in squat["reason"]
    # … or with ZF-01's key id and its own signature bytes: the key belongs to another window.
    forged = make_envelope(receipt_no=receipt(2, "ZF-01"), window_id="XL-02", signing_key=key_of_test_window("ZF-01"))
    assert "registered to window ZF-01" in post(server, [forged], token=intruder)[0]["reason"]
    # A payload altered after signing, digest recomputed, is refused on the signature.
    owner = server.issue_token("window", "ZF-01")
    entry = make_envelope(receipt_no=receipt(3))
    entry["payload"] = entry["payload"].replace("企业设立登记", "企业注销登记")
    entry["payload_sha256"] = hashlib.sha256(entry["payload"].encode()).hexdigest()
    assert "signature does not hold" in post(server, [entry], token=owner)[0]["reason"]
    # A revoked key signs nothing any more.
    store.revoke_window_key(key_of_test_window("ZF-01").key_id)
    assert "was revoked" in post(server, [make_envelope(receipt_no=receipt(4))], token=owner)[0]["reason"]
    assert envelope_rows(server) == 0


def test_a_decision_must_carry_its_departments_signature(exchange_server) -> None:
    (created,) = post(exchange_server, [make_envelope()])
    request = DecisionRequest(created["envelope_id"], "company_registration", "approved", result="营业执照 X")
    unsigned = call(exchange_server, "POST", "/v1/decisions", MARKET, json=request.to_json())
    assert unsigned.status_code == 400 and "signature" in unsigned.json()["error"]
    by_another = DepartmentKeys.demo("tax-522325").signed(request)  # the tax office's key on market's decision
    refused = call(exchange_server, "POST", "/v1/decisions", MARKET, json=by_another.to_json())
    assert refused.status_code == 403 and "signature does not hold" in refused.json()["error"]
    signed = DepartmentKeys.demo("market_regulation-522325").signed(request).to_json()
    signed["result"] = "营业执照 Y"  # altered after signing
    assert call(exchange_server, "POST", "/v1/decisions", MARKET, json=signed).status_code == 403
    good = call(exchange_server, "POST", "/v1/decisions", MARKET, json=DepartmentKeys.demo("market_regulation-522325").signed(request).to_json())
    assert good.status_code == 201 and good.json()["event"]["signature"]["suite"] == "ed25519"


def with_payload(envelope: dict[str, Any], text: str) -> dict[str, Any]:
    """The envelope carrying ``text`` as its payload, with a digest that matches it."""
    return {**envelope, "payload": text, "payload_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}


def test_one_bad_envelope_never_fails_the_others_of_its_batch(exchange_server) -> None:
    def payload_plus(receipt_no: str, extra: str) -> dict[str, Any]:  # one more member at the end
        envelope = make_envelope(receipt_no=receipt_no)
        return with_payload(envelope, envelope["payload"][:-1] + "," + extra + "}")

    surrogate_key = make_envelope(receipt_no=receipt(101))
    bad = {
        "key": surrogate_key,
        "kind": make_envelope(receipt_no=receipt(102)),
        "unknown field": {**make_envelope(receipt_no=receipt(103)), "note": "SURROGATE"},
        "entry too deep": {**make_envelope(receipt_no=receipt(104)), "note": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]},
        "NaN": payload_plus(receipt(105), '"x":NaN'),
        "1e999": payload_plus(receipt(106), '"x":1e999'),
        "payload too deep": payload_plus(receipt(107), '"x":' + "[" * 40 + "]" * 40),
        "payload escape": payload_plus(receipt(108), '"x":"\\ud800"'),
        "payload nested thousands deep": payload_plus(receipt(109), '"x":' + "[" * 50_000 + "]" * 50_000),
        "not an object": 42,
        "null": None,
    }
    batch: list[Any] = []
    for n, entry in enumerate(bad.values()):
        batch += [entry, make_envelope(receipt_no=receipt(n + 1))]
    body = json.dumps({"envelopes": batch}, ensure_ascii=True)
    # Lone surrogates can only travel as JSON escapes: put them in by hand.
    body = body.replace(surrogate_key["idempotency_key"], surrogate_key["idempotency_key"] + "\\udc00", 1)
    body = body.replace(f'"kind": "application", "receipt_no": "{receipt(102)}"', f'"kind": "\\ud800", "receipt_no": "{receipt(102)}"', 1)
    body = body.replace('"SURROGATE"', '"\\udfff"', 1)
    with httpx.Client(base_url=exchange_server.url, timeout=10, trust_env=False) as client:
        headers = {"Authorization": f"Bearer {WINDOW}", "Content-Type": "application/json"}
        answer = client.post("/v1/envelopes", content=body.encode("ascii"), headers=headers)
        assert answer.status_code == 200, answer.text
        results = answer.json()["results"]
        assert [r["status"] for r in results] == ["rejected", "created"] * len(bad)
        reasons = dict(zip(bad, (r["reason"] for r in results[::2])))
        assert reasons == {
            "key": "idempotency_key holds characters that cannot be encoded as UTF-8",
            "kind": "kind holds characters that cannot be encoded as UTF-8",
            "unknown field": "note holds characters that cannot be encoded as UTF-8",
            "entry too deep": "the envelope nests arrays and objects deeper than 32 levels",
            "NaN": "payload holds NaN, which is not a JSON number",
            "1e999": "payload holds 1e999, which is not a JSON number",
            "payload too deep": "payload nests arrays and objects deeper than 32 levels",
            "payload escape": "x holds characters that cannot be encoded as UTF-8",
            "payload nested thousands deep": "payload nests arrays and objects deeper than 32 levels",
            "not an object": "an envelope must be a JSON object",
            "null": "an envelope must be a JSON object",
        }
        assert all(r["reason_zh"] for r in results[::2])
        assert results[0]["idempotency_key"] is None  # no key UTF-8 can hold, so none is echoed
        # Only the good ones are stored, and the department's inbox lists them on the same connection.
        assert envelope_rows(exchange_server) == len(bad)
        inbox = client.get("/v1/inbox", params={"state": "all"}, headers={"Authorization": f"Bearer {MARKET}"})
        assert inbox.status_code == 200 and len(inbox.json()["envelopes"]) == len(bad)


def _raw(connection: http.client.HTTPConnection, method: str, target: str, headers: dict[str, Any], body: bytes | None = None):
    """One request on ``connection`` exactly as given (header values may be bytes); the answer."""
    connection.putrequest(method, target, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    return response.status, response.read()


WINDOW_AUTH = {"Authorization": f"Bearer {WINDOW}"}
MARKET_AUTH = {"Authorization": f"Bearer {MARKET}"}
MARKET_JSON = {**MARKET_AUTH, "Content-Type": "application/json"}
DECISION = b'{"envelope_id": "e", "item": "i", "decision": "approved"'


@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "status", "english"),
    [
        pytest.param("GET", "/v1/events?since=%FF", WINDOW_AUTH, None, 400, "the query string is not valid UTF-8 once percent-decoded", id="query-not-utf8"),
        pytest.param("GET", "/v1/inbox?department=%ED%A0%80", MARKET_AUTH, None, 400, "the query string is not valid UTF-8 once percent-decoded", id="query-encoded-surrogate"),
        pytest.param("GET", "/v1/events?limit=5&limit=6", WINDOW_AUTH, None, 400, "limit is given 2 times; once at most", id="param-twice"),
        pytest.param("GET", "/v1/events?since=1_0", WINDOW_AUTH, None, 400, "since must be a whole number 0…9223372036854775807", id="since-underscore"),
        pytest.param("GET", "/v1/inbox?state=", MARKET_AUTH, None, 400, "state must be one of new, open, all", id="state-empty"),
        pytest.param("GET", "/v1/events?limit=%D9%A3", WINDOW_AUTH, None, 400, "limit must be a whole number 1…1000", id="limit-arabic-digit"),
        pytest.param("GET", "/v1/events", {"Authorization": b"Bearer demo-window-\xff"}, None, 400,
         "header authorization holds characters other than printable ASCII", id="auth-not-ascii"),
        pytest.param("GET", "/v1/catalog", {**WINDOW_AUTH, "If-None-Match": b'"\xe2\x80\x9c"'}, None, 400,
         "header if-none-match holds characters other than printable ASCII", id="if-none-match-not-ascii"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, DECISION + b', "reason": "\xff"}', 400, "the body is not valid UTF-8 (byte 69)", id="body-not-utf8"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, DECISION + b', "reason": "\xed\xa0\x80"}', 400, "the body is not valid UTF-8 (byte 69)", id="body-encoded-surrogate"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, (DECISION + b"}").decode().encode("utf-16"), 400, "the body is not valid UTF-8 (byte 0)", id="body-utf16"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, b"\xef\xbb\xbf" + DECISION + b"}", 400,
         "the body is not JSON: Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)", id="body-bom"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, DECISION + b', "x": NaN}', 400, "the body holds NaN, which is not a JSON number", id="body-nan"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, DECISION + b', "x": -Infinity}', 400, "the body holds -Infinity, which is not a JSON number", id="body-infinity"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, DECISION + b', "x": ' + b"[" * 33 + b"]" * 33 + b"}", 400,
         "the body nests arrays and objects deeper than 32 levels", id="body-33-deep"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, DECISION + b', "x": {"\\ud800": 1}}', 400,
         "a field name in x holds characters that cannot be encoded as UTF-8", id="body-key-surrogate"),
        pytest.param("POST", "/v1/decisions", {**MARKET_AUTH, "Content-Type": "text/plain"}, DECISION + b"}", 415,
         "the body must be application/json (UTF-8), not text/plain", id="text-plain"),
        pytest.param("POST", "/v1/decisions", {**MARKET_AUTH, "Content-Type": "application/json; charset=latin-1"}, DECISION + b"}", 415,
         "the body must be application/json (UTF-8), not application/json; charset=latin-1", id="charset-latin1"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, DECISION + b', "reason": "' + b"x" * 300_000 + b'"}', 413,
         "the body is larger than 262144 bytes", id="decision-too-large"),
        pytest.param("POST", "/v1/decisions", MARKET_JSON, b'{"envelope_id": "' + b"e" * 201 + b'", "item": "i", "decision": "approved"}', 400,
         "envelope_id must be a non-empty string of at most 200 characters", id="envelope-id-too-long"),
        pytest.param("POST", "/v1/envelopes", {**WINDOW_AUTH, "Content-Type": "application/json"}, b'{"envelopes": [], "\\udc00": 1}', 400,
         "a field name in the body holds characters that cannot be encoded as UTF-8", id="batch-key-surrogate"),
        pytest.param("POST", "/v1/audit/head", {**WINDOW_AUTH, "Content-Type": "application/json"},
                     b'{"window_id": "ZF-01", "seq": 1, "hash": "' + b"0" * 64 + b'", "at": "2026-11-27T01:30:00Z", '
                     b'"signature": {"suite": "ed25519", "key_id": "k", "value": "\\ud800"}}', 400,
                     "signature.value holds characters that cannot be encoded as UTF-8", id="audit-head-surrogate"),
    ],
)
def test_a_malformed_request_is_a_4xx_in_words_and_the_connection_serves_the_next(
    exchange_server, method: str, target: str, headers: dict[str, Any], body: bytes | None, status: int, english: str
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", exchange_server.port, timeout=10)
    try:
        assert _raw(connection, "GET", "/healthz", {})[0] == 200
        sock = connection.sock
        answered, data = _raw(connection, method, target, headers, body)
        error = json.loads(data)
        assert (answered, error["error"]) == (status, english)
        assert error["error_zh"] and error["error_zh"] != error["error"]
        assert _raw(connection, "GET", "/v1/events", WINDOW_AUTH)[0] == 200
        assert connection.sock is sock  # the same keep-alive connection, not a new one
    finally:
        connection.close()


def test_an_unforeseen_error_is_a_json_500_and_the_connection_stays(exchange_server, monkeypatch) -> None:
    # The guard of last resort: nothing known answers 500, so one is made to happen.
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(exchange_server.app.state.store, "events", broken)
    connection = http.client.HTTPConnection("127.0.0.1", exchange_server.port, timeout=10)
    try:
        status, data = _raw(connection, "GET", "/v1/events", WINDOW_AUTH)
        sock = connection.sock
        assert status == 500 and json.loads(data) == {"error": "internal error: RuntimeError", "error_zh": "交换平台内部错误：RuntimeError"}
        assert _raw(connection, "GET", "/healthz", {})[0] == 200
        assert connection.sock is sock
    finally:
        connection.close()
