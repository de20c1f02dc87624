"""The sync's 联合踏勘 step: appointments to the exchange, the departments' answers back.

Each round, once the shared exchange answered (after the envelopes, so each department already
holds the envelope its appointment is about):

1. ``POST /v1/surveys`` with every appointment whose latest revision the exchange has not
   taken, each record signed with the window's key (as the tracking records are); marked sent
   only when the exchange answered ``stored`` or ``unchanged`` at that revision. A resend after
   a lost answer is ``unchanged``: nothing doubles.
2. ``GET /v1/surveys?since=<cursor>``: the departments' answers, each stored once; the cursor
   moves after them.

An exchange without ``/v1/surveys`` (404/405: an older one) is left alone: the appointments wait.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from offline_cache import survey as store
from offline_cache import sync_state
from offline_cache.db import Database
from offline_cache.sync_state import write_transaction
from window_app.dispatch import signature_text
from window_app.domain.errors import WindowAppError
from window_app.domain.survey import Appointment, SurveyAnswer, answer_from_json
from window_app.domain.wire import canonical_json
from window_app.domain.words import NO_WORDS, Words
from window_app.surveys.reminders import queue_reminders
from window_app.sync.client import Endpoint, ExchangeClient, TransportFailure
from window_app.trust.keys import SigningKey

BATCH = 100
MAX_PAGES = 20


@dataclass
class SurveysReport:
    """The surveys' part of a round: appointments the exchange took, answers pulled, still to send."""

    sent: int = 0
    answers: int = 0
    pending: int = 0
    error: Words = NO_WORDS


class SurveysClient(ExchangeClient):
    """The exchange client's two survey calls."""

    async def post_surveys(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = json.dumps({"surveys": entries}, ensure_ascii=False).encode("utf-8")
        response = await self._request("POST", "/v1/surveys", content=body, headers={"Content-Type": "application/json"})
        data = self._json(response)
        answers = data.get("surveys") if isinstance(data, dict) else None
        if not isinstance(answers, list) or len(answers) != len(entries) or not all(isinstance(a, dict) for a in answers):
            raise self._garbage(Words("回答中没有与预约一一对应的 surveys", "the answer has no surveys, one per appointment"))
        return answers

    async def fetch_answers(self, since: int) -> dict[str, Any]:
        response = await self._request("GET", "/v1/surveys", params={"since": since, "limit": BATCH})
        data = self._json(response)
        if not isinstance(data, dict) or not isinstance(data.get("answers"), list) or not isinstance(data.get("cursor"), int):
            raise self._garbage(Words("回答中没有 answers/cursor", "the answer has no answers/cursor"))
        return data


class SurveySender:
    """Sends this window's appointments and pulls the answers (see the module)."""

    def __init__(
        self, db: Database, *, window_id: str, clock: Callable[[], dt.datetime], zone: dt.tzinfo, timeout_seconds: float
    ):
        self.db = db
        self.window_id = window_id
        self.clock = clock
        self.zone = zone
        self.timeout_seconds = timeout_seconds

    async def exchange(
        self, http: httpx.AsyncClient, endpoint: Endpoint, *, online: bool, key: Callable[[], SigningKey]
    ) -> SurveysReport:
        """Send and pull if the shared exchange answered this round; never raises for the
        network or the exchange (the report's words say what went wrong). The day-before
        reminders are queued whether or not the exchange answered."""
        report = SurveysReport()
        try:
            queue_reminders(self.db, now=self.clock(), zone=self.zone)
        except WindowAppError as error:  # the database refused: the next round tries again
            report.error = error.words
        if online:
            client = SurveysClient(http, endpoint, self.timeout_seconds)
            try:
                await self._send(client, key, report)
                await self._pull(client, endpoint, report)
            except TransportFailure as failure:
                if failure.status not in (404, 405):  # an exchange without surveys: they wait
                    report.error = Words("踏勘预约未同步：{why}", "Survey appointments not synced: {why}").format(why=failure.words)
            except WindowAppError as error:
                report.error = error.words
        report.pending = store.count_unsent(self.db)
        return report

    async def _send(self, client: SurveysClient, key: Callable[[], SigningKey], report: SurveysReport) -> None:
        appointments = store.unsent(self.db, BATCH)
        if not appointments:
            return
        answers = await client.post_surveys(wire_appointments(appointments, self.window_id, key()))
        report.sent += record_sent(self.db, appointments, answers)

    async def _pull(self, client: SurveysClient, endpoint: Endpoint, report: SurveysReport) -> None:
        name = cursor_key(endpoint.key)
        cursor = int(sync_state.read_value(self.db, name) or 0)
        for _ in range(MAX_PAGES):
            answer = await client.fetch_answers(cursor)
            with write_transaction(self.db):
                report.answers += record_answers(self.db, name, cursor, answer, self.clock().isoformat())
            cursor = max(cursor, answer["cursor"])
            if not answer.get("more"):
                return


# The pieces a round and the USB courier (window_app/courier/) share: one way to sign, mark and
# take in, whichever way the appointments and answers travel.


def cursor_key(endpoint_key: str) -> str:
    """Where the answers' cursor for ``endpoint_key`` is kept."""
    return f"surveys_cursor.{endpoint_key}"


def wire_appointments(appointments: list[Appointment], window_id: str, signing: SigningKey) -> list[dict[str, Any]]:
    """The appointments as ``POST /v1/surveys`` carries them: each record signed with the window key."""
    wire = []
    for appointment in appointments:
        text = canonical_json(appointment.record(window_id)).decode("utf-8")
        wire.append({"record": text, "signature": json.loads(signature_text(signing, text.encode("utf-8")))})
    return wire


def record_sent(db: Database, appointments: list[Appointment], answers: list[dict[str, Any]]) -> int:
    """Mark the appointments the exchange took (``stored`` or ``unchanged``); how many."""
    sent = 0
    with write_transaction(db):
        for appointment, answer in zip(appointments, answers):
            if isinstance(answer, dict) and answer.get("status") in ("stored", "unchanged"):
                store.mark_sent(db, appointment.receipt_no, appointment.revision)
                sent += 1
    return sent


def record_answers(db: Database, name: str, cursor: int, page: dict[str, Any], now: str) -> int:
    """Store one page of the departments' answers (each once) and move the cursor ``name`` past
    it, inside the caller's transaction; how many answers were new."""
    new = 0
    for entry in page.get("answers") or []:
        parsed = answer_from_json(entry)
        receipt_no = entry.get("receipt_no") if isinstance(entry, dict) else None
        if isinstance(parsed, SurveyAnswer) and isinstance(receipt_no, str) and parsed.department:
            new += store.record_answer(db, receipt_no, parsed, now)
    moved = page.get("cursor")
    if isinstance(moved, int) and not isinstance(moved, bool) and moved > cursor:
        sync_state.write_value(db, name, str(moved))
    return new
