"""Ratings counted per window, clerk, bundle or department: what ``window-app ratings`` prints
and what ``window-app report`` reads (:func:`rating_counts`)."""

from __future__ import annotations

import datetime as dt

from offline_cache import ratings as store
from offline_cache.db import Database
from offline_cache.outbox import utc_stamp
from window_app.domain.ratings import COUNT_BY, RatingCount


def rating_counts(
    db: Database,
    by: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    today: dt.date,
) -> list[RatingCount]:
    """Ratings given in ``[since, until)`` (any time when ``None``), per ``by`` (one of
    :data:`~window_app.domain.ratings.COUNT_BY`), with their cases still open and overdue on
    ``today`` (the window's calendar). A rating counts once for each department its
    application went to.

    Raises:
        ValueError: ``by`` is not one of window, clerk, bundle, department.
    """
    if by not in COUNT_BY:
        raise ValueError(f"by must be one of {', '.join(COUNT_BY)}, not {by!r}")
    return store.count_ratings(
        db,
        by,
        since=utc_stamp(since) if since else "",
        until=utc_stamp(until) if until else "",
        today=today.isoformat(),
    )
