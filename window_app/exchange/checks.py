"""Checking one submitted envelope before the exchange stores it.

A failed check is permanent for that envelope (the window quarantines it with the reason), so
each check names exactly what is wrong, in English (``reason``, the contract's words) and in
Chinese (``reason_zh``, for the clerk). Checks that need the store (a supplement's original
envelope) are asked through a callback, so this module stays free of SQL.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from window_app.domain.catalog import Catalog

KINDS = ("application", "supplement")
MAX_ID_LENGTH = 200
HEX64 = re.compile(r"[0-9a-fA-F]{64}")
SUBJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Rejection:
    """Why an envelope is refused, in both languages."""

    reason: str
    reason_zh: str


@dataclass(frozen=True)
class ItemEntry:
    """One item of an envelope as the exchange keeps it."""

    id: str
    name: str
    result_name: str


@dataclass(frozen=True)
class CheckedEnvelope:
    """A submitted envelope that passed every check, ready to store."""

    envelope_id: str
    idempotency_key: str
    kind: str
    receipt_no: str
    department: str
    stage: int
    payload: str
    payload_sha256: str
    signature: str
    original_envelope_id: str | None
    items: tuple[ItemEntry, ...]


# original envelope id → (window id, department, kind), or None if there is no such envelope.
OriginalLookup = Callable[[str], "tuple[str, str, str] | None"]


def check_envelope(
    submitted: Mapping[str, Any], window_id: str, catalog: Catalog, original_of: OriginalLookup
) -> CheckedEnvelope | Rejection:
    """Check one entry of ``POST /v1/envelopes`` sent by ``window_id``.

    Args:
        submitted: The entry as parsed from the request body.
        window_id: The caller (from its token).
        catalog: The exchange's catalog: which departments and items exist.
        original_of: Looks up the original envelope of a supplement.
    """
    fields = _envelope_fields(submitted)
    if isinstance(fields, Rejection):
        return fields
    envelope_id, key, kind, receipt_no, department, stage, payload, sha256, signature = fields
    if hashlib.sha256(payload.encode("utf-8")).hexdigest() != sha256.lower():
        return Rejection(
            "payload_sha256 does not match the payload (altered or truncated on the way)",
            "载荷摘要（payload_sha256）与载荷不符：内容在传输中被改动或截断",
        )
    try:
        document = json.loads(payload)
    except ValueError as exc:
        return Rejection(f"payload is not JSON: {exc}", f"载荷不是合法的 JSON：{exc}")
    if not isinstance(document, dict):
        return Rejection("payload is not a JSON object", "载荷不是 JSON 对象")
    if department not in catalog.departments:
        return Rejection(f"unknown department '{department}'", f"未知部门“{department}”")
    mismatch = _payload_mismatch(document, window_id, envelope_id, key, receipt_no, department, stage)
    if mismatch:
        return mismatch
    original: str | None = None
    if kind == "application":
        expected_key = f"{receipt_no}/{department}/{stage}"
        if key != expected_key:
            return Rejection(
                f"idempotency_key '{key}' is not '{expected_key}' (receipt_no/department/stage)",
                f"幂等键“{key}”应为“{expected_key}”（受理编号/部门/阶段）",
            )
    else:
        original = document.get("original_envelope_id")
        problem = _original_problem(original, window_id, department, original_of)
        if problem:
            return problem
    items = _items(document, department, catalog, required=kind == "application")
    if isinstance(items, Rejection):
        return items
    return CheckedEnvelope(
        envelope_id=envelope_id,
        idempotency_key=key,
        kind=kind,
        receipt_no=receipt_no,
        department=department,
        stage=stage,
        payload=payload,
        payload_sha256=sha256.lower(),
        signature=signature,
        original_envelope_id=original,
        items=items,
    )


def _envelope_fields(submitted: Mapping[str, Any]) -> tuple | Rejection:
    """The envelope's own fields, typed; or what is missing or of the wrong type."""
    values = []
    for name in ("envelope_id", "idempotency_key", "kind", "receipt_no", "department"):
        value = submitted.get(name)
        if not isinstance(value, str) or not value.strip():
            return _missing(name, "a non-empty string")
        if len(value) > MAX_ID_LENGTH:
            return Rejection(f"{name} is longer than {MAX_ID_LENGTH} characters", f"{name} 超过 {MAX_ID_LENGTH} 个字符")
        values.append(value)
    envelope_id, key, kind, receipt_no, department = values
    if kind not in KINDS:
        return Rejection(f"kind '{kind}' is not one of {', '.join(KINDS)}", f"类型“{kind}”不是 {'、'.join(KINDS)} 之一")
    stage = submitted.get("stage")
    if isinstance(stage, bool) or not isinstance(stage, int) or stage < 1:
        return _missing("stage", "a whole number from 1")
    payload = submitted.get("payload")
    if not isinstance(payload, str):
        return _missing("payload", "a string (the canonical JSON text)")
    sha256 = submitted.get("payload_sha256")
    if not isinstance(sha256, str) or not HEX64.fullmatch(sha256):
        return _missing("payload_sha256", "64 hexadecimal digits")
    signature = submitted.get("signature")
    if not isinstance(signature, str) or not signature:
        return _missing("signature", "a non-empty string")
    return envelope_id, key, kind, receipt_no, department, stage, payload, sha256, signature


def _missing(name: str, expected: str) -> Rejection:
    expected_zh = {
        "a non-empty string": "非空字符串",
        "a whole number from 1": "从 1 起的整数",
        "a string (the canonical JSON text)": "字符串（规范 JSON 文本）",
        "64 hexadecimal digits": "64 位十六进制数",
    }[expected]
    return Rejection(f"{name} is missing or not {expected}", f"{name} 缺失或不是{expected_zh}")


def _payload_mismatch(
    document: dict, window_id: str, envelope_id: str, key: str, receipt_no: str, department: str, stage: int
) -> Rejection | None:
    """The payload must say what the envelope says, where it says it at all."""
    department_block = document.get("department")
    payload_department = department_block.get("id") if isinstance(department_block, dict) else department_block
    window_block = document.get("window")
    payload_window = window_block.get("id") if isinstance(window_block, dict) else None
    pairs = (
        ("envelope_id", document.get("envelope_id"), envelope_id),
        ("idempotency_key", document.get("idempotency_key"), key),
        ("receipt_no", document.get("receipt_no"), receipt_no),
        ("department", payload_department, department),
        ("stage", document.get("stage"), stage),
    )
    for name, in_payload, in_envelope in pairs:
        if in_payload is not None and in_payload != in_envelope:
            return Rejection(
                f"payload {name} {in_payload!r} differs from the envelope's {in_envelope!r}",
                f"载荷中的 {name}（{in_payload!r}）与信封上的（{in_envelope!r}）不一致",
            )
    if payload_window is not None and payload_window != window_id:
        return Rejection(
            f"payload was written by window {payload_window!r}, not by the caller {window_id!r}",
            f"载荷出自窗口 {payload_window!r}，而非发送方 {window_id!r}",
        )
    return None


def _original_problem(original: Any, window_id: str, department: str, original_of: OriginalLookup) -> Rejection | None:
    if not isinstance(original, str) or not original:
        return Rejection(
            "a supplement's payload must name its original_envelope_id",
            "补正材料的载荷必须写明原信封编号（original_envelope_id）",
        )
    found = original_of(original)
    if found is None or found[0] != window_id:
        return Rejection(f"no envelope '{original}' sent by this window", f"本窗口未发送过信封“{original}”")
    if found[1] != department:
        return Rejection(
            f"original envelope '{original}' is addressed to '{found[1]}', not '{department}'",
            f"原信封“{original}”发往“{found[1]}”，而非“{department}”",
        )
    if found[2] != "application":
        return Rejection(f"original envelope '{original}' is itself a supplement", f"原信封“{original}”本身是补正材料")
    return None


def _items(document: dict, department: str, catalog: Catalog, *, required: bool) -> tuple[ItemEntry, ...] | Rejection:
    """The payload's items; each known item must belong to the envelope's department.

    An item id the exchange's catalog does not know is accepted (the window may run an older
    or newer catalog version, pinned in the payload); an item of another department is not.
    """
    raw = document.get("items")
    if raw is None and not required:
        return ()
    if not isinstance(raw, list) or (required and not raw):
        return Rejection("payload items must be a non-empty list", "载荷中的事项（items）必须是非空列表")
    entries: dict[str, ItemEntry] = {}
    for entry in raw:
        item_id = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(item_id, str) or not item_id:
            return Rejection("every payload item needs an id", "载荷中的每个事项都需要编号（id）")
        known = catalog.items.get(item_id)
        if known is not None and known.department != department:
            return Rejection(
                f"item '{item_id}' belongs to department '{known.department}', not '{department}'",
                f"事项“{item_id}”属于“{known.department}”，而非“{department}”",
            )
        name = entry.get("name") if isinstance(entry.get("name"), str) else (known.name.zh if known else item_id)
        result = entry.get("result") if isinstance(entry.get("result"), str) else (known.result if known else "")
        entries.setdefault(item_id, ItemEntry(item_id, name, result))
    return tuple(entries.values())
