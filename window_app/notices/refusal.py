"""The 不予受理 / 不予许可告知书: a department refused an item, with its reason and the
applicant's remedies (行政复议, 行政诉讼)."""

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

NOT_REFUSED = Words("该办件没有被部门不予受理或不予许可的事项", "No department has refused an item of this application")


def refusal_notice(
    detail: ApplicationDetail, catalog: Catalog, decisions: Iterable[ItemDecision], *, zone: dt.tzinfo | None = None
) -> Notice:
    """The refused items of ``detail``, each with its department's reason.

    Raises:
        NoticeUnavailable: No item was refused.
    """
    refused = sorted((d for d in decisions if d.decision == "rejected"), key=lambda d: (d.department, d.item))
    if not refused:
        raise NoticeUnavailable(NOT_REFUSED, [detail.summary.receipt_no])
    lines: list[Row] = []
    for number, decision in enumerate(refused, start=1):
        lines += [
            Row(tr("{n}. 事项", "{n}. Item", n=number), item_name(catalog, decision.item)),
            Row(tr("决定部门", "Decided by"), department_name(catalog, decision.department)),
            Row(tr("理由", "Reason"), decision.reason or "—"),
            Row(tr("决定时间", "Decided at"), moment(decision.decided_at, zone)),
        ]
        if decision.result:
            lines.append(Row(tr("文书编号", "Decision no."), decision.result))
    return application_notice(
        "refusal",
        detail,
        sections=(
            case_section(detail, catalog, zone),
            Section(
                "",
                paragraphs(
                    [
                        tr(
                            "您申请的下列事项，经审查，决定不予受理（不予许可），理由如下：",
                            "The items below of your application were examined and refused, for these reasons:",
                        )
                    ]
                ),
            ),
            Section(tr("不予受理（不予许可）的事项", "Items refused"), tuple(lines)),
            Section(
                "",
                paragraphs(
                    [
                        tr(
                            "如对本决定不服，可以自收到本告知书之日起六十日内依法申请行政复议，"
                            "或者在六个月内依法向人民法院提起行政诉讼。",
                            "If you disagree with this decision you may apply for administrative reconsideration "
                            "within sixty days of receiving this notice, or bring an administrative lawsuit before "
                            "a people's court within six months, as the law provides.",
                        )
                    ]
                ),
            ),
        ),
        signatures=(
            tr("窗口工作人员（签字）：______________  （窗口盖章）", "Clerk (signature): ______________  (window stamp)"),
            tr("申请人（签收）：______________  日期：____年__月__日", "Applicant (received): ______________  Date: __________"),
        ),
    )
