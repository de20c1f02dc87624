"""A clerk's PIN: what it proves and what it unlocks.

One memory-hard derivation per sign-in (argon2id, RFC 9106) gives 32 bytes; HKDF splits them in
two keys that never meet:

- the **verifier** (stored): proves the PIN without storing anything a PIN can be recovered from
  faster than by running argon2id once per guess;
- the **key-encryption key** (never stored): opens the clerk's private X25519 key (AES-256-GCM),
  which opens the window data key sealed to that clerk (HPKE, :mod:`window_app.trust.sealing`).

The pair, not the PIN, carries the data key: an administrator who re-keys the window seals the new
data key to every active clerk's public key without knowing their PINs, and disabling a clerk
deletes their sealed copy.

The argon2id cost is stored with each account (``KdfParams``), so it can be raised for new PINs
without locking anyone out. The default is OWASP's 2023 minimum for argon2id (19 MiB, 2 passes,
one lane): ~85 ms per sign-in on a county PC of this project's test machine.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
from dataclasses import dataclass, field

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from window_app.domain.words import Words
from window_app.trust.data_key import DataKey
from window_app.trust.keys import PublicSealingKey, SealingKey
from window_app.trust.sealing import Sealed, open_sealed, seal

MIN_PIN_LENGTH = 6


@dataclass(frozen=True)
class KdfParams:
    """argon2id's cost, stored beside each account's salt."""

    time_cost: int = 2
    memory_kib: int = 19 * 1024
    parallelism: int = 1

    def to_json(self) -> str:
        return json.dumps({"kdf": "argon2id", "t": self.time_cost, "m": self.memory_kib, "p": self.parallelism})

    @classmethod
    def from_json(cls, text: str) -> KdfParams:
        data = json.loads(text)
        if data.get("kdf") != "argon2id":
            raise ValueError(f"unknown PIN derivation {data.get('kdf')!r}")
        return cls(int(data["t"]), int(data["m"]), int(data["p"]))


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True)
class PinKeys:
    """What one derivation of a PIN gives (kept out of ``repr``)."""

    salt: bytes
    params: KdfParams
    verifier: bytes = field(repr=False)
    kek: bytes = field(repr=False)


def derive(pin: str, salt: bytes, params: KdfParams) -> PinKeys:
    """Run argon2id once over ``pin`` and split the result into verifier and key-encryption key."""
    master = hash_secret_raw(
        pin.encode("utf-8"), salt, params.time_cost, params.memory_kib, params.parallelism, 32, Type.ID
    )
    return PinKeys(salt, params, _subkey(master, b"verifier"), _subkey(master, b"key-encryption"))


def new_pin(pin: str, params: KdfParams = DEFAULT_KDF) -> PinKeys:
    """Derive a new PIN's keys under a fresh random salt."""
    return derive(pin, secrets.token_bytes(16), params)


def verifier_matches(keys: PinKeys, stored_verifier: bytes) -> bool:
    return hmac.compare_digest(keys.verifier, stored_verifier)


def stored_form(keys: PinKeys) -> dict[str, str]:
    """What an account keeps to check a PIN later: the cost (JSON), salt and verifier (base64)."""
    return {
        "kdf": keys.params.to_json(),
        "salt": base64.b64encode(keys.salt).decode("ascii"),
        "verifier": base64.b64encode(keys.verifier).decode("ascii"),
    }


def check_pin(pin: str, *, kdf: str, salt: str, verifier: str) -> PinKeys | None:
    """The PIN's keys if ``pin`` matches an account's :func:`stored_form`, else ``None``."""
    keys = derive(pin, base64.b64decode(salt), KdfParams.from_json(kdf))
    return keys if verifier_matches(keys, base64.b64decode(verifier)) else None


def pin_problem(pin: str) -> Words | None:
    """Why ``pin`` is too weak to protect an account and its data, or ``None``."""
    if len(pin) < MIN_PIN_LENGTH:
        return Words("PIN 至少 {n} 位", "a PIN has at least {n} characters").format(n=MIN_PIN_LENGTH)
    if len(set(pin)) == 1 or pin in "01234567890" or pin in "09876543210" or pin.lower() in "abcdefghijklmnopqrstuvwxyz":
        return Words("PIN 不能是同一字符或顺序字符（如 111111、123456）", "a PIN cannot be one repeated or consecutive characters (111111, 123456)")
    return None


@dataclass(frozen=True)
class ClerkKeyPair:
    """A clerk's X25519 key pair: the public half in the clear, the private half under the PIN."""

    public: str
    wrapped_private: str


def new_key_pair(keys: PinKeys, clerk_id: str) -> tuple[ClerkKeyPair, SealingKey]:
    """A fresh key pair for a clerk, its private half wrapped with the PIN's key."""
    private = SealingKey.generate()
    return ClerkKeyPair(private.public.text, wrap_private_key(private, keys, clerk_id)), private


def wrap_private_key(private: SealingKey, keys: PinKeys, clerk_id: str) -> str:
    raw = private.key.private_bytes_raw()  # not through ``serialization`` (see keys.py)
    nonce = secrets.token_bytes(12)
    data = nonce + AESGCM(keys.kek).encrypt(nonce, raw, _private_aad(clerk_id))
    return base64.b64encode(data).decode("ascii")


def unwrap_private_key(wrapped: str, keys: PinKeys, clerk_id: str) -> SealingKey | Words:
    """The clerk's private key, or why it does not open (wrong PIN, another account, altered)."""
    try:
        data = base64.b64decode(wrapped, validate=True)
        raw = AESGCM(keys.kek).decrypt(data[:12], data[12:], _private_aad(clerk_id))
    except (binascii.Error, ValueError, InvalidTag):
        return Words("账号密钥无法解开：PIN 不对或记录被改动", "the account's key does not open: wrong PIN or altered record")
    return SealingKey(X25519PrivateKey.from_private_bytes(raw))


def seal_data_key(data_key: DataKey, public_text: str, clerk_id: str) -> str:
    """The data key sealed to one clerk's public key (the account's "wrap"), as JSON text."""
    public = PublicSealingKey.from_text(public_text)
    if isinstance(public, Words):
        raise ValueError(public.in_language("en"))
    return json.dumps(seal(public, data_key.raw, _data_key_info(clerk_id)).to_json())


def open_data_key(wrap: str, private: SealingKey, clerk_id: str) -> DataKey | Words:
    """The window data key from a clerk's wrap, or why it does not open."""
    sealed = Sealed.from_json(json.loads(wrap))
    if isinstance(sealed, Words):
        return sealed
    raw = open_sealed(private, sealed, _data_key_info(clerk_id))
    if isinstance(raw, Words):
        return raw
    return DataKey(raw)


def open_clerks_data_key(keys: PinKeys, clerk_id: str, *, private_key: str, sealed: str) -> DataKey | Words:
    """The window data key from a clerk's wrapped private key and their sealed copy, or why not."""
    private = unwrap_private_key(private_key, keys, clerk_id)
    if isinstance(private, Words):
        return private
    return open_data_key(sealed, private, clerk_id)


def _subkey(master: bytes, purpose: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=None, info=b"window-app pin " + purpose).derive(master)


def _private_aad(clerk_id: str) -> bytes:
    return f"window-app clerk key|{clerk_id}".encode()


def _data_key_info(clerk_id: str) -> bytes:
    return f"window-app data key|{clerk_id}".encode()
