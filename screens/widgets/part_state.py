"""How an application and its department parts are shown: a mark, a word, a compact line.

Parts move through states the storage and sync layers define (``queued`` → ``sent`` → …).
The words for the states are the domain's (:mod:`window_app.domain.states`, shared with the CLI); the
marks are this screen's. States not known yet are shown by their code (and ``?``), never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.cells import cell_len

from screens.widgets.offering_preview import department_name
from window_app.domain.states import application_state_label, part_took
from window_app.domain.states import part_state_label as part_label

if TYPE_CHECKING:
    from window_app.domain.applications import DepartmentPart
    from window_app.domain.catalog import Catalog

__all__ = ["PART_MARKS", "application_state_label", "part_label", "part_mark", "part_words", "parts_compact"]

PART_MARKS: dict[str, str] = {
    "queued": "…",
    "waiting": "◦",
    "sent": "→",
    "received": "↓",
    "approved": "✓",
    "rejected": "✗",
    "supplement_needed": "!",
    "cancelled": "–",
    "awaiting_acknowledgement": "⇢",
    "handed_over": "✓",
    "quarantined": "⊘",
    "supplement_queued": "⇡",
    "supplement_sent": "↑",
}
"""Part state (also the shown ones: quarantined, supplement queued/sent) → its one-character
mark; the words are ``window_app.domain.states``'."""


def part_mark(state: str) -> str:
    """A one-character mark for a part state (``?`` for a state this screen does not know)."""
    return PART_MARKS.get(state, "?")


def part_words(part: DepartmentPart) -> str:
    """``✓ 已同意``: the mark and the words of the state a part is shown in."""
    state = part.shown_state
    return f"{part_mark(state)} {part_label(state)}"


def parts_compact(parts: Iterable[DepartmentPart], catalog: Catalog, width: int | None = None) -> str:
    """Every department's part at a glance, as much of it as fits in ``width`` cells.

    The richest of, in order:

    1. ``市场监管✓35分 税务… 公安⊘``: each department's short name, its part's mark, and for a
       decided part the time it took from delivery to decision;
    2. ``市场监管✓ 税务… 公安⊘``: names and marks;
    3. ``✓ … ⊘``, then ``✓…⊘``: one mark per department, in the order the parts are listed in
       words (with names and times) under the applications list — every part keeps its mark.

    Without ``width``, the first.
    """
    parts = list(parts)
    names = [department_name(catalog, part.department, short=True) for part in parts]
    marks = [part_mark(part.shown_state) for part in parts]
    forms = [
        " ".join(f"{name}{mark}{part_took(part)}" for name, mark, part in zip(names, marks, parts)),
        " ".join(f"{name}{mark}" for name, mark in zip(names, marks)),
        " ".join(marks),
        "".join(marks),
    ]
    if width is None:
        return forms[0]
    return next((form for form in forms if cell_len(form) <= width), forms[-1])
