"""One TOML table being read into an entry: typed getters that report, never raise."""

from __future__ import annotations

import difflib
import re
from typing import Any

from window_app.catalog.partial import PartialCatalog
from window_app.catalog.values import described, show
from window_app.domain.words import Words

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

_MISSING = object()


class Table:
    """One TOML table being read; remembers the keys asked for so that unknown ones (typos) are reported.

    Every getter returns a usable value even when the data is wrong (reporting the problem),
    so one mistake does not hide the next.
    """

    def __init__(self, data: dict, file: str, entry: str, partial: PartialCatalog):
        self.data = data
        self.file = file
        self.entry = entry
        self.partial = partial
        self.known: set[str] = set()

    def problem(self, reason: str) -> None:
        self.partial.problem(self.file, self.entry, reason)

    def child(self, data: dict, entry: str) -> Table:
        return Table(data, self.file, f"{self.entry} / {entry}", self.partial)

    def _get(self, key: str, required: bool) -> Any:
        self.known.add(key)
        if key not in self.data:
            if required:
                self.problem(f"missing required key '{key}'")
            return _MISSING
        return self.data[key]

    def _wrong_type(self, key: str, expected: str, value: Any) -> None:
        self.problem(f"'{key}' must be {expected}, not {described(value)}")

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            self._wrong_type(key, "a string", value)
            return default
        if required and not value.strip():
            self.problem(f"'{key}' must not be empty")
        return self.partial.share(value)

    def words(self, key: str) -> Words:
        """A required user-visible text: ``key`` (Chinese) and its English twin ``{key}_en`` as one :class:`Words`."""
        return self.partial.share(Words(self.text(key, required=True), self.text(f"{key}_en", required=True)))

    def bilingual(self, key: str) -> Words:
        """An optional user-visible text: ``key`` and its English twin ``{key}_en`` as one :class:`Words`.

        Either both are given or neither: one without the other is reported, so no text stays
        Chinese in English mode (or shows nothing in Chinese mode).
        """
        text = self.text(key)
        english = self.text(f"{key}_en")
        if bool(text) != bool(english):
            missing = f"{key}_en" if text else key
            self.problem(f"'{missing}' is missing: every user-visible text has a Chinese and an English twin")
        return self.partial.share(Words(text, english))

    def identifier(self, key: str = "id") -> str:
        value = self.text(key, required=True)
        if value and not ID_PATTERN.match(value):
            rule = "lowercase letters, digits and _, starting with a letter"
            self.problem(f"'{key}' {show(value)} is not a valid id ({rule})")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self._wrong_type(key, "true or false", value)
            return default
        return value

    def integer(
        self, key: str, required: bool = False, default: int | None = None, minimum: int | None = None
    ) -> int | None:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self._wrong_type(key, "an integer", value)
            return default
        if minimum is not None and value < minimum:
            self.problem(f"'{key}' must be at least {minimum}, not {value}")
        return value

    def number(self, key: str) -> float | None:
        value = self._get(key, False)
        if value is _MISSING:
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            self._wrong_type(key, "a number", value)
            return None
        return value

    def one_of(self, key: str, allowed: tuple, required: bool = False, default: Any = None) -> Any:
        value = self._get(key, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or value not in allowed:
            listed = ", ".join(show(a) for a in allowed)
            self.problem(f"'{key}' must be one of {listed}, not {show(value)}")
            return default
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            self._wrong_type(key, "an array of strings", value)
            return ()
        good = []
        share = self.partial.share
        for position, element in enumerate(value, start=1):
            if isinstance(element, str):
                good.append(share(element))
            else:
                self.problem(f"'{key}' element {position} must be a string, not {described(element)}")
        return share(tuple(good))

    def array(self, key: str, required: bool = False) -> list:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self._wrong_type(key, "an array", value)
            return []
        return value

    def table(self, key: str) -> dict | None:
        value = self._get(key, False)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self._wrong_type(key, "a table", value)
            return None
        return value

    def tables(self, key: str, required: bool = False) -> list[dict]:
        value = self._get(key, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
            self._wrong_type(key, f"an array of tables [[…{key}]]", value)
            return []
        return value

    def finish(self) -> None:
        """Report keys nobody asked for: almost always a typo."""
        for key in self.data:
            if key in self.known:
                continue
            close = difflib.get_close_matches(key, sorted(self.known), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            self.problem(f"unknown key '{key}'{hint}")


def entry_label(kind: str, data: dict, key: str, position: int) -> str:
    """``item tax_registration``, or ``item #3`` while the id is missing or not a string."""
    value = data.get(key)
    return f"{kind} {value}" if isinstance(value, str) and value else f"{kind} #{position}"
