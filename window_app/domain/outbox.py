"""The outbox's records: envelopes written at acceptance and where their delivery stands.

The words, one meaning each (the header, ``window-app sync --status`` and docs/sync.md use them
alike):

- **queued** (待发送): ready to send; it goes out as soon as the line allows.
- **held** (待前置结果): a later stage held back until its prerequisites' results arrive; it
  waits for a department, not for the line. Stored as ``waiting`` (:data:`HELD`), the value
  every window's database already holds.
- **in flight**: claimed by a running sync round and not answered yet. Storage keeps such a row
  ``queued`` (a crash mid-request retries it with the same bytes and key), so counts read from
  the database count it as queued; no state and no count of its own.
- **unsent**: queued + held: accepted here, not yet delivered.
- **sent** (已送达), **quarantined** (已隔离: refused for good, kept with the reason, never
  retried blindly), **cancelled** (a prerequisite was refused: never sent).
"""

from __future__ import annotations

from dataclasses import dataclass

from window_app.domain.wire import Envelope, WireEnvelope
from window_app.domain.words import Words

QUEUED = "queued"
HELD = "waiting"
SENT = "sent"
QUARANTINED = "quarantined"
CANCELLED = "cancelled"
UNSENT_STATES = (QUEUED, HELD)
OUTBOX_STATES = (QUEUED, HELD, SENT, QUARANTINED, CANCELLED)


@dataclass(frozen=True)
class OutboxEntry:
    """An envelope and where its delivery stands.

    Attributes:
        last_error: Why its last attempt failed, why it was quarantined or cancelled; empty
            when there is nothing to say.
    """

    envelope: Envelope
    state: str
    attempts: int
    next_attempt_at: str | None
    last_error: Words
    created_at: str
    sent_at: str | None


@dataclass(frozen=True)
class OutgoingEnvelope(WireEnvelope):
    """An outbox row as the sync engine sends it: the wire envelope, plus the window's own
    bookkeeping (never sent: :meth:`~window_app.domain.wire.WireEnvelope.to_json` leaves it out).

    Attributes:
        attempts: Attempts so far, this one included once claimed.
        original_envelope_id: A supplement's original envelope; empty for an application's.
        server_errors: Server errors (5xx) the exchange answered for it in a row.
    """

    attempts: int
    original_envelope_id: str = ""
    server_errors: int = 0
