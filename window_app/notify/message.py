"""What a notifier is given and what it answers."""

from __future__ import annotations

from dataclasses import dataclass

from window_app.domain.words import NO_WORDS, Words

SENT = "sent"
RETRY = "retry"
REFUSED = "refused"


@dataclass(frozen=True)
class Message:
    """One SMS-style message.

    Attributes:
        key: The idempotency key: the same for every attempt of one notification. A gateway
            that remembers the keys it has seen drops a resend (a crash between the send and
            its mark can resend, never more).
        to: The applicant's phone number.
        text: The message in the applicant's language.
        receipt_no, kind: What it is about (the log shows them; a gateway may file by them).
    """

    key: str
    to: str
    text: str
    receipt_no: str
    kind: str

    def to_json(self) -> dict[str, str]:
        return {"idempotency_key": self.key, "to": self.to, "text": self.text, "receipt_no": self.receipt_no, "kind": self.kind}


@dataclass(frozen=True)
class Outcome:
    """What became of one message.

    Attributes:
        state: ``sent`` (the gateway has it: marked sent), ``retry`` (try later, after
            ``retry_after`` seconds when the gateway said so) or ``refused`` (for good: kept with
            the words, never retried blindly).
    """

    state: str
    words: Words = NO_WORDS
    retry_after: float | None = None

    @classmethod
    def sent(cls) -> Outcome:
        return cls(SENT)

    @classmethod
    def retry(cls, words: Words, retry_after: float | None = None) -> Outcome:
        return cls(RETRY, words, retry_after)

    @classmethod
    def refused(cls, words: Words) -> Outcome:
        return cls(REFUSED, words)
