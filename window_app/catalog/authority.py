"""The catalog authority: who vouches for a catalog, and so for its departments' keys.

A window seals each department's part to the key its catalog gives, and verifies decisions
against it: whoever can hand a window a catalog could hand it their own keys. So a catalog a
window downloads must be signed by a catalog authority whose public key ships with the program
(``window_app/data/trust/authorities.toml``); the exchange only passes the signature on.

The signature is the authority's Ed25519 signature over the canonical JSON of the catalog's
name, version and digest (the digest covers every file of the catalog), kept beside the files
as ``.signature.json`` (hidden: not part of the digest it signs). ``window-app catalog sign``
writes it. The shipped demo catalog is signed by the demo authority (:mod:`window_app.trust.demo`,
public by design); a window trusts that one only with ``[trust] demo = true`` and an exchange
on the loopback (the demo on one machine), never on a real line.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from window_app.config import Settings
from window_app.domain.wire import canonical_json
from window_app.domain.words import Words
from window_app.trust.keys import PublicSigningKey, SigningKey
from window_app.trust.signing import Signature, sign, verify

SIGNATURE_FILE = ".signature.json"
AUTHORITIES_FILE = Path(__file__).resolve().parents[1] / "data" / "trust" / "authorities.toml"


@dataclass(frozen=True)
class Authority:
    """A catalog authority the program trusts."""

    name: str
    key: PublicSigningKey
    demo: bool = False


@functools.lru_cache(maxsize=8)
def authorities(path: Path = AUTHORITIES_FILE) -> tuple[Authority, ...]:
    """The trusted authorities of an anchors file (the shipped one by default), read once per
    process: every sync round asks, and the file changes only with a new build or settings."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found = []
    for entry in data.get("authority", []):
        key = PublicSigningKey.from_text(entry.get("key"))
        if not isinstance(key, Words):
            found.append(Authority(str(entry.get("name") or ""), key, bool(entry.get("demo", False))))
    return tuple(found)


def message(name: str, version: str, digest: str) -> bytes:
    """What an authority signs for a catalog."""
    return canonical_json({"catalog": name, "version": version, "digest": digest})


def sign_catalog(root: Path, name: str, version: str, digest: str, key: SigningKey) -> dict[str, Any]:
    """Sign the catalog in ``root`` and write its ``.signature.json``; the signature as JSON."""
    signed = {"catalog": name, "version": version, "digest": digest, "signature": sign(key, message(name, version, digest)).to_json()}
    (root / SIGNATURE_FILE).write_text(json.dumps(signed, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return signed


def read_signature(root: Path) -> dict[str, Any] | None:
    """The ``.signature.json`` of a catalog directory, or ``None``."""
    try:
        signed = json.loads((root / SIGNATURE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return signed if isinstance(signed, dict) else None


def trusts_demo(settings: Settings) -> bool:
    """Whether this window accepts the demo authority: only by its settings, and only from an
    exchange on the loopback (the demo on one machine)."""
    if not settings.trust.demo:
        return False
    host = urlsplit(settings.exchange.url).hostname or ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def signature_problem(
    signed: object, name: str, version: str, digest: str, trusted: tuple[Authority, ...], *, allow_demo: bool
) -> Words | None:
    """Why a catalog's signature is not one this window trusts, or ``None``."""
    if not isinstance(signed, Mapping):
        return Words("目录没有目录签发机构的签名", "the catalog is not signed by a catalog authority")
    signature = Signature.from_json(signed.get("signature"))
    if isinstance(signature, Words):
        return signature
    signer = next((a for a in trusted if a.key.key_id == signature.key_id), None)
    if signer is None:
        return Words("签名密钥 {k} 不属于受信任的目录签发机构", "signing key {k} is not a trusted catalog authority's").format(k=signature.key_id)
    if signer.demo and not allow_demo:
        return Words("目录由演示签发机构签署，本窗口不信任演示目录", "the catalog is signed by the demo authority, which this window does not trust")
    problem = verify(signer.key, message(name, version, digest), signature)
    if problem:
        return Words("目录签名不符：{p}", "the catalog's signature does not hold: {p}").format(p=problem)
    return None
