"""The statistics' numbers on small cases computed by hand (window_app/reporting/).

Days: 2026-11-23 is a Monday. Times are stored as the window writes them (ISO with +08:00) or
UTC (``…Z``, as the sync writes decisions).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from window_app.domain.reports import HotEntry, ReportedApplication, ReportedPart, StoredHotList
from window_app.domain.words import Words
from window_app.reporting.export import COLUMNS, report_csv, report_json
from window_app.reporting.hooks import ReportHooks
from window_app.reporting.hot import choose_hot_list
from window_app.reporting.numbers import average, build_report, p90
from window_app.reporting.periods import BadPeriod, date_range, named_period
from window_app.reporting.working_days import working_days_between

CST = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2026, 11, 23)


def app(
    receipt: str,
    offering: str = "newborn",
    *,
    accepted: str = "2026-11-23T09:00:00+08:00",
    concluded: str | None = None,
    parts: tuple[ReportedPart, ...] = (),
    at_window: tuple[str, ...] = (),
    clerk: str = "A1",
    materials: tuple[int, int] = (0, 0),
    fields: tuple[int, int] = (0, 0),
) -> ReportedApplication:
    return ReportedApplication(
        receipt_no=receipt,
        offering_id=offering,
        offering_kind="bundle",
        offering_name=Words(offering, offering),
        clerk_id=clerk,
        accepted_at=accepted,
        concluded_at=concluded,
        state="concluded" if concluded else "in_progress",
        materials_merged=materials[0],
        materials_separate=materials[1],
        fields_merged=fields[0],
        fields_separate=fields[1],
        parts=parts,
        at_window=at_window,
    )


def part(department: str, *items: str, decided: str | None = None) -> ReportedPart:
    return ReportedPart(department, items, decided, "approved" if decided else "sent")


def report_of(apps, **kwargs):
    return build_report(date_range("2026-11-01", "2026-11-30"), apps, zone=CST, **kwargs)


# -- working days, averages -------------------------------------------------------------------


def test_working_days_skip_the_weekend_as_the_promised_date_does() -> None:
    friday = MONDAY + dt.timedelta(days=4)
    assert working_days_between(MONDAY, MONDAY) == 0
    assert working_days_between(MONDAY, MONDAY + dt.timedelta(days=1)) == 1
    assert working_days_between(friday, friday + dt.timedelta(days=3)) == 1  # Friday → Monday
    assert working_days_between(friday, friday + dt.timedelta(days=1)) == 0  # Saturday: still Friday's
    assert working_days_between(MONDAY, MONDAY + dt.timedelta(days=14)) == 10


def test_p90_is_the_nearest_rank_and_the_average_has_one_decimal() -> None:
    assert p90([]) is None and average([]) is None
    assert p90([5]) == 5
    assert p90(list(range(1, 11))) == 9  # ceil(0.9 × 10) = 9th
    assert p90(list(range(1, 12))) == 10  # ceil(9.9) = 10th
    assert average([1, 2, 2]) == 1.7


# -- the report ---------------------------------------------------------------------------


def test_counts_savings_and_times_per_bundle_item_department_and_clerk() -> None:
    apps = [
        # Concluded Wednesday (2 working days); tax decided Tuesday, police Wednesday.
        app(
            "R1",
            concluded="2026-11-25T10:00:00+08:00",
            parts=(part("tax", "t1", decided="2026-11-24T02:00:00Z"), part("police", "p1", "p2", decided="2026-11-25T01:00:00Z")),
            materials=(6, 17),
            fields=(16, 40),
        ),
        # Accepted Friday, concluded the next Friday: 5 working days.
        app(
            "R2",
            accepted="2026-11-27T16:00:00+08:00",
            concluded="2026-12-04T09:00:00+08:00",
            parts=(part("tax", "t1", decided="2026-12-04T01:00:00Z"),),
            materials=(3, 5),
            fields=(4, 9),
            clerk="A2",
        ),
        # Not concluded: counted, not timed.
        app("R3", offering="death_affairs", parts=(part("police", "p1"),), materials=(2, 2), fields=(3, 3)),
    ]
    report = report_of(apps, department_name=lambda d: Words(d.upper(), d.upper()))

    total = report.total
    assert (total.applications, total.concluded, total.at_window) == (3, 2, 0)
    assert (total.materials_merged, total.materials_separate, total.materials_saved) == (11, 24, 13)
    assert (total.fields_merged, total.fields_separate, total.fields_saved) == (23, 52, 29)
    assert (total.avg_working_days, total.p90_working_days) == (3.5, 5)

    newborn, death = report.section("bundle")
    assert (newborn.id, newborn.applications, newborn.concluded, newborn.avg_working_days, newborn.p90_working_days) == ("newborn", 2, 2, 3.5, 5)
    assert (newborn.materials_saved, newborn.fields_saved) == (11 + 2, 24 + 5)
    assert (death.id, death.applications, death.concluded, death.avg_working_days) == ("death_affairs", 1, 0, None)

    departments = {row.id: row for row in report.section("department")}
    # tax: R1 decided the next day (1), R2 the next Friday (5) → avg 3.0, p90 5
    assert (departments["tax"].applications, departments["tax"].concluded, departments["tax"].avg_working_days, departments["tax"].p90_working_days) == (2, 2, 3.0, 5)
    # police: R1 decided Wednesday (2); R3 not decided
    assert (departments["police"].applications, departments["police"].concluded, departments["police"].avg_working_days) == (2, 1, 2.0)
    assert departments["tax"].name == Words("TAX", "TAX")
    assert departments["tax"].materials_saved is None  # savings are the application's, not a department's

    items = {row.id: row for row in report.section("item")}
    assert (items["t1"].applications, items["t1"].concluded) == (2, 2)
    assert (items["p1"].applications, items["p1"].concluded) == (2, 1)
    assert {row.id: row.applications for row in report.section("clerk")} == {"A1": 2, "A2": 1}


def test_a_bundle_concluded_at_the_window_counts_as_such_and_its_part_is_not_timed_as_the_department_s() -> None:
    filed = app(
        "R1",
        concluded="2026-11-23T09:05:00+08:00",
        parts=(part("police", "hukou", decided="2026-11-23T01:05:00Z"),),
        at_window=("hukou",),
    )
    partly = app(
        "R2",
        parts=(part("police", "hukou", decided="2026-11-23T01:05:00Z"), part("health", "vaccine")),
        at_window=("hukou",),
    )
    report = report_of([filed, partly])
    assert (report.total.applications, report.total.at_window) == (2, 1)
    assert report.total.avg_working_days == 0.0  # the filed one: concluded the day it was accepted
    police = next(row for row in report.section("department") if row.id == "police")
    assert (police.applications, police.concluded, police.at_window, police.avg_working_days) == (2, 2, 2, None)
    hukou = next(row for row in report.section("item") if row.id == "hukou")
    assert (hukou.applications, hukou.at_window) == (2, 2)


def test_hooked_columns_show_nothing_until_connected_and_then_count() -> None:
    apps = [app("R1", parts=(part("tax", "t1"),)), app("R2", parts=(part("tax", "t1"),))]
    unhooked = report_of(apps, sources=ReportHooks().sources())
    assert (unhooked.total.overdue_parts, unhooked.total.ratings, unhooked.total.rating_avg) == (None, None, None)
    assert "not connected" in unhooked.sources["overdue_parts"].en
    assert "未接入" in unhooked.sources["ratings"].zh

    hooks = ReportHooks(overdue_parts=lambda db, receipts: {"R1": 2}, ratings=lambda db, receipts: {"R1": [5], "R2": [4, 2]})
    hooked = report_of(
        apps, overdue=hooks.overdue_parts(None, ["R1", "R2"]), ratings=hooks.ratings(None, ["R1", "R2"]), sources=hooks.sources()
    )
    assert (hooked.total.overdue_parts, hooked.total.ratings, hooked.total.rating_avg) == (2, 3, 3.67)
    assert "not connected" not in hooked.sources["ratings"].en


def test_csv_and_json_have_the_same_stable_columns() -> None:
    report = report_of([app("R1", concluded="2026-11-24T09:00:00+08:00", parts=(part("tax", "t1", decided="2026-11-24T01:00:00Z"),), materials=(1, 3))])
    document = json.loads(json.dumps(report_json(report), ensure_ascii=False))
    assert document["columns"] == list(COLUMNS)
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert [row["section"] for row in rows] == [row["section"] for row in document["rows"]] == ["total", "bundle", "item", "department", "clerk"]
    assert rows[0]["materials_saved"] == "2" and document["rows"][0]["materials_saved"] == 2
    assert rows[0]["overdue_parts"] == "" and document["rows"][0]["overdue_parts"] is None
    assert document["period"] == {"name": "range", "from": "2026-11-01", "to": "2026-11-30"}


# -- periods --------------------------------------------------------------------------------


def test_periods_are_days_of_the_window_s_calendar() -> None:
    wednesday = MONDAY + dt.timedelta(days=2)
    assert (named_period("today", wednesday).first, named_period("today", wednesday).last) == (wednesday, wednesday)
    assert named_period("week", wednesday).first == MONDAY
    assert named_period("month", wednesday).first == dt.date(2026, 11, 1)
    start, end = named_period("today", wednesday).bounds(CST)
    assert (start.astimezone(dt.UTC).isoformat(), end - start) == ("2026-11-24T16:00:00+00:00", dt.timedelta(days=1))
    with pytest.raises(BadPeriod) as bad:
        date_range("2026-11-30", "2026-11-01")
    assert "before" in bad.value.words.en
    with pytest.raises(BadPeriod):
        date_range("yesterday", "2026-11-01")
    with pytest.raises(BadPeriod):
        named_period("year", wednesday)


# -- the hot list ---------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 27, 9, 30, tzinfo=CST)
OFFERED = ["a", "b", "c", "d"]
FLAGGED = ["c", "d"]


def test_the_hot_list_is_the_exchange_s_while_fresh_then_local_use_then_the_catalog_flag() -> None:
    fresh = StoredHotList("522325", 90, (NOW - dt.timedelta(hours=2)).isoformat(), (HotEntry("b", 9), HotEntry("zzz", 5)))
    stale = StoredHotList("522325", 90, (NOW - dt.timedelta(days=10)).isoformat(), (HotEntry("b", 9),))
    local = [HotEntry("a", 3)]

    from_exchange = choose_hot_list(OFFERED, FLAGGED, stored=fresh, local=local, now=NOW)
    assert (from_exchange.source, from_exchange.ids) == ("exchange", ("b", "c", "d"))  # zzz: not offered here
    from_local = choose_hot_list(OFFERED, FLAGGED, stored=stale, local=local, now=NOW)
    assert (from_local.source, from_local.ids) == ("local", ("a", "c", "d"))
    cold = choose_hot_list(OFFERED, FLAGGED, stored=None, local=[], now=NOW)
    assert (cold.source, cold.ids) == ("catalog", ("c", "d"))
    assert "a" in from_local and "b" not in from_local
    assert choose_hot_list(OFFERED, FLAGGED, stored=None, local=local, now=NOW, size=1).ids == ("a",)
