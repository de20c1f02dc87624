"""Demo keys: derived from public names, so anyone can make them. For ``--demo`` only.

The shipped catalog is the demo centre of 贞丰县; its departments' public keys are these, and
``exchange serve --demo`` (loopback only) derives the private halves to open and to sign. A
real deployment publishes a catalog with each department's own keys, signed by its catalog
authority (``docs/security.md``); nothing derived here is trusted outside the demo.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from window_app.trust.keys import SealingKey, SigningKey

_SALT = b"window-app demo key, public by design:"


def _seed(purpose: str, name: str) -> bytes:
    return hashlib.sha256(_SALT + purpose.encode() + b":" + name.encode("utf-8")).digest()


def demo_signing_key(name: str) -> SigningKey:
    """The demo Ed25519 key of ``name`` (e.g. ``department:tax``, ``authority``, ``exchange``)."""
    return SigningKey(Ed25519PrivateKey.from_private_bytes(_seed("ed25519", name)))


def demo_sealing_key(name: str) -> SealingKey:
    """The demo X25519 key of ``name`` (e.g. ``department:tax``)."""
    return SealingKey(X25519PrivateKey.from_private_bytes(_seed("x25519", name)))
