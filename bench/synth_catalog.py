"""A large synthetic catalog in the shipped format, for benches and the scale test.

    python bench/synth_catalog.py DEST [--offerings 10000] [--region 522325]

DEST becomes a catalog directory: the shipped catalog (its departments' offices per region
included, so every synthetic entry is served where it is offered) plus ``items/synthetic.toml`` and
``bundles/synthetic.toml``, so that ``--offerings`` bundles and standalone items in all are
offered at ``--region`` (bundles one in five). Every synthetic entry is a copy of a shipped
entry offered there, text for text (materials, fields, questions, rules, regions), under a new
id and a new name made of real service words (``食品经营许可证核发（延续）``), with their
English halves: the catalog loads, validates, searches and accepts like the shipped one, only
larger. The output depends only on the arguments.

The functional test ``test_pick_at_scale.py`` and the benches import :func:`write_catalog`.
"""

from __future__ import annotations

import argparse
import itertools
import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from window_app.catalog.loader import load_catalog, shipped_catalog_path  # noqa: E402
from window_app.catalog.search import offerings_for_region  # noqa: E402

SUBJECTS = [
    ("食品经营", "food business"), ("食品生产", "food production"), ("药品零售", "retail pharmacy"),
    ("医疗器械经营", "medical device trading"), ("道路运输", "road transport"), ("出租汽车", "taxi"),
    ("建筑施工", "construction"), ("建设工程规划", "construction planning"), ("城镇污水排入", "sewage discharge"),
    ("取水", "water abstraction"), ("林木采伐", "tree felling"), ("草原使用", "grassland use"),
    ("烟草零售", "tobacco retail"), ("酒类经营", "liquor trading"), ("娱乐场所", "entertainment venue"),
    ("网吧经营", "internet café"), ("旅馆业", "hotel"), ("公共场所卫生", "public place hygiene"),
    ("医疗机构执业", "medical practice"), ("护士执业", "nurse practice"), ("医师执业", "physician practice"),
    ("民办学校", "private school"), ("幼儿园办园", "kindergarten"), ("教师资格", "teacher qualification"),
    ("职业培训", "vocational training"), ("人力资源服务", "human resources service"), ("劳务派遣", "labour dispatch"),
    ("危险化学品经营", "hazardous chemicals trading"), ("烟花爆竹零售", "fireworks retail"),
    ("特种设备使用", "special equipment use"), ("消防设计", "fire protection design"),
    ("广告发布", "advertising"), ("出版物零售", "publication retail"), ("印刷经营", "printing"),
    ("电影放映", "film screening"), ("营业性演出", "commercial performance"), ("文物修缮", "heritage repair"),
    ("宗教活动场所", "religious venue"), ("社会团体", "social organisation"), ("民办非企业单位", "private non-profit"),
    ("养老机构", "elderly care institution"), ("殡葬服务", "funeral service"), ("婚姻登记", "marriage registration"),
    ("残疾人证", "disability certificate"), ("最低生活保障", "minimum living allowance"),
    ("临时救助", "temporary assistance"), ("住房公积金", "housing provident fund"), ("公租房", "public rental housing"),
    ("房屋租赁", "house lease"), ("物业服务", "property management"), ("燃气经营", "gas supply"),
    ("供水接入", "water connection"), ("用电报装", "electricity connection"), ("通信管线", "telecom ducts"),
    ("占道施工", "roadworks"), ("户外广告设置", "outdoor sign"), ("渔业捕捞", "fishing"),
    ("种子生产经营", "seed production"), ("农药经营", "pesticide trading"), ("兽药经营", "veterinary drug trading"),
    ("动物防疫条件", "animal epidemic prevention"), ("生猪定点屠宰", "pig slaughtering"),
    ("农机驾驶", "farm machinery driving"), ("机动车驾驶", "motor vehicle driving"), ("机动车登记", "vehicle registration"),
    ("户口迁移", "household transfer"), ("居住证", "residence permit"), ("出入境证件", "exit-entry document"),
    ("枪支持有", "firearm holding"), ("保安服务", "security service"), ("公章刻制", "seal engraving"),
    ("排污许可", "pollutant discharge"), ("环境影响评价", "environmental impact assessment"),
    ("水土保持方案", "soil and water conservation plan"), ("地质灾害评估", "geological hazard assessment"),
    ("测绘资质", "surveying qualification"), ("气象探测环境", "meteorological environment"),
    ("防雷装置", "lightning protection"), ("人防工程", "civil air defence works"), ("地名命名", "place naming"),
    ("统计登记", "statistics registration"), ("对外贸易经营者", "foreign trade operator"),
    ("报关单位", "customs declarant"), ("进出口商品", "import-export goods"), ("检验检测机构", "testing body"),
    ("计量器具", "measuring instruments"), ("商品条码", "barcode"), ("知识产权质押", "IP pledge"),
    ("个体工商户", "sole trader"), ("农民专业合作社", "farmers' cooperative"), ("外商投资企业", "foreign-invested company"),
    ("分支机构", "branch office"), ("股权出质", "equity pledge"), ("动产抵押", "chattel mortgage"),
    ("社会保险", "social insurance"), ("医疗保险", "medical insurance"), ("工伤认定", "work injury"),
    ("失业保险", "unemployment insurance"), ("生育津贴", "maternity allowance"), ("高龄津贴", "old-age allowance"),
]
ACTIONS = [
    ("许可证核发", "licence issue"), ("许可证变更", "licence change"), ("许可证延续", "licence renewal"),
    ("许可证注销", "licence cancellation"), ("许可证补办", "licence replacement"), ("备案", "filing"),
    ("备案变更", "filing change"), ("登记", "registration"), ("变更登记", "change registration"),
    ("注销登记", "deregistration"), ("资格认定", "qualification"), ("年度报告", "annual report"),
    ("信息查询", "records enquiry"), ("证明开具", "certificate"), ("审批", "approval"),
    ("验收", "acceptance inspection"), ("申报", "declaration"), ("补贴申领", "subsidy claim"),
    ("异地转移接续", "transfer between places"), ("暂停与恢复", "suspension and resumption"),
]
MODES = [
    ("", ""), ("（告知承诺制）", " (notify-and-commit)"), ("（跨省通办）", " (cross-province)"),
    ("（容缺受理）", " (accepted with gaps)"), ("（企业）", " (enterprise)"), ("（个人）", " (individual)"),
]
LIFE_EVENTS = [
    ("开办", "Opening"), ("扩建", "Expanding"), ("迁移", "Moving"), ("转让", "Transferring"),
    ("歇业", "Closing"), ("升级改造", "Upgrading"), ("联合审批", "Joint approval of"),
    ("年度检验", "Yearly inspection of"), ("信息变更", "Changing details of"), ("全周期办理", "Whole life of"),
]

_ID = re.compile(r'^id = "([^"]+)"$', re.MULTILINE)
_NAME = re.compile(r'^name = ".*"$', re.MULTILINE)
_NAME_EN = re.compile(r'^name_en = ".*"$', re.MULTILINE)
_KEYWORDS = re.compile(r'^keywords = \[.*?\]$', re.MULTILINE | re.DOTALL)
_SYNONYMS = re.compile(r'^synonyms = \[.*?\]$', re.MULTILINE | re.DOTALL)
_HOT = re.compile(r"^hot = true\n", re.MULTILINE)


def _names() -> Iterator[tuple[str, str, str, str]]:
    """(name, name_en, subject, action) for every item, none twice."""
    for (mode, mode_en), (action, action_en), (subject, subject_en) in itertools.product(MODES, ACTIONS, SUBJECTS):
        yield f"{subject}{action}{mode}", f"{subject_en.capitalize()} {action_en}{mode_en}", subject, action


def _bundle_names() -> Iterator[tuple[str, str, str]]:
    for round_no in itertools.count(1):  # product() would hold an endless count in memory
        for (event, event_en), (subject, subject_en) in itertools.product(LIFE_EVENTS, SUBJECTS):
            zh, en = ("", "") if round_no == 1 else (f"（{round_no}）", f" ({round_no})")
            yield f"{event}{subject}一件事{zh}", f"{event_en} {subject_en}{en}", subject


def _blocks(text: str, table: str) -> dict[str, str]:
    """Each top-level ``[[table]]`` entry of a TOML file, with its sub-tables, by id."""
    found: dict[str, str] = {}
    for chunk in text.split(f"\n[[{table}]]\n")[1:]:
        body = f"[[{table}]]\n" + chunk.split("\n# --")[0]
        found[_ID.search(body).group(1)] = body.rstrip() + "\n"
    return found


def _quoted(words: list[str]) -> str:
    return "[" + ", ".join(f'"{w}"' for w in words) + "]"


def _renamed(block: str, new_id: str, name: str, name_en: str, keywords: list[str]) -> str:
    block = _ID.sub(f'id = "{new_id}"', block, count=1)
    block = _NAME.sub(f'name = "{name}"', block, count=1)
    block = _NAME_EN.sub(f'name_en = "{name_en}"', block, count=1)
    block = _SYNONYMS.sub("", block, count=1)
    block = _HOT.sub("", block)  # the shipped hot bundles stay the only hot ones
    if _KEYWORDS.search(block):
        return _KEYWORDS.sub(f"keywords = {_quoted(keywords)}", block, count=1)
    return block.replace(f'name_en = "{name_en}"\n', f'name_en = "{name_en}"\nkeywords = {_quoted(keywords)}\n', 1)


def write_catalog(dest: str | Path, offerings: int = 10_000, region: str = "522325") -> Path:
    """Write a catalog with ``offerings`` offerings at ``region`` into ``dest`` (replaced).

    Returns:
        The catalog directory (``dest``).
    """
    source = shipped_catalog_path()
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    shipped = offerings_for_region(load_catalog(source), region)
    wanted = max(0, offerings - len(shipped))
    item_blocks: dict[str, str] = {}
    for path in sorted((source / "items").glob("*.toml")):
        item_blocks.update(_blocks(path.read_text(encoding="utf-8"), "item"))
    bundle_blocks: dict[str, str] = {}
    for path in sorted((source / "bundles").glob("*.toml")):
        bundle_blocks.update(_blocks(path.read_text(encoding="utf-8"), "bundle"))
    # An item whose materials depend on a bundle's question is valid only inside that bundle.
    item_templates = [o.bundle.id for o in shipped if o.kind == "item" and "question =" not in item_blocks[o.bundle.id]]
    bundle_templates = [o.bundle.id for o in shipped if o.kind == "bundle"]
    bundles = wanted // 5
    items = wanted - bundles
    item_text = ["# Synthetic standalone items (bench/synth_catalog.py): copies of shipped ones, renamed.\n"]
    for n, (template, (name, name_en, subject, action)) in enumerate(zip(itertools.cycle(item_templates), _names())):
        if n == items:
            break
        item_text.append(_renamed(item_blocks[template], f"synthetic_item_{n:05d}", name, name_en, [subject, action]))
    bundle_text = ["# Synthetic bundles (bench/synth_catalog.py): copies of shipped ones, renamed.\n"]
    for n, (template, (name, name_en, subject)) in enumerate(zip(itertools.cycle(bundle_templates), _bundle_names())):
        if n == bundles:
            break
        bundle_text.append(_renamed(bundle_blocks[template], f"synthetic_bundle_{n:05d}", name, name_en, [subject]))
    (dest / "items" / "synthetic.toml").write_text("\n".join(item_text), encoding="utf-8")
    (dest / "bundles" / "synthetic.toml").write_text("\n".join(bundle_text), encoding="utf-8")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--offerings", type=int, default=10_000)
    parser.add_argument("--region", default="522325")
    args = parser.parse_args(argv)
    path = write_catalog(args.dest, args.offerings, args.region)
    offered = offerings_for_region(load_catalog(path), args.region)
    print(f"{path}: {len(offered)} offerings at {args.region}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
