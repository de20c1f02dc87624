"""Cross-field rules (declared in the catalog) checked against a form's values.

A careful clerk checks more than each value alone: the seller is not the buyer, the father's ID
number is a man's, a child is not born after today. The catalog declares these checks as data
(:class:`~window_app.domain.catalog.FieldRule`, ``[[field.rule]]`` and ``[[bundle.rule]]``); this
module applies them, so ``window-app accept``, the guide's validation and the screens refuse the
same, in words that name the fields concerned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from window_app.domain.catalog import TODAY, Catalog, FieldRule, FormField, Offering
from window_app.domain.identifiers import birth_date_of, sex_of
from window_app.domain.intake import Problem, UnifiedForm
from window_app.domain.words import Words
from window_app.intake.fields import check_field, is_blank, parse_iso_date

_SEX_WORDS = {"male": Words("男性", "a man's"), "female": Words("女性", "a woman's")}
# Failure words are kept short: each shows on one line under its field at 80 columns in Chinese.
_ORDER_WORDS = {
    "before": Words("{a}应早于{b}", "{a} must be before {b}"),
    "after": Words("{a}应晚于{b}", "{a} must be after {b}"),
    "not_before": Words("{a}不能早于{b}", "{a} cannot be before {b}"),
    "not_after": Words("{a}不能晚于{b}", "{a} cannot be after {b}"),
}
_ORDER_HOLDS = {
    "before": lambda a, b: a < b,
    "after": lambda a, b: a > b,
    "not_before": lambda a, b: a >= b,
    "not_after": lambda a, b: a <= b,
}


def applicable_rules(offering: Offering, form: UnifiedForm) -> tuple[FieldRule, ...]:
    """The rules of this application: the bundle's and those of the fields on its form, each
    once, keeping only rules whose fields are all on the form (an optional item not chosen
    leaves its fields, and their rules, out)."""
    on_form = {line.field.id: line.field for line in form.lines}
    declared = [*offering.bundle.rules, *(rule for field in on_form.values() for rule in field.rules)]
    return tuple(rule for rule in dict.fromkeys(declared) if all(field_id in on_form for field_id in rule.fields))


def fields_ruled_with(rules: Iterable[FieldRule], field_id: str) -> tuple[str, ...]:
    """The fields a change of ``field_id`` may make right or wrong: those sharing a rule with it."""
    found = {other for rule in rules if field_id in rule.fields for other in rule.fields}
    found.discard(field_id)
    return tuple(sorted(found))


def rule_problems(
    catalog: Catalog, rules: Iterable[FieldRule], values: Mapping[str, str], *, today: dt.date
) -> list[Problem]:
    """One problem per rule that fails, at ``fields.<field>`` with the other field as related.

    A rule whose field is blank or fails its own check is skipped: the field's own problem is
    the one to fix first.

    Args:
        catalog: Resolves field ids (labels, types).
        rules: From :func:`applicable_rules`.
        values: Field id → value as the form holds it (prefilled values included).
        today: The acceptance date (``today`` in date order, ages).
    """
    problems: list[Problem] = []
    for rule in rules:
        fields = [catalog.fields.get(field_id) for field_id in rule.fields]
        if any(field is None or not _checkable(field, values.get(field.id), today, catalog) for field in fields):
            continue
        words = _failure(rule, fields, values, today)
        if words is not None:
            related = tuple(f"fields.{field_id}" for field_id in rule.fields[1:])
            problems.append(Problem(f"fields.{rule.field}", words, related))
    return problems


def _checkable(field: FormField | None, value: str | None, today: dt.date, catalog: Catalog) -> bool:
    return field is not None and not is_blank(value) and check_field(field, value, today=today, catalog=catalog) is None


def _failure(rule: FieldRule, fields: list, values: Mapping[str, str], today: dt.date) -> Words | None:
    field = fields[0]
    value = values[field.id].strip()
    name = _quoted(field.label)
    if rule.check in ("equal", "different"):
        other = fields[1]
        other_value = values[other.id].strip()
        if field.type != other.type:  # a date and an ID number: the birth date in the number
            same = _date_of(field, value) == _date_of(other, other_value)
            name, other_name = _dated_name(field), _dated_name(other)
        else:
            same = _comparable(field, value) == _comparable(other, other_value)
            other_name = _quoted(other.label)
        if rule.check == "different" and same:
            return Words("{a}与{b}不能相同", "{a} and {b} cannot be the same").format(a=name, b=other_name)
        if rule.check == "equal" and not same:
            return Words("{a}应与{b}一致", "{a} must be the same as {b}").format(a=name, b=other_name)
        return None
    if rule.check == "sex" and rule.other:
        other = fields[1]
        if sex_of(value.upper()) == values[other.id].strip():
            return None
        return Words("{a}的性别与{b}不一致", "The sex in {a} does not match {b}").format(a=name, b=_quoted(other.label))
    if rule.check == "sex":
        if sex_of(value.upper()) == rule.sex:
            return None
        # Short enough for one line under the field at 80 columns (the parity says why).
        parity = Words("偶数", "even") if rule.sex == "male" else Words("奇数", "odd")
        return Words("{a}应为{wanted}号码（第17位现为{parity}）", "{a} must be {wanted} (17th digit is {parity})").format(
            a=name, wanted=_SEX_WORDS[rule.sex or "male"], parity=parity
        )
    date = _date_of(field, value)
    if rule.check == "age":
        return _age_failure(rule, name, field, date, today)
    if rule.other == TODAY:
        other_date, other_name = today, Words("今天（{d}）", "today ({d})").format(d=today.isoformat())
    else:
        other = fields[1]
        other_date, other_name = _date_of(other, values[other.id].strip()), _dated_name(other)
    this_name = _dated_name(field)
    if not _ORDER_HOLDS[rule.check](date, other_date):
        return _ORDER_WORDS[rule.check].format(a=this_name, b=other_name)
    if rule.within_days is not None and abs((date - other_date).days) > rule.within_days:
        if rule.other == TODAY:
            other_name = Words("今天", "today")
        return Words("{a}与{b}相差{n}天，不能超过{limit}天", "{a} is {n} days from {b}; at most {limit}").format(
            a=this_name, b=other_name, n=abs((date - other_date).days), limit=rule.within_days
        )
    return None


def _age_failure(rule: FieldRule, name: Words, field: FormField, birth: dt.date, today: dt.date) -> Words | None:
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if rule.minimum is not None and age < rule.minimum:
        return Words("{a}：年龄{age}周岁，应年满{n}周岁", "{a}: aged {age}, must be at least {n}").format(
            a=name, age=age, n=rule.minimum
        )
    if rule.maximum is not None and age > rule.maximum:
        return Words("{a}：年龄{age}周岁，不能超过{n}周岁", "{a}: aged {age}, must be at most {n}").format(
            a=name, age=age, n=rule.maximum
        )
    return None


def describe_rule(rule: FieldRule, fields: Mapping[str, FormField]) -> Words:
    """What a rule checks, in words (the guide lists them before anything is typed).

    Args:
        fields: Field id → field, holding the rule's fields (the catalog's, or the form's).
    """
    field = fields[rule.field]
    name = _quoted(field.label)
    if rule.check in ("equal", "different"):
        other_field = fields[rule.other]
        other = _quoted(other_field.label)
        if other_field.type != field.type:
            name, other = _dated_name(field), _dated_name(other_field)
        if rule.check == "different":
            return Words("{a}与{b}不能相同", "{a} and {b} must differ").format(a=name, b=other)
        return Words("{a}应与{b}一致", "{a} must be the same as {b}").format(a=name, b=other)
    if rule.check == "sex" and rule.other:
        return Words("{a}的性别应与{b}一致", "The sex in {a} must match {b}").format(a=name, b=_quoted(fields[rule.other].label))
    if rule.check == "sex":
        return Words("{a}应为{sex}的号码", "{a} must be {sex} number").format(
            a=name, sex=_SEX_WORDS[rule.sex or "male"]
        )
    if rule.check == "age":
        whose = _dated_name(field)
        if rule.minimum is not None and rule.maximum is not None:
            return Words("按{a}，年龄应为{low}至{high}周岁", "By {a}, aged {low} to {high}").format(
                a=whose, low=rule.minimum, high=rule.maximum
            )
        if rule.minimum is not None:
            return Words("按{a}，应年满{n}周岁", "By {a}, aged {n} or older").format(a=whose, n=rule.minimum)
        return Words("按{a}，不能超过{n}周岁", "By {a}, aged {n} or younger").format(a=whose, n=rule.maximum)
    other_name = Words("受理日期", "the acceptance date") if rule.other == TODAY else _dated_name(fields[rule.other])
    said = _ORDER_WORDS[rule.check].format(a=_dated_name(field), b=other_name)
    if rule.within_days is not None:
        said += Words("，相差不超过{n}天", ", at most {n} days apart").format(n=rule.within_days)
    return said


def _quoted(label: Words) -> Words:
    return Words("“{label}”", "“{label}”").format(label=label)


def _dated_name(field: FormField) -> Words:
    """How a date operand is named: the field, or the birth date inside an ID number."""
    if field.type == "id_number":
        return Words("{a}中的出生日期", "the birth date in {a}").format(a=_quoted(field.label))
    return _quoted(field.label)


def _date_of(field: FormField, value: str) -> dt.date:
    if field.type == "id_number":
        return birth_date_of(value)
    date = parse_iso_date(value)
    assert date is not None  # passed its own check
    return date


def _comparable(field: FormField, value: str) -> str:
    # A resident ID's final X may be typed in either case; codes are compared as written otherwise.
    return value.upper() if field.type in ("id_number", "uscc") else value
