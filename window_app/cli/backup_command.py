"""``window-app backup PATH`` and ``window-app restore PATH``: the window's data, encrypted, on
a USB stick and back (:mod:`window_app.backup`).

``backup`` is run signed in as a supervisor or an administrator. ``restore`` opens no database
first (the one there may be what failed): it asks for a clerk who was active when the backup was
taken (``--clerk`` / ``$WINDOW_APP_CLERK``) and that clerk's PIN at the time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path
from typing import Any

import window_app
from window_app.cli.context import CLERK_ENV, read_pin, settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import err
from window_app.cli.parser import add_command
from window_app.domain.times import shown
from window_app.domain.words import Words, tr


def register(commands: Any) -> None:
    backup = add_command(
        commands, "backup", Words("把本窗口的数据加密备份到一个文件（值班长、管理员）", "an encrypted backup of this window's data in one file (supervisors, administrators)")
    )
    backup.add_argument("path", metavar="PATH", help=tr("备份文件（不得已存在）", "the backup file (must not exist)"))
    backup.set_defaults(func=cmd_backup)

    restore = add_command(commands, "restore", Words("从备份文件恢复本窗口的数据", "restore this window's data from a backup file"))
    restore.add_argument("path", metavar="PATH", help=tr("备份文件", "the backup file"))
    restore.add_argument(
        "--other-window", action="store_true",
        help=tr("允许恢复另一窗口（另一 [window] id）的备份", "allow a backup of another window (another [window] id)"),
    )
    restore.add_argument(
        "--replace", action="store_true",
        help=tr("替换数据目录中已有的数据库（原文件改名保留）", "replace the database in the data dir (the old file is kept under another name)"),
    )
    restore.set_defaults(func=cmd_restore)


def cmd_backup(args: argparse.Namespace) -> int:
    with signed_in_window(args, settings_from(args)) as window:
        header = window.backup(Path(args.path))
    err(tr("已备份窗口 {w} 到 {p}（{f}）：只有备份时的在用账号凭其 PIN 能打开。",
           "Backed up window {w} to {p} ({f}): only the accounts active now can open it, with their PINs.",
           w=header.window_id, p=args.path, f=", ".join(header.files)))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    path = Path(args.path).expanduser()
    header = window_app.backup.read_header(path)
    clerk_id = args.clerk or os.environ.get(CLERK_ENV, "")
    if not clerk_id:
        raise InvalidInput(
            Words("请用 --clerk 指明打开备份的工号（可用：{ids}）", "Name the clerk who opens the backup with --clerk (these can: {ids})").format(
                ids=", ".join(account["id"] for account in header.accounts) or "—"
            )
        )
    pin = read_pin(Words("{id} 备份时的 PIN：", "PIN of {id} at the time of the backup: ").format(id=clerk_id))
    window_app.backup.restore_backup(
        settings, path, clerk_id, pin,
        other_window=args.other_window, replace=args.replace, now=dt.datetime.now().astimezone(),
    )
    err(tr("已从 {p} 恢复窗口 {w}（{c} 于 {t} 备份）到 {d}。",
           "Restored window {w} from {p} (backed up by {c} at {t}) into {d}.",
           p=path, w=header.window_id, c=header.created_by, t=shown(header.created_at, settings.zone), d=settings.data_dir))
    return EXIT_OK
