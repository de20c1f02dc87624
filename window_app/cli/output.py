"""How the CLI prints: stdout and stderr, JSON, sections, CJK-aware tables, departments, times.

Text goes to stdout, messages about it to stderr. Column widths count terminal cells: a
Chinese character takes two.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from window_app.domain.times import shown
from window_app.domain.words import tr

if TYPE_CHECKING:
    from window_app.domain.catalog import Catalog


def out(text: str) -> None:
    print(text, file=sys.stdout)


def err(text: str) -> None:
    print(text, file=sys.stderr)


def out_json(value: Any) -> None:
    """``value`` as indented JSON, Chinese as is; dates, dataclasses, sets and paths too."""
    out(json.dumps(value, ensure_ascii=False, indent=2, default=_json_default))


def jsonable(obj: Any) -> dict[str, Any]:
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


def english() -> bool:
    """Whether the current language is English."""
    return tr("zh", "en") == "en"


def section(title: str) -> None:
    """A blank line, then ``title``."""
    out("")
    out(title)


def width(text: str) -> int:
    """``text``'s width in terminal cells (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, cells: int) -> str:
    """``text`` padded with spaces to ``cells`` terminal cells (CJK characters take two)."""
    return text + " " * max(0, cells - width(text))


def print_table(rows: list[list[str]]) -> None:
    """Rows indented by two spaces, each column padded to its widest cell (CJK-aware)."""
    if not rows:
        return
    widths = [max(width(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        cells = [pad(cell, column) for cell, column in zip(row[:-1], widths)] + [row[-1]]
        out(("  " + "  ".join(cells)).rstrip())


def when(value: Any, zone: dt.tzinfo) -> str:
    """A stored timestamp (ISO text or datetime; naive is UTC) as ``YYYY-MM-DD HH:MM`` in the
    window's time zone (``settings.zone``), whatever the machine is set to."""
    if isinstance(value, (str, dt.datetime)):
        return shown(value, zone)
    return str(value)


def department_short(catalog: Catalog, department_id: str) -> str:
    """A department for narrow columns: its short name (市场监管 / Market Reg.)."""
    department = catalog.body(department_id)
    if department is None:
        return department_id
    if department.short_name:
        return str(department.short_name)
    return department_id if english() else department.name.zh


def department_name(catalog: Catalog, department_id: str) -> str:
    """A department in words: its short name (市场监管), in English its English name."""
    department = catalog.body(department_id)
    if department is None:
        return department_id
    if english():
        return str(department.name)
    return str(department.short_name or department.name)


def tolerate_narrow_encodings() -> None:
    """On a console that cannot show Chinese, print escapes instead of failing."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf16", "utf32", "gb18030") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(Exception):
                stream.reconfigure(errors="backslashreplace")
