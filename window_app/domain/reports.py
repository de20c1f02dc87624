"""Records the statistics are computed from (read by ``offline_cache/reports.py``) and the
hot list a window's pick screen groups by.

Plain data, no I/O: the numbers themselves are :mod:`window_app.reporting`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from window_app.domain.words import Words


class ReportedPart(NamedTuple):
    """One department's part of an application, as the statistics need it (a tuple: a month's
    report makes tens of thousands).

    Attributes:
        department: The office id the part was addressed to.
        items: The part's item ids.
        decided_at: When its last item was decided (stored moment), or ``None``.
        state: The part's state (``concluded``, ``rejected`` …).
    """

    department: str
    items: tuple[str, ...]
    decided_at: str | None
    state: str


@dataclass(frozen=True)
class ReportedApplication:
    """One accepted application, as the statistics need it (no personal data).

    Attributes:
        receipt_no: The receipt number.
        offering_id: The bundle's (or single item's) id.
        offering_kind: ``bundle`` or ``item``.
        offering_name: Its name as accepted.
        clerk_id: The 工号 of the clerk who accepted it.
        accepted_at: The stored moment of acceptance.
        concluded_at: The stored moment of its conclusion, or ``None``.
        state: The application's state.
        materials_merged: Lines of the merged checklist (what the applicant brought once).
        materials_separate: (item, material) pairs: what separate departments would have asked.
        fields_merged: Fields of the unified form.
        fields_separate: (item, field) pairs: what item-by-item forms would have asked.
        parts: The department parts.
        at_window: Items concluded at the window (一类 filed by a sole approver).
    """

    receipt_no: str
    offering_id: str
    offering_kind: str
    offering_name: Words
    clerk_id: str
    accepted_at: str
    concluded_at: str | None
    state: str
    materials_merged: int = 0
    materials_separate: int = 0
    fields_merged: int = 0
    fields_separate: int = 0
    parts: tuple[ReportedPart, ...] = ()
    at_window: tuple[str, ...] = ()


@dataclass(frozen=True)
class HotEntry:
    """One offering of a region's hot list: how often it was accepted in the window of days."""

    offering_id: str
    uses: int


@dataclass(frozen=True)
class StoredHotList:
    """The region's hot list the sync last fetched from the exchange.

    Attributes:
        region: The region code asked for.
        days: How many days of use it counts.
        fetched_at: UTC moment it was stored.
        entries: Most used first.
    """

    region: str
    days: int
    fetched_at: str
    entries: tuple[HotEntry, ...] = field(default_factory=tuple)
