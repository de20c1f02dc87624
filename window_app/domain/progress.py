"""How a department decided an item: the record the window keeps of each item's latest decision."""

from __future__ import annotations

from dataclasses import dataclass

from window_app.domain.wire import FINAL_DECISIONS


@dataclass(frozen=True)
class ItemDecision:
    """The decision that counts on one item (the latest)."""

    receipt_no: str
    item: str
    department: str
    stage: int
    decision: str  # approved | rejected | supplement_needed
    result: str = ""
    reason: str = ""
    material: str = ""
    decided_by: str = ""
    decided_at: str = ""
    endpoint: str = ""
    event_seq: int = 0
    supplied_at: str | None = None  # a supplement_needed answered by a delivered supplement

    @property
    def pending_supplement(self) -> bool:
        """The department asked for a supplement and it has not been delivered yet."""
        return self.decision == "supplement_needed" and not self.supplied_at

    @property
    def final(self) -> bool:
        return self.decision in FINAL_DECISIONS
