"""The window's storage: SQLite through sqlite-utils, the only package that runs SQL.

One module per table group (drafts, applications, outbox, progress, audit, sync state, catalog
cache), each returning :mod:`window_app.domain` records; :mod:`.db` opens and migrates the
database; :mod:`.schema` holds the migrations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

# Start-up cost matters (the clerk waits for the pick screen): these modules are imported on
# first attribute access (the applications screens and accepting need the first three; the
# drafts, with the sealed fields' cipher, and the actions only once a clerk is signed in; the
# export only for ``window-app export``). The TYPE_CHECKING import keeps the dependency
# visible to import-linter.
if TYPE_CHECKING:
    from offline_cache import actions as actions
    from offline_cache import applications as applications
    from offline_cache import drafts as drafts
    from offline_cache import export as export
    from offline_cache import handovers as handovers
    from offline_cache import progress as progress
    from offline_cache import ratings as ratings
    from offline_cache import survey as survey

__getattr__ = submodules_on_use(__name__, "actions", "applications", "drafts", "export", "handovers", "progress", "ratings", "survey")
