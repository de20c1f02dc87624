"""The one exception the exchange raises for a request it refuses, with words in both languages."""

from __future__ import annotations


class ExchangeError(Exception):
    """A request the exchange refuses as a whole.

    Attributes:
        status: The HTTP status the server answers with (400, 401, 403, 404, 409, 413, 422, 503 …).
        message: English words (the ``error`` of the JSON body).
        message_zh: The same in Chinese (``error_zh``).
        retry_after: Seconds for a ``Retry-After`` header (transient failures only).
    """

    def __init__(self, status: int, message: str, message_zh: str, *, retry_after: int | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.message_zh = message_zh
        self.retry_after = retry_after

    def body(self) -> dict[str, str]:
        """The JSON body of the error answer."""
        return {"error": self.message, "error_zh": self.message_zh}
