"""The states of an application and of its department parts, in words (中文 / English).

The state codes are :mod:`window_app.applications`' (``APPLICATION_STATES``, ``PART_STATES``);
this is the one place that says them to a person, for the screens (which add their marks and
styles) and the CLI alike. It imports nothing but :mod:`window_app.i18n`, so the CLI can use it
without loading the storage or Textual. A state not listed here yet is shown by its code, never
hidden.
"""

from __future__ import annotations

from window_app.i18n import tr

APPLICATION_STATE_WORDS: dict[str, tuple[str, str]] = {
    "accepted": ("已受理", "accepted"),
    "in_progress": ("办理中", "in progress"),
    "supplement_needed": ("需补正", "supplement needed"),
    "concluded": ("已办结", "concluded"),
    "rejected": ("不予受理", "rejected"),
}
"""Application state → (中文, English)."""

PART_STATE_WORDS: dict[str, tuple[str, str]] = {
    "queued": ("待发送", "queued"),
    "waiting": ("待前置结果", "awaiting a prerequisite"),
    "sent": ("已发送", "sent"),
    "received": ("部门已接收", "received"),
    "approved": ("已同意", "approved"),
    "rejected": ("不予许可", "rejected"),
    "supplement_needed": ("需补正", "supplement needed"),
    "cancelled": ("已取消", "cancelled"),
}
"""Department part state → (中文, English). A part's ``rejected`` is a department's refusal
(不予许可), not the application's (不予受理): the two tables differ on purpose. A part is
``cancelled`` when a prerequisite was refused: it is never sent."""


def application_state_label(state: str) -> str:
    """An application's state in words, in the current language (the code itself when unknown)."""
    return _words(APPLICATION_STATE_WORDS, state)


def part_state_label(state: str) -> str:
    """A department part's state in words, in the current language (the code itself when unknown)."""
    return _words(PART_STATE_WORDS, state)


def _words(table: dict[str, tuple[str, str]], state: str) -> str:
    known = table.get(state)
    return tr(*known) if known else state
