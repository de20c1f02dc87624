"""How a department decided an item: the record the window keeps of each item's latest decision."""

from __future__ import annotations

from dataclasses import dataclass

from window_app.domain.wire import FINAL_DECISIONS
from window_app.domain.words import NO_WORDS, Words


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


ACTION_KINDS = ("supplement", "refused", "quarantined", "survey")
"""What needs the clerk, most urgent first: a department asked for a material (补正); a
department refused an item (不予办理), until the clerk has opened the application; the
exchange refused an envelope for good (the supervisor's: it waits for a fix and F9); a joint
site survey (联合踏勘) to confirm: every department answered, or one proposed another slot."""


@dataclass(frozen=True)
class ActionNeeded:
    """One thing a department or the exchange left for the clerk on one application.

    Attributes:
        kind: One of :data:`ACTION_KINDS`.
        item: The item decided (empty for a quarantined envelope).
        material: The material asked for (补正; may be empty: the reason says what).
        reason: The department's reason, or the exchange's, in words.
        at: When it was decided or refused (ISO, UTC).
    """

    receipt_no: str
    kind: str
    department: str
    stage: int
    item: str = ""
    material: str = ""
    reason: Words = NO_WORDS
    at: str = ""
