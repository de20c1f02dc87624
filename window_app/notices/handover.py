"""The 材料移交单 (handover list) of an application's class-3 parts (三类登记办) as a notice:
one section per department the paper goes to, what :func:`window_app.handover.render_handover`
prints as text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from window_app.domain.applications import ApplicationDetail
from window_app.domain.catalog import Catalog
from window_app.domain.handling import HandoverList
from window_app.domain.words import Words, counted, tr
from window_app.handover import handed_state
from window_app.notices.common import application_notice, case_section, moment
from window_app.notices.model import Notice, NoticeUnavailable, Row, Section

NO_HANDOVER = Words("该办件没有三类登记办事项，无需材料移交单", "This application has no class-3 item: there is no handover list")


def handover_notice(
    detail: ApplicationDetail, catalog: Catalog, handovers: Sequence[HandoverList], *, zone: dt.tzinfo | None = None
) -> Notice:
    """The handover list of each class-3 part of ``detail``.

    Raises:
        NoticeUnavailable: The application has no class-3 part.
    """
    if not handovers:
        raise NoticeUnavailable(NO_HANDOVER, [detail.summary.receipt_no])
    sections = [case_section(detail, catalog, zone)]
    for handover in handovers:
        lines = [
            Row(tr("移交人", "Handed over by"), handover.handed_by + (f"（{detail.window_id}）" if detail.window_id else "")),
            Row(tr("移交时间", "Handed over at"), moment(handover.handed_at, zone)),
        ]
        lines += [Row(tr("事项", "Item"), name) for _, name in handover.items]
        lines += [
            Row(f"{number}. {material.name}", handed_state(material))
            for number, material in enumerate(handover.materials, start=1)
        ] or [Row("", tr("（无纸质材料）", "(no paper materials)"))]
        lines.append(
            Row("", tr("共 {n} 份", "{materials} in all", n=len(handover.materials),
                       materials=counted(len(handover.materials), "material")))
        )
        if handover.acknowledged_at:
            lines += [
                Row(tr("接收人", "Received by"), handover.acknowledged_by),
                Row(tr("签收时间", "Received at"), moment(handover.acknowledged_at, zone)),
            ]
        else:
            lines.append(Row(tr("接收人（签字）", "Received by (signature)"), "______________"))
        sections.append(Section(tr("移交部门：{name}", "Handed to: {name}", name=handover.department_name), tuple(lines)))
    return application_notice(
        "handover",
        detail,
        sections=tuple(sections),
        signatures=(tr("移交人（签字）：______________  （窗口盖章）", "Handed over by (signature): ______________  (window stamp)"),),
    )
