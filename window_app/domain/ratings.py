"""好差评: the applicant's rating of a service, and the rectification case a 差评 opens.

Pure records and checks, shared by the window and the exchange (both import this module):

- a rating is one of five levels (the national scale, 5 非常满意 … 1 非常不满意) with optional
  reasons from the national list (``window_app/data/ratings/reasons.toml``), given once per
  application and occasion (``receipt``: after the receipt, at the window; ``conclusion``: once
  concluded, at the window or from the tracking page), never changed afterwards;
- a 差评 (level 2 不满意 or 1 非常不满意) opens a rectification case (整改) due
  :data:`RECTIFY_WORKING_DAYS` working days later: assigned, called back (回访), fixed, closed.

The wire shapes (:func:`rating_to_json` / :func:`rating_from_json`, the same for cases) are what
``POST /v1/ratings`` carries (docs/exchange-api.md).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from window_app.domain.words import Words

LEVELS = (5, 4, 3, 2, 1)
"""The levels in the order they are offered: the best first (national 5-level scale)."""

LEVEL_WORDS: dict[int, Words] = {
    5: Words("非常满意", "Very satisfied"),
    4: Words("满意", "Satisfied"),
    3: Words("基本满意", "Fairly satisfied"),
    2: Words("不满意", "Dissatisfied"),
    1: Words("非常不满意", "Very dissatisfied"),
}

BAD_LEVELS = frozenset({1, 2})
"""差评: these levels open a rectification case."""

RECEIPT = "receipt"
CONCLUSION = "conclusion"
OCCASIONS = (RECEIPT, CONCLUSION)
OCCASION_WORDS = {RECEIPT: Words("受理后", "after the receipt"), CONCLUSION: Words("办结后", "at conclusion")}

AT_WINDOW = "window"
TRACKING = "tracking"
CHANNELS = (AT_WINDOW, TRACKING)
CHANNEL_WORDS = {AT_WINDOW: Words("窗口评价", "at the window"), TRACKING: Words("手机查询页评价", "from the tracking page")}

RECTIFY_WORKING_DAYS = 15
"""A 差评's rectification is due this many working days after the rating."""

MAX_NOTE = 500
"""The longest note (a call-back, a fix) in characters."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")


def is_bad(level: int) -> bool:
    """Whether ``level`` is a 差评 (opens a rectification case)."""
    return level in BAD_LEVELS


# -- the reasons -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason from the national list.

    Attributes:
        code: Its stable code (``B03``), what a rating stores.
        side: ``good`` (offered with levels 5–3) or ``bad`` (with 2 and 1).
        words: What the applicant reads.
    """

    code: str
    side: str
    words: Words


@functools.cache
def reasons() -> tuple[Reason, ...]:
    """The shipped list (package data, read once)."""
    text = resources.files("window_app").joinpath("data/ratings/reasons.toml").read_text(encoding="utf-8")
    return tuple(
        Reason(code=entry["code"], side=entry["side"], words=Words(entry["name"], entry["name_en"]))
        for entry in tomllib.loads(text)["reason"]
    )


def reason_by_code() -> dict[str, Reason]:
    return {reason.code: reason for reason in reasons()}


def reasons_for(level: int) -> tuple[Reason, ...]:
    """The reasons offered with ``level``: the 差评 reasons for 2 and 1, the others for 5–3."""
    side = "bad" if is_bad(level) else "good"
    return tuple(reason for reason in reasons() if reason.side == side)


def reasons_words(codes: tuple[str, ...] | list[str]) -> Words:
    """The reasons' names joined (``多次跑动、超时办结``), unknown codes as they are."""
    known = reason_by_code()
    names = [known[code].words if code in known else Words(code) for code in codes]
    return Words("、".join(n.zh for n in names), "; ".join(n.en for n in names))


# -- a rating ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rating:
    """One rating as given (never changed).

    Attributes:
        rating_id: Unique everywhere (``<receipt no>/<occasion>``: one per occasion).
        receipt_no: The application rated.
        occasion: ``receipt`` or ``conclusion``.
        level: 5 非常满意 … 1 非常不满意.
        reasons: Codes of the ticked reasons (of :func:`reasons_for` the level).
        channel: ``window`` (the rating step at the window) or ``tracking`` (the phone).
        window_id: The window that accepted the application.
        clerk_id: The clerk who served the applicant (whose service is rated; never the one
            who rated: the applicant did).
        offering_id: The bundle or item.
        departments: The departments the application went to (counted per department).
        rated_at: UTC, ISO 8601.
    """

    rating_id: str
    receipt_no: str
    occasion: str
    level: int
    reasons: tuple[str, ...]
    channel: str
    window_id: str
    clerk_id: str
    offering_id: str
    departments: tuple[str, ...]
    rated_at: str

    @property
    def bad(self) -> bool:
        return is_bad(self.level)

    @property
    def level_words(self) -> Words:
        return LEVEL_WORDS[self.level]


def rating_id_of(receipt_no: str, occasion: str) -> str:
    """The one id a rating of this application and occasion can have (so never two)."""
    return f"{receipt_no}/{occasion}"


def rating_problem(level: object, reason_codes: object, occasion: object = RECEIPT) -> Words | None:
    """Why a rating cannot be recorded, or ``None``: the level 1–5, the reasons of its side of
    the list, each once, the occasion known."""
    if occasion not in OCCASIONS:
        return Words("评价时机须为受理后或办结后", "the occasion must be after the receipt or at conclusion")
    if isinstance(level, bool) or not isinstance(level, int) or level not in LEVEL_WORDS:
        return Words("评价须为 1–5 级", "a rating is a level from 1 to 5")
    if not isinstance(reason_codes, (list, tuple)) or not all(isinstance(code, str) for code in reason_codes):
        return Words("评价理由须为理由编号列表", "the reasons must be a list of reason codes")
    offered = {reason.code for reason in reasons_for(level)}
    wrong = [code for code in reason_codes if code not in offered]
    if wrong:
        return Words("理由 {codes} 不适用于“{level}”", "the reasons {codes} do not go with “{level}”").format(
            codes=", ".join(wrong), level=LEVEL_WORDS[level]
        )
    if len(set(reason_codes)) != len(reason_codes):
        return Words("评价理由重复", "a reason is given twice")
    return None


def rating_to_json(rating: Rating) -> dict[str, Any]:
    return {
        "rating_id": rating.rating_id,
        "receipt_no": rating.receipt_no,
        "occasion": rating.occasion,
        "level": rating.level,
        "reasons": list(rating.reasons),
        "channel": rating.channel,
        "window_id": rating.window_id,
        "clerk_id": rating.clerk_id,
        "offering_id": rating.offering_id,
        "departments": list(rating.departments),
        "rated_at": rating.rated_at,
    }


def rating_from_json(obj: object) -> Rating | Words:
    """A rating from its wire shape, or what is wrong with it (words)."""
    if not isinstance(obj, dict):
        return Words("评价须为 JSON 对象", "a rating must be a JSON object")
    texts = ("rating_id", "receipt_no", "occasion", "channel", "window_id", "clerk_id", "offering_id", "rated_at")
    for key in texts:
        if not isinstance(obj.get(key), str) or len(obj[key]) > 200:
            return Words("评价缺少文本字段 {key}", "the rating's {key} must be a text").format(key=key)
    departments = obj.get("departments")
    if not isinstance(departments, list) or not all(isinstance(d, str) and len(d) <= 100 for d in departments):
        return Words("评价的 departments 须为文本列表", "the rating's departments must be a list of texts")
    problem = rating_problem(obj.get("level"), obj.get("reasons"), obj["occasion"])
    if problem is not None:
        return problem
    if obj["channel"] not in CHANNELS:
        return Words("评价渠道未知：{c}", "unknown rating channel: {c}").format(c=obj["channel"])
    if obj["rating_id"] != rating_id_of(obj["receipt_no"], obj["occasion"]):
        return Words("评价编号须为 受理编号/时机", "the rating id must be <receipt no>/<occasion>")
    if _utc_problem(obj["rated_at"]):
        return Words("评价时间须为带时区的 ISO 时间", "rated_at must be an ISO time with its offset")
    return Rating(
        rating_id=obj["rating_id"],
        receipt_no=obj["receipt_no"],
        occasion=obj["occasion"],
        level=obj["level"],
        reasons=tuple(obj["reasons"]),
        channel=obj["channel"],
        window_id=obj["window_id"],
        clerk_id=obj["clerk_id"],
        offering_id=obj["offering_id"],
        departments=tuple(departments),
        rated_at=obj["rated_at"],
    )


# -- a rectification case ------------------------------------------------------------------

OPEN = "open"
ASSIGNED = "assigned"
CALLED_BACK = "called_back"
FIXED = "fixed"
CLOSED = "closed"
CASE_STATES = (OPEN, ASSIGNED, CALLED_BACK, FIXED, CLOSED)
CASE_STATE_WORDS = {
    OPEN: Words("待分派", "to assign"),
    ASSIGNED: Words("已分派", "assigned"),
    CALLED_BACK: Words("已回访", "called back"),
    FIXED: Words("已整改", "fixed"),
    CLOSED: Words("已办结", "closed"),
}


@dataclass(frozen=True)
class RectificationCase:
    """A 差评's rectification case (整改).

    Attributes:
        case_id: ``ZG-<rating id>``: one case per 差评.
        rating_id: The rating that opened it.
        receipt_no: The application rated.
        level: The rating's level (2 or 1) and ``reasons``: what the applicant ticked.
        state: ``open`` → ``assigned`` → ``called_back`` → ``fixed`` → ``closed``.
        opened_at: UTC ISO time; ``due_on``: the deadline (a date of the window's calendar,
            :data:`RECTIFY_WORKING_DAYS` working days after the rating).
        assignee: Who rectifies (a clerk's 工号 or a department's contact), ``assignee_department``
            the department it concerns (may be empty).
        callback: What the applicant said when called back (回访), ``fix``: what was done.
        closed_by: The supervisor who closed it.
        revision: Counts every change (the exchange keeps the highest it was sent).
        history: ``(at, clerk, action)`` of each step, oldest first.
    """

    case_id: str
    rating_id: str
    receipt_no: str
    level: int
    reasons: tuple[str, ...]
    state: str
    opened_at: str
    due_on: str
    assignee: str = ""
    assignee_department: str = ""
    callback: str = ""
    callback_at: str = ""
    fix: str = ""
    fixed_at: str = ""
    closed_at: str = ""
    closed_by: str = ""
    updated_at: str = ""
    revision: int = 1
    window_id: str = ""
    clerk_id: str = ""
    offering_id: str = ""
    history: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def is_closed(self) -> bool:
        return self.state == CLOSED

    def overdue_on(self, today: dt.date) -> bool:
        """Still open after its due date."""
        return not self.is_closed and today > dt.date.fromisoformat(self.due_on)


def case_id_of(rating_id: str) -> str:
    return f"ZG-{rating_id}"


CASE_FIELDS = (
    "case_id", "rating_id", "receipt_no", "level", "reasons", "state", "opened_at", "due_on", "assignee",
    "assignee_department", "callback", "callback_at", "fix", "fixed_at", "closed_at", "closed_by", "updated_at",
    "revision", "window_id", "clerk_id", "offering_id",
)


def case_to_json(case: RectificationCase) -> dict[str, Any]:
    data = {name: getattr(case, name) for name in CASE_FIELDS}
    data["reasons"] = list(case.reasons)
    return data


def case_from_json(obj: object) -> RectificationCase | Words:
    """A case from its wire shape, or what is wrong with it (words)."""
    if not isinstance(obj, dict):
        return Words("整改单须为 JSON 对象", "a rectification case must be a JSON object")
    for name in CASE_FIELDS:
        value = obj.get(name)
        if name in ("level", "revision"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                return Words("整改单的 {key} 须为正整数", "the case's {key} must be a positive whole number").format(key=name)
        elif name == "reasons":
            if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
                return Words("整改单的 reasons 须为文本列表", "the case's reasons must be a list of texts")
        elif not isinstance(value, str) or len(value) > MAX_NOTE * 3:
            return Words("整改单的 {key} 须为文本", "the case's {key} must be a text").format(key=name)
    if obj["state"] not in CASE_STATES:
        return Words("整改单状态未知：{s}", "unknown case state: {s}").format(s=obj["state"])
    if obj["level"] not in BAD_LEVELS:
        return Words("只有差评才有整改单", "only a 差评 has a rectification case")
    if obj["case_id"] != case_id_of(obj["rating_id"]) or not _ID.fullmatch(obj["rating_id"].replace("/", ":")):
        return Words("整改单编号须为 ZG-<评价编号>", "the case id must be ZG-<rating id>")
    return RectificationCase(**{**{name: obj[name] for name in CASE_FIELDS}, "reasons": tuple(obj["reasons"])})


def note_problem(text: str, what: Words) -> Words | None:
    """Why a call-back or fix note cannot be kept: empty, or longer than :data:`MAX_NOTE`."""
    if not text.strip():
        return Words("请填写{what}", "{what} is required").format(what=what)
    if len(text) > MAX_NOTE:
        return Words("{what}最多 {n} 字", "{what} is at most {n} characters").format(what=what, n=MAX_NOTE)
    return None


def _utc_problem(text: str) -> bool:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return True
    return moment.tzinfo is None


# -- counts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingCount:
    """Ratings of one window, clerk, bundle or department.

    Attributes:
        key: The window id, 工号, offering id or department id.
        by_level: How many of each level (5 … 1).
        open_cases / overdue_cases: Rectification cases not closed / past their due date.
    """

    key: str
    by_level: dict[int, int]
    open_cases: int = 0
    overdue_cases: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_level.values())

    @property
    def bad(self) -> int:
        return sum(n for level, n in self.by_level.items() if is_bad(level))

    @property
    def satisfied_share(self) -> float:
        """The share of 满意 and better (非常满意, 满意, 基本满意), 0–1; 0 with no ratings."""
        return (self.total - self.bad) / self.total if self.total else 0.0

    @property
    def average(self) -> float:
        return sum(level * n for level, n in self.by_level.items()) / self.total if self.total else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "total": self.total,
            "by_level": {str(level): self.by_level.get(level, 0) for level in LEVELS},
            "bad": self.bad,
            "average": round(self.average, 2),
            "satisfied_share": round(self.satisfied_share, 4),
            "open_cases": self.open_cases,
            "overdue_cases": self.overdue_cases,
        }


def fold_rating_counts(rows: Iterable[Sequence[Any]]) -> list[RatingCount]:
    """Count rows ``(key, level, ratings, open cases, overdue cases)``, one per key and level (the
    window's and the exchange's count queries give these), as one :class:`RatingCount` per key."""
    counts: dict[str, dict[str, Any]] = {}
    for key, level, n, open_cases, overdue in rows:
        entry = counts.setdefault(key, {"levels": dict.fromkeys(LEVELS, 0), "open": 0, "overdue": 0})
        entry["levels"][level] += int(n)
        entry["open"] += int(open_cases or 0)
        entry["overdue"] += int(overdue or 0)
    return [
        RatingCount(key=key, by_level=entry["levels"], open_cases=entry["open"], overdue_cases=entry["overdue"])
        for key, entry in sorted(counts.items())
    ]


COUNT_BY = ("window", "clerk", "bundle", "department")
