"""Exit codes, the errors a command raises, and the words for environment failures.

A command returns :data:`EXIT_OK` or raises; :func:`window_app.cli.app.main` turns what it
raises into words on stderr and one of these exit codes, never a traceback:
:class:`InvalidInput` → 1; a config, catalog, storage or file-system failure → 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from window_app.domain.words import tr

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ENVIRONMENT = 2
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """The command line itself is wrong (unknown option, missing argument)."""


class InvalidInput(Exception):
    """Input the clerk can fix: a heading and one line per problem, exit code 1."""

    def __init__(self, message: str, details: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.details = list(details)


def environment_message(exc: BaseException) -> str | None:
    """Words for a catalog, storage or file-system failure; ``None`` for anything else.

    The exception classes are looked up in ``sys.modules`` so that this never imports the
    modules that define them: if a module is not loaded, its exception cannot have been raised.
    """
    loader = sys.modules.get("window_app.catalog.loader")
    if loader is not None and isinstance(exc, loader.CatalogError):
        lines = [tr("目录有误（{n} 个问题），无法使用：", "The catalog has {n} problem(s) and cannot be used:", n=len(exc.problems))]
        return "\n".join(lines + [f"  {problem}" for problem in exc.problems])
    db = sys.modules.get("offline_cache.db")
    if db is not None and isinstance(exc, db.StorageError):
        return tr("数据库错误：{m}", "Storage error: {m}", m=tr(exc.message, exc.message_en or exc.message))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return tr("无法访问 {w}{r}", "Cannot access {w}{r}", w=where, r=exc.strerror or exc)
    return None
