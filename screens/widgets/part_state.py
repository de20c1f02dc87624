"""How an application and its department parts are shown: a mark, a word, a compact line.

Parts move through states the storage and sync layers define (``queued`` → ``sent`` → …).
States this module does not know yet are shown by their code, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from screens.widgets.offering_preview import department_name
from window_app.i18n import tr

if TYPE_CHECKING:
    from window_app.applications import DepartmentPart
    from window_app.catalog.model import Catalog

PART_STATES: dict[str, tuple[str, str, str]] = {
    "queued": ("…", "待发送", "queued"),
    "waiting": ("◦", "待前置结果", "awaiting a prerequisite"),
    "sent": ("→", "已发送", "sent"),
    "received": ("↓", "部门已接收", "received"),
    "approved": ("✓", "已同意", "approved"),
    "rejected": ("✗", "不予许可", "rejected"),
    "supplement_needed": ("!", "需补正", "supplement needed"),
}
"""Part state → (mark, 中文, English); see ``window_app.applications.PART_STATES``."""

APPLICATION_STATES: dict[str, tuple[str, str]] = {
    "accepted": ("已受理", "accepted"),
    "in_progress": ("办理中", "in progress"),
    "supplement_needed": ("需补正", "supplement needed"),
    "concluded": ("已办结", "concluded"),
    "rejected": ("不予受理", "rejected"),
}
"""Application state → (中文, English); see ``window_app.applications.APPLICATION_STATES``."""


def part_mark(state: str) -> str:
    """A one-character mark for a part state (``?`` for a state this screen does not know)."""
    return PART_STATES.get(state, ("?", "", ""))[0]


def part_label(state: str) -> str:
    """The state in words, in the interface language (the code itself when unknown)."""
    known = PART_STATES.get(state)
    if known is None:
        return state
    return tr(known[1], known[2])


def application_state_label(state: str) -> str:
    """An application's state in words, in the interface language (the code when unknown)."""
    known = APPLICATION_STATES.get(state)
    return tr(*known) if known else state


def parts_compact(parts: Iterable[DepartmentPart], catalog: Catalog) -> str:
    """``市场监管✓ 税务…``: each department's short name followed by its part's mark."""
    return " ".join(f"{department_name(catalog, part.department, short=True)}{part_mark(part.state)}" for part in parts)
