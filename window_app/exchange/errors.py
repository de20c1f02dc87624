"""The one exception the exchange raises for a request it refuses, with words in both languages."""

from __future__ import annotations

from window_app.domain.errors import WindowAppError
from window_app.domain.words import Words


class ExchangeError(WindowAppError):
    """A request the exchange refuses as a whole.

    Attributes:
        status: The HTTP status the server answers with (400, 401, 403, 404, 409, 413, 422, 503 …).
        retry_after: Seconds for a ``Retry-After`` header (transient failures only).
    """

    def __init__(self, status: int, words: Words, *, retry_after: int | None = None):
        super().__init__(words)
        self.status = status
        self.retry_after = retry_after

    def body(self) -> dict[str, str]:
        """The JSON body of the error answer (``docs/exchange-api.md``): ``{"error": English,
        "error_zh": 中文}``."""
        return error_body(self.words)


def error_body(words: Words) -> dict[str, str]:
    """An error answer's JSON body for ``words``: the contract's English ``error`` and its
    Chinese ``error_zh``."""
    return {"error": words.in_language("en"), "error_zh": words.zh}
