"""Resident ID (GB 11643), USCC (GB 32100) and phone checks, with real numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from window_app.domain.identifiers import (
    birth_date_of,
    check_phone,
    check_resident_id,
    check_uscc,
    sex_of,
)

TODAY = dt.date(2026, 11, 27)


# -- resident ID --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",  # the textbook example of GB 11643
        "11010519491231002x",  # lowercase x as people type it
        "52232519900307002X",  # 贞丰县, born 1990-03-07
        "522325198805120012",
        "440304202611200028",  # born a week ago: a newborn has an ID too
    ],
)
def test_valid_resident_ids_pass(number: str) -> None:
    assert check_resident_id(number, today=TODAY) is None


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("11010519491231002", "应为18位，现为17位"),
        ("11010519491231002X1", "应为18位，现为19位"),
        ("", "应为18位，现为0位"),
        ("1101051949123100XX", "前17位应为数字"),
        ("11010519491231002Y", "前17位应为数字"),
        ("１１０１０５１９４９１２３１００２Ｘ", "前17位应为数字"),  # full-width digits from a Chinese IME
        ("99010519491231002X", "地址码"),
        ("00010519491231002X", "地址码"),
        ("110105194902300021", "出生日期"),  # 30 February
        ("110105189912310021", "出生日期"),  # before 1900
        ("522325202612010019", "出生日期"),  # born next week: check digit right, date in the future
        ("110105194912310021", "校验码不正确"),
        ("11010519491231002 ", "前17位应为数字"),
    ],
)
def test_invalid_resident_ids_say_why(number: str, says: str) -> None:
    invalid = check_resident_id(number, today=TODAY)
    assert invalid is not None
    assert says in invalid.zh
    assert invalid.en


def test_wrong_check_digit_message_does_not_reveal_the_right_one() -> None:
    invalid = check_resident_id("110105194912310021", today=TODAY)
    assert invalid is not None
    assert invalid.zh == "身份证号码校验码不正确"
    assert invalid.en == "The check digit of the resident ID number is wrong"


def test_each_mistake_has_its_own_message() -> None:
    numbers = ["1101051949123100", "1101051949123100XX", "99010519491231002X", "110105194902300021", "110105194912310021"]
    messages = {check_resident_id(number, today=TODAY).zh for number in numbers}
    assert len(messages) == len(numbers)


def test_birth_date_and_sex_are_read_from_the_number() -> None:
    assert birth_date_of("11010519491231002X") == dt.date(1949, 12, 31)
    assert sex_of("11010519491231002X") == "female"  # digit 17 is 2
    assert sex_of("522325198805120012") == "male"  # digit 17 is 1


def test_birth_date_of_a_number_without_a_date_is_an_error() -> None:
    with pytest.raises(ValueError):
        birth_date_of("110105194902300021")
    with pytest.raises(ValueError):
        sex_of("1101")


# -- unified social credit code ------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",  # a widely cited sample code
        "914403001922038216",  # 华为技术有限公司
        "91330100799655058B",  # 阿里巴巴（中国）有限公司
        "91522325MA6DW1234H",
    ],
)
def test_valid_usccs_pass(code: str) -> None:
    assert check_uscc(code) is None


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y4", "应为18位，现为17位"),
        ("91350100M000100Y43A", "应为18位，现为19位"),
        ("91350100M0001O0Y43", "不含I、O、Z、S、V"),  # letter O instead of zero
        ("91350100m000100y43", "不含I、O、Z、S、V"),  # lowercase
        ("B1350100M000100Y43", "登记管理部门"),
        ("913501A0M000100Y43", "行政区划代码"),
        ("91350100M000100Y44", "校验码不正确"),
        ("914403001922038215", "校验码不正确"),
    ],
)
def test_invalid_usccs_say_why(code: str, says: str) -> None:
    invalid = check_uscc(code)
    assert invalid is not None
    assert says in invalid.zh
    assert invalid.en


def test_a_resident_id_is_not_a_uscc() -> None:
    assert check_uscc("11010519491231002X") is not None


# -- phone --------------------------------------------------------------------------------


@pytest.mark.parametrize("phone", ["13985912345", "19908512345", "0851-83812345", "085183812345", "010-12345678", "0859-4211234"])
def test_valid_phones_pass(phone: str) -> None:
    assert check_phone(phone) is None


@pytest.mark.parametrize(
    "phone",
    ["12345678901", "1398591234", "139859123456", "83812345", "0851-838", "139 8591 2345", "+8613985912345", "１３９８５９１２３４５", ""],
)
def test_invalid_phones_are_rejected(phone: str) -> None:
    invalid = check_phone(phone)
    assert invalid is not None
    assert "电话号码格式不正确" in invalid.zh
