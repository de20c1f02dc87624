"""Accepting an application (受理): receipt number, envelopes, one durable transaction.

Accepting is one step that either happens completely or not at all: the receipt number, the
application, one part and one outbox envelope per department and stage, the ``accepted`` audit
event, the chain's head signed with the window's key, and the removal of the draft are written
in one durable SQLite transaction
(:func:`offline_cache.applications.insert_accepted`). If anything fails, nothing was written
and the clerk can try again; once it returns, the application survives a power cut.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from offline_cache import applications as application_store
from offline_cache import handovers as handover_store
from offline_cache import progress
from offline_cache import waived as waived_store
from offline_cache.audit import latest_head
from offline_cache.db import installation_tag, storage_errors
from window_app.dispatch import WindowSigner, build_envelopes, part_offices
from window_app.domain.applications import (
    ACCEPT_WORDS,
    AcceptedApplication,
    ApplicationDetail,
    ApplicationSummary,
    DepartmentPart,
    applicant_name,
    applicant_number,
)
from window_app.domain.clerks import Clerk, Permission
from window_app.domain.errors import StorageError
from window_app.domain.handling import HandoverList
from window_app.domain.intake import Enterprise, Intake, MaterialStatus
from window_app.domain.progress import ItemDecision
from window_app.domain.receipt_no import format_receipt_no
from window_app.domain.tracking_code import new_tracking_code
from window_app.domain.words import Words
from window_app.handling import check_at_window, filed_decisions, handover_lists
from window_app.identity import window_signing_key
from window_app.intake.form import apply_prefill
from window_app.receipt import add_working_days
from window_app.sync.decisions import refresh_application
from window_app.tracking import tracking_record

if TYPE_CHECKING:
    from offline_cache.db import Database
    from window_app.config import Settings
    from window_app.domain.catalog import Catalog
    from window_app.intake.guide import Guide
    from window_app.trust.keys import SigningKey


_SEQUENCE_ATTEMPTS = 5


def accept_intake(
    db: Database,
    catalog: Catalog,
    settings: Settings,
    intake: Intake,
    guide: Guide,
    *,
    clerk: Clerk,
    now: dt.datetime,
) -> AcceptedApplication:
    """Accept a validated intake: receipt number, envelopes, one durable transaction.

    The caller validates first (:meth:`window_app.window.Window.accept`); ``intake`` itself is
    not modified. Items the intake concludes at the window (``at_window``, 一类直接办) are
    decided in the same transaction and filed with their departments; class-3 parts get their
    handover list (材料移交单) (:mod:`window_app.handling`).

    Args:
        db: The window's database (:func:`offline_cache.db.open_database`).
        guide: The guide of ``intake`` (:func:`window_app.intake.guide.build_guide`).
        clerk: Who accepts (named on the receipt and in the audit trail); only a clerk holding
            ``DECIDE_AT_WINDOW`` (a sole approver) may conclude class-1 items (``intake.at_window``).
        now: The moment of acceptance, timezone-aware; its date is the receipt number's day.

    Raises:
        window_app.handling.AtWindowRefused: Conclusions at the window this clerk may not
            make, or on items that are not class 1; nothing was written.
        window_app.domain.errors.StorageError: Nothing was written (the transaction rolled back).
    """
    check_at_window(catalog, guide, intake, may_decide_at_window=clerk.may(Permission.DECIDE_AT_WINDOW))
    accepted = accepted_copy(catalog, settings, intake, guide)
    bundle = guide.offering.bundle
    day = now.date()
    accepted_at = now.isoformat(timespec="seconds")
    promised_days = guide.promised_days
    # Serialised once, whatever the number of attempts below.
    accepted_json = accepted.to_json()
    guide_json = guide.to_json()
    # Each part's items, as build_envelopes splits them (stage order, then the stage's order).
    # Keyed by the office each part is addressed to (the envelope's department).
    offices = part_offices(catalog, settings.window.region, guide)
    offices_by_id = {office.id: office for office in offices.values()}
    items_of = {
        (stage.number, offices[department].id): tuple(item.id for item in stage.items if item.department == department)
        for stage in guide.plan.stages
        for department in stage.departments
    }
    with storage_errors(ACCEPT_WORDS):
        tag = installation_tag(db)
    key = window_signing_key(settings, tag)  # signs the envelopes and the audit chain's head

    tracking_code = new_tracking_code()  # printed on the receipt; the applicant tracks with it
    for _ in range(_SEQUENCE_ATTEMPTS):
        sequence = application_store.next_receipt_sequence(db, day, settings.window.id)
        receipt_no = format_receipt_no(settings.window.region, day, settings.window.id, tag, sequence)
        head = latest_head(db)
        filed = filed_decisions(
            receipt_no, guide, accepted, clerk_id=clerk.label, at=accepted_at,
            offices={kind: office.id for kind, office in offices.items()},
        )
        envelopes = build_envelopes(
            catalog, settings, accepted, guide, receipt_no, now, key, head.to_json() if head else None,
            filed=filed, handed_by=clerk.label,
        )
        handovers = handover_lists(catalog, envelopes)
        parts = tuple(
            DepartmentPart(
                department=envelope.department,
                stage=envelope.stage,
                items=items_of[(envelope.stage, envelope.department)],
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
            guide=guide_json,
            audit=[],
            clerk=clerk.label,
            clerk_id=clerk.id,
            window_id=settings.window.id,
            catalog_version=catalog.version,
            lead_department=offices[bundle.lead_department].id,
            centre=settings.window.centre,
            promised_days=promised_days,
            promised_by=add_working_days(day, promised_days).isoformat(),
            updated_at=accepted_at,
            tracking_code=tracking_code,
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
                    "kind": envelope.kind,
                }
                for envelope in envelopes
            ],
        }
        if filed:
            audit_data["decided_at_window"] = {
                item_id: {"decision": d.decision, "result": d.result, "reason": d.reason} for item_id, d in filed.items()
            }
        # The public tracking page's record, queued with the acceptance; the sync adds the code's
        # digest (scrypt, tens of milliseconds) and sends it: none of that on the clerk's accept.
        record = tracking_record(
            receipt_no=receipt_no, window_id=settings.window.id, applicant_name=summary.applicant_name,
            offering=bundle.name, accepted_at=accepted_at, promised_by=detail.promised_by,
            parts=[(offices_by_id[envelope.department], envelope.stage) for envelope in envelopes],
            lead_office=detail.lead_department,
        )
        try:
            application_store.insert_accepted(
                db,
                detail,
                envelopes,
                sequence=sequence,
                audit_data=audit_data,
                head_key=key,
                draft_id=intake.draft_id,
                also=_at_accept(catalog, key, receipt_no, accepted_at, filed, handovers, waived_promises(accepted)),
                tracking=record.to_json(),
                intake_json=accepted_json,
            )
        except application_store.SequenceTaken:
            continue  # another process on this database took the number first: take the next
        return AcceptedApplication(receipt_no=receipt_no, accepted_at=accepted_at, envelopes=envelopes, summary=summary)
    raise StorageError(
        Words(
            "受理编号连续被其他程序占用，本次受理未写入。请关闭其他窗口程序后重试。",
            "Receipt numbers kept being taken by another program; this acceptance was not written. "
            "Close other window programs and try again.",
        ),
        "locked",
    )


def _at_accept(
    catalog: Catalog,
    key: SigningKey,
    receipt_no: str,
    accepted_at: str,
    filed: dict[str, ItemDecision],
    handovers: list[HandoverList],
    waived: tuple[tuple[str, str], ...] = (),
) -> Callable[[Database], None] | None:
    """The accept transaction's further writes: decisions made at the window (then the parts'
    and the application's states follow from them, and later stages whose prerequisites were
    approved here are released), the handover lists, and the 容缺 promises to follow."""
    if not filed and not handovers and not waived:
        return None

    def write(db: Database) -> None:
        waived_store.insert_promises(db, receipt_no, waived)
        for handover in handovers:
            handover_store.insert_handover(db, handover)
        if filed:
            for decision in filed.values():
                progress.put_decision(db, decision)
            refresh_application(db, receipt_no, now=accepted_at, signer=WindowSigner(catalog, key))

    return write


def waived_promises(intake: Intake) -> tuple[tuple[str, str], ...]:
    """(material id, promised day) of each material accepted as missing (容缺), to follow."""
    return tuple(
        (material_id, status.promised_date)
        for material_id, status in sorted(intake.materials.items())
        if status.state == "deficient" and status.promised_date
    )


def installation_tag_of(db: Database) -> str:
    """This database's installation tag (part of every receipt number it issues)."""
    with storage_errors(ACCEPT_WORDS):
        return installation_tag(db)


def window_signer(db: Database, catalog: Catalog, settings: Settings) -> WindowSigner:
    """The window's key (made on first use) and its catalog's department keys.

    Raises:
        window_app.trust.key_files.KeyFileError: The key file cannot be read or made.
        window_app.domain.errors.StorageError: The database cannot be read.
    """
    with storage_errors(ACCEPT_WORDS):
        tag = installation_tag(db)
    return WindowSigner(catalog, window_signing_key(settings, tag))


def accepted_copy(catalog: Catalog, settings: Settings, intake: Intake, guide: Guide) -> Intake:
    """The intake as it is recorded: prefilled fields filled in, shared materials to verify online.

    The window cannot verify data-sharing materials offline, so every ``shared`` shareable
    material is marked ``verify_online``; the sync engine verifies it when the line is back.
    Resident ID numbers and credit codes are kept in capitals (a typed ``x`` is the check
    character ``X``), and an enterprise block left on a person's application is not kept.
    """
    accepted = Intake.from_json(intake.to_json())  # a deep copy (deepcopy itself is slower)
    applicant = accepted.applicant
    if applicant.kind == "person":
        applicant.enterprise = Enterprise()  # typed before the kind was switched: nobody's data
    for person in (applicant.person, applicant.enterprise.legal_representative, applicant.agent):
        if person is not None:
            person.id_number = person.id_number.upper()
    applicant.enterprise.uscc = applicant.enterprise.uscc.upper()
    apply_prefill(accepted, guide.form, settings.window.region)
    for field_id, value in accepted.fields.items():
        field = catalog.fields.get(field_id)
        if field is not None and field.type in ("id_number", "uscc") and isinstance(value, str):
            accepted.fields[field_id] = value.upper()
    for line in guide.checklist.lines:
        if not line.material.shareable:
            continue
        # A shareable material without a recorded state defaults to data sharing.
        status = accepted.materials.setdefault(line.material.id, MaterialStatus(state="shared"))
        if status.state == "shared":
            status.verify_online = True
    accepted.step = "review"
    return accepted
