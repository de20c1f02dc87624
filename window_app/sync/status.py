"""Where syncing stands, read from the database alone (no HTTP): for the header and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from offline_cache import outbox as outbox_store
from offline_cache import sync_state
from offline_cache.sync_state import EndpointState

if TYPE_CHECKING:
    from offline_cache.db import Database


@dataclass(frozen=True)
class SyncStatus:
    """Attributes:
    online: ``True`` every endpoint answered its last round, ``False`` one did not,
        ``None`` never synced.
    waiting: Envelopes not yet delivered (queued + held for a prerequisite).
    queued / held_for_prerequisite / quarantined / sent / cancelled: Envelopes per state.
    last_ok_at: When an endpoint last answered (ISO), if ever.
    error / error_en: The latest failure in words, empty if all is well.
    endpoints: Per endpoint, as stored.
    """

    online: bool | None
    waiting: int
    queued: int
    held_for_prerequisite: int
    quarantined: int
    sent: int
    cancelled: int
    last_ok_at: str | None
    error: str = ""
    error_en: str = ""
    endpoints: tuple[EndpointState, ...] = field(default=())


def sync_status(db: Database) -> SyncStatus:
    counts = outbox_store.count_by_state(db)
    endpoints = tuple(sync_state.all_endpoint_states(db))
    tried = [endpoint for endpoint in endpoints if endpoint.online is not None]
    online = None if not tried else all(endpoint.online and not endpoint.held_token for endpoint in tried)
    failing = [endpoint for endpoint in endpoints if endpoint.last_error]
    error = error_en = ""
    if failing:
        latest = max(failing, key=lambda endpoint: endpoint.last_attempt_at or "")
        error, _, error_en = latest.last_error.partition(" / ")
        error_en = error_en or error
    ok_times = [endpoint.last_ok_at for endpoint in endpoints if endpoint.last_ok_at]
    queued = counts.get("queued", 0)
    held = counts.get("waiting", 0)
    return SyncStatus(
        online=online,
        waiting=queued + held,
        queued=queued,
        held_for_prerequisite=held,
        quarantined=counts.get("quarantined", 0),
        sent=counts.get("sent", 0),
        cancelled=counts.get("cancelled", 0),
        last_ok_at=max(ok_times) if ok_times else None,
        error=error,
        error_en=error_en,
        endpoints=endpoints,
    )
