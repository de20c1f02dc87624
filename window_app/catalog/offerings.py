"""What a window offers and how it is searched, prepared once per catalog (issue 10).

A window's start needs, of a 10,000-offering catalog, the offerings of its region in display
order and the texts its search matches (:class:`~window_app.catalog.search.OfferingIndex`), not
the offerings' bundles and items themselves: the clerk looks at a screenful of them and picks
one. :class:`OfferingTable` holds that for every offering of a catalog, whatever the region, as
plain texts and numbers; it is stored in the catalog's snapshot
(:mod:`window_app.catalog.cache`) and a start makes the index from it without deriving a text.
The offerings are :class:`LazyOffering`: the bundle (for a standalone item, the one-item bundle
:func:`~window_app.domain.catalog.item_as_bundle` makes) is looked up when first asked for.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import compress, repeat
from typing import Any

from window_app.catalog.search import OfferingIndex, display_order, search_texts
from window_app.domain.catalog import Bundle, Catalog, Offering, SearchKeys, item_as_bundle

_KIND = Offering.__dict__["kind"]  # the slots Offering's fields are kept in
_BUNDLE = Offering.__dict__["bundle"]


class LazyOffering(Offering):
    """An :class:`Offering` whose bundle is looked up in its catalog when first asked for.

    It is an ``Offering`` in every other way (equal to the eager one, the same hash; pickled
    or copied as one).
    """

    __slots__ = ("_id", "_catalog")

    @property  # type: ignore[override]
    def bundle(self) -> Bundle:
        try:
            return _BUNDLE.__get__(self, Offering)
        except AttributeError:  # not looked up yet
            catalog: Catalog = self._catalog
            if self.kind == "bundle":
                found = catalog.bundles[self._id]
            else:
                found = item_as_bundle(catalog.items[self._id])
            _BUNDLE.__set__(self, found)
            return found

    @bundle.setter
    def bundle(self, value: Bundle) -> None:  # Offering's own __init__ (dataclasses.replace)
        _BUNDLE.__set__(self, value)

    @property
    def id(self) -> str:
        try:
            return self._id
        except AttributeError:  # made by Offering's __init__ (dataclasses.replace)
            return self.bundle.id

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Offering):
            return (self.kind, self.bundle) == (other.kind, other.bundle)
        return NotImplemented

    __hash__ = Offering.__hash__


_ID = LazyOffering.__dict__["_id"]
_CATALOG = LazyOffering.__dict__["_catalog"]


def lazy_offerings(catalog: Catalog, kinds: list[str], ids: list[str]) -> list[Offering]:
    """One :class:`LazyOffering` per id, its bundle to be looked up in ``catalog``.

    Made without a Python ``__init__`` per object: a start makes 10,000 of them, and setting
    each slot through its descriptor (``map``, in C) takes half the time of a constructor.
    """
    made = list(map(object.__new__, repeat(LazyOffering, len(ids))))
    for slot, values in ((_KIND, kinds), (_ID, ids), (_CATALOG, repeat(catalog))):
        deque(map(slot.__set__, made, values), maxlen=0)
    return made


@dataclass(frozen=True, slots=True)
class OfferingTable:
    """Every offering of one catalog, in display order, as the search index needs it.

    Attributes:
        bundles: How many of the offerings are bundles (they come first; the rest are items).
        ids: The offerings' ids.
        places: The distinct availabilities ``(regions, regions_under)`` of the offerings.
        place_of: Each offering's availability, a position in ``places``.
        names, heads, keywords: Each offering's texts (:func:`~window_app.catalog.search.search_texts`).
    """

    bundles: int
    ids: tuple[str, ...]
    places: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    place_of: array
    names: tuple[str, ...]
    heads: tuple[str, ...]
    keywords: tuple[str, ...]

    @classmethod
    def build(cls, catalog: Catalog, keys: Mapping[str, SearchKeys]) -> OfferingTable:
        """The table of ``catalog`` with its search ``keys`` (an offering without keys is found
        by its texts as written)."""
        bundles, items = display_order(catalog)
        entries = [*bundles, *items]
        places: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
        place_of = array("I", (places.setdefault((entry.regions, entry.regions_under), len(places)) for entry in entries))
        texts = [search_texts(entry.id, entry.name, entry.synonyms, entry.keywords, keys.get(entry.id)) for entry in entries]
        names, heads, keywords = (tuple(column) for column in zip(*texts)) if texts else ((), (), ())
        return cls(len(bundles), tuple(entry.id for entry in entries), tuple(places), place_of, names, heads, keywords)

    def index(self, catalog: Catalog, region_code: str) -> OfferingIndex:
        """The search index of a window in ``region_code``: the offerings offered there
        (:func:`~window_app.catalog.search.offerings_for_region`), their bundles looked up in
        ``catalog`` when first asked for."""
        chain = catalog.region_chain(region_code)
        offered = bytes(region_code in regions or any(code in under for code in chain) for regions, under in self.places)
        here = bytes(map(offered.__getitem__, self.place_of))
        if all(offered):
            ids, names, heads, keywords = list(self.ids), self.names, self.heads, self.keywords
            bundles = self.bundles
        else:
            positions = list(compress(range(len(self.ids)), here))
            ids, names, heads, keywords = (list(map(column.__getitem__, positions)) for column in (self.ids, self.names, self.heads, self.keywords))
            bundles = sum(here[: self.bundles])
        kinds = ["bundle"] * bundles + ["item"] * (len(ids) - bundles)
        return OfferingIndex.prepared(lazy_offerings(catalog, kinds, ids), ids, list(names), list(heads), list(keywords))

    # -- stored in the catalog's snapshot (plain data) -----------------------------------

    def to_plain(self) -> tuple:
        """The table as plain data (texts, numbers, tuples, bytes) for the snapshot."""
        return (self.bundles, self.ids, self.places, self.place_of.tobytes(), self.names, self.heads, self.keywords)

    @classmethod
    def from_plain(cls, data: Any) -> OfferingTable:
        """The table :meth:`to_plain` gave.

        Raises:
            ValueError: ``data`` is not such a table (a damaged snapshot: the caller builds it again).
        """
        try:
            bundles, ids, places, place_of_bytes, names, heads, keywords = data
            place_of = array("I")
            place_of.frombytes(place_of_bytes)
        except (TypeError, ValueError) as error:
            raise ValueError("not an offering table") from error
        count = len(ids)
        if not (
            type(bundles) is int
            and 0 <= bundles <= count
            and all(type(column) is tuple and len(column) == count for column in (ids, names, heads, keywords))
            and len(place_of) == count
            and type(places) is tuple
            and (not place_of or max(place_of) < len(places))
            and all(type(place) is tuple and len(place) == 2 for place in places)
        ):
            raise ValueError("not an offering table")
        return cls(bundles, ids, places, place_of, names, heads, keywords)
