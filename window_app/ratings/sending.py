"""The sync's 好差评 step: ratings and cases to the exchange, the tracking page's ratings back.

Each round, once the shared exchange answered (after the envelopes and the audit head):

1. ``POST /v1/ratings`` with the ratings still ``queued`` and the cases changed since last sent,
   in batches; each is marked sent only after the exchange answered ``created`` / ``duplicate``
   (a rating) or ``stored`` / ``unchanged`` (a case at that revision). A process killed between
   the answer and the mark sends the same again: the exchange answers duplicate. So a rating is
   never lost (it waits in the window's database) and never counted twice. A rating the
   exchange rejects (another rating of the occasion held) is kept, marked ``rejected``.
2. ``GET /v1/ratings?since=<cursor>``: ratings given from the tracking page on this window's
   applications; each is recorded (a 差评 opens its case here, sent back at the next round) and
   the cursor moves after it. A rating pulled twice is recorded once.

An exchange without ``/v1/ratings`` (404/405: an older one) is left alone: the ratings wait.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from offline_cache import ratings as store
from offline_cache import sync_state
from offline_cache.db import Database
from offline_cache.outbox import utc_stamp
from window_app.domain.errors import WindowAppError
from window_app.domain.ratings import TRACKING, Rating, case_to_json, rating_from_json, rating_to_json
from window_app.domain.words import NO_WORDS, Words
from window_app.ratings.recording import RatingRefused, record
from window_app.sync.client import Endpoint, ExchangeClient, TransportFailure

BATCH = 200
MAX_PAGES = 50


@dataclass
class RatingsReport:
    """The ratings' part of a round.

    Attributes:
        sent: Ratings and case revisions the exchange took this round.
        pulled: Ratings from the tracking page recorded this round.
        rejected: Ratings the exchange refused (kept, marked).
        pending: Ratings and cases still to send after the round.
        error: What went wrong, in words.
    """

    sent: int = 0
    pulled: int = 0
    rejected: int = 0
    pending: int = 0
    error: Words = NO_WORDS


class RatingsClient(ExchangeClient):
    """The exchange client's two ratings calls."""

    async def post_ratings(self, ratings: list[dict[str, Any]], cases: list[dict[str, Any]]) -> dict[str, Any]:
        body = json.dumps({"ratings": ratings, "cases": cases}, ensure_ascii=False).encode("utf-8")
        response = await self._request("POST", "/v1/ratings", content=body, headers={"Content-Type": "application/json"})
        data = self._json(response)
        if not isinstance(data, dict) or not isinstance(data.get("ratings"), list) or not isinstance(data.get("cases"), list):
            raise self._garbage(Words("回答中没有 ratings/cases", "the answer has no ratings/cases"))
        return data

    async def fetch_ratings(self, since: int) -> dict[str, Any]:
        response = await self._request("GET", "/v1/ratings", params={"since": since, "limit": BATCH})
        data = self._json(response)
        if not isinstance(data, dict) or not isinstance(data.get("ratings"), list) or not isinstance(data.get("cursor"), int):
            raise self._garbage(Words("回答中没有 ratings/cursor", "the answer has no ratings/cursor"))
        return data


def cursor_key(endpoint_key: str) -> str:
    """The ``sync_state`` value holding the tracking page's ratings cursor of an endpoint."""
    return f"ratings_cursor.{endpoint_key}"


class RatingSender:
    """Sends this window's ratings and cases, pulls the tracking page's (see the module)."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime], zone: dt.tzinfo, timeout_seconds: float):
        self.db = db
        self.clock = clock
        self.zone = zone
        self.timeout_seconds = timeout_seconds

    async def exchange(self, http: httpx.AsyncClient, endpoint: Endpoint, *, online: bool) -> RatingsReport:
        """Send and pull if the shared exchange answered this round; never raises for the
        network or the exchange (the report's words say what went wrong)."""
        report = RatingsReport()
        if online:
            client = RatingsClient(http, endpoint, self.timeout_seconds)
            try:
                await self._send(client, report)
                await self._pull(client, endpoint, report)
            except TransportFailure as failure:
                if failure.status not in (404, 405):  # an exchange without ratings: they wait
                    report.error = Words("评价未同步：{why}", "Ratings not synced: {why}").format(why=failure.words)
            except WindowAppError as error:
                report.error = error.words
        report.pending = store.count_unsent(self.db)
        return report

    async def _send(self, client: RatingsClient, report: RatingsReport) -> None:
        for _ in range(MAX_PAGES):
            ratings, cases = store.unsent(self.db, BATCH)
            if not ratings and not cases:
                return
            answer = await client.post_ratings([rating_to_json(r) for r in ratings], [case_to_json(c) for c in cases])
            if not self.record_answer(ratings, cases, answer, report):
                return  # nothing moved (cases waiting for their rating): the next round again

    def record_answer(self, ratings: list[Rating], cases: list[Any], answer: dict[str, Any], report: RatingsReport) -> int:
        """Mark what the exchange's answer to ``POST /v1/ratings`` took or refused (also the USB
        courier's answer file, :mod:`window_app.courier.apply`); how many moved."""
        taken = [a.get("rating_id") for a in answer["ratings"] if isinstance(a, dict) and a.get("status") in ("created", "duplicate")]
        refused = [a.get("rating_id") for a in answer["ratings"] if isinstance(a, dict) and a.get("status") == "rejected"]
        sent_cases = [
            (a.get("case_id"), a.get("revision"))
            for a in answer["cases"]
            if isinstance(a, dict) and a.get("status") in ("stored", "unchanged") and isinstance(a.get("revision"), int)
        ]
        known = {r.rating_id for r in ratings}
        known_cases = {c.case_id for c in cases}
        at = utc_stamp(self.clock())
        store.mark_sent(self.db, [i for i in taken if i in known], [(i, n) for i, n in sent_cases if i in known_cases], at)
        store.mark_rejected(self.db, [i for i in refused if i in known], at)
        report.sent += len(taken) + len(sent_cases)
        report.rejected += len(refused)
        return len(taken) + len(refused) + len(sent_cases)

    async def _pull(self, client: RatingsClient, endpoint: Endpoint, report: RatingsReport) -> None:
        key = cursor_key(endpoint.key)
        cursor = int(sync_state.read_value(self.db, key) or 0)
        for _ in range(MAX_PAGES):
            answer = await client.fetch_ratings(cursor)
            cursor = self.record_pulled(key, cursor, answer, report)
            if not answer.get("more"):
                return

    def record_pulled(self, key: str, cursor: int, answer: dict[str, Any], report: RatingsReport) -> int:
        """Record one page of the tracking page's ratings (``GET /v1/ratings``, or the USB
        courier's answer file) and move the cursor ``key``; the new cursor."""
        for entry in answer["ratings"]:
            rating = rating_from_json(entry)
            if isinstance(rating, Rating) and rating.channel == TRACKING and self._recorded(rating):
                report.pulled += 1
        if answer["cursor"] > cursor:
            cursor = answer["cursor"]
            sync_state.write_value(self.db, key, str(cursor))
        return cursor

    def _recorded(self, rating: Rating) -> bool:
        """Record a pulled rating of one of this window's applications (``False``: not ours, or
        recorded before)."""
        facts = store.application_facts(self.db, rating.receipt_no)
        if facts is None:
            return False
        window_id, clerk_id, offering_id, departments = facts  # as this window knows them
        rating = dataclasses.replace(rating, window_id=window_id, clerk_id=clerk_id, offering_id=offering_id, departments=departments)
        try:
            return record(self.db, rating, now=self.clock(), zone=self.zone)
        except RatingRefused:
            return False
