"""The sync's step that delivers tracking records to the exchange's public tracking page.

After the envelopes, to the shared exchange only when it answered this round. Each queued
record (queued with its acceptance: :mod:`offline_cache.tracking_outbox`) gets the scrypt
digest of its tracking code here, in a worker thread (tens of milliseconds each, so neither
the clerk's accept nor the event loop pays it), is signed with the window's key and posted
(``POST /v1/tracking``). It is marked delivered only when the exchange answered ``stored``; a
record sent again (a process killed between the answer and the mark) is stored again in the
same row: nothing doubles. A refused record (its key not registered yet …) is tried again
later, with its reason kept; a failed request leaves every record queued for the next round.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from dataclasses import dataclass

from offline_cache import tracking_outbox
from offline_cache.db import Database
from offline_cache.sync_state import write_transaction
from window_app.dispatch import signature_text
from window_app.domain.tracking_code import tracking_digest
from window_app.domain.wire import canonical_json
from window_app.sync.client import ExchangeClient, TransportFailure
from window_app.trust.keys import SigningKey

BATCH = 50
RETRY_REFUSED = dt.timedelta(minutes=10)


@dataclass
class TrackingReport:
    """The tracking records' part of a round: delivered now, still queued after it."""

    delivered: int = 0
    pending: int = 0


async def deliver_tracking(
    db: Database, client: ExchangeClient, key: SigningKey, now: dt.datetime, *, retry_now: bool = False
) -> TrackingReport:
    """Send the due tracking records (at most :data:`BATCH` a round).

    Raises:
        TransportFailure: The request failed as a whole (every record stays queued).
    """
    at = now.isoformat()
    pending = tracking_outbox.due(db, at, BATCH, ignore_schedule=retry_now)
    report = TrackingReport()
    wire = []
    for entry in pending:
        digest = await asyncio.to_thread(tracking_digest, entry.receipt_no, entry.code)
        text = canonical_json({**entry.record, "tracking_digest": digest}).decode("utf-8")
        wire.append({"record": text, "signature": json.loads(signature_text(key, text.encode("utf-8")))})
    if wire:
        answers = await client.post_tracking(wire)
        with write_transaction(db):
            for entry, answer in zip(pending, answers):
                if answer.get("status") == "stored":
                    tracking_outbox.mark(db, entry.receipt_no, tracking_outbox.DELIVERED, at)
                    report.delivered += 1
                else:
                    reason = str(answer.get("reason") or answer.get("status") or "")
                    tracking_outbox.mark(
                        db, entry.receipt_no, tracking_outbox.QUEUED, at, error=reason, retry_at=(now + RETRY_REFUSED).isoformat()
                    )
    report.pending = tracking_outbox.counts(db).get(tracking_outbox.QUEUED, 0)
    return report


__all__ = ["TrackingReport", "TransportFailure", "deliver_tracking"]
