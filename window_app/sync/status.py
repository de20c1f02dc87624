"""Where syncing stands, read from the database alone (no HTTP): for the header and the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from offline_cache import courier as courier_store
from offline_cache import notifications as notification_store
from offline_cache import outbox as outbox_store
from offline_cache import sync_state
from offline_cache.db import Database
from window_app.domain.outbox import CANCELLED, HELD, QUARANTINED, QUEUED, SENT
from window_app.domain.sync import SyncStatus
from window_app.domain.words import NO_WORDS
from window_app.sync.endpoints import endpoints_of

if TYPE_CHECKING:
    from window_app.config import Settings


def sync_status(db: Database, settings: Settings | None = None) -> SyncStatus:
    """Online or not, the outbox's counts (queued, held, …) and the latest failure in words.

    Args:
        settings: The window's settings: only the endpoints they name now count (a row left
            by an exchange URL used before says nothing of today's line). ``None``: every row.
    """
    counts = outbox_store.count_by_state(db)
    endpoints = tuple(sync_state.all_endpoint_states(db))
    if settings is not None:
        current = {endpoint.key for endpoint in endpoints_of(settings)}
        endpoints = tuple(endpoint for endpoint in endpoints if endpoint.endpoint in current)
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
        notifications_pending=notification_store.count_pending(db),
        on_courier=courier_store.count_on_courier(db),
    )
