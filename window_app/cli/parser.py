"""The command line: global options, the parser with every sub-command, the start-up language.

Help texts are in the current language, so the parser is built after the language is known.
Every sub-parser, at any depth, is a :class:`CommandParser`: it accepts the global options
after the sub-command too, and reports a wrong command line as :class:`UsageError` instead of
exiting the process.
"""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from window_app import __version__
from window_app.cli.errors import UsageError
from window_app.cli.registry import register_commands
from window_app.cli.tui import run_tui
from window_app.config import ConfigError, load_settings
from window_app.domain.words import Words, tr

LANGUAGES = ("zh", "en")


class Parser(argparse.ArgumentParser):
    """An argument parser that reports errors instead of exiting the process."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.format_usage().rstrip()}\n{self.prog}: {message}")


class CommandParser(Parser):
    """A sub-command's parser: ``--config``, ``--data-dir``, ``--lang`` are accepted after it too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_global_options(self, suppress=True)


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, help texts in the current language."""
    parser = Parser(
        prog="window-app",
        description=tr(
            "综合窗口·一件事一次办。不带子命令时启动窗口界面（TUI）。",
            "Comprehensive window for integrated service bundles. Without a sub-command: start the TUI.",
        ),
        epilog=tr(
            "退出码：0 成功，1 输入有误，2 环境有误（配置、目录、数据库），3 未登录或无权限。"
            "需要身份的命令：--clerk 工号（或 $WINDOW_APP_CLERK），PIN 取自 $WINDOW_APP_PIN，否则提示输入。",
            "Exit codes: 0 ok, 1 invalid input, 2 environment (config, catalog, storage), 3 not signed in or not allowed. "
            "Commands that need a clerk: --clerk ID (or $WINDOW_APP_CLERK), the PIN from $WINDOW_APP_PIN, else a prompt.",
        ),
    )
    add_global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"window-app {__version__}")
    parser.set_defaults(func=run_tui)
    commands = parser.add_subparsers(title=tr("子命令", "sub-commands"), metavar="COMMAND", parser_class=CommandParser)
    register_commands(commands)
    return parser


def add_command(commands: Any, name: str, help: Words) -> argparse.ArgumentParser:
    """A sub-command ``name`` of ``commands`` (what ``add_subparsers`` returned), its one-line
    help (also its description) in the current language. Add arguments and ``set_defaults(func=…)``
    to what it returns."""
    return commands.add_parser(name, help=str(help), description=str(help))


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """``--config``, ``--data-dir``, ``--lang``: before the sub-command, or after it.

    After the sub-command the defaults are suppressed so that an option given before it is not
    overwritten by the sub-parser's default.
    """
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help=tr(
            "配置文件（默认依次找 ./config.toml、用户配置目录、程序自带默认；见 config path）",
            "config file (default: ./config.toml, the user config dir, the package default; see config path)",
        ),
    )
    parser.add_argument(
        "--data-dir", metavar="PATH", default=default, help=tr("数据库所在目录", "directory of the SQLite database")
    )
    parser.add_argument(
        "--lang", choices=LANGUAGES, default=default, help=tr("输出语言（默认取配置）", "output language (default: config)")
    )
    parser.add_argument(
        "--clerk",
        metavar="ID",
        default=default,
        help=tr(
            "以此工号办理（或 $WINDOW_APP_CLERK）；PIN 取自 $WINDOW_APP_PIN，否则提示输入",
            "act as this clerk (or $WINDOW_APP_CLERK); the PIN from $WINDOW_APP_PIN, else a prompt",
        ),
    )


def global_parser(*, strict: bool) -> argparse.ArgumentParser:
    """Only the global options (``strict``: ``--lang`` must be zh or en)."""
    parser = Parser(prog="window-app", add_help=False)
    parser.add_argument("--config")
    parser.add_argument("--data-dir")
    parser.add_argument("--lang", choices=LANGUAGES if strict else None)
    parser.add_argument("--clerk")
    return parser


def initial_language(argv: list[str], *, consult_config: bool) -> str:
    """The language for help texts and usage errors: ``--lang``, else (if asked) the configured
    one, else Chinese. Commands switch to the configured language once they load the settings.
    """
    try:
        known, _rest = global_parser(strict=False).parse_known_args(argv)
    except UsageError:
        return "zh"
    if known.lang in LANGUAGES:
        return known.lang
    if not consult_config:
        return "zh"
    try:
        return load_settings(known.config, data_dir=known.data_dir).window.language
    except ConfigError:
        return "zh"  # reported in words by the command that needs the settings
