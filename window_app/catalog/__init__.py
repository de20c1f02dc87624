"""The catalog: loading and checking its TOML files, searching it, caching what a start needs.

The model itself (plain records) is :mod:`window_app.domain.catalog`.

Start-up cost matters (the clerk waits for the pick screen): a start reads the validated catalog
back from its snapshot, so :mod:`.loader` (the parser and all its checks, ~60 ms of imports) is
imported only when the files must be parsed, and :mod:`.authority` (signatures, keys: the
``cryptography`` package) only when a downloaded catalog is checked. That laziness lives here,
in one place: both are imported on first attribute access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

if TYPE_CHECKING:
    from window_app.catalog import authority as authority
    from window_app.catalog import loader as loader

__getattr__ = submodules_on_use(__name__, "authority", "loader")
