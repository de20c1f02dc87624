"""What comes back: delivery answers and department events → part states, application state, and
the lead department's one conclusion (一张结论).

Every function here runs inside the caller's transaction (the engine opens one per event,
together with the new cursor, and one per answered batch), so an event is applied completely
or not at all, and applying it twice changes nothing: the (endpoint, seq) row in
``exchange_events`` is inserted first and a repeat stops there.

Part state, from its items' latest decisions:

- held (stored ``waiting``) / ``cancelled`` stay as :mod:`window_app.sync.stages` set them;
- ``supplement_needed`` while an item's supplement request is not answered by a delivered
  supplement envelope;
- ``approved`` when every item is approved, ``rejected`` when every item is decided and at
  least one was refused;
- ``received`` once the department registered it (or decided anything), ``sent`` once the
  exchange confirmed delivery, else ``queued``.

Application state: ``concluded`` (every part decided or cancelled and at least one item
approved) or ``rejected`` (every part decided or cancelled, nothing approved) — both with the
conclusion recorded; else ``supplement_needed`` if any part asks for one; else ``in_progress``
once any department has received or answered its part; else ``accepted``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from offline_cache import handovers as handover_store
from offline_cache import outbox as outbox_store
from offline_cache import progress, sync_state
from offline_cache.audit import append_event
from offline_cache.progress import PartRow
from window_app.domain.handling import HandoverList
from window_app.domain.outbox import CANCELLED, HELD, QUARANTINED, QUEUED, OutgoingEnvelope
from window_app.domain.progress import ItemDecision
from window_app.domain.wire import ACKNOWLEDGED, DECISIONS, EnvelopeResult
from window_app.domain.words import Words
from window_app.sync import notify_queue
from window_app.sync.stages import SYNC_ACTOR, release_ready

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.dispatch import WindowSigner

FINISHED_PART_STATES = ("approved", "rejected", "cancelled", "handed_over")
STARTED_PART_STATES = ("received", "approved", "rejected", "supplement_needed", "cancelled", "handed_over")

OUTCOME_WORDS = {
    "approved": "准予办理",
    "rejected": "不予办理",
    "cancelled": "未办理（前置事项未获准予）",
    "handed_over": "材料已移交部门并签收，由部门办理",
}


@dataclass
class Effect:
    """What applying something changed (summed up into the round's report)."""

    applied: int = 0
    decisions: int = 0
    """Of those applied, the departments' decisions (approved, refused, 补正): what the clerk
    counts as news, unlike a department merely opening its inbox."""
    released: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    concluded: list[str] = field(default_factory=list)
    unverified: list[Words] = field(default_factory=list)
    """Decisions refused because their department's signature did not hold."""

    def add(self, other: Effect) -> None:
        self.applied += other.applied
        self.decisions += other.decisions
        self.released += other.released
        self.cancelled += other.cancelled
        self.concluded += other.concluded
        self.unverified += other.unverified


# -- the conclusion ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConclusionLine:
    """One item's outcome in the conclusion."""

    item: str
    item_name: str
    department_name: str
    outcome: str  # approved | rejected | cancelled
    result: str = ""
    reason: str = ""


def compose_conclusion(
    *, lead_name: str, offering_name: str, receipt_no: str, applicant_name: str, lines: list[ConclusionLine], concluded_at: str
) -> str:
    """The one conclusion the lead department gives for the whole application, as text.

    It speaks in the lead department's name, lists every item with its department, its outcome
    and the result number (or the reason for a refusal), and counts them up.
    """
    approved = sum(1 for line in lines if line.outcome == "approved")
    refused = sum(1 for line in lines if line.outcome == "rejected")
    cancelled = sum(1 for line in lines if line.outcome == "cancelled")
    out = [
        f"{lead_name}（牵头部门）办理结论",
        f"受理编号：{receipt_no}",
        f"事项：{offering_name}",
        f"申请人：{applicant_name}",
        "",
    ]
    for number, line in enumerate(lines, start=1):
        text = f"{number}. {line.item_name}（{line.department_name}）：{OUTCOME_WORDS.get(line.outcome, line.outcome)}"
        if line.outcome == "approved" and line.result:
            text += f"；结果：{line.result}"
        if line.outcome == "rejected" and line.reason:
            text += f"；理由：{line.reason}"
        out.append(text)
    out.append("")
    tally = f"共 {len(lines)} 项：准予办理 {approved} 项"
    if refused:
        tally += f"，不予办理 {refused} 项"
    if cancelled:
        tally += f"，未办理 {cancelled} 项"
    handed = sum(1 for line in lines if line.outcome == "handed_over")
    if handed:
        tally += f"，移交部门办理 {handed} 项"
    if approved + handed == len(lines):
        verdict = "全部准予办理，本件办结。" if not handed else "窗口环节全部完成，本件办结。"
    elif approved:
        verdict = "部分准予办理，本件办结。"
    else:
        verdict = "均未获准予，本件办结。"
    out.append(f"结论：{tally}。{verdict}")
    out.append(f"办结时间：{concluded_at}")
    return "\n".join(out)


# -- state aggregation ---------------------------------------------------------------------------


def derive_part_state(
    part: PartRow, decisions: dict[str, ItemDecision], handover: HandoverList | None = None
) -> tuple[str, str | None, str]:
    """A part's state from its items' decisions (a class-3 part's from its handover list's
    acknowledgement): ``(state, decided_at, reason)``."""
    if part.state in (HELD, CANCELLED):
        return part.state, part.decided_at, part.reason
    if handover is not None:
        if handover.acknowledged_at:
            return "handed_over", handover.acknowledged_at, ""
        if part.sent_at or part.received_at:
            return "awaiting_acknowledgement", None, ""
        return part.state, None, part.reason
    mine = [decisions.get(item) for item in part.items]
    pending = [d for d in mine if d is not None and d.pending_supplement]
    if pending:
        reason = "；".join(
            (f"补正材料 {d.material}" if d.material else "补正") + (f"：{d.reason}" if d.reason else "") for d in pending
        )
        return "supplement_needed", max(d.decided_at for d in pending), reason
    if mine and all(d is not None and d.final for d in mine):
        decided_at = max(d.decided_at for d in mine if d is not None)
        refused = [d for d in mine if d is not None and d.decision == "rejected"]
        if refused:
            return "rejected", decided_at, "；".join(f"{d.item}：{d.reason}" if d.reason else d.item for d in refused)
        return "approved", decided_at, ""
    if any(d is not None for d in mine) or part.received_at:
        return "received", None, ""
    if part.sent_at:
        return "sent", None, ""
    return part.state, None, part.reason


def derive_application_state(parts: list[PartRow], decisions: dict[str, ItemDecision]) -> str:
    """The application's state from its parts (see the module docstring)."""
    if parts and all(part.state in FINISHED_PART_STATES for part in parts):
        handed_over = any(part.state == "handed_over" for part in parts)
        return "concluded" if handed_over or any(d.decision == "approved" for d in decisions.values()) else "rejected"
    if any(part.state == "supplement_needed" for part in parts):
        return "supplement_needed"
    if any(part.state in STARTED_PART_STATES for part in parts) or decisions:
        return "in_progress"
    return "accepted"


def conclusion_lines(db: Database, receipt_no: str, parts: list[PartRow], decisions: dict[str, ItemDecision]) -> tuple[list[ConclusionLine], dict[str, str]]:
    """Each item's outcome, in stage order, named as its envelope named it; and department names."""
    item_names: dict[str, str] = {}
    department_names: dict[str, str] = {}
    for entry in outbox_store.list_envelopes(db, receipt_no):
        document = json.loads(entry.envelope.payload)
        department = document.get("department") or {}
        if isinstance(department, dict) and department.get("id"):
            department_names[department["id"]] = department.get("name") or department["id"]
        for item in document.get("items", []):
            if isinstance(item, dict) and item.get("id"):
                item_names.setdefault(item["id"], item.get("name") or item["id"])
    lines = []
    for part in parts:
        for item in part.items:
            decision = decisions.get(item)
            if part.state == "handed_over":
                outcome, result, reason = "handed_over", "", ""
            elif part.state == "cancelled" or decision is None:
                outcome, result, reason = "cancelled", "", ""
            else:
                outcome, result, reason = decision.decision, decision.result, decision.reason
            lines.append(
                ConclusionLine(
                    item=item,
                    item_name=item_names.get(item, item),
                    department_name=department_names.get(part.department, part.department),
                    outcome=outcome,
                    result=result,
                    reason=reason,
                )
            )
    return lines, department_names


def refresh_application(db: Database, receipt_no: str, *, now: str, signer: WindowSigner) -> Effect:
    """Release what can go, recompute every part's and the application's state, conclude.

    Runs inside the caller's transaction; calling it again without news changes nothing.
    """
    effect = Effect()
    release = release_ready(db, receipt_no, now=now, signer=signer)
    effect.released += release.released
    effect.cancelled += release.cancelled
    decisions = progress.decisions_of(db, receipt_no)
    handovers = {(h.department, h.stage): h for h in handover_store.handovers_of(db, receipt_no)}
    for part in progress.parts_of(db, receipt_no):
        state, decided_at, reason = derive_part_state(part, decisions, handovers.get((part.department, part.stage)))
        if (state, decided_at, reason) != (part.state, part.decided_at, part.reason):
            progress.update_part(
                db, receipt_no, part.department, part.stage, now=now, state=state, decided_at=decided_at, reason=reason
            )
    parts = progress.parts_of(db, receipt_no)
    application = progress.application_row(db, receipt_no)
    if application is None:
        return effect
    state = derive_application_state(parts, decisions)
    if state in ("concluded", "rejected"):
        lines, department_names = conclusion_lines(db, receipt_no, parts, decisions)
        decided = [d.decided_at for d in decisions.values() if d.decided_at]
        decided += [h.acknowledged_at for h in handovers.values() if h.acknowledged_at]
        concluded_at = application.concluded_at if application.state == state and application.concluded_at else (
            max(decided) if decided else now
        )
        lead = application.lead_department
        conclusion = compose_conclusion(
            lead_name=department_names.get(lead, lead),
            offering_name=application.offering_name,
            receipt_no=receipt_no,
            applicant_name=application.applicant_name,
            lines=lines,
            concluded_at=concluded_at,
        )
        if conclusion != application.conclusion or state != application.state:
            progress.set_application_state(db, receipt_no, state, now, concluded_at=concluded_at, conclusion=conclusion)
            append_event(
                db,
                SYNC_ACTOR,
                "concluded",
                receipt_no,
                {
                    "state": state,
                    "lead_department": lead,
                    "concluded_at": concluded_at,
                    "items": {line.item: {"outcome": line.outcome, "result": line.result} for line in lines},
                },
                now,
            )
            effect.concluded.append(receipt_no)
            notify_queue.concluded(
                db, signer, receipt_no, state=state, lead=lead, lead_name=department_names.get(lead, lead),
                offering=Words(application.offering_name, application.offering_name_en), now=now,
            )
    elif state != application.state:
        progress.set_application_state(db, receipt_no, state, now)
        append_event(db, SYNC_ACTOR, "state_changed", receipt_no, {"from": application.state, "to": state}, now)
    return effect


# -- delivery answers ----------------------------------------------------------------------------


def record_delivered(db: Database, row: OutgoingEnvelope, *, now: str, received_at: str, signer: WindowSigner) -> bool:
    """The exchange has this envelope (``created``/``duplicate``, or an event about it).

    Marks it ``sent`` and its part ``sent`` (with the time), audits the delivery and the
    shareable materials handed to data sharing (``verified_online``); a supplement envelope
    answers its part's open supplement request. Returns ``False`` if it was delivered before.
    """
    if not outbox_store.record_delivered(db, row.envelope_id, now, received_at):
        return False
    document = json.loads(row.payload)
    receipt_no = row.receipt_no
    if row.kind == "supplement":
        part = progress.part_by_envelope(db, row.original_envelope_id)
        material = str((document.get("material") or {}).get("id") or "")
        answered = progress.mark_supplied(db, receipt_no, part.items, material, now) if part else []
        append_event(
            db,
            SYNC_ACTOR,
            "supplement_delivered",
            receipt_no,
            {
                "envelope_id": row.envelope_id,
                "original_envelope_id": row.original_envelope_id,
                "department": row.department,
                "material": material,
                "answers_items": answered,
                "received_at": received_at,
            },
            now,
        )
        refresh_application(db, receipt_no, now=now, signer=signer)
        return True
    part = progress.part_by_envelope(db, row.envelope_id)
    if part is not None:
        progress.update_part(
            db, receipt_no, part.department, part.stage, now=now, state="sent", sent_at=now, only_from=("queued",)
        )
        if handover_store.handover_of_envelope(db, row.envelope_id) is not None:
            # A class-3 handover delivered: tracked until its department acknowledges the paper.
            progress.update_part(
                db, receipt_no, part.department, part.stage, now=now, state="awaiting_acknowledgement", only_from=("sent",)
            )
    append_event(
        db,
        SYNC_ACTOR,
        "delivered",
        receipt_no,
        {
            "envelope_id": row.envelope_id,
            "department": row.department,
            "stage": row.stage,
            "payload_sha256": row.payload_sha256,
            "attempts": row.attempts,
            "received_at": received_at,
        },
        now,
    )
    # The part's materials are sealed to its department: their states are read from the
    # application as accepted, for the material ids the part lists in the clear.
    # The sync engine may run locked: the marks are read from a column of their own, not from
    # the (sealed) intake.
    marked = progress.verify_online_materials(db, receipt_no)
    shared = sorted(material_id for material_id in document.get("material_ids") or () if material_id in marked)
    if shared:
        # The window cannot query the data-sharing platform itself: the materials go to the
        # department with the envelope, marked for verification there (the exchange's data
        # sharing is out of scope). The trail records when they left the window.
        append_event(
            db,
            SYNC_ACTOR,
            "verified_online",
            receipt_no,
            {"envelope_id": row.envelope_id, "department": row.department, "materials": shared, "how": "exchange"},
            now,
        )
    return True


def record_rejected(db: Database, row: OutgoingEnvelope, *, reason: str, now: str) -> bool:
    """The exchange refused this envelope for good: quarantine it with the reason, in words."""
    words = Words("交换平台退回此件：{reason}", "The exchange returned this part: {reason}").format(reason=reason)
    return record_quarantine(db, row, words, now=now)


def record_quarantine(db: Database, row: OutgoingEnvelope, words: Words, *, now: str) -> bool:
    """Quarantine this envelope with ``words`` (why), and say so in the audit chain."""
    if not outbox_store.record_quarantined(db, row.envelope_id, words):
        return False
    append_event(
        db,
        SYNC_ACTOR,
        "quarantined",
        row.receipt_no,
        {
            "envelope_id": row.envelope_id,
            "department": row.department,
            "stage": row.stage,
            "reason": words.in_language("en"),
        },
        now,
    )
    return True


def record_results(
    db: Database, rows: list[OutgoingEnvelope], results: list[EnvelopeResult], *, now: str, signer: WindowSigner
) -> tuple[int, int, int]:
    """Apply one batch's answers in one transaction: ``(created, duplicate, quarantined)``."""
    created = duplicate = quarantined = 0
    with sync_state.write_transaction(db):
        for row, result in zip(rows, results):
            if result.status in ("created", "duplicate"):
                record_delivered(db, row, now=now, received_at=result.received_at, signer=signer)
                if result.status == "created":
                    created += 1
                else:
                    duplicate += 1
            elif record_rejected(db, row, reason=result.reason.in_language("en") or "rejected", now=now):
                quarantined += 1
    return created, duplicate, quarantined


# -- events ----------------------------------------------------------------------------------


def apply_event(db: Database, endpoint: str, event: dict[str, Any], *, now: str, signer: WindowSigner) -> Effect:
    """Apply one event (inside the caller's transaction, with the cursor); a repeat is a no-op."""
    effect = Effect()
    envelope_id = str(event.get("envelope_id") or "")
    row = outbox_store.get_row(db, envelope_id) if envelope_id else None
    if row is None and event.get("idempotency_key"):
        row = outbox_store.get_row_by_key(db, str(event["idempotency_key"]))
    receipt_no = row.receipt_no if row else None
    if not sync_state.insert_event(db, endpoint, event, receipt_no, now):
        return effect  # applied before
    effect.applied = 1
    if row is None:
        return effect  # not one of ours (kept in exchange_events, nothing else to do)
    # An event about an envelope proves the exchange has it, whatever answer got lost.
    if outbox_store.state_of(db, row.envelope_id) in (QUEUED, QUARANTINED):
        record_delivered(db, row, now=now, received_at="", signer=signer)
    part = progress.part_by_envelope(db, row.original_envelope_id if row.kind == "supplement" else row.envelope_id)
    if part is None:
        return effect
    kind = str(event.get("kind") or "")
    at = str(event.get("at") or now)
    department = str(event.get("department") or row.department)
    if kind == "received":
        progress.update_part(db, receipt_no, part.department, part.stage, now=now, received_at=at)
        append_event(
            db,
            SYNC_ACTOR,
            "department_received",
            receipt_no,
            {"envelope_id": row.envelope_id, "kind": row.kind, "department": department, "at": at},
            now,
        )
    elif kind == ACKNOWLEDGED:
        if not _apply_acknowledgement(db, row, part, event, department=department, at=at, now=now, signer=signer, effect=effect):
            return effect
    elif kind in DECISIONS:
        item = str(event.get("item") or "")
        problem = signer.decision_problem(department, event)
        if problem:
            # Not applied: a decision nobody can prove its department made changes nothing.
            words = Words("部门“{d}”的决定未通过签名核验，未予采用：{p}", "A decision said to be from {d} failed verification and was not applied: {p}").format(
                d=department, p=problem
            )
            append_event(
                db, SYNC_ACTOR, "decision_quarantined", receipt_no,
                {"seq": event.get("seq"), "envelope_id": row.envelope_id, "item": item, "kind": kind, "reason": words.to_json()},
                now,
            )
            effect.unverified.append(words)
            return effect
        if item not in part.items:
            append_event(
                db, SYNC_ACTOR, "event_ignored", receipt_no,
                {"seq": event.get("seq"), "reason": f"item {item!r} is not in envelope {row.envelope_id}"}, now,
            )
            return effect
        decision = ItemDecision(
            receipt_no=receipt_no,
            item=item,
            department=part.department,
            stage=part.stage,
            decision=kind,
            result=str(event.get("result") or ""),
            reason=str(event.get("reason") or ""),
            material=str(event.get("material") or ""),
            decided_by=str(event.get("decided_by") or ""),
            decided_at=at,
            endpoint=endpoint,
            event_seq=int(event["seq"]),
        )
        progress.put_decision(db, decision)
        effect.decisions = 1
        if kind == "supplement_needed":
            notify_queue.supplement_requested(
                db, signer, receipt_no, department=part.department, item=item, material=decision.material,
                decided_at=at, until=str(event.get("until") or ""), now=now,
            )
        progress.update_part(db, receipt_no, part.department, part.stage, now=now, received_at=at)
        action = {"approved": "item_approved", "rejected": "item_rejected", "supplement_needed": "supplement_requested"}[kind]
        append_event(
            db,
            SYNC_ACTOR,
            action,
            receipt_no,
            {
                "envelope_id": row.envelope_id,
                "department": part.department,
                "item": item,
                "result": decision.result,
                "reason": decision.reason,
                "material": decision.material,
                "decided_by": decision.decided_by,
                "at": at,
            },
            now,
        )
    else:
        return effect  # a kind this window does not know yet: kept, not acted on
    effect.add(refresh_application(db, receipt_no, now=now, signer=signer))
    return effect


def _apply_acknowledgement(
    db: Database,
    row: OutgoingEnvelope,
    part: PartRow,
    event: dict[str, Any],
    *,
    department: str,
    at: str,
    now: str,
    signer: WindowSigner,
    effect: Effect,
) -> bool:
    """A department acknowledged a handover's paper materials: verified, then the handover list
    records who received them and when. Returns whether the application should be refreshed."""
    receipt_no = row.receipt_no
    problem = signer.decision_problem(department, event)
    if problem:
        words = Words(
            "部门“{d}”的材料签收未通过签名核验，未予采用：{p}",
            "An acknowledgement said to be from {d} failed verification and was not applied: {p}",
        ).format(d=department, p=problem)
        append_event(
            db, SYNC_ACTOR, "decision_quarantined", receipt_no,
            {"seq": event.get("seq"), "envelope_id": row.envelope_id, "item": None, "kind": ACKNOWLEDGED, "reason": words.to_json()},
            now,
        )
        effect.unverified.append(words)
        return False
    received_by = str(event.get("decided_by") or "")
    if handover_store.handover_of_envelope(db, row.envelope_id) is None:
        append_event(
            db, SYNC_ACTOR, "event_ignored", receipt_no,
            {"seq": event.get("seq"), "reason": f"envelope {row.envelope_id} is not a handover"}, now,
        )
        return False
    handover_store.acknowledge(db, row.envelope_id, at=at, by=received_by)
    progress.update_part(db, receipt_no, part.department, part.stage, now=now, received_at=at)
    append_event(
        db,
        SYNC_ACTOR,
        "handover_acknowledged",
        receipt_no,
        {"envelope_id": row.envelope_id, "department": part.department, "received_by": received_by, "at": at},
        now,
    )
    return True
