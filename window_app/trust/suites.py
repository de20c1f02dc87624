"""The names of the algorithms, written into every signed or sealed object as ``suite``.

A reader looks the suite up before it touches the bytes: an object of a suite it does not know
is refused in words, never guessed at. A national suite (SM2 signatures, SM2/SM4 sealing) is a
new name here and a new branch in :mod:`~window_app.trust.signing` / :mod:`~window_app.trust.sealing`;
no stored or wire format changes.
"""

from __future__ import annotations

SIGNATURE_ED25519 = "ed25519"
"""Ed25519 (RFC 8032) over the exact bytes named by the caller."""

SEAL_HPKE_X25519 = "hpke-x25519-sha256-aes128gcm"
"""HPKE base mode (RFC 9180): DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM."""

SIGNATURE_SUITES = (SIGNATURE_ED25519,)
SEAL_SUITES = (SEAL_HPKE_X25519,)
