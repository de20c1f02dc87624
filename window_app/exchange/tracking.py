"""The public tracking page's rule: a receipt number and its tracking code → the progress.

A wrong code and an unknown receipt number get the same answer, after the same work: the
record is looked up, then the code checked against its digest (scrypt) or, with no record,
against a dummy digest, so neither the answer nor its time says whether the number exists.
Only a matching code reads the application's envelopes. What the answer holds: the bundle, the
masked name, the dates, each department's progress (:mod:`.tracking_progress`); nothing else.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from window_app.domain.catalog import Catalog
from window_app.domain.tracking_code import code_matches, normalize_code, tracking_digest
from window_app.domain.tracking_record import TrackingRecord
from window_app.domain.words import Words
from window_app.exchange import tracking_store
from window_app.exchange.store import ExchangeStore
from window_app.exchange.tracking_progress import PartProgress, concluded, progress

MAX_RECEIPT_CHARS = 64
MAX_CODE_CHARS = 32


@dataclass(frozen=True)
class TrackAnswer:
    """What the page and ``POST /v1/track`` show for a matching code."""

    record: TrackingRecord
    parts: tuple[PartProgress, ...]

    @property
    def concluded(self) -> bool:
        return concluded(self.parts)

    def to_json(self) -> dict[str, Any]:
        record = self.record
        return {
            "receipt_no": record.receipt_no,
            "offering": record.offering.zh,
            "offering_en": record.offering.en,
            "applicant": record.applicant,
            "accepted_at": record.accepted_at,
            "promised_by": record.promised_by or None,
            "concluded": self.concluded,
            "departments": [part.to_json() for part in self.parts],
        }


@functools.cache
def dummy_digest() -> str:
    """A digest no code matches (made once per process): the check an unknown number gets."""
    return tracking_digest("window-app/no such receipt", "-")


def look_up(store: ExchangeStore, catalog: Catalog, receipt_no: str, code: str) -> TrackAnswer | None:
    """The progress of ``receipt_no`` if ``code`` is its tracking code; ``None`` otherwise
    (unknown number, wrong code: the same, after the same work)."""
    if len(receipt_no) > MAX_RECEIPT_CHARS or len(code) > MAX_CODE_CHARS:
        return None  # nothing a receipt carries: refused on its shape, not on what is stored
    held = tracking_store.held_digest(store, receipt_no)
    matches = code_matches(receipt_no, code, held[0] if held is not None else dummy_digest())
    if held is None or not matches or not normalize_code(code):
        return None
    record = tracking_store.record_of(held[1])
    if record is None:
        return None
    parts = progress(record, tracking_store.parts_of(store, receipt_no), functools.partial(_material_name, catalog))
    return TrackAnswer(record, tuple(parts))


def _material_name(catalog: Catalog, material_id: str) -> Words:
    known = catalog.materials.get(material_id)
    return known.name if known is not None else Words(material_id, material_id)
