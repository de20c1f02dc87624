"""The window's screens (Textual): the app, the six steps, the lists and boxes over them.

The clerk waits for the pick screen, so starting the app imports only what it needs. What
comes later is imported on first use through this module's ``__getattr__``, the one lazy
place of the package (as Textual's ``widgets/__init__.py`` does): ``screens.ApplicationsScreen``
imports :mod:`screens.applications` when F3 is first pressed (the receipt once accepted, the help
at F1, the command palette's commands at Ctrl+P), :func:`screens.flow.screen_class`
each step's screen when it is first shown, and the sync worker (:mod:`screens.sync_link`) its
machinery a moment after the first screen is drawn.
"""

from __future__ import annotations

import importlib
from typing import Any

LAZY: dict[str, str] = {
    "SignInScreen": "screens.sign_in",
    "FirstRunScreen": "screens.first_run",
    "PickScreen": "screens.pick",
    "ApplicantScreen": "screens.applicant",
    "SituationScreen": "screens.situation",
    "ChecklistScreen": "screens.checklist",
    "FormScreen": "screens.form",
    "ReviewScreen": "screens.review",
    "ApplicationsScreen": "screens.applications",
    "ReportScreen": "screens.report",
    "ReceiptScreen": "screens.receipt",
    "RatingScreen": "screens.rating",
    "RectificationScreen": "screens.rectification",
    "CourierScreen": "screens.courier",
    "HelpScreen": "screens.help",
    "WindowCommands": "screens.commands",
    "BackgroundSync": "window_app.sync.background",
}
"""Name → the module it is imported from on first use."""


def __getattr__(name: str) -> Any:
    try:
        module = LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
