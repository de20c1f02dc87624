"""``window-app survey``: joint site surveys (联合踏勘) from the command line.

``survey`` lists the clerk's lines (tomorrow's surveys, appointments waiting for them);
``survey RECEIPT`` shows one appointment and each department's answer; ``survey RECEIPT
propose [--date D --time T --place P --contact N --phone X]`` proposes a slot (the defaults: the
next working day 09:30 at the site, the clerk); ``survey RECEIPT confirm [--department D]``
confirms the proposal, or the other slot department ``D`` proposed, to all. The next sync
round sends it.
"""

from __future__ import annotations

import argparse
from typing import Any

from window_app.cli.context import settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import department_name, out, out_json
from window_app.cli.parser import add_command
from window_app.domain.survey import ANSWER_WORDS, PROPOSE, STATE_WORDS, Slot, parse_slot, survey_state
from window_app.domain.words import Words, tr
from window_app.surveys.planning import SurveyRefused


def register(commands: Any) -> None:
    survey = add_command(commands, "survey", Words("联合踏勘：预约、确认、提醒", "joint site survey: propose, confirm, reminders"))
    survey.add_argument("receipt_no", nargs="?", metavar="RECEIPT_NO")
    survey.add_argument("action", nargs="?", choices=("propose", "confirm"))
    survey.add_argument("--date", default="", metavar="YYYY-MM-DD")
    survey.add_argument("--time", default="", metavar="HH:MM")
    survey.add_argument("--place", default="")
    survey.add_argument("--contact", default="")
    survey.add_argument("--phone", default="", help=tr("办公电话", "an office line"))
    survey.add_argument("--department", default="", help=tr("确认该部门另提的时间", "confirm the slot this department proposed"))
    survey.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    survey.set_defaults(func=cmd_survey)


def cmd_survey(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        if not args.receipt_no:
            lines = window.survey_lines()
            if args.json:
                out_json({"lines": [line.to_json() for line in lines]})
            else:
                out("\n".join(str(line) for line in lines) or tr("没有需要处理的联合踏勘。", "No joint site survey needs you."))
            return EXIT_OK
        try:
            if args.action == "propose":
                window.propose_survey(args.receipt_no, _slot(args, window.default_survey_slot(args.receipt_no), window.zone))
            elif args.action == "confirm":
                window.confirm_survey(args.receipt_no, _confirmed_slot(args, window.survey(args.receipt_no)))
        except SurveyRefused as refused:
            raise InvalidInput(refused.words) from refused
        appointment = window.survey(args.receipt_no)
        if appointment is None:
            raise InvalidInput(Words("{no} 还没有踏勘预约", "{no} has no survey appointment yet").format(no=args.receipt_no))
        state = survey_state(appointment, window.now())
        if args.json:
            out_json({"receipt_no": appointment.receipt_no, "revision": appointment.revision, "state": state,
                      "slot": appointment.slot.to_json(), "departments": list(appointment.departments),
                      "answers": [a.to_json() for a in appointment.current_answers().values()]})
            return EXIT_OK
        out(tr("{no} 联合踏勘：{s}（第 {r} 版）", "{no} joint site survey: {s} (revision {r})",
               no=appointment.receipt_no, s=STATE_WORDS[state], r=appointment.revision))
        out("  " + appointment.slot.shown(window.zone))
        answers = appointment.current_answers()
        for department in appointment.departments:
            answer = answers.get(department)
            what = str(ANSWER_WORDS[answer.answer]) if answer else tr("待答复", "no answer yet")
            if answer is not None and answer.slot is not None:
                what += f" → {answer.slot.shown(window.zone)}"
            out(f"  {department_name(window.catalog, department)}: {what}")
    return EXIT_OK


def _slot(args: argparse.Namespace, default: Slot, zone: Any) -> Slot:
    local = default.local(zone)
    slot = parse_slot(args.date or local.date().isoformat(), args.time or f"{local:%H:%M}", zone,
                      args.place or default.place, args.contact or default.contact_name, args.phone or default.contact_phone)
    if isinstance(slot, Words):
        raise InvalidInput(slot)
    return slot


def _confirmed_slot(args: argparse.Namespace, appointment: Any) -> Slot:
    if appointment is None:
        raise InvalidInput(Words("{no} 还没有踏勘预约", "{no} has no survey appointment yet").format(no=args.receipt_no))
    if not args.department:
        return appointment.slot
    answer = appointment.current_answers().get(args.department)
    if answer is None or answer.answer != PROPOSE or answer.slot is None:
        raise InvalidInput(Words("部门 {d} 没有另提时间", "department {d} proposed no other slot").format(d=args.department))
    return answer.slot
