"""The ``--simulate`` mode: a stand-in for every department's reviewer, for demos and tests.

A background task looks at the store every fraction of its delay. An envelope that has waited
``delay`` seconds is received and each of its undecided items decided: approved with a
plausible result (``营业执照 91522325MA…`` for the business licence, a numbered document named
after the item's catalog ``result`` otherwise), or, with the given probabilities, rejected or
sent back for a supplement. A joint site survey (联合踏勘) appointment is answered at once by
each department asked (it accepts, or with ``survey_counter_rate`` proposes the next working
day); an item needing the site visit is decided only once its application's appointment is
confirmed (the survey result is the department's decision): for a survey bundle it waits for
the appointment, for any other application only while it has one not yet confirmed. A supplement envelope, once it has waited the delay, approves the
items of its original that were waiting for it. Outcomes are drawn from a generator seeded with
the envelope and item, so a demo replays the same way.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from window_app.domain.calendar import add_working_days
from window_app.domain.identifiers import USCC_ALPHABET, uscc_check_char
from window_app.domain.survey import Slot, slot_from_json, utc_stamp
from window_app.domain.wire import ACKNOWLEDGED, DecisionRequest
from window_app.exchange import surveys
from window_app.exchange.department_keys import DepartmentKeys
from window_app.exchange.errors import ExchangeError

if TYPE_CHECKING:
    from window_app.exchange.store import ExchangeStore

DEFAULT_DELAY_SECONDS = 3.0
DEFAULT_REGION = "522325"
SIMULATED_REVIEWER = "模拟审批员 (simulated reviewer)"
DEFAULT_SURVEY_COUNTER_RATE = 0.1

log = logging.getLogger("window_app.exchange.simulate")


@dataclass(frozen=True)
class Simulation:
    """How the simulated reviewers behave.

    Attributes:
        delay: Seconds an envelope waits before it is received and decided.
        reject_rate: Probability that an item is rejected.
        supplement_rate: Probability that an item needs a supplement (asked once per item).
        decided_by: The name recorded on every simulated decision.
        survey_counter_rate: Probability that a department proposes the next working day
            instead of accepting a survey slot (drawn per application, department and revision).
        survey_bundles: The catalog's survey bundles (set by the server from its catalog): their
            survey items wait for a confirmed appointment even before one arrives.
    """

    delay: float = DEFAULT_DELAY_SECONDS
    reject_rate: float = 0.0
    supplement_rate: float = 0.0
    decided_by: str = SIMULATED_REVIEWER
    survey_counter_rate: float = DEFAULT_SURVEY_COUNTER_RATE
    survey_bundles: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.delay < 0:
            raise ValueError("the simulation delay cannot be negative")
        for name in ("reject_rate", "supplement_rate", "survey_counter_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.reject_rate + self.supplement_rate > 1.0:
            raise ValueError("reject_rate + supplement_rate cannot exceed 1")

    @property
    def poll_seconds(self) -> float:
        """How often the store is looked at: a quarter of the delay, between 0.05 s and 1 s."""
        return min(1.0, max(0.05, self.delay / 4))

    def start(self, store: ExchangeStore) -> asyncio.Task:
        """Run :meth:`run` as a task of the current event loop."""
        return asyncio.get_running_loop().create_task(self.run(store), name="exchange-simulation")

    async def run(self, store: ExchangeStore) -> None:
        """Decide due envelopes forever (until cancelled); a failing step is logged, not fatal."""
        while not store.closed:
            try:
                await asyncio.to_thread(self.step, store)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the demo reviewer must outlive one bad envelope
                log.exception("simulation step failed")
            await asyncio.sleep(self.poll_seconds)

    def step(self, store: ExchangeStore) -> int:
        """Receive and decide every envelope that has waited the delay; returns decisions made."""
        cutoff = store.clock().timestamp() - self.delay
        made = self._answer_surveys(store)
        for envelope in store.waiting_since(cutoff):
            if store.closed:  # the server is shutting down
                break
            try:
                made += self._handle(store, envelope)
            except ExchangeError as exc:  # a real reviewer decided meanwhile
                log.info("simulation skipped %s: %s", envelope["envelope_id"], exc.words.in_language("en"))
        return made

    def _handle(self, store: ExchangeStore, envelope: dict[str, Any]) -> int:
        store.receive(envelope["envelope_id"])
        if envelope["kind"] == "supplement":
            original = store.envelope(envelope["original_envelope_id"])
            if original is None:
                return 0
            waiting = [item for item in original["items"] if (item["decision"] or {}).get("decision") == "supplement_needed"]
            for item in waiting:
                self._decide(store, original, item, "approved")
            return len(waiting)
        if envelope["kind"] == "handover":  # paper materials: the simulated clerk signs for them
            keys = DepartmentKeys.demo(envelope["department"])
            request = keys.signed(DecisionRequest(envelope["envelope_id"], "", ACKNOWLEDGED, decided_by=self.decided_by))
            _, created = store.decide(
                envelope["department"], envelope["envelope_id"], "", ACKNOWLEDGED, decided_by=self.decided_by,
                signature=request.signature,
            )
            return int(created)
        # Items filed by the window (一类 concluded there) need no decision; a survey item waits
        # for its appointment to be confirmed.
        held = self._survey_items_held(store, envelope)
        undecided = [item for item in envelope["items"] if item["decision"] is None and not item.get("filed") and item["id"] not in held]
        for item in undecided:
            self._decide(store, envelope, item, self._outcome(envelope, item))
        return len(undecided)

    def _answer_surveys(self, store: ExchangeStore) -> int:
        """Answer every survey appointment waiting for a simulated department; answers made."""
        made = 0
        for receipt_no, department, envelope_id, revision, slot_json in surveys.unanswered(store):
            draw = random.Random(f"{receipt_no}/{department}/{revision}").random()
            body: dict[str, Any] = {"envelope_id": envelope_id, "revision": revision, "answer": "accept", "note": ""}
            slot = slot_from_json(slot_json)
            if draw < self.survey_counter_rate and isinstance(slot, Slot):
                moment = slot.moment()
                later = dt.datetime.combine(add_working_days(moment.date(), 1), moment.time(), tzinfo=dt.UTC)
                body.update(answer="propose", note="当天另有安排（模拟）",
                            slot=Slot(utc_stamp(later), slot.place, self.decided_by, "").to_json())
            try:
                made += int(surveys.answer(store, department, body)[1])
            except ExchangeError as exc:  # the window confirmed meanwhile
                log.info("simulation skipped the survey of %s: %s", receipt_no, exc.words.in_language("en"))
        return made

    def _survey_items_held(self, store: ExchangeStore, envelope: dict[str, Any]) -> set[str]:
        """The envelope's survey items while its application's appointment is not confirmed (a
        survey bundle's wait for one; another application's only while it has one)."""
        confirmed = surveys.confirmed_receipts(store, [envelope["receipt_no"]]).get(envelope["receipt_no"])
        offering = envelope["payload"].get("offering") if isinstance(envelope["payload"], dict) else None
        survey_bundle = isinstance(offering, dict) and offering.get("id") in self.survey_bundles
        if confirmed or (confirmed is None and not survey_bundle):
            return set()
        keys = DepartmentKeys.demo(envelope["department"])
        opened = keys.open(envelope)
        payload = opened if isinstance(opened, dict) else envelope["payload"]
        items = payload.get("items") if isinstance(payload.get("items"), list) else []
        return {item["id"] for item in items if isinstance(item, dict) and item.get("site_survey")}

    def _outcome(self, envelope: dict[str, Any], item: dict[str, Any]) -> str:
        draw = random.Random(f"{envelope['envelope_id']}/{item['id']}").random()
        if draw < self.reject_rate:
            return "rejected"
        if draw < self.reject_rate + self.supplement_rate:
            return "supplement_needed"
        return "approved"

    def _decide(self, store: ExchangeStore, envelope: dict[str, Any], item: dict[str, Any], outcome: str) -> None:
        # The simulated reviewer is the demo department: it opens with its demo key and signs.
        keys = DepartmentKeys.demo(envelope["department"])
        opened = keys.open(envelope)
        payload = opened if isinstance(opened, dict) else envelope["payload"]
        words: dict[str, str] = {}
        if outcome == "approved":
            words["result"] = plausible_result(item, payload, envelope["envelope_id"], store.clock().year)
        elif outcome == "rejected":
            # A department writes its reasons in its own (one) language; the window shows them
            # as written, so a "中文 / English" pair would be shown whole in either interface.
            words["reason"] = "经审查不符合办理条件，不予许可（模拟）"
        else:
            material_id, name = supplement_material(payload)
            words["material"] = material_id
            words["reason"] = f"请补正：{name}（模拟）"
        request = keys.signed(
            DecisionRequest(envelope["envelope_id"], item["id"], outcome, decided_by=self.decided_by, **words)
        )
        store.decide(
            envelope["department"], envelope["envelope_id"], item["id"], outcome, decided_by=self.decided_by,
            signature=request.signature, **words,
        )


def plausible_result(item: dict[str, Any], payload: dict[str, Any], envelope_id: str, year: int) -> str:
    """A result a department might issue for ``item``: its catalog ``result`` and a number.

    The business licence (营业执照) carries a unified social credit code of the window's region
    with a correct GB 32100 check character; anything else a document number.
    """
    name = item.get("result") or "准予办理"
    digest = hashlib.sha256(f"{envelope_id}/{item['id']}".encode()).digest()
    window = payload.get("window") if isinstance(payload.get("window"), dict) else {}
    region = str(window.get("region") or DEFAULT_REGION)
    if not (len(region) == 6 and region.isdigit()):
        region = DEFAULT_REGION
    if "营业执照" in name:
        body = "MA" + "".join(USCC_ALPHABET[byte % len(USCC_ALPHABET)] for byte in digest[:7])
        first17 = f"91{region}{body}"
        return f"{name} {first17}{uscc_check_char(first17)}"
    number = int.from_bytes(digest[:4], "big") % 1_000_000
    return f"{name} {region}-{year}-{number:06d}"


def supplement_material(payload: dict[str, Any]) -> tuple[str, str]:
    """The material a simulated reviewer asks for: one accepted as deficient or still pending,
    else the first collected one."""
    materials = payload.get("materials") if isinstance(payload.get("materials"), dict) else {}
    ranked = sorted(
        materials.items(),
        key=lambda pair: (0 if isinstance(pair[1], dict) and pair[1].get("state") in ("deficient", "pending") else 1),
    )
    for material_id, entry in ranked:
        name = entry.get("name") if isinstance(entry, dict) else None
        return material_id, name or material_id
    return "", "申请材料"
