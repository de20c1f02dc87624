"""What a window offers, in display order, and the pick screen's search.

Clerks type hanzi, full pinyin (``qiyekaiban``, ``qiye kaiban``, ``qi'ye``), pinyin initials
(``qykb``), the English name (``starting``), a synonym the catalog declares (``房产过户``,
``newborn``) or a keyword (``营业执照``, ``invoice``). The pinyin is derived from the names,
synonyms and keywords once per catalog (:func:`compute_search_keys`, cached in SQLite by
:mod:`window_app.catalog.cache`); searching is plain string matching in memory.

This is the only module that uses pypinyin, and it imports it inside
:func:`compute_search_keys` because the import alone costs about half a second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from window_app.domain.catalog import Catalog, Offering, SearchKeys, item_as_bundle

Group = Literal["hot", "local", "personal", "enterprise", "item"]
GROUP_ORDER: tuple[Group, ...] = ("hot", "local", "personal", "enterprise", "item")

# Words pypinyin's phrase dictionary reads wrongly in this domain (Guizhou place names, loans).
PHRASE_OVERRIDES = {
    "都匀": [["dū"], ["yún"]],  # 都匀市, not dou
    "三都": [["sān"], ["dū"]],  # 三都水族自治县
    "长顺": [["cháng"], ["shùn"]],  # 长顺县, not zhang
    "还款": [["huán"], ["kuǎn"]],  # 公积金贷款还款, not hai
    "还贷": [["huán"], ["dài"]],
}

# What a clerk may type between syllables: spaces, apostrophes (xi'an), hyphens.
_SEPARATORS = re.compile(r"[\s'’`\-·]+")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_LATIN = "\x00"  # marks a run of non-hanzi text in pypinyin's output


def group_of(offering: Offering) -> Group:
    """The pick screen's group: 热点 ``hot``, 本地 ``local``, 个人 ``personal``, 企业 ``enterprise``, or a single ``item``."""
    if offering.kind == "item":
        return "item"
    bundle = offering.bundle
    if bundle.hot:
        return "hot"
    if bundle.local:
        return "local"
    return bundle.theme


def offerings_for_region(catalog: Catalog, region_code: str) -> list[Offering]:
    """Bundles and standalone items offered at a window in ``region_code``, in display order.

    Bundles come first (hot, then local, then personal, then enterprise), then single items
    grouped by department in the catalog's department order; within a group, catalog order.
    """
    chain = catalog.region_chain(region_code)  # once, not once per entry

    def offered(regions: tuple[str, ...], regions_under: tuple[str, ...]) -> bool:
        # Catalog.offered_in, with the chain computed above.
        return region_code in regions or any(ancestor in regions_under for ancestor in chain)

    bundles = [Offering("bundle", bundle) for bundle in catalog.bundles.values() if offered(bundle.regions, bundle.regions_under)]
    bundles.sort(key=lambda offering: GROUP_ORDER.index(group_of(offering)))  # stable
    department_rank = {department_id: rank for rank, department_id in enumerate(catalog.departments)}
    items = [item for item in catalog.items.values() if item.standalone and offered(item.regions, item.regions_under)]
    items.sort(key=lambda item: department_rank.get(item.department, len(department_rank)))
    return bundles + [Offering("item", item_as_bundle(item)) for item in items]


def compute_search_keys(catalog: Catalog) -> dict[str, SearchKeys]:
    """Search keys of every bundle and every standalone item, by offering id.

    Slow (imports pypinyin, ~0.5 s): call it through :func:`window_app.catalog.cache.cached_search_keys`, which
    computes the keys once per catalog digest.
    """
    spell = _Speller()

    def is_chinese(word: str) -> bool:
        return any("\u4e00" <= char <= "\u9fff" for char in word)

    expanded_words: dict[tuple[str, ...], tuple[str, ...]] = {}  # the same keywords recur in many entries

    def expand(words: tuple[str, ...]) -> tuple[str, ...]:
        """The words as written (lowercase), then the pinyin and initials of the Chinese ones."""
        found = expanded_words.get(words)
        if found is not None:
            return found
        expanded = [word.lower() for word in words]
        for word in words:
            if is_chinese(word):
                expanded.extend(spell(word))
        found = expanded_words[words] = tuple(dict.fromkeys(spell.share(w) for w in expanded if w))
        return found

    keys: dict[str, SearchKeys] = {}
    named = [(b.id, b.name.zh, b.keywords, b.synonyms) for b in catalog.bundles.values()]
    named += [(i.id, i.name.zh, i.keywords, i.synonyms) for i in catalog.items.values() if i.standalone]
    for offering_id, name, keywords, synonyms in named:
        pinyin, initials = spell(name)
        lowered = name.lower()
        keys[offering_id] = SearchKeys(
            hanzi=spell.share(name if lowered == name else lowered),  # the name itself, not a copy
            pinyin=pinyin,
            initials=initials,
            keywords=expand(keywords),
            synonyms=expand(synonyms),
        )
    return keys


class _Speller:
    """(full pinyin, initials) of texts, each distinct word converted once.

    pypinyin splits a text into hanzi and non-hanzi runs, cuts each hanzi run into words
    (forward maximum matching over its phrase dictionary) and converts each word on its own,
    whatever surrounds it. So splitting a text with pypinyin's own segmenter, cutting each
    distinct run once and converting each distinct word once gives exactly what
    ``lazy_pinyin(text)`` gives: a 10,000-offering catalog has about 3,000 distinct runs and
    550 distinct words in 30,000 texts, and the conversion was most of the time. Results are shared string objects (one copy of ``qiye`` in memory, not thousands).
    """

    def __init__(self) -> None:
        import pypinyin
        from pypinyin.constants import PHRASES_DICT
        from pypinyin.seg import mmseg
        from pypinyin.seg.simpleseg import seg, simple_seg

        # What pypinyin.load_phrases_dict does, without retraining the segmenter on its whole
        # dictionary again (~0.15 s): the overrides' prefixes are added to the ones it has.
        PHRASES_DICT.update(PHRASE_OVERRIDES)
        mmseg.seg.train(PHRASE_OVERRIDES)
        self._pypinyin = pypinyin
        self._seg = seg
        self._simple_seg = simple_seg
        self._runs: dict[str, tuple[list[str], list[str]]] = {}
        self._words: dict[str, tuple[list[str], list[str]]] = {}
        self._texts: dict[str, tuple[str, str]] = {}
        self._strings: dict[str, str] = {}

    def share(self, text: str) -> str:
        """One object for every equal string handed out (memory: keys are held once)."""
        return self._strings.setdefault(text, text)

    def __call__(self, text: str) -> tuple[str, str]:
        """(full pinyin, initials) of a text; latin runs (ETC, 3C) are kept whole in both."""
        found = self._texts.get(text)
        if found is None:
            full: list[str] = []
            initials: list[str] = []
            for run in self._simple_seg(text):  # hanzi and non-hanzi runs: cut each on its own
                parts = self._runs.get(run)
                if parts is None:
                    parts = self._runs[run] = self._run(run)
                full.extend(parts[0])
                initials.extend(parts[1])
            found = self._texts[text] = (self.share("".join(full)), self.share("".join(initials)))
        return found

    def _run(self, run: str) -> tuple[list[str], list[str]]:
        """One run of a text, cut into words (``食品经营许可证核发`` recurs in many names)."""
        full: list[str] = []
        initials: list[str] = []
        for word in self._seg(run):
            parts = self._words.get(word)
            if parts is None:
                parts = self._words[word] = self._convert(word)
            full.extend(parts[0])
            initials.extend(parts[1])
        return full, initials

    def _convert(self, word: str) -> tuple[list[str], list[str]]:
        pypinyin = self._pypinyin
        # lazy_pinyin uses the phrase dictionary: 银行 yinhang, 重新 chongxin.
        tokens = pypinyin.lazy_pinyin(word, style=pypinyin.Style.NORMAL, errors=lambda run: _LATIN + run)
        full: list[str] = []
        initials: list[str] = []
        for token in tokens:
            syllable = _NOT_ALNUM.sub("", token.lower())
            if syllable:
                full.append(syllable)
                initials.append(syllable if token.startswith(_LATIN) else syllable[0])
        return full, initials


# -- the index ------------------------------------------------------------------------------

# Rank tiers, best first: name (hanzi, pinyin, initials, id, English name, synonyms) hits
# above keyword hits; within each, exact above prefix above substring.
_NAME_EXACT, _NAME_PREFIX, _NAME_SUBSTRING, _KEYWORD_EXACT, _KEYWORD_PREFIX, _KEYWORD_SUBSTRING = range(6)


def _tier(query: str, text: str, exact: int) -> int | None:
    """``exact`` / ``exact + 1`` (prefix) / ``exact + 2`` (substring), or None for no match."""
    if not text or not query:
        return None
    if text == query:
        return exact
    if text.startswith(query):
        return exact + 1
    if query in text:
        return exact + 2
    return None


@dataclass(frozen=True)
class _Entry:
    position: int
    offering: Offering
    names: tuple[str, ...]  # hanzi, pinyin, initials, id, English name, synonyms (lowercase)
    keywords: tuple[str, ...]
    # Joined ("\0" between): one ``in`` test on ``blob`` rules out most offerings for most queries.
    name_blob: str
    keyword_blob: str
    blob: str


class OfferingIndex:
    """The offerings of one window and an in-memory search over them.

    Args:
        offerings: In display order (see :func:`offerings_for_region`).
        keys: Search keys by offering id; an offering without keys is found by its names
            (Chinese, English), id, synonyms and keywords as written, without pinyin.
    """

    def __init__(self, offerings: list[Offering], keys: dict[str, SearchKeys]):
        self.offerings = offerings
        self._by_id = {offering.id: offering for offering in offerings}
        self._entries: list[_Entry] = []
        for position, offering in enumerate(offerings):
            found = keys.get(offering.id)
            bundle = offering.bundle
            hanzi = found.hanzi if found else bundle.name.zh.lower()
            synonyms = found.synonyms if found else tuple(s.lower() for s in bundle.synonyms)
            names = (
                hanzi,
                found.pinyin if found else "",
                found.initials if found else "",
                offering.id.lower(),
                bundle.name.en.lower(),
                *synonyms,
            )
            keywords = found.keywords if found else tuple(k.lower() for k in bundle.keywords)
            name_blob, keyword_blob = "\0".join(names), "\0".join(keywords)
            blob = f"{name_blob}\0{keyword_blob}"
            self._entries.append(_Entry(position, offering, names, keywords, name_blob, keyword_blob, blob))

    def get(self, offering_id: str) -> Offering:
        """The offering with this id.

        Raises:
            KeyError: Not in the catalog, or not offered in this window's region.
        """
        try:
            return self._by_id[offering_id]
        except KeyError:
            raise KeyError(f"'{offering_id}' is not offered at this window") from None

    def search(self, query: str) -> list[Offering]:
        """Offerings matching ``query``, best first; all of them (display order) for an empty query.

        Matches case-insensitively on the Chinese and English names (substring), full pinyin
        and initials (typed with or without spaces and apostrophes), the id, the synonyms, and
        keywords. Ties keep the display order.
        """
        typed = query.strip().lower()
        if not typed:
            return list(self.offerings)
        compact = _SEPARATORS.sub("", typed)
        # Names are matched without separators (pinyin typed with spaces), ids with underscores
        # for spaces, English names and synonyms as typed; keywords as typed or compacted (a
        # keyword may contain a space).
        name_queries = tuple(dict.fromkeys((compact, re.sub(r"\s+", "_", typed), typed)))
        keyword_queries = tuple(dict.fromkeys((typed, compact)))  # among the name queries
        ranked: list[tuple[int, int, Offering]] = []
        for entry in self._entries:
            if not any(q in entry.blob for q in name_queries):
                continue
            best = None
            if any(q in entry.name_blob for q in name_queries):
                best = _best_tier(name_queries, entry.names, _NAME_EXACT)
            if (best is None or best > _NAME_EXACT) and any(q in entry.keyword_blob for q in keyword_queries):
                keyword_best = _best_tier(keyword_queries, entry.keywords, _KEYWORD_EXACT)
                if best is None or (keyword_best is not None and keyword_best < best):
                    best = keyword_best
            if best is not None:
                ranked.append((best, entry.position, entry.offering))
        ranked.sort(key=lambda hit: (hit[0], hit[1]))
        return [offering for _tier_rank, _position, offering in ranked]


def _best_tier(queries: tuple[str, ...], texts: tuple[str, ...], exact: int) -> int | None:
    best = None
    for text in texts:
        for query in queries:
            tier = _tier(query, text, exact)
            if tier is not None and (best is None or tier < best):
                best = tier
    return best
