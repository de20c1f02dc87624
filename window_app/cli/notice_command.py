"""``window-app notice KIND …``: a notice the applicant takes home, as a PDF (or HTML where no
Chinese font is found), written to a file or sent to the printer.

KIND is ``receipt``, ``one-time`` (from an application file, without accepting it),
``supplement``, ``supplement-received``, ``refusal`` or ``handover`` (of an accepted application,
by its receipt number). ``window-app receipt NO --pdf PATH`` is the receipt's short form.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from window_app.cli.accept_command import read_json
from window_app.cli.context import offering_here, settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import err, out
from window_app.cli.parser import add_command
from window_app.domain.intake import Intake
from window_app.domain.words import Words, counted, tr
from window_app.intake.io import parse_intake
from window_app.notices.model import NOTICE_KINDS, Notice, NoticeUnavailable
from window_app.window import IntakeInvalid, Window


def register(commands: Any) -> None:
    notice = add_command(commands, "notice", Words("生成告知书（PDF）并打印或保存", "make a notice (PDF) and print or save it"))
    notice.add_argument(
        "kind", metavar="KIND", choices=list(NOTICE_KINDS),
        help=tr("告知书种类：{kinds}", "kind of notice: {kinds}", kinds=", ".join(NOTICE_KINDS)),
    )
    notice.add_argument(
        "subject", metavar="RECEIPT_NO|FILE.json",
        help=tr("受理编号；one-time 为申请文件（- 为标准输入）", "receipt number; for one-time an application file (- for stdin)"),
    )
    add_output_options(notice)
    notice.set_defaults(func=cmd_notice)


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """``--pdf PATH`` and ``--print``: what ``notice`` and ``receipt`` do with the notice."""
    parser.add_argument("--pdf", metavar="PATH", help=tr("写入此 PDF 文件", "write this PDF file"))
    parser.add_argument(
        "--print", dest="send_to_printer", action="store_true",
        help=tr("发送到默认打印机（不能打印时保存并给出路径）", "send to the default printer (saved, path shown, where it cannot)"),
    )


def cmd_notice(args: argparse.Namespace) -> int:
    """Make the notice and write or print it."""
    with signed_in_window(args, settings_from(args)) as window:
        if args.kind == "one-time":
            notice = window.one_time_notice(_intake(window, args.subject))
        else:
            notice = notice_of(window, args.kind, args.subject)
        return deliver(window, notice, args)


def notice_of(window: Window, kind: str, receipt_no: str) -> Notice:
    """One notice of an accepted application, or :class:`InvalidInput` saying why there is none."""
    try:
        return window.notice(kind, receipt_no)
    except KeyError:
        raise InvalidInput(
            Words("没有受理编号为“{no}”的办件。", "No application has the receipt number “{no}”.").format(no=receipt_no)
        ) from None
    except NoticeUnavailable as error:
        raise InvalidInput(error.words, error.details) from None


def deliver(window: Window, notice: Notice, args: argparse.Namespace) -> int:
    """Write ``notice`` to ``--pdf PATH`` and/or print it; without either, save it in the documents
    folder. The file's path goes to stdout, what happened to stderr."""
    if args.pdf or not args.send_to_printer:
        rendered = window.write_notice(notice, Path(args.pdf).expanduser() if args.pdf else None)
        if rendered.note:
            err(str(rendered.note))
        err(tr("已写入 {n} 页：", "{pages} written:", n=rendered.pages, pages=counted(rendered.pages, "page")))
        out(str(rendered.path))
    if args.send_to_printer:
        rendered, outcome = window.print_notice(notice)
        if rendered.note:
            err(str(rendered.note))
        err(str(outcome.words))
        if not args.pdf:
            out(str(rendered.path))
    return EXIT_OK


def _intake(window: Window, name: str) -> Intake:
    intake, problems = parse_intake(read_json(name))
    if problems or intake is None:
        invalid = IntakeInvalid(problems)
        raise InvalidInput(invalid.words, invalid.details)
    offering_here(window, intake.offering)
    return intake
