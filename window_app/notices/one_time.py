"""The 一次性告知书 (one-time notice): what an applicant must bring and meet, under their answers.

Printed from the guide without accepting (``window-app notice one-time FILE``): an applicant who
lacks something leaves with everything written down at once, instead of being turned away with
words and coming back for the next missing piece.
"""

from __future__ import annotations

import datetime as dt

from window_app.domain.catalog import Catalog
from window_app.domain.intake import Intake
from window_app.domain.words import counted, tr
from window_app.intake.guide import Guide
from window_app.notices.facts import key_facts
from window_app.notices.model import NOTICE_KINDS, Notice, Row, Section, paragraphs, rows
from window_app.receipt import STAGES_HEADING, applicant_facts, department_name, format_date, item_promise


def one_time_notice(guide: Guide, intake: Intake, catalog: Catalog, *, centre: str, today: dt.date) -> Notice:
    """The notice for ``intake`` as it stands (answers, chosen items, materials marked so far).

    Materials still missing (not yet received, or accepted as deficient) are listed first.
    """
    bundle = guide.offering.bundle
    situation = []
    for question in bundle.questions:
        value = guide.answers.get(question.id, "")
        option = question.option(value)
        if option is not None:
            situation.append((str(question.text), str(option.label)))
    items = []
    for item in guide.items:
        items.append(Row(str(item.name), f"{department_name(catalog, item.department)} · {item_promise(item)}"))
    missing, materials = [], []
    for line in guide.checklist.lines:
        material = line.material
        status = intake.materials.get(material.id)
        if material.shareable:
            how = tr("免提交（数据共享核验）", "not needed on paper (verified by data sharing)")
        elif line.original_required:
            how = tr("原件", "original")
        else:
            how = tr("原件或复印件", "original or copy")
        if material.note:
            how += tr("；{note}", "; {note}", note=str(material.note))
        row = Row(str(material.name), how)
        if status is not None and status.state in ("pending", "deficient") and not material.shareable:
            missing.append(row)
        materials.append(row)
    sections = [
        Section(
            "",
            rows(
                [(tr("办理事项", "Service"), str(bundle.name))]
                + applicant_facts(intake)[:2]
                + key_facts(intake, catalog)
                + [(tr("告知日期", "Date"), format_date(today))]
            ),
        ),
        Section(
            "",
            paragraphs(
                [
                    tr(
                        "根据您所述的情形，现将办理上述事项所需的申请材料和办理条件一次性告知如下。"
                        "材料齐全后，可到任一政务服务中心综合窗口一次办理。",
                        "From the situation you described, these are, all at once, the materials and "
                        "conditions for the service above. Once you have them all, one visit to any "
                        "comprehensive window of a government service centre completes the application.",
                    )
                ]
            ),
        ),
    ]
    if situation:
        sections.append(Section(tr("办理情形", "Your situation"), rows(situation)))
    if missing:
        sections.append(Section(tr("尚需补齐的材料", "Materials still to bring"), tuple(missing)))
    sections.append(
        Section(
            tr("申请材料清单（共{n}项）", "Materials ({materials})", n=len(materials), materials=counted(len(materials), "material")),
            tuple(materials),
        )
    )
    sections.append(Section(str(STAGES_HEADING), tuple(items)))
    if guide.promised_days:
        sections.append(
            Section(
                "",
                rows([(tr("承诺时限", "Promised within"), tr("{days}个工作日", "{working_days}", days=guide.promised_days,
                                                        working_days=counted(guide.promised_days, "working day")))]),
            )
        )
    return Notice(
        kind="one-time",
        centre=centre or tr("政务服务中心", "Government Service Centre"),
        title=str(NOTICE_KINDS["one-time"]),
        reference=f"{bundle.id}-{today:%Y%m%d}",
        sections=tuple(sections),
        signatures=(
            tr("窗口工作人员（签字）：______________  （窗口盖章）", "Clerk (signature): ______________  (window stamp)"),
            tr("申请人（签收）：______________  日期：____年__月__日", "Applicant (received): ______________  Date: __________"),
        ),
        file_stem=f"one-time-{bundle.id}-{today:%Y%m%d}",
    )
