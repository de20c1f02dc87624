"""The notifier interface: one message in, one outcome out."""

from __future__ import annotations

from typing import Protocol

from window_app.domain.words import Words
from window_app.notify.message import Message, Outcome


class Notifier(Protocol):
    """Sends SMS-style messages to applicants' phones.

    ``send`` never raises for what the line or the gateway does: every failure is an
    :class:`~window_app.notify.message.Outcome` with words (retry later, or refused for good).
    It should honour :attr:`Message.key`: a message whose key it has accepted before is
    answered ``sent`` and not delivered again.
    """

    label: Words
    """What the notifier is, in words (the status line, the round's report)."""

    async def send(self, message: Message) -> Outcome: ...

    async def aclose(self) -> None: ...
