"""``window-app guide BUNDLE_ID``: the 办事指南 of an offering under given answers and choices."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from window_app.cli.context import offering_here, opened_window, settings_from
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import department_name, department_short, out, out_json, pad, print_table, section
from window_app.cli.parser import add_command
from window_app.domain.words import Words, counted, tr

if TYPE_CHECKING:
    from window_app.domain.catalog import Bundle, Catalog
    from window_app.intake.guide import Guide


def register(commands: Any) -> None:
    guide = add_command(commands, "guide", Words("办事指南：事项、材料、表单、办理阶段", "the service guide: items, materials, form, stages"))
    guide.add_argument("offering_id", metavar="BUNDLE_ID", help=tr("套餐或单项事项编号", "bundle or standalone item id"))
    guide.add_argument(
        "--answer", metavar="QUESTION=VALUE", action="append", default=[], help=tr("情形回答，可重复", "a situational answer; repeatable")
    )
    guide.add_argument("--choose", metavar="ITEM", action="append", default=[], help=tr("选择可选事项，可重复", "choose an optional item; repeatable"))
    guide.add_argument(
        "--decline", metavar="ITEM", action="append", default=[], help=tr("不办由回答开启的可选事项", "decline an optional item an answer switched on")
    )
    guide.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    guide.set_defaults(func=cmd_guide)


def cmd_guide(args: argparse.Namespace) -> int:
    """The 办事指南 of an offering under the given answers and choices."""
    settings = settings_from(args)
    with opened_window(settings) as window:
        offering = offering_here(window, args.offering_id)
        intake = window.new_intake(offering.id)
        intake.answers.update(_parse_answers(offering.bundle, args.answer))
        intake.chosen_optional = _check_optional(window.catalog, offering.bundle, args.choose)
        intake.declined_optional = _check_optional(window.catalog, offering.bundle, args.decline)
        guide = window.guide(intake)
        if args.json:
            out_json(guide.to_json())
        else:
            _print_guide(window.catalog, guide)
    return EXIT_OK


# -- the command line's answers and choices --------------------------------------------------------


def _parse_answers(bundle: Bundle, pairs: list[str]) -> dict[str, str]:
    """``QUESTION=VALUE`` pairs, each checked against the bundle's questions and options."""
    questions = {question.id: question for question in bundle.questions}
    answers: dict[str, str] = {}
    for pair in pairs:
        question_id, sep, value = pair.partition("=")
        question = questions.get(question_id.strip())
        if not sep or question is None:
            raise InvalidInput(
                Words("“{p}”：没有这个问题。“{b}”的问题：", "“{p}”: no such question. The questions of “{b}”:").format(p=pair, b=bundle.name),
                [_describe_question(q) for q in bundle.questions] or [tr("（无）", "(none)")],
            )
        if question.option(value.strip()) is None:
            raise InvalidInput(
                Words("“{p}”：不是可选的回答。可选：", "“{p}”: not one of the answers. Answers:").format(p=pair),
                [f"{question.id}={option.value}  {option.label}" for option in question.options],
            )
        answers[question.id] = value.strip()
    return answers


def _describe_question(question: Any) -> str:
    values = "|".join(option.value for option in question.options)
    return f"{question.id}={values}  {question.text}"


def _check_optional(catalog: Catalog, bundle: Bundle, wanted: list[str]) -> list[str]:
    """``--choose`` / ``--decline`` values, each an optional item of the bundle."""
    for item_id in wanted:
        if item_id not in bundle.optional:
            raise InvalidInput(
                Words("“{i}”不是“{b}”的可选事项。可选事项：", "“{i}” is not an optional item of “{b}”. Optional items:").format(i=item_id, b=bundle.name),
                [f"{i}  {catalog.items[i].name}" for i in bundle.optional if i in catalog.items] or [tr("（无）", "(none)")],
            )
    return list(dict.fromkeys(wanted))


# -- the guide as text -------------------------------------------------------------------------------


def _print_guide(catalog: Catalog, guide: Guide) -> None:
    """The guide as text: heading, situation, items, checklist, form, stages."""
    bundle = guide.offering.bundle
    kind = tr("套餐", "bundle") if guide.offering.kind == "bundle" else tr("单项事项", "single item")
    out(f"{bundle.name} ({bundle.id}) · {kind}")
    out(
        tr(
            "牵头部门：{lead}　承诺时限：{days} 个工作日　涉及 {n} 个部门",
            "Lead department: {lead}   Promised: {working_days}   {departments}",
            working_days=counted(guide.promised_days, "working day"),
            departments=counted(len(guide.departments), "department"),
            lead=department_name(catalog, bundle.lead_department),
            days=guide.promised_days,
            n=len(guide.departments),
        )
    )
    _print_situation(guide)
    _print_items(catalog, guide)
    _print_checklist(catalog, guide)
    _print_form(guide)
    _print_checks(guide)
    _print_stages(catalog, guide)
    _print_shares(catalog, guide)


def _print_situation(guide: Guide) -> None:
    bundle = guide.offering.bundle
    if bundle.questions:
        section(tr("情形", "Situation"))
        for question in bundle.questions:
            chosen = question.option(guide.answers.get(question.id, question.default))
            answer = chosen.label if chosen else "?"
            out(f"  {question.text} {answer}  [{question.id}={chosen.value if chosen else ''}]")
    if guide.optional:
        section(tr("可选事项", "Optional items"))
        for item, selected in guide.optional:
            mark = "[x]" if selected else "[ ]"
            out(f"  {mark} {pad(item.id, 30)} {item.name}")


def _print_items(catalog: Catalog, guide: Guide) -> None:
    classes = {1: tr("一类直接办", "class 1 direct"), 2: tr("二类融通办", "class 2 processed"), 3: tr("三类登记办", "class 3 registered")}
    section(tr("事项（{n}）", "Items ({n})", n=len(guide.items)))
    rows = []
    for item in guide.items:
        promised = tr("即办", "on the spot") if item.promised_days == 0 else tr("承诺 {d} 日", "{days}", d=item.promised_days, days=counted(item.promised_days, "day"))
        handling = classes.get(item.handling_class, str(item.handling_class))
        rows.append([item.id, str(item.name), department_short(catalog, item.department), handling, promised])
    print_table(rows)


def _print_checklist(catalog: Catalog, guide: Guide) -> None:
    checklist = guide.checklist
    section(
        tr(
            "材料清单（{n} 项，逐项办需 {before} 份，少交 {saved} 份；{shared} 项可数据共享核验）",
            "Materials ({n}; item by item {before}, {saved} fewer; {shared} verified by data sharing)",
            n=len(checklist.lines),
            before=checklist.requirements,
            saved=checklist.saved,
            shared=checklist.shareable_count,
        )
    )
    rows = []
    for line in checklist.lines:
        how = [tr("免提交·共享核验", "shared, not collected")] if line.material.shareable else []
        if line.original_required:
            how.append(tr("需原件", "original"))
        if line.material.key:
            how.append(tr("关键材料", "key"))
        receivers = tr("、", ", ").join(department_short(catalog, d) for d in line.departments)
        rows.append([line.material.id, str(line.material.name), " ".join(how), "→ " + receivers])
    print_table(rows)


def _print_form(guide: Guide) -> None:
    form = guide.form
    section(
        tr(
            "一表申请（{n} 项，少填 {saved} 项）",
            "Unified form ({fields}, {saved} fewer to type)",
            fields=counted(len(form.lines), "field"),
            n=len(form.lines),
            saved=form.saved,
        )
    )
    print_table(
        [
            ["*" if line.required else " ", line.field.id, f"[{line.field.group}]" if line.field.group else "", str(line.field.label)]
            for line in form.lines
        ]
    )


def _print_checks(guide: Guide) -> None:
    """The catalog's cross-field rules this application is checked against (none: no section)."""
    from window_app.intake.rules import applicable_rules, describe_rule  # with the guide, not at every start

    rules = applicable_rules(guide.offering, guide.form)
    if not rules:
        return
    on_form = {line.field.id: line.field for line in guide.form.lines}
    section(tr("核对规则（{n} 条）", "Checks across fields ({n})", n=len(rules)))
    for rule in rules:
        out(f"  · {describe_rule(rule, on_form)}")


def _print_stages(catalog: Catalog, guide: Guide) -> None:
    section(tr("办理阶段（并联审批）", "Stages (parallel dispatch)"))
    for stage in guide.plan.stages:
        items = tr("、", "; ").join(
            tr("{i}（{d}）", "{i} ({d})", i=item.name, d=department_short(catalog, item.department)) for item in stage.items
        )
        out(tr("  第 {n} 阶段（{d} 日）：{items}", "  Stage {n} ({days}): {items}", n=stage.number, d=stage.promised_days, days=counted(stage.promised_days, "day"), items=items))
    for prerequisite, needers in guide.plan.external_prerequisites.items():
        name = catalog.items[prerequisite].name if prerequisite in catalog.items else prerequisite
        out(
            tr(
                "  外部前置：{p}（申请人须已取得，{by} 需要）",
                "  External prerequisite: {p} (the applicant must hold it; needed by {by})",
                p=name,
                by=tr("、", ", ").join(needers),
            )
        )


def _print_shares(catalog: Catalog, guide: Guide) -> None:
    """What each envelope holds: of the applicant exactly what its items declare."""
    section(tr("各部门收到的信息（每阶段一个信封）", "What each department receives (one envelope per stage)"))
    for share in guide.shares:
        lead = tr("（牵头）", " (lead)") if share.is_lead else ""
        out(
            tr(
                "  第 {n} 阶段 {d}{lead}：表单 {f} 项，材料 {m} 项",
                "  Stage {n} {d}{lead}: {fields}, {materials}",
                fields=counted(len(share.fields), "field"),
                materials=counted(len(share.materials), "material"),
                n=share.stage,
                d=department_short(catalog, share.department),
                lead=lead,
                f=len(share.fields),
                m=len(share.materials),
            )
        )
        data = _applicant_data_text(share.applicant_data, guide.applicant_kind)
        out(tr("    申请人信息：{data}", "    Applicant data: {data}", data=data))


_ROLES = {
    "applicant": Words("申请人", "applicant"),
    "legal_representative": Words("法定代表人", "legal representative"),
    "contact": Words("联系人", "contact"),
    "agent": Words("代办人", "agent"),
}
_WHATS = {
    "name": Words("姓名", "name"),
    "id_number": Words("身份证号码", "ID number"),
    "phone": Words("电话", "phone"),
    "uscc": Words("统一社会信用代码", "USCC"),
}


def _applicant_data_text(data: tuple[str, ...], kind: str) -> str:
    """``法定代表人：姓名、身份证号码；联系人：姓名、电话`` — role by role, or 无 / nothing."""
    by_role: dict[str, list[str]] = {}
    for key in data:
        role, what = key.split(".", 1)
        label = Words("名称", "name") if (role, what, kind) == ("applicant", "name", "enterprise") else _WHATS[what]
        by_role.setdefault(role, []).append(str(label))
    parts = [
        tr("{role}：{whats}", "{role}: {whats}", role=_ROLES[role], whats=tr("、", ", ").join(whats))
        for role, whats in by_role.items()
    ]
    return tr("；", "; ").join(parts) or tr("无", "nothing")
