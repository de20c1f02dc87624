"""``window-app exchange courier import PATH [--answer OUT]``: a window's USB courier file taken
in at the exchange (:mod:`window_app.exchange.courier_import`; docs/courier.md).

Exit codes: 0 imported (or the same file again: nothing changed, said so), 1 refused (damaged,
not the window's registered key, replayed, reordered: nothing stored), 2 environment (the
database, the catalog, the exchange's key).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from window_app.catalog.loader import load_catalog
from window_app.catalog.problems import CatalogError
from window_app.catalog.reading import shipped_catalog_path
from window_app.domain.words import Words, tr
from window_app.exchange import ledger
from window_app.exchange.backends import shown_location
from window_app.exchange.courier_import import CourierImportRefused, import_courier
from window_app.exchange.store import ExchangeStore
from window_app.trust import courier_file

DB_VARIABLE = "WINDOW_APP_EXCHANGE_DB"


def register(actions: Any) -> None:
    """Add ``courier import`` to the exchange's actions."""
    courier = actions.add_parser("courier", help=tr("U盘传递", "the USB courier"), description=tr("U盘传递", "the USB courier"))
    courier_actions = courier.add_subparsers(title=tr("操作", "actions"), metavar="ACTION", required=True)
    text = tr("导入窗口的U盘文件，并写出签名回执", "take in a window's courier file and write the signed answer")
    imported = courier_actions.add_parser("import", help=text, description=text)
    imported.add_argument("path", metavar="PATH", help=tr("窗口导出的U盘文件", "the window's courier file"))
    imported.add_argument("--answer", metavar="OUT", help=tr("回执文件（写入U盘，带回窗口）", "the answer file (onto the stick, back to the window)"))
    default = os.environ.get(DB_VARIABLE) or None
    imported.add_argument("--db", metavar="PATH|URI", required=default is None, default=default,
                          help=tr("交换平台数据库（默认 ${v}）", "the exchange's database (default ${v})", v=DB_VARIABLE))
    imported.add_argument("--catalog", metavar="DIR", help=tr("目录（默认随程序发布的目录）", "the catalog (default: the shipped one)"))
    keys = imported.add_mutually_exclusive_group(required=True)
    keys.add_argument("--key", metavar="PEM", help=tr("交换平台签名密钥（签署回执）", "the exchange's signing key (signs the answer)"))
    keys.add_argument("--demo", action="store_true", help=tr("用演示密钥签署回执（仅演示）", "sign the answer with the demo key (demo only)"))
    if "--lang" not in imported._option_string_actions:
        imported.add_argument("--lang", choices=("zh", "en"), default=argparse.SUPPRESS, help=tr("输出语言", "output language"))
    imported.set_defaults(func=cmd_courier_import)


def cmd_courier_import(args: argparse.Namespace) -> int:
    from window_app.trust.demo import demo_signing_key
    from window_app.trust.key_files import KeyFileError, read_signing_key

    try:
        key = demo_signing_key(ledger.DEMO_KEY_NAME) if args.demo else read_signing_key(Path(args.key))
    except KeyFileError as exc:
        _err(str(exc.words))
        return 2
    data = courier_file.read_bytes(Path(args.path))
    if isinstance(data, Words):
        _err(tr("U盘文件被拒收：{why}", "The courier file was refused: {why}", why=data))
        return 1
    try:
        catalog = load_catalog(args.catalog or shipped_catalog_path())
    except CatalogError:
        _err(tr("目录有误，无法导入。", "The catalog has problems; nothing imported."))
        return 2
    try:
        store = ExchangeStore.open(args.db)
    except (sqlite3.Error, OSError) as exc:
        _err(tr("无法打开交换平台数据库 {p}：{e}", "Cannot open the exchange database {p}: {e}", p=shown_location(args.db), e=exc))
        return 2
    try:
        outcome = import_courier(store, catalog, data, key)
    except CourierImportRefused as refused:
        _err(str(refused.words))
        return 1
    finally:
        store.close()
    if args.answer:
        try:
            courier_file.write_whole(Path(args.answer), outcome.answer)
        except OSError as exc:
            _err(tr("无法写入回执 {p}：{e}", "Cannot write the answer {p}: {e}", p=args.answer, e=exc.strerror or exc))
            return 2
    _err(str(outcome.words()))
    if args.answer:
        _err(tr("回执已写入 {p}：请带回窗口，用 window-app courier import 导入。",
                "The answer is in {p}: take it back to the window for window-app courier import.", p=args.answer))
    return 0


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
