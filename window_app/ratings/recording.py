"""Recording a rating: checked, stored once, a 差评's rectification case opened with it.

Nobody edits a rating: the store has no statement that would, a second rating of the same
application and occasion is refused, and the window records one only through the rating step
the accept opened (:class:`window_app.window.Window`: the applicant's own action, right after
their receipt), the one the handing over of a concluded application's results opened
(:func:`hand_over_results`: the rating at conclusion), or from the tracking page (pulled from
the exchange; it is the rating at conclusion too, so never a second one).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from offline_cache import ratings as store
from offline_cache.db import Database
from offline_cache.outbox import utc_stamp
from window_app.domain.errors import WindowAppError
from window_app.domain.ratings import (
    AT_WINDOW,
    CONCLUSION,
    OCCASION_WORDS,
    OPEN,
    RECTIFY_WORKING_DAYS,
    Rating,
    RectificationCase,
    case_id_of,
    is_bad,
    rating_id_of,
    rating_problem,
)
from window_app.domain.words import Words
from window_app.receipt import add_working_days

APPLICANT = "applicant"
"""The audit trail's actor of a rating: the applicant, never the clerk (who is named in the data)."""


class RatingRefused(WindowAppError):
    """A rating that cannot be recorded; the words say why. Nothing was written."""


@dataclass(frozen=True)
class HandedOver:
    """The results of a concluded application handed over to the applicant at the window.

    Attributes:
        collected_at: When (UTC; the first time, if the clerk pressed it again).
        first: Recorded now (``False``: handed over before).
        conclusion_rated: The application holds its rating at conclusion already (given at the
            window or from the tracking page): no rating step.
    """

    collected_at: str
    first: bool
    conclusion_rated: bool


NOT_CONCLUDED = Words(
    "办件 {no} 尚未办结：全部部门作出决定后才能领取结果",
    "{no} is not concluded yet: the results are handed over once every department has decided",
)


def hand_over_results(db: Database, receipt_no: str, *, state: str, clerk_id: str, now: dt.datetime) -> HandedOver:
    """Record that a concluded application's results were handed over (an audit event, once),
    and say whether its rating at conclusion is still to be given.

    Raises:
        RatingRefused: The application is not concluded (``state``), in words.
        StorageError: Nothing was written.
    """
    if state != "concluded":
        raise RatingRefused(NOT_CONCLUDED.format(no=receipt_no))
    at, first = store.record_results_collected(db, receipt_no, actor=clerk_id, at=utc_stamp(now), data={"clerk_id": clerk_id})
    return HandedOver(collected_at=at, first=first, conclusion_rated=store.rating_of(db, receipt_no, CONCLUSION) is not None)


def rectification_due(rated_at: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The deadline of a 差评's case: :data:`RECTIFY_WORKING_DAYS` working days after the day
    of the rating in the window's calendar (``add_working_days``: the official calendar where
    it knows one)."""
    return add_working_days(rated_at.astimezone(zone).date(), RECTIFY_WORKING_DAYS)


def rate_at_window(
    db: Database,
    receipt_no: str,
    occasion: str,
    level: int,
    reasons: tuple[str, ...],
    *,
    window_clerk: str,
    now: dt.datetime,
    zone: dt.tzinfo,
) -> Rating:
    """Record the applicant's rating given at the window's rating step.

    Args:
        window_clerk: The signed-in clerk's 工号 (in the audit data: at whose window it was given).

    Raises:
        RatingRefused: Not a level 1–5, reasons not of the level's list, unknown application,
            or rated on this occasion already.
        StorageError: Nothing was written.
    """
    problem = rating_problem(level, list(reasons), occasion)
    if problem is not None:
        raise RatingRefused(problem)
    facts = store.application_facts(db, receipt_no)
    if facts is None:
        raise RatingRefused(Words("没有受理编号为 {no} 的办件", "No application has receipt number {no}").format(no=receipt_no))
    window_id, clerk_id, offering_id, departments = facts
    rating = Rating(
        rating_id=rating_id_of(receipt_no, occasion),
        receipt_no=receipt_no,
        occasion=occasion,
        level=level,
        reasons=tuple(reasons),
        channel=AT_WINDOW,
        window_id=window_id,
        clerk_id=clerk_id,
        offering_id=offering_id,
        departments=departments,
        rated_at=utc_stamp(now),
    )
    record(db, rating, now=now, zone=zone, data={"window_clerk": window_clerk})
    return rating


def record(db: Database, rating: Rating, *, now: dt.datetime, zone: dt.tzinfo, data: dict | None = None) -> bool:
    """Store a checked rating with its audit event and, for a 差评, its case; ``False`` if the
    same rating was stored before.

    Raises:
        RatingRefused: The application was rated on this occasion already (differently).
    """
    case = None
    if is_bad(rating.level):
        opened_at = utc_stamp(now)
        case = RectificationCase(
            case_id=case_id_of(rating.rating_id),
            rating_id=rating.rating_id,
            receipt_no=rating.receipt_no,
            level=rating.level,
            reasons=rating.reasons,
            state=OPEN,
            opened_at=opened_at,
            due_on=rectification_due(dt.datetime.fromisoformat(rating.rated_at), zone).isoformat(),
            history=((opened_at, "system", "opened"),),
        )
    audit = {
        "occasion": rating.occasion,
        "level": rating.level,
        "reasons": list(rating.reasons),
        "channel": rating.channel,
        "clerk_id": rating.clerk_id,
        **(data or {}),
    }
    try:
        return store.record_rating(db, rating, actor=APPLICANT, case=case, audit_data=audit)
    except store.RatingExists:
        raise RatingRefused(
            Words("该办件{occasion}已评价，评价不可更改", "This application was rated {occasion} already; a rating cannot be changed").format(
                occasion=OCCASION_WORDS.get(rating.occasion, Words(rating.occasion))
            )
        ) from None
