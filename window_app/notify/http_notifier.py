"""``[notify] kind = "http"``: a generic SMS gateway, the way a deployment plugs in its SMS platform.

One ``POST <url>`` per message, JSON body::

    {"idempotency_key": "522325-…/accepted/accepted", "to": "13800000000",
     "text": "【贞丰县政务服务中心】…", "receipt_no": "522325-…", "kind": "accepted"}

with ``Authorization: Bearer <token>`` (the token read from ``[notify] token_file``, a file of
its own, mode 0600) and ``Idempotency-Key: <key>``. The gateway (the provincial SMS platform,
or a small adapter in front of it) answers:

- ``2xx``: accepted for delivery → sent. A key it has seen before should be answered ``2xx``
  (or ``409``) without sending again: that is what makes "never sent twice" hold end to end;
- ``408``, ``425``, ``429``, ``5xx``, no connection, a timeout → retry later (``Retry-After`` obeyed);
- ``401`` / ``403`` → retry later, with words naming the token file (nothing is refused for a
  token the deployment can fix);
- another ``4xx`` → refused for good (a number the gateway cannot reach), with its words
  (``{"error": …}`` or the body's first 200 characters).
"""

from __future__ import annotations

import datetime as dt
import json
from email.utils import parsedate_to_datetime

import httpx

from window_app.domain.words import Words
from window_app.notify.message import Message, Outcome

_RETRY_STATUSES = frozenset({408, 425, 429})


class HttpNotifier:
    """POSTs each message to an SMS gateway."""

    def __init__(self, url: str, token: str, *, token_file: str = "", timeout: float = 10.0, client: httpx.AsyncClient | None = None):
        self.url = url
        self.token_file = token_file
        self.label = Words("短信网关 {u}", "SMS gateway {u}").format(u=url)
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout
        self._client = client
        self._own_client = client is None

    async def send(self, message: Message) -> Outcome:
        if self._client is None:
            # Made on first use in the running event loop, closed by aclose() at the round's end.
            self._client = httpx.AsyncClient(timeout=self._timeout)
        try:
            response = await self._client.post(
                self.url, json=message.to_json(), headers={**self._headers, "Idempotency-Key": message.key}
            )
        except httpx.TimeoutException:
            return Outcome.retry(Words("短信网关 {u} 未在时限内应答", "The SMS gateway {u} did not answer in time").format(u=self.url))
        except httpx.HTTPError as exc:
            return Outcome.retry(
                Words("无法连接短信网关 {u}（{e}）", "Cannot reach the SMS gateway {u} ({e})").format(u=self.url, e=type(exc).__name__)
            )
        status = response.status_code
        if 200 <= status < 300 or status == 409:
            return Outcome.sent()
        said = _said(response)
        if status in (401, 403):
            return Outcome.retry(
                Words(
                    "短信网关拒绝了令牌（HTTP {s}）：请检查 [notify] token_file（{f}）",
                    "The SMS gateway refused the token (HTTP {s}): check [notify] token_file ({f})",
                ).format(s=status, f=self.token_file)
            )
        if status in _RETRY_STATUSES or status >= 500:
            return Outcome.retry(
                Words("短信网关暂时无法处理（HTTP {s}）{m}", "The SMS gateway cannot take it now (HTTP {s}){m}").format(
                    s=status, m=f"：{said}" if said else ""
                ),
                retry_after=_retry_after(response),
            )
        return Outcome.refused(
            Words("短信网关拒收（HTTP {s}）：{m}", "The SMS gateway refused it (HTTP {s}): {m}").format(s=status, m=said or "—")
        )

    async def aclose(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None


def _said(response: httpx.Response) -> str:
    """The gateway's reason: ``{"error": …}`` or the start of the body."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        return response.text.strip()[:200]
    if isinstance(body, dict) and body.get("error"):
        return str(body["error"])[:200]
    return response.text.strip()[:200]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - dt.datetime.now(dt.UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
