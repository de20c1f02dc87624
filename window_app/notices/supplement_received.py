"""The 补正材料收取凭证: what the window received when the applicant brought a supplement.

Read from the application's audit trail (each ``supplement_queued`` event: which material, for
which department, in what form, by whom, when), so it is printed the same however late.
"""

from __future__ import annotations

import datetime as dt

from window_app.domain.applications import ApplicationDetail
from window_app.domain.catalog import Catalog
from window_app.domain.intake import MaterialStatus
from window_app.domain.words import Words, tr
from window_app.notices.common import application_notice, case_section, moment
from window_app.notices.model import Notice, NoticeUnavailable, Row, Section, paragraphs
from window_app.receipt import department_name, material_state

NOTHING_SUPPLIED = Words("该办件尚未收取补正材料", "No supplementary material has been received for this application")


def supplement_received_notice(detail: ApplicationDetail, catalog: Catalog, *, zone: dt.tzinfo | None = None) -> Notice:
    """Every supplementary material received for ``detail``, oldest first.

    Raises:
        NoticeUnavailable: None was received yet.
    """
    received = [event for event in detail.audit if event.action == "supplement_queued"]
    if not received:
        raise NoticeUnavailable(NOTHING_SUPPLIED, [detail.summary.receipt_no])
    lines: list[Row] = []
    for number, event in enumerate(received, start=1):
        material_id = str(event.data.get("material", ""))
        material = catalog.materials.get(material_id)
        state = material_state(MaterialStatus(state=str(event.data.get("state", "copy"))))
        lines += [
            Row(tr("{n}. 材料", "{n}. Material", n=number), str(material.name) if material else material_id),
            Row(tr("收取形式", "Received as"), state),
            Row(tr("转送部门", "Forwarded to"), department_name(catalog, str(event.data.get("department", "")))),
            Row(tr("收取时间", "Received at"), moment(event.at, zone)),
            Row(tr("经办人", "Received by"), event.actor),
        ]
    return application_notice(
        "supplement-received",
        detail,
        sections=(
            case_section(detail, catalog, zone),
            Section(tr("已收补正材料", "Supplementary materials received"), tuple(lines)),
            Section(
                "",
                paragraphs(
                    [
                        tr(
                            "以上补正材料已收取，并转送相关部门继续办理，承诺办结时限自补正材料收取之日起继续计算。"
                            "凭本凭证受理编号可查询办理进度。",
                            "The supplementary materials above were received and forwarded to the departments; "
                            "the promised time runs again from the day they were received. Quote the receipt "
                            "number to ask about progress.",
                        )
                    ]
                ),
            ),
        ),
        signatures=(tr("窗口工作人员（签字）：______________  （窗口盖章）", "Clerk (signature): ______________  (window stamp)"),),
    )
