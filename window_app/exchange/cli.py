"""``window-app exchange …``: serve the exchange, issue tokens, and a department's inbox/decide.

:func:`register` adds the ``exchange`` command to the ``window-app`` parser (the CLI registry
calls it with its sub-parsers); :func:`main` runs the same commands on their own
(``python -m window_app.exchange …``). Each command function takes the parsed ``args`` and
returns the exit code (``set_defaults(func=…)``, the ``window_app.cli`` contract): 0 ok, 1 invalid input (the exchange refused the request), 2 environment
(no server, no Starlette, database or catalog unusable); ``audit verify``: 0 intact, 1 tampered
with, 2 cannot check. Words go to stderr, in the current language; data (a token, JSON, the audit
report) to stdout.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import socket
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import window_app.catalog
import window_app.exchange
from window_app.catalog.problems import CatalogError
from window_app.catalog.reading import shipped_catalog_path
from window_app.domain.errors import WindowAppError
from window_app.domain.wire import ACKNOWLEDGED
from window_app.domain.words import Words, counted, language, set_language, tr
from window_app.exchange import courier_cli, ledger, reports, server_available
from window_app.exchange.backends import is_postgresql, shown_location
from window_app.exchange.department_keys import DepartmentKeys
from window_app.exchange.inbox_view import render_inbox
from window_app.exchange.key_registry import registration_problem
from window_app.exchange.ledger import LedgerError
from window_app.exchange.ratings import rating_counts
from window_app.exchange.simulate import Simulation
from window_app.exchange.store import ExchangeStore, china_now
from window_app.trust.key_files import KeyFileError
from window_app.trust.keys import key_id

if TYPE_CHECKING:
    from window_app.trust.keys import PublicSigningKey

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ENVIRONMENT = 2
DEFAULT_PORT = 8700
DEFAULT_HOST = "127.0.0.1"
DEFAULT_SIMULATE_SECONDS = 3.0
URL_VARIABLE = "WINDOW_APP_EXCHANGE_URL"
TOKEN_VARIABLE = "WINDOW_APP_DEPARTMENT_TOKEN"
KEYS_VARIABLE = "WINDOW_APP_DEPARTMENT_KEYS_DIR"
DB_VARIABLE = "WINDOW_APP_EXCHANGE_DB"
"""The exchange's database when ``--db`` is not given: a path, or a ``postgresql://`` URI."""
INSTALL_HINT = "pip install 'window-app[exchange]'"
MAX_WORKERS = 64


def register(commands: Any) -> argparse.ArgumentParser:
    """Add ``exchange`` and its actions to a parser's sub-parsers (``add_subparsers()``)."""
    exchange = commands.add_parser(
        "exchange",
        help=tr("部门交换平台：启动服务、签发令牌、部门收件与审批", "the department exchange: serve, tokens, inbox, decide"),
        description=tr(
            "部门交换平台（参考实现）：窗口发送信封，部门查看收件箱并作出决定。",
            "The reference department exchange: windows send envelopes, departments read their inbox and decide.",
        ),
    )
    actions = exchange.add_subparsers(title=tr("交换平台子命令", "exchange commands"), metavar="ACTION", required=True)
    _add_serve(actions)
    _add_token(actions)
    _add_keys(actions)
    _add_inbox(actions)
    _add_decide(actions)
    _add_acknowledge(actions)
    _add_audit(actions)
    _add_ratings(actions)
    _add_report(actions)
    from window_app.exchange import survey_cli  # it uses this module's helpers

    survey_cli.add(actions)
    courier_cli.register(actions)  # courier import (the USB courier)
    return exchange


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``exchange`` commands on their own: ``python -m window_app.exchange serve …``."""
    parser = argparse.ArgumentParser(prog="window-app")
    commands = parser.add_subparsers(metavar="COMMAND", required=True)
    register(commands)
    args = parser.parse_args(["exchange", *(sys.argv[1:] if argv is None else argv)])
    previous = language()
    try:
        if getattr(args, "lang", None):
            set_language(args.lang)
        return args.func(args)
    finally:
        set_language(previous)  # in-process callers keep their language


# -- parsers ---------------------------------------------------------------------------------


def _leaf(actions: Any, name: str, zh: str, en: str) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=tr(zh, en), description=tr(zh, en))
    if "--lang" not in parser._option_string_actions:  # window-app's parsers add the global options
        parser.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS, help=tr("输出语言", "output language"))
    return parser


def _add_serve(actions: Any) -> None:
    serve = _leaf(actions, "serve", "启动交换平台服务", "run the exchange server")
    _add_db(serve, Words("交换平台自己的数据库：SQLite 文件，或 PostgreSQL 的 postgresql://用户@主机/库 地址",
                         "the exchange's own database: a SQLite file, or a PostgreSQL URI postgresql://user@host/db"))
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=tr("端口（默认 {p}；0 表示任选空闲端口）", "port (default {p}; 0: any free port)", p=DEFAULT_PORT))
    serve.add_argument("--host", default=DEFAULT_HOST, help=tr("监听地址（默认 127.0.0.1）", "address to listen on (default 127.0.0.1)"))
    serve.add_argument("--catalog", metavar="PATH", help=tr("发布的事项目录（默认随程序附带的目录）", "catalog directory to publish (default: the shipped one)"))
    serve.add_argument("--demo", action="store_true", help=tr("接受演示令牌 demo-window-<窗口> 与 demo-<部门>", "accept demo tokens demo-window-<WINDOW> and demo-<department>"))
    serve.add_argument(
        "--simulate", metavar="SECONDS", type=float, nargs="?", const=DEFAULT_SIMULATE_SECONDS,
        help=tr("模拟各部门审批：信封等待 SECONDS 秒（默认 {s}）后自动接收并作出决定",
                "simulate the departments: decide each envelope after SECONDS (default {s})", s=DEFAULT_SIMULATE_SECONDS),
    )
    serve.add_argument("--key", metavar="FILE", help=tr(
        "交换平台自己的签名私钥文件（签署账本检查点；用 exchange audit init 生成；--demo 时默认用演示密钥）",
        "the exchange's own signing key file (signs its ledger checkpoints; made by exchange audit init; --demo: the demo key)"))
    serve.add_argument("--checkpoints", metavar="FILE", help=tr(
        "签名检查点日志（默认 <数据库>-checkpoints.jsonl；最好放在另一块盘或另一台机器上）",
        "the signed checkpoint log (default <db>-checkpoints.jsonl; better on another disk or host)"))
    serve.add_argument("--checkpoint-every", type=int, default=ledger.DEFAULT_CHECKPOINT_EVERY, metavar="N", help=tr(
        "每 N 条账本记录签署一次检查点（默认 {n}；停止时总会签署）",
        "sign a checkpoint every N ledger entries (default {n}; always when stopping)", n=ledger.DEFAULT_CHECKPOINT_EVERY))
    serve.add_argument("--workers", type=int, default=1, metavar="N", help=tr(
        "服务进程数（默认 1；仅 PostgreSQL：多核机器上可设为核数）",
        "server processes (default 1; PostgreSQL only: on a machine with several cores, up to their number)"))
    serve.add_argument("--reject-rate", type=float, default=0.0, metavar="P", help=tr("模拟时不予许可的概率", "simulated probability of a rejection"))
    serve.add_argument("--supplement-rate", type=float, default=0.0, metavar="P", help=tr("模拟时要求补正的概率", "simulated probability of a supplement request"))
    serve.add_argument("--track-per-client", type=int, default=30, metavar="N", help=tr(
        "公开查询页：每个客户端地址每分钟最多查询 N 次（默认 30；0 不限；每个服务进程各自计数）",
        "public tracking page: at most N look-ups per client address per minute (default 30; 0: no limit; per server process)"))
    serve.add_argument("--track-per-receipt", type=int, default=10, metavar="N", help=tr(
        "公开查询页：每个受理编号每分钟最多查询 N 次（默认 10；0 不限；每个服务进程各自计数）",
        "public tracking page: at most N look-ups per receipt number per minute (default 10; 0: no limit; per server process)"))
    serve.set_defaults(func=cmd_serve)


_DB_WORDS = Words("交换平台的数据库（SQLite 文件或 postgresql:// 地址）", "the exchange's database (a SQLite file or a postgresql:// URI)")


def _add_db(parser: argparse.ArgumentParser, words: Words) -> None:
    """``--db``, or ``$WINDOW_APP_EXCHANGE_DB`` when it is set (a URI's password then stays out
    of the process list)."""
    default = os.environ.get(DB_VARIABLE) or None
    parser.add_argument("--db", metavar="PATH|URI", required=default is None, default=default, help=str(
        words + Words("（默认 ${v}）", " (default ${v})").format(v=DB_VARIABLE)))


def _add_token(actions: Any) -> None:
    token = _leaf(actions, "token", "令牌", "tokens")
    token_actions = token.add_subparsers(title=tr("令牌子命令", "token commands"), metavar="ACTION", required=True)
    issue = _leaf(token_actions, "issue", "为窗口或部门签发令牌（只显示一次）", "issue a token for a window or a department (shown once)")
    _add_db(issue, _DB_WORDS)
    issue.add_argument("--catalog", metavar="PATH", help=tr("核对办理机构编号所用的目录", "catalog to check office ids against"))
    issue.add_argument("kind", choices=("window", "department"), help=tr("window 或 department", "window or department"))
    issue.add_argument("subject", metavar="ID", help=tr("窗口编号（如 ZF-01）或部门办理机构编号（如 tax-522325）", "window id (e.g. ZF-01) or a department's office id (e.g. tax-522325)"))
    issue.set_defaults(func=cmd_token_issue)


def _add_keys(actions: Any) -> None:
    keys = _leaf(actions, "keys", "密钥登记：窗口与部门", "key register: windows and departments")
    key_actions = keys.add_subparsers(title=tr("密钥子命令", "key commands"), metavar="ACTION", required=True)
    register = _leaf(key_actions, "register", "登记窗口的签名公钥（window-app keys show --json 的输出）",
                     "register a window's key (the output of window-app keys show --json)")
    _add_db(register, _DB_WORDS)
    register.add_argument("request", metavar="FILE", help=tr("登记申请 JSON 文件（- 表示标准输入）", "the registration request JSON file (- for stdin)"))
    register.set_defaults(func=cmd_keys_register)
    listing = _leaf(key_actions, "list", "列出已登记的窗口密钥与目录中的部门密钥", "list registered window keys and the catalog's department keys")
    _add_db(listing, _DB_WORDS)
    listing.add_argument("--catalog", metavar="PATH", help=tr("发布的目录（默认随程序附带的目录）", "the published catalog (default: the shipped one)"))
    listing.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    listing.set_defaults(func=cmd_keys_list)
    revoke = _leaf(key_actions, "revoke", "吊销一个窗口密钥或部门密钥", "revoke a window key or a department key")
    _add_db(revoke, _DB_WORDS)
    revoke.add_argument("--catalog", metavar="PATH", help=tr("核对部门密钥所用的目录", "catalog to find department keys in"))
    revoke.add_argument("key_id", metavar="KEY_ID", help=tr("密钥编号（keys list 所示）", "key id (as keys list shows it)"))
    revoke.set_defaults(func=cmd_keys_revoke)
    department = _leaf(key_actions, "init-department", "为部门生成签名与解密私钥（0600 文件），输出其公钥供目录使用",
                       "make a department's signing and sealing keys (0600 files); print the public keys for the catalog")
    department.add_argument("department", metavar="OFFICE", help=tr("办理机构编号，如 tax-522325", "office id, e.g. tax-522325"))
    where = department.add_mutually_exclusive_group(required=True)
    where.add_argument("--dir", metavar="DIR", help=tr("私钥目录（不要与数据库放在一起）", "directory for the private keys (not beside any database)"))
    where.add_argument("--demo", action="store_true", help=tr(
        "只输出演示密钥的公钥（由编号推导、公开，随程序附带的目录使用），不写文件",
        "only print the public halves of the demo keys (derived from the id, public; the shipped catalog's), write nothing"))
    department.set_defaults(func=cmd_keys_init_department)


def _add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help=tr("交换平台地址（默认 ${v} 或 http://127.0.0.1:{p}）", "exchange URL (default ${v} or http://127.0.0.1:{p})", v=URL_VARIABLE, p=DEFAULT_PORT))
    parser.add_argument("--token", help=tr("部门令牌（默认 ${v}）", "the department's token (default ${v})", v=TOKEN_VARIABLE))
    parser.add_argument(
        "--keys-dir", metavar="DIR",
        help=tr("部门私钥所在目录（默认 ${v}；演示令牌 demo-<部门> 使用演示密钥）",
                "directory of the department's private keys (default ${v}; a demo-<department> token uses the demo keys)", v=KEYS_VARIABLE),
    )


def _add_ratings(actions: Any) -> None:
    ratings = _leaf(actions, "ratings", "全部窗口的好差评统计", "every window's ratings (好差评), counted")
    _add_db(ratings, Words("交换平台数据库", "the exchange's database"))
    ratings.add_argument("--by", choices=("window", "clerk", "bundle", "department"), default="window",
                         help=tr("按窗口、工作人员、套餐或部门统计（默认窗口）", "per window, clerk, bundle or department (default window)"))
    ratings.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    ratings.set_defaults(func=cmd_ratings)


def cmd_ratings(args: argparse.Namespace) -> int:
    """Every window's ratings per window, clerk, bundle or department (window_app/exchange/ratings.py)."""
    store = _open_store(args.db)
    if isinstance(store, int):
        return store
    try:
        today = china_now().date().isoformat()  # the centres' calendar: a case is overdue after its day there
        counts = rating_counts(store, args.by, today=today)
    finally:
        store.close()
    if args.json:
        print(json.dumps({"by": args.by, "counts": [count.to_json() for count in counts]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not counts:
        print(tr("还没有评价", "No ratings yet"))
    for count in counts:
        print(tr("  {k}  评价 {n}，差评 {b}，满意率 {s:.0%}，整改中 {o}，逾期 {d}",
                 "  {k}  {n} ratings, {b} poor, {s:.0%} satisfied, {o} open cases, {d} overdue",
                 k=count.key, n=count.total, b=count.bad, s=count.satisfied_share, o=count.open_cases, d=count.overdue_cases))
    return EXIT_OK


def _add_inbox(actions: Any) -> None:
    inbox = _leaf(actions, "inbox", "部门收件箱：待审批的信封", "a department's inbox: envelopes to review")
    inbox.add_argument("department", metavar="OFFICE", help=tr("办理机构编号，如 market_regulation-522325", "office id, e.g. market_regulation-522325"))
    _add_client_options(inbox)
    which = inbox.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help=tr("包括已办结的信封", "include decided envelopes"))
    which.add_argument("--new", action="store_true", help=tr("只看新到的信封", "only envelopes not seen before"))
    inbox.add_argument("--limit", type=int, default=100, help=tr("最多显示几个（默认 100）", "at most this many (default 100)"))
    inbox.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    inbox.set_defaults(func=cmd_inbox)


def _add_decide(actions: Any) -> None:
    decide = _leaf(actions, "decide", "对信封中的一个事项作出决定", "decide one item of an envelope")
    decide.add_argument("envelope_id", metavar="ENVELOPE_ID")
    decide.add_argument("item", metavar="ITEM", help=tr("事项编号", "item id"))
    decide.add_argument("decision", choices=("approved", "rejected", "supplement_needed"))
    decide.add_argument("--result", default="", help=tr("办理结果，如“营业执照 9152…”", "what was issued, e.g. '营业执照 9152…'"))
    decide.add_argument("--reason", default="", help=tr("理由（不予许可时必填）", "reason (required for rejected)"))
    decide.add_argument("--material", default="", metavar="ID", help=tr("需补正的材料编号", "material to supply"))
    decide.add_argument("--by", default="", metavar="NAME", help=tr("审批人", "who decides"))
    decide.add_argument("--department", default="", metavar="DEPT", help=tr("作出决定的部门（演示令牌可省略）", "the deciding department (implied by a demo token)"))
    _add_client_options(decide)
    decide.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    decide.set_defaults(func=cmd_decide)


def _add_acknowledge(actions: Any) -> None:
    acknowledge = _leaf(
        actions, "acknowledge", "确认接收三类登记办移交的纸质材料（材料移交单）",
        "acknowledge receipt of the paper materials of a class-3 handover (材料移交单)",
    )
    acknowledge.add_argument("envelope_id", metavar="ENVELOPE_ID")
    acknowledge.add_argument("--by", required=True, metavar="NAME", help=tr("接收人姓名", "who received the materials"))
    acknowledge.add_argument("--department", default="", metavar="DEPT", help=tr("接收的部门（演示令牌可省略）", "the receiving department (implied by a demo token)"))
    _add_client_options(acknowledge)
    acknowledge.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    acknowledge.set_defaults(func=cmd_acknowledge, item="", decision=ACKNOWLEDGED, result="", reason="", material="")


def _add_audit(actions: Any) -> None:
    audit = _leaf(actions, "audit", "交换平台账本：审计与签名密钥", "the exchange's ledger: audit and its signing key")
    audit_actions = audit.add_subparsers(title=tr("审计子命令", "audit commands"), metavar="ACTION", required=True)
    init = _leaf(audit_actions, "init", "生成交换平台的签名私钥（权限 0600）并打印公钥", "make the exchange's signing key (mode 0600) and print its public key")
    init.add_argument("--key", metavar="FILE", required=True, help=tr("私钥文件（已存在则不覆盖）", "the key file (never overwritten)"))
    init.set_defaults(func=cmd_audit_init)
    public = _leaf(audit_actions, "public-key", "打印交换平台签名密钥的公钥", "print the public half of the exchange's signing key")
    which = public.add_mutually_exclusive_group(required=True)
    which.add_argument("--key", metavar="FILE", help=tr("私钥文件", "the key file"))
    which.add_argument("--demo", action="store_true", help=tr("演示平台的密钥", "the demo exchange's key"))
    public.set_defaults(func=cmd_audit_public_key)
    verify = _leaf(audit_actions, "verify", "核对交换平台的账本：0 完好，1 被篡改，2 无法核对",
                   "check the exchange's ledger: 0 intact, 1 tampered with, 2 cannot check")
    _add_db(verify, Words("交换平台的数据库（SQLite 文件只读打开，或 postgresql:// 地址）",
                          "the exchange's database (a SQLite file, opened read-only, or a postgresql:// URI)"))
    verify.add_argument("--checkpoints", metavar="FILE", help=tr("签名检查点日志（默认 <数据库>-checkpoints.jsonl）", "the signed checkpoint log (default <db>-checkpoints.jsonl)"))
    verify.add_argument("--key-public", metavar="TEXT", action="append", help=tr(
        "交换平台的公钥 ed25519:…（可多次给出，含轮换前的旧密钥）", "the exchange's public key ed25519:… (repeat for keys used before a rotation)"))
    verify.add_argument("--demo", action="store_true", help=tr("信任演示平台的公钥", "trust the demo exchange's public key"))
    verify.add_argument("--chain-only", action="store_true", help=tr(
        "只查链与数据行，不查签名检查点（发现不了截去末尾与整体改写）", "check the chain and rows only, not the checkpoints (misses a cut-off tail or a rewritten history)"))
    verify.set_defaults(func=cmd_audit_verify)


# -- commands --------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the exchange until interrupted."""

    if not server_available():
        _err(tr("交换平台需要 Starlette 和 uvicorn，请先安装：{h}", "The exchange needs Starlette and uvicorn; install them: {h}", h=INSTALL_HINT))
        return EXIT_ENVIRONMENT
    simulation = None
    if args.simulate is not None:
        try:
            simulation = Simulation(delay=args.simulate, reject_rate=args.reject_rate, supplement_rate=args.supplement_rate)
        except ValueError as exc:
            _err(tr("模拟参数有误：{e}", "Invalid simulation settings: {e}", e=exc))
            return EXIT_INVALID
    if args.demo and not _loopback(args.host):
        _err(tr("--demo 的密钥与令牌人人可知，只能在本机回环地址上运行（--host 127.0.0.1 或 ::1），不能监听 {h}。",
                "--demo keys and tokens are public by design: it serves the loopback address only (--host 127.0.0.1 or ::1), not {h}.",
                h=args.host))
        return EXIT_INVALID
    if not 1 <= args.workers <= MAX_WORKERS:
        _err(tr("--workers 应在 1 到 {m} 之间", "--workers must be between 1 and {m}", m=MAX_WORKERS))
        return EXIT_INVALID
    if args.workers > 1 and not is_postgresql(args.db):
        _err(tr("--workers {n}：SQLite 文件一次只能有一个写入者，多个服务进程只会轮流等待。"
                "请用一个进程（去掉 --workers），或把交换平台放在 PostgreSQL 上（--db postgresql://…）。",
                "--workers {n}: a SQLite file has one writer at a time, so several server processes would only wait "
                "for each other. Run one process (leave out --workers), or put the exchange on PostgreSQL "
                "(--db postgresql://…).", n=args.workers))
        return EXIT_INVALID
    app = _build_app(args, simulation)  # with several workers: checks and migrates once, first
    if isinstance(app, int):
        return app
    if args.workers > 1:
        app.state.store.close()
    try:
        sock = _listen(args.host, args.port)
    except OSError as exc:
        _err(tr("无法在 {h}:{p} 上监听：{e}", "Cannot listen on {h}:{p}: {e}", h=args.host, p=args.port, e=exc.strerror or exc))
        return EXIT_ENVIRONMENT
    port = sock.getsockname()[1]
    _announce(args, port, app, simulation)
    code = EXIT_OK
    try:
        if args.workers > 1:
            code = _serve_workers(args, simulation, sock)
        else:
            window_app.exchange.server.serve(app, sock)
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    _err(tr("交换平台已停止。", "The exchange has stopped."))
    return code


def _serve_workers(args: argparse.Namespace, simulation: Any, sock: socket.socket) -> int:
    """``--workers N``: N processes on ``sock`` (:mod:`window_app.exchange.workers`); then the
    last checkpoint, over what all of them stored."""
    from window_app.exchange.workers import serve_workers

    def build(number: int) -> Any:
        return _build_app(args, simulation if number == 0 else None, shared=True, signs=number == 0)

    code = serve_workers(sock, args.workers, build, window_app.exchange.server.serve)
    last = _build_app(args, None)
    if isinstance(last, int):
        return last
    last.state.store.close()  # signs the head, as one process does when it stops
    return EXIT_OK if code == 0 else EXIT_ENVIRONMENT


def _build_app(args: argparse.Namespace, simulation: Any, *, shared: bool = False, signs: bool = True) -> Any:


    if not 1 <= args.checkpoint_every <= ledger.MAX_CHECKPOINT_EVERY:
        _err(tr("--checkpoint-every 应在 1 到 {m} 之间", "--checkpoint-every must be between 1 and {m}", m=ledger.MAX_CHECKPOINT_EVERY))
        return EXIT_INVALID
    from window_app.trust.key_files import KeyFileError, read_signing_key  # cryptography: only to serve

    try:
        key = read_signing_key(Path(args.key)) if args.key else None
        from window_app.exchange.tracking_routes import TrackLimits  # Starlette: only to serve

        limits = TrackLimits(per_client=max(0, args.track_per_client), per_receipt=max(0, args.track_per_receipt))
        return window_app.exchange.server.create_app(
            args.db, args.catalog, demo=args.demo, simulate=simulation,
            key=key, checkpoints=args.checkpoints, checkpoint_every=args.checkpoint_every, shared=shared, signs=signs,
            track_limits=limits,
        )
    except (KeyFileError, LedgerError) as exc:
        _err(tr("交换平台账本：{m}", "The exchange's ledger: {m}", m=exc.words))
        return EXIT_ENVIRONMENT
    except CatalogError as exc:
        _err(tr("目录有误（{n} 个问题），无法发布：", "The catalog has {problems} and cannot be published:", n=len(exc.problems), problems=counted(len(exc.problems), "problem")))
        for problem in exc.problems:
            _err(f"  {problem}")
        return EXIT_ENVIRONMENT
    except (sqlite3.Error, OSError) as exc:
        _err(tr("无法打开交换平台数据库 {p}：{e}", "Cannot open the exchange database {p}: {e}", p=shown_location(args.db), e=exc))
        return EXIT_ENVIRONMENT


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on accepted sockets whose proto
    # says TCP. Without it every answer (head and body written apart) waits out Nagle against
    # the client's delayed ACK: ~40 ms per request on the loopback.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def _announce(args: argparse.Namespace, port: int, app: Any, simulation: Any) -> None:
    url = f"http://{args.host}:{port}"
    print(tr("部门交换平台已启动，地址 {u}", "Department exchange listening on {u}", u=url), flush=True)
    catalog = app.state.catalog.catalog
    _err(tr("  数据库：{d}", "  database: {d}", d=shown_location(args.db)))
    _err(tr("  目录：{n}（版本 {v}）", "  catalog: {n} (version {v})", n=catalog.name, v=catalog.version))
    if args.demo:
        _err(tr("  演示令牌：窗口 demo-window-<窗口编号>（如 demo-window-ZF-01），部门 demo-<部门编号>（如 demo-tax）",
                "  demo tokens: windows demo-window-<WINDOW_ID> (e.g. demo-window-ZF-01), departments demo-<id> (e.g. demo-tax)"))
    signed = app.state.store.checkpoints
    if signed is not None:
        _err(tr("  账本检查点：{f}（每 {n} 条签署一次，密钥 {k}）", "  ledger checkpoints: {f} (signed every {n} entries, key {k})",
                f=signed.path, n=signed.every, k=signed.key.key_id))
    else:
        _err(tr("  账本检查点：未签署（没有 --key）：截去末尾或整体改写的账本将无法发现",
                "  ledger checkpoints: none (no --key): a cut-off or rewritten ledger could not be detected"))
    if args.workers > 1:
        _err(tr("  服务进程：{n} 个", "  server processes: {n}", n=args.workers))
    if simulation is not None:
        _err(tr("  模拟审批：每个信封 {s} 秒后作出决定（不予许可 {r:.0%}，要求补正 {p:.0%}）",
                "  simulated reviewers decide each envelope after {s} s (rejected {r:.0%}, supplement {p:.0%})",
                s=simulation.delay, r=simulation.reject_rate, p=simulation.supplement_rate))
    _err(tr("  按 Ctrl+C 停止。", "  Press Ctrl+C to stop."))


def cmd_token_issue(args: argparse.Namespace) -> int:
    """Issue a token and print it (stdout: only the token)."""


    if args.kind == "department":
        known = _known_departments(args.catalog)
        if isinstance(known, int):
            return known
        if args.subject not in known:
            _err(tr("目录中没有部门“{d}”。已知部门：{k}", "No department '{d}' in the catalog. Known: {k}", d=args.subject, k=", ".join(sorted(known))))
            return EXIT_INVALID
    try:
        store = ExchangeStore.open(args.db)
    except (sqlite3.Error, OSError) as exc:
        _err(tr("无法打开交换平台数据库 {p}：{e}", "Cannot open the exchange database {p}: {e}", p=shown_location(args.db), e=exc))
        return EXIT_ENVIRONMENT
    try:
        token = store.issue_token(args.kind, args.subject)
    except ValueError as exc:
        _err(tr("编号有误：{e}", "Invalid id: {e}", e=exc))
        return EXIT_INVALID
    finally:
        store.close()
    print(token)
    _err(tr("已为 {k}:{s} 签发令牌（数据库只保存其摘要，请妥善保管）。", "Issued a token for {k}:{s} (the database keeps only its hash; keep it safe).", k=args.kind, s=args.subject))
    return EXIT_OK


def _open_store(db: str) -> ExchangeStore | int:
    try:
        return ExchangeStore.open(db)
    except (sqlite3.Error, OSError) as exc:
        _err(tr("无法打开交换平台数据库 {p}：{e}", "Cannot open the exchange database {p}: {e}", p=shown_location(db), e=exc))
        return EXIT_ENVIRONMENT


def cmd_keys_register(args: argparse.Namespace) -> int:
    """Register a window's key from its self-signed request."""
    try:
        text = sys.stdin.read() if args.request == "-" else Path(args.request).read_text(encoding="utf-8")
        request = json.loads(text)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        _err(tr("无法读取登记申请：{e}", "Cannot read the registration request: {e}", e=exc))
        return EXIT_INVALID
    problem = registration_problem(request)
    if problem:
        _err(tr("登记申请无效：{p}", "The registration request is not valid: {p}", p=problem))
        return EXIT_INVALID
    store = _open_store(args.db)
    if isinstance(store, int):
        return store
    try:
        key = store.register_window(request)
    finally:
        store.close()
    if key.revoked_at:
        _err(tr("密钥 {k} 已被吊销，不能再次登记。", "Key {k} was revoked and cannot be registered again.", k=key.key_id))
        return EXIT_INVALID
    print(key.key_id)
    _err(tr("已登记窗口 {w} 的密钥 {k}，受理编号前缀 {r}-…-{w}-{t}-…",
            "Registered key {k} of window {w} for receipt numbers {r}-…-{w}-{t}-…",
            w=key.window_id, k=key.key_id, r=key.region, t=key.installation_tag))
    return EXIT_OK


def cmd_keys_list(args: argparse.Namespace) -> int:
    """Window keys (registered here) and department keys (from the catalog)."""
    opened = _catalog_and_store(args)
    if isinstance(opened, int):
        return opened
    catalog, store = opened
    try:
        windows, revoked = store.window_keys(), store.revoked_department_keys()
    finally:
        store.close()
    departments = [
        {"department": d.id, "key_id": key_id_of(d.signing_key), "signing_key": d.signing_key, "sealing_key": d.sealing_key,
         "revoked": key_id_of(d.signing_key) in revoked}
        for d in _bodies(catalog)
    ]
    if args.json:
        print(json.dumps({"windows": [k.to_json() for k in windows], "departments": departments}, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(tr("窗口密钥（{n}）", "Window keys ({n})", n=len(windows)))
    for k in windows:
        state = tr("已吊销 {t}", "revoked {t}", t=k.revoked_at) if k.revoked_at else tr("有效", "active")
        print(f"  {k.key_id}  {k.window_id:<12} {k.region}-…-{k.window_id}-{k.installation_tag}  {state}")
    print(tr("部门密钥（来自目录，{n}）", "Department keys (from the catalog, {n})", n=len(departments)))
    for d in departments:
        state = tr("已吊销", "revoked") if d["revoked"] else (tr("有效", "active") if d["key_id"] else tr("无密钥", "no key"))
        print(f"  {d['key_id'] or '-':<16}  {d['department']:<24} {state}")
    return EXIT_OK


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    """Revoke a window key, or a department key the catalog gives."""
    opened = _catalog_and_store(args)
    if isinstance(opened, int):
        return opened
    catalog, store = opened
    try:
        if store.revoke_window_key(args.key_id):
            _err(tr("已吊销窗口密钥 {k}。", "Revoked window key {k}.", k=args.key_id))
            return EXIT_OK
        owner = next((d.id for d in _bodies(catalog) if key_id_of(d.signing_key) == args.key_id), None)
        if owner is None:
            _err(tr("没有有效的密钥 {k}。", "No active key {k}.", k=args.key_id))
            return EXIT_INVALID
        store.revoke_department_key(owner, args.key_id)
        _err(tr("已吊销部门 {d} 的密钥 {k}：其决定将被拒收，直到发布带新密钥的目录。",
                "Revoked key {k} of department {d}: its decisions are refused until a catalog with a new key is published.",
                d=owner, k=args.key_id))
        return EXIT_OK
    finally:
        store.close()


def _catalog_and_store(args: argparse.Namespace) -> tuple[Any, ExchangeStore] | int:
    """The catalog (``--catalog``) and the open store (``--db``), or the exit code saying why not."""
    catalog = _catalog(args.catalog)
    if isinstance(catalog, int):
        return catalog
    store = _open_store(args.db)
    if isinstance(store, int):
        return store
    return catalog, store


def cmd_keys_init_department(args: argparse.Namespace) -> int:
    """Make an office's key pair and print its catalog entry (``--demo``: only print the demo keys')."""
    if not OFFICE_FILE_SAFE.match(args.department):
        _err(tr("办理机构编号“{d}”只能由小写字母、数字、_ 和 - 组成", "office id '{d}' may hold only lowercase letters, digits, _ and -", d=args.department))
        return EXIT_INVALID
    if args.demo:
        entry = DepartmentKeys.demo(args.department).public_entry()
        print(f'signing_key = "{entry["signing_key"]}"')
        print(f'sealing_key = "{entry["sealing_key"]}"')
        return EXIT_OK
    try:
        keys = DepartmentKeys.create(Path(args.dir), args.department)
    except KeyFileError as exc:
        _err(tr("部门密钥：{m}", "Department keys: {m}", m=exc.words))
        return EXIT_ENVIRONMENT
    entry = keys.public_entry()
    print(f'signing_key = "{entry["signing_key"]}"')
    print(f'sealing_key = "{entry["sealing_key"]}"')
    _err(tr("已在 {d} 生成部门 {p} 的私钥；以上两行写入目录中该部门的条目，并由目录签发机构签署。",
            "Made the private keys of {p} in {d}; put the two lines above into its catalog entry, to be signed by the catalog authority.",
            d=args.dir, p=args.department))
    return EXIT_OK


def _catalog(path: str | None) -> Any:
    try:
        return window_app.catalog.loader.load_catalog(path or shipped_catalog_path())
    except CatalogError as exc:
        _err(tr("目录有误（{n} 个问题）。", "The catalog has {problems}.", n=len(exc.problems), problems=counted(len(exc.problems), "problem")))
        return EXIT_ENVIRONMENT


OFFICE_FILE_SAFE = re.compile(r"^[a-z][a-z0-9_-]*$")
"""What an office id may hold: it names key files and appears in URLs."""


def _bodies(catalog: Any) -> list[Any]:
    """Every office of the catalog (and department kind that is its own office), as a record
    with its id and keys: what receives parts, holds a token and keys at the exchange."""
    return [catalog.body(receiver) for receiver in catalog.receivers()]


def key_id_of(public_text: str) -> str:
    return key_id(public_text) if public_text else ""


def _known_departments(catalog_path: str | None) -> set[str] | int:

    try:
        return set(window_app.catalog.loader.load_catalog(catalog_path or shipped_catalog_path()).receivers())
    except CatalogError as exc:
        _err(tr("目录有误（{n} 个问题）。", "The catalog has {problems}.", n=len(exc.problems), problems=counted(len(exc.problems), "problem")))
        return EXIT_ENVIRONMENT


def _add_report(actions: Any) -> None:
    report = _leaf(actions, "report", "按地区汇总各窗口的办件：窗口、套餐、部门、事项、决定与用时",
                   "a region's applications across windows: per window, bundle, department and item, decisions and days")
    _add_db(report, _DB_WORDS)
    report.add_argument("--region", required=True, metavar="CODE", help=tr(
        "行政区划代码：520000 全省，522300 全州，522325 一县", "region code: 520000 the province, 522300 a prefecture, 522325 a county"))
    report.add_argument("--days", type=int, default=30, metavar="N", help=tr("最近 N 天（默认 30）", "the last N days (default 30)"))
    report.add_argument("--from", dest="first", metavar="DATE", default="", help=tr("开始日期（北京时间，与 --to 同用）", "first day, China time (with --to)"))
    report.add_argument("--to", dest="last", metavar="DATE", default="", help=tr("结束日期（含当日）", "last day (included)"))
    report.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    report.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """A region's report from what the exchange holds (window_app/exchange/reports.py)."""
    import datetime as dt

    from window_app.exchange.store import CHINA_TIME, china_now

    try:
        reports.region_prefix(args.region)
        if args.first or args.last:
            first, last = dt.date.fromisoformat(args.first), dt.date.fromisoformat(args.last)
            since = dt.datetime.combine(first, dt.time(), tzinfo=CHINA_TIME)
            until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=CHINA_TIME)
        else:
            if args.days < 1:
                raise ValueError(args.days)
            until = china_now()
            since = until - dt.timedelta(days=args.days)
    except WindowAppError as exc:
        _err(str(exc))
        return EXIT_INVALID
    except ValueError:
        _err(tr("日期应写成 2026-12-01，两者都要给出；天数至少为 1", "Dates are written 2026-12-01, both given; days at least 1"))
        return EXIT_INVALID
    store = _open_store(args.db)
    if isinstance(store, int):
        return store
    try:
        found = reports.region_report(store.backend, args.region, since=since, until=until)
    finally:
        store.close()
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return EXIT_OK
    totals = found["totals"]
    print(tr("地区 {r}：{a} 至 {b}，办件 {n} 件，信封 {e} 个", "Region {r}: {a} to {b}, {n} applications, {e} envelopes",
             r=args.region, a=found["from"], b=found["to"], n=totals["applications"], e=totals["envelopes"]))
    sections = (
        ("windows", tr("窗口", "Windows"), ("applications", "envelopes")),
        ("offerings", tr("套餐/事项", "Bundles"), ("applications",)),
        ("departments", tr("部门", "Departments"), ("envelopes", "approved", "rejected", "supplement_needed", "avg_days", "p90_days")),
        ("items", tr("事项", "Items"), ("envelopes", "approved", "rejected", "supplement_needed", "avg_days", "p90_days")),
    )
    for key, title, columns in sections:
        print(f"\n{title}")
        print("  " + "  ".join(["id", *columns]))
        for row in found[key]:
            print("  " + "  ".join(str("—" if row[c] is None else row[c]) for c in ("id", *columns)))
    return EXIT_OK


def cmd_inbox(args: argparse.Namespace) -> int:
    """Print a department's inbox for a reviewer (or as JSON)."""

    token = args.token or os.environ.get(TOKEN_VARIABLE) or f"demo-{args.department}"
    state = "all" if args.all else "new" if args.new else "open"
    keys = _department_keys(args, args.department, token)
    if isinstance(keys, int):
        return keys
    try:
        with window_app.exchange.client.DepartmentClient(_url(args), token) as client:
            entries = client.inbox(state, limit=args.limit, department=args.department)
    except window_app.exchange.client.ExchangeClientError as exc:
        return _client_failure(exc)
    entries = [_opened(entry, keys) for entry in entries]
    if args.json:
        print(json.dumps({"envelopes": entries}, ensure_ascii=False, indent=2))
    else:
        print(render_inbox(entries, args.department))
    return EXIT_OK


def cmd_decide(args: argparse.Namespace) -> int:
    """Post one decision and say what was recorded."""

    token = args.token or os.environ.get(TOKEN_VARIABLE)
    if not token:
        _err(tr("需要部门令牌：--token T 或环境变量 {v}（演示服务器上为 demo-<部门编号>）。",
                "A department token is needed: --token T or ${v} (demo-<department> on a demo server).", v=TOKEN_VARIABLE))
        return EXIT_INVALID
    department = token[len("demo-"):] if token.startswith("demo-") else args.department
    if not department:
        _err(tr("请用 --department 指明部门（其私钥用于签署决定）。", "Name the department with --department (its key signs the decision)."))
        return EXIT_INVALID
    keys = _department_keys(args, department, token)
    if isinstance(keys, int):
        return keys
    try:
        with window_app.exchange.client.DepartmentClient(_url(args), token) as client:
            event, created = client.decide(
                args.envelope_id, args.item, args.decision,
                result=args.result, reason=args.reason, material=args.material, decided_by=args.by, keys=keys,
            )
    except window_app.exchange.client.ExchangeClientError as exc:
        return _client_failure(exc)
    if args.json:
        print(json.dumps({"event": event, "created": created}, ensure_ascii=False, indent=2))
    elif created and event["kind"] == ACKNOWLEDGED:
        print(tr("已确认接收：{r} 的移交材料，接收人 {b}（事件 #{s}）", "Acknowledged: the materials handed over for {r}, received by {b} (event #{s})",
                 r=event["receipt_no"], b=event["decided_by"], s=event["seq"]))
    elif created:
        print(tr("已记录：{r} 事项 {i} {d}（事件 #{s}）", "Recorded: {r} item {i} {d} (event #{s})",
                 r=event["receipt_no"], i=event["item"], d=event["kind"], s=event["seq"]))
    else:
        print(tr("此决定此前已记录（事件 #{s}），未重复写入。", "This decision was already recorded (event #{s}); nothing written.", s=event["seq"]))
    return EXIT_OK


def cmd_acknowledge(args: argparse.Namespace) -> int:
    """Acknowledge a handover (a signed ``acknowledged`` decision on the whole envelope)."""

    return cmd_decide(args)


def _department_keys(args: argparse.Namespace, department: str, token: str) -> DepartmentKeys | int:
    """The department's keys: from --keys-dir / $WINDOW_APP_DEPARTMENT_KEYS_DIR, else the demo
    keys when the token is a demo token."""
    directory = args.keys_dir or os.environ.get(KEYS_VARIABLE)
    if not directory and token == f"demo-{department}":
        return DepartmentKeys.demo(department)
    if not directory:
        _err(tr("需要部门私钥目录：--keys-dir DIR 或环境变量 {v}。", "The department's keys are needed: --keys-dir DIR or ${v}.", v=KEYS_VARIABLE))
        return EXIT_INVALID
    try:
        return DepartmentKeys.read(Path(directory), department)
    except KeyFileError as exc:
        _err(tr("部门密钥：{m}", "Department keys: {m}", m=exc.words))
        return EXIT_ENVIRONMENT


def _opened(entry: dict[str, Any], keys: DepartmentKeys) -> dict[str, Any]:
    """An inbox entry with its payload opened (signature checked), or the reason it was not."""
    opened = keys.open(entry)
    if isinstance(opened, dict):
        return {**entry, "payload": opened, "verified": True}
    return {**entry, "verified": False, "problem": opened.to_json()}


def cmd_audit_init(args: argparse.Namespace) -> int:
    """Make the exchange's signing key (0600) and print its public half."""
    from window_app.trust.key_files import KeyFileError, write_private_key
    from window_app.trust.keys import SigningKey

    key = SigningKey.generate()
    try:
        write_private_key(Path(args.key), key)
    except KeyFileError as exc:
        _err(str(exc.words))
        return EXIT_INVALID if Path(args.key).exists() else EXIT_ENVIRONMENT
    print(key.public.text)
    _err(tr("已生成交换平台签名密钥 {p}（仅本用户可读，密钥编号 {k}）。请把上面的公钥交给审计人员，并另存一份。",
            "Made the exchange's signing key {p} (readable by this user only; key id {k}). Give the public key above "
            "to the auditors and keep a copy elsewhere.", p=args.key, k=key.key_id))
    return EXIT_OK


def cmd_audit_public_key(args: argparse.Namespace) -> int:
    """Print the public half of the exchange's signing key."""
    from window_app.trust.demo import demo_signing_key
    from window_app.trust.key_files import KeyFileError, read_signing_key

    try:
        key = demo_signing_key(ledger.DEMO_KEY_NAME) if args.demo else read_signing_key(Path(args.key))
    except KeyFileError as exc:
        _err(str(exc.words))
        return EXIT_ENVIRONMENT
    print(key.public.text)
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Check the exchange's ledger: 0 intact, 1 tampered, 2 cannot check."""
    from window_app.trust.demo import demo_signing_key
    from window_app.trust.keys import PublicSigningKey

    postgresql = is_postgresql(args.db)
    db = args.db if postgresql else Path(args.db)
    if not postgresql and not db.is_file():
        _err(tr("没有交换平台数据库 {p}", "No exchange database {p}", p=db))
        return EXIT_ENVIRONMENT
    keys: list[PublicSigningKey] = []
    checkpoints = None
    torn = False
    if not args.chain_only:
        for text in args.key_public or ():
            key = PublicSigningKey.from_text(text.strip(), Words("交换平台的公钥", "the exchange's public key"))
            if isinstance(key, Words):
                _err(str(key))
                return EXIT_ENVIRONMENT
            keys.append(key)
        if args.demo:
            keys.append(demo_signing_key(ledger.DEMO_KEY_NAME).public)
        if not keys:
            _err(tr("需要交换平台的公钥来核对检查点：--key-public TEXT（exchange audit public-key 可打印），演示平台用 --demo；"
                    "只查链本身用 --chain-only。",
                    "The exchange's public key is needed to check its checkpoints: --key-public TEXT (exchange audit "
                    "public-key prints it), --demo for a demo exchange; --chain-only checks the chain alone."))
            return EXIT_ENVIRONMENT
        if postgresql and not args.checkpoints:
            _err(tr("交换平台在 PostgreSQL 上时，请用 --checkpoints FILE 指明检查点日志（或 --chain-only 只查链本身）",
                    "With the exchange on PostgreSQL, name the checkpoint log with --checkpoints FILE (or check the chain "
                    "alone with --chain-only)"))
            return EXIT_ENVIRONMENT
        path = Path(args.checkpoints) if args.checkpoints else ledger.default_checkpoints_path(db)
        try:
            checkpoints, torn = ledger.read_checkpoints(path)
        except OSError as exc:
            _err(tr("无法读取检查点日志 {p}：{e}（用 --checkpoints 指明其位置，或 --chain-only 只查链本身）",
                    "Cannot read the checkpoint log {p}: {e} (name it with --checkpoints, or check the chain alone with --chain-only)",
                    p=path, e=exc.strerror or exc))
            return EXIT_ENVIRONMENT
    report = _verified_postgresql(args.db, checkpoints, keys) if postgresql else _verified_file(db, checkpoints, keys)
    if isinstance(report, int):
        return report
    if torn:
        report.notes.append(Words("检查点日志最后一行不完整（写入时中断），未计入。", "The last line of the checkpoint log is incomplete (cut short while written); not counted."))
    for line in report.lines(checked_checkpoints=checkpoints is not None):
        print(line)
    return EXIT_OK if report.intact else EXIT_INVALID


_LEDGER_TABLES = {"ledger", "envelopes", "events", "items"}


def _not_a_ledger(db: Any) -> int:
    _err(tr("{p} 不是带账本的交换平台数据库（用本版本的交换平台打开一次即会建立账本）",
            "{p} is not an exchange database with a ledger (opening it once with this version of the exchange adds one)",
            p=shown_location(db)))
    return EXIT_ENVIRONMENT


def _verified_postgresql(uri: str, checkpoints: Any, keys: Any) -> ledger.Report | int:
    """The ledger of a PostgreSQL exchange, checked in one read-only snapshot."""
    from window_app.exchange.backends import open_backend

    try:
        backend = open_backend(uri)
    except OSError as exc:
        _err(tr("无法打开交换平台数据库 {p}：{e}", "Cannot open the exchange database {p}: {e}", p=shown_location(uri), e=exc))
        return EXIT_ENVIRONMENT
    try:
        with backend.transaction() as conn:
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")  # one snapshot
            found = {row[0] for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )}
            if not _LEDGER_TABLES <= found:
                return _not_a_ledger(uri)
            return ledger.verify(conn, checkpoints, keys)
    except WindowAppError as exc:
        _err(tr("无法读取交换平台数据库 {p}：{e}", "Cannot read the exchange database {p}: {e}", p=shown_location(uri), e=exc.words))
        return EXIT_ENVIRONMENT
    finally:
        backend.close()


def _verified_file(db: Path, checkpoints: Any, keys: Any) -> ledger.Report | int:
    """The ledger of a SQLite exchange, opened read-only, checked in one snapshot."""
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        _err(tr("无法打开交换平台数据库 {p}：{e}", "Cannot open the exchange database {p}: {e}", p=db, e=exc))
        return EXIT_ENVIRONMENT
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not _LEDGER_TABLES <= tables:
            return _not_a_ledger(db)
        conn.execute("BEGIN")  # one snapshot, also of a running exchange's file
        return ledger.verify(conn, checkpoints, keys)
    except sqlite3.Error as exc:
        _err(tr("无法读取交换平台数据库 {p}：{e}", "Cannot read the exchange database {p}: {e}", p=db, e=exc))
        return EXIT_ENVIRONMENT
    finally:
        conn.close()


def _url(args: argparse.Namespace) -> str:
    return args.url or os.environ.get(URL_VARIABLE) or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"


def _client_failure(exc: Any) -> int:
    _err(tr("交换平台：{m}", "Exchange: {m}", m=exc.words))
    return EXIT_INVALID if exc.is_input_error else EXIT_ENVIRONMENT


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
