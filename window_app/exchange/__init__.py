"""The reference department exchange: the HTTP service between windows and departments.

Windows post their outbox envelopes to it; departments list their inbox and post decisions;
windows pull the decisions back as events; windows refresh their catalog from it. The contract
is ``docs/exchange-api.md``; the machine-readable description is ``openapi.json`` here.

- :mod:`~window_app.exchange.store`: its own SQLite file (tokens, envelopes, items, events);
- :mod:`~window_app.exchange.checks`: what a submitted envelope must satisfy;
- :mod:`~window_app.exchange.ledger`: its hash chain over ingest and decisions, signed checkpoints
  (``docs/exchange-audit.md``);
- :mod:`~window_app.exchange.server`: the Starlette app (:func:`~window_app.exchange.server.create_app`);
- :mod:`~window_app.exchange.simulate`: simulated reviewers for demos (``--simulate``);
- :mod:`~window_app.exchange.client`: a small client for the department side;
- :mod:`~window_app.exchange.cli`: ``window-app exchange …``.

Only :mod:`~window_app.exchange.server` needs Starlette (the ``exchange`` extra); everything
else here imports without it, so the CLI can say in words what to install.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

from window_app.lazy import submodules_on_use

# The server needs Starlette and uvicorn (the ``exchange`` extra), the department client httpx:
# both are imported on first attribute access, so the rest of the exchange works without the
# extra and ``window-app <any command>`` (whose parser lists the exchange's commands) loads
# neither. The TYPE_CHECKING imports keep the dependencies visible to import-linter.
if TYPE_CHECKING:
    from window_app.exchange import client as client
    from window_app.exchange import server as server


def server_available() -> bool:
    """Whether Starlette and uvicorn (``pip install 'window-app[exchange]'``) are installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("starlette", "uvicorn"))


__getattr__ = submodules_on_use(__name__, "client", "server")
