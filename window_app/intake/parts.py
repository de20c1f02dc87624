"""What each department's part of an application carries (least data): only the form fields
its items use and, of the applicant, only what its items declare.

The dispatch seals exactly these into each department's envelope
(:func:`window_app.dispatch.build_envelopes`); the review step shows exactly these, so the clerk
checks what will be sent. Kept apart from the dispatch so that the review need not load the
keys and sealing (cryptography) before F10.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from window_app.domain.catalog import Item
from window_app.domain.intake import Applicant, FormLine
from window_app.domain.words import Words
from window_app.intake.guide import Guide


def department_form_lines(guide: Guide, items: Iterable[Item]) -> tuple[FormLine, ...]:
    """The form lines a department's part carries: only the fields its ``items`` use (least
    data), in form order. The review step shows exactly these, so what it shows is what is sent."""
    item_ids = {item.id for item in items}
    return tuple(line for line in guide.form.lines if item_ids.intersection(line.used_by))


def department_label(line: FormLine, items: Iterable[Item]) -> Words:
    """What a department calls a form field: an item may name the canonical field its own way
    (``{field = "child_birth_date", label = "生育（分娩）日期"}``), so its part says what the
    department expects; otherwise the field's label."""
    for item in items:
        if item.id in line.used_by:
            for requirement in item.fields:
                if requirement.field == line.field.id and requirement.label:
                    return requirement.label
    return line.field.label


def department_items(guide: Guide) -> dict[str, tuple[Item, ...]]:
    """Department id → its items of the application over every stage, departments and items in
    stage order: together its envelopes carry :func:`department_form_lines` of these and
    :func:`applicant_part` of :func:`~window_app.domain.catalog.applicant_data_for` these
    (:func:`window_app.dispatch.build_envelopes`)."""
    found: dict[str, list[Item]] = {}
    for stage in guide.plan.stages:
        for item in stage.items:
            found.setdefault(item.department, []).append(item)
    return {department: tuple(items) for department, items in found.items()}


def applicant_part(applicant: Applicant, data: Iterable[str]) -> dict[str, Any]:
    """Of the applicant step, exactly ``data``, in the envelope's shape.

    Args:
        data: Keys of :data:`~window_app.domain.catalog.APPLICANT_DATA` that exist for the
            applicant's kind (:func:`~window_app.domain.catalog.applicant_data_for` of the
            department's items in this envelope); others are ignored.

    Returns:
        ``kind`` always (it says which shape follows, and is no one's personal data), then each
        datum of ``data``: the applicant's own (``name``, ``id_number``, ``phone``, ``uscc``) at
        the top, a role's (``legal_representative``, ``contact``, ``agent``) in an object of its
        own. A datum is there even when empty (a new enterprise's ``uscc``); ``agent`` is left
        out when no agent acts.
    """
    if applicant.kind == "enterprise":
        own = {"name": applicant.enterprise.name, "uscc": applicant.enterprise.uscc}
        people = {"legal_representative": applicant.enterprise.legal_representative, "contact": applicant.person}
    else:
        own = {"name": applicant.person.name, "id_number": applicant.person.id_number, "phone": applicant.person.phone}
        people = {}
    if applicant.agent and applicant.agent.name:
        people["agent"] = applicant.agent
    part: dict[str, Any] = {"kind": applicant.kind}
    for datum in data:
        role, what = datum.split(".", 1)
        if role == "applicant":
            if what in own:
                part[what] = own[what]
        elif role in people:
            part.setdefault(role, {})[what] = getattr(people[role], what)
    return part
