"""Reading cross-field rules (``[[field.rule]]``, ``[[bundle.rule]]``) and checking them against the fields.

A rule is data (``docs/catalog-format.md``, "Rules — checks across fields"): equal / different values, date order
(optionally within so many days), the sex shown by an ID number, an age range. Pass 1 reads each
rule on its own (its ``check`` and the keys that check takes); pass 2 (:func:`check_rule_fields`)
checks the fields it names exist and are of a type the check can read.
"""

from __future__ import annotations

import difflib
from typing import get_args

from window_app.catalog.partial import Origin, PartialCatalog, RuleUse
from window_app.catalog.table import Table, entry_label
from window_app.domain.catalog import TODAY, FieldRule, RuleCheck, Sex

RULE_CHECKS: tuple[RuleCheck, ...] = get_args(RuleCheck)
SEXES: tuple[Sex, ...] = get_args(Sex)
PAIRED = ("equal", "different")
DATE_ORDER = ("before", "after", "not_before", "not_after")
# The field types each check reads: a date order compares dates, an ID number's birth date included.
DATED = ("date", "id_number")
TYPES_READ: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(DATE_ORDER, DATED),
    "sex": ("id_number",),
    "age": DATED,
}
# The keys each check takes besides ``check`` and ``field``.
KEYS_OF: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(PAIRED, ("other",)),
    **dict.fromkeys(DATE_ORDER, ("other", "within_days")),
    "sex": ("sex", "other"),
    "age": ("minimum", "maximum"),
}
OPTIONAL_KEYS = ("other", "within_days", "sex", "minimum", "maximum")


def read_rules(owner: Table, *, owner_field: str = "", bundle: str = "") -> tuple[FieldRule, ...]:
    """The ``rule`` sub-tables of a field (``owner_field``: the rule is about it) or of a bundle
    (``bundle``, its id: each rule names its ``field``).

    Each rule is recorded for pass 2, which checks the fields it names.
    """
    rules: list[FieldRule] = []
    for position, data in enumerate(owner.tables("rule"), start=1):
        sub = owner.child(data, entry_label("rule", data, "check", position))
        rule = _read_rule(sub, owner_field)
        sub.finish()
        if rule is None:
            continue
        if rule in rules:
            sub.problem("the same rule is given twice")
            continue
        rules.append(rule)
        owner.partial.rule_uses.append(RuleUse(Origin(sub.file, sub.entry), rule, bundle=bundle))
    return owner.partial.share(tuple(rules))


def _read_rule(sub: Table, owner_field: str) -> FieldRule | None:
    check = sub.one_of("check", RULE_CHECKS, required=True)  # None when missing or wrong
    if owner_field:
        if "field" in sub.data:
            sub.known.add("field")
            sub.problem("a field's rule is about that field: leave out 'field' (or declare the rule in a bundle)")
        field = owner_field
    else:
        field = sub.text("field", required=True)
    values = {
        "other": sub.text("other"),
        "within_days": sub.integer("within_days", minimum=0),
        "sex": sub.one_of("sex", SEXES),
        "minimum": sub.integer("minimum", minimum=0),
        "maximum": sub.integer("maximum", minimum=0),
    }
    if check is None or not field:
        return None
    takes = KEYS_OF[check]
    for key in OPTIONAL_KEYS:
        if key in sub.data and key not in takes:
            sub.problem(f"'{key}' does not apply to a '{check}' rule (it takes {_listed(takes)})")
            values[key] = None if key != "other" else ""
    if "other" in takes and check != "sex" and not values["other"]:
        sub.problem(f"a '{check}' rule needs 'other': the field it is compared with")
        return None
    if values["other"] == TODAY and check not in DATE_ORDER:
        sub.problem(f"'other' = \"{TODAY}\" (the acceptance date) is for date order rules only")
        return None
    if values["other"] == field:
        sub.problem(f"compares field '{field}' with itself")
        return None
    if check == "sex" and (values["sex"] is None) == (not values["other"]):
        both = "gives both" if values["sex"] is not None else "needs one"
        sub.problem(f"a 'sex' rule {both} of 'sex' ({_listed(SEXES)}) and 'other' (a choice field holding the sex)")
        return None
    if check == "age":
        low, high = values["minimum"], values["maximum"]
        if low is None and high is None:
            sub.problem("an 'age' rule needs 'minimum', 'maximum' or both (years)")
            return None
        if low is not None and high is not None and low > high:
            sub.problem(f"'minimum' {low} is above 'maximum' {high}")
            return None
    return FieldRule(check=check, field=field, **values)


def _listed(keys: tuple[str, ...]) -> str:
    return ", ".join(f"'{key}'" for key in keys)


def check_rule_fields(partial: PartialCatalog) -> None:
    """Every field a rule names exists and is of a type its check reads; a bundle's rule names
    fields some item of the bundle uses (or it could never apply)."""
    if "field" in partial.unreadable:
        return
    used_in_bundle: dict[str, set[str]] = {}
    for bundle in partial.bundles.values():
        members = bundle.mandatory + bundle.optional
        used_in_bundle[bundle.id] = {
            requirement.field
            for item_id in members
            if item_id in partial.items
            for requirement in partial.items[item_id].fields
        }
    for use in partial.rule_uses:
        rule = use.rule
        problem = lambda reason, use=use: partial.problem(use.origin.file, use.origin.entry, reason)  # noqa: E731
        types = []
        for key, field_id in (("field", rule.field), ("other", rule.other)):
            if not field_id or field_id == TODAY:
                continue
            field = partial.fields.get(field_id)
            if field is None:
                problem(_unknown_field(partial, key, field_id))
                continue
            types.append(field.type)
            wanted = TYPES_READ.get(rule.check)
            if rule.check == "sex" and key == "other":
                if field.type != "choice" or not set(SEXES) <= {choice.value for choice in field.choices}:
                    problem(f"'other' field '{field_id}' must be a choice field with the values {_listed(SEXES)}")
            elif wanted is not None and field.type not in wanted:
                problem(
                    f"'{key}' field '{field_id}' is of type '{field.type}'; a '{rule.check}' rule reads "
                    + " or ".join(f"'{t}'" for t in wanted)
                    + " fields"
                )
        if rule.check in PAIRED and len(types) == 2 and types[0] != types[1] and set(types) != set(DATED):
            problem(f"compares a '{types[0]}' field with a '{types[1]}' field: they can never be {rule.check}")
        if use.bundle in used_in_bundle and "item" not in partial.unreadable:
            for field_id in rule.fields:
                if field_id in partial.fields and field_id not in used_in_bundle[use.bundle]:
                    problem(f"no item of the bundle uses field '{field_id}': the rule could never apply")


def _unknown_field(partial: PartialCatalog, key: str, field_id: str) -> str:
    for canonical in partial.fields.values():
        if field_id in canonical.replaces:
            return (
                f"'{key}': field '{field_id}' was merged into '{canonical.id}' (its 'replaces'): name '{canonical.id}'"
            )
    close = difflib.get_close_matches(field_id, list(partial.fields), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"'{key}': unknown field '{field_id}'{hint}"
