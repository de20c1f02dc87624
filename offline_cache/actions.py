"""What needs the clerk's action (需处理): open supplement requests, refusals not yet seen,
quarantined envelopes; joint site surveys to confirm; and the clerk's mark that a refusal was seen.

A supplement request (``supplement_needed``) is open while it is not answered
(``supplied_at``) and no supplement envelope for its part is on its way (recorded, held or
quarantined: the clerk did their part). A refusal counts until the clerk opened the
application (``refusals_seen``, per clerk and per decision). Quarantined envelopes are asked
for only for a clerk who may send them again.
"""

from __future__ import annotations

from offline_cache.db import Database, durable_transaction, storage_errors
from offline_cache.stored_words import words_from_column
from window_app.domain.progress import ACTION_KINDS, ActionNeeded
from window_app.domain.words import Words

_READ_WORDS = Words("读取待处理的办件", "Reading what needs action")
_WRITE_WORDS = Words("记录已查看的不予办理决定", "Recording that a refusal was seen")

_SUPPLEMENTS = """
SELECT d.receipt_no, 'supplement', d.department, d.stage, d.item, d.material, d.reason, d.decided_at
FROM item_decisions d JOIN applications a ON a.receipt_no = d.receipt_no
WHERE d.decision = 'supplement_needed' AND d.supplied_at IS NULL
AND (:clerk IS NULL OR a.clerk_id = :clerk)
AND NOT EXISTS (
    SELECT 1 FROM application_parts p JOIN outbox s ON s.receipt_no = p.receipt_no
    AND s.kind = 'supplement' AND s.original_envelope_id = p.envelope_id
    AND s.state IN ('queued', 'waiting', 'quarantined')
    WHERE p.receipt_no = d.receipt_no AND p.department = d.department AND p.stage = d.stage
)
"""

_REFUSALS = """
SELECT d.receipt_no, 'refused', d.department, d.stage, d.item, d.material, d.reason, d.decided_at
FROM item_decisions d JOIN applications a ON a.receipt_no = d.receipt_no
WHERE d.decision = 'rejected' AND (:clerk IS NULL OR a.clerk_id = :clerk)
AND NOT EXISTS (
    SELECT 1 FROM refusals_seen r WHERE r.clerk_id IN (:me, '*') AND r.receipt_no = d.receipt_no
    AND r.item = d.item AND r.decided_at = d.decided_at
)
"""

_QUARANTINED = """
SELECT o.receipt_no, 'quarantined', o.department, o.stage, '', '', o.last_error,
coalesce(o.last_attempt_at, o.created_at)
FROM outbox o JOIN applications a ON a.receipt_no = o.receipt_no
WHERE o.state = 'quarantined' AND (:clerk IS NULL OR a.clerk_id = :clerk)
"""


# A survey appointment not confirmed yet whose current revision every department answered, or
# one proposed another slot (window_app.domain.survey.needs_clerk, in SQL); the department named
# is the last one that proposed another slot.
_SURVEYS = """
SELECT s.receipt_no, 'survey', coalesce(max(CASE WHEN w.answer = 'propose' THEN w.department END), ''), 0, '', '', '',
max(w.answered_at)
FROM survey_appointments s JOIN applications a ON a.receipt_no = s.receipt_no
JOIN survey_answers w ON w.receipt_no = s.receipt_no AND w.revision = s.revision
WHERE s.confirmed_at IS NULL AND (:clerk IS NULL OR a.clerk_id = :clerk)
GROUP BY s.receipt_no
HAVING sum(w.answer = 'propose') > 0 OR count(DISTINCT w.department) >= json_array_length(s.departments)
"""


def needs_action(
    db: Database, *, viewer: str, clerk_id: str | None, quarantined: bool
) -> list[ActionNeeded]:
    """Everything that needs action, most urgent kind first, then newest first.

    Args:
        viewer: The signed-in clerk's 工号 (whose "seen" marks count).
        clerk_id: Only applications this clerk accepted (``None``: everyone's, a supervisor).
        quarantined: Include envelopes the exchange refused for good.
    """
    sql = _SUPPLEMENTS + " UNION ALL " + _REFUSALS + " UNION ALL " + _SURVEYS
    if quarantined:
        sql += " UNION ALL " + _QUARANTINED
    with storage_errors(_READ_WORDS):
        rows = db.execute(sql, {"clerk": clerk_id, "me": viewer}).fetchall()
    found = [ActionNeeded(*row[:6], reason=words_from_column(row[6]), at=row[7]) for row in rows]
    found.sort(key=lambda action: action.at, reverse=True)
    found.sort(key=lambda action: ACTION_KINDS.index(action.kind))  # stable: newest first within a kind
    return found


def mark_refusals_seen(db: Database, receipt_no: str, viewer: str, now: str) -> int:
    """The clerk opened the application: its refusals as decided now are no longer news.
    Returns how many were new."""
    with storage_errors(_WRITE_WORDS), durable_transaction(db):
        cursor = db.execute(
            "INSERT INTO refusals_seen (clerk_id, receipt_no, item, decided_at, seen_at) "
            "SELECT ?, d.receipt_no, d.item, d.decided_at, ? FROM item_decisions d "
            "WHERE d.receipt_no = ? AND d.decision = 'rejected' "
            "AND NOT EXISTS (SELECT 1 FROM refusals_seen r WHERE r.clerk_id IN (?, '*') "
            "AND r.receipt_no = d.receipt_no AND r.item = d.item AND r.decided_at = d.decided_at) "
            "ON CONFLICT (clerk_id, receipt_no, item) DO UPDATE SET decided_at = excluded.decided_at, "
            "seen_at = excluded.seen_at",
            [viewer, now, receipt_no, viewer],
        )
        return cursor.rowcount
