"""Signatures: ``{"suite", "key_id", "value"}`` over bytes the caller names.

What is signed is always canonical bytes (canonical JSON, see
:func:`window_app.domain.wire.canonical_json`), so signer and verifier agree on them byte for
byte. A verifier answers in words (``None`` when the signature holds), never raises on what a
sender wrote.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature

from window_app.domain.words import Words
from window_app.trust.keys import PublicSigningKey, SigningKey
from window_app.trust.suites import SIGNATURE_ED25519, SIGNATURE_SUITES


@dataclass(frozen=True)
class Signature:
    """One signature: which suite, which key (its id), and the value (base64)."""

    suite: str
    key_id: str
    value: str

    def to_json(self) -> dict[str, str]:
        return {"suite": self.suite, "key_id": self.key_id, "value": self.value}

    @classmethod
    def from_json(cls, obj: object) -> Signature | Words:
        """A signature as sent, or why it cannot be one."""
        if not isinstance(obj, Mapping):
            return Words("签名必须是对象 {suite, key_id, value}", "a signature must be an object {suite, key_id, value}")
        fields = [obj.get(name) for name in ("suite", "key_id", "value")]
        if not all(isinstance(value, str) and value and len(value) <= 200 for value in fields):
            return Words("签名缺少 suite、key_id 或 value", "a signature needs suite, key_id and value (short strings)")
        suite, key, value = fields
        if suite not in SIGNATURE_SUITES:
            return Words("不支持的签名算法“{s}”", "unsupported signature suite '{s}'").format(s=suite)
        return cls(suite, key, value)


def sign(key: SigningKey, message: bytes) -> Signature:
    """Sign ``message`` with ``key``."""
    value = base64.b64encode(key.key.sign(message)).decode("ascii")
    return Signature(SIGNATURE_ED25519, key.key_id, value)


def verify(key: PublicSigningKey, message: bytes, signature: Signature) -> Words | None:
    """``None`` if ``signature`` is ``key``'s signature of ``message``; else why not, in words."""
    if signature.suite != SIGNATURE_ED25519:
        return Words("不支持的签名算法“{s}”", "unsupported signature suite '{s}'").format(s=signature.suite)
    if signature.key_id != key.key_id:
        return Words(
            "签名所用密钥 {got} 不是登记的密钥 {want}", "signed with key {got}, not the registered key {want}"
        ).format(got=signature.key_id, want=key.key_id)
    try:
        raw = base64.b64decode(signature.value, validate=True)
        key.key.verify(raw, message)
    except (binascii.Error, ValueError, InvalidSignature):
        return Words("签名不符：内容被改动，或不是此密钥所签", "the signature does not match: altered, or not signed by this key")
    return None


def signature_of(obj: Mapping[str, Any], field: str = "signature") -> Signature | Words:
    """The signature in ``obj[field]``, or why there is none."""
    if field not in obj:
        return Words("缺少签名", "the signature is missing")
    return Signature.from_json(obj[field])
