"""The one exception root for everything the app tells a person.

Every failure that reaches a clerk, a department reviewer or an operator is a
:class:`WindowAppError` (or a subclass) carrying its :class:`~window_app.domain.words.Words`.
A screen shows ``str(error)`` (the current language), the CLI prints it, the exchange answers
with both halves. Subclasses add what a caller needs to decide (a storage failure's ``kind``,
an HTTP status, a catalog's problems), never the words themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from window_app.domain.words import Words


class WindowAppError(Exception):
    """Something the app tells a person, in both languages.

    Attributes:
        words: What happened and, where there is one, what to do about it.
        details: One line per problem under the words (may be empty).
    """

    def __init__(self, words: Words, details: Sequence[Words | str] = ()):
        if not isinstance(words, Words):  # a plain string would silently be one language only
            raise TypeError(f"{type(self).__name__} needs Words, not {type(words).__name__}")
        super().__init__(words.in_language("en"))
        self.words = words
        self.details: list[Words | str] = list(details)

    def __str__(self) -> str:
        return str(self.words)

    def lines(self) -> list[str]:
        """The words and their details, each a line, in the current language."""
        return [str(self.words), *(str(detail) for detail in self.details)]


class StorageError(WindowAppError):
    """The database could not be read or written; the words say why, and what to do.

    Attributes:
        kind: ``locked``, ``full``, ``readonly``, ``corrupt``, ``io``, ``too_new`` or ``other``:
            lets a screen decide whether "retry" makes sense.
    """

    def __init__(self, words: Words, kind: str = "other"):
        super().__init__(words)
        self.kind = kind
