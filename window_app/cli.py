"""``window-app``: the TUI by default, and a scriptable twin of the window for scripts.

Every sub-command goes through the same code as the screens (:class:`window_app.window.Window`
and the catalog/intake modules behind it); nothing here re-implements a rule. Output speaks
Chinese by default, English with ``--lang en`` or ``[window] language = "en"``.

Exit codes: 0 ok, 1 invalid input or validation problems, 2 environment (config, catalog,
storage). Errors are words on stderr, never a traceback.

Start-up cost matters (the TUI is launched many times a day): this module imports only the
standard library, the config and i18n at start; the window, the catalog and Textual are
imported by the command that needs them.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from window_app import __version__
from window_app.config import ConfigError, Settings, load_settings
from window_app.i18n import language, pick, set_language, tr

if TYPE_CHECKING:
    from window_app.catalog.model import Bundle, Catalog, Offering
    from window_app.intake.guide import Guide
    from window_app.window import Window

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_ENVIRONMENT = 2
EXIT_INTERRUPTED = 130

LEVELS = ("province", "city", "county")
GROUP_ORDER = ("hot", "local", "personal", "enterprise", "item")

# State words for the applications list. The codes are window_app.applications'; the screens
# word them the same way (screens/widgets/part_state.py, which the CLI must not import).
APPLICATION_STATE_LABELS = {
    "accepted": ("已受理", "accepted"),
    "in_progress": ("办理中", "in progress"),
    "supplement_needed": ("需补正", "supplement needed"),
    "concluded": ("已办结", "concluded"),
    "rejected": ("不予受理", "rejected"),
}
PART_STATE_LABELS = {
    "queued": ("待发送", "queued"),
    "waiting": ("待前置结果", "awaiting a prerequisite"),
    "sent": ("已发送", "sent"),
    "received": ("部门已接收", "received"),
    "approved": ("已同意", "approved"),
    "rejected": ("不予许可", "rejected"),
    "supplement_needed": ("需补正", "supplement needed"),
}


class UsageError(Exception):
    """The command line itself is wrong (unknown option, missing argument)."""


class InvalidInput(Exception):
    """Input the clerk can fix: a heading and one line per problem, exit code 1."""

    def __init__(self, message: str, details: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.details = list(details)


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports errors instead of exiting the process."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.format_usage().rstrip()}\n{self.prog}: {message}")


# -- entry point ---------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``window-app`` with ``argv`` (default: the process arguments).

    Returns:
        The exit code: 0 ok, 1 invalid input, 2 environment (config/catalog/storage).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    _tolerate_narrow_encodings()
    previous = language()
    try:
        return _main(argv)
    finally:
        set_language(previous)  # in-process callers (tests, scripts) keep their language


def _main(argv: list[str]) -> int:
    args = _parse(argv)
    if isinstance(args, int):
        return args
    if args.lang:
        set_language(args.lang)
    return _run(args)


def _parse(argv: list[str]) -> argparse.Namespace | int:
    """The parsed command line, or the exit code when there is nothing to run (help, version,
    usage error: the usage goes to stderr in the configured language)."""
    wants_help = any(arg in ("-h", "--help") for arg in argv)
    set_language(_initial_language(argv, consult_config=wants_help))
    args = None if wants_help else _tui_arguments(argv)
    if args is not None:
        return args
    try:
        return build_parser().parse_args(argv)
    except UsageError:
        pass
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    # Say it in the configured language (not read above: the config costs start-up time).
    set_language(_initial_language(argv, consult_config=True))
    try:
        build_parser().parse_args(argv)
    except UsageError as exc:
        _err(str(exc))
    return EXIT_INVALID


def _tui_arguments(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a plain TUI start (only global options), else ``None``.

    The clerk's everyday start skips building the whole sub-command parser.
    """
    try:
        known, rest = _global_parser(strict=True).parse_known_args(argv)
    except UsageError:
        return None
    if rest:
        return None
    known.handler = cmd_tui
    return known


def _run(args: argparse.Namespace) -> int:
    """Call the command's handler and turn known failures into words and an exit code."""
    try:
        return args.handler(args)
    except InvalidInput as exc:
        _err(exc.message)
        for line in exc.details:
            _err(f"  {line}")
        return EXIT_INVALID
    except ConfigError as exc:
        _err(tr("配置有误：{message}", "Configuration error: {message}", message=exc))
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        _err(tr("已中断。", "Interrupted."))
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # noqa: BLE001 - only environment errors are translated
        message = _environment_message(exc)
        if message is None:
            raise
        _err(message)
        return EXIT_ENVIRONMENT


def _environment_message(exc: BaseException) -> str | None:
    """Words for a catalog, storage or file-system failure; ``None`` for anything else.

    The exception classes are looked up in ``sys.modules`` so that this never imports the
    modules that define them: if a module is not loaded, its exception cannot have been raised.
    """
    loader = sys.modules.get("window_app.catalog.loader")
    if loader is not None and isinstance(exc, loader.CatalogError):
        lines = [tr("目录有误（{n} 个问题），无法使用：", "The catalog has {n} problem(s) and cannot be used:", n=len(exc.problems))]
        return "\n".join(lines + [f"  {problem}" for problem in exc.problems])
    db = sys.modules.get("offline_cache.db")
    if db is not None and isinstance(exc, db.StorageError):
        return tr("数据库错误：{m}", "Storage error: {m}", m=tr(exc.message, exc.message_en or exc.message))
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return tr("无法访问 {w}{r}", "Cannot access {w}{r}", w=where, r=exc.strerror or exc)
    return None


# -- the parser ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, help texts in the current language."""
    parser = _Parser(
        prog="window-app",
        description=tr(
            "综合窗口·一件事一次办。不带子命令时启动窗口界面（TUI）。",
            "Comprehensive window for integrated service bundles. Without a sub-command: start the TUI.",
        ),
        epilog=tr(
            "退出码：0 成功，1 输入有误，2 环境有误（配置、目录、数据库）。",
            "Exit codes: 0 ok, 1 invalid input, 2 environment (config, catalog, storage).",
        ),
    )
    _add_global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"window-app {__version__}")
    parser.set_defaults(handler=cmd_tui)
    commands = parser.add_subparsers(title=tr("子命令", "sub-commands"), metavar="COMMAND")
    _add_catalog_commands(commands)
    _add_guide_command(commands)
    _add_accept_command(commands)
    _add_applications_command(commands)
    _add_receipt_command(commands)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """``--config``, ``--data-dir``, ``--lang``: before the sub-command, or after it.

    After the sub-command the defaults are suppressed so that an option given before it is not
    overwritten by the sub-parser's default.
    """
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--config", metavar="PATH", default=default, help=tr("配置文件（默认 ./config.toml）", "config file (default ./config.toml)")
    )
    parser.add_argument(
        "--data-dir", metavar="PATH", default=default, help=tr("数据库所在目录", "directory of the SQLite database")
    )
    parser.add_argument(
        "--lang", choices=("zh", "en"), default=default, help=tr("输出语言（默认取配置）", "output language (default: config)")
    )


def _command(commands: Any, name: str, help_zh: str, help_en: str) -> argparse.ArgumentParser:
    sub = commands.add_parser(name, help=tr(help_zh, help_en), description=tr(help_zh, help_en))
    _add_global_options(sub, suppress=True)
    return sub


def _add_catalog_commands(commands: Any) -> None:
    catalog = _command(commands, "catalog", "事项目录：校验、列表、覆盖情况", "the catalog: validate, list, coverage")
    actions = catalog.add_subparsers(title=tr("目录子命令", "catalog commands"), metavar="ACTION", required=True)

    validate = _command(actions, "validate", "校验目录，逐条列出问题", "validate a catalog directory, listing every problem")
    validate.add_argument("path", metavar="PATH", help=tr("目录所在文件夹", "catalog directory"))
    validate.set_defaults(handler=cmd_catalog_validate)

    listing = _command(actions, "list", "某地区可办的套餐和单项事项", "what a region offers")
    listing.add_argument("--region", metavar="CODE", help=tr("行政区划代码（默认本窗口）", "region code (default: this window's)"))
    listing.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    listing.set_defaults(handler=cmd_catalog_list)

    coverage = _command(actions, "coverage", "套餐在省、市、县三级的覆盖情况", "three-level coverage of bundles")
    coverage.add_argument("bundle_id", metavar="BUNDLE_ID", nargs="?", help=tr("套餐编号（默认全部）", "bundle id (default: all)"))
    coverage.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    coverage.set_defaults(handler=cmd_catalog_coverage)


def _add_guide_command(commands: Any) -> None:
    guide = _command(commands, "guide", "办事指南：事项、材料、表单、办理阶段", "the service guide: items, materials, form, stages")
    guide.add_argument("offering_id", metavar="BUNDLE_ID", help=tr("套餐或单项事项编号", "bundle or standalone item id"))
    guide.add_argument(
        "--answer", metavar="QUESTION=VALUE", action="append", default=[], help=tr("情形回答，可重复", "a situational answer; repeatable")
    )
    guide.add_argument("--choose", metavar="ITEM", action="append", default=[], help=tr("选择可选事项，可重复", "choose an optional item; repeatable"))
    guide.add_argument(
        "--decline", metavar="ITEM", action="append", default=[], help=tr("不办由回答开启的可选事项", "decline an optional item an answer switched on")
    )
    guide.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    guide.set_defaults(handler=cmd_guide)


def _add_accept_command(commands: Any) -> None:
    accept = _command(commands, "accept", "受理一份申请文件（docs/accept-format.md）", "accept an application file (docs/accept-format.md)")
    accept.add_argument("file", metavar="FILE.json", help=tr("申请文件，- 为标准输入", "application file, - for stdin"))
    accept.add_argument("--print", dest="print_receipt", action="store_true", help=tr("同时打印受理回执", "also print the receipt"))
    accept.set_defaults(handler=cmd_accept)


def _add_applications_command(commands: Any) -> None:
    listing = _command(commands, "applications", "已受理的办件及各部门进度", "accepted applications and each department's part")
    listing.add_argument("--query", metavar="TEXT", default="", help=tr("按编号、姓名、证件号、套餐筛选", "filter by receipt, name, id, bundle"))
    listing.add_argument("--limit", metavar="N", type=int, default=500, help=tr("最多显示条数", "at most this many"))
    listing.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    listing.set_defaults(handler=cmd_applications)


def _add_receipt_command(commands: Any) -> None:
    receipt = _command(commands, "receipt", "打印受理回执", "print an application's receipt")
    receipt.add_argument("receipt_no", metavar="RECEIPT_NO", help=tr("受理编号", "receipt number"))
    receipt.set_defaults(handler=cmd_receipt)


# -- language and settings -------------------------------------------------------------------


def _global_parser(*, strict: bool) -> argparse.ArgumentParser:
    """Only the global options (``strict``: ``--lang`` must be zh or en)."""
    parser = _Parser(prog="window-app", add_help=False)
    parser.add_argument("--config")
    parser.add_argument("--data-dir")
    parser.add_argument("--lang", choices=("zh", "en") if strict else None)
    return parser


def _initial_language(argv: list[str], *, consult_config: bool) -> str:
    """The language for help texts and usage errors: ``--lang``, else (if asked) the configured
    one, else Chinese. Commands switch to the configured language once they load the settings.
    """
    try:
        known, _rest = _global_parser(strict=False).parse_known_args(argv)
    except UsageError:
        return "zh"
    if known.lang in ("zh", "en"):
        return known.lang
    if not consult_config:
        return "zh"
    try:
        return load_settings(known.config, data_dir=known.data_dir).window.language
    except ConfigError:
        return "zh"  # reported in words by the command that needs the settings


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings the command line asks for: ``--config``, env overrides, ``--data-dir``, ``--lang``.

    Raises:
        ConfigError: With file, key and reason.
    """
    settings = load_settings(args.config, data_dir=args.data_dir)
    if args.lang:
        settings = dataclasses.replace(settings, window=dataclasses.replace(settings.window, language=args.lang))
    set_language(settings.window.language)
    return settings


@contextlib.contextmanager
def opened_window(settings: Settings) -> Iterator[Window]:
    """The window on its catalog and database, closed when the command is done."""
    from window_app.window import Window

    window = Window.open(settings)
    try:
        yield window
    finally:
        window.close()


def load_window_catalog(settings: Settings) -> Catalog:
    """The window's catalog without opening its database (the catalog commands need no DB)."""
    from window_app.catalog.loader import load_catalog, shipped_catalog_path

    path = Path(settings.catalog.path).expanduser() if settings.catalog.path else shipped_catalog_path()
    return load_catalog(path)


# -- the TUI -----------------------------------------------------------------------------------


def cmd_tui(args: argparse.Namespace) -> int:
    """No sub-command: run the Textual app on this window until the clerk quits."""
    settings = settings_from(args)
    with opened_window(settings) as window:
        from screens.app import WindowApp  # Textual is imported only here

        app = WindowApp(window)
        app.run()
        code = getattr(app, "return_code", None)
        return code if isinstance(code, int) else EXIT_OK


# -- catalog -------------------------------------------------------------------------------------


def cmd_catalog_validate(args: argparse.Namespace) -> int:
    """Every problem as ``FILE: ENTRY: reason``, a count; or a one-line summary when clean."""
    from window_app.catalog.loader import load_catalog, validate_catalog_dir

    settings_from(args)  # only for the language (and to report a broken config)
    path = Path(args.path).expanduser()
    problems = validate_catalog_dir(path)
    if problems:
        for problem in problems:
            _out(str(problem))
        _out(tr("共 {n} 个问题。", "{n} problem(s).", n=len(problems)))
        return EXIT_INVALID
    catalog = load_catalog(path)
    _out(
        tr(
            "目录有效：{b} 个套餐、{i} 个事项、{d} 个部门、{r} 个地区，版本 {v}。",
            "Catalog is valid: {b} bundles, {i} items, {d} departments, {r} regions, version {v}.",
            b=len(catalog.bundles),
            i=len(catalog.items),
            d=len(catalog.departments),
            r=len(catalog.regions),
            v=catalog.version,
        )
    )
    return EXIT_OK


def cmd_catalog_list(args: argparse.Namespace) -> int:
    """What a region offers, grouped (热点/本地/个人/企业/单项事项) or as JSON."""
    from window_app.catalog.search import group_of, offerings_for_region

    settings = settings_from(args)
    catalog = load_window_catalog(settings)
    region = _known_region(catalog, args.region or settings.window.region)
    rows = [offering_row(catalog, offering, group_of(offering)) for offering in offerings_for_region(catalog, region)]
    if args.json:
        _out_json(rows)
    else:
        _print_offerings(catalog, region, rows)
    return EXIT_OK


def offering_row(catalog: Catalog, offering: Offering, group: str) -> dict[str, Any]:
    """One offering as a JSON-able row (what ``catalog list --json`` prints)."""
    bundle = offering.bundle
    item_ids = list(bundle.mandatory) + list(bundle.optional)
    return {
        "id": offering.id,
        "name": bundle.name,
        "name_en": bundle.name_en,
        "kind": offering.kind,
        "group": _group_key(group),
        "theme": bundle.theme,
        "hot": bundle.hot,
        "local": bundle.local,
        "departments": list(dict.fromkeys(catalog.items[i].department for i in item_ids if i in catalog.items)),
        "items": item_ids,
        "lead_department": bundle.lead_department,
    }


def _group_key(group: Any) -> str:
    """``group_of``'s answer as a stable key (``hot``, ``local``, ``personal``, ``enterprise``, ``item``)."""
    value = getattr(group, "value", group)
    labels = {"热点": "hot", "本地": "local", "个人": "personal", "企业": "enterprise", "单项事项": "item"}
    return labels.get(str(value), str(value))


def _group_label(key: str) -> str:
    labels = {
        "hot": ("热点", "Hot"),
        "local": ("本地", "Local"),
        "personal": ("个人", "Personal"),
        "enterprise": ("企业", "Enterprise"),
        "item": ("单项事项", "Single items"),
    }
    zh, en = labels.get(key, (key, key))
    return tr(zh, en)


def _print_offerings(catalog: Catalog, region: str, rows: list[dict[str, Any]]) -> None:
    bundles = sum(1 for row in rows if row["kind"] == "bundle")
    _out(
        tr(
            "{place}（{code}）可办 {b} 个套餐、{i} 个单项事项",
            "{place} ({code}) offers {b} bundles and {i} single items",
            place=pick(catalog.regions[region]),
            code=region,
            b=bundles,
            i=len(rows) - bundles,
        )
    )
    order = {key: index for index, key in enumerate(GROUP_ORDER)}
    groups = sorted(dict.fromkeys(row["group"] for row in rows), key=lambda key: order.get(key, len(order)))
    names = {row["id"]: (row["name_en"] if _english() and row["name_en"] else row["name"]) for row in rows}
    id_width = max((_width(row["id"]) for row in rows), default=0)
    name_width = max((_width(name) for name in names.values()), default=0)
    for group in groups:
        _out("")
        _out(_group_label(group))
        for row in (row for row in rows if row["group"] == group):
            departments = tr("、", ", ").join(_department_short(catalog, d) for d in row["departments"])
            _out(f"  {_pad(row['id'], id_width)}  {_pad(names[row['id']], name_width)}  {departments}")


def cmd_catalog_coverage(args: argparse.Namespace) -> int:
    """At which province / city / county regions a bundle (or every bundle) is offered."""
    settings = settings_from(args)
    catalog = load_window_catalog(settings)
    bundles = _coverage_subjects(catalog, args.bundle_id)
    report = [coverage_of(catalog, bundle) for bundle in bundles]
    if args.json:
        _out_json(report)
        return EXIT_OK
    for index, entry in enumerate(report):
        if index:
            _out("")
        _print_coverage(entry)
    return EXIT_OK


def _coverage_subjects(catalog: Catalog, wanted: str | None) -> list[Bundle]:
    from window_app.catalog.model import item_as_bundle

    if wanted is None:
        return list(catalog.bundles.values())
    if wanted in catalog.bundles:
        return [catalog.bundles[wanted]]
    if wanted in catalog.items and catalog.items[wanted].standalone:
        return [item_as_bundle(catalog.items[wanted])]
    raise InvalidInput(
        tr("没有编号为“{id}”的套餐。可选：", "No bundle has the id “{id}”. Known bundles:", id=wanted),
        [f"{bundle.id}  {pick(bundle)}" for bundle in catalog.bundles.values()],
    )


def coverage_of(catalog: Catalog, bundle: Bundle) -> dict[str, Any]:
    """The regions of each level where ``bundle`` is offered, and how many regions that level has."""
    levels: dict[str, Any] = {}
    for level in LEVELS:
        regions = [region for region in catalog.regions.values() if region.level == level]
        offered = [region for region in regions if catalog.offered_in(bundle.regions, bundle.regions_under, region.code)]
        levels[level] = {
            "offered": [{"code": r.code, "name": r.name, "name_en": r.name_en} for r in offered],
            "total": len(regions),
        }
    return {"id": bundle.id, "name": bundle.name, "name_en": bundle.name_en, "levels": levels}


def _print_coverage(entry: dict[str, Any]) -> None:
    name = entry["name_en"] if _english() and entry["name_en"] else entry["name"]
    _out(f"{name} ({entry['id']})")
    level_names = {"province": tr("省级", "province"), "city": tr("市级", "cities"), "county": tr("县级", "counties")}
    for level in LEVELS:
        data = entry["levels"][level]
        offered, total = data["offered"], data["total"]
        if not offered:
            where = tr("无", "none")
        elif len(offered) == total and total > 3:
            where = tr("全部", "all")
        else:
            names = [(r["name_en"] if _english() and r["name_en"] else r["name"]) for r in offered]
            where = tr("、", ", ").join(names)
        _out(f"  {_pad(level_names[level], 9)} ({len(offered)}/{total})  {where}")


# -- guide ---------------------------------------------------------------------------------------


def cmd_guide(args: argparse.Namespace) -> int:
    """The 办事指南 of an offering under the given answers and choices."""
    settings = settings_from(args)
    with opened_window(settings) as window:
        offering = offering_here(window, args.offering_id)
        intake = window.new_intake(offering.id)
        intake.answers.update(_parse_answers(offering.bundle, args.answer))
        intake.chosen_optional = _check_optional(window.catalog, offering.bundle, args.choose)
        intake.declined_optional = _check_optional(window.catalog, offering.bundle, args.decline)
        guide = window.guide(intake)
        if args.json:
            _out_json(guide.to_json())
        else:
            _print_guide(window.catalog, guide)
    return EXIT_OK


def offering_here(window: Window, offering_id: str) -> Offering:
    """The offering by id, or :class:`InvalidInput` naming what this window offers instead."""
    try:
        return window.offering(offering_id)
    except KeyError:
        pass
    region = window.settings.window.region
    place = pick(window.catalog.regions[region]) if region in window.catalog.regions else region
    known = offering_id in window.catalog.bundles or offering_id in window.catalog.items
    if known:
        message = tr(
            "“{id}”在{place}（{code}）不受理。本窗口可办：",
            "“{id}” is not offered in {place} ({code}). This window offers:",
            id=offering_id,
            place=place,
            code=region,
        )
    else:
        message = tr("没有编号为“{id}”的套餐或事项。本窗口可办：", "No bundle or item has the id “{id}”. This window offers:", id=offering_id)
    raise InvalidInput(message, [f"{o.id}  {pick(o.bundle)}" for o in window.offerings()])


def _parse_answers(bundle: Bundle, pairs: list[str]) -> dict[str, str]:
    """``QUESTION=VALUE`` pairs, each checked against the bundle's questions and options."""
    questions = {question.id: question for question in bundle.questions}
    answers: dict[str, str] = {}
    for pair in pairs:
        question_id, sep, value = pair.partition("=")
        question = questions.get(question_id.strip())
        if not sep or question is None:
            raise InvalidInput(
                tr("“{p}”：没有这个问题。“{b}”的问题：", "“{p}”: no such question. The questions of “{b}”:", p=pair, b=pick(bundle)),
                [_describe_question(q) for q in bundle.questions] or [tr("（无）", "(none)")],
            )
        if question.option(value.strip()) is None:
            raise InvalidInput(
                tr("“{p}”：不是可选的回答。可选：", "“{p}”: not one of the answers. Answers:", p=pair),
                [f"{question.id}={option.value}  {pick(option, 'label')}" for option in question.options],
            )
        answers[question.id] = value.strip()
    return answers


def _describe_question(question: Any) -> str:
    values = "|".join(option.value for option in question.options)
    return f"{question.id}={values}  {pick(question, 'text')}"


def _check_optional(catalog: Catalog, bundle: Bundle, wanted: list[str]) -> list[str]:
    """``--choose`` / ``--decline`` values, each an optional item of the bundle."""
    for item_id in wanted:
        if item_id not in bundle.optional:
            raise InvalidInput(
                tr("“{i}”不是“{b}”的可选事项。可选事项：", "“{i}” is not an optional item of “{b}”. Optional items:", i=item_id, b=pick(bundle)),
                [f"{i}  {pick(catalog.items[i])}" for i in bundle.optional if i in catalog.items] or [tr("（无）", "(none)")],
            )
    return list(dict.fromkeys(wanted))


def _print_guide(catalog: Catalog, guide: Guide) -> None:
    """The guide as text: heading, situation, items, checklist, form, stages."""
    bundle = guide.offering.bundle
    kind = tr("套餐", "bundle") if guide.offering.kind == "bundle" else tr("单项事项", "single item")
    _out(f"{pick(bundle)} ({bundle.id}) · {kind}")
    _out(
        tr(
            "牵头部门：{lead}　承诺时限：{days} 个工作日　涉及 {n} 个部门",
            "Lead department: {lead}   Promised: {days} working day(s)   {n} department(s)",
            lead=_department_name(catalog, bundle.lead_department),
            days=guide.promised_days,
            n=len(guide.departments),
        )
    )
    _print_situation(guide)
    _print_items(catalog, guide)
    _print_checklist(catalog, guide)
    _print_form(guide)
    _print_stages(catalog, guide)


def _print_situation(guide: Guide) -> None:
    bundle = guide.offering.bundle
    if bundle.questions:
        _section(tr("情形", "Situation"))
        for question in bundle.questions:
            chosen = question.option(guide.answers.get(question.id, question.default))
            answer = pick(chosen, "label") if chosen else "?"
            _out(f"  {pick(question, 'text')} {answer}  [{question.id}={chosen.value if chosen else ''}]")
    if guide.optional:
        _section(tr("可选事项", "Optional items"))
        for item, selected in guide.optional:
            mark = "[x]" if selected else "[ ]"
            _out(f"  {mark} {_pad(item.id, 30)} {pick(item)}")


def _print_items(catalog: Catalog, guide: Guide) -> None:
    classes = {1: tr("一类直接办", "class 1 direct"), 2: tr("二类融通办", "class 2 processed"), 3: tr("三类登记办", "class 3 registered")}
    _section(tr("事项（{n}）", "Items ({n})", n=len(guide.items)))
    rows = []
    for item in guide.items:
        promised = tr("即办", "on the spot") if item.promised_days == 0 else tr("承诺 {d} 日", "{d} day(s)", d=item.promised_days)
        handling = classes.get(item.handling_class, str(item.handling_class))
        rows.append([item.id, pick(item), _department_short(catalog, item.department), handling, promised])
    _print_table(rows)


def _print_checklist(catalog: Catalog, guide: Guide) -> None:
    checklist = guide.checklist
    _section(
        tr(
            "材料清单（{n} 项，逐项办需 {before} 份，少交 {saved} 份；{shared} 项可数据共享核验）",
            "Materials ({n}; item by item {before}, {saved} fewer; {shared} verified by data sharing)",
            n=len(checklist.lines),
            before=checklist.requirements,
            saved=checklist.saved,
            shared=checklist.shareable_count,
        )
    )
    rows = []
    for line in checklist.lines:
        how = [tr("免提交·共享核验", "shared, not collected")] if line.material.shareable else []
        if line.original_required:
            how.append(tr("需原件", "original"))
        if line.material.key:
            how.append(tr("关键材料", "key"))
        receivers = tr("、", ", ").join(_department_short(catalog, d) for d in line.departments)
        rows.append([line.material.id, pick(line.material), " ".join(how), "→ " + receivers])
    _print_table(rows)


def _print_form(guide: Guide) -> None:
    form = guide.form
    _section(
        tr(
            "一表申请（{n} 项，少填 {saved} 项）",
            "Unified form ({n} fields, {saved} fewer to type)",
            n=len(form.lines),
            saved=form.saved,
        )
    )
    _print_table(
        [
            ["*" if line.required else " ", line.field.id, f"[{line.field.group}]" if line.field.group else "", pick(line.field, "label")]
            for line in form.lines
        ]
    )


def _print_stages(catalog: Catalog, guide: Guide) -> None:
    _section(tr("办理阶段（并联审批）", "Stages (parallel dispatch)"))
    for stage in guide.plan.stages:
        items = tr("、", "; ").join(
            tr("{i}（{d}）", "{i} ({d})", i=pick(item), d=_department_short(catalog, item.department)) for item in stage.items
        )
        _out(tr("  第 {n} 阶段（{d} 日）：{items}", "  Stage {n} ({d} day(s)): {items}", n=stage.number, d=stage.promised_days, items=items))
    for prerequisite, needers in guide.plan.external_prerequisites.items():
        name = pick(catalog.items[prerequisite]) if prerequisite in catalog.items else prerequisite
        _out(
            tr(
                "  外部前置：{p}（申请人须已取得，{by} 需要）",
                "  External prerequisite: {p} (the applicant must hold it; needed by {by})",
                p=name,
                by=tr("、", ", ").join(needers),
            )
        )


# -- accept, applications, receipt -------------------------------------------------------------------


def cmd_accept(args: argparse.Namespace) -> int:
    """Accept an application file exactly as the screens would; print the receipt number."""
    from window_app.intake.io import parse_intake

    settings = settings_from(args)
    data = _read_json(args.file)
    intake, problems = parse_intake(data)
    if problems or intake is None:
        raise _problems_error(problems)
    with opened_window(settings) as window:
        offering = offering_here(window, intake.offering)
        accepted = _accept(window, intake)
        _err(
            tr(
                "已受理：{name}，受理编号 {no}。",
                "Accepted: {name}, receipt number {no}.",
                name=pick(offering.bundle),
                no=accepted.receipt_no,
            )
        )
        _out(accepted.receipt_no)
        if args.print_receipt:
            _out("")
            _out(window.receipt_text(accepted.receipt_no))
    return EXIT_OK


def _accept(window: Window, intake: Any) -> Any:
    from window_app.window import IntakeInvalid

    try:
        return window.accept(intake)
    except IntakeInvalid as exc:
        raise _problems_error(exc.problems) from None


def _problems_error(problems: Sequence[Any]) -> InvalidInput:
    return InvalidInput(
        tr("申请有 {n} 个问题，未受理，未写入任何内容：", "{n} problem(s); not accepted, nothing was written:", n=len(problems)),
        [f"{problem.path}: {tr(problem.message, problem.message_en or problem.message)}" for problem in problems],
    )


def _read_json(name: str) -> Any:
    """The parsed JSON of a file (``-``: stdin), or :class:`InvalidInput` saying why not."""
    import json

    label = tr("标准输入", "stdin") if name == "-" else name
    try:
        text = sys.stdin.read() if name == "-" else Path(name).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(tr("{f}：文件不存在", "{f}: no such file", f=label)) from None
    except UnicodeDecodeError:
        raise InvalidInput(tr("{f}：不是 UTF-8 文本", "{f}: not UTF-8 text", f=label)) from None
    except OSError as exc:
        raise InvalidInput(tr("{f}：无法读取：{r}", "{f}: cannot read: {r}", f=label, r=exc.strerror)) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            tr(
                "{f}：不是有效的 JSON（第 {l} 行第 {c} 列：{m}）",
                "{f}: not valid JSON (line {l}, column {c}: {m})",
                f=label,
                l=exc.lineno,
                c=exc.colno,
                m=exc.msg,
            )
        ) from None


def cmd_applications(args: argparse.Namespace) -> int:
    """Accepted applications, newest first, with each department's part."""
    settings = settings_from(args)
    with opened_window(settings) as window:
        summaries = window.applications(query=args.query, limit=args.limit)
        if args.json:
            _out_json([application_row(summary) for summary in summaries])
        else:
            _print_applications(window.catalog, summaries)
    return EXIT_OK


def application_row(summary: Any) -> dict[str, Any]:
    """One application summary as a JSON-able object."""
    row = _jsonable(summary)
    row["parts"] = [_jsonable(part) for part in summary.parts]
    return row


def _print_applications(catalog: Catalog, summaries: Sequence[Any]) -> None:
    if not summaries:
        _out(tr("没有办件。", "No applications."))
        return
    for summary in summaries:
        name = summary.offering_name_en if _english() and summary.offering_name_en else summary.offering_name
        state = _label(APPLICATION_STATE_LABELS, summary.state)
        _out(f"{summary.receipt_no}  {name}  {summary.applicant_name}  {state}  {_when(summary.accepted_at)}")
        _print_table(
            [
                [
                    "  ",
                    _department_name(catalog, part.department),
                    tr("第 {n} 环节", "stage {n}", n=part.stage),
                    _label(PART_STATE_LABELS, part.state),
                ]
                for part in summary.parts
            ]
        )


def cmd_receipt(args: argparse.Namespace) -> int:
    """The printable receipt of an accepted application."""
    settings = settings_from(args)
    with opened_window(settings) as window:
        try:
            text = window.receipt_text(args.receipt_no)
        except KeyError:
            raise InvalidInput(
                tr("没有受理编号为“{no}”的办件。", "No application has the receipt number “{no}”.", no=args.receipt_no)
            ) from None
        _out(text)
    return EXIT_OK


# -- small helpers -------------------------------------------------------------------------------


def _known_region(catalog: Catalog, code: str) -> str:
    if code in catalog.regions:
        return code
    raise InvalidInput(
        tr("目录中没有地区代码“{c}”。已知地区：", "The catalog knows no region “{c}”. Known regions:", c=code),
        [f"{region.code}  {pick(region)}" for region in catalog.regions.values()],
    )


def _department_short(catalog: Catalog, department_id: str) -> str:
    """A department for narrow columns: its short name (市场监管), in English its id."""
    department = catalog.departments.get(department_id)
    if department is None or _english():
        return department_id
    return department.short_name or department.name


def _department_name(catalog: Catalog, department_id: str) -> str:
    department = catalog.departments.get(department_id)
    if department is None:
        return department_id
    if _english():
        return department.name_en or department.name
    return department.short_name or department.name


def _english() -> bool:
    return tr("zh", "en") == "en"


def _section(title: str) -> None:
    _out("")
    _out(title)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal cells (CJK characters take two)."""
    return text + " " * max(0, width - _width(text))


def _when(value: Any) -> str:
    """A stored timestamp (ISO text or datetime) as local ``YYYY-MM-DD HH:MM``."""
    moment = value
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(moment, dt.datetime):
        return moment.astimezone().strftime("%Y-%m-%d %H:%M")
    return str(value)


def _label(labels: dict[str, tuple[str, str]], state: str) -> str:
    """A state code in words, in the current language (the code itself when unknown)."""
    known = labels.get(state)
    return tr(*known) if known else state


def _print_table(rows: list[list[str]]) -> None:
    """Rows indented by two spaces, each column padded to its widest cell (CJK-aware)."""
    if not rows:
        return
    widths = [max(_width(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [_pad(cell, width) for cell, width in zip(row[:-1], widths)] + [row[-1]]
        _out(("  " + "  ".join(cells)).rstrip())


def _jsonable(obj: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict (nested dataclasses too)."""
    return dataclasses.asdict(obj) if dataclasses.is_dataclass(obj) else dict(vars(obj))


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    return str(value)


def _out_json(value: Any) -> None:
    import json

    _out(json.dumps(value, ensure_ascii=False, indent=2, default=_json_default))


def _out(text: str) -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _tolerate_narrow_encodings() -> None:
    """On a console that cannot show Chinese, print escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf16", "utf32", "gb18030") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="backslashreplace")
