"""Clerk accounts: the first administrator, signing in, and what administrators do to accounts.

Every change to an account is one durable transaction with its audit event (the actor is the
clerk who did it), so the audit chain covers who made whom what. A PIN is never stored; the
window data key travels only sealed to each active clerk (window_app/trust/pins.py), so:

- signing in runs argon2id once, checks the verifier, opens the clerk's private key and with it
  the data key (:class:`Session`); a wrong PIN counts towards a lock;
- adding a clerk or resetting a PIN seals the data key the administrator's session holds to the
  clerk's new key pair; disabling deletes the clerk's sealed copy;
- re-keying makes a new data key, re-encrypts the stored personal data under it and seals it to
  every active clerk's public key, without anyone's PIN.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from offline_cache import clerks as clerk_store
from offline_cache import vault
from offline_cache.audit import append_event, utc_at
from offline_cache.db import Database, durable_transaction, storage_errors
from window_app.domain.clerks import (
    FIRST_ADMINISTRATOR_ROLES,
    AccountError,
    Clerk,
    NotPermitted,
    Permission,
    Role,
    clerk_id_problem,
)
from window_app.domain.words import Words, counted
from window_app.trust.data_key import DataKey
from window_app.trust.pins import (
    DEFAULT_KDF,
    KdfParams,
    PinKeys,
    check_pin,
    new_key_pair,
    new_pin,
    open_clerks_data_key,
    pin_problem,
    seal_data_key,
    stored_form,
)

ACCOUNTS_WORDS = Words("保存账号", "Saving the account")


@dataclass(frozen=True)
class Session:
    """A signed-in clerk and the data key their PIN opened (forgotten when the window locks)."""

    clerk: Clerk
    data_key: DataKey
    signed_in_at: dt.datetime

    def require(self, permission: Permission) -> Clerk:
        if not self.clerk.may(permission):
            raise NotPermitted(permission, self.clerk)
        return self.clerk


def has_clerks(db: Database) -> bool:
    with storage_errors(ACCOUNTS_WORDS):
        return clerk_store.count_clerks(db) > 0


def list_clerks(db: Database) -> list[Clerk]:
    with storage_errors(ACCOUNTS_WORDS):
        return clerk_store.list_clerks(db)


def create_first_administrator(
    db: Database,
    clerk_id: str,
    name: str,
    pin: str,
    *,
    now: dt.datetime,
    kdf: KdfParams = DEFAULT_KDF,
) -> Session:
    """The window's first account (administrator, supervisor and acceptor) and its data key.

    What an installation from before accounts stored in the clear is sealed under the new key
    right after (and again at any sign-in, should the machine stop in between).

    Raises:
        AccountError: Accounts exist already, or the id, name or PIN is not acceptable.
    """
    clerk = Clerk(clerk_id.strip(), name.strip(), FIRST_ADMINISTRATOR_ROLES)
    _check_new(clerk, pin)
    keys = new_pin(pin, kdf)
    data_key = DataKey.generate()
    at = utc_at(now)
    with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
        if clerk_store.count_clerks(db):
            raise AccountError(
                Words("本窗口已有账号：请用管理员账号登录后添加", "This window has accounts already: an administrator adds more"),
                "exists",
            )
        _insert(db, clerk, keys, data_key, at)
        append_event(db, clerk.label, "clerk.first_administrator", None, _account(clerk), at)
    vault.encrypt_plaintext_rows(db, data_key)
    return Session(clerk, data_key, now)


def sign_in(db: Database, clerk_id: str, pin: str, *, now: dt.datetime, lock_after: int, lockout: dt.timedelta) -> Session:
    """Check the PIN, open the data key.

    Raises:
        AccountError: Unknown id, wrong PIN (with the tries left), locked (until when), disabled.
    """
    clerk_id = clerk_id.strip()
    with storage_errors(ACCOUNTS_WORDS):
        stored = clerk_store.get_clerk(db, clerk_id)
    if stored is None:
        raise AccountError(Words("没有工号为“{id}”的账号", "No account has the clerk id “{id}”").format(id=clerk_id), "unknown")
    clerk = stored.clerk
    if not clerk.active:
        raise AccountError(
            Words("账号 {c} 已停用：请找管理员", "The account {c} is disabled: see an administrator").format(c=clerk.label), "disabled"
        )
    if clerk.locked_until and clerk.locked_until > utc_at(now):
        raise _locked(clerk, now)
    keys = check_pin(pin, kdf=stored.kdf, salt=stored.salt, verifier=stored.verifier)
    at = utc_at(now)
    if keys is None:
        until = now + lockout
        with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
            failures = clerk_store.record_failure(db, clerk_id, lock_after=lock_after, locked_until=utc_at(until))
            if failures == 0:
                append_event(db, clerk.label, "clerk.locked_out", None, {"clerk": clerk.id, "until": utc_at(until)}, at)
        if failures == 0:
            raise _locked(Clerk(clerk.id, clerk.name, clerk.roles, locked_until=utc_at(until)), now)
        raise AccountError(
            Words("PIN 不对，还可再试 {n} 次", "Wrong PIN: {tries} before the account locks").format(
                n=lock_after - failures, tries=counted(lock_after - failures, "more try", "more tries")
            ),
            "wrong_pin",
        )
    data_key = _open_data_key(db, clerk, stored.private_key, keys)
    with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
        clerk_store.record_sign_in(db, clerk_id, at)
        append_event(db, clerk.label, "clerk.signed_in", None, {"clerk": clerk.id}, at)
    if vault.stored_key_id(db) is None:  # the first sealing did not finish (or never ran)
        vault.encrypt_plaintext_rows(db, data_key)
    return Session(dataclasses.replace(clerk, locked_until=""), data_key, now)


def add_clerk(
    db: Database,
    session: Session,
    clerk_id: str,
    name: str,
    roles: tuple[Role, ...],
    pin: str,
    *,
    now: dt.datetime,
    kdf: KdfParams = DEFAULT_KDF,
) -> Clerk:
    """A new account, its data key wrap sealed from the administrator's session.

    Raises:
        NotPermitted: The session's clerk does not manage accounts.
        AccountError: The id exists, or the id, name, roles or PIN is not acceptable.
    """
    actor = session.require(Permission.MANAGE_ACCOUNTS)
    clerk = Clerk(clerk_id.strip(), name.strip(), roles)
    _check_new(clerk, pin)
    keys = new_pin(pin, kdf)
    at = utc_at(now)
    with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
        if clerk_store.get_clerk(db, clerk.id) is not None:
            raise AccountError(Words("工号“{id}”已有账号", "The clerk id “{id}” has an account already").format(id=clerk.id), "exists")
        _insert(db, clerk, keys, session.data_key, at)
        append_event(db, actor.label, "clerk.added", None, _account(clerk), at)
    return clerk


def reset_pin(db: Database, session: Session, clerk_id: str, pin: str, *, now: dt.datetime, kdf: KdfParams = DEFAULT_KDF) -> Clerk:
    """A new PIN for a clerk (an administrator for anyone, a clerk for themselves): a new key
    pair, the data key sealed to it, the lock lifted. A disabled account comes back active.

    Raises:
        NotPermitted / AccountError.
    """
    stored = _stored_or_refuse(db, clerk_id)
    actor = session.clerk if stored.clerk.id == session.clerk.id else session.require(Permission.MANAGE_ACCOUNTS)
    problem = pin_problem(pin)
    if problem:
        raise AccountError(problem, "invalid")
    keys = new_pin(pin, kdf)
    pair, _ = new_key_pair(keys, stored.clerk.id)
    at = utc_at(now)
    with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
        clerk_store.replace_credentials(
            db, stored.clerk.id, **stored_form(keys), public_key=pair.public, private_key=pair.wrapped_private, at=at
        )
        clerk_store.set_active(db, stored.clerk.id, True, at)
        _put_wrap(db, stored.clerk.id, pair.public, session.data_key, at)
        append_event(db, actor.label, "clerk.pin_reset", None, {"clerk": stored.clerk.id}, at)
    return _stored_or_refuse(db, clerk_id).clerk


def set_roles(db: Database, session: Session, clerk_id: str, roles: tuple[Role, ...], *, now: dt.datetime) -> Clerk:
    """Replace a clerk's roles; the last active administrator keeps theirs."""
    actor = session.require(Permission.MANAGE_ACCOUNTS)
    stored = _stored_or_refuse(db, clerk_id)
    if Role.ADMINISTRATOR in stored.clerk.roles and Role.ADMINISTRATOR not in roles:
        _refuse_if_last_administrator(db, stored.clerk)
    at = utc_at(now)
    with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
        clerk_store.set_roles(db, stored.clerk.id, roles, at)
        append_event(db, actor.label, "clerk.roles_set", None, {"clerk": stored.clerk.id, "roles": [r.value for r in roles]}, at)
    return _stored_or_refuse(db, clerk_id).clerk


def disable_clerk(db: Database, session: Session, clerk_id: str, *, now: dt.datetime) -> Clerk:
    """Disable an account: it cannot sign in and its copy of the data key is deleted (a reset
    PIN brings it back). Nobody disables themselves or the last active administrator."""
    actor = session.require(Permission.MANAGE_ACCOUNTS)
    stored = _stored_or_refuse(db, clerk_id)
    if stored.clerk.id == actor.id:
        raise AccountError(Words("不能停用自己的账号", "You cannot disable your own account"), "invalid")
    if Role.ADMINISTRATOR in stored.clerk.roles:
        _refuse_if_last_administrator(db, stored.clerk)
    at = utc_at(now)
    with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
        clerk_store.set_active(db, stored.clerk.id, False, at)
        clerk_store.delete_wrap(db, stored.clerk.id)
        append_event(db, actor.label, "clerk.disabled", None, {"clerk": stored.clerk.id}, at)
    return _stored_or_refuse(db, clerk_id).clerk


def unlock_clerk(db: Database, session: Session, clerk_id: str, *, now: dt.datetime) -> Clerk:
    """Lift a wrong-PIN lock before it runs out (a supervisor or an administrator)."""
    actor = session.require(Permission.UNLOCK_ACCOUNTS)
    stored = _stored_or_refuse(db, clerk_id)
    at = utc_at(now)
    with storage_errors(ACCOUNTS_WORDS), durable_transaction(db):
        clerk_store.unlock(db, stored.clerk.id, at)
        append_event(db, actor.label, "clerk.unlocked", None, {"clerk": stored.clerk.id}, at)
    return _stored_or_refuse(db, clerk_id).clerk


def rekey(db: Database, session: Session, *, now: dt.datetime) -> Session:
    """A new window data key: the stored personal data re-sealed under it and the key sealed to
    every active clerk, in one transaction. Returns the administrator's session on the new key."""
    actor = session.require(Permission.MANAGE_ACCOUNTS)
    new_key = DataKey.generate()
    at = utc_at(now)

    def seal_to_every_clerk(db: Database) -> None:
        for clerk_id, public in clerk_store.active_public_keys(db):
            _put_wrap(db, clerk_id, public, new_key, at)
        append_event(db, actor.label, "data_key.rekeyed", None, {"key_id": new_key.key_id}, at)

    vault.rekey(db, session.data_key, new_key, also=seal_to_every_clerk)
    return Session(session.clerk, new_key, session.signed_in_at)


# -- helpers -------------------------------------------------------------------------------


def _check_new(clerk: Clerk, pin: str) -> None:
    problem = clerk_id_problem(clerk.id) or pin_problem(pin)
    if problem is None and not clerk.name:
        problem = Words("请填写姓名（印在回执上）", "A name is needed (it is printed on receipts)")
    if problem is None and not clerk.roles:
        problem = Words("至少要有一个角色", "At least one role is needed")
    if problem is not None:
        raise AccountError(problem, "invalid")


def _insert(db: Database, clerk: Clerk, keys: PinKeys, data_key: DataKey, at: str) -> None:
    pair, _ = new_key_pair(keys, clerk.id)
    clerk_store.insert_clerk(db, clerk, **stored_form(keys), public_key=pair.public, private_key=pair.wrapped_private, at=at)
    _put_wrap(db, clerk.id, pair.public, data_key, at)


def _put_wrap(db: Database, clerk_id: str, public: str, data_key: DataKey, at: str) -> None:
    clerk_store.put_wrap(db, clerk_id, data_key.key_id, seal_data_key(data_key, public, clerk_id), at)


def _open_data_key(db: Database, clerk: Clerk, wrapped_private: str, keys: PinKeys) -> DataKey:
    with storage_errors(ACCOUNTS_WORDS):
        wrap = clerk_store.get_wrap(db, clerk.id)
    if wrap is None:
        raise AccountError(
            Words("账号 {c} 没有可用的数据密钥：请管理员重置其 PIN", "The account {c} has no usable data key: an administrator resets its PIN").format(
                c=clerk.label
            ),
            "no_key",
        )
    data_key = open_clerks_data_key(keys, clerk.id, private_key=wrapped_private, sealed=wrap[1])
    if isinstance(data_key, Words):
        raise AccountError(Words("数据密钥无法解开：", "The data key does not open: ") + data_key, "no_key")
    return data_key


def _stored_or_refuse(db: Database, clerk_id: str) -> clerk_store.StoredClerk:
    with storage_errors(ACCOUNTS_WORDS):
        stored = clerk_store.get_clerk(db, clerk_id.strip())
    if stored is None:
        raise AccountError(Words("没有工号为“{id}”的账号", "No account has the clerk id “{id}”").format(id=clerk_id), "unknown")
    return stored


def _refuse_if_last_administrator(db: Database, clerk: Clerk) -> None:
    others = [c for c in clerk_store.list_clerks(db) if c.active and c.id != clerk.id and Role.ADMINISTRATOR in c.roles]
    if not others:
        raise AccountError(
            Words("{c} 是唯一的管理员：请先让另一账号成为管理员", "{c} is the only administrator: make another account one first").format(
                c=clerk.label
            ),
            "last_administrator",
        )


def _locked(clerk: Clerk, now: dt.datetime) -> AccountError:
    until = dt.datetime.fromisoformat(clerk.locked_until.replace("Z", "+00:00")).astimezone(now.tzinfo)
    return AccountError(
        Words(
            "账号 {c} 因多次 PIN 错误已锁定，{t} 后可再试，或请值班长解锁",
            "The account {c} is locked after wrong PINs: try again after {t}, or ask a supervisor to unlock it",
        ).format(c=clerk.label, t=until.strftime("%H:%M")),
        "locked",
    )


def _account(clerk: Clerk) -> dict[str, object]:
    return {"clerk": clerk.id, "name": clerk.name, "roles": [role.value for role in clerk.roles]}
