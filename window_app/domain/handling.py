"""Handling classes as behaviour (毕节 "大一窗"): how each department part leaves the window.

The catalog's ``handling_class`` of an item decides it (``docs/catalog-format.md``):

- 1 一类直接办: a sole approver (独任审批员) may conclude the item at the window while accepting;
  the decision is recorded at once and the department receives a *filing* of it (nothing to
  decide). Not concluded at the window (a plain acceptor, or the approver chose not to), it goes
  as a request like class 2.
- 2 二类融通办: a *request*: accepted at the window, decided by the department.
- 3 三类登记办: the window registers the application and hands the paper materials over with a
  材料移交单 (:class:`HandoverList`); the department acknowledges receipt and handles the item
  itself: the window's tracking ends at the acknowledgement.

One envelope per department and stage, as always; its ``kind`` says what it is
(:func:`part_handling`): ``filing`` when every item of the part was concluded at the window,
``handover`` when every item is class 3, else ``application``. A mixed part is one
``application`` envelope in which each item says how it is handled (``handling``: ``filed``
items carry the window's decision and need none from the department; class-3 items are asked
for a decision like the rest, because the department answers that part anyway — no handover list
is drawn up for them).
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Any

from window_app.domain.catalog import Item
from window_app.domain.words import Words

FILED = "filed"
HANDOVER = "handover"
REQUEST = "request"

HANDLING_CLASS_WORDS: dict[int, Words] = {
    1: Words("一类直接办", "class 1: decided at the window"),
    2: Words("二类融通办", "class 2: decided by the department"),
    3: Words("三类登记办", "class 3: registered and handed over"),
}


def part_handling(items: Sequence[Item], filed: Container[str]) -> tuple[str, dict[str, str]]:
    """The envelope kind of one department part and how each of its items is handled.

    Args:
        items: The part's items (one department, one stage).
        filed: Ids of items concluded at the window (class 1 only: checked before).

    Returns:
        ``(kind, {item id: handling})``: kind ``filing`` / ``handover`` / ``application``;
        handling ``filed`` / ``handover`` / ``request``.
    """
    if items and all(item.id in filed for item in items):
        return "filing", {item.id: FILED for item in items}
    if items and all(item.handling_class == 3 and item.id not in filed for item in items):
        return "handover", {item.id: HANDOVER for item in items}
    return "application", {item.id: FILED if item.id in filed else REQUEST for item in items}


@dataclass(frozen=True)
class HandoverMaterial:
    """One paper material on a handover list.

    Attributes:
        state: As recorded at the checklist: ``original`` or ``copy`` (what is physically handed
            over); ``deficient`` (容缺: to be brought later, listed so the department knows).
        original_required: Whether an item of the part requires the original.
    """

    id: str
    name: str
    state: str
    original_required: bool = False
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "state": self.state, "original_required": self.original_required, "note": self.note}


HANDED_STATES = ("original", "copy", "deficient")
"""Material states that belong on a handover list: paper received (or promised, 容缺)."""


@dataclass(frozen=True)
class HandoverList:
    """A 材料移交单: the paper materials of one class-3 part handed to its department.

    Attributes:
        handed_by: The clerk who drew it up (工号, or the configured clerk name).
        handed_at: When (the acceptance), ISO with offset.
        acknowledged_at / acknowledged_by: When the department confirmed receipt and the
            name of the person who received the materials; ``None`` / empty until then.
    """

    receipt_no: str
    department: str
    department_name: str
    stage: int
    envelope_id: str
    items: tuple[tuple[str, str], ...]  # (item id, item name)
    materials: tuple[HandoverMaterial, ...]
    handed_by: str
    handed_at: str
    acknowledged_at: str | None = None
    acknowledged_by: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "receipt_no": self.receipt_no,
            "department": self.department,
            "department_name": self.department_name,
            "stage": self.stage,
            "envelope_id": self.envelope_id,
            "items": [{"id": item_id, "name": name} for item_id, name in self.items],
            "materials": [material.to_json() for material in self.materials],
            "handed_by": self.handed_by,
            "handed_at": self.handed_at,
            "acknowledged_at": self.acknowledged_at,
            "acknowledged_by": self.acknowledged_by,
        }
