"""Checks for the identifiers a window clerk types: resident ID, USCC, phone number.

Each ``check_*`` function returns ``None`` for a valid value, or the
:class:`~window_app.domain.words.Words` that say what is wrong, in words a clerk can act on. The
check digit a wrong number *should* have is never revealed: it would only help someone forge one.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from window_app.domain.words import Words

# -- 居民身份证号码 (GB 11643-1999) ---------------------------------------------------------

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

# First two digits: a province-level division of GB/T 2260, plus 81/82/83 which the
# residence permits of Hong Kong, Macao and Taiwan residents use (港澳台居民居住证).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip

EARLIEST_BIRTH_YEAR = 1900

Sex = Literal["male", "female"]


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS))
    return RESIDENT_ID_CHECK_CHARS[total % 11]


def check_resident_id(value: str, *, today: dt.date | None = None) -> Words | None:
    """Check an 18-character resident ID number (居民身份证号码).

    Args:
        value: The number as typed; a lowercase ``x`` check character is accepted.
        today: The date births may not come after; the system date if omitted.

    Returns:
        ``None`` when valid, otherwise why not (length, characters, region, birth date or
        check digit, checked in that order).
    """
    if len(value) != 18:
        return Words(
            f"身份证号码应为18位，现为{len(value)}位", f"A resident ID number has 18 characters, not {len(value)}"
        )
    if not value[:17].isascii() or not value[:17].isdigit() or value[17] not in "0123456789Xx":
        return Words(
            "身份证号码前17位应为数字，最后一位为数字或X", "A resident ID number is 17 digits followed by a digit or X"
        )
    if value[:2] not in PROVINCE_CODES:
        return Words(
            "身份证号码的地址码（前两位）不是有效的省级行政区划代码",
            "The first two digits of the resident ID number are not a province code",
        )
    birth = _birth_date(value)
    today = today or dt.date.today()
    if birth is None or birth.year < EARLIEST_BIRTH_YEAR or birth > today:
        return Words("身份证号码中的出生日期不正确", "The birth date in the resident ID number is not valid")
    if resident_id_check_char(value[:17]) != value[17].upper():
        return Words("身份证号码校验码不正确", "The check digit of the resident ID number is wrong")
    return None


def _birth_date(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def birth_date_of(resident_id: str) -> dt.date:
    """The birth date encoded in a resident ID number (digits 7–14).

    Raises:
        ValueError: The number does not hold a real date.
    """
    birth = _birth_date(resident_id) if len(resident_id) == 18 else None
    if birth is None:
        raise ValueError(f"no birth date in resident ID number {resident_id!r}")
    return birth


def sex_of(resident_id: str) -> Sex:
    """The sex encoded in a resident ID number: digit 17 is odd for men, even for women.

    Raises:
        ValueError: Digit 17 is not a digit.
    """
    if len(resident_id) != 18 or not resident_id[16].isdigit():
        raise ValueError(f"no sex digit in resident ID number {resident_id!r}")
    return "male" if int(resident_id[16]) % 2 else "female"


# -- 统一社会信用代码 (GB 32100-2015) -------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Position 1, the registration authority (登记管理部门): 1 机构编制, 2 外交, 3 司法行政, 4 文化,
# 5 民政, 6 旅游, 7 宗教, 8 工会, 9 市场监管(工商), A 中央军委改革和编制办公室, N 农业, Y 其他.
USCC_AUTHORITY_CODES = frozenset("123456789ANY")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(value: str) -> Words | None:
    """Check a unified social credit code (统一社会信用代码).

    Layout: 1 registration authority, 2 organisation type, 3–8 region code (digits),
    9–17 organisation code, 18 check character.

    Returns:
        ``None`` when valid, otherwise why not.
    """
    if len(value) != 18:
        return Words(
            f"统一社会信用代码应为18位，现为{len(value)}位",
            f"A unified social credit code has 18 characters, not {len(value)}",
        )
    if any(char not in USCC_ALPHABET for char in value):
        return Words(
            "统一社会信用代码只能包含数字和大写字母（不含I、O、Z、S、V）",
            "A unified social credit code holds only digits and capital letters other than I, O, Z, S, V",
        )
    if value[0] not in USCC_AUTHORITY_CODES:
        return Words(
            "统一社会信用代码第1位登记管理部门代码不正确",
            "The first character (registration authority) of the unified social credit code is wrong",
        )
    if not value[2:8].isdigit():
        return Words(
            "统一社会信用代码第3至8位应为行政区划代码（数字）",
            "Characters 3 to 8 of the unified social credit code must be a region code (digits)",
        )
    if uscc_check_char(value[:17]) != value[17]:
        return Words("统一社会信用代码校验码不正确", "The check character of the unified social credit code is wrong")
    return None


# -- 电话号码 ---------------------------------------------------------------------------------

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")  # area code, optional hyphen, local number


def check_phone(value: str) -> Words | None:
    """Check a mainland phone number: mobile (13985912345) or landline (0851-83812345).

    Returns:
        ``None`` when valid, otherwise why not.
    """
    if value.isascii() and (MOBILE.fullmatch(value) or LANDLINE.fullmatch(value)):
        return None
    return Words(
        "电话号码格式不正确：手机号为11位（1开头），固定电话须带区号（如0851-83812345）",
        "Not a phone number: a mobile has 11 digits starting with 1; a landline needs its area "
        "code (e.g. 0851-83812345)",
    )
