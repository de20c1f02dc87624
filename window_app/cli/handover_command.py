"""``window-app handover list | show RECEIPT_NO``: the 材料移交单 of class-3 parts (三类登记办),
listed with whether each department has acknowledged receipt, or printed."""

from __future__ import annotations

import argparse
from typing import Any

from window_app.cli.context import settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import out, out_json, print_table, when
from window_app.cli.parser import add_command
from window_app.domain.words import Words, tr


def register(commands: Any) -> None:
    handover = add_command(commands, "handover", Words("三类登记办的材料移交单", "handover lists of class-3 items (材料移交单)"))
    actions = handover.add_subparsers(title=tr("操作", "actions"), metavar="ACTION", required=True)
    listing = add_command(actions, "list", Words("列出材料移交单及部门签收情况", "list handover lists and their acknowledgement"))
    listing.add_argument("--pending", action="store_true", help=tr("只列待部门签收的", "only those awaiting acknowledgement"))
    listing.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    listing.set_defaults(func=cmd_handover_list)
    show = add_command(actions, "show", Words("打印一个办件的材料移交单", "print an application's handover lists"))
    show.add_argument("receipt_no", metavar="RECEIPT_NO", help=tr("受理编号", "receipt number"))
    show.set_defaults(func=cmd_handover_show)


def cmd_handover_list(args: argparse.Namespace) -> int:
    """Handover lists, oldest first, with who received them and when."""
    with signed_in_window(args, settings_from(args)) as window:
        found = window.handovers(pending_only=args.pending)
    if args.json:
        out_json([handover.to_json() for handover in found])
        return EXIT_OK
    if not found:
        out(tr("没有材料移交单。", "No handover lists."))
        return EXIT_OK
    rows = [[tr("受理编号", "Receipt no."), tr("部门", "Department"), tr("材料", "Materials"), tr("移交", "Handed over"), tr("签收", "Acknowledged")]]
    for handover in found:
        acknowledged = (
            tr("{by} {at}", "{by} {at}", by=handover.acknowledged_by, at=when(handover.acknowledged_at, window.zone))
            if handover.acknowledged_at
            else tr("待签收", "awaiting")
        )
        rows.append([handover.receipt_no, handover.department_name, str(len(handover.materials)), when(handover.handed_at, window.zone), acknowledged])
    print_table(rows)
    return EXIT_OK


def cmd_handover_show(args: argparse.Namespace) -> int:
    """The printable 材料移交单 of one application."""
    with signed_in_window(args, settings_from(args)) as window:
        try:
            text = window.handover_text(args.receipt_no)
        except KeyError:
            raise InvalidInput(
                Words("办件“{no}”没有材料移交单（无此编号，或没有三类登记办的部门环节）。",
                      "Application “{no}” has no handover list (no such receipt number, or no class-3 part).").format(no=args.receipt_no)
            ) from None
    out(text)
    return EXIT_OK
