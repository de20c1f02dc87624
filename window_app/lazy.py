"""Submodules imported on first use: the one way a package of this project loads late.

Start-up cost matters (the clerk waits for the pick screen). A package whose submodule must not
load at start names it once, as Textual's ``widgets/__init__.py`` does::

    if TYPE_CHECKING:  # visible to import-linter and type checkers
        from window_app.sync import engine as engine

    __getattr__ = submodules_on_use(__name__, "engine")

It imports nothing but the standard library, so any layer may use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType


def submodules_on_use(package: str, *names: str) -> Callable[[str], ModuleType]:
    """A module ``__getattr__`` for ``package`` that imports ``package.<name>`` when first asked."""
    lazy = frozenset(names)

    def __getattr__(name: str) -> ModuleType:
        if name in lazy:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
