"""``window-app accept FILE.json``: accept an application file exactly as the screens would."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from window_app.cli.context import offering_here, settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import err, out
from window_app.cli.parser import add_command
from window_app.domain.words import Words, tr
from window_app.intake.io import parse_intake
from window_app.window import IntakeInvalid

if TYPE_CHECKING:
    from window_app.window import Window


def register(commands: Any) -> None:
    accept = add_command(commands, "accept", Words("受理一份申请文件（docs/accept-format.md）", "accept an application file (docs/accept-format.md)"))
    accept.add_argument("file", metavar="FILE.json", help=tr("申请文件，- 为标准输入", "application file, - for stdin"))
    accept.add_argument("--print", dest="print_receipt", action="store_true", help=tr("同时打印受理回执", "also print the receipt"))
    accept.set_defaults(func=cmd_accept)


def cmd_accept(args: argparse.Namespace) -> int:
    """Accept an application file exactly as the screens would; print the receipt number."""

    settings = settings_from(args)
    data = read_json(args.file)
    intake, problems = parse_intake(data)
    if problems or intake is None:
        invalid = IntakeInvalid(problems)
        raise InvalidInput(invalid.words, invalid.details)
    with signed_in_window(args, settings) as window:
        offering = offering_here(window, intake.offering)
        accepted = _accept(window, intake)
        err(
            tr(
                "已受理：{name}，受理编号 {no}。",
                "Accepted: {name}, receipt number {no}.",
                name=offering.bundle.name,
                no=accepted.receipt_no,
            )
        )
        out(accepted.receipt_no)
        if args.print_receipt:
            out("")
            out(window.receipt_text(accepted.receipt_no))
    return EXIT_OK


def _accept(window: Window, intake: Any) -> Any:

    try:
        return window.accept(intake)
    except IntakeInvalid as exc:
        raise InvalidInput(exc.words, exc.details) from None


def read_json(name: str) -> Any:
    """The parsed JSON of a file (``-``: stdin), or :class:`InvalidInput` saying why not."""

    label = tr("标准输入", "stdin") if name == "-" else name
    try:
        text = sys.stdin.read() if name == "-" else Path(name).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(Words("{f}：文件不存在", "{f}: no such file").format(f=label)) from None
    except UnicodeDecodeError:
        raise InvalidInput(Words("{f}：不是 UTF-8 文本", "{f}: not UTF-8 text").format(f=label)) from None
    except OSError as exc:
        raise InvalidInput(Words("{f}：无法读取：{r}", "{f}: cannot read: {r}").format(f=label, r=exc.strerror)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            Words("{f}：不是有效的 JSON（第 {l} 行第 {c} 列：{m}）", "{f}: not valid JSON (line {l}, column {c}: {m})").format(f=label, l=exc.lineno, c=exc.colno, m=exc.msg)
        ) from None
