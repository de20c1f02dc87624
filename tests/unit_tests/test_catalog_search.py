"""What a window offers, how a clerk finds it (hanzi, pinyin, initials, keywords), and the key cache."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from offline_cache.catalog_cache import read_search_keys
from offline_cache.db import open_database
from window_app.catalog.cache import cached_search_keys
from window_app.catalog.loader import load_catalog, shipped_catalog_path
from window_app.catalog.search import (
    OfferingIndex,
    SearchKeys,
    compute_search_keys,
    group_of,
    offerings_for_region,
)
from window_app.domain.catalog import Catalog, Item
from window_app.domain.words import Words

SMALL = Path(__file__).parent / "catalogs" / "small"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(SMALL)


@pytest.fixture(scope="module")
def keys(catalog: Catalog) -> dict[str, SearchKeys]:
    return compute_search_keys(catalog)


@pytest.fixture(scope="module")
def zhenfeng(catalog: Catalog, keys: dict[str, SearchKeys]) -> OfferingIndex:
    """The index of a window in 贞丰县 (522325)."""
    return OfferingIndex(offerings_for_region(catalog, "522325"), keys)


def ids(offerings) -> list[str]:
    return [offering.id for offering in offerings]


# -- what a region offers ------------------------------------------------------------------


def test_display_order_hot_local_personal_enterprise_then_items_by_department(catalog: Catalog) -> None:
    offered = offerings_for_region(catalog, "522325")
    assert ids(offered) == [
        "enterprise_opening",  # hot (second in its file)
        "sole_trader_opening",  # local
        "newborn",  # personal
        "enterprise_deregistration",  # enterprise
        "food_business_licence",  # market_regulation comes first in departments.toml …
        "id_card_renewal",  # … public_security later, though its file sorts first
    ]
    assert [group_of(o) for o in offered] == ["hot", "local", "personal", "enterprise", "item", "item"]
    assert [o.kind for o in offered] == ["bundle"] * 4 + ["item"] * 2


def test_a_standalone_item_is_offered_as_a_one_item_bundle(catalog: Catalog) -> None:
    food = offerings_for_region(catalog, "522325")[4]
    assert food.kind == "item"
    assert food.bundle.mandatory == ("food_business_licence",)
    assert food.bundle.lead_department == "market_regulation"
    assert food.bundle.applicant_kind == "enterprise"


def test_exact_regions_do_not_reach_the_counties_below(catalog: Catalog) -> None:
    # 企业开办 is listed for 黔西南州 itself and two of its counties, not for 兴义市.
    assert "enterprise_opening" in ids(offerings_for_region(catalog, "522300"))
    assert "enterprise_opening" in ids(offerings_for_region(catalog, "522323"))
    assert "enterprise_opening" not in ids(offerings_for_region(catalog, "522301"))
    assert "enterprise_opening" in ids(offerings_for_region(catalog, "520900"))  # 贵安新区


def test_regions_under_reaches_every_descendant(catalog: Catalog) -> None:
    nanming = ids(offerings_for_region(catalog, "520102"))
    assert nanming == ["newborn", "enterprise_deregistration", "id_card_renewal", "housing_fund_withdrawal"]
    assert "food_business_licence" in ids(offerings_for_region(catalog, "522301"))  # under 522300
    assert "food_business_licence" not in nanming


def test_unknown_region_offers_nothing(catalog: Catalog) -> None:
    assert offerings_for_region(catalog, "110000") == []


# -- search keys ---------------------------------------------------------------------------


def test_keys_for_every_bundle_and_standalone_item_only(catalog: Catalog, keys: dict[str, SearchKeys]) -> None:
    standalone = {item.id for item in catalog.items.values() if item.standalone}
    assert set(keys) == set(catalog.bundles) | standalone
    assert "seal_engraving" not in keys  # only ever part of a bundle


def test_full_pinyin_and_initials(keys: dict[str, SearchKeys]) -> None:
    assert keys["enterprise_opening"] == SearchKeys(
        hanzi="企业开办",
        pinyin="qiyekaiban",
        initials="qykb",
        keywords=("营业执照", "开公司", "yingyezhizhao", "yyzz", "kaigongsi", "kgs"),
    )
    assert keys["housing_fund_withdrawal"].pinyin == "zhufanggongjijintiqu"
    assert keys["housing_fund_withdrawal"].initials == "zfgjjtq"


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("银行开户", "yinhangkaihu", "yhkh"),  # 行 hang, not xing
        ("重新申领居民身份证", "chongxinshenlingjuminshenfenzheng", "cxsljmsfz"),  # 重 chong
        ("长顺县社保卡申领", "changshunxianshebaokashenling", "csxsbksl"),  # 长顺 chang (override)
        ("县长信箱", "xianzhangxinxiang", "xzxx"),  # 长 zhang
        ("都匀市公积金贷款还款", "duyunshigongjijindaikuanhuankuan", "dysgjjdkhk"),  # overrides
        ("重大项目联合踏勘", "zhongdaxiangmulianhetakan", "zdxmlhtk"),  # 重 zhong
        ("ETC卡办理", "etckabanli", "etckbl"),  # latin runs stay whole
        ("新生儿出生“一件事”", "xinshengerchushengyijianshi", "xsecsyjs"),  # punctuation dropped
    ],
)
def test_polyphones_of_this_domain(name: str, pinyin: str, initials: str) -> None:
    catalog = Catalog(
        version="1",
        name="t",
        regions={},
        departments={},
        materials={},
        fields={},
        items={"x": Item("x", Words(name, "X"), "d", 1, 1, 1, standalone=True)},
        bundles={},
    )
    found = compute_search_keys(catalog)["x"]
    assert (found.pinyin, found.initials) == (pinyin, initials)


def test_each_name_is_spelled_as_pypinyin_spells_the_whole_text() -> None:
    """compute_search_keys converts each distinct word once; every name of the shipped catalog
    (and a synthetic one's mix of service words) must still read as lazy_pinyin reads the text."""
    import pypinyin

    from window_app.catalog.search import PHRASE_OVERRIDES

    shipped = load_catalog(shipped_catalog_path())
    names = [b.name.zh for b in shipped.bundles.values()] + [i.name.zh for i in shipped.items.values()]
    names += ["食品经营许可证核发（延续）", "住房公积金暂停与恢复（容缺受理）", "重庆银行ETC卡3C办理", "长顺县都匀市还款"]
    catalog = dataclasses.replace(
        shipped,
        items={f"n{i}": Item(f"n{i}", Words(name, "N"), "d", 1, 1, 1, standalone=True) for i, name in enumerate(names)},
        bundles={},
    )
    keys = compute_search_keys(catalog)
    pypinyin.load_phrases_dict(PHRASE_OVERRIDES)
    for i, name in enumerate(names):
        tokens = pypinyin.lazy_pinyin(name, style=pypinyin.Style.NORMAL, errors=lambda run: "\x00" + run)
        words = [(t, "".join(c for c in t.lower() if c.isascii() and c.isalnum())) for t in tokens]
        words = [(t, w) for t, w in words if w]
        expected = ("".join(w for _t, w in words), "".join(w if t.startswith("\x00") else w[0] for t, w in words))
        assert (keys[f"n{i}"].pinyin, keys[f"n{i}"].initials) == expected, name


# -- search ----------------------------------------------------------------------------------


def test_empty_query_lists_everything_in_display_order(zhenfeng: OfferingIndex) -> None:
    assert ids(zhenfeng.search("")) == ids(zhenfeng.offerings)
    assert ids(zhenfeng.search("   ")) == ids(zhenfeng.offerings)


@pytest.mark.parametrize(
    "query",
    ["qykb", "QYKB", "qiye", "qiyekaiban", "qiye kaiban", "qi'ye'kai'ban", "开办", "企业开办", "营业执照", "yyzz", "enterprise_opening"],
)
def test_a_clerk_finds_enterprise_opening_first(zhenfeng: OfferingIndex, query: str) -> None:
    assert ids(zhenfeng.search(query))[0] == "enterprise_opening"


def test_exact_beats_prefix_beats_substring(zhenfeng: OfferingIndex) -> None:
    # "qy": initials prefix of 企业开办 (qykb) and 企业注销 (qyzx): display order among equals.
    assert ids(zhenfeng.search("qy"))[:2] == ["enterprise_opening", "enterprise_deregistration"]
    # "qyzx" is exact for 企业注销 and matches nothing else.
    assert ids(zhenfeng.search("qyzx")) == ["enterprise_deregistration"]
    # "企业": a prefix of both enterprise names; 个体户开业 does not contain it.
    assert ids(zhenfeng.search("企业")) == ["enterprise_opening", "enterprise_deregistration"]
    # "开业" is a substring of 个体户开业 only.
    assert ids(zhenfeng.search("开业")) == ["sole_trader_opening"]


def test_name_hits_rank_above_keyword_hits(catalog: Catalog, keys: dict[str, SearchKeys]) -> None:
    offered = offerings_for_region(catalog, "522325")
    # 企业开办 is shown first and gets the keyword 开业 (an exact keyword hit); 个体户开业 only
    # contains 开业 in its name (a substring name hit), and still ranks above it.
    opening = keys["enterprise_opening"]
    with_keyword = dict(keys, enterprise_opening=SearchKeys(opening.hanzi, opening.pinyin, opening.initials, ("开业",)))
    index = OfferingIndex(offered, with_keyword)
    assert ids(index.search("开业")) == ["sole_trader_opening", "enterprise_opening"]
    assert ids(index.search("kaiye")) == ["sole_trader_opening"]  # keyword pinyin is not derived here


def test_keywords_are_found_by_hanzi_pinyin_and_initials(zhenfeng: OfferingIndex) -> None:
    assert ids(zhenfeng.search("个体工商户")) == ["sole_trader_opening"]
    assert ids(zhenfeng.search("getigongshanghu")) == ["sole_trader_opening"]
    assert ids(zhenfeng.search("gtgsh")) == ["sole_trader_opening"]
    assert ids(zhenfeng.search("落户")) == ["newborn"]


def test_search_only_returns_what_this_window_offers(zhenfeng: OfferingIndex) -> None:
    assert zhenfeng.search("公积金") == []  # 住房公积金提取 is offered in 南明区 only
    assert zhenfeng.search("zzzz") == []


def test_get_by_id_and_keyerror_when_not_offered_here(zhenfeng: OfferingIndex) -> None:
    assert zhenfeng.get("newborn").bundle.name.zh == "新生儿出生一件事"
    assert zhenfeng.get("food_business_licence").kind == "item"
    with pytest.raises(KeyError, match="housing_fund_withdrawal"):
        zhenfeng.get("housing_fund_withdrawal")
    with pytest.raises(KeyError):
        zhenfeng.get("no_such_thing")


def test_offerings_without_keys_are_found_by_name_and_id(catalog: Catalog) -> None:
    index = OfferingIndex(offerings_for_region(catalog, "522325"), {})
    assert ids(index.search("开办")) == ["enterprise_opening"]
    assert ids(index.search("newborn")) == ["newborn"]
    assert index.search("qykb") == []


# -- English names and synonyms (the shipped catalog) --------------------------------------


@pytest.fixture(scope="module")
def shipped() -> tuple[Catalog, dict[str, SearchKeys]]:
    catalog = load_catalog(shipped_catalog_path())
    return catalog, compute_search_keys(catalog)


def shipped_index(shipped, region: str) -> OfferingIndex:
    catalog, keys = shipped
    return OfferingIndex(offerings_for_region(catalog, region), keys)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("birth", "newborn"),  # Birth of a child
        ("Starting", "business_startup"),  # Starting a business
        ("starting a business", "business_startup"),
        ("STARTING A", "business_startup"),
        ("retirement", "retirement"),
        ("property transfer", "house_transfer"),  # an English synonym
        ("newborn", "newborn"),
        ("invoice", "business_startup"),  # an English keyword
    ],
)
def test_english_names_synonyms_and_keywords_are_found(shipped, query: str, first: str) -> None:
    assert ids(shipped_index(shipped, "522325").search(query))[0] == first


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("房产过户", "house_transfer"),  # 二手房转移登记 …: a synonym, not in its name
        ("fangchanguohu", "house_transfer"),  # … by its pinyin
        ("fcgh", "house_transfer"),  # … and initials
        ("过户", "house_transfer"),
        ("生孩子", "newborn"),
        ("新生儿", "newborn"),
        ("开公司", "business_startup"),
        ("办营业执照", "business_startup"),
        ("注销公司", "enterprise_deregistration"),
        ("退伍", "veteran_resettlement"),
    ],
)
def test_chinese_synonyms_declared_in_the_catalog_are_found(shipped, query: str, first: str) -> None:
    assert ids(shipped_index(shipped, "522325").search(query))[0] == first


def test_every_offering_has_an_english_name_that_finds_it(shipped) -> None:
    catalog, _keys = shipped
    for region in catalog.regions:
        index = shipped_index(shipped, region)
        for offering in index.offerings:
            english = offering.bundle.name.en
            assert english and english != offering.bundle.name.zh, offering.id
            assert offering.id in ids(index.search(english)), (region, offering.id)


def test_a_synonym_ranks_like_the_name(catalog: Catalog, keys: dict[str, SearchKeys]) -> None:
    # 个体户开业 contains 开业 in its name (a substring hit); give 企业开办 the keyword 开业 and it
    # ranks after; give it the synonym 开业 and its exact hit ranks first.
    offered = offerings_for_region(catalog, "522325")
    opening = keys["enterprise_opening"]
    as_keyword = SearchKeys(opening.hanzi, opening.pinyin, opening.initials, keywords=("开业",))
    as_synonym = SearchKeys(opening.hanzi, opening.pinyin, opening.initials, keywords=(), synonyms=("开业",))
    assert ids(OfferingIndex(offered, dict(keys, enterprise_opening=as_keyword)).search("开业"))[0] == "sole_trader_opening"
    assert ids(OfferingIndex(offered, dict(keys, enterprise_opening=as_synonym)).search("开业"))[0] == "enterprise_opening"


def test_synonyms_get_pinyin_and_are_stored_with_the_keys(tmp_path: Path, catalog: Catalog) -> None:
    opening = catalog.bundles["enterprise_opening"]
    with_synonyms = dataclasses.replace(
        catalog,
        bundles=dict(catalog.bundles, enterprise_opening=dataclasses.replace(opening, synonyms=("开公司", "New Company"))),
        digest="with-synonyms",
    )
    computed = compute_search_keys(with_synonyms)["enterprise_opening"]
    assert computed.synonyms == ("开公司", "new company", "kaigongsi", "kgs")
    db = open_database(tmp_path / "window.db")
    try:
        assert cached_search_keys(db, with_synonyms)["enterprise_opening"] == computed
        assert read_search_keys(db, "with-synonyms")["enterprise_opening"].synonyms == computed.synonyms
    finally:
        db.close()


# -- the SQLite cache ----------------------------------------------------------------------


def test_cached_keys_equal_computed_ones_and_are_stored(tmp_path: Path, catalog: Catalog, keys) -> None:
    db = open_database(tmp_path / "window.db")
    assert cached_search_keys(db, catalog) == keys
    rows = list(db.utils["search_keys"].rows_where("offering_id = ?", ["enterprise_opening"]))
    assert rows == [
        {
            "digest": catalog.digest,
            "offering_id": "enterprise_opening",
            "hanzi": "企业开办",
            "pinyin": "qiyekaiban",
            "initials": "qykb",
            "keywords": json.dumps(list(keys["enterprise_opening"].keywords), ensure_ascii=False),
            "synonyms": "[]",
        }
    ]
    assert db.utils["search_keys"].pks == ["digest", "offering_id"]


def test_second_start_reads_keys_without_importing_pypinyin(tmp_path: Path) -> None:
    """Two processes, as two app starts: the second finds the keys and never loads pypinyin."""
    script = (
        "import json, sys\n"
        "from window_app.catalog.loader import load_catalog\n"
        "from window_app.catalog.cache import cached_search_keys\n"
        "from offline_cache.db import open_database\n"
        f"catalog = load_catalog({str(SMALL)!r})\n"
        f"keys = cached_search_keys(open_database({str(tmp_path / 'window.db')!r}), catalog)\n"
        "print(json.dumps({'pypinyin': 'pypinyin' in sys.modules,\n"
        "                  'keys': {k: [v.hanzi, v.pinyin, v.initials, list(v.keywords)] for k, v in sorted(keys.items())}}))\n"
    )

    def start() -> dict:
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
        return json.loads(result.stdout)

    first, second = start(), start()
    assert first["pypinyin"] is True
    assert second["pypinyin"] is False
    assert second["keys"] == first["keys"]
    assert second["keys"]["enterprise_opening"][2] == "qykb"


def test_a_changed_catalog_recomputes_and_drops_the_old_digest(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(SMALL, catalog_dir)
    db = open_database(tmp_path / "window.db")
    old = load_catalog(catalog_dir)
    cached_search_keys(db, old)

    path = catalog_dir / "bundles" / "enterprise.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('name = "企业注销"', 'name = "企业简易注销"'), encoding="utf-8")
    new = load_catalog(catalog_dir)
    assert new.digest != old.digest

    keys = cached_search_keys(db, new)
    assert keys["enterprise_deregistration"].initials == "qyjyzx"
    digests = {row["digest"] for row in db.utils["search_keys"].rows}
    assert digests == {new.digest}


def test_works_on_the_migrated_window_database(tmp_path: Path, catalog: Catalog, keys) -> None:
    """The window opens its database through offline_cache.db, whose migrations own the table."""
    db = open_database(tmp_path / "data" / "window.db")
    try:
        assert cached_search_keys(db, catalog) == keys
        assert cached_search_keys(db, catalog) == keys
        assert db.utils["search_keys"].count == len(keys)
    finally:
        db.close()


def test_keys_are_still_returned_when_they_cannot_be_stored(tmp_path: Path, catalog: Catalog, keys) -> None:
    """The table is a cache: a database that refuses writes slows the start, it does not stop it."""
    path = tmp_path / "window.db"
    open_database(path).close()
    read_only = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    assert cached_search_keys(read_only, catalog) == keys
    assert read_only["search_keys"].count == 0


# -- the shipped catalog -------------------------------------------------------------------


def test_pinyin_initials_find_enterprise_startup_in_the_shipped_catalog() -> None:
    """What a clerk types at 贞丰县: qykb → 企业开办 first (speed figures: bench/search.py)."""
    shipped = load_catalog(shipped_catalog_path())
    index = OfferingIndex(offerings_for_region(shipped, "522325"), compute_search_keys(shipped))
    assert index.search("qykb")[0].bundle.name.zh.startswith("企业开办")
    assert index.search("企业开办")[0].bundle.name.zh.startswith("企业开办")


# -- the index answers as a plain scan would -------------------------------------------------


def scanned(offerings, keys: dict[str, SearchKeys], query: str) -> list[str]:
    """The search spelled out: every offering, every text, best tier (the rules of OfferingIndex.search)."""
    typed = query.strip().lower()
    if not typed:
        return ids(offerings)
    compact = re.sub(r"[\s'’`\-·]+", "", typed)
    name_queries = [q for q in (compact, re.sub(r"\s+", "_", typed), typed) if q]
    keyword_queries = [q for q in (typed, compact) if q]

    def tier(queries, texts, exact):
        found = [exact if t == q else exact + 1 if t.startswith(q) else exact + 2 for t in texts for q in queries if q in t]
        return min(found, default=None)

    ranked = []
    for position, offering in enumerate(offerings):
        found = keys.get(offering.id)
        bundle = offering.bundle
        if found:
            names = [found.hanzi, found.pinyin, found.initials, offering.id.lower(), bundle.name.en.lower(), *found.synonyms]
            words = list(found.keywords)
        else:
            names = [bundle.name.zh.lower(), offering.id.lower(), bundle.name.en.lower(), *(s.lower() for s in bundle.synonyms)]
            words = [k.lower() for k in bundle.keywords]
        best = tier(name_queries, names, 0)
        if best is None:
            best = tier(keyword_queries, words, 3)
        if best is not None:
            ranked.append((best, position, offering.id))
    return [offering_id for _tier, _position, offering_id in sorted(ranked)]


def test_typing_and_erasing_finds_what_a_scan_finds(shipped) -> None:
    """Key by key, with Backspace and fresh starts, on one index (it narrows earlier hits)."""
    catalog, keys = shipped
    offered = offerings_for_region(catalog, "522325")
    index = OfferingIndex(offered, keys)
    rng = random.Random(10)
    texts = [t for k in keys.values() for t in (k.hanzi, k.pinyin, k.initials, *k.keywords, *k.synonyms)]
    texts += [o.bundle.name.en.lower() for o in offered] + ["qiye kaiban", "qi'ye", "x", "'", "a b", "开办 qykb"]
    for _ in range(150):
        word = rng.choice(texts)
        start = rng.randrange(len(word))
        target = word[start : start + rng.randint(1, 8)]
        typed = ""
        for char in target + "\b" * rng.randint(0, 3) + rng.choice(["", "x", "s", " k"]):
            typed = typed[:-1] if char == "\b" else typed + char
            assert ids(index.search(typed)) == scanned(offered, keys, typed), typed
        index.search("")
