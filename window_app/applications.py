"""Accepted applications (办件), their department parts, and accepting one.

Accepting is one step that either happens completely or not at all: the receipt number, the
application, one part and one outbox envelope per department and stage, the ``accepted`` audit
event, and the removal of the draft are written in one durable SQLite transaction
(:func:`offline_cache.applications.insert_accepted`). If anything fails, nothing was written
and the clerk can try again; once it returns, the application survives a power cut.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

# The window lists drafts (DraftSummary) on its first screen: what only accepting needs
# (envelopes, receipt numbers, the unified form) is imported by accept_intake / accepted_copy.
if TYPE_CHECKING:
    from window_app.catalog.model import Catalog
    from window_app.config import Settings
    from window_app.envelope import Envelope
    from window_app.intake.guide import Guide
    from window_app.intake.model import Intake
    from offline_cache.db import Database

ApplicationState = Literal["accepted", "in_progress", "supplement_needed", "concluded", "rejected"]
"""- ``accepted``: written at the window, parts not yet answered;
- ``in_progress``: at least one department has received or answered its part;
- ``supplement_needed``: a department asked for a missing or corrected material (补正);
- ``concluded``: the lead department gave the one conclusion (一张结论);
- ``rejected``: refused as a whole."""

APPLICATION_STATES: tuple[str, ...] = ("accepted", "in_progress", "supplement_needed", "concluded", "rejected")

PartState = Literal["queued", "waiting", "sent", "received", "approved", "rejected", "supplement_needed", "cancelled"]
"""- ``queued``: stage 1 (or prerequisites met): its envelope is ready to send;
- ``waiting``: a later stage, waiting for its prerequisites' results;
- ``sent``: the exchange confirmed receipt of the envelope;
- ``received``: the department registered it;
- ``approved`` / ``rejected``: the department's opinion;
- ``supplement_needed``: the department asked for a supplement;
- ``cancelled``: a prerequisite was refused, so this part is never sent (window_app/sync/stages.py)."""

PART_STATES: tuple[str, ...] = (
    "queued", "waiting", "sent", "received", "approved", "rejected", "supplement_needed", "cancelled",
)

ACCEPT_WORDS = ("本次受理", "This acceptance")
_SEQUENCE_ATTEMPTS = 5


@dataclass(frozen=True)
class DraftSummary:
    """A line of the drafts list."""

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
        reason: A refusal's or a supplement request's reason, in the department's words.
        envelope_state: Where the part's envelope stands in the outbox (``queued``, ``sent``,
            ``quarantined`` …); empty when not read.
        envelope_error: The envelope's last failure or quarantine reason (``中文 / English``).
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
    reason: str = ""
    envelope_state: str = ""
    envelope_error: str = ""
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

    @property
    def error_words(self) -> tuple[str, str]:
        """The envelope's last failure or quarantine reason as (中文, English); empty if none."""
        words = self.envelope_error
        if not words:
            return "", ""
        zh, _, en = words.partition(" / ")
        return zh, en or zh


@dataclass(frozen=True)
class ApplicationSummary:
    """A line of the applications list."""

    receipt_no: str
    offering_id: str
    offering_name: str
    offering_name_en: str
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


def clerk_name(settings: Settings) -> str:
    """The clerk recorded in the audit trail: the configured name, else the OS user."""
    if settings.window.clerk:
        return settings.window.clerk
    try:
        import getpass

        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        return ""


def accept_intake(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    intake: Intake,
    guide: Guide,
    *,
    now: dt.datetime,
) -> AcceptedApplication:
    """Accept a validated intake: receipt number, envelopes, one durable transaction.

    The caller validates first (:meth:`window_app.window.Window.accept`); ``intake`` itself is
    not modified.

    Args:
        db: The window's database (:func:`offline_cache.db.open_database`).
        guide: The guide of ``intake`` (:func:`window_app.intake.guide.build_guide`).
        now: The moment of acceptance, timezone-aware; its date is the receipt number's day.

    Raises:
        offline_cache.db.StorageError: Nothing was written (the transaction rolled back).
    """
    # Imported here: offline_cache returns this module's dataclasses, so it imports us.
    from offline_cache import applications as application_store
    from offline_cache.db import StorageError, installation_tag, signing_secret, storage_errors
    from window_app.envelope import build_envelopes
    from window_app.receipt import add_working_days, format_receipt_no

    accepted = accepted_copy(catalog, settings, intake, guide)
    bundle = guide.offering.bundle
    day = now.date()
    accepted_at = now.isoformat(timespec="seconds")
    promised_days = guide.promised_days
    clerk = clerk_name(settings)
    with storage_errors(ACCEPT_WORDS):
        tag = installation_tag(db)
        secret = signing_secret(db)

    for _ in range(_SEQUENCE_ATTEMPTS):
        sequence = application_store.next_receipt_sequence(db, day, settings.window.id)
        receipt_no = format_receipt_no(settings.window.region, day, settings.window.id, tag, sequence)
        envelopes = build_envelopes(catalog, settings, accepted, guide, receipt_no, now, secret)
        parts = tuple(
            DepartmentPart(
                department=envelope.department,
                stage=envelope.stage,
                items=tuple(item["id"] for item in envelope.document()["items"]),
                state="queued" if envelope.stage == 1 else "waiting",
                updated_at=accepted_at,
                envelope_id=envelope.envelope_id,
            )
            for envelope in envelopes
        )
        summary = ApplicationSummary(
            receipt_no=receipt_no,
            offering_id=bundle.id,
            offering_name=bundle.name,
            offering_name_en=bundle.name_en,
            offering_kind=guide.offering.kind,
            applicant_name=applicant_name(accepted),
            applicant_number=applicant_number(accepted),
            state="accepted",
            accepted_at=accepted_at,
            parts=parts,
        )
        detail = ApplicationDetail(
            summary=summary,
            intake=accepted,
            guide=guide.to_json(),
            audit=[],
            clerk=clerk,
            window_id=settings.window.id,
            catalog_version=catalog.version,
            lead_department=bundle.lead_department,
            centre=settings.window.centre,
            promised_days=promised_days,
            promised_by=add_working_days(day, promised_days).isoformat(),
            updated_at=accepted_at,
        )
        audit_data = {
            "offering": bundle.id,
            "catalog_version": catalog.version,
            "window_id": settings.window.id,
            "draft_id": intake.draft_id,
            # The chain commits to every payload: an outbox row altered later no longer matches.
            "envelopes": [
                {
                    "envelope_id": envelope.envelope_id,
                    "department": envelope.department,
                    "stage": envelope.stage,
                    "payload_sha256": envelope.payload_sha256,
                }
                for envelope in envelopes
            ],
        }
        try:
            application_store.insert_accepted(
                db,
                detail,
                envelopes,
                sequence=sequence,
                audit_data=audit_data,
                draft_id=intake.draft_id,
            )
        except application_store.SequenceTaken:
            continue  # another process on this database took the number first: take the next
        return AcceptedApplication(receipt_no=receipt_no, accepted_at=accepted_at, envelopes=envelopes, summary=summary)
    raise StorageError(
        "受理编号连续被其他程序占用，本次受理未写入。请关闭其他窗口程序后重试。",
        "Receipt numbers kept being taken by another program; this acceptance was not written. "
        "Close other window programs and try again.",
        "locked",
    )


def accepted_copy(catalog: Catalog, settings: Settings, intake: Intake, guide: Guide) -> Intake:
    """The intake as it is recorded: prefilled fields filled in, shared materials to verify online.

    The window cannot verify data-sharing materials offline, so every ``shared`` shareable
    material is marked ``verify_online``; the sync engine verifies it when the line is back.
    """
    from window_app.intake.form import apply_prefill
    from window_app.intake.model import MaterialStatus

    accepted = copy.deepcopy(intake)
    apply_prefill(accepted, guide.form, settings.window.region)
    for line in guide.checklist.lines:
        if not line.material.shareable:
            continue
        # A shareable material without a recorded state defaults to data sharing.
        status = accepted.materials.setdefault(line.material.id, MaterialStatus(state="shared"))
        if status.state == "shared":
            status.verify_online = True
    accepted.step = "review"
    return accepted
