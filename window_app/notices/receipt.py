"""The 受理回执 (acceptance receipt) as a notice: what :func:`window_app.receipt.render_receipt`
prints as text, from the same pieces, with the QR code to the tracking page."""

from __future__ import annotations

import datetime as dt

from window_app.domain.applications import ApplicationDetail
from window_app.domain.catalog import Catalog
from window_app.domain.tracking_code import grouped
from window_app.domain.words import tr
from window_app.notices.common import application_notice
from window_app.notices.model import Notice, Row, Section, paragraphs, rows
from window_app.receipt import (
    MATERIALS_HEADING,
    SIGNATURES,
    STAGES_HEADING,
    applicant_facts,
    closing_paragraphs,
    header_facts,
    promised_text,
    received_materials,
    service_facts,
    stage_rows,
)

APPLICANT_HEADING = ("申请人", "Applicant")
CASE_HEADING = ("办理事项", "The case")
PROMISE_HEADING = ("办结承诺与进度查询", "Promise and tracking")


def receipt_notice(
    detail: ApplicationDetail, catalog: Catalog, *, zone: dt.tzinfo | None = None, tracking_link: str = ""
) -> Notice:
    """The receipt of ``detail``; ``tracking_link`` (the QR code's) when it has a tracking code."""
    stages: list[Row] = []
    for heading, items in stage_rows(detail, catalog):
        stages.append(Row("", heading))
        stages += [Row(name, where) for name, where in items]
    promise = []
    promised = promised_text(detail)
    if promised:
        promise.append((tr("承诺办结", "Promised by"), promised))
    if detail.tracking_code:
        promise.append((tr("查询码", "Tracking code"), grouped(detail.tracking_code)))
    materials = received_materials(detail, catalog) or [(tr("（无）", "(none)"), "")]
    return application_notice(
        "receipt",
        detail,
        sections=(
            Section("", rows(header_facts(detail, zone))),
            Section(tr(*APPLICANT_HEADING), rows(applicant_facts(detail.intake))),
            Section(tr(*CASE_HEADING), rows(service_facts(detail, catalog))),
            Section(str(STAGES_HEADING), tuple(stages)),
            Section(str(MATERIALS_HEADING), rows(materials)),
            Section(tr(*PROMISE_HEADING), rows(promise) + paragraphs(closing_paragraphs(detail, tracking_link))),
        ),
        qr_link=tracking_link,
        signatures=tuple(str(line) for line in SIGNATURES),
    )
