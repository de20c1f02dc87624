"""Where syncing stands: per endpoint as stored, and the window's sum of it (header and CLI).

Counts use the outbox's words (:mod:`window_app.domain.outbox`): ``queued``, ``held``,
``unsent`` = queued + held.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from window_app.domain.words import NO_WORDS, Words


@dataclass(frozen=True)
class EndpointState:
    """What the sync engine remembers of one endpoint between rounds.

    Attributes:
        endpoint: The endpoint's URL.
        cursor: The last event seq applied.
        online: Whether the last round reached it (``None``: never tried).
        failures: Consecutive failed rounds.
        retry_at: Not before this ISO time (after failures), or ``None``.
        last_delay: The last backoff wait, seconds (decorrelated jitter grows from it).
        last_ok_at / last_attempt_at: ISO times.
        last_error: The latest failure in words, empty after a good round.
        held_token: Fingerprint of a token the endpoint refused (401/403); empty if none.
    """

    endpoint: str
    cursor: int = 0
    online: bool | None = None
    failures: int = 0
    retry_at: str | None = None
    last_delay: float | None = None
    last_ok_at: str | None = None
    last_attempt_at: str | None = None
    last_error: Words = NO_WORDS
    held_token: str = ""


@dataclass(frozen=True)
class SyncStatus:
    """Where syncing stands, read from the database alone (no network).

    Attributes:
        online: ``True`` every endpoint answered its last round, ``False`` one did not,
            ``None`` never synced.
        unsent: Envelopes not yet delivered (queued + held).
        queued: Ready to send (待发送; the header's count).
        held: Later stages held for their prerequisites' results (待前置结果).
        quarantined / sent / cancelled: Envelopes per state.
        last_ok_at: When an endpoint last answered (ISO), if ever.
        error: The latest failure in words, empty if all is well.
        endpoints: Per endpoint, as stored.
        notifications_pending: The applicant's notifications queued and not yet sent
            (短信通知待发; :mod:`offline_cache.notifications`).
        on_courier: Queued envelopes carried on a USB courier file, not delivered yet
            (在途U盘; docs/courier.md).
    """

    online: bool | None
    unsent: int
    queued: int
    held: int
    quarantined: int
    sent: int
    cancelled: int
    last_ok_at: str | None
    error: Words = NO_WORDS
    endpoints: tuple[EndpointState, ...] = field(default=())
    notifications_pending: int = 0
    on_courier: int = 0
