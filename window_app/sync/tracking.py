"""The sync's step that delivers tracking records to the exchange's public tracking page.

Each queued record (queued with its acceptance: :mod:`offline_cache.tracking_outbox`) gets
the scrypt digest of its tracking code here, in a worker thread started when the round begins
(tens of milliseconds each: neither the clerk's accept nor the event loop pays it, and the
round's network waits hide it); after the envelopes, if the shared exchange answered this
round, it is signed with the window's key and posted (``POST /v1/tracking``). It is marked delivered only when the exchange answered ``stored``; a
record sent again (a process killed between the answer and the mark) is stored again in the
same row: nothing doubles. A refused record (its key not registered yet …) is tried again
later, with its reason kept; a failed request leaves every record queued for the next round.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from offline_cache import tracking_outbox
from offline_cache.db import Database
from offline_cache.sync_state import write_transaction
from offline_cache.tracking_outbox import PendingRecord
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


class TrackingSender:
    """Delivers tracking records, one engine's worth: the digests it made are kept until their
    record is delivered (an exchange offline this round costs no second scrypt next round)."""

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}

    def start(self, db: Database, now: dt.datetime, *, retry_now: bool = False) -> asyncio.Task[list[PendingRecord]]:
        """Read the due records and start making their digests in a worker thread: called when
        the round begins, so the scrypt runs while the round waits on the network."""
        pending = tracking_outbox.due(db, now.isoformat(), BATCH, ignore_schedule=retry_now)
        missing = [(entry.receipt_no, entry.code) for entry in pending if entry.receipt_no not in self._digests]

        async def digests() -> list[PendingRecord]:
            if missing:
                made = await asyncio.to_thread(lambda: {receipt: tracking_digest(receipt, code) for receipt, code in missing})
                self._digests.update(made)
            return pending

        return asyncio.create_task(digests())

    async def send(
        self, db: Database, client: ExchangeClient, key: SigningKey, now: dt.datetime, pending: list[PendingRecord]
    ) -> TrackingReport:
        """Sign and post the records :meth:`start` prepared; mark what the exchange stored.

        Raises:
            TransportFailure: The request failed as a whole (every record stays queued).
        """
        report = TrackingReport()
        pending = [entry for entry in pending if entry.receipt_no in self._digests]
        wire = self.wire(key, pending)
        if wire:
            answers = await client.post_tracking(wire)
            report.delivered = self.record_answers(db, pending, answers, now)
        report.pending = tracking_outbox.counts(db).get(tracking_outbox.QUEUED, 0)
        return report


    def wire(self, key: SigningKey, pending: list[PendingRecord]) -> list[dict[str, object]]:
        """The records as ``POST /v1/tracking`` carries them (signed by the window): those whose
        digest is made (the USB courier sends the same, :mod:`window_app.courier.export`)."""
        wire = []
        for entry in pending:
            text = canonical_json({**entry.record, "tracking_digest": self._digests[entry.receipt_no]}).decode("utf-8")
            wire.append({"record": text, "signature": json.loads(signature_text(key, text.encode("utf-8")))})
        return wire

    def make_digests(self, pending: list[PendingRecord]) -> None:
        """Make the missing digests now, one thread per core (the courier's export: hundreds at
        once; scrypt lets go of the interpreter lock)."""
        missing = [entry for entry in pending if entry.receipt_no not in self._digests]
        with ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
            made = pool.map(lambda entry: tracking_digest(entry.receipt_no, entry.code), missing)
            self._digests.update(zip((entry.receipt_no for entry in missing), made))

    def record_answers(self, db: Database, pending: list[PendingRecord], answers: list[dict[str, object]], now: dt.datetime) -> int:
        """Mark what the exchange stored (one transaction); a refused record is tried again
        later with its reason. Returns how many were stored."""
        at = now.isoformat()
        delivered = 0
        with write_transaction(db):
            for entry, answer in zip(pending, answers):
                if answer.get("status") == "stored":
                    tracking_outbox.mark(db, entry.receipt_no, tracking_outbox.DELIVERED, at)
                    self._digests.pop(entry.receipt_no, None)
                    delivered += 1
                else:
                    reason = str(answer.get("reason") or answer.get("status") or "")
                    retry_at = (now + RETRY_REFUSED).isoformat()
                    tracking_outbox.mark(db, entry.receipt_no, tracking_outbox.QUEUED, at, error=reason, retry_at=retry_at)
        return delivered


__all__ = ["TrackingReport", "TrackingSender", "TransportFailure"]
