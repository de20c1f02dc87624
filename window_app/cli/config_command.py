"""``window-app config init | path``: write the user's config file, show which file is in use.

An installed program (``pipx install``, ``uv tool install``, a wheel) has no ``config.toml``
beside it; it runs on the default shipped inside the package until ``config init`` copies that
commented default into the user's config directory, where the clerk (or whoever sets the window
up) edits it. The search order is in :mod:`window_app.config`.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import err, out
from window_app.cli.parser import add_command
from window_app.config import (
    ENV_PREFIX,
    SHIPPED_CONFIG,
    ConfigError,
    config_candidates,
    find_config_file,
    load_settings,
    user_config_file,
)
from window_app.domain.words import Words, set_language, tr


def register(commands: Any) -> None:
    config = add_command(
        commands, "config", Words("配置文件：生成、查看所用文件", "the config file: write one, show which is used")
    )
    actions = config.add_subparsers(title=tr("操作", "actions"), metavar="ACTION", required=True)

    init = add_command(
        actions,
        "init",
        Words("在用户配置目录写入带注释的 config.toml",
        "write a commented config.toml to the user's config directory"),
    )
    init.add_argument("--force", action="store_true", help=tr("覆盖已有文件", "overwrite an existing file"))
    init.set_defaults(func=cmd_config_init)

    path = add_command(
        actions, "path", Words("显示所用的配置文件及查找顺序", "show the config file in use and the search order")
    )
    path.set_defaults(func=cmd_config_path)


def cmd_config_init(args: argparse.Namespace) -> int:
    """Copy the package default into the user's config directory; refuse to overwrite."""
    _speak_configured_language(args)
    target = user_config_file()
    if target.exists() and not args.force:
        raise InvalidInput(
            Words(
                "{path} 已存在，未改动。要用默认设置覆盖它，请加 --force。",
                "{path} exists already and was left as it is. Add --force to overwrite it with the defaults.",
            ).format(path=target)
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SHIPPED_CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    err(
        tr(
            "已写入默认设置，请按本窗口修改（窗口编号、地区、交换平台地址和令牌）：",
            "Wrote the default settings; edit them for this window (id, region, exchange URL and token):",
        )
    )
    out(str(target))
    return EXIT_OK


def cmd_config_path(args: argparse.Namespace) -> int:
    """The config file in use on stdout; the search order, and what exists, on stderr."""
    _speak_configured_language(args)
    used = find_config_file(args.config)  # ConfigError (exit 2) when --config names no file
    explicit = args.config or os.environ.get(f"{ENV_PREFIX}CONFIG")
    labels = [
        tr("当前目录", "current directory"),
        tr("用户配置目录", "user config directory"),
        tr("程序自带默认", "package default"),
    ]
    err(tr("查找顺序（先找到者为准）：", "Search order (the first found is used):"))
    err(f"  1. --config / ${ENV_PREFIX}CONFIG: {explicit or tr('（未指定）', '(not given)')}")
    for number, (label, candidate) in enumerate(zip(labels, config_candidates()), start=2):
        if candidate == used and not explicit:
            state = tr("← 使用中", "← in use")
        elif candidate.is_file():
            state = tr("（存在）", "(exists)")
        else:
            state = tr("（不存在）", "(missing)")
        err(f"  {number}. {label}: {candidate} {state}")
    if used is None:
        err(tr("没有配置文件：使用内置默认值。", "No config file: the built-in defaults apply."))
        return EXIT_OK
    out(str(used))
    return EXIT_OK


def _speak_configured_language(args: argparse.Namespace) -> None:
    """Speak ``--lang``, else the configured language; a broken config is no reason not to
    write a fresh one or to say where it is, so it falls back to Chinese."""
    if args.lang:
        return  # already switched by main()
    try:
        set_language(load_settings(args.config, data_dir=args.data_dir).window.language)
    except ConfigError:
        set_language("zh")
