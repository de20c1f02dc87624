"""``window-app``'s entry point: parse, run the command, turn failures into words and exit codes.

Start-up cost matters (the TUI is launched many times a day): a plain start (global options
only) is parsed without building the sub-command parser, so no command module is imported;
the window, the catalog and Textual are imported by the command that needs them. The start runs
without the cyclic garbage collector (:mod:`window_app.start_up`): a command gets it back as it
begins, the TUI once its first screen is drawn.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from window_app.cli.errors import (
    EXIT_DENIED,
    EXIT_ENVIRONMENT,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    InvalidInput,
    UsageError,
    file_system_message,
)
from window_app.cli.output import err, tolerate_narrow_encodings
from window_app.cli.parser import build_parser, global_parser, initial_language
from window_app.cli.tui import run_tui
from window_app.config import ConfigError
from window_app.domain.clerks import AccountError, NotPermitted
from window_app.domain.errors import WindowAppError
from window_app.domain.words import language, set_language, tr
from window_app.start_up import defer_collection, start_finished


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``window-app`` with ``argv`` (default: the process arguments).

    Returns:
        The exit code: 0 ok, 1 invalid input, 2 environment (config/catalog/storage).
    """
    defer_collection()
    argv = list(sys.argv[1:] if argv is None else argv)
    tolerate_narrow_encodings()
    previous = language()
    try:
        return _main(argv)
    finally:
        start_finished()  # if the command or the app did not already
        set_language(previous)  # in-process callers (tests, scripts) keep their language


def _main(argv: list[str]) -> int:
    args = _parse(argv)
    if isinstance(args, int):
        return args
    if args.lang:
        set_language(args.lang)
    return _run(args)


def _parse(argv: list[str]) -> argparse.Namespace | int:
    """The parsed command line, or the exit code when there is nothing to run (help, version,
    usage error: the usage goes to stderr in the configured language)."""
    wants_help = any(arg in ("-h", "--help") for arg in argv)
    set_language(initial_language(argv, consult_config=wants_help))
    args = None if wants_help else _tui_arguments(argv)
    if args is not None:
        return args
    try:
        return build_parser().parse_args(argv)
    except UsageError:
        pass
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    # Say it in the configured language (not read above: the config costs start-up time).
    set_language(initial_language(argv, consult_config=True))
    try:
        build_parser().parse_args(argv)
    except UsageError as exc:
        err(str(exc))
    return EXIT_INVALID


def _tui_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a plain TUI start (only global options), else ``None``.

    The clerk's everyday start skips building the whole sub-command parser.
    """
    try:
        known, rest = global_parser(strict=True).parse_known_args(argv)
    except UsageError:
        return None
    if rest:
        return None
    known.func = run_tui
    return known


def _run(args: argparse.Namespace) -> int:
    """Call the command's function and turn known failures into words and an exit code."""
    if args.func is not run_tui:
        start_finished()  # a command's work, however long, has the collector; the TUI's first screen not yet
    try:
        return args.func(args)
    except InvalidInput as exc:
        _report(exc)
        return EXIT_INVALID
    except ConfigError as exc:
        err(tr("配置有误：{message}", "Configuration error: {message}", message=exc))
        return EXIT_ENVIRONMENT
    except (AccountError, NotPermitted) as exc:  # who, not what: sign in / ask someone who may
        _report(exc)
        return EXIT_DENIED
    except WindowAppError as exc:  # catalog, storage: the environment, not the input
        _report(exc)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        err(tr("已中断。", "Interrupted."))
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        err(file_system_message(exc))
        return EXIT_ENVIRONMENT


def _report(error: WindowAppError) -> None:
    """The error's words on stderr, each detail on an indented line below."""
    heading, *details = error.lines()
    err(heading)
    for line in details:
        err(f"  {line}")
