"""Where syncing stands, read from the database alone (no HTTP): for the header and the CLI."""

from __future__ import annotations

from offline_cache import outbox as outbox_store
from offline_cache import sync_state
from offline_cache.db import Database
from window_app.domain.outbox import CANCELLED, HELD, QUARANTINED, QUEUED, SENT
from window_app.domain.sync import SyncStatus
from window_app.domain.words import NO_WORDS


def sync_status(db: Database) -> SyncStatus:
    """Online or not, the outbox's counts (queued, held, …) and the latest failure in words."""
    counts = outbox_store.count_by_state(db)
    endpoints = tuple(sync_state.all_endpoint_states(db))
    tried = [endpoint for endpoint in endpoints if endpoint.online is not None]
    online = None if not tried else all(endpoint.online and not endpoint.held_token for endpoint in tried)
    failing = [endpoint for endpoint in endpoints if endpoint.last_error]
    error = NO_WORDS
    if failing:
        error = max(failing, key=lambda endpoint: endpoint.last_attempt_at or "").last_error
    ok_times = [endpoint.last_ok_at for endpoint in endpoints if endpoint.last_ok_at]
    queued = counts.get(QUEUED, 0)
    held = counts.get(HELD, 0)
    return SyncStatus(
        online=online,
        unsent=queued + held,
        queued=queued,
        held=held,
        quarantined=counts.get(QUARANTINED, 0),
        sent=counts.get(SENT, 0),
        cancelled=counts.get(CANCELLED, 0),
        last_ok_at=max(ok_times) if ok_times else None,
        error=error,
        endpoints=endpoints,
    )
