"""``window-app serve``: the window in a browser on the office network, behind the clerks' sign-in.

``window-app serve --port 8080 [--host 127.0.0.1] [--windows FILE | --data-dir DIR] [--cert F --key F]``:

- ``--windows FILE``: a TOML file of ``[[window]]`` entries, each its own data dir and settings
  (:mod:`window_app.web.windows`);
- ``--data-dir DIR``: a window's data dir (it holds ``window.sqlite``: that one window), or a
  directory of data dirs (one window per sub-directory);
- neither: the one window of ``--config`` / the default settings.

Needs the ``web`` extra (``pip install 'window-app[web]'``: textual-serve, aiohttp); without it
the command says so in words (exit 2). The server itself is in :mod:`window_app.web`.
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from typing import Any

from window_app.cli import EXIT_ENVIRONMENT, EXIT_OK, InvalidInput, add_command, settings_from
from window_app.cli.output import err
from window_app.domain.words import Words, tr
from window_app.web.windows import WebWindow, windows_from_file, windows_in_directory

NO_EXTRA = Words(
    "缺少浏览器服务组件：请安装 pip install 'window-app[web]'",
    "The browser server is not installed: pip install 'window-app[web]'",
)


def register(commands: Any) -> None:
    serve = add_command(
        commands,
        "serve",
        Words("在办公内网以浏览器提供窗口（须登录；Ctrl+C 停止）", "serve the window to browsers on the office network (sign-in first; Ctrl+C stops)"),
    )
    serve.add_argument("--port", type=int, required=True, help=tr("端口", "port"))
    serve.add_argument("--host", default="127.0.0.1", help=tr("监听地址（默认仅本机 127.0.0.1）", "address to listen on (default 127.0.0.1: this machine only)"))
    serve.add_argument("--windows", type=Path, help=tr("窗口清单（TOML：每个窗口一个数据目录）", "the windows file (TOML: one data dir per window)"))
    serve.add_argument("--cert", type=Path, help=tr("TLS 证书（PEM）", "TLS certificate (PEM)"))
    serve.add_argument("--key", type=Path, help=tr("TLS 私钥（PEM）", "TLS private key (PEM)"))
    serve.set_defaults(func=cmd_serve)


def served_windows(args: argparse.Namespace) -> list[WebWindow]:
    """The windows ``args`` name (see the module's docstring).

    Raises:
        InvalidInput: Both ``--windows`` and ``--data-dir``.
        ConfigError: A broken windows file, directory or config.
    """
    if args.windows is not None and args.data_dir:
        raise InvalidInput(Words("--windows 与 --data-dir 只能选一个", "Give --windows or --data-dir, not both"))
    if args.windows is not None:
        return windows_from_file(args.windows)
    if args.data_dir and not (Path(args.data_dir) / "window.sqlite").exists():
        return windows_in_directory(Path(args.data_dir))
    settings = settings_from(args)
    data_dir = settings.data_dir.resolve()
    return [WebWindow(data_dir.name or "window", data_dir.name or "window", data_dir, Path(args.config) if args.config else None)]


def cmd_serve(args: argparse.Namespace) -> int:
    if (args.cert is None) != (args.key is None):
        raise InvalidInput(Words("--cert 与 --key 须同时给出", "Give --cert and --key together"))
    if not 0 < args.port < 65536:
        raise InvalidInput(Words("端口须在 1–65535 之间", "The port must be 1–65535"))
    windows = served_windows(args)
    if importlib.util.find_spec("textual_serve") is None or importlib.util.find_spec("aiohttp") is None:
        err(str(NO_EXTRA))
        return EXIT_ENVIRONMENT
    from window_app.web import run  # aiohttp and textual-serve: the optional extra, only for this command

    context = run.tls_context(args.cert, args.key) if args.cert is not None else None
    run.serve(windows, host=args.host, port=args.port, context=context, say=lambda words: err(str(words)))
    return EXIT_OK

