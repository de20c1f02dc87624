"""Receipt numbers: unique across windows without coordination, typos caught; the printed slip."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from catalog_builders import AGENT_ID, MOTHER_ID, build_catalog
from rich.cells import cell_len
from store_fixtures import NOW, accept, newborn_intake, open_window_db, opening_intake, settings_for

from offline_cache.applications import get_application
from window_app.domain.intake import MaterialStatus, Person
from window_app.domain.receipt_no import check_receipt_no, format_receipt_no, normalize_receipt_no
from window_app.domain.words import set_language
from window_app.receipt import (
    RECEIPT_WIDTH,
    add_working_days,
    mask_id_number,
    mask_phone,
    render_receipt,
)

ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SAMPLES = [
    format_receipt_no("522325", dt.date(2026, 11, 27), "ZF-01", "K7Q3", 1),
    format_receipt_no("520000", dt.date(2027, 1, 4), "GY-SZ-12", "0W9Z", 9876),
    format_receipt_no("522300", dt.date(2026, 2, 28), "7", "ABCD", 12345),
]


def test_the_format_is_readable_and_sorts_by_day() -> None:
    number = SAMPLES[0]
    assert re.fullmatch(r"522325-261127-ZF-01-K7Q3-0001-[0-9A-HJKMNP-TV-Z]{2}", number)
    later = format_receipt_no("522325", dt.date(2026, 11, 28), "ZF-01", "K7Q3", 1)
    assert number < later


@pytest.mark.parametrize("number", SAMPLES)
def test_well_formed_numbers_check(number: str) -> None:
    assert check_receipt_no(number)
    assert check_receipt_no(number.lower())
    assert check_receipt_no(f"  {number[:13]} {number[13:]} ")  # spaces from copying a slip
    full_width = number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert check_receipt_no(full_width)  # typed with a Chinese IME


@pytest.mark.parametrize("number", SAMPLES)
def test_every_single_character_typo_is_caught_or_harmless(number: str) -> None:
    """A typo is refused, unless it is an O for a 0 (I or L for a 1) where only digits or
    Crockford characters can stand: then it reads as the same number."""
    for index, char in enumerate(number):
        if char == "-":
            continue
        for other in ALPHANUMERIC:
            if other != char:
                typo = number[:index] + other + number[index + 1 :]
                assert not check_receipt_no(typo) or normalize_receipt_no(typo) == number, typo


def test_what_a_reader_confuses_on_a_slip_still_finds_the_number() -> None:
    number = format_receipt_no("522310", dt.date(2026, 10, 1), "ZF-01", "01QZ", 10)
    region, day, window_a, window_b, tag, sequence, check = number.split("-")
    confused = [part.replace("0", "O").replace("1", "I") for part in (region, day, tag, sequence, check)]
    misread = "-".join([*confused[:2], window_a, window_b, *confused[2:]])
    assert misread == "5223IO-26IOOI-ZF-01-OIQZ-OOIO-" + check.replace("0", "O").replace("1", "I")
    assert check_receipt_no(misread)
    assert normalize_receipt_no(misread) == number
    # The window id is not digits-only: an O there is a different window.
    assert not check_receipt_no(number.replace("ZF-01", "ZF-O1"))
    assert not set(number.split("-", 5)[-1]) & set("ILOU")  # the check characters are unambiguous


@pytest.mark.parametrize("number", SAMPLES)
def test_every_swap_of_neighbouring_characters_is_caught(number: str) -> None:
    compact = [i for i, char in enumerate(number) if char != "-"]
    for first, second in zip(compact, compact[1:]):  # neighbours across a hyphen too
        if number[first] == number[second]:
            continue
        swapped = list(number)
        swapped[first], swapped[second] = swapped[second], swapped[first]
        assert not check_receipt_no("".join(swapped)), "".join(swapped)


@pytest.mark.parametrize("text", ["", "522325-261127", "hello", "522325-261127-ZF-01-K7Q3-0001", "522325-261127--K7Q3-0001-AA"])
def test_malformed_text_does_not_check(text: str) -> None:
    assert not check_receipt_no(text)


def test_two_windows_misconfigured_with_the_same_id_never_collide(tmp_path) -> None:
    """Same region, same window id, same day, no coordination: the database tags keep them apart
    (equal tags: one chance in 1,048,576)."""
    settings_a, settings_b = settings_for(tmp_path / "a"), settings_for(tmp_path / "b")
    db_a, db_b = open_window_db(settings_a), open_window_db(settings_b)
    try:
        numbers = [accept(db, settings).receipt_no for _ in range(3) for db, settings in ((db_a, settings_a), (db_b, settings_b))]
    finally:
        db_a.close()
        db_b.close()
    assert len(set(numbers)) == 6
    assert {number.split("-")[-2] for number in numbers} == {"0001", "0002", "0003"}
    assert all(check_receipt_no(number) for number in numbers)


def test_the_sequence_restarts_each_day_and_is_per_window(tmp_path) -> None:
    settings = settings_for(tmp_path)
    db = open_window_db(settings)
    try:
        today = [accept(db, settings).receipt_no for _ in range(2)]
        tomorrow = accept(db, settings, now=NOW + dt.timedelta(days=1)).receipt_no
        renamed = settings_for(tmp_path, window_id="ZF-02")
        other_window = accept(db, renamed).receipt_no
    finally:
        db.close()
    assert [n.split("-")[-2] for n in today] == ["0001", "0002"]
    assert "-261128-" in tomorrow and tomorrow.split("-")[-2] == "0001"
    assert "-ZF-02-" in other_window and other_window.split("-")[-2] == "0001"


def test_working_days_skip_weekends() -> None:
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)  # Monday
    assert add_working_days(friday, 5) == dt.date(2026, 12, 4)
    assert add_working_days(dt.date(2026, 11, 28), 1) == dt.date(2026, 11, 30)  # from a Saturday


def test_masks() -> None:
    assert mask_id_number("52232519900307002X") == "522325********002X"
    assert mask_phone("13985912345") == "139****2345"
    assert mask_phone("0859-4211234") == "085*-***1234"


def _render(tmp_path, intake, language="zh") -> str:
    settings = settings_for(tmp_path)
    db = open_window_db(settings)
    catalog = build_catalog()
    try:
        accepted = accept(db, settings, intake, catalog=catalog)
        set_language(language)
        return render_receipt(get_application(db, accepted.receipt_no), catalog)
    finally:
        set_language("zh")
        db.close()


def test_the_slip_fits_sixty_columns_and_masks_the_resident_id(tmp_path) -> None:
    intake = newborn_intake()
    intake.applicant.agent = Person("钱七", AGENT_ID, "13800002222")
    intake.materials["marriage_certificate"] = MaterialStatus("deficient", promised_date="2026-12-10")
    text = _render(tmp_path, intake)

    assert all(cell_len(line) <= RECEIPT_WIDTH for line in text.splitlines()), text
    assert "贞丰县政务服务中心" in text and "受理回执" in text
    assert re.search(r"受理编号：522325-261127-ZF-01-[0-9A-Z]{4}-0001-[0-9A-Z]{2}", text)
    assert "2026年11月27日 09:30" in text
    assert "522325********002X" in text and MOTHER_ID not in text
    assert "钱七" in text and AGENT_ID not in text
    assert "出生一件事" in text and "贞丰县公安局" in text  # bundle and lead department
    assert "第3环节" in text and "社会保障卡申领" in text and "承诺10个工作日" in text
    assert re.search(r"出生医学证明 \.+ 原件", text)
    assert "共享核验（待联网核验）" in text
    assert "容缺，承诺2026-12-10前补交" in text
    assert "2026年12月15日前（12个工作日" in text
    assert "12345" in text and "签字" in text


def test_an_enterprise_slip_shows_the_enterprise(tmp_path) -> None:
    text = _render(tmp_path, opening_intake())
    assert "申请单位：贞丰县好运来餐饮有限公司" in text
    assert "统一社会信用代码：（设立登记中）" in text
    assert "085*-***1234" in text
    assert all(cell_len(line) <= RECEIPT_WIDTH for line in text.splitlines())


def test_the_slip_in_english(tmp_path) -> None:
    text = _render(tmp_path, newborn_intake(), language="en")
    assert "Acceptance Receipt" in text
    assert "A child is born" in text
    assert "Zhenfeng Public Security" in text
    assert "Promised by: 2026-12-15 (12 working days" in text
    assert "：" not in text  # no full-width punctuation in English
    assert all(cell_len(line) <= RECEIPT_WIDTH for line in text.splitlines()), text
