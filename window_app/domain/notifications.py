"""The applicant's notifications: kinds, the queued record, the recipient, the masked name.

A notification is queued with the event that causes it (the accept transaction, the sync's
recording of a 补正 request or of the conclusion) and sent by the sync (docs/sync.md,
*Notifications to the applicant*). ``(receipt_no, kind, cause)`` names it once: a replayed
event queues nothing more, and the same three make the idempotency key the gateway sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

ACCEPTED = "accepted"
SUPPLEMENT = "supplement"
CONCLUDED = "concluded"
WAIVED = "waived"
"""A reminder of a 容缺 promise (due soon, overdue): cause ``<material>/<state>``, so each is queued
once per material and state — never twice, and at most one a day (the two states fall on different days)."""
SURVEY = "survey"
"""The day before a confirmed joint site survey (联合踏勘): cause ``survey/<start UTC>``, once per
confirmed start (a slot moved later reminds again)."""
KINDS = (ACCEPTED, SUPPLEMENT, CONCLUDED, WAIVED, SURVEY)

QUEUED = "queued"
SENT = "sent"
REFUSED = "refused"
"""Stored states: waiting to go (or in flight), delivered to the gateway, refused for good."""


@dataclass(frozen=True)
class Recipient:
    """Where a notification goes: the applicant's phone and the name it addresses (masked).

    Sealed in the database (``notification_recipients``); never holds an ID number.
    ``language`` is kept for an applicant's own choice later; today ``[notify] language``
    decides for every message.
    """

    phone: str
    name: str
    language: str = "zh"

    def to_text(self) -> str:
        return json.dumps({"phone": self.phone, "name": self.name, "language": self.language}, ensure_ascii=False)

    @classmethod
    def from_text(cls, text: str) -> Recipient:
        data = json.loads(text)
        return cls(phone=str(data["phone"]), name=str(data.get("name", "")), language=str(data.get("language", "zh")))


@dataclass(frozen=True)
class QueuedNotification:
    """One notification as the queue holds it (no personal data: the recipient is apart)."""

    id: int
    receipt_no: str
    kind: str
    cause: str
    data: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0

    @property
    def idempotency_key(self) -> str:
        """The same for every attempt of this notification, and only for it: a gateway that
        keeps the keys it has seen drops a resend."""
        return f"{self.receipt_no}/{self.kind}/{self.cause}"


def masked_name(name: str) -> str:
    """The name as a notification shows it: the first character, the rest ``*`` (张三 → 张*,
    张三丰 → 张**); a Latin name keeps its first letter (Li Lei → L*****)."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name.replace(" ", "")) - 1)
