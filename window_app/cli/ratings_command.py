"""``window-app ratings``: the 好差评 summary per window, clerk, bundle or department, and the
rectification cases still open (supervisors). Read-only: a rating is the applicant's, given at
the rating step or from the tracking page; no command enters or changes one."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from window_app.cli.context import settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK, InvalidInput
from window_app.cli.output import out, out_json, print_table
from window_app.cli.parser import add_command
from window_app.domain.ratings import CASE_STATE_WORDS, COUNT_BY, LEVEL_WORDS, LEVELS, case_to_json, reasons_words
from window_app.domain.words import Words, tr


def register(commands: Any) -> None:
    ratings = add_command(commands, "ratings", Words("好差评汇总与差评整改单", "ratings summary and rectification cases"))
    ratings.add_argument("--by", choices=COUNT_BY, default="bundle", help=tr("按窗口、工作人员、套餐或部门统计（默认套餐）", "count per window, clerk, bundle or department (default bundle)"))
    ratings.add_argument("--since", metavar="YYYY-MM-DD", help=tr("自该日起（含）", "from this day on"))
    ratings.add_argument("--until", metavar="YYYY-MM-DD", help=tr("至该日止（含）", "up to this day"))
    ratings.add_argument("--cases", action="store_true", help=tr("列出未办结的差评整改单", "list the rectification cases not closed"))
    ratings.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    ratings.set_defaults(func=cmd_ratings)


def _day(text: str | None, zone: dt.tzinfo, *, end: bool) -> dt.datetime | None:
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(Words("日期须为 YYYY-MM-DD：{t}", "A date is YYYY-MM-DD: {t}").format(t=text)) from None
    return dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time(), tzinfo=zone)


def cmd_ratings(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        if args.cases:
            cases = window.rectification_cases()
            today = window.today()
            if args.json:
                out_json([{**case_to_json(case), "overdue": case.overdue_on(today)} for case in cases])
                return EXIT_OK
            out(tr("差评整改单 {n} 件未办结，逾期 {m} 件", "{n} rectification cases open, {m} overdue", n=len(cases), m=sum(c.overdue_on(today) for c in cases)))
            print_table(
                [[tr("到期", "due"), tr("状态", "state"), tr("受理编号", "receipt"), tr("评价", "rating"), tr("理由", "reasons")]]
                + [
                    [("! " if c.overdue_on(today) else "") + c.due_on, str(CASE_STATE_WORDS[c.state]), c.receipt_no,
                     str(LEVEL_WORDS[c.level]), str(reasons_words(c.reasons)) or "—"]
                    for c in cases
                ]
            )
            return EXIT_OK
        counts = window.rating_counts(
            args.by, since=_day(args.since, window.zone, end=False), until=_day(args.until, window.zone, end=True)
        )
        if args.json:
            out_json({"by": args.by, "counts": [count.to_json() for count in counts]})
            return EXIT_OK
        header = [args.by, tr("评价数", "ratings"), *(str(LEVEL_WORDS[level]) for level in LEVELS), tr("满意率", "satisfied"),
                  tr("整改中", "open cases"), tr("逾期", "overdue")]
        rows = [
            [count.key, str(count.total), *(str(count.by_level.get(level, 0)) for level in LEVELS),
             f"{count.satisfied_share:.0%}", str(count.open_cases), str(count.overdue_cases)]
            for count in counts
        ]
        if not rows:
            out(tr("还没有评价", "No ratings yet"))
            return EXIT_OK
        print_table([header, *rows])
    return EXIT_OK
