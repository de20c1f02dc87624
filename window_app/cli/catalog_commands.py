"""``window-app catalog validate | list | coverage``: the catalog, without opening the database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from window_app.catalog.authority import sign_catalog
from window_app.catalog.loader import load_catalog, validate_catalog_dir
from window_app.catalog.search import group_of, offerings_for_region
from window_app.cli.context import load_window_catalog, settings_from
from window_app.cli.errors import EXIT_INVALID, EXIT_OK, InvalidInput
from window_app.cli.output import department_short, out, out_json, pad, width
from window_app.cli.parser import add_command
from window_app.domain.catalog import RegionLevel, bilingual_keys, item_as_bundle
from window_app.domain.words import Words, counted, tr
from window_app.trust.key_files import read_signing_key

if TYPE_CHECKING:
    from window_app.domain.catalog import Bundle, Catalog, Offering

LEVELS = get_args(RegionLevel)
GROUP_ORDER = ("hot", "local", "personal", "enterprise", "item")


def register(commands: Any) -> None:
    catalog = add_command(commands, "catalog", Words("事项目录：校验、列表、覆盖情况", "the catalog: validate, list, coverage"))
    actions = catalog.add_subparsers(title=tr("目录子命令", "catalog commands"), metavar="ACTION", required=True)

    validate = add_command(actions, "validate", Words("校验目录，逐条列出问题", "validate a catalog directory, listing every problem"))
    validate.add_argument("path", metavar="PATH", help=tr("目录所在文件夹", "catalog directory"))
    validate.set_defaults(func=cmd_catalog_validate)

    listing = add_command(actions, "list", Words("某地区可办的套餐和单项事项", "what a region offers"))
    listing.add_argument("--region", metavar="CODE", help=tr("行政区划代码（默认本窗口）", "region code (default: this window's)"))
    listing.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    listing.set_defaults(func=cmd_catalog_list)

    coverage = add_command(actions, "coverage", Words("套餐在省、市、县三级的覆盖情况", "three-level coverage of bundles"))
    coverage.add_argument("bundle_id", metavar="BUNDLE_ID", nargs="?", help=tr("套餐编号（默认全部）", "bundle id (default: all)"))
    coverage.add_argument("--json", action="store_true", help=tr("输出 JSON", "print JSON"))
    coverage.set_defaults(func=cmd_catalog_coverage)

    signing = add_command(
        actions, "sign",
        Words("目录签发机构签署目录（写入 .signature.json）", "sign a catalog as its catalog authority (writes .signature.json)"),
    )
    signing.add_argument("path", metavar="PATH", help=tr("目录所在文件夹", "catalog directory"))
    signing.add_argument("--key", metavar="FILE", required=True, help=tr("签发机构的私钥文件（0600）", "the authority's private key file (0600)"))
    signing.set_defaults(func=cmd_catalog_sign)


# -- sign ------------------------------------------------------------------------------------------


def cmd_catalog_sign(args: argparse.Namespace) -> int:
    """Validate, then sign: an authority never vouches for a catalog that does not load."""
    settings_from(args)
    path = Path(args.path).expanduser()
    problems = validate_catalog_dir(path)
    if problems:
        raise InvalidInput(Words("目录有 {n} 个问题，未签署（先运行 catalog validate）", "the catalog has {problems}; not signed (run catalog validate)").format(n=len(problems), problems=counted(len(problems), "problem")))
    catalog = load_catalog(path)
    key = read_signing_key(Path(args.key).expanduser())
    signed = sign_catalog(path, catalog.name, catalog.version, catalog.digest, key)
    out(tr("已签署目录 {n} 版本 {v}（摘要 {d}…，密钥 {k}）", "Signed catalog {n} version {v} (digest {d}…, key {k})",
           n=catalog.name, v=catalog.version, d=catalog.digest[:12], k=signed["signature"]["key_id"]))
    return EXIT_OK


# -- validate ------------------------------------------------------------------------------------


def cmd_catalog_validate(args: argparse.Namespace) -> int:
    """Every problem as ``FILE: ENTRY: reason``, a count; or a one-line summary when clean."""

    settings_from(args)  # only for the language (and to report a broken config)
    path = Path(args.path).expanduser()
    problems = validate_catalog_dir(path)
    if problems:
        for problem in problems:
            out(str(problem))
        out(tr("共 {n} 个问题。", "{problems}.", n=len(problems), problems=counted(len(problems), "problem")))
        return EXIT_INVALID
    catalog = load_catalog(path)
    out(
        tr(
            "目录有效：{b} 个套餐、{i} 个事项、{d} 个部门、{r} 个地区，版本 {v}。",
            "Catalog is valid: {bundles}, {items}, {departments}, {regions}, version {v}.",
            bundles=counted(len(catalog.bundles), "bundle"),
            items=counted(len(catalog.items), "item"),
            departments=counted(len(catalog.departments), "department"),
            regions=counted(len(catalog.regions), "region"),
            b=len(catalog.bundles),
            i=len(catalog.items),
            d=len(catalog.departments),
            r=len(catalog.regions),
            v=catalog.version,
        )
    )
    return EXIT_OK


# -- list ----------------------------------------------------------------------------------------


def cmd_catalog_list(args: argparse.Namespace) -> int:
    """What a region offers, grouped (热点/本地/个人/企业/单项事项) or as JSON."""

    settings = settings_from(args)
    catalog = load_window_catalog(settings)
    region = _known_region(catalog, args.region or settings.window.region)
    rows = [offering_row(catalog, offering, group_of(offering)) for offering in offerings_for_region(catalog, region)]
    if args.json:
        out_json(rows)
    else:
        _print_offerings(catalog, region, rows)
    return EXIT_OK


def offering_row(catalog: Catalog, offering: Offering, group: str) -> dict[str, Any]:
    """One offering as a JSON-able row (what ``catalog list --json`` prints)."""
    bundle = offering.bundle
    item_ids = list(bundle.mandatory) + list(bundle.optional)
    return {
        "id": offering.id,
        **bilingual_keys("name", bundle.name),
        "kind": offering.kind,
        "group": _group_key(group),
        "theme": bundle.theme,
        "hot": bundle.hot,
        "local": bundle.local,
        "departments": list(dict.fromkeys(catalog.items[i].department for i in item_ids if i in catalog.items)),
        "items": item_ids,
        "lead_department": bundle.lead_department,
    }


def _name_of(row: dict[str, Any]) -> Words:
    """The name of a JSON row (written with :func:`bilingual_keys`)."""
    return Words(row["name"], row["name_en"])


def _known_region(catalog: Catalog, code: str) -> str:
    if code in catalog.regions:
        return code
    raise InvalidInput(
        Words("目录中没有地区代码“{c}”。已知地区：", "The catalog knows no region “{c}”. Known regions:").format(c=code),
        [f"{region.code}  {region.name}" for region in catalog.regions.values()],
    )


def _group_key(group: Any) -> str:
    """``group_of``'s answer as a stable key (``hot``, ``local``, ``personal``, ``enterprise``, ``item``)."""
    value = getattr(group, "value", group)
    labels = {"热点": "hot", "本地": "local", "个人": "personal", "企业": "enterprise", "单项事项": "item"}
    return labels.get(str(value), str(value))


_GROUP_LABELS = {
    "hot": Words("热点", "Hot"),
    "local": Words("本地", "Local"),
    "personal": Words("个人", "Personal"),
    "enterprise": Words("企业", "Enterprise"),
    "item": Words("单项事项", "Single items"),
}


def _group_label(key: str) -> str:
    return str(_GROUP_LABELS.get(key, Words(key, key)))


def _print_offerings(catalog: Catalog, region: str, rows: list[dict[str, Any]]) -> None:
    bundles = sum(1 for row in rows if row["kind"] == "bundle")
    out(
        tr(
            "{place}（{code}）可办 {b} 个套餐、{i} 个单项事项",
            "{place} ({code}) offers {bundles} and {items}",
            bundles=counted(bundles, "bundle"),
            items=counted(len(rows) - bundles, "single item"),
            place=catalog.regions[region].name,
            code=region,
            b=bundles,
            i=len(rows) - bundles,
        )
    )
    order = {key: index for index, key in enumerate(GROUP_ORDER)}
    groups = sorted(dict.fromkeys(row["group"] for row in rows), key=lambda key: order.get(key, len(order)))
    names = {row["id"]: str(_name_of(row)) for row in rows}
    id_width = max((width(row["id"]) for row in rows), default=0)
    name_width = max((width(name) for name in names.values()), default=0)
    for group in groups:
        out("")
        out(_group_label(group))
        for row in (row for row in rows if row["group"] == group):
            departments = tr("、", ", ").join(department_short(catalog, d) for d in row["departments"])
            out(f"  {pad(row['id'], id_width)}  {pad(names[row['id']], name_width)}  {departments}")


# -- coverage ------------------------------------------------------------------------------------


def cmd_catalog_coverage(args: argparse.Namespace) -> int:
    """At which province / city / county regions a bundle (or every bundle) is offered."""
    settings = settings_from(args)
    catalog = load_window_catalog(settings)
    bundles = _coverage_subjects(catalog, args.bundle_id)
    report = [coverage_of(catalog, bundle) for bundle in bundles]
    if args.json:
        out_json(report)
        return EXIT_OK
    for index, entry in enumerate(report):
        if index:
            out("")
        _print_coverage(entry)
    return EXIT_OK


def _coverage_subjects(catalog: Catalog, wanted: str | None) -> list[Bundle]:

    if wanted is None:
        return list(catalog.bundles.values())
    if wanted in catalog.bundles:
        return [catalog.bundles[wanted]]
    if wanted in catalog.items and catalog.items[wanted].standalone:
        return [item_as_bundle(catalog.items[wanted])]
    raise InvalidInput(
        Words("没有编号为“{id}”的套餐。可选：", "No bundle has the id “{id}”. Known bundles:").format(id=wanted),
        [f"{bundle.id}  {bundle.name}" for bundle in catalog.bundles.values()],
    )


def coverage_of(catalog: Catalog, bundle: Bundle) -> dict[str, Any]:
    """The regions of each level where ``bundle`` is offered, and how many regions that level has."""
    levels: dict[str, Any] = {}
    for level in LEVELS:
        regions = [region for region in catalog.regions.values() if region.level == level]
        offered = [region for region in regions if catalog.offered_in(bundle.regions, bundle.regions_under, region.code)]
        levels[level] = {
            "offered": [{"code": r.code, **bilingual_keys("name", r.name)} for r in offered],
            "total": len(regions),
        }
    return {"id": bundle.id, **bilingual_keys("name", bundle.name), "levels": levels}


def _print_coverage(entry: dict[str, Any]) -> None:
    out(f"{_name_of(entry)} ({entry['id']})")
    level_names = {"province": tr("省级", "province"), "city": tr("市级", "cities"), "county": tr("县级", "counties")}
    for level in LEVELS:
        data = entry["levels"][level]
        offered, total = data["offered"], data["total"]
        if not offered:
            where = tr("无", "none")
        elif len(offered) == total and total > 3:
            where = tr("全部", "all")
        else:
            where = tr("、", ", ").join(str(_name_of(r)) for r in offered)
        out(f"  {pad(level_names[level], 9)} ({len(offered)}/{total})  {where}")
