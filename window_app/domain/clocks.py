"""Statutory clocks (法定时限): one per department part, and the bundle's date from its slowest stage.

A part's clock starts when the part is dispatched: stage 1 at acceptance, a later stage when every
item of the stages before it is concluded (its prerequisites). Its limit is the longest statutory
time limit (``time_limit_days``) of the part's items, in working days on the official calendar
(:mod:`window_app.domain.calendar`). It stands still while a prerequisite is pending (it has not
started) and while a 补正 is outstanding: from the department's supplement request until the
supplement is handed in at the window. It stops when every item of the part is decided.

A running clock is *due soon* (即将超期) once 80% of its limit has passed and *overdue* (已超期)
once more than the limit has. Everything here is a pure function of the facts the window stores
(:class:`ClockFacts`); :mod:`offline_cache.clocks` gathers them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from window_app.domain.calendar import WorkingCalendar, official_calendar
from window_app.domain.words import Words

DUE_SOON_SHARE = 0.8
"""The share of a limit after which a clock warns (即将超期)."""

DUE_SOON = "due_soon"
OVERDUE = "overdue"
WARNINGS = (DUE_SOON, OVERDUE)

WARNING_WORDS: dict[str, Words] = {
    DUE_SOON: Words("即将超期", "due soon"),
    OVERDUE: Words("已超期", "overdue"),
}

CLOCK_STATE_WORDS: dict[str, Words] = {
    "running": Words("计时中", "running"),
    "paused": Words("补正暂停", "paused for a supplement"),
    "waiting": Words("待前置结果", "awaiting a prerequisite"),
    "stopped": Words("已办结", "concluded"),
    "cancelled": Words("已取消", "cancelled"),
}

FINISHED_PART_STATES = frozenset({"approved", "rejected", "handed_over", "cancelled"})
"""Part states in which the department's clock no longer runs."""


@dataclass(frozen=True)
class PartFacts:
    """What the window stores of one department part, for its clock.

    Attributes:
        department: The office the part went to.
        stage: Its dispatch stage (1, 2 …).
        items: The part's items.
        state: The part's stored state (``queued``, ``waiting``, ``approved`` …).
    """

    department: str
    stage: int
    items: tuple[str, ...]
    state: str


@dataclass(frozen=True)
class Pause:
    """A 补正 on one part: requested on ``start``, handed in on ``end`` (``None``: still outstanding)."""

    department: str
    stage: int
    start: dt.date
    end: dt.date | None = None


@dataclass(frozen=True)
class ClockFacts:
    """One application's stored facts, days already in the window's time zone.

    Attributes:
        receipt_no: The application.
        accepted_on: The day it was accepted (stage 1's start).
        parts: Its department parts.
        limits: Item id → statutory limit in working days (from the catalog).
        concluded_on: Item id → the day its final decision (approved / rejected) was made.
        pauses: Its 补正 requests and when each was handed in.
        clerk: The 工号 of the clerk who accepted it (a supervisor's view across clerks).
    """

    receipt_no: str
    accepted_on: dt.date
    parts: tuple[PartFacts, ...]
    limits: dict[str, int]
    concluded_on: dict[str, dt.date] = field(default_factory=dict)
    pauses: tuple[Pause, ...] = ()
    clerk: str = ""


@dataclass(frozen=True)
class PartClock:
    """One part's clock on a given day.

    Attributes:
        state: ``running``, ``paused`` (补正 outstanding), ``waiting`` (a prerequisite pending),
            ``stopped`` (decided) or ``cancelled``.
        limit_days: The statutory limit in working days.
        started_on: When it started (``None`` while waiting).
        used_days: Working days counted so far (pauses left out).
        paused_days: Working days it stood still for 补正.
        due_on: The day the limit ends, pauses added (``None`` while waiting or cancelled). For an
            outstanding 补正 the pause is counted up to ``today``: the day moves while it lasts.
        ended_on: When its last item was decided (stopped parts).
        warning: ``due_soon``, ``overdue`` or ``""`` (stopped, cancelled and waiting clocks warn not).
    """

    receipt_no: str
    department: str
    stage: int
    state: str
    limit_days: int
    started_on: dt.date | None = None
    used_days: int = 0
    paused_days: int = 0
    due_on: dt.date | None = None
    ended_on: dt.date | None = None
    warning: str = ""

    @property
    def late(self) -> bool:
        """Concluded after its due day."""
        return bool(self.ended_on and self.due_on and self.ended_on > self.due_on)


@dataclass(frozen=True)
class ApplicationClock:
    """Every part's clock and the bundle's statutory date (its slowest stage's end).

    Attributes:
        parts: One clock per part, by stage and department.
        due_on: When the last stage is due: each stage starts at the end (actual, or due) of the
            one before it. ``None`` when nothing is left to run (every part cancelled).
        warning: The worst warning of its parts.
        clerk: The 工号 of the clerk who accepted it.
    """

    receipt_no: str
    parts: tuple[PartClock, ...]
    due_on: dt.date | None
    warning: str = ""
    clerk: str = ""


def _warning(used: int, limit: int) -> str:
    if used > limit:
        return OVERDUE
    if used and used >= limit * DUE_SOON_SHARE:  # the day of dispatch never warns (a 0-day 即办 item)
        return DUE_SOON
    return ""


def _paused_days(
    pauses: list[Pause], start: dt.date, until: dt.date, today: dt.date, calendar: WorkingCalendar
) -> tuple[int, bool]:
    """Working days of ``pauses`` between ``start`` and ``until`` (overlaps counted once), and
    whether one is outstanding."""
    days: set[dt.date] = set()
    open_now = False
    for pause in pauses:
        end = pause.end if pause.end is not None else today
        open_now = open_now or pause.end is None
        current = max(pause.start, start)
        last = min(end, until)
        while current < last:
            current += dt.timedelta(days=1)
            if calendar.is_working_day(current):
                days.add(current)
    return len(days), open_now


def part_clock(
    facts: ClockFacts,
    part: PartFacts,
    started_on: dt.date | None,
    today: dt.date,
    calendar: WorkingCalendar,
) -> PartClock:
    """One part's clock, given when its stage started (``None``: a prerequisite is pending)."""
    limit = max((facts.limits.get(item, 0) for item in part.items), default=0)
    base = PartClock(facts.receipt_no, part.department, part.stage, "waiting", limit)
    if part.state == "cancelled":
        return PartClock(facts.receipt_no, part.department, part.stage, "cancelled", limit)
    if started_on is None:
        return base
    ended = None
    if part.state in FINISHED_PART_STATES:
        decided = [facts.concluded_on[item] for item in part.items if item in facts.concluded_on]
        ended = max(decided) if decided else started_on  # handed over, nothing decided
    until = ended or today
    mine = [p for p in facts.pauses if p.department == part.department and p.stage == part.stage]
    paused, outstanding = _paused_days(mine, started_on, until, today, calendar) if mine else (0, False)
    used = max(calendar.working_days_between(started_on, until) - paused, 0)
    due = calendar.add_working_days(started_on, limit + paused)
    if ended is not None:
        return PartClock(
            facts.receipt_no, part.department, part.stage, "stopped", limit, started_on, used, paused, due, ended
        )
    return PartClock(
        facts.receipt_no, part.department, part.stage, "paused" if outstanding else "running", limit,
        started_on, used, paused, due, None, _warning(used, limit),
    )


def application_clock(
    facts: ClockFacts, today: dt.date, calendar: WorkingCalendar | None = None
) -> ApplicationClock:
    """Every part's clock on ``today``, and the bundle's date from its slowest stage."""
    calendar = calendar or official_calendar()
    clocks: list[PartClock] = []
    stage_start: dt.date | None = facts.accepted_on  # stage 1 starts at acceptance
    projected: dt.date | None = facts.accepted_on  # when the stage before is (or will be) done
    for stage in sorted({part.stage for part in facts.parts}):
        parts = sorted((p for p in facts.parts if p.stage == stage), key=lambda p: p.department)
        stage_clocks = [part_clock(facts, part, stage_start, today, calendar) for part in parts]
        if stage_start is None and projected is not None:
            # Not started: its date is projected from the stage before's due day.
            projected = max(
                (calendar.add_working_days(projected, c.limit_days) for c in stage_clocks if c.state != "cancelled"),
                default=projected,
            )
        else:
            ends = [c.ended_on or c.due_on for c in stage_clocks if c.state != "cancelled"]
            projected = max((end for end in ends if end is not None), default=projected)
        clocks += stage_clocks
        live = [c for c in stage_clocks if c.state != "cancelled"]
        if stage_start is not None and live and all(c.state == "stopped" for c in live):
            stage_start = max(c.ended_on for c in live if c.ended_on is not None)
        else:
            stage_start = None  # the next stage waits for this one
    warning = OVERDUE if any(c.warning == OVERDUE for c in clocks) else (
        DUE_SOON if any(c.warning == DUE_SOON for c in clocks) else ""
    )
    live_any = any(c.state != "cancelled" for c in clocks)
    return ApplicationClock(facts.receipt_no, tuple(clocks), projected if live_any else None, warning, facts.clerk)


def clock_words(clock: PartClock) -> Words:
    """A part's clock, short: ``已用3/5个工作日，2026-12-14到期`` / ``3 of 5 working days used, due 2026-12-14``."""
    state = CLOCK_STATE_WORDS.get(clock.state, Words(clock.state, clock.state))
    if clock.state in ("waiting", "cancelled"):
        return state
    due = clock.due_on.isoformat() if clock.due_on else ""
    zh = f"已用{clock.used_days}/{clock.limit_days}个工作日，{due}到期"
    en = f"{clock.used_days} of {clock.limit_days} working days used, due {due}"
    if clock.state == "paused":
        zh, en = f"{zh}（{state.zh}）", f"{en} ({state.en})"
    if clock.warning:
        warn = WARNING_WORDS[clock.warning]
        zh, en = f"{warn.zh}：{zh}", f"{warn.en}: {en}"
    return Words(zh, en)
