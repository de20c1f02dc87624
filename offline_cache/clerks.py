"""Clerk accounts and the data key's per-clerk wraps (tables ``clerks``, ``data_key_wraps``).

What is stored per clerk: id, name, roles, whether active, the PIN's argon2id cost and salt, the
verifier, the public key, the private key wrapped under the PIN, wrong-PIN count and lock. No PIN,
no key-encryption key, no data key in the clear (window_app/trust/pins.py).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from offline_cache.db import Database
from window_app.domain.clerks import Clerk, Role


class StoredClerk(NamedTuple):
    """A clerk's row: the account and what signing in needs."""

    clerk: Clerk
    kdf: str
    salt: str
    verifier: str
    public_key: str
    private_key: str
    failures: int


_COLUMNS = "id, name, roles, active, locked_until, kdf, salt, verifier, public_key, private_key, failures"


def _stored(row: tuple) -> StoredClerk:
    clerk = Clerk(
        id=row[0],
        name=row[1],
        roles=tuple(Role(name) for name in json.loads(row[2]) if name in Role._value2member_map_),
        active=bool(row[3]),
        locked_until=row[4],
    )
    return StoredClerk(clerk, *row[5:])


def count_clerks(db: Database) -> int:
    """How many accounts exist (disabled ones included): 0 on a new window."""
    return db.execute("SELECT count(*) FROM clerks").fetchone()[0]


def get_clerk(db: Database, clerk_id: str) -> StoredClerk | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM clerks WHERE id = ?", [clerk_id]).fetchone()
    return _stored(row) if row else None


def list_clerks(db: Database) -> list[Clerk]:
    rows = db.execute(f"SELECT {_COLUMNS} FROM clerks ORDER BY active DESC, id").fetchall()
    return [_stored(row).clerk for row in rows]


def active_public_keys(db: Database) -> list[tuple[str, str]]:
    """``(clerk id, public key)`` of every active clerk: whom a new data key is sealed to."""
    return db.execute("SELECT id, public_key FROM clerks WHERE active = 1 ORDER BY id").fetchall()


def insert_clerk(
    db: Database, clerk: Clerk, *, kdf: str, salt: str, verifier: str, public_key: str, private_key: str, at: str
) -> None:
    db.execute(
        """
        INSERT INTO clerks (id, name, roles, active, kdf, salt, verifier, public_key, private_key,
                            created_at, updated_at)
        VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
        """,
        [clerk.id, clerk.name, _roles(clerk), kdf, salt, verifier, public_key, private_key, at, at],
    )


def replace_credentials(
    db: Database, clerk_id: str, *, kdf: str, salt: str, verifier: str, public_key: str, private_key: str, at: str
) -> None:
    """A new PIN (and with it a new key pair); clears wrong-PIN count and lock."""
    db.execute(
        """
        UPDATE clerks SET kdf = ?, salt = ?, verifier = ?, public_key = ?, private_key = ?,
                          failures = 0, locked_until = '', updated_at = ?
        WHERE id = ?
        """,
        [kdf, salt, verifier, public_key, private_key, at, clerk_id],
    )


def set_roles(db: Database, clerk_id: str, roles: tuple[Role, ...], at: str) -> None:
    db.execute(
        "UPDATE clerks SET roles = ?, updated_at = ? WHERE id = ?", [json.dumps([r.value for r in roles]), at, clerk_id]
    )


def set_active(db: Database, clerk_id: str, active: bool, at: str) -> None:
    db.execute("UPDATE clerks SET active = ?, updated_at = ? WHERE id = ?", [int(active), at, clerk_id])


def record_failure(db: Database, clerk_id: str, *, lock_after: int, locked_until: str) -> int:
    """Count a wrong PIN; at ``lock_after`` in a row the account is locked until ``locked_until``
    and the count starts again. Returns the count after this failure (0 when it locked)."""
    failures = db.execute("SELECT failures FROM clerks WHERE id = ?", [clerk_id]).fetchone()[0] + 1
    if failures >= lock_after:
        db.execute("UPDATE clerks SET failures = 0, locked_until = ? WHERE id = ?", [locked_until, clerk_id])
        return 0
    db.execute("UPDATE clerks SET failures = ? WHERE id = ?", [failures, clerk_id])
    return failures


def record_sign_in(db: Database, clerk_id: str, at: str) -> None:
    db.execute("UPDATE clerks SET failures = 0, locked_until = '', last_sign_in_at = ? WHERE id = ?", [at, clerk_id])


def unlock(db: Database, clerk_id: str, at: str) -> None:
    db.execute("UPDATE clerks SET failures = 0, locked_until = '', updated_at = ? WHERE id = ?", [at, clerk_id])


# -- the data key's wraps -----------------------------------------------------------------


def get_wrap(db: Database, clerk_id: str) -> tuple[str, str] | None:
    """``(key id, sealed data key)`` of a clerk, or ``None`` (disabled, or no data key yet)."""
    row = db.execute("SELECT key_id, sealed FROM data_key_wraps WHERE clerk_id = ?", [clerk_id]).fetchone()
    return (row[0], row[1]) if row else None


def put_wrap(db: Database, clerk_id: str, key_id: str, sealed: str, at: str) -> None:
    db.execute(
        "INSERT OR REPLACE INTO data_key_wraps (clerk_id, key_id, sealed, created_at) VALUES (?, ?, ?, ?)",
        [clerk_id, key_id, sealed, at],
    )


def delete_wrap(db: Database, clerk_id: str) -> None:
    db.execute("DELETE FROM data_key_wraps WHERE clerk_id = ?", [clerk_id])


def _roles(clerk: Clerk) -> str:
    return json.dumps([role.value for role in clerk.roles])
