"""The applicant's notifications: the queue and the sealed recipients (SQL only).

``notification_recipients`` holds, per application, the phone and masked name a notification
goes to, sealed with the field cipher under the recipient key
(:mod:`window_app.trust.recipient_key`: the sync, which runs locked, must open it to send).
``notifications`` is the queue: one row per ``(receipt_no, kind, cause)``, queued inside the
transaction of the event that causes it, claimed by the sync like an envelope (the attempt
recorded before the send), marked ``sent`` only after the notifier said so.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from offline_cache.db import Database, storage_errors
from offline_cache.outbox import utc_stamp
from offline_cache.stored_words import words_to_column
from window_app.domain.applications import ApplicationDetail
from window_app.domain.notifications import ACCEPTED, QUEUED, REFUSED, SENT, QueuedNotification, Recipient, masked_name
from window_app.domain.words import Words
from window_app.trust.field_cipher import FieldCipher

_TABLE = "notification_recipients"
_COLUMN = "recipient"
_WORDS = Words("通知申请人", "Notifying the applicant")


def put_recipient(db: Database, cipher: FieldCipher, receipt_no: str, recipient: Recipient, now: str) -> None:
    """Seal and store where ``receipt_no``'s notifications go (inside the caller's transaction)."""
    sealed = cipher.seal(recipient.to_text(), table=_TABLE, column=_COLUMN, row=receipt_no)
    db.execute(
        "INSERT OR REPLACE INTO notification_recipients (receipt_no, recipient, created_at) VALUES (?, ?, ?)",
        [receipt_no, sealed, now],
    )


def recipient_of(db: Database, cipher: FieldCipher, receipt_no: str) -> Recipient | None:
    """The recipient of ``receipt_no``'s notifications, opened; ``None`` if there is none.

    Raises:
        FieldUnreadable: Sealed under another window key (replaced since).
    """
    row = db.execute("SELECT recipient FROM notification_recipients WHERE receipt_no = ?", [receipt_no]).fetchone()
    if row is None:
        return None
    return Recipient.from_text(cipher.open(row[0], table=_TABLE, column=_COLUMN, row=receipt_no))


def queue_acceptance(db: Database, cipher: FieldCipher, detail: ApplicationDetail, phone: str) -> bool:
    """Inside the accept transaction: store the recipient (when the applicant gave a phone) and
    queue the acceptance notification. No phone: nothing is stored, nothing queued."""
    if not phone.strip():
        return False
    summary = detail.summary
    now = summary.accepted_at
    put_recipient(db, cipher, summary.receipt_no, Recipient(phone=phone.strip(), name=masked_name(summary.applicant_name)), now)
    # The code goes with the message (its link is made when sending, from [tracking] base_url):
    # it is the applicant's, printed on the receipt as well.
    data = {"offering": summary.offering_name.to_json(), "promised_by": detail.promised_by, "tracking_code": detail.tracking_code}
    return queue(db, summary.receipt_no, ACCEPTED, ACCEPTED, data, now)


def queue(db: Database, receipt_no: str, kind: str, cause: str, data: dict[str, Any], now: str) -> bool:
    """Queue one notification inside the caller's transaction; ``False`` when it was queued
    before (a replayed event) or the application has no recipient (no phone given)."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO notifications (receipt_no, kind, cause, data, state, next_attempt_at, created_at) "
        "SELECT ?, ?, ?, ?, 'queued', ?, ? WHERE EXISTS (SELECT 1 FROM notification_recipients WHERE receipt_no = ?)",
        [receipt_no, kind, cause, json.dumps(data, ensure_ascii=False, sort_keys=True), utc_stamp(now), utc_stamp(now), receipt_no],
    )
    return cursor.rowcount == 1


def claim_due(db: Database, now: str, *, limit: int, retry_at: Callable[[int], str], ignore_schedule: bool = False) -> list[QueuedNotification]:
    """Take up to ``limit`` due notifications and record the attempt BEFORE sending (index
    ``notifications_state_next``): a process killed mid-send sends the same message again
    later, under the same idempotency key."""
    schedule = "" if ignore_schedule else " AND next_attempt_at <= ?"
    args: list[Any] = [] if ignore_schedule else [utc_stamp(now)]
    sql = (
        "SELECT id, receipt_no, kind, cause, data, attempts FROM notifications "
        f"WHERE state = 'queued'{schedule} ORDER BY next_attempt_at, id LIMIT ?"
    )
    with storage_errors(_WORDS):
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = db.execute(sql, [*args, limit]).fetchall()
            for row in rows:
                db.execute(
                    "UPDATE notifications SET attempts = attempts + 1, last_attempt_at = ?, next_attempt_at = ? WHERE id = ?",
                    [utc_stamp(now), utc_stamp(retry_at(row[5] + 1)), row[0]],
                )
            db.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
    return [
        QueuedNotification(id=row[0], receipt_no=row[1], kind=row[2], cause=row[3], data=json.loads(row[4]), attempts=row[5] + 1)
        for row in rows
    ]


def record_sent(db: Database, notification: QueuedNotification, now: str) -> None:
    """The notifier said sent (``sent_at`` in UTC). Once the application's conclusion is out
    and nothing else waits, its recipient is deleted."""
    with storage_errors(_WORDS), db.atomic():
        db.execute(
            "UPDATE notifications SET state = ?, sent_at = ?, last_error = '' WHERE id = ? AND state = 'queued'",
            [SENT, utc_stamp(now), notification.id],
        )
        _erase_recipient_when_done(db, notification.receipt_no)


def record_retry(db: Database, notification: QueuedNotification, next_attempt_at: str, error: Words) -> None:
    """A transient failure: stays queued, next try at ``next_attempt_at``."""
    with storage_errors(_WORDS), db.atomic():
        db.execute(
            "UPDATE notifications SET next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'queued'",
            [utc_stamp(next_attempt_at), words_to_column(error), notification.id],
        )


def unclaim(db: Database, notifications: list[QueuedNotification], next_attempt_at: str) -> None:
    """Claimed but not tried (the gateway failed on an earlier one this round): the attempt is
    taken back, the next one at ``next_attempt_at``."""
    with storage_errors(_WORDS), db.atomic():
        for notification in notifications:
            db.execute(
                "UPDATE notifications SET attempts = max(attempts - 1, 0), next_attempt_at = ? WHERE id = ? AND state = 'queued'",
                [utc_stamp(next_attempt_at), notification.id],
            )


def record_refused(db: Database, notification: QueuedNotification, reason: Words) -> None:
    """Refused for good (kept, with the reason; never retried blindly)."""
    with storage_errors(_WORDS), db.atomic():
        db.execute(
            "UPDATE notifications SET state = ?, last_error = ? WHERE id = ? AND state = 'queued'",
            [REFUSED, words_to_column(reason), notification.id],
        )
        _erase_recipient_when_done(db, notification.receipt_no)


def _erase_recipient_when_done(db: Database, receipt_no: str) -> None:
    """Delete the recipient once the conclusion's notification is no longer queued and nothing
    else is (both looked up through the unique ``(receipt_no, kind, cause)`` index).
    ``secure_delete`` is on for every connection: the sealed phone is overwritten, not left in
    a free page."""
    db.execute(
        "DELETE FROM notification_recipients WHERE receipt_no = ? "
        "AND EXISTS (SELECT 1 FROM notifications WHERE receipt_no = ? AND kind = 'concluded') "
        "AND NOT EXISTS (SELECT 1 FROM notifications WHERE receipt_no = ? AND state = 'queued')",
        [receipt_no, receipt_no, receipt_no],
    )


def count_by_state(db: Database) -> dict[str, int]:
    """How many notifications are queued, sent, refused (index ``notifications_state_next``)."""
    with storage_errors(_WORDS):
        counts = dict(db.execute("SELECT state, count(*) FROM notifications GROUP BY state").fetchall())
    return {state: counts.get(state, 0) for state in (QUEUED, SENT, REFUSED)}


def count_pending(db: Database) -> int:
    """How many wait to be sent (a range of ``notifications_state_next``: the sent ones, which
    pile up over the years, are not walked)."""
    with storage_errors(_WORDS):
        return db.execute("SELECT count(*) FROM notifications WHERE state = 'queued'").fetchone()[0]


def next_due_at(db: Database) -> str | None:
    """When the earliest queued notification is due (UTC), or ``None``."""
    with storage_errors(_WORDS):
        row = db.execute("SELECT min(next_attempt_at) FROM notifications WHERE state = 'queued'").fetchone()
    return row[0] if row else None


def list_for(db: Database, receipt_no: str) -> list[tuple[str, str, str, int]]:
    """``(kind, cause, state, attempts)`` of an application's notifications, oldest first."""
    with storage_errors(_WORDS):
        return [
            tuple(row)
            for row in db.execute(
                "SELECT kind, cause, state, attempts FROM notifications WHERE receipt_no = ? ORDER BY id", [receipt_no]
            ).fetchall()
        ]
