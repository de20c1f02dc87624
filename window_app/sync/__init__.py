"""The sync engine: the outbox to the departments through the exchange, decisions back.

Modules (imported on use; none of them imports Textual, only :mod:`.client` and
:mod:`.engine` need httpx):

- :mod:`.engine`: :class:`~.engine.SyncEngine` (``run_once`` / ``run_forever``) and
  :class:`~.engine.SyncReport`;
- :mod:`.client`: the window's side of the exchange API (``docs/exchange-api.md``);
- :mod:`.backoff`: exponential backoff with jitter, ``Retry-After``;
- :mod:`.stages`: releasing later stages once their prerequisites are approved;
- :mod:`.decisions`: answers and events → part and application states, the conclusion;
- :mod:`.supplements`: :func:`~.supplements.supplement` (补正);
- :mod:`.notify_queue`: the applicant's notifications queued with a 补正 request or a conclusion;
- :mod:`.notifying`: sending them each round, after the envelopes (:mod:`window_app.notify`);
- :mod:`.status`: :func:`~.status.sync_status` for the header and the CLI (no HTTP);
- :mod:`.lock`: one syncing process per database (``<data dir>/sync.lock``, ``SyncBusy``);
- :mod:`.catalog_refresh`: ``GET /v1/catalog`` → ``<data dir>/catalogs/<version>-<digest8>/``;
- the command ``window-app sync [--once] [--json] [--retry-now]`` is :mod:`window_app.cli.sync_command`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

# Start-up cost matters (the clerk waits for the pick screen): these modules are imported on
# first attribute access (the engine loads httpx). The TYPE_CHECKING import keeps the
# dependency visible to import-linter.
if TYPE_CHECKING:
    from window_app.sync import engine as engine
    from window_app.sync import supplements as supplements

__getattr__ = submodules_on_use(__name__, "engine", "supplements")
