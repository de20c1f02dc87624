"""The intake's rules: the merged checklist, the unified form, the guide, dispatch stages,
validation, reading application files.

Start-up cost matters (the clerk waits for the pick screen): :mod:`.validate` (every rule of
every step) is imported on first attribute access, once a step is checked. The TYPE_CHECKING
import keeps the dependency visible to import-linter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from window_app.intake import validate as validate

_LAZY_MODULES = frozenset({"validate"})


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
