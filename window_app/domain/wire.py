"""The wire format between windows and the exchange: its records and their shape checks.

One module for both sides of ``docs/exchange-api.md`` (machine-readable: ``openapi.json`` beside
the exchange). The window writes :class:`Envelope` at acceptance and sends each as a
:class:`WireEnvelope`; the exchange checks what arrives with :func:`envelope_from_json` and
answers one :class:`EnvelopeResult` each, which the window reads back with
:func:`result_from_json`. A department posts a :class:`DecisionRequest`
(:func:`decision_from_json`); the window pulls :class:`Event` records back
(:func:`event_problem`).

A shape check never raises on what a caller sent: it returns the record, or the problem as
:class:`~window_app.domain.words.Words` (English is the contract's wording, Chinese is for the
clerk), so the exchange can answer a clear 4xx and the window can say what it could not read.
Checks that need the exchange's catalog or store (a known department, a supplement's original)
stay with the exchange.

The payload is canonical JSON (:func:`canonical_json`), written once and never changed: a clear
header and the department's sealed part (:mod:`window_app.trust.envelopes`). ``payload_sha256``
and the window's Ed25519 ``signature`` (``{"suite", "key_id", "value"}``) over those bytes let
the exchange and the department check it came from that window unaltered; this module checks
only their shape (verifying needs keys: :mod:`window_app.exchange.checks`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from window_app.domain.words import Words

ENVELOPE_FORMAT = 2
"""2: sealed parts and an Ed25519 signature (1 was clear text and an HMAC)."""
PART_KINDS = ("application", "filing", "handover")
"""Envelopes that carry one department's part of one stage (key ``{receipt_no}/{department}/{stage}``):
``application`` asks the department to decide (二类, and 一类/三类 items in a mixed part);
``filing`` files decisions a sole approver made at the window (一类直接办, nothing to decide);
``handover`` announces paper materials handed over (三类登记办, to be acknowledged)."""
KINDS = (*PART_KINDS, "supplement")
MAX_ID_LENGTH = 200
HEX64 = re.compile(r"[0-9a-fA-F]{64}")
RESULT_STATUSES = ("created", "duplicate", "rejected")
DECISIONS = ("approved", "rejected", "supplement_needed")
FINAL_DECISIONS = ("approved", "rejected")
ACKNOWLEDGED = "acknowledged"
"""A department's receipt of a handover's paper materials (a ``handover`` envelope, no item)."""
EVENT_KINDS = ("received", *DECISIONS, ACKNOWLEDGED)
MAX_TEXT = 2000
"""The longest text field of a decision (``result``, ``reason``, ``material``, ``decided_by``)."""
MAX_STAGE = 99
"""Stages of one application: a chain of prerequisites is a handful long; the bound keeps an
attacker's 2**63 out of SQLite's 64-bit integers."""
MAX_CURSOR = 2**63 - 1
"""The largest event cursor (SQLite's largest integer)."""
MAX_JSON_DEPTH = 32
"""How deep a request body or a payload may nest arrays and objects. A window's are a handful
deep; the bound keeps parsing, storing and answering far from Python's recursion limit (a
payload stored at depth 990 would make every later inbox listing of its department fail)."""


# -- the payload's bytes ------------------------------------------------------------------------


def canonical_json(value: Any) -> bytes:
    """The one byte form of a JSON value: sorted keys, no whitespace, UTF-8 (not ``\\u`` escapes)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def payload_sha256(payload: bytes) -> str:
    """Hex SHA-256 of the payload bytes."""
    return hashlib.sha256(payload).hexdigest()


def idempotency_key(receipt_no: str, department: str, stage: int) -> str:
    """The deterministic key of one department's part of one stage (an application envelope)."""
    return f"{receipt_no}/{department}/{stage}"


# -- envelopes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """One department's part of one stage of an accepted application, as written at acceptance.

    Attributes:
        envelope_id: Random, unique id of this envelope.
        idempotency_key: ``{receipt_no}/{department}/{stage}``: the receiver accepts a key once,
            so a resend after a lost reply never creates a second case.
        payload: Canonical JSON bytes; never changes after it is written.
        payload_sha256: Hex digest of ``payload``.
        signature: The window's signature of ``payload``: canonical JSON text of
            ``{"suite", "key_id", "value"}`` (an object on the wire).
    """

    envelope_id: str
    idempotency_key: str
    receipt_no: str
    department: str
    stage: int
    payload: bytes
    payload_sha256: str
    signature: str
    kind: str = "application"
    """One of :data:`PART_KINDS` (what the department is asked to do with it)."""

    def document(self) -> dict[str, Any]:
        """The payload parsed back into a dict."""
        return json.loads(self.payload)


@dataclass(frozen=True)
class WireEnvelope:
    """One entry of ``POST /v1/envelopes``: ``payload`` is the stored text, byte for byte."""

    envelope_id: str
    idempotency_key: str
    kind: str
    receipt_no: str
    department: str
    stage: int
    payload: str
    payload_sha256: str
    signature: str

    def to_json(self) -> dict[str, Any]:
        """The entry as the contract wants it (and nothing else: no window bookkeeping)."""
        return {
            "envelope_id": self.envelope_id,
            "idempotency_key": self.idempotency_key,
            "kind": self.kind,
            "receipt_no": self.receipt_no,
            "department": self.department,
            "stage": self.stage,
            "payload": self.payload,
            "payload_sha256": self.payload_sha256,
            "signature": json.loads(self.signature),
        }


_EXPECTED = {
    "text": Words("非空字符串", "a non-empty string"),
    "stage": Words(f"1 到 {MAX_STAGE} 的整数", f"a whole number from 1 to {MAX_STAGE}"),
    "payload": Words("字符串（规范 JSON 文本）", "a string (the canonical JSON text)"),
    "hex64": Words("64 位十六进制数", "64 hexadecimal digits"),
}


def _not_unicode(name: Words | str) -> Words:
    # JSON lets "\ud800" through; no UTF-8 text (nor SQLite) can hold a lone surrogate.
    return Words("{name} 含有无法编码为 UTF-8 的字符", "{name} holds characters that cannot be encoded as UTF-8").format(name=name)


def utf8_text(value: str) -> bool:
    """Whether ``value`` can be written as UTF-8 (it holds no lone UTF-16 surrogate)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unicode_problem(fields: Mapping[str, Any]) -> Words | None:
    for name, value in fields.items():
        if isinstance(value, str) and not utf8_text(value):
            return _not_unicode(name)
    return None


# -- JSON as it arrives -------------------------------------------------------------------------


class _NotPlainJson(ValueError):
    """A number JSON cannot carry (``NaN``, ``Infinity``, ``1e999``): refused while parsing."""


def _no_constant(name: str) -> Any:
    raise _NotPlainJson(name)


def _finite_number(text: str) -> float | int:
    """A JSON number with a fraction or exponent: a float if it has a fractional part, else
    exactly the whole number it is. JSON Schema calls ``5.0`` an integer, as ``openapi.json``'s
    readers do; Python's parser would make it a float that every ``isinstance(…, int)`` refuses."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotPlainJson(text)
    exact = Decimal(text)  # finite and below 1.8e308 here: at most 309 digits
    return int(exact) if exact == exact.to_integral_value() else value


def parse_json(data: bytes | str, what: Words) -> Any | Words:
    """Strict JSON: UTF-8 bytes (no BOM), no ``NaN``/``Infinity``, no number beyond a float;
    a number with a zero fraction (``5.0``, ``5e0``) is the whole number it is.

    Python's parser takes all of those, and an answer that later serialises such a value fails;
    refusing them here keeps every stored value one that can be sent back. Depth and lone
    surrogates are :func:`json_problem`'s business (a batch checks them entry by entry).

    Args:
        data: The text, or its bytes (which must be UTF-8).
        what: What the text is, for the words (``the body``, ``payload``).
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return Words("{what}不是合法的 UTF-8（第 {at} 字节）", "{what} is not valid UTF-8 (byte {at})").format(
                what=what, at=exc.start
            )
    try:
        return json.loads(data, parse_constant=_no_constant, parse_float=_finite_number)
    except _NotPlainJson as exc:
        return Words("{what}含有 JSON 无法表示的数 {n}", "{what} holds {n}, which is not a JSON number").format(
            what=what, n=str(exc)[:40]
        )
    except ValueError as exc:  # the message is data, never a format template
        return what + Words(f"不是合法的 JSON：{exc}", f" is not JSON: {exc}")
    except RecursionError:  # arrays or objects nested thousands deep
        return _too_deep(what)


def _too_deep(what: Words) -> Words:
    return Words("{what}的数组与对象嵌套超过 {n} 层", "{what} nests arrays and objects deeper than {n} levels").format(
        what=what, n=MAX_JSON_DEPTH
    )


def json_problem(value: Any, what: Words) -> Words | None:
    """Why a parsed JSON value may not be taken: arrays and objects nested deeper than
    :data:`MAX_JSON_DEPTH`, or a string or key holding a lone surrogate, named by where it is
    (``decided_by``, ``items[0].id``). Iterative, so no depth can make it fail.
    """
    # (value, depth, parent entry, key): the path is only built for the words.
    stack: list[tuple[Any, int, Any, Any]] = [(value, 0, None, None)]
    while stack:
        entry = stack.pop()
        item, depth = entry[0], entry[1]
        if isinstance(item, str):
            if not utf8_text(item):
                return _not_unicode(_path(entry) or what)
            continue
        if isinstance(item, dict):
            children: Any = item.items()
        elif isinstance(item, list):
            children = enumerate(item)
        else:
            continue
        if depth >= MAX_JSON_DEPTH:
            return _too_deep(what)
        for key, child in children:
            if isinstance(key, str) and not utf8_text(key):
                return _not_unicode(Words("{at}中的字段名", "a field name in {at}").format(at=_path(entry) or what))
            if isinstance(child, (str, dict, list)):
                stack.append((child, depth + 1, entry, key))
    return None


def _path(entry: tuple[Any, int, Any, Any]) -> str:
    """``a.b[2].c`` of a stack entry of :func:`json_problem` (keys shortened)."""
    parts: list[str] = []
    while entry[2] is not None:
        key = entry[3]
        parts.append(f"[{key}]" if isinstance(key, int) else f".{key[:40]}")
        entry = entry[2]
    return "".join(reversed(parts)).lstrip(".")


def entry_key(submitted: object) -> str | None:
    """The ``idempotency_key`` of a submitted entry, if it is a text UTF-8 can hold: what the
    exchange may look up and echo in its answer before the entry is checked."""
    key = submitted.get("idempotency_key") if isinstance(submitted, Mapping) else None
    return key if isinstance(key, str) and utf8_text(key) else None


def _missing(name: str, expected: str) -> Words:
    return Words("{name} 缺失或不是{what}", "{name} is missing or not {what}").format(name=name, what=_EXPECTED[expected])


def envelope_from_json(submitted: object) -> WireEnvelope | Words:
    """One submitted envelope entry, typed; or what is missing, of the wrong type, or altered.

    The digest is checked too (lower-cased in the record): a payload that does not match its
    ``payload_sha256`` was altered or truncated on the way.
    """
    if not isinstance(submitted, Mapping):
        return Words("信封必须是 JSON 对象", "an envelope must be a JSON object")
    problem = json_problem(dict(submitted), Words("信封", "the envelope"))
    if problem:  # first: a lone surrogate would also break the words below
        return problem
    texts = []
    for name in ("envelope_id", "idempotency_key", "kind", "receipt_no", "department"):
        value = submitted.get(name)
        if not isinstance(value, str) or not value.strip():
            return _missing(name, "text")
        if len(value) > MAX_ID_LENGTH:
            return Words("{name} 超过 {n} 个字符", "{name} is longer than {n} characters").format(name=name, n=MAX_ID_LENGTH)
        texts.append(value)
    envelope_id, key, kind, receipt_no, department = texts
    if kind not in KINDS:
        return Words(f"类型“{kind}”不是 {'、'.join(KINDS)} 之一", f"kind '{kind}' is not one of {', '.join(KINDS)}")
    stage = submitted.get("stage")
    if isinstance(stage, bool) or not isinstance(stage, int) or not 1 <= stage <= MAX_STAGE:
        return _missing("stage", "stage")
    payload = submitted.get("payload")
    if not isinstance(payload, str):
        return _missing("payload", "payload")
    sha256 = submitted.get("payload_sha256")
    if not isinstance(sha256, str) or not HEX64.fullmatch(sha256):
        return _missing("payload_sha256", "hex64")
    signature = signature_shape(submitted.get("signature"))
    if isinstance(signature, Words):
        return signature
    if payload_sha256(payload.encode("utf-8")) != sha256.lower():
        return Words(
            "载荷摘要（payload_sha256）与载荷不符：内容在传输中被改动或截断",
            "payload_sha256 does not match the payload (altered or truncated on the way)",
        )
    return WireEnvelope(envelope_id, key, kind, receipt_no, department, stage, payload, sha256.lower(), signature)


def signature_shape(value: object) -> str | Words:
    """A signature object as canonical JSON text, or why it is not one (checked for shape only)."""
    if not isinstance(value, Mapping) or set(value) != {"suite", "key_id", "value"}:
        return Words("signature 缺失或不是 {suite, key_id, value} 对象", "signature is missing or not an object {suite, key_id, value}")
    if not all(isinstance(part, str) and 0 < len(part) <= MAX_ID_LENGTH for part in value.values()):
        return Words("signature 的各项须为不超过 {n} 字的非空字符串", "signature parts must be non-empty strings of at most {n} characters").format(
            n=MAX_ID_LENGTH
        )
    problem = _unicode_problem({"signature": "".join(value.values())})
    if problem:
        return problem
    return canonical_json(dict(value)).decode("utf-8")


# A lone surrogate reaches a parsed payload only through a ``\uD800``–``\uDFFF`` escape (or as
# itself, when the text is not UTF-8): without one, the walk for it is skipped.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def payload_document(envelope: WireEnvelope) -> dict[str, Any] | Words:
    """The envelope's payload parsed, or why it is not a JSON object the exchange can keep and
    hand on (strict JSON, at most :data:`MAX_JSON_DEPTH` deep, no lone surrogate in ``\\u``
    escapes).

    Parsed once; the payload is walked (:func:`json_problem`) only where its text could hold what
    the walk looks for: each array or object opens with a bracket, so a text with no more
    brackets than the limit cannot nest deeper than it (brackets inside strings only raise the
    count), and a lone surrogate needs its escape."""
    what = Words("载荷", "payload")
    document = parse_json(envelope.payload, what)
    if isinstance(document, Words):
        return document
    if not isinstance(document, dict):
        return Words("载荷不是 JSON 对象", "payload is not a JSON object")
    text = envelope.payload
    if text.count("{") + text.count("[") > MAX_JSON_DEPTH or _SURROGATE_ESCAPE.search(text) or not utf8_text(text):
        problem = json_problem(document, what)
        if problem:
            return problem
    return document


def payload_mismatch(document: Mapping[str, Any], envelope: WireEnvelope, window_id: str) -> Words | None:
    """The payload must say what the envelope says, where it says it at all, and be written by
    the window that sends it."""
    department_block = document.get("department")
    payload_department = department_block.get("id") if isinstance(department_block, dict) else department_block
    window_block = document.get("window")
    payload_window = window_block.get("id") if isinstance(window_block, dict) else None
    pairs = (
        ("envelope_id", document.get("envelope_id"), envelope.envelope_id),
        ("idempotency_key", document.get("idempotency_key"), envelope.idempotency_key),
        ("receipt_no", document.get("receipt_no"), envelope.receipt_no),
        ("department", payload_department, envelope.department),
        ("stage", document.get("stage"), envelope.stage),
    )
    for name, in_payload, in_envelope in pairs:
        if in_payload is not None and in_payload != in_envelope:
            return Words(
                f"载荷中的 {name}（{in_payload!r}）与信封上的（{in_envelope!r}）不一致",
                f"payload {name} {in_payload!r} differs from the envelope's {in_envelope!r}",
            )
    if payload_window is not None and payload_window != window_id:
        return Words(
            f"载荷出自窗口 {payload_window!r}，而非发送方 {window_id!r}",
            f"payload was written by window {payload_window!r}, not by the caller {window_id!r}",
        )
    return None


def key_mismatch(envelope: WireEnvelope) -> Words | None:
    """A part's envelope (application, filing, handover) has the key ``{receipt_no}/{department}/{stage}``."""
    if envelope.kind not in PART_KINDS:
        return None
    expected = idempotency_key(envelope.receipt_no, envelope.department, envelope.stage)
    if envelope.idempotency_key == expected:
        return None
    key = envelope.idempotency_key
    return Words(
        f"幂等键“{key}”应为“{expected}”（受理编号/部门/阶段）",
        f"idempotency_key '{key}' is not '{expected}' (receipt_no/department/stage)",
    )


# -- the answer to each envelope ----------------------------------------------------------------


@dataclass(frozen=True)
class EnvelopeResult:
    """The exchange's answer for one envelope of a batch.

    Attributes:
        status: ``created``, ``duplicate`` (the first answer's id and time) or ``rejected``
            (permanent for that envelope; ``reason`` says why).
    """

    idempotency_key: str | None
    status: str
    envelope_id: str = ""
    received_at: str = ""
    reason: Words = Words("")

    @classmethod
    def rejected(cls, key: str | None, reason: Words) -> EnvelopeResult:
        return cls(key, "rejected", reason=reason)

    def to_json(self) -> dict[str, Any]:
        if self.status == "rejected":
            return {
                "idempotency_key": self.idempotency_key,
                "status": self.status,
                "reason": self.reason.in_language("en"),
                "reason_zh": self.reason.zh,
            }
        return {
            "idempotency_key": self.idempotency_key,
            "status": self.status,
            "envelope_id": self.envelope_id,
            "received_at": self.received_at,
        }


def result_from_json(answer: object, key: str) -> EnvelopeResult | Words:
    """One entry of the answer's ``results`` for the envelope sent with ``key``, or why it cannot
    be read (an unknown status, or the answer for another envelope)."""
    if not isinstance(answer, Mapping) or answer.get("status") not in RESULT_STATUSES:
        return Words("回答中有无法识别的结果", "the answer holds a result that cannot be read")
    if answer.get("idempotency_key", key) != key:
        return Words("回答的结果顺序与发送的信封不符", "the results do not match the envelopes sent")
    reason_en = str(answer.get("reason") or "")
    reason_zh = answer.get("reason_zh")
    return EnvelopeResult(
        idempotency_key=key,
        status=answer["status"],
        envelope_id=str(answer.get("envelope_id") or ""),
        received_at=str(answer.get("received_at") or ""),
        reason=Words(reason_zh if isinstance(reason_zh, str) and reason_zh else reason_en, reason_en),
    )


# -- decisions and events -----------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRequest:
    """A department's decision on one item of one envelope (``POST /v1/decisions``)."""

    envelope_id: str
    item: str  # empty for an acknowledgement (it covers the whole handover)
    decision: str  # approved | rejected | supplement_needed | acknowledged
    result: str = ""
    reason: str = ""
    material: str = ""
    decided_by: str = ""
    signature: str = ""
    """The department's signature of these fields (:func:`window_app.trust.envelopes.decision_message`),
    canonical JSON text of ``{"suite", "key_id", "value"}``."""

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "item": self.item,
            "decision": self.decision,
            "result": self.result,
            "reason": self.reason,
            "material": self.material,
            "decided_by": self.decided_by,
        }
        if self.signature:
            body["signature"] = json.loads(self.signature)
        return body


# name → (required, longest): the ids are ids (as on an envelope), the rest texts of a decision.
_DECISION_FIELDS = {
    "envelope_id": (True, MAX_ID_LENGTH),
    "item": (True, MAX_ID_LENGTH),
    "decision": (True, MAX_TEXT),
    "result": (False, MAX_TEXT),
    "reason": (False, MAX_TEXT),
    "material": (False, MAX_TEXT),
    "decided_by": (False, MAX_TEXT),
}


def decision_from_json(body: object) -> DecisionRequest | Words:
    """A decision request's body, typed; or what is wrong with it.

    An optional text given as ``null`` counts as absent (empty).
    """
    if not isinstance(body, Mapping):
        return Words("请求体必须是 JSON 对象", "the body must be a JSON object")
    fields: dict[str, str] = {}
    acknowledgement = body.get("decision") == ACKNOWLEDGED
    for name, (required, longest) in _DECISION_FIELDS.items():
        required = required and not (acknowledgement and name == "item")  # a handover is acknowledged whole
        value = body.get(name)
        if value is None and not required:
            value = ""
        if not isinstance(value, str) or (required and not value) or len(value) > longest:
            need = "a non-empty string" if required else "a string"
            return Words(
                f"{name} 须为不超过 {longest} 字的字符串", f"{name} must be {need} of at most {longest} characters"
            )
        fields[name] = value
    problem = _unicode_problem(fields)
    if problem:
        return problem
    request = DecisionRequest(**fields)
    if request.decision not in (*DECISIONS, ACKNOWLEDGED):
        known = (*DECISIONS, ACKNOWLEDGED)
        return Words(f"decision 须为 {'、'.join(known)} 之一", f"decision must be one of {', '.join(known)}")
    if acknowledgement and request.item:
        return Words("确认接收针对整个移交信封，不填事项（item）", "an acknowledgement covers the whole handover: leave item empty")
    if acknowledgement and not request.decided_by.strip():
        return Words("确认接收须写明接收人（decided_by）", "an acknowledgement names who received the materials (decided_by)")
    if request.decision == "rejected" and not request.reason.strip():
        return Words("不予许可须说明理由（reason）", "a rejection needs a reason")
    if request.decision == "supplement_needed" and not (request.material.strip() or request.reason.strip()):
        return Words("要求补正须写明材料（material）或理由（reason）", "a supplement request needs a material or a reason")
    signature = signature_shape(body.get("signature"))
    if isinstance(signature, Words):
        return signature
    return dataclasses.replace(request, signature=signature)


@dataclass(frozen=True)
class Event:
    """What happened to one of a window's envelopes (``GET /v1/events``).

    ``received`` events carry no item and no decision fields; decisions carry all of them.
    """

    seq: int
    kind: str  # received | approved | rejected | supplement_needed | acknowledged
    envelope_id: str
    idempotency_key: str
    receipt_no: str
    department: str
    item: str | None
    at: str
    result: str = ""
    reason: str = ""
    material: str = ""
    decided_by: str = ""
    signature: str = ""
    """A decision's signature by its department (canonical JSON text; empty for ``received``)."""

    def to_json(self) -> dict[str, Any]:
        event: dict[str, Any] = {
            "seq": self.seq,
            "kind": self.kind,
            "envelope_id": self.envelope_id,
            "idempotency_key": self.idempotency_key,
            "receipt_no": self.receipt_no,
            "department": self.department,
            "item": self.item,
        }
        if self.kind != "received":
            event.update(result=self.result, reason=self.reason, material=self.material, decided_by=self.decided_by)
            if self.signature:
                event["signature"] = json.loads(self.signature)
        event["at"] = self.at
        return event


def event_problem(event: object) -> Words | None:
    """Why a pulled event cannot be applied (no whole-number ``seq``, no ``kind``), or ``None``.

    A kind this window does not know yet is not a problem: the event is kept, not acted on.
    """
    if not isinstance(event, Mapping):
        return Words("回答中没有 events 列表", "the answer has no events list")
    seq = event.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not isinstance(event.get("kind"), str):
        return Words("回答中有无法识别的事件", "the answer holds an event that cannot be read")
    return None
