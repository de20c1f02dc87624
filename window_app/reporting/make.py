"""A window's report from its database and catalog (what ``Window.report`` calls)."""

from __future__ import annotations

import datetime as dt

from offline_cache import reports as report_store
from offline_cache.db import Database
from window_app.domain.catalog import Catalog
from window_app.domain.words import Words
from window_app.reporting.hooks import ReportHooks, window_hooks
from window_app.reporting.numbers import Report, build_report
from window_app.reporting.periods import BadPeriod, Period, date_range, named_period


def period_of(name: str, today: dt.date, *, first: str = "", last: str = "") -> Period:
    """The period asked for: ``first`` and ``last`` together, else a named one.

    Raises:
        BadPeriod: One date without the other, or a period that is none.
    """
    if first or last:
        if not (first and last):
            raise BadPeriod(Words("请同时给出开始和结束日期（--from 和 --to）", "Give both dates (--from and --to)"))
        return date_range(first, last)
    return named_period(name, today)


def report_of(
    db: Database,
    catalog: Catalog,
    *,
    zone: dt.tzinfo,
    now: dt.datetime,
    period: str = "today",
    first: str = "",
    last: str = "",
    clerk_id: str | None = None,
    hooks: ReportHooks | None = None,
) -> Report:
    """The report of a period at this window.

    Args:
        now: Now, in the window's zone (today is its date).
        clerk_id: Only this clerk's applications (``None``: everyone's).
        hooks: The hooked columns' sources (default: the clocks' and the ratings',
            :func:`~window_app.reporting.hooks.window_hooks`).
    """
    hooks = hooks or window_hooks(catalog, zone=zone, today=now.date())
    chosen = period_of(period, now.date(), first=first, last=last)
    start, end = chosen.bounds(zone)
    applications = report_store.applications_between(db, start, end, clerk_id=clerk_id)
    receipts = [app.receipt_no for app in applications]
    return build_report(
        chosen,
        applications,
        zone=zone,
        clerk_id=clerk_id or "",
        made_at=now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        item_name=lambda item_id: _item_name(catalog, item_id),
        department_name=lambda office_id: _department_name(catalog, office_id),
        overdue=dict(hooks.overdue_parts(db, receipts)) if hooks.overdue_parts else None,
        ratings={k: list(v) for k, v in hooks.ratings(db, receipts).items()} if hooks.ratings else None,
        sources=hooks.sources(),
    )


def _item_name(catalog: Catalog, item_id: str) -> Words:
    item = catalog.items.get(item_id)
    return item.name if item is not None else Words(item_id)


def _department_name(catalog: Catalog, office_id: str) -> Words:
    body = catalog.body(office_id)
    if body is None:
        return Words(office_id)
    return body.short_name or body.name  # short: the report's columns are narrow
