"""Personal data at rest: which columns are sealed, with which key, and the bulk operations.

The window's database keeps applicants' names, ID numbers, phones, agents, whole intakes,
guides and drafts sealed field by field under the window data key
(:mod:`window_app.trust.field_cipher`, AES-256-GCM, bound to table, column and row). The key
is ``Database.data_key`` while a clerk is signed in, ``None`` when the window is locked.

``meta.data_key_id`` names the key the rows are under. Until it exists (an installation older
than clerk accounts, before its first account is made) personal columns hold plain text and
are read and written as such; :func:`encrypt_plaintext_rows` seals them the first time a data
key exists. From then on:

- a write of personal data needs the key (:class:`DataLocked` without it, in words);
- a read of personal data needs the key too; what is not personal (receipt numbers, states,
  parts, the outbox's sealed envelopes, the audit chain) is read without it, so the headless
  ``window-app sync`` runs locked;
- a search by ID number, phone or name goes through blind indexes (``applications.number_index``,
  ``applications.phone_index``, table ``application_name_index``), never by decrypting every row.

:func:`rekey` moves every field and index to a new key in one transaction.

The conclusion text the sync engine writes names the applicant; the engine runs locked, so it
writes :data:`APPLICANT_MARK` where the name goes and a keyed read puts the name back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from offline_cache.db import Database, durable_transaction, read_meta, storage_errors
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words
from window_app.trust.data_key import DataKey
from window_app.trust.field_cipher import FieldCipher, field_cipher, is_sealed, sealed_key_id

DATA_KEY_META = "data_key_id"
"""``meta`` key: the id of the data key the personal columns are sealed under."""

APPLICATION_FIELDS = ("applicant_name", "applicant_number", "phone", "agent_name", "intake", "guide")
"""Personal columns of ``applications`` (the row key is ``receipt_no``)."""

DRAFT_FIELDS = ("applicant_name", "data")
"""Personal columns of ``drafts`` (the row key is ``id``)."""

APPLICANT_MARK = "\ue000applicant\ue000"
"""Stands for the applicant's name in a stored conclusion (a private-use character on each
side: no name or catalog text contains it)."""

_VAULT_WORDS = Words("加密个人信息", "Encrypting personal data")


class DataLocked(WindowAppError):
    """Personal data was asked for (or given) while no clerk is signed in."""


class DataKeyMismatch(WindowAppError):
    """The key at hand is not the one the database's personal data is sealed under."""


def locked(what: Words) -> DataLocked:
    """The refusal of ``what`` (e.g. ``Words("读取办件", "Reading applications")``) while locked."""
    return DataLocked(
        Words(
            f"窗口已锁定：请先登录，才能{what.zh}（申请人信息已加密保存）。",
            f"The window is locked: sign in to do this ({what.in_language('en').lower()}); "
            "applicants' data is stored encrypted.",
        )
    )


def stored_key_id(db: Database) -> str | None:
    """The id of the key personal data is sealed under, or ``None`` (plain text: no key yet)."""
    return read_meta(db, DATA_KEY_META)


def write_cipher(db: Database, what: Words) -> FieldCipher | None:
    """The cipher writes of personal data go through; ``None`` while the database has never had
    a data key (plain text, as an older installation).

    Raises:
        DataLocked: The database is sealed and no clerk is signed in.
        DataKeyMismatch: The signed-in key is not the database's.
    """
    key: DataKey | None = getattr(db, "data_key", None)
    stored = stored_key_id(db)
    if key is None:
        if stored:
            raise locked(what)
        return None
    if stored is None:
        # A key and no mark: the first write under it marks the file (older plain rows, if
        # any, wait for encrypt_plaintext_rows, which the first account's creation runs).
        db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [DATA_KEY_META, key.key_id])
    elif stored != key.key_id:
        raise _mismatch(stored, key.key_id)
    return field_cipher(key)


def read_cipher(db: Database, what: Words) -> FieldCipher | None:
    """The cipher reads of personal data go through; ``None`` for plain text (no key yet).

    Raises:
        DataLocked: The database is sealed and no clerk is signed in.
    """
    key: DataKey | None = getattr(db, "data_key", None)
    if key is not None:
        return field_cipher(key)
    if stored_key_id(db):
        raise locked(what)
    return None


def seal(cipher: FieldCipher | None, value: str, table: str, column: str, row: str) -> str | bytes:
    """``value`` as stored: sealed, or plain text while the database has no key."""
    return value if cipher is None else cipher.seal(value, table=table, column=column, row=row)


def reveal(cipher: FieldCipher | None, value: Any, table: str, column: str, row: str, what: Words) -> str:
    """A stored personal value as text: opened if sealed, as is if older plain text.

    Raises:
        DataLocked: Sealed and no key.
        FieldUnreadable: Sealed under another key or for another place, or damaged.
    """
    if value is None or isinstance(value, str):
        return value or ""
    if cipher is None:
        raise locked(what)
    return cipher.open(value, table=table, column=column, row=row)


def with_applicant(conclusion: str | None, name: str) -> str | None:
    """A stored conclusion with the applicant's name where :data:`APPLICANT_MARK` stands."""
    return conclusion.replace(APPLICANT_MARK, name) if conclusion else conclusion


# -- writing the indexes ------------------------------------------------------------------------


def index_application(
    db: Database, cipher: FieldCipher, receipt_no: str, name: str, number: str, phone: str
) -> None:
    """Write an application's blind indexes (inside the caller's transaction)."""
    db.execute(
        "UPDATE applications SET number_index = ?, phone_index = ? WHERE receipt_no = ?",
        [cipher.id_number_index(number), cipher.phone_index(phone), receipt_no],
    )
    db.execute("DELETE FROM application_name_index WHERE receipt_no = ?", [receipt_no])
    db.conn.executemany(
        "INSERT OR IGNORE INTO application_name_index (token, receipt_no) VALUES (?, ?)",
        [(token, receipt_no) for token in cipher.name_prefix_tokens(name)],
    )


def application_indexes(cipher: FieldCipher, number: str, phone: str) -> tuple[bytes | None, bytes | None]:
    """A new application's ``number_index`` and ``phone_index``, written with its row."""
    return cipher.id_number_index(number), cipher.phone_index(phone)


def insert_name_tokens(db: Database, cipher: FieldCipher, receipt_no: str, name: str) -> None:
    """A new application's name-prefix index rows (inside the caller's transaction; a new
    receipt number has none to replace)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO application_name_index (token, receipt_no) VALUES (?, ?)",
        [(token, receipt_no) for token in cipher.name_prefix_tokens(name)],
    )


# -- bulk: the first key, a new key ---------------------------------------------------------


def encrypt_plaintext_rows(db: Database, key: DataKey) -> int:
    """Seal every plain-text personal value under ``key``, build the blind indexes, and mark the
    file as sealed under it; return how many rows were sealed.

    Idempotent: rows already sealed are left alone, a second call seals nothing. One durable
    transaction; afterwards the file is vacuumed and the WAL truncated, so no plain copy stays
    behind in free pages (``secure_delete`` is on for every connection,
    :func:`offline_cache.db.open_database`).

    Raises:
        DataKeyMismatch: The file is sealed under another key already.
        StorageError: Nothing was changed.
    """
    with storage_errors(_VAULT_WORDS):
        stored = stored_key_id(db)
        if stored and stored != key.key_id:
            raise _mismatch(stored, key.key_id)
        cipher = field_cipher(key)
        with durable_transaction(db):
            count = _reseal(db, cipher, lambda value, table, column, row: value if isinstance(value, str) else None)
            _mark_sealed(db, key)
        if count:
            _scrub(db)
    db.data_key = key
    return count


def rekey(db: Database, old_key: DataKey, new_key: DataKey, *, also: Callable[[Database], None] | None = None) -> int:
    """Re-seal every personal value under ``new_key`` and rebuild the blind indexes, in one
    durable transaction; return how many rows were re-sealed. Plain text left by an older
    installation is sealed on the way. ``also`` runs inside the same transaction: the caller
    seals ``new_key`` to every active clerk there, so the data is never under a key nobody holds.

    Raises:
        DataKeyMismatch: The file is not sealed under ``old_key``.
        FieldUnreadable: A value does not open under ``old_key`` (nothing was changed).
        StorageError: Nothing was changed.
    """
    with storage_errors(_VAULT_WORDS):
        stored = stored_key_id(db)
        if stored and stored != old_key.key_id:
            raise _mismatch(stored, old_key.key_id)
        old = field_cipher(old_key)
        new = field_cipher(new_key)

        def opened(value: Any, table: str, column: str, row: str) -> str | None:
            if isinstance(value, str):
                return value
            return old.open(value, table=table, column=column, row=row) if is_sealed(value) else None

        with durable_transaction(db):
            db.execute("DELETE FROM application_name_index")
            count = _reseal(db, new, opened, every_row=True)
            _mark_sealed(db, new_key)
            if also is not None:
                also(db)
        _scrub(db)
    db.data_key = new_key
    return count


def _mark_sealed(db: Database, key: DataKey) -> None:
    """Record which key the personal data is sealed under (``meta``)."""
    db.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [DATA_KEY_META, key.key_id],
    )


def keys_in_use(db: Database) -> dict[str, int]:
    """How many sealed values name each key id (``""`` counts plain text): for a check after a
    re-key, and for the tests."""
    counts: dict[str, int] = {}
    with storage_errors(_VAULT_WORDS):
        for table, fields in (("applications", APPLICATION_FIELDS), ("drafts", DRAFT_FIELDS)):
            columns = ", ".join(fields)
            for row in db.execute(f"SELECT {columns} FROM {table}"):
                for value in row:
                    key_id = sealed_key_id(value) if is_sealed(value) else ""
                    counts[key_id] = counts.get(key_id, 0) + 1
    return counts


def _reseal(
    db: Database,
    cipher: FieldCipher,
    opened: Callable[[Any, str, str, str], str | None],
    *,
    every_row: bool = False,
) -> int:
    """Seal each value ``opened`` gives text for (``None``: leave it), row by row; index the
    applications. With ``every_row``, every application is indexed again."""
    count = 0
    for table, key_column, fields in (("applications", "receipt_no", APPLICATION_FIELDS), ("drafts", "id", DRAFT_FIELDS)):
        extra = ", conclusion" if table == "applications" else ""
        rows = db.execute(f"SELECT {key_column}, {', '.join(fields)}{extra} FROM {table}").fetchall()
        for row in rows:
            row_key = row[0]
            values = dict(zip(fields, row[1 : 1 + len(fields)], strict=True))
            texts = {column: opened(value, table, column, row_key) for column, value in values.items()}
            if not every_row and all(text is None for text in texts.values()):
                continue
            changed = {column: text for column, text in texts.items() if text is not None}
            assignments = [f"{column} = ?" for column in changed]
            params: list[Any] = [cipher.seal(text, table=table, column=column, row=row_key) for column, text in changed.items()]
            if table == "applications":
                name = texts["applicant_name"] if texts["applicant_name"] is not None else ""
                conclusion = row[-1]
                if conclusion and isinstance(values["applicant_name"], str) and values["applicant_name"]:
                    # Written before the mark existed: the name stood in the text itself.
                    assignments.append("conclusion = ?")
                    params.append(_marked(conclusion, values["applicant_name"]))
            if assignments:
                db.execute(f"UPDATE {table} SET {', '.join(assignments)} WHERE {key_column} = ?", [*params, row_key])
            if table == "applications":
                index_application(
                    db, cipher, row_key, name, texts["applicant_number"] or "", texts["phone"] or ""
                )
            count += 1
    return count


def _marked(conclusion: str, name: str) -> str:
    """An older conclusion with its applicant line's name replaced by the mark."""
    return conclusion.replace(f"申请人：{name}", f"申请人：{APPLICANT_MARK}")


def _scrub(db: Database) -> None:
    """Rewrite the file without free pages and empty the WAL: what was replaced is gone."""
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _mismatch(stored: str, given: str) -> DataKeyMismatch:
    return DataKeyMismatch(
        Words(
            f"数据密钥不符：本数据库的个人信息由密钥 {stored} 加密，登录得到的是 {given}。请管理员检查账户。",
            f"Data key mismatch: this database's personal data is sealed under key {stored}, "
            f"the signed-in key is {given}. Ask an administrator to check the accounts.",
        )
    )
