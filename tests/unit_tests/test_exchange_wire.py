"""The wire module: one description of what travels, checked the same way on both sides."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from window_app.domain.wire import (
    ACKNOWLEDGED,
    DECISIONS,
    EVENT_KINDS,
    KINDS,
    MAX_ID_LENGTH,
    MAX_JSON_DEPTH,
    MAX_STAGE,
    MAX_TEXT,
    RESULT_STATUSES,
    DecisionRequest,
    EnvelopeResult,
    Event,
    WireEnvelope,
    canonical_json,
    decision_from_json,
    entry_key,
    envelope_from_json,
    event_problem,
    idempotency_key,
    json_problem,
    key_mismatch,
    parse_json,
    payload_sha256,
    result_from_json,
)
from window_app.domain.words import Words
from window_app.exchange.department_keys import DepartmentKeys

OPENAPI = json.loads((Path(__file__).parents[2] / "window_app/exchange/openapi.json").read_text("utf-8"))
SCHEMAS = OPENAPI["components"]["schemas"]


def wire_envelope(**changes: object) -> dict:
    payload = canonical_json({"receipt_no": "R1", "stage": 1}).decode("utf-8")
    entry = WireEnvelope(
        envelope_id="e1",
        idempotency_key=idempotency_key("R1", "tax", 1),
        kind="application",
        receipt_no="R1",
        department="tax",
        stage=1,
        payload=payload,
        payload_sha256=payload_sha256(payload.encode("utf-8")),
        signature=canonical_json({"suite": "ed25519", "key_id": "k1", "value": "c2lnbmF0dXJl"}).decode(),
    ).to_json()
    entry.update(changes)
    return entry


def test_the_module_says_what_the_openapi_document_says() -> None:
    submitted = SCHEMAS["SubmittedEnvelope"]
    assert tuple(submitted["properties"]["kind"]["enum"]) == KINDS
    assert submitted["properties"]["envelope_id"]["maxLength"] == MAX_ID_LENGTH
    assert set(submitted["required"]) == set(wire_envelope())
    assert (submitted["properties"]["stage"]["minimum"], submitted["properties"]["stage"]["maximum"]) == (1, MAX_STAGE)
    decision = SCHEMAS["DecisionRequest"]
    assert tuple(decision["properties"]["decision"]["enum"]) == (*DECISIONS, ACKNOWLEDGED)
    assert decision["properties"]["reason"]["maxLength"] == MAX_TEXT
    assert decision["properties"]["envelope_id"]["maxLength"] == decision["properties"]["item"]["maxLength"] == MAX_ID_LENGTH
    assert f"at most {MAX_JSON_DEPTH} levels deep" in OPENAPI["info"]["description"]
    signed = DecisionRequest("e", "i", "approved", signature='{"key_id":"k","suite":"ed25519","value":"v"}')
    assert set(decision["properties"]) == set(signed.to_json())
    assert set(SCHEMAS["Signature"]["required"]) == set(json.loads(signed.signature))
    assert tuple(SCHEMAS["Event"]["properties"]["kind"]["enum"]) == EVENT_KINDS
    statuses = SCHEMAS["EnvelopeResult"]["oneOf"]
    assert (*statuses[0]["properties"]["status"]["enum"], statuses[1]["properties"]["status"]["const"]) == RESULT_STATUSES


def test_an_envelope_reads_back_as_it_was_written() -> None:
    entry = wire_envelope()
    parsed = envelope_from_json(entry)
    assert isinstance(parsed, WireEnvelope) and parsed.to_json() == entry
    assert key_mismatch(parsed) is None


@pytest.mark.parametrize(
    ("entry", "english"),
    [
        ([], "an envelope must be a JSON object"),
        (wire_envelope(envelope_id=""), "envelope_id is missing or not a non-empty string"),
        (wire_envelope(receipt_no="x" * (MAX_ID_LENGTH + 1)), f"receipt_no is longer than {MAX_ID_LENGTH} characters"),
        (wire_envelope(kind="letter"), "kind 'letter' is not one of application, filing, handover, supplement"),
        (wire_envelope(stage=True), "stage is missing or not a whole number from 1 to 99"),
        (wire_envelope(payload={"a": 1}), "payload is missing or not a string (the canonical JSON text)"),
        (wire_envelope(payload_sha256="00"), "payload_sha256 is missing or not 64 hexadecimal digits"),
        (wire_envelope(signature=""), "signature is missing or not an object {suite, key_id, value}"),
        (wire_envelope(signature={"suite": "ed25519", "key_id": "", "value": "x"}), "signature parts must be non-empty strings of at most 200 characters"),
        (wire_envelope(payload="{}"), "payload_sha256 does not match the payload (altered or truncated on the way)"),
    ],
)
def test_a_malformed_envelope_is_told_in_both_languages(entry: object, english: str) -> None:
    problem = envelope_from_json(entry)
    assert isinstance(problem, Words)
    assert problem.en == english and problem.zh and problem.zh != problem.en


def test_an_application_key_is_receipt_department_stage() -> None:
    parsed = envelope_from_json(wire_envelope(idempotency_key="R1/tax/2"))
    assert isinstance(parsed, WireEnvelope)
    problem = key_mismatch(parsed)
    assert problem is not None and "R1/tax/1" in problem.en and "R1/tax/1" in problem.zh


@pytest.mark.parametrize(
    ("body", "english"),
    [
        ("approved", "the body must be a JSON object"),
        ({"envelope_id": "e", "item": "i"}, "decision must be a non-empty string of at most 2000 characters"),
        ({"envelope_id": "e", "item": "i", "decision": "maybe"}, "decision must be one of approved, rejected, supplement_needed, acknowledged"),
        ({"envelope_id": "e", "item": "i", "decision": "rejected"}, "a rejection needs a reason"),
        ({"envelope_id": "e", "item": "i", "decision": "supplement_needed"}, "a supplement request needs a material or a reason"),
        ({"envelope_id": "e", "item": "i", "decision": "approved", "result": 7}, "result must be a string of at most 2000 characters"),
    ],
)
def test_a_malformed_decision_is_told_in_both_languages(body: object, english: str) -> None:
    problem = decision_from_json(body)
    assert isinstance(problem, Words) and problem.en == english and problem.zh


def test_a_decision_reads_back_as_the_department_client_sends_it() -> None:
    request = DepartmentKeys.demo("tax").signed(DecisionRequest("e", "i", "rejected", reason="材料不全"))
    assert decision_from_json(request.to_json()) == request
    unsigned = DecisionRequest("e", "i", "rejected", reason="材料不全").to_json()
    assert decision_from_json(unsigned) == Words("signature 缺失或不是 {suite, key_id, value} 对象", "signature is missing or not an object {suite, key_id, value}")


def test_results_read_back_as_the_exchange_writes_them() -> None:
    created = EnvelopeResult("k", "created", "e1", "2026-11-27T09:00:00+08:00")
    assert result_from_json(created.to_json(), "k") == created
    rejected = EnvelopeResult.rejected("k", Words("未知部门", "unknown department"))
    assert rejected.to_json() == {"idempotency_key": "k", "status": "rejected", "reason": "unknown department", "reason_zh": "未知部门"}
    assert result_from_json(rejected.to_json(), "k") == rejected
    assert isinstance(result_from_json({"status": "created", "idempotency_key": "other"}, "k"), Words)
    assert isinstance(result_from_json({"status": "lost"}, "k"), Words)


def test_events_carry_decision_fields_only_for_decisions() -> None:
    received = Event(1, "received", "e1", "k", "R1", "tax", None, "2026-11-27T09:00:00+08:00").to_json()
    assert "result" not in received and event_problem(received) is None
    approved = Event(2, "approved", "e1", "k", "R1", "tax", "i", "2026-11-27T09:00:00+08:00", result="营业执照").to_json()
    assert approved["result"] == "营业执照" and event_problem(approved) is None
    assert isinstance(event_problem({"seq": True, "kind": "received"}), Words)
    assert isinstance(event_problem({"seq": 3}), Words)


def test_a_lone_surrogate_is_a_problem_not_a_crash() -> None:
    # json.loads('"\\ud800"') is a str no UTF-8 encoder (nor SQLite) accepts.
    text = json.loads('"\\ud800"')
    problem = envelope_from_json(wire_envelope(payload=text))
    assert isinstance(problem, Words) and problem.en == "payload holds characters that cannot be encoded as UTF-8"
    problem = decision_from_json({"envelope_id": "e", "item": "i", "decision": "approved", "decided_by": text})
    assert isinstance(problem, Words) and problem.en.startswith("decided_by holds characters")


def test_the_documents_not_blank_is_what_strip_leaves() -> None:
    # A rejection's reason must hold something str.strip() keeps; the schema says it with a
    # character class, which must agree on every code point (surrogates cannot travel).
    pattern = re.compile(SCHEMAS["NotBlank"]["pattern"])
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    assert pattern.sub("", every) == "".join(c for c in every if c.isspace())
    assert decision_from_json({"envelope_id": "e", "item": "i", "decision": "rejected", "reason": "\u3000\x1c "}) == Words(
        "不予许可须说明理由（reason）", "a rejection needs a reason"
    )


def test_json_is_taken_strictly_and_each_refusal_says_why() -> None:
    body = Words("请求体", "the body")
    assert parse_json(b'{"a": [1, 2.5, "\xe4\xb8\xad"]}', body) == {"a": [1, 2.5, "中"]}
    # JSON Schema calls 5.0 an integer; so does the exchange (exactly, however long).
    whole = parse_json(b"[5.0, 5e0, 9007199254740993.0]", body)
    assert whole == [5, 5, 9007199254740993] and all(type(n) is int for n in whole)
    refusals = {
        b'{"a": "\xff"}': "the body is not valid UTF-8 (byte 7)",
        b"[NaN]": "the body holds NaN, which is not a JSON number",
        b"[Infinity]": "the body holds Infinity, which is not a JSON number",
        b"[1e400]": "the body holds 1e400, which is not a JSON number",
        b"[" * 100_000 + b"]" * 100_000: f"the body nests arrays and objects deeper than {MAX_JSON_DEPTH} levels",
    }
    for data, english in refusals.items():
        problem = parse_json(data, body)
        assert isinstance(problem, Words) and problem.en == english and problem.zh
    assert parse_json("[1", body).en.startswith("the body is not JSON: ")


def test_json_deeper_than_the_bound_or_holding_a_lone_surrogate_is_a_problem_named_by_where() -> None:
    what = Words("载荷", "payload")
    deepest = json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    assert json_problem(deepest, what) is None
    assert json_problem([deepest], what) == Words(
        f"载荷的数组与对象嵌套超过 {MAX_JSON_DEPTH} 层", f"payload nests arrays and objects deeper than {MAX_JSON_DEPTH} levels"
    )
    lone = json.loads('"\\ud800"')
    assert json_problem({"items": [{"id": "ok"}, {"id": lone}]}, what).en == (
        "items[1].id holds characters that cannot be encoded as UTF-8"
    )
    assert json_problem({"x": {lone: 1}}, what).en == "a field name in x holds characters that cannot be encoded as UTF-8"
    assert json_problem(lone, what).en == "payload holds characters that cannot be encoded as UTF-8"
    assert entry_key({"idempotency_key": "k" + lone}) is None and entry_key({"idempotency_key": "k"}) == "k"
    assert entry_key([]) is None and entry_key({"idempotency_key": 7}) is None
