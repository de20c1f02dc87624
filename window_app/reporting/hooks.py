"""Columns of the report that other parts of the product fill in.

Two columns are wired at merge by the parts that own their data, each by giving
:data:`HOOKS` (the last line of this module) its storage function:

- ``overdue_parts``: parts past their statutory time limit (the statutory clocks):
  ``(db, receipt_nos) -> {receipt_no: count}``;
- ``ratings`` / ``rating_avg``: the applicants' 好差评 (the ratings):
  ``(db, receipt_nos) -> {receipt_no: [level 1–5, …]}``, e.g. from ``offline_cache/ratings.py``.

Until then the report shows "—" in those columns, and its ``sources`` say which part they
wait for (tests/unit_tests/test_report_numbers.py shows both ways).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import offline_cache.ratings
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


HOOKS = ReportHooks(ratings=offline_cache.ratings.levels_by_receipt)
"""The hooks :meth:`window_app.window.Window.report` uses."""
