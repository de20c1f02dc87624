"""Submodules imported on first use: the one way a package of this project loads late.

Start-up cost matters (the clerk waits for the pick screen). A package whose submodule must not
load at start names it once, as Textual's ``widgets/__init__.py`` does::

    if TYPE_CHECKING:  # visible to import-linter and type checkers
        from window_app.sync import engine as engine

    __getattr__ = submodules_on_use(__name__, "engine")

A package that re-exports a name of such a submodule names it too (``names``: name → submodule),
so ``from package import name`` still works and imports the submodule then.

It imports nothing but the standard library, so any layer may use it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def submodules_on_use(package: str, *names: str, exported: Mapping[str, str] | None = None) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``package.<name>`` when first asked.

    Args:
        exported: Names the package re-exports → the submodule (of ``names``) they come from.
    """
    lazy = frozenset(names)
    exported = dict(exported or {})

    def __getattr__(name: str) -> Any:
        if name in lazy:
            return importlib.import_module(f"{package}.{name}")
        if name in exported:
            return getattr(importlib.import_module(f"{package}.{exported[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
