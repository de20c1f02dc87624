"""The 补正告知书 (supplement notice): a department asks for a missing or corrected material."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from window_app.domain.applications import ApplicationDetail
from window_app.domain.catalog import Catalog
from window_app.domain.progress import ItemDecision
from window_app.domain.words import Words, tr
from window_app.notices.common import application_notice, case_section, item_name, moment
from window_app.notices.model import Notice, NoticeUnavailable, Row, Section, paragraphs
from window_app.receipt import department_name

NO_REQUEST = Words("该办件没有部门要求补正", "No department has asked for a supplement on this application")


def supplement_notice(
    detail: ApplicationDetail, catalog: Catalog, decisions: Iterable[ItemDecision], *, zone: dt.tzinfo | None = None
) -> Notice:
    """What the departments asked for, from their ``supplement_needed`` decisions.

    Raises:
        NoticeUnavailable: No department asked for a supplement.
    """
    asked = [d for d in decisions if d.decision == "supplement_needed"]
    if not asked:
        raise NoticeUnavailable(NO_REQUEST, [detail.summary.receipt_no])
    requests: list[Row] = []
    for number, decision in enumerate(sorted(asked, key=lambda d: (d.department, d.item)), start=1):
        material = catalog.materials.get(decision.material) if decision.material else None
        what = str(material.name) if material else (decision.material or tr("（见补正理由）", "(see the reason)"))
        requests += [
            Row(tr("{n}. 补正材料", "{n}. Material", n=number), what),
            Row(tr("补正理由", "Reason"), decision.reason or "—"),
            Row(tr("提出部门", "Asked by"), department_name(catalog, decision.department)),
            Row(tr("涉及事项", "Item"), item_name(catalog, decision.item)),
            Row(tr("告知时间", "Asked at"), moment(decision.decided_at, zone)),
        ]
    return application_notice(
        "supplement",
        detail,
        sections=(
            case_section(detail, catalog, zone),
            Section(
                "",
                paragraphs(
                    [
                        tr(
                            "您申请的上述事项，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国"
                            "行政许可法》第三十二条的规定，请按以下要求补正材料，并提交至受理窗口。"
                            "补正期间不计入承诺办结时限。",
                            "The application above was examined: its materials are incomplete or not in the "
                            "form the law requires. Under Article 32 of the Administrative Licensing Law of "
                            "the People's Republic of China, please supply the materials below at the window "
                            "that accepted it. The time taken to supply them does not count towards the promised time.",
                        )
                    ]
                ),
            ),
            Section(tr("需补正的材料", "Materials to supply"), tuple(requests)),
        ),
        signatures=(
            tr("窗口工作人员（签字）：______________  （窗口盖章）", "Clerk (signature): ______________  (window stamp)"),
            tr("申请人（签收）：______________  日期：____年__月__日", "Applicant (received): ______________  Date: __________"),
        ),
    )
