"""``window-app applications``, ``receipt`` and ``export applications``: what this window has
accepted, listed, printed, or written out as CSV/JSON rows for a spreadsheet or another program."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from window_app.cli.context import settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.notice_command import add_output_options, deliver, notice_of
from window_app.cli.output import department_name, err, jsonable, out, out_json, print_table, when
from window_app.cli.parser import add_command
from window_app.domain.states import application_state_label, part_state_label
from window_app.domain.words import Words, counted, tr

if TYPE_CHECKING:
    from window_app.domain.catalog import Catalog


def register(commands: Any) -> None:
    listing = add_command(commands, "applications", Words("已受理的办件及各部门进度", "accepted applications and each department's part"))
    listing.add_argument("--query", metavar="TEXT", default="", help=tr("按编号、姓名、证件号、套餐筛选", "filter by receipt, name, id, bundle"))
    listing.add_argument("--limit", metavar="N", type=int, default=500, help=tr("最多显示条数", "at most this many"))
    listing.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    listing.set_defaults(func=cmd_applications)

    receipt = add_command(commands, "receipt", Words("打印受理回执", "print an application's receipt"))
    receipt.add_argument("receipt_no", metavar="RECEIPT_NO", help=tr("受理编号", "receipt number"))
    add_output_options(receipt)
    receipt.set_defaults(func=cmd_receipt)

    export = add_command(commands, "export", Words("导出数据（CSV 或 JSON）", "export data (CSV or JSON)"))
    what = export.add_subparsers(title=tr("导出内容", "what to export"), metavar="WHAT", required=True)
    rows = add_command(
        what,
        "applications",
        Words("已受理的办件，每个部门环节一行",
        "accepted applications, one row per department part"),
    )
    rows.add_argument("--format", choices=("csv", "json"), default="csv", help=tr("格式（默认 csv）", "format (default csv)"))
    rows.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help=tr("写入文件（CSV 带 BOM，便于 Excel/WPS 打开）；默认标准输出", "write to FILE (CSV with a BOM for Excel/WPS); default stdout"),
    )
    rows.set_defaults(func=cmd_export_applications)


def cmd_applications(args: argparse.Namespace) -> int:
    """Accepted applications, newest first, with each department's part."""
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        summaries = window.applications(query=args.query, limit=args.limit)
        if args.json:
            out_json([application_row(summary) for summary in summaries])
        else:
            _print_applications(window.catalog, summaries, window.zone)
    return EXIT_OK


def application_row(summary: Any) -> dict[str, Any]:
    """One application summary as a JSON-able object (its offering's name under the stored
    ``offering_name`` / ``offering_name_en`` keys)."""
    row: dict[str, Any] = {}
    for key, value in jsonable(summary).items():
        if key == "offering_name":
            row["offering_name"], row["offering_name_en"] = summary.offering_name.zh, summary.offering_name.en
        else:
            row[key] = value
    row["parts"] = [jsonable(part) for part in summary.parts]
    return row


def _print_applications(catalog: Catalog, summaries: Sequence[Any], zone: dt.tzinfo) -> None:
    if not summaries:
        out(tr("没有办件。", "No applications."))
        return
    for summary in summaries:
        state = application_state_label(summary.state)
        out(f"{summary.receipt_no}  {summary.offering_name}  {summary.applicant_name}  {state}  {when(summary.accepted_at, zone)}")
        print_table(
            [
                [
                    "  ",
                    department_name(catalog, part.department),
                    tr("第 {n} 环节", "stage {n}", n=part.stage),
                    part_state_label(part.state),
                ]
                for part in summary.parts
            ]
        )


def cmd_receipt(args: argparse.Namespace) -> int:
    """The printable receipt of an accepted application: as text on stdout, or with ``--pdf PATH``
    / ``--print`` as the PDF notice (window_app/notices/)."""
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        if args.pdf or args.send_to_printer:
            return deliver(window, notice_of(window, "receipt", args.receipt_no), args)
        try:
            text = window.receipt_text(args.receipt_no)
        except KeyError:
            raise InvalidInput(
                Words("没有受理编号为“{no}”的办件。", "No application has the receipt number “{no}”.").format(no=args.receipt_no)
            ) from None
        out(text)
    return EXIT_OK


def cmd_export_applications(args: argparse.Namespace) -> int:
    """Every accepted application, one row per department part, as CSV or JSON."""
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        if not args.output:
            window.export_applications(sys.stdout, args.format)
            return EXIT_OK
        target = Path(args.output).expanduser()
        # Excel and WPS read a CSV as the local code page unless it starts with a BOM.
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        with target.open("w", encoding=encoding, newline="") as stream:
            count = window.export_applications(stream, args.format)
    err(tr("已导出 {n} 行到 {path}。", "Exported {rows} to {path}.", n=count, rows=counted(count, "row"), path=target))
    return EXIT_OK
