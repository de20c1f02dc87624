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
from collections.abc import Container
from dataclasses import dataclass
from itertools import chain, compress, repeat
from operator import contains, not_, or_
from typing import Literal

from window_app.domain.catalog import Bundle, Catalog, Item, Offering, SearchKeys, item_as_bundle
from window_app.domain.words import Words

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


def group_of(offering: Offering, hot: Container[str] | None = None) -> Group:
    """The pick screen's group: 热点 ``hot``, 本地 ``local``, 个人 ``personal``, 企业 ``enterprise``, or a single ``item``.

    Args:
        hot: The window's hot list (window_app/reporting/hot.py: the region's use) when known:
            it decides 热点 instead of the catalog's flag.
    """
    if offering.kind == "item":
        return "item"
    if hot is not None:
        bundle = offering.bundle
        return "hot" if offering.id in hot else "local" if bundle.local else bundle.theme
    return _bundle_group(offering.bundle)


def _bundle_group(bundle: Bundle) -> Group:
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

    bundles, items = display_order(catalog)
    return [Offering("bundle", bundle) for bundle in bundles if offered(bundle.regions, bundle.regions_under)] + [
        Offering("item", item_as_bundle(item)) for item in items if offered(item.regions, item.regions_under)
    ]


def display_order(catalog: Catalog) -> tuple[list[Bundle], list[Item]]:
    """Every bundle and every standalone item of the catalog, each in display order (see
    :func:`offerings_for_region`; the order does not depend on the region)."""
    bundles = list(catalog.bundles.values())
    group_rank = {group: rank for rank, group in enumerate(GROUP_ORDER)}
    bundles.sort(key=lambda bundle: group_rank[_bundle_group(bundle)])  # stable
    department_rank = {department_id: rank for rank, department_id in enumerate(catalog.departments)}
    items = [item for item in catalog.items.values() if item.standalone]
    items.sort(key=lambda item: department_rank.get(item.department, len(department_rank)))
    return bundles, items


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
# above keyword hits; within each, exact above prefix above substring; ties in display order.
#
# Each offering's names and its keywords are held as one string each, every text between NULs
# ("\0qykb\0qiyekaiban\0…\0"): a query is in a text when it is in the string, equal to a
# text when "\0query\0" is, a prefix when "\0query" is. That turns every test into one
# ``str.__contains__`` that ``map`` runs over all candidates without a Python-level loop, and
# the tiers into ``itertools.compress`` selections: a one-letter query on 10,000 offerings
# costs a few milliseconds. As the clerk types on, the hits of the text typed so far are the
# candidates (a longer query only ever matches fewer), and a text typed before in this query
# (Backspace) is answered from its saved result.

_SEP = "\0"
_HEAD = 3
"""Characters of each name kept in its heads: prefix tests of a short query (the costly
ones: it matches many offerings) scan these instead of the whole names."""
_PATH_LENGTH = 16
"""Texts of the current query kept (Backspace, narrowing; at most 16 hit lists of the
catalog's size held); cleared with the search."""


def search_texts(
    offering_id: str, name: Words, synonyms: tuple[str, ...], keywords: tuple[str, ...], found: SearchKeys | None
) -> tuple[str, str, str]:
    """What :class:`OfferingIndex` matches of one offering: its names, their heads, its keywords.

    Args:
        found: The offering's search keys; without them, it is found by its names (Chinese,
            English), id, synonyms and keywords as written, without pinyin.
    """
    if found is not None:
        texts = (found.hanzi, found.pinyin, found.initials, offering_id.lower(), name.en.lower(), *found.synonyms)
        words = found.keywords
    else:
        texts = (name.zh.lower(), offering_id.lower(), name.en.lower(), *(s.lower() for s in synonyms))
        words = tuple(k.lower() for k in keywords)
    return (
        _SEP + _SEP.join(texts) + _SEP,
        _SEP + _SEP.join([text[:_HEAD] for text in texts]) + _SEP,
        _SEP + _SEP.join(words) + _SEP,
    )


@dataclass(frozen=True, slots=True)
class _Answer:
    """One searched text: its queries, the positions it matched (ascending), its result."""

    name_queries: tuple[str, ...]
    keyword_queries: tuple[str, ...]
    hits: list[int]
    result: list[Offering]


class OfferingIndex:
    """The offerings of one window and an in-memory search over them.

    Args:
        offerings: In display order (see :func:`offerings_for_region`).
        keys: Search keys by offering id; an offering without keys is found by its names
            (Chinese, English), id, synonyms and keywords as written, without pinyin.
    """

    def __init__(self, offerings: list[Offering], keys: dict[str, SearchKeys]):
        texts = [
            search_texts(offering.id, bundle.name, bundle.synonyms, bundle.keywords, keys.get(offering.id))
            for offering in offerings
            for bundle in (offering.bundle,)
        ]
        names, heads, keywords = (list(column) for column in zip(*texts)) if texts else ([], [], [])
        self._setup(offerings, [offering.id for offering in offerings], names, heads, keywords)

    @classmethod
    def prepared(
        cls, offerings: list[Offering], ids: list[str], names: list[str], heads: list[str], keywords: list[str]
    ) -> OfferingIndex:
        """The index of ``offerings`` (their ``ids`` and :func:`search_texts`, position by
        position) with the texts made before: a window's start reads them from its catalog
        snapshot (:mod:`window_app.catalog.offerings`)."""
        index = cls.__new__(cls)
        index._setup(offerings, ids, names, heads, keywords)
        return index

    def _setup(self, offerings: list[Offering], ids: list[str], names: list[str], heads: list[str], keywords: list[str]) -> None:
        self.offerings = offerings
        self._by_id = dict(zip(ids, offerings))
        self._names = names
        self._heads = heads
        self._keywords = keywords
        self._everyone = list(range(len(offerings)))
        self._path: list[tuple[str, _Answer]] = []

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
            self._path.clear()  # a new query starts: nothing to narrow
            return list(self.offerings)
        for text, answer in reversed(self._path):
            if text == typed:
                return list(answer.result)
        compact = _SEPARATORS.sub("", typed)
        # Names are matched without separators (pinyin typed with spaces), ids with underscores
        # for spaces, English names and synonyms as typed; keywords as typed or compacted (a
        # keyword may contain a space). An empty query (only separators) matches nothing.
        name_queries = _usable((compact, re.sub(r"\s+", "_", typed), typed))
        keyword_queries = _usable((typed, compact))
        answer = self._answer(name_queries, keyword_queries, self._candidates(name_queries, keyword_queries))
        self._path.append((typed, answer))
        del self._path[:-_PATH_LENGTH]
        return list(answer.result)

    def _candidates(self, name_queries: tuple[str, ...], keyword_queries: tuple[str, ...]) -> list[int]:
        """Positions that may match: the fewest hits of an earlier text every query contains."""
        best = self._everyone
        for _text, earlier in self._path:
            if len(earlier.hits) < len(best) and _narrows(earlier, name_queries, keyword_queries):
                best = earlier.hits
        return best

    def _answer(self, name_queries: tuple[str, ...], keyword_queries: tuple[str, ...], candidates: list[int]) -> _Answer:
        in_name = self._scan(self._names, candidates, name_queries)
        tiers = self._split(self._names, self._heads, list(compress(candidates, in_name)), name_queries)
        # Keywords only rank offerings no name matched (a keyword hit ranks below any name hit).
        others = list(compress(candidates, map(not_, in_name)))
        in_keywords = self._scan(self._keywords, others, keyword_queries)
        tiers += self._split(self._keywords, None, list(compress(others, in_keywords)), keyword_queries)
        ranked = list(chain.from_iterable(tiers))
        hits = sorted(ranked)  # merging sorted runs: cheap
        return _Answer(name_queries, keyword_queries, hits, list(map(self.offerings.__getitem__, ranked)))

    def _scan(self, table: list[str], positions: list[int], queries: tuple[str, ...], before: str = "", after: str = "") -> bytes:
        """One byte per position: 1 when any ``before + query + after`` is in its string of ``table``."""
        found = b""
        if not queries:
            return found
        # Positions are distinct and ascending: as many as the table's strings means all of them.
        strings = table if len(positions) == len(table) else list(map(table.__getitem__, positions))
        for query in queries:
            this = bytes(map(contains, strings, repeat(before + query + after)))
            found = bytes(map(or_, found, this)) if found else this
        return found

    def _split(self, table: list[str], heads: list[str] | None, positions: list[int], queries: tuple[str, ...]) -> list[list[int]]:
        """``positions`` (all matching) as exact, prefix (not exact), substring (neither)."""
        if not positions:
            return []
        short = tuple(q for q in queries if len(q) <= _HEAD) if heads is not None else ()
        long = tuple(q for q in queries if q not in short)
        prefix = _either(self._scan(heads, positions, short, _SEP) if heads else b"", self._scan(table, positions, long, _SEP))
        starts = list(compress(positions, prefix))
        # Only a prefix can be exact: look for the exact texts among the prefix hits (in the
        # heads for a query shorter than a head: a text that short is whole there).
        shorter = tuple(q for q in short if len(q) < _HEAD)
        longer = tuple(q for q in queries if q not in shorter)
        exact = _either(
            self._scan(heads, starts, shorter, _SEP, _SEP) if heads else b"",
            self._scan(table, starts, longer, _SEP, _SEP),
        )
        return [
            list(compress(starts, exact)),
            list(compress(starts, map(not_, exact))),
            list(compress(positions, map(not_, prefix))),
        ]


def _either(one: bytes, other: bytes) -> bytes:
    if one and other:
        return bytes(map(or_, one, other))
    return one or other


def _usable(queries: tuple[str, ...]) -> tuple[str, ...]:
    """The distinct non-empty queries; one holding a NUL (never in a text) matches nothing."""
    return tuple(q for q in dict.fromkeys(queries) if q and _SEP not in q)


def _narrows(earlier: _Answer, name_queries: tuple[str, ...], keyword_queries: tuple[str, ...]) -> bool:
    """Whatever these queries match, ``earlier``'s matched too (each contains one of its queries)."""
    return all(any(old in new for old in earlier.name_queries) for new in name_queries) and all(
        any(old in new for old in earlier.keyword_queries) for new in keyword_queries
    )
