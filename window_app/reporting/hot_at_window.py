"""A window's 热点 list from its database (what ``Window.hot_list`` calls when the pick screen
first fills): only the hot list's modules, not the report's."""

from __future__ import annotations

import datetime as dt

from offline_cache import reports as report_store
from offline_cache.db import Database
from window_app.domain.catalog import Offering
from window_app.reporting.hot import HOT_DAYS, HotList, choose_hot_list


def hot_list_of(db: Database, offerings: list[Offering], region: str, now: dt.datetime) -> HotList:
    """The window's 热点 list (:mod:`window_app.reporting.hot`): the region's use from the
    exchange, else this window's own, else the catalog's flag."""
    bundles = [offering.bundle for offering in offerings if offering.kind == "bundle"]
    return choose_hot_list(
        [bundle.id for bundle in bundles],
        [bundle.id for bundle in bundles if bundle.hot],
        stored=report_store.stored_hot_list(db, region),
        local=report_store.use_since(db, now - dt.timedelta(days=HOT_DAYS)),
        now=now,
    )
