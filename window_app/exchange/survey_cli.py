"""``window-app exchange survey``: a department reads and answers a joint site survey appointment.

``survey ENVELOPE_ID`` shows the appointment of that envelope's application; ``survey
ENVELOPE_ID accept`` accepts its current slot; ``survey ENVELOPE_ID propose --date D --time T
--place P [--note N]`` proposes another one. The survey result itself is the department's
decision on its survey item (``exchange decide``, unchanged). Times are read and shown in
``--zone`` (default Asia/Shanghai) and sent in UTC.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import window_app.exchange  # its client (httpx) is loaded when a command calls it
from window_app.domain.survey import ACCEPT, ANSWER_WORDS, PROPOSE, Slot, parse_slot, slot_from_json
from window_app.domain.words import Words, tr
from window_app.exchange import cli

DEFAULT_ZONE = "Asia/Shanghai"


def add(actions: Any) -> None:
    """Register ``survey`` under ``exchange``."""
    survey = cli._leaf(actions, "survey", "查看或答复联合踏勘预约", "show or answer a joint site survey appointment")
    survey.add_argument("envelope_id", metavar="ENVELOPE_ID")
    survey.add_argument("answer", nargs="?", choices=(ACCEPT, PROPOSE), help=tr("同意，或另提时间", "accept, or propose another slot"))
    survey.add_argument("--date", default="", metavar="YYYY-MM-DD", help=tr("另提的日期", "the proposed day"))
    survey.add_argument("--time", default="09:30", metavar="HH:MM", help=tr("另提的开始时间", "the proposed start"))
    survey.add_argument("--place", default="", help=tr("另提的地点（默认：原地点）", "the proposed place (default: the same)"))
    survey.add_argument("--contact", default="", help=tr("联系人", "contact name"))
    survey.add_argument("--phone", default="", help=tr("联系电话（办公电话）", "contact phone (an office line)"))
    survey.add_argument("--note", default="", help=tr("说明", "why"))
    survey.add_argument("--zone", default=DEFAULT_ZONE, help=tr("时区（默认 {z}）", "time zone (default {z})", z=DEFAULT_ZONE))
    cli._add_client_options(survey)
    survey.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    survey.set_defaults(func=cmd_survey)


def cmd_survey(args: argparse.Namespace) -> int:
    """Show, accept or counter-propose the appointment of ``args.envelope_id``."""
    token = args.token or os.environ.get(cli.TOKEN_VARIABLE)
    if not token:
        cli._err(tr("需要部门令牌：--token T 或环境变量 {v}（演示服务器上为 demo-<部门编号>）。",
                    "A department token is needed: --token T or ${v} (demo-<department> on a demo server).", v=cli.TOKEN_VARIABLE))
        return cli.EXIT_INVALID
    try:
        zone = ZoneInfo(args.zone)
    except (ZoneInfoNotFoundError, ValueError):
        cli._err(tr("未知时区：{z}", "unknown time zone: {z}", z=args.zone))
        return cli.EXIT_INVALID
    try:
        with window_app.exchange.client.DepartmentClient(cli._url(args), token) as client:
            found = _appointment(client, args.envelope_id)
            if found is None:
                cli._err(tr("此信封的办件没有联合踏勘预约。", "The envelope's application has no survey appointment."))
                return cli.EXIT_INVALID
            if args.answer is None:
                return _show(found, zone, args.json)
            body: dict[str, Any] = {"envelope_id": args.envelope_id, "revision": found["revision"], "answer": args.answer, "note": args.note}
            if args.answer == PROPOSE:
                current = slot_from_json(found["slot"])
                place = args.place or (current.place if isinstance(current, Slot) else "")
                slot = parse_slot(args.date, args.time, zone, place, args.contact, args.phone)
                if isinstance(slot, Words):
                    cli._err(str(slot))
                    return cli.EXIT_INVALID
                body["slot"] = slot.to_json()
            response = client._send("POST", "/v1/surveys/answers", json=body)
    except window_app.exchange.client.ExchangeClientError as exc:
        return cli._client_failure(exc)
    stored = response.json()["answer"]
    if args.json:
        print(json.dumps({"answer": stored, "created": response.status_code == 201}, ensure_ascii=False, indent=2))
    else:
        print(tr("已答复：{r} 第 {v} 版预约 {a}", "Answered: {r} appointment revision {v}: {a}",
                 r=stored["receipt_no"], v=stored["revision"], a=ANSWER_WORDS[stored["answer"]]))
    return cli.EXIT_OK


def _appointment(client: Any, envelope_id: str) -> dict[str, Any] | None:
    """The appointment whose envelopes include ``envelope_id`` (from the survey inbox)."""
    for survey in client._call("GET", "/v1/surveys/inbox", params={"limit": 1000})["surveys"]:
        if envelope_id in survey["envelopes"]:
            return survey
    return None


def _show(found: dict[str, Any], zone: Any, as_json: bool) -> int:
    if as_json:
        print(json.dumps({"survey": found}, ensure_ascii=False, indent=2))
        return cli.EXIT_OK
    slot = slot_from_json(found["slot"])
    shown = slot.shown(zone) if isinstance(slot, Slot) else str(found["slot"])
    state = tr("已确认", "confirmed") if found["state"] == "confirmed" else tr("待答复", "awaiting answers")
    print(tr("联合踏勘 {r}（第 {v} 版，{s}）：{slot}", "Joint site survey {r} (revision {v}, {s}): {slot}",
             r=found["receipt_no"], v=found["revision"], s=state, slot=shown))
    mine = found.get("my_answer")
    if mine:
        print(tr("本部门已答复：{a}", "This department answered: {a}", a=ANSWER_WORDS.get(mine["answer"], mine["answer"])))
    return cli.EXIT_OK
