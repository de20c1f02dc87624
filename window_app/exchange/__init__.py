"""The reference department exchange: the HTTP service between windows and departments.

Windows post their outbox envelopes to it; departments list their inbox and post decisions;
windows pull the decisions back as events; windows refresh their catalog from it. The contract
is ``docs/exchange-api.md``; the machine-readable description is ``openapi.json`` here.

- :mod:`~window_app.exchange.store`: its own SQLite file (tokens, envelopes, items, events);
- :mod:`~window_app.exchange.checks`: what a submitted envelope must satisfy;
- :mod:`~window_app.exchange.server`: the Starlette app (:func:`create_app`);
- :mod:`~window_app.exchange.simulate`: simulated reviewers for demos (``--simulate``);
- :mod:`~window_app.exchange.client`: a small client for the department side;
- :mod:`~window_app.exchange.cli`: ``window-app exchange …``.

Only :mod:`~window_app.exchange.server` needs Starlette (the ``exchange`` extra); everything
else here imports without it, so the CLI can say in words what to install.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "server_available"]


def server_available() -> bool:
    """Whether Starlette and uvicorn (``pip install 'window-app[exchange]'``) are installed."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def create_app(*args: Any, **kwargs: Any) -> Any:
    """:func:`window_app.exchange.server.create_app`, imported on first use (needs Starlette)."""
    from window_app.exchange.server import create_app as factory

    return factory(*args, **kwargs)
