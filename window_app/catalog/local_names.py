"""The catalog as a window in one region sees it: each department kind named by its office.

An item names its department's kind (``tax``); the window's region resolves the office that
serves it (:meth:`~window_app.domain.catalog.Catalog.offices_for`: the county's own, else the
nearest one up the region levels). The window's catalog shows each kind under its office's name
(国家税务总局兴义市税务局 at a 兴义市 window), so screens, guides and receipts name the body the
part goes to, never another county's.

Where the nearest level has several offices of a kind (the banks of a county) the applicant
chooses: every bundle with an item of that kind gets a question :func:`choice_question_id`
whose options are those offices (the first preselected, as any choice the applicant makes);
the dispatch addresses the part to the answer (:func:`resolve_office`). A kind none of whose
offices serves the region (the validator reports it for an offered item) is shown as the local
body of its kind, 属地卫健部门 / "the local Health office", built from its short name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from window_app.domain.catalog import Bundle, Catalog, Department, Office, Option, Question
from window_app.domain.words import Words

CHOICE_PREFIX = "office_"
"""A bundle question choosing an office is ``office_<department>`` (``office_bank``)."""


def choice_question_id(department: str) -> str:
    """The id of the question that chooses the office of ``department``."""
    return CHOICE_PREFIX + department


def as_seen_from(catalog: Catalog, region: str) -> Catalog:
    """``catalog`` with each department kind named as its office in ``region``, and a choice
    question in each bundle with items of a kind the applicant chooses an office of; itself when
    nothing changes (a catalog whose departments are their own offices in this region)."""
    by_kind: dict[str, list[Office]] = {}
    for office in catalog.offices.values():
        by_kind.setdefault(office.department, []).append(office)
    chain = catalog.region_chain(region)
    seen: dict[str, Department] = {}
    choices: dict[str, tuple[Office, ...]] = {}
    for kind_id, department in catalog.departments.items():
        own = by_kind.get(kind_id)
        if not own:
            if department.region and department.region not in chain:
                seen[kind_id] = local_department(department)
            continue
        offices = _nearest(own, chain)
        if not offices:
            seen[kind_id] = local_department(department)
        elif len(offices) == 1:
            seen[kind_id] = named_by_office(department, offices[0])
        else:
            choices[kind_id] = offices
    if not seen and not choices:
        return catalog
    changes: dict[str, object] = {"departments": {**catalog.departments, **seen}}
    if choices:
        changes["bundles"] = _with_choices(catalog, choices)
    return dataclasses.replace(catalog, **changes)


def resolve_office(catalog: Catalog, department: str, region: str, answers: Mapping[str, str]) -> Office | None:
    """The office a part of ``department`` goes to from a window in ``region``: the one that
    serves it, or of several the one chosen (``answers``: the guide's effective answers);
    ``None`` when none serves it, or several do and none of them was chosen."""
    offices = catalog.offices_for(department, region)
    if len(offices) == 1:
        return offices[0]
    chosen = answers.get(choice_question_id(department), "")
    return next((office for office in offices if office.id == chosen), None)


def named_by_office(department: Department, office: Office) -> Department:
    """The kind as the window shows it: its office's name, region and keys (its short name kept)."""
    return dataclasses.replace(
        department, name=office.name, region=office.region, signing_key=office.signing_key, sealing_key=office.sealing_key
    )


def local_department(department: Department) -> Department:
    """The department named as the local body of its kind: 属地卫健部门 / the local Health office."""
    short = department.short_name or department.name
    name = Words("属地{s}部门", "the local {s} office").format(s=short)
    return dataclasses.replace(department, name=name, region="")


def routed_locally(department: Department) -> bool:
    """Whether ``department`` is named as the local body (the exchange routes its part)."""
    return department.name == local_department(department).name


def _nearest(offices: list[Office], chain: list[str]) -> tuple[Office, ...]:
    for code in chain:
        found = tuple(office for office in offices if office.region == code)
        if found:
            return found
    return ()


def _with_choices(catalog: Catalog, choices: dict[str, tuple[Office, ...]]) -> dict[str, Bundle]:
    """The bundles, each with a question per kind of its items the applicant chooses an office of.

    Runs at every start: a 10,000-offering catalog repeats the same item lists (shared by the
    loader) and question lists, so each distinct one is worked out once, and a bundle is rebuilt
    by its constructor (what :func:`dataclasses.replace` does, without its per-field checks).
    """
    question_of = {kind: _choice_question(catalog.departments[kind], offices) for kind, offices in choices.items()}
    added_for: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[Question, ...]] = {}
    # By identity: the loader shares equal question lists, and hashing questions is deep.
    joined: dict[tuple[int, int], tuple[Question, ...]] = {}
    bundles = dict(catalog.bundles)
    for bundle_id, bundle in catalog.bundles.items():
        members = (bundle.mandatory, bundle.optional)
        added = added_for.get(members)
        if added is None:
            kinds = dict.fromkeys(catalog.items[item_id].department for item_id in bundle.mandatory + bundle.optional)
            added = added_for[members] = tuple(question_of[kind] for kind in kinds if kind in question_of)
        if added:
            key = (id(bundle.questions), id(added))  # both held by the catalog and added_for meanwhile
            questions = joined.get(key)
            if questions is None:
                questions = joined[key] = bundle.questions + added
            values = list(bundle.__reduce__()[1])
            values[_QUESTIONS] = questions
            bundles[bundle_id] = Bundle(*values)
    return bundles


_QUESTIONS = [field.name for field in dataclasses.fields(Bundle)].index("questions")


def _choice_question(department: Department, offices: tuple[Office, ...]) -> Question:
    short = department.short_name or department.name
    return Question(
        id=choice_question_id(department.id),
        text=Words("申请人选择哪家{s}？", "{s}: which one does the applicant choose?").format(s=short),
        options=tuple(Option(value=office.id, label=office.name) for office in offices),
        default=offices[0].id,
    )
