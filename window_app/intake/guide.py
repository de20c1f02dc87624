"""The 办事指南 of an offering under given answers: items, checklist, form, stages.

(Skeleton: the dataclass is the contract; ``build_guide`` / ``new_intake`` are implemented by
the intake work.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from window_app.catalog.model import Catalog, Item, Offering
from window_app.intake.model import Checklist, DispatchPlan, Intake, UnifiedForm


@dataclass(frozen=True)
class Guide:
    """Everything derived from an offering and an intake's answers/choices.

    Attributes:
        items: Selected items (mandatory + chosen optional), in stage order.
        optional: Optional items of the offering and whether each is currently selected.
    """

    offering: Offering
    items: tuple[Item, ...]
    optional: tuple[tuple[Item, bool], ...]
    checklist: Checklist
    form: UnifiedForm
    plan: DispatchPlan

    @property
    def departments(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(item.department for item in self.items))

    def to_json(self) -> dict[str, Any]:
        raise NotImplementedError


def build_guide(catalog: Catalog, offering: Offering, intake: Intake) -> Guide:
    raise NotImplementedError


def new_intake(catalog: Catalog, offering: Offering) -> Intake:
    raise NotImplementedError
