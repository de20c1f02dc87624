"""The exchange's register of window keys (and of department keys it has revoked).

A window's public Ed25519 key is registered by the exchange's operator from the window's
self-signed registration request (``window-app keys show --json`` at the window →
``window-app exchange keys register``). The registration binds the key to one window id,
region and installation tag: an envelope verifies only against the key registered for the
prefix of its receipt number (``<region>-<day>-<window>-<tag>-…``), so another window cannot
post under this window's numbers, even with its own valid key. A demo exchange (``--demo``,
loopback only) registers a window's key the first time it sees it.

Department keys are not registered here: they come from the published catalog (signed by
the catalog authority); the exchange can only revoke one until a new catalog replaces it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from window_app.domain.wire import canonical_json
from window_app.domain.words import Words
from window_app.exchange.checks import SUBJECT_ID
from window_app.trust.keys import PublicSigningKey
from window_app.trust.signing import Signature, verify

_TAG = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}")
_REGION = re.compile(r"\d{6}")
_FIELDS = ("key_id", "window_id", "region", "installation_tag", "public_key", "centre", "registered_at", "registered_by", "revoked_at")


@dataclass(frozen=True)
class WindowKey:
    """One registered window key and what it is bound to."""

    key_id: str
    window_id: str
    region: str
    installation_tag: str
    public_key: str
    centre: str
    registered_at: str
    registered_by: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def public(self) -> PublicSigningKey:
        key = PublicSigningKey.from_text(self.public_key)
        assert not isinstance(key, Words)  # checked when registered
        return key

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELDS}


def registration_problem(request: object) -> Words | None:
    """Why a registration request cannot be registered (shape, key, self-signature), or ``None``."""
    if not isinstance(request, Mapping) or request.get("kind") != "window":
        return Words("不是窗口的密钥登记申请（window-app keys show --json 的输出）", "not a window's key registration (the output of window-app keys show --json)")
    values = {name: request.get(name) for name in ("id", "region", "installation_tag", "centre", "public_key", "key_id")}
    if not all(isinstance(value, str) for value in values.values()):
        return Words("登记申请缺少 id、region、installation_tag、centre、public_key 或 key_id", "the registration lacks id, region, installation_tag, centre, public_key or key_id")
    if not SUBJECT_ID.fullmatch(values["id"]) or not _REGION.fullmatch(values["region"]) or not _TAG.fullmatch(values["installation_tag"]):
        return Words("登记申请中的窗口编号、区划或安装标记格式不对", "the registration's window id, region or installation tag is malformed")
    key = PublicSigningKey.from_text(values["public_key"], Words("登记申请", "the registration"))
    if isinstance(key, Words):
        return key
    if key.key_id != values["key_id"]:
        return Words("登记申请中的 key_id 与公钥不符", "the registration's key_id does not match its public key")
    signature = Signature.from_json(request.get("signature"))
    if isinstance(signature, Words):
        return signature
    body = {name: value for name, value in request.items() if name != "signature"}
    problem = verify(key, canonical_json(body), signature)
    if problem:
        return Words("登记申请的自签名不符：{p}", "the registration's own signature does not hold: {p}").format(p=problem)
    return None


def register_window(conn: sqlite3.Connection, request: Mapping[str, Any], at: str, by: str) -> WindowKey:
    """Register a checked request (:func:`registration_problem` first). Re-registering the same
    key is a no-op; a revoked key stays revoked."""
    conn.execute(
        "INSERT INTO window_keys (key_id, window_id, region, installation_tag, public_key, centre, "
        "registered_at, registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [request["key_id"], request["id"].upper(), request["region"], request["installation_tag"].upper(),
         request["public_key"], request["centre"], at, by],
    )
    found = window_key(conn, request["key_id"])
    assert found is not None
    return found


def window_key(conn: sqlite3.Connection, key_id: str) -> WindowKey | None:
    """The registered key with this id (active or revoked), or ``None``."""
    row = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM window_keys WHERE key_id = ?", [key_id]).fetchone()
    return WindowKey(*row) if row else None


def window_keys(conn: sqlite3.Connection) -> list[WindowKey]:
    """Every registered window key, by window then registration time."""
    rows = conn.execute(f"SELECT {', '.join(_FIELDS)} FROM window_keys ORDER BY window_id, registered_at").fetchall()
    return [WindowKey(*row) for row in rows]


def has_active_key(conn: sqlite3.Connection, window_id: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM window_keys WHERE window_id = ? AND revoked_at IS NULL LIMIT 1", [window_id.upper()]
    ).fetchone()
    return found is not None


def revoke_window_key(conn: sqlite3.Connection, key_id: str, at: str) -> bool:
    """Revoke a window key; whether it was active."""
    cursor = conn.execute("UPDATE window_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", [at, key_id])
    return cursor.rowcount == 1


def revoke_department_key(conn: sqlite3.Connection, department: str, key_id: str, at: str) -> bool:
    cursor = conn.execute(
        "INSERT INTO department_key_revocations (key_id, department, revoked_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [key_id, department, at],
    )
    return cursor.rowcount == 1


def revoked_department_keys(conn: sqlite3.Connection) -> dict[str, str]:
    """Revoked department key ids → their department."""
    return dict(conn.execute("SELECT key_id, department FROM department_key_revocations").fetchall())
