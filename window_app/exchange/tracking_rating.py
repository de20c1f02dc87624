"""The applicant's 好差评 at conclusion, given from the tracking page on a phone: the rule.

The routes (``POST /t/{receipt_no}/rate``, the page's plain form; ``POST /v1/track/rate``,
JSON) are in :mod:`.tracking_routes`. Like a look-up, a rating answers a wrong code and an
unknown receipt number alike, after the same work, and is stored through
:func:`window_app.exchange.ratings.rate_from_tracking`: once, only for a concluded application;
the window that accepted it pulls it (``GET /v1/ratings``) and opens a rectification case for a
差评.
"""

from __future__ import annotations

from typing import Any

from window_app.domain.words import Words
from window_app.exchange import ratings, tracking, tracking_store
from window_app.exchange.errors import ExchangeError
from window_app.exchange.store import ExchangeStore

THANKS = Words("感谢您的评价！", "Thank you for your rating!")


def rate(store: ExchangeStore, receipt_no: str, code: str, level: object, reasons: object) -> dict[str, Any] | None:
    """Store the applicant's rating at conclusion: ``{"rating_id", "status": "created" |
    "duplicate"}``, or ``None`` when the number is unknown or the code wrong (the same work
    either way: an unknown number's code is checked against a dummy digest).

    Raises:
        ExchangeError: 400 a level or reasons that are not right; 409 not concluded yet, or
            rated otherwise already (words).
    """
    if len(receipt_no) > tracking.MAX_RECEIPT_CHARS or len(code) > tracking.MAX_CODE_CHARS:
        return None
    held = tracking_store.held_digest(store, receipt_no)
    digest = held[0] if held is not None else tracking.dummy_digest()
    if isinstance(level, bool) or not isinstance(level, int) or not isinstance(reasons, list):
        raise ExchangeError(400, Words("评价须为 1–5 级，理由为理由编号列表", "a rating is a level from 1 to 5 with a list of reason codes"))
    try:
        return ratings.rate_from_tracking(store, receipt_no, code, digest, level, reasons)
    except ExchangeError as refused:
        if refused.status == 403:  # the code does not match: what an unknown number answers too
            return None
        raise
