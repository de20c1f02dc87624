"""Words in a column: ``{"zh": …, "en": …}`` (:meth:`Words.to_json`) as JSON text.

An empty column is no words (``''``, the columns' default, stays the mark for "none").
"""

from __future__ import annotations

import json

from window_app.domain.words import NO_WORDS, Words


def words_to_column(words: Words) -> str:
    """The column's text for ``words``; ``''`` for none."""
    return json.dumps(words.to_json(), ensure_ascii=False) if words else ""


def words_from_column(text: str | None) -> Words:
    """The words a column holds (no words for an empty one)."""
    if not text:
        return NO_WORDS
    try:
        return Words.from_json(json.loads(text))
    except ValueError:  # not JSON, or JSON that is not words: show the text as it is
        return Words(text)
