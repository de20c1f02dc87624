"""``window-app``: the TUI by default, and a scriptable twin of the window for scripts.

Every sub-command goes through the same code as the screens (:class:`window_app.window.Window`
and the catalog/intake modules behind it); nothing here re-implements a rule. Output speaks
Chinese by default, English with ``--lang en`` or ``[window] language = "en"``.

Exit codes: 0 ok, 1 invalid input or validation problems, 2 environment (config, catalog,
storage). Errors are words on stderr, never a traceback.

Start-up cost matters (the TUI is launched many times a day): importing this package loads only
the standard library, the config and i18n; the window, the catalog and Textual are imported by
the command that needs them, and a plain TUI start does not even import the command modules.

The package, one concept a module: ``app`` (entry point, dispatch, failures → exit codes),
``parser`` (global options, the parser, the start-up language), ``registry`` (which modules
add sub-commands), ``errors`` (exit codes, :class:`InvalidInput`, words for environment
failures), ``context`` (settings, the opened window, the catalog), ``output`` (printing), ``tui``
(the default: the screens), and one module per command group: ``catalog_commands``,
``guide_command``, ``accept_command``, ``applications_command`` (+ ``receipt``), ``notice_command``
(``notice KIND``: the printed notices),
``audit_command`` (``audit verify``), ``serve_command`` (``serve``: the window in a browser,
:mod:`window_app.web`).

Adding sub-commands: the ``register(commands)`` contract
----------------------------------------------------------

A command module, in this package or another one, is listed by its dotted name in
:data:`window_app.cli.registry.COMMAND_MODULES` (``window_app.exchange.cli`` and
``window_app.cli.sync_command`` are listed already) and defines::

    def register(commands) -> None

``commands`` is ``window-app``'s argparse sub-parsers object. ``register`` adds the module's
sub-command(s) with :func:`add_command` (``add_command(commands, name, Words(中文, English))``: a
parser whose help is in the current language; ``commands.add_parser`` works too), their
arguments and nested sub-commands, and ``set_defaults(func=cmd_…)`` on each runnable parser.
Every sub-parser, at any depth, also accepts the global options ``--config``, ``--data-dir``
and ``--lang`` after the command. Call ``tr(中文, English)`` for help texts inside ``register``
(it runs after the language is known), not at import.

The command function is called with the parsed ``argparse.Namespace`` (``args.config``,
``args.data_dir`` and ``args.lang`` are always there, ``None`` when not given) and returns the
exit code (:data:`EXIT_OK`, :data:`EXIT_INVALID`, :data:`EXIT_ENVIRONMENT`). It gets:

- its settings from ``settings_from(args)``: ``--config``, ``WINDOW_APP_*`` overrides,
  ``--data-dir``, ``--lang``; it also switches the output to the configured language;
- the window from ``with opened_window(settings) as window:`` (catalog, database and search
  index; closed when the block ends), or only the catalog from ``load_window_catalog(settings)``.

It prints with :mod:`window_app.cli.output` (``out``, ``err``, ``out_json``, tables) and
reports what the clerk can fix by raising ``InvalidInput(Words(…), details)`` (exit 1). A
:class:`~window_app.config.ConfigError`, a catalog or storage error or an ``OSError`` becomes
words and exit 2; Ctrl+C exit 130; anything else is a bug and keeps its traceback.

A command module is imported whenever the sub-command parser is built (any sub-command, and
``--help``). It imports at the top like any module; what must not load for every command
(httpx, Starlette, uvicorn, Textual) is reached through the lazy attributes of its package
(``window_app.sync.engine``, ``window_app.exchange.server`` / ``client``: see
``docs/architecture.md``), so every command starts without them and a missing optional extra is
told in words. A listed module that does not exist is skipped (an optional part not installed or
not written yet); one that exists but fails to import raises, so a broken module is never hidden.

For example::

    # window_app/cli/sync_command.py
    import window_app.sync
    from window_app.cli import EXIT_OK, add_command, opened_window, settings_from
    from window_app.domain.words import Words, tr

    def register(commands) -> None:
        sync = add_command(commands, "sync", Words("发送待发信封、取回部门意见", "send waiting envelopes, fetch decisions"))
        sync.add_argument("--once", action="store_true", help=tr("只同步一轮", "one round only"))
        sync.set_defaults(func=cmd_sync)

    def cmd_sync(args) -> int:
        with opened_window(settings_from(args)) as window:
            # window_app.sync.engine (httpx) is imported here, on first use, never at start
            engine = window_app.sync.engine.SyncEngine(window.db, window.settings)
            ...
        return EXIT_OK
"""

from typing import TYPE_CHECKING

from window_app.cli.app import main
from window_app.cli.errors import EXIT_ENVIRONMENT, EXIT_INVALID, EXIT_OK, InvalidInput
from window_app.cli.parser import add_command
from window_app.lazy import submodules_on_use

# ``context`` (the window, the catalog, the sync machinery behind them) is imported on first use:
# by the command that runs, inside ``main``, where the start defers the garbage collector
# (:mod:`window_app.start_up`), not when the console script imports this package.
if TYPE_CHECKING:
    from window_app.cli import context as context
    from window_app.cli.context import load_window_catalog, opened_window, settings_from

__getattr__ = submodules_on_use(
    __name__,
    "context",
    exported={name: "context" for name in ("load_window_catalog", "opened_window", "settings_from")},
)

__all__ = [
    "EXIT_ENVIRONMENT",
    "EXIT_INVALID",
    "EXIT_OK",
    "InvalidInput",
    "add_command",
    "load_window_catalog",
    "main",
    "opened_window",
    "settings_from",
]
