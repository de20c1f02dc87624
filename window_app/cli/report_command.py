"""``window-app report``: the statistics of today, this week, this month or given days, as a
table, JSON or CSV (docs/supervision.md, *统计 / Statistics*)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from window_app.cli.context import settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import err, out, print_table
from window_app.cli.parser import add_command
from window_app.domain.words import Words, tr
from window_app.reporting.export import report_csv, report_json
from window_app.reporting.numbers import SECTION_WORDS, Report, ReportRow
from window_app.reporting.periods import PERIODS, BadPeriod


def register(commands: Any) -> None:
    report = add_command(
        commands,
        "report",
        Words("统计：办件量、材料与表单精简、办结用时", "statistics: applications, materials and fields saved, time to conclusion"),
    )
    report.add_argument("--period", choices=PERIODS, default="today", help=tr("今日、本周或本月（默认今日）", "today, this week or this month (default today)"))
    report.add_argument("--from", dest="first", metavar="DATE", default="", help=tr("开始日期 2026-12-01（与 --to 同用）", "first day, 2026-12-01 (with --to)"))
    report.add_argument("--to", dest="last", metavar="DATE", default="", help=tr("结束日期（含当日）", "last day (included)"))
    output = report.add_mutually_exclusive_group()
    output.add_argument(
        "--json", metavar="PATH", nargs="?", const="-", default=None, help=tr("输出 JSON（可写入文件）", "JSON, to stdout or PATH")
    )
    output.add_argument("--csv", metavar="PATH", default=None, help=tr("写入 CSV 文件（- 为标准输出）", "write CSV to PATH (- for stdout)"))
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """The report, printed or written."""
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        try:
            report = window.report(args.period, first=args.first, last=args.last)
        except BadPeriod as exc:
            raise InvalidInput(exc.words) from None
    if args.json is not None:
        _write(args.json, json.dumps(report_json(report), ensure_ascii=False, indent=2) + "\n", "utf-8")
    elif args.csv is not None:
        # Excel and WPS read a CSV as the local code page unless it starts with a BOM.
        _write(args.csv, report_csv(report), "utf-8-sig")
    else:
        print_report(report)
    return EXIT_OK


def _write(path: str, text: str, encoding: str) -> None:
    if path == "-":
        out(text.rstrip("\n"))
        return
    target = Path(path).expanduser()
    target.write_text(text, encoding=encoding, newline="")
    err(tr("已写入 {path}。", "Written to {path}.", path=target))


def print_report(report: Report) -> None:
    """The report as tables, one per section."""
    whose = tr("全部工作人员", "every clerk") if not report.clerk_id else tr("工号 {c} 本人", "clerk {c}'s own", c=report.clerk_id)
    out(tr("统计 {p}（{w}）", "Statistics {p} ({w})", p=str(report.period.words), w=whose))
    total = report.total
    out(
        tr(
            "受理 {a} 件，办结 {c} 件，其中窗口直接办结 {w} 件",
            "{a} accepted, {c} concluded, {w} of them at the window",
            a=total.applications,
            c=total.concluded,
            w=total.at_window,
        )
    )
    out(
        tr(
            "材料：分别提交需 {s} 份，合并后 {m} 份，少交 {d} 份；表单：逐项填写 {fs} 项，一表填写 {fm} 项，少填 {fd} 项",
            "Materials: {s} separately, {m} merged, {d} saved; fields: {fs} item by item, {fm} on one form, {fd} saved",
            s=total.materials_separate,
            m=total.materials_merged,
            d=total.materials_saved,
            fs=total.fields_separate,
            fm=total.fields_merged,
            fd=total.fields_saved,
        )
    )
    for section in ("bundle", "item", "department", "clerk"):
        rows = report.section(section)
        if not rows:
            continue
        out("")
        out(str(SECTION_WORDS[section]))
        print_table([_heading(section), *(_cells(section, row) for row in rows)])
    out("")
    for column, words in report.sources.items():
        out(tr("{c}：{w}", "{c}: {w}", c=column, w=str(words)))


def _heading(section: str) -> list[str]:
    head = [tr("名称", "Name"), tr("件数", "Count"), tr("办结", "Done"), tr("窗口办结", "At window")]
    head += [tr("平均工作日", "Avg days"), tr("P90", "P90")]
    if section in ("bundle", "clerk"):
        head += [tr("少交材料", "Mat. saved"), tr("少填字段", "Fields saved")]
    head += [tr("超期", "Overdue"), tr("评价", "Ratings")]
    return head


def _cells(section: str, row: ReportRow) -> list[str]:
    cells = [str(row.name), str(row.applications), str(row.concluded), str(row.at_window)]
    cells += [_number(row.avg_working_days), _number(row.p90_working_days)]
    if section in ("bundle", "clerk"):
        cells += [_number(row.materials_saved), _number(row.fields_saved)]
    rating = "—" if row.ratings is None else (f"{row.ratings} · {row.rating_avg}" if row.rating_avg is not None else str(row.ratings))
    cells += [_number(row.overdue_parts), rating]
    return cells


def _number(value: float | int | None) -> str:
    return "—" if value is None else str(value)
