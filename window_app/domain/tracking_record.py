"""The tracking record: what a window tells the exchange so that the public tracking page can
answer for one application.

The window makes it at acceptance (cheap: no code, no digest) and queues it; the sync adds the
tracking code's scrypt digest (:func:`window_app.domain.tracking_code.tracking_digest`, tens of
milliseconds: kept off the clerk's accept), signs the canonical text with the window's key and
posts it (``POST /v1/tracking``). The exchange checks it here (:func:`record_from_json`), and
keeps it beside the application's envelopes.

It holds nothing personal beyond the applicant's masked name: the receipt number, the bundle's
names, the departments (offices) and stages, the dates. Never the code, never an ID number.
Pure: the window (which writes it) and the exchange (which reads it) both import this module.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from window_app.domain.words import Words

TRACKING_FORMAT = "window-app/tracking/1"
MAX_RECORD_BYTES = 16 * 1024
MAX_DEPARTMENTS = 64
_DIGEST = re.compile(r"scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[0-9a-f]{64}")
_SHORT = 200  # a name's longest text


@dataclass(frozen=True)
class TrackedDepartment:
    """One department's part as the page lists it: its office, its names, its stage."""

    id: str
    name: Words
    stage: int
    lead: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name.zh, "name_en": self.name.en, "stage": self.stage, "lead": self.lead}


@dataclass(frozen=True)
class TrackingRecord:
    """What the exchange keeps for one application's tracking page.

    Attributes:
        receipt_no: The application's receipt number.
        window_id: The window that accepted it.
        digest: The scrypt digest of the tracking code (empty until the sync adds it).
        applicant: The applicant's name masked (张*), as notifications show it.
        offering: The bundle's (or single item's) name.
        accepted_at: When it was accepted (ISO 8601 with offset).
        promised_by: The promised completion date (``YYYY-MM-DD``; empty: none).
        departments: Every department part, in stage order.
    """

    receipt_no: str
    window_id: str
    digest: str
    applicant: str
    offering: Words
    accepted_at: str
    promised_by: str
    departments: tuple[TrackedDepartment, ...]

    def to_json(self) -> dict[str, Any]:
        """The record's document (the text the window signs is its canonical JSON)."""
        return {
            "format": TRACKING_FORMAT,
            "receipt_no": self.receipt_no,
            "window_id": self.window_id,
            "tracking_digest": self.digest,
            "applicant": self.applicant,
            "offering": {"name": self.offering.zh, "name_en": self.offering.en},
            "accepted_at": self.accepted_at,
            "promised_by": self.promised_by,
            "departments": [department.to_json() for department in self.departments],
        }


def record_from_json(data: object, *, digest_required: bool = True) -> TrackingRecord | Words:
    """A record from its document, or why it is not one (every field checked: the exchange
    serves these texts to the public)."""
    if not isinstance(data, dict):
        return Words("跟踪记录须为 JSON 对象", "a tracking record must be a JSON object")
    if data.get("format") != TRACKING_FORMAT:
        return Words("跟踪记录的 format 须为 {f}", "a tracking record's format must be {f}").format(f=TRACKING_FORMAT)
    texts = {name: data.get(name) for name in ("receipt_no", "window_id", "tracking_digest", "applicant", "accepted_at", "promised_by")}
    for name, value in texts.items():
        if not isinstance(value, str) or len(value) > _SHORT or "\x00" in value:
            return _bad(name)
    if not texts["receipt_no"] or not texts["window_id"]:
        return _bad("receipt_no" if not texts["receipt_no"] else "window_id")
    digest = texts["tracking_digest"]
    if (digest or digest_required) and not _DIGEST.fullmatch(digest):
        return _bad("tracking_digest")
    try:
        dt.datetime.fromisoformat(texts["accepted_at"])
        if texts["promised_by"]:
            dt.date.fromisoformat(texts["promised_by"])
    except ValueError:
        return _bad("accepted_at / promised_by")
    offering = _names(data.get("offering"))
    if offering is None:
        return _bad("offering")
    raw = data.get("departments")
    if not isinstance(raw, list) or not raw or len(raw) > MAX_DEPARTMENTS:
        return _bad("departments")
    departments = []
    for entry in raw:
        names = _names(entry)
        if names is None or not isinstance(entry.get("id"), str) or not entry["id"] or len(entry["id"]) > _SHORT:
            return _bad("departments")
        stage, lead = entry.get("stage"), entry.get("lead", False)
        if not isinstance(stage, int) or isinstance(stage, bool) or not 1 <= stage <= 99 or not isinstance(lead, bool):
            return _bad("departments")
        departments.append(TrackedDepartment(entry["id"], names, stage, lead))
    return TrackingRecord(
        receipt_no=texts["receipt_no"], window_id=texts["window_id"], digest=digest, applicant=texts["applicant"],
        offering=offering, accepted_at=texts["accepted_at"], promised_by=texts["promised_by"],
        departments=tuple(departments),
    )


def _names(entry: object) -> Words | None:
    if not isinstance(entry, dict):
        return None
    zh, en = entry.get("name"), entry.get("name_en", "")
    if not isinstance(zh, str) or not zh or not isinstance(en, str) or len(zh) > _SHORT or len(en) > _SHORT:
        return None
    if "\x00" in zh or "\x00" in en:
        return None
    return Words(zh, en or zh)


def _bad(field: str) -> Words:
    return Words("跟踪记录的 {f} 缺失或不合规", "the tracking record's {f} is missing or malformed").format(f=field)
