"""What a text a person or a file gives the window may hold: printable characters, within a length.

Refused, each in words that say where: NUL and other control characters (a newline only where a
text may have several lines), the invisible marks that reorder how text is shown (bidi
embeddings, overrides and isolates, e.g. U+202E, which can make "exe.txt" read "txt.exe"), lone
UTF-16 surrogates (which no encoder can write), and more characters than the text's maximum.
"""

from __future__ import annotations

import unicodedata

from window_app.domain.words import Words

MAX_TEXT_LENGTH = 200
"""A one-line value (a name, a number, an address, a form field) unless its field says otherwise."""

MAX_NOTE_LENGTH = 500
"""A clerk's note on a material (may have several lines)."""

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Marks that change the order text is shown in without being seen themselves."""


def text_problem(value: str, *, multiline: bool = False, max_length: int | None = MAX_TEXT_LENGTH) -> Words | None:
    """Why ``value`` may not be taken as it is, or ``None``.

    Args:
        multiline: A newline is allowed (a note); elsewhere it is a control character.
        max_length: The most characters allowed; ``None`` when a check of its own limits it.
    """
    for position, char in enumerate(value, start=1):
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            return Words(
                "第 {i} 个字符无效（不成对的代理项 U+{c:04X}）",
                "Character {i} is invalid (a lone surrogate, U+{c:04X})",
            ).format(i=position, c=code)
        if char == "\n" and multiline:
            continue
        if unicodedata.category(char) == "Cc":
            return Words(
                "第 {i} 个字符是控制字符 U+{c:04X}，不能保存",
                "Character {i} is a control character (U+{c:04X})",
            ).format(i=position, c=code)
        if char in BIDI_CONTROLS:
            return Words(
                "第 {i} 个字符是看不见的文字方向控制符 U+{c:04X}，请删除",
                "Character {i} is an invisible direction mark (U+{c:04X})",
            ).format(i=position, c=code)
    if max_length is not None and len(value) > max_length:
        return Words("过长：{n} 个字，最多 {m} 个字", "Too long: {n} characters, at most {m}").format(
            n=len(value), m=max_length
        )
    return None
