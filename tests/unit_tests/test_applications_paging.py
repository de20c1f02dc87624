"""The applications list a page at a time (F3 on 100,000 applications): filtered by day, what
needs the clerk first, counted and paged by SQL through an index. Real SQLite files, the real
accept path; plain and sealed personal data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from store_fixtures import CLERK, NOW, accept, open_window_db, opening_intake, settings_for

from offline_cache import vault
from offline_cache.applications import _matching, _Scope, count_applications, list_applications
from window_app.trust.data_key import DataKey
from window_app.trust.field_cipher import field_cipher

KEY = DataKey(bytes(range(32)))
DAY = (NOW.replace(hour=0, minute=0), NOW.replace(hour=0, minute=0) + dt.timedelta(days=1))
"""NOW's day in its zone (Asia/Shanghai)."""


@pytest.fixture(params=["plain", "sealed"])
def week(request, tmp_path: Path):
    """Seven applications: two on NOW's day (09:30, 10:30), one each of the five days before."""
    settings = settings_for(tmp_path / "data")
    db = open_window_db(settings)
    if request.param == "sealed":
        vault.encrypt_plaintext_rows(db, KEY)
        db.data_key = KEY
    moments = [NOW + dt.timedelta(hours=1), NOW] + [NOW - dt.timedelta(days=days) for days in range(1, 6)]
    receipts = {moment: accept(db, settings, opening_intake() if n % 2 else None, now=moment).receipt_no
                for n, moment in enumerate(sorted(moments))}
    newest_first = [receipts[moment] for moment in sorted(moments, reverse=True)]
    yield db, newest_first
    db.close()


def listed(db, **kwargs) -> list[str]:
    return [summary.receipt_no for summary in list_applications(db, **kwargs)]


def test_pages_follow_each_other_and_the_count_is_every_page(week) -> None:
    db, receipts = week
    pages = [listed(db, limit=3, offset=offset) for offset in (0, 3, 6)]
    assert pages == [receipts[:3], receipts[3:6], receipts[6:]]
    assert count_applications(db) == 7
    assert count_applications(db, "-0002-") == len(listed(db, query="-0002-")) > 0


def test_one_day_of_the_window_calendar(week) -> None:
    db, receipts = week
    assert listed(db, accepted_between=DAY) == receipts[:2]
    assert count_applications(db, accepted_between=DAY) == 2
    # A moment written with another offset is on the day its instant is: 01:00 UTC is 09:00 in
    # Shanghai (today), 23:00 UTC the evening before is 07:00 today too.
    db.execute("UPDATE applications SET accepted_at = '2026-11-26T23:00:00Z' WHERE receipt_no = ?", [receipts[2]])
    assert listed(db, accepted_between=DAY) == [*receipts[:2], receipts[2]]
    db.execute("UPDATE applications SET accepted_at = '2026-11-26T15:59:59+00:00' WHERE receipt_no = ?", [receipts[2]])
    assert receipts[2] not in listed(db, accepted_between=DAY)  # 23:59:59 in Shanghai the day before


def test_what_needs_the_clerk_comes_first_whatever_its_day_then_the_rest_paged(week) -> None:
    db, receipts = week
    first = [receipts[5], receipts[3]]  # older ones: listed first, in this order
    whole = [*first, *receipts[:2]]
    assert listed(db, accepted_between=DAY, first=first) == whole
    assert count_applications(db, accepted_between=DAY, first=first) == 4
    assert [listed(db, accepted_between=DAY, first=first, limit=1, offset=n) for n in range(4)] == [[r] for r in whole]
    # A search keeps the order among what it finds.
    assert listed(db, query=receipts[3], first=first) == [receipts[3]]


def test_one_clerks_list(week) -> None:
    db, receipts = week
    assert listed(db, clerk_id=CLERK.id, limit=2, offset=1) == receipts[1:3]
    assert count_applications(db, clerk_id=CLERK.id) == 7
    assert count_applications(db, clerk_id="somebody else") == 0


def plan(db, scope: _Scope, *, count: bool = False) -> str:
    """The query plan of a page (or the count) of the list in ``scope``, without a search."""
    columns = "count(*)" if count else "receipt_no"
    order = "" if count else " ORDER BY accepted_at DESC, receipt_no DESC LIMIT 60 OFFSET 0"
    sql = f"EXPLAIN QUERY PLAN SELECT {columns} FROM applications WHERE {scope.sql} AND 1{order}"
    return " / ".join(row[-1] for row in db.execute(sql, scope.params).fetchall())


@pytest.mark.parametrize("count", [False, True])
@pytest.mark.parametrize(
    "scope",
    [
        _Scope(None),
        _Scope(None, DAY),
        _Scope(None, DAY, excluding=["x"]),
        _Scope(CLERK.id),
        _Scope(CLERK.id, DAY, excluding=["x"]),
    ],
    ids=["all", "today", "today-but-first", "clerk", "clerk-today"],
)
def test_every_page_and_count_is_read_through_an_index_in_the_lists_order(week, scope, count) -> None:
    db, _receipts = week
    shown = plan(db, scope, count=count)
    assert "USING" in shown and "INDEX" in shown, shown
    wanted = "applications_clerk_accepted" if scope.params["clerk"] else "applications_accepted_at"
    if not count or scope.sql != "1":
        assert wanted in shown, shown
    if scope.sql != "1":
        assert "SCAN applications " not in shown.replace("COVERING INDEX", ""), shown  # a range, not the table
    assert "TEMP B-TREE" not in shown, shown  # the index gives the order: no sort of the whole list


def test_the_page_query_itself_walks_the_index(week) -> None:
    db, _receipts = week
    cipher = field_cipher(db.data_key) if getattr(db, "data_key", None) else None
    traced: list[str] = []
    db.conn.set_trace_callback(traced.append)
    _matching(db, cipher, "", _Scope(None, DAY), 0, 60)
    db.conn.set_trace_callback(None)
    (sql,) = [statement for statement in traced if statement.startswith("SELECT")]
    shown = " / ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + sql).fetchall())
    assert "applications_accepted_at (accepted_at>? AND accepted_at<?)" in shown, shown
