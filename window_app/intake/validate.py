"""The one validation of an intake: used by every screen step and by ``window-app accept``.

Each step's rules live in one function; :func:`validate_intake` runs one step or all of them and
returns every problem with its path (``applicant.person.id_number``, ``answers.<question>``,
``chosen_optional``, ``materials.<material>``, ``fields.<field>``, ``offering``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

from window_app.domain.calendar import add_working_days
from window_app.domain.catalog import ApplicantKind, Catalog, Item, Material, Offering
from window_app.domain.identifiers import check_phone, check_resident_id, check_uscc
from window_app.domain.intake import Intake, MaterialStatus, Person, Problem
from window_app.domain.text import MAX_NOTE_LENGTH, MAX_TEXT_LENGTH, text_problem
from window_app.domain.words import Words, counted
from window_app.intake.fields import check_field, is_blank, parse_iso_date
from window_app.intake.form import form_values, migrate_merged_fields
from window_app.intake.guide import Guide, build_guide
from window_app.intake.rules import applicable_rules, rule_problems
from window_app.intake.selection import selected_items

VALIDATED_STEPS = ("applicant", "situation", "checklist", "form")
MATERIAL_STATES = ("original", "copy", "shared", "deficient", "not_applicable", "pending")
BUSINESS_LICENCE = "营业执照"
MAX_NAME_LENGTH = 50


def validate_intake(
    catalog: Catalog,
    offering: Offering,
    intake: Intake,
    *,
    step: str | None = None,
    today: dt.date,
    region: str = "",
    guide: Guide | None = None,
) -> list[Problem]:
    """Every problem of one step, or of the whole intake.

    Args:
        catalog: The catalog the offering comes from.
        offering: What the intake applies for (must be ``intake.offering``).
        intake: The application as filled in so far.
        step: ``applicant``, ``situation``, ``checklist`` or ``form``; ``None`` (or ``review``)
            checks all of them.
        today: The window's date: birth dates, promised dates.
        region: The window's region code, for fields prefilled from ``window.region``.
        guide: The intake's guide when the caller already built it (accepting builds it once).

    Returns:
        Problems in step order; empty when the intake (or step) is acceptable.

    Raises:
        ValueError: ``step`` is not a step that has rules.
    """
    if step not in (*VALIDATED_STEPS, "review", None):
        raise ValueError(f"unknown step {step!r}; expected one of {', '.join(VALIDATED_STEPS)}")
    steps = VALIDATED_STEPS if step in (None, "review") else (step,)
    problems: list[Problem] = []
    if step in (None, "review") and intake.offering != offering.id:
        problems.append(
            Problem(
                "offering",
                Words(
                    "申请事项“{offering}”与所选“{name}”不一致", "The intake is for “{offering}”, not “{name}”"
                ).format(offering=intake.offering, name=offering.bundle.name),
            )
        )
    if "form" in steps and any(catalog.canonical_field(field_id) != field_id for field_id in intake.fields):
        # Written before two fields were merged into one: checked as it will be read.
        intake = dataclasses.replace(intake, fields=dict(intake.fields))
        migrate_merged_fields(catalog, intake)
    guide = guide or build_guide(catalog, offering, intake)
    if "applicant" in steps:
        problems += applicant_problems(catalog, offering, intake, today=today)
    if "situation" in steps:
        problems += situation_problems(catalog, offering, intake)
    if "checklist" in steps:
        problems += checklist_problems(catalog, guide, intake, today=today)
    if "form" in steps:
        problems += form_problems(catalog, guide, intake, today=today, region=region)
    refused = text_problems(catalog, intake, steps)
    if refused:
        # A text that may not be kept is told first; its other problems would only mislead.
        flagged = {problem.path for problem in refused}
        problems = refused + [problem for problem in problems if problem.path not in flagged]
    return problems


def text_problems(catalog: Catalog, intake: Intake, steps: Iterable[str]) -> list[Problem]:
    """Every text of the given steps that holds what may not be kept (control characters,
    invisible direction marks, lone surrogates) or is longer than its maximum."""
    found: list[Problem] = []

    def check(path: str, value: object, **limits: Any) -> None:
        if isinstance(value, str):
            refused = text_problem(value, **limits)
            if refused is not None:
                found.append(Problem(path, refused))

    if "applicant" in steps:
        applicant = intake.applicant
        people = [("applicant.person", applicant.person)]
        people.append(("applicant.enterprise.legal_representative", applicant.enterprise.legal_representative))
        if applicant.agent is not None:
            people.append(("applicant.agent", applicant.agent))
        for path, person in people:
            check(f"{path}.name", person.name, max_length=None)  # the name rule says how long
            check(f"{path}.id_number", person.id_number)
            check(f"{path}.phone", person.phone)
        check("applicant.enterprise.name", applicant.enterprise.name, max_length=None)
        check("applicant.enterprise.uscc", applicant.enterprise.uscc)
    if "situation" in steps:
        for question_id, answer in intake.answers.items():
            check(f"answers.{question_id}", answer)
    if "checklist" in steps:
        for material_id, status in intake.materials.items():
            check(f"materials.{material_id}", status.note, multiline=True, max_length=MAX_NOTE_LENGTH)
            check(f"materials.{material_id}", status.promised_date)
    if "form" in steps:
        for field_id, value in intake.fields.items():
            field = catalog.fields.get(field_id)
            # A field that declares its own maximum is measured by the form's rule, in its words.
            check(f"fields.{field_id}", value, max_length=None if field and field.max_length else MAX_TEXT_LENGTH)
    return found


# -- applicant ------------------------------------------------------------------------------


def allowed_applicant_kinds(catalog: Catalog, offering: Offering) -> tuple[ApplicantKind, ...]:
    """Who may apply: the bundle's applicant kind, or the kinds an item alone accepts."""
    if offering.kind == "item" and offering.id in catalog.items:
        return catalog.items[offering.id].applicant_kinds
    return (offering.bundle.applicant_kind,)


def registers_enterprise(items: Iterable[Item]) -> bool:
    """Whether the application registers the enterprise (企业开办): an item issues the business
    licence (营业执照), so the applicant has no unified social credit code yet."""
    return any(BUSINESS_LICENCE in item.result for item in items)


def applicant_problems(catalog: Catalog, offering: Offering, intake: Intake, *, today: dt.date) -> list[Problem]:
    """Who applies: kind allowed, names, resident IDs, USCC, phones, and the agent."""
    applicant = intake.applicant
    allowed = allowed_applicant_kinds(catalog, offering)
    if applicant.kind not in allowed:
        kinds = Words.join(Words("、", " or "), (_KIND_NAMES[kind] for kind in allowed))
        return [
            Problem(
                "applicant.kind",
                Words("本事项的申请人应为{kinds}", "The applicant must be {kinds}").format(kinds=kinds),
            )
        ]

    problems: list[Problem] = []
    if applicant.kind == "person":
        problems += _person_problems("applicant.person", applicant.person, today=today, id_required=True)
        principal_id = applicant.person.id_number
    else:
        enterprise = applicant.enterprise
        problems += _name_problems("applicant.enterprise.name", enterprise.name, Words("企业名称", "Enterprise name"))
        if is_blank(enterprise.uscc):
            if not registers_enterprise(selected_items(catalog, offering.bundle, intake)):
                problems.append(
                    Problem(
                        "applicant.enterprise.uscc",
                        Words("请填写统一社会信用代码", "The unified social credit code is required"),
                    )
                )
        else:
            problems += _invalid("applicant.enterprise.uscc", check_uscc(enterprise.uscc))
        # the contact: someone to call; their ID is asked only if given
        problems += _person_problems("applicant.person", applicant.person, today=today, id_required=False)
        problems += _optional_person_problems(
            "applicant.enterprise.legal_representative", enterprise.legal_representative, today=today
        )
        principal_id = enterprise.legal_representative.id_number

    agent = applicant.agent
    if agent is not None:
        problems += _person_problems("applicant.agent", agent, today=today, id_required=True)
        if not is_blank(agent.id_number) and agent.id_number.upper() == principal_id.upper():
            problems.append(
                Problem(
                    "applicant.agent.id_number",
                    Words("代办人不能是申请人本人", "The agent cannot be the applicant themself"),
                )
            )
    return problems


_KIND_NAMES = {"person": Words("个人", "a person"), "enterprise": Words("企业", "an enterprise")}
_NAME = Words("姓名", "Name")


def _person_problems(path: str, person: Person, *, today: dt.date, id_required: bool) -> list[Problem]:
    problems = _name_problems(f"{path}.name", person.name, _NAME)
    if is_blank(person.id_number):
        if id_required:
            problems.append(
                Problem(f"{path}.id_number", Words("请填写身份证号码", "The resident ID number is required"))
            )
    else:
        problems += _invalid(f"{path}.id_number", check_resident_id(person.id_number, today=today))
    if is_blank(person.phone):
        problems.append(Problem(f"{path}.phone", Words("请填写联系电话", "The phone number is required")))
    else:
        problems += _invalid(f"{path}.phone", check_phone(person.phone))
    return problems


def _optional_person_problems(path: str, person: Person, *, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    if not is_blank(person.name) and len(person.name.strip()) > MAX_NAME_LENGTH:
        problems += _name_problems(f"{path}.name", person.name, _NAME)
    if not is_blank(person.id_number):
        problems += _invalid(f"{path}.id_number", check_resident_id(person.id_number, today=today))
    if not is_blank(person.phone):
        problems += _invalid(f"{path}.phone", check_phone(person.phone))
    return problems


def _name_problems(path: str, name: str, label: Words) -> list[Problem]:
    if is_blank(name):
        return [Problem(path, Words("请填写{label}", "{label} is required").format(label=label))]
    if len(name.strip()) > MAX_NAME_LENGTH:
        too_long = Words("{label}过长（最多{n}个字）", "{label} is too long")
        return [Problem(path, too_long.format(label=label, n=MAX_NAME_LENGTH))]
    return []


def _invalid(path: str, invalid: Words | None) -> list[Problem]:
    return [] if invalid is None else [Problem(path, invalid)]


# -- situation ------------------------------------------------------------------------------


def situation_problems(catalog: Catalog, offering: Offering, intake: Intake) -> list[Problem]:
    """Answers are options of the bundle's questions; chosen/declined items are its optional ones.

    A question without a default asks a fact (买受人婚姻状况): nobody may assume it, so it must
    be answered.
    """
    bundle = offering.bundle
    questions = {question.id: question for question in bundle.questions}
    problems: list[Problem] = [
        Problem(f"answers.{question.id}", Words("请回答：{q}", "Answer: {q}").format(q=question.text))
        for question in bundle.questions
        if not question.default and not intake.answers.get(question.id)
    ]
    for question_id, value in intake.answers.items():
        question = questions.get(question_id)
        if question is None:
            problems.append(
                Problem(f"answers.{question_id}", Words("本事项没有这个问题", "This offering asks no such question"))
            )
        elif not value and not question.default:
            continue  # not answered yet: said above
        elif question.option(value) is None:
            labelled = (Words("{v}（{l}）", "{v} ({l})").format(v=o.value, l=o.label) for o in question.options)
            labels = Words.join(Words("、", ", "), labelled)
            problems.append(
                Problem(
                    f"answers.{question_id}",
                    Words("答案应为以下之一：{labels}", "The answer must be one of: {labels}").format(labels=labels),
                )
            )
    for key in ("chosen_optional", "declined_optional"):
        for item_id in getattr(intake, key):
            if item_id not in bundle.optional:
                name = catalog.items[item_id].name if item_id in catalog.items else item_id
                problems.append(
                    Problem(
                        key,
                        Words("“{name}”不是本事项的可选事项", "“{id}” is not an optional item here").format(
                            name=name, id=item_id
                        ),
                    )
                )
    for item_id in intake.chosen_optional:
        if item_id in intake.declined_optional:
            problems.append(
                Problem(
                    "declined_optional",
                    Words(f"“{item_id}”不能同时选择和放弃", f"“{item_id}” cannot be both chosen and declined"),
                )
            )
    return problems


# -- checklist ------------------------------------------------------------------------------


def material_status(intake: Intake, material: Material) -> MaterialStatus:
    """The clerk's record of a material; a shareable one not recorded defaults to ``shared``."""
    status = intake.materials.get(material.id)
    if status is not None:
        return status
    return MaterialStatus(state="shared" if material.shareable else "pending")


def checklist_problems(catalog: Catalog, guide: Guide, intake: Intake, *, today: dt.date) -> list[Problem]:
    """Every merged material decided, in a state it may have; no states for other materials."""
    problems: list[Problem] = []
    for line in guide.checklist.lines:
        material = line.material
        path = f"materials.{material.id}"
        status = material_status(intake, material)
        if status.state not in MATERIAL_STATES:
            problems.append(
                Problem(path, Words(f"未知的材料状态“{status.state}”", f"Unknown material state “{status.state}”"))
            )
        elif status.state == "pending":
            problems.append(Problem(path, Words("请确认该材料的收取情况", "Record how this material was received")))
        elif status.state == "shared" and not material.shareable:
            problems.append(
                Problem(path, Words("该材料不能通过数据共享核验", "This material cannot be verified by data sharing"))
            )
        elif status.state == "copy" and line.original_required:
            problems.append(Problem(path, Words("该材料须核验原件", "The original of this material must be seen")))
        elif status.state == "deficient":
            limit = min(catalog.items[item_id].time_limit_days for item_id in line.needed_by)
            completion = add_working_days(today, guide.promised_days)  # the receipt's 承诺办结 date
            problems += _deficiency_problems(
                path, material, status, today=today, limit_days=limit, completion=completion
            )
    listed = {line.material.id for line in guide.checklist.lines}
    for material_id in intake.materials:
        if material_id in listed:
            continue
        if material_id in catalog.materials:
            message = Words("本次申请不需要此材料", "This application does not need this material")
        else:
            message = Words("目录中没有此材料", "The catalog has no such material")
        problems.append(Problem(f"materials.{material_id}", message))
    return problems


def _deficiency_problems(
    path: str, material: Material, status: MaterialStatus, *, today: dt.date, limit_days: int, completion: dt.date
) -> list[Problem]:
    """A 容缺 promise: not for a key material; a date after today, within the statutory time
    limit, and never after the completion date the receipt promises (the material must be
    there before the application can be concluded, so the receipt may not promise otherwise).
    """
    if material.key:
        return [Problem(path, Words("关键材料不能容缺受理", "A key material cannot be accepted as deficient"))]
    if is_blank(status.promised_date):
        return [Problem(path, Words("容缺受理须填写承诺补交日期", "Deficiency acceptance needs a promised date"))]
    promised = parse_iso_date(status.promised_date)
    if promised is None:
        return [Problem(path, Words("承诺补交日期格式应为YYYY-MM-DD", "The promised date is written YYYY-MM-DD"))]
    if promised <= today:
        return [Problem(path, Words("承诺补交日期应晚于今天", "The promised date must be after today"))]
    deadline = add_working_days(today, limit_days)
    if promised > deadline:
        return [
            Problem(
                path,
                Words(
                    f"承诺补交日期超出办理时限（{limit_days}个工作日，最晚{deadline.isoformat()}）",
                    f"The promised date is beyond the time limit ({counted(limit_days, 'working day')}, "
                    f"{deadline.isoformat()} at the latest)",
                ),
            )
        ]
    if promised > completion:
        return [
            Problem(
                path,
                Words(
                    "承诺补交日期不能晚于回执上的承诺办结日期（{c}）：请约定更早的日期，或收齐材料后再受理",
                    "The promised date cannot be after the completion date the receipt promises ({c}): "
                    "agree an earlier date, or accept once the material is here",
                ).format(c=completion.isoformat()),
            )
        ]
    return []


# -- form -----------------------------------------------------------------------------------


def form_problems(catalog: Catalog, guide: Guide, intake: Intake, *, today: dt.date, region: str = "") -> list[Problem]:
    """Every line of the unified form, prefilled, passes its field check and the catalog's
    cross-field rules (:mod:`window_app.intake.rules`); no other fields."""
    values = form_values(intake, guide.form, region)
    problems: list[Problem] = []
    for line in guide.form.lines:
        invalid = check_field(
            line.field, values.get(line.field.id), today=today, catalog=catalog, required=line.required
        )
        problems += _invalid(f"fields.{line.field.id}", invalid)
    problems += rule_problems(catalog, applicable_rules(guide.offering, guide.form), values, today=today)
    on_form = {line.field.id for line in guide.form.lines}
    for field_id in intake.fields:
        if field_id in on_form:
            continue
        canonical = catalog.canonical_field(field_id)
        if canonical != field_id and canonical in catalog.fields:
            problems.append(_merged_conflict(catalog, field_id, canonical, intake.fields))
            continue
        if field_id in catalog.fields:
            message = Words("本次申请不使用此字段", "This application does not use this field")
        else:
            message = Words("目录中没有此字段", "The catalog has no such field")
        problems.append(Problem(f"fields.{field_id}", message))
    return problems


def _merged_conflict(catalog: Catalog, old: str, canonical: str, fields: dict[str, str]) -> Problem:
    """An old field id left by :func:`migrate_merged_fields`: it and the field it was merged
    into hold different values, and one of them must be the right one."""
    label = catalog.fields[canonical].label
    return Problem(
        f"fields.{canonical}",
        Words(
            "“{label}”{value}与旧字段“{old}”{old_value}不一致（同一事实），请核对",
            "“{label}” {value} differs from the old field “{old}” {old_value} (the same fact): check which is right",
        ).format(label=label, value=fields.get(canonical, ""), old=old, old_value=fields[old]),
        (f"fields.{old}",),
    )
