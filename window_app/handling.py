"""Handling classes at acceptance: conclusions at the window (一类) and handover lists (三类).

The rules of which envelope a part becomes are :mod:`window_app.domain.handling`'s; this service
checks who may conclude what (:func:`check_at_window`), turns the intake's conclusions into the
item decisions recorded in the accept transaction (:func:`filed_decisions`), and draws up the
材料移交单 of each class-3 part (:func:`handover_lists`).

Who may decide at the window is the accounts core's ``Permission.DECIDE_AT_WINDOW``; until the
Window passes the signed-in clerk, accepting takes ``may_decide_at_window`` and ``clerk_id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from window_app.domain.errors import WindowAppError
from window_app.domain.handling import HandoverList, HandoverMaterial
from window_app.domain.progress import ItemDecision
from window_app.domain.words import Words

if TYPE_CHECKING:
    from window_app.domain.catalog import Catalog
    from window_app.domain.intake import Intake
    from window_app.domain.wire import Envelope
    from window_app.intake.guide import Guide

AT_WINDOW = "window"
"""The ``endpoint`` of a decision made at the window (not pulled from an exchange)."""


class AtWindowRefused(WindowAppError):
    """Conclusions at the window that cannot be taken; nothing was written. ``details`` names each."""


def check_at_window(catalog: Catalog, guide: Guide, intake: Intake, *, may_decide_at_window: bool) -> None:
    """Refuse, in words, conclusions at the window this clerk may not make or these items may
    not have.

    Raises:
        AtWindowRefused: The clerk lacks the permission, or an item is not in this application,
            not 一类直接办, or a refusal has no reason.
    """
    if not intake.at_window:
        return
    if not may_decide_at_window:
        raise AtWindowRefused(
            Words(
                "只有独任审批员可以在窗口直接办结一类事项；本次受理未写入。请去掉窗口办结，按普通受理发往部门。",
                "Only a sole approver may conclude class-1 items at the window; nothing was written. "
                "Remove the conclusions to send the items to their departments as usual.",
            )
        )
    in_application = {item.id for stage in guide.plan.stages for item in stage.items}
    problems: list[Words] = []
    for item_id, conclusion in intake.at_window.items():
        item = catalog.items.get(item_id)
        name = item.name if item else Words(item_id, item_id)
        if item is None or item_id not in in_application:
            problems.append(Words("“{n}”不在本次申请的事项中", "“{n}” is not an item of this application").format(n=name))
        elif item.handling_class != 1:
            problems.append(
                Words(
                    "“{n}”是{c}事项，须由部门决定，不能在窗口办结",
                    "“{n}” is a class-{k} item: its department decides it, not the window",
                ).format(n=name, c="二类融通办" if item.handling_class == 2 else "三类登记办", k=item.handling_class)
            )
        elif pending := [p for p in item.prerequisites if p in in_application and p not in intake.at_window]:
            prerequisite = catalog.items[pending[0]]
            problems.append(
                Words(
                    "“{n}”须先有“{p}”的结果，而该事项尚未由部门决定",
                    "“{n}” needs the result of “{p}” first, which its department has not decided yet",
                ).format(n=name, p=prerequisite.name)
            )
        elif conclusion.decision not in ("approved", "rejected"):
            problems.append(Words("“{n}”的结论须为准予或不予", "the conclusion on “{n}” must be approved or refused").format(n=name))
        elif conclusion.decision == "rejected" and not conclusion.reason.strip():
            problems.append(Words("“{n}”不予办理须写明理由", "refusing “{n}” needs a reason").format(n=name))
    if problems:
        raise AtWindowRefused(
            Words("窗口办结无法采用，本次受理未写入：", "The conclusions at the window cannot be taken; nothing was written:"),
            problems,
        )


def filed_decisions(
    receipt_no: str, guide: Guide, intake: Intake, *, clerk_id: str, at: str, offices: Mapping[str, str] | None = None
) -> dict[str, ItemDecision]:
    """The item decisions the window records for its conclusions (checked before), each under
    its part's department: the office it is addressed to (``offices``: kind → office id)."""
    offices = offices or {}
    stage_of = {
        item.id: (stage.number, offices.get(item.department, item.department))
        for stage in guide.plan.stages
        for item in stage.items
    }
    decisions = {}
    for item_id, conclusion in intake.at_window.items():
        stage, department = stage_of[item_id]
        decisions[item_id] = ItemDecision(
            receipt_no=receipt_no,
            item=item_id,
            department=department,
            stage=stage,
            decision=conclusion.decision,
            result=conclusion.result.strip(),
            reason=conclusion.reason.strip(),
            decided_by=clerk_id,
            decided_at=at,
            endpoint=AT_WINDOW,
        )
    return decisions


def handover_lists(catalog: Catalog, envelopes: Sequence[Envelope]) -> list[HandoverList]:
    """One 材料移交单 per ``handover`` envelope, from what the envelope tells its department."""
    found = []
    for envelope in envelopes:
        if envelope.kind != "handover":
            continue
        document = envelope.document()
        handover = document["handover"]
        department = catalog.body(envelope.department)
        found.append(
            HandoverList(
                receipt_no=envelope.receipt_no,
                department=envelope.department,
                department_name=department.name.zh if department else envelope.department,
                stage=envelope.stage,
                envelope_id=envelope.envelope_id,
                items=tuple((item["id"], item["name"]) for item in document["items"]),
                materials=tuple(HandoverMaterial(**material) for material in handover["materials"]),
                handed_by=handover["handed_by"],
                handed_at=handover["handed_at"],
            )
        )
    return found
