"""Envelopes and decisions, signed and sealed: the one place both ends agree on what is signed.

An envelope's payload (format 2) is canonical JSON in two parts:

- the clear header the exchange needs to route and to check it: ids, receipt number,
  department, stage, items (catalog ids and names), prerequisites, the window — no applicant
  data;
- ``sealed``: the department's part of the application (who applies, the form's values, the
  materials and their notes), sealed to that department's X25519 key (HPKE). A later stage
  released after its prerequisites adds ``sealed_results`` (the results it builds on), sealed
  the same way: the window seals, it never needs to open.

The window signs the payload bytes with its Ed25519 key; ``signature`` travels beside them
(``{"suite", "key_id", "value"}``). The HPKE ``info`` binds each sealed part to its envelope
(idempotency key, envelope id, part name): cut out and pasted into another envelope, it does
not open. A department's decision is signed over the canonical JSON of its fields
(:func:`decision_message`).
"""

from __future__ import annotations

import json
from collections.abc import Container, Mapping
from typing import Any

from window_app.domain.wire import canonical_json
from window_app.domain.words import Words
from window_app.trust.keys import PublicSealingKey, PublicSigningKey, SealingKey
from window_app.trust.sealing import Sealed, open_sealed, seal
from window_app.trust.signing import Signature, verify

SEALED_PARTS = ("sealed", "sealed_results")
"""Keys of the payload that hold sealed parts, in the order they are merged when opened."""


def _info(document: Mapping[str, Any], part: str) -> bytes:
    return "\0".join(("window-app/envelope/2", str(document.get("idempotency_key")), str(document.get("envelope_id")), part)).encode()


def seal_part(key: PublicSealingKey, header: Mapping[str, Any], part: str, content: Mapping[str, Any]) -> dict[str, str]:
    """``content`` sealed to ``key`` for the envelope ``header`` describes, as JSON."""
    return seal(key, canonical_json(dict(content)), _info(header, part)).to_json()


def open_payload(payload: str | bytes, key: SealingKey) -> dict[str, Any] | Words:
    """The whole document of an envelope: its clear header with every sealed part opened in.

    Returns words when the payload is not JSON, a part is not sealed data, or does not open
    with this key (another department's, altered, moved from another envelope).
    """
    try:
        document = json.loads(payload)
    except ValueError:
        return Words("载荷不是合法的 JSON", "the payload is not JSON")
    if not isinstance(document, dict):
        return Words("载荷不是 JSON 对象", "the payload is not a JSON object")
    whole = {name: value for name, value in document.items() if name not in SEALED_PARTS}
    for part in SEALED_PARTS:
        if part not in document:
            continue
        sealed = Sealed.from_json(document[part])
        if isinstance(sealed, Words):
            return sealed
        opened = open_sealed(key, sealed, _info(document, part))
        if isinstance(opened, Words):
            return opened
        try:
            content = json.loads(opened)
        except ValueError:
            content = None
        if not isinstance(content, dict):
            return Words("密文内容不是 JSON 对象", "the sealed content is not a JSON object")
        whole.update(content)
    return whole


DECISION_FIELDS = ("envelope_id", "item", "decision", "result", "reason", "material", "decided_by")


def decision_message(decision: Mapping[str, Any]) -> bytes:
    """The bytes a department signs for one decision: its fields, canonical JSON."""
    return canonical_json({name: str(decision.get(name) or "") for name in DECISION_FIELDS})


def decision_signature_problem(
    department_id: str, signing_key: str, decision: Mapping[str, Any], signature: object, revoked: Container[str] = ()
) -> Words | None:
    """Why a decision is not verifiably its department's, or ``None``: the one check of the
    exchange (on ``POST /v1/decisions``) and of the window (before applying an event).

    Args:
        signing_key: The department's public key as its catalog gives it (may be empty).
        decision: The seven decision fields (absent ones count as empty).
        signature: The signature object as sent.
        revoked: Key ids revoked where the check runs.
    """
    key = PublicSigningKey.from_text(signing_key)
    if isinstance(key, Words):
        return Words("目录中没有部门“{d}”的签名公钥，无法核验其决定", "the catalog gives no signing key for department '{d}'; its decisions cannot be verified").format(
            d=department_id
        )
    if key.key_id in revoked:
        return Words("部门“{d}”的签名密钥 {k} 已被吊销", "department '{d}''s signing key {k} is revoked").format(d=department_id, k=key.key_id)
    parsed = Signature.from_json(signature)
    if isinstance(parsed, Words):
        return parsed
    problem = verify(key, decision_message(decision), parsed)
    if problem:
        return Words("决定的签名不符：{p}", "the decision's signature does not hold: {p}").format(p=problem)
    return None
