"""``window-app backup PATH`` / ``restore PATH``: the window's data on a USB stick, encrypted.

When a county PC is failing, a supervisor takes a backup: one file holding a consistent copy
of the database (SQLite's online backup) and the printed receipts, encrypted as a whole
(:mod:`window_app.trust.backup_cipher`) under a key derived from the window data key.

The file: ``WINDOW-APP-BACKUP`` and a newline, the clear header's length (4 bytes), the header
(JSON: which window, when, by whom, the data key's id, and per active clerk what opens the data
key with their PIN — the same sealed copies the database holds), then the encrypted stream,
which is bound to the header. So a backup opens for exactly the clerks who could read the live
data, with their PINs, on any PC, and for nobody else; the PIN's argon2id cost stands between
a lost stick and its data.

Restoring checks the clerk's PIN against the header, opens the stream into a private directory
beside the data, checks the database with SQLite's ``integrity_check``, and only then moves it
into place (the database it replaces is kept under another name). A backup of another window
(another ``[window] id``) is refused unless ``other_window`` is given; a data dir that has a
database is left alone unless ``replace`` is. The window's signing key is not in the backup
(keys never travel beside the data): a replacement PC makes a new one and the exchange
registers it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import struct
import tarfile
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from offline_cache import backup as backup_store
from offline_cache.audit import append_event, utc_at
from offline_cache.db import Database, durable_transaction, installation_tag, open_database, storage_errors
from window_app.clerks import Session
from window_app.config import Settings
from window_app.domain.clerks import AccountError, Permission
from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words
from window_app.trust.backup_cipher import backup_key, open_stream, seal_stream
from window_app.trust.data_key import DataKey
from window_app.trust.pins import check_pin, open_clerks_data_key

MAGIC = b"WINDOW-APP-BACKUP\n"
FORMAT = 1
DATABASE_NAME = "window.sqlite"
RECEIPTS_DIR = "receipts"
_HEADER_LENGTH = struct.Struct(">I")
_MAX_HEADER = 1 << 20


class BackupError(WindowAppError):
    """A backup cannot be made, read or restored; the words say why. Nothing was changed."""


@dataclass(frozen=True)
class BackupHeader:
    """The clear part of a backup file: enough to say whose it is and to open it with a PIN."""

    backup_id: str
    window_id: str
    centre: str
    region: str
    installation_tag: str
    created_at: str
    created_by: str
    data_key_id: str
    files: list[str] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    format: int = FORMAT

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> BackupHeader:
        try:
            fields = json.loads(data.decode("utf-8"))
            if fields.get("format") != FORMAT:
                raise BackupError(
                    Words("备份格式 {f} 不是本程序能读的（{mine}）", "Backup format {f} is not one this program reads ({mine})").format(
                        f=fields.get("format"), mine=FORMAT
                    )
                )
            return cls(**fields)
        except (UnicodeDecodeError, json.JSONDecodeError, TypeError, AttributeError):
            raise _not_a_backup() from None


def make_backup(db: Database, settings: Settings, session: Session, path: Path, *, now: dt.datetime) -> BackupHeader:
    """Write an encrypted backup of this window's data to ``path`` (a new file).

    Raises:
        NotPermitted: Only a supervisor or an administrator takes backups.
        BackupError: ``path`` exists, or there is no data key yet.
        OSError: The file could not be written (nothing is left behind).
    """
    clerk = session.require(Permission.BACKUP)
    path = Path(path).expanduser()
    if path.exists():
        raise BackupError(Words("{p} 已存在：请换一个文件名", "{p} exists already: choose another file name").format(p=path))
    backup_id = secrets.token_bytes(16)
    with storage_errors(Words("备份", "Backing up")):
        tag = installation_tag(db)
    accounts = backup_store.account_keys(db)
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".backup-") as work:
        work_dir = Path(work)  # inside the data dir: as private as the data itself
        backup_store.snapshot(db, work_dir / DATABASE_NAME)
        files = [DATABASE_NAME]
        payload = work_dir / "payload.tar"
        with tarfile.open(payload, "w") as archive:
            archive.add(work_dir / DATABASE_NAME, arcname=DATABASE_NAME)
            receipts = settings.data_dir / RECEIPTS_DIR
            if receipts.is_dir():
                archive.add(receipts, arcname=RECEIPTS_DIR)
                files.append(RECEIPTS_DIR + "/")
        header = BackupHeader(
            backup_id=backup_id.hex(),
            window_id=settings.window.id,
            centre=settings.window.centre,
            region=settings.window.region,
            installation_tag=tag,
            created_at=utc_at(now),
            created_by=clerk.label,
            data_key_id=session.data_key.key_id,
            files=files,
            accounts=accounts,
        )
        header_bytes = header.to_bytes()
        partial = path.with_name(path.name + ".partial")
        try:
            with payload.open("rb") as source, _private_new_file(partial) as sink:
                sink.write(MAGIC + _HEADER_LENGTH.pack(len(header_bytes)) + header_bytes)
                seal_stream(backup_key(session.data_key, backup_id), header_bytes, source, sink)
                sink.flush()
                os.fsync(sink.fileno())
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    with storage_errors(Words("记录备份", "Recording the backup")), durable_transaction(db):
        append_event(db, clerk.label, "backup.made", None, {"backup_id": header.backup_id, "file": path.name}, header.created_at)
    return header


def read_header(path: Path) -> BackupHeader:
    """The clear header of a backup file.

    Raises:
        BackupError: Not a window-app backup, or of a format this program does not read.
    """
    with Path(path).expanduser().open("rb") as source:
        return _read_header(source)[0]


def restore_backup(
    settings: Settings,
    path: Path,
    clerk_id: str,
    pin: str,
    *,
    other_window: bool = False,
    replace: bool = False,
    now: dt.datetime,
) -> BackupHeader:
    """Put a backup's database (and receipts) in place in ``settings``' data dir.

    Raises:
        BackupError: Another window's backup (without ``other_window``); a database is there
            (without ``replace``); the file is damaged. Nothing was changed.
        AccountError: The clerk cannot open this backup (not an active account then, wrong PIN).
        OSError: The files could not be written.
    """
    path = Path(path).expanduser()
    with path.open("rb") as source:
        header, header_bytes = _read_header(source)
        if header.window_id != settings.window.id and not other_window:
            raise BackupError(
                Words(
                    "这是窗口 {theirs}（{centre}）的备份，本窗口是 {mine}：确要恢复到本窗口，请加 --other-window",
                    "This is a backup of window {theirs} ({centre}); this window is {mine}: to restore it here anyway, add --other-window",
                ).format(theirs=header.window_id, centre=header.centre, mine=settings.window.id)
            )
        target = settings.database_path
        if target.exists() and not replace:
            raise BackupError(
                Words(
                    "{p} 已有数据库：要以备份替换它（原文件改名保留），请加 --replace",
                    "{p} holds a database already: to replace it with the backup (the old file is kept under another name), add --replace",
                ).format(p=target)
            )
        data_key = _open_with_pin(header, clerk_id, pin)
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".restore-") as work:
            work_dir = Path(work)
            payload = work_dir / "payload.tar"
            with _private_new_file(payload) as sink:
                open_stream(backup_key(data_key, bytes.fromhex(header.backup_id)), header_bytes, source, sink)
            _extract(payload, work_dir)
            problem = backup_store.integrity_problem(work_dir / DATABASE_NAME)
            if problem:
                raise BackupError(Words("备份中的数据库损坏：{p}", "The database in the backup is damaged: {p}").format(p=problem))
            if target.exists():
                kept = target.with_name(f"{target.name}.before-restore-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}")
                for side in ("", "-wal", "-shm"):
                    old = Path(f"{target}{side}")
                    if old.exists():
                        os.replace(old, Path(f"{kept}{side}"))
            os.replace(work_dir / DATABASE_NAME, target)
            if (work_dir / RECEIPTS_DIR).is_dir():
                shutil.copytree(work_dir / RECEIPTS_DIR, settings.data_dir / RECEIPTS_DIR, dirs_exist_ok=True)
    account = next(a for a in header.accounts if a["id"] == clerk_id)
    db = open_database(target)
    try:
        with storage_errors(Words("记录恢复", "Recording the restore")), durable_transaction(db):
            actor = f"{account['name']}（{clerk_id}）" if account.get("name") else clerk_id
            append_event(db, actor, "backup.restored", None, {"backup_id": header.backup_id, "from_window": header.window_id}, utc_at(now))
    finally:
        db.close()
    return header


def _open_with_pin(header: BackupHeader, clerk_id: str, pin: str) -> DataKey:
    account = next((a for a in header.accounts if a["id"] == clerk_id), None)
    if account is None:
        raise AccountError(
            Words(
                "工号“{id}”打不开这个备份：备份时它不是在用账号（可用：{ids}）",
                "The clerk id “{id}” cannot open this backup: it was no active account then (these can: {ids})",
            ).format(id=clerk_id, ids=", ".join(a["id"] for a in header.accounts) or "—"),
            "unknown",
        )
    keys = check_pin(pin, kdf=account["kdf"], salt=account["salt"], verifier=account["verifier"])
    if keys is None:
        raise AccountError(Words("PIN 不对（备份时的 PIN）", "Wrong PIN (the PIN at the time of the backup)"), "wrong_pin")
    data_key = open_clerks_data_key(keys, clerk_id, private_key=account["private_key"], sealed=account["sealed"])
    if isinstance(data_key, Words) or data_key.key_id != header.data_key_id:
        raise BackupError(Words("备份的数据密钥无法解开：文件被改动", "The backup's data key does not open: the file was altered"))
    return data_key


def _read_header(source: Any) -> tuple[BackupHeader, bytes]:
    if source.read(len(MAGIC)) != MAGIC:
        raise _not_a_backup()
    length_bytes = source.read(_HEADER_LENGTH.size)
    if len(length_bytes) != _HEADER_LENGTH.size:
        raise _not_a_backup()
    (length,) = _HEADER_LENGTH.unpack(length_bytes)
    header_bytes = source.read(length) if length <= _MAX_HEADER else b""
    if len(header_bytes) != length or not header_bytes:
        raise _not_a_backup()
    return BackupHeader.from_bytes(header_bytes), header_bytes


def _extract(payload: Path, into: Path) -> None:
    """Only the database and receipt files, as plain files under ``into`` (never a link, never
    a path that climbs out)."""
    with tarfile.open(payload, "r") as archive:
        for member in archive.getmembers():
            name = member.name
            if name != DATABASE_NAME and not (name == RECEIPTS_DIR or name.startswith(RECEIPTS_DIR + "/")):
                raise BackupError(Words("备份中有意外的文件：{n}", "The backup holds an unexpected file: {n}").format(n=name))
        archive.extractall(into, filter="data")


def _private_new_file(path: Path) -> Any:
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def _not_a_backup() -> BackupError:
    return BackupError(Words("这不是 window-app 的备份文件", "This is not a window-app backup file"))
