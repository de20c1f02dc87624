"""How TOML values are named in problem messages, and which of them repeat."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__  # datetime, date, time


def described(value: Any) -> str:
    """``integer 3``, ``string 'x'``, or just ``table`` for values too big to quote."""
    shown = show(value)
    return f"{type_name(value)} {shown}" if shown else type_name(value)


def show(value: Any) -> str:
    """A value as the data author wrote it, shortened."""
    if isinstance(value, str):
        shown = f"'{value}'"
    elif isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, (dict, list)):
        return ""
    else:
        shown = str(value)
    return shown if len(shown) <= 60 else shown[:57] + "…'"


def duplicates(values: Iterable[str]) -> list[str]:
    """The values that occur more than once, each named once, in order of first repeat."""
    seen: set[str] = set()
    repeated: list[str] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated
