"""Finding accepted applications again: the list, the search, one application in full."""

from __future__ import annotations

import datetime as dt

import pytest
from catalog_builders import MOTHER_ID
from store_fixtures import NOW, accept, newborn_intake, open_window_db, opening_intake, settings_for

from offline_cache.applications import get_application, list_applications
from window_app.domain.intake import Person
from window_app.domain.words import Words


@pytest.fixture
def filled(tmp_path):
    """Three applications an hour apart: 王小红 (newborn), 好运来 (enterprise), 赵六 with an agent."""
    settings = settings_for(tmp_path)
    db = open_window_db(settings)
    third = newborn_intake()
    third.applicant.person = Person("赵六", "11010519491231002X", "13700001111")
    third.applicant.agent = Person("钱七", "522325198805120012", "13800002222")
    receipts = [
        accept(db, settings, intake, now=NOW + dt.timedelta(hours=hour)).receipt_no
        for hour, intake in enumerate((newborn_intake(), opening_intake(), third))
    ]
    yield db, receipts
    db.close()


def test_the_list_is_newest_first_with_each_departments_part(filled) -> None:
    db, receipts = filled
    summaries = list_applications(db)
    assert [s.receipt_no for s in summaries] == receipts[::-1]
    opening = summaries[1]
    assert (opening.offering_name, opening.applicant_name) == (Words("企业开办", "Opening an enterprise"), "贞丰县好运来餐饮有限公司")
    assert [(p.department, p.stage, p.state) for p in opening.parts] == [
        ("market_regulation", 1, "queued"),
        ("public_security", 2, "waiting"),
        ("tax", 2, "waiting"),
    ]
    assert opening.parts[0].items == ("business_licence",)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("王小红", [0]),
        ("小红", [0]),  # part of a name
        ("好运来", [1]),
        ("出生", [2, 0]),  # offering name
        ("opening an", [1]),  # English offering name, any case
        (MOTHER_ID[:10], [0]),  # start of a resident ID
        ("002x", [2, 0]),  # end of a resident ID, lower-case x
        ("-0002-", [1]),  # part of a receipt number
        ("５２２３２５", [2, 1, 0]),  # typed with a full-width IME
        ("%", []),  # a wildcard is matched literally
        ("钱七", []),  # the agent is not the applicant
    ],
)
def test_search_matches_receipt_name_number_and_offering(filled, query, expected) -> None:
    db, receipts = filled
    assert [s.receipt_no for s in list_applications(db, query)] == [receipts[i] for i in expected]


def test_search_by_the_full_receipt_number_as_read_off_the_slip(filled) -> None:
    db, receipts = filled
    assert [s.receipt_no for s in list_applications(db, receipts[1].lower())] == [receipts[1]]
    region, day, *rest = receipts[1].split("-")
    misread = "-".join([region, day.replace("1", "I")] + rest)  # 26II27 for 261127
    assert [s.receipt_no for s in list_applications(db, misread)] == [receipts[1]]


def test_the_list_stops_at_the_limit(filled) -> None:
    db, receipts = filled
    assert [s.receipt_no for s in list_applications(db, limit=2)] == receipts[:0:-1]


def test_one_application_in_full(filled) -> None:
    db, receipts = filled
    detail = get_application(db, receipts[2])
    assert detail.intake.applicant.agent == Person("钱七", "522325198805120012", "13800002222")
    assert detail.intake.fields["child_name"] == "王小明"
    assert detail.intake.fields["applicant_name"] == "赵六"  # prefilled at acceptance
    assert list(detail.intake.materials) == list(newborn_intake().materials)  # checklist order kept
    assert detail.summary.accepted_at == "2026-11-27T11:30:00+08:00"
    assert detail.centre == "贞丰县政务服务中心"
    assert len(detail.audit) == 1 and detail.audit[0].receipt_no == receipts[2]
    row = db.execute("SELECT phone, agent_name FROM applications WHERE receipt_no = ?", [receipts[2]]).fetchone()
    assert row == ("13700001111", "钱七")


def test_an_unknown_receipt_number_is_a_key_error(filled) -> None:
    db, _ = filled
    with pytest.raises(KeyError):
        get_application(db, "522325-261127-ZF-01-AAAA-0009-00")
