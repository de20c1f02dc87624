"""Ed25519 signing keys and X25519 sealing keys, their public text and their key ids.

A public key travels as text: ``<suite>:<base64 of the 32 raw bytes>`` (e.g.
``ed25519:Qm9…``), so a reader knows the algorithm before it reads the key. A key id is the
first 16 hex digits of SHA-256 over that text: short enough to print on a slip or a log line,
long enough that two keys of one exchange never share one by chance.

Private keys never leave :mod:`~window_app.trust.key_files` as text; this module only holds
them in memory.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from window_app.domain.words import Words
from window_app.trust.suites import SEAL_HPKE_X25519, SIGNATURE_ED25519

THE_KEY = Words("密钥", "the key")


def key_id(public_text: str) -> str:
    """The short id of a public key (16 hex digits of SHA-256 over its text form)."""
    return hashlib.sha256(public_text.encode("ascii")).hexdigest()[:16]


def _public_text(suite: str, raw: bytes) -> str:
    return f"{suite}:{base64.b64encode(raw).decode('ascii')}"


def _raw_of(text: object, suite: str, what: Words) -> bytes | Words:
    if not isinstance(text, str) or not text.startswith(f"{suite}:"):
        return Words("{what}不是 {suite} 公钥（应为“{suite}:<base64>”）", "{what} is not an {suite} public key ({suite}:<base64>)").format(
            what=what, suite=suite
        )
    try:
        raw = base64.b64decode(text[len(suite) + 1 :], validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        return Words("{what}的公钥长度或编码不对", "{what}'s public key has the wrong length or encoding").format(what=what)
    return raw


@dataclass(frozen=True)
class _PublicKey:
    """A public key and its text form; subclasses name their suite."""

    SUITE: ClassVar[str]
    key: Any

    # Computed once per key object (an accept signs and seals with the same keys several times).
    @functools.cached_property
    def text(self) -> str:
        # The raw bytes without ``serialization``'s enums: that package also imports every key
        # type's SSH and PEM support (~5 ms at a sign-in, which reads one key).
        return _public_text(self.SUITE, self.key.public_bytes_raw())

    @functools.cached_property
    def key_id(self) -> str:
        return key_id(self.text)

    @classmethod
    def from_text(cls, text: object, what: Words = THE_KEY) -> Self | Words:
        """The key written as ``<suite>:<base64>``, or why it is not one."""
        raw = _raw_of(text, cls.SUITE, what)
        if isinstance(raw, Words):
            return raw
        return cls(cls._load(raw))

    @staticmethod
    def _load(raw: bytes) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class PublicSigningKey(_PublicKey):
    """Someone's public Ed25519 key: checks what they signed."""

    SUITE: ClassVar[str] = SIGNATURE_ED25519
    key: Ed25519PublicKey

    @staticmethod
    def _load(raw: bytes) -> Ed25519PublicKey:
        return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class SigningKey:
    """A private Ed25519 key (a window's, a department's, the exchange's, a catalog authority's)."""

    key: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @functools.cached_property
    def public(self) -> PublicSigningKey:
        return PublicSigningKey(self.key.public_key())

    @property
    def key_id(self) -> str:
        return self.public.key_id


@dataclass(frozen=True)
class PublicSealingKey(_PublicKey):
    """A department's public X25519 key: what is sealed to it only its private key opens."""

    SUITE: ClassVar[str] = SEAL_HPKE_X25519
    key: X25519PublicKey

    @staticmethod
    def _load(raw: bytes) -> X25519PublicKey:
        return X25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class SealingKey:
    """A department's private X25519 key."""

    key: X25519PrivateKey

    @classmethod
    def generate(cls) -> SealingKey:
        return cls(X25519PrivateKey.generate())

    @property
    def public(self) -> PublicSealingKey:
        return PublicSealingKey(self.key.public_key())

    @property
    def key_id(self) -> str:
        return self.public.key_id
