"""The tracking code of an application, the link its receipt's QR code carries, and the record
the exchange's public tracking page answers from.

The code itself and its digest are :mod:`window_app.domain.tracking_code` (the exchange checks
codes with the same module). Here: the link to the exchange's public tracking page, from
``[tracking] base_url`` in ``config.toml``, and the tracking record made at acceptance
(:func:`tracking_record`; the sync adds the digest and sends it: :mod:`window_app.sync.tracking`).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, urlencode

from window_app.config import Settings
from window_app.domain.catalog import Office
from window_app.domain.notifications import masked_name
from window_app.domain.tracking_code import grouped, new_tracking_code, tracking_digest
from window_app.domain.tracking_record import TrackedDepartment, TrackingRecord
from window_app.domain.words import Words

__all__ = ["grouped", "new_tracking_code", "tracking_digest", "tracking_link", "tracking_record"]


def tracking_link(settings: Settings, receipt_no: str, code: str) -> str:
    """``<base_url>/t/<receipt no>?c=<code>``: the page that shows this application's progress.

    Without a code (an application accepted before codes existed) the link is the page of the
    number alone, where the applicant types the code.
    """
    base = settings.tracking.base_url.rstrip("/")
    link = f"{base}/t/{quote(receipt_no, safe='')}"
    return f"{link}?{urlencode({'c': code})}" if code else link


def tracking_record(
    *,
    receipt_no: str,
    window_id: str,
    applicant_name: str,
    offering: Words,
    accepted_at: str,
    promised_by: str,
    parts: Iterable[tuple[Office, int]],
    lead_office: str,
) -> TrackingRecord:
    """The record of a just-accepted application, without the digest (the sync adds it).

    Args:
        applicant_name: The applicant's (or enterprise's) name: only its masked form is kept
            (张三 → 张*, as the applicant's notifications show it).
        parts: Each department part: the office it goes to and its stage.
        lead_office: The lead department's office id.
    """
    departments = tuple(
        TrackedDepartment(office.id, office.name, stage, office.id == lead_office) for office, stage in parts
    )
    return TrackingRecord(
        receipt_no=receipt_no, window_id=window_id.upper(), digest="", applicant=masked_name(applicant_name),
        offering=offering, accepted_at=accepted_at, promised_by=promised_by, departments=departments,
    )
