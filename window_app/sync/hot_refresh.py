"""The region's hot list (热点) fetched from the exchange and stored for the pick screen.

Asked for at most once per :data:`HOT_REFRESH` on the shared endpoint's round; an answer
replaces what is stored (offline_cache/reports.py). The list only orders the pick screen:
an exchange that does not answer it (an older one: 404) or a line that drops leaves the
stored list as it is and fails nothing (window_app/reporting/hot.py falls back on its own).
"""

from __future__ import annotations

import datetime as dt

from offline_cache import reports as report_store
from offline_cache.db import Database
from window_app.domain.reports import HotEntry, StoredHotList
from window_app.reporting.hot import HOT_DAYS
from window_app.sync.client import ExchangeClient, TransportFailure

HOT_REFRESH = dt.timedelta(hours=1)


def hot_due(db: Database, region: str, now: dt.datetime) -> bool:
    """No list stored for ``region``, or it is older than :data:`HOT_REFRESH`."""
    stored = report_store.stored_hot_list(db, region)
    if stored is None:
        return True
    try:
        fetched = dt.datetime.fromisoformat(stored.fetched_at)
    except ValueError:
        return True
    return now - fetched >= HOT_REFRESH


async def refresh_hot(client: ExchangeClient, db: Database, region: str, now: dt.datetime, *, force: bool = False) -> bool:
    """Fetch and store the region's hot list when due; whether a new one was stored."""
    if not force and not hot_due(db, region, now):
        return False
    try:
        offerings = await client.fetch_hot(region, HOT_DAYS)
    except TransportFailure:
        return False
    stored = StoredHotList(
        region=region,
        days=HOT_DAYS,
        fetched_at=now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        entries=tuple(HotEntry(offering_id, uses) for offering_id, uses in offerings),
    )
    report_store.store_hot_list(db, stored)
    return True
