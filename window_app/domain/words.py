"""Words in both interface languages: the one bilingual value type.

Simplified Chinese is the default; English is selectable. Every text a person reads is a
:class:`Words` (Chinese and English together) until the moment it is shown; ``str(words)`` is
the current language's half. :func:`tr` is the shorthand for text shown at once:
``tr("受理", "Accept")`` is ``str(Words("受理", "Accept"))``.

In data (SQLite, JSON files, the wire) words are stored as ``{"zh": …, "en": …}``
(:meth:`Words.to_json` / :meth:`Words.from_json`). The catalog's TOML keeps its documented
``name`` / ``name_en`` keys; the loader turns each pair into one :class:`Words`.

The current language is process-wide: the app switches it at run time and recomposes its screens.
:func:`speaking` overrides it for one thread or task only: a notice printed in Chinese for the
applicant while the clerk's screens stay English.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_current: Language = "zh"
_speaking: ContextVar[Language | None] = ContextVar("speaking", default=None)


def set_language(language: str) -> None:
    """Switch the interface language (``"zh"`` or ``"en"``)."""
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    _current = language  # type: ignore[assignment]


def language() -> Language:
    """The current language: :func:`speaking`'s inside one, else the interface language."""
    return _speaking.get() or _current


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Words are in ``language`` inside the block, in this thread or task only; ``""`` keeps
    the current one."""
    if language and language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    token = _speaking.set(language or _speaking.get() or _current)  # type: ignore[arg-type]
    try:
        yield
    finally:
        _speaking.reset(token)


@dataclass(frozen=True, slots=True)
class Words:
    """A text in Chinese and English.

    Attributes:
        zh: The Simplified Chinese text (always present).
        en: The English text; empty falls back to the Chinese.
    """

    zh: str
    en: str = ""

    def __str__(self) -> str:
        return self.in_language(_speaking.get() or _current)

    def in_language(self, language: str) -> str:
        """The text in ``language`` (English falls back to Chinese when missing)."""
        return self.en if language == "en" and self.en else self.zh

    def format(self, **params: Any) -> Words:
        """Both halves formatted with ``params``; a parameter that is :class:`Words` is
        formatted in each half's own language."""
        zh = {k: v.zh if isinstance(v, Words) else v for k, v in params.items()}
        en = {k: v.in_language("en") if isinstance(v, Words) else v for k, v in params.items()}
        return Words(self.zh.format(**zh), (self.en or self.zh).format(**en))

    def __add__(self, other: Words | str) -> Words:
        if isinstance(other, Words):
            return Words(self.zh + other.zh, self.in_language("en") + other.in_language("en"))
        return Words(self.zh + other, self.in_language("en") + other)

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)

    def __reduce__(self) -> tuple:
        # A constructor call: pickle's default for a slotted dataclass sets each field through
        # dataclasses.fields(), several times slower (the catalog snapshot holds thousands).
        return Words, (self.zh, self.en)

    def to_json(self) -> dict[str, str]:
        """The stored form: ``{"zh": …, "en": …}``."""
        return {"zh": self.zh, "en": self.en}

    @classmethod
    def from_json(cls, data: object) -> Words:
        """Words read back from :meth:`to_json`'s form; a bare string is taken as Chinese only.

        Raises:
            ValueError: ``data`` is neither a string nor a mapping with a string ``zh``.
        """
        if isinstance(data, Words):
            return data
        if isinstance(data, str):
            return cls(data)
        if isinstance(data, Mapping) and isinstance(data.get("zh"), str):
            en = data.get("en", "")
            return cls(data["zh"], en if isinstance(en, str) else "")
        raise ValueError(f"not words: {data!r}")

    @classmethod
    def join(cls, separator: Words | str, parts: Iterable[Words | str]) -> Words:
        """``separator.join(parts)`` in each language."""
        items = [p if isinstance(p, Words) else Words(p, p) for p in parts]
        sep = separator if isinstance(separator, Words) else Words(separator, separator)
        return cls(
            sep.zh.join(p.zh for p in items),
            sep.in_language("en").join(p.in_language("en") for p in items),
        )


NO_WORDS = Words("")


def counted(count: int, singular: str, plural: str = "") -> str:
    """``count`` and an English noun in the number it takes: ``1 field``, ``2 fields``, ``0 fields``.

    The one place English plurals are made (Chinese needs none): put it in a message's English
    half, ``Words("{n} 个字段", "{fields}").format(n=n, fields=counted(n, "field"))``.

    Args:
        singular: The noun (or words ending in it: ``department event``).
        plural: For an irregular noun; else made by rule (``entry`` → ``entries``,
            ``box`` → ``boxes``, ``field`` → ``fields``).
    """
    if count == 1:
        return f"{count} {singular}"
    if not plural:
        if singular.endswith("y") and singular[-2:-1] not in ("a", "e", "i", "o", "u"):
            plural = singular[:-1] + "ies"
        elif singular.endswith(("s", "x", "z", "ch", "sh")):
            plural = singular + "es"
        else:
            plural = singular + "s"
    return f"{count} {plural}"


def tr(zh: str, en: str, **params: Any) -> str:
    """The text in the current language, formatted with ``params`` if any (text shown at once)."""
    words = Words(zh, en)
    return str(words.format(**params) if params else words)

