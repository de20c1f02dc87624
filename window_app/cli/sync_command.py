"""``window-app sync``: the headless sync worker.

``window-app sync --once`` runs one round and prints a summary; ``window-app sync`` runs rounds
until Ctrl+C (or SIGTERM), one line per round. ``--json`` prints each round's report as one
JSON object per line; ``--retry-now`` ignores backoff for the (first) round; ``--status``
prints where syncing stands without contacting anything; ``--requeue-quarantined`` puts the
envelopes the exchange refused back in the queue first (same bytes, same keys), once the cause
was fixed.

Exit codes (``--once``): 0 every endpoint answered and nothing failed; 3 offline (no endpoint
could be reached: the envelopes wait, try again later); 4 reached, but something needs
attention (a transient failure, an envelope quarantined, a token refused, a catalog that did
not validate); 2 environment (config, catalog, storage). The loop exits 0 when stopped.
With or without ``--once``: **5** another process syncs this database (it holds
``<data dir>/sync.lock``: the app's worker, another ``window-app sync``): this one did nothing,
and says which process it is (:mod:`window_app.sync.lock`). ``--status`` never waits for it.

Driving it from a script or a test: ``python -m window_app sync --once --data-dir DIR`` with
``WINDOW_APP_EXCHANGE_URL`` / ``WINDOW_APP_EXCHANGE_TOKEN`` (or ``--config``) — the database is
``DIR/window.sqlite``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import signal
import sys
from typing import Any

import window_app.sync
from window_app.cli import EXIT_OK, add_command, opened_window, settings_from
from window_app.domain.times import shown
from window_app.domain.words import Words, counted, tr
from window_app.sync.lock import SyncBusy
from window_app.sync.status import sync_status

EXIT_OFFLINE = 3
EXIT_ATTENTION = 4
EXIT_BUSY = 5
PROGRAM = "window-app sync"
"""How this process names itself in the sync lock file."""


def register(commands: Any) -> None:
    sync = add_command(
        commands, "sync", Words("发送待发信封、取回部门意见（Ctrl+C 停止）", "send waiting envelopes, fetch decisions (Ctrl+C stops)")
    )
    sync.add_argument("--once", action="store_true", help=tr("只同步一轮，然后退出", "one round, then exit"))
    sync.add_argument("--json", action="store_true", help=tr("每轮输出一行 JSON", "one JSON object per round"))
    sync.add_argument(
        "--retry-now", action="store_true", help=tr("忽略退避等待，立即重试", "ignore backoff: retry everything now")
    )
    sync.add_argument(
        "--status", action="store_true", help=tr("只显示同步状态（不联网）", "show the sync state only (no network)")
    )
    sync.add_argument(
        "--requeue-quarantined",
        action="store_true",
        help=tr("先把已隔离的信封重新排队（原因已排除后）", "first put quarantined envelopes back in the queue (once the cause is fixed)"),
    )
    sync.epilog = tr(
        "退出码（--once）：0 全部送达；3 离线（信封保存在本机，稍后再试）；4 已连通但有问题需处理"
        "（暂时失败、信封被隔离、令牌被拒、目录无效）；2 环境问题（配置、目录、数据库）。"
        "不论是否 --once：5 另一个同步进程（窗口程序或另一个 window-app sync）正在同步同一数据库，"
        "本进程未同步（它结束后再运行；它被强制结束时锁自动释放，无需清理）。循环模式停止时退出码为 0。",
        "Exit codes (--once): 0 all delivered; 3 offline (the envelopes wait on this computer, try later); "
        "4 reached, but something needs attention (a transient failure, a quarantined envelope, a refused "
        "token, an invalid catalog); 2 environment (config, catalog, database). With or without --once: "
        "5 another sync process (the window app, or another window-app sync) syncs this database, so this "
        "one did not (run it again once that one has ended; if it is killed, its lock goes with it, nothing "
        "to clean up). The loop exits 0 when stopped.",
    )
    sync.set_defaults(func=cmd_sync)


def cmd_sync(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    with opened_window(settings) as window:
        if args.status:
            _requeue(window, args)
            return _print_status(window, args.json)
        engine = window_app.sync.engine.SyncEngine(window.db, settings, catalog_etag=window.catalog.digest, program=PROGRAM)
        try:
            engine.acquire_lock()  # before anything else: while another process syncs, do nothing
        except SyncBusy as busy:
            _print_busy(busy, args.json)
            return EXIT_BUSY
        try:
            _requeue(window, args)
            if args.once:
                report = asyncio.run(engine.run_once(retry_now=args.retry_now))
                _print_report(report, args.json, settings.zone)
                return exit_code(report)
            return _loop(engine, args)
        finally:
            engine.release_lock()


def _requeue(window: Any, args: argparse.Namespace) -> None:
    if args.requeue_quarantined:
        entries = window.quarantined(limit=100_000)
        count = window.requeue_quarantined([entry.envelope.envelope_id for entry in entries])
        print(tr("已重新排队 {n} 个隔离信封", "{envelopes} queued again", n=count, envelopes=counted(count, "quarantined envelope")), file=sys.stderr)


def _print_busy(busy: Any, as_json: bool) -> None:
    """Exit 5's words on stderr (and, with ``--json``, one object on stdout for a script)."""
    print(
        tr(
            "{who}，本进程未同步。请在它结束后再运行（它若被强制结束，锁随之释放，无需清理）。锁文件：{path}",
            "{who}; this one did not sync. Run it again once that one has ended (if it is killed, "
            "its lock goes with it: nothing to clean up). Lock file: {path}",
            who=busy.words,
            path=busy.path,
        ),
        file=sys.stderr,
        flush=True,
    )
    if as_json:
        holder = dataclasses.asdict(busy.holder) if busy.holder is not None else None
        data = {"busy": True, "holder": holder, "lock": str(busy.path), "error": busy.words.to_json()}
        print(json.dumps(data, ensure_ascii=False), flush=True)


def exit_code(report: Any) -> int:
    if report.offline:
        return EXIT_OFFLINE
    if not report.ok or not report.online:
        return EXIT_ATTENTION
    return EXIT_OK


def _loop(engine: Any, args: argparse.Namespace) -> int:
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            try:
                loop.add_signal_handler(signum, stop.set)
            except (NotImplementedError, RuntimeError, ValueError):  # not on this platform/thread
                pass
        if args.retry_now:
            report = await engine.run_once(retry_now=True)
            _print_report(report, args.json, engine.settings.zone)
        await engine.run_forever(stop, on_report=lambda report: _print_report(report, args.json, engine.settings.zone))

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _print_report(report: Any, as_json: bool, zone: dt.tzinfo) -> None:
    if as_json:
        line = json.dumps(report.to_json(), ensure_ascii=False, default=str)
    else:
        line = f"{shown(report.finished_at, zone, '%Y-%m-%d %H:%M:%S')}  {report.summary()}"
        for endpoint in report.endpoints:
            if endpoint.error and (len(report.endpoints) > 1 or endpoint.error != report.error):
                line += f"\n    {endpoint.label}: {endpoint.error}"
        if report.catalog is not None and report.catalog.status == "installed":
            line += f"\n    {report.catalog.message}"
    print(line, flush=True)
    sys.stdout.flush()


def _print_status(window: Any, as_json: bool) -> int:
    status = sync_status(window.db, window.settings)
    if as_json:
        print(json.dumps(dataclasses.asdict(status), ensure_ascii=False, default=str))
        return EXIT_OK
    if status.online is None:
        state = tr("尚未同步", "never synced")
    else:
        state = tr("在线", "online") if status.online else tr("离线", "offline")
    print(
        tr(
            "{state}：待发送 {q}，待前置结果 {h}，已隔离 {x}，已送达 {s}",
            "{state}: queued {q}, held for a prerequisite {h}, quarantined {x}, delivered {s}",
            state=state,
            q=status.queued,
            h=status.held,
            x=status.quarantined,
            s=status.sent,
        )
        + tr("，短信通知待发 {n}", ", notifications pending {n}", n=status.notifications_pending)
    )
    if status.error:
        print(f"  {status.error}")
    return EXIT_OK
