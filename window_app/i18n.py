"""Interface language: Simplified Chinese by default, English selectable.

Strings live where they are used, as pairs: ``tr("受理", "Accept")``. One call site owns both
languages, so a screen and its words never drift apart, and there is no central table for
parallel work to collide on. The current language is process-wide: the app switches it at
runtime and recomposes its screens.
"""

from __future__ import annotations

from typing import Any, Literal

Language = Literal["zh", "en"]
LANGUAGES: tuple[Language, ...] = ("zh", "en")

_current: Language = "zh"


def set_language(language: str) -> None:
    """Switch the interface language (``"zh"`` or ``"en"``)."""
    global _current
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    _current = language  # type: ignore[assignment]


def language() -> Language:
    """The current interface language."""
    return _current


def tr(zh: str, en: str, **params: Any) -> str:
    """The text in the current language, formatted with ``params`` if any."""
    text = en if _current == "en" else zh
    return text.format(**params) if params else text


def pick(obj: Any, attr: str = "name") -> str:
    """A bilingual catalog attribute: ``obj.name`` or ``obj.name_en`` (falling back to Chinese)."""
    if _current == "en":
        english = getattr(obj, f"{attr}_en", "")
        if english:
            return english
    return getattr(obj, attr)
