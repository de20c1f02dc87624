"""Each department's progress as the public tracking page says it, from what the exchange holds.

Pure: the application's tracking record (its departments and stages, as the window planned
them) and its envelopes (:class:`~window_app.exchange.tracking_store.PartRow`) in, one
:class:`PartProgress` per department part out, in plain Chinese and English.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from window_app.domain.tracking_record import TrackedDepartment, TrackingRecord
from window_app.domain.words import Words
from window_app.exchange.tracking_store import PartRow

NOT_SENT = "not_sent"
WAITING = "waiting_prerequisite"
CANCELLED = "cancelled"
DELIVERED = "delivered"
HANDLING = "handling"
SUPPLEMENT = "supplement_needed"
APPROVED = "approved"
REFUSED = "refused"
AT_WINDOW = "concluded_at_window"

STATE_WORDS: dict[str, Words] = {
    NOT_SENT: Words("尚未送达部门", "not yet sent to the department"),
    WAITING: Words("等待前一环节（前置审批）办结", "waiting for an earlier stage (a prerequisite) to be concluded"),
    CANCELLED: Words("前置事项未获准予，本环节不再办理", "not handled: a prerequisite was refused"),
    DELIVERED: Words("已送达，等待部门接收", "delivered, awaiting the department"),
    HANDLING: Words("部门正在办理", "being handled by the department"),
    SUPPLEMENT: Words("需要补正材料", "supplement needed"),
    APPROVED: Words("已准予", "approved"),
    REFUSED: Words("不予许可", "refused"),
    AT_WINDOW: Words("已在窗口当场办结", "concluded at the window"),
}
FINAL = frozenset({APPROVED, REFUSED, AT_WINDOW, CANCELLED})


@dataclass(frozen=True)
class PartProgress:
    """One department part's progress on the page.

    Attributes:
        department: The department (office) and its stage, as the window planned them.
        state: One of :data:`STATE_WORDS`' keys.
        materials: The materials a supplement asks for (names, both languages).
    """

    department: TrackedDepartment
    state: str
    materials: tuple[Words, ...] = ()

    @property
    def words(self) -> Words:
        """The state in words (a supplement names its materials)."""
        words = STATE_WORDS[self.state]
        if self.materials:
            words = words + Words("：", ": ") + Words.join(Words("、", ", "), self.materials)
        return words

    def to_json(self) -> dict[str, Any]:
        return {
            "department": self.department.name.zh,
            "department_en": self.department.name.en,
            "stage": self.department.stage,
            "lead": self.department.lead,
            "state": self.state,
            "state_text": STATE_WORDS[self.state].zh,
            "state_text_en": STATE_WORDS[self.state].en,
            "materials": [material.zh for material in self.materials],
            "materials_en": [material.en for material in self.materials],
        }


def progress(record: TrackingRecord, parts: Sequence[PartRow], material_name: Callable[[str], Words]) -> list[PartProgress]:
    """Each department part of ``record``: its state from its envelope, or (none stored yet)
    from the stages before it."""
    by_part = {(part.department, part.stage): part for part in parts}
    found: list[PartProgress] = []
    for department in sorted(record.departments, key=lambda d: d.stage):
        part = by_part.get((department.id, department.stage))
        if part is not None:
            state = _state_of(part)
            materials = tuple(material_name(m) for m in dict.fromkeys(part.materials)) if state == SUPPLEMENT else ()
            found.append(PartProgress(department, state, materials))
            continue
        earlier = [p.state for p in found if p.department.stage < department.stage]
        if department.stage == 1 or not earlier:
            state = NOT_SENT if department.stage == 1 else WAITING
        elif all(s in FINAL for s in earlier):
            state = CANCELLED if any(s in (REFUSED, CANCELLED) for s in earlier) else NOT_SENT
        else:
            state = WAITING
        found.append(PartProgress(department, state))
    return found


def _state_of(part: PartRow) -> str:
    if part.kind == "filing":
        return AT_WINDOW
    if part.kind == "handover":
        # The department confirmed it received the paper materials: it handles the items itself.
        return HANDLING if part.state == "decided" else DELIVERED
    if part.state == "new":
        return DELIVERED
    if part.state == "supplement_needed":
        return SUPPLEMENT
    if part.state == "decided":
        return REFUSED if "rejected" in part.decisions else APPROVED
    return HANDLING


def concluded(parts: Sequence[PartProgress]) -> bool:
    """Every part has its final answer."""
    return bool(parts) and all(part.state in FINAL for part in parts)
