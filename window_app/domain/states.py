"""The states of an application and of its department parts, in words.

The state codes are :mod:`window_app.domain.applications`' (``APPLICATION_STATES``, ``PART_STATES``);
this is the one place that says them to a person, for the screens (which add their marks and
styles) and the CLI alike. It imports nothing but :mod:`window_app.domain.words`, so the CLI can use it
without loading the storage or Textual. A state not listed here yet is shown by its code, never
hidden.
"""

from __future__ import annotations

import datetime as dt

from window_app.domain.words import Words, tr

APPLICATION_STATE_WORDS: dict[str, Words] = {
    "accepted": Words("已受理", "accepted"),
    "in_progress": Words("办理中", "in progress"),
    "supplement_needed": Words("需补正", "supplement needed"),
    "concluded": Words("已办结", "concluded"),
    "rejected": Words("不予受理", "rejected"),
}
"""Application state → its words."""

PART_STATE_WORDS: dict[str, Words] = {
    "queued": Words("待发送", "queued"),
    "waiting": Words("待前置结果", "awaiting a prerequisite"),
    "sent": Words("已发送", "sent"),
    "received": Words("部门已接收", "received"),
    "approved": Words("已同意", "approved"),
    "rejected": Words("不予许可", "rejected"),
    "supplement_needed": Words("需补正", "supplement needed"),
    "cancelled": Words("已取消", "cancelled"),
    "awaiting_acknowledgement": Words("待部门签收", "awaiting acknowledgement"),
    "handed_over": Words("已移交签收", "handed over"),
}
"""Department part state → its words. A part's ``rejected`` is a department's refusal
(不予许可), not the application's (不予受理): the two tables differ on purpose. A part is
``cancelled`` when a prerequisite was refused: it is never sent."""

SHOWN_PART_STATE_WORDS: dict[str, Words] = {
    "quarantined": Words("已退回", "returned"),  # by the exchange: the detail says so in full
    "supplement_queued": Words("补正待发送", "supplement queued"),
    "supplement_sent": Words("补正已送达", "supplement sent"),
}
"""States a part is *shown* in, never stored (:attr:`window_app.domain.applications.DepartmentPart.shown_state`):
what its envelopes add — refused for good by the exchange, a supplement recorded, a supplement
delivered."""


def application_state_label(state: str) -> str:
    """An application's state in words, in the current language (the code itself when unknown)."""
    return _words(APPLICATION_STATE_WORDS, state)


def part_state_label(state: str) -> str:
    """A department part's state in words, in the current language (the code itself when unknown)."""
    return _words(PART_STATE_WORDS if state in PART_STATE_WORDS else SHOWN_PART_STATE_WORDS, state)


def _words(table: dict[str, Words], state: str) -> str:
    known = table.get(state)
    return str(known) if known else state


DECIDED_PART_STATES = ("approved", "rejected")
"""(A handed-over part is finished too, but nothing was decided: it has no "took".)"""
"""A part in one of these has its department's last word (a supplement request is not one)."""

CLOCK_TOLERANCE_SECONDS = 120
"""An end up to this much before its start is a rounding or a clock's drift, not an error."""


def duration_words(start: str | None, end: str | None) -> str:
    """How long from one ISO time to another, short: ``2时14分`` / ``2h 14m``, ``35分``,
    ``3天2时``, ``<1分``; empty when either is missing or not a time, or ``end`` is well
    before ``start`` (clocks that disagree are not shown as a duration; a little earlier is
    ``<1分``: the exchange stamps whole seconds, the window milliseconds, on two clocks)."""
    if not start or not end:
        return ""
    try:
        begin, finish = dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
        seconds = (finish - begin).total_seconds()
    except (TypeError, ValueError):  # not ISO, or one aware and one naive
        return ""
    if seconds < -CLOCK_TOLERANCE_SECONDS:
        return ""
    minutes = int(seconds // 60)
    if minutes < 1:
        return tr("<1分", "<1m")
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return tr("{d}天{h}时", "{d}d {h}h", d=days, h=hours) if hours else tr("{d}天", "{d}d", d=days)
    if hours:
        return tr("{h}时{m}分", "{h}h {m}m", h=hours, m=minutes) if minutes else tr("{h}时", "{h}h", h=hours)
    return tr("{m}分", "{m}m", m=minutes)


def part_took(part: object) -> str:
    """The time a decided part (approved or refused) took: from delivery (or, if that is
    unknown, from the department's receipt) to its decision; empty until it is decided.

    ``part`` is anything with ``state``, ``sent_at``, ``received_at`` and ``decided_at`` (a
    :class:`~window_app.domain.applications.DepartmentPart`)."""
    if getattr(part, "state", "") not in DECIDED_PART_STATES:
        return ""
    return duration_words(getattr(part, "sent_at", None) or getattr(part, "received_at", None), getattr(part, "decided_at", None))
