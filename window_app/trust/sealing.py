"""Sealing: bytes only the holder of one private X25519 key can open.

HPKE base mode (RFC 9180) single-shot, as ``cryptography`` implements it: the sealed bytes are
the encapsulated key followed by the AES-128-GCM ciphertext and tag. ``info`` binds the
ciphertext to its place (an envelope's idempotency key and id): moved into another envelope,
it no longer opens. Sealing needs only the recipient's public key, so a window seals at accept,
offline, and the outbox afterwards holds nothing it could read back.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hpke

from window_app.domain.words import Words
from window_app.trust.keys import PublicSealingKey, SealingKey
from window_app.trust.suites import SEAL_HPKE_X25519, SEAL_SUITES

_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_128_GCM)


@dataclass(frozen=True)
class Sealed:
    """Sealed bytes: the suite, the id of the key they are sealed to, and the data (base64)."""

    suite: str
    to: str
    data: str

    def to_json(self) -> dict[str, str]:
        return {"suite": self.suite, "to": self.to, "data": self.data}

    @classmethod
    def from_json(cls, obj: object) -> Sealed | Words:
        """Sealed data as sent, or why it cannot be."""
        if not isinstance(obj, Mapping):
            return Words("密文必须是对象 {suite, to, data}", "sealed data must be an object {suite, to, data}")
        suite, to, data = (obj.get(name) for name in ("suite", "to", "data"))
        if not all(isinstance(value, str) and value for value in (suite, to, data)):
            return Words("密文缺少 suite、to 或 data", "sealed data needs suite, to and data")
        if suite not in SEAL_SUITES:
            return Words("不支持的加密算法“{s}”", "unsupported sealing suite '{s}'").format(s=suite)
        return cls(suite, to, data)


def seal(key: PublicSealingKey, plaintext: bytes, info: bytes) -> Sealed:
    """Seal ``plaintext`` to ``key``, bound to ``info``."""
    data = _SUITE.encrypt(plaintext, key.key, info=info)
    return Sealed(SEAL_HPKE_X25519, key.key_id, base64.b64encode(data).decode("ascii"))


def open_sealed(key: SealingKey, sealed: Sealed, info: bytes) -> bytes | Words:
    """The plaintext, or why it does not open (another key, another place, altered)."""
    if sealed.suite != SEAL_HPKE_X25519:
        return Words("不支持的加密算法“{s}”", "unsupported sealing suite '{s}'").format(s=sealed.suite)
    if sealed.to != key.key_id:
        return Words("密文加密给密钥 {to}，而非本部门的 {mine}", "sealed to key {to}, not to this department's {mine}").format(
            to=sealed.to, mine=key.key_id
        )
    try:
        return _SUITE.decrypt(base64.b64decode(sealed.data, validate=True), key.key, info=info)
    except (binascii.Error, ValueError, InvalidTag):
        return Words("密文无法解开：被改动，或不属于此信封", "the sealed data does not open: altered, or not of this envelope")
