"""The tracking code of an application and the link its receipt's QR code carries.

The code itself and its digest are :mod:`window_app.domain.tracking_code` (the exchange checks
codes with the same module). Here: the link to the exchange's public tracking page, from
``[tracking] base_url`` in ``config.toml``.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from window_app.config import Settings
from window_app.domain.tracking_code import grouped, new_tracking_code, tracking_digest

__all__ = ["grouped", "new_tracking_code", "tracking_digest", "tracking_link"]


def tracking_link(settings: Settings, receipt_no: str, code: str) -> str:
    """``<base_url>/t/<receipt no>?c=<code>``: the page that shows this application's progress.

    Without a code (an application accepted before codes existed) the link is the page of the
    number alone, where the applicant types the code.
    """
    base = settings.tracking.base_url.rstrip("/")
    link = f"{base}/t/{quote(receipt_no, safe='')}"
    return f"{link}?{urlencode({'c': code})}" if code else link
