"""Personal data at rest: one field at a time under the window data key, and blind indexes.

A field (an applicant's name, an ID number, a whole intake as JSON …) is sealed with
AES-256-GCM under a subkey of the window data key (:class:`~window_app.trust.data_key.DataKey`)
with a fresh random 96-bit nonce. The associated data names the field's place — table, column
and the row's key (a receipt number, a draft id) — so a ciphertext copied into another row or
column does not open: it cannot lend one applicant's ID number to another application.

The stored form is bytes (a BLOB in SQLite)::

    version (1 byte, 0x01) | key id (8 bytes) | nonce (12 bytes) | ciphertext + tag (16 bytes)

The key id (:attr:`DataKey.key_id`) lets a re-key find rows still under the old key, and lets a
reader say "this was written under another key" instead of "damaged". Plain text (``str``)
is what an older installation stored before it had a data key; :func:`is_sealed` tells them apart.

Lookups without decrypting every row go through *blind indexes*: HMAC-SHA256 of a normalised
value under its own subkey, cut to 16 bytes. Exact ID number (resident ID or USCC: NFKC, trimmed,
upper case, so a typed ``x`` finds an ``X``), exact phone (digits only), and every prefix of a
name up to :data:`NAME_PREFIX_LENGTH` characters (so ``张`` and ``张三`` find 张三丰), and of the
name after its first character (``三丰`` finds 张三丰: clerks search by given name). The subkeys
come from the data key through HKDF-SHA256 with a label each: the encryption key and the index
keys are unrelated, and an index value says nothing about the ciphertext.

What a blind index shows to someone holding the file (and not the key): which rows share an ID
number, a phone or a name prefix — a 1-character prefix groups applicants by surname (and by the
first character of the given name).
docs/security.md says so.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words
from window_app.trust.data_key import DataKey

VERSION = 1
_VERSION_BYTE = bytes([VERSION])
_KEY_ID_BYTES = 8
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER_BYTES = 1 + _KEY_ID_BYTES + _NONCE_BYTES
INDEX_BYTES = 16
"""A blind index value's length: 128 bits, no collisions among a window's applications."""

NAME_PREFIX_LENGTH = 4
"""Name prefixes indexed: 1 … 4 characters (a Chinese name is 2 to 4; a longer query is found
by its first 4 and then checked against the decrypted names of those rows)."""

_AAD_LABEL = b"window-app field v1"


class FieldUnreadable(WindowAppError):
    """A stored field does not open with the key at hand (another key, another place, damaged).

    Attributes:
        key_id: The key id the field says it was sealed under ('' if unreadable).
    """

    def __init__(self, words: Words, key_id: str = ""):
        super().__init__(words)
        self.key_id = key_id


def is_sealed(value: object) -> bool:
    """Whether a stored value is a sealed field (bytes of this format), not older plain text."""
    return isinstance(value, bytes | bytearray | memoryview) and len(value) >= _HEADER_BYTES + _TAG_BYTES and (
        bytes(value[:1]) == _VERSION_BYTE
    )


def sealed_key_id(value: bytes) -> str:
    """The key id a sealed field names (16 hex digits)."""
    return bytes(value[1 : 1 + _KEY_ID_BYTES]).hex()


class FieldCipher:
    """Seal and open fields, and compute blind indexes, under one data key.

    Build it with :func:`field_cipher` (cached per key: the subkeys are derived once).

    Attributes:
        key_id: The data key's id.
    """

    def __init__(self, key: DataKey):
        if len(key.raw) != 32:
            raise ValueError("a window data key is 32 bytes")
        self.key_id = key.key_id
        self._key_id_bytes = bytes.fromhex(self.key_id)
        self._prefix = _VERSION_BYTE + self._key_id_bytes
        self._aead = AESGCM(_subkey(key, b"field encryption"))
        self._id_number_key = _subkey(key, b"blind index: id number")
        self._phone_key = _subkey(key, b"blind index: phone")
        self._name_key = _subkey(key, b"blind index: name prefix")

    # -- fields ---------------------------------------------------------------------------------

    def seal(self, value: str, *, table: str, column: str, row: str) -> bytes:
        """``value`` sealed for its place (``table``, ``column``, the row's key ``row``)."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode("utf-8"), _aad(table, column, row))
        return _VERSION_BYTE + self._key_id_bytes + nonce + sealed

    def open(self, value: bytes, *, table: str, column: str, row: str) -> str:
        """The text sealed in ``value`` at this place.

        Raises:
            FieldUnreadable: Sealed under another key, for another place, or damaged.
        """
        value = bytes(value)
        if value[: 1 + _KEY_ID_BYTES] == self._prefix:  # the common case, checked at once
            try:
                return self._aead.decrypt(
                    value[1 + _KEY_ID_BYTES : _HEADER_BYTES], value[_HEADER_BYTES:], _aad(table, column, row)
                ).decode("utf-8")
            except InvalidTag:
                pass  # said in words below
        if not is_sealed(value):
            raise FieldUnreadable(
                Words(f"{table}.{column}（{row}）不是加密字段", f"{table}.{column} ({row}) is not a sealed field")
            )
        key_id = sealed_key_id(value)
        if key_id != self.key_id:
            raise FieldUnreadable(
                Words(
                    f"{table}.{column}（{row}）由另一把数据密钥（{key_id}）加密，当前密钥是 {self.key_id}",
                    f"{table}.{column} ({row}) is sealed under another data key ({key_id}), not {self.key_id}",
                ),
                key_id,
            )
        nonce = value[1 + _KEY_ID_BYTES : _HEADER_BYTES]
        try:
            plain = self._aead.decrypt(nonce, value[_HEADER_BYTES:], _aad(table, column, row))
        except InvalidTag:
            raise FieldUnreadable(
                Words(
                    f"{table}.{column}（{row}）无法解密：已损坏，或是从别处移来的",
                    f"{table}.{column} ({row}) does not open: damaged, or moved here from another place",
                ),
                key_id,
            ) from None
        return plain.decode("utf-8")

    # -- blind indexes --------------------------------------------------------------------------

    def id_number_index(self, number: str) -> bytes | None:
        """The blind index of an ID number (resident ID, USCC); ``None`` for an empty one."""
        normal = normalise_id_number(number)
        return _mac(self._id_number_key, normal) if normal else None

    def phone_index(self, phone: str) -> bytes | None:
        """The blind index of a phone number (its digits); ``None`` when it has none."""
        digits = normalise_phone(phone)
        return _mac(self._phone_key, digits) if digits else None

    def name_prefix_tokens(self, name: str) -> list[bytes]:
        """One token per prefix, 1 … :data:`NAME_PREFIX_LENGTH` characters, of the normalised
        name and of the name after its first character (the given name of a Chinese name:
        ``建国`` finds 王建国 as a clerk types it)."""
        return [_mac(self._name_key, prefix) for prefix in sorted(name_prefixes(name))]

    def name_prefix_token(self, query: str) -> bytes | None:
        """The token that finds names starting with ``query`` (its first
        :data:`NAME_PREFIX_LENGTH` characters); ``None`` for an empty query."""
        normal = normalise_name(query)
        return _mac(self._name_key, normal[:NAME_PREFIX_LENGTH]) if normal else None


@functools.lru_cache(maxsize=4)
def field_cipher(key: DataKey) -> FieldCipher:
    """The cipher of ``key`` (one per key: its subkeys derived once)."""
    return FieldCipher(key)


def name_prefixes(name: str) -> set[str]:
    """The prefixes a name is found by (see :meth:`FieldCipher.name_prefix_tokens`)."""
    normal = normalise_name(name)
    return {
        start[:length]
        for start in (normal, normal[1:])
        for length in range(1, min(len(start), NAME_PREFIX_LENGTH) + 1)
    }


def name_matches(name: str, query: str) -> bool:
    """Whether ``query`` starts the name or the name after its first character (the check of a
    query longer than the indexed prefixes)."""
    normal, wanted = normalise_name(name), normalise_name(query)
    return normal.startswith(wanted) or normal[1:].startswith(wanted)


def normalise_id_number(number: str) -> str:
    """An ID number as indexed: NFKC (full-width IME input), no spaces, upper case (``x`` → ``X``)."""
    return "".join(unicodedata.normalize("NFKC", number).split()).upper()


def normalise_phone(phone: str) -> str:
    """A phone number as indexed: its digits only (``0859-1234 567`` and ``08591234567`` meet)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", phone) if ch.isdigit())


def normalise_name(name: str) -> str:
    """A name as indexed: NFKC, no spaces, case-folded (Latin names found in any case)."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def _subkey(key: DataKey, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"window-app data key: " + label).derive(key.raw)


def _mac(key: bytes, value: str) -> bytes:
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()[:INDEX_BYTES]


def _aad(table: str, column: str, row: str) -> bytes:
    return b"\x00".join((_AAD_LABEL, table.encode(), column.encode(), row.encode("utf-8")))
