"""``window-app keys init | show``: this window's signing key and what the exchange registers.

The key is a file of its own (0600) in ``[trust] keys_dir`` (:mod:`window_app.identity`); the
first accept makes it when ``keys init`` was not run. ``keys show --json`` prints the
self-signed registration request the exchange's operator registers with
``window-app exchange keys register``; ``keys init --replace`` rotates the key (the exchange
then revokes the old one and registers the new).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from window_app.cli.context import opened_window, settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK
from window_app.cli.output import err, out
from window_app.cli.parser import add_command
from window_app.domain.clerks import Permission
from window_app.domain.words import Words, tr


def register(commands: Any) -> None:
    keys = add_command(commands, "keys", Words("本窗口的签名密钥", "this window's signing key"))
    actions = keys.add_subparsers(title=tr("操作", "actions"), metavar="ACTION", required=True)
    init = add_command(actions, "init", Words("生成本窗口的签名密钥（0600 文件）", "make this window's signing key (a 0600 file)"))
    init.add_argument(
        "--replace", action="store_true",
        help=tr("以新密钥替换旧密钥（交换平台须吊销旧密钥、登记新密钥）", "replace the key (the exchange revokes the old and registers the new)"),
    )
    init.set_defaults(func=cmd_keys_init)
    show = add_command(actions, "show", Words("显示本窗口的身份与公钥", "show this window's identity and public key"))
    show.add_argument("--json", action="store_true", help=tr("输出自签名的登记申请（JSON）", "print the self-signed registration request (JSON)"))
    show.set_defaults(func=cmd_keys_show)


def cmd_keys_init(args: argparse.Namespace) -> int:
    """Make (or replace) the key and say where it is."""
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        window.require(Permission.MANAGE_KEYS)
        path = window.key_path()
        existed = path.exists()
        identity = window.identity(replace=args.replace)
    if args.replace:
        err(tr("已生成新密钥 {k}：请交换平台吊销旧密钥并登记新密钥（window-app keys show --json）。",
               "Made a new key {k}: the exchange must revoke the old one and register this one (window-app keys show --json).",
               k=identity.key_id))
    elif existed:
        err(tr("密钥已存在，未改动（{k}）：{p}", "The key exists already and was left as it is ({k}): {p}", k=identity.key_id, p=path))
    else:
        err(tr("已生成签名密钥 {k}：{p}", "Made the signing key {k}: {p}", k=identity.key_id, p=path))
    out(identity.public_key)
    return EXIT_OK


def cmd_keys_show(args: argparse.Namespace) -> int:
    """Print the identity (or the registration request as JSON)."""
    settings = settings_from(args)
    with opened_window(settings) as window:
        if args.json:
            out(json.dumps(window.registration(), ensure_ascii=False, indent=2))
            return EXIT_OK
        identity, path = window.identity(), window.key_path()
    for label, value in (
        (tr("窗口", "Window"), f"{identity.window_id} · {identity.centre}"),
        (tr("受理编号前缀", "Receipt prefix"), identity.receipt_prefix),
        (tr("密钥编号", "Key id"), identity.key_id),
        (tr("公钥", "Public key"), identity.public_key),
        (tr("私钥文件", "Private key file"), str(path)),
    ):
        out(f"{label}: {value}")
    return EXIT_OK
