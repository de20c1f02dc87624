"""The printable receipt (受理回执) the applicant takes home.

Receipt numbers themselves are :mod:`window_app.domain.receipt_no`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from rich.cells import cell_len

from window_app.catalog.local_names import routed_locally
from window_app.domain.calendar import add_working_days as add_working_days  # re-exported
from window_app.domain.catalog import Catalog, Item
from window_app.domain.times import DEFAULT_ZONE, in_zone, window_zone
from window_app.domain.tracking_code import grouped
from window_app.domain.words import Words, counted, tr
from window_app.notices.facts import key_facts

if TYPE_CHECKING:
    from window_app.domain.applications import ApplicationDetail
    from window_app.domain.intake import Intake, MaterialStatus

RECEIPT_WIDTH = 60


# -- dates -------------------------------------------------------------------------------
# add_working_days is the official calendar's (window_app/domain/calendar.py): holidays and 调休
# counted. Other modules import it from here; it stays importable under this name.


# -- masking -----------------------------------------------------------------------------


def mask_id_number(id_number: str) -> str:
    """A resident ID with the birth date and order hidden: 522325********002X."""
    if len(id_number) <= 10:
        return id_number
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """A phone number with its middle hidden: 139****2345 (a lost slip gives little away)."""
    positions = [index for index, char in enumerate(phone) if char.isdigit()]
    if len(positions) < 8:
        return phone
    hidden = set(positions[3:-4])  # separators such as the landline's "-" stay
    return "".join("*" if index in hidden else char for index, char in enumerate(phone))


# -- the printable receipt ---------------------------------------------------------------


def render_receipt(
    detail: ApplicationDetail, catalog: Catalog, *, zone: dt.tzinfo | None = None, tracking_link: str = ""
) -> str:
    """The 受理回执 as plain text, at most :data:`RECEIPT_WIDTH` columns (CJK counted double).

    Names come from ``catalog`` in the interface language; what was promised (dates, days)
    comes from the application as accepted; moments are printed in ``zone`` (the window's
    ``[window] time_zone``; China time when not given). ``tracking_link``: where the applicant
    looks the application up (:func:`window_app.tracking.tracking_link`), printed when given.
    The same pieces make the PDF receipt (:mod:`window_app.notices.receipt`).
    """
    lines: list[str] = []
    rule = "-" * RECEIPT_WIDTH

    lines.append(_centre(detail.centre or tr("政务服务中心", "Government Service Centre")))
    lines.append(_centre(tr("受理回执", "Acceptance Receipt")))
    lines.append("=" * RECEIPT_WIDTH)
    for label, value in header_facts(detail, zone):
        lines += _field(label, value)
    lines.append(rule)

    for label, value in applicant_facts(detail.intake):
        lines += _field(label, value)
    for label, value in service_facts(detail, catalog):
        lines += _field(label, value)
    lines.append(rule)

    lines += _stages(detail, catalog)
    lines.append(rule)
    lines += _materials(detail, catalog)
    lines.append(rule)

    promised = promised_text(detail)
    if promised:
        lines += _field(tr("承诺办结", "Promised by"), promised)
    if detail.tracking_code:
        lines += _field(tr("查询码", "Tracking code"), grouped(detail.tracking_code))
    for paragraph in closing_paragraphs(detail, tracking_link):
        lines += _wrap(paragraph)
    for signature in SIGNATURES:
        lines.append("")
        lines.append(str(signature))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def header_facts(detail: ApplicationDetail, zone: dt.tzinfo | None = None) -> list[tuple[str, str]]:
    """Receipt number, when, at which window by whom."""
    summary = detail.summary
    window = detail.window_id + (tr("  受理人：{clerk}", "  clerk: {clerk}", clerk=detail.clerk) if detail.clerk else "")
    return [
        (tr("受理编号", "Receipt no."), summary.receipt_no),
        (tr("受理时间", "Accepted at"), format_moment(summary.accepted_at, zone)),
        (tr("受理窗口", "Window"), window),
    ]


def applicant_facts(intake: Intake) -> list[tuple[str, str]]:
    """Who applied, as printed: (label, value) pairs, ID numbers and phones masked; the name
    and the (masked) number or USCC come first."""
    applicant = intake.applicant
    facts: list[tuple[str, str]] = []
    if applicant.kind == "enterprise":
        enterprise = applicant.enterprise
        facts.append((tr("申请单位", "Applicant"), enterprise.name))
        facts.append((tr("统一社会信用代码", "USCC"), enterprise.uscc or tr("（设立登记中）", "(being registered)")))
        if enterprise.legal_representative.name:
            facts.append((tr("法定代表人", "Legal representative"), enterprise.legal_representative.name))
        if applicant.person.name:
            facts.append((tr("联系人", "Contact"), applicant.person.name))
        phone = applicant.person.phone or enterprise.legal_representative.phone
    else:
        facts.append((tr("申请人", "Applicant"), applicant.person.name))
        facts.append((tr("身份证号码", "Resident ID"), mask_id_number(applicant.person.id_number)))
        phone = applicant.person.phone
    if phone:
        facts.append((tr("联系电话", "Phone"), mask_phone(phone)))
    agent = applicant.agent
    if agent and agent.name:
        masked = mask_id_number(agent.id_number)
        agent_text = agent.name + (tr("（{id}）", " ({id})", id=masked) if agent.id_number else "")
        facts.append((tr("代办人", "Agent"), agent_text))
    else:
        facts.append((tr("代办人", "Agent"), tr("无", "none")))
    return facts


def service_facts(detail: ApplicationDetail, catalog: Catalog) -> list[tuple[str, str]]:
    """The case as printed: the key facts (房屋坐落, the child …), the service, the lead department."""
    summary = detail.summary
    facts = key_facts(detail.intake, catalog)
    kind = tr("一件事一次办", "integrated service") if summary.offering_kind == "bundle" else tr("单项事项", "single item")
    facts.append(
        (tr("办理事项", "Service"), tr("{name}（{kind}）", "{name} ({kind})", name=summary.offering_name, kind=kind))
    )
    if detail.lead_department:
        lead = department_name(catalog, detail.lead_department)
        department = catalog.body(detail.lead_department)
        if department is not None and routed_locally(department):
            lead += tr("（由交换平台按属地转办）", " (routed to it by the exchange)")
        facts.append((tr("牵头部门", "Lead department"), lead))
    return facts


def promised_text(detail: ApplicationDetail) -> str:
    """The promised completion as printed (``2026年12月14日前（5个工作日…）``); empty if none."""
    if not detail.promised_by:
        return ""
    if detail.promised_days == 0:
        return tr("当场办结", "on the spot")
    return tr(
        "{date}前（{days}个工作日，遇法定节假日顺延）",
        "{date} ({working_days}; public holidays extend it)",
        working_days=counted(detail.promised_days, "working day"),
        date=format_date(dt.date.fromisoformat(detail.promised_by)),
        days=detail.promised_days,
    )


def closing_paragraphs(detail: ApplicationDetail, tracking_link: str = "") -> list[str]:
    """How to track the application, and the 容缺 reminder when something is to follow."""
    paragraphs = []
    if tracking_link:
        paragraphs.append(
            tr(
                "扫描二维码或访问 {link} 查询办理进度；也可凭受理编号在任一政务服务中心综合窗口查询，"
                "或拨打12345政务服务便民热线查询。",
                "Scan the QR code or open {link} to see how the application is progressing; or quote the "
                "receipt number at any comprehensive window of a government service centre, or call the "
                "12345 government service hotline.",
                link=tracking_link,
            )
        )
    else:
        paragraphs.append(
            tr(
                "凭本回执受理编号，可在任一政务服务中心综合窗口查询办理进度，或拨打12345政务服务便民热线查询。",
                "Quote the receipt number at any comprehensive window of a government service centre, "
                "or call the 12345 government service hotline, to ask how the application is progressing.",
            )
        )
    if any(status.state == "deficient" for status in detail.intake.materials.values()):
        paragraphs.append(
            tr(
                "容缺材料请在承诺日期前补交；逾期未补交的，相关事项可能无法办结。",
                "Bring the materials accepted as missing by the promised dates; otherwise the items "
                "that need them may not be concluded.",
            )
        )
    return paragraphs


SIGNATURES = (
    Words("申请人（签字）：______________  日期：____年__月__日", "Applicant (signature): ______________  Date: __________"),
    Words("受理人（签字）：______________  （窗口盖章）", "Clerk (signature): __________________  (window stamp)"),
)


def stage_rows(detail: ApplicationDetail, catalog: Catalog) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each stage's heading and its items as (item name, ``department · promise``)."""
    parts = sorted(detail.summary.parts, key=lambda part: (part.stage, part.department))
    rows = []
    for stage in sorted({part.stage for part in parts}):
        heading = tr("第{n}环节", "Stage {n}", n=stage)
        if stage > 1:
            heading += tr("（待上一环节结果）", " (after the previous stage's results)")
        items = []
        for part in (p for p in parts if p.stage == stage):
            department = department_name(catalog, part.department)
            for item_id in part.items:
                item = catalog.items.get(item_id)
                name = str(item.name) if item else item_id
                items.append((name, f"{department} · {item_promise(item)}" if item else department))
        rows.append((heading, items))
    return rows


STAGES_HEADING = Words("办理环节（同一环节内各部门并联办理）", "Stages (departments within a stage work in parallel)")


def _stages(detail: ApplicationDetail, catalog: Catalog) -> list[str]:
    lines = [str(STAGES_HEADING)]
    for heading, items in stage_rows(detail, catalog):
        lines += _wrap(heading)
        for name, where in items:
            lines += _wrap(name, indent="  ")
            lines += _wrap(where, indent="    ")
    return lines


def item_promise(item: Item) -> str:
    if item.promised_days == 0:
        return tr("当场办结", "on the spot")
    return tr(
        "承诺{days}个工作日", "promised in {working_days}", days=item.promised_days,
        working_days=counted(item.promised_days, "working day"),
    )


_MATERIAL_STATES = {
    "original": Words("原件", "original"),
    "copy": Words("复印件", "copy"),
    "shared": Words("共享核验", "verified by data sharing"),
}


MATERIALS_HEADING = Words("已收材料", "Materials")


def received_materials(detail: ApplicationDetail, catalog: Catalog) -> list[tuple[str, str]]:
    """What the window received, as (material name, 原件/复印件/共享核验/容缺 + promised date)."""
    rows = []
    for material_id, status in detail.intake.materials.items():
        if status.state in ("not_applicable", "pending"):
            continue  # nothing was received for these
        material = catalog.materials.get(material_id)
        name = str(material.name) if material else material_id
        rows.append((name, material_state(status)))
    return rows


def material_state(status: MaterialStatus) -> str:
    """How a material was received, in words: 原件, 复印件, 共享核验, 容缺 with its date."""
    if status.state == "deficient":
        return tr("容缺，承诺{date}前补交", "missing, promised by {date}", date=status.promised_date or "—")
    if status.state == "shared" and status.verify_online:
        return tr("共享核验（待联网核验）", "data sharing (to verify online)")
    return str(_MATERIAL_STATES[status.state])


def _materials(detail: ApplicationDetail, catalog: Catalog) -> list[str]:
    lines = [str(MATERIALS_HEADING)]
    for name, state in received_materials(detail, catalog):
        lines += _leader_line(name, state, indent="  ")
    if len(lines) == 1:
        lines.append("  " + tr("（无）", "(none)"))
    return lines


def department_name(catalog: Catalog, department_id: str) -> str:
    department = catalog.body(department_id)
    return str(department.name) if department else department_id


def format_moment(iso: str, zone: dt.tzinfo | None) -> str:
    moment = in_zone(iso, zone or window_zone(DEFAULT_ZONE))
    if moment is None:
        return iso
    return tr("{date} {time}", "{date} {time}", date=format_date(moment.date()), time=f"{moment:%H:%M}")


def format_date(day: dt.date) -> str:
    return tr("{y}年{m:02d}月{d:02d}日", "{iso}", y=day.year, m=day.month, d=day.day, iso=day.isoformat())


# -- layout helpers: widths in terminal cells, CJK characters count two --------------------


def _centre(text: str) -> str:
    padding = max(0, (RECEIPT_WIDTH - cell_len(text)) // 2)
    return " " * padding + text


def _field(label: str, value: str) -> list[str]:
    """``label：value``, continuation lines aligned under the value."""
    head = label + tr("：", ": ")
    indent = " " * cell_len(head)
    if cell_len(head) > RECEIPT_WIDTH // 2:  # a long label: value on its own lines
        return _wrap(head) + _wrap(value, indent="  ")
    wrapped = _wrap(value, width=RECEIPT_WIDTH - cell_len(head))
    return [head + wrapped[0]] + [indent + line for line in wrapped[1:]]


def _leader_line(name: str, state: str, indent: str) -> list[str]:
    """``name ....... state`` on one line if it fits, else the state on the next line."""
    used = cell_len(indent) + cell_len(name) + cell_len(state) + 2
    if used <= RECEIPT_WIDTH:
        dots = "." * (RECEIPT_WIDTH - used)
        return [f"{indent}{name} {dots} {state}"]
    return _wrap(name, indent=indent) + _wrap(state, indent=indent + "    ")


def _wrap(text: str, indent: str = "", width: int | None = None) -> list[str]:
    """Break ``text`` into lines of at most ``width`` cells; words of Latin text stay whole."""
    width = (width or RECEIPT_WIDTH) - cell_len(indent)
    lines: list[str] = []
    current = ""
    for token in _tokens(text):
        if cell_len(current + token) <= width:
            current += token
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = token.lstrip()
        while cell_len(current) > width:  # a token longer than a line: cut it
            cut = _fit(current, width)
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return [indent + line for line in lines]


def _tokens(text: str) -> list[str]:
    """Latin words (with their trailing space) and single wide characters."""
    return re.findall(r"[\x21-\x7e]+ *| +|[^\x20-\x7e]", text)


def _fit(text: str, width: int) -> int:
    """How many characters of ``text`` fit in ``width`` cells (at least one)."""
    used = 0
    for index, char in enumerate(text):
        used += cell_len(char)
        if used > width:
            return max(1, index)
    return len(text)
