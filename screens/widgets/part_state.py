"""How a department's part of an application is shown: a mark, a word, a compact line.

Parts move through states the storage and sync layers define (``queued`` → ``sent`` → …).
States this module does not know yet are shown by their code, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from window_app.i18n import language, pick, tr

# state → (mark, 中文, English)
_STATES: dict[str, tuple[str, str, str]] = {
    "waiting": ("◦", "待前置", "awaiting prerequisite"),
    "queued": ("…", "待发送", "queued"),
    "sending": ("…", "发送中", "sending"),
    "sent": ("→", "已发送", "sent"),
    "delivered": ("→", "已送达", "delivered"),
    "received": ("→", "已接收", "received"),
    "accepted": ("→", "部门已受理", "accepted by department"),
    "processing": ("→", "办理中", "in progress"),
    "supplement": ("!", "需补正", "supplement requested"),
    "supplement_requested": ("!", "需补正", "supplement requested"),
    "approved": ("✓", "已办结", "approved"),
    "done": ("✓", "已办结", "done"),
    "completed": ("✓", "已办结", "completed"),
    "concluded": ("✓", "已办结", "concluded"),
    "rejected": ("✗", "不予许可", "rejected"),
    "refused": ("✗", "不予许可", "refused"),
    "failed": ("✗", "发送失败", "failed"),
    "cancelled": ("✗", "已撤回", "cancelled"),
}


def part_mark(state: str) -> str:
    """A one-character mark for a part state (``?`` for a state this screen does not know)."""
    return _STATES.get(state, ("?", "", ""))[0]


def part_label(state: str) -> str:
    """The state in words, in the interface language (the code itself when unknown)."""
    known = _STATES.get(state)
    if known is None:
        return state
    return tr(known[1], known[2])


def department_name(departments: Mapping[str, Any], department_id: str, *, short: bool = True) -> str:
    """A department's (short) name from the catalog's departments, its id when unknown.

    Short names are Chinese (市场监管); in English the department's English name is used.
    """
    department = departments.get(department_id)
    if department is None:
        return department_id
    if short and department.short_name and language() == "zh":
        return department.short_name
    return pick(department)


def parts_compact(parts: Iterable[Any], departments: Mapping[str, Any]) -> str:
    """``市场监管✓ 税务…``: each department's short name followed by its part's mark."""
    return " ".join(f"{department_name(departments, part.department)}{part_mark(part.state)}" for part in parts)
