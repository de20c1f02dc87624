"""The sync's last step each round: send the applicant's queued notifications.

After the envelopes (it never holds them up: a gateway that fails leaves the rest of the
round's notifications for after its backoff), like the outbox: each claimed notification's
attempt is recorded before the send, and it is marked ``sent`` only after the notifier said
sent. A process killed between the send and the mark sends it again next round, under the same
idempotency key (``<receipt no>/<kind>/<cause>``): a gateway that honours the key (the log
notifier does) drops the resend, so "never sent twice" holds end to end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from offline_cache import notifications as store
from offline_cache.db import Database
from window_app.config import Settings
from window_app.domain.errors import WindowAppError
from window_app.domain.notifications import QueuedNotification
from window_app.domain.words import NO_WORDS, Words
from window_app.notify.choose import notifier_from
from window_app.notify.message import REFUSED, RETRY, Message, Outcome
from window_app.notify.notifier import Notifier
from window_app.notify.texts import message_words
from window_app.sync.backoff import Backoff
from window_app.tracking import tracking_link
from window_app.trust.field_cipher import FieldCipher, FieldUnreadable
from window_app.trust.keys import SigningKey
from window_app.trust.recipient_key import recipient_cipher


@dataclass
class NotifyReport:
    """The notifications' part of a round.

    Attributes:
        sent: Messages the notifier took this round.
        failed: Transient failures (they stay queued, after a backoff).
        refused: Refused for good this round (kept with the reason).
        pending: Queued after the round (the status line's count).
        error: The last failure in words (a gateway down, a token file missing …).
    """

    sent: int = 0
    failed: int = 0
    refused: int = 0
    pending: int = 0
    error: Words = NO_WORDS


class NotificationSender:
    """Sends due notifications through the notifier ``[notify]`` names (made on first need)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        backoff: Backoff,
        clock: Callable[[], dt.datetime],
        notifier: Notifier | None = None,
    ):
        self.db = db
        self.settings = settings
        self.backoff = backoff
        self.clock = clock
        self._notifier = notifier
        self._cipher: FieldCipher | None = None
        self._retry_at: dt.datetime | None = None
        self._failures = 0

    async def send_due(self, *, window_key: Callable[[], SigningKey], retry_now: bool = False) -> NotifyReport:
        """Send what is due (at most ``[sync] batch_size``); never raises for the gateway,
        the settings or a key: the report's words say what went wrong.

        Args:
            window_key: The window's signing key, read on first need (the recipients' key
                derives from it: :mod:`window_app.trust.recipient_key`).
        """
        report = NotifyReport()
        try:
            if self.settings.notify.kind != "off":
                await self._send(report, retry_now, window_key)
        except WindowAppError as exc:
            report.error = exc.words
        except OSError as exc:
            report.error = Words("无法发送通知：{e}", "Cannot send notifications: {e}").format(e=exc.strerror or str(exc))
        report.pending = store.count_pending(self.db)
        return report

    async def _send(self, report: NotifyReport, retry_now: bool, window_key: Callable[[], SigningKey]) -> None:
        now = self.clock()
        if self._retry_at is not None and now < self._retry_at and not retry_now:
            return  # the gateway failed lately: its backoff first (the queue waits, nothing is lost)
        if self._notifier is None:
            self._notifier = notifier_from(self.settings)  # NotifyConfigError: words, next round again
        if self._notifier is None:
            return
        if self._cipher is None:
            self._cipher = recipient_cipher(window_key())

        def retry_at(attempts: int) -> str:
            return (now + dt.timedelta(seconds=self.backoff.delay(attempts))).isoformat()

        claimed = store.claim_due(
            self.db, now.isoformat(), limit=self.settings.sync.batch_size, retry_at=retry_at, ignore_schedule=retry_now
        )
        try:
            await self._send_claimed(self._notifier, self._cipher, claimed, report)
        finally:
            await self._notifier.aclose()  # the gateway's connections live one round (one event loop)

    async def _send_claimed(
        self, notifier: Notifier, cipher: FieldCipher, claimed: list[QueuedNotification], report: NotifyReport
    ) -> None:
        for index, notification in enumerate(claimed):
            outcome = await self._send_one(notifier, cipher, notification)
            if outcome.state == RETRY:
                self._failures += 1
                delay = self.backoff.delay(max(notification.attempts, self._failures), retry_after=outcome.retry_after)
                later = self.clock() + dt.timedelta(seconds=delay)
                store.record_retry(self.db, notification, later.isoformat(), outcome.words)
                store.unclaim(self.db, claimed[index + 1 :], later.isoformat())
                self._retry_at = later
                report.failed += 1
                report.error = outcome.words
                return
            if outcome.state == REFUSED:
                store.record_refused(self.db, notification, outcome.words)
                report.refused += 1
                report.error = outcome.words
            else:
                store.record_sent(self.db, notification, self.clock().isoformat())
                report.sent += 1
        self._failures = 0
        self._retry_at = None

    async def _send_one(self, notifier: Notifier, cipher: FieldCipher, notification: QueuedNotification) -> Outcome:
        try:
            recipient = store.recipient_of(self.db, cipher, notification.receipt_no)
        except FieldUnreadable:
            return Outcome.refused(
                Words(
                    "{no} 的通知无法发送：接收号码由已更换的窗口密钥加密",
                    "The notification of {no} cannot be sent: its phone number is sealed under a replaced window key",
                ).format(no=notification.receipt_no)
            )
        if recipient is None:
            return Outcome.refused(
                Words("{no} 没有接收通知的号码", "{no} has no phone number to notify").format(no=notification.receipt_no)
            )
        code = str(notification.data.get("tracking_code") or "")
        link = tracking_link(self.settings, notification.receipt_no, code) if code else ""
        text = message_words(notification, recipient.name, link).in_language(self.settings.notify.language)
        message = Message(
            key=notification.idempotency_key, to=recipient.phone, text=text, receipt_no=notification.receipt_no, kind=notification.kind
        )
        return await notifier.send(message)

