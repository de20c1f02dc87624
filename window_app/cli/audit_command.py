"""``window-app audit verify``: is the window's audit trail as it was written?

Checks the hash chain, the signed heads, the rows that need their events and, unless
``--offline``, the head the exchange holds for this window (:mod:`window_app.audit_check`). Each
problem is one line: the first position at which the trail is not as written (``#seq``) and what
happened, in words. ``--json`` prints the report as one object (words as ``{"zh", "en"}``).

Exit codes: 0 intact; 1 tampering found; 2 cannot check (the window's key missing or
unreadable, the exchange refused the token or keeps no heads, the database unreadable); 3 intact
on this computer, but the exchange could not be reached (run again online, or ``--offline`` to
check only locally on purpose).
"""

from __future__ import annotations

import argparse
from typing import Any

from window_app.cli.context import opened_window, settings_from
from window_app.cli.output import err, out, out_json
from window_app.cli.parser import add_command
from window_app.domain.words import Words, tr


def register(commands: Any) -> None:
    audit = add_command(commands, "audit", Words("审计记录：核对是否被改动", "the audit trail: check it was not tampered with"))
    actions = audit.add_subparsers(title=tr("操作", "actions"), metavar="ACTION", required=True)
    verify = add_command(
        actions,
        "verify",
        Words(
            "核对审计链、签名链头、办件记录，以及交换平台保存的链头",
            "check the audit chain, the signed heads, the applications' records and the exchange's head",
        ),
    )
    verify.add_argument(
        "--offline", action="store_true", help=tr("只在本机核对（不联系交换平台）", "check on this computer only (no exchange)")
    )
    verify.add_argument("--json", action="store_true", help=tr("输出一个 JSON 对象", "print one JSON object"))
    verify.epilog = tr(
        "退出码：0 完好；1 发现改动（每处问题注明第一处出错的位置 #序号）；2 无法核对（窗口密钥缺失或不可读、"
        "交换平台拒绝令牌或不保存链头、数据库无法读取）；3 本机核对完好，但无法连接交换平台（联网后再运行，"
        "或用 --offline 只在本机核对）。",
        "Exit codes: 0 intact; 1 tampering found (each problem names the first bad position, #seq); 2 cannot "
        "check (the window's key missing or unreadable, the exchange refused the token or keeps no heads, the "
        "database unreadable); 3 intact on this computer, but the exchange could not be reached (run again "
        "online, or --offline to check on this computer only).",
    )
    verify.set_defaults(func=cmd_audit_verify)


def cmd_audit_verify(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with opened_window(settings) as window:
        report = window.verify_audit(online=not args.offline)
    if args.json:
        out_json(report.to_json())
        return report.exit_code
    out(report.summary())
    for problem in report.sorted_problems():
        where = f"#{problem.seq}" if problem.seq is not None else "—"
        out(f"  {where:>6}  {problem.words}")
    if report.problem_count > len(report.problems):
        out(tr("  …另有 {n} 处未列出", "  … and {n} more not listed", n=report.problem_count - len(report.problems)))
    if report.exchange.words:
        err(str(report.exchange.words))
    for words in report.unchecked:
        err(str(words))
    return report.exit_code
