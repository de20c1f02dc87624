"""A 差评's rectification case (整改), step by step, by a supervisor (``Permission.RECTIFY``).

``open`` → :func:`assign` (to a clerk or a department's contact) → :func:`record_callback`
(回访: what the applicant said when called back) → :func:`record_fix` (what was done) →
:func:`close`. A step out of order is refused in words; each step is one durable transaction
with its audit event (the supervisor is the actor), and bumps the case's revision so the sync
sends it again.
"""

from __future__ import annotations

import datetime as dt

from offline_cache import ratings as store
from offline_cache.db import Database
from offline_cache.outbox import utc_stamp
from window_app.domain.clerks import Clerk
from window_app.domain.errors import WindowAppError
from window_app.domain.ratings import (
    ASSIGNED,
    CALLED_BACK,
    CASE_STATE_WORDS,
    CLOSED,
    FIXED,
    OPEN,
    RectificationCase,
    note_problem,
)
from window_app.domain.words import Words


class CaseRefused(WindowAppError):
    """A rectification step that cannot be taken now; the words say why. Nothing was written."""


ASSIGNEE_WORDS = Words("整改责任人", "the person responsible")
CALLBACK_WORDS = Words("回访情况", "the call-back")
FIX_WORDS = Words("整改措施", "the fix")

_STEP_FROM = {
    "assigned": (OPEN, ASSIGNED),  # assigning again hands it to someone else, until called back
    "called_back": (ASSIGNED,),
    "fixed": (CALLED_BACK,),
    "closed": (FIXED,),
}


def case(db: Database, case_id: str) -> RectificationCase:
    """One case.

    Raises:
        CaseRefused: No such case.
    """
    found = store.get_case(db, case_id)
    if found is None:
        raise CaseRefused(Words("没有整改单 {id}", "No rectification case {id}").format(id=case_id))
    return found


def assign(db: Database, case_id: str, assignee: str, department: str, *, by: Clerk, now: dt.datetime) -> RectificationCase:
    """Hand the case to ``assignee`` (a clerk's 工号 or a department contact), about ``department``."""
    problem = note_problem(assignee, ASSIGNEE_WORDS)
    if problem is not None:
        raise CaseRefused(problem)
    return _step(db, case_id, "assigned", {"assignee": assignee.strip(), "assignee_department": department.strip()}, by, now)


def record_callback(db: Database, case_id: str, note: str, *, by: Clerk, now: dt.datetime) -> RectificationCase:
    """What the applicant said when called back (回访)."""
    problem = note_problem(note, CALLBACK_WORDS)
    if problem is not None:
        raise CaseRefused(problem)
    return _step(db, case_id, "called_back", {"callback": note.strip(), "callback_at": utc_stamp(now)}, by, now)


def record_fix(db: Database, case_id: str, note: str, *, by: Clerk, now: dt.datetime) -> RectificationCase:
    """What was done about it (整改措施)."""
    problem = note_problem(note, FIX_WORDS)
    if problem is not None:
        raise CaseRefused(problem)
    return _step(db, case_id, "fixed", {"fix": note.strip(), "fixed_at": utc_stamp(now)}, by, now)


def close(db: Database, case_id: str, *, by: Clerk, now: dt.datetime) -> RectificationCase:
    """Close a fixed case."""
    return _step(db, case_id, "closed", {"closed_at": utc_stamp(now), "closed_by": by.id}, by, now)


def _step(db: Database, case_id: str, state: str, changes: dict[str, str], by: Clerk, now: dt.datetime) -> RectificationCase:
    current = case(db, case_id)
    if current.state not in _STEP_FROM[state]:
        raise CaseRefused(
            Words("整改单 {id} 当前为“{now}”，不能{step}", "Rectification case {id} is “{now}”: it cannot be {step} now").format(
                id=case_id, now=CASE_STATE_WORDS[current.state], step=_STEP_WORDS[state]
            )
        )
    try:
        return store.update_case(
            db, current, {"state": state, **changes}, expected_state=current.state, actor=by.label, action=state, at=utc_stamp(now)
        )
    except KeyError:
        raise CaseRefused(
            Words("整改单 {id} 刚被他人修改，请重新打开", "Rectification case {id} was just changed by someone else; open it again").format(
                id=case_id
            )
        ) from None


_STEP_WORDS = {
    "assigned": Words("分派", "assigned"),
    "called_back": Words("记录回访", "called back"),
    "fixed": Words("记录整改", "marked fixed"),
    CLOSED: Words("办结", "closed"),
}
