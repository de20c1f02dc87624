"""``window-app overdue``: the applications whose statutory clock is past 80% of its limit or past
it — for a supervisor, every clerk's (the clerk is named); for a clerk, their own."""

from __future__ import annotations

import argparse
from typing import Any

from window_app.cli.context import settings_from, signed_in_window
from window_app.cli.errors import EXIT_OK
from window_app.cli.output import department_name, err, out, out_json, print_table
from window_app.cli.parser import add_command
from window_app.domain.clocks import DUE_SOON, OVERDUE, WARNING_WORDS, clock_words
from window_app.domain.waived import WAIVED_STATE_WORDS
from window_app.domain.words import Words, tr


def register(commands: Any) -> None:
    overdue = add_command(
        commands,
        "overdue",
        Words("超期和即将超期（已用八成法定时限）的办件", "applications overdue or due soon (past 80 per cent of a statutory limit)"),
    )
    overdue.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    overdue.set_defaults(func=cmd_overdue)


def cmd_overdue(args: argparse.Namespace) -> int:
    """The late applications, overdue first; the holiday calendar's missing years on stderr."""
    settings = settings_from(args)
    with signed_in_window(args, settings) as window:
        missing = window.calendar_warning()
        if missing is not None:
            err(str(missing))
        warnings = window.clock_warnings()
        clocks = [*warnings.overdue, *warnings.due_soon]
        promises = [(OVERDUE, p) for p in warnings.waived.overdue] + [(DUE_SOON, p) for p in warnings.waived.due_soon]
        if args.json:
            out_json({
                "clocks": [clock_row(clock) for clock in clocks],
                "waived": [
                    {"receipt_no": p.receipt_no, "material": p.material, "promised_on": p.promised_on.isoformat(),
                     "state": state, "clerk": p.clerk}
                    for state, p in promises
                ],
            })
            return EXIT_OK
        if not clocks and not promises:
            out(tr("没有超期或即将超期的办件。", "Nothing is overdue or due soon."))
            return EXIT_OK
        overdue, due_soon = warnings.counts
        out(tr("超期 {o} 件，即将超期 {s} 件（{d}）", "{o} overdue, {s} due soon ({d})",
               o=overdue, s=due_soon, d=window.today().isoformat()))
        for clock in clocks:
            due = clock.due_on.isoformat() if clock.due_on else "—"
            out(tr("{no}  {w}  受理人 {c}  整件法定期限 {d}", "{no}  {w}  clerk {c}  the bundle due {d}",
                   no=clock.receipt_no, w=WARNING_WORDS[clock.warning], c=clock.clerk or "—", d=due))
            print_table(
                [["  ", department_name(window.catalog, part.department), str(clock_words(part))]
                 for part in clock.parts if part.warning]
            )
        for state, promise in promises:
            material = window.catalog.materials.get(promise.material)
            out(tr("{no}  容缺 {m}：{s}（承诺{d}前补交）  受理人 {c}", "{no}  deficient {m}: {s} (promised by {d})  clerk {c}",
                   no=promise.receipt_no, m=str(material.name) if material else promise.material,
                   s=WAIVED_STATE_WORDS[state], d=promise.promised_on.isoformat(), c=promise.clerk or "—"))
    return EXIT_OK


def clock_row(clock: Any) -> dict[str, Any]:
    """One application's clock as JSON (dates ISO)."""
    return {
        "receipt_no": clock.receipt_no,
        "warning": clock.warning,
        "clerk": clock.clerk,
        "due_on": clock.due_on.isoformat() if clock.due_on else None,
        "parts": [
            {
                "department": part.department,
                "stage": part.stage,
                "state": part.state,
                "warning": part.warning,
                "limit_days": part.limit_days,
                "used_days": part.used_days,
                "paused_days": part.paused_days,
                "started_on": part.started_on.isoformat() if part.started_on else None,
                "due_on": part.due_on.isoformat() if part.due_on else None,
            }
            for part in clock.parts
        ],
    }
