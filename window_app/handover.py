"""The printable 材料移交单 (handover list) of a class-3 part (三类登记办).

One sheet per department part: the paper materials handed over, for which items, by which clerk
and when; the department's acknowledgement (who received them, when) once its event is back.
Plain text at the receipt's width, like :mod:`window_app.receipt`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from window_app.domain.words import tr
from window_app.receipt import RECEIPT_WIDTH, _centre, _field, format_moment

if TYPE_CHECKING:
    from window_app.domain.handling import HandoverList, HandoverMaterial

_STATE_WORDS = {
    "original": ("原件", "original"),
    "copy": ("复印件", "copy"),
    "deficient": ("容缺后补", "to follow (deficiency accepted)"),
}


def handed_state(material: HandoverMaterial) -> str:
    """How a material is handed over, in words: 原件（须原件）, 复印件, 容缺后补, and its note."""
    zh, en = _STATE_WORDS.get(material.state, (material.state, material.state))
    state = tr(zh, en)
    if material.original_required and material.state == "original":
        state += tr("（须原件）", " (original required)")
    return state + (f"；{material.note}" if material.note else "")


def render_handover(handover: HandoverList, *, centre: str = "", window_id: str = "", zone: dt.tzinfo | None = None) -> str:
    """One 材料移交单 as plain text, at most :data:`~window_app.receipt.RECEIPT_WIDTH` columns;
    moments in ``zone`` (the window's ``[window] time_zone``; China time when not given)."""
    rule = "-" * RECEIPT_WIDTH
    lines = [
        _centre(centre or tr("政务服务中心", "Government Service Centre")),
        _centre(tr("材料移交单", "Handover List of Materials")),
        "=" * RECEIPT_WIDTH,
    ]
    lines += _field(tr("受理编号", "Receipt no."), handover.receipt_no)
    lines += _field(tr("移交部门", "Handed to"), handover.department_name)
    lines += _field(tr("移交人", "Handed over by"), handover.handed_by + (f"（{window_id}）" if window_id else ""))
    lines += _field(tr("移交时间", "Handed over at"), format_moment(handover.handed_at, zone))
    lines.append(rule)
    lines.append(tr("事项：", "Items:"))
    for item_id, name in handover.items:
        lines += _field(f"  {name}", item_id)
    lines.append(rule)
    lines.append(tr("移交材料：", "Materials handed over:"))
    if not handover.materials:
        lines.append(tr("  （无纸质材料）", "  (no paper materials)"))
    for number, material in enumerate(handover.materials, start=1):
        lines += _field(f"{number}. {material.name}", handed_state(material))
    lines.append(tr("共 {n} 份", "{n} in all", n=len(handover.materials)))
    lines.append(rule)
    if handover.acknowledged_at:
        lines += _field(tr("接收人", "Received by"), handover.acknowledged_by)
        lines += _field(tr("签收时间", "Received at"), format_moment(handover.acknowledged_at, zone))
    else:
        lines += _field(tr("接收人", "Received by"), tr("（待部门签收）", "(awaiting the department's acknowledgement)"))
    return "\n".join(lines)
