"""Columns of the report that other parts of the product fill in.

- ``overdue_parts``: parts past their statutory time limit, running beyond their due day or
  decided after it (:func:`window_app.clocks.overdue_parts`): ``(db, receipt_nos) -> {receipt_no: count}``;
- ``ratings`` / ``rating_avg``: the applicants' 好差评 (``offline_cache/ratings.py``):
  ``(db, receipt_nos) -> {receipt_no: [level 1–5, …]}``.

:func:`window_hooks` connects both for a window; a report given no source for a column shows
"—" there, and its ``sources`` say so (tests/unit_tests/test_report_numbers.py shows both ways).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import offline_cache.ratings
from window_app.clocks import overdue_parts
from window_app.domain.catalog import Catalog
from window_app.domain.words import Words

OverdueSource = Callable[[Any, Sequence[str]], Mapping[str, int]]
RatingsSource = Callable[[Any, Sequence[str]], Mapping[str, Sequence[int]]]

NOT_CONNECTED = {
    "overdue_parts": Words("未接入：法定时限（办理时限计时）", "not connected: the statutory clocks"),
    "ratings": Words("未接入：好差评", "not connected: the ratings (好差评)"),
}
CONNECTED = {
    "overdue_parts": Words("法定时限（办理时限计时）", "the statutory clocks"),
    "ratings": Words("好差评", "the ratings (好差评)"),
}


@dataclass
class ReportHooks:
    """Where the hooked columns come from (``None``: not connected, the column shows "—")."""

    overdue_parts: OverdueSource | None = None
    ratings: RatingsSource | None = None

    def sources(self) -> dict[str, Words]:
        """Each hooked column's source, or that it is not connected."""
        return {
            "overdue_parts": (CONNECTED if self.overdue_parts else NOT_CONNECTED)["overdue_parts"],
            "ratings": (CONNECTED if self.ratings else NOT_CONNECTED)["ratings"],
        }


def window_hooks(catalog: Catalog, *, zone: dt.tzinfo, today: dt.date) -> ReportHooks:
    """Both columns connected: the statutory clocks on ``today`` and the ratings."""

    def overdue(db: Any, receipt_nos: Sequence[str]) -> Mapping[str, int]:
        return overdue_parts(db, catalog, receipt_nos, zone=zone, today=today)

    return ReportHooks(overdue_parts=overdue, ratings=offline_cache.ratings.levels_by_receipt)
