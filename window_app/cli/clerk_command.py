"""``window-app clerk add|list|disable|reset-pin|set-roles|unlock|rekey``: the window's accounts.

Run by an administrator (``unlock``: a supervisor too), signed in like every command that needs a
clerk (``--clerk ID``, the PIN from ``$WINDOW_APP_PIN`` or a prompt). A new PIN comes from
``$WINDOW_APP_NEW_PIN`` or is typed twice at the terminal. ``clerk add --first`` makes the first
administrator of a window that has no account yet, without signing in (what the TUI's first start
does). Every change is in the audit trail, naming who made it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from window_app.cli.context import opened_window, read_pin, settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import err, print_table
from window_app.cli.parser import add_command
from window_app.domain.clerks import Clerk, Role, UnknownRole, roles_from
from window_app.domain.times import shown
from window_app.domain.words import Words, tr

if TYPE_CHECKING:
    from window_app.window import Window

NEW_PIN_ENV = "WINDOW_APP_NEW_PIN"


def register(commands: Any) -> None:
    clerk = add_command(commands, "clerk", Words("窗口人员账号（管理员）", "clerk accounts (administrators)"))
    actions = clerk.add_subparsers(title=tr("操作", "actions"), metavar="ACTION", required=True)
    roles_help = tr(
        "角色，逗号分隔：acceptor 受理员、sole_approver 独任审批员、helper 帮办代办员、supervisor 值班长、administrator 管理员",
        "roles, comma-separated: acceptor, sole_approver, helper, supervisor, administrator",
    )

    add = add_command(actions, "add", Words("新建账号（新 PIN 取自 $WINDOW_APP_NEW_PIN 或提示输入两次）", "add an account (the new PIN from $WINDOW_APP_NEW_PIN or typed twice)"))
    add.add_argument("id", metavar="ID", help=tr("工号", "clerk id"))
    add.add_argument("--name", required=True, help=tr("姓名（印在回执上）", "name (printed on receipts)"))
    add.add_argument("--roles", default="acceptor", help=roles_help)
    add.add_argument(
        "--first", action="store_true",
        help=tr("本窗口的首个账号：管理员 + 值班长 + 受理员，无需登录", "the window's first account: administrator + supervisor + acceptor, no sign-in"),
    )
    add.set_defaults(func=cmd_add)

    listing = add_command(actions, "list", Words("列出账号", "list the accounts"))
    listing.set_defaults(func=cmd_list)

    for name, help_words, func in (
        ("disable", Words("停用账号（其数据密钥副本随之删除）", "disable an account (its copy of the data key is deleted)"), cmd_disable),
        ("reset-pin", Words("重置 PIN（管理员，或本人）", "reset a PIN (an administrator, or the clerk themselves)"), cmd_reset_pin),
        ("unlock", Words("解除因 PIN 错误的锁定（值班长、管理员）", "lift a wrong-PIN lock (supervisors, administrators)"), cmd_unlock),
    ):
        action = add_command(actions, name, help_words)
        action.add_argument("id", metavar="ID", help=tr("工号", "clerk id"))
        action.set_defaults(func=func)

    set_roles = add_command(actions, "set-roles", Words("设置账号的角色", "set an account's roles"))
    set_roles.add_argument("id", metavar="ID", help=tr("工号", "clerk id"))
    set_roles.add_argument("roles", metavar="ROLES", help=roles_help)
    set_roles.set_defaults(func=cmd_set_roles)

    rekey = add_command(
        actions, "rekey",
        Words("更换本窗口的数据密钥（重新加密个人信息，并封装给每个在用账号）", "replace the window data key (personal data re-encrypted, sealed to every active account)"),
    )
    rekey.set_defaults(func=cmd_rekey)


def cmd_add(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    if args.first:
        with opened_window(settings) as window:
            clerk = window.create_first_administrator(args.id, args.name, _new_pin(args.id))
    else:
        roles = _roles(args.roles)
        with signed_in_window(args, settings) as window:
            clerk = window.add_clerk(args.id, args.name, roles, _new_pin(args.id))
    err(tr("已建立账号 {c}：{r}", "Added the account {c}: {r}", c=clerk.label, r=clerk.roles_words()))
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    with signed_in_window(args, settings_from(args)) as window:
        clerks = window.clerks()
    print_table(
        [[tr("工号", "ID"), tr("姓名", "Name"), tr("角色", "Roles"), tr("状态", "State")]]
        + [[c.id, c.name, str(c.roles_words()), str(_state(c, window.zone))] for c in clerks]
    )
    return EXIT_OK


def cmd_disable(args: argparse.Namespace) -> int:
    return _change_account(
        args, lambda window: window.disable_clerk(args.id),
        Words("已停用 {c}；重置其 PIN 可恢复。", "Disabled {c}; resetting its PIN brings it back."),
    )


def cmd_reset_pin(args: argparse.Namespace) -> int:
    return _change_account(
        args, lambda window: window.reset_pin(args.id, _new_pin(args.id)), Words("已重置 {c} 的 PIN。", "Reset the PIN of {c}.")
    )


def cmd_unlock(args: argparse.Namespace) -> int:
    return _change_account(args, lambda window: window.unlock_clerk(args.id), Words("已解锁 {c}。", "Unlocked {c}."))


def cmd_set_roles(args: argparse.Namespace) -> int:
    roles = _roles(args.roles)
    return _change_account(
        args, lambda window: window.set_clerk_roles(args.id, roles), Words("{c} 的角色：{r}", "{c} now has the roles: {r}")
    )


def _change_account(args: argparse.Namespace, change: Callable[[Window], Clerk], done: Words) -> int:
    """Sign in, make one change to an account, say what it became."""
    with signed_in_window(args, settings_from(args)) as window:
        clerk = change(window)
    err(str(done.format(c=clerk.label, r=clerk.roles_words())))
    return EXIT_OK


def cmd_rekey(args: argparse.Namespace) -> int:
    with signed_in_window(args, settings_from(args)) as window:
        window.rekey()
        key_id = window.db.data_key.key_id if window.db.data_key else ""
    err(tr("已更换数据密钥（{k}）：旧密钥不再能解开任何内容。", "Replaced the data key ({k}): the old one opens nothing now.", k=key_id))
    return EXIT_OK


def _roles(text: str) -> tuple[Role, ...]:
    try:
        return roles_from([name for name in text.replace("，", ",").split(",") if name.strip()])
    except UnknownRole as exc:
        raise InvalidInput(exc.words) from None


def _new_pin(clerk_id: str) -> str:
    """The new PIN: ``$WINDOW_APP_NEW_PIN``, or typed twice at a terminal."""
    prompt = Words("{id} 的新 PIN：", "New PIN for {id}: ").format(id=clerk_id)
    pin = read_pin(prompt, environ_key=NEW_PIN_ENV)
    if NEW_PIN_ENV not in os.environ and sys.stdin is not None and sys.stdin.isatty():
        again = read_pin(Words("再输入一次：", "Once more: "), environ_key=NEW_PIN_ENV)
        if again != pin:
            raise InvalidInput(Words("两次输入的 PIN 不一致，未改动", "The two PINs differ; nothing was changed"))
    return pin


def _state(clerk: Clerk, zone: dt.tzinfo) -> Words:
    if not clerk.active:
        return Words("已停用", "disabled")
    now = dt.datetime.now(dt.UTC)
    if clerk.locked_until and clerk.locked_until > now.strftime("%Y-%m-%dT%H:%M:%SZ"):
        return Words("已锁定至 {t}", "locked until {t}").format(t=shown(clerk.locked_until, zone, "%m-%d %H:%M"))
    return Words("在用", "active")
