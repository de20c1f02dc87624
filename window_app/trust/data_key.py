"""The window data key: what personal data in the window's database is encrypted with.

One random 256-bit key per window. It is never written down in the clear: each clerk account
holds a copy sealed to that clerk's own key pair (:mod:`window_app.trust.pins`), so signing in
opens it and locking forgets it. ``key_id`` names it without revealing it (a re-key can tell
rows under the old key from rows under the new one).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DataKey:
    """The 32 raw bytes of a window data key (kept out of ``repr``)."""

    raw: bytes = field(repr=False)

    @classmethod
    def generate(cls) -> DataKey:
        return cls(secrets.token_bytes(32))

    @property
    def key_id(self) -> str:
        """16 hex digits of HMAC-SHA256(key, "window-app data key id")."""
        return hmac.new(self.raw, b"window-app data key id", hashlib.sha256).hexdigest()[:16]
