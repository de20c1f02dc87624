"""The intake's rules: the merged checklist, the unified form, the guide, dispatch stages,
validation, reading application files.

Start-up cost matters (the clerk waits for the pick screen): :mod:`.validate` (every rule of
every step) is imported on first attribute access, once a step is checked; :mod:`.guide` and
:mod:`.form` once an offering is previewed or taken (after the first screen is drawn). The
TYPE_CHECKING import keeps the dependency visible to import-linter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

if TYPE_CHECKING:
    from window_app.intake import form as form
    from window_app.intake import guide as guide
    from window_app.intake import validate as validate

__getattr__ = submodules_on_use(__name__, "form", "guide", "validate")
