"""The sub-commands, by module: each module listed here adds its own (see :mod:`window_app.cli`).

A module is imported when the parser is built (never for the plain TUI start), and only then.
A module that does not exist (yet, or not in this installation) is skipped; any other failure
to import one is a bug and is raised, not hidden.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType
from typing import Any

COMMAND_MODULES: tuple[str, ...] = (
    "window_app.cli.catalog_commands",  # catalog validate | list | coverage
    "window_app.cli.guide_command",  # guide
    "window_app.cli.accept_command",  # accept
    "window_app.cli.applications_command",  # applications, receipt, export applications
    "window_app.cli.overdue_command",  # overdue (the statutory clocks' warnings)
    "window_app.cli.handover_command",  # handover list | show
    "window_app.cli.survey_command",  # survey [RECEIPT [propose | confirm]] (联合踏勘)
    "window_app.cli.ratings_command",  # ratings (好差评 summary, rectification cases)
    "window_app.cli.report_command",  # report
    "window_app.cli.notice_command",  # notice KIND …
    "window_app.cli.config_command",  # config init | path
    "window_app.cli.keys_command",  # keys init | show
    "window_app.cli.backup_command",  # backup, restore
    "window_app.cli.clerk_command",  # clerk add | list | disable | reset-pin | set-roles | unlock | rekey
    "window_app.exchange.cli",  # exchange … (the reference department exchange)
    "window_app.cli.sync_command",  # sync … (the headless sync worker)
    "window_app.cli.courier_command",  # courier export | import (the USB courier)
    "window_app.cli.audit_command",  # audit verify
    "window_app.cli.serve_command",  # serve (the window in a browser: the web extra)
)
"""Dotted names of the command modules, in the order their commands are listed in ``--help``."""


def register_commands(commands: Any) -> None:
    """Let each existing module of :data:`COMMAND_MODULES` add its sub-commands to ``commands``."""
    for name in COMMAND_MODULES:
        module = import_if_present(name)
        if module is not None:
            module.register(commands)


def import_if_present(name: str) -> ModuleType | None:
    """The module ``name``, or ``None`` when it (or the package it would be in) does not exist.

    Raises:
        ImportError: The module exists but importing it failed, e.g. it imports a missing
            dependency at module level. Command modules must import without optional extras.
    """
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError as exc:  # a parent package is missing, or failed to import
        if exc.name and (name == exc.name or name.startswith(f"{exc.name}.")):
            return None
        raise
    if spec is None:
        return None
    return importlib.import_module(name)
