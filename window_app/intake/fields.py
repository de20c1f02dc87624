"""Checking one value of the unified form against its field definition."""

from __future__ import annotations

import datetime as dt
import math
import re

from window_app.domain.catalog import Catalog, FormField
from window_app.domain.identifiers import check_phone, check_resident_id, check_uscc
from window_app.domain.words import Words, counted

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST_YEAR = 1900
LATEST_YEARS_AHEAD = 50  # a date further ahead than this is a typo, whatever the field means
BOOL_VALUES = ("true", "false")


def is_blank(value: str | None) -> bool:
    """Empty or only whitespace: the clerk typed nothing."""
    return value is None or not value.strip()


def parse_iso_date(value: str) -> dt.date | None:
    """A strict ``YYYY-MM-DD`` date, or ``None`` (``date.fromisoformat`` also takes 20261120)."""
    if not value.isascii() or not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def check_field(
    field: FormField,
    value: str | None,
    *,
    today: dt.date,
    catalog: Catalog | None = None,
    required: bool | None = None,
) -> Words | None:
    """Check a value typed into a form field.

    Args:
        field: The field definition (type, bounds, choices …).
        value: The text as typed; ``None`` or blank means not filled.
        today: The window's date (resident ID birth dates and sane dates depend on it).
        catalog: Knows the regions for ``region`` fields; without it any 6-digit code passes.
        required: Overrides ``field.required`` (the unified form decides it across items).

    Returns:
        ``None`` when acceptable, otherwise why not. A blank optional field is acceptable.
    """
    if is_blank(value):
        if field.required if required is None else required:
            return Words("请填写“{label}”", "“{label}” is required").format(label=field.label)
        return None
    assert value is not None
    checker = _CHECKERS[field.type]
    return checker(field, value, today, catalog)


def _check_text(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    if field.min_length is not None and len(value) < field.min_length:
        return Words(f"至少{field.min_length}个字", f"At least {counted(field.min_length, 'character')}")
    if field.max_length is not None and len(value) > field.max_length:
        return Words(f"最多{field.max_length}个字", f"At most {counted(field.max_length, 'character')}")
    if field.pattern and not re.fullmatch(field.pattern, value):
        # The catalog's hint says what the format is; each message quotes its own language's
        # (an English message never quotes a Chinese hint).
        hint = field.hint
        return Words(
            "格式不正确（{hint}）" if hint.zh else "格式不正确",
            "Wrong format ({hint})" if hint.en else "Wrong format",
        ).format(hint=Words(hint.zh.rstrip("。."), hint.en.removesuffix(".")))
    return None


def _check_id_number(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    return check_resident_id(value, today=today)


def _check_uscc(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    return check_uscc(value)


def _check_phone(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    return check_phone(value)


def _check_date(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    date = parse_iso_date(value)
    if date is None:
        return Words("日期格式应为YYYY-MM-DD（如2026-11-20）", "A date is written YYYY-MM-DD (e.g. 2026-11-20)")
    if date.year < EARLIEST_YEAR or date.year > today.year + LATEST_YEARS_AHEAD:
        return Words("日期超出合理范围，请检查年份", "The date is out of range; check the year")
    return None


def _check_number(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    number = _parse_number(value)
    if number is None:
        return Words("请填写数字", "Enter a number")
    if field.minimum is not None and number < field.minimum:
        return Words(f"不能小于{_plain(field.minimum)}", f"Must be at least {_plain(field.minimum)}")
    if field.maximum is not None and number > field.maximum:
        return Words(f"不能大于{_plain(field.maximum)}", f"Must be at most {_plain(field.maximum)}")
    return None


def _parse_number(value: str) -> float | None:
    # float() alone would take "nan", "1e3" and "1_000"; a clerk types plain decimals
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value.strip()) or not value.isascii():
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _check_choice(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    if any(choice.value == value for choice in field.choices):
        return None
    labels = Words.join(Words("、", ", "), (choice.label for choice in field.choices))
    return Words("请从以下选项中选择：{labels}", "Choose one of: {labels}").format(labels=labels)


def _check_bool(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    if value in BOOL_VALUES:
        return None
    return Words("应为“是”或“否”（true / false）", "Must be yes or no (true / false)")


def _check_region(field: FormField, value: str, today: dt.date, catalog: Catalog | None) -> Words | None:
    if not (len(value) == 6 and value.isascii() and value.isdigit()):
        return Words("行政区划代码应为6位数字", "A region code has 6 digits")
    if catalog is not None and value not in catalog.regions:
        return Words("目录中没有该行政区划代码", "The catalog does not know this region code")
    return None


_CHECKERS = {
    "text": _check_text,
    "id_number": _check_id_number,
    "uscc": _check_uscc,
    "phone": _check_phone,
    "date": _check_date,
    "number": _check_number,
    "choice": _check_choice,
    "bool": _check_bool,
    "region": _check_region,
}


def value_words(catalog: Catalog, field: FormField, value: str) -> Words | None:
    """A stored value as a person reads it, where that differs from the value: a choice's
    label, 是/否 for a yes/no field, a region's name; ``None`` for text, numbers and dates."""
    if not value:
        return None
    if field.type == "choice":
        return next((choice.label for choice in field.choices if choice.value == value), None)
    if field.type == "bool":
        return Words("是", "yes") if value == "true" else Words("否", "no") if value == "false" else None
    if field.type == "region" and value in catalog.regions:
        name = catalog.regions[value].name
        return Words("{n}（{c}）", "{n} ({c})").format(n=name, c=value)
    return None
