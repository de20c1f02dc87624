"""Application records (办件): drafts, department parts, the audit chain's events, and their states.

Plain data: storage (``offline_cache``) reads and writes them, the window's services compute
with them, screens show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from window_app.domain.intake import Intake
from window_app.domain.wire import Envelope
from window_app.domain.words import NO_WORDS, Words

ApplicationState = Literal["accepted", "in_progress", "supplement_needed", "concluded", "rejected"]
"""- ``accepted``: written at the window, parts not yet answered;
- ``in_progress``: at least one department has received or answered its part;
- ``supplement_needed``: a department asked for a missing or corrected material (补正);
- ``concluded``: the lead department gave the one conclusion (一张结论);
- ``rejected``: refused as a whole."""

ACCEPT_WORDS = Words("本次受理", "This acceptance")

APPLICATION_STATES: tuple[str, ...] = ("accepted", "in_progress", "supplement_needed", "concluded", "rejected")

PartState = Literal[
    "queued", "waiting", "sent", "received", "approved", "rejected", "supplement_needed", "cancelled",
    "awaiting_acknowledgement", "handed_over",
]
"""- ``queued``: stage 1 (or prerequisites met): its envelope is ready to send;
- ``waiting``: a later stage, waiting for its prerequisites' results;
- ``sent``: the exchange confirmed receipt of the envelope;
- ``received``: the department registered it;
- ``approved`` / ``rejected``: the department's opinion;
- ``supplement_needed``: the department asked for a supplement;
- ``cancelled``: a prerequisite was refused, so this part is never sent (window_app/sync/stages.py);
- ``awaiting_acknowledgement``: a class-3 handover (三类登记办) delivered, its department has not
  yet confirmed receipt of the paper materials;
- ``handed_over``: the department acknowledged the handover: the window's part is done."""

PART_STATES: tuple[str, ...] = (
    "queued", "waiting", "sent", "received", "approved", "rejected", "supplement_needed", "cancelled",
    "awaiting_acknowledgement", "handed_over",
)



@dataclass(frozen=True)
class DraftSummary:
    """A line of the drafts list.

    Attributes:
        offering_name: The offering's Chinese name when the draft was saved (the English one
            comes from the catalog).
    """

    id: str
    offering_id: str
    offering_name: str
    applicant_name: str
    step: str
    updated_at: str


@dataclass(frozen=True)
class DepartmentPart:
    """One department's share of one stage of an application.

    Attributes:
        state: The part's state (``PART_STATES``), as the sync engine keeps it.
        sent_at / received_at / decided_at: When the exchange confirmed delivery, when the
            department registered it, when its latest decision came (ISO), if yet.
        reason: A refusal's or a supplement request's reason, in the department's words (the
            same text in both languages), or why the window cancelled the part.
        envelope_state: Where the part's envelope stands in the outbox (``queued``, ``sent``,
            ``quarantined`` …); empty when not read.
        envelope_error: The envelope's last failure or quarantine reason; empty if none.
        attempts: How many times the envelope was sent.
        supplement: The latest supplement envelope for this part: ``queued``, ``sent``,
            ``quarantined`` …, or empty when none was recorded.
    """

    department: str
    stage: int
    items: tuple[str, ...]
    state: str
    updated_at: str
    envelope_id: str = ""
    sent_at: str | None = None
    received_at: str | None = None
    decided_at: str | None = None
    reason: Words = NO_WORDS
    envelope_state: str = ""
    envelope_error: Words = NO_WORDS
    attempts: int = 0
    supplement: str = ""

    @property
    def shown_state(self) -> str:
        """The state to show a person: the part's, or what the outbox adds to it.

        ``quarantined`` (the exchange refused its envelope for good: it waits for a fix),
        ``supplement_queued`` (the clerk recorded the requested material, not yet sent),
        ``supplement_sent`` (the department has the supplement and has not decided anew).
        """
        if self.state in ("queued", "waiting") and self.envelope_state == "quarantined":
            return "quarantined"
        if self.state == "supplement_needed" and self.supplement == "quarantined":
            return "quarantined"
        if self.state == "supplement_needed" and self.supplement == "queued":
            return "supplement_queued"
        if self.state == "received" and self.supplement == "sent":
            return "supplement_sent"
        return self.state


@dataclass(frozen=True)
class ApplicationSummary:
    """A line of the applications list.

    Attributes:
        offering_name: The offering's name as accepted (kept, so a later catalog cannot rename
            what was accepted).
    """

    receipt_no: str
    offering_id: str
    offering_name: Words
    offering_kind: str
    applicant_name: str
    applicant_number: str
    state: str
    accepted_at: str
    parts: tuple[DepartmentPart, ...] = ()


@dataclass(frozen=True)
class AuditEvent:
    """One link of the tamper-evident audit chain."""

    seq: int
    at: str
    actor: str
    action: str
    receipt_no: str | None
    data: dict[str, Any]
    prev_hash: str = ""
    hash: str = ""


@dataclass(frozen=True)
class ApplicationDetail:
    """Everything stored about one application.

    Attributes:
        intake: The intake as accepted (prefilled fields filled in, shared materials marked
            ``verify_online``).
        guide: :meth:`Guide.to_json` at acceptance: items, checklist, form and stages as they were.
        centre: The service centre's name at acceptance (printed on the receipt).
        promised_days / promised_by: The promise made at acceptance: working days, and the
            ISO date they end on (weekends skipped).
        tracking_code: The code printed on the receipt with which the applicant tracks the
            application (window_app/domain/tracking_code.py); empty for applications accepted
            before there were codes.
    """

    summary: ApplicationSummary
    intake: Intake
    guide: dict[str, Any]
    audit: list[AuditEvent]
    clerk: str
    window_id: str
    catalog_version: str
    lead_department: str = ""
    centre: str = ""
    promised_days: int = 0
    promised_by: str = ""
    updated_at: str = ""
    concluded_at: str | None = None
    conclusion: str | None = None
    clerk_id: str = ""
    tracking_code: str = ""


@dataclass(frozen=True)
class AcceptedApplication:
    """What accepting returns: the receipt number to announce and the envelopes written."""

    receipt_no: str
    accepted_at: str
    envelopes: tuple[Envelope, ...]
    summary: ApplicationSummary = field(repr=False)


def applicant_name(intake: Intake) -> str:
    """The person's name, or the enterprise's name."""
    applicant = intake.applicant
    return applicant.enterprise.name if applicant.kind == "enterprise" else applicant.person.name


def applicant_number(intake: Intake) -> str:
    """The number the applicant is looked up by: resident ID, or USCC.

    An enterprise being registered has no USCC yet; its contact's resident ID (or the legal
    representative's) stands in, so the application can still be found by a number.
    """
    applicant = intake.applicant
    if applicant.kind == "enterprise":
        return (
            applicant.enterprise.uscc
            or applicant.person.id_number
            or applicant.enterprise.legal_representative.id_number
        )
    return applicant.person.id_number
