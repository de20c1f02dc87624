"""A catalog directory's files: which ones belong, their TOML, and the digest of their content."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

from window_app.catalog.values import type_name

if TYPE_CHECKING:
    from window_app.catalog.partial import PartialCatalog

# File name (or directory) → the array-of-tables key it holds.
TOP_LEVEL_FILES = {
    "catalog.toml": "catalog",
    "regions.toml": "region",
    "departments.toml": "department",
    "materials.toml": "material",
    "fields.toml": "field",
}
ENTRY_DIRECTORIES = {"offices": "office", "items": "item", "bundles": "bundle"}
LAYOUT_HINT = (
    "a catalog holds catalog.toml, regions.toml, departments.toml, materials.toml, "
    "fields.toml, offices/*.toml, items/*.toml and bundles/*.toml"
)
WHOLE_FILE = "(file)"


def shipped_catalog_path() -> Path:
    """The Guizhou catalog shipped inside the package (``window_app/data/catalog``)."""
    return Path(__file__).resolve().parent.parent / "data" / "catalog"


def read_sources(root: Path, partial: PartialCatalog) -> tuple[list[tuple[str, str, bytes]], str]:
    """Read every catalog file; returns (relative path, kind, content) and the digest.

    Each file is parsed by :func:`parse_source` when its turn to be read comes, so only one
    file's TOML tables are in memory at a time (a 10,000-offering catalog's two big files
    parse into well over 100 MB of dictionaries).
    """
    if not root.exists():
        partial.problem(str(root), WHOLE_FILE, "no such directory")
        return [], ""
    if not root.is_dir():
        partial.problem(str(root), WHOLE_FILE, "not a directory; a catalog is a directory of TOML files")
        return [], ""
    hasher = hashlib.sha256()
    sources: list[tuple[str, str, bytes]] = []
    for path in catalog_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            partial.problem(rel, WHOLE_FILE, f"cannot be read: {exc.strerror or exc}")
            partial.unreadable.add(_kind_of(rel) or "")
            continue
        _hash_file(hasher, rel, data)
        kind = _kind_of(rel)
        if kind is None:
            if rel.endswith(".toml"):
                partial.problem(rel, WHOLE_FILE, f"unexpected file: {LAYOUT_HINT}")
            continue  # a README or notes next to the data is fine
        sources.append((rel, kind, data))
    if not (root / "catalog.toml").is_file():
        reason = "missing: every catalog starts with catalog.toml ([catalog] format, version, name)"
        partial.problem("catalog.toml", WHOLE_FILE, reason)
    return sources, hasher.hexdigest()


def parse_source(rel: str, kind: str, data: bytes, partial: PartialCatalog) -> dict | None:
    """The TOML document of one catalog file; ``None`` (and the problem) when it does not parse,
    its kind then counted as unreadable (references to it are not reported as unknown)."""
    document = _parse_toml(rel, data, partial)
    if document is None:
        partial.unreadable.add(kind)
    return document


def catalog_digest(root: Path) -> str:
    """The digest :func:`read_sources` gives the catalog in ``root``, without parsing anything.

    Cheap enough for every start (the files are only read and hashed): it tells whether a
    catalog read earlier is still the one on disk. ``""`` when the directory or one of its
    files cannot be read; :func:`read_sources` then reports why.
    """
    if not root.is_dir():
        return ""
    hasher = hashlib.sha256()
    try:
        for path in catalog_files(root):
            _hash_file(hasher, path.relative_to(root).as_posix(), path.read_bytes())
    except OSError:
        return ""
    return hasher.hexdigest()


def _hash_file(hasher: hashlib._Hash, rel: str, data: bytes) -> None:
    # Length-prefixed, so moving bytes between a name and a body cannot collide.
    for chunk in (rel.encode("utf-8"), data):
        hasher.update(len(chunk).to_bytes(8, "big"))
        hasher.update(chunk)


def read_document(rel: str, kind: str, document: dict, reader, partial: PartialCatalog) -> None:
    """Check a file's top-level keys, then read each of its entries."""
    for key in document:
        if key != kind:
            partial.problem(rel, key, f"unexpected top-level key '{key}': {_holds(rel, kind)}")
    if kind == "catalog":
        table = document.get("catalog")
        if table is None:
            partial.problem(rel, "catalog", "missing the [catalog] table (format, version, name)")
        elif not isinstance(table, dict):
            partial.problem(rel, "catalog", f"'catalog' must be a table [catalog], not {type_name(table)}")
        else:
            reader(rel, table, partial)
        return
    entries = document.get(kind, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        partial.problem(rel, kind, f"'{kind}' must be an array of tables [[{kind}]], not {type_name(entries)}")
        return
    for position, table in enumerate(entries, start=1):
        reader(rel, table, partial, position)


def catalog_files(root: Path) -> list[Path]:
    """All regular files below ``root``, sorted, skipping hidden ones and caches."""
    found = []
    for path in root.rglob("*"):
        rel_parts = path.relative_to(root).parts
        if any(part.startswith(".") or part == "__pycache__" for part in rel_parts):
            continue
        if path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def _kind_of(rel: str) -> str | None:
    """The entry kind a catalog file holds, or None if it is not a catalog file."""
    pieces = rel.split("/")
    if len(pieces) == 1:
        return TOP_LEVEL_FILES.get(pieces[0])
    if len(pieces) == 2 and pieces[1].endswith(".toml"):
        return ENTRY_DIRECTORIES.get(pieces[0])
    return None


def _parse_toml(rel: str, data: bytes, partial: PartialCatalog) -> dict | None:
    if data.startswith(b"\xef\xbb\xbf"):
        # Notepad's "UTF-8" writes one; TOML does not allow it, and tomllib's complaint would be
        # about an invalid statement on line 1.
        partial.problem(rel, WHOLE_FILE, "starts with a byte order mark (BOM): save the file as UTF-8 without BOM")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        partial.problem(rel, WHOLE_FILE, f"not UTF-8 (byte {exc.start}): save the file as UTF-8")
        return None
    parsed = _fast_loads(text)
    if parsed is not None:
        return parsed
    try:
        return tomllib.loads(text)  # also the words of any syntax error: line, column, what
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        located = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", message)
        if located:
            partial.problem(rel, f"line {located[2]}, column {located[3]}", f"TOML syntax error: {located[1]}")
        else:
            partial.problem(rel, WHOLE_FILE, f"TOML syntax error: {message}")
        return None


def _fast_loads(text: str) -> dict | None:
    """The document parsed by rtoml (Rust: ~3× faster than :mod:`tomllib` on a 10 MB catalog,
    the biggest part of a first start); ``None`` when rtoml is not installed or finds a problem,
    and :mod:`tomllib` then reads the text again, so problems are always reported in its words.

    Imported here, not at the top: a start with a catalog snapshot never parses TOML.
    """
    try:
        import rtoml
    except ImportError:
        return None
    try:
        parsed = rtoml.loads(text)
    except Exception:  # noqa: BLE001 - rtoml.TomlParsingError, or anything else: tomllib decides
        return None
    return parsed if isinstance(parsed, dict) else None


def _holds(rel: str, kind: str) -> str:
    if kind == "catalog":
        return "catalog.toml holds only the [catalog] table"
    where = rel if "/" not in rel else rel.split("/")[0] + "/*.toml"
    return f"{where} holds [[{kind}]] tables"
