"""The catalog snapshot's encoding (format 3): plain values in :mod:`marshal`, entries decoded
on first use.

A window's start reads the snapshot back, and what it needs at once is small: the names of
what it offers and their search texts (:mod:`window_app.catalog.offerings`), a few regions and
departments. Rebuilding all of a 10,000-offering catalog's ~50,000 frozen objects (what
unpickling did) was a third of a warm start. So:

- every catalog record is written as a plain tuple ``(..., "Item", field, field, ...)``
  (:data:`Ellipsis`, the class's name, its fields in order; texts, numbers and tuples as they
  are); :mod:`marshal` reads plain tuples back several times faster than pickle rebuilds objects,
  and can name no callable at all: decoding calls only the catalog model's own constructors;
- each table of the catalog (regions, items, bundles …) is one byte string of its entries, each
  marshalled on its own, and their end offsets: reading the snapshot copies a few byte strings,
  and :class:`LazyTable` decodes an entry when it is first looked up (the clerk picks one
  offering of 10,000; its items and materials are decoded then);
- equal parts of entries (an item's material list, a ``Words``) decode to one shared object, as
  the loader shares them.

``extra`` is plain data of the caller's own (what :mod:`window_app.catalog.offerings` prepares
for the search index), stored as is.
"""

from __future__ import annotations

import dataclasses
import marshal
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import attrgetter
from typing import Any

from window_app.domain import catalog as catalog_model
from window_app.domain.catalog import Catalog, SearchKeys
from window_app.domain.words import Words

FORMAT = 3
MAGIC = b"\x00wcs3"
"""How a format-3 snapshot starts (a pickle, formats 1 and 2, starts with ``\\x80``); a CRC-32 of
the rest follows: an entry is decoded long after the snapshot is read, so damage is found first."""
_RECORD = Ellipsis  # the first element of an encoded record: never a value of the model itself
_SCALARS = (str, int, float, bool, type(None))


def _record_classes() -> dict[str, type]:
    """The catalog model's frozen records (and :class:`Words`), by name: all a snapshot may build."""
    found: dict[str, type] = {"Words": Words}
    for name, value in vars(catalog_model).items():
        if (
            isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and value.__module__ == catalog_model.__name__
            and not name.startswith("_")
            and value is not Catalog
            and all(field.init for field in dataclasses.fields(value))
        ):
            found[name] = value
    return found


CLASSES = _record_classes()
_NAMES = {cls: name for name, cls in CLASSES.items()}
_PLAIN = frozenset(_SCALARS)


def _getter(cls: type) -> Callable[[object], tuple]:
    names = [field.name for field in dataclasses.fields(cls)]
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda value: (get(value),)
    return attrgetter(*names)


_FIELDS = {cls: _getter(cls) for cls in CLASSES.values()}


# -- writing ---------------------------------------------------------------------------------


class _Encoder:
    """Model values as plain tuples.

    A record or a tuple of records met again (the loader shares equal ones: one material list
    for many items), or an equal tuple of texts, is written once, in the pool, and referred to
    by its number ``(..., n)``: the snapshot stays the size of the catalog, and reading it back
    shares them again.
    """

    def __init__(self) -> None:
        self._seen: dict[int, list] = {}  # id → [the value (kept alive), its encoding, pool number or -1]
        self._plain_numbers: dict[tuple, int] = {}  # plain tuple → pool number, -1 if met once
        self.pool: list[Any] = []

    def __call__(self, value: object) -> Any:
        kind = type(value)
        if kind in _PLAIN:
            return value
        seen = self._seen.get(id(value))
        if seen is not None:
            if seen[2] < 0:
                seen[2] = len(self.pool)
                self.pool.append(seen[1])
            return (_RECORD, seen[2])
        if kind is tuple:
            if _PLAIN.issuperset(map(type, value)):  # type: ignore[arg-type]
                # Texts (regions, keywords): plain already, written as they are; a list of
                # several met again (the same applicant data in many items) is pooled.
                if len(value) < 2:  # type: ignore[arg-type]
                    return value
                number = self._plain_numbers.get(value)  # type: ignore[call-overload]
                if number is None:
                    self._plain_numbers[value] = -1  # type: ignore[index]
                    return value
                if number < 0:
                    number = self._plain_numbers[value] = len(self.pool)  # type: ignore[index]
                    self.pool.append(value)
                return (_RECORD, number)
            encoded: Any = tuple(map(self, value))  # type: ignore[arg-type]
        elif kind in _FIELDS:
            fields = _FIELDS[kind](value)
            if not _PLAIN.issuperset(map(type, fields)):  # only the others are encoded (a cold start's time)
                fields = [field if type(field) in _PLAIN else self(field) for field in fields]
            encoded = (_RECORD, _NAMES[kind], *fields)
        else:
            raise TypeError(f"a catalog snapshot cannot hold {kind.__name__}")
        self._seen[id(value)] = [value, encoded, -1]
        return encoded

    def table(self, entries: Mapping[str, object]) -> tuple[tuple[str, ...], bytes, bytes]:
        """``(ids, end offsets, entries)``: each entry marshalled on its own, one after another."""
        ids = tuple(entries)
        if any(type(key) is not str for key in ids):
            raise TypeError("a catalog table is keyed by text")
        return (ids, *_packed(map(self, entries.values())))


def _packed(values: Iterable[Any]) -> tuple[bytes, bytes]:
    """``(end offsets, values)``: each value marshalled on its own, one after another."""
    ends = array("Q")
    blob = bytearray()
    for value in values:
        blob += marshal.dumps(value)
        ends.append(len(blob))
    return ends.tobytes(), bytes(blob)


def encode_snapshot(catalog: Catalog, extra: object = None) -> bytes:
    """The snapshot of ``catalog`` and ``extra`` (plain data).

    Raises:
        TypeError: Something in them is not plain data or a catalog record (nothing is written).
        ValueError: ``extra`` holds something :mod:`marshal` cannot write.
    """
    encode = _Encoder()
    scalars: dict[str, Any] = {}
    tables: dict[str, tuple[tuple[str, ...], bytes, bytes]] = {}
    for field in dataclasses.fields(Catalog):
        value = getattr(catalog, field.name)
        if isinstance(value, Mapping):
            tables[field.name] = encode.table(value)
        else:
            scalars[field.name] = encode(value)
    payload = marshal.dumps((FORMAT, scalars, tables, _packed(encode.pool), extra))
    return MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload


# -- reading ---------------------------------------------------------------------------------


class _Packed:
    """Values marshalled one after another (:func:`_packed`), each read when asked for."""

    __slots__ = ("_ends", "_blob")

    def __init__(self, stored: Any):
        ends_bytes, blob = stored
        ends = array("Q")
        ends.frombytes(ends_bytes)
        if type(blob) is not bytes or (ends and ends[-1] != len(blob)) or (not ends and blob):
            raise ValueError("a damaged catalog table")
        self._ends = ends
        self._blob = blob

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, position: int) -> Any:
        start = self._ends[position - 1] if position else 0
        return marshal.loads(self._blob[start : self._ends[position]])


class _Decoder:
    """Plain tuples back into records; an equal part is one shared object, as the loader made it."""

    def __init__(self, pool: _Packed) -> None:
        self._pool = pool
        self._pooled: dict[int, object] = {}
        self._made: dict[tuple, object] = {}

    def __call__(self, raw: Any) -> Any:
        if type(raw) is not tuple:
            if type(raw) not in _PLAIN:  # marshal can hold more (code, sets): never ours
                raise ValueError(f"a catalog snapshot may not hold {type(raw).__name__}")
            return raw
        if _PLAIN.issuperset(map(type, raw)):
            return raw  # texts
        found = self._made.get(raw)
        if found is None:
            found = self._made[raw] = self._build(raw)
        return found

    def entry(self, raw: Any) -> Any:
        """A table's entry: built, not remembered by value (its table keeps it by id)."""
        return self._build(raw) if type(raw) is tuple else self(raw)

    def _build(self, raw: tuple) -> object:
        if raw and raw[0] is _RECORD:
            what = raw[1]
            if type(what) is int and len(raw) == 2:
                return self._pooled_value(what)
            cls = CLASSES.get(what) if type(what) is str else None
            if cls is None:
                raise ValueError(f"a catalog snapshot may not name {what!r}")
            return cls(*map(self, raw[2:]))
        return tuple(map(self, raw))

    def _pooled_value(self, number: int) -> object:
        found = self._pooled.get(number)
        if found is None:
            if not 0 <= number < len(self._pool):
                raise ValueError("a damaged catalog snapshot")
            found = self._pooled[number] = self(self._pool[number])
        return found


class LazyTable(Mapping[str, Any]):
    """A read-only table of the catalog (items by id …), each entry decoded when first looked up.

    It answers as the dictionary it stands for (``==`` a dict with the same entries, ``in``,
    ``get``, iteration in the catalog's order); a decoded entry is kept, so the same object is
    handed out every time.
    """

    __slots__ = ("_ids", "_entries", "_decode", "_positions", "_made")

    def __init__(self, ids: tuple[str, ...], entries: _Packed, decode: Callable[[Any], Any]):
        self._ids = ids
        self._entries = entries
        self._decode = decode
        self._positions: dict[str, int] | None = None
        self._made: dict[str, Any] = {}

    def _position(self, key: object) -> int:
        positions = self._positions
        if positions is None:  # made on the first look-up: a start that looks nothing up skips it
            positions = self._positions = dict(zip(self._ids, range(len(self._ids))))
        return positions[key]  # type: ignore[index]

    def __getitem__(self, key: str) -> Any:
        found = self._made.get(key)
        if found is None:
            found = self._made[key] = self._decode(self._entries[self._position(key)])
        return found

    def __contains__(self, key: object) -> bool:
        try:
            self._position(key)
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self) -> tuple:
        return dict, (dict(self),)  # a copy (pickle, copy.deepcopy) is a plain dictionary


@dataclasses.dataclass(frozen=True, slots=True)
class StoredCatalog:
    """A snapshot read back: the catalog, what was stored with it (``None``: nothing).

    Attributes:
        keys: The search keys, in a snapshot of format 2 only (format 3 leaves them to the
            ``search_keys`` table: a window's start needs the texts of ``extra``, not them).
    """

    catalog: Catalog
    keys: Mapping[str, SearchKeys] | None
    extra: Any


def decode_snapshot(data: bytes) -> StoredCatalog:
    """A snapshot written by :func:`encode_snapshot`; its entries are decoded on first use.

    Raises:
        ValueError, TypeError, EOFError: ``data`` is not such a snapshot (damaged, another format).
    """
    start = len(MAGIC) + 4
    payload = memoryview(data)[start:]
    if data[: len(MAGIC)] != MAGIC or zlib.crc32(payload) != int.from_bytes(data[len(MAGIC) : start], "big"):
        raise ValueError("not a catalog snapshot of format 3, or a damaged one")
    stored = marshal.loads(payload)
    if not (type(stored) is tuple and len(stored) == 5 and stored[0] == FORMAT):
        raise ValueError("not a catalog snapshot of format 3")
    _format, scalars, tables, pool, extra = stored
    decode = _Decoder(_Packed(pool))
    values: dict[str, Any] = {}
    for field in dataclasses.fields(Catalog):
        if field.name in tables:
            values[field.name] = _table(tables[field.name], decode)
        elif field.name in scalars:
            values[field.name] = decode(scalars[field.name])
        else:
            raise ValueError(f"a catalog snapshot without {field.name}")
    return StoredCatalog(Catalog(**values), None, extra)


def _table(stored: Any, decode: _Decoder) -> LazyTable:
    ids, *packed = stored
    entries = _Packed(packed)
    if type(ids) is not tuple or len(entries) != len(ids) or not _PLAIN.issuperset(map(type, ids)):
        raise ValueError("a damaged catalog table")
    return LazyTable(ids, entries, decode.entry)
