"""``window-app courier export | import | relay``: the USB courier at the window (docs/courier.md).

``export PATH`` writes what waits for the exchange to one signed file (a new file, or a
directory to put it in); ``import PATH`` applies the exchange's signed answer as a sync round
would. Both are run signed in with the backup permission (supervisors, administrators).
A refused file is said in words (exit 1) and changes nothing.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from window_app.cli.context import settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import err, out
from window_app.cli.parser import add_command
from window_app.domain.words import Words, counted, tr


def register(commands: Any) -> None:
    courier = add_command(
        commands, "courier", Words("U盘传递：断网时用U盘把待发件带到交换平台，并带回回执", "the USB courier: the outbox on a stick when the line is down, the answer back")
    )
    actions = courier.add_subparsers(title=tr("操作", "actions"), metavar="ACTION", required=True)
    export = add_command(actions, "export", Words("把待发送的件等写入一个签名文件（导出到U盘）", "write what waits for the exchange to one signed file (export to USB)"))
    export.add_argument("path", metavar="PATH", help=tr("新文件，或放文件的目录（如U盘）", "a new file, or a directory to put it in (e.g. the stick)"))
    export.add_argument("--json", action="store_true", help=tr("以 JSON 输出结果", "print the result as JSON"))
    export.set_defaults(func=cmd_export)
    answer = add_command(actions, "import", Words("导入交换平台的回执（从U盘导入），如同一次同步", "apply the exchange's answer file (import from USB), as a sync round would"))
    answer.add_argument("path", metavar="PATH", help=tr("回执文件", "the answer file"))
    answer.add_argument("--json", action="store_true", help=tr("以 JSON 输出结果", "print the result as JSON"))
    answer.set_defaults(func=cmd_import)
    relayed = add_command(actions, "relay", Words("县中心：把乡镇窗口的U盘文件转交交换平台，写出回执", "at the county centre: hand a township's courier file to the exchange, write its answer"))
    relayed.add_argument("path", metavar="PATH", help=tr("乡镇窗口的U盘文件", "the township's courier file"))
    relayed.add_argument("--answer", metavar="OUT", required=True, help=tr("回执文件（写回U盘）", "the answer file (back onto the stick)"))
    relayed.set_defaults(func=cmd_relay)


def cmd_export(args: argparse.Namespace) -> int:
    from window_app.courier import CourierRefused  # httpx behind it: not for every command's start

    with signed_in_window(args, settings_from(args)) as window:
        try:
            result = window.courier_export(Path(args.path))
        except CourierRefused as refused:
            raise InvalidInput(refused.words) from refused
    if args.json:
        out(json.dumps({"path": str(result.path), "file_id": result.file_id, "sequence": result.sequence,
                        "envelopes": result.envelopes, "tracking": result.tracking, "ratings": result.ratings,
                        "audit_head": result.audit_head}, ensure_ascii=False))
    else:
        out(str(result.path))
    err(tr("已写入第 {n} 号U盘文件 {p}：{e} 件（仍在待发送队列中，联网后照常发送，不会重复办理），"
           "进度查询记录 {t} 条，评价 {r} 条。请把文件带到县中心导入交换平台。",
           "Wrote courier file {n} to {p}: {es} (they stay queued and still go over the line if it comes back "
           "first: nothing is handled twice), {ts}, {rs}. Take it to the county centre for the exchange.",
           n=result.sequence, p=result.path, e=result.envelopes, t=result.tracking, r=result.ratings,
           es=counted(result.envelopes, "part"), ts=counted(result.tracking, "tracking record"),
           rs=counted(result.ratings, "rating")))
    return EXIT_OK


def cmd_relay(args: argparse.Namespace) -> int:
    from window_app.courier import CourierRefused  # httpx behind it: not for every command's start

    with signed_in_window(args, settings_from(args)) as window:
        try:
            result = window.courier_relay(Path(args.path), Path(args.answer))
        except CourierRefused as refused:
            raise InvalidInput(refused.words) from refused
    err(str(result.words))
    err(tr("回执已写入 {p}：请带回乡镇窗口，用 window-app courier import 导入。",
           "The answer is in {p}: take it back to the township's window for window-app courier import.", p=result.answer))
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from window_app.courier import CourierRefused  # httpx behind it: not for every command's start

    with signed_in_window(args, settings_from(args)) as window:
        try:
            result = window.courier_import(Path(args.path))
        except CourierRefused as refused:
            raise InvalidInput(refused.words) from refused
    if args.json:
        out(json.dumps({"status": result.status, "sequence": result.sequence, "delivered": result.delivered,
                        "duplicate": result.duplicate, "returned": result.returned, "events": result.effect.applied,
                        "decisions": result.effect.decisions, "released": len(result.effect.released),
                        "concluded": result.effect.concluded, "words": result.words().to_json()}, ensure_ascii=False))
    err(str(result.words()))
    return EXIT_OK
