"""A department reviewer's inbox as text for a terminal (``window-app exchange inbox``).

Each envelope: the receipt number and stage, what the applicant applies for, who applies (and
who acts for them), the items with their latest decisions, what earlier stages they wait for,
the fields and the materials with how the window took each one. Words in the current language.
"""

from __future__ import annotations

from typing import Any

from window_app.domain.words import Words, counted, language, tr

STATE_WORDS: dict[str, Words] = {
    "new": Words("新到", "new"),
    "received": Words("已接收", "received"),
    "supplement_needed": Words("待补正", "awaiting supplement"),
    "decided": Words("已办结", "decided"),
}
DECISION_WORDS: dict[str, Words] = {
    "approved": Words("已同意", "approved"),
    "rejected": Words("不予许可", "rejected"),
    "supplement_needed": Words("需补正", "supplement needed"),
    "acknowledged": Words("已确认接收", "acknowledged"),
}
MATERIAL_WORDS: dict[str, Words] = {
    "original": Words("已收原件", "original received"),
    "copy": Words("已收复印件", "copy received"),
    "shared": Words("数据共享核验", "verified by data sharing"),
    "deficient": Words("容缺受理", "accepted as deficient"),
    "not_applicable": Words("不适用", "not applicable"),
    "pending": Words("待收取", "pending"),
}
RULE = "━" * 72


def render_inbox(entries: list[dict[str, Any]], department: str) -> str:
    """The whole inbox listing, ending with a count line."""
    if not entries:
        return tr("部门 {d} 的收件箱中没有待处理的件。", "Nothing waiting in the inbox of department {d}.", d=department)
    blocks = [render_envelope(entry) for entry in entries]
    blocks.append(tr("共 {n} 件。", "{parts}.", n=len(entries), parts=counted(len(entries), "part")))
    return "\n\n".join(blocks)


def render_envelope(entry: dict[str, Any]) -> str:
    """One envelope as a reviewer reads it."""
    payload = entry.get("payload") or {}
    state = _words(STATE_WORDS, entry.get("state", ""))
    lines = [RULE]
    if entry.get("kind") == "supplement":
        lines.append(tr("补正材料 {r} · 第 {s} 阶段 · {state}", "Supplement {r} · stage {s} · {state}",
                        r=entry["receipt_no"], s=entry["stage"], state=state))
        lines.append(tr("  补正的是件：{o}", "  Supplements the part: {o}", o=entry.get("original_envelope_id", "")))
    elif entry.get("kind") == "filing":
        lines.append(tr("备案 {r} · 第 {s} 阶段 · {state}", "Filing {r} · stage {s} · {state}",
                        r=entry["receipt_no"], s=entry["stage"], state=state))
        lines.append(tr("  窗口独任审批员已当场办结，本部门备案即可，无需决定。",
                        "  Concluded at the window by a sole approver: on file here, nothing to decide."))
    elif entry.get("kind") == "handover":
        lines.append(tr("材料移交 {r} · 第 {s} 阶段 · {state}", "Handover {r} · stage {s} · {state}",
                        r=entry["receipt_no"], s=entry["stage"], state=state))
        lines.append(tr("  三类登记办：请核对纸质材料后确认接收（window-app exchange acknowledge {e} --by 姓名），事项由本部门自行办理。",
                        "  Class 3: check the paper materials, then acknowledge (window-app exchange acknowledge {e} --by NAME); "
                        "the department handles the items itself.", e=entry["envelope_id"]))
    else:
        lines.append(tr("受理编号 {r} · 第 {s} 阶段 · {state}", "Receipt {r} · stage {s} · {state}",
                        r=entry["receipt_no"], s=entry["stage"], state=state))
    # The number the reviewer types after ``window-app exchange decide``.
    lines.append(tr("  件号：{e}", "  Part no.: {e}", e=entry["envelope_id"]))
    if entry.get("verified") is False:
        problem = Words.from_json(entry.get("problem"))
        lines.append(tr("  ⚠ 未能核验或解密（只显示公开部分）：{p}", "  ⚠ Not verified or not opened (clear header only): {p}", p=problem))
    elif entry.get("verified"):
        lines.append(tr("  ✓ 窗口签名已核验，材料已用本部门私钥解密", "  ✓ Window signature verified; opened with this department's key"))
    lines.extend(_context(payload, entry))
    lines.extend(_applicant(payload.get("applicant")))
    lines.extend(_items(entry))
    lines.extend(_depends_on(payload.get("depends_on")))
    lines.extend(_fields(payload.get("fields")))
    lines.extend(_materials(payload.get("materials")))
    lines.extend(_handover(payload.get("handover")))
    return "\n".join(lines)


def _handover(handover: Any) -> list[str]:
    """A handover's 材料移交单: the paper materials the window hands over, by whom and when."""
    if not isinstance(handover, dict):
        return []
    lines = [tr("材料移交单（移交人 {b}，{t}）", "Handover list (by {b}, {t})", b=handover.get("handed_by", ""), t=handover.get("handed_at", ""))]
    for material in handover.get("materials") or []:
        if isinstance(material, dict):
            state = _words(MATERIAL_WORDS, str(material.get("state", "")))
            lines.append(f"  {material.get('id', '')}  {material.get('name', '')}   [{state}]")
    return lines


def _context(payload: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    offering = payload.get("offering") or {}
    window = payload.get("window") or {}
    lines = []
    if offering:
        name = offering.get("name_en") if _english() and offering.get("name_en") else offering.get("name", "")
        lead = tr("（本部门牵头）", " (this department leads)") if payload.get("is_lead") else ""
        lines.append(tr("  申办：{n}{lead}", "  Applies for: {n}{lead}", n=name, lead=lead))
    where = " ".join(str(part) for part in (window.get("centre"), window.get("id") or entry.get("window")) if part)
    lines.append(tr("  窗口：{w}   受理时间：{a}   送达：{t}", "  Window: {w}   accepted {a}   delivered {t}",
                    w=where, a=payload.get("accepted_at", "?"), t=entry.get("received_at", "?")))
    return lines


def _applicant(applicant: Any) -> list[str]:
    if not isinstance(applicant, dict):
        return []
    # Only what the department's items declare is there (docs/catalog-format.md, applicant_data).
    lines = [tr("申请人", "Applicant")]
    if applicant.get("kind") == "enterprise":
        own = [str(applicant["name"])] if "name" in applicant else []
        if "uscc" in applicant:
            own.append(tr("统一社会信用代码：{c}", "USCC: {c}", c=applicant["uscc"] or tr("（新设立）", "(new)")))
        lines.extend([tr("  企业：", "  Enterprise: ") + "  ".join(own)] if own else [])
        lines.extend(_person_line(tr("法定代表人", "Legal representative"), applicant.get("legal_representative")))
        lines.extend(_person_line(tr("联系人", "Contact"), applicant.get("contact")))
    else:
        own = [str(applicant["name"])] if "name" in applicant else []
        if "id_number" in applicant:
            own.append(tr("身份证号：{i}", "ID: {i}", i=applicant["id_number"]))
        if "phone" in applicant:
            own.append(tr("电话：{p}", "phone: {p}", p=applicant["phone"]))
        lines.extend([tr("  个人：", "  Person: ") + "  ".join(own)] if own else [])
    lines.extend(_person_line(tr("代办人", "Agent"), applicant.get("agent")))
    return lines if len(lines) > 1 else []


def _person_line(role: str, person: Any) -> list[str]:
    if not isinstance(person, dict) or not any(person.values()):
        return []
    shown = "  ".join(str(person[key]) for key in ("name", "id_number", "phone") if person.get(key))
    return [f"  {role}：{shown}"]


def _items(entry: dict[str, Any]) -> list[str]:
    items = entry.get("items") or []
    if not items:
        return []
    lines = [tr("事项", "Items")]
    for item in items:
        decision = item.get("decision")
        filed = item.get("filed")
        if isinstance(filed, dict):
            said = _words(DECISION_WORDS, str(filed.get("decision", "")))
            detail = filed.get("result") or filed.get("reason") or ""
            status = tr("窗口已办结·备案：{s}", "concluded at the window, filed: {s}", s=f"{said}{'：' + detail if detail else ''}")
        elif entry.get("kind") == "handover":
            status = tr("移交办理", "handed over")
        elif decision:
            said = _words(DECISION_WORDS, decision["decision"])
            detail = decision.get("result") or decision.get("reason") or decision.get("material") or ""
            status = f"{said}{'：' + detail if detail else ''}"
        else:
            status = tr("待决定", "to decide")
        result = f" → {item['result']}" if item.get("result") else ""
        # The name first; the code is what ``decide`` takes, said as such.
        code = tr("事项代码 {c}", "item code {c}", c=item["id"])
        lines.append(f"  {item.get('name') or item['id']}{result}   [{status}]   （{code}）")
    return lines


def _depends_on(depends: Any) -> list[str]:
    if not isinstance(depends, list) or not depends:
        return []
    lines = [tr("前置", "Prerequisites")]
    for entry in depends:
        if not isinstance(entry, dict):
            continue
        where = (tr("申请人已持有", "held by the applicant") if entry.get("external")
                 else tr("第 {s} 阶段", "stage {s}", s=entry.get("stage", "?")))
        department = _bilingual(entry, "department_name") or entry.get("department", "")
        lines.append(f"  {entry.get('name', entry.get('item', ''))}（{department}，{where}）"
                     f"{' → ' + entry['result'] if entry.get('result') else ''}")
    return lines


def _fields(fields: Any) -> list[str]:
    if not isinstance(fields, dict) or not fields:
        return []
    lines = [tr("表单", "Form")]
    for field_id, field in fields.items():
        if isinstance(field, dict):
            lines.append(f"  {field.get('label') or field_id}：{_value(field)}")
    return lines


def _materials(materials: Any) -> list[str]:
    if not isinstance(materials, dict) or not materials:
        return []
    lines = [tr("材料", "Materials")]
    for material_id, material in materials.items():
        if not isinstance(material, dict):
            continue
        state = _words(MATERIAL_WORDS, material.get("state", ""))
        extras = []
        if material.get("state") == "deficient" and material.get("promised_date"):
            extras.append(tr("承诺 {d} 前补交", "promised by {d}", d=material["promised_date"]))
        if material.get("original_required"):
            extras.append(tr("需原件", "original required"))
        if material.get("note"):
            extras.append(str(material["note"]))
        extra = f"（{'；'.join(extras)}）" if extras else ""
        lines.append(f"  {material.get('name') or material_id}  {state}{extra}   （{tr('材料代码 {c}', 'material code {c}', c=material_id)}）")
    return lines


def _value(field: dict[str, Any]) -> str:
    """A form value as the window's clerk read it: the words it carries (已婚, 是), else the value;
    ``true``/``false`` from a window that sent no words are 是/否 all the same."""
    shown = _bilingual(field, "text")
    if shown:
        return shown
    value = str(field.get("value", ""))
    if value in ("true", "false"):
        return tr("是", "yes") if value == "true" else tr("否", "no")
    return value


def _bilingual(data: dict[str, Any], key: str) -> str:
    """``data[key]``, or ``data[key + "_en"]`` in the English interface when there is one."""
    if _english() and data.get(f"{key}_en"):
        return str(data[f"{key}_en"])
    return str(data.get(key) or "")


def _words(table: dict[str, Words], code: str) -> str:
    return str(table.get(code, Words(code)))


def _english() -> bool:
    return language() == "en"
