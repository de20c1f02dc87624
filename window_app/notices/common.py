"""Pieces several notices share: the notice of one application, who it is about, and the items a
decision names."""

from __future__ import annotations

import datetime as dt

from window_app.domain.applications import ApplicationDetail
from window_app.domain.catalog import Catalog
from window_app.domain.words import tr
from window_app.notices.facts import key_facts
from window_app.notices.model import NOTICE_KINDS, Notice, Section, rows
from window_app.receipt import applicant_facts, format_moment


def application_notice(
    kind: str,
    detail: ApplicationDetail,
    sections: tuple[Section, ...],
    *,
    qr_link: str = "",
    signatures: tuple[str, ...] = (),
) -> Notice:
    """A notice of kind ``kind`` about one accepted application: issued by its centre, filed
    under its receipt number, saved as ``<receipt no>-<kind>``."""
    return Notice(
        kind=kind,
        centre=detail.centre or tr("政务服务中心", "Government Service Centre"),
        title=str(NOTICE_KINDS[kind]),
        reference=detail.summary.receipt_no,
        sections=sections,
        qr_link=qr_link,
        signatures=signatures,
        file_stem=f"{detail.summary.receipt_no}-{kind}",
    )


def case_section(detail: ApplicationDetail, catalog: Catalog, zone: dt.tzinfo | None) -> Section:
    """The application a notice is about: receipt number, when, who applied (masked), the case."""
    summary = detail.summary
    facts = [
        (tr("受理编号", "Receipt no."), summary.receipt_no),
        (tr("受理时间", "Accepted at"), format_moment(summary.accepted_at, zone)),
        (tr("办理事项", "Service"), str(summary.offering_name)),
    ]
    people = applicant_facts(detail.intake)[:2]  # the name and the masked number (or the USCC)
    return Section("", rows(facts + people + key_facts(detail.intake, catalog)))


def item_name(catalog: Catalog, item_id: str) -> str:
    """An item's name in the interface language; its id if unknown."""
    item = catalog.items.get(item_id)
    return str(item.name) if item else item_id


def moment(iso: str, zone: dt.tzinfo | None) -> str:
    """A stored moment in the window's zone, as printed."""
    return format_moment(iso, zone) if iso else "—"
