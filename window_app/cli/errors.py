"""Exit codes, the errors a command raises, and the words for environment failures.

A command returns :data:`EXIT_OK` or raises; :func:`window_app.cli.app.main` turns what it
raises into words on stderr and one of these exit codes, never a traceback:
:class:`InvalidInput` → 1; a config, catalog, storage or file-system failure → 2; no clerk signed
in, a refused sign-in or a role that does not allow the command → 3.
"""

from __future__ import annotations

from window_app.domain.errors import WindowAppError
from window_app.domain.words import tr

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ENVIRONMENT = 2
EXIT_DENIED = 3
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """The command line itself is wrong (unknown option, missing argument).

    Internal to parsing: :func:`window_app.cli.app.main` prints argparse's usage text with it.
    """


class InvalidInput(WindowAppError):
    """Input the clerk can fix: words as a heading and one detail line per problem, exit code 1."""


def file_system_message(exc: OSError) -> str:
    """Words for a file the command could not read or write."""
    where = f"{exc.filename}: " if exc.filename else ""
    return tr("无法访问 {w}{r}", "Cannot access {w}{r}", w=where, r=exc.strerror or exc)
