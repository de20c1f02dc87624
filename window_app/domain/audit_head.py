"""A signed head of a window's audit chain: what the window signs, sends and the exchange keeps.

The window's audit chain (``offline_cache/audit.py``) is hash-chained: the hash of its last
event commits to every event before it. A *head* names that position — ``seq`` and ``hash`` —
with the window and the time (UTC), signed with the window's Ed25519 key over
:meth:`AuditHead.message`: canonical JSON of ``{"purpose", "window_id", "seq", "hash", "at"}``
(``purpose`` keeps a head's signature from being taken for any other object the same key signs).

The window stores a head at every accept and at the end of every sync round that has events
not yet covered, sends the latest with every batch of envelopes and at the end of each round;
the exchange keeps the latest one per window and refuses one that goes back (a lower ``seq``,
or the same ``seq`` with another hash): a history rewritten at the window cannot be anchored
again. The record and its shape check live here, for both sides (no I/O, no cryptography: the
signature is checked by :mod:`window_app.trust.signing` where the key is known).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from window_app.domain.wire import canonical_json
from window_app.domain.words import Words

HEAD_PURPOSE = "window-audit-head"
MAX_SEQ = 2**63 - 1
_HASH = re.compile(r"[0-9a-f]{64}")
_UTC = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z")
_WINDOW_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_SIGNATURE_FIELDS = ("suite", "key_id", "value")


@dataclass(frozen=True)
class AuditHead:
    """One signed head.

    Attributes:
        window_id: The window whose chain it is (upper case, as in receipt numbers).
        seq: The position of the chain's last event it covers (1 = the first event).
        hash: That event's hash (64 lower-case hex digits).
        at: When it was signed, UTC (``2026-11-27T01:30:00Z``).
        signature: ``{"suite", "key_id", "value"}`` (:class:`window_app.trust.signing.Signature`).
    """

    window_id: str
    seq: int
    hash: str
    at: str
    signature: Mapping[str, str]

    @property
    def key_id(self) -> str:
        return str(self.signature.get("key_id", ""))

    def message(self) -> bytes:
        """The bytes the signature is over."""
        return head_message(self.window_id, self.seq, self.hash, self.at)

    def to_json(self) -> dict[str, Any]:
        return {
            "window_id": self.window_id,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "signature": dict(self.signature),
        }


def head_message(window_id: str, seq: int, digest: str, at: str) -> bytes:
    """Canonical JSON of what a head's signature covers."""
    return canonical_json({"purpose": HEAD_PURPOSE, "window_id": window_id, "seq": seq, "hash": digest, "at": at})


def head_from_json(obj: object) -> AuditHead | Words:
    """A head as sent, or what is wrong with its shape (the signature itself is not checked here)."""
    if not isinstance(obj, Mapping):
        return Words("审计链头必须是对象", "an audit head must be an object")
    unknown = sorted(set(obj) - {"window_id", "seq", "hash", "at", "signature"})
    if unknown:
        return Words("审计链头含未知字段：{f}", "the audit head has unknown fields: {f}").format(f=", ".join(unknown[:5]))
    window_id, seq, digest, at, signature = (obj.get(k) for k in ("window_id", "seq", "hash", "at", "signature"))
    if not isinstance(window_id, str) or not _WINDOW_ID.fullmatch(window_id):
        return Words("审计链头的 window_id 不是窗口编号", "the audit head's window_id is not a window id")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        return Words("审计链头的 seq 须为整数 1…2⁶³−1", "the audit head's seq must be a whole number 1…2⁶³−1")
    if not isinstance(digest, str) or not _HASH.fullmatch(digest):
        return Words("审计链头的 hash 须为 64 位小写十六进制", "the audit head's hash must be 64 lower-case hex digits")
    if not isinstance(at, str) or not _UTC.fullmatch(at):
        return Words("审计链头的 at 须为 UTC 时间（…Z）", "the audit head's at must be a UTC time (…Z)")
    if not isinstance(signature, Mapping) or set(signature) != set(_SIGNATURE_FIELDS):
        return Words("审计链头的签名须为 {suite, key_id, value}", "the audit head's signature must be {suite, key_id, value}")
    if not all(isinstance(signature[k], str) and 0 < len(signature[k]) <= 200 for k in _SIGNATURE_FIELDS):
        return Words("审计链头的签名字段须为短字符串", "the audit head's signature fields must be short strings")
    return AuditHead(window_id, seq, digest, at, {k: signature[k] for k in _SIGNATURE_FIELDS})
